#include "sim/compare/compare_file.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "regensim/version.hpp"
#include "sim/core/error.hpp"
#include "sim/core/format.hpp"
#include "sim/io/hdf5_util.hpp"

namespace regensim::sim::compare {

namespace {

void write_doubles(hid_t loc, const std::string& name, const std::vector<double>& v,
                   const std::string& where) {
  h5::write_vector(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v.data(), v.size(),
                   where + "/" + name);
}

/// A (replicates, rows) float64 dataset from [replicate][row].
h5::Handle write_matrix(hid_t loc, const std::string& name,
                        const std::vector<std::vector<double>>& rows_by_replicate,
                        const std::string& where) {
  const std::string w = where + "/" + name;
  const hsize_t rows = rows_by_replicate.front().size();
  const hsize_t inner[] = {rows};
  const hsize_t chunk[] = {1, std::max<hsize_t>(rows, 1)};
  h5::Handle ds = h5::create_extendible(loc, name, H5T_IEEE_F64LE, inner, chunk, true, w);
  for (const auto& r : rows_by_replicate) h5::append(ds.get(), H5T_NATIVE_DOUBLE, r.data(), 1, w);
  return ds;
}

void write_series(hid_t loc, const std::string& name, const Series& s, const std::string& units,
                  const std::string& where) {
  const std::string w = where + "/" + name;
  const h5::Handle g = h5::create_group(loc, name, w);
  h5::write_attr(g.get(), "units", units, w);
  write_doubles(g.get(), "mean", s.mean, w);
  write_doubles(g.get(), "ci_low", s.low, w);
  write_doubles(g.get(), "ci_high", s.high, w);
}

void write_strings_attr(hid_t obj, const std::string& name, const std::vector<std::string>& v,
                        const std::string& where) {
  h5::write_attr(obj, name, std::span<const std::string>(v), where);
}

std::string csv_number(double v) {
  return std::isnan(v) ? "nan" : shortest_double(v);
}

}  // namespace

void write_compare_h5(const std::string& path, const ComparePlan& plan, const CompareData& data,
                      const CompareSummary& summary) {
  const std::string tmp = path + ".tmp";
  {
    const h5::ErrorSilencer quiet;
    const h5::Handle file = h5::create_file(tmp, true);
    const hid_t f = file.get();
    const std::string w = path + ":";
    h5::write_attr(f, "format", "regensim_compare", w + "/");
    h5::write_attr(f, "format_version", kCompareFormatVersion, w + "/");
    h5::write_attr(f, "software_version", kSoftwareVersion, w + "/");
    h5::write_attr(f, "git_commit", kGitCommit, w + "/");
    h5::write_attr(f, "config_path", plan.config_path, w + "/");
    h5::write_attr(f, "replicates", plan.replicates, w + "/");
    h5::write_attr(f, "base_seed", static_cast<std::uint64_t>(plan.base_seed), w + "/");
    h5::write_attr(f, "ci_level", 0.95, w + "/");
    h5::write_attr(f, "ci_method",
                   "Student t over replicates; effects paired within a replicate (same seed)",
                   w + "/");
    h5::write_string_dataset(f, "manifest", plan.manifest, w + "/manifest");
    h5::write_string_dataset(f, "config", plan.resolved_config, w + "/config");
    write_doubles(f, "time_days", data.time_days, w);

    const h5::Handle arms = h5::create_group(f, "arms", w + "/arms");
    write_strings_attr(arms.get(), "names", summary.arm_names, w + "/arms");
    for (std::size_t a = 0; a < plan.arms.size(); ++a) {
      const std::string aw = w + "/arms/" + plan.arms[a].name;
      const h5::Handle g = h5::create_group(arms.get(), plan.arms[a].name, aw);
      write_strings_attr(g.get(), "overrides", plan.arms[a].overrides, aw);
      std::vector<std::string> files;
      std::vector<std::uint64_t> seeds;
      for (int k = 0; k < plan.replicates; ++k) {
        files.push_back(ComparePlan::run_file(plan.arms[a].name, k));
        seeds.push_back(plan.seed(k));
      }
      write_strings_attr(g.get(), "files", files, aw);
      h5::write_vector(g.get(), "seeds", H5T_STD_U64LE, H5T_NATIVE_UINT64, seeds.data(),
                       seeds.size(), aw + "/seeds");
      const h5::Handle metrics = h5::create_group(g.get(), "metrics", aw + "/metrics");
      const ArmData& arm = data.arms[a];
      for (std::size_t m = 0; m < arm.metric_names.size(); ++m) {
        const h5::Handle ds =
            write_matrix(metrics.get(), arm.metric_names[m], arm.values[m], aw + "/metrics");
        h5::write_attr(ds.get(), "units", arm.metric_units[m], aw + "/metrics");
        h5::write_attr(ds.get(), "axes", "replicate,row", aw + "/metrics");
      }
    }

    const h5::Handle sum = h5::create_group(f, "summary", w + "/summary");
    std::vector<std::string> outcome_names;
    for (const auto& o : summary.outcomes) outcome_names.push_back(o.name);
    write_strings_attr(sum.get(), "outcomes", outcome_names, w + "/summary");
    for (const auto& o : summary.outcomes) {
      const std::string ow = w + "/summary/" + o.name;
      const h5::Handle og = h5::create_group(sum.get(), o.name, ow);
      h5::write_attr(og.get(), "units", o.units, ow);
      const h5::Handle ag = h5::create_group(og.get(), "arms", ow + "/arms");
      for (std::size_t a = 0; a < summary.arm_names.size(); ++a) {
        write_series(ag.get(), summary.arm_names[a], o.arms[a], o.units, ow + "/arms");
      }
      const h5::Handle eg = h5::create_group(og.get(), "effects", ow + "/effects");
      for (std::size_t e = 0; e < summary.effects.size(); ++e) {
        const std::string& name = summary.effects[e].name;
        const std::string ew = ow + "/effects";
        write_series(eg.get(), name, o.effects[e], o.units, ew);
        const h5::Handle g = h5::open_group(eg.get(), name, ew + "/" + name);
        h5::write_attr(g.get(), "formula", summary.effects[e].formula, ew + "/" + name);
        write_matrix(g.get(), "replicates", o.effect_replicates[e], ew + "/" + name);
      }
    }
    if (!summary.provenance.empty()) {
      const h5::Handle pg = h5::create_group(f, "provenance", w + "/provenance");
      h5::write_attr(pg.get(), "arm", kBoth, w + "/provenance");
      for (std::size_t p = 0; p < summary.provenance.size(); ++p) {
        write_series(pg.get(), summary.provenance_names[p], summary.provenance[p],
                     summary.provenance_units[p], w + "/provenance");
      }
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw IoError(path + ": cannot rename " + tmp + ": " + ec.message());
}

void write_compare_csv(const std::string& path, const ComparePlan& plan, const CompareData& data,
                       const CompareSummary& summary) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw IoError(path + ": cannot write");
  out << "outcome,units,kind,name,time_days,mean,ci_low,ci_high,replicates\n";
  const std::string t = shortest_double(data.time_days.back());
  const std::string n = std::to_string(plan.replicates);
  const auto line = [&](const std::string& outcome, const std::string& units, const char* kind,
                        const std::string& name, const Series& s) {
    out << outcome << ',' << units << ',' << kind << ',' << name << ',' << t << ','
        << csv_number(s.mean.back()) << ',' << csv_number(s.low.back()) << ','
        << csv_number(s.high.back()) << ',' << n << '\n';
  };
  for (const auto& o : summary.outcomes) {
    for (std::size_t a = 0; a < summary.arm_names.size(); ++a) {
      line(o.name, o.units, "arm", summary.arm_names[a], o.arms[a]);
    }
    for (std::size_t e = 0; e < summary.effects.size(); ++e) {
      line(o.name, o.units, "effect", summary.effects[e].name, o.effects[e]);
    }
  }
  for (std::size_t p = 0; p < summary.provenance.size(); ++p) {
    line(summary.provenance_names[p], summary.provenance_units[p], "provenance", kBoth,
         summary.provenance[p]);
  }
  if (!out.flush()) throw IoError(path + ": write failed");
}

}  // namespace regensim::sim::compare
