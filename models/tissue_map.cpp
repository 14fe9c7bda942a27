#include "models/tissue_map.hpp"

#include <cmath>

#include "models/tissue_state.hpp"
#include "sim/core/rng.hpp"

namespace regensim::models {

namespace {

constexpr std::array<const char*, 6> kSettableFractions = {
    "viable", "necrotic", "collagen", "cartilage_matrix", "bone_matrix", "contractile"};

int read_kind(sim::ConfigTable& t, const std::string& key) {
  const std::vector<std::string> kinds(kTissueKindNames.begin(), kTissueKindNames.end());
  const std::string k = t.get_choice(key, kinds, kinds[0]);
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (kinds[i] == k) return static_cast<int>(i);
  }
  return 0;
}

std::array<double, 3> point(sim::ConfigTable& t, const std::string& key) {
  const auto v = t.get_double_array(key, 3);
  return {v[0], v[1], v[2]};
}

TissueRegion read_region(sim::ConfigTable& t, const std::string& name) {
  TissueRegion r;
  r.name = name;
  const std::string shape = t.get_choice("shape", {"box", "sphere", "cylinder"}, "box");
  if (shape == "box") {
    r.min_um = point(t, "min_um");
    r.max_um = point(t, "max_um");
  } else {
    r.shape = shape == "sphere" ? TissueRegion::Shape::Sphere : TissueRegion::Shape::Cylinder;
    if (t.has("center_um")) {
      r.center_um = point(t, "center_um");
    } else {
      t.accept("center_um");
    }
    r.radius_um = t.get_double("radius_um", sim::positive());
  }
  if (t.has("tissue")) {
    r.tissue = read_kind(t, "tissue");
  } else {
    t.accept("tissue");
  }
  if (t.has("injury")) {
    const std::string z = t.get_choice("injury", {"intact", "core", "border"}, "intact");
    r.injury = z == "intact" ? kIntact : (z == "core" ? kInjuryCore : kBorderZone);
  } else {
    t.accept("injury");
  }
  float total = 0.0f;
  for (const char* layer : kSettableFractions) {
    if (!t.has(layer)) {
      t.accept(layer);
      continue;
    }
    const auto v = static_cast<float>(t.get_double(layer, sim::between(0.0, 1.0)));
    r.fractions.emplace_back(layer, v);
    total += v;
  }
  if (total > 1.0f + 1e-6f) {
    t.fail(r.fractions.back().first,
           "the region's volume fractions sum to " + std::to_string(total) + ", more than 1");
  }
  r.vessel_free = t.get_bool("vessel_free", false);
  // A partly perfused zone (collateral flow): fewer vessels, so moderate hypoxia.
  r.vessel_keep_fraction = t.get_double("vessel_keep_fraction", 1.0, sim::between(0.0, 1.0));
  return r;
}

}  // namespace

bool TissueRegion::contains(const std::array<double, 3>& p, const std::array<double, 3>& centre,
                            bool is_2d) const {
  const auto& c = center_um ? *center_um : centre;
  switch (shape) {
    case Shape::Box:
      for (int k = 0; k < 3; ++k) {
        if (is_2d && k == 2) continue;
        const auto i = static_cast<std::size_t>(k);
        if (p[i] < min_um[i] || p[i] >= max_um[i]) return false;
      }
      return true;
    case Shape::Sphere:
    case Shape::Cylinder: {
      const double dx = p[0] - c[0], dy = p[1] - c[1];
      const double dz = shape == Shape::Sphere && !is_2d ? p[2] - c[2] : 0.0;
      return dx * dx + dy * dy + dz * dz <= radius_um * radius_um;
    }
  }
  return false;
}

TissueMapParams TissueMapParams::read(sim::ConfigTable& t) {
  TissueMapParams p;
  p.background = read_kind(t, "background");
  p.background_viable = static_cast<float>(t.get_double("viable", 1.0, sim::between(0.0, 1.0)));
  const auto names = t.get_string_array("regions", {});
  for (const auto& name : names) {
    sim::ConfigTable r = t.table(name);
    p.regions.push_back(read_region(r, name));
    r.finish();
  }
  return p;
}

TissueMap::TissueMap(std::string name, TissueMapParams params, sim::World& world)
    : NamedRule(std::move(name)), p_(std::move(params)) {
  declare_tissue_layers(world);
}

void TissueMap::apply(sim::Phase, sim::World& world, const sim::StepContext& ctx) {
  const sim::KeyedRng rng(ctx.seed, sim::stream_for(name()));
  const TissueState t = TissueState::of(world);
  const sim::Lattice& lat = world.lattice();
  const double h = lat.voxel_size_um();
  const std::array<double, 3> centre = {0.5 * h * lat.nx(), 0.5 * h * lat.ny(), 0.5 * h * lat.nz()};
  for (int z = 0; z < lat.nz(); ++z) {
    for (int y = 0; y < lat.ny(); ++y) {
      for (int x = 0; x < lat.nx(); ++x) {
        const sim::VoxelIndex v = lat.index(x, y, z);
        const std::array<double, 3> p = {(x + 0.5) * h, (y + 0.5) * h, (z + 0.5) * h};
        t.tissue_type[v] = static_cast<std::uint8_t>(p_.background);
        t.viable[v] = p_.background_viable;
        for (const auto& r : p_.regions) {
          if (!r.contains(p, centre, lat.is_2d())) continue;
          if (r.tissue >= 0) t.tissue_type[v] = static_cast<std::uint8_t>(r.tissue);
          if (r.injury >= 0) t.injury[v] = static_cast<std::uint8_t>(r.injury);
          if (r.vessel_free) t.vessel[v] = 0;
          if (t.vessel[v] != 0 && r.vessel_keep_fraction < 1.0 &&
              rng.uniform(0, lat.index(x, y, 0)) >= r.vessel_keep_fraction) {  // whole z-line
            t.vessel[v] = 0;
          }
          if (!r.fractions.empty()) {
            for (float* f : {t.viable, t.necrotic, t.collagen, t.cartilage_matrix, t.bone_matrix,
                             t.contractile}) {
              f[v] = 0.0f;
            }
          }
          for (const auto& [layer, value] : r.fractions) {
            world.tissue().find(layer)->fractions[v] = value;
          }
        }
      }
    }
  }
}

}  // namespace regensim::models
