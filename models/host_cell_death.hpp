#pragma once
/// Act-phase rule `host_cell_death` (docs/host-model.md#host_cell_death): hypoxia and
/// inflammation move viable native tissue to necrotic at a hazard that a trophic factor
/// lowers (cardioprotection, the main paracrine route after myocardial infarction).
/// Per voxel, with oxygen O, inflammatory signal I and trophic factor T:
///
///   h = [h_hyp(O) + g_inf * r_inf * hill(I; K_I, n_I)] * (1 - p_T * hill(T; K_T, n_T))
///   h_hyp(O) = r_hyp * clamp((O_onset - O) / (O_onset - O_max), 0, 1)
///   necrotic += viable * (1 - exp(-h dt)),  viable -= the same
///
/// g_inf is mechanisms.inflammation (death itself is not switchable). Deterministic:
/// volume fractions move, no random numbers.
#include <cstdint>

#include "models/signals.hpp"
#include "sim/config/config_table.hpp"
#include "sim/config/run_config.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

struct HostCellDeathParams {
  int oxygen_field = -1;
  int inflammation_field = -1;  // -1: no inflammatory death
  int trophic_field = -1;       // -1: no protection
  std::uint32_t tissue_kinds = 0;
  double necrosis_onset_mmHg = 5.0;  // O_onset
  double necrosis_max_mmHg = 2.5;    // O_max
  double hypoxic_rate_per_day = 2.0;
  double inflammatory_rate_per_day = 0.2;
  HillParams inflammation_response{1.0, 1.0};  // K_I (inflammation field units), n_I
  HillParams trophic_response{1.0, 1.0};       // K_T (trophic field units), n_T
  double max_trophic_protection = 0.5;         // p_T, fraction of the hazard removed

  static HostCellDeathParams read(sim::ConfigTable& t, sim::World& world);
  /// h in 1/day for oxygen O (mmHg), signals I and T (field units).
  double hazard_per_day(double oxygen, double inflammation, double trophic,
                        bool inflammation_on) const;
};

class HostCellDeath final : public sim::NamedRule {
 public:
  HostCellDeath(std::string name, HostCellDeathParams params, const sim::Mechanisms& mechanisms,
                sim::World& world);
  sim::PhaseSet phases() const override { return {sim::Phase::Act}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  HostCellDeathParams p_;
  bool inflammation_on_;
};

}  // namespace regensim::models
