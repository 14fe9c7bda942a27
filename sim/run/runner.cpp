#include "sim/run/runner.hpp"

#include "sim/core/format.hpp"

#include <omp.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "sim/core/error.hpp"
#include "sim/io/output_writer.hpp"
#include "sim/run/checkpoint.hpp"
#include "sim/run/stop_signal.hpp"

namespace regensim::sim {

namespace {

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

namespace {

/// Adds the wall-clock time of each timed call to a total.
class Stopwatch {
 public:
  template <class F>
  void time(F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  double seconds() const { return seconds_; }

 private:
  double seconds_ = 0.0;
};

}  // namespace

RunOutcome run_to_file(Simulation& sim, const RunRequest& request, std::ostream& progress,
                       RunTimes* times) {
  const auto started = std::chrono::steady_clock::now();
  Stopwatch output;
  const auto report = [&] {
    if (times == nullptr) return;
    times->total_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    times->output_s = output.seconds();
  };
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

  const World& world = sim.world();
  std::unique_ptr<OutputWriter> writer;
  if (request.resume_at) {
    try {
      writer = std::make_unique<OutputWriter>(options, world, *request.resume_at);
    } catch (const IoError& e) {
      // E.g. a file torn by a crash: the checkpoint cannot be continued (bad input, so
      // that a sweep sets the checkpoint aside and starts the run afresh).
      throw InputError(std::string(e.what()) + "; cannot continue this output from the checkpoint");
    }
  } else {
    writer = std::make_unique<OutputWriter>(options, world);
  }
  const auto record_metrics = [&] {
    output.time([&] { writer->write_metrics(world.time_days(), sim.sample_metrics()); });
  };
  const auto snapshot = [&] { output.time([&] { writer->write_snapshot(world); }); };
  if (!request.resume_at) {
    record_metrics();
    snapshot();
  }
  using Clock = std::chrono::steady_clock;
  auto last_checkpoint = Clock::now();
  const auto checkpoint = [&] {
    // Absolute: a restart may start in another working directory (a batch job).
    output.time([&] {
      write_checkpoint(
          request.checkpoint_path, sim, request.config_toml,
          {std::filesystem::absolute(request.output_path).string(), writer->position()});
    });
    last_checkpoint = Clock::now();
  };

  ProgressLine line(progress, request.show_progress, config.simulation.duration_days);
  while (!sim.finished()) {
    if (stop_requested() != 0 || world.step() == request.stop_at_step) {
      if (!request.checkpoint_path.empty()) checkpoint();
      writer->set_status(RunStatus::Interrupted);
      line.finish();
      report();
      return RunOutcome::Interrupted;
    }
    sim.step();
    const std::int64_t step = world.step();
    if (step % config.output.metrics_every_steps == 0 || sim.finished()) record_metrics();
    if (step % config.output.snapshot_every_steps == 0 || sim.finished()) snapshot();
    if (!request.checkpoint_path.empty() && request.checkpoint_every_s > 0.0 && !sim.finished() &&
        std::chrono::duration<double>(Clock::now() - last_checkpoint).count() >=
            request.checkpoint_every_s) {
      checkpoint();
    }
    line.update(world.time_days());
  }
  line.update(world.time_days(), true);
  line.finish();
  writer->set_status(RunStatus::Complete);
  // A finished run has nothing to resume; a stale checkpoint would only mislead.
  if (!request.checkpoint_path.empty()) {
    std::error_code ec;
    std::filesystem::remove(request.checkpoint_path, ec);
  }
  report();
  return RunOutcome::Complete;
}

}  // namespace regensim::sim
