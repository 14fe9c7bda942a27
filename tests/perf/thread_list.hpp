#pragma once
// The benchmarks' --threads argument: a comma-separated list of thread counts.
#include <cstdlib>
#include <optional>
#include <vector>

namespace regensim::bench {

/// "1,2,4" -> {1, 2, 4}; nothing when an entry is not a whole number from 1 to 4096
/// written in digits, or an entry is empty.
inline std::optional<std::vector<int>> parse_thread_list(const char* text) {
  std::vector<int> counts;
  const char* p = text;
  for (;;) {
    if (*p < '0' || *p > '9') return std::nullopt;  // empty, signed or spaced entry
    char* end = nullptr;
    const long t = std::strtol(p, &end, 10);
    if (t < 1 || t > 4096 || (*end != ',' && *end != '\0')) return std::nullopt;
    counts.push_back(static_cast<int>(t));
    if (*end == '\0') return counts;
    p = end + 1;
  }
}

}  // namespace regensim::bench
