#pragma once
/// Delivery of an MSC product into the lattice (docs/model.md#delivery): local injection
/// into a sphere or along a needle track, or intravenous infusion where a small share of
/// the cells reaches the tissue, entering next to vessels and homing to inflammation.
/// Doses are real cell counts; one lattice cell stands for `cells_per_agent` real cells
/// and the simulated block receives `represented_fraction` of each dose.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/msc_product.hpp"
#include "models/signals.hpp"
#include "sim/config/config_table.hpp"
#include "sim/core/rng.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

struct DeliveryParams {
  bool intravenous = false;
  double dose_cells = 0.0;          // real cells per dose
  std::vector<double> days;         // when each dose is given
  double represented_fraction = 1;  // share of a dose that concerns the simulated block
  double cells_per_agent = 1.0;     // real cells per lattice cell
  double retention_1h = 0.15;       // local: share of injected cells still at the site at 1 h
  double reach_fraction = 0.008;    // intravenous: share of infused cells reaching the tissue
  // Local geometry: a sphere (centre, radius) or a needle track (segment, radius), µm.
  bool track = false;
  std::array<double, 3> start_um{};  // sphere centre or track start
  std::array<double, 3> end_um{};    // track end
  bool centred = true;               // sphere centre defaults to the lattice centre
  double radius_um = 0.0;
  // Intravenous homing: entry weight 1 + homing_gain * h(inflammation).
  int inflammation_field = -1;
  double homing_gain = 0.0;
  HillParams homing;
  std::string where;  // config location, for errors found at setup

  static DeliveryParams read(sim::ConfigTable& t, const sim::World& world);
  /// Lattice cells injected per dose (before viability and retention losses).
  double injected_agents(const CellProduct& product) const;
  /// Lattice cells arriving alive in the tissue per dose.
  std::int64_t placed_agents(const CellProduct& product) const;
  /// One line stating the real-cell-to-lattice scaling, for `regensim check`.
  std::string scaling_note(const CellProduct& product) const;
};

/// Places one dose: the donor-lineage MSCs of `type`. Returns the cells placed. At setup
/// (`strict`) too little room is a ConfigError; later the shortfall is counted in
/// world.counters()["msc_not_placed"].
std::int64_t deliver_dose(const DeliveryParams& p, const CellProduct& product, sim::World& world,
                          const sim::StepContext& ctx, sim::StreamId stream, sim::AgentType type,
                          bool strict);

}  // namespace regensim::models
