#include "models/host_common.hpp"

#include <algorithm>
#include <array>
#include <tuple>

#include "models/tissue_state.hpp"
#include "sim/core/format.hpp"

namespace regensim::models {

int read_field(sim::ConfigTable& t, const std::string& key, const std::string& fallback,
               const sim::World& world) {
  t.get_string(key, fallback);  // writes the default back, so the resolved config shows it
  return field_index(t, key, world);
}

std::uint32_t read_tissue_kinds(sim::ConfigTable& t, const std::string& key) {
  const std::vector<std::string> all(kTissueKindNames.begin() + 1, kTissueKindNames.end());
  std::uint32_t mask = 0;
  for (const auto& name : t.get_string_array(key, all)) {
    std::size_t k = 1;
    while (k < kTissueKindNames.size() && name != kTissueKindNames[k]) ++k;
    if (k == kTissueKindNames.size()) {
      t.fail(key, "unknown tissue kind '" + name + "' (valid: " + sim::join_names(all) + ")");
    }
    mask |= 1u << k;
  }
  if (mask == 0) t.fail(key, "must name at least one tissue kind");
  return mask;
}

void commit_births(sim::World& world, std::vector<BirthProposal>& proposals, sim::AgentType type,
                   std::int64_t step,
                   std::vector<std::pair<sim::AgentSlot, sim::AgentSlot>>& born) {
  std::sort(proposals.begin(), proposals.end(), [](const BirthProposal& a, const BirthProposal& b) {
    return std::tie(a.target, a.priority, a.parent) < std::tie(b.target, b.priority, b.parent);
  });
  auto& agents = world.agents();
  for (std::size_t i = 0; i < proposals.size(); ++i) {
    const BirthProposal& p = proposals[i];
    if (i > 0 && proposals[i - 1].target == p.target) continue;  // lost the contest
    if (agents.occupied(p.target)) continue;
    const sim::AgentId parent = p.parent == sim::kNoAgent ? sim::kNoParent : agents.ids()[p.parent];
    born.emplace_back(agents.add(type, p.target, step, parent), p.parent);
  }
}

bool pick_free_neighbour(const sim::World& world, const std::uint8_t* vessel, sim::VoxelIndex v,
                         double u, sim::VoxelIndex& out) {
  std::array<sim::VoxelIndex, 6> nb{};
  const int count = world.lattice().von_neumann(v, nb);
  int free = 0;
  for (int k = 0; k < count; ++k) {
    const sim::VoxelIndex w = nb[static_cast<std::size_t>(k)];
    if (!world.agents().occupied(w) && (vessel == nullptr || vessel[w] == 0)) {
      nb[static_cast<std::size_t>(free++)] = w;
    }
  }
  if (free == 0) return false;
  out = nb[static_cast<std::size_t>(std::min(free - 1, static_cast<int>(u * free)))];
  return true;
}

}  // namespace regensim::models
