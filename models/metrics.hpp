#pragma once
/// Metrics the models offer (docs/model.md#metrics): cell counts by type, the mean of
/// each field, and the vessel density.
#include "sim/rules/registry.hpp"

namespace regensim::models {

void add_standard_metrics(const sim::World& world, std::vector<sim::MetricDef>& out);

}  // namespace regensim::models
