// The parallel snapshot-chunk writer (sim/io/chunk_writer.hpp): what HDF5 reads back is
// what was appended, for partial edge chunks, data deflate cannot shrink, bytes, and
// datasets whose filters it does not produce itself; and every chunk is a zlib stream
// that decodes (with zlib, not the libdeflate that wrote it) to what HDF5's own filters
// store for that chunk.
#include <gtest/gtest.h>
#include <omp.h>
#include <zlib.h>

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
  // Not shuffle + deflate: written through H5Dwrite either way.
  h5::Handle plain =
      h5::create_extendible(f.get(), "plain", H5T_IEEE_F32LE, dims, chunk, false, "plain");
  for (const Rows* r : {&a, &b}) {
    if (direct) {
      const h5::SnapshotRow rows[] = {{smooth.get(), r->smooth.data(), 4, "smooth"},
                                      {noise.get(), r->noise.data(), 4, "noise"},
                                      {codes.get(), r->codes.data(), 1, "codes"},
                                      {plain.get(), r->smooth.data(), 4, "plain"}};
      h5::append_snapshot_rows(rows, dims);
    } else {
      h5::append(smooth.get(), H5T_NATIVE_FLOAT, r->smooth.data(), 1, "smooth");
      h5::append(noise.get(), H5T_NATIVE_FLOAT, r->noise.data(), 1, "noise");
      h5::append(codes.get(), H5T_NATIVE_UINT8, r->codes.data(), 1, "codes");
      h5::append(plain.get(), H5T_NATIVE_FLOAT, r->smooth.data(), 1, "plain");
    }
  }
  for (h5::Handle* h : {&smooth, &noise, &codes, &plain}) h->reset();
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

/// Every stored chunk of every dataset holds the same content in both files: offset,
/// filter mask and the bytes zlib decodes (the files differ in the order their chunks
/// were allocated, and libdeflate's streams are not zlib's).
void expect_same_chunks(const std::string& a_path, const std::string& b_path) {
  h5::Handle a = h5::open_file_read(a_path), b = h5::open_file_read(b_path);
  int larger = 0;
  for (const char* name : {"smooth", "noise", "codes", "plain"}) {
    h5::Handle da = h5::open_dataset(a.get(), name, name),
               db = h5::open_dataset(b.get(), name, name);
    h5::Handle sa(H5Dget_space(da.get()), H5Sclose), sb(H5Dget_space(db.get()), H5Sclose);
    hsize_t na = 0, nb = 0;
    ASSERT_GE(H5Dget_num_chunks(da.get(), sa.get(), &na), 0);
    ASSERT_GE(H5Dget_num_chunks(db.get(), sb.get(), &nb), 0);
    ASSERT_EQ(na, nb) << name;
    EXPECT_EQ(na, 2u * 3u * 3u) << name << ": 2 rows of 3 x 3 chunks";
    const bool filtered = std::string(name) != "plain";
    const std::size_t raw = 2 * 3 * kNx * (std::string(name) == "codes" ? 1 : 4);
    for (hsize_t k = 0; k < na; ++k) {
      hsize_t off_a[4], off_b[4];
      unsigned mask_a = 0, mask_b = 0;
      haddr_t addr = 0;
      hsize_t size_a = 0, size_b = 0;
      ASSERT_GE(H5Dget_chunk_info(da.get(), sa.get(), k, off_a, &mask_a, &addr, &size_a), 0);
      ASSERT_GE(H5Dget_chunk_info(db.get(), sb.get(), k, off_b, &mask_b, &addr, &size_b), 0);
      ASSERT_EQ(std::memcmp(off_a, off_b, sizeof off_a), 0) << name << " chunk " << k;
      EXPECT_EQ(mask_a, mask_b) << name << " chunk " << k;
      std::vector<unsigned char> bytes_a(size_a), bytes_b(size_b);
      uint32_t filters = 0;
      ASSERT_GE(H5Dread_chunk(da.get(), H5P_DEFAULT, off_a, &filters, bytes_a.data()), 0);
      ASSERT_GE(H5Dread_chunk(db.get(), H5P_DEFAULT, off_b, &filters, bytes_b.data()), 0);
      if (filtered) {
        EXPECT_EQ(inflate_chunk(bytes_a, raw), inflate_chunk(bytes_b, raw))
            << name << " chunk " << k;
      } else {
        EXPECT_EQ(bytes_a, bytes_b) << name << " chunk " << k;
      }
      larger += filtered && size_a > raw ? 1 : 0;
    }
  }
  EXPECT_GT(larger, 0) << "the noise: chunks deflate makes larger, stored as HDF5 stores them";
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
  expect_same_chunks(dir.file("direct.h5"), dir.file("reference.h5"));

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
  h5::Handle codes = h5::open_dataset(f.get(), "codes", "codes");
  const std::vector<std::uint8_t> c = h5::read_uint8(codes.get(), "codes");
  ASSERT_EQ(c.size(), 2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(c[i], a.codes[i]) << i;
    ASSERT_EQ(c[n + i], b.codes[i]) << i;
  }
}

}  // namespace
}  // namespace regensim::sim
