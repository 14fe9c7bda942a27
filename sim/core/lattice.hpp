#pragma once
/// Regular 2D/3D lattice of cubic voxels. Flat index i = x + nx*(y + ny*z).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace regensim::sim {

/// Voxel coordinates on the lattice.
struct Coord {
  int x = 0, y = 0, z = 0;
  friend bool operator==(const Coord&, const Coord&) = default;
};

/// Flat voxel index; 32 bits cover lattices up to 4.29e9 voxels.
using VoxelIndex = std::uint32_t;

/// Lattice geometry. Immutable after construction; safe to share between threads.
class Lattice {
 public:
  /// nx, ny, nz >= 1 (nz == 1 is a 2D lattice); voxel_size_um > 0.
  Lattice(int nx, int ny, int nz, double voxel_size_um);

  int nx() const { return nx_; }
  int ny() const { return ny_; }
  int nz() const { return nz_; }
  bool is_2d() const { return nz_ == 1; }
  int dimensions() const { return is_2d() ? 2 : 3; }
  std::size_t size() const { return size_; }
  double voxel_size_um() const { return h_um_; }
  /// Voxel volume in µm³ (a 2D lattice is one voxel thick).
  double voxel_volume_um3() const { return h_um_ * h_um_ * h_um_; }

  /// Unsigned 32-bit arithmetic: exact for every lattice the constructor accepts.
  VoxelIndex index(int x, int y, int z) const {
    const auto ux = static_cast<VoxelIndex>(x), uy = static_cast<VoxelIndex>(y);
    const auto uz = static_cast<VoxelIndex>(z);
    return ux + static_cast<VoxelIndex>(nx_) * (uy + static_cast<VoxelIndex>(ny_) * uz);
  }
  VoxelIndex index(Coord c) const { return index(c.x, c.y, c.z); }
  Coord coord(VoxelIndex i) const {
    const int x = static_cast<int>(i % static_cast<VoxelIndex>(nx_));
    const VoxelIndex rest = i / static_cast<VoxelIndex>(nx_);
    return {x, static_cast<int>(rest % static_cast<VoxelIndex>(ny_)),
            static_cast<int>(rest / static_cast<VoxelIndex>(ny_))};
  }
  bool contains(Coord c) const {
    return c.x >= 0 && c.x < nx_ && c.y >= 0 && c.y < ny_ && c.z >= 0 && c.z < nz_;
  }

  /// Von Neumann neighbours (face-sharing: 4 in 2D, 6 in 3D) inside the lattice.
  /// Writes into `out` (capacity >= 6), returns the count. Order is fixed: -x,+x,-y,+y,-z,+z.
  int von_neumann(VoxelIndex i, std::span<VoxelIndex, 6> out) const;
  /// Moore neighbours (8 in 2D, 26 in 3D) inside the lattice, in z-y-x lexicographic order.
  int moore(VoxelIndex i, std::span<VoxelIndex, 26> out) const;

 private:
  int nx_, ny_, nz_;
  std::size_t size_;
  double h_um_;
};

}  // namespace regensim::sim
