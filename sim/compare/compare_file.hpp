#pragma once
/// Writes a comparison's results: DIR/compare.h5 (format "regensim_compare",
/// format_version 1; schema in docs/output-format.md) and DIR/compare.csv (end of run).
#include <string>

#include "sim/compare/summary.hpp"

namespace regensim::sim::compare {

inline constexpr int kCompareFormatVersion = 1;

/// Writes `path` via `path`.tmp and a rename, so a compare.h5 that exists is complete.
/// Throws IoError.
void write_compare_h5(const std::string& path, const ComparePlan& plan, const CompareData& data,
                      const CompareSummary& summary);

/// One row per outcome and arm, effect or provenance metric, at the last metrics row:
/// outcome,units,kind,name,time_days,mean,ci_low,ci_high,replicates. Throws IoError.
void write_compare_csv(const std::string& path, const ComparePlan& plan, const CompareData& data,
                       const CompareSummary& summary);

}  // namespace regensim::sim::compare
