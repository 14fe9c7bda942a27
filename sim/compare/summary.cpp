#include "sim/compare/summary.hpp"

#include <cmath>
#include <cstdio>

namespace regensim::sim::compare {

namespace {

std::string number(double v) {
  if (std::isnan(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string with_interval(const Series& s) {
  return number(s.mean.back()) + "  [" + number(s.low.back()) + ", " + number(s.high.back()) + "]";
}

void row(std::ostream& out, const std::string& label, const std::string& value,
         const std::string& note = "") {
  char buf[64];
  std::snprintf(buf, sizeof buf, "  %-26s ", label.c_str());
  out << buf << value;
  if (!note.empty()) out << "   " << note;
  out << '\n';
}

std::string percent_of(double part, double whole) {
  if (!(std::abs(whole) > 0.0) || std::isnan(part)) return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, "(%.0f%% of total_benefit)", 100.0 * part / whole);
  return buf;
}

}  // namespace

CompareSummary summarise(const ComparePlan& plan, const CompareData& data) {
  CompareSummary s;
  for (const auto& arm : plan.arms) s.arm_names.push_back(arm.name);
  s.effects = factorial_effects(s.arm_names.front() == kUntreated);
  for (std::size_t o = 0; o < plan.outcomes.size(); ++o) {
    OutcomeSummary os;
    os.name = plan.outcomes[o];
    os.units = plan.outcome_units[o];
    std::vector<std::vector<std::vector<double>>> values;
    for (const auto& arm : data.arms) values.push_back(arm.metric(os.name));
    for (const auto& v : values) os.arms.push_back(summarise_replicates(v));
    for (const auto& e : s.effects) {
      os.effect_replicates.push_back(effect_per_replicate(values, s.arm_names, e));
      os.effects.push_back(summarise_replicates(os.effect_replicates.back()));
    }
    s.outcomes.push_back(std::move(os));
  }
  const ArmData& both = data.arms.back();
  for (const auto& name : plan.provenance) {
    s.provenance_names.push_back(name);
    for (std::size_t i = 0; i < both.metric_names.size(); ++i) {
      if (both.metric_names[i] == name) s.provenance_units.push_back(both.metric_units[i]);
    }
    s.provenance.push_back(summarise_replicates(both.metric(name)));
  }
  return s;
}

void print_table(std::ostream& out, const ComparePlan& plan, const CompareData& data,
                 const CompareSummary& summary) {
  out << "differentiation x paracrine at day " << number(data.time_days.back())
      << ": mean  [95% CI], " << plan.replicates << " paired replicates (seeds " << plan.seed(0)
      << ".." << plan.seed(plan.replicates - 1) << ")\n";
  for (const auto& o : summary.outcomes) {
    out << "\n" << o.name << " (" << o.units << ")\n";
    for (std::size_t a = 0; a < summary.arm_names.size(); ++a) {
      row(out, summary.arm_names[a], with_interval(o.arms[a]));
    }
    const double total = o.effects.front().mean.back();
    for (std::size_t e = 0; e < summary.effects.size(); ++e) {
      const std::string& name = summary.effects[e].name;
      const bool share = name.rfind("shapley_", 0) == 0;
      row(out, name, with_interval(o.effects[e]),
          share ? percent_of(o.effects[e].mean.back(), total) : "");
    }
  }
  if (!summary.provenance.empty()) {
    out << "\nprovenance of regenerated tissue in arm both (cross-check of the Shapley split of "
           "regenerated_fraction; docs/compare.md)\n";
    for (std::size_t p = 0; p < summary.provenance.size(); ++p) {
      row(out, summary.provenance_names[p], with_interval(summary.provenance[p]));
    }
  }
}

}  // namespace regensim::sim::compare
