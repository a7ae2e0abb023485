// `sea streamer replay PATH`: re-feeds what a `process --log PATH` run fed its CMD and compares the
// outputs (flow/replayer.hpp), or lists the log (--list). Steps: 1. read and parse the whole log
// (a bad record is an error naming it), 2. --list prints one line per record, 3. else set up
// CMD's environment as the run had it (--deterministic: the clock page), replay, and print
// `identical: ...` (exit 0) or the first difference (exit 1).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/process_env.hpp"
#include "flow/control_log.hpp"
#include "flow/replayer.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

struct ReplayCliOptions {
  std::string path;
  bool list = false;
  std::string exec;
  std::int64_t from = -1;
  std::int64_t to = -1;
  TargetOptions common;  // -v, -q
};

int run_replay(const ReplayCliOptions& options) {
  setup_logging(options.common);
  loop::Loop loop;
  // 1. The log.
  Result<std::vector<flow::ControlRecord>> records = flow::read_control_log(loop, options.path);
  if (!records) return report(records.error());
  // 2. --list.
  if (options.list) {
    std::uint64_t feed = 0;
    for (const flow::ControlRecord& r : *records) {
      fmt::print("{}\n", flow::describe_record(r, feed));
      if (r.feed) ++feed;
    }
    return kExitOk;
  }
  // 3. Replay, with the environment the run had.
  bool deterministic = false, line_buffer = true, any_run = false;
  for (const flow::ControlRecord& r : *records) {
    if (!r.run) continue;
    if (any_run && (r.run->deterministic != deterministic || r.run->line_buffer != line_buffer))
      return report(make_error(Errc::invalid_argument,
                               "{}: the log holds runs with and without --deterministic (or --no-line-buffer); replay "
                               "them apart with --from/--to",
                               options.path));
    deterministic = r.run->deterministic;
    line_buffer = r.run->line_buffer;
    any_run = true;
  }
  if (!any_run) return report(make_error(Errc::parse, "{}: no run record: not a controller log", options.path));
  Result<ProcessEnv> env = process_env(deterministic, line_buffer);
  if (!env) return report(env.error());
  flow::ReplayOptions ro;
  ro.exec = options.exec;
  if (options.from >= 0) ro.from_feed = static_cast<std::uint64_t>(options.from);
  if (options.to >= 0) ro.to_feed = static_cast<std::uint64_t>(options.to);
  ro.env = env->vars;
  if (env->clock) {
    ProcessClock* clock = env->clock.get();
    ro.set_clock = [clock](Timestamp ts, std::uint64_t seed, std::uint64_t feed, std::uint64_t index) {
      clock->set(ts, seed, feed, index);
    };
  }
  Result<flow::ReplayResult> result = flow::replay(loop, *records, ro);
  if (!result) return report(result.error());
  if (result->identical) {
    fmt::print("identical: {} feed(s), {} input(s), {} output(s)\n", result->feeds, result->inputs, result->outputs);
    return kExitOk;
  }
  fmt::print("different: {}\n", result->difference);
  if (!deterministic)
    fmt::print("note: the run was not --deterministic; a CMD that reads the clock or random numbers replays "
               "identically only under `process --deterministic`\n");
  return kExitRuntime;
}

void setup_replay(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<ReplayCliOptions>();
  app.footer(
      "Re-feeds exactly the inputs a `process --log PATH` run fed its CMD (one message at a time), with\n"
      "the logged clock and seed when it ran --deterministic, and compares what CMD writes with what the\n"
      "run wrote (read back from its output stream). Prints 'identical: ...' and exits 0, or the first\n"
      "difference (the feed, the input message, the output expected and the output got) and exits 1.\n"
      "Feeds are numbered as --list shows them.\n"
      "\n"
      "Examples:\n"
      "  sea streamer replay ./totals.log --list\n"
      "  sea streamer replay ./totals.log\n"
      "  sea streamer replay ./totals.log --exec 'python3 totals-v2.py' --from 10 --to 12");
  app.add_option("path", options->path, "The controller log (process --log PATH)")->required();
  app.add_flag("--list,-l", options->list, "Print the log's records, one per line");
  app.add_option("--exec,-x", options->exec, "Replay to this command instead of the logged one");
  app.add_option("--from", options->from, "First feed to replay (as --list numbers them)");
  app.add_option("--to", options->to, "Last feed to replay");
  app.add_flag("-v,--verbose", options->common.verbosity, "More logging on stderr (repeatable)");
  app.add_flag("-q,--quiet", options->common.quiet, "Only errors on stderr");
  app.callback([&runner, options] { runner = [options] { return run_replay(*options); }; });
}

}  // namespace sea::cli
