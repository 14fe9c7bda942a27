#include "models/msc_delivery.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <sstream>

#include "models/cell_types.hpp"
#include "models/tissue_state.hpp"
#include "sim/core/error.hpp"

namespace regensim::models {

namespace {

std::array<double, 3> read_point(sim::ConfigTable& t, const std::string& key) {
  const auto v = t.get_double_array(key, 3);
  return {v[0], v[1], v[2]};
}

/// Squared distance (µm²) from point q to the segment a-b.
double segment_distance2(const Eigen::Vector3d& q, const Eigen::Vector3d& a,
                         const Eigen::Vector3d& b) {
  const Eigen::Vector3d ab = b - a;
  const double len2 = ab.squaredNorm();
  const double s = len2 > 0.0 ? std::clamp((q - a).dot(ab) / len2, 0.0, 1.0) : 0.0;
  return (a + s * ab - q).squaredNorm();
}

// Purpose key of placement draws: deaths and commitments use 0 and divisions 1 in the
// same stream, keyed by agent id; a voxel index may equal an id.
constexpr std::uint64_t kDeliveryDraw = 2;

bool is_vessel(const sim::World& world, sim::VoxelIndex v) {
  const sim::TissueLayer* vessel = world.tissue().find("vessel");
  return vessel != nullptr && vessel->classes[v] != 0;
}

/// Free, non-vessel voxels inside the injection sphere or track.
std::vector<sim::VoxelIndex> local_candidates(const DeliveryParams& p, const sim::World& world) {
  const sim::Lattice& lat = world.lattice();
  const double h = lat.voxel_size_um();
  Eigen::Vector3d a(p.start_um.data());
  const Eigen::Vector3d b(p.end_um.data());
  if (p.centred) a = 0.5 * h * Eigen::Vector3d(lat.nx(), lat.ny(), lat.nz());
  std::vector<sim::VoxelIndex> out;
  for (int z = 0; z < lat.nz(); ++z) {
    for (int y = 0; y < lat.ny(); ++y) {
      for (int x = 0; x < lat.nx(); ++x) {
        Eigen::Vector3d q = Eigen::Vector3d(x + 0.5, y + 0.5, z + 0.5) * h;
        if (lat.is_2d()) q.z() = a.z();  // a 2D lattice is the plane through the site
        const double d2 = p.track ? segment_distance2(q, a, b) : (q - a).squaredNorm();
        if (d2 > p.radius_um * p.radius_um) continue;
        const sim::VoxelIndex v = lat.index(x, y, z);
        if (!world.agents().occupied(v) && !is_vessel(world, v)) out.push_back(v);
      }
    }
  }
  return out;
}

/// Free, non-vessel voxels next to a vessel (where infused cells leave the blood).
std::vector<sim::VoxelIndex> perivascular_candidates(const sim::World& world) {
  const sim::Lattice& lat = world.lattice();
  std::vector<sim::VoxelIndex> out;
  std::array<sim::VoxelIndex, 6> nb{};
  for (sim::VoxelIndex v = 0; v < lat.size(); ++v) {
    if (world.agents().occupied(v) || is_vessel(world, v)) continue;
    const int count = lat.von_neumann(v, nb);
    for (int j = 0; j < count; ++j) {
      if (is_vessel(world, nb[static_cast<std::size_t>(j)])) {
        out.push_back(v);
        break;
      }
    }
  }
  return out;
}

}  // namespace

DeliveryParams DeliveryParams::read(sim::ConfigTable& t, const sim::World& world) {
  DeliveryParams p;
  p.where = t.where("dose_cells") + ": " + t.key_path("dose_cells");
  p.intravenous = t.get_choice("route", {"local", "intravenous"}, "local") == "intravenous";
  p.dose_cells = t.get_double("dose_cells", sim::non_negative());
  p.days = t.get_double_array("days", sim::ConfigTable::kAnyLength, sim::non_negative());
  if (p.days.empty()) t.fail("days", "give at least one dose day, e.g. days = [0.0]");
  for (std::size_t i = 1; i < p.days.size(); ++i) {
    if (p.days[i] <= p.days[i - 1]) t.fail("days", "dose days must increase");
  }
  p.represented_fraction = t.get_double("represented_fraction", 1.0, sim::between(0.0, 1.0));
  p.cells_per_agent = t.get_double("cells_per_agent", 1.0, sim::positive());
  if (p.intravenous) {
    // Intravenous hMSC: heart 0.8% at 1 h (Bonios 2011, parameters.md row 16).
    p.reach_fraction = t.get_double("reach_fraction", 0.008, sim::between(0.0, 1.0));
    p.inflammation_field = optional_field_index(t, "inflammation_field", world);
    p.homing_gain = t.get_double("homing_gain", 5.0, sim::non_negative());
    const HillParams default_homing{1.0, 1.0};
    p.homing = HillParams::read(t, "homing", &default_homing);
  } else {
    // Intramyocardial retention 10-23% at 1 h (Bonios 2011, row 16).
    p.retention_1h = t.get_double("retention_1h", 0.15, sim::between(0.0, 1.0));
    p.track = t.get_choice("shape", {"sphere", "track"}, "sphere") == "track";
    p.radius_um = t.get_double("radius_um", sim::positive());
    if (p.track) {
      p.start_um = read_point(t, "track_start_um");
      p.end_um = read_point(t, "track_end_um");
      p.centred = false;
    } else if (t.has("center_um")) {
      p.start_um = read_point(t, "center_um");
      p.centred = false;
    } else {
      t.accept("center_um");
    }
  }
  return p;
}

double DeliveryParams::injected_agents(const CellProduct& product) const {
  return dose_cells * product.msc_fraction * represented_fraction / cells_per_agent;
}

std::int64_t DeliveryParams::placed_agents(const CellProduct& product) const {
  const double arriving = intravenous ? reach_fraction : retention_1h;
  return std::llround(injected_agents(product) * product.viability * arriving);
}

std::string DeliveryParams::scaling_note(const CellProduct& product) const {
  std::ostringstream s;
  s << "dose " << dose_cells << " cells x " << product.msc_fraction << " MSC fraction x "
    << represented_fraction << " represented / " << cells_per_agent
    << " cells per lattice cell = " << injected_agents(product) << " lattice MSCs injected; x "
    << product.viability << " viable x " << (intravenous ? reach_fraction : retention_1h)
    << (intravenous ? " reaching the tissue" : " retained at 1 h") << " = "
    << placed_agents(product) << " placed per dose, " << days.size() << " dose(s)";
  return s.str();
}

std::int64_t deliver_dose(const DeliveryParams& p, const CellProduct& product, sim::World& world,
                          const sim::StepContext& ctx, sim::StreamId stream, sim::AgentType type,
                          bool strict) {
  const std::int64_t wanted = p.placed_agents(product);
  auto& counters = world.counters();
  counters["msc_injected"] += p.injected_agents(product);
  const auto candidates =
      p.intravenous ? perivascular_candidates(world) : local_candidates(p, world);
  if (strict && static_cast<std::int64_t>(candidates.size()) < wanted) {
    throw sim::ConfigError(
        p.where + ": " + std::to_string(wanted) + " lattice cells to place but only " +
        std::to_string(candidates.size()) +
        (p.intravenous ? " free voxels next to vessels; lower the dose or reach_fraction, or "
                         "raise cells_per_agent"
                       : " free voxels at the delivery site; lower the dose, "
                         "raise cells_per_agent or enlarge radius_um"));
  }
  // Weighted sampling without replacement by keyed exponential races (smallest
  // -ln(u)/w wins): depends on the seed, step and voxel only, never on thread count.
  const sim::KeyedRng rng(ctx.seed, stream);
  const std::vector<float>* infl =
      p.inflammation_field >= 0
          ? &world.fields()[static_cast<std::size_t>(p.inflammation_field)].values()
          : nullptr;
  std::vector<std::pair<double, sim::VoxelIndex>> race;
  race.reserve(candidates.size());
  for (const auto v : candidates) {
    const double w = 1.0 + (infl != nullptr ? p.homing_gain * p.homing((*infl)[v]) : 0.0);
    const double u = sim::KeyedRng::to_open01(
        rng.bits(static_cast<std::uint64_t>(ctx.step), v, kDeliveryDraw)[0]);
    race.emplace_back(-std::log(u) / w, v);
  }
  const auto n = static_cast<std::size_t>(
      std::min<std::int64_t>(wanted, static_cast<std::int64_t>(race.size())));
  std::partial_sort(race.begin(), race.begin() + static_cast<std::ptrdiff_t>(n), race.end());
  std::vector<sim::VoxelIndex> chosen;
  for (std::size_t i = 0; i < n; ++i) chosen.push_back(race[i].second);
  std::sort(chosen.begin(), chosen.end());  // slot order follows space
  auto& agents = world.agents();
  const int lineage = agents.column_index(kLineageColumn);
  for (const auto v : chosen) {
    const sim::AgentSlot s = agents.add(type, v, ctx.step);
    agents.column(lineage)[s] = kDonorLineage;
  }
  counters["msc_placed"] += static_cast<double>(n);
  counters["msc_not_placed"] += static_cast<double>(wanted - static_cast<std::int64_t>(n));
  return static_cast<std::int64_t>(n);
}

}  // namespace regensim::models
