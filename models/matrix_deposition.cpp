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
  // Capillaries invade hypertrophic cartilage and bone is laid down behind the vascular
  // front: conversion within a cell or two of a vessel (assumed, not sourced; 20-100 um).
  p.ossification_vessel_distance_um = t.get_double(
      "ossification_vessel_distance_um", p.ossification_vessel_distance_um, sim::non_negative());
  // Only hypertrophic cartilage is invaded (young cartilage holds vessels off): the
  // template must reach theta_hyp first, about a week of deposition at r_c = 0.05/day,
  // the lag of row 27 (cartilage wk 2, woven bone wk 3-4). Assumed, not sourced.
  p.ossification_min_matrix =
      t.get_double("ossification_min_matrix", p.ossification_min_matrix, sim::between(0.0, 1.0));
  // Hypoxia blocks osteogenesis (row 18); half-max at the hypoxic threshold (row 2).
  const HillParams o2{15.0, 2.0};
  p.bone_oxygen = HillParams::read(t, "bone_oxygen", &o2);
  return p;
}

MatrixDeposition::MatrixDeposition(std::string name, MatrixDepositionParams params,
                                   const sim::Mechanisms& mechanisms, sim::World& world)
    : NamedRule(std::move(name)), p_(params), vessel_gate_(mechanisms.vascular_ossification) {
  declare_cell_types(world);
  declare_tissue_layers(world);
  chondrocyte_ = world.agent_type("chondrocyte");
  osteoblast_ = world.agent_type("osteoblast");
  osteocyte_ = world.agent_type("osteocyte");
  myocyte_ = world.agent_type("myocyte");
  const double h = world.lattice().voxel_size_um();
  const int r = static_cast<int>(p_.ossification_vessel_distance_um / h);
  const int rz = world.lattice().is_2d() ? 0 : r;
  const double r2 = p_.ossification_vessel_distance_um * p_.ossification_vessel_distance_um;
  vessel_offsets_.push_back({0, 0, 0});
  for (int dz = -rz; dz <= rz; ++dz) {
    for (int dy = -r; dy <= r; ++dy) {
      for (int dx = -r; dx <= r; ++dx) {
        const double d2 = h * h * (dx * dx + dy * dy + dz * dz);
        if ((dx != 0 || dy != 0 || dz != 0) && d2 <= r2) vessel_offsets_.push_back({dx, dy, dz});
      }
    }
  }
}

bool MatrixDeposition::may_ossify(const sim::World& world, const TissueState& t,
                                  sim::VoxelIndex v) const {
  if (!vessel_gate_) return true;
  // Conversion keeps cartilage + bone constant, so once mature a voxel stays mature.
  if (t.cartilage_matrix[v] + t.bone_matrix[v] < static_cast<float>(p_.ossification_min_matrix)) {
    return false;
  }
  const std::uint8_t* vessel = t.vessel;
  const sim::Lattice& lat = world.lattice();
  const sim::Coord c = lat.coord(v);
  for (const sim::Coord& o : vessel_offsets_) {
    const sim::Coord q{c.x + o.x, c.y + o.y, c.z + o.z};
    if (lat.contains(q) && vessel[lat.index(q)] != 0) return true;
  }
  return false;
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
    // Without the vessel gate, the cell in the voxel converts its cartilage (oxygen gate).
    if (!vessel_gate_ && (type == chondrocyte_ || type == osteoblast_ || type == osteocyte_) &&
        p_.endochondral_per_day > 0.0) {
      ossify(t, v, oxygen_response, dt_day);
    }
  }
  if (!vessel_gate_ || p_.endochondral_per_day <= 0.0) return;
  // With it, the invading vessel brings the cells that resorb cartilage and lay down
  // bone (chondroclasts, osteoprogenitors), so mature cartilage near a vessel ossifies
  // whether or not its chondrocyte is still alive. Each voxel writes only itself.
  const auto nv = static_cast<std::int64_t>(t.size);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < nv; ++i) {
    const auto v = static_cast<sim::VoxelIndex>(i);
    if (t.cartilage_matrix[v] > 0.0f && may_ossify(world, t, v)) {
      ossify(t, v, p_.bone_oxygen(o2[v]), dt_day);
    }
  }
}

void MatrixDeposition::ossify(const TissueState& t, sim::VoxelIndex v, double oxygen_response,
                              double dt_day) const {
  const float moved = std::min(t.cartilage_matrix[v], static_cast<float>(p_.endochondral_per_day *
                                                                         oxygen_response * dt_day));
  t.cartilage_matrix[v] -= moved;
  t.bone_matrix[v] += moved;
}

}  // namespace regensim::models
