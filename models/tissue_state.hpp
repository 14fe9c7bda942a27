#pragma once
/// The host tissue as per-voxel layers (docs/model.md#tissue-state). Every voxel is
/// split into volume fractions that never sum above 1:
///
///   viable + necrotic + collagen + cartilage_matrix + bone_matrix + contractile
///          + regen_paracrine + regen_spontaneous + free = 1
///
/// `viable` is surviving native tissue; `necrotic` dead tissue awaiting clearance;
/// `collagen` fibrous (scar) matrix; the three matrix layers are new tissue laid down
/// by differentiated cells; `regen_paracrine`/`regen_spontaneous` are native tissue
/// regrown by host progenitors. `regen_direct` is not a volume of its own: it tags the
/// part of the matrix layers laid down by MSC-derived cells (provenance "direct").
#include <array>
#include <cstdint>
#include <string>

#include "sim/core/world.hpp"

namespace regensim::models {

/// Native tissue kind of a voxel (code layer "tissue_type"): what it should regrow as.
inline constexpr std::array<const char*, 7> kTissueKindNames = {
    "none", "cartilage", "bone", "marrow", "myocardium", "tendon", "soft_tissue"};

/// Codes of the tissue kinds above, for rules that single one out.
enum TissueKind : std::uint8_t { kMyocardium = 4 };

/// Injury zone of a voxel (code layer "injury").
enum InjuryZone : std::uint8_t { kIntact = 0, kInjuryCore = 1, kBorderZone = 2 };

/// Views of every tissue layer of a world, valid until the world is destroyed.
struct TissueState {
  std::size_t size = 0;
  std::uint8_t* tissue_type = nullptr;
  std::uint8_t* injury = nullptr;
  std::uint8_t* vessel = nullptr;
  std::uint8_t* scar = nullptr;  // 1 where collagen has made the voxel scar
  float* viable = nullptr;
  float* necrotic = nullptr;
  float* collagen = nullptr;
  float* cartilage_matrix = nullptr;
  float* bone_matrix = nullptr;
  float* contractile = nullptr;
  float* regen_direct = nullptr;
  float* regen_paracrine = nullptr;
  float* regen_spontaneous = nullptr;

  /// The layers of `world`; declare_tissue_layers() must have run.
  static TissueState of(sim::World& world);

  /// Volume fraction of voxel v not yet taken by any tissue (>= 0).
  float free_space(std::size_t v) const {
    const float used = viable[v] + necrotic[v] + collagen[v] + cartilage_matrix[v] +
                       bone_matrix[v] + contractile[v] + regen_paracrine[v] + regen_spontaneous[v];
    return used >= 1.0f ? 0.0f : 1.0f - used;
  }
  /// Regenerated tissue in voxel v, all provenances.
  float regenerated(std::size_t v) const {
    return regen_direct[v] + regen_paracrine[v] + regen_spontaneous[v];
  }
};

/// Adds every tissue layer to `world` (idempotent; call from a rule's constructor so the
/// layers exist before setup freezes them).
void declare_tissue_layers(sim::World& world);

/// Adds an agent float column unless it exists; returns its index.
int ensure_column(sim::World& world, const std::string& name, float initial);

}  // namespace regensim::models
