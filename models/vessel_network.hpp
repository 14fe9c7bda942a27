#pragma once
/// Setup rule: a regular network of straight capillaries (docs/model.md#vessel_network).
/// Marks the code layer "vessel" (0 = none, 1 = vessel). In 3D vessels run along z
/// through the grid points (x, y) = spacing * (i + 1/2); in 2D they are single voxels at
/// those points. Voxels within avascular_radius_um of the lattice centre stay avascular
/// (a damaged, ischaemic core). Fields hold their fixed value there via fixed_layer.
#include "sim/config/config_table.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

struct VesselNetworkParams {
  double spacing_um = 200.0;
  double avascular_radius_um = 0.0;
  static VesselNetworkParams read(sim::ConfigTable& t);
};

class VesselNetwork final : public sim::NamedRule {
 public:
  VesselNetwork(std::string name, VesselNetworkParams params, sim::World& world);
  sim::PhaseSet phases() const override { return {sim::Phase::Setup}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  VesselNetworkParams p_;
};

}  // namespace regensim::models
