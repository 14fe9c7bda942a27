#pragma once
// The implicit solver's spatially discrete problem as dense double matrices, and keyed
// random test data: shared by the Douglas and quasi-steady solver tests.
#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <vector>

#include "sim/core/lattice.hpp"
#include "sim/core/rng.hpp"
#include "sim/fields/field.hpp"

namespace regensim::sim {

/// Uniform values in [lo, hi) keyed by voxel index.
inline void fill_random(Field& f, std::uint64_t seed, float lo, float hi) {
  const KeyedRng rng(seed, 1);
  auto& v = f.values();
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = lo + (hi - lo) * static_cast<float>(rng.uniform(0, i));
  }
}

/// A dense mask with `count` keyed fixed voxels.
inline std::vector<std::uint8_t> random_mask(const Lattice& lat, std::uint64_t seed, int count) {
  std::vector<std::uint8_t> m(lat.size(), 0);
  const KeyedRng rng(seed, 2);
  for (int k = 0; k < count; ++k) {
    const auto i = static_cast<std::size_t>(rng.uniform(0, static_cast<std::uint64_t>(k)) *
                                            static_cast<double>(lat.size()));
    m[i] = 1;
  }
  return m;
}

/// Point terms at keyed voxels (some repeated, some possibly on fixed voxels).
inline void add_point_terms(Field& f, const Lattice& lat, std::uint64_t seed, int count) {
  const KeyedRng rng(seed, 3);
  for (int k = 0; k < count; ++k) {
    const auto u = rng.uniform4(0, static_cast<std::uint64_t>(k));
    const auto i = static_cast<VoxelIndex>(u[0] * static_cast<double>(lat.size()));
    f.point_terms().push_back({i, static_cast<float>(5.0 * u[1]), static_cast<float>(u[2])});
    if (k % 4 == 0) f.point_terms().push_back({i, 1.0f, 0.5f});  // the same voxel again
  }
}

/// The spatially discrete problem du/dt = Σ_a (A_a u + b_a) - R u + S as dense double
/// matrices over all voxels (rows of fixed voxels are zero): an independent statement of
/// the discretisation described in diffusion_solver.hpp.
struct DenseProblem {
  std::array<Eigen::MatrixXd, 3> a;  // per axis
  Eigen::VectorXd b, rate, source;
  std::vector<bool> fixed;
};

inline DenseProblem dense_problem(const Lattice& lat, const FieldSpec& spec,
                                  const std::uint8_t* mask, const std::vector<PointTerm>& terms,
                                  const std::vector<double>& u) {
  const auto n = static_cast<Eigen::Index>(lat.size());
  DenseProblem p;
  for (auto& m : p.a) m = Eigen::MatrixXd::Zero(n, n);
  p.b = Eigen::VectorXd::Zero(n);
  p.rate = Eigen::VectorXd::Constant(n, spec.decay_per_min);
  p.source = Eigen::VectorXd::Zero(n);
  p.fixed.assign(lat.size(), false);
  for (std::size_t i = 0; i < lat.size(); ++i) p.fixed[i] = mask != nullptr && mask[i] != 0;
  const double h = lat.voxel_size_um();
  const double c = spec.diffusion_um2_per_min / (h * h);
  const int sizes[3] = {lat.nx(), lat.ny(), lat.nz()};
  for (Eigen::Index i = 0; i < n; ++i) {
    if (p.fixed[static_cast<std::size_t>(i)]) {
      p.rate(i) = 0.0;
      continue;
    }
    const Coord q = lat.coord(static_cast<VoxelIndex>(i));
    for (int axis = 0; axis < lat.dimensions(); ++axis) {
      for (const int dir : {-1, 1}) {
        int at[3] = {q.x, q.y, q.z};
        at[axis] += dir;
        if (at[axis] < 0 || at[axis] >= sizes[axis]) {
          const FaceBoundary& face = spec.faces[static_cast<std::size_t>(2 * axis + (dir > 0))];
          if (face.kind == BoundaryKind::FixedValue) {
            p.a[static_cast<std::size_t>(axis)](i, i) -= 2.0 * c;
            p.b(i) += 2.0 * c * face.value;
          }
          continue;
        }
        const auto j = static_cast<Eigen::Index>(lat.index(at[0], at[1], at[2]));
        p.a[static_cast<std::size_t>(axis)](i, i) -= c;
        if (p.fixed[static_cast<std::size_t>(j)]) {
          p.b(i) += c * u[static_cast<std::size_t>(j)];
        } else {
          p.a[static_cast<std::size_t>(axis)](i, j) += c;
        }
      }
    }
  }
  for (const PointTerm& t : terms) {
    if (p.fixed[t.voxel]) continue;
    p.rate(t.voxel) += t.uptake_per_min;
    p.source(t.voxel) += t.secretion_per_min;
  }
  return p;
}

/// The exact steady state of the dense problem (fixed voxels keep the field's values), by
/// LU in double.
inline Eigen::VectorXd dense_steady_state(const Lattice& lat, const FieldSpec& spec,
                                          const std::uint8_t* mask, const Field& f) {
  const std::vector<double> u(f.values().begin(), f.values().end());
  const DenseProblem p = dense_problem(lat, spec, mask, f.point_terms(), u);
  const auto n = static_cast<Eigen::Index>(lat.size());
  Eigen::MatrixXd m = p.a[0] + p.a[1] + p.a[2];
  m.diagonal() -= p.rate;
  Eigen::VectorXd rhs = -(p.b + p.source);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!p.fixed[static_cast<std::size_t>(i)]) continue;
    m.row(i).setZero();
    m(i, i) = 1.0;
    rhs(i) = f.values()[static_cast<std::size_t>(i)];
  }
  return m.partialPivLu().solve(rhs);
}

}  // namespace regensim::sim
