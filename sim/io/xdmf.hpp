#pragma once
/// XDMF 2 sidecar for a regensim HDF5 file: a temporal collection of uniform grids, one
/// per snapshot, each showing every output field and tissue layer as a cell-centred
/// attribute read straight from the 4-D (t, z, y, x) datasets by hyperslab. ParaView opens
/// it with its "XDMF Reader" (Xdmf2). Pure text generation plus one atomic file write; no
/// HDF5 calls.
#include <string>
#include <vector>

namespace regensim::sim {

/// One cell-centred scalar shown in ParaView, stored as a (T, nz, ny, nx) dataset.
struct XdmfAttribute {
  std::string name;          // name shown in ParaView
  std::string dataset_path;  // e.g. "/fields/oxygen"
  bool is_uint8 = false;     // uint8 tissue codes; float32 otherwise
};

struct XdmfDescription {
  std::string h5_file_name;  // base name of the .h5 file, resolved relative to the .xmf
  int nx = 1, ny = 1, nz = 1;
  double voxel_size_um = 1.0;
  std::vector<double> times_days;  // one per snapshot; sets T
  std::vector<XdmfAttribute> attributes;
};

/// The sidecar path: a trailing ".h5" replaced by ".xmf", otherwise ".xmf" appended.
std::string xdmf_sidecar_path(const std::string& h5_path);

/// The XDMF document text.
std::string render_xdmf(const XdmfDescription& description);

/// Writes the document to `<path>.tmp` and renames it over `path`, so a reader (or a kill)
/// never sees a half-written sidecar. Throws IoError naming the path on failure.
void write_xdmf(const std::string& path, const XdmfDescription& description);

}  // namespace regensim::sim
