#include "sim/io/hdf5_util.hpp"

#include <algorithm>
#include <utility>

#include "sim/core/error.hpp"

namespace regensim::sim::h5 {

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = std::exchange(other.id_, -1);
    closer_ = other.closer_;
  }
  return *this;
}

bool Handle::reset() noexcept {
  bool ok = true;
  if (id_ >= 0 && closer_ != nullptr) ok = closer_(id_) >= 0;
  id_ = -1;
  return ok;
}

ErrorSilencer::ErrorSilencer() {
  saved_ = H5Eget_auto2(H5E_DEFAULT, &saved_func_, &saved_data_) >= 0;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

ErrorSilencer::~ErrorSilencer() {
  if (saved_) H5Eset_auto2(H5E_DEFAULT, saved_func_, saved_data_);
}

namespace {

herr_t keep_innermost(unsigned /*n*/, const H5E_error2_t* err, void* out) {
  if (err != nullptr && err->desc != nullptr && err->desc[0] != '\0') {
    *static_cast<std::string*>(out) = err->desc;
  }
  return 0;
}

Handle string_type() {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

hsize_t element_count(hid_t space) {
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  return n < 0 ? 0 : static_cast<hsize_t>(n);
}

/// Deletes an attribute so it can be recreated with a new type or size.
void remove_attr(hid_t obj, const std::string& name, const std::string& where) {
  if (attr_exists(obj, name)) {
    check(H5Adelete(obj, name.c_str()), where, "cannot replace attribute '" + name + "'");
  }
}

void write_attr_raw(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type,
                    hid_t space, const void* data, const std::string& where) {
  remove_attr(obj, name, where);
  Handle attr = check(H5Acreate2(obj, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT),
                      H5Aclose, where, "cannot create attribute '" + name + "'");
  // An empty array attribute is created but not written (HDF5 rejects a null buffer).
  if (element_count(space) == 0) return;
  check(H5Awrite(attr.get(), mem_type, data), where, "cannot write attribute '" + name + "'");
}

void write_scalar_attr(hid_t obj, const std::string& name, hid_t file_type, hid_t mem_type,
                       const void* data, const std::string& where) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  write_attr_raw(obj, name, file_type, mem_type, space.get(), data, where);
}

Handle simple_space(std::span<const hsize_t> dims, std::span<const hsize_t> max_dims = {}) {
  return Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(),
                                 max_dims.empty() ? nullptr : max_dims.data()),
                H5Sclose);
}

herr_t collect_name(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* out) {
  static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  return 0;
}

}  // namespace

std::string last_error() {
  std::string desc;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, keep_innermost, &desc);
  H5Eclear2(H5E_DEFAULT);
  return desc;
}

void fail(const std::string& where, const std::string& what) {
  const std::string detail = last_error();
  throw IoError(where + ": " + what + (detail.empty() ? "" : " (HDF5: " + detail + ")"));
}

Handle check(hid_t id, Handle::Closer closer, const std::string& where, const std::string& what) {
  if (id < 0) fail(where, what);
  return Handle(id, closer);
}

void check(herr_t status, const std::string& where, const std::string& what) {
  if (status < 0) fail(where, what);
}

// --- files and groups -----------------------------------------------------------------

Handle create_file(const std::string& path, bool truncate) {
  Handle fapl = check(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path, "cannot create property list");
  check(H5Pset_file_locking(fapl.get(), false, true), path, "cannot set file locking");
  return check(
      H5Fcreate(path.c_str(), truncate ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()),
      H5Fclose, path, "cannot create HDF5 file");
}

Handle open_file_read(const std::string& path) {
  Handle fapl = check(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path, "cannot create property list");
  check(H5Pset_file_locking(fapl.get(), true, true), path, "cannot set file locking");
  return check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose, path,
               "cannot open HDF5 file");
}

Handle open_file_write(const std::string& path) {
  Handle fapl = check(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, path, "cannot create property list");
  check(H5Pset_file_locking(fapl.get(), false, true), path, "cannot set file locking");
  return check(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()), H5Fclose, path,
               "cannot open HDF5 file for writing");
}

Handle create_group(hid_t loc, const std::string& name, const std::string& where) {
  Handle gcpl = check(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, where, "cannot create property list");
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        where, "cannot track creation order");
  return check(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose, where,
               "cannot create group");
}

Handle open_group(hid_t loc, const std::string& name, const std::string& where) {
  return check(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), H5Gclose, where, "cannot open group");
}

Handle open_dataset(hid_t loc, const std::string& name, const std::string& where) {
  return check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose, where, "cannot open dataset");
}

bool link_exists(hid_t loc, const std::string& name) {
  return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0;
}

std::vector<std::string> list_members(hid_t group, const std::string& where) {
  unsigned order_flags = 0;
  {
    Handle gcpl(H5Gget_create_plist(group), H5Pclose);
    if (gcpl.valid()) H5Pget_link_creation_order(gcpl.get(), &order_flags);
  }
  const H5_index_t index =
      (order_flags & H5P_CRT_ORDER_INDEXED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  std::vector<std::string> names;
  check(H5Literate(group, index, H5_ITER_INC, nullptr, collect_name, &names), where,
        "cannot list group members");
  return names;
}

void delete_link(hid_t loc, const std::string& name, const std::string& where) {
  check(H5Ldelete(loc, name.c_str(), H5P_DEFAULT), where, "cannot delete '" + name + "'");
}

void flush(hid_t file, const std::string& where) {
  check(H5Fflush(file, H5F_SCOPE_GLOBAL), where, "cannot flush file");
}

// --- attributes -----------------------------------------------------------------------

void write_attr(hid_t obj, const std::string& name, const std::string& value,
                const std::string& where) {
  Handle type = string_type();
  const char* ptr = value.c_str();
  write_scalar_attr(obj, name, type.get(), type.get(), &ptr, where);
}

void write_attr(hid_t obj, const std::string& name, int value, const std::string& where) {
  write_scalar_attr(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, &value, where);
}

void write_attr(hid_t obj, const std::string& name, std::int64_t value, const std::string& where) {
  write_scalar_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, where);
}

void write_attr(hid_t obj, const std::string& name, std::uint64_t value, const std::string& where) {
  write_scalar_attr(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value, where);
}

void write_attr(hid_t obj, const std::string& name, double value, const std::string& where) {
  write_scalar_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, where);
}

void write_attr(hid_t obj, const std::string& name, std::span<const int> values,
                const std::string& where) {
  const hsize_t n = values.size();
  Handle space = simple_space(std::span<const hsize_t>(&n, 1));
  write_attr_raw(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, space.get(), values.data(), where);
}

void write_attr(hid_t obj, const std::string& name, std::span<const std::string> values,
                const std::string& where) {
  Handle type = string_type();
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  const hsize_t n = values.size();
  Handle space = simple_space(std::span<const hsize_t>(&n, 1));
  write_attr_raw(obj, name, type.get(), type.get(), space.get(), ptrs.data(), where);
}

bool attr_exists(hid_t obj, const std::string& name) {
  return H5Aexists(obj, name.c_str()) > 0;
}

std::optional<std::string> read_string_attr(hid_t obj, const std::string& name,
                                            const std::string& where) {
  if (!attr_exists(obj, name)) return std::nullopt;
  const std::string what = "cannot read attribute '" + name + "'";
  Handle attr = check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, where, what);
  Handle type = check(H5Aget_type(attr.get()), H5Tclose, where, what);
  if (H5Tget_class(type.get()) != H5T_STRING) {
    throw IoError(where + ": attribute '" + name + "' is not a string");
  }
  Handle space = check(H5Aget_space(attr.get()), H5Sclose, where, what);
  if (element_count(space.get()) != 1) {
    throw IoError(where + ": attribute '" + name + "' is not a scalar string");
  }
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem = string_type();
    char* ptr = nullptr;
    check(H5Aread(attr.get(), mem.get(), &ptr), where, what);
    std::string value = ptr != nullptr ? ptr : "";
    H5free_memory(ptr);
    return value;
  }
  const std::size_t size = H5Tget_size(type.get());
  Handle mem = check(H5Tcopy(H5T_C_S1), H5Tclose, where, what);
  H5Tset_size(mem.get(), size + 1);
  H5Tset_strpad(mem.get(), H5T_STR_NULLTERM);
  std::vector<char> buf(size + 1, '\0');
  check(H5Aread(attr.get(), mem.get(), buf.data()), where, what);
  return std::string(buf.data());
}

std::vector<double> read_numeric_attr(hid_t obj, const std::string& name,
                                      const std::string& where) {
  if (!attr_exists(obj, name)) return {};
  const std::string what = "cannot read attribute '" + name + "'";
  Handle attr = check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, where, what);
  Handle space = check(H5Aget_space(attr.get()), H5Sclose, where, what);
  std::vector<double> values(element_count(space.get()));
  if (!values.empty()) check(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, values.data()), where, what);
  return values;
}

std::vector<std::string> read_string_array_attr(hid_t obj, const std::string& name,
                                                const std::string& where) {
  if (!attr_exists(obj, name)) return {};
  const std::string what = "cannot read attribute '" + name + "'";
  Handle attr = check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, where, what);
  Handle type = check(H5Aget_type(attr.get()), H5Tclose, where, what);
  Handle space = check(H5Aget_space(attr.get()), H5Sclose, where, what);
  const hsize_t n = element_count(space.get());
  std::vector<std::string> out;
  if (n == 0) return out;
  if (H5Tget_class(type.get()) != H5T_STRING) {
    throw IoError(where + ": attribute '" + name + "' is not a string array");
  }
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem = string_type();
    std::vector<char*> ptrs(n, nullptr);
    check(H5Aread(attr.get(), mem.get(), ptrs.data()), where, what);
    for (char* p : ptrs) {
      out.emplace_back(p != nullptr ? p : "");
      H5free_memory(p);
    }
    return out;
  }
  const std::size_t size = H5Tget_size(type.get());
  Handle mem = check(H5Tcopy(H5T_C_S1), H5Tclose, where, what);
  H5Tset_size(mem.get(), size + 1);
  H5Tset_strpad(mem.get(), H5T_STR_NULLTERM);
  std::vector<char> buf((size + 1) * n, '\0');
  check(H5Aread(attr.get(), mem.get(), buf.data()), where, what);
  for (hsize_t i = 0; i < n; ++i) out.emplace_back(buf.data() + i * (size + 1));
  return out;
}

// --- datasets -------------------------------------------------------------------------

std::vector<hsize_t> dataset_dims(hid_t dataset, const std::string& where) {
  Handle space = check(H5Dget_space(dataset), H5Sclose, where, "cannot get dataspace");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail(where, "cannot get rank");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

std::string type_name(hid_t dataset) {
  Handle type(H5Dget_type(dataset), H5Tclose);
  if (!type.valid()) return "unknown";
  const std::string bits = std::to_string(H5Tget_size(type.get()) * 8);
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER:
      return (H5Tget_sign(type.get()) == H5T_SGN_NONE ? "uint" : "int") + bits;
    case H5T_FLOAT:
      return "float" + bits;
    case H5T_STRING:
      return "string";
    default:
      return "other";
  }
}

Handle create_extendible(hid_t loc, const std::string& name, hid_t file_type,
                         std::span<const hsize_t> inner_dims, std::span<const hsize_t> chunk,
                         bool compress, const std::string& where) {
  std::vector<hsize_t> dims{0};
  std::vector<hsize_t> max_dims{H5S_UNLIMITED};
  dims.insert(dims.end(), inner_dims.begin(), inner_dims.end());
  max_dims.insert(max_dims.end(), inner_dims.begin(), inner_dims.end());
  if (chunk.size() != dims.size()) throw IoError(where + ": chunk rank does not match dataset");
  Handle space =
      check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max_dims.data()), H5Sclose,
            where, "cannot create dataspace");
  Handle dcpl = check(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where, "cannot create plist");
  check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), where,
        "cannot set chunking");
  if (compress) {
    check(H5Pset_shuffle(dcpl.get()), where, "cannot set shuffle filter");
    check(H5Pset_deflate(dcpl.get(), kDeflateLevel), where, "cannot set deflate filter");
  }
  return check(
      H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      H5Dclose, where, "cannot create dataset");
}

void append(hid_t dataset, hid_t mem_type, const void* data, hsize_t rows,
            const std::string& where) {
  std::vector<hsize_t> dims = dataset_dims(dataset, where);
  if (dims.empty()) throw IoError(where + ": cannot append to a scalar dataset");
  const hsize_t old_rows = dims[0];
  dims[0] = old_rows + rows;
  check(H5Dset_extent(dataset, dims.data()), where, "cannot extend dataset");
  Handle file_space = check(H5Dget_space(dataset), H5Sclose, where, "cannot get dataspace");
  std::vector<hsize_t> start(dims.size(), 0);
  std::vector<hsize_t> count = dims;
  start[0] = old_rows;
  count[0] = rows;
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr),
        where, "cannot select rows");
  Handle mem_space = simple_space(count);
  check(H5Dwrite(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data), where,
        "cannot write rows");
}

void truncate_rows(hid_t dataset, hsize_t rows, const std::string& where) {
  std::vector<hsize_t> dims = dataset_dims(dataset, where);
  if (dims.empty()) throw IoError(where + ": cannot truncate a scalar dataset");
  if (dims[0] < rows) {
    throw IoError(where + ": has " + std::to_string(dims[0]) + " rows, expected at least " +
                  std::to_string(rows));
  }
  if (dims[0] == rows) return;
  dims[0] = rows;
  check(H5Dset_extent(dataset, dims.data()), where, "cannot shrink dataset");
}

Handle create_vector(hid_t loc, const std::string& name, hid_t file_type, std::size_t n,
                     const std::string& where) {
  const hsize_t dim = n;
  Handle space = simple_space(std::span<const hsize_t>(&dim, 1));
  Handle dcpl = check(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, where, "cannot create plist");
  if (n > 0) {
    const hsize_t chunk = vector_chunk(n);
    check(H5Pset_chunk(dcpl.get(), 1, &chunk), where, "cannot set chunking");
    check(H5Pset_shuffle(dcpl.get()), where, "cannot set shuffle filter");
    check(H5Pset_deflate(dcpl.get(), kDeflateLevel), where, "cannot set deflate filter");
  }
  return check(
      H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      H5Dclose, where, "cannot create dataset");
}

Handle write_vector(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
                    const void* data, std::size_t n, const std::string& where) {
  Handle ds = create_vector(loc, name, file_type, n, where);
  if (n > 0) {
    check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), where,
          "cannot write dataset");
  }
  return ds;
}

Handle write_string_dataset(hid_t loc, const std::string& name, const std::string& value,
                            const std::string& where) {
  Handle type = string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle ds = check(
      H5Dcreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose, where, "cannot create dataset");
  const char* ptr = value.c_str();
  check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &ptr), where,
        "cannot write dataset");
  return ds;
}

std::vector<double> read_doubles(hid_t dataset, const std::string& where) {
  Handle space = check(H5Dget_space(dataset), H5Sclose, where, "cannot get dataspace");
  std::vector<double> values(element_count(space.get()));
  if (!values.empty()) {
    check(H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), where,
          "cannot read dataset");
  }
  return values;
}

void read_exact(hid_t dataset, hid_t mem_type, void* out, std::size_t n, const std::string& where) {
  Handle space = check(H5Dget_space(dataset), H5Sclose, where, "cannot get dataspace");
  const hsize_t have = element_count(space.get());
  if (have != n) {
    throw IoError(where + ": has " + std::to_string(have) + " elements, expected " +
                  std::to_string(n));
  }
  if (n == 0) return;
  check(H5Dread(dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), where,
        "cannot read dataset");
}

std::vector<std::uint8_t> read_uint8(hid_t dataset, const std::string& where) {
  Handle space = check(H5Dget_space(dataset), H5Sclose, where, "cannot get dataspace");
  std::vector<std::uint8_t> values(element_count(space.get()));
  if (!values.empty()) {
    check(H5Dread(dataset, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), where,
          "cannot read dataset");
  }
  return values;
}

}  // namespace regensim::sim::h5
