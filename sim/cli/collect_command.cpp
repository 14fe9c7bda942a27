#include "sim/cli/app.hpp"
#include "sim/cli/sweep_command.hpp"
#include "sim/sweep/collect.hpp"

namespace regensim::cli {

CLI::App* add_collect_command(CLI::App& app, CollectOptions& o) {
  auto* c = app.add_subcommand("collect",
                               "Gather a sweep's complete runs into summary.h5 and summary.csv");
  c->add_option("dir", o.dir, "Sweep directory (regensim sweep -o DIR)")->required();
  c->add_option("-o,--output", o.output, "Summary file (default: DIR/summary.h5)");
  return c;
}

int cmd_collect(const CollectOptions& o, std::ostream& out, std::ostream& err) {
  const auto r = sim::collect_sweep(o.dir, o.output);
  const std::string path = o.output.empty() ? o.dir + "/summary.h5" : o.output;
  out << "collected " << r.collected << " of " << r.runs << " runs into " << path << " and "
      << r.csv_path << "\n";
  for (const auto& m : r.missing) err << "collect: missing " << m << "\n";
  return kExitOk;
}

}  // namespace regensim::cli
