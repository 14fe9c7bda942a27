// The parallel snapshot-chunk writer (sim/io/chunk_writer.hpp): what HDF5 reads back is
// what was appended, for partial edge chunks, data deflate cannot shrink, bytes, and
// datasets whose filters it does not produce itself; and every chunk is a zlib stream
// that decodes (with zlib, not the libdeflate that wrote it) to what HDF5's own filters
// store for that chunk.
#include <gtest/gtest.h>
#include <omp.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/io/chunk_writer.hpp"
#include "sim/io/hdf5_util.hpp"
#include "tests/test_support.hpp"

namespace regensim::sim {
namespace {

constexpr hsize_t kNz = 5, kNy = 7, kNx = 11;  // chunks (1, 2, 3, 11): partial in z and y

struct Rows {
  std::vector<float> smooth, noise;
  std::vector<std::uint8_t> codes;
};

Rows make_rows(std::uint64_t seed) {
  Rows r;
  const KeyedRng rng(seed, 1);
  const std::size_t n = kNz * kNy * kNx;
  for (std::size_t i = 0; i < n; ++i) {
    r.smooth.push_back(38.0f - 0.01f * static_cast<float>(i % 97));
    // Random bit patterns: incompressible, deflate makes their chunks larger.
    r.noise.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(rng.bits(0, i)[0])));
    r.codes.push_back(static_cast<std::uint8_t>(i % 3 == 0 ? 1 : 0));
  }
  return r;
}

/// Writes two snapshots of each dataset with the chunk writer (direct) or with H5Dwrite
/// through HDF5's filters (the reference) and returns the file's size.
std::uintmax_t write_file(const std::string& path, bool direct, const Rows& a, const Rows& b) {
  const h5::ErrorSilencer silence;
  h5::Handle f = h5::create_file(path, true);
  const std::array<hsize_t, 3> dims = {kNz, kNy, kNx};
  const std::array<hsize_t, 4> chunk = {1, 2, 3, kNx};
  h5::Handle smooth =
      h5::create_extendible(f.get(), "smooth", H5T_IEEE_F32LE, dims, chunk, true, "smooth");
  h5::Handle noise =
      h5::create_extendible(f.get(), "noise", H5T_IEEE_F32LE, dims, chunk, true, "noise");
  h5::Handle codes =
      h5::create_extendible(f.get(), "codes", H5T_STD_U8LE, dims, chunk, true, "codes");
  // Whole planes: the writer reads these chunks in place, but the last (partial in z).
  const std::array<hsize_t, 4> plane_chunk = {1, 2, kNy, kNx};
  h5::Handle planes =
      h5::create_extendible(f.get(), "planes", H5T_IEEE_F32LE, dims, plane_chunk, true, "planes");
  // Not shuffle + deflate: written through H5Dwrite either way.
  h5::Handle plain =
      h5::create_extendible(f.get(), "plain", H5T_IEEE_F32LE, dims, chunk, false, "plain");
  for (const Rows* r : {&a, &b}) {
    if (direct) {
      const h5::SnapshotRow rows[] = {{smooth.get(), r->smooth.data(), 4, "smooth"},
                                      {noise.get(), r->noise.data(), 4, "noise"},
                                      {codes.get(), r->codes.data(), 1, "codes"},
                                      {plain.get(), r->smooth.data(), 4, "plain"},
                                      {planes.get(), r->noise.data(), 4, "planes"}};
      h5::append_snapshot_rows(rows, dims);
    } else {
      h5::append(smooth.get(), H5T_NATIVE_FLOAT, r->smooth.data(), 1, "smooth");
      h5::append(noise.get(), H5T_NATIVE_FLOAT, r->noise.data(), 1, "noise");
      h5::append(codes.get(), H5T_NATIVE_UINT8, r->codes.data(), 1, "codes");
      h5::append(plain.get(), H5T_NATIVE_FLOAT, r->smooth.data(), 1, "plain");
      h5::append(planes.get(), H5T_NATIVE_FLOAT, r->noise.data(), 1, "planes");
    }
  }
  for (h5::Handle* h : {&smooth, &noise, &codes, &plain, &planes}) h->reset();
  f.reset();
  return std::filesystem::file_size(path);
}

/// zlib's decoding of one stored chunk (`expected` bytes once decoded).
std::vector<unsigned char> inflate_chunk(const std::vector<unsigned char>& bytes,
                                         std::size_t expected) {
  std::vector<unsigned char> out(expected + 1);  // one spare byte: a longer stream shows
  uLongf size = static_cast<uLongf>(out.size());
  EXPECT_EQ(uncompress(out.data(), &size, bytes.data(), static_cast<uLong>(bytes.size())), Z_OK);
  out.resize(size);
  return out;
}

/// A dataset for expect_same_chunks: how many chunks it has and their decoded size.
struct Stored {
  const char* name;
  hsize_t chunks;
  std::size_t raw_bytes;
  bool filtered;
};

/// Every stored chunk of every dataset holds the same content in both files: offset,
/// filter mask and the bytes zlib decodes (the files differ in the order their chunks
/// were allocated, and libdeflate's streams are not zlib's). Returns the stored sizes of
/// the filtered chunks in the first file.
std::vector<hsize_t> expect_same_chunks(const std::string& a_path, const std::string& b_path,
                                        const std::vector<Stored>& sets) {
  h5::Handle a = h5::open_file_read(a_path), b = h5::open_file_read(b_path);
  std::vector<hsize_t> sizes;
  for (const Stored& set : sets) {
    const char* name = set.name;
    h5::Handle da = h5::open_dataset(a.get(), name, name),
               db = h5::open_dataset(b.get(), name, name);
    h5::Handle sa(H5Dget_space(da.get()), H5Sclose), sb(H5Dget_space(db.get()), H5Sclose);
    hsize_t na = 0, nb = 0;
    EXPECT_GE(H5Dget_num_chunks(da.get(), sa.get(), &na), 0);
    EXPECT_GE(H5Dget_num_chunks(db.get(), sb.get(), &nb), 0);
    EXPECT_EQ(na, set.chunks) << name;
    if (na != nb) {
      ADD_FAILURE() << name << ": " << na << " chunks against " << nb;
      continue;
    }
    const bool filtered = set.filtered;
    const std::size_t raw = set.raw_bytes;
    for (hsize_t k = 0; k < na; ++k) {
      hsize_t off_a[4] = {}, off_b[4] = {};
      unsigned mask_a = 0, mask_b = 0;
      haddr_t addr = 0;
      hsize_t size_a = 0, size_b = 0;
      EXPECT_GE(H5Dget_chunk_info(da.get(), sa.get(), k, off_a, &mask_a, &addr, &size_a), 0);
      EXPECT_GE(H5Dget_chunk_info(db.get(), sb.get(), k, off_b, &mask_b, &addr, &size_b), 0);
      EXPECT_EQ(std::memcmp(off_a, off_b, sizeof off_a), 0) << name << " chunk " << k;
      EXPECT_EQ(mask_a, mask_b) << name << " chunk " << k;
      std::vector<unsigned char> bytes_a(size_a), bytes_b(size_b);
      uint32_t filters = 0;
      EXPECT_GE(H5Dread_chunk(da.get(), H5P_DEFAULT, off_a, &filters, bytes_a.data()), 0);
      EXPECT_GE(H5Dread_chunk(db.get(), H5P_DEFAULT, off_b, &filters, bytes_b.data()), 0);
      if (filtered) {
        EXPECT_EQ(inflate_chunk(bytes_a, raw), inflate_chunk(bytes_b, raw))
            << name << " chunk " << k;
      } else {
        EXPECT_EQ(bytes_a, bytes_b) << name << " chunk " << k;
      }
      if (filtered) sizes.push_back(size_a);
    }
  }
  return sizes;
}

TEST(ChunkWriter, ReadsBackWhatWasAppendedAndMatchesHdf5sOwnFilters) {
  const testing::TempDir dir;
  const Rows a = make_rows(1), b = make_rows(2);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(2);
  const auto direct_size = write_file(dir.file("direct.h5"), true, a, b);
  omp_set_num_threads(saved);
  const auto reference_size = write_file(dir.file("reference.h5"), false, a, b);
  EXPECT_GT(direct_size, 0u);
  EXPECT_GT(reference_size, 0u);
  const h5::ErrorSilencer silence;
  // 2 rows of 3 x 3 chunks, each (1, 2, 3, kNx).
  const hsize_t chunks = 2 * 3 * 3;
  const std::size_t elements = 2 * 3 * kNx;
  const std::vector<hsize_t> sizes =
      expect_same_chunks(dir.file("direct.h5"), dir.file("reference.h5"),
                         {{"smooth", chunks, elements * 4, true},
                          {"noise", chunks, elements * 4, true},
                          {"codes", chunks, elements, true},
                          {"plain", chunks, elements * 4, false},
                          {"planes", 2 * 3, 2 * kNy * kNx * 4, true}});
  EXPECT_TRUE(std::any_of(sizes.begin(), sizes.end(), [&](hsize_t s) { return s > elements * 4; }))
      << "the noise: chunks deflate makes larger, stored as HDF5 stores them";

  h5::Handle f = h5::open_file_read(dir.file("direct.h5"));
  const std::size_t n = kNz * kNy * kNx;
  const auto read_floats = [&](const char* name) {
    h5::Handle ds = h5::open_dataset(f.get(), name, name);
    EXPECT_EQ(h5::dataset_dims(ds.get(), name), (std::vector<hsize_t>{2, kNz, kNy, kNx}));
    std::vector<float> v(2 * n);
    h5::read_exact(ds.get(), H5T_NATIVE_FLOAT, v.data(), v.size(), name);
    return v;
  };
  const auto expect_rows = [&](const std::vector<float>& got, const std::vector<float>& first,
                               const std::vector<float>& second, const char* name) {
    ASSERT_EQ(std::memcmp(got.data(), first.data(), n * sizeof(float)), 0) << name << " row 0";
    ASSERT_EQ(std::memcmp(got.data() + n, second.data(), n * sizeof(float)), 0) << name << " row 1";
  };
  expect_rows(read_floats("smooth"), a.smooth, b.smooth, "smooth");
  expect_rows(read_floats("noise"), a.noise, b.noise, "noise");
  expect_rows(read_floats("plain"), a.smooth, b.smooth, "plain");
  expect_rows(read_floats("planes"), a.noise, b.noise, "planes");
  h5::Handle codes = h5::open_dataset(f.get(), "codes", "codes");
  const std::vector<std::uint8_t> c = h5::read_uint8(codes.get(), "codes");
  ASSERT_EQ(c.size(), 2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(c[i], a.codes[i]) << i;
    ASSERT_EQ(c[n + i], b.codes[i]) << i;
  }
}

/// The stored blocks at the start of a zlib stream: how many bytes they hold, and whether
/// the last of them is final (nothing follows). Stops at the first block of another type.
struct StoredPrefix {
  std::size_t bytes = 0;
  int blocks = 0;
  bool final = false;
  bool valid = true;  // every LEN matched its NLEN and fitted the stream
};

StoredPrefix stored_prefix(const std::vector<unsigned char>& b) {
  StoredPrefix p;
  std::size_t at = 2;  // after the zlib header
  while (at + 5 <= b.size() && (b[at] & 0x06) == 0 && !p.final) {
    const unsigned len = b[at + 1] | (b[at + 2] << 8);
    const unsigned nlen = b[at + 3] | (b[at + 4] << 8);
    p.valid = p.valid && (len ^ nlen) == 0xffffu && at + 5 + len <= b.size();
    p.final = (b[at] & 1) != 0;
    p.bytes += len;
    ++p.blocks;
    at += 5 + len;
  }
  return p;
}

/// The stored bytes of the chunk at `offset` of a dataset.
std::vector<unsigned char> chunk_bytes(hid_t file, const char* name, const hsize_t (&offset)[4]) {
  h5::Handle ds = h5::open_dataset(file, name, name);
  hsize_t size = 0;
  EXPECT_GE(H5Dget_chunk_storage_size(ds.get(), offset, &size), 0);
  std::vector<unsigned char> bytes(size);
  std::uint32_t filters = 0;
  EXPECT_GE(H5Dread_chunk(ds.get(), H5P_DEFAULT, offset, &filters, bytes.data()), 0);
  return bytes;
}

// Chunks large enough for the writer to judge their byte planes: floats whose two low
// bytes are noise and two high bytes smooth, as a field's are. The noise planes go into
// the zlib stream as stored blocks, the smooth ones deflated after them; zlib reads the
// stream as HDF5's own filter's, and pure noise is stored whole (three blocks). A second
// byte drawn from 160 values (deflate saves about 5 % on it) is deflated, not stored. The
// last chunk lies half outside the dataset (gathered and padded with zeros).
TEST(ChunkWriter, StoresNoiseBytePlanesAndDeflatesTheRest) {
  constexpr hsize_t nz = 20, ny = 64, nx = 64;  // chunks (1, 8, 64, 64): planes of 32 KiB
  const std::array<hsize_t, 3> dims = {nz, ny, nx};
  const std::array<hsize_t, 4> chunk = {1, 8, ny, nx};
  const std::size_t n = nz * ny * nx, plane = 8 * ny * nx;
  const KeyedRng rng(5, 1);
  std::vector<float> mixed(n), noise(n), skewed(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto bits = static_cast<std::uint32_t>(rng.bits(0, i)[0]);
    const float smooth = 38.0f - 0.001f * static_cast<float>(i / nx);
    mixed[i] = std::bit_cast<float>((std::bit_cast<std::uint32_t>(smooth) & 0xffff0000u) |
                                    (bits & 0xffffu));
    noise[i] = std::bit_cast<float>(bits);
    skewed[i] = std::bit_cast<float>((std::bit_cast<std::uint32_t>(mixed[i]) & 0xffff00ffu) |
                                     (((bits >> 16) % 160u) << 8));
  }
  const testing::TempDir dir;
  const h5::ErrorSilencer silence;
  for (const bool direct : {true, false}) {
    h5::Handle f = h5::create_file(dir.file(direct ? "direct.h5" : "reference.h5"), true);
    h5::Handle m = h5::create_extendible(f.get(), "mixed", H5T_IEEE_F32LE, dims, chunk, true, "m");
    h5::Handle z = h5::create_extendible(f.get(), "noise", H5T_IEEE_F32LE, dims, chunk, true, "z");
    h5::Handle k = h5::create_extendible(f.get(), "skewed", H5T_IEEE_F32LE, dims, chunk, true, "k");
    if (direct) {
      const h5::SnapshotRow rows[] = {{m.get(), mixed.data(), 4, "m"},
                                      {z.get(), noise.data(), 4, "z"},
                                      {k.get(), skewed.data(), 4, "k"}};
      h5::append_snapshot_rows(rows, dims);
    } else {
      h5::append(m.get(), H5T_NATIVE_FLOAT, mixed.data(), 1, "m");
      h5::append(z.get(), H5T_NATIVE_FLOAT, noise.data(), 1, "z");
      h5::append(k.get(), H5T_NATIVE_FLOAT, skewed.data(), 1, "k");
    }
  }
  const std::vector<hsize_t> sizes =
      expect_same_chunks(dir.file("direct.h5"), dir.file("reference.h5"),
                         {{"mixed", 3, plane * 4, true},
                          {"noise", 3, plane * 4, true},
                          {"skewed", 3, plane * 4, true}});
  EXPECT_EQ(sizes.size(), 9u);

  // The stored blocks at the start of each whole chunk's stream: the two noise planes
  // (mixed, followed by the deflated smooth planes, well under two planes), all four
  // (noise: nothing follows, so the last block is final) or the one (skewed).
  h5::Handle f = h5::open_file_read(dir.file("direct.h5"));
  for (hsize_t z0 : {hsize_t{0}, hsize_t{8}}) {
    const hsize_t offset[4] = {0, z0, 0, 0};
    const std::vector<unsigned char> m = chunk_bytes(f.get(), "mixed", offset);
    const StoredPrefix pm = stored_prefix(m);
    EXPECT_TRUE(pm.valid);
    EXPECT_EQ(pm.bytes, 2 * plane);
    EXPECT_FALSE(pm.final);
    EXPECT_LT(m.size(), 2 * plane + plane / 2);
    const std::vector<unsigned char> z = chunk_bytes(f.get(), "noise", offset);
    const StoredPrefix pz = stored_prefix(z);
    EXPECT_TRUE(pz.valid);
    EXPECT_EQ(pz.bytes, 4 * plane);
    EXPECT_EQ(pz.blocks, 3);  // 65535 + 65535 + 2 bytes
    EXPECT_TRUE(pz.final);
    EXPECT_EQ(z.size(), 2 + 3 * 5 + 4 * plane + 4) << "header, blocks and checksum only";
    const StoredPrefix pk = stored_prefix(chunk_bytes(f.get(), "skewed", offset));
    EXPECT_EQ(pk.bytes, plane) << "only the noise plane stored";
  }
  for (const auto& [name, data] :
       {std::pair{"mixed", &mixed}, std::pair{"noise", &noise}, std::pair{"skewed", &skewed}}) {
    h5::Handle ds = h5::open_dataset(f.get(), name, name);
    std::vector<float> got(n);
    h5::read_exact(ds.get(), H5T_NATIVE_FLOAT, got.data(), n, name);
    EXPECT_EQ(std::memcmp(got.data(), data->data(), n * sizeof(float)), 0) << name;
  }
}

// The agents' columns: write_columns against write_vector (HDF5's own filters), with a
// full and a partial edge chunk per column and an empty snapshot. Both compress with
// zlib at the same level, so every stored chunk is the same bytes.
TEST(ChunkWriter, ColumnsAreStoredAsWriteVectorStoresThem) {
  const std::size_t n = h5::vector_chunk(std::size_t{1} << 20) + 1000;
  const KeyedRng rng(3, 1);
  std::vector<std::uint64_t> ids(n);
  std::vector<std::uint8_t> types(n);
  std::vector<float> noise(n);
  for (std::size_t i = 0; i < n; ++i) {
    ids[i] = 7 * i + 1;
    types[i] = static_cast<std::uint8_t>(i % 3);
    noise[i] = std::bit_cast<float>(static_cast<std::uint32_t>(rng.bits(0, i)[0]));
  }
  const testing::TempDir dir;
  const h5::ErrorSilencer silence;
  for (const bool direct : {true, false}) {
    h5::Handle f = h5::create_file(dir.file(direct ? "direct.h5" : "reference.h5"), true);
    for (const std::size_t count : {n, std::size_t{0}}) {
      h5::Handle g = h5::create_group(f.get(), count > 0 ? "full" : "empty", "group");
      if (direct) {
        const std::vector<h5::Column> cols = {{"ids", H5T_STD_U64LE, ids.data(), 8},
                                              {"types", H5T_STD_U8LE, types.data(), 1},
                                              {"noise", H5T_IEEE_F32LE, noise.data(), 4}};
        const int saved = omp_get_max_threads();
        omp_set_num_threads(2);
        EXPECT_EQ(h5::write_columns(g.get(), cols, count, "group").size(), cols.size());
        omp_set_num_threads(saved);
      } else {
        h5::write_vector(g.get(), "ids", H5T_STD_U64LE, H5T_NATIVE_UINT64, ids.data(), count, "i");
        h5::write_vector(g.get(), "types", H5T_STD_U8LE, H5T_NATIVE_UINT8, types.data(), count,
                         "t");
        h5::write_vector(g.get(), "noise", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, noise.data(), count,
                         "n");
      }
    }
  }
  h5::Handle a = h5::open_file_read(dir.file("direct.h5"));
  h5::Handle b = h5::open_file_read(dir.file("reference.h5"));
  const hsize_t chunk = h5::vector_chunk(n);
  for (const char* name : {"full/ids", "full/types", "full/noise"}) {
    for (hsize_t first : {hsize_t{0}, chunk}) {
      const hsize_t offset[4] = {first, 0, 0, 0};
      EXPECT_EQ(chunk_bytes(a.get(), name, offset), chunk_bytes(b.get(), name, offset))
          << name << " chunk at " << first;
    }
  }
  h5::Handle ds = h5::open_dataset(a.get(), "full/ids", "ids");
  std::vector<std::uint64_t> got(n);
  h5::read_exact(ds.get(), H5T_NATIVE_UINT64, got.data(), n, "ids");
  EXPECT_EQ(got, ids);
  for (const char* name : {"empty/ids", "empty/types", "empty/noise"}) {
    h5::Handle e = h5::open_dataset(a.get(), name, name);
    EXPECT_EQ(h5::dataset_dims(e.get(), name), std::vector<hsize_t>{0}) << name;
  }
}

}  // namespace
}  // namespace regensim::sim
