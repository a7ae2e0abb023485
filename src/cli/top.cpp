// `sea streamer top`: the htop of streams (SPEC §4, issue 8). Samples the backend's counters
// every --interval (Streamer::stats), turns successive samples into rates (src/top/), and
// shows them on an ncurses screen, or prints them as JSON: one document with --once --json,
// one per interval (NDJSON) with --json alone.
// Steps of run_top: 1. check the options and connect, 2. pick the output, 3. sample until
// done (the screen's q, SIGINT/SIGTERM, a closed stdout, or the second sample of --once).
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <set>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "backends/registry.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "flow/registry.hpp"
#include "top/model.hpp"
#include "top/report.hpp"
#include "top/screen.hpp"

namespace sea::cli {

struct TopOptions {
  TargetOptions target;
  std::string interval = "1s";
  std::string stale = "60s";
  std::string filter;
  std::size_t max_streams = 100'000;
  std::vector<std::string> groups;  // looked up even where the cluster does not list groups
  bool once = false;
  bool json = false;
};

namespace {

volatile std::sig_atomic_t g_json_stop = 0;
void on_json_stop(int) { g_json_stop = 1; }

// Samples once into the model, keeping only the --topic streams when some were named.
Result<void> sample_into(Streamer& streamer, const StatsRequest& request, const std::set<std::string>& only,
                         flow::RegistryView* registry, top::Model& model) {
  const std::int64_t started = now_ms();
  Result<ClusterStats> stats = streamer.stats(request);
  if (!stats) return stats.error();
  if (registry != nullptr) {
    registry->refresh();
    stats->processors = registry->live(now_ms());
  }
  if (!only.empty()) {
    std::vector<StreamStats> kept;
    for (StreamStats& s : stats->streams)
      if (only.count(s.name) != 0) kept.push_back(std::move(s));
    stats->streams = std::move(kept);
  }
  model.update(*stats, now_ms() - started);
  return ok();
}

// Sleeps until `deadline` (ms since the epoch) unless a stop signal came.
void sleep_until(std::int64_t deadline) {
  while (g_json_stop == 0) {
    const std::int64_t left = deadline - now_ms();
    if (left <= 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(left, 100)));
  }
}

bool print_line(const std::string& line) {
  if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() || std::fputc('\n', stdout) == EOF) return false;
  return std::fflush(stdout) == 0;
}

}  // namespace

int run_top(const TopOptions& options) {
  setup_logging(options.target);
  // 1. Options and connection.
  Result<std::int64_t> interval = parse_duration_ms(options.interval);
  if (!interval) return report(make_error(Errc::invalid_argument, "--interval {}: {}", options.interval, interval.error().message));
  if (*interval < 100 || *interval > 3'600'000)
    return report(make_error(Errc::invalid_argument, "--interval {}: must be between 100ms and 1h", options.interval));
  Result<std::int64_t> stale = parse_duration_ms(options.stale);
  if (!stale) return report(make_error(Errc::invalid_argument, "--stale {}: {}", options.stale, stale.error().message));
  if (*stale <= 0) return report(make_error(Errc::invalid_argument, "--stale {}: must be positive", options.stale));
  if (options.once && !options.json)
    return report(make_error(Errc::invalid_argument, "--once needs --json (the screen runs until q)"));
  if (options.max_streams == 0) return report(make_error(Errc::invalid_argument, "--max-streams must be positive"));
  Result<Target> target = resolve_target(options.target);
  if (!target) return report(target.error());
  loop::Loop loop;
  Result<std::unique_ptr<Streamer>> streamer = connect(loop, target->cluster, target->connect);
  if (!streamer) return report(streamer.error());
  StatsRequest request;
  request.filter = options.filter;
  request.max_streams = options.max_streams;
  for (const std::string& group : options.groups) {
    if (group.empty()) return report(make_error(Errc::invalid_argument, "--group: the group name is empty"));
    request.groups_named.push_back(group);
  }
  std::set<std::string> only;
  for (const StreamKey& key : target->streams) only.insert(key.str());
  top::Thresholds thresholds;
  thresholds.stale_ms = *stale;
  top::Model model(thresholds);
  const top::Header header{target->cluster.display(), scheme_name(target->cluster.scheme), *interval};
  // Processors registered in the cluster (a registry that appears later is picked up then).
  std::unique_ptr<flow::RegistryView> registry;
  auto sample = [&](top::Model& m) {
    if (!registry) {
      Result<std::unique_ptr<flow::RegistryView>> opened = flow::RegistryView::open(loop, **streamer);
      if (opened) registry = std::move(*opened);
    }
    return sample_into(**streamer, request, only, registry.get(), m);
  };

  // 2. The screen, unless JSON was asked for.
  if (!options.json) {
    Result<void> shown = top::run_screen(header, model, sample, *interval);
    return shown ? kExitOk : report(shown.error());
  }

  // 3. JSON: --once takes two samples one interval apart (a rate needs two), --json alone
  // prints one document per interval until stopped.
  std::signal(SIGINT, on_json_stop);
  std::signal(SIGTERM, on_json_stop);
  std::int64_t next = now_ms();
  for (std::uint64_t n = 0; g_json_stop == 0; ++n) {
    sleep_until(next);
    if (g_json_stop != 0) break;
    next += *interval;
    Result<void> sampled = sample(model);
    if (!sampled) {
      if (options.once || n == 0) return report(sampled.error());
      spdlog::warn("sample failed: {}", sampled.error().message);
      continue;
    }
    if (options.once && n == 0) continue;
    if (!print_line(top::snapshot_json(header, model))) {
      if (errno == EPIPE) return kExitOk;
      return report(errno_error(errno, "write stdout"));
    }
    if (options.once) break;
  }
  return kExitOk;
}

void setup_top(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<TopOptions>();
  add_target_options(app, options->target, true);
  app.add_option("--interval,-i", options->interval, "Time between samples (100ms .. 1h)")->capture_default_str();
  app.add_option("--stale", options->stale, "A stream with no message for longer is stale")->capture_default_str();
  app.add_option("--filter", options->filter, "Only streams whose name contains this text");
  app.add_option("--max-streams", options->max_streams, "Sample at most this many streams")->capture_default_str();
  app.add_option("--group,-G", options->groups,
                 "Also show this consumer group (repeatable; Kafka clusters that do not list groups)")
      ->allow_extra_args(false);
  app.add_flag("--once", options->once, "With --json: print one snapshot and exit");
  app.add_flag("--json", options->json, "Print JSON snapshots (NDJSON, one per interval) instead of the screen");
  app.footer(
      "Examples:\n"
      "  sea streamer top                                   # the screen, file://./sea-streams\n"
      "  sea streamer top -b redis://localhost:6379 --stale 5m\n"
      "  sea streamer top -b kafka://localhost:9092 --once --json | jq '.streams[].msgs_per_s_1s'\n"
      "  sea streamer top -b kafka://localhost:9092 -G billing -G audit   # groups by name\n"
      "  sea streamer top --json --interval 10s | sea streamer produce -t top-history\n"
      "Keys: s / < > sort column, r reverse, / filter, Enter expand, p pause, q quit.\n"
      "BURST: the 1 s rate is over 3x the 1 min mean; STALE: no message for longer than --stale.");
  app.callback([&runner, options] { runner = [options] { return run_top(*options); }; });
}

}  // namespace sea::cli
