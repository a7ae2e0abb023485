// `sea streamer consume`: messages of one or more streams written to stdout.
// Steps of run_consume: 1. connect and open the consumer, 2. pump messages through the encoder
// to stdout (write-then-ack with a group), 3. stop at -c N, at the end with -e, when stdout
// closes, or on SIGINT/SIGTERM, 4. commit what the reader took (everything written while it
// still holds stdout) and exit.
#include <cerrno>
#include <csignal>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/consumer_setup.hpp"
#include "cli/egress.hpp"
#include "cli/exit_codes.hpp"
#include "loop/io.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

struct ConsumeOptions {
  TargetOptions target;
  ConsumeCliOptions consume;
  OutputFormatOptions output;
};

int run_consume(const ConsumeOptions& options) {
  setup_logging(options.target);
  // 1. Connection and consumer.
  loop::Loop loop;
  Result<ConsumerSetup> setup = open_consumer_setup(loop, options.target, options.consume, options.output);
  if (!setup) return report(setup.error());
  Result<std::unique_ptr<Consumer>> consumer = make_consumer(*setup);
  if (!consumer) return report(consumer.error());

  // 2. Pump to stdout.
  loop::OutputWriter writer(loop, STDOUT_FILENO);
  EgressLimits limits{options.consume.count, options.consume.exit_at_end, !setup->consumer_options.group.empty()};
  Egress egress(loop, **consumer, *setup->encoder, writer, limits);
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
  egress.settle();
  Result<void> committed = (*consumer)->commit_now();
  if (!committed) {
    spdlog::error("commit failed: {}", committed.error().message);
    exit_code = kExitRuntime;
  }
  return exit_code;
}

void setup_consume(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<ConsumeOptions>();
  app.footer(
      "Examples:\n"
      "  sea streamer consume --topic news --from earliest -e        # everything, then exit\n"
      "  sea streamer consume --topic news --group billing            # resume where billing stopped\n"
      "  sea streamer consume --stream redis://localhost:6379/news -J -c 10\n"
      "  sea streamer consume --topic news -f '%T %k %s\\n' --from time:-5m");
  add_target_options(app, options->target);
  add_consume_options(app, options->consume, "latest");
  add_output_format_options(app, options->output);
  app.callback([&runner, options] { runner = [options] { return run_consume(*options); }; });
}

}  // namespace sea::cli
