#include "sim/config/compare_params.hpp"

#include <algorithm>

namespace regensim::sim {

namespace {

/// Keys the comparison sets itself; an arm that set them would silently break the design.
constexpr const char* kReservedKeys[] = {"mechanisms.differentiation", "mechanisms.paracrine",
                                         "simulation.seed", "output.file"};

std::vector<ArmOverride> read_overrides(ConfigTable& t, const std::string& key) {
  std::vector<ArmOverride> out;
  for (const auto& s : t.get_string_array(key)) {
    const auto eq = s.find('=');
    const std::string k = eq == std::string::npos ? "" : s.substr(0, eq);
    if (k.empty() || k.front() == '.' || k.back() == '.' || k.find("..") != std::string::npos ||
        k.find_first_of(" \t") != std::string::npos) {
      t.fail(key, "\"" + s + "\" is not an override of the form section.key=value");
    }
    for (const char* reserved : kReservedKeys) {
      if (k == reserved) {
        t.fail(key, "\"" + s + "\": " + reserved + " is set by the comparison itself, per arm");
      }
    }
    if (k.rfind("compare.", 0) == 0 || k == "compare") {
      t.fail(key, "\"" + s + "\": an arm cannot change the [compare] table");
    }
    out.push_back({s, t.where(key)});
  }
  return out;
}

}  // namespace

CompareParams read_compare_params(ConfigTable& t) {
  CompareParams p;
  p.where = t.where("sham");
  p.sham = read_overrides(t, "sham");
  if (p.sham.empty()) {
    t.fail("sham",
           "must list at least one override that removes the cells, e.g. "
           "[\"rules.injection.count=0\"]");
  }
  if (t.has("untreated")) {
    p.untreated = read_overrides(t, "untreated");
    const auto same = [](const ArmOverride& a, const ArmOverride& b) {
      return a.assignment == b.assignment;
    };
    if (p.untreated.empty() ||
        std::equal(p.untreated.begin(), p.untreated.end(), p.sham.begin(), p.sham.end(), same)) {
      t.fail("untreated",
             "must differ from sham (leave it out when the scenario has no "
             "untreated control distinct from sham)");
    }
  } else {
    t.accept("untreated");
  }
  if (t.has("outcomes")) {
    p.outcomes = t.get_string_array("outcomes");
    p.outcomes_where = t.where("outcomes");
    if (p.outcomes.empty()) t.fail("outcomes", "must name at least one metric (or leave it out)");
    for (std::size_t i = 0; i < p.outcomes.size(); ++i) {
      if (p.outcomes[i].empty() || p.outcomes[i] == "time_days") {
        t.fail("outcomes", "\"" + p.outcomes[i] + "\" is not a metric name");
      }
      if (std::find(p.outcomes.begin(), p.outcomes.begin() + static_cast<std::ptrdiff_t>(i),
                    p.outcomes[i]) != p.outcomes.begin() + static_cast<std::ptrdiff_t>(i)) {
        t.fail("outcomes", "\"" + p.outcomes[i] + "\" listed twice");
      }
    }
  } else {
    t.accept("outcomes");
  }
  t.finish();
  return p;
}

}  // namespace regensim::sim
