#include "sim/core/lattice.hpp"

#include <limits>
#include <string>

#include "sim/core/error.hpp"

namespace regensim::sim {

Lattice::Lattice(int nx, int ny, int nz, double voxel_size_um)
    : nx_(nx), ny_(ny), nz_(nz), size_(0), h_um_(voxel_size_um) {
  if (nx < 1 || ny < 1 || nz < 1) {
    throw InputError("lattice dimensions must be >= 1, got [" + std::to_string(nx) + ", " +
                     std::to_string(ny) + ", " + std::to_string(nz) + "]");
  }
  if (!(voxel_size_um > 0.0)) throw InputError("voxel size must be > 0 µm");
  size_ =
      static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny) * static_cast<std::size_t>(nz);
  if (size_ > std::numeric_limits<VoxelIndex>::max()) {
    throw InputError("lattice has " + std::to_string(size_) + " voxels; at most 2^32 - 1 allowed");
  }
}

int Lattice::von_neumann(VoxelIndex i, std::span<VoxelIndex, 6> out) const {
  const Coord c = coord(i);
  int n = 0;
  if (c.x > 0) out[n++] = i - 1;
  if (c.x < nx_ - 1) out[n++] = i + 1;
  const auto row = static_cast<VoxelIndex>(nx_);
  if (c.y > 0) out[n++] = i - row;
  if (c.y < ny_ - 1) out[n++] = i + row;
  const auto plane = static_cast<VoxelIndex>(nx_) * static_cast<VoxelIndex>(ny_);
  if (c.z > 0) out[n++] = i - plane;
  if (c.z < nz_ - 1) out[n++] = i + plane;
  return n;
}

int Lattice::moore(VoxelIndex i, std::span<VoxelIndex, 26> out) const {
  const Coord c = coord(i);
  int n = 0;
  for (int dz = -1; dz <= 1; ++dz) {
    for (int dy = -1; dy <= 1; ++dy) {
      for (int dx = -1; dx <= 1; ++dx) {
        if (dx == 0 && dy == 0 && dz == 0) continue;
        const Coord nb{c.x + dx, c.y + dy, c.z + dz};
        if (contains(nb)) out[n++] = index(nb);
      }
    }
  }
  return n;
}

}  // namespace regensim::sim
