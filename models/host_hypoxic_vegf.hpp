#pragma once
/// Secrete-phase rule `host_hypoxic_vegf` (docs/host-model.md#host_hypoxic_vegf): living
/// host tissue that is short of oxygen secretes VEGF (HIF-1alpha stabilised below a few
/// mmHg switches VEGF on), so an injury draws vessels from the host alone. Per voxel of
/// the listed tissue kinds, with oxygen O and the sum f of the listed fraction layers:
///
///   s = s_max * f * hill_low(O; K_O, n_O)      (VEGF units per minute, a point source)
///
/// Production stops as the tissue is reoxygenated (the VEGF sink the host lacked), and
/// dead tissue (necrotic) makes none. mechanisms.hypoxic_vegf = false: nothing.
#include <cstdint>
#include <string>
#include <vector>

#include "models/signals.hpp"
#include "sim/config/config_table.hpp"
#include "sim/config/run_config.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

struct HostHypoxicVegfParams {
  int vegf_field = -1;
  int oxygen_field = -1;
  std::vector<std::string> layers{"viable"};  // living tissue that senses hypoxia
  std::uint32_t tissue_kinds = 0;             // bit mask over kTissueKindNames
  double max_secretion_per_min = 0.05;        // s_max, VEGF units/min per unit fraction
  HillParams hypoxia{8.0, 4.0};               // K_O (mmHg), n_O of the falling Hill

  static HostHypoxicVegfParams read(sim::ConfigTable& t, sim::World& world);
  /// s in VEGF units/min for living fraction f at oxygen O (mmHg).
  double secretion_per_min(double living_fraction, double oxygen) const {
    return max_secretion_per_min * living_fraction * hypoxia.low(oxygen);
  }
};

class HostHypoxicVegf final : public sim::NamedRule {
 public:
  HostHypoxicVegf(std::string name, HostHypoxicVegfParams params, const sim::Mechanisms& mechanisms,
                  sim::World& world);
  sim::PhaseSet phases() const override { return {sim::Phase::Secrete}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  HostHypoxicVegfParams p_;
  bool enabled_;
};

}  // namespace regensim::models
