#include "sim/solver/explicit_ftcs.hpp"
#include "sim/solver/stencil.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace regensim::sim {

ExplicitFtcsSolver::ExplicitFtcsSolver(const Lattice& lattice)
    : lattice_(lattice),
      old_(lattice.size()),
      row_boundary_(static_cast<std::size_t>(lattice.ny()) * lattice.nz()),
      row_fixed_(row_boundary_.size()) {}

FieldBalance ExplicitFtcsSolver::step(Field& field, double dt_min) {
  assert(field.values().size() == lattice_.size());
  if (field.spec().quasi_steady) {
    throw std::invalid_argument("field '" + field.name() +
                                "': the explicit solver has no quasi-steady solve");
  }
  assert(dt_min <=
         explicit_stability_limit_min(lattice_, field.spec().diffusion_um2_per_min) * (1.0 + 1e-9));
  FieldBalance b = apply_reactions(field, dt_min);
  b += diffuse(field, dt_min);
  return b;
}

FieldBalance ExplicitFtcsSolver::diffuse(Field& field, double dt_min) {
  const double h = lattice_.voxel_size_um();
  const auto r = static_cast<float>(dt_min * field.spec().diffusion_um2_per_min / (h * h));
  if (r == 0.0f) return {};

  float* u = field.values().data();
  const float* o_all = old_.data();
  std::copy(field.values().begin(), field.values().end(), old_.begin());
  const std::uint8_t* mask = field.fixed_mask();
  const auto& faces = field.spec().faces;
  const auto face_fixed = [&](Face f) {
    return faces[static_cast<std::size_t>(f)].kind == BoundaryKind::FixedValue;
  };
  const auto face_value = [&](Face f) { return faces[static_cast<std::size_t>(f)].value; };

  const int nx = lattice_.nx();
  const int ny = lattice_.ny();
  const int nz = lattice_.nz();
  const bool three_d = !lattice_.is_2d();
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(nx) * ny;
  const std::ptrdiff_t rows = static_cast<std::ptrdiff_t>(ny) * nz;

#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const int y = static_cast<int>(row % ny);
    const int z = static_cast<int>(row / ny);
    const std::ptrdiff_t base = row * nx;
    const float* o = o_all + base;
    float* f = u + base;  // holds Σ fluxes / r until the update below

    // Neighbours along x.
    if (nx == 1) {
      f[0] = 0.0f;
    } else {
      f[0] = o[1] - o[0];
      for (int x = 1; x < nx - 1; ++x) f[x] = (o[x - 1] - o[x]) + (o[x + 1] - o[x]);
      f[nx - 1] = o[nx - 2] - o[nx - 1];
    }
    // Neighbours along y and z, or the face beyond the last voxel.
    double boundary = 0.0;
    const auto face_row = [&](Face face) {
      if (!face_fixed(face)) return;
      const float gv = face_value(face);
      for (int x = 0; x < nx; ++x) {
        f[x] += 2.0f * (gv - o[x]);
        if (mask == nullptr || mask[base + x] == 0) {
          boundary += static_cast<double>(gv) - static_cast<double>(o[x]);
        }
      }
    };
    const auto neighbour_row = [&](std::ptrdiff_t offset) {
      const float* nb = o + offset;
      for (int x = 0; x < nx; ++x) f[x] += nb[x] - o[x];
    };
    if (y > 0) {
      neighbour_row(-nx);
    } else {
      face_row(Face::YLow);
    }
    if (y < ny - 1) {
      neighbour_row(nx);
    } else {
      face_row(Face::YHigh);
    }
    if (three_d) {
      if (z > 0) {
        neighbour_row(-plane);
      } else {
        face_row(Face::ZLow);
      }
      if (z < nz - 1) {
        neighbour_row(plane);
      } else {
        face_row(Face::ZHigh);
      }
    }
    const auto face_end = [&](Face face, int x) {
      if (!face_fixed(face)) return;
      const float gv = face_value(face);
      f[x] += 2.0f * (gv - o[x]);
      if (mask == nullptr || mask[base + x] == 0) {
        boundary += static_cast<double>(gv) - static_cast<double>(o[x]);
      }
    };
    face_end(Face::XLow, 0);
    face_end(Face::XHigh, nx - 1);

    for (int x = 0; x < nx; ++x) f[x] = o[x] + r * f[x];

    // Fixed voxels keep their value; each edge from a fixed to a non-fixed voxel carries
    // r (u_fixed - u_i) into the non-fixed one.
    double fixed = 0.0;
    if (mask != nullptr) {
      const std::uint8_t* m = mask + base;
      for (int x = 0; x < nx; ++x) {
        if (m[x] != 0) {
          f[x] = o[x];
          continue;
        }
        detail::for_each_face_neighbour(x, y, z, nx, ny, nz, [&](std::ptrdiff_t offset) {
          if (m[x + offset] != 0) {
            fixed += static_cast<double>(o[x + offset]) - static_cast<double>(o[x]);
          }
        });
      }
    }
    row_boundary_[static_cast<std::size_t>(row)] = 2.0 * static_cast<double>(r) * boundary;
    row_fixed_[static_cast<std::size_t>(row)] = static_cast<double>(r) * fixed;
  }

  FieldBalance b;
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    b.boundary_in += row_boundary_[static_cast<std::size_t>(row)];
    b.fixed_in += row_fixed_[static_cast<std::size_t>(row)];
  }
  return b;
}

}  // namespace regensim::sim
