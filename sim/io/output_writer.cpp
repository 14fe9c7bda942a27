#include "sim/io/output_writer.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <system_error>

#include "regensim/version.hpp"
#include "sim/core/error.hpp"
#include "sim/core/format.hpp"
#include "sim/io/chunk_writer.hpp"
#include "sim/io/hdf5_util.hpp"
#include "sim/io/xdmf.hpp"

// Every public entry point holds an h5::ErrorSilencer: HDF5 would otherwise print its
// error stack to stderr for each failed call before we turn the failure into an IoError
// with the same information; the silencer restores the caller's setting on return.

namespace regensim::sim {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::Running:
      return "running";
    case RunStatus::Complete:
      return "complete";
    case RunStatus::Interrupted:
      return "interrupted";
  }
  return "unknown";
}

namespace {

constexpr int kFormatVersion = 1;
constexpr const char* kAxes = "t,z,y,x";
/// Chunks of field and tissue datasets aim at this many bytes: large enough for deflate
/// to work well and for few chunk lookups, small enough to fit HDF5's 1 MiB chunk cache.
constexpr std::size_t kTargetChunkBytes = 512 * 1024;
constexpr hsize_t kSeriesChunk = 1024;  // rows per chunk of 1-D time series

std::string utc_now_iso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// Chunk shape (1, zc, yc, nx) for a (T, nz, ny, nx) dataset: whole z-slabs while one
/// slab is at most 1 MiB, else whole x-rows of a single slab.
std::array<hsize_t, 4> snapshot_chunk(int nx, int ny, int nz, std::size_t element_size) {
  const std::size_t row = static_cast<std::size_t>(nx) * element_size;
  const std::size_t slab = row * static_cast<std::size_t>(ny);
  if (slab <= 2 * kTargetChunkBytes) {
    const std::size_t zc =
        std::clamp<std::size_t>(kTargetChunkBytes / slab, 1, static_cast<std::size_t>(nz));
    return {1, zc, static_cast<hsize_t>(ny), static_cast<hsize_t>(nx)};
  }
  const std::size_t yc =
      std::clamp<std::size_t>(kTargetChunkBytes / row, 1, static_cast<std::size_t>(ny));
  return {1, 1, yc, static_cast<hsize_t>(nx)};
}

/// "0=none;1=vessel"
std::string codes_text(const std::map<int, std::string>& codes) {
  std::string out;
  for (const auto& [value, name] : codes) {
    if (!out.empty()) out += ';';
    out += std::to_string(value);
    out += '=';
    out += name;
  }
  return out;
}

void write_codes(hid_t obj, const std::map<int, std::string>& codes, const std::string& where) {
  std::vector<int> values;
  std::vector<std::string> names;
  for (const auto& [value, name] : codes) {
    values.push_back(value);
    names.push_back(name);
  }
  h5::write_attr(obj, "codes", codes_text(codes), where);
  h5::write_attr(obj, "code_values", std::span<const int>(values), where);
  h5::write_attr(obj, "code_names", std::span<const std::string>(names), where);
}

/// Units of an agent state column, from the unit suffix its name carries by convention
/// ("age_days"); "unspecified" where the name has none we know, rather than a guess.
std::string column_units(const std::string& name) {
  static constexpr std::array<std::pair<const char*, const char*>, 7> kSuffixes = {{
      {"_days", "days"},
      {"_hours", "h"},
      {"_min", "min"},
      {"_um", "um"},
      {"_fraction", "fraction"},
      {"_per_min", "1/min"},
      {"_per_day", "1/day"},
  }};
  std::string best;
  std::size_t best_len = 0;
  for (const auto& [suffix, units] : kSuffixes) {
    const std::string_view s(suffix);
    if (name.size() > s.size() && name.ends_with(s) && s.size() > best_len) {
      best = units;
      best_len = s.size();
    }
  }
  return best_len > 0 ? best : "unspecified";
}

}  // namespace

struct OutputWriter::Impl {
  OutputOptions options;
  std::string xdmf_path;
  std::string h5_name;  // base name, as the sidecar refers to it
  int nx = 1, ny = 1, nz = 1;
  double voxel_size_um = 1.0;

  struct Layer {
    std::string name;
    LayerKind kind;
    h5::Handle dataset;
  };

  // Declared first so it is closed last, after every object in it.
  h5::Handle file;
  h5::Handle time_days;
  std::vector<h5::Handle> fields;  // parallel to options.field_names
  std::vector<Layer> layers;
  h5::Handle agents;
  h5::Handle metrics_time_days;
  std::vector<h5::Handle> metrics;  // parallel to options.metric_names
  std::vector<double> times;
  std::int64_t metric_rows = 0;
  std::vector<std::string> type_names;  // as last written to /agents
  XdmfDescription xdmf;

  std::string where(const std::string& object) const { return options.path + ":" + object; }

  void validate(const World& world) const;
  /// Options and grid shape from the world (validated), the file names and the XDMF
  /// description's grid: the start of both constructors.
  void set_grid(const OutputOptions& opts, const World& world) {
    options = opts;
    const Lattice& lattice = world.lattice();
    nx = lattice.nx();
    ny = lattice.ny();
    nz = lattice.nz();
    voxel_size_um = lattice.voxel_size_um();
    validate(world);
    xdmf_path = xdmf_sidecar_path(opts.path);
    h5_name = std::filesystem::path(opts.path).filename().string();
    xdmf.h5_file_name = h5_name;
    xdmf.nx = nx;
    xdmf.ny = ny;
    xdmf.nz = nz;
    xdmf.voxel_size_um = voxel_size_um;
  }
  void describe(const World& world);
  void create(const World& world);
  void reopen(const World& world, OutputPosition at);
  void write_agents(const World& world, std::size_t k);
};

void OutputWriter::Impl::validate(const World& world) const {
  if (options.path.empty()) throw InputError("output file path is empty");
  if (options.metric_units.size() != options.metric_names.size()) {
    throw std::logic_error("OutputOptions: " + std::to_string(options.metric_names.size()) +
                           " metric names but " + std::to_string(options.metric_units.size()) +
                           " units");
  }
  std::vector<std::string> available;
  for (const Field& f : world.fields()) available.push_back(f.name());
  for (std::size_t i = 0; i < options.field_names.size(); ++i) {
    const std::string& name = options.field_names[i];
    if (world.find_field(name) == nullptr) {
      throw InputError("output.fields: no field named '" + name +
                       "' (fields: " + join_names(available) + ")");
    }
    if (std::find(options.field_names.begin(), options.field_names.begin() + std::ptrdiff_t(i),
                  name) != options.field_names.begin() + std::ptrdiff_t(i)) {
      throw InputError("output.fields: field '" + name + "' listed twice");
    }
  }
  for (const std::string& name : options.metric_names) {
    if (name.empty() || name == "time_days" || name.find('/') != std::string::npos || name == "." ||
        std::count(options.metric_names.begin(), options.metric_names.end(), name) != 1) {
      throw std::logic_error("OutputOptions: bad or repeated metric name '" + name + "'");
    }
  }
}

void OutputWriter::Impl::describe(const World& world) {
  for (const std::string& name : options.field_names) {
    xdmf.attributes.push_back({name, "/fields/" + name, false});
  }
  for (const TissueLayer& layer : world.tissue().layers()) {
    // A tissue layer named like an output field would be ambiguous in ParaView.
    const bool clash = std::find(options.field_names.begin(), options.field_names.end(),
                                 layer.name) != options.field_names.end();
    xdmf.attributes.push_back({clash ? "tissue_" + layer.name : layer.name, "/tissue/" + layer.name,
                               layer.kind == LayerKind::Code});
  }
}

void OutputWriter::Impl::create(const World& world) {
  const bool truncate = options.overwrite;
  file = h5::create_file(options.path, truncate);
  const hid_t f = file.get();

  h5::write_attr(f, "format", "regensim", where("/"));
  h5::write_attr(f, "format_version", kFormatVersion, where("/"));
  h5::write_attr(f, "software_version", regensim::kSoftwareVersion, where("/"));
  h5::write_attr(f, "git_commit", regensim::kGitCommit, where("/"));
  h5::write_attr(f, "seed", options.seed, where("/"));
  h5::write_attr(f, "threads", options.threads, where("/"));
  h5::write_attr(f, "created_utc", utc_now_iso8601(), where("/"));
  h5::write_attr(f, "status", to_string(RunStatus::Running), where("/"));

  {
    h5::Handle config =
        h5::write_string_dataset(f, "config", options.config_toml, where("/config"));
    h5::write_attr(config.get(), "units", "none", where("/config"));
    h5::write_attr(config.get(), "description", "resolved configuration, TOML", where("/config"));
  }
  {
    h5::Handle grid = h5::create_group(f, "grid", where("/grid"));
    const std::array<int, 3> shape = {nx, ny, nz};
    h5::write_attr(grid.get(), "shape", std::span<const int>(shape), where("/grid"));
    h5::write_attr(grid.get(), "voxel_size_um", voxel_size_um, where("/grid"));
  }

  const std::array<hsize_t, 1> series_chunk = {kSeriesChunk};
  time_days = h5::create_extendible(f, "time_days", H5T_IEEE_F64LE, {}, series_chunk, false,
                                    where("/time_days"));
  h5::write_attr(time_days.get(), "units", "days", where("/time_days"));
  h5::write_attr(time_days.get(), "description", "simulated time of each snapshot",
                 where("/time_days"));

  const std::array<hsize_t, 3> cells = {static_cast<hsize_t>(nz), static_cast<hsize_t>(ny),
                                        static_cast<hsize_t>(nx)};
  h5::Handle fields_group = h5::create_group(f, "fields", where("/fields"));
  const auto float_chunk = snapshot_chunk(nx, ny, nz, sizeof(float));
  for (const std::string& name : options.field_names) {
    const std::string path = "/fields/" + name;
    const FieldSpec& spec = world.field(name).spec();
    h5::Handle ds = h5::create_extendible(fields_group.get(), name, H5T_IEEE_F32LE, cells,
                                          float_chunk, true, where(path));
    h5::write_attr(ds.get(), "units", spec.units, where(path));
    h5::write_attr(ds.get(), "diffusion_um2_per_min", spec.diffusion_um2_per_min, where(path));
    h5::write_attr(ds.get(), "decay_per_min", spec.decay_per_min, where(path));
    h5::write_attr(ds.get(), "axes", kAxes, where(path));
    fields.push_back(std::move(ds));
  }

  h5::Handle tissue_group = h5::create_group(f, "tissue", where("/tissue"));
  const auto code_chunk = snapshot_chunk(nx, ny, nz, sizeof(std::uint8_t));
  for (const TissueLayer& layer : world.tissue().layers()) {
    const std::string path = "/tissue/" + layer.name;
    const bool is_code = layer.kind == LayerKind::Code;
    h5::Handle ds = h5::create_extendible(tissue_group.get(), layer.name,
                                          is_code ? H5T_STD_U8LE : H5T_IEEE_F32LE, cells,
                                          is_code ? code_chunk : float_chunk, true, where(path));
    h5::write_attr(ds.get(), "units", is_code ? "code" : "fraction", where(path));
    h5::write_attr(ds.get(), "description", layer.description, where(path));
    h5::write_attr(ds.get(), "axes", kAxes, where(path));
    if (is_code) write_codes(ds.get(), layer.codes, where(path));
    layers.push_back({layer.name, layer.kind, std::move(ds)});
  }

  agents = h5::create_group(f, "agents", where("/agents"));
  type_names = world.agent_type_names();
  h5::write_attr(agents.get(), "type_names", std::span<const std::string>(type_names),
                 where("/agents"));

  h5::Handle metrics_group = h5::create_group(f, "metrics", where("/metrics"));
  metrics_time_days = h5::create_extendible(metrics_group.get(), "time_days", H5T_IEEE_F64LE, {},
                                            series_chunk, false, where("/metrics/time_days"));
  h5::write_attr(metrics_time_days.get(), "units", "days", where("/metrics/time_days"));
  for (std::size_t i = 0; i < options.metric_names.size(); ++i) {
    const std::string path = "/metrics/" + options.metric_names[i];
    h5::Handle ds = h5::create_extendible(metrics_group.get(), options.metric_names[i],
                                          H5T_IEEE_F64LE, {}, series_chunk, false, where(path));
    h5::write_attr(ds.get(), "units", options.metric_units[i], where(path));
    metrics.push_back(std::move(ds));
  }

  h5::flush(f, options.path);
}

void OutputWriter::Impl::reopen(const World& world, OutputPosition at) {
  file = h5::open_file_write(options.path);
  const hid_t f = file.get();
  if (h5::read_string_attr(f, "format", where("/")).value_or("") != "regensim") {
    throw IoError(where("/") + ": not a regensim output file");
  }
  // Each dataset is cut back to the rows the checkpoint had written.
  const auto open_truncated = [&](const std::string& path, hsize_t rows) {
    h5::Handle ds = h5::open_dataset(f, path, where(path));
    h5::truncate_rows(ds.get(), rows, where(path));
    return ds;
  };
  const auto rows = static_cast<hsize_t>(at.snapshots);
  time_days = open_truncated("/time_days", rows);
  for (const std::string& name : options.field_names) {
    fields.push_back(open_truncated("/fields/" + name, rows));
  }
  for (const TissueLayer& layer : world.tissue().layers()) {
    layers.push_back({layer.name, layer.kind, open_truncated("/tissue/" + layer.name, rows)});
  }
  agents = h5::open_group(f, "agents", where("/agents"));
  for (const std::string& k : h5::list_members(agents.get(), where("/agents"))) {
    if (std::stoll(k) >= at.snapshots) h5::delete_link(agents.get(), k, where("/agents"));
  }
  type_names = h5::read_string_array_attr(agents.get(), "type_names", where("/agents"));

  const auto metric_rows_h = static_cast<hsize_t>(at.metric_rows);
  metrics_time_days = open_truncated("/metrics/time_days", metric_rows_h);
  for (const std::string& name : options.metric_names) {
    metrics.push_back(open_truncated("/metrics/" + name, metric_rows_h));
  }
  metric_rows = at.metric_rows;
  times = h5::read_doubles(time_days.get(), where("/time_days"));
  h5::write_attr(f, "status", to_string(RunStatus::Running), where("/"));
  h5::flush(f, options.path);
}

OutputWriter::OutputWriter(const OutputOptions& options, const World& world,
                           OutputPosition resume_at)
    : impl_(std::make_unique<Impl>()) {
  const h5::ErrorSilencer silence;
  Impl& im = *impl_;
  im.set_grid(options, world);
  im.describe(world);
  im.reopen(world, resume_at);
  im.xdmf.times_days = im.times;
  write_xdmf(im.xdmf_path, im.xdmf);
}

OutputWriter::OutputWriter(const OutputOptions& options, const World& world)
    : impl_(std::make_unique<Impl>()) {
  const h5::ErrorSilencer silence;
  Impl& im = *impl_;
  im.set_grid(options, world);

  namespace fs = std::filesystem;
  const fs::path path(options.path);
  std::error_code ec;
  if (fs::exists(path, ec)) {
    if (fs::is_directory(path, ec)) throw InputError(options.path + ": is a directory");
    if (!options.overwrite) {
      throw InputError(options.path + ": output file exists; pass --overwrite to replace it");
    }
  }
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      throw IoError(options.path + ": cannot create directory '" + path.parent_path().string() +
                    "': " + ec.message());
    }
  }

  im.describe(world);
  try {
    im.create(world);
  } catch (...) {
    // Do not leave a half-built file behind that a rerun would refuse to replace; but
    // never remove a file we failed to create (e.g. one another run holds locked).
    const bool created = im.file.valid();
    impl_.reset();
    if (created) fs::remove(path, ec);
    throw;
  }
  // A sidecar left by an earlier run would describe data this file no longer has.
  fs::remove(im.xdmf_path, ec);
}

OutputWriter::~OutputWriter() {
  const h5::ErrorSilencer silence;
  impl_.reset();  // Handles close quietly; the file last.
}

void OutputWriter::Impl::write_agents(const World& world, std::size_t k) {
  const std::string group_path = "/agents/" + std::to_string(k);
  const std::string w = where(group_path);
  const AgentStore& store = world.agents();
  const std::size_t n = store.size();
  const Lattice& lattice = world.lattice();

  // Types may have been declared after the writer was made.
  if (world.agent_type_names() != type_names) {
    type_names = world.agent_type_names();
    h5::write_attr(agents.get(), "type_names", std::span<const std::string>(type_names),
                   where("/agents"));
  }

  h5::Handle g = h5::create_group(agents.get(), std::to_string(k), w);
  h5::write_attr(g.get(), "time_days", world.time_days(), w);
  h5::write_attr(g.get(), "count", static_cast<std::uint64_t>(n), w);

  std::vector<std::int32_t> x(n), y(n), z(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Coord c = lattice.coord(store.voxels()[i]);
    x[i] = c.x;
    y[i] = c.y;
    z[i] = c.z;
  }
  // The columns compressed in parallel (h5::write_columns), then their units.
  std::vector<h5::Column> cols = {
      {"id", H5T_STD_U64LE, store.ids().data(), sizeof(AgentId)},
      {"type", H5T_STD_U8LE, store.types().data(), sizeof(AgentType)},
      {"x", H5T_STD_I32LE, x.data(), sizeof(std::int32_t)},
      {"y", H5T_STD_I32LE, y.data(), sizeof(std::int32_t)},
      {"z", H5T_STD_I32LE, z.data(), sizeof(std::int32_t)},
      {"parent_id", H5T_STD_U64LE, store.parents().data(), sizeof(AgentId)},
      {"birth_step", H5T_STD_I64LE, store.birth_steps().data(), sizeof(std::int64_t)}};
  std::vector<std::string> units = {"none", "code", "voxel", "voxel", "voxel", "none", "step"};
  static_assert(sizeof(AgentId) == 8 && sizeof(AgentType) == 1, "the file types above");
  const auto& columns = store.column_names();
  for (std::size_t c = 0; c < columns.size(); ++c) {
    cols.push_back(
        {columns[c], H5T_IEEE_F32LE, store.column(static_cast<int>(c)).data(), sizeof(float)});
    units.push_back(column_units(columns[c]));
  }
  const std::vector<h5::Handle> datasets = h5::write_columns(g.get(), cols, n, w);
  for (std::size_t c = 0; c < cols.size(); ++c) {
    h5::write_attr(datasets[c].get(), "units", units[c], w + "/" + cols[c].name);
  }
  std::map<int, std::string> codes;
  const auto& names = world.agent_type_names();
  for (std::size_t i = 0; i < names.size(); ++i) codes[static_cast<int>(i)] = names[i];
  write_codes(datasets[1].get(), codes, w + "/type");
}

void OutputWriter::write_snapshot(const World& world) {
  const h5::ErrorSilencer silence;
  Impl& im = *impl_;
  const Lattice& lattice = world.lattice();
  if (lattice.nx() != im.nx || lattice.ny() != im.ny || lattice.nz() != im.nz) {
    throw std::logic_error("OutputWriter::write_snapshot: world lattice differs from the file's");
  }
  const std::size_t k = im.times.size();
  // Fields and tissue layers: compressed in parallel, written in this order.
  std::vector<h5::SnapshotRow> rows;
  for (std::size_t i = 0; i < im.fields.size(); ++i) {
    const std::string& name = im.options.field_names[i];
    rows.push_back({im.fields[i].get(), world.field(name).values().data(), sizeof(float),
                    im.where("/fields/" + name)});
  }
  for (const Impl::Layer& out : im.layers) {
    const TissueLayer* layer = world.tissue().find(out.name);
    if (layer == nullptr) {
      throw std::logic_error("OutputWriter::write_snapshot: tissue layer '" + out.name +
                             "' disappeared");
    }
    const std::string w = im.where("/tissue/" + out.name);
    if (out.kind == LayerKind::Code) {
      rows.push_back({out.dataset.get(), layer->classes.data(), 1, w});
    } else {
      rows.push_back({out.dataset.get(), layer->fractions.data(), sizeof(float), w});
    }
  }
  h5::append_snapshot_rows(rows, {static_cast<hsize_t>(im.nz), static_cast<hsize_t>(im.ny),
                                  static_cast<hsize_t>(im.nx)});
  im.write_agents(world, k);
  // time_days grows last: its length is the number of complete snapshots.
  const double t = world.time_days();
  h5::append(im.time_days.get(), H5T_NATIVE_DOUBLE, &t, 1, im.where("/time_days"));
  im.times.push_back(t);
  h5::flush(im.file.get(), im.options.path);

  im.xdmf.times_days = im.times;
  write_xdmf(im.xdmf_path, im.xdmf);
}

void OutputWriter::write_metrics(double time_days, std::span<const double> values) {
  const h5::ErrorSilencer silence;
  Impl& im = *impl_;
  if (values.size() != im.metrics.size()) {
    throw std::logic_error("OutputWriter::write_metrics: " + std::to_string(values.size()) +
                           " values for " + std::to_string(im.metrics.size()) + " metrics");
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    h5::append(im.metrics[i].get(), H5T_NATIVE_DOUBLE, &values[i], 1,
               im.where("/metrics/" + im.options.metric_names[i]));
  }
  // Grows last, like /time_days: its length is the number of complete rows.
  h5::append(im.metrics_time_days.get(), H5T_NATIVE_DOUBLE, &time_days, 1,
             im.where("/metrics/time_days"));
  ++im.metric_rows;
  // Cheap (a few small chunks) and keeps the metrics of a killed run.
  h5::flush(im.file.get(), im.options.path);
}

void OutputWriter::set_status(RunStatus status) {
  const h5::ErrorSilencer silence;
  Impl& im = *impl_;
  h5::write_attr(im.file.get(), "status", to_string(status), im.where("/"));
  h5::flush(im.file.get(), im.options.path);
}

int OutputWriter::snapshot_count() const {
  return static_cast<int>(impl_->times.size());
}

OutputPosition OutputWriter::position() const {
  return {static_cast<std::int64_t>(impl_->times.size()), impl_->metric_rows};
}

const std::string& OutputWriter::xdmf_path() const {
  return impl_->xdmf_path;
}

}  // namespace regensim::sim
