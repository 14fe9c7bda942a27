#pragma once
/// SIGINT/SIGTERM handling for long runs: the handler only records the signal; the run
/// loop polls it between steps, marks the output "interrupted", flushes and exits.
namespace regensim::sim {

/// Installs handlers for SIGINT and SIGTERM (idempotent).
void install_stop_handlers();
/// The signal that asked us to stop, or 0.
int stop_requested();
/// Records a stop request as the handler would (tests use it).
void request_stop(int signal_number);
void clear_stop_request();

}  // namespace regensim::sim
