#pragma once
/// Typed errors thrown at the boundaries of the engine and caught once, in the CLI.
/// Bad input (config, arguments, files the user named) maps to exit status 2.
#include <stdexcept>
#include <string>

namespace regensim::sim {

/// A problem with what the user asked for: config, command line, input file.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A config value that is missing, unknown, of the wrong type or out of range.
/// The message names the file, line and dotted key.
class ConfigError : public InputError {
 public:
  using InputError::InputError;
};

/// Failure reading or writing a file (HDF5, XDMF, output directory).
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace regensim::sim
