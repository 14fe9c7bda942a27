// `regensim info FILE.h5`: a human summary of a regensim output file. Tolerant of what a
// killed run leaves behind (series of unequal length, a missing last agents group).
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "sim/core/error.hpp"
#include "sim/io/hdf5_util.hpp"
#include "sim/io/output_writer.hpp"

namespace regensim::sim {

namespace {

std::string format_number(double v) {
  std::ostringstream s;
  s << std::setprecision(6) << v;
  return s.str();
}

std::string dims_text(const std::vector<hsize_t>& dims) {
  std::string out = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(dims[i]);
  }
  return out + (dims.size() == 1 ? ",)" : ")");
}

void line(std::ostream& out, const std::string& key, const std::string& value) {
  out << std::left << std::setw(18) << (key + ":") << value << '\n';
}

/// "name (T, nz, ny, nx) float32 [units]" for each dataset of a group.
void print_datasets(std::ostream& out, hid_t file, const std::string& group,
                    const std::string& path) {
  if (!h5::link_exists(file, group)) return;
  const std::string w = path + ":/" + group;
  h5::Handle g = h5::open_group(file, group, w);
  const std::vector<std::string> names = h5::list_members(g.get(), w);
  out << group << ": " << names.size() << '\n';
  for (const std::string& name : names) {
    const std::string dw = w + "/" + name;
    h5::Handle ds = h5::open_dataset(g.get(), name, dw);
    out << "  " << std::left << std::setw(24) << name << ' '
        << dims_text(h5::dataset_dims(ds.get(), dw)) << ' ' << h5::type_name(ds.get());
    if (auto units = h5::read_string_attr(ds.get(), "units", dw)) out << " [" << *units << ']';
    if (auto codes = h5::read_string_attr(ds.get(), "codes", dw)) out << " codes " << *codes;
    out << '\n';
  }
}

void print_agents(std::ostream& out, hid_t file, const std::string& path, std::size_t snapshots) {
  if (!h5::link_exists(file, "agents")) return;
  const std::string w = path + ":/agents";
  h5::Handle agents = h5::open_group(file, "agents", w);
  const std::vector<std::string> type_names =
      h5::read_string_array_attr(agents.get(), "type_names", w);
  if (snapshots == 0 || !h5::link_exists(agents.get(), std::to_string(snapshots - 1))) {
    out << "agents: none written\n";
    return;
  }
  const std::string k = std::to_string(snapshots - 1);
  const std::string gw = w + "/" + k;
  h5::Handle g = h5::open_group(agents.get(), k, gw);
  h5::Handle type_ds = h5::open_dataset(g.get(), "type", gw + "/type");
  const std::vector<std::uint8_t> types = h5::read_uint8(type_ds.get(), gw + "/type");
  const std::vector<double> t = h5::read_numeric_attr(g.get(), "time_days", gw);
  out << "agents at last snapshot (" << k;
  if (!t.empty()) out << ", t = " << format_number(t[0]) << " days";
  out << "): " << types.size() << '\n';
  std::vector<std::size_t> counts(std::max<std::size_t>(type_names.size(), 256), 0);
  for (const std::uint8_t type : types) ++counts[type];
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (i >= type_names.size() && counts[i] == 0) continue;
    const std::string name = i < type_names.size() ? type_names[i] : "type " + std::to_string(i);
    out << "  " << std::left << std::setw(24) << name << ' ' << counts[i] << '\n';
  }
}

void print_metrics(std::ostream& out, hid_t file, const std::string& path) {
  if (!h5::link_exists(file, "metrics")) return;
  const std::string w = path + ":/metrics";
  h5::Handle g = h5::open_group(file, "metrics", w);
  std::vector<double> times;
  if (h5::link_exists(g.get(), "time_days")) {
    h5::Handle ds = h5::open_dataset(g.get(), "time_days", w + "/time_days");
    times = h5::read_doubles(ds.get(), w + "/time_days");
  }
  const std::vector<std::string> names = h5::list_members(g.get(), w);
  out << "metrics: " << (names.empty() ? 0 : names.size() - 1) << ", " << times.size() << " rows";
  if (!times.empty()) out << ", last at t = " << format_number(times.back()) << " days";
  out << '\n';
  for (const std::string& name : names) {
    if (name == "time_days") continue;
    const std::string dw = w + "/" + name;
    h5::Handle ds = h5::open_dataset(g.get(), name, dw);
    const std::vector<double> values = h5::read_doubles(ds.get(), dw);
    out << "  " << std::left << std::setw(34) << name << ' ';
    out << (values.empty() ? std::string("-") : format_number(values.back()));
    if (auto units = h5::read_string_attr(ds.get(), "units", dw)) out << " [" << *units << ']';
    out << '\n';
  }
}

void print_info(const std::string& path, std::ostream& out) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path + ": no such file");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw InputError(path + ": not a regensim output file");
  h5::Handle file = h5::open_file_read(path);
  const hid_t f = file.get();
  const std::string root = path + ":/";
  if (h5::read_string_attr(f, "format", root).value_or("") != "regensim") {
    throw InputError(path + ": not a regensim output file");
  }
  auto text = [&](const char* name) {
    return h5::read_string_attr(f, name, root).value_or("(missing)");
  };
  auto integer = [&](const char* name) {
    const std::vector<double> v = h5::read_numeric_attr(f, name, root);
    return v.empty() ? std::string("(missing)") : std::to_string(static_cast<long long>(v[0]));
  };

  line(out, "file", path);
  line(out, "format", "regensim");
  line(out, "format_version", integer("format_version"));
  line(out, "software_version", text("software_version"));
  line(out, "git_commit", text("git_commit"));
  // The seed is a uint64; read it exactly rather than through a double.
  {
    std::string seed = "(missing)";
    if (h5::attr_exists(f, "seed")) {
      h5::Handle attr = h5::check(H5Aopen(f, "seed", H5P_DEFAULT), H5Aclose, root,
                                  "cannot read attribute 'seed'");
      std::uint64_t value = 0;
      h5::check(H5Aread(attr.get(), H5T_NATIVE_UINT64, &value), root, "cannot read seed");
      seed = std::to_string(value);
    }
    line(out, "seed", seed);
  }
  line(out, "threads", integer("threads"));
  line(out, "created_utc", text("created_utc"));
  const std::string status = text("status");
  std::string status_note;
  if (status == "running") status_note = " (still running, or killed: data up to the last flush)";
  if (status == "interrupted")
    status_note = " (stopped early; data is valid up to the last snapshot)";
  line(out, "status", status + status_note);

  if (h5::link_exists(f, "grid")) {
    h5::Handle grid = h5::open_group(f, "grid", path + ":/grid");
    const std::vector<double> shape = h5::read_numeric_attr(grid.get(), "shape", path + ":/grid");
    const std::vector<double> h =
        h5::read_numeric_attr(grid.get(), "voxel_size_um", path + ":/grid");
    std::string g;
    for (std::size_t i = 0; i < shape.size(); ++i) {
      g += (i ? " x " : "") + std::to_string(static_cast<long long>(shape[i]));
    }
    g += " voxels (nx x ny x nz)";
    if (!h.empty()) g += ", voxel " + format_number(h[0]) + " um";
    line(out, "grid", g);
  }

  std::vector<double> times;
  if (h5::link_exists(f, "time_days")) {
    h5::Handle ds = h5::open_dataset(f, "time_days", path + ":/time_days");
    times = h5::read_doubles(ds.get(), path + ":/time_days");
  }
  std::string snaps = std::to_string(times.size());
  if (!times.empty()) {
    snaps +=
        ", t = " + format_number(times.front()) + " .. " + format_number(times.back()) + " days";
  }
  line(out, "snapshots", snaps);

  print_datasets(out, f, "fields", path);
  print_datasets(out, f, "tissue", path);
  print_agents(out, f, path, times.size());
  print_metrics(out, f, path);
}

}  // namespace

void print_file_info(const std::string& path, std::ostream& out) {
  const h5::ErrorSilencer silence;  // see output_writer.cpp
  try {
    print_info(path, out);
  } catch (const IoError& e) {
    // A file the user named that HDF5 cannot read is bad input (exit status 2).
    throw InputError(e.what());
  }
}

}  // namespace regensim::sim
