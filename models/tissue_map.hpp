#pragma once
/// Setup rule: paints the scenario's tissue (docs/model.md#tissue-map). Every voxel starts
/// as `background` tissue with `viable` fraction; then each region listed in `regions`
/// (in order; later ones paint over earlier ones) sets, inside its shape, any of: the
/// tissue kind, the injury zone, and the initial volume fractions.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/config_table.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

struct TissueRegion {
  std::string name;
  enum class Shape { Box, Sphere, Cylinder } shape = Shape::Box;
  std::array<double, 3> min_um{}, max_um{};              // box
  std::optional<std::array<double, 3>> center_um;        // sphere/cylinder (default: centre)
  double radius_um = 0.0;                                // sphere/cylinder (cylinder axis: z)
  int tissue = -1;                                       // kTissueKindNames index, -1: keep
  int injury = -1;                                       // InjuryZone, -1: keep
  std::vector<std::pair<std::string, float>> fractions;  // layer name -> value
  bool vessel_free = false;                              // removes vessels inside
  double vessel_keep_fraction = 1.0;  // keeps this share of vessel voxels (keyed by voxel)
  bool contains(const std::array<double, 3>& p, const std::array<double, 3>& centre,
                bool is_2d) const;
};

struct TissueMapParams {
  int background = 0;
  float background_viable = 1.0f;
  std::vector<TissueRegion> regions;
  static TissueMapParams read(sim::ConfigTable& t);
};

class TissueMap final : public sim::NamedRule {
 public:
  TissueMap(std::string name, TissueMapParams params, sim::World& world);
  sim::PhaseSet phases() const override { return {sim::Phase::Setup}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  TissueMapParams p_;
};

}  // namespace regensim::models
