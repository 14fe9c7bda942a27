#pragma once
/// Helpers shared by the host response rules (docs/host-model.md), on top of
/// models/signals.hpp: field keys with a conventional default name, tissue-kind lists.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/signals.hpp"
#include "sim/config/config_table.hpp"
#include "sim/core/world.hpp"

namespace regensim::models {

inline constexpr double kMinutesPerDay = 24.0 * 60.0;

/// Index of the field named at `key`, default name `fallback` when the key is absent; a
/// name that is no field is a ConfigError at `key` listing the fields.
int read_field(sim::ConfigTable& t, const std::string& key, const std::string& fallback,
               const sim::World& world);

/// Bit mask over kTissueKindNames of the kinds listed at `key` (default: every kind but
/// "none"); an unknown kind is a ConfigError listing the valid ones.
std::uint32_t read_tissue_kinds(sim::ConfigTable& t, const std::string& key);

/// A request to add an agent in an empty voxel: by a parent cell (division, branching)
/// or, with parent kNoAgent, from outside (recruitment, sprouting). `priority` is a
/// keyed random number: the lowest wins a voxel several proposals want.
struct BirthProposal {
  sim::VoxelIndex target;
  std::uint64_t priority;
  sim::AgentSlot parent;
};

/// Adds one agent of `type` per target still empty, in target-voxel order, so ids and
/// slots depend only on the proposals (sorted in place), never on the thread count.
/// Appends {new slot, parent slot} to `born`.
void commit_births(sim::World& world, std::vector<BirthProposal>& proposals, sim::AgentType type,
                   std::int64_t step, std::vector<std::pair<sim::AgentSlot, sim::AgentSlot>>& born);

/// A face neighbour of v holding no agent and no vessel (vessel may be nullptr), chosen
/// uniformly by u in (0, 1); false when there is none.
bool pick_free_neighbour(const sim::World& world, const std::uint8_t* vessel, sim::VoxelIndex v,
                         double u, sim::VoxelIndex& out);

/// Value of field `index` at voxel v, or 0 for an absent field (index -1).
inline double field_at(const sim::World& world, int index, sim::VoxelIndex v) {
  return index < 0 ? 0.0 : static_cast<double>(world.fields()[static_cast<std::size_t>(index)][v]);
}

}  // namespace regensim::models
