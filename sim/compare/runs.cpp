#include "sim/compare/runs.hpp"

#include <algorithm>
#include <filesystem>

#include "sim/core/error.hpp"
#include "sim/io/hdf5_util.hpp"

namespace regensim::sim::compare {

namespace {

struct RunMetrics {
  std::vector<double> time_days;
  std::vector<std::string> names, units;
  std::vector<std::vector<double>> values;
};

RunMetrics read_metrics(const std::string& path) {
  const h5::ErrorSilencer quiet;
  const h5::Handle file = h5::open_file_read(path);
  const auto status = h5::read_string_attr(file.get(), "status", path);
  if (status != "complete") {
    throw IoError(path + ": run status is '" + status.value_or("(none)") +
                  "', not 'complete' (see the .log beside it)");
  }
  const std::string where = path + ":/metrics";
  const h5::Handle group = h5::open_group(file.get(), "metrics", where);
  RunMetrics m;
  m.time_days = h5::read_doubles(h5::open_dataset(group.get(), "time_days", where).get(), where);
  for (const auto& name : h5::list_members(group.get(), where)) {
    if (name == "time_days") continue;
    const std::string w = where + "/" + name;
    const h5::Handle ds = h5::open_dataset(group.get(), name, w);
    auto v = h5::read_doubles(ds.get(), w);
    v.resize(m.time_days.size());  // rows past time_days are not complete (output-format.md)
    m.names.push_back(name);
    m.units.push_back(h5::read_string_attr(ds.get(), "units", w).value_or("unspecified"));
    m.values.push_back(std::move(v));
  }
  return m;
}

}  // namespace

const std::vector<std::vector<double>>& ArmData::metric(const std::string& name) const {
  const auto it = std::find(metric_names.begin(), metric_names.end(), name);
  if (it == metric_names.end()) throw IoError("the run files have no metric '" + name + "'");
  return values[static_cast<std::size_t>(it - metric_names.begin())];
}

bool run_complete(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) return false;
  try {
    const h5::ErrorSilencer quiet;
    const h5::Handle file = h5::open_file_read(path);
    return h5::read_string_attr(file.get(), "status", path) == "complete";
  } catch (const IoError&) {
    return false;
  }
}

CompareData read_runs(const ComparePlan& plan, const std::string& dir) {
  CompareData data;
  std::string first_path;
  for (const auto& arm : plan.arms) {
    ArmData a;
    for (int k = 0; k < plan.replicates; ++k) {
      const std::string path =
          (std::filesystem::path(dir) / ComparePlan::run_file(arm.name, k)).string();
      RunMetrics m = read_metrics(path);
      if (first_path.empty()) {
        first_path = path;
        data.time_days = m.time_days;
      } else if (m.time_days != data.time_days) {
        throw IoError(path + ": its metrics rows (/metrics/time_days) differ from those of " +
                      first_path);
      }
      if (k == 0) {
        a.metric_names = m.names;
        a.metric_units = m.units;
        a.values.assign(m.names.size(), {});
      } else if (m.names != a.metric_names) {
        throw IoError(path + ": its metrics differ from those of replicate 0 of arm " + arm.name);
      }
      for (std::size_t i = 0; i < m.values.size(); ++i)
        a.values[i].push_back(std::move(m.values[i]));
    }
    data.arms.push_back(std::move(a));
  }
  return data;
}

}  // namespace regensim::sim::compare
