#pragma once
/// Act-phase rule `host_repair` (docs/host-model.md#host_repair): native progenitors
/// regrow native tissue into the free (cleared) space of injured, non-scar voxels at the
/// repair front (the voxel or a face neighbour holds native tissue >= front threshold).
/// With stimulus T (e.g. trophic factor) and its MSC-made part T_msc (a shadow field):
///
///   r      = r0 * (1 + G * h(T)),          h(c) = c^n / (c^n + K^n)
///   r_para = r0 * G * (h(T) - h(T - T_msc))  (the excess MSC factor causes)
///   regrown = free * (1 - exp(-r dt)),  split r_para : (r - r_para)
///   regen_paracrine += regrown * r_para / r,  regen_spontaneous += the rest
///
/// Deterministic: volume fractions move, no random numbers.
#include <cstdint>
#include <vector>

#include "models/signals.hpp"
#include "sim/config/config_table.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

struct HostRepairParams {
  int stimulus_field = -1;    // -1: base rate only
  int msc_origin_field = -1;  // -1: no MSC-made part (all spontaneous)
  std::uint32_t tissue_kinds = 0;
  double base_rate_per_day = 0.05;         // r0
  double stimulus_gain = 2.0;              // G, fold increase over r0 at saturation
  HillParams stimulus_response{1.0, 1.0};  // K (stimulus field units), n
  double front_threshold = 0.5;            // native tissue fraction that seeds repair

  static HostRepairParams read(sim::ConfigTable& t, sim::World& world);

  /// Rates in 1/day for total stimulus T and MSC-made part T_msc.
  struct Rates {
    double total = 0.0;
    double paracrine = 0.0;
  };
  Rates rates_per_day(double stimulus, double stimulus_msc) const;
};

class HostRepair final : public sim::NamedRule {
 public:
  HostRepair(std::string name, HostRepairParams params, sim::World& world);
  sim::PhaseSet phases() const override { return {sim::Phase::Act}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  HostRepairParams p_;
  std::vector<std::uint8_t> front_;  // scratch, rebuilt every step
};

}  // namespace regensim::models
