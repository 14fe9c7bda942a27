#include "sim/run/stop_signal.hpp"

#include <signal.h>
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
  // SA_RESETHAND: the first signal asks for a clean stop; a second one (an impatient
  // Ctrl-C during a long step) gets the default action and ends the process.
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int stop_requested() {
  return g_stop_signal.load(std::memory_order_relaxed);
}
void request_stop(int signal_number) {
  g_stop_signal.store(signal_number);
}
void clear_stop_request() {
  g_stop_signal.store(0);
}

}  // namespace regensim::sim
