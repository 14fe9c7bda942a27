#include "models/matrix_deposition.hpp"

#include <algorithm>

#include "models/cell_types.hpp"
#include "models/tissue_state.hpp"

namespace regensim::models {

MatrixDepositionParams MatrixDepositionParams::read(sim::ConfigTable& t, const sim::World& world) {
  MatrixDepositionParams p;
  p.oxygen_field = field_index(t, "oxygen_field", world);
  // A chondrogenic pellet is matrix-rich by 21 days (parameters.md row 18): a voxel
  // filled in about three weeks. Bone and contractile tissue likewise (assumed, not
  // sourced; range 0.02-0.1 per day).
  p.cartilage_per_day = t.get_double("cartilage_per_day", 0.05, sim::non_negative());
  p.bone_per_day = t.get_double("bone_per_day", 0.05, sim::non_negative());
  p.contractile_per_day = t.get_double("contractile_per_day", 0.05, sim::non_negative());
  p.endochondral_per_day = t.get_double("endochondral_per_day", 0.0, sim::non_negative());
  // Hypoxia blocks osteogenesis (row 18); half-max at the hypoxic threshold (row 2).
  const HillParams o2{15.0, 2.0};
  p.bone_oxygen = HillParams::read(t, "bone_oxygen", &o2);
  return p;
}

MatrixDeposition::MatrixDeposition(std::string name, MatrixDepositionParams params,
                                   sim::World& world)
    : NamedRule(std::move(name)), p_(params) {
  declare_cell_types(world);
  declare_tissue_layers(world);
  chondrocyte_ = world.agent_type("chondrocyte");
  osteoblast_ = world.agent_type("osteoblast");
  osteocyte_ = world.agent_type("osteocyte");
  myocyte_ = world.agent_type("myocyte");
}

void MatrixDeposition::apply(sim::Phase, sim::World& world, const sim::StepContext& ctx) {
  const TissueState t = TissueState::of(world);
  const auto& agents = world.agents();
  const auto& types = agents.types();
  const auto& voxels = agents.voxels();
  const auto& lineage = agents.column(agents.column_index(kLineageColumn));
  const auto& o2 = world.fields()[static_cast<std::size_t>(p_.oxygen_field)].values();
  const double dt_day = ctx.dt_min / (24.0 * 60.0);
  const auto n = static_cast<std::int64_t>(agents.size());

  // One cell per voxel: every iteration writes only its own voxel.
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto s = static_cast<sim::AgentSlot>(i);
    if (lineage[s] != kDonorLineage || agents.is_marked(s)) continue;
    const sim::VoxelIndex v = voxels[s];
    const sim::AgentType type = types[s];
    const double oxygen_response = p_.bone_oxygen(o2[v]);
    float* layer = nullptr;
    double rate = 0.0;
    if (type == chondrocyte_) {
      layer = t.cartilage_matrix;
      rate = p_.cartilage_per_day;
    } else if (type == osteoblast_) {
      layer = t.bone_matrix;
      rate = p_.bone_per_day * oxygen_response;
    } else if (type == myocyte_) {
      layer = t.contractile;
      rate = p_.contractile_per_day;
    }
    if (layer != nullptr && t.scar[v] == 0) {
      const float add = std::min(t.free_space(v), static_cast<float>(rate * dt_day));
      layer[v] += add;
      t.regen_direct[v] += add;
    }
    if ((type == chondrocyte_ || type == osteoblast_ || type == osteocyte_) &&
        p_.endochondral_per_day > 0.0) {
      const float moved =
          std::min(t.cartilage_matrix[v],
                   static_cast<float>(p_.endochondral_per_day * oxygen_response * dt_day));
      t.cartilage_matrix[v] -= moved;
      t.bone_matrix[v] += moved;
    }
  }
}

}  // namespace regensim::models
