#include "sim/run/runner.hpp"

#include <omp.h>

#include <chrono>
#include <cstdio>

#include "sim/io/output_writer.hpp"
#include "sim/run/stop_signal.hpp"

namespace regensim::sim {

namespace {

std::string format_duration(double seconds) {
  if (!(seconds >= 0.0) || seconds > 359999.0) return "--:--:--";
  const auto s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

class ProgressLine {
 public:
  ProgressLine(std::ostream& out, bool enabled, double total_days)
      : out_(out), enabled_(enabled), total_days_(total_days), start_(Clock::now()) {}

  void update(double day, bool force = false) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0.0 ? day / elapsed : 0.0;  // simulated days per second
    const double eta = rate > 0.0 ? (total_days_ - day) / rate : -1.0;
    char buf[160];
    std::snprintf(buf, sizeof buf, "\rday %.2f / %.2f | %.3g sim-days/min | elapsed %s | ETA %s ",
                  day, total_days_, rate * 60.0, format_duration(elapsed).c_str(),
                  format_duration(eta).c_str());
    out_ << buf << std::flush;
  }
  void finish() {
    if (enabled_) out_ << "\n" << std::flush;
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& out_;
  bool enabled_;
  double total_days_;
  Clock::time_point start_, last_{};
};

}  // namespace

RunOutcome run_to_file(Simulation& sim, const RunRequest& request, std::ostream& progress) {
  const RunConfig& config = sim.config();
  OutputOptions options;
  options.path = request.output_path;
  options.overwrite = request.overwrite;
  options.field_names = config.output.fields;
  for (const auto& m : sim.metrics()) {
    options.metric_names.push_back(m.name);
    options.metric_units.push_back(m.units);
  }
  options.seed = config.simulation.seed;
  options.threads = omp_get_max_threads();
  options.config_toml = request.config_toml;

  OutputWriter writer(options, sim.world());
  const World& world = sim.world();
  const auto record_metrics = [&] {
    writer.write_metrics(world.time_days(), sim.sample_metrics());
  };
  record_metrics();
  writer.write_snapshot(world);

  ProgressLine line(progress, request.show_progress, config.simulation.duration_days);
  while (!sim.finished()) {
    if (stop_requested() != 0) {
      writer.set_status(RunStatus::Interrupted);
      line.finish();
      return RunOutcome::Interrupted;
    }
    sim.step();
    const std::int64_t step = world.step();
    if (step % config.output.metrics_every_steps == 0 || sim.finished()) record_metrics();
    if (step % config.output.snapshot_every_steps == 0 || sim.finished()) {
      writer.write_snapshot(world);
    }
    line.update(world.time_days());
  }
  line.update(world.time_days(), true);
  line.finish();
  writer.set_status(RunStatus::Complete);
  return RunOutcome::Complete;
}

}  // namespace regensim::sim
