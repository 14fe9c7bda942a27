#include "sim/solver/diffusion_solver.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

#include "sim/solver/explicit_ftcs.hpp"
#include "sim/solver/implicit_lod.hpp"

namespace regensim::sim {

void DiffusionSolver::restore_carried_state(const std::vector<SolverWord>& words) {
  if (!words.empty()) {
    throw std::invalid_argument("solver state word '" + words.front().name +
                                "' for a solver that carries none");
  }
}

bool DiffusionSolver::steps_exactly(const Field&) const {
  return false;
}

namespace {

// The decay sum is split into at most kMaxDecayBlocks blocks whose size depends only on
// the lattice size, so the double sum has the same order for any thread count.
constexpr std::size_t kMaxDecayBlocks = 512;
constexpr std::size_t kMinDecayBlock = 4096;

}  // namespace

std::unique_ptr<DiffusionSolver> make_solver(SolverMethod method, const Lattice& lattice) {
  switch (method) {
    case SolverMethod::ImplicitLod:
      return std::make_unique<ImplicitLodSolver>(lattice);
    case SolverMethod::ExplicitFtcs:
      return std::make_unique<ExplicitFtcsSolver>(lattice);
  }
  throw std::invalid_argument("make_solver: unknown solver method");
}

double explicit_stability_limit_min(const Lattice& lattice, double diffusion_um2_per_min) {
  if (!(diffusion_um2_per_min >= 0.0)) {
    throw std::invalid_argument("explicit_stability_limit_min: diffusion coefficient " +
                                std::to_string(diffusion_um2_per_min) + " µm²/min must be >= 0");
  }
  if (diffusion_um2_per_min == 0.0) return std::numeric_limits<double>::infinity();
  const double h = lattice.voxel_size_um();
  return h * h / (2.0 * lattice.dimensions() * diffusion_um2_per_min);
}

int substep_count(double step_min, double max_step_min) {
  if (!(max_step_min > 0.0)) {
    throw std::invalid_argument("substep_count: max_step_min = " + std::to_string(max_step_min) +
                                " must be > 0");
  }
  if (!(step_min >= 0.0) || std::isinf(step_min)) {
    throw std::invalid_argument("substep_count: step_min = " + std::to_string(step_min) +
                                " must be finite and >= 0");
  }
  // 0.3 / 0.1 is 2.9999999999999996 and 4.9 / 0.7 is 7.000000000000001 in double: a ratio
  // within 1e-12 of an integer is taken as that integer, so the sub-step may exceed
  // max_step_min by at most that relative round-off.
  const double ratio = step_min / max_step_min;
  const double n = std::ceil(ratio * (1.0 - 1e-12));
  if (n >= static_cast<double>(std::numeric_limits<int>::max())) {
    throw std::invalid_argument("substep_count: " + std::to_string(step_min) + " / " +
                                std::to_string(max_step_min) + " sub-steps do not fit an int");
  }
  return std::max(1, static_cast<int>(n));
}

FieldBalance apply_reactions(Field& field, double dt_min) {
  assert(dt_min >= 0.0);
  FieldBalance b;
  std::vector<float>& c = field.values();
  const std::uint8_t* mask = field.fixed_mask();

  // Point terms in list order (a voxel may appear more than once): backward Euler for
  // dc/dt = S - U c, so c_new - c = dt*S - dt*U*c_new holds exactly before rounding.
  for (const PointTerm& p : field.point_terms()) {
    assert(p.voxel < c.size());
    if (mask != nullptr && mask[p.voxel] != 0) continue;
    const double s_dt = dt_min * static_cast<double>(p.secretion_per_min);
    const double u_dt = dt_min * static_cast<double>(p.uptake_per_min);
    const double c_new = (static_cast<double>(c[p.voxel]) + s_dt) / (1.0 + u_dt);
    c[p.voxel] = static_cast<float>(c_new);
    b.secreted += s_dt;
    b.taken_up += u_dt * c_new;
  }

  const double k_dt = dt_min * field.spec().decay_per_min;
  if (k_dt == 0.0) return b;
  assert(k_dt > 0.0);

  // Decay c_new = c / (1 + dt*k), so c_new - c = -dt*k*c_new; per-block sums of c_new.
  const std::size_t n = c.size();
  const std::size_t block = std::max(kMinDecayBlock, (n + kMaxDecayBlocks - 1) / kMaxDecayBlocks);
  const auto blocks = static_cast<std::ptrdiff_t>((n + block - 1) / block);
  std::array<double, kMaxDecayBlocks> partial{};
  const double factor = 1.0 / (1.0 + k_dt);
  float* data = c.data();

#pragma omp parallel for schedule(static) if (blocks > 1)
  for (std::ptrdiff_t bi = 0; bi < blocks; ++bi) {
    const std::size_t begin = static_cast<std::size_t>(bi) * block;
    const std::size_t end = std::min(n, begin + block);
    double sum = 0.0;
    if (mask == nullptr) {
      for (std::size_t i = begin; i < end; ++i) {
        const double v = static_cast<double>(data[i]) * factor;
        data[i] = static_cast<float>(v);
        sum += v;
      }
    } else {
      for (std::size_t i = begin; i < end; ++i) {
        if (mask[i] != 0) continue;
        const double v = static_cast<double>(data[i]) * factor;
        data[i] = static_cast<float>(v);
        sum += v;
      }
    }
    partial[static_cast<std::size_t>(bi)] = sum;
  }
  double kept = 0.0;
  for (std::ptrdiff_t bi = 0; bi < blocks; ++bi) kept += partial[static_cast<std::size_t>(bi)];
  b.decayed = k_dt * kept;
  return b;
}

}  // namespace regensim::sim
