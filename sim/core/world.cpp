#include "sim/core/world.hpp"

#include <stdexcept>

#include "sim/core/error.hpp"
#include "sim/core/format.hpp"

namespace regensim::sim {

World::World(Lattice lattice, std::uint64_t seed, double step_min)
    : lattice_(lattice), seed_(seed), step_min_(step_min), tissue_(lattice_), agents_(lattice_) {}

int World::add_field(FieldSpec spec) {
  if (find_field(spec.name) != nullptr) {
    throw std::logic_error("field '" + spec.name + "' added twice");
  }
  fields_.emplace_back(std::move(spec), lattice_);
  return static_cast<int>(fields_.size()) - 1;
}

Field* World::find_field(const std::string& name) {
  for (auto& f : fields_) {
    if (f.name() == name) return &f;
  }
  return nullptr;
}

const Field* World::find_field(const std::string& name) const {
  return const_cast<World*>(this)->find_field(name);
}

Field& World::field(const std::string& name) {
  if (Field* f = find_field(name)) return *f;
  std::vector<std::string> names;
  for (const auto& f : fields_) names.push_back(f.name());
  throw InputError("no field named '" + name + "' (fields: " + join_names(names) + ")");
}

const Field& World::field(const std::string& name) const {
  return const_cast<World*>(this)->field(name);
}

AgentType World::add_agent_type(const std::string& name) {
  for (std::size_t i = 0; i < agent_type_names_.size(); ++i) {
    if (agent_type_names_[i] == name) return static_cast<AgentType>(i);
  }
  if (agent_type_names_.size() >= 255) throw std::logic_error("more than 255 agent types");
  agent_type_names_.push_back(name);
  return static_cast<AgentType>(agent_type_names_.size() - 1);
}

AgentType World::agent_type(const std::string& name) const {
  for (std::size_t i = 0; i < agent_type_names_.size(); ++i) {
    if (agent_type_names_[i] == name) return static_cast<AgentType>(i);
  }
  throw InputError("no agent type named '" + name + "' (types: " + join_names(agent_type_names_) +
                   ")");
}

}  // namespace regensim::sim
