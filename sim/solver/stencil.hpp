#pragma once
/// The 7-point stencil's neighbourhood, internal to sim/solver.
#include <cstddef>

namespace regensim::sim::detail {

/// Calls visit(offset) with the index offset of each face neighbour of voxel (x, y, z)
/// that lies inside an nx x ny x nz lattice, in the order -x, +x, -y, +y, -z, +z.
template <class Visit>
[[gnu::always_inline]] inline void for_each_face_neighbour(int x, int y, int z, int nx, int ny,
                                                           int nz, Visit&& visit) {
  const auto row = static_cast<std::ptrdiff_t>(nx);
  const std::ptrdiff_t plane = row * ny;
  if (x > 0) visit(std::ptrdiff_t{-1});
  if (x < nx - 1) visit(std::ptrdiff_t{1});
  if (y > 0) visit(-row);
  if (y < ny - 1) visit(row);
  if (z > 0) visit(-plane);
  if (z < nz - 1) visit(plane);
}

}  // namespace regensim::sim::detail
