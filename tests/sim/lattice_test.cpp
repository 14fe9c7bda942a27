#include "sim/core/lattice.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "sim/core/error.hpp"

namespace regensim::sim {
namespace {

TEST(Lattice, FlatIndexRoundTripsAndIsXFastest) {
  const Lattice lat(4, 3, 2, 10.0);
  EXPECT_EQ(lat.size(), 24u);
  EXPECT_EQ(lat.index(1, 0, 0), 1u);
  EXPECT_EQ(lat.index(0, 1, 0), 4u);
  EXPECT_EQ(lat.index(0, 0, 1), 12u);
  for (VoxelIndex i = 0; i < lat.size(); ++i) EXPECT_EQ(lat.index(lat.coord(i)), i);
  EXPECT_FALSE(lat.is_2d());
  EXPECT_DOUBLE_EQ(lat.voxel_volume_um3(), 1000.0);
}

TEST(Lattice, VonNeumannCountsInteriorEdgeCorner) {
  const Lattice lat(5, 5, 5, 1.0);
  std::array<VoxelIndex, 6> nb{};
  EXPECT_EQ(lat.von_neumann(lat.index(2, 2, 2), nb), 6);
  EXPECT_EQ(lat.von_neumann(lat.index(0, 2, 2), nb), 5);
  EXPECT_EQ(lat.von_neumann(lat.index(0, 0, 0), nb), 3);
  const Lattice flat(5, 5, 1, 1.0);
  EXPECT_TRUE(flat.is_2d());
  EXPECT_EQ(flat.von_neumann(flat.index(2, 2, 0), nb), 4);
  EXPECT_EQ(flat.von_neumann(flat.index(4, 4, 0), nb), 2);
}

TEST(Lattice, VonNeumannNeighboursShareAFace) {
  const Lattice lat(4, 5, 3, 1.0);
  std::array<VoxelIndex, 6> nb{};
  const VoxelIndex centre = lat.index(1, 2, 1);
  const int n = lat.von_neumann(centre, nb);
  for (int k = 0; k < n; ++k) {
    const Coord a = lat.coord(centre), b = lat.coord(nb[static_cast<std::size_t>(k)]);
    EXPECT_EQ(std::abs(a.x - b.x) + std::abs(a.y - b.y) + std::abs(a.z - b.z), 1);
  }
}

TEST(Lattice, MooreCountsAndExcludesSelf) {
  const Lattice lat(5, 5, 5, 1.0);
  std::array<VoxelIndex, 26> nb{};
  const VoxelIndex c = lat.index(2, 2, 2);
  EXPECT_EQ(lat.moore(c, nb), 26);
  EXPECT_EQ(std::count(nb.begin(), nb.end(), c), 0);
  EXPECT_EQ(lat.moore(lat.index(0, 0, 0), nb), 7);
  const Lattice flat(5, 5, 1, 1.0);
  EXPECT_EQ(flat.moore(flat.index(2, 2, 0), nb), 8);
  EXPECT_EQ(flat.moore(flat.index(0, 0, 0), nb), 3);
}

TEST(Lattice, RejectsBadGeometry) {
  EXPECT_THROW(Lattice(0, 3, 3, 1.0), InputError);
  EXPECT_THROW(Lattice(3, 3, 3, 0.0), InputError);
  EXPECT_THROW(Lattice(70000, 70000, 2, 1.0), InputError);  // > 2^32 voxels
}

}  // namespace
}  // namespace regensim::sim
