#include "sim/solver/spectral_step.hpp"

#include <omp.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <numbers>
#include <string>

#include "sim/solver/diffusion_solver.hpp"
#include "sim/solver/transpose.hpp"

namespace regensim::sim {

std::string exact_step_obstacle(const Lattice& lattice, const Field& field) {
  const FieldSpec& spec = field.spec();
  if (spec.quasi_steady) return "it is quasi-steady";
  if (field.fixed_mask() != nullptr) return "it has a fixed layer ('" + spec.fixed_layer + "')";
  for (std::size_t f = 0; f < spec.faces.size(); ++f) {
    if (spec.faces[f].kind != BoundaryKind::NoFlux) {
      return std::string("its ") + kFaceNames[f] + " face holds a fixed value";
    }
  }
  for (const int n : {lattice.nx(), lattice.ny(), lattice.nz()}) {
    if (detail::LineDct::largest_prime_factor(n) > detail::kDctLargestFastPrime) {
      return "lattice side " + std::to_string(n) + " has a prime factor above " +
             std::to_string(detail::kDctLargestFastPrime);
    }
  }
  return "";
}

}  // namespace regensim::sim

namespace regensim::sim::detail {

namespace {

constexpr int kL = kDctLanes;
constexpr int kLines = 2 * kDctLanes;  // lines per work unit: two lane sets

/// Below this λ dt, (1 - e^{-λ dt}) / λ is taken from its series: 1 - e^{-λ dt} would
/// cancel to fewer than ten correct digits.
constexpr double kSeriesBelow = 1e-6;

}  // namespace

SpectralStep::SpectralStep(const Lattice& lattice)
    : lattice_(lattice), n_{lattice.nx(), lattice.ny(), lattice.nz()} {
  for (int a = 0; a < 3; ++a) dct_.emplace_back(n_[a]);
}

bool SpectralStep::applies(const Field& field) const {
  return exact_step_obstacle(lattice_, field).empty();
}

void SpectralStep::ensure_scratch() {
  const auto threads = static_cast<std::size_t>(std::max(1, omp_get_max_threads()));
  if (scratch_.size() >= threads) return;
  const auto longest = static_cast<std::size_t>(std::max({n_[0], n_[1], n_[2]}));
  scratch_.resize(threads);
  for (Scratch& sc : scratch_) {
    sc.u = DctBuffer(2 * longest);
    sc.s = DctBuffer(2 * longest);
    sc.work = DctBuffer(2 * longest);
  }
}

std::ptrdiff_t SpectralStep::unit_count(int axis) const {
  const std::ptrdiff_t nx = n_[0], ny = n_[1], nz = n_[2];
  const std::ptrdiff_t x_blocks = (nx + kLines - 1) / kLines;
  if (axis == 0) return (ny * nz + kLines - 1) / kLines;
  return (axis == 1 ? nz : ny) * x_blocks;
}

SpectralStep::Unit SpectralStep::unit(int axis, std::ptrdiff_t index) const {
  const std::ptrdiff_t nx = n_[0], ny = n_[1];
  Unit w;
  if (axis == 0) {  // x-lines: whole rows; row y + ny z
    const std::ptrdiff_t row0 = index * kLines;
    w.lines = static_cast<int>(std::min<std::ptrdiff_t>(kLines, ny * n_[2] - row0));
    w.first = row0 * nx;
    w.line_stride = nx;
    w.element_stride = 1;
    for (int j = 0; j < w.lines; ++j) {
      w.other[0][j] = static_cast<int>((row0 + j) % ny);
      w.other[1][j] = static_cast<int>((row0 + j) / ny);
    }
    return w;
  }
  // y- or z-lines: kLines consecutive x of one z-plane (y-lines) or one y-row (z-lines).
  const std::ptrdiff_t x_blocks = (nx + kLines - 1) / kLines;
  const std::ptrdiff_t outer = index / x_blocks;
  const std::ptrdiff_t x0 = (index % x_blocks) * kLines;
  w.lines = static_cast<int>(std::min<std::ptrdiff_t>(kLines, nx - x0));
  w.line_stride = 1;
  w.element_stride = axis == 1 ? nx : nx * ny;
  w.first = x0 + (axis == 1 ? outer * nx * ny : outer * nx);
  for (int j = 0; j < w.lines; ++j) {
    w.other[0][j] = static_cast<int>(x0 + j);
    w.other[1][j] = static_cast<int>(outer);  // z for y-lines, y for z-lines
  }
  return w;
}

double SpectralStep::run_unit(Op op, int axis, const Unit& w, float* u, const float* s,
                              const Update& up, bool clamp, Scratch& sc) const {
  const LineDct& dct = dct_[static_cast<std::size_t>(axis)];
  const int n = dct.size();
  DctVec* u_re = sc.u.data();
  DctVec* u_im = u_re + n;
  DctVec* w_re = sc.work.data();
  DctVec* w_im = w_re + n;

  // (The lambdas are inlined so that each instruction-set clone has its own copy.)
  // Element i of line j is lane j % kL of set j / kL (re, im) at block position p(i):
  // slot(i) on the line side of a transform, i on its spectral side. Whole units of y- or
  // z-lines move 16 consecutive floats at a time; x-lines move row by row.
  const auto floats = [](DctVec * v) __attribute__((always_inline)) {
    return reinterpret_cast<float*>(v);
  };
  DctVec* tile = w_re;  // the transforms' work space, free while blocks move
  const auto gather = [&](const float* data, DctVec* re, DctVec* im, bool slotted)
      __attribute__((always_inline)) {
    if (w.line_stride == 1 && w.lines == kLines) {
      for (int i = 0; i < n; ++i) {
        const int p = slotted ? dct.slot(i) : i;
        const float* e = data + w.first + i * w.element_stride;
        std::memcpy(&re[p], e, sizeof(DctVec));
        std::memcpy(&im[p], e + kL, sizeof(DctVec));
      }
      return;
    }
    if (axis == 0) {  // x-lines: transpose 16 rows at a time
      for (int set = 0; set < 2; ++set) {
        DctVec* to = set == 0 ? re : im;
        const int rows = std::clamp(w.lines - set * kL, 0, kL);
        if (rows < kL) std::fill(tile, tile + n, DctVec{});
        transpose(data + w.first + set * kL * w.line_stride, w.line_stride, rows, n, floats(tile),
                  kL);
        for (int i = 0; i < n; ++i) to[slotted ? dct.slot(i) : i] = tile[i];
      }
      return;
    }
    std::fill(re, re + n, DctVec{});
    std::fill(im, im + n, DctVec{});
    for (int j = 0; j < w.lines; ++j) {
      float* to = floats(j < kL ? re : im) + j % kL;
      const float* from = data + w.first + j * w.line_stride;
      for (int i = 0; i < n; ++i) {
        to[(slotted ? dct.slot(i) : i) * kL] = from[i * w.element_stride];
      }
    }
  };
  const auto scatter = [&](float* data, DctVec* re, DctVec* im, bool slotted)
      __attribute__((always_inline)) {
    if (w.line_stride == 1 && w.lines == kLines) {
      for (int i = 0; i < n; ++i) {
        const int p = slotted ? dct.slot(i) : i;
        float* e = data + w.first + i * w.element_stride;
        std::memcpy(e, &re[p], sizeof(DctVec));
        std::memcpy(e + kL, &im[p], sizeof(DctVec));
      }
      return;
    }
    if (axis == 0) {
      for (int set = 0; set < 2; ++set) {
        const DctVec* from = set == 0 ? re : im;
        const int rows = std::clamp(w.lines - set * kL, 0, kL);
        if (rows == 0) continue;
        for (int i = 0; i < n; ++i) tile[i] = from[slotted ? dct.slot(i) : i];
        transpose(floats(tile), kL, n, rows, data + w.first + set * kL * w.line_stride,
                  w.line_stride);
      }
      return;
    }
    for (int j = 0; j < w.lines; ++j) {
      const float* from = floats(j < kL ? re : im) + j % kL;
      float* to = data + w.first + j * w.line_stride;
      for (int i = 0; i < n; ++i) {
        to[i * w.element_stride] = from[(slotted ? dct.slot(i) : i) * kL];
      }
    }
  };
  // Negative round-off to zero (padding lanes are zero), returning the amount added.
  const auto clamp_block = [&](DctVec * re, DctVec * im) __attribute__((always_inline)) {
    // Lane-wise partial sums (a single float chain would serialise the loop), added in
    // lane order: the same bits for any thread count and instruction set.
    DctVec part = {};
    for (DctVec* v : {re, im}) {
      for (int e = 0; e < n; ++e) {
        const DctVec below = v[e] < 0.0f ? v[e] : DctVec{};
        part += below;
        v[e] -= below;
      }
    }
    double added = 0.0;
    for (int l = 0; l < kL; ++l) added -= static_cast<double>(part[l]);
    return added;
  };

  // One call site per transform direction: the kernels are inlined into each
  // instruction-set clone, and every further copy costs instruction cache (measured: a
  // second inverse call site made the exact pass 25 % slower).
  DctVec* s_re = sc.s.data();
  DctVec* s_im = s_re + n;
  if (op == Op::Inverse) {
    gather(u, u_re, u_im, false);
  } else {
    // Forward: u, and in the exact pass S too.
    const int arrays = op == Op::Exact && s != nullptr ? 2 : 1;
    for (int a = 0; a < arrays; ++a) {
      DctVec* re = a == 0 ? u_re : s_re;
      DctVec* im = a == 0 ? u_im : s_im;
      gather(a == 0 ? u : s, re, im, true);
      dct.forward(re, im, w_re, w_im);
    }
    if (op == Op::Forward) {
      scatter(u, u_re, u_im, false);
      return 0.0;
    }
    update_modes(axis, w, up, n, u_re, u_im, s != nullptr ? s_re : nullptr, s_im);
  }
  dct.inverse(u_re, u_im, w_re, w_im);
  const double added = clamp ? clamp_block(u_re, u_im) : 0.0;
  scatter(u, u_re, u_im, true);
  return added;
}

void SpectralStep::update_modes(int axis, const Unit& w, const Update& up, int n, DctVec* u_re,
                                DctVec* u_im, const DctVec* s_re, const DctVec* s_im) const {
  const auto floats = [](DctVec* v) { return reinterpret_cast<float*>(v); };
  const auto const_floats = [](const DctVec* v) { return reinterpret_cast<const float*>(v); };
  // Per line: the rate and decay of its modes on the other two axes.
  const int o0 = axis == 0 ? 1 : 0;
  const int o1 = axis == 2 ? 1 : 2;
  alignas(64) double rest_rate[kLines], rest_decay[kLines];
  for (int j = 0; j < kLines; ++j) {
    const bool line = j < w.lines;
    const auto m0 = static_cast<std::size_t>(line ? w.other[0][j] : 0);
    const auto m1 = static_cast<std::size_t>(line ? w.other[1][j] : 0);
    rest_rate[j] = up.k + modes_[o0].rate[m0] + modes_[o1].rate[m1];
    rest_decay[j] = up.k_decay * modes_[o0].decay[m0] * modes_[o1].decay[m1];
  }
  const Modes& along = modes_[axis];
  const auto dt_f = static_cast<float>(up.dt);
  const auto norm_f = static_cast<float>(up.norm);
  for (int set = 0; set < 2; ++set) {
    float* uf = floats(set == 0 ? u_re : u_im);
    const float* sf = s_re != nullptr ? const_floats(set == 0 ? s_re : s_im) : nullptr;
    const double* rate0 = rest_rate + set * kL;
    const double* decay0 = rest_decay + set * kL;
    for (int k = 0; k < n; ++k) {
      const double rate_k = along.rate[static_cast<std::size_t>(k)];
      const double decay_k = along.decay[static_cast<std::size_t>(k)];
      float* uk = uf + k * kL;
      if (sf == nullptr) {
        for (int l = 0; l < kL; ++l) {
          uk[l] = static_cast<float>(decay0[l] * decay_k * static_cast<double>(uk[l]) * up.norm);
        }
        continue;
      }
      const float* sk = sf + k * kL;
      // e and 1 - e in double (1 - e keeps its digits where e is near 1), then the
      // gain (1 - e) / λ and the update in float, which is stored as float anyway (about
      // 5 % off the exact pass against the update in double).
      alignas(64) float e_f[kL], lost_f[kL], rate_f[kL];
      for (int l = 0; l < kL; ++l) {
        const double e = decay0[l] * decay_k;
        e_f[l] = static_cast<float>(e);
        lost_f[l] = static_cast<float>(1.0 - e);
        rate_f[l] = static_cast<float>(rate0[l] + rate_k);
      }
      for (int l = 0; l < kL; ++l) {
        // (1 - e^{-λ dt}) / λ, or its series dt (1 - λ dt / 2) where λ dt is tiny.
        const float x = rate_f[l] * dt_f;
        const bool tiny = x < static_cast<float>(kSeriesBelow);
        const float gain = tiny ? dt_f * (1.0f - 0.5f * x) : lost_f[l] / (tiny ? 1.0f : rate_f[l]);
        uk[l] = (e_f[l] * uk[l] + gain * sk[l]) * norm_f;
      }
    }
  }
}

double SpectralStep::pass(Op op, int axis, float* u, const float* s, const Update& up, bool clamp) {
  const std::ptrdiff_t units = unit_count(axis);
  unit_sums_.assign(static_cast<std::size_t>(units), 0.0);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < units; ++i) {
    const Unit w = unit(axis, i);
    unit_sums_[static_cast<std::size_t>(i)] = run_unit(
        op, axis, w, u, s, up, clamp, scratch_[static_cast<std::size_t>(omp_get_thread_num())]);
  }
  double sum = 0.0;
  for (const double v : unit_sums_) sum += v;  // unit order: any thread count
  return sum;
}

FieldBalance SpectralStep::step(Field& field, const VoxelTerm* terms, std::size_t count,
                                double dt_min, bool non_negative, float* source) {
  assert(applies(field));
  assert(std::all_of(terms, terms + count,
                     [](const VoxelTerm& t) { return t.uptake_per_min == 0.0; }));
  FieldBalance b;
  if (dt_min == 0.0) return b;
  ensure_scratch();
  const FieldSpec& spec = field.spec();
  const double h = lattice_.voxel_size_um();
  const double k = spec.decay_per_min;
  float* u = field.values().data();

  // The balance: every flow but decay is zero, and the total's mode is exact, so
  //   secreted = dt Σ S,  decayed = (1 - e^{-k dt}) T0 + (dt - (1 - e^{-k dt}) / k) Σ S.
  double secretion = 0.0;
  for (std::size_t i = 0; i < count; ++i) secretion += terms[i].secretion_per_min;
  const double before = field.total();
  b.secreted = dt_min * secretion;
  if (k > 0.0) {
    const double lost = -std::expm1(-k * dt_min);
    b.decayed = lost * before + (dt_min - lost / k) * secretion;
  }

  // The source grid and the sign check, in parallel (serial, they left the other thread
  // waiting); the summed terms have one entry per voxel, so the scatter has no conflicts.
  const auto voxels = static_cast<std::ptrdiff_t>(lattice_.size());
  const auto term_count = static_cast<std::ptrdiff_t>(count);
  const float* values = field.values().data();
  unsigned negative = 0;
#pragma omp parallel
  {
    if (count > 0) {
#pragma omp for schedule(static)
      for (std::ptrdiff_t i = 0; i < voxels; ++i) source[i] = 0.0f;
#pragma omp for schedule(static)
      for (std::ptrdiff_t t = 0; t < term_count; ++t) {
        source[terms[t].voxel] = static_cast<float>(terms[t].secretion_per_min);
      }
    }
    if (non_negative) {
#pragma omp for schedule(static) reduction(| : negative)
      for (std::ptrdiff_t i = 0; i < voxels; ++i) negative |= values[i] < 0.0f ? 1u : 0u;
    }
  }
  const float* s = count > 0 ? source : nullptr;
  const bool inputs_non_negative = non_negative && negative == 0;

  Update up;
  up.dt = dt_min;
  up.k = k;
  up.k_decay = std::exp(-k * dt_min);
  up.norm = 1.0;
  for (int a = 0; a < 3; ++a) {
    const int n = n_[a];
    up.norm /= n;
    Modes& m = modes_[a];
    m.rate.resize(static_cast<std::size_t>(n));
    m.decay.resize(static_cast<std::size_t>(n));
    for (int q = 0; q < n; ++q) {
      const double sine = std::sin(std::numbers::pi * q / (2.0 * n));
      const double rate = 4.0 * spec.diffusion_um2_per_min / (h * h) * sine * sine;
      m.rate[static_cast<std::size_t>(q)] = rate;
      m.decay[static_cast<std::size_t>(q)] = std::exp(-rate * dt_min);
    }
  }

  // The last axis longer than one voxel takes the exact pass; the others are transformed
  // before it and back after it, and the last pass to write sets round-off to zero.
  int last = 0;
  for (int a = 0; a < 3; ++a) {
    if (n_[a] > 1) last = a;
  }
  for (int a = 0; a < last; ++a) {
    if (n_[a] == 1) continue;
    pass(Op::Forward, a, u, nullptr, up, false);
    if (s != nullptr) pass(Op::Forward, a, source, nullptr, up, false);
  }
  int first = last;
  for (int a = 0; a < last; ++a) {
    if (n_[a] > 1) {
      first = a;
      break;
    }
  }
  double clamped = pass(Op::Exact, last, u, s, up, inputs_non_negative && first == last);
  for (int a = last - 1; a >= 0; --a) {
    if (n_[a] == 1) continue;
    clamped += pass(Op::Inverse, a, u, nullptr, up, inputs_non_negative && a == first);
  }
  rounded_up_ += clamped;
  return b;
}

}  // namespace regensim::sim::detail
