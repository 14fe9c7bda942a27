#include "models/secretion_uptake.hpp"

#include <array>
#include <cstdint>

#include "models/cell_types.hpp"
#include "models/signals.hpp"

namespace regensim::models {

namespace {

CellFieldCouplingParams read_coupling(sim::ConfigTable& t, sim::World& world,
                                      const char* rate_key) {
  CellFieldCouplingParams p;
  p.cell_types = read_cell_types(t, "cell_types", world);
  p.field = field_index(t, "field", world);
  p.rate = t.get_double(rate_key, sim::non_negative());
  return p;
}

/// Appends one point term per agent of the listed types, in slot order. Parallel: the
/// slots are cut into kChunks fixed chunks (not one per thread), each counts its agents,
/// a prefix sum gives each chunk its place in the list, and each fills its place. The
/// list is the same for every thread count.
void add_point_terms(sim::World& world, const CellFieldCouplingParams& p, float secretion,
                     float uptake) {
  constexpr std::int64_t kChunks = 256;
  constexpr std::size_t kParallelMin = 4096;  // fewer agents: one thread (a fork costs more)
  const auto& agents = world.agents();
  auto& terms = world.fields()[static_cast<std::size_t>(p.field)].point_terms();
  std::array<bool, 256> listed{};
  for (const sim::AgentType t : p.cell_types) listed[t] = true;
  const sim::AgentType* types = agents.types().data();
  const sim::VoxelIndex* voxels = agents.voxels().data();
  const std::size_t n = agents.size();
  const auto chunk_begin = [n](std::int64_t c) {
    return n * static_cast<std::size_t>(c) / static_cast<std::size_t>(kChunks);
  };
  std::array<std::size_t, kChunks + 1> offset{};
  sim::PointTerm* out = nullptr;
  // One parallel region (a fork is the costly part on a busy machine), three phases.
#pragma omp parallel if (n >= kParallelMin)
  {
#pragma omp for schedule(static)
    for (std::int64_t c = 0; c < kChunks; ++c) {
      std::size_t count = 0;
      for (std::size_t i = chunk_begin(c); i < chunk_begin(c + 1); ++i) count += listed[types[i]];
      offset[static_cast<std::size_t>(c) + 1] = count;
    }
#pragma omp single
    {
      offset[0] = terms.size();
      for (std::size_t c = 0; c < kChunks; ++c) offset[c + 1] += offset[c];
      terms.resize(offset[kChunks]);
      out = terms.data();
    }
#pragma omp for schedule(static)
    for (std::int64_t c = 0; c < kChunks; ++c) {
      std::size_t k = offset[static_cast<std::size_t>(c)];
      for (std::size_t i = chunk_begin(c); i < chunk_begin(c + 1); ++i) {
        if (listed[types[i]]) out[k++] = {voxels[i], secretion, uptake};
      }
    }
  }
}

}  // namespace

Uptake::Uptake(std::string name, CellFieldCouplingParams params)
    : NamedRule(std::move(name)), p_(std::move(params)) {}

CellFieldCouplingParams Uptake::read(sim::ConfigTable& t, sim::World& world) {
  return read_coupling(t, world, "uptake_per_min");
}

void Uptake::apply(sim::Phase, sim::World& world, const sim::StepContext&) {
  add_point_terms(world, p_, 0.0f, static_cast<float>(p_.rate));
}

Secretion::Secretion(std::string name, CellFieldCouplingParams params,
                     const sim::Mechanisms& mechanisms)
    : NamedRule(std::move(name)), p_(std::move(params)), enabled_(mechanisms.paracrine) {}

CellFieldCouplingParams Secretion::read(sim::ConfigTable& t, sim::World& world) {
  return read_coupling(t, world, "rate_per_min");
}

void Secretion::apply(sim::Phase, sim::World& world, const sim::StepContext&) {
  if (!enabled_) return;
  add_point_terms(world, p_, static_cast<float>(p_.rate), 0.0f);
}

}  // namespace regensim::models
