// run_txn_relay (relay_txn.hpp).
#include "cli/relay_txn.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <vector>

#include <spdlog/spdlog.h>

#include "cli/exit_codes.hpp"

namespace sea::cli {

int run_txn_relay(loop::Loop& loop, flow::TxnPump& pump, bool show_progress) {
  // 1. Progress on stderr (a TTY or --progress).
  loop::Timer progress(loop);
  const std::uint64_t started = loop.now_ms();
  auto print_progress = [&](const char* end) {
    const double seconds = static_cast<double>(loop.now_ms() - started) / 1000.0;
    const double rate = seconds > 0 ? static_cast<double>(pump.committed()) / seconds : 0.0;
    fmt::print(stderr, "\rsea relay: {} committed in {} transaction(s), {} aborted, {:.0f} msg/s{}", pump.committed(),
               pump.transactions(), pump.aborts(), rate, end);
  };
  if (show_progress) {
    progress.start(1000, 1000, [&] { print_progress(""); });
    progress.unref();
  }
  // 2. Run until -c / -e / a fatal error.
  int exit_code = kExitOk;
  bool finished = false;
  pump.start([&](flow::TxnPump::Outcome outcome) {
    if (outcome == flow::TxnPump::Outcome::failed) {
      spdlog::error("{}", pump.error() ? pump.error()->message : "relay stopped");
      exit_code = kExitRuntime;
    }
    finished = true;
    loop.stop();
  });
  // 3. A signal: stop reading, commit the open transaction (bounded), exit 0.
  loop::Timer deadline(loop);
  auto on_signal = [&](int signum) {
    spdlog::debug("signal {}: committing the open transaction of {} message(s)", signum, pump.in_batch());
    deadline.start(30'000, 0, [&] { loop.stop(); });
    pump.stop();
  };
  loop::SignalWatch sigint(loop, SIGINT, on_signal);
  loop::SignalWatch sigterm(loop, SIGTERM, on_signal);
  sigint.unref();
  sigterm.unref();
  if (!finished) loop.run();
  progress.stop();
  if (show_progress) print_progress("\n");
  if (!finished) {
    spdlog::error("stopped with a transaction of {} message(s) not committed: it is aborted by the next relay with "
                  "the same transactional.id (or after transaction.timeout.ms)", pump.in_batch());
    exit_code = kExitRuntime;
  }
  spdlog::debug("{} message(s) committed in {} transaction(s), {} aborted", pump.committed(), pump.transactions(),
                pump.aborts());
  return exit_code;
}

}  // namespace sea::cli
