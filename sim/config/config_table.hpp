#pragma once
/// Typed, validated access to one table of a TOML config. Every read names its key;
/// every error names the file, the line and the dotted key. Keys nobody asked for are
/// errors (finish()), so a typo never falls back to a default silently. Defaults that
/// are used are written back, so the document serialises as the resolved config.
#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace regensim::sim {

/// Where the config came from: the file name and the keys overridden with --set.
struct ConfigSource {
  std::string file;
  std::set<std::string> overridden;  // dotted keys
};

/// A check on a number: returns an empty string when fine, else what is wrong
/// ("must be > 0"). See positive(), non_negative(), at_least(), between().
using NumberCheck = std::function<std::string(double)>;
NumberCheck positive();
NumberCheck non_negative();
NumberCheck at_least(double min);
NumberCheck between(double min, double max);  // inclusive

class ConfigTable {
 public:
  ConfigTable(toml::table& table, std::string path, std::shared_ptr<const ConfigSource> source);

  /// Dotted path of this table ("" for the root, "fields.oxygen", ...).
  const std::string& path() const { return path_; }
  /// Dotted path of a key in this table.
  std::string key_path(const std::string& key) const;
  bool has(const std::string& key) const;
  /// True when the key holds TOML `inf` (e.g. a half-life of a stable substance).
  bool is_positive_infinity(const std::string& key) const;
  /// Keys present in the file, sorted.
  std::vector<std::string> keys() const;

  double get_double(const std::string& key, const NumberCheck& check = {});
  double get_double(const std::string& key, double fallback, const NumberCheck& check = {});
  std::int64_t get_int(const std::string& key, const NumberCheck& check = {});
  std::int64_t get_int(const std::string& key, std::int64_t fallback,
                       const NumberCheck& check = {});
  bool get_bool(const std::string& key, bool fallback);
  std::string get_string(const std::string& key);
  std::string get_string(const std::string& key, const std::string& fallback);
  /// A string that must be one of `allowed` (the error lists them).
  std::string get_choice(const std::string& key, const std::vector<std::string>& allowed,
                         const std::string& fallback);
  std::vector<std::int64_t> get_int_array(const std::string& key, std::size_t length,
                                          const NumberCheck& check = {});
  /// `length` kAnyLength accepts arrays of any length.
  static constexpr std::size_t kAnyLength = static_cast<std::size_t>(-1);
  std::vector<double> get_double_array(const std::string& key, std::size_t length,
                                       const NumberCheck& check = {});
  std::vector<std::string> get_string_array(const std::string& key);
  std::vector<std::string> get_string_array(const std::string& key,
                                            const std::vector<std::string>& fallback);
  /// A value that is either a number or one of the words in `words`.
  /// Returns the word, or std::nullopt with `number` set.
  std::optional<std::string> get_number_or_word(const std::string& key,
                                                const std::vector<std::string>& words,
                                                double& number);

  /// A required sub-table, or an optional one (created empty when absent).
  ConfigTable table(const std::string& key);
  ConfigTable optional_table(const std::string& key);

  /// Marks a key as known without reading it (its reader lives elsewhere).
  void accept(const std::string& key) { asked_.insert(key); }
  /// Throws ConfigError for any key present but never asked for, listing the known keys.
  void finish() const;

  /// Throws ConfigError "<where>: <key> = <value>: <message>".
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  /// Where a key was set: "file:line" or "--set key".
  std::string where(const std::string& key) const;

 private:
  const toml::node* node(const std::string& key) const;
  [[noreturn]] void fail_missing(const std::string& key) const;
  [[noreturn]] void fail_type(const std::string& key, const char* expected) const;
  void check_number(const std::string& key, double value, const NumberCheck& check) const;

  toml::table* table_;
  std::string path_;
  std::shared_ptr<const ConfigSource> source_;
  std::set<std::string> asked_;
};

/// A parsed config document with its source. Owns the TOML tree.
class ConfigDocument {
 public:
  /// Reads and parses a file; missing file or TOML syntax errors throw ConfigError
  /// with file:line:column.
  static ConfigDocument from_file(const std::string& path);
  /// Parses text (for tests and embedded configs); `name` stands in for the file name.
  static ConfigDocument from_string(const std::string& text, const std::string& name);

  /// Applies "section.key=value" (value in TOML syntax; a bare word is taken as a
  /// string). Throws ConfigError naming the override when malformed.
  void apply_override(const std::string& assignment);
  /// Sets a dotted key to a string, as an override (e.g. the CLI's -o into output.file,
  /// so the resolved config names the file actually written).
  void override_string(const std::string& key, const std::string& value);

  ConfigTable root();
  /// The document as TOML (after reading, it holds every default that was used).
  std::string to_toml() const;
  const std::string& file() const { return source_->file; }

 private:
  ConfigDocument(toml::table table, std::string file);
  void set(const std::string& key, const toml::node& value, const std::string& what);
  std::unique_ptr<toml::table> table_;
  std::shared_ptr<ConfigSource> source_;
};

}  // namespace regensim::sim
