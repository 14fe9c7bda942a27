#include "models/signals.hpp"

#include "sim/core/format.hpp"

namespace regensim::models {

int field_index(sim::ConfigTable& t, const std::string& key, const sim::World& world) {
  const std::string name = t.get_string(key);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < world.fields().size(); ++i) {
    if (world.fields()[i].name() == name) return static_cast<int>(i);
    names.push_back(world.fields()[i].name());
  }
  t.fail(key, "no such field '" + name + "' (fields: " + sim::join_names(names) + ")");
}

int optional_field_index(sim::ConfigTable& t, const std::string& key, const sim::World& world) {
  if (!t.has(key)) {
    t.accept(key);
    return -1;
  }
  return field_index(t, key, world);
}

HillParams HillParams::read(sim::ConfigTable& t, const std::string& prefix,
                            const HillParams* fallback) {
  HillParams h;
  const std::string k = prefix + "_half_max";
  const std::string n = prefix + "_hill_n";
  h.half_max = fallback != nullptr ? t.get_double(k, fallback->half_max, sim::positive())
                                   : t.get_double(k, sim::positive());
  h.n = t.get_double(n, fallback != nullptr ? fallback->n : 1.0, sim::between(0.1, 20.0));
  return h;
}

}  // namespace regensim::models
