#include "sim/io/xdmf.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "sim/core/error.hpp"
#include "sim/core/format.hpp"

namespace regensim::sim {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string xdmf_sidecar_path(const std::string& h5_path) {
  constexpr std::string_view kExt = ".h5";
  if (h5_path.size() > kExt.size() && h5_path.ends_with(kExt)) {
    return h5_path.substr(0, h5_path.size() - kExt.size()) + ".xmf";
  }
  return h5_path + ".xmf";
}

std::string render_xdmf(const XdmfDescription& d) {
  const std::string cells =
      std::to_string(d.nz) + " " + std::to_string(d.ny) + " " + std::to_string(d.nx);
  // 3DCoRectMesh dimensions count points (cell corners), slowest axis (z) first.
  const std::string points =
      std::to_string(d.nz + 1) + " " + std::to_string(d.ny + 1) + " " + std::to_string(d.nx + 1);
  const std::string full = std::to_string(d.times_days.size()) + " " + cells;
  const std::string h = shortest_double(d.voxel_size_um);
  const std::string file = escape(d.h5_file_name);

  std::string x;
  x += "<?xml version=\"1.0\" ?>\n";
  x += "<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n";
  x += "<!-- Written by regensim; regenerated after every snapshot. Data: " + file + " -->\n";
  x += "<Xdmf Version=\"2.0\">\n";
  x += "  <Domain>\n";
  x += "    <Grid Name=\"regensim\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  for (std::size_t t = 0; t < d.times_days.size(); ++t) {
    x += "      <Grid Name=\"snapshot_" + std::to_string(t) + "\" GridType=\"Uniform\">\n";
    x += "        <Time Value=\"" + shortest_double(d.times_days[t]) + "\"/>\n";
    x += "        <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"" + points + "\"/>\n";
    // Origin and spacing are listed z y x like the dimensions; voxels are cubic, in µm.
    x += "        <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n";
    x += "          <DataItem Name=\"Origin\" Dimensions=\"3\" NumberType=\"Float\" "
         "Precision=\"8\" Format=\"XML\">0 0 0</DataItem>\n";
    x += "          <DataItem Name=\"Spacing\" Dimensions=\"3\" NumberType=\"Float\" "
         "Precision=\"8\" Format=\"XML\">" +
         h + " " + h + " " + h + "</DataItem>\n";
    x += "        </Geometry>\n";
    for (const XdmfAttribute& a : d.attributes) {
      const char* type = a.is_uint8 ? "NumberType=\"UChar\" Precision=\"1\""
                                    : "NumberType=\"Float\" Precision=\"4\"";
      x += "        <Attribute Name=\"" + escape(a.name) +
           "\" AttributeType=\"Scalar\" Center=\"Cell\">\n";
      x += "          <DataItem ItemType=\"HyperSlab\" Type=\"HyperSlab\" Dimensions=\"" + cells +
           "\" " + type + ">\n";
      // Rows: start, stride, count over (t, z, y, x).
      x += "            <DataItem Dimensions=\"3 4\" NumberType=\"UInt\" Format=\"XML\">" +
           std::to_string(t) + " 0 0 0 1 1 1 1 1 " + cells + "</DataItem>\n";
      x += "            <DataItem Dimensions=\"" + full + "\" " + type + " Format=\"HDF\">" + file +
           ":" + escape(a.dataset_path) + "</DataItem>\n";
      x += "          </DataItem>\n";
      x += "        </Attribute>\n";
    }
    x += "      </Grid>\n";
  }
  x += "    </Grid>\n";
  x += "  </Domain>\n";
  x += "</Xdmf>\n";
  return x;
}

void write_xdmf(const std::string& path, const XdmfDescription& description) {
  const std::string tmp = path + ".tmp";
  const std::string text = render_xdmf(description);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw IoError(tmp + ": cannot write XDMF sidecar");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw IoError(path + ": cannot replace XDMF sidecar: " + ec.message());
  }
}

}  // namespace regensim::sim
