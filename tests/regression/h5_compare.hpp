#pragma once
// Test-side HDF5 reading, independent of the writer's code: every dataset's raw bytes,
// and string attributes.
#include <hdf5.h>

#include <map>
#include <string>
#include <vector>

namespace regensim::testing {

/// Raw bytes of every dataset in a file, keyed by path (e.g. "/fields/oxygen").
inline std::map<std::string, std::vector<unsigned char>> read_all_datasets(
    const std::string& path) {
  std::map<std::string, std::vector<unsigned char>> out;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return out;
  struct Ctx {
    hid_t file;
    std::map<std::string, std::vector<unsigned char>>* out;
  } ctx{file, &out};
  H5Ovisit(
      file, H5_INDEX_NAME, H5_ITER_INC,
      [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        auto* c = static_cast<Ctx*>(data);
        if (info->type != H5O_TYPE_DATASET) return 0;
        const hid_t ds = H5Dopen2(c->file, name, H5P_DEFAULT);
        const hid_t type = H5Dget_type(ds);
        std::vector<unsigned char> bytes;
        const hid_t space = H5Dget_space(ds);
        const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
        if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0) {
          // One pointer per element (a scalar holds one), each string followed by a NUL.
          std::vector<char*> strings(n, nullptr);
          if (n > 0) H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, strings.data());
          for (char* s : strings) {
            if (s) bytes.insert(bytes.end(), s, s + std::char_traits<char>::length(s));
            bytes.push_back(0);
            H5free_memory(s);
          }
        } else {
          bytes.resize(n * H5Tget_size(type));
          if (n > 0) H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
        }
        H5Sclose(space);
        std::string key = "/";  // built in two steps: GCC 12 warns falsely on "/" + name
        key += name;
        (*c->out)[key] = std::move(bytes);
        H5Tclose(type);
        H5Dclose(ds);
        return 0;
      },
      &ctx);
  H5Fclose(file);
  return out;
}

/// A 1-D float64 dataset (empty when absent).
inline std::vector<double> read_doubles(const std::string& path, const std::string& dataset) {
  std::vector<double> out;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return out;
  const hid_t ds = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  if (ds >= 0) {
    const hid_t space = H5Dget_space(ds);
    out.resize(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
    if (!out.empty()) H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
    H5Sclose(space);
    H5Dclose(ds);
  }
  H5Fclose(file);
  return out;
}

/// A string attribute of an object ("" when absent or unreadable).
inline std::string read_string_attr(const std::string& path, const std::string& object,
                                    const std::string& name) {
  std::string value;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return value;
  const hid_t attr = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  if (attr >= 0) {
    const hid_t type = H5Aget_type(attr);
    if (H5Tis_variable_str(type) > 0) {
      char* s = nullptr;
      const hid_t mem = H5Tcopy(H5T_C_S1);
      H5Tset_size(mem, H5T_VARIABLE);
      H5Tset_cset(mem, H5Tget_cset(type));  // HDF5 will not convert UTF-8 to ASCII
      if (H5Aread(attr, mem, &s) >= 0 && s) value = s;
      H5free_memory(s);
      H5Tclose(mem);
    } else {
      std::vector<char> buf(H5Tget_size(type) + 1, '\0');
      const hid_t mem = H5Tcopy(H5T_C_S1);
      H5Tset_size(mem, buf.size());
      H5Tset_cset(mem, H5Tget_cset(type));
      if (H5Aread(attr, mem, buf.data()) >= 0) value = buf.data();
      H5Tclose(mem);
    }
    H5Tclose(type);
    H5Aclose(attr);
  }
  H5Fclose(file);
  return value;
}

}  // namespace regensim::testing
