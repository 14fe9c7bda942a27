#include "sim/solver/steady_state.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/solver/steady_rows.hpp"

namespace regensim::sim::detail {

namespace {

/// Conjugate-gradient iterations allowed per solve, and restarts on the recomputed
/// residual (the recursive residual of float iterates drifts from the true one).
constexpr int kMaxIterations = 10000;
constexpr int kMaxRestarts = 4;

/// Calls visit(g, voxel) for each voxel on a fixed-value face of the lattice, with g the
/// face's value, face by face in a fixed order (a voxel on two such faces comes twice).
template <class Visit>
void for_each_fixed_face_voxel(const Lattice& lat, const std::array<FaceBoundary, 6>& faces,
                               Visit&& visit) {
  const int nx = lat.nx(), ny = lat.ny(), nz = lat.nz();
  const auto box = [&](Face f, int x0, int x1, int y0, int y1, int z0, int z1) {
    const FaceBoundary& fb = faces[static_cast<std::size_t>(f)];
    if (fb.kind != BoundaryKind::FixedValue) return;
    for (int z = z0; z < z1; ++z) {
      for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) visit(fb.value, lat.index(x, y, z));
      }
    }
  };
  box(Face::XLow, 0, 1, 0, ny, 0, nz);
  box(Face::XHigh, nx - 1, nx, 0, ny, 0, nz);
  box(Face::YLow, 0, nx, 0, 1, 0, nz);
  box(Face::YHigh, 0, nx, ny - 1, ny, 0, nz);
  if (nz > 1) {
    box(Face::ZLow, 0, nx, 0, ny, 0, 1);
    box(Face::ZHigh, 0, nx, 0, ny, nz - 1, nz);
  }
}

// The row work of the iteration, compiled for several instruction sets and picked at
// run time (the kernels above are inlined into each): lanes are independent and
// contraction is off, so every version gives the same bits.

/// out = A v along one row; returns Σ v·out over it.
REGENSIM_ISA_CLONES double apply_dot_row(const float* v, RowNeighbours nb, const float* d, float c,
                                         int n, float* out) {
  apply_row(v, nb, d, c, n, out);
  return dot_row<false>(v, out, nullptr, n);
}

/// u += a p, r -= a q along one row; returns Σ r^2 w over it.
REGENSIM_ISA_CLONES double update_row(float* __restrict u, float* __restrict r,
                                      const float* __restrict p, const float* __restrict q,
                                      const float* __restrict w, float a, int n) {
  for (int x = 0; x < n; ++x) {
    u[x] += a * p[x];
    r[x] -= a * q[x];
  }
  return dot_row<true>(r, r, w, n);
}

/// p = w r + beta p along one row.
REGENSIM_ISA_CLONES void direction_row(float* __restrict p, const float* __restrict r,
                                       const float* __restrict w, float beta, int n) {
  for (int x = 0; x < n; ++x) p[x] = w[x] * r[x] + beta * p[x];
}

/// p = z + beta p along one row (z: the multigrid-preconditioned residual).
REGENSIM_ISA_CLONES void add_direction_row(float* __restrict p, const float* __restrict z,
                                           float beta, int n) {
  for (int x = 0; x < n; ++x) p[x] = z[x] + beta * p[x];
}

}  // namespace

double SteadyState::masked_sum(const float* v, const std::uint8_t* mask) {
  const int nx = lattice_.nx();
  const auto rows = static_cast<std::ptrdiff_t>(row_sums_.size());
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const std::ptrdiff_t base = row * nx;
    double sum = 0.0;
    for (int x = 0; x < nx; ++x) {
      if (mask == nullptr || mask[base + x] == 0) sum += static_cast<double>(v[base + x]);
    }
    row_sums_[static_cast<std::size_t>(row)] = sum;
  }
  return sum_rows();
}

double SteadyState::sum_rows() const {
  return sum_in_order(row_sums_);
}

void SteadyState::prepare(const Field& field, const VoxelTerm* terms, std::size_t term_count,
                          double c) {
  const std::size_t n = lattice_.size();
  if (diag_.size() != n) {
    for (auto* v : {&diag_, &inv_diag_, &r_, &p_, &q_}) v->assign(n, 0.0f);
    const auto rows = static_cast<std::size_t>(lattice_.ny()) * lattice_.nz();
    row_sums_.assign(rows, 0.0);
  }
  const int nx = lattice_.nx(), ny = lattice_.ny(), nz = lattice_.nz();
  const auto& faces = field.spec().faces;
  const auto fixed_face = [&](Face f) {
    return faces[static_cast<std::size_t>(f)].kind == BoundaryKind::FixedValue;
  };
  const double k = field.spec().decay_per_min;
  const std::uint8_t* mask = field.fixed_mask();
  const auto rows = static_cast<std::ptrdiff_t>(ny) * nz;
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const auto y = static_cast<int>(row % ny);
    const auto z = static_cast<int>(row / ny);
    int across = (y > 0) + (y < ny - 1) + (z > 0) + (z < nz - 1);
    int across_faces =
        (y == 0 && fixed_face(Face::YLow)) + (y == ny - 1 && fixed_face(Face::YHigh));
    if (nz > 1)
      across_faces += (z == 0 && fixed_face(Face::ZLow)) + (z == nz - 1 && fixed_face(Face::ZHigh));
    const std::ptrdiff_t base = row * nx;
    for (int x = 0; x < nx; ++x) {
      const int inside = across + (x > 0) + (x < nx - 1);
      const int on_faces = across_faces + (x == 0 && fixed_face(Face::XLow)) +
                           (x == nx - 1 && fixed_face(Face::XHigh));
      const std::ptrdiff_t i = base + x;
      const bool fixed = mask != nullptr && mask[i] != 0;
      const double d = k + c * (inside + 2 * on_faces);
      diag_[static_cast<std::size_t>(i)] = fixed ? 0.0f : static_cast<float>(d);
    }
  }
  for (std::size_t t = 0; t < term_count; ++t) {
    float& d = diag_[terms[t].voxel];
    d = static_cast<float>(static_cast<double>(d) + terms[t].uptake_per_min);
  }
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(n); ++i) {
    const float d = diag_[static_cast<std::size_t>(i)];
    inv_diag_[static_cast<std::size_t>(i)] = d > 0.0f ? 1.0f / d : 0.0f;
  }
}

double SteadyState::apply(const float* v, float* out, double c) {
  const int nx = lattice_.nx();
  const auto rows = static_cast<std::ptrdiff_t>(row_sums_.size());
  const std::vector<float> zeros(static_cast<std::size_t>(nx), 0.0f);
  const auto cf = static_cast<float>(c);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const std::ptrdiff_t base = row * nx;
    row_sums_[static_cast<std::size_t>(row)] =
        apply_dot_row(v + base, neighbours(lattice_, v, row, zeros.data()), diag_.data() + base, cf,
                      nx, out + base);
  }
  return sum_rows();
}

double SteadyState::residual(const Field& field, const VoxelTerm* terms, std::size_t term_count,
                             double c, double* b_norm2) {
  const int nx = lattice_.nx();
  const auto rows = static_cast<std::ptrdiff_t>(row_sums_.size());
  const float* u = field.values().data();
  float* r = r_.data();
  const std::vector<float> zeros(static_cast<std::size_t>(nx), 0.0f);
  const auto cf = static_cast<float>(c);
  // r = -(A u) with the fixed voxels' values in the couplings: their inflow is in it.
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const std::ptrdiff_t base = row * nx;
    apply_row(u + base, neighbours(lattice_, u, row, zeros.data()), diag_.data() + base, cf, nx,
              r + base);
    for (int x = 0; x < nx; ++x) r[base + x] = -r[base + x];
  }
  // + secretion and the fixed-value faces' inflow 2c g.
  for (std::size_t t = 0; t < term_count; ++t) {
    float& v = r[terms[t].voxel];
    v = static_cast<float>(static_cast<double>(v) + terms[t].secretion_per_min);
  }
  for_each_fixed_face_voxel(lattice_, field.spec().faces, [&](float g, VoxelIndex i) {
    r[i] = static_cast<float>(static_cast<double>(r[i]) + 2.0 * c * static_cast<double>(g));
  });
  // Fixed voxels are not unknowns.
  const auto n = static_cast<std::ptrdiff_t>(lattice_.size());
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    if (inv_diag_[static_cast<std::size_t>(i)] == 0.0f) r[i] = 0.0f;
  }
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const std::ptrdiff_t base = row * nx;
    row_sums_[static_cast<std::size_t>(row)] =
        dot_row<true>(r + base, r + base, inv_diag_.data() + base, nx);
  }
  const double rz = sum_rows();
  if (b_norm2 != nullptr) {
    // b = r + A u°, with u° the values at the unknowns only.
    float* p = p_.data();
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i)
      p[i] = inv_diag_[static_cast<std::size_t>(i)] == 0.0f ? 0.0f : u[i];
    apply(p, q_.data(), c);
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) p[i] = r[i] + q_[static_cast<std::size_t>(i)];
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t row = 0; row < rows; ++row) {
      const std::ptrdiff_t base = row * nx;
      row_sums_[static_cast<std::size_t>(row)] =
          dot_row<true>(p + base, p + base, inv_diag_.data() + base, nx);
    }
    *b_norm2 = sum_rows();
  }
  return rz;
}

SteadyResult SteadyState::solve(Field& field, const VoxelTerm* terms, std::size_t term_count,
                                double dt_min, double tolerance, bool non_negative_inputs) {
  assert(field.spec().decay_per_min > 0.0);
  assert(tolerance > 0.0);
  const double h = lattice_.voxel_size_um();
  const double c = field.spec().diffusion_um2_per_min / (h * h);
  prepare(field, terms, term_count, c);
  const auto rows = static_cast<std::ptrdiff_t>(row_sums_.size());
  const int nx = lattice_.nx();
  float* u = field.values().data();
  float* r = r_.data();
  float* p = p_.data();
  float* q = q_.data();
  const float* inv = inv_diag_.data();

  SteadyResult res;
  double b_norm2 = 0.0;
  double rz = residual(field, terms, term_count, c, &b_norm2);
  if (b_norm2 == 0.0) {
    // No secretion and no inflow: the steady state is 0 at every non-fixed voxel.
    const auto n = static_cast<std::ptrdiff_t>(lattice_.size());
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      if (inv[i] != 0.0f) u[i] = 0.0f;
    }
    rz = residual(field, terms, term_count, c, nullptr);
  }
  const double target = tolerance * tolerance * b_norm2;
  const bool multigrid = field.spec().steady_preconditioner == SteadyPreconditioner::Multigrid;
  if (multigrid && rz > target) {  // not when the warm start has converged already
    if (z_.size() != lattice_.size()) z_.assign(lattice_.size(), 0.0f);
    try {
      multigrid_.setup(lattice_, diag_.data(), inv, static_cast<float>(c));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error("field '" + field.name() + "': " + e.what() +
                               "; use solver.steady_preconditioner = \"jacobi\"");
    }
  }
  float* z = z_.data();
  // rz is Σ r^2/diag, the stopping norm; with Jacobi it is also Σ r·z, which sets the
  // step lengths (rho with multigrid).
  for (int restart = 0; rz > target; ++restart) {
    if (restart > kMaxRestarts || res.iterations >= kMaxIterations) {
      throw std::runtime_error("field '" + field.name() +
                               "': the quasi-steady solve did not converge (relative residual " +
                               std::to_string(std::sqrt(rz / b_norm2)) + " after " +
                               std::to_string(res.iterations) +
                               " iterations); raise solver.steady_tolerance");
    }
    const auto n = static_cast<std::ptrdiff_t>(lattice_.size());
    double rho = 0.0;
    if (multigrid) {
      rho = multigrid_.apply(r, z);
#pragma omp parallel for schedule(static)
      for (std::ptrdiff_t i = 0; i < n; ++i) p[i] = z[i];
    } else {
#pragma omp parallel for schedule(static)
      for (std::ptrdiff_t i = 0; i < n; ++i) p[i] = inv[i] * r[i];
    }
    while (rz > target && res.iterations < kMaxIterations) {
      const double alpha = (multigrid ? rho : rz) / apply(p, q, c);
      const auto a = static_cast<float>(alpha);
#pragma omp parallel for schedule(static)
      for (std::ptrdiff_t row = 0; row < rows; ++row) {
        const std::ptrdiff_t base = row * nx;
        row_sums_[static_cast<std::size_t>(row)] =
            update_row(u + base, r + base, p + base, q + base, inv + base, a, nx);
      }
      const double rz_next = sum_rows();
      ++res.iterations;
      if (multigrid) {
        rz = rz_next;
        if (rz <= target) break;
        const double rho_next = multigrid_.apply(r, z);
        const auto beta = static_cast<float>(rho_next / rho);
        rho = rho_next;
#pragma omp parallel for schedule(static)
        for (std::ptrdiff_t row = 0; row < rows; ++row) {
          const std::ptrdiff_t base = row * nx;
          add_direction_row(p + base, z + base, beta, nx);
        }
        continue;
      }
      const auto beta = static_cast<float>(rz_next / rz);
      rz = rz_next;
#pragma omp parallel for schedule(static)
      for (std::ptrdiff_t row = 0; row < rows; ++row) {
        const std::ptrdiff_t base = row * nx;
        direction_row(p + base, r + base, inv + base, beta, nx);
      }
    }
    rz = residual(field, terms, term_count, c, nullptr);
  }
  if (non_negative_inputs) {
    // The exact solution is then non-negative (A is an M-matrix and b >= 0): a negative
    // value is the iteration's tolerance, and is set to 0.
    const auto n = static_cast<std::ptrdiff_t>(lattice_.size());
    bool clamped = false;
#pragma omp parallel for schedule(static) reduction(|| : clamped)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      if (u[i] < 0.0f) {
        u[i] = 0.0f;
        clamped = true;
      }
    }
    if (clamped) rz = residual(field, terms, term_count, c, nullptr);
  }
  res.relative_residual = b_norm2 > 0.0 ? std::sqrt(rz / b_norm2) : 0.0;

  // The steady flows at the solution, over dt. Σ r over the unknowns is the net rate
  // (couplings between unknowns cancel in pairs), which gives the fixed voxels' inflow.
  FieldBalance& b = res.balance;
  const double kept = masked_sum(u, field.fixed_mask());
  const double net = masked_sum(r, field.fixed_mask());
  for (std::size_t t = 0; t < term_count; ++t) {
    b.secreted += dt_min * terms[t].secretion_per_min;
    b.taken_up += dt_min * terms[t].uptake_per_min * static_cast<double>(u[terms[t].voxel]);
  }
  b.decayed = dt_min * field.spec().decay_per_min * kept;
  b.boundary_in = dt_min * boundary_rate(field, c);
  b.fixed_in = dt_min * net - (b.secreted - b.decayed - b.taken_up + b.boundary_in);
  return res;
}

double SteadyState::boundary_rate(const Field& field, double c) const {
  const float* u = field.values().data();
  const std::uint8_t* mask = field.fixed_mask();
  double sum = 0.0;
  for_each_fixed_face_voxel(lattice_, field.spec().faces, [&](float g, VoxelIndex i) {
    if (mask == nullptr || mask[i] == 0)
      sum += 2.0 * c * (static_cast<double>(g) - static_cast<double>(u[i]));
  });
  return sum;
}

}  // namespace regensim::sim::detail
