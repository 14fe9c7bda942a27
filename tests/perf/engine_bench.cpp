// Engine benchmarks: implicit diffusion (oxygen-like fields with vessels, and secreted
// factors without them) and the agent step, each against this
// machine's measured memory bandwidth (a STREAM-triad kernel run in the same process).
// Prints one table; see docs/performance.md.
// Usage: engine_bench [--quick] [--agents | --memory] [--threads 1,2,4,...]
//   (default threads: 1, 2, all)
//   --agents: the agent case only (no STREAM triad, no diffusion case)
//   --memory: only the 512 x 512 x 256, 6-field, 10^7-agent case, at the first thread
//             count (about 4 GB; peak RSS is the row's RSS)
//   --factor: the secreted-factor case only (with the triad), e.g. for a profile
//   --vessel: the vessel (fixed-voxel) diffusion case only (with the triad)
//   --grid N: the diffusion cases on N^3 only (default: 128 and 256)
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "models/cell_types.hpp"
#include "models/random_walk.hpp"
#include "models/secretion_uptake.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/world.hpp"
#include "sim/solver/diffusion_solver.hpp"
#include "tests/perf/thread_list.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace regensim;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Resident memory now, in bytes (Linux /proc). Cases measure it before and at their
/// end, so the difference is what the case holds (the triad's arrays are freed by then).
double resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0.0;
  long pages = 0, resident = 0;
  const int read = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  return read == 2 ? static_cast<double>(resident) * 4096.0 : 0.0;
}

/// Best-of-5 STREAM triad a[i] = b[i] + s*c[i] over float arrays far larger than the
/// caches; bytes counted as 3 x 4 per element (the write-allocate read not counted,
/// as STREAM does).
double triad_gbytes_per_s(int threads) {
  const std::size_t n = std::size_t{1} << 26;  // 3 x 256 MiB
  std::vector<float> a(n), b(n, 1.0f), c(n, 2.0f);
  double best = 0.0;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = Clock::now();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) a[i] = b[i] + 3.0f * c[i];
    best = std::max(best, 12.0 * static_cast<double>(n) / seconds_since(t0) / 1e9);
  }
  return best + 0.0 * a[n / 2];
}

struct Row {
  std::string name, grid;
  int fields = 0;
  std::size_t agents = 0;
  int threads = 0;
  double ms_per_step = 0, updates_per_s = 0, bound_fraction = 0, triad_gbs = 0, bytes_per_voxel = 0,
         bytes_per_agent = 0, rss_mib = 0;
  double bytes_per_update = 0;  // of the bound (diffusion rows)
};

void print_header() {
  std::printf("%-10s %-13s %6s %9s %7s %11s %12s %8s %7s %10s %10s %9s\n", "case", "grid", "fields",
              "agents", "threads", "ms/step", "updates/s", "of bound", "triad", "B/voxel",
              "B/agent", "RSS MiB");
}

void print(const Row& r) {
  // Rows without a bandwidth bound (the agent case) show "-" in its two columns.
  char fraction[16] = "-", triad[16] = "-";
  if (r.triad_gbs > 0.0) {
    std::snprintf(fraction, sizeof fraction, "%.2f", r.bound_fraction);
    std::snprintf(triad, sizeof triad, "%.1f", r.triad_gbs);
  }
  std::printf("%-10s %-13s %6d %9zu %7d %11.2f %12.3g %8s %7s %10.1f %10.1f %9.0f\n",
              r.name.c_str(), r.grid.c_str(), r.fields, r.agents, r.threads, r.ms_per_step,
              r.updates_per_s, fraction, triad, r.bytes_per_voxel, r.bytes_per_agent, r.rss_mib);
}

/// Peak resident memory of the process so far, in bytes (VmHWM in /proc/self/status).
double peak_resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0.0;
  char line[256];
  double kib = 0.0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "VmHWM: %lf kB", &kib) == 1) break;
  }
  std::fclose(f);
  return kib * 1024.0;
}

/// Restarts the peak (VmHWM) at the current resident size (Linux clear_refs, "5").
void reset_peak_resident() {
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
}

/// `fields` oxygen-like fields held at 38 on a vessel grid (every 10th voxel in x and y,
/// all z): the fixed voxels make the solver take its penalty path, as in a scenario.
void add_vessel_fields(sim::World& world, int fields) {
  const auto& lattice = world.lattice();
  auto& vessel = world.tissue().add_code("vessel", "", {{0, "none"}, {1, "vessel"}}).classes;
  for (int z = 0; z < lattice.nz(); ++z) {
    for (int y = 5; y < lattice.ny(); y += 10) {
      for (int x = 5; x < lattice.nx(); x += 10) vessel[lattice.index(x, y, z)] = 1;
    }
  }
  for (int f = 0; f < fields; ++f) {
    sim::FieldSpec spec;
    char name[16];  // snprintf, not "f" + to_string: GCC 12 warns falsely on the latter
    std::snprintf(name, sizeof name, "f%d", f);
    spec.name = name;
    spec.diffusion_um2_per_min = 1e5;
    spec.decay_per_min = 0.1;
    spec.initial_value = 38.0;
    spec.fixed_value = 38.0;
    world.add_field(spec);
    world.fields().back().set_fixed_mask(vessel.data());
  }
}

/// `fields` secreted-factor-like fields (D = 1650 µm²/min, half-life 60 min) without fixed
/// voxels, as the five factors of the end-to-end case: the solver's shared-factor path, or
/// with `exact` its exact cosine-transform step, secreted on a tenth of the voxels.
void add_factor_fields(sim::World& world, int fields, bool exact) {
  for (int f = 0; f < fields; ++f) {
    sim::FieldSpec spec;
    char name[16];
    std::snprintf(name, sizeof name, "g%d", f);
    spec.name = name;
    spec.diffusion_um2_per_min = 1650.0;
    spec.decay_per_min = 0.01155;
    spec.initial_value = 1.0;
    spec.exact_steps = exact;
    world.add_field(spec);
    if (!exact) continue;
    const auto size = static_cast<sim::VoxelIndex>(world.lattice().size());
    for (sim::VoxelIndex v = 0; v < size; v += 10) {
      world.fields().back().point_terms().push_back({v, 0.048f, 0.0f});
    }
  }
}

/// `agents` cells of type 0 at keyed-random free voxels.
void place_agents(sim::World& world, std::size_t agents) {
  const sim::KeyedRng rng(1, 99);
  const std::size_t size = world.lattice().size();
  world.agents().reserve(agents);
  for (std::uint64_t k = 0; world.agents().size() < agents; ++k) {
    const auto v = static_cast<sim::VoxelIndex>(rng.bits(0, k)[0] % size);
    if (!world.agents().occupied(v)) world.agents().add(0, v, 0);
  }
}

/// Implicit solver sub-steps on `fields` oxygen-like fields with vessel-like fixed voxels
/// (`factor` false) or secreted-factor-like fields without them (`factor` true), 1 min
/// each; with `exact`, exact steps of 30 min (one cell step).
Row diffusion_case(int n, int nz, int fields, int threads, int steps, bool factor = false,
                   bool exact = false) {
  omp_set_num_threads(threads);
  const double rss_before = resident_bytes();
  sim::World world(sim::Lattice(n, n, nz, 20.0), 1, 30.0);
  if (factor) {
    add_factor_fields(world, fields, exact);
  } else {
    add_vessel_fields(world, fields);
  }
  auto solver = sim::make_solver(sim::SolverMethod::ImplicitLod, world.lattice());
  const double dt = exact ? 30.0 : 1.0;
  for (auto& f : world.fields()) solver->step(f, dt);  // warm-up: scratch allocation
  // Best of three repetitions: this shared host's speed varies by 15% within minutes.
  double per_step = 1e300;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = Clock::now();
    for (int s = 0; s < steps; ++s) {
      for (auto& f : world.fields()) solver->step(f, dt);
    }
    per_step = std::min(per_step, seconds_since(t0) / steps);
  }
  const double voxels = static_cast<double>(world.lattice().size());
  Row r;
  r.name = exact ? "exact" : factor ? "factor" : "diffusion";
  r.grid = std::to_string(n) + "x" + std::to_string(n) + "x" + std::to_string(nz);
  r.fields = fields;
  r.threads = threads;
  r.ms_per_step = per_step * 1e3;
  r.updates_per_s = voxels * fields / per_step;
  // Bound: three sweeps, each reading and writing every value once (24 bytes per update);
  // the exact step's passes move 64 bytes (u read and written in five passes, the source
  // written, transformed in two and read in the third).
  r.bytes_per_update = exact ? 64.0 : 24.0;
  r.rss_mib = resident_bytes() / 1048576.0;
  // Measured: fields, occupancy index, vessel layer and the solver's scratch.
  r.bytes_per_voxel = (resident_bytes() - rss_before) / voxels;
  return r;
}

/// Seconds per step spent in each part of the agent case.
struct AgentPhases {
  double walk = 0, terms = 0, compact = 0;
  double resort = 0;     // one sort_by_voxel() once order_drifted() holds, seconds
  int resort_every = 0;  // steps from a sorted store until order_drifted() holds
};

/// One cell step of the agent rules as the engine runs it: random walk with volume
/// exclusion (Act), secretion of one field and uptake of another (Secrete), then the
/// end-of-step compact() (removals and the periodic re-sort by voxel).
Row agent_case(int n, std::size_t agents, int threads, int steps, AgentPhases& phases) {
  omp_set_num_threads(threads);
  const double rss_before = resident_bytes();
  sim::World world(sim::Lattice(n, n, n, 20.0), 1, 30.0);
  models::declare_cell_types(world);
  for (const char* name : {"oxygen", "vegf"}) {
    sim::FieldSpec spec;
    spec.name = name;
    world.add_field(spec);
  }
  place_agents(world, agents);
  models::RandomWalk walk("walk", {{0}, 30.0});
  models::Uptake uptake("uptake", {{0}, 0, 10.0});
  models::Secretion secretion("secretion", {{0}, 1, 1.0}, sim::Mechanisms{});
  AgentPhases sum;
  const auto run = [&](std::int64_t step) {
    const sim::StepContext ctx{step, 30.0 * static_cast<double>(step), 30.0, 1};
    const auto t0 = Clock::now();
    walk.apply(sim::Phase::Act, world, ctx);
    const auto t1 = Clock::now();
    secretion.apply(sim::Phase::Secrete, world, ctx);
    uptake.apply(sim::Phase::Secrete, world, ctx);
    const auto t2 = Clock::now();
    for (auto& f : world.fields()) f.point_terms().clear();
    world.agents().compact();
    sum.walk += std::chrono::duration<double>(t1 - t0).count();
    sum.terms += std::chrono::duration<double>(t2 - t1).count();
    sum.compact += seconds_since(t2);
  };
  run(0);  // warm-up: scratch allocation (and the first re-sort of the random placement)
  sum = {};
  const auto t0 = Clock::now();
  for (int s = 1; s <= steps; ++s) run(s);
  const double per_step = seconds_since(t0) / steps;
  phases = {sum.walk / steps, sum.terms / steps, sum.compact / steps, 0.0, 0};
  // The periodic re-sort, rarer than the timed steps: step on (without compact(), which
  // would re-sort by itself) until the order has drifted, then time the sort.
  int since_sort = steps;  // the warm-up step's compact() sorted the random placement
  const bool can_drift = world.lattice().size() > sim::AgentStore::kLocalityWindow;
  while (can_drift && !world.agents().order_drifted() && since_sort < 200) {
    const sim::StepContext ctx{++since_sort, 0.0, 30.0, 1};
    walk.apply(sim::Phase::Act, world, ctx);
  }
  const auto t_sort = Clock::now();
  world.agents().sort_by_voxel();
  phases.resort = seconds_since(t_sort);
  phases.resort_every = since_sort;
  Row r;
  r.name = "agents";
  r.grid = std::to_string(n) + "^3";
  r.fields = static_cast<int>(world.fields().size());
  r.agents = agents;
  r.threads = threads;
  r.ms_per_step = per_step * 1e3;
  r.updates_per_s = static_cast<double>(agents) / per_step;
  r.rss_mib = resident_bytes() / 1048576.0;
  // Measured, less the lattice's occupancy index and the fields (4 bytes per voxel each).
  const double voxels = static_cast<double>(world.lattice().size());
  const double per_voxel = 4.0 * (1.0 + static_cast<double>(world.fields().size()));
  r.bytes_per_agent =
      (resident_bytes() - rss_before - per_voxel * voxels) / static_cast<double>(agents);
  return r;
}

/// Target 4's case: a 512 x 512 x 256 lattice with 6 fields and 10^7 agents, one cell step
/// (walk, secretion, uptake, one solver step per field, compact). Run alone (`--memory`),
/// so the process's peak RSS is this case's.
Row memory_case(int threads, double& step_scratch_per_agent) {
  omp_set_num_threads(threads);
  const double rss_before = resident_bytes();
  sim::World world(sim::Lattice(512, 512, 256, 20.0), 1, 30.0);
  models::declare_cell_types(world);
  add_vessel_fields(world, 6);
  auto solver = sim::make_solver(sim::SolverMethod::ImplicitLod, world.lattice());
  for (auto& f : world.fields()) solver->step(f, 1.0);  // scratch allocation
  const double rss_lattice = resident_bytes();
  const std::size_t agents = 10'000'000;
  place_agents(world, agents);
  world.agents().compact();  // the first re-sort by voxel, as a run's setup does
  const double rss_agents = resident_bytes();
  const double setup_peak = peak_resident_bytes();
  reset_peak_resident();  // from here the peak is the step's
  models::RandomWalk walk("walk", {{0}, 30.0});
  models::Uptake uptake("uptake", {{0}, 0, 10.0});
  models::Secretion secretion("secretion", {{0}, 1, 1.0}, sim::Mechanisms{});
  const sim::StepContext ctx{1, 30.0, 30.0, 1};
  const auto t0 = Clock::now();
  walk.apply(sim::Phase::Act, world, ctx);
  secretion.apply(sim::Phase::Secrete, world, ctx);
  uptake.apply(sim::Phase::Secrete, world, ctx);
  for (auto& f : world.fields()) solver->step(f, 1.0);
  world.agents().compact();
  const double seconds = seconds_since(t0);
  const double voxels = static_cast<double>(world.lattice().size());
  Row r;
  r.name = "memory";
  r.grid = "512x512x256";
  r.fields = 6;
  r.agents = agents;
  r.threads = threads;
  r.ms_per_step = seconds * 1e3;
  r.updates_per_s = voxels * r.fields / seconds;
  r.bytes_per_voxel = (rss_lattice - rss_before) / voxels;
  r.bytes_per_agent = (rss_agents - rss_lattice) / static_cast<double>(agents);
  r.rss_mib = std::max(setup_peak, peak_resident_bytes()) / 1048576.0;
  step_scratch_per_agent = (peak_resident_bytes() - rss_agents) / static_cast<double>(agents);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  bool agents_only = false;
  bool memory_only = false;
  bool factor_only = false;
  bool vessel_only = false;
  int only_grid = 0;
  const int max_threads = omp_get_max_threads();
  std::vector<int> thread_counts = {1};
  if (max_threads >= 2) thread_counts.push_back(2);
  if (max_threads > 2) thread_counts.push_back(max_threads);
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--agents") == 0) {
      agents_only = true;
    } else if (std::strcmp(argv[i], "--memory") == 0) {
      memory_only = true;
    } else if (std::strcmp(argv[i], "--factor") == 0) {
      factor_only = true;
    } else if (std::strcmp(argv[i], "--vessel") == 0) {
      vessel_only = true;
    } else if (std::strcmp(argv[i], "--grid") == 0 && i + 1 < argc) {
      only_grid = std::atoi(argv[++i]);
      if (only_grid < 8) {
        std::fprintf(stderr, "engine_bench: --grid takes a lattice side of at least 8\n");
        return 2;
      }
    } else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      const auto counts = bench::parse_thread_list(argv[++i]);
      if (!counts) {
        std::fprintf(stderr, "engine_bench: --threads takes a list like 1,2,4\n");
        return 2;
      }
      thread_counts = *counts;
    } else {
      std::fprintf(
          stderr,
          "usage: engine_bench [--quick] [--agents | --memory | --factor | --vessel] [--grid N] "
          "[--threads 1,2,...]\n");
      return 2;
    }
  }

  std::printf("# machine: %d OpenMP threads available\n", max_threads);
  if (memory_only) {
    print_header();
    double scratch = 0.0;
    print(memory_case(thread_counts.front(), scratch));
    std::printf(
        "# memory: B/voxel = fields, occupancy index, vessel layer and solver scratch; "
        "B/agent = the sorted store; RSS = peak of the process; the step adds %.1f B/agent of "
        "scratch (walk targets, point terms, the solver's copies of them)\n",
        scratch);
    return 0;
  }
  // The bound: the largest STREAM triad measured in this run on the row's thread count,
  // at the start and again right before every diffusion row. This host's bandwidth moves
  // by 15-30 % within minutes; one reading at the start made the rows' fractions move
  // with it (0.42-0.64 for one and the same kernel time), and a reading next to each row
  // was sometimes taken in a dip. Rows are printed once all are measured.
  std::map<int, std::vector<double>> readings;
  const auto read_triad = [&](int threads) {
    readings[threads].push_back(triad_gbytes_per_s(threads));
  };
  for (int t : agents_only ? std::vector<int>{} : thread_counts) read_triad(t);

  const std::vector<int> grids = only_grid > 0 ? std::vector<int>{only_grid}
                                 : quick       ? std::vector<int>{64}
                                               : std::vector<int>{128, 256};
  // At least 12 (256^3) or 40 (128^3) field steps per repetition: short repetitions of the
  // one-field cases measured the threads' wake-ups.
  const auto steps_for = [](int n, int fields) {
    return std::max(2, (n >= 256 ? 12 : 40) / fields);
  };
  std::vector<Row> rows;
  const auto measure = [&](int threads, int n, int fields, int steps, bool factor, bool exact) {
    read_triad(threads);
    rows.push_back(diffusion_case(n, n, fields, threads, steps, factor, exact));
  };
  for (int t : agents_only ? std::vector<int>{} : thread_counts) {
    for (int n : factor_only ? std::vector<int>{} : grids) {
      for (int fields : {1, 6}) measure(t, n, fields, steps_for(n, fields), false, false);
    }
    if (vessel_only) continue;
    // Secreted factors (no fixed voxels): the path that takes most of a scenario's time.
    for (int n : grids) {
      for (int fields : {1, 6}) measure(t, n, fields, steps_for(n, fields), true, false);
    }
    // The same fields with one exact step per 30-minute cell step (solver.exact_steps).
    measure(t, grids.front(), 6, 3, true, true);
  }
  for (const auto& [t, values] : readings) {
    std::printf(
        "# STREAM triad, %d thread(s): %.1f GB/s, the largest of %zu readings (smallest %.1f)\n", t,
        *std::max_element(values.begin(), values.end()), values.size(),
        *std::min_element(values.begin(), values.end()));
  }
  std::printf(
      "# of bound: updates/s over the triad column (GB/s) / 24 B (3 sweeps x read+write 4 B); "
      "exact: / 64 B (its passes)\n");
  print_header();
  for (Row& r : rows) {
    const auto& values = readings[r.threads];
    r.triad_gbs = *std::max_element(values.begin(), values.end());
    r.bound_fraction = r.updates_per_s / (r.triad_gbs * 1e9 / r.bytes_per_update);
    print(r);
  }
  if (factor_only || vessel_only) return 0;
  std::vector<AgentPhases> phases(thread_counts.size());
  for (std::size_t ti = 0; ti < thread_counts.size(); ++ti) {
    print(agent_case(quick ? 64 : 256, quick ? 20000 : 1000000, thread_counts[ti], quick ? 5 : 10,
                     phases[ti]));
  }
  for (std::size_t ti = 0; ti < thread_counts.size(); ++ti) {
    const AgentPhases& p = phases[ti];
    std::printf(
        "# agents, %d thread(s), ms/step: walk %.2f, secretion+uptake %.2f, compact %.2f; "
        "re-sort by voxel %.1f ms every %d steps (%.2f ms/step, not in the row)\n",
        thread_counts[ti], p.walk * 1e3, p.terms * 1e3, p.compact * 1e3, p.resort * 1e3,
        p.resort_every, p.resort * 1e3 / std::max(1, p.resort_every));
  }
  return 0;
}
