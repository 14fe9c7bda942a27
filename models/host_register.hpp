#pragma once
/// Registers the host response rules (docs/host-model.md); models/register.cpp calls it.
#include "sim/rules/registry.hpp"

namespace regensim::models {

void register_host_models(sim::RuleRegistry& registry);

}  // namespace regensim::models
