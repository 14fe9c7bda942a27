#pragma once
/// Appends snapshot rows to chunked, compressed HDF5 datasets with the compression done
/// in parallel: HDF5 runs its filters serially inside H5Dwrite, which made the output a
/// growing share of a run as the engine got faster and ran on more threads.
///
/// Each dataset is (T, nz, ny, nx) with chunks (1, cz, cy, nx) and the filters shuffle
/// then deflate level 1 (h5::create_extendible with compress = true). Every chunk of the
/// new row is gathered (an edge chunk padded with the fill value 0), byte-shuffled and
/// compressed with libdeflate in an OpenMP loop over all chunks of all datasets, then
/// written in order with H5Dwrite_chunk. Each chunk is one standard zlib stream, so HDF5's
/// deflate filter reads it and readers see an ordinary compressed dataset: the leading
/// byte planes of the shuffled chunk that deflate cannot shrink by 1 % (judged on four
/// 4 KiB samples; a float field's two low bytes are noise) go in as stored blocks, the
/// rest is deflated by libdeflate (about twice as fast as zlib at level 1 and 1-3 %
/// smaller on shuffled fields; other bytes than zlib's). A chunk that comes out larger
/// than its data is kept, as HDF5's filter does.
#include <hdf5.h>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "sim/io/hdf5_util.hpp"

namespace regensim::sim::h5 {

/// One row to append: `data` holds nz * ny * nx elements of `element_size` bytes (4: float,
/// 1: uint8) in the dataset's file type (little-endian float32 or uint8, as in memory).
struct SnapshotRow {
  hid_t dataset = -1;
  const void* data = nullptr;
  std::size_t element_size = 0;
  std::string where;  // for error messages
};

/// Appends one row to each dataset (all of shape (T, dims[0], dims[1], dims[2])). The chunk
/// shape and filters are read from the dataset; one with other chunks or filters is written
/// through H5Dwrite instead. Throws IoError naming the dataset on failure. Parallel inside
/// (OpenMP).
void append_snapshot_rows(std::span<const SnapshotRow> rows, const std::array<hsize_t, 3>& dims);

/// One 1-D dataset for write_columns: `data` holds its elements of `element_size` bytes in
/// the file type's byte layout (little-endian, as in memory).
struct Column {
  std::string name;
  hid_t file_type = -1;
  const void* data = nullptr;
  std::size_t element_size = 0;
};

/// Creates each column in `group` as a dataset of `count` elements (create_vector: the
/// chunks and filters of write_vector) and writes it, shuffling and compressing the chunks
/// of all columns in parallel (OpenMP) with zlib's compress2 at the filter's level, which
/// gives the bytes HDF5's own filter stores. (libdeflate, used for the fields, was half
/// zlib's speed on these highly repetitive columns.) Returns the datasets in column
/// order; throws IoError naming where/column on failure.
std::vector<Handle> write_columns(hid_t group, std::span<const Column> columns, std::size_t count,
                                  const std::string& where);

}  // namespace regensim::sim::h5
