#include "sim/sweep/manifest.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/error.hpp"
#include "sim/io/hdf5_util.hpp"

namespace regensim::sim {

namespace {

constexpr const char* kManifestName = "manifest.tsv";

/// Tabs and line breaks would break the table; errors are free text.
std::string cell(std::string s) {
  for (char& c : s) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

}  // namespace

RunFiles run_files(const std::string& dir, const std::string& run_id) {
  const std::filesystem::path d(dir);
  return {(d / "runs" / (run_id + ".h5")).string(),
          (d / "runs" / (run_id + ".checkpoint.h5")).string(),
          (d / "logs" / (run_id + ".log")).string()};
}

std::string output_status(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return "";
  const h5::ErrorSilencer silence;
  try {
    h5::Handle file = h5::open_file_read(path);
    return h5::read_string_attr(file.get(), "status", path).value_or("");
  } catch (const IoError&) {
    return "";
  }
}

std::string run_status(const RunFiles& files) {
  if (output_status(files.output) == "complete") return "complete";
  std::error_code ec;
  if (std::filesystem::exists(files.checkpoint, ec)) return "interrupted";
  if (std::filesystem::exists(files.output, ec)) return "failed";
  return "pending";
}

std::string manifest_path(const std::string& dir) {
  return (std::filesystem::path(dir) / kManifestName).string();
}

Manifest make_manifest(const SweepSpec& spec, const std::vector<std::string>& statuses,
                       const std::vector<std::string>& errors) {
  Manifest m;
  m.parameters = spec.parameters;
  for (std::size_t i = 0; i < spec.runs.size(); ++i) {
    const SweepRun& run = spec.runs[i];
    m.rows.push_back({run.id, statuses[i], std::to_string(run.seed), run.parameter_values,
                      "runs/" + run.id + ".h5", errors[i]});
  }
  return m;
}

void write_manifest(const std::string& dir, const Manifest& m) {
  const std::string path = manifest_path(dir);
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp);
    out << "id\tstatus\tseed";
    for (const auto& p : m.parameters) out << '\t' << p;
    out << "\toutput\terror\n";
    for (const auto& r : m.rows) {
      out << r.id << '\t' << r.status << '\t' << r.seed;
      for (const auto& v : r.values) out << '\t' << cell(v);
      out << '\t' << r.output << '\t' << cell(r.error) << '\n';
    }
    if (!out.flush()) throw IoError(temp + ": cannot write manifest");
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) throw IoError(path + ": cannot move manifest into place: " + ec.message());
}

Manifest read_manifest(const std::string& dir) {
  const std::string path = manifest_path(dir);
  std::ifstream in(path);
  if (!in) throw InputError(path + ": no manifest (is " + dir + " a sweep directory?)");
  std::string line;
  std::getline(in, line);
  const auto header = split_tabs(line);
  if (header.size() < 5 || header[0] != "id" || header[1] != "status" || header[2] != "seed" ||
      header[header.size() - 2] != "output" || header.back() != "error") {
    throw InputError(path + ":1: not a regensim sweep manifest header");
  }
  Manifest m;
  m.parameters.assign(header.begin() + 3, header.end() - 2);
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    const auto cells = split_tabs(line);
    if (cells.size() != header.size()) {
      throw InputError(path + ":" + std::to_string(line_number) + ": expected " +
                       std::to_string(header.size()) + " columns");
    }
    ManifestRow r;
    r.id = cells[0];
    r.status = cells[1];
    r.seed = cells[2];
    r.values.assign(cells.begin() + 3, cells.end() - 2);
    r.output = cells[cells.size() - 2];
    r.error = cells.back();
    m.rows.push_back(std::move(r));
  }
  return m;
}

void check_same_sweep(const Manifest& existing, const SweepSpec& spec, const std::string& dir) {
  const auto differ = [&](const std::string& what) {
    throw InputError(manifest_path(dir) + ": " + dir + " holds another sweep (" + what +
                     "); give another -o DIR");
  };
  if (existing.parameters != spec.parameters) differ("other parameters");
  if (existing.rows.size() != spec.runs.size()) differ("another number of runs");
  for (std::size_t i = 0; i < spec.runs.size(); ++i) {
    const ManifestRow& row = existing.rows[i];
    const SweepRun& run = spec.runs[i];
    if (row.id != run.id || row.seed != std::to_string(run.seed) ||
        row.values != run.parameter_values) {
      differ(run.id + " differs");
    }
  }
}

}  // namespace regensim::sim
