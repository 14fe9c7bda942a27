#include "sim/run/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "regensim/version.hpp"
#include "sim/core/error.hpp"
#include "sim/io/hdf5_util.hpp"

namespace regensim::sim {

namespace {

constexpr const char* kFormat = "regensim-checkpoint";
constexpr int kCheckpointVersion = 1;
// The five parts of a FieldBalance, in the order of the /balances rows.
constexpr std::array<const char*, 5> kBalanceParts = {"secreted", "decayed", "taken_up",
                                                      "boundary_in", "fixed_in"};

template <typename T>
void put(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
         const std::vector<T>& v, const std::string& where) {
  h5::write_vector(loc, name, file_type, mem_type, v.data(), v.size(), where + "/" + name);
}

template <typename T>
std::vector<T> get(hid_t loc, const std::string& name, hid_t mem_type, std::size_t n,
                   const std::string& where) {
  const std::string w = where + "/" + name;
  h5::Handle ds = h5::open_dataset(loc, name, w);
  std::vector<T> v(n);
  h5::read_exact(ds.get(), mem_type, v.data(), n, w);
  return v;
}

/// Length of a 1-D dataset.
std::size_t length_of(hid_t loc, const std::string& name, const std::string& where) {
  h5::Handle ds = h5::open_dataset(loc, name, where + "/" + name);
  const auto dims = h5::dataset_dims(ds.get(), where + "/" + name);
  return dims.size() == 1 ? static_cast<std::size_t>(dims[0]) : 0;
}

std::int64_t int_attr(hid_t obj, const std::string& name, const std::string& where) {
  if (!h5::attr_exists(obj, name)) throw IoError(where + ": attribute '" + name + "' missing");
  h5::Handle attr = h5::check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, where,
                              "cannot open attribute '" + name + "'");
  std::int64_t value = 0;
  h5::check(H5Aread(attr.get(), H5T_NATIVE_INT64, &value), where,
            "cannot read attribute '" + name + "'");
  return value;
}

std::string string_attr(hid_t obj, const std::string& name, const std::string& where) {
  auto value = h5::read_string_attr(obj, name, where);
  if (!value) throw IoError(where + ": attribute '" + name + "' missing");
  return *value;
}

void write_state(hid_t f, const Simulation& sim, const std::string& config_toml,
                 const CheckpointOutput& output, const std::string& w) {
  const World& world = sim.world();
  h5::write_attr(f, "format", kFormat, w);
  h5::write_attr(f, "checkpoint_version", kCheckpointVersion, w);
  h5::write_attr(f, "software_version", regensim::kSoftwareVersion, w);
  h5::write_attr(f, "git_commit", regensim::kGitCommit, w);
  h5::write_attr(f, "step", world.step(), w);
  h5::write_attr(f, "time_days", world.time_days(), w);
  h5::write_attr(f, "output_file", output.path, w);
  h5::write_attr(f, "output_snapshots", output.position.snapshots, w);
  h5::write_attr(f, "output_metric_rows", output.position.metric_rows, w);
  h5::write_string_dataset(f, "config", config_toml, w + "/config");

  h5::Handle fields = h5::create_group(f, "fields", w + "/fields");
  for (const Field& field : world.fields()) {
    put(fields.get(), field.name(), H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, field.values(),
        w + "/fields");
  }
  std::vector<double> balances;
  for (const FieldBalance& b : sim.balances()) {
    balances.insert(balances.end(), {b.secreted, b.decayed, b.taken_up, b.boundary_in, b.fixed_in});
  }
  put(f, "balances", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, balances, w);

  h5::Handle tissue = h5::create_group(f, "tissue", w + "/tissue");
  for (const TissueLayer& layer : world.tissue().layers()) {
    if (layer.kind == LayerKind::Code) {
      put(tissue.get(), layer.name, H5T_STD_U8LE, H5T_NATIVE_UINT8, layer.classes, w + "/tissue");
    } else {
      put(tissue.get(), layer.name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, layer.fractions,
          w + "/tissue");
    }
  }

  const AgentStore& store = world.agents();
  const std::string aw = w + "/agents";
  h5::Handle agents = h5::create_group(f, "agents", aw);
  const hid_t a = agents.get();
  h5::write_attr(a, "next_id", static_cast<std::uint64_t>(store.next_id()), aw);
  h5::write_attr(a, "column_names", std::span<const std::string>(store.column_names()), aw);
  put(a, "id", H5T_STD_U64LE, H5T_NATIVE_UINT64, store.ids(), aw);
  put(a, "type", H5T_STD_U8LE, H5T_NATIVE_UINT8, store.types(), aw);
  put(a, "voxel", H5T_STD_U32LE, H5T_NATIVE_UINT32, store.voxels(), aw);
  put(a, "birth_step", H5T_STD_I64LE, H5T_NATIVE_INT64, store.birth_steps(), aw);
  put(a, "parent_id", H5T_STD_U64LE, H5T_NATIVE_UINT64, store.parents(), aw);
  h5::Handle columns = h5::create_group(a, "columns", aw + "/columns");
  for (std::size_t c = 0; c < store.column_names().size(); ++c) {
    put(columns.get(), store.column_names()[c], H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
        store.column(static_cast<int>(c)), aw + "/columns");
  }

  std::vector<std::string> counter_names;
  std::vector<double> counter_values;
  for (const auto& [name, value] : world.counters()) {
    counter_names.push_back(name);
    counter_values.push_back(value);
  }
  put(f, "counters", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, counter_values, w);
  {
    h5::Handle ds = h5::open_dataset(f, "counters", w + "/counters");
    h5::write_attr(ds.get(), "names", std::span<const std::string>(counter_names), w + "/counters");
  }

  std::vector<std::string> word_names;
  std::vector<std::uint64_t> word_values;
  for (const SolverWord& word : sim.solver().carried_state()) {
    word_names.push_back(word.name);
    word_values.push_back(word.value);
  }
  put(f, "solver_state", H5T_STD_U64LE, H5T_NATIVE_UINT64, word_values, w);
  h5::Handle ds = h5::open_dataset(f, "solver_state", w + "/solver_state");
  h5::write_attr(ds.get(), "names", std::span<const std::string>(word_names), w + "/solver_state");
}

/// fsync, so that the rename that follows never publishes a file whose data is still
/// only in the page cache (a power loss would leave an empty checkpoint).
void sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    throw IoError(path + ": cannot sync checkpoint to disk");
  }
  ::close(fd);
}

void restore_state(hid_t f, Simulation& sim, const std::string& w) {
  World& world = sim.world();
  const std::size_t voxels = world.lattice().size();
  world.restore_step(int_attr(f, "step", w));

  h5::Handle fields = h5::open_group(f, "fields", w + "/fields");
  const auto field_names = h5::list_members(fields.get(), w + "/fields");
  if (field_names.size() != world.fields().size()) {
    throw InputError(w + ": holds " + std::to_string(field_names.size()) +
                     " fields, the config makes " + std::to_string(world.fields().size()));
  }
  for (Field& field : world.fields()) {
    field.values() =
        get<float>(fields.get(), field.name(), H5T_NATIVE_FLOAT, voxels, w + "/fields");
  }
  const auto flat = get<double>(f, "balances", H5T_NATIVE_DOUBLE,
                                kBalanceParts.size() * world.fields().size(), w);
  std::vector<FieldBalance> balances(world.fields().size());
  for (std::size_t i = 0; i < balances.size(); ++i) {
    const double* b = &flat[i * kBalanceParts.size()];
    balances[i] = {b[0], b[1], b[2], b[3], b[4]};
  }
  sim.restore_balances(std::move(balances));

  h5::Handle tissue = h5::open_group(f, "tissue", w + "/tissue");
  if (h5::list_members(tissue.get(), w + "/tissue").size() != world.tissue().layers().size()) {
    throw InputError(w + ": its tissue layers differ from those the config makes");
  }
  for (const TissueLayer& layer : world.tissue().layers()) {
    // In place: fields keep pointers to code layers (fixed voxels).
    TissueLayer* target = world.tissue().find(layer.name);
    if (layer.kind == LayerKind::Code) {
      h5::Handle ds = h5::open_dataset(tissue.get(), layer.name, w + "/tissue/" + layer.name);
      h5::read_exact(ds.get(), H5T_NATIVE_UINT8, target->classes.data(), voxels,
                     w + "/tissue/" + layer.name);
    } else {
      h5::Handle ds = h5::open_dataset(tissue.get(), layer.name, w + "/tissue/" + layer.name);
      h5::read_exact(ds.get(), H5T_NATIVE_FLOAT, target->fractions.data(), voxels,
                     w + "/tissue/" + layer.name);
    }
  }

  AgentStore& store = world.agents();
  const std::string aw = w + "/agents";
  h5::Handle agents = h5::open_group(f, "agents", aw);
  const hid_t a = agents.get();
  if (h5::read_string_array_attr(a, "column_names", aw) != store.column_names()) {
    throw InputError(aw + ": agent state columns differ from those the config makes");
  }
  const std::size_t n = length_of(a, "id", aw);
  AgentStore::Arrays arrays;
  arrays.next_id = static_cast<AgentId>(int_attr(a, "next_id", aw));
  arrays.ids = get<AgentId>(a, "id", H5T_NATIVE_UINT64, n, aw);
  arrays.types = get<AgentType>(a, "type", H5T_NATIVE_UINT8, n, aw);
  arrays.voxels = get<VoxelIndex>(a, "voxel", H5T_NATIVE_UINT32, n, aw);
  arrays.birth_steps = get<std::int64_t>(a, "birth_step", H5T_NATIVE_INT64, n, aw);
  arrays.parents = get<AgentId>(a, "parent_id", H5T_NATIVE_UINT64, n, aw);
  h5::Handle columns = h5::open_group(a, "columns", aw + "/columns");
  for (const std::string& name : store.column_names()) {
    arrays.columns.push_back(get<float>(columns.get(), name, H5T_NATIVE_FLOAT, n, aw + "/columns"));
  }
  try {
    store.restore(std::move(arrays));
  } catch (const std::invalid_argument& e) {
    throw InputError(aw + ": " + e.what());
  }

  h5::Handle counters = h5::open_dataset(f, "counters", w + "/counters");
  const auto names = h5::read_string_array_attr(counters.get(), "names", w + "/counters");
  const auto values = get<double>(f, "counters", H5T_NATIVE_DOUBLE, names.size(), w);
  world.counters().clear();
  for (std::size_t i = 0; i < names.size(); ++i) world.counters()[names[i]] = values[i];

  h5::Handle solver = h5::open_dataset(f, "solver_state", w + "/solver_state");
  const auto word_names = h5::read_string_array_attr(solver.get(), "names", w + "/solver_state");
  const auto words = get<std::uint64_t>(f, "solver_state", H5T_NATIVE_UINT64, word_names.size(), w);
  std::vector<SolverWord> state;
  for (std::size_t i = 0; i < words.size(); ++i) state.push_back({word_names[i], words[i]});
  try {
    sim.solver().restore_carried_state(state);
  } catch (const std::invalid_argument& e) {
    throw InputError(w + "/solver_state: " + e.what());
  }
}

void read_into(hid_t f, const std::string& path, const RuleRegistry& registry, RestoredRun& run) {
  if (h5::read_string_attr(f, "format", path).value_or("") != kFormat) {
    throw InputError(path + ": not a regensim checkpoint (format attribute is not '" +
                     std::string(kFormat) + "')");
  }
  const std::int64_t version = int_attr(f, "checkpoint_version", path);
  if (version != kCheckpointVersion) {
    throw InputError(path + ": checkpoint_version " + std::to_string(version) +
                     ", this build reads " + std::to_string(kCheckpointVersion));
  }
  {
    // The stored config is a scalar variable-length string (write_string_dataset).
    const std::string w = path + ":/config";
    h5::Handle ds = h5::open_dataset(f, "config", w);
    h5::Handle type = h5::check(H5Dget_type(ds.get()), H5Tclose, w, "cannot get type");
    char* text = nullptr;
    h5::check(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), w,
              "cannot read config");
    run.config_toml = text != nullptr ? text : "";
    H5free_memory(text);
  }
  run.output.path = string_attr(f, "output_file", path);
  run.output.position.snapshots = int_attr(f, "output_snapshots", path);
  run.output.position.metric_rows = int_attr(f, "output_metric_rows", path);

  auto doc = ConfigDocument::from_string(run.config_toml, path + ":/config");
  run.simulation = Simulation::build(doc, registry);
  restore_state(f, *run.simulation, path);
}

}  // namespace

std::string checkpoint_path_for(const std::string& output_path) {
  std::filesystem::path p(output_path);
  const std::string stem = p.extension() == ".h5" ? p.stem().string() : p.filename().string();
  p.replace_filename(stem + ".checkpoint.h5");
  return p.string();
}

void write_checkpoint(const std::string& path, const Simulation& sim,
                      const std::string& config_toml, const CheckpointOutput& output) {
  const h5::ErrorSilencer silence;
  namespace fs = std::filesystem;
  const std::string temp = path + ".tmp";
  std::error_code ec;
  if (fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path(), ec);
  try {
    h5::Handle file = h5::create_file(temp, true);
    write_state(file.get(), sim, config_toml, output, temp);
    if (!file.reset()) throw IoError(temp + ": cannot close checkpoint");
    sync_file(temp);
  } catch (...) {
    fs::remove(temp, ec);
    throw;
  }
  fs::rename(temp, path, ec);
  if (ec) throw IoError(path + ": cannot move checkpoint into place: " + ec.message());
}

RestoredRun read_checkpoint(const std::string& path, const RuleRegistry& registry) {
  const h5::ErrorSilencer silence;
  RestoredRun run;
  h5::Handle file;
  try {
    file = h5::open_file_read(path);
  } catch (const IoError& e) {
    throw InputError(std::string(e.what()));
  }
  const hid_t f = file.get();
  try {
    read_into(f, path, registry, run);
  } catch (const IoError& e) {
    // A damaged or truncated checkpoint is bad input: the user named the file.
    throw InputError(std::string(e.what()));
  }
  return run;
}

}  // namespace regensim::sim
