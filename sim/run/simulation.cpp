#include "sim/run/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/core/error.hpp"
#include "sim/core/format.hpp"

namespace regensim::sim {

namespace {

/// Reads [rules]: `order` lists instance names; each has a table [rules.<instance>]
/// whose `rule` key names the registered rule (default: the instance name).
std::vector<std::unique_ptr<Rule>> build_rules(ConfigTable& root, const RuleRegistry& registry,
                                               RuleContext& ctx) {
  std::vector<std::unique_ptr<Rule>> rules;
  ConfigTable table = root.optional_table("rules");
  const auto order = table.get_string_array("order", {});
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::string& instance = order[i];
    if (instance == "order") table.fail("order", "'order' cannot name a rule instance");
    for (std::size_t j = 0; j < i; ++j) {
      if (order[j] == instance) table.fail("order", "instance '" + instance + "' listed twice");
    }
    ConfigTable params = table.optional_table(instance);
    const std::string rule = params.get_string("rule", instance);
    rules.push_back(registry.create(rule, instance, params, ctx));
    params.finish();
  }
  for (const auto& key : table.keys()) {
    if (key == "order") continue;
    bool listed = false;
    for (const auto& o : order) listed = listed || o == key;
    if (!listed) {
      table.fail(key, "rule table is not listed in rules.order (add \"" + key +
                          "\" to run it, or remove the table)");
    }
  }
  table.finish();
  return rules;
}

}  // namespace

Simulation::Simulation(RunConfig config, std::unique_ptr<World> world)
    : config_(std::move(config)), world_(std::move(world)) {}

std::unique_ptr<Simulation> Simulation::build(ConfigDocument& doc, const RuleRegistry& registry) {
  ConfigTable root = doc.root();
  RunConfig config = read_run_config(root);
  const auto& s = config.simulation;
  auto world = std::make_unique<World>(
      Lattice(s.dimensions[0], s.dimensions[1], s.dimensions[2], s.voxel_size_um), s.seed,
      s.step_minutes);
  for (const auto& f : config.fields) world->add_field(f);

  std::unique_ptr<Simulation> sim(new Simulation(std::move(config), std::move(world)));
  RuleContext ctx{*sim->world_, sim->config_.mechanisms};
  sim->rules_ = build_rules(root, registry, ctx);
  root.finish();

  sim->run_phase(Phase::Setup, sim->context());
  sim->world_->tissue().freeze();

  // Fixed voxels come from tissue layers, which setup rules may have just created.
  for (std::size_t i = 0; i < sim->config_.fields.size(); ++i) {
    const FieldSpec& spec = sim->config_.fields[i];
    if (spec.fixed_layer.empty()) continue;
    const TissueLayer* layer = sim->world_->tissue().find(spec.fixed_layer);
    if (layer == nullptr || layer->kind != LayerKind::Code) {
      std::vector<std::string> names;
      for (const auto& l : sim->world_->tissue().layers()) {
        if (l.kind == LayerKind::Code) names.push_back(l.name);
      }
      throw ConfigError(sim->config_.fixed_layer_where[i] + ": fields." + spec.name +
                        ".fixed_layer = \"" + spec.fixed_layer +
                        "\": no such code layer after setup (code layers: " + join_names(names) +
                        ")");
    }
    sim->world_->fields()[i].set_fixed_mask(layer->classes.data());
  }

  sim->solver_ = make_solver(sim->config_.solver.method, sim->world_->lattice());
  sim->balances_.assign(sim->config_.fields.size(), FieldBalance{});
  sim->metrics_ = registry.metrics_for(*sim->world_);
  for (const auto& rule : sim->rules_) {
    for (auto& m : rule->metrics(*sim->world_)) {
      for (const auto& existing : sim->metrics_) {
        if (existing.name == m.name) {
          throw ConfigError("rules." + rule->name() + ": metric '" + m.name +
                            "' is already defined by another rule or the models");
        }
      }
      sim->metrics_.push_back(std::move(m));
    }
  }
  return sim;
}

StepContext Simulation::context() const {
  return {world_->step(), world_->time_min(), world_->step_min(), world_->seed()};
}

void Simulation::run_phase(Phase phase, const StepContext& ctx) {
  for (auto& rule : rules_) {
    if (rule->phases().contains(phase)) rule->apply(phase, *world_, ctx);
  }
}

void Simulation::step() {
  const StepContext ctx = context();
  for (Phase phase : {Phase::Sense, Phase::Decide, Phase::Act, Phase::Secrete}) {
    run_phase(phase, ctx);
  }
  auto& fields = world_->fields();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    // A quasi-steady field is solved once per cell step (the solver ignores the length),
    // and an exact step needs no sub-steps.
    const int n = fields[i].spec().quasi_steady || solver_->steps_exactly(fields[i])
                      ? 1
                      : substep_count(ctx.dt_min, fields[i].spec().max_step_min);
    const double dt = ctx.dt_min / n;
    for (int k = 0; k < n; ++k) balances_[i] += solver_->step(fields[i], dt);
    fields[i].point_terms().clear();
  }
  world_->agents().compact();
  world_->advance_clock();
}

void Simulation::restore_balances(std::vector<FieldBalance> balances) {
  if (balances.size() != balances_.size()) {
    throw std::invalid_argument("Simulation::restore_balances: one balance per field expected");
  }
  balances_ = std::move(balances);
}

std::vector<double> Simulation::sample_metrics() const {
  std::vector<double> values;
  values.reserve(metrics_.size());
  for (const auto& m : metrics_) values.push_back(m.compute(*world_));
  return values;
}

RunEstimate estimate_run(const Simulation& sim) {
  const auto& c = sim.config();
  const World& w = sim.world();
  const double voxels = static_cast<double>(w.lattice().size());
  double layer_bytes = 0.0;
  for (const auto& l : w.tissue().layers()) layer_bytes += l.kind == LayerKind::Code ? 1.0 : 4.0;
  const double agents = static_cast<double>(w.agents().size());
  const double per_agent =
      8 + 1 + 4 + 8 + 8 + 1 + 4.0 * static_cast<double>(w.agents().column_names().size());

  RunEstimate e;
  // Fields, occupancy index, tissue layers, and the implicit solver's work arrays, shared
  // by the fields (docs/performance.md measures the total): 16 B per voxel bounds its
  // float result buffer and the double buffers of its positive fallback; a quasi-steady
  // field adds five float arrays (diagonal, its inverse, residual, direction, product).
  double solver_bytes = c.solver.method == SolverMethod::ImplicitLod ? 16.0 : 0.0;
  const bool any_steady = std::any_of(c.fields.begin(), c.fields.end(),
                                      [](const FieldSpec& f) { return f.quasi_steady; });
  if (any_steady) solver_bytes += 20.0;
  e.memory_bytes =
      voxels * (4.0 * static_cast<double>(c.fields.size()) + 4.0 + layer_bytes + solver_bytes) +
      agents * per_agent;
  e.snapshots = c.simulation.steps / c.output.snapshot_every_steps + 1 +
                (c.simulation.steps % c.output.snapshot_every_steps != 0 ? 1 : 0);
  const double per_snapshot =
      voxels * (4.0 * static_cast<double>(c.output.fields.size()) + layer_bytes) +
      agents * (per_agent + 8.0);  // x, y, z as int32 instead of one voxel index
  const double metric_rows =
      static_cast<double>(c.simulation.steps / c.output.metrics_every_steps + 2);
  e.output_bytes_uncompressed = static_cast<double>(e.snapshots) * per_snapshot +
                                metric_rows * 8.0 * static_cast<double>(sim.metrics().size() + 1);
  return e;
}

}  // namespace regensim::sim
