#pragma once
/// Act-phase rule `host_angiogenesis` (docs/host-model.md#host_angiogenesis): sprouting
/// angiogenesis with endothelial tip cells as agents (type endothelial_tip; columns
/// "sprout_length_um" and "sprout_heading", the face direction of the last step, -1 none).
/// Per step, with VEGF field V and threshold V_th:
///  1. anastomosis: a tip with a vessel or another tip on a face other than the one it
///     came from fuses: its voxel becomes vessel and the tip is removed;
///  2. migration: where V >= V_th a tip steps with probability 1 - exp(-v dt / h), to the
///     free neighbour of highest V (weight w_grad), straight on (w_pers) or at random
///     (the rest), never back; the voxel it leaves becomes vessel (the stalk trail);
///  3. branching: after a step, a tip of sprout length L branches with probability
///     clamp((L - L_min) / (L_max - L_min), 0, 1); both tips restart at L = 0;
///  4. sprouting: a vessel voxel with a free face neighbour where V >= V_th (no other
///     vessel or tip next to it) sprouts a tip there at rate r_sprout.
/// New vessel voxels take the fixed value of every field held fixed on layer "vessel"
/// (oxygen), so they supply it from the next solve on. mechanisms.angiogenesis = false:
/// the rule does nothing.
#include <vector>

#include "models/host_common.hpp"
#include "sim/agents/move_commit.hpp"
#include "sim/config/config_table.hpp"
#include "sim/config/run_config.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

inline constexpr const char* kSproutLengthColumn = "sprout_length_um";
inline constexpr const char* kSproutHeadingColumn = "sprout_heading";

struct HostAngiogenesisParams {
  int vegf_field = -1;
  double sprout_threshold = 0.6;        // V_th, VEGF field units (ng/mL; row 22)
  double sprout_rate_per_day = 0.1;     // r_sprout per vessel voxel
  double speed_um_per_hour = 10.0;      // v (rows 20-21: 5-15)
  double gradient_weight = 0.4;         // w_grad (row 20: 40 % along the cue)
  double persistence_weight = 0.3;      // w_pers (row 20: 30 %)
  double branch_min_length_um = 100.0;  // L_min (row 20)
  double branch_max_length_um = 300.0;  // L_max (row 20)

  static HostAngiogenesisParams read(sim::ConfigTable& t, sim::World& world);
  /// Branching probability after a step at sprout length L (µm).
  double branch_probability(double length_um) const;
};

class HostAngiogenesis final : public sim::NamedRule {
 public:
  HostAngiogenesis(std::string name, HostAngiogenesisParams params,
                   const sim::Mechanisms& mechanisms, sim::World& world);
  sim::PhaseSet phases() const override { return {sim::Phase::Act}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  void fuse(sim::World& world);
  void migrate(sim::World& world, const sim::StepContext& ctx);
  void sprout(sim::World& world, const sim::StepContext& ctx);
  void make_vessel(sim::World& world, sim::VoxelIndex v) const;

  HostAngiogenesisParams p_;
  bool enabled_;
  sim::AgentType tip_;
  int length_column_;
  int heading_column_;
  // Scratch, rebuilt every step.
  std::vector<std::uint8_t> fused_;
  std::vector<sim::MoveProposal> moves_;
  std::vector<sim::VoxelIndex> from_;
  std::vector<std::int8_t> dir_;
  std::vector<BirthProposal> births_;
  std::vector<std::pair<sim::AgentSlot, sim::AgentSlot>> born_;
};

}  // namespace regensim::models
