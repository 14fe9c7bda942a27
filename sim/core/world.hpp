#pragma once
/// The state of one simulation: lattice, fields, tissue layers, agents and clock.
/// Rules read and change it; the engine owns it. No globals: everything is reached
/// through a World reference.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/agents/agent_store.hpp"
#include "sim/core/lattice.hpp"
#include "sim/fields/field.hpp"
#include "sim/fields/tissue.hpp"

namespace regensim::sim {

class World {
 public:
  World(Lattice lattice, std::uint64_t seed, double step_min);
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  const Lattice& lattice() const { return lattice_; }
  std::uint64_t seed() const { return seed_; }
  /// Cell-rule step length, minutes.
  double step_min() const { return step_min_; }
  /// Steps completed so far.
  std::int64_t step() const { return step_; }
  void advance_clock() { ++step_; }
  /// Sets the step counter (a restart from a checkpoint).
  void restore_step(std::int64_t step) { step_ = step; }
  double time_min() const { return static_cast<double>(step_) * step_min_; }
  double time_days() const { return time_min() / (24.0 * 60.0); }

  /// Adds a field; names are unique. Returns its index (stable).
  int add_field(FieldSpec spec);
  std::vector<Field>& fields() { return fields_; }
  const std::vector<Field>& fields() const { return fields_; }
  /// The named field; throws InputError listing the fields when there is none.
  Field& field(const std::string& name);
  const Field& field(const std::string& name) const;
  /// The named field or nullptr.
  Field* find_field(const std::string& name);
  const Field* find_field(const std::string& name) const;

  TissueLayers& tissue() { return tissue_; }
  const TissueLayers& tissue() const { return tissue_; }
  AgentStore& agents() { return agents_; }
  const AgentStore& agents() const { return agents_; }

  /// Names of agent types, indexed by type code (declared by the models).
  AgentType add_agent_type(const std::string& name);
  /// Code of a named type; throws InputError listing the types when there is none.
  AgentType agent_type(const std::string& name) const;
  const std::vector<std::string>& agent_type_names() const { return agent_type_names_; }

  /// Named running totals the models keep across steps (e.g. cells delivered so far).
  /// Part of the world's state: a rule keeps nothing across steps outside the world,
  /// so a checkpoint of the world is a checkpoint of the run.
  std::map<std::string, double>& counters() { return counters_; }
  const std::map<std::string, double>& counters() const { return counters_; }

  /// Lines for the user about how the models read the config (e.g. how a real cell
  /// dose maps to lattice cells); `regensim check` prints them after setup.
  void add_note(std::string note) { notes_.push_back(std::move(note)); }
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  Lattice lattice_;
  std::uint64_t seed_;
  double step_min_;
  std::int64_t step_ = 0;
  std::vector<Field> fields_;
  TissueLayers tissue_;
  AgentStore agents_;
  std::vector<std::string> agent_type_names_;
  std::map<std::string, double> counters_;
  std::vector<std::string> notes_;
};

}  // namespace regensim::sim
