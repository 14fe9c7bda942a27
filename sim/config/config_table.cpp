#include "sim/config/config_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/core/error.hpp"
#include "sim/core/format.hpp"

namespace regensim::sim {

namespace {

std::string render(const toml::node& node) {
  if (const auto* f = node.as_floating_point()) return shortest_double(f->get());
  std::ostringstream ss;
  node.visit([&](const auto& v) { ss << v; });
  return ss.str();
}

/// Edit distance, to suggest the key a user probably meant.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date/time";
  }
}

std::optional<double> as_number(const toml::node& n) {
  if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = n.as_floating_point()) return f->get();
  return std::nullopt;
}

}  // namespace

NumberCheck positive() {
  return [](double v) { return v > 0.0 ? std::string() : "must be > 0"; };
}
NumberCheck non_negative() {
  return [](double v) { return v >= 0.0 ? std::string() : "must be >= 0"; };
}
NumberCheck at_least(double min) {
  return
      [min](double v) { return v >= min ? std::string() : "must be >= " + shortest_double(min); };
}
NumberCheck between(double min, double max) {
  return [min, max](double v) {
    return (v >= min && v <= max)
               ? std::string()
               : "must be between " + shortest_double(min) + " and " + shortest_double(max);
  };
}

ConfigTable::ConfigTable(toml::table& table, std::string path,
                         std::shared_ptr<const ConfigSource> source)
    : table_(&table), path_(std::move(path)), source_(std::move(source)) {}

std::string ConfigTable::key_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

bool ConfigTable::has(const std::string& key) const {
  return table_->contains(key);
}

bool ConfigTable::is_positive_infinity(const std::string& key) const {
  const toml::node* n = node(key);
  const auto* f = n ? n->as_floating_point() : nullptr;
  return f != nullptr && std::isinf(f->get()) && f->get() > 0.0;
}

std::vector<std::string> ConfigTable::keys() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : *table_) out.emplace_back(k.str());
  return out;
}

const toml::node* ConfigTable::node(const std::string& key) const {
  return table_->get(key);
}

std::string ConfigTable::where(const std::string& key) const {
  // An override of a table (--set 'fields.vegf={...}') covers every key inside it.
  const std::string full = key_path(key);
  for (std::string prefix = full;;) {
    if (source_->overridden.count(prefix)) return "--set " + prefix;
    const auto dot = prefix.rfind('.');
    if (dot == std::string::npos) break;
    prefix.resize(dot);
  }
  const toml::node* n = node(key);
  std::uint32_t line = n ? n->source().begin.line : 0;
  if (line == 0) line = table_->source().begin.line;
  return line > 0 ? source_->file + ":" + std::to_string(line) : source_->file;
}

void ConfigTable::fail(const std::string& key, const std::string& message) const {
  const toml::node* n = node(key);
  std::string what = where(key) + ": " + key_path(key);
  if (n != nullptr) what += " = " + render(*n);
  throw ConfigError(what + ": " + message);
}

void ConfigTable::fail_missing(const std::string& key) const {
  std::string message = where(key) + ": missing required key " + key_path(key);
  // A missing key is often a misspelt one: point at the closest key present.
  std::string closest;
  std::size_t best = 4;
  for (const auto& present : keys()) {
    if (node(present)->is_table()) continue;
    const std::size_t d = edit_distance(present, key);
    if (d < best || present.rfind(key, 0) == 0 || key.rfind(present, 0) == 0) {
      best = std::min(d, best);
      closest = present;
    }
  }
  if (!closest.empty()) {
    message += " (is " + key_path(closest) + " at " + where(closest) + " a misspelling of it?)";
  }
  throw ConfigError(message);
}

void ConfigTable::fail_type(const std::string& key, const char* expected) const {
  fail(key, std::string("must be ") + expected + ", not " + type_name(*node(key)));
}

void ConfigTable::check_number(const std::string& key, double value,
                               const NumberCheck& check) const {
  if (!std::isfinite(value)) fail(key, "must be a finite number");
  if (check) {
    const std::string problem = check(value);
    if (!problem.empty()) fail(key, problem);
  }
}

double ConfigTable::get_double(const std::string& key, const NumberCheck& check) {
  asked_.insert(key);
  const toml::node* n = node(key);
  if (n == nullptr) {
    fail_missing(key);
  }
  const auto v = as_number(*n);
  if (!v) fail_type(key, "a number");
  check_number(key, *v, check);
  return *v;
}

double ConfigTable::get_double(const std::string& key, double fallback, const NumberCheck& check) {
  if (!has(key)) {
    asked_.insert(key);
    table_->insert_or_assign(key, fallback);
    return fallback;
  }
  return get_double(key, check);
}

std::int64_t ConfigTable::get_int(const std::string& key, const NumberCheck& check) {
  asked_.insert(key);
  const toml::node* n = node(key);
  if (n == nullptr) fail_missing(key);
  const auto* i = n->as_integer();
  if (i == nullptr) fail_type(key, "an integer");
  check_number(key, static_cast<double>(i->get()), check);
  return i->get();
}

std::int64_t ConfigTable::get_int(const std::string& key, std::int64_t fallback,
                                  const NumberCheck& check) {
  if (!has(key)) {
    asked_.insert(key);
    table_->insert_or_assign(key, fallback);
    return fallback;
  }
  return get_int(key, check);
}

bool ConfigTable::get_bool(const std::string& key, bool fallback) {
  asked_.insert(key);
  const toml::node* n = node(key);
  if (n == nullptr) {
    table_->insert_or_assign(key, fallback);
    return fallback;
  }
  const auto* b = n->as_boolean();
  if (b == nullptr) fail_type(key, "true or false");
  return b->get();
}

std::string ConfigTable::get_string(const std::string& key) {
  asked_.insert(key);
  const toml::node* n = node(key);
  if (n == nullptr) fail_missing(key);
  const auto* s = n->as_string();
  if (s == nullptr) fail_type(key, "a string");
  return s->get();
}

std::string ConfigTable::get_string(const std::string& key, const std::string& fallback) {
  if (!has(key)) {
    asked_.insert(key);
    table_->insert_or_assign(key, fallback);
    return fallback;
  }
  return get_string(key);
}

std::string ConfigTable::get_choice(const std::string& key, const std::vector<std::string>& allowed,
                                    const std::string& fallback) {
  const std::string v = get_string(key, fallback);
  for (const auto& a : allowed) {
    if (a == v) return v;
  }
  fail(key, "must be one of: " + join_names(allowed));
}

std::vector<std::int64_t> ConfigTable::get_int_array(const std::string& key, std::size_t length,
                                                     const NumberCheck& check) {
  asked_.insert(key);
  const toml::node* n = node(key);
  if (n == nullptr) fail_missing(key);
  const auto* arr = n->as_array();
  if (arr == nullptr) fail_type(key, "an array of integers");
  if (arr->size() != length) {
    fail(key,
         "must have " + std::to_string(length) + " elements, not " + std::to_string(arr->size()));
  }
  std::vector<std::int64_t> out;
  for (const auto& e : *arr) {
    const auto* i = e.as_integer();
    if (i == nullptr) fail(key, "every element must be an integer");
    check_number(key, static_cast<double>(i->get()), check);
    out.push_back(i->get());
  }
  return out;
}

std::vector<double> ConfigTable::get_double_array(const std::string& key, std::size_t length,
                                                  const NumberCheck& check) {
  asked_.insert(key);
  const toml::node* n = node(key);
  if (n == nullptr) fail_missing(key);
  const auto* arr = n->as_array();
  if (arr == nullptr) fail_type(key, "an array of numbers");
  if (length != kAnyLength && arr->size() != length) {
    fail(key,
         "must have " + std::to_string(length) + " elements, not " + std::to_string(arr->size()));
  }
  std::vector<double> out;
  for (const auto& e : *arr) {
    const auto v = as_number(e);
    if (!v) fail(key, "every element must be a number");
    check_number(key, *v, check);
    out.push_back(*v);
  }
  return out;
}

std::vector<std::string> ConfigTable::get_string_array(const std::string& key) {
  asked_.insert(key);
  const toml::node* n = node(key);
  if (n == nullptr) fail_missing(key);
  const auto* arr = n->as_array();
  if (arr == nullptr) fail_type(key, "an array of strings");
  std::vector<std::string> out;
  for (const auto& e : *arr) {
    const auto* s = e.as_string();
    if (s == nullptr) fail(key, "every element must be a string");
    out.push_back(s->get());
  }
  return out;
}

std::vector<std::string> ConfigTable::get_string_array(const std::string& key,
                                                       const std::vector<std::string>& fallback) {
  if (!has(key)) {
    asked_.insert(key);
    toml::array arr;
    for (const auto& s : fallback) arr.push_back(s);
    table_->insert_or_assign(key, std::move(arr));
    return fallback;
  }
  return get_string_array(key);
}

std::optional<std::string> ConfigTable::get_number_or_word(const std::string& key,
                                                           const std::vector<std::string>& words,
                                                           double& number) {
  asked_.insert(key);
  const toml::node* n = node(key);
  if (n == nullptr) fail_missing(key);
  if (const auto v = as_number(*n)) {
    check_number(key, *v, {});
    number = *v;
    return std::nullopt;
  }
  if (const auto* s = n->as_string()) {
    for (const auto& w : words) {
      if (w == s->get()) return w;
    }
  }
  fail(key, "must be a number or one of: " + join_names(words));
}

ConfigTable ConfigTable::table(const std::string& key) {
  asked_.insert(key);
  toml::node* n = table_->get(key);
  if (n == nullptr) {
    throw ConfigError(where(key) + ": missing required table [" + key_path(key) + "]");
  }
  auto* t = n->as_table();
  if (t == nullptr) fail_type(key, "a table");
  return ConfigTable(*t, key_path(key), source_);
}

ConfigTable ConfigTable::optional_table(const std::string& key) {
  if (!has(key)) table_->insert_or_assign(key, toml::table{});
  return table(key);
}

void ConfigTable::finish() const {
  for (const auto& [k, v] : *table_) {
    const std::string key(k.str());
    if (asked_.count(key)) continue;
    std::vector<std::string> known(asked_.begin(), asked_.end());
    throw ConfigError(where(key) + ": unknown key " + key_path(key) +
                      (known.empty() ? std::string(" (this table takes no keys)")
                                     : " (valid keys here: " + join_names(known) + ")"));
  }
}

ConfigDocument::ConfigDocument(toml::table table, std::string file)
    : table_(std::make_unique<toml::table>(std::move(table))),
      source_(std::make_shared<ConfigSource>()) {
  source_->file = std::move(file);
}

ConfigDocument ConfigDocument::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open config file");
  std::ostringstream text;
  text << in.rdbuf();
  return from_string(text.str(), path);
}

ConfigDocument ConfigDocument::from_string(const std::string& text, const std::string& name) {
  try {
    return ConfigDocument(toml::parse(std::string_view(text), std::string_view(name)), name);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw ConfigError(name + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                      ": TOML syntax error: " + std::string(e.description()));
  }
}

void ConfigDocument::apply_override(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError("--set " + assignment + ": expected section.key=value");
  }
  const std::string text = assignment.substr(eq + 1);

  // The value is TOML ("2.5", "[1, 2]", "true", "\"a b\""); a bare word is a string.
  toml::table parsed;
  try {
    parsed = toml::parse(std::string_view("v = " + text), std::string_view("--set"));
  } catch (const toml::parse_error&) {
    parsed = toml::table{};
    parsed.insert("v", text);
  }
  set(assignment.substr(0, eq), *parsed.get("v"), "--set " + assignment);
}

void ConfigDocument::override_string(const std::string& key, const std::string& value) {
  set(key, toml::value<std::string>(value), key + " = " + value);
}

void ConfigDocument::set(const std::string& key, const toml::node& value, const std::string& what) {
  toml::table* t = table_.get();
  std::string::size_type start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
    if (part.empty()) throw ConfigError(what + ": empty key segment");
    if (dot == std::string::npos) {
      value.visit([&](const auto& v) { t->insert_or_assign(part, v); });
      break;
    }
    toml::node* next = t->get(part);
    if (next == nullptr) {
      t->insert(part, toml::table{});
      next = t->get(part);
    }
    t = next->as_table();
    if (t == nullptr) throw ConfigError(what + ": " + key.substr(0, dot) + " is not a table");
    start = dot + 1;
  }
  source_->overridden.insert(key);
}

ConfigTable ConfigDocument::root() {
  return ConfigTable(*table_, "", source_);
}

std::string ConfigDocument::to_toml() const {
  std::ostringstream ss;
  ss << *table_;
  return ss.str();
}

}  // namespace regensim::sim
