#include "models/metrics.hpp"

#include <algorithm>

#include "models/cell_types.hpp"

namespace regensim::models {

namespace {

/// How many of the bytes v equal `code` (or, with `nonzero`, differ from zero). A plain
/// loop into a 32-bit count, which GCC vectorises: std::count and std::count_if ran a
/// byte at a time, and the standard metrics count every cell type and the vessel layer
/// at every metrics time (about 0.45 ms of the end-to-end case's 1.15 ms per sample).
std::size_t count_bytes(const std::vector<std::uint8_t>& v, std::uint8_t code, bool nonzero) {
  std::size_t total = 0;
  constexpr std::size_t kBlock = std::size_t{1} << 20;  // keeps the 32-bit count exact
  for (std::size_t begin = 0; begin < v.size(); begin += kBlock) {
    const std::size_t end = std::min(v.size(), begin + kBlock);
    std::uint32_t n = 0;
    if (nonzero) {
      for (std::size_t i = begin; i < end; ++i) n += v[i] != 0 ? 1u : 0u;
    } else {
      for (std::size_t i = begin; i < end; ++i) n += v[i] == code ? 1u : 0u;
    }
    total += n;
  }
  return total;
}

}  // namespace

double capillary_density_per_mm2(const sim::World& world) {
  const sim::TissueLayer* layer = world.tissue().find("vessel");
  if (layer == nullptr) return 0.0;
  const std::size_t n = count_bytes(layer->classes, 0, true);
  const double h_mm = world.lattice().voxel_size_um() / 1000.0;
  return static_cast<double>(n) / (static_cast<double>(world.lattice().size()) * h_mm * h_mm);
}

void add_standard_metrics(const sim::World& world, std::vector<sim::MetricDef>& out) {
  for (const char* type_name : kCellTypeNames) {
    const std::string name = type_name;
    out.push_back({"n_" + name, "cells", [name](const sim::World& w) {
                     const auto& names = w.agent_type_names();
                     const auto it = std::find(names.begin(), names.end(), name);
                     if (it == names.end()) return 0.0;
                     const auto code = static_cast<sim::AgentType>(it - names.begin());
                     return static_cast<double>(count_bytes(w.agents().types(), code, false));
                   }});
  }
  for (std::size_t i = 0; i < world.fields().size(); ++i) {
    const auto& f = world.fields()[i];
    out.push_back({"mean_" + f.name(), f.spec().units,
                   [i](const sim::World& w) { return w.fields()[i].mean(); }});
  }
  if (world.tissue().find("vessel") != nullptr) {
    out.push_back({"vessel_density", "capillaries per mm^2", capillary_density_per_mm2});
  }
}

}  // namespace regensim::models
