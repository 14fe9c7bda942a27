#include "sim/io/chunk_writer.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/io/hdf5_util.hpp"

namespace regensim::sim::h5 {

namespace {

struct ChunkTask {
  std::size_t row;  // index into the rows
  hsize_t z0, y0;
  std::vector<unsigned char> bytes;
  bool failed = false;
};

/// Bytes of each sample incompressible() deflates, and how many samples it takes.
constexpr std::size_t kSampleBytes = 4096;
constexpr std::size_t kSamples = 4;

/// Whether deflate shrinks samples of the byte plane p[0..n) (from its start, a quarter, a
/// half and three quarters in) by less than 1 %. The low mantissa bytes of a field's
/// floats are noise: libdeflate spent two thirds of a chunk's time on them and saved
/// nothing. Planes too small for the samples are never called incompressible.
bool incompressible(const unsigned char* p, std::size_t n, libdeflate_compressor* compressor,
                    std::vector<unsigned char>& scratch) {
  if (n < kSamples * kSampleBytes) return false;
  scratch.resize(libdeflate_deflate_compress_bound(compressor, kSampleBytes));
  std::size_t packed = 0;
  for (std::size_t k = 0; k < kSamples; ++k) {
    const std::size_t size = libdeflate_deflate_compress(
        compressor, p + n / kSamples * k, kSampleBytes, scratch.data(), scratch.size());
    if (size == 0) return false;
    packed += size;
  }
  return packed * 100 >= kSamples * kSampleBytes * 99;
}

/// Writes one zlib stream of data[0..planes * plane) into out: the leading byte planes
/// that are incompressible() as stored blocks, the rest deflated by libdeflate, then the
/// Adler-32 of it all. Any inflater (HDF5's deflate filter is zlib's) reads it as one
/// stream; storing the noise planes made the snapshots' compression about 2.4 times as
/// fast and the files under 0.1 % larger (docs/performance.md). Returns false if
/// libdeflate failed.
bool zlib_stream(const unsigned char* data, std::size_t plane, std::size_t planes,
                 libdeflate_compressor* compressor, std::vector<unsigned char>& scratch,
                 std::vector<unsigned char>& out) {
  const std::size_t total = plane * planes;
  std::size_t stored_planes = 0;
  while (planes > 1 && stored_planes < planes &&
         incompressible(data + stored_planes * plane, plane, compressor, scratch)) {
    ++stored_planes;
  }
  const std::size_t stored = stored_planes * plane;
  if (stored == 0) {
    // A zlib stream (what HDF5's deflate filter reads); its bound fits stored blocks too.
    out.resize(libdeflate_zlib_compress_bound(compressor, total));
    const std::size_t size =
        libdeflate_zlib_compress(compressor, data, total, out.data(), out.size());
    out.resize(size);
    return size != 0;
  }
  constexpr std::size_t kStoredBlock = 65535;  // the largest stored block
  const std::size_t tail = total - stored;
  out.resize(2 + stored + 5 * ((stored + kStoredBlock - 1) / kStoredBlock) +
             (tail > 0 ? libdeflate_deflate_compress_bound(compressor, tail) : 0) + 4);
  std::size_t at = 0;
  out[at++] = 0x78;  // deflate, 32 KiB window; the check bits make 0x7801 a multiple of 31
  out[at++] = 0x01;
  for (std::size_t from = 0; from < stored; from += kStoredBlock) {
    const std::size_t len = std::min(kStoredBlock, stored - from);
    // Block header byte-aligned: BFINAL (only when nothing follows), BTYPE 00 (stored).
    out[at++] = tail == 0 && from + len == stored ? 1 : 0;
    const auto len16 = static_cast<std::uint16_t>(len);
    const auto nlen16 = static_cast<std::uint16_t>(~len16);
    out[at++] = static_cast<unsigned char>(len16 & 0xff);
    out[at++] = static_cast<unsigned char>(len16 >> 8);
    out[at++] = static_cast<unsigned char>(nlen16 & 0xff);
    out[at++] = static_cast<unsigned char>(nlen16 >> 8);
    std::memcpy(out.data() + at, data + from, len);
    at += len;
  }
  if (tail > 0) {  // raw deflate: its last block carries BFINAL
    const std::size_t size = libdeflate_deflate_compress(compressor, data + stored, tail,
                                                         out.data() + at, out.size() - at - 4);
    if (size == 0) return false;
    at += size;
  }
  const std::uint32_t adler = libdeflate_adler32(1, data, total);
  for (int shift = 24; shift >= 0; shift -= 8)
    out[at++] = static_cast<unsigned char>(adler >> shift);
  out.resize(at);
  return true;
}

/// HDF5's shuffle of `elements` elements of S bytes: byte b of element i goes to
/// b * elements + i. Through restrict pointers and with S known, so that GCC vectorises
/// it (written into the vector by index, unsigned char stores that may alias anything
/// kept it a byte at a time: 3 % of a run writing hourly snapshots).
template <std::size_t S>
void shuffle_bytes(const unsigned char* __restrict raw, std::size_t elements,
                   unsigned char* __restrict out) {
  for (std::size_t i = 0; i < elements; ++i) {
    for (std::size_t b = 0; b < S; ++b) out[b * elements + i] = raw[i * S + b];
  }
}

void shuffle(const unsigned char* raw, std::size_t elements, std::size_t s,
             std::vector<unsigned char>& shuffled) {
  shuffled.resize(elements * s);
  unsigned char* __restrict out = shuffled.data();
  switch (s) {
    case 4:
      shuffle_bytes<4>(raw, elements, out);
      break;
    case 8:
      shuffle_bytes<8>(raw, elements, out);
      break;
    default:
      for (std::size_t i = 0; i < elements; ++i) {
        for (std::size_t b = 0; b < s; ++b) out[b * elements + i] = raw[i * s + b];
      }
  }
}

/// Gathers, shuffles and compresses one chunk of `row` into task.bytes.
void encode(const SnapshotRow& row, const std::array<hsize_t, 4>& chunk,
            const std::array<hsize_t, 3>& dims, ChunkTask& task, std::vector<unsigned char>& raw,
            std::vector<unsigned char>& shuffled, std::vector<unsigned char>& sample,
            libdeflate_compressor* compressor) {
  const std::size_t s = row.element_size;
  const hsize_t cz = chunk[1], cy = chunk[2], nx = dims[2];
  const std::size_t elements = static_cast<std::size_t>(cz * cy * nx);
  const std::size_t bytes = elements * s;
  const auto* src = static_cast<const unsigned char*>(row.data);
  const unsigned char* input = nullptr;
  if (cy == dims[1] && task.z0 + cz <= dims[0]) {
    // Whole planes inside the dataset: the chunk is one contiguous piece of the row.
    input = src + static_cast<std::size_t>(task.z0 * dims[1] * nx) * s;
  } else {
    raw.assign(bytes, 0);  // edge chunks: the fill value 0 beyond the dataset
    const std::size_t line = static_cast<std::size_t>(nx) * s;
    for (hsize_t z = task.z0; z < std::min(task.z0 + cz, dims[0]); ++z) {
      for (hsize_t y = task.y0; y < std::min(task.y0 + cy, dims[1]); ++y) {
        const std::size_t from = static_cast<std::size_t>((z * dims[1] + y) * nx) * s;
        const std::size_t to =
            static_cast<std::size_t>(((z - task.z0) * cy + (y - task.y0)) * nx) * s;
        std::memcpy(raw.data() + to, src + from, line);
      }
    }
    input = raw.data();
  }
  // (HDF5's shuffle is a no-op for bytes.)
  if (s > 1) {
    shuffle(input, elements, s, shuffled);
    input = shuffled.data();
  }
  // Kept even when larger than the input, as HDF5's filter does.
  task.failed = !zlib_stream(input, elements, s, compressor, sample, task.bytes);
}

/// The dataset's chunk shape when it is (1, cz, cy, nx) with the filters shuffle then
/// deflate, else nothing.
std::optional<std::array<hsize_t, 4>> direct_chunk(hid_t dataset, hsize_t nx,
                                                   const std::string& where) {
  Handle dcpl = check(H5Dget_create_plist(dataset), H5Pclose, where, "cannot get properties");
  if (H5Pget_layout(dcpl.get()) != H5D_CHUNKED) return std::nullopt;
  std::array<hsize_t, 4> chunk{};
  if (H5Pget_chunk(dcpl.get(), 4, chunk.data()) != 4 || chunk[0] != 1 || chunk[3] != nx) {
    return std::nullopt;
  }
  if (H5Pget_nfilters(dcpl.get()) != 2) return std::nullopt;
  const H5Z_filter_t expected[2] = {H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE};
  for (unsigned f = 0; f < 2; ++f) {
    unsigned flags = 0;
    std::size_t count = 1;
    unsigned level = 0;
    if (H5Pget_filter2(dcpl.get(), f, &flags, &count, &level, 0, nullptr, nullptr) != expected[f]) {
      return std::nullopt;
    }
    if (f == 1 && (count < 1 || level != kDeflateLevel)) return std::nullopt;
  }
  return chunk;
}

}  // namespace

void append_snapshot_rows(std::span<const SnapshotRow> rows, const std::array<hsize_t, 3>& dims) {
  std::vector<ChunkTask> tasks;
  std::vector<hsize_t> row_index(rows.size());
  std::vector<std::array<hsize_t, 4>> chunks(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const SnapshotRow& row = rows[r];
    std::vector<hsize_t> extent = dataset_dims(row.dataset, row.where);
    if (extent.size() != 4 || extent[1] != dims[0] || extent[2] != dims[1] ||
        extent[3] != dims[2]) {
      throw IoError(row.where + ": not a (T, nz, ny, nx) dataset of this lattice");
    }
    const auto chunk = direct_chunk(row.dataset, dims[2], row.where);
    if (!chunk) {
      append(row.dataset, row.element_size == 1 ? H5T_NATIVE_UINT8 : H5T_NATIVE_FLOAT, row.data, 1,
             row.where);
      continue;
    }
    chunks[r] = *chunk;
    row_index[r] = extent[0];
    extent[0] += 1;
    check(H5Dset_extent(row.dataset, extent.data()), row.where, "cannot extend dataset");
    for (hsize_t z0 = 0; z0 < dims[0]; z0 += (*chunk)[1]) {
      for (hsize_t y0 = 0; y0 < dims[1]; y0 += (*chunk)[2]) tasks.push_back({r, z0, y0, {}});
    }
  }
  const auto n = static_cast<std::ptrdiff_t>(tasks.size());
#pragma omp parallel
  {
    std::vector<unsigned char> raw, shuffled, sample;  // per thread
    const std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> compressor(
        libdeflate_alloc_compressor(static_cast<int>(kDeflateLevel)), libdeflate_free_compressor);
#pragma omp for schedule(dynamic)
    for (std::ptrdiff_t t = 0; t < n; ++t) {
      ChunkTask& task = tasks[static_cast<std::size_t>(t)];
      if (compressor == nullptr) {
        task.failed = true;
        continue;
      }
      encode(rows[task.row], chunks[task.row], dims, task, raw, shuffled, sample, compressor.get());
    }
  }
  for (const ChunkTask& task : tasks) {
    const SnapshotRow& row = rows[task.row];
    if (task.failed) throw IoError(row.where + ": libdeflate could not compress a chunk");
    const hsize_t offset[4] = {row_index[task.row], task.z0, task.y0, 0};
    check(H5Dwrite_chunk(row.dataset, H5P_DEFAULT, 0, offset, task.bytes.size(), task.bytes.data()),
          row.where, "cannot write chunk");
  }
}

std::vector<Handle> write_columns(hid_t group, std::span<const Column> columns, std::size_t count,
                                  const std::string& where) {
  struct ColumnChunk {
    std::size_t column;
    hsize_t index;
    std::vector<unsigned char> bytes;
    bool failed = false;
  };
  std::vector<Handle> datasets;
  std::vector<ColumnChunk> tasks;
  const hsize_t chunk = count > 0 ? vector_chunk(count) : 0;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    datasets.push_back(create_vector(group, columns[c].name, columns[c].file_type, count,
                                     where + "/" + columns[c].name));
    for (hsize_t k = 0; k * chunk < count; ++k) tasks.push_back({c, k, {}});
  }
  const auto n = static_cast<std::ptrdiff_t>(tasks.size());
#pragma omp parallel if (n > 1)
  {
    std::vector<unsigned char> raw, shuffled;  // per thread
#pragma omp for schedule(dynamic)
    for (std::ptrdiff_t t = 0; t < n; ++t) {
      ColumnChunk& task = tasks[static_cast<std::size_t>(t)];
      const Column& col = columns[task.column];
      const std::size_t s = col.element_size;
      // Chunk k holds elements [k * chunk, (k + 1) * chunk), read in place; the last one
      // is copied and padded with the fill value 0, as HDF5 stores an edge chunk.
      const auto first = static_cast<std::size_t>(task.index * chunk);
      const std::size_t used = std::min<std::size_t>(chunk, count - first);
      const auto bytes = static_cast<std::size_t>(chunk) * s;
      const unsigned char* input = static_cast<const unsigned char*>(col.data) + first * s;
      if (used < chunk) {
        raw.assign(bytes, 0);
        std::memcpy(raw.data(), input, used * s);
        input = raw.data();
      }
      if (s > 1) {
        shuffle(input, static_cast<std::size_t>(chunk), s, shuffled);
        input = shuffled.data();
      }
      uLongf size = compressBound(static_cast<uLong>(bytes));
      task.bytes.resize(size);
      task.failed = compress2(task.bytes.data(), &size, input, static_cast<uLong>(bytes),
                              static_cast<int>(kDeflateLevel)) != Z_OK;
      task.bytes.resize(size);
    }
  }
  for (const ColumnChunk& task : tasks) {
    const std::string w = where + "/" + columns[task.column].name;
    if (task.failed) throw IoError(w + ": zlib could not compress a chunk");
    const hsize_t offset[1] = {task.index * chunk};
    check(H5Dwrite_chunk(datasets[task.column].get(), H5P_DEFAULT, 0, offset, task.bytes.size(),
                         task.bytes.data()),
          w, "cannot write chunk");
  }
  return datasets;
}

}  // namespace regensim::sim::h5
