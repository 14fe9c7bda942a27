#pragma once
/// Thin RAII layer over the HDF5 C API for the output writer and `regensim info`.
/// Every failure becomes an IoError whose message names the file and object path and
/// carries HDF5's own innermost error description. Not thread-safe (serial HDF5 is not).
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace regensim::sim::h5 {

/// Deflate level of every compressed dataset (after the shuffle filter): fast, and most
/// of the gain on float fields.
inline constexpr unsigned kDeflateLevel = 1;

/// Owns one HDF5 identifier (file, group, dataset, dataspace, datatype, attribute or
/// property list) and closes it with the matching H5?close. Move-only. Closing errors in
/// the destructor are ignored (destructors must not throw).
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  /// Closes the identifier now; returns false if HDF5 reported an error.
  bool reset() noexcept;

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

/// Turns off HDF5's automatic printing of error stacks to stderr for its lifetime and
/// restores the previous setting afterwards. HDF5 would otherwise print a stack for every
/// failed call, including expected ones (H5Aexists-style probes, a missing file), on top
/// of the IoError we throw. Scoped rather than set once globally so that a program that
/// embeds the engine and relies on HDF5's printing gets it back after our calls return.
class ErrorSilencer {
 public:
  ErrorSilencer();
  ~ErrorSilencer();
  ErrorSilencer(const ErrorSilencer&) = delete;
  ErrorSilencer& operator=(const ErrorSilencer&) = delete;

 private:
  H5E_auto2_t saved_func_ = nullptr;
  void* saved_data_ = nullptr;
  bool saved_ = false;
};

/// The innermost description on HDF5's default error stack (e.g. "unable to open file:
/// ... errno = 2 ..."), or "" if the stack is empty. Clears the stack.
std::string last_error();
/// Throws IoError "<where>: <what> (HDF5: <last_error()>)".
[[noreturn]] void fail(const std::string& where, const std::string& what);
/// Throws via fail() when `id` < 0; returns a Handle owning it otherwise.
Handle check(hid_t id, Handle::Closer closer, const std::string& where, const std::string& what);
/// Throws via fail() when `status` < 0.
void check(herr_t status, const std::string& where, const std::string& what);

// --- files and groups -----------------------------------------------------------------

/// Creates (or, with `truncate`, replaces) a file, without HDF5's file lock: with the lock,
/// `regensim info`, h5py or a plotting script could not open an output while its run is
/// still writing it (errno 11), and the writer flushes after every snapshot precisely so
/// that its progress can be read. The cost is that HDF5 no longer stops two writers on one
/// file; the writer refuses an existing output unless asked to overwrite it.
Handle create_file(const std::string& path, bool truncate);
/// Opens an existing file read-only. File locking stays on, but is ignored where the file
/// system does not support it (Lustre, some NFS mounts on clusters).
Handle open_file_read(const std::string& path);
/// Opens an existing file for writing, without HDF5's file lock (as create_file), so a run
/// restarted from a checkpoint can continue its output file.
Handle open_file_write(const std::string& path);
/// Creates a group that tracks link creation order, so readers list members in the
/// order they were written (fields in config order, snapshots 0, 1, 2, ... not 0, 1, 10).
Handle create_group(hid_t loc, const std::string& name, const std::string& where);
Handle open_group(hid_t loc, const std::string& name, const std::string& where);
Handle open_dataset(hid_t loc, const std::string& name, const std::string& where);
bool link_exists(hid_t loc, const std::string& name);
/// Names of a group's members, in creation order where tracked, else by name.
std::vector<std::string> list_members(hid_t group, const std::string& where);
/// Removes a link (e.g. a group written after a checkpoint). Its space is not reclaimed.
void delete_link(hid_t loc, const std::string& name, const std::string& where);
/// H5Fflush(H5F_SCOPE_GLOBAL).
void flush(hid_t file, const std::string& where);

// --- attributes -----------------------------------------------------------------------
// Writing replaces an existing attribute of the same name. Strings are variable-length
// UTF-8, which h5py reads as `str`.

void write_attr(hid_t obj, const std::string& name, const std::string& value,
                const std::string& where);
inline void write_attr(hid_t obj, const std::string& name, const char* value,
                       const std::string& where) {
  write_attr(obj, name, std::string(value), where);
}
void write_attr(hid_t obj, const std::string& name, int value, const std::string& where);
void write_attr(hid_t obj, const std::string& name, std::int64_t value, const std::string& where);
void write_attr(hid_t obj, const std::string& name, std::uint64_t value, const std::string& where);
void write_attr(hid_t obj, const std::string& name, double value, const std::string& where);
void write_attr(hid_t obj, const std::string& name, std::span<const int> values,
                const std::string& where);
void write_attr(hid_t obj, const std::string& name, std::span<const std::string> values,
                const std::string& where);

bool attr_exists(hid_t obj, const std::string& name);
/// Reads a scalar string attribute (variable- or fixed-length); nullopt if absent.
std::optional<std::string> read_string_attr(hid_t obj, const std::string& name,
                                            const std::string& where);
/// Reads a numeric attribute (any integer or float type, scalar or 1-D) converted to
/// double; empty if absent.
std::vector<double> read_numeric_attr(hid_t obj, const std::string& name, const std::string& where);
/// Reads a 1-D string array attribute; empty if absent.
std::vector<std::string> read_string_array_attr(hid_t obj, const std::string& name,
                                                const std::string& where);

// --- datasets -------------------------------------------------------------------------

/// Dataspace dimensions of a dataset.
std::vector<hsize_t> dataset_dims(hid_t dataset, const std::string& where);
/// Short human name of a dataset's element type: "float32", "uint8", "string", ...
std::string type_name(hid_t dataset);

/// Creates a dataset of shape (0, inner...) with an unlimited first dimension, chunked as
/// `chunk` (same rank), optionally with shuffle + deflate level 1.
Handle create_extendible(hid_t loc, const std::string& name, hid_t file_type,
                         std::span<const hsize_t> inner_dims, std::span<const hsize_t> chunk,
                         bool compress, const std::string& where);
/// Appends `rows` rows along the first dimension of an extendible dataset; `data` holds
/// rows × prod(inner dims) elements of `mem_type`, C order.
void append(hid_t dataset, hid_t mem_type, const void* data, hsize_t rows,
            const std::string& where);
/// Shrinks an extendible dataset to its first `rows` rows along the first dimension.
/// Throws IoError if it has fewer.
void truncate_rows(hid_t dataset, hsize_t rows, const std::string& where);
/// Elements per chunk of a 1-D dataset of n > 0 elements made by create_vector.
constexpr hsize_t vector_chunk(std::size_t n) {
  return std::min<hsize_t>(n, hsize_t{65536});
}
/// Creates a 1-D dataset of `n` elements: non-empty, chunked (vector_chunk) and compressed
/// (shuffle + deflate 1); empty, contiguous, because HDF5 rejects zero-sized chunks.
Handle create_vector(hid_t loc, const std::string& name, hid_t file_type, std::size_t n,
                     const std::string& where);
/// create_vector, then writes the `n` elements at `data` through HDF5's filters.
Handle write_vector(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
                    const void* data, std::size_t n, const std::string& where);
/// Creates a scalar variable-length UTF-8 string dataset.
Handle write_string_dataset(hid_t loc, const std::string& name, const std::string& value,
                            const std::string& where);
/// Reads a whole numeric dataset converted to double.
std::vector<double> read_doubles(hid_t dataset, const std::string& where);
/// Reads a whole dataset into `n` elements of `mem_type` at `out`; throws IoError unless
/// the dataset has exactly `n` elements.
void read_exact(hid_t dataset, hid_t mem_type, void* out, std::size_t n, const std::string& where);
/// Reads a whole integer dataset converted to uint8 (e.g. type codes).
std::vector<std::uint8_t> read_uint8(hid_t dataset, const std::string& where);

}  // namespace regensim::sim::h5
