#pragma once
/// Per-voxel tissue layers: matrix fractions (float32, 0..1) and class codes (uint8),
/// e.g. a vessel mask or a tissue class map. Written to /tissue/<name>.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/core/lattice.hpp"

namespace regensim::sim {

enum class LayerKind { Fraction, Code };

struct TissueLayer {
  std::string name;
  LayerKind kind = LayerKind::Code;
  std::string description;
  /// Meaning of each code value, for Code layers (written as an attribute).
  std::map<int, std::string> codes;
  std::vector<float> fractions;       // Fraction layers only
  std::vector<std::uint8_t> classes;  // Code layers only
};

/// Named layers in the order they were added (the output order).
class TissueLayers {
 public:
  explicit TissueLayers(const Lattice& lattice) : size_(lattice.size()) {}

  /// Adds a layer of zeros; throws std::logic_error if the name exists.
  TissueLayer& add_fraction(const std::string& name, const std::string& description);
  TissueLayer& add_code(const std::string& name, const std::string& description,
                        std::map<int, std::string> codes);

  /// After setup the set of layers is fixed: fields keep pointers to layer buffers
  /// (fixed voxels) and the output file has one dataset per layer. Adding a layer
  /// after freeze() throws std::logic_error.
  void freeze() { frozen_ = true; }

  TissueLayer* find(const std::string& name);
  const TissueLayer* find(const std::string& name) const;
  const std::vector<TissueLayer>& layers() const { return layers_; }

 private:
  std::size_t size_;
  std::vector<TissueLayer> layers_;
  bool frozen_ = false;
};

}  // namespace regensim::sim
