#include "models/place_cells.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "models/cell_types.hpp"
#include "sim/core/error.hpp"
#include "sim/core/rng.hpp"

namespace regensim::models {

PlaceCellsParams PlaceCellsParams::read(sim::ConfigTable& t, sim::World& world) {
  PlaceCellsParams p;
  p.type = read_cell_type(t, "cell_type", world);
  p.count = t.get_int("count", sim::non_negative());
  p.count_where = t.where("count") + ": " + t.key_path("count");
  if (t.has("center_um")) {
    const auto c = t.get_double_array("center_um", 3);
    p.center_um = std::array<double, 3>{c[0], c[1], c[2]};
  } else {
    t.accept("center_um");
  }
  p.radius_um = t.get_double("radius_um", sim::positive());
  return p;
}

PlaceCells::PlaceCells(std::string name, PlaceCellsParams params)
    : NamedRule(std::move(name)), p_(std::move(params)) {}

void PlaceCells::apply(sim::Phase, sim::World& world, const sim::StepContext& ctx) {
  const sim::Lattice& lat = world.lattice();
  const double h = lat.voxel_size_um();
  const Eigen::Vector3d extent(lat.nx() * h, lat.ny() * h, lat.nz() * h);
  const Eigen::Vector3d c = p_.center_um ? Eigen::Vector3d(p_.center_um->data()) : 0.5 * extent;
  const sim::TissueLayer* vessel = world.tissue().find("vessel");
  auto& agents = world.agents();

  // Every candidate voxel gets a keyed random rank; the lowest ranks are chosen. The
  // result depends on the seed and the voxel only, never on the thread count.
  const sim::KeyedRng rng(ctx.seed, sim::stream_for(name()));
  std::vector<std::pair<std::uint64_t, sim::VoxelIndex>> candidates;
  for (int z = 0; z < lat.nz(); ++z) {
    for (int y = 0; y < lat.ny(); ++y) {
      for (int x = 0; x < lat.nx(); ++x) {
        Eigen::Vector3d d = Eigen::Vector3d(x + 0.5, y + 0.5, z + 0.5) * h - c;
        if (lat.is_2d()) d.z() = 0.0;  // a 2D lattice is the plane through the centre
        if (d.squaredNorm() > p_.radius_um * p_.radius_um) continue;
        const sim::VoxelIndex v = lat.index(x, y, z);
        if (agents.occupied(v) || (vessel != nullptr && vessel->classes[v] != 0)) continue;
        candidates.emplace_back(rng.bits(static_cast<std::uint64_t>(ctx.step), v)[0], v);
      }
    }
  }
  if (static_cast<std::int64_t>(candidates.size()) < p_.count) {
    throw sim::ConfigError(p_.count_where + " = " + std::to_string(p_.count) + ": only " +
                           std::to_string(candidates.size()) +
                           " free voxels in the placement sphere; lower the count or enlarge "
                           "radius_um");
  }
  const auto n = static_cast<std::size_t>(p_.count);
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(n),
                    candidates.end());
  // Add in voxel order so slot order (and output order) follows space, not rank.
  std::vector<sim::VoxelIndex> chosen;
  for (std::size_t i = 0; i < n; ++i) chosen.push_back(candidates[i].second);
  std::sort(chosen.begin(), chosen.end());
  for (const auto v : chosen) agents.add(p_.type, v, ctx.step);
}

}  // namespace regensim::models
