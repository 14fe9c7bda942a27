#pragma once
/// What happens to delivered MSCs and their descendants, step by step
/// (docs/model.md#msc-fate): survival, proliferation and differentiation. Each process
/// reads local signals through Hill functions and is parameterised from its own table
/// of the therapy rule, with defaults from the cell source preset.
#include <cstdint>
#include <vector>

#include "models/msc_product.hpp"
#include "models/signals.hpp"
#include "models/tissue_state.hpp"
#include "sim/config/config_table.hpp"
#include "sim/core/rng.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

/// Local signals around the cells, by field index (-1: the signal is absent, zero).
struct SignalFields {
  int oxygen = -1;
  int inflammation = -1;
  int trophic = -1;
  int tgfb = -1;
  int bmp2 = -1;
  static SignalFields read(sim::ConfigTable& t, const sim::World& world);
  /// Value of field `index` at voxel v, 0 when the field is absent.
  static double at(const sim::World& world, int index, sim::VoxelIndex v) {
    return index < 0 ? 0.0 : world.fields()[static_cast<std::size_t>(index)][v];
  }
};

/// Death hazard (per day) of a donor-lineage cell:
///   lambda = [d0 + d_hyp * h_low(O2) + d_inf * h(I) + d_imm * allogeneic]
///            * (1 - p_trophic * h(T))
struct SurvivalParams {
  double base_per_day = 0.0;
  double hypoxia_per_day = 0.0;
  HillParams hypoxia;  // falling in oxygen
  double inflammation_per_day = 0.0;
  HillParams inflammation;
  double immune_per_day = 0.0;  // allogeneic clearance, 0 for autologous cells
  double trophic_protection = 0.0;
  HillParams trophic;
  static SurvivalParams read(sim::ConfigTable& t, const CellProduct& product);
  double hazard_per_day(double oxygen, double inflammation, double trophic) const;
};

/// Division of MSCs at rate f_vivo * ln2 / T_d * h(O2), only into a free neighbour.
struct ProliferationParams {
  double doubling_time_h = 0.0;
  double in_vivo_fraction = 1.0;
  HillParams oxygen;
  static ProliferationParams read(sim::ConfigTable& t, const CellProduct& product);
  double rate_per_day(double oxygen) const;
};

/// Fate commitment of MSCs at least `min_age_days` old, at rates
///   k_chondro = k_max * b_c * h(TGF-b) * h_low(O2)
///   k_osteo   = k_max * b_o * h(BMP-2) * h(O2)
///   k_myo     = k_max * b_m * h(cardiac niche)
/// each multiplied by (1 + loading_gain) for the fate the mechanical stimulus favours
/// while loading is on; a committed cell turns into its fate after the fate's delay.
/// Osteoblasts become osteocytes after `osteocyte_maturation_days`.
struct DifferentiationParams {
  bool enabled = true;
  double min_age_days = 0.0;
  double max_rate_per_day = 0.0;
  double bias[3] = {1.0, 1.0, 1.0};  // chondrocyte, osteoblast, myocyte
  HillParams tgfb, chondro_oxygen, bmp2, osteo_oxygen, niche;
  double delay_days[4] = {0.0, 0.0, 0.0, 0.0};  // ... and fibroblast
  double osteocyte_maturation_days = 0.0;
  // Mechanical loading (physical therapy): stimulus S on days [start, end).
  bool loading = false;
  double loading_stimulus = 0.0, loading_start_day = 0.0, loading_end_day = 0.0;
  double loading_gain = 0.0;
  static DifferentiationParams read(sim::ConfigTable& t, const CellProduct& product,
                                    bool mechanism_on);
  /// Commitment rates (per day) for the three fates, given the local signals and time.
  std::array<double, 3> rates_per_day(double tgfb, double oxygen, double bmp2, double niche,
                                      double day) const;
};

/// Cardiac niche signal at v: mean of (viable + contractile) over v and its von Neumann
/// neighbours that are myocardium (0 where there is no myocardium).
double cardiac_niche(const TissueState& tissue, const sim::Lattice& lattice, sim::VoxelIndex v);

/// The three processes, applied to whole agent arrays.
class MscFate {
 public:
  MscFate(SurvivalParams s, ProliferationParams p, DifferentiationParams d, SignalFields f,
          sim::World& world);
  /// Decide phase: deaths (marked for removal) and differentiation.
  void decide(sim::World& world, const sim::StepContext& ctx, sim::StreamId stream) const;
  /// Act phase: divisions into free neighbours, committed in a deterministic order.
  void divide(sim::World& world, const sim::StepContext& ctx, sim::StreamId stream);

  const SurvivalParams& survival() const { return survival_; }
  const ProliferationParams& proliferation() const { return proliferation_; }
  const DifferentiationParams& differentiation() const { return differentiation_; }

 private:
  SurvivalParams survival_;
  ProliferationParams proliferation_;
  DifferentiationParams differentiation_;
  SignalFields fields_;
  sim::AgentType msc_, fates_[3], osteocyte_;
  int lineage_col_, fate_col_, progress_col_;
  struct Birth {
    sim::VoxelIndex target;
    std::uint64_t priority;
    sim::AgentSlot parent;
  };
  std::vector<Birth> wanted_;  // one slot per agent, reused
  std::vector<Birth> births_;  // the real ones, reused
};

}  // namespace regensim::models
