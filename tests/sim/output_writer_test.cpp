// Output file (format_version 1, docs/output-format.md): writes a small hand-built world
// and reads it back with the plain HDF5 C API, independently of sim/io/hdf5_util.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "regensim/version.hpp"
#include "sim/core/error.hpp"
#include "sim/core/world.hpp"
#include "sim/io/output_writer.hpp"
#include "sim/io/xdmf.hpp"

namespace regensim::sim {
namespace {

namespace fs = std::filesystem;

constexpr int kNx = 5, kNy = 4, kNz = 3;
constexpr std::size_t kVoxels = kNx * kNy * kNz;

// --- minimal independent readers -------------------------------------------------------

/// Owns an hid_t for the test's reads.
struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Id() {
    if (id >= 0) close(id);
  }
  operator hid_t() const { return id; }
};

std::string read_str_attr(hid_t obj, const char* name) {
  Id attr{H5Aopen(obj, name, H5P_DEFAULT), H5Aclose};
  EXPECT_GE(attr.id, 0) << name;
  Id type{H5Aget_type(attr), H5Tclose};
  EXPECT_EQ(H5Tget_class(type), H5T_STRING) << name;
  EXPECT_GT(H5Tis_variable_str(type), 0) << name;
  char* ptr = nullptr;
  EXPECT_GE(H5Aread(attr, type, &ptr), 0) << name;
  std::string value = ptr != nullptr ? ptr : "";
  H5free_memory(ptr);
  return value;
}

std::vector<std::string> read_str_array_attr(hid_t obj, const char* name) {
  Id attr{H5Aopen(obj, name, H5P_DEFAULT), H5Aclose};
  Id type{H5Aget_type(attr), H5Tclose};
  Id space{H5Aget_space(attr), H5Sclose};
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  std::vector<char*> ptrs(n, nullptr);
  std::vector<std::string> out;
  if (n == 0) return out;
  EXPECT_GE(H5Aread(attr, type, ptrs.data()), 0) << name;
  for (char* p : ptrs) {
    out.emplace_back(p);
    H5free_memory(p);
  }
  return out;
}

template <typename T>
std::vector<T> read_num_attr(hid_t obj, const char* name, hid_t mem_type) {
  Id attr{H5Aopen(obj, name, H5P_DEFAULT), H5Aclose};
  EXPECT_GE(attr.id, 0) << name;
  Id space{H5Aget_space(attr), H5Sclose};
  std::vector<T> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  EXPECT_GE(H5Aread(attr, mem_type, out.data()), 0) << name;
  return out;
}

/// Class and size of an attribute's stored type.
std::pair<H5T_class_t, std::size_t> attr_type(hid_t obj, const char* name) {
  Id attr{H5Aopen(obj, name, H5P_DEFAULT), H5Aclose};
  Id type{H5Aget_type(attr), H5Tclose};
  return {H5Tget_class(type), H5Tget_size(type)};
}

std::vector<hsize_t> dims_of(hid_t ds) {
  Id space{H5Dget_space(ds), H5Sclose};
  std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

template <typename T>
std::vector<T> read_all(hid_t ds, hid_t mem_type) {
  Id space{H5Dget_space(ds), H5Sclose};
  std::vector<T> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  if (!out.empty()) {
    EXPECT_GE(H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), 0);
  }
  return out;
}

/// Dataset type as (class, size, signed).
struct TypeInfo {
  H5T_class_t cls;
  std::size_t size;
  bool is_signed;
};
TypeInfo type_of(hid_t ds) {
  Id type{H5Dget_type(ds), H5Tclose};
  const H5T_class_t cls = H5Tget_class(type);
  return {cls, H5Tget_size(type), cls == H5T_INTEGER && H5Tget_sign(type) == H5T_SGN_2};
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

// --- the world -------------------------------------------------------------------------

float oxygen_at(std::size_t i, int snapshot) {
  return 0.5f + static_cast<float>(i) + 100.0f * static_cast<float>(snapshot);
}
float vegf_at(std::size_t i, int snapshot) {
  return 1000.0f - 2.25f * static_cast<float>(i) + 0.125f * static_cast<float>(snapshot);
}
float collagen_at(std::size_t i, int snapshot) {
  return static_cast<float>(i) / 64.0f + 0.001f * static_cast<float>(snapshot);
}
std::uint8_t vessel_at(std::size_t i, int snapshot) {
  return static_cast<std::uint8_t>((i + static_cast<std::size_t>(snapshot)) % 3 == 0 ? 1 : 0);
}

class OutputWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("regensim_output_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    world_ = std::make_unique<World>(Lattice(kNx, kNy, kNz, 20.0), 42, 30.0);
    FieldSpec oxygen;
    oxygen.name = "oxygen";
    oxygen.units = "mmHg";
    oxygen.diffusion_um2_per_min = 1.0e5;
    oxygen.decay_per_min = 0.1;
    world_->add_field(oxygen);
    FieldSpec vegf;
    vegf.name = "vegf";
    vegf.units = "ng/mL";
    vegf.diffusion_um2_per_min = 6000.0;
    vegf.decay_per_min = 0.01;
    world_->add_field(vegf);
    world_->tissue().add_fraction("collagen", "collagen volume fraction");
    world_->tissue().add_code("vessel", "vessel mask", {{0, "none"}, {1, "vessel"}});
    msc_ = world_->add_agent_type("msc");
    chondro_ = world_->add_agent_type("chondrocyte");
    age_ = world_->agents().add_column("age_days", 0.0f);
    AgentStore& a = world_->agents();
    const Lattice& l = world_->lattice();
    a.add(msc_, l.index(1, 2, 0), 0);
    a.add(chondro_, l.index(4, 3, 2), 5, 1);
    a.add(msc_, l.index(0, 0, 1), 3);
    a.column(age_) = {1.5f, 0.25f, 7.0f};
    fill(0);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void fill(int snapshot) {
    auto& o = world_->field("oxygen").values();
    auto& v = world_->field("vegf").values();
    auto& c = world_->tissue().find("collagen")->fractions;
    auto& m = world_->tissue().find("vessel")->classes;
    for (std::size_t i = 0; i < kVoxels; ++i) {
      o[i] = oxygen_at(i, snapshot);
      v[i] = vegf_at(i, snapshot);
      c[i] = collagen_at(i, snapshot);
      m[i] = vessel_at(i, snapshot);
    }
  }

  OutputOptions options(const std::string& name = "run.h5") const {
    OutputOptions o;
    o.path = (dir_ / name).string();
    o.field_names = {"vegf", "oxygen"};  // not the world's order: the file follows this one
    o.metric_names = {"n_msc", "mean_oxygen"};
    o.metric_units = {"cells", "mmHg"};
    o.seed = 18446744073709551557ull;  // needs all 64 bits
    o.threads = 3;
    o.config_toml = "[simulation]\nseed = 1\n";
    return o;
  }

  /// Writes three snapshots (the last with no agents), three metric rows, status complete.
  void write_run(const OutputOptions& o) {
    OutputWriter w(o, *world_);
    for (int k = 0; k < 3; ++k) {
      if (k > 0) {
        for (int s = 0; s < 48; ++s) world_->advance_clock();  // one day
        fill(k);
      }
      if (k == 2) {
        for (AgentSlot s = 0; s < world_->agents().size(); ++s)
          world_->agents().mark_for_removal(s);
        world_->agents().compact();
      }
      w.write_snapshot(*world_);
      const std::vector<double> row = {static_cast<double>(2 - k), 10.0 + k};
      w.write_metrics(world_->time_days(), row);
    }
    w.set_status(RunStatus::Complete);
  }

  fs::path dir_;
  std::unique_ptr<World> world_;
  AgentType msc_ = 0, chondro_ = 0;
  int age_ = -1;
};

TEST_F(OutputWriterTest, RootGridAndConfig) {
  const OutputOptions o = options();
  write_run(o);
  Id f{H5Fopen(o.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(f.id, 0);
  EXPECT_EQ(read_str_attr(f, "format"), "regensim");
  EXPECT_EQ(attr_type(f, "format_version"), std::make_pair(H5T_INTEGER, std::size_t{4}));
  EXPECT_EQ(read_num_attr<int>(f, "format_version", H5T_NATIVE_INT), std::vector<int>{1});
  EXPECT_EQ(read_str_attr(f, "software_version"), regensim::kSoftwareVersion);
  EXPECT_EQ(read_str_attr(f, "git_commit"), regensim::kGitCommit);
  EXPECT_EQ(attr_type(f, "seed"), std::make_pair(H5T_INTEGER, std::size_t{8}));
  EXPECT_EQ(read_num_attr<std::uint64_t>(f, "seed", H5T_NATIVE_UINT64),
            std::vector<std::uint64_t>{o.seed});
  EXPECT_EQ(read_num_attr<int>(f, "threads", H5T_NATIVE_INT), std::vector<int>{3});
  EXPECT_TRUE(std::regex_match(read_str_attr(f, "created_utc"),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_EQ(read_str_attr(f, "status"), "complete");

  Id config{H5Dopen2(f, "config", H5P_DEFAULT), H5Dclose};
  ASSERT_GE(config.id, 0);
  {
    Id type{H5Dget_type(config), H5Tclose};
    EXPECT_GT(H5Tis_variable_str(type), 0);
    char* ptr = nullptr;
    ASSERT_GE(H5Dread(config, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &ptr), 0);
    EXPECT_EQ(std::string(ptr), o.config_toml);
    H5free_memory(ptr);
  }

  Id grid{H5Gopen2(f, "grid", H5P_DEFAULT), H5Gclose};
  ASSERT_GE(grid.id, 0);
  EXPECT_EQ(read_num_attr<int>(grid, "shape", H5T_NATIVE_INT), (std::vector<int>{5, 4, 3}));
  EXPECT_EQ(read_num_attr<double>(grid, "voxel_size_um", H5T_NATIVE_DOUBLE),
            std::vector<double>{20.0});

  Id time{H5Dopen2(f, "time_days", H5P_DEFAULT), H5Dclose};
  EXPECT_EQ(type_of(time).cls, H5T_FLOAT);
  EXPECT_EQ(type_of(time).size, 8u);
  EXPECT_EQ(read_all<double>(time, H5T_NATIVE_DOUBLE), (std::vector<double>{0.0, 1.0, 2.0}));
  EXPECT_EQ(read_str_attr(time, "units"), "days");
}

TEST_F(OutputWriterTest, FieldsRoundTripInZyxOrder) {
  const OutputOptions o = options();
  write_run(o);
  Id f{H5Fopen(o.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  for (const std::string name : {"oxygen", "vegf"}) {
    SCOPED_TRACE(name);
    Id ds{H5Dopen2(f, ("fields/" + name).c_str(), H5P_DEFAULT), H5Dclose};
    ASSERT_GE(ds.id, 0);
    EXPECT_EQ(dims_of(ds), (std::vector<hsize_t>{3, kNz, kNy, kNx}));
    EXPECT_EQ(type_of(ds).cls, H5T_FLOAT);
    EXPECT_EQ(type_of(ds).size, 4u);
    EXPECT_EQ(read_str_attr(ds, "units"), name == "oxygen" ? "mmHg" : "ng/mL");
    EXPECT_EQ(read_str_attr(ds, "axes"), "t,z,y,x");
    EXPECT_EQ(read_num_attr<double>(ds, "diffusion_um2_per_min", H5T_NATIVE_DOUBLE)[0],
              name == "oxygen" ? 1.0e5 : 6000.0);
    EXPECT_EQ(read_num_attr<double>(ds, "decay_per_min", H5T_NATIVE_DOUBLE)[0],
              name == "oxygen" ? 0.1 : 0.01);
    // Extendible in t, chunked (1, zc, ny, nx), shuffle + deflate.
    Id space{H5Dget_space(ds), H5Sclose};
    hsize_t max_dims[4];
    H5Sget_simple_extent_dims(space, nullptr, max_dims);
    EXPECT_EQ(max_dims[0], H5S_UNLIMITED);
    Id dcpl{H5Dget_create_plist(ds), H5Pclose};
    hsize_t chunk[4];
    ASSERT_EQ(H5Pget_chunk(dcpl, 4, chunk), 4);
    EXPECT_EQ(chunk[0], 1u);
    EXPECT_GE(chunk[1], 1u);
    EXPECT_EQ(chunk[2], hsize_t{kNy});
    EXPECT_EQ(chunk[3], hsize_t{kNx});
    EXPECT_EQ(H5Pget_nfilters(dcpl), 2);
    unsigned flags = 0;
    unsigned cd[4] = {};
    std::size_t nelmts = 4;
    EXPECT_EQ(H5Pget_filter2(dcpl, 0, &flags, &nelmts, cd, 0, nullptr, nullptr),
              H5Z_FILTER_SHUFFLE);
    nelmts = 4;
    EXPECT_EQ(H5Pget_filter2(dcpl, 1, &flags, &nelmts, cd, 0, nullptr, nullptr),
              H5Z_FILTER_DEFLATE);
    EXPECT_EQ(cd[0], 1u);  // deflate level

    const std::vector<float> data = read_all<float>(ds, H5T_NATIVE_FLOAT);
    for (int t = 0; t < 3; ++t) {
      for (int z = 0; z < kNz; ++z) {
        for (int y = 0; y < kNy; ++y) {
          for (int x = 0; x < kNx; ++x) {
            const std::size_t file_index =
                ((static_cast<std::size_t>(t) * kNz + z) * kNy + y) * kNx + x;
            const std::size_t flat = static_cast<std::size_t>(x + kNx * (y + kNy * z));
            const float expected = name == "oxygen" ? oxygen_at(flat, t) : vegf_at(flat, t);
            ASSERT_EQ(data[file_index], expected)
                << "t=" << t << " x=" << x << " y=" << y << " z=" << z;
          }
        }
      }
    }
  }
  // /fields lists the fields in OutputOptions order.
  Id fields{H5Gopen2(f, "fields", H5P_DEFAULT), H5Gclose};
  char name[16];
  H5Lget_name_by_idx(fields, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, 0, name, sizeof name,
                     H5P_DEFAULT);
  EXPECT_STREQ(name, "vegf");
}

TEST_F(OutputWriterTest, TissueLayers) {
  const OutputOptions o = options();
  write_run(o);
  Id f{H5Fopen(o.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  Id collagen{H5Dopen2(f, "tissue/collagen", H5P_DEFAULT), H5Dclose};
  ASSERT_GE(collagen.id, 0);
  EXPECT_EQ(dims_of(collagen), (std::vector<hsize_t>{3, kNz, kNy, kNx}));
  EXPECT_EQ(type_of(collagen).cls, H5T_FLOAT);
  EXPECT_EQ(type_of(collagen).size, 4u);
  EXPECT_EQ(read_str_attr(collagen, "units"), "fraction");
  EXPECT_EQ(read_str_attr(collagen, "description"), "collagen volume fraction");
  const std::vector<float> c = read_all<float>(collagen, H5T_NATIVE_FLOAT);
  for (int t = 0; t < 3; ++t) {
    for (std::size_t i = 0; i < kVoxels; ++i) ASSERT_EQ(c[t * kVoxels + i], collagen_at(i, t));
  }

  Id vessel{H5Dopen2(f, "tissue/vessel", H5P_DEFAULT), H5Dclose};
  ASSERT_GE(vessel.id, 0);
  EXPECT_EQ(dims_of(vessel), (std::vector<hsize_t>{3, kNz, kNy, kNx}));
  EXPECT_EQ(type_of(vessel).cls, H5T_INTEGER);
  EXPECT_EQ(type_of(vessel).size, 1u);
  EXPECT_FALSE(type_of(vessel).is_signed);
  EXPECT_EQ(read_str_attr(vessel, "units"), "code");
  EXPECT_EQ(read_str_attr(vessel, "codes"), "0=none;1=vessel");
  EXPECT_EQ(read_num_attr<int>(vessel, "code_values", H5T_NATIVE_INT), (std::vector<int>{0, 1}));
  EXPECT_EQ(read_str_array_attr(vessel, "code_names"),
            (std::vector<std::string>{"none", "vessel"}));
  const std::vector<std::uint8_t> v = read_all<std::uint8_t>(vessel, H5T_NATIVE_UINT8);
  for (int t = 0; t < 3; ++t) {
    for (std::size_t i = 0; i < kVoxels; ++i) ASSERT_EQ(v[t * kVoxels + i], vessel_at(i, t));
  }
}

TEST_F(OutputWriterTest, AgentsPerSnapshotIncludingEmpty) {
  const OutputOptions o = options();
  write_run(o);
  Id f{H5Fopen(o.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  Id agents{H5Gopen2(f, "agents", H5P_DEFAULT), H5Gclose};
  ASSERT_GE(agents.id, 0);
  EXPECT_EQ(read_str_array_attr(agents, "type_names"),
            (std::vector<std::string>{"msc", "chondrocyte"}));

  Id g0{H5Gopen2(agents, "0", H5P_DEFAULT), H5Gclose};
  ASSERT_GE(g0.id, 0);
  EXPECT_EQ(read_num_attr<double>(g0, "time_days", H5T_NATIVE_DOUBLE)[0], 0.0);
  EXPECT_EQ(read_num_attr<std::uint64_t>(g0, "count", H5T_NATIVE_UINT64)[0], 3u);
  auto open = [&](hid_t g, const char* name) {
    return Id{H5Dopen2(g, name, H5P_DEFAULT), H5Dclose};
  };
  {
    Id id = open(g0, "id");
    EXPECT_EQ(type_of(id).size, 8u);
    EXPECT_FALSE(type_of(id).is_signed);
    EXPECT_EQ(read_all<std::uint64_t>(id, H5T_NATIVE_UINT64),
              (std::vector<std::uint64_t>{1, 2, 3}));
    Id type = open(g0, "type");
    EXPECT_EQ(type_of(type).size, 1u);
    EXPECT_EQ(read_all<std::uint8_t>(type, H5T_NATIVE_UINT8),
              (std::vector<std::uint8_t>{msc_, chondro_, msc_}));
    EXPECT_EQ(read_str_attr(type, "codes"), "0=msc;1=chondrocyte");
    Id x = open(g0, "x"), y = open(g0, "y"), z = open(g0, "z");
    EXPECT_EQ(type_of(x).cls, H5T_INTEGER);
    EXPECT_EQ(type_of(x).size, 4u);
    EXPECT_TRUE(type_of(x).is_signed);
    EXPECT_EQ(read_all<std::int32_t>(x, H5T_NATIVE_INT32), (std::vector<std::int32_t>{1, 4, 0}));
    EXPECT_EQ(read_all<std::int32_t>(y, H5T_NATIVE_INT32), (std::vector<std::int32_t>{2, 3, 0}));
    EXPECT_EQ(read_all<std::int32_t>(z, H5T_NATIVE_INT32), (std::vector<std::int32_t>{0, 2, 1}));
    EXPECT_EQ(read_str_attr(x, "units"), "voxel");
    Id parent = open(g0, "parent_id");
    EXPECT_EQ(type_of(parent).size, 8u);
    EXPECT_EQ(read_all<std::uint64_t>(parent, H5T_NATIVE_UINT64),
              (std::vector<std::uint64_t>{0, 1, 0}));
    Id birth = open(g0, "birth_step");
    EXPECT_TRUE(type_of(birth).is_signed);
    EXPECT_EQ(type_of(birth).size, 8u);
    EXPECT_EQ(read_all<std::int64_t>(birth, H5T_NATIVE_INT64),
              (std::vector<std::int64_t>{0, 5, 3}));
    Id age = open(g0, "age_days");
    EXPECT_EQ(type_of(age).cls, H5T_FLOAT);
    EXPECT_EQ(type_of(age).size, 4u);
    EXPECT_EQ(read_all<float>(age, H5T_NATIVE_FLOAT), (std::vector<float>{1.5f, 0.25f, 7.0f}));
    EXPECT_EQ(read_str_attr(age, "units"), "days");
  }
  Id g1{H5Gopen2(agents, "1", H5P_DEFAULT), H5Gclose};
  EXPECT_EQ(read_num_attr<double>(g1, "time_days", H5T_NATIVE_DOUBLE)[0], 1.0);
  EXPECT_EQ(read_num_attr<std::uint64_t>(g1, "count", H5T_NATIVE_UINT64)[0], 3u);

  // The last snapshot has no agents: every dataset is there, with length 0.
  Id g2{H5Gopen2(agents, "2", H5P_DEFAULT), H5Gclose};
  ASSERT_GE(g2.id, 0);
  EXPECT_EQ(read_num_attr<std::uint64_t>(g2, "count", H5T_NATIVE_UINT64)[0], 0u);
  for (const char* name : {"id", "type", "x", "y", "z", "parent_id", "birth_step", "age_days"}) {
    Id ds = open(g2, name);
    ASSERT_GE(ds.id, 0) << name;
    EXPECT_EQ(dims_of(ds), std::vector<hsize_t>{0}) << name;
  }
}

TEST_F(OutputWriterTest, AgentTypeDeclaredLaterIsListed) {
  const OutputOptions o = options();
  {
    OutputWriter w(o, *world_);
    w.write_snapshot(*world_);
    const AgentType late = world_->add_agent_type("macrophage");
    world_->agents().add(late, world_->lattice().index(2, 2, 2), 1);
    w.write_snapshot(*world_);
  }
  Id f{H5Fopen(o.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  Id agents{H5Gopen2(f, "agents", H5P_DEFAULT), H5Gclose};
  EXPECT_EQ(read_str_array_attr(agents, "type_names"),
            (std::vector<std::string>{"msc", "chondrocyte", "macrophage"}));
  Id type{H5Dopen2(agents, "1/type", H5P_DEFAULT), H5Dclose};
  EXPECT_EQ(read_str_attr(type, "codes"), "0=msc;1=chondrocyte;2=macrophage");
}

TEST_F(OutputWriterTest, MetricsAndUnitsEverywhere) {
  const OutputOptions o = options();
  write_run(o);
  Id f{H5Fopen(o.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  Id t{H5Dopen2(f, "metrics/time_days", H5P_DEFAULT), H5Dclose};
  EXPECT_EQ(read_all<double>(t, H5T_NATIVE_DOUBLE), (std::vector<double>{0.0, 1.0, 2.0}));
  EXPECT_EQ(read_str_attr(t, "units"), "days");
  Id n{H5Dopen2(f, "metrics/n_msc", H5P_DEFAULT), H5Dclose};
  EXPECT_EQ(type_of(n).cls, H5T_FLOAT);
  EXPECT_EQ(type_of(n).size, 8u);
  EXPECT_EQ(read_all<double>(n, H5T_NATIVE_DOUBLE), (std::vector<double>{2.0, 1.0, 0.0}));
  EXPECT_EQ(read_str_attr(n, "units"), "cells");
  Id m{H5Dopen2(f, "metrics/mean_oxygen", H5P_DEFAULT), H5Dclose};
  EXPECT_EQ(read_all<double>(m, H5T_NATIVE_DOUBLE), (std::vector<double>{10.0, 11.0, 12.0}));
  EXPECT_EQ(read_str_attr(m, "units"), "mmHg");

  // Every dataset in the file carries units.
  std::vector<std::string> datasets;
  H5Lvisit(
      f, H5_INDEX_NAME, H5_ITER_INC,
      [](hid_t group, const char* name, const H5L_info_t*, void* out) -> herr_t {
        const hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
        if (H5Iget_type(obj) == H5I_DATASET) {
          static_cast<std::vector<std::string>*>(out)->push_back(name);
        }
        H5Oclose(obj);
        return 0;
      },
      &datasets);
  EXPECT_EQ(datasets.size(), 1u + 1u + 2u + 2u + 3u * 8u + 3u);
  for (const std::string& path : datasets) {
    Id ds{H5Dopen2(f, path.c_str(), H5P_DEFAULT), H5Dclose};
    EXPECT_GT(H5Aexists(ds, "units"), 0) << path;
  }
}

TEST_F(OutputWriterTest, StatusOnDiskAfterEachFlush) {
  // A copy taken while the writer is open is what a killed run would leave.
  const OutputOptions o = options();
  const fs::path copy = dir_ / "copy.h5";
  auto status_of_copy = [&](hsize_t expected_snapshots) {
    fs::copy_file(o.path, copy, fs::copy_options::overwrite_existing);
    Id f{H5Fopen(copy.string().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
    EXPECT_GE(f.id, 0);
    Id t{H5Dopen2(f, "time_days", H5P_DEFAULT), H5Dclose};
    EXPECT_EQ(dims_of(t), std::vector<hsize_t>{expected_snapshots});
    return read_str_attr(f, "status");
  };
  OutputWriter w(o, *world_);
  EXPECT_EQ(status_of_copy(0), "running");
  w.write_snapshot(*world_);
  EXPECT_EQ(w.snapshot_count(), 1);
  EXPECT_EQ(status_of_copy(1), "running");
  w.set_status(RunStatus::Interrupted);
  EXPECT_EQ(status_of_copy(1), "interrupted");
  w.set_status(RunStatus::Complete);
  EXPECT_EQ(status_of_copy(1), "complete");
  EXPECT_STREQ(to_string(RunStatus::Running), "running");
}

TEST_F(OutputWriterTest, ExistingFileNeedsOverwrite) {
  const OutputOptions o = options();
  {
    std::ofstream out(o.path, std::ios::binary);
    out << "precious results";
  }
  try {
    OutputWriter w(o, *world_);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(o.path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--overwrite"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(o.path), "precious results");

  // A real regensim file is kept byte for byte too.
  fs::remove(o.path);
  write_run(o);
  const std::string before = slurp(o.path);
  EXPECT_THROW(OutputWriter(o, *world_), InputError);
  EXPECT_EQ(slurp(o.path), before);

  OutputOptions replace = o;
  replace.overwrite = true;
  { OutputWriter w(replace, *world_); }
  Id f{H5Fopen(o.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(f.id, 0);
  EXPECT_EQ(read_str_attr(f, "status"), "running");
  Id t{H5Dopen2(f, "time_days", H5P_DEFAULT), H5Dclose};
  EXPECT_EQ(dims_of(t), std::vector<hsize_t>{0});
  EXPECT_FALSE(fs::exists(xdmf_sidecar_path(o.path)));  // the old sidecar went too
}

TEST_F(OutputWriterTest, CreatesMissingDirectories) {
  OutputOptions o = options();
  o.path = (dir_ / "out" / "nested" / "run1.h5").string();
  { OutputWriter w(o, *world_); }
  EXPECT_TRUE(fs::is_regular_file(o.path));
}

TEST_F(OutputWriterTest, BadOptionsTouchNothing) {
  OutputOptions o = options();
  o.field_names = {"oxygen", "tgfb"};
  try {
    OutputWriter w(o, *world_);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'tgfb'"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(o.path));

  OutputWriter w(options(), *world_);
  EXPECT_THROW(w.write_metrics(0.0, std::vector<double>{1.0}), std::logic_error);
}

TEST_F(OutputWriterTest, HdfFailuresAreQuietIoErrorsAndPrintingIsRestored) {
  H5E_auto2_t before = nullptr;
  void* before_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &before, &before_data);
  ASSERT_NE(before, nullptr);  // HDF5's default printer
  write_run(options());
  const std::string cut = (dir_ / "cut.h5").string();
  std::ofstream(cut, std::ios::binary) << slurp(options().path).substr(0, 200);
  OutputOptions o = options();
  o.path = (dir_ / (std::string(300, 'x') + ".h5")).string();  // name too long for H5Fcreate

  ::testing::internal::CaptureStderr();
  try {
    OutputWriter w(o, *world_);
    ADD_FAILURE() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(o.path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("HDF5: "), std::string::npos) << e.what();
  }
  std::ostringstream out;
  EXPECT_THROW(print_file_info(cut, out), InputError);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");

  H5E_auto2_t after = nullptr;
  void* after_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &after, &after_data);
  EXPECT_EQ(after, before);
  EXPECT_EQ(after_data, before_data);
}

TEST_F(OutputWriterTest, XdmfSidecarAfterEachSnapshot) {
  const OutputOptions o = options();
  OutputWriter w(o, *world_);
  EXPECT_EQ(w.xdmf_path(), (dir_ / "run.xmf").string());
  for (int k = 1; k <= 2; ++k) {
    if (k > 1) world_->advance_clock();
    w.write_snapshot(*world_);
    ASSERT_TRUE(fs::exists(w.xdmf_path()));
    EXPECT_FALSE(fs::exists(w.xdmf_path() + ".tmp"));
    const std::string x = slurp(w.xdmf_path());
    EXPECT_EQ(count_of(x, "<Grid Name=\"snapshot_"), static_cast<std::size_t>(k));
    EXPECT_NE(x.find("CollectionType=\"Temporal\""), std::string::npos);
    EXPECT_NE(x.find("TopologyType=\"3DCoRectMesh\" Dimensions=\"4 5 6\""), std::string::npos);
    EXPECT_NE(x.find("GeometryType=\"ORIGIN_DXDYDZ\""), std::string::npos);
    EXPECT_NE(x.find(">20 20 20</DataItem>"), std::string::npos);
    // Each of 2 fields + 2 layers per snapshot, cell-centred, 4-D source of T rows.
    EXPECT_EQ(count_of(x, "Center=\"Cell\""), 4u * static_cast<std::size_t>(k));
    const std::string full = "Dimensions=\"" + std::to_string(k) + " 3 4 5\"";
    EXPECT_EQ(count_of(x, full), 4u * static_cast<std::size_t>(k));
    EXPECT_EQ(count_of(x, ">run.h5:/fields/oxygen</DataItem>"), static_cast<std::size_t>(k));
    EXPECT_EQ(count_of(x, ">run.h5:/fields/vegf</DataItem>"), static_cast<std::size_t>(k));
    EXPECT_EQ(count_of(x, ">run.h5:/tissue/collagen</DataItem>"), static_cast<std::size_t>(k));
    EXPECT_EQ(count_of(x, ">run.h5:/tissue/vessel</DataItem>"), static_cast<std::size_t>(k));
    EXPECT_EQ(count_of(x, "NumberType=\"UChar\" Precision=\"1\" Format=\"HDF\""),
              static_cast<std::size_t>(k));
    const std::string slab = ">" + std::to_string(k - 1) + " 0 0 0 1 1 1 1 1 3 4 5</DataItem>";
    EXPECT_EQ(count_of(x, slab), 4u);
    EXPECT_EQ(x.find(dir_.string()), std::string::npos);  // relative reference only
  }
  EXPECT_NE(slurp(w.xdmf_path()).find("<Time Value=\"0.020833333333333332\"/>"), std::string::npos);
}

TEST(OutputXdmfTest, SidecarPath) {
  EXPECT_EQ(xdmf_sidecar_path("out/run1.h5"), "out/run1.xmf");
  EXPECT_EQ(xdmf_sidecar_path("run.hdf5"), "run.hdf5.xmf");
  EXPECT_EQ(xdmf_sidecar_path("run.h5.bak"), "run.h5.bak.xmf");
  EXPECT_EQ(xdmf_sidecar_path(".h5"), ".h5.xmf");
}

TEST_F(OutputWriterTest, FileInfoSummarises) {
  const OutputOptions o = options();
  write_run(o);
  std::ostringstream out;
  print_file_info(o.path, out);
  const std::string s = out.str();
  for (const std::string& needle :
       {std::string("format_version:   1"), std::string("status:           complete"),
        std::string("seed:             18446744073709551557"), std::string("threads:          3"),
        std::string("5 x 4 x 3 voxels"), std::string("voxel 20 um"),
        std::string("snapshots:        3, t = 0 .. 2 days"), std::string("oxygen"),
        std::string("(3, 3, 4, 5) float32 [mmHg]"),
        std::string("(3, 3, 4, 5) uint8 [code] codes 0=none;1=vessel"),
        std::string("agents at last snapshot (2, t = 2 days): 0"),
        std::string("metrics: 2, 3 rows"), std::string("n_msc"), std::string("12 [mmHg]"),
        std::string(regensim::kGitCommit)}) {
    EXPECT_NE(s.find(needle), std::string::npos) << "missing '" << needle << "' in\n" << s;
  }
}

TEST_F(OutputWriterTest, FileInfoCountsAgentsByType) {
  const OutputOptions o = options();
  {
    OutputWriter w(o, *world_);
    w.write_snapshot(*world_);
  }
  std::ostringstream out;
  print_file_info(o.path, out);
  const std::string s = out.str();
  EXPECT_NE(s.find("status:           running"), std::string::npos) << s;
  EXPECT_TRUE(std::regex_search(s, std::regex(R"(\n  msc +2\n)"))) << s;
  EXPECT_TRUE(std::regex_search(s, std::regex(R"(\n  chondrocyte +1\n)"))) << s;
}

TEST_F(OutputWriterTest, FileInfoRejectsOtherFiles) {
  const std::string missing = (dir_ / "nope.h5").string();
  try {
    std::ostringstream out;
    print_file_info(missing, out);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }

  const std::string other = (dir_ / "other.h5").string();
  {
    Id f{H5Fcreate(other.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose};
    ASSERT_GE(f.id, 0);
  }
  std::ostringstream out;
  try {
    print_file_info(other, out);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), other + ": not a regensim output file");
  }

  const std::string text = (dir_ / "notes.txt").string();
  { std::ofstream(text) << "not hdf5"; }
  EXPECT_THROW(print_file_info(text, out), InputError);
}

}  // namespace
}  // namespace regensim::sim

namespace regensim::sim {
namespace {

TEST(OutputMinimalTest, TwoDimensionalWorldWithNothingToList) {
  const fs::path dir =
      fs::temp_directory_path() / ("regensim_output_minimal_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  World world(Lattice(6, 5, 1, 10.0), 1, 60.0);
  OutputOptions o;
  o.path = (dir / "flat").string();  // no .h5: the sidecar is flat.xmf
  {
    OutputWriter w(o, world);
    w.write_snapshot(world);
    w.write_metrics(0.0, {});
    EXPECT_EQ(w.xdmf_path(), o.path + ".xmf");
  }
  Id f{H5Fopen(o.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(f.id, 0);
  Id agents{H5Gopen2(f, "agents", H5P_DEFAULT), H5Gclose};
  EXPECT_TRUE(read_str_array_attr(agents, "type_names").empty());
  Id t{H5Dopen2(f, "metrics/time_days", H5P_DEFAULT), H5Dclose};
  EXPECT_EQ(dims_of(t), std::vector<hsize_t>{1});
  const std::string x = slurp(o.path + ".xmf");
  EXPECT_NE(x.find("Dimensions=\"2 6 7\""), std::string::npos) << x;
  std::ostringstream out;
  print_file_info(o.path, out);
  EXPECT_NE(out.str().find("6 x 5 x 1 voxels"), std::string::npos) << out.str();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace regensim::sim
