#include "sim/solver/implicit_lod.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string_view>
#include <utility>

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
// the reactions at the x-stage value u + d1. Rounding: F and d are stored as float
// (douglas_planes.hpp) and every sum is taken in double over the stored values, so the
// identity holds up to the float rounding of the solves, far below that of the totals.
//
// Fallback step. Each stage is a backward-Euler solve whose row sums give
//   Σ u_a - Σ u_{a-1} = Σ_a-faces 2r (g - u_a,end) + Σ_a-fixed-edges r (u_fixed - u_a,i)
//                      [x stage also: + Σ dt S_i - Σ dt R_i u1_i],
// so decayed = dt k Σ u1, taken_up = Σ dt U_i u1_i and the fluxes are those of each stage.

namespace {

/// The first sub-step of a graded start has r = dt*D/h^2 at most this (see the header).
constexpr double kRampFirstR = 0.25;

/// FNV-1a on whole 64-bit words: a cheap fingerprint of a forcing (change detection only).
class Fnv1a {
 public:
  Fnv1a() = default;
  explicit Fnv1a(std::uint64_t state) : h_(state) {}
  void add(std::uint64_t word) { h_ = (h_ ^ word) * 1099511628211ull; }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 14695981039346656037ull;
};

/// Graded-start levels for a step with r = dt*D/h^2: the number of halvings that bring
/// the first sub-step to r <= kRampFirstR.
int ramp_levels(double r) {
  if (!(r > kRampFirstR)) return 0;
  return static_cast<int>(std::ceil(std::log2(r / kRampFirstR)));
}

/// A fingerprint of n mask bytes that only decides whether the mask changed within this
/// process: 64 KiB chunks in parallel, each mixed on four independent lanes (no chain of
/// dependent multiplications), combined in chunk order, so the same for any thread count.
/// `chunks` is scratch (one word per chunk).
std::uint64_t quick_mask_hash(const std::uint8_t* mask, std::size_t n,
                              std::vector<std::uint64_t>& chunks) {
  constexpr std::size_t kChunk = std::size_t{1} << 16;
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
  chunks.resize((n + kChunk - 1) / kChunk);
  const auto count = static_cast<std::ptrdiff_t>(chunks.size());
#pragma omp parallel for schedule(static) if (count > 1)
  for (std::ptrdiff_t c = 0; c < count; ++c) {
    const std::size_t begin = static_cast<std::size_t>(c) * kChunk;
    const std::size_t end = std::min(n, begin + kChunk);
    std::uint64_t lane[4] = {1, 2, 3, 4};
    std::size_t i = begin;
    for (; i + 32 <= end; i += 32) {
      for (int k = 0; k < 4; ++k) {
        std::uint64_t word = 0;
        std::memcpy(&word, mask + i + 8 * k, 8);
        lane[k] = (lane[k] ^ word) * kMul;
      }
    }
    for (; i < end; ++i) lane[0] = (lane[0] ^ mask[i]) * kMul;
    chunks[static_cast<std::size_t>(c)] =
        ((lane[0] * kMul ^ lane[1]) * kMul ^ lane[2]) * kMul ^ lane[3];
  }
  std::uint64_t combined = 0;
  for (const std::uint64_t h : chunks) combined = (combined ^ h) * kMul + 1;
  return combined;
}

/// Stable LSD radix sort of `v` by voxel index, three passes of 11 bits (32-bit keys).
template <class T>
void sort_by_voxel(std::vector<T>& v, std::vector<T>& buffer) {
  constexpr int kBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  buffer.resize(v.size());
  std::uint32_t largest = 0;
  for (const T& t : v) largest = std::max<std::uint32_t>(largest, t.voxel);
  for (int shift = 0; shift < 32 && (largest >> shift) != 0; shift += kBits) {
    std::array<std::size_t, kBuckets + 1> start{};
    for (const T& t : v) ++start[((t.voxel >> shift) & (kBuckets - 1)) + 1];
    for (std::size_t b = 0; b < kBuckets; ++b) start[b + 1] += start[b];
    for (const T& t : v) buffer[start[(t.voxel >> shift) & (kBuckets - 1)]++] = t;
    v.swap(buffer);
  }
}

/// Terms per work unit of sum_terms' parallel passes: fixed, so the units do not depend
/// on the thread count (and each pass gives what the serial one gives).
constexpr std::size_t kTermChunk = 16384;

std::ptrdiff_t term_chunks(std::size_t n) {
  return static_cast<std::ptrdiff_t>((n + kTermChunk - 1) / kTermChunk);
}

/// The terms [begin, end) of chunk c of n.
std::pair<std::size_t, std::size_t> term_chunk(std::ptrdiff_t c, std::size_t n) {
  const std::size_t begin = static_cast<std::size_t>(c) * kTermChunk;
  return {begin, std::min(n, begin + kTermChunk)};
}

bool faces_non_negative(const FieldSpec& spec) {
  return std::all_of(spec.faces.begin(), spec.faces.end(), [](const FaceBoundary& f) {
    return f.kind != BoundaryKind::FixedValue || f.value >= 0.0f;
  });
}

bool is_identity(const detail::AxisStage& st, int n, bool extra) {
  if (st.sigma != 0.0 || extra) return false;
  if (st.r == 0.0) return true;
  return n == 1 && !st.low_fixed && !st.high_fixed;
}

}  // namespace

ImplicitLodSolver::ImplicitLodSolver(const Lattice& lattice, bool graded_start)
    : lattice_(lattice),
      douglas_(lattice),
      steady_(lattice),
      spectral_(lattice),
      next_(lattice.size(), 0.0f),
      axes_(lattice),
      graded_start_(graded_start) {}

FieldBalance ImplicitLodSolver::step(Field& field, double dt_min) {
  assert(field.values().size() == lattice_.size());
  assert(dt_min >= 0.0);
  assert(field.spec().decay_per_min >= 0.0);
  const double h = lattice_.voxel_size_um();
  const double r = dt_min * field.spec().diffusion_um2_per_min / (h * h);
  assert(r >= 0.0);
  // An exact step needs no forcing signature (it has no graded start); it records
  // kExactStepSignature, so that a later Douglas step of the field starts graded.
  const bool exact = steps_exactly(field);
  const bool changed = forcing_changed(field.name(), collect_terms(field, !exact));
  if (field.spec().quasi_steady) {
    const bool non_negative = current_->non_negative && faces_non_negative(field.spec()) &&
                              field.spec().fixed_value >= 0.0;
    const detail::SteadyResult res =
        steady_.solve(field, current_->terms.data(), current_->terms.size(), dt_min,
                      field.spec().steady_tolerance, non_negative);
    last_steady_iterations_ = res.iterations;
    return res.balance;
  }
  if (r == 0.0 && field.spec().decay_per_min == 0.0 && current_->terms.empty()) return {};
  if (exact) {
    return spectral_.step(field, current_->terms.data(), current_->terms.size(), dt_min,
                          current_->non_negative, next_.data());
  }
  const int levels = changed && graded_start_ ? ramp_levels(r) : 0;
  if (levels == 0) return substep(field, dt_min);
  // Graded start: dt/2^L, dt/2^L, dt/2^(L-1), ..., dt/2 (powers of two: exact sum dt).
  double sub = std::ldexp(dt_min, -levels);
  FieldBalance b = substep(field, sub);
  for (int j = 0; j < levels; ++j) {
    b += substep(field, sub);
    sub *= 2.0;
  }
  return b;
}

bool ImplicitLodSolver::steps_exactly(const Field& field) const {
  if (!field.spec().exact_steps || !spectral_.applies(field)) return false;
  const auto& listed = field.point_terms();
  return std::none_of(listed.begin(), listed.end(),
                      [](const PointTerm& p) { return p.uptake_per_min != 0.0f; });
}

FieldBalance ImplicitLodSolver::substep(Field& field, double dt_min) {
  const double h = lattice_.voxel_size_um();
  detail::DouglasInput in;
  in.u = field.values().data();
  in.mask = field.fixed_mask();
  in.terms = current_->terms.data();
  in.term_count = current_->terms.size();
  in.dt = dt_min;
  in.r = dt_min * field.spec().diffusion_um2_per_min / (h * h);
  in.k_dt = dt_min * field.spec().decay_per_min;
  in.faces = field.spec().faces;
  const detail::DouglasResult res = douglas_.step(in, next_.data());
  const bool inputs_non_negative =
      current_->non_negative && !res.negative_input && faces_non_negative(field.spec());
  if (inputs_non_negative && res.negative_output) {
    ++fallbacks_;
    return fallback(field, dt_min);
  }
  field.values().swap(next_);  // next_ now holds the old values, to be overwritten
  return res.balance;
}

detail::AxisStage ImplicitLodSolver::stage(const Field& field, int axis, double r) const {
  detail::AxisStage st;
  st.axis = axis;
  st.r = r;
  const FaceBoundary& lo = field.spec().faces[static_cast<std::size_t>(2 * axis)];
  const FaceBoundary& hi = field.spec().faces[static_cast<std::size_t>(2 * axis + 1)];
  st.low_fixed = lo.kind == BoundaryKind::FixedValue;
  st.high_fixed = hi.kind == BoundaryKind::FixedValue;
  st.g_low = static_cast<double>(lo.value);
  st.g_high = static_cast<double>(hi.value);
  return st;
}

std::uint64_t ImplicitLodSolver::collect_terms(const Field& field, bool want_signature) {
  const std::vector<PointTerm>& list = field.point_terms();
  const std::uint8_t* mask = field.fixed_mask();
  auto it = std::find_if(field_terms_.begin(), field_terms_.end(),
                         [&](const FieldTerms& c) { return c.field == field.name(); });
  const bool is_new = it == field_terms_.end();
  if (is_new) {
    FieldTerms fresh;
    fresh.field = field.name();
    field_terms_.push_back(std::move(fresh));
    it = field_terms_.end() - 1;
  }

  // The fixed mask, by content (a vessel layer may change in place). Its FNV-1a
  // fingerprint is part of the signature, which checkpoints keep; it reads the mask one
  // word at a time in a chain of multiplications, so it is recomputed only when the quick
  // parallel fingerprint says the mask changed (serially about 0.3 ms per 128^3 step).
  std::uint64_t quick = 0;
  bool mask_same = false;
  if (mask != nullptr) {
    quick = quick_mask_hash(mask, lattice_.size(), quick_chunks_);
    mask_same = !is_new && it->has_mask_quick && it->mask_quick == quick;
  }
  std::uint64_t mask_hash = it->mask_hash;
  if (!mask_same) {
    Fnv1a mask_sig;
    mask_sig.add(mask != nullptr ? 1u : 0u);
    if (mask != nullptr) {
      const std::size_t n = lattice_.size();
      std::size_t i = 0;
      for (; i + 8 <= n; i += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, mask + i, 8);
        mask_sig.add(word);
      }
      for (; i < n; ++i) mask_sig.add(mask[i]);
    }
    mask_hash = mask_sig.value();
  }

  if (is_new) {
    sum_terms(field, *it, want_signature);
  } else {
    const bool same_list = it->listed.size() == list.size() &&
                           (list.empty() || std::memcmp(it->listed.data(), list.data(),
                                                        list.size() * sizeof(PointTerm)) == 0);
    if (!same_list || it->mask_hash != mask_hash || (want_signature && !it->hashed)) {
      sum_terms(field, *it, want_signature);
    }
  }
  it->mask_hash = mask_hash;
  it->mask_quick = quick;
  it->has_mask_quick = mask != nullptr;
  current_ = &*it;
  if (!want_signature) return kExactStepSignature;
  // The forcing: the summed terms, then the mask.
  Fnv1a sig(it->term_hash);
  sig.add(mask_hash);
  return sig.value();
}

void ImplicitLodSolver::sum_terms(const Field& field, FieldTerms& cache, bool hash) {
  // Serial, this was the largest part of the main thread's work between parallel regions
  // with exact steps (about 7 % of its time on two threads, the other thread waiting), so
  // every pass but the radix sort and the signature runs over fixed chunks of the list in
  // parallel; each gives what the serial pass gives.
  cache.listed = field.point_terms();
  keep_unfixed_terms(field);
  order_by_voxel();
  cache.non_negative = sum_per_voxel(cache.terms);
  // The signature: a serial chain of multiplications (about 0.3 ms per 10^5 terms), so
  // only where a Douglas step needs it.
  Fnv1a sig;
  if (hash) {
    for (const RawTerm& p : order_) {
      sig.add(p.voxel);
      sig.add(std::bit_cast<std::uint32_t>(p.secretion));
      sig.add(std::bit_cast<std::uint32_t>(p.uptake));
    }
  }
  cache.hashed = hash;
  cache.term_hash = sig.value();
}

void ImplicitLodSolver::keep_unfixed_terms(const Field& field) {
  // Fixed voxels ignore point terms. The others in list order: counted per chunk, then
  // each chunk's copied to its prefix-sum offset.
  const std::vector<PointTerm>& list = field.point_terms();
  const std::uint8_t* mask = field.fixed_mask();
  const auto chunks = term_chunks(list.size());
  chunk_counts_.assign(static_cast<std::size_t>(chunks) + 1, 0);
  const auto kept = [&](std::size_t k) { return mask == nullptr || mask[list[k].voxel] == 0; };
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (std::ptrdiff_t c = 0; c < chunks; ++c) {
    const auto [begin, end] = term_chunk(c, list.size());
    std::size_t count = 0;
    for (std::size_t k = begin; k < end; ++k) {
      assert(list[k].voxel < lattice_.size());
      assert(std::isfinite(list[k].secretion_per_min) && std::isfinite(list[k].uptake_per_min));
      count += kept(k) ? 1 : 0;
    }
    chunk_counts_[static_cast<std::size_t>(c) + 1] = count;
  }
  std::partial_sum(chunk_counts_.begin(), chunk_counts_.end(), chunk_counts_.begin());
  order_.resize(chunk_counts_.back());
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (std::ptrdiff_t c = 0; c < chunks; ++c) {
    const auto [begin, end] = term_chunk(c, list.size());
    std::size_t at = chunk_counts_[static_cast<std::size_t>(c)];
    for (std::size_t k = begin; k < end; ++k) {
      if (kept(k))
        order_[at++] = {list[k].voxel, list[k].secretion_per_min, list[k].uptake_per_min};
    }
  }
}

void ImplicitLodSolver::order_by_voxel() {
  // By voxel, then by value: the per-voxel sums, and so the results, do not depend on the
  // order in which the terms were listed. A stable radix sort by voxel (the engine lists
  // ~10^5 terms per field and cell step; std::sort took 10% of a run), whose order is
  // kept for the next field when it lists the same voxels in the same order (the
  // secreted factors do: a serial 2-3% of a run on two threads); sum_per_voxel() sorts
  // by value within the rare voxels that carry several terms.
  const std::size_t n = order_.size();
  const auto chunks = term_chunks(n);
  bool same_voxels = keyed_voxels_.size() == n;
  if (same_voxels) {
    int differ = 0;
#pragma omp parallel for schedule(static) reduction(| : differ) if (chunks > 1)
    for (std::ptrdiff_t c = 0; c < chunks; ++c) {
      const auto [begin, end] = term_chunk(c, n);
      for (std::size_t k = begin; k < end; ++k) differ |= order_[k].voxel != keyed_voxels_[k];
    }
    same_voxels = differ == 0;
  }
  if (!same_voxels) {
    keyed_voxels_.resize(n);
    keys_.resize(n);
#pragma omp parallel for schedule(static) if (chunks > 1)
    for (std::ptrdiff_t c = 0; c < chunks; ++c) {
      const auto [begin, end] = term_chunk(c, n);
      for (std::size_t k = begin; k < end; ++k) {
        keyed_voxels_[k] = order_[k].voxel;
        keys_[k] = {order_[k].voxel, static_cast<std::uint32_t>(k)};
      }
    }
    sort_by_voxel(keys_, key_buffer_);
  }
  sorted_.resize(n);
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (std::ptrdiff_t c = 0; c < chunks; ++c) {
    const auto [begin, end] = term_chunk(c, n);
    for (std::size_t k = begin; k < end; ++k) sorted_[k] = order_[keys_[k].index];
  }
  order_.swap(sorted_);
}

bool ImplicitLodSolver::sum_per_voxel(std::vector<Term>& terms) {
  // Chunks that start at a voxel's first term (so that no voxel is split), each sorting
  // its voxels' terms by value and counting its voxels, then summing them into its
  // prefix-sum place in the terms.
  const std::size_t n = order_.size();
  const auto chunks = term_chunks(n);
  group_bounds_.resize(static_cast<std::size_t>(chunks) + 1);
  std::size_t bound = 0;  // never decreasing: a voxel spanning chunks is scanned once
  for (std::ptrdiff_t c = 0; c <= chunks; ++c) {
    std::size_t i = std::max(bound, std::min(n, static_cast<std::size_t>(c) * kTermChunk));
    while (i > 0 && i < n && order_[i].voxel == order_[i - 1].voxel) ++i;
    group_bounds_[static_cast<std::size_t>(c)] = bound = i;
  }
  chunk_counts_.assign(static_cast<std::size_t>(chunks) + 1, 0);
  const auto by_value = [](const RawTerm& a, const RawTerm& b) {
    if (a.secretion != b.secretion) return a.secretion < b.secretion;
    return a.uptake < b.uptake;
  };
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (std::ptrdiff_t c = 0; c < chunks; ++c) {
    const std::size_t end = group_bounds_[static_cast<std::size_t>(c) + 1];
    std::size_t voxels = 0;
    for (std::size_t i = group_bounds_[static_cast<std::size_t>(c)]; i < end;) {
      std::size_t j = i + 1;
      while (j < end && order_[j].voxel == order_[i].voxel) ++j;
      if (j - i > 1)
        std::sort(order_.begin() + static_cast<std::ptrdiff_t>(i),
                  order_.begin() + static_cast<std::ptrdiff_t>(j), by_value);
      ++voxels;
      i = j;
    }
    chunk_counts_[static_cast<std::size_t>(c) + 1] = voxels;
  }
  std::partial_sum(chunk_counts_.begin(), chunk_counts_.end(), chunk_counts_.begin());
  terms.resize(chunk_counts_.back());
  int negative = 0;
#pragma omp parallel for schedule(static) reduction(| : negative) if (chunks > 1)
  for (std::ptrdiff_t c = 0; c < chunks; ++c) {
    const std::size_t end = group_bounds_[static_cast<std::size_t>(c) + 1];
    std::size_t at = chunk_counts_[static_cast<std::size_t>(c)];
    for (std::size_t i = group_bounds_[static_cast<std::size_t>(c)]; i < end; ++at) {
      Term t{order_[i].voxel, 0.0, 0.0};
      for (; i < end && order_[i].voxel == t.voxel; ++i) {
        t.secretion_per_min += static_cast<double>(order_[i].secretion);
        t.uptake_per_min += static_cast<double>(order_[i].uptake);
      }
      assert(t.uptake_per_min >= 0.0);
      negative |= t.secretion_per_min >= 0.0 ? 0 : 1;  // NaN counts as negative
      terms[at] = t;
    }
  }
  return negative == 0;
}

namespace {
constexpr std::string_view kForcingPrefix = "forcing/";
constexpr std::string_view kFallbacksWord = "positivity_fallbacks";
}  // namespace

std::vector<SolverWord> ImplicitLodSolver::carried_state() const {
  std::vector<SolverWord> words;
  for (const Forcing& f : forcing_)
    words.push_back({std::string(kForcingPrefix) + f.field, f.signature});
  words.push_back({std::string(kFallbacksWord), static_cast<std::uint64_t>(fallbacks_)});
  return words;
}

void ImplicitLodSolver::restore_carried_state(const std::vector<SolverWord>& words) {
  std::vector<Forcing> forcing;
  std::int64_t fallbacks = 0;
  for (const SolverWord& w : words) {
    if (w.name.starts_with(kForcingPrefix)) {
      forcing.push_back({w.name.substr(kForcingPrefix.size()), w.value});
    } else if (w.name == kFallbacksWord) {
      fallbacks = static_cast<std::int64_t>(w.value);
    } else {
      throw std::invalid_argument("implicit solver: unknown state word '" + w.name + "'");
    }
  }
  forcing_ = std::move(forcing);
  fallbacks_ = fallbacks;
}

bool ImplicitLodSolver::forcing_changed(const std::string& name, std::uint64_t signature) {
  for (Forcing& f : forcing_) {
    if (f.field == name) {
      const bool changed = f.signature != signature;
      f.signature = signature;
      return changed;
    }
  }
  forcing_.push_back({name, signature});
  return true;
}

FieldBalance ImplicitLodSolver::fallback(Field& field, double dt_min) {
  if (work_.empty()) {
    work_.assign(lattice_.size(), 0.0);
    uptake_dt_.assign(lattice_.size(), 0.0);
  }
  const std::vector<Term>& terms = current_->terms;
  float* u = field.values().data();
  double* x = work_.data();
  const auto n = static_cast<std::ptrdiff_t>(lattice_.size());
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) x[i] = u[i];
  FieldBalance b;
  for (const Term& t : terms) {
    const double s_dt = dt_min * t.secretion_per_min;
    x[t.voxel] += s_dt;
    b.secreted += s_dt;
    uptake_dt_[t.voxel] = dt_min * t.uptake_per_min;
  }
  const double h = lattice_.voxel_size_um();
  const double r = dt_min * field.spec().diffusion_um2_per_min / (h * h);
  const double k_dt = dt_min * field.spec().decay_per_min;
  const std::uint8_t* mask = field.fixed_mask();
  const bool any_uptake =
      std::any_of(terms.begin(), terms.end(), [](const Term& t) { return t.uptake_per_min > 0.0; });
  const double* extra = any_uptake ? uptake_dt_.data() : nullptr;
  const int dims[3] = {lattice_.nx(), lattice_.ny(), lattice_.nz()};
  for (int axis = 0; axis < lattice_.dimensions(); ++axis) {
    detail::AxisStage st = stage(field, axis, r);
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
      b.decayed += k_dt * s.kept;
      for (const Term& t : terms) b.taken_up += uptake_dt_[t.voxel] * x[t.voxel];
    }
  }
  for (const Term& t : terms) uptake_dt_[t.voxel] = 0.0;
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) u[i] = static_cast<float>(x[i]);
  return b;
}

}  // namespace regensim::sim
