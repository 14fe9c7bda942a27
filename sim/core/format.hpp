#pragma once
/// Number formatting shared by config messages and the files we write.
#include <charconv>
#include <string>

namespace regensim::sim {

/// Shortest text that reads back as the same double ("0.7", not "0.69999999999999996").
inline std::string shortest_double(double v) {
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, result.ptr);
}

}  // namespace regensim::sim
