#pragma once
/// Metrics the models offer (docs/model.md#metrics): cell counts by type, the mean of
/// each field, and the vessel density in capillaries per mm².
#include "sim/rules/registry.hpp"

namespace regensim::models {

/// Capillaries per mm² of cross-section: vessel voxels x h / lattice volume (vessel
/// length per volume, L_V). Exact for capillaries crossing the section at right angles
/// (a 2D lattice, or 3D vessels along z); an isotropic network shows L_V / 2 profiles.
/// One vessel voxel stands for one capillary, so 1/h² is the most a lattice can show.
double capillary_density_per_mm2(const sim::World& world);

void add_standard_metrics(const sim::World& world, std::vector<sim::MetricDef>& out);

}  // namespace regensim::models
