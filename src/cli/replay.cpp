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
#include "backends/registry.hpp"
#include "backends/sync.hpp"
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
  std::string output;    // --output URI/KEY: write the outputs there instead of comparing
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
  // --output: a producer on the same loop; each output carries the input it came from.
  std::unique_ptr<Streamer> out_streamer;
  std::unique_ptr<Producer> out_producer;
  std::string out_stream;
  std::optional<Error> refused;  // a delivery the output refused (the sink reports it)
  if (!options.output.empty()) {
    Result<StreamAddress> address = parse_stream_address(options.output);
    if (!address) return report(make_error(Errc::invalid_argument, "--output: {}", address.error().message));
    if (address->streams.size() != 1)
      return report(make_error(Errc::invalid_argument, "--output names {} streams; replay writes exactly one",
                               address->streams.size()));
    ConnectOptions connect;
    connect.client_name = "sea-replay";
    Result<std::unique_ptr<Streamer>> s = sea::connect(loop, address->cluster, connect);
    if (!s) return report(s.error());
    out_streamer = std::move(*s);
    Result<std::unique_ptr<Producer>> p = out_streamer->create_producer(address->streams.front(), ProducerOptions{});
    if (!p) return report(p.error());
    out_producer = std::move(*p);
    out_stream = address->streams.front().str();
    out_producer->set_on_delivery([&refused](Producer::Ticket, const Result<Receipt>& r) {
      if (!r && !refused) refused = r.error();
    });
    ro.sink = [&](const Message& out, const Message* in) -> Result<void> {
      if (refused) return *refused;
      while (out_producer->congested() && loop.run_once(true)) {
      }
      const std::string origin = in ? fmt::format("{}/{}/{}", in->stream, in->shard, in->seq) : std::string("end");
      std::vector<HeaderView> headers;
      for (const Header& h : out.headers) headers.push_back(HeaderView{h.key, h.value});
      headers.push_back(HeaderView{"sea-replay-input", origin});
      MessageView view;
      view.stream = out_stream;
      view.shard = kAnyShard;
      view.has_key = out.key.has_value();
      if (out.key) view.key = *out.key;
      view.headers = headers;
      view.payload = out.payload;
      Result<Producer::Ticket> sent = out_producer->send(view);
      if (!sent) return sent.error();
      return {};
    };
  }
  Result<flow::ReplayResult> result = flow::replay(loop, *records, ro);
  if (!result) return report(result.error());
  if (out_producer) {
    if (Result<void> flushed = flush_sync(loop, *out_producer); !flushed) return report(flushed.error());
    fmt::print("wrote {} output(s) of {} feed(s), {} input(s) to {}\n", result->outputs, result->feeds, result->inputs,
               options.output);
    return kExitOk;
  }
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
      "  sea streamer replay ./totals.log --exec 'python3 totals-v2.py' --from 10 --to 12\n"
      "  sea streamer replay ./totals.log --exec 'python3 totals-v2.py' --output file://./sea-streams/v2");
  app.add_option("path", options->path, "The controller log (process --log PATH)")->required();
  app.add_flag("--list,-l", options->list, "Print the log's records, one per line");
  app.add_option("--exec,-x", options->exec, "Replay to this command instead of the logged one");
  app.add_option("--from", options->from, "First feed to replay (as --list numbers them)");
  app.add_option("--to", options->to, "Last feed to replay");
  app.add_option("--output,-O", options->output,
                 "Write CMD's outputs to this stream (URI/KEY) instead of comparing; header sea-replay-input names "
                 "each one's input");
  app.add_flag("-v,--verbose", options->common.verbosity, "More logging on stderr (repeatable)");
  app.add_flag("-q,--quiet", options->common.quiet, "Only errors on stderr");
  app.callback([&runner, options] { runner = [options] { return run_replay(*options); }; });
}

}  // namespace sea::cli
