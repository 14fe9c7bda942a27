#pragma once
/// Rule `host_inflammation` (docs/host-model.md#host_inflammation): the inflammatory
/// response to necrosis, with macrophages as agents (column "macrophage_m2": 0 = M1,
/// 1 = M2). Per step, with inflammatory signal I and anti-inflammatory signal A:
///  - Act: resident clearance of necrotic debris at r_base (always, even when the
///    mechanism is off); then macrophages die/egress at r_death; M1 turn M2 at
///    r_pol0 + r_pol * hill(A); each macrophage clears necrotic debris in its voxel and
///    face neighbours at r_clr (M1) or f_M2 * r_clr (M2); each vessel voxel recruits a
///    macrophage into a free face neighbour at r_rec * hill(I); macrophages divide at
///    r_prol * hill(I) (recruitment's Hill function) into a free face neighbour.
///  - Secrete: necrotic voxels release I at s_nec * necrotic; M1 secrete I; M2 secrete
///    A, TGF-beta, trophic factor and VEGF (each optional).
/// Migration up the I gradient is the `random_walk` rule with chemotaxis_field.
/// mechanisms.inflammation = false leaves only the resident clearance.
#include <vector>

#include "models/host_common.hpp"
#include "sim/config/config_table.hpp"
#include "sim/config/run_config.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

inline constexpr const char* kMacrophageM2Column = "macrophage_m2";

struct HostInflammationParams {
  int inflammation_field = -1;
  int anti_inflammatory_field = -1;
  int tgfb_field = -1;                       // -1: M2 secrete no TGF-beta
  int trophic_field = -1;                    // -1: M2 secrete no trophic factor
  int vegf_field = -1;                       // -1: M2 secrete no VEGF
  double necrotic_secretion_per_min = 0.01;  // s_nec, I units/min per unit necrotic fraction
  double m1_secretion_per_min = 0.001;       // I units/min per M1 cell
  double m2_anti_inflammatory_per_min = 0.005;
  double m2_tgfb_per_min = 0.002;
  double m2_trophic_per_min = 0.0;
  double m2_vegf_per_min = 0.0;
  double recruitment_rate_per_day = 1.0;        // r_rec, per vessel voxel at saturating I
  HillParams recruitment{0.1, 1.0};             // of I
  double proliferation_rate_per_day = 0.8;      // r_prol (row 25)
  double death_rate_per_day = 0.3;              // r_death (row 25)
  double base_polarization_rate_per_day = 0.3;  // r_pol0
  double polarization_rate_per_day = 2.0;       // r_pol
  HillParams polarization{0.1, 1.0};            // of A
  double m1_clearance_per_day = 1.0;            // r_clr
  double m2_clearance_factor = 0.3;             // f_M2
  double resident_clearance_per_day = 0.02;     // r_base

  static HostInflammationParams read(sim::ConfigTable& t, sim::World& world);
};

class HostInflammation final : public sim::NamedRule {
 public:
  HostInflammation(std::string name, HostInflammationParams params,
                   const sim::Mechanisms& mechanisms, sim::World& world);
  sim::PhaseSet phases() const override { return {sim::Phase::Act, sim::Phase::Secrete}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  void act(sim::World& world, const sim::StepContext& ctx);
  void clear_debris(sim::World& world, const sim::StepContext& ctx);
  void add_cells(sim::World& world, const sim::StepContext& ctx);
  void secrete(sim::World& world) const;

  HostInflammationParams p_;
  bool enabled_;
  sim::AgentType macrophage_;
  int m2_column_;
  // Scratch, rebuilt every step (no state across steps).
  std::vector<float> clearance_;
  std::vector<BirthProposal> births_;
  std::vector<std::pair<sim::AgentSlot, sim::AgentSlot>> born_;
};

}  // namespace regensim::models
