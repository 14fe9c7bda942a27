#pragma once
/// Act-phase rule `host_scar` (docs/host-model.md#host_scar): fibroblast activation and
/// collagen scar. Fibroblasts (agents of type fibroblast; seeded by the tissue map or a
/// place_cells instance, moved by random_walk) carry column "myofibroblast" (0/1). Per
/// step, with TGF-beta B, inflammatory signal I and anti-inflammatory signal A:
///
///   activation  r_act * [1 - (1 - hill_B(B)) (1 - hill_I(I))] * (1 - hill_A(A))
///   myofibroblasts divide at r_prol * hill_B(B) into a free face neighbour (as
///   myofibroblasts), die at r_death, and lay down collagen at c_dep into the free
///   space of their voxel; collagen >= theta_scar sets scar = 1 (never reverts).
///
/// Anti-fibrotic factor H (optional `antifibrotic_field`, e.g. MSC-made HGF), with
/// a = hill_H(H): activation and deposition are multiplied by (1 - p_act a) and
/// (1 - p_dep a), and collagen of voxels not yet scar is turned over (MMPs) at r_mmp a:
/// collagen *= exp(-r_mmp a dt). Gated by mechanisms.antifibrotic.
///
/// mechanisms.scar = false: the rule does nothing.
#include <vector>

#include "models/host_common.hpp"
#include "sim/config/config_table.hpp"
#include "sim/config/run_config.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

inline constexpr const char* kMyofibroblastColumn = "myofibroblast";

struct HostScarParams {
  int tgfb_field = -1;
  int inflammation_field = -1;               // -1: TGF-beta alone activates
  int anti_inflammatory_field = -1;          // -1: nothing inhibits
  int antifibrotic_field = -1;               // -1: no anti-fibrotic factor
  double activation_rate_per_day = 0.5;      // r_act
  HillParams tgfb{1.0, 1.0};                 // hill_B
  HillParams inflammation{1.0, 1.0};         // hill_I
  HillParams anti_inflammatory{1.0, 1.0};    // hill_A
  double proliferation_rate_per_day = 0.9;   // r_prol (row 25)
  double death_rate_per_day = 0.3;           // r_death (row 25)
  double collagen_deposition_per_day = 0.1;  // c_dep, volume fraction per cell per day
  double scar_collagen_threshold = 0.5;      // theta_scar
  HillParams antifibrotic{1.0, 1.0};         // hill_H
  double max_activation_inhibition = 0.8;    // p_act, share of activation H can block
  double max_deposition_inhibition = 0.5;    // p_dep, share of deposition H can block
  double collagen_turnover_per_day = 0.1;    // r_mmp at saturating H, 1/day

  static HostScarParams read(sim::ConfigTable& t, sim::World& world);
  /// Activation hazard in 1/day for signals B, I, A and anti-fibrotic response a = hill_H(H)
  /// (0 when the mechanism is off or there is no factor).
  double activation_per_day(double tgfb_value, double inflammation_value, double anti_value,
                            double antifibrotic_response = 0.0) const;
  /// Collagen laid down per myofibroblast in `dt_day` days, before the free-space limit.
  double deposition(double dt_day, double antifibrotic_response = 0.0) const {
    return collagen_deposition_per_day * dt_day *
           (1.0 - max_deposition_inhibition * antifibrotic_response);
  }
};

class HostScar final : public sim::NamedRule {
 public:
  HostScar(std::string name, HostScarParams params, const sim::Mechanisms& mechanisms,
           sim::World& world);
  sim::PhaseSet phases() const override { return {sim::Phase::Act}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  HostScarParams p_;
  bool enabled_;
  bool antifibrotic_on_;  // mechanisms.antifibrotic and a factor field given
  sim::AgentType fibroblast_;
  int myo_column_;
  // Scratch, rebuilt every step.
  std::vector<BirthProposal> births_;
  std::vector<std::pair<sim::AgentSlot, sim::AgentSlot>> born_;
};

}  // namespace regensim::models
