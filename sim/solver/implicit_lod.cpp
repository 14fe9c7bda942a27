#include "sim/solver/implicit_lod.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

namespace regensim::sim {

// Bookkeeping. Sums run over the non-fixed voxels; r = dt*D/h^2, R_i = k + U_i.
//
// Douglas step. Each factor is a linear system whose rows, summed (the couplings between
// non-fixed voxels cancel in pairs), give (line_sweeps.hpp, StageSums, with g = 0 and
// zero fixed rows):
//   x:  Σ d1 = Σ F  - Σ_x-faces 2r d1_end - Σ_x-fixed-edges r d1_i - Σ dt R_i d1_i
//   y:  Σ d2 = Σ d1 - Σ_y-faces 2r d2_end - Σ_y-fixed-edges r d2_i
//   z:  Σ d3 = Σ d2 - Σ_z-faces 2r d3_end - Σ_z-fixed-edges r d3_i
// and the explicit increment sums to
//   Σ F = Σ_faces 2r (g - u_end) + Σ_fixed-edges r (u_fixed - u_i) + Σ dt S_i - Σ dt R_i u_i.
// Fixed voxels do not change, so total(after) - total(before) = Σ d3 is, in exact
// arithmetic,
//   secreted    = Σ dt S_i
//   decayed     = dt k Σ (u_i + d1_i)
//   taken_up    = Σ dt U_i (u_i + d1_i)
//   boundary_in = Σ_faces 2r (g - u_end) - Σ_axes Σ_a-faces 2r d_a,end
//   fixed_in    = Σ_fixed-edges r (u_fixed - u_i) - Σ_axes Σ_a-fixed-edges r d_a,i
// i.e. each axis' face and fixed-voxel flux is taken at that stage's value u + d_a, and
// the reactions at the x-stage value u + d1. Rounding: F, d and every sum are double and
// the sums use the stored values, so the identity holds to the final float rounding of u.
//
// Fallback step. Each stage is a backward-Euler solve whose row sums give
//   Σ u_a - Σ u_{a-1} = Σ_a-faces 2r (g - u_a,end) + Σ_a-fixed-edges r (u_fixed - u_a,i)
//                      [x stage also: + Σ dt S_i - Σ dt R_i u1_i],
// so decayed = dt k Σ u1, taken_up = Σ dt U_i u1_i and the fluxes are those of each stage.

namespace {

bool is_identity(const detail::AxisStage& st, int n, bool extra) {
  if (st.sigma != 0.0 || extra) return false;
  if (st.r == 0.0) return true;
  return n == 1 && !st.low_fixed && !st.high_fixed;
}

}  // namespace

ImplicitLodSolver::ImplicitLodSolver(const Lattice& lattice)
    : lattice_(lattice),
      axes_(lattice),
      work_(lattice.size(), 0.0),
      uptake_dt_(lattice.size(), 0.0),
      row_boundary_(static_cast<std::size_t>(lattice.ny()) * lattice.nz(), 0.0),
      row_fixed_(row_boundary_.size(), 0.0),
      row_kept_(row_boundary_.size(), 0.0),
      row_flag_(row_boundary_.size(), 0) {}

detail::AxisStage ImplicitLodSolver::stage(const Field& field, int axis, double r,
                                           bool homogeneous) const {
  detail::AxisStage st;
  st.axis = axis;
  st.r = r;
  const FaceBoundary& lo = field.spec().faces[static_cast<std::size_t>(2 * axis)];
  const FaceBoundary& hi = field.spec().faces[static_cast<std::size_t>(2 * axis + 1)];
  st.low_fixed = lo.kind == BoundaryKind::FixedValue;
  st.high_fixed = hi.kind == BoundaryKind::FixedValue;
  st.g_low = homogeneous ? 0.0 : static_cast<double>(lo.value);
  st.g_high = homogeneous ? 0.0 : static_cast<double>(hi.value);
  return st;
}

void ImplicitLodSolver::gather_terms(const Field& field, double dt_min) {
  const std::vector<PointTerm>& list = field.point_terms();
  const std::uint8_t* mask = field.fixed_mask();
  assert(list.size() < std::numeric_limits<std::uint32_t>::max());
  order_.clear();
  terms_.clear();
  for (std::size_t k = 0; k < list.size(); ++k) {
    const VoxelIndex v = list[k].voxel;
    assert(v < lattice_.size());
    if (mask != nullptr && mask[v] != 0) continue;  // fixed voxels ignore point terms
    order_.emplace_back(v, static_cast<std::uint32_t>(k));
  }
  // By voxel, then list position: the per-voxel sums have a fixed order.
  std::sort(order_.begin(), order_.end());
  for (const auto& [v, k] : order_) {
    if (terms_.empty() || terms_.back().voxel != v) terms_.push_back({v, 0.0, 0.0});
    terms_.back().secretion_dt += dt_min * static_cast<double>(list[k].secretion_per_min);
    terms_.back().uptake_dt += dt_min * static_cast<double>(list[k].uptake_per_min);
  }
  any_uptake_ = false;
  for (const Term& t : terms_) {
    assert(t.uptake_dt >= 0.0);
    uptake_dt_[t.voxel] = t.uptake_dt;
    any_uptake_ = any_uptake_ || t.uptake_dt > 0.0;
    inputs_non_negative_ = inputs_non_negative_ && t.secretion_dt >= 0.0;
  }
}

FieldBalance ImplicitLodSolver::step(Field& field, double dt_min) {
  assert(field.values().size() == lattice_.size());
  assert(dt_min >= 0.0);
  assert(field.spec().decay_per_min >= 0.0);
  const double h = lattice_.voxel_size_um();
  const double r = dt_min * field.spec().diffusion_um2_per_min / (h * h);
  assert(r >= 0.0);
  if (r == 0.0 && field.spec().decay_per_min == 0.0 && field.point_terms().empty()) return {};

  inputs_non_negative_ = true;
  for (int axis = 0; axis < lattice_.dimensions(); ++axis) {
    for (const int side : {0, 1}) {
      const FaceBoundary& f = field.spec().faces[static_cast<std::size_t>(2 * axis + side)];
      if (f.kind == BoundaryKind::FixedValue && !(f.value >= 0.0f)) inputs_non_negative_ = false;
    }
  }
  gather_terms(field, dt_min);
  FieldBalance b = douglas(field, dt_min);
  if (inputs_non_negative_ && any_negative_result(field)) {
    ++fallbacks_;
    b = fallback(field, dt_min);
  } else {
    // Commit u + d3 (fixed voxels have d3 = 0).
    float* u = field.values().data();
    const double* d = work_.data();
    const auto n = static_cast<std::ptrdiff_t>(lattice_.size());
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      u[i] = static_cast<float>(static_cast<double>(u[i]) + d[i]);
    }
  }
  for (const Term& t : terms_) uptake_dt_[t.voxel] = 0.0;
  return b;
}

FieldBalance ImplicitLodSolver::explicit_increment(const Field& field, double dt_min) {
  const double h = lattice_.voxel_size_um();
  const double r = dt_min * field.spec().diffusion_um2_per_min / (h * h);
  const double k_dt = dt_min * field.spec().decay_per_min;
  const float* u_all = field.values().data();
  double* f_all = work_.data();
  const std::uint8_t* mask = field.fixed_mask();
  const auto& faces = field.spec().faces;
  const auto face_fixed = [&](Face f) {
    return faces[static_cast<std::size_t>(f)].kind == BoundaryKind::FixedValue;
  };
  const auto face_value = [&](Face f) {
    return static_cast<double>(faces[static_cast<std::size_t>(f)].value);
  };
  const int nx = lattice_.nx();
  const int ny = lattice_.ny();
  const int nz = lattice_.nz();
  const bool three_d = !lattice_.is_2d();
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(nx) * ny;
  const std::ptrdiff_t rows = static_cast<std::ptrdiff_t>(ny) * nz;

#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const int y = static_cast<int>(row % ny);
    const int z = static_cast<int>(row / ny);
    const std::ptrdiff_t base = row * nx;
    const float* o = u_all + base;
    double* f = f_all + base;  // Σ (u_neighbour - u) until the update below
    const std::uint8_t* m = mask != nullptr ? mask + base : nullptr;

    if (nx == 1) {
      f[0] = 0.0;
    } else {
      f[0] = static_cast<double>(o[1]) - static_cast<double>(o[0]);
      for (int x = 1; x < nx - 1; ++x) {
        const double c = o[x];
        f[x] = (static_cast<double>(o[x - 1]) - c) + (static_cast<double>(o[x + 1]) - c);
      }
      f[nx - 1] = static_cast<double>(o[nx - 2]) - static_cast<double>(o[nx - 1]);
    }
    double boundary = 0.0;
    const auto face_row = [&](Face face) {
      if (!face_fixed(face)) return;
      const double g = face_value(face);
      for (int x = 0; x < nx; ++x) {
        const double in = g - static_cast<double>(o[x]);
        f[x] += 2.0 * in;
        if (m == nullptr || m[x] == 0) boundary += in;
      }
    };
    const auto neighbour_row = [&](std::ptrdiff_t offset) {
      const float* nb = o + offset;
      for (int x = 0; x < nx; ++x) f[x] += static_cast<double>(nb[x]) - static_cast<double>(o[x]);
    };
    if (y > 0) {
      neighbour_row(-nx);
    } else {
      face_row(Face::YLow);
    }
    if (y < ny - 1) {
      neighbour_row(nx);
    } else {
      face_row(Face::YHigh);
    }
    if (three_d) {
      if (z > 0) {
        neighbour_row(-plane);
      } else {
        face_row(Face::ZLow);
      }
      if (z < nz - 1) {
        neighbour_row(plane);
      } else {
        face_row(Face::ZHigh);
      }
    }
    const auto face_end = [&](Face face, int x) {
      if (!face_fixed(face)) return;
      const double in = face_value(face) - static_cast<double>(o[x]);
      f[x] += 2.0 * in;
      if (m == nullptr || m[x] == 0) boundary += in;
    };
    face_end(Face::XLow, 0);
    face_end(Face::XHigh, nx - 1);

    bool negative = false;
    for (int x = 0; x < nx; ++x) {
      const double v = o[x];
      f[x] = r * f[x] - k_dt * v;
      negative = negative || v < 0.0;
    }
    // Fixed voxels do not change; each edge between a fixed and a non-fixed voxel carries
    // r (u_fixed - u_i) into the non-fixed one.
    double kept = 0.0;
    double fixed = 0.0;
    if (m == nullptr) {
      for (int x = 0; x < nx; ++x) kept += static_cast<double>(o[x]);
    } else {
      for (int x = 0; x < nx; ++x) {
        if (m[x] != 0) {
          f[x] = 0.0;
          continue;
        }
        kept += static_cast<double>(o[x]);
        const auto edge = [&](std::ptrdiff_t offset) {
          if (m[x + offset] != 0) {
            fixed += static_cast<double>(o[x + offset]) - static_cast<double>(o[x]);
          }
        };
        if (x > 0) edge(-1);
        if (x < nx - 1) edge(1);
        if (y > 0) edge(-nx);
        if (y < ny - 1) edge(nx);
        if (three_d && z > 0) edge(-plane);
        if (three_d && z < nz - 1) edge(plane);
      }
    }
    row_boundary_[static_cast<std::size_t>(row)] = 2.0 * r * boundary;
    row_fixed_[static_cast<std::size_t>(row)] = r * fixed;
    row_kept_[static_cast<std::size_t>(row)] = kept;
    row_flag_[static_cast<std::size_t>(row)] = negative ? 1 : 0;
  }

  FieldBalance b;
  double kept = 0.0;
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const auto i = static_cast<std::size_t>(row);
    b.boundary_in += row_boundary_[i];
    b.fixed_in += row_fixed_[i];
    kept += row_kept_[i];
    if (row_flag_[i] != 0) inputs_non_negative_ = false;
  }
  b.decayed = k_dt * kept;
  return b;
}

FieldBalance ImplicitLodSolver::douglas(Field& field, double dt_min) {
  const double h = lattice_.voxel_size_um();
  const double r = dt_min * field.spec().diffusion_um2_per_min / (h * h);
  const double k_dt = dt_min * field.spec().decay_per_min;
  const float* u = field.values().data();
  double* d = work_.data();
  const std::uint8_t* mask = field.fixed_mask();

  FieldBalance b = explicit_increment(field, dt_min);
  for (const Term& t : terms_) {
    const double ui = u[t.voxel];
    d[t.voxel] += t.secretion_dt - t.uptake_dt * ui;
    b.secreted += t.secretion_dt;
    b.taken_up += t.uptake_dt * ui;
  }

  const int dims[3] = {lattice_.nx(), lattice_.ny(), lattice_.nz()};
  const double* extra = any_uptake_ ? uptake_dt_.data() : nullptr;
  for (int axis = 0; axis < lattice_.dimensions(); ++axis) {
    detail::AxisStage st = stage(field, axis, r, /*homogeneous=*/true);
    const bool first = axis == 0;
    if (first) {
      st.sigma = k_dt;
      st.want_kept = k_dt > 0.0;
    }
    if (is_identity(st, dims[axis], first && extra != nullptr)) continue;
    const detail::StageSums s = axes_.solve(st, d, mask, first ? extra : nullptr);
    b.boundary_in += s.boundary;
    b.fixed_in += s.fixed;
    if (first) {
      b.decayed += k_dt * s.kept;
      for (const Term& t : terms_) b.taken_up += t.uptake_dt * d[t.voxel];
    }
  }
  return b;
}

bool ImplicitLodSolver::any_negative_result(const Field& field) {
  const float* u_all = field.values().data();
  const double* d_all = work_.data();
  const int nx = lattice_.nx();
  const std::ptrdiff_t rows = static_cast<std::ptrdiff_t>(lattice_.ny()) * lattice_.nz();
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const float* u = u_all + row * nx;
    const double* d = d_all + row * nx;
    bool negative = false;
    for (int x = 0; x < nx; ++x) {
      negative = negative || static_cast<float>(static_cast<double>(u[x]) + d[x]) < 0.0f;
    }
    row_flag_[static_cast<std::size_t>(row)] = negative ? 1 : 0;
  }
  return std::any_of(row_flag_.begin(), row_flag_.begin() + rows,
                     [](std::uint8_t f) { return f != 0; });
}

FieldBalance ImplicitLodSolver::fallback(Field& field, double dt_min) {
  const double h = lattice_.voxel_size_um();
  const double r = dt_min * field.spec().diffusion_um2_per_min / (h * h);
  const double k_dt = dt_min * field.spec().decay_per_min;
  float* u = field.values().data();
  double* x = work_.data();
  const std::uint8_t* mask = field.fixed_mask();
  const auto n = static_cast<std::ptrdiff_t>(lattice_.size());
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) x[i] = u[i];

  FieldBalance b;
  for (const Term& t : terms_) {
    x[t.voxel] += t.secretion_dt;
    b.secreted += t.secretion_dt;
  }
  const int dims[3] = {lattice_.nx(), lattice_.ny(), lattice_.nz()};
  const double* extra = any_uptake_ ? uptake_dt_.data() : nullptr;
  for (int axis = 0; axis < lattice_.dimensions(); ++axis) {
    detail::AxisStage st = stage(field, axis, r, /*homogeneous=*/false);
    const bool first = axis == 0;
    if (first) {
      st.sigma = k_dt;
      st.want_kept = k_dt > 0.0;
    }
    if (is_identity(st, dims[axis], first && extra != nullptr)) continue;
    const detail::StageSums s = axes_.solve(st, x, mask, first ? extra : nullptr);
    b.boundary_in += s.boundary;
    b.fixed_in += s.fixed;
    if (first) {
      b.decayed = k_dt * s.kept;
      for (const Term& t : terms_) b.taken_up += t.uptake_dt * x[t.voxel];
    }
  }
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) u[i] = static_cast<float>(x[i]);
  return b;
}

}  // namespace regensim::sim
