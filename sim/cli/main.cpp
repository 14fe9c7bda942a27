#include <iostream>
#include <string>
#include <vector>

#include "sim/cli/app.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  return regensim::cli::run_cli(args, std::cout, std::cerr);
}
