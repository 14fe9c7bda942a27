#pragma once
/// Secrete-phase rule: differentiated donor-lineage cells lay down new tissue in their
/// own voxel (docs/model.md#matrix-deposition), tagged provenance "direct":
///   chondrocyte -> cartilage_matrix at r_c
///   osteoblast  -> bone_matrix      at r_o * h(O2)   (mineralisation needs oxygen)
///   myocyte     -> contractile      at r_m
/// each limited by the voxel's free space. Where oxygen is high (vascular supply),
/// cartilage is replaced by bone at r_e * h(O2) (endochondral ossification), keeping
/// its provenance. Host tissue regrowth is the host_repair rule, not this one.
#include "models/signals.hpp"
#include "sim/config/config_table.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

struct MatrixDepositionParams {
  int oxygen_field = -1;
  double cartilage_per_day = 0.0;
  double bone_per_day = 0.0;
  double contractile_per_day = 0.0;
  double endochondral_per_day = 0.0;
  HillParams bone_oxygen;
  static MatrixDepositionParams read(sim::ConfigTable& t, const sim::World& world);
};

class MatrixDeposition final : public sim::NamedRule {
 public:
  MatrixDeposition(std::string name, MatrixDepositionParams params, sim::World& world);
  sim::PhaseSet phases() const override { return {sim::Phase::Secrete}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  MatrixDepositionParams p_;
  sim::AgentType chondrocyte_, osteoblast_, osteocyte_, myocyte_;
};

}  // namespace regensim::models
