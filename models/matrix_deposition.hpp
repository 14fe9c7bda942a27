#pragma once
/// Secrete-phase rule: differentiated donor-lineage cells lay down new tissue in their
/// own voxel (docs/model.md#matrix-deposition), tagged provenance "direct":
///   chondrocyte -> cartilage_matrix at r_c
///   osteoblast  -> bone_matrix      at r_o * h(O2)   (mineralisation needs oxygen)
///   myocyte     -> contractile      at r_m
/// each limited by the voxel's free space. Where a vessel has arrived, mature cartilage
/// is replaced by bone at r_e * h(O2) * g_v (endochondral ossification), keeping its
/// provenance: g_v = 1 when a vessel voxel lies within R_v of the voxel and the voxel's
/// cartilage template (cartilage + bone matrix) has reached theta_hyp, else 0, so
/// cartilage accumulates first and turns into bone as vessels invade it. With the gate
/// the conversion is a voxel process (the vessel brings the ossifying cells); without
/// it (mechanisms.vascular_ossification = false) the donor chondrocyte, osteoblast or
/// osteocyte in the voxel converts at r_e * h(O2), oxygen alone gating.
/// Host tissue regrowth is the host_repair rule, not this one.
#include <cstdint>
#include <vector>

#include "models/signals.hpp"
#include "models/tissue_state.hpp"
#include "sim/config/config_table.hpp"
#include "sim/config/run_config.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

struct MatrixDepositionParams {
  int oxygen_field = -1;
  double cartilage_per_day = 0.0;
  double bone_per_day = 0.0;
  double contractile_per_day = 0.0;
  double endochondral_per_day = 0.0;
  double ossification_vessel_distance_um = 40.0;  // R_v
  double ossification_min_matrix = 0.3;           // theta_hyp, volume fraction
  HillParams bone_oxygen;
  static MatrixDepositionParams read(sim::ConfigTable& t, const sim::World& world);
};

class MatrixDeposition final : public sim::NamedRule {
 public:
  MatrixDeposition(std::string name, MatrixDepositionParams params,
                   const sim::Mechanisms& mechanisms, sim::World& world);
  sim::PhaseSet phases() const override { return {sim::Phase::Secrete}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  /// True when voxel v's cartilage is mature and a vessel voxel lies within R_v of it
  /// (always true without the gate).
  bool may_ossify(const sim::World& world, const TissueState& t, sim::VoxelIndex v) const;
  /// Moves min(cartilage, r_e * oxygen_response * dt) of voxel v's cartilage into bone.
  void ossify(const TissueState& t, sim::VoxelIndex v, double oxygen_response, double dt_day) const;

  MatrixDepositionParams p_;
  bool vessel_gate_;
  std::vector<sim::Coord> vessel_offsets_;  // lattice offsets within R_v, centre first
  sim::AgentType chondrocyte_, osteoblast_, osteocyte_, myocyte_;
};

}  // namespace regensim::models
