#include "models/secretion_uptake.hpp"

#include <algorithm>

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

/// Appends one point term per agent of the listed types, in slot order.
void add_point_terms(sim::World& world, const CellFieldCouplingParams& p, float secretion,
                     float uptake) {
  const auto& agents = world.agents();
  auto& terms = world.fields()[static_cast<std::size_t>(p.field)].point_terms();
  const auto& types = agents.types();
  const auto& voxels = agents.voxels();
  for (std::size_t i = 0; i < agents.size(); ++i) {
    if (std::find(p.cell_types.begin(), p.cell_types.end(), types[i]) == p.cell_types.end()) {
      continue;
    }
    terms.push_back({voxels[i], secretion, uptake});
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
