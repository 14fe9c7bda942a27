#include "sim/sweep/sweep_spec.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "sim/config/config_table.hpp"
#include "sim/core/error.hpp"
#include "sim/run/simulation.hpp"
#include "sim/sweep/sampling.hpp"

namespace regensim::sim {

namespace {

constexpr const char* kSeedKey = "simulation.seed";

/// Errors in the sweep file name the file, the line and the dotted key.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const toml::node* node, const std::string& key,
                         const std::string& message) const {
    std::string where = file_;
    if (node != nullptr && node->source().begin.line > 0) {
      where += ":" + std::to_string(node->source().begin.line);
    }
    throw ConfigError(where + ": " + key + ": " + message);
  }

  /// Fails on any key of `table` not in `known`.
  void only(const toml::table& table, const std::string& prefix,
            std::initializer_list<const char*> known) const {
    for (const auto& [k, v] : table) {
      bool ok = false;
      for (const char* name : known) ok = ok || k.str() == name;
      if (ok) continue;
      std::string list;
      for (const char* name : known) list += std::string(list.empty() ? "" : ", ") + name;
      fail(&v, prefix + std::string(k.str()), "unknown key (known: " + list + ")");
    }
  }

  std::int64_t integer(const toml::table& t, const std::string& prefix, const char* key,
                       std::int64_t fallback, std::int64_t min) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) return fallback;
    const auto v = n->value<std::int64_t>();
    if (!n->is_integer() || !v) fail(n, prefix + key, "must be an integer");
    if (*v < min) fail(n, prefix + key, "must be >= " + std::to_string(min));
    return *v;
  }

  std::string string(const toml::table& t, const std::string& prefix, const char* key,
                     const std::string& fallback, bool required = false) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) fail(nullptr, prefix + key, "missing (required)");
      return fallback;
    }
    if (!n->is_string()) fail(n, prefix + key, "must be a string");
    return *n->value<std::string>();
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

/// A value as TOML text, for --set.
std::string toml_text(const toml::node& node) {
  std::ostringstream os;
  node.visit([&](const auto& v) { os << v; });
  return os.str();
}

/// A double as the shortest TOML float that reads back to it.
std::string float_text(double x) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

/// Leaves of a table as dotted keys, so that both "a.b" = 1 and [x.a] b = 1 work.
void flatten(const toml::table& t, const std::string& prefix,
             std::vector<std::pair<std::string, const toml::node*>>& out) {
  for (const auto& [k, v] : t) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = v.as_table()) {
      flatten(*sub, key, out);
    } else {
      out.emplace_back(key, &v);
    }
  }
}

struct Axis {
  std::string key;
  std::vector<std::string> values;  // grid only
};

struct Range {
  std::string key;
  double low = 0.0, high = 0.0;
  bool integer = false;
};

std::vector<std::string> read_grid(const Reader& r, const toml::table* grid,
                                   std::vector<Axis>& axes) {
  std::vector<std::pair<std::string, const toml::node*>> leaves;
  if (grid != nullptr) flatten(*grid, "", leaves);
  std::vector<std::string> keys;
  for (const auto& [key, node] : leaves) {
    const auto* list = node->as_array();
    if (list == nullptr || list->empty()) {
      r.fail(node, "sweep.grid." + key, "must be a non-empty list of values");
    }
    Axis axis{key, {}};
    for (const auto& v : *list) axis.values.push_back(toml_text(v));
    axes.push_back(std::move(axis));
    keys.push_back(key);
  }
  return keys;
}

std::vector<std::vector<std::string>> sample_values(const Reader& r, const toml::table& sample,
                                                    std::vector<Range>& ranges) {
  const std::string p = "sweep.sample.";
  r.only(sample, p, {"method", "count", "seed", "ranges"});
  const std::string method = r.string(sample, p, "method", "", true);
  if (method != "lhs" && method != "sobol") {
    r.fail(sample.get("method"), p + "method", "must be \"lhs\" or \"sobol\"");
  }
  const std::int64_t count = r.integer(sample, p, "count", 0, 1);
  if (count == 0) r.fail(nullptr, p + "count", "missing (required)");
  const auto seed = static_cast<std::uint64_t>(r.integer(sample, p, "seed", 1, 0));
  const auto* table = sample.get_as<toml::table>("ranges");
  if (table == nullptr) r.fail(sample.get("ranges"), p + "ranges", "missing table of [low, high]");
  std::vector<std::pair<std::string, const toml::node*>> leaves;
  flatten(*table, "", leaves);
  for (const auto& [key, node] : leaves) {
    const auto* pair = node->as_array();
    const std::string full = p + "ranges." + key;
    if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_number() ||
        !(*pair)[1].is_number()) {
      r.fail(node, full, "must be [low, high] (numbers)");
    }
    Range range{key, *(*pair)[0].value<double>(), *(*pair)[1].value<double>(),
                (*pair)[0].is_integer() && (*pair)[1].is_integer()};
    if (!(range.low < range.high)) r.fail(node, full, "needs low < high");
    ranges.push_back(range);
  }
  if (ranges.empty()) r.fail(table, p + "ranges", "names no parameter");
  const int dims = static_cast<int>(ranges.size());
  if (method == "sobol" && dims > kSobolMaxDimensions) {
    r.fail(table, p + "ranges",
           "Sobol samples support at most " + std::to_string(kSobolMaxDimensions) + " parameters");
  }
  const std::vector<double> unit =
      method == "sobol" ? sobol_points(count, dims, seed) : latin_hypercube(count, dims, seed);
  std::vector<std::vector<std::string>> points(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (std::size_t d = 0; d < ranges.size(); ++d) {
      const double u = unit[i * ranges.size() + d];
      const Range& g = ranges[d];
      if (g.integer) {
        // Integers low..high, each with equal width of the unit interval.
        const double v = std::floor(g.low + u * (g.high - g.low + 1.0));
        points[i].push_back(std::to_string(static_cast<std::int64_t>(std::min(v, g.high))));
      } else {
        points[i].push_back(float_text(g.low + u * (g.high - g.low)));
      }
    }
  }
  return points;
}

std::string run_id(std::size_t index, std::size_t total) {
  std::string digits = std::to_string(index);
  const std::size_t width = std::max<std::size_t>(4, std::to_string(total - 1).size());
  return "run_" + std::string(width - std::min(width, digits.size()), '0') + digits;
}

}  // namespace

SweepSpec read_sweep(const std::string& path) {
  namespace fs = std::filesystem;
  const Reader r(path);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw InputError(path + ": no such sweep file");
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(path + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description()));
  }
  r.only(root, "", {"sweep", "slurm"});
  const auto* sweep = root.get_as<toml::table>("sweep");
  if (sweep == nullptr) r.fail(root.get("sweep"), "sweep", "missing table [sweep]");
  const std::string p = "sweep.";
  r.only(*sweep, p,
         {"base", "replicates", "first_seed", "seeds", "checkpoint_every_hours", "set", "grid",
          "sample"});

  SweepSpec spec;
  spec.file = path;
  const std::string base = r.string(*sweep, p, "base", "", true);
  spec.base_config = fs::absolute(fs::path(path).parent_path() / base).lexically_normal().string();
  if (!fs::is_regular_file(spec.base_config, ec)) {
    r.fail(sweep->get("base"), p + "base", "no such file: " + spec.base_config);
  }
  if (const toml::node* n = sweep->get("checkpoint_every_hours")) {
    const auto v = n->value<double>();
    if (!n->is_number() || !v || !(*v > 0.0))
      r.fail(n, p + "checkpoint_every_hours", "must be > 0");
    spec.checkpoint_every_hours = *v;
  }

  std::vector<std::int64_t> seeds;
  if (const auto* list = sweep->get_as<toml::array>("seeds")) {
    if (sweep->contains("replicates") || sweep->contains("first_seed")) {
      r.fail(list, p + "seeds", "give either seeds or replicates/first_seed, not both");
    }
    for (const auto& s : *list) {
      if (!s.is_integer()) r.fail(&s, p + "seeds", "must be a list of integers");
      seeds.push_back(*s.value<std::int64_t>());
    }
    if (seeds.empty()) r.fail(list, p + "seeds", "is empty");
  } else {
    const std::int64_t replicates = r.integer(*sweep, p, "replicates", 1, 1);
    const std::int64_t first = r.integer(*sweep, p, "first_seed", 1, 0);
    for (std::int64_t k = 0; k < replicates; ++k) seeds.push_back(first + k);
  }

  std::vector<std::pair<std::string, const toml::node*>> fixed;
  if (const auto* set = sweep->get_as<toml::table>("set")) flatten(*set, "", fixed);
  for (const auto& [key, node] : fixed) spec.fixed.push_back({key, toml_text(*node)});

  std::vector<Axis> axes;
  spec.parameters = read_grid(r, sweep->get_as<toml::table>("grid"), axes);
  std::vector<Range> ranges;
  std::vector<std::vector<std::string>> samples = {{}};  // one empty point without [sample]
  if (const auto* sample = sweep->get_as<toml::table>("sample")) {
    samples = sample_values(r, *sample, ranges);
  }
  for (const Axis& a : axes) spec.parameter_checks.push_back(a.values);
  for (const Range& g : ranges) {
    spec.parameters.push_back(g.key);
    spec.parameter_checks.push_back(
        g.integer ? std::vector<std::string>{std::to_string(static_cast<std::int64_t>(g.low)),
                                             std::to_string(static_cast<std::int64_t>(g.high))}
                  : std::vector<std::string>{float_text(g.low), float_text(g.high)});
  }
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    const std::string& key = spec.parameters[i];
    if (key == kSeedKey) r.fail(sweep, key, "set seeds with sweep.seeds or sweep.replicates");
    for (std::size_t j = 0; j < i; ++j) {
      if (spec.parameters[j] == key) r.fail(sweep, key, "swept twice (grid and sample)");
    }
    for (const auto& f : spec.fixed) {
      if (f.key == key) r.fail(sweep, key, "both fixed (sweep.set) and swept");
    }
  }
  for (const auto& f : spec.fixed) {
    if (f.key == kSeedKey) r.fail(sweep, f.key, "set seeds with sweep.seeds or sweep.replicates");
  }

  // Grid points: the last key varies fastest.
  std::vector<std::vector<std::string>> grid = {{}};
  for (const Axis& a : axes) {
    std::vector<std::vector<std::string>> next;
    for (const auto& point : grid) {
      for (const auto& v : a.values) {
        next.push_back(point);
        next.back().push_back(v);
      }
    }
    grid = std::move(next);
  }
  const std::size_t total = grid.size() * samples.size() * seeds.size();
  for (const auto& g : grid) {
    for (const auto& s : samples) {
      for (const std::int64_t seed : seeds) {
        SweepRun run;
        run.id = run_id(spec.runs.size(), total);
        run.seed = seed;
        run.parameter_values = g;
        run.parameter_values.insert(run.parameter_values.end(), s.begin(), s.end());
        run.overrides = spec.fixed;
        for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
          run.overrides.push_back({spec.parameters[i], run.parameter_values[i]});
        }
        run.overrides.push_back({kSeedKey, std::to_string(seed)});
        spec.runs.push_back(std::move(run));
      }
    }
  }

  if (const auto* slurm = root.get_as<toml::table>("slurm")) {
    const std::string q = "slurm.";
    r.only(*slurm, q, {"account", "partition", "time", "cpus_per_task", "max_parallel"});
    spec.slurm.account = r.string(*slurm, q, "account", "");
    spec.slurm.partition = r.string(*slurm, q, "partition", "");
    spec.slurm.time = r.string(*slurm, q, "time", spec.slurm.time);
    spec.slurm.cpus_per_task = static_cast<int>(r.integer(*slurm, q, "cpus_per_task", 1, 1));
    spec.slurm.max_parallel = static_cast<int>(r.integer(*slurm, q, "max_parallel", 0, 0));
  }
  return spec;
}

void validate_sweep(const SweepSpec& spec, const RuleRegistry& registry) {
  const auto build_with = [&](const std::vector<Override>& overrides, const std::string& what) {
    try {
      auto doc = ConfigDocument::from_file(spec.base_config);
      for (const auto& o : overrides) doc.apply_override(o.assignment());
      Simulation::build(doc, registry);
    } catch (const InputError& e) {
      throw ConfigError(spec.file + ": " + what + ": " + e.what());
    }
  };
  if (spec.runs.empty()) return;
  build_with(spec.runs.front().overrides, spec.runs.front().id);
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    for (const std::string& value : spec.parameter_checks[i]) {
      std::vector<Override> overrides = spec.fixed;
      overrides.push_back({spec.parameters[i], value});
      build_with(overrides, spec.parameters[i] + " = " + value);
    }
  }
}

}  // namespace regensim::sim
