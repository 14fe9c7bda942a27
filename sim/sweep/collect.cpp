#include "sim/sweep/collect.hpp"

#include <toml++/toml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include "regensim/version.hpp"
#include "sim/core/error.hpp"
#include "sim/io/hdf5_util.hpp"
#include "sim/sweep/manifest.hpp"

namespace regensim::sim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// A parameter's TOML text as a number (booleans 0/1); NaN when it is not one.
double as_number(const std::string& text) {
  try {
    const toml::table t = toml::parse("v = " + text);
    const toml::node* v = t.get("v");
    if (v->is_boolean()) return *v->value<bool>() ? 1.0 : 0.0;
    if (v->is_number()) return *v->value<double>();
  } catch (const toml::parse_error&) {
  }
  return kNaN;
}

struct RunData {
  std::size_t row = 0;  // manifest row
  std::vector<double> time_days;
  std::map<std::string, std::vector<double>> series;
  std::map<std::string, std::string> units;
};

RunData read_run(const std::string& path, std::size_t row) {
  RunData d;
  d.row = row;
  h5::Handle file = h5::open_file_read(path);
  h5::Handle metrics = h5::open_group(file.get(), "metrics", path + ":/metrics");
  for (const std::string& name : h5::list_members(metrics.get(), path + ":/metrics")) {
    const std::string w = path + ":/metrics/" + name;
    h5::Handle ds = h5::open_dataset(metrics.get(), name, w);
    if (name == "time_days") {
      d.time_days = h5::read_doubles(ds.get(), w);
    } else {
      d.series[name] = h5::read_doubles(ds.get(), w);
      d.units[name] = h5::read_string_attr(ds.get(), "units", w).value_or("unspecified");
    }
  }
  return d;
}

void write_column(hid_t loc, const std::string& name, const std::vector<double>& v,
                  const std::string& where) {
  h5::write_vector(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(), v.size(),
                   where + "/" + name);
}

void write_strings(hid_t loc, const std::string& name, const std::vector<std::string>& v,
                   const std::string& where) {
  // As an attribute-free 1-D dataset of variable-length UTF-8 strings.
  h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  std::vector<const char*> ptrs;
  for (const auto& s : v) ptrs.push_back(s.c_str());
  h5::write_vector(loc, name, type.get(), type.get(), ptrs.data(), ptrs.size(), where + "/" + name);
}

}  // namespace

CollectResult collect_sweep(const std::string& dir, const std::string& summary_path_in) {
  namespace fs = std::filesystem;
  const Manifest manifest = read_manifest(dir);
  const std::string summary_path =
      summary_path_in.empty() ? (fs::path(dir) / "summary.h5").string() : summary_path_in;
  CollectResult result;
  result.runs = manifest.rows.size();
  result.csv_path = fs::path(summary_path).replace_extension(".csv").string();

  const h5::ErrorSilencer silence;
  std::vector<RunData> runs;
  for (std::size_t i = 0; i < manifest.rows.size(); ++i) {
    const ManifestRow& row = manifest.rows[i];
    const RunFiles files = run_files(dir, row.id);
    const std::string status = run_status(files);
    if (status != "complete") {
      std::string why = status;
      std::ifstream log(files.log);
      std::string line, last;
      while (std::getline(log, line)) {
        if (!line.empty()) last = line;
      }
      if (status == "failed" && !last.empty()) why += ": " + last;
      result.missing.push_back(row.id + " (" + why + ")");
      continue;
    }
    try {
      runs.push_back(read_run(files.output, i));
    } catch (const IoError& e) {
      result.missing.push_back(row.id + " (unreadable: " + e.what() + ")");
    }
  }
  result.collected = runs.size();

  // Metrics every collected run has, in the first run's order.
  std::vector<std::string> metrics;
  if (!runs.empty()) {
    for (const auto& [name, values] : runs.front().series) {
      bool everywhere = true;
      for (const RunData& r : runs) everywhere = everywhere && r.series.count(name) != 0;
      if (everywhere) metrics.push_back(name);
    }
  }
  // Time series only when every run sampled the same times (same duration and cadence).
  bool same_times = !runs.empty();
  for (const RunData& r : runs) same_times = same_times && r.time_days == runs.front().time_days;

  const std::string temp = summary_path + ".tmp";
  {
    h5::Handle file = h5::create_file(temp, true);
    const hid_t f = file.get();
    const std::string w = summary_path;
    h5::write_attr(f, "format", "regensim-sweep-summary", w);
    h5::write_attr(f, "format_version", 1, w);
    h5::write_attr(f, "software_version", regensim::kSoftwareVersion, w);
    h5::write_attr(f, "sweep_dir", fs::absolute(dir).lexically_normal().string(), w);
    h5::write_attr(f, "runs_total", static_cast<std::int64_t>(result.runs), w);
    h5::write_attr(f, "runs_collected", static_cast<std::int64_t>(result.collected), w);

    std::vector<std::string> ids;
    std::vector<double> seeds;
    for (const RunData& r : runs) {
      ids.push_back(manifest.rows[r.row].id);
      seeds.push_back(as_number(manifest.rows[r.row].seed));
    }
    write_strings(f, "run_id", ids, w);
    write_column(f, "seed", seeds, w);
    write_strings(f, "missing", result.missing, w);

    h5::Handle params = h5::create_group(f, "parameters", w + ":/parameters");
    for (std::size_t p = 0; p < manifest.parameters.size(); ++p) {
      std::vector<double> numbers;
      std::vector<std::string> texts;
      bool numeric = true;
      for (const RunData& r : runs) {
        texts.push_back(manifest.rows[r.row].values[p]);
        numbers.push_back(as_number(texts.back()));
        numeric = numeric && !std::isnan(numbers.back());
      }
      if (numeric) {
        write_column(params.get(), manifest.parameters[p], numbers, w + ":/parameters");
      } else {
        write_strings(params.get(), manifest.parameters[p], texts, w + ":/parameters");
      }
    }
    h5::Handle outcomes = h5::create_group(f, "outcomes", w + ":/outcomes");
    h5::Handle series;
    if (same_times) {
      series = h5::create_group(f, "metrics", w + ":/metrics");
      write_column(series.get(), "time_days", runs.front().time_days, w + ":/metrics");
    }
    for (const std::string& m : metrics) {
      std::vector<double> final_values, all;
      for (const RunData& r : runs) {
        const auto& v = r.series.at(m);
        final_values.push_back(v.empty() ? kNaN : v.back());
        all.insert(all.end(), v.begin(), v.end());
      }
      write_column(outcomes.get(), m, final_values, w + ":/outcomes");
      h5::Handle ds = h5::open_dataset(outcomes.get(), m, w + ":/outcomes/" + m);
      h5::write_attr(ds.get(), "units", runs.front().units.at(m), w);
      h5::write_attr(ds.get(), "description", "value at the end of each run", w);
      if (same_times) {
        // (runs, times), row-major.
        const std::string mw = w + ":/metrics/" + m;
        const hsize_t dims[2] = {runs.size(), runs.front().time_days.size()};
        h5::Handle space(H5Screate_simple(2, dims, nullptr), H5Sclose);
        h5::Handle mds = h5::check(H5Dcreate2(series.get(), m.c_str(), H5T_IEEE_F64LE, space.get(),
                                              H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                   H5Dclose, mw, "cannot create dataset");
        if (!all.empty()) {
          h5::check(
              H5Dwrite(mds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, all.data()), mw,
              "cannot write dataset");
        }
        h5::write_attr(mds.get(), "units", runs.front().units.at(m), mw);
        h5::write_attr(mds.get(), "axes", "run,t", mw);
      }
    }
    h5::flush(f, temp);
  }
  std::error_code ec;
  fs::rename(temp, summary_path, ec);
  if (ec) throw IoError(summary_path + ": cannot move summary into place: " + ec.message());

  const std::string csv_temp = result.csv_path + ".tmp";
  {
    std::ofstream csv(csv_temp);
    csv.precision(17);
    csv << "id,seed";
    for (const auto& p : manifest.parameters) csv << "," << p;
    for (const auto& m : metrics) csv << "," << m;
    csv << "\n";
    for (const RunData& r : runs) {
      const ManifestRow& row = manifest.rows[r.row];
      csv << row.id << "," << row.seed;
      for (const auto& v : row.values) {
        // Quoted when a value holds a comma (an array) or a quote (a string).
        if (v.find_first_of(",\"") != std::string::npos) {
          std::string q;
          for (const char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
          csv << ",\"" << q << "\"";
        } else {
          csv << "," << v;
        }
      }
      for (const auto& m : metrics) {
        const auto& v = r.series.at(m);
        csv << ",";
        if (!v.empty()) csv << v.back();
      }
      csv << "\n";
    }
    if (!csv.flush()) throw IoError(csv_temp + ": cannot write");
  }
  fs::rename(csv_temp, result.csv_path, ec);
  if (ec) throw IoError(result.csv_path + ": cannot move into place: " + ec.message());
  return result;
}

}  // namespace regensim::sim
