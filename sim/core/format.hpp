#pragma once
/// Number formatting shared by config messages and the files we write.
#include <charconv>
#include <string>
#include <vector>

namespace regensim::sim {

/// Shortest text that reads back as the same double ("0.7", not "0.69999999999999996").
inline std::string shortest_double(double v) {
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, result.ptr);
}

/// "a, b, c" for error messages that list the valid choices; "(none)" for an empty list.
inline std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out.empty() ? "(none)" : out;
}

}  // namespace regensim::sim
