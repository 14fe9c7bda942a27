#include "models/vessel_network.hpp"

#include <Eigen/Core>
#include <cmath>

namespace regensim::models {

VesselNetworkParams VesselNetworkParams::read(sim::ConfigTable& t) {
  VesselNetworkParams p;
  p.spacing_um = t.get_double("spacing_um", sim::positive());
  p.avascular_radius_um = t.get_double("avascular_radius_um", 0.0, sim::non_negative());
  return p;
}

VesselNetwork::VesselNetwork(std::string name, VesselNetworkParams params, sim::World& world)
    : NamedRule(std::move(name)), p_(params) {
  if (world.tissue().find("vessel") == nullptr) {
    world.tissue().add_code("vessel", "perfused vessel voxels", {{0, "none"}, {1, "vessel"}});
  }
}

void VesselNetwork::apply(sim::Phase, sim::World& world, const sim::StepContext&) {
  const sim::Lattice& lat = world.lattice();
  auto& vessel = world.tissue().find("vessel")->classes;
  const double h = lat.voxel_size_um();
  const Eigen::Vector3d centre = 0.5 * h * Eigen::Vector3d(lat.nx(), lat.ny(), lat.nz());
  for (int z = 0; z < lat.nz(); ++z) {
    for (int y = 0; y < lat.ny(); ++y) {
      for (int x = 0; x < lat.nx(); ++x) {
        // Voxel centre in µm; a vessel passes through the voxel holding a grid point.
        const double px = (x + 0.5) * h, py = (y + 0.5) * h, pz = (z + 0.5) * h;
        // A grid line inside the lattice passes through this voxel; a line exactly on a
        // voxel face belongs to the voxel below it.
        const auto on_grid = [&](double p, double extent) {
          const double k = std::floor(p / p_.spacing_um);
          const double line = (k + 0.5) * p_.spacing_um;
          if (line >= extent) return false;
          return std::abs(p - line) < 0.5 * h || (std::abs(p - line) == 0.5 * h && p < line);
        };
        if (!on_grid(px, lat.nx() * h) || !on_grid(py, lat.ny() * h)) continue;
        Eigen::Vector3d d = Eigen::Vector3d(px, py, pz) - centre;
        if (lat.is_2d()) d.z() = 0.0;
        if (d.norm() < p_.avascular_radius_um) continue;
        vessel[lat.index(x, y, z)] = 1;
      }
    }
  }
}

}  // namespace regensim::models
