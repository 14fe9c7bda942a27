#include "sim/fields/tissue.hpp"

#include <stdexcept>

namespace regensim::sim {

namespace {
void require_new(const std::vector<TissueLayer>& layers, const std::string& name, bool frozen) {
  if (frozen) throw std::logic_error("tissue layer '" + name + "' added after setup");
  for (const auto& l : layers) {
    if (l.name == name) throw std::logic_error("tissue layer '" + name + "' added twice");
  }
}
}  // namespace

TissueLayer& TissueLayers::add_fraction(const std::string& name, const std::string& description) {
  require_new(layers_, name, frozen_);
  TissueLayer& l = layers_.emplace_back();
  l.name = name;
  l.kind = LayerKind::Fraction;
  l.description = description;
  l.fractions.assign(size_, 0.0f);
  return l;
}

TissueLayer& TissueLayers::add_code(const std::string& name, const std::string& description,
                                    std::map<int, std::string> codes) {
  require_new(layers_, name, frozen_);
  TissueLayer& l = layers_.emplace_back();
  l.name = name;
  l.kind = LayerKind::Code;
  l.description = description;
  l.codes = std::move(codes);
  l.classes.assign(size_, 0);
  return l;
}

TissueLayer* TissueLayers::find(const std::string& name) {
  for (auto& l : layers_) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

const TissueLayer* TissueLayers::find(const std::string& name) const {
  return const_cast<TissueLayers*>(this)->find(name);
}

}  // namespace regensim::sim
