#pragma once
// Helpers shared by tests: temporary directories, files, and in-process CLI runs.
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/app.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::testing {

/// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("regensim-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// The context of cell step `step` of length dt_min, for calling a rule directly.
inline sim::StepContext step_context(std::int64_t step, double dt_min = 30.0,
                                     std::uint64_t seed = 1) {
  return {step, static_cast<double>(step) * dt_min, dt_min, seed};
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CliResult {
  int status;
  std::string out, err;
};

inline CliResult run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "regensim");
  std::ostringstream out, err;
  const int status = cli::run_cli(args, out, err);
  return {status, out.str(), err.str()};
}

/// TOML: [simulation] for an n x n 2D lattice of 20 µm voxels and [output] to "unused.h5"
/// (tests that build a Simulation in process never write it).
inline std::string small_run_toml(int n, double days, double step_minutes, int seed) {
  return "[simulation]\ndimensions = [" + std::to_string(n) + ", " + std::to_string(n) +
         ", 1]\nvoxel_size_um = 20.0\nduration_days = " + std::to_string(days) +
         "\nstep_minutes = " + std::to_string(step_minutes) + "\nseed = " + std::to_string(seed) +
         "\n\n[output]\nfile = \"unused.h5\"\n\n";
}

/// TOML: the oxygen field held at 38 mmHg in the `vessel` layer's voxels, with `extra`
/// keys (e.g. "max_step_min = 1.0\n") appended to its table.
inline std::string vessel_oxygen_toml(const std::string& extra = "") {
  return "[fields.oxygen]\nunits = \"mmHg\"\ndiffusion_um2_per_min = 1.0e5\n"
         "half_life_min = 6.93\ninitial_value = 38.0\nfixed_layer = \"vessel\"\n"
         "fixed_value = 38.0\n" +
         extra + "\n";
}

/// A small, fast, valid scenario (2D by default) touching every engine feature:
/// two fields, vessels as fixed voxels, cells placed, consuming, secreting, moving.
inline std::string small_config(const std::string& output_file, int nz = 1) {
  return R"([simulation]
dimensions = [24, 20, )" +
         std::to_string(nz) + R"(]
voxel_size_um = 20.0
duration_days = 1.0
step_minutes = 30.0
seed = 7

[output]
file = ")" +
         output_file + R"("
every_hours = 6.0
metrics_every_hours = 1.0

[solver]
max_step_min = 1.0

)" + vessel_oxygen_toml() +
         R"([fields.vegf]
units = "ng/mL"
diffusion_um2_per_min = 1650.0
half_life_min = 60.0

[fields.vegf.boundary]
all = "no_flux"
x_low = 0.0

[rules]
order = ["capillaries", "injection", "respiration", "vegf_secretion", "migration"]

[rules.capillaries]
rule = "vessel_network"
spacing_um = 100.0
avascular_radius_um = 120.0

[rules.injection]
rule = "place_cells"
cell_type = "msc"
count = 40
radius_um = 120.0

[rules.respiration]
rule = "uptake"
cell_types = ["msc"]
field = "oxygen"
uptake_per_min = 10.0

[rules.vegf_secretion]
rule = "secretion"
cell_types = ["msc"]
field = "vegf"
rate_per_min = 0.05

[rules.migration]
rule = "random_walk"
cell_types = ["msc"]
speed_um_per_hour = 30.0
)";
}

}  // namespace regensim::testing
