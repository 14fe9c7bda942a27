#include "sim/run/stop_signal.hpp"

#include <atomic>
#include <csignal>

namespace regensim::sim {

namespace {
// Process-wide by nature: a signal is delivered to the process, not to a simulation.
std::atomic<int> g_stop_signal{0};

extern "C" void on_stop_signal(int signal_number) {
  g_stop_signal.store(signal_number, std::memory_order_relaxed);
}
}  // namespace

void install_stop_handlers() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

int stop_requested() { return g_stop_signal.load(std::memory_order_relaxed); }
void request_stop(int signal_number) { g_stop_signal.store(signal_number); }
void clear_stop_request() { g_stop_signal.store(0); }

}  // namespace regensim::sim
