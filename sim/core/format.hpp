#pragma once
/// Number formatting shared by config messages and the files we write.
#include <charconv>
#include <cstdio>
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

/// "12.3 MiB": a byte count for people.
inline std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 4) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

/// "hh:mm:ss" for progress lines; "--:--:--" when unknown or beyond 99 hours.
inline std::string format_duration(double seconds) {
  if (!(seconds >= 0.0) || seconds > 359999.0) return "--:--:--";
  const auto s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buf;
}

}  // namespace regensim::sim
