#pragma once
// The benchmarks' --threads argument: a comma-separated list of thread counts.
#include <cstdlib>
#include <optional>
#include <vector>

namespace regensim::bench {

/// "1,2,4" -> {1, 2, 4}; nothing when an entry is not a whole number >= 1.
inline std::optional<std::vector<int>> parse_thread_list(const char* text) {
  std::vector<int> counts;
  for (const char* p = text; *p != '\0';) {
    char* end = nullptr;
    const long t = std::strtol(p, &end, 10);
    if (end == p || t < 1 || (*end != ',' && *end != '\0')) return std::nullopt;
    counts.push_back(static_cast<int>(t));
    p = *end == ',' ? end + 1 : end;
  }
  if (counts.empty()) return std::nullopt;
  return counts;
}

}  // namespace regensim::bench
