// `sea streamer produce`: frames read from stdin become messages of one stream.
// Steps of run_produce: 1. open the connection, producer and decoder, 2. read stdin on the loop,
// pausing while the producer is congested, 3. at EOF (or SIGINT/SIGTERM) finish the last frame
// and flush (after a signal, bounded: see finish), 4. exit 0 when everything was acknowledged, 1 on bad input (--on-error fail, the
// default) or a delivery failure, 2 on a usage error.
#include <csignal>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/ingest.hpp"
#include "loop/io.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

struct ProduceOptions {
  TargetOptions target;
  InputFormatOptions format;
  ProduceCliOptions produce;
  IngestCliOptions ingest;
};

int run_produce(const ProduceOptions& options) {
  setup_logging(options.target);
  // 1. Connection, producer, decoder.
  loop::Loop loop;
  Result<IngestSetup> setup = open_ingest(loop, options.target, options.format, options.produce, options.ingest);
  if (!setup) return report(setup.error());
  Ingest& ingest = *setup->ingest;

  // 2. stdin → ingest, with backpressure.
  int exit_code = kExitOk;
  bool finishing = false;
  bool flushed_all = false;
  loop::InputReader reader(loop, STDIN_FILENO);
  // After a signal the flush is bounded (ingest.hpp): a backend that is down makes produce give
  // up after kShutdownStallMs or at a second signal, saying how many messages were not
  // acknowledged. At EOF it waits for the backend as long as it takes (at-least-once), until a
  // signal bounds that wait too.
  auto done = [&](Result<void> flushed) {
    if (flushed_all) return;  // an EOF flush that a signal's bounded flush overtook
    if (!flushed.ok()) {
      spdlog::error("{}", flushed.error().message);
      exit_code = kExitRuntime;
    }
    flushed_all = true;
    loop.stop();
  };
  bool bounded = false;
  auto finish = [&](bool on_signal = false) {
    if (finishing && (!on_signal || bounded)) return;
    finishing = true;
    reader.stop();
    bounded = on_signal;
    if (on_signal) ingest.flush_for_shutdown(loop, done);
    else ingest.flush(done);
  };
  auto after_input = [&] {
    if (ingest.stopped()) {
      spdlog::error("{}", ingest.stop_error()->message);
      exit_code = kExitRuntime;
      finish();
    } else if (ingest.producer().congested()) {
      reader.pause();
    }
  };
  ingest.producer().set_on_drain([&] {
    if (!finishing) reader.resume();
  });
  Result<void> started = reader.start(
      [&](std::string_view chunk) {
        ingest.feed(chunk);
        after_input();
      },
      [&] {
        ingest.end_of_writer();  // 3. EOF: the last frame, then flush.
        after_input();
        finish();
      },
      [&](const Error& error) {
        spdlog::error("{}", error.message);
        exit_code = kExitRuntime;
        finish();
      });
  if (!started) return report(started.error());

  auto on_signal = [&](int signum) {
    if (bounded) {
      ingest.give_up();
      return;
    }
    spdlog::debug("signal {}: flushing what was read", signum);
    if (!finishing) {
      reader.drain_now();
      ingest.end_of_writer();
    }
    finish(true);
  };
  loop::SignalWatch sigint(loop, SIGINT, on_signal);
  loop::SignalWatch sigterm(loop, SIGTERM, on_signal);
  sigint.unref();
  sigterm.unref();
  loop.run();

  // 4. Exit code.
  if (!flushed_all) {
    spdlog::error("stopped before every message was acknowledged");
    return kExitRuntime;
  }
  if (ingest.bad_frames() > 0 && exit_code == kExitOk)
    spdlog::info("{} bad input frame(s) skipped, {} messages produced", ingest.bad_frames(), ingest.frames());
  return exit_code;
}

void setup_produce(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<ProduceOptions>();
  app.footer(
      "Examples:\n"
      "  seq 3 | jq -c '{n: .}' | sea streamer produce --topic numbers\n"
      "  sea streamer produce --cluster redis://localhost:6379 --topic orders --key id < orders.ndjson\n"
      "  sea streamer produce --topic people --format csv < people.csv\n"
      "  printf 'k1:v1\\n' | sea streamer produce --topic kv --format lines -K : -H source=cron\n"
      "  sea streamer consume --topic orders --from earliest -e -J | jq -c 'select(.key == \"42\")' |\n"
      "    sea streamer produce --topic orders-42 --envelope   # keeps keys, headers, timestamps\n"
      "On SIGINT/SIGTERM everything read is flushed; if the backend acknowledges nothing for 1.5 s\n"
      "(it is down), or at a second signal, produce says how many messages were not acknowledged\n"
      "and exits 1.");
  add_target_options(app, options->target);
  add_input_format_options(app, options->format, "fail");
  add_produce_options(app, options->produce);
  add_ingest_options(app, options->ingest);
  app.callback([&runner, options] { runner = [options] { return run_produce(*options); }; });
}

}  // namespace sea::cli
