// The consume-to-stdout run of consume_run.hpp.
// Steps: 1. connect and open the consumer, 2. pump messages through the encoder to stdout
// (write-then-ack with a group), 3. stop by itself or on SIGINT/SIGTERM, 4. write out what is
// still buffered (bounded wait) and, for consume, commit what the reader took (everything
// written while it still holds stdout).
#include "cli/consume_run.hpp"

#include <cerrno>
#include <csignal>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "cli/consumer_setup.hpp"
#include "flow/egress.hpp"
#include "cli/exit_codes.hpp"
#include "loop/io.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

using flow::Egress;
using flow::EgressLimits;

int run_consume_to_stdout(const TargetOptions& target, const ConsumeCliOptions& consume,
                          const OutputFormatOptions& output, ConsumeRun run) {
  // 1. Connection and consumer.
  loop::Loop loop;
  Result<ConsumerSetup> setup = open_consumer_setup(loop, target, consume, output);
  if (!setup) return report(setup.error());
  Result<std::unique_ptr<Consumer>> consumer = make_consumer(*setup);
  if (!consumer) return report(consumer.error());

  // 2. Pump to stdout.
  loop::OutputWriter writer(loop, STDOUT_FILENO);
  const bool track_acks = run.commit && !setup->consumer_options.group.empty();
  Egress egress(loop, **consumer, *setup->encoder, writer, EgressLimits{consume.count, consume.exit_at_end, track_acks});
  int exit_code = kExitOk;
  egress.start([&](Egress::Outcome outcome) {
    // 3. Stopped by itself.
    if (outcome == Egress::Outcome::consumer_failed) {
      spdlog::error("{}", (*consumer)->error()->message);
      exit_code = kExitRuntime;
    }
    if (outcome == Egress::Outcome::output_closed && egress.output_error() &&
        egress.output_error()->backend_code != EPIPE) {
      spdlog::error("{}", egress.output_error()->message);
      exit_code = kExitRuntime;
    }
    loop.stop();
  });
  auto on_signal = [&](int) {
    egress.stop();
    loop.stop();
  };
  loop::SignalWatch sigint(loop, SIGINT, on_signal);
  loop::SignalWatch sigterm(loop, SIGTERM, on_signal);
  loop.run();

  // 4. Whatever is still buffered goes out (bounded wait), then the group commits it.
  if (writer.pending() > 0 && !writer.failed()) (void)writer.flush_blocking(2000);
  if (!run.commit) return exit_code;
  egress.settle();
  Result<void> committed = (*consumer)->commit_now();
  if (!committed) {
    spdlog::error("commit failed: {}", committed.error().message);
    exit_code = kExitRuntime;
  }
  return exit_code;
}

}  // namespace sea::cli
