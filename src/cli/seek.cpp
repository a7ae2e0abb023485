// `sea streamer seek`: prints a stream from a point in time or a sequence number, or, with
// `--group G --commit`, moves the group's committed position to that point instead.
// Steps of run_seek: 1. check the options (exactly one of --time/--seq), 2a. print: open a
// consumer starting there and pump it to stdout like `consume` (cli/consume_run.hpp), or 2b. commit:
// find the next seq per shard (for --time, the first message at or after it, by reading one
// message per shard; a shard with none gets its end) and call Admin::set_group_position on
// each, printing one line (or a JSON object with --json) per shard moved.
#include <map>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "backends/registry.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/consume_run.hpp"
#include "cli/exit_codes.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

struct SeekOptions {
  TargetOptions target;
  OutputFormatOptions output;
  std::string time;
  std::int64_t seq = -1;
  std::int64_t shard = -1;
  std::string group;
  bool commit = false;
  bool exit_at_end = false;
  std::uint64_t count = 0;
  bool json = false;
};

namespace {

// The first seq at or after `time` on each of `shards` (a shard with nothing there: its end).
Result<std::map<ShardId, SeqNo>> seqs_at_time(loop::Loop& loop, Streamer& streamer, const StreamKey& stream,
                                              const std::vector<ShardInfo>& shards, Timestamp time) {
  std::map<ShardId, SeqNo> out;
  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::time;
  options.start.time = time;
  for (const ShardInfo& s : shards) options.shards.push_back(s.id);
  std::vector<StreamKey> streams{stream};
  Result<std::unique_ptr<Consumer>> consumer = streamer.create_consumer(streams, options);
  if (!consumer) return consumer.error();
  bool timed_out = false;
  loop::Timer timer(loop);
  timer.start(15'000, 0, [&] { timed_out = true; });
  (*consumer)->set_on_readable([] {});
  while (out.size() < shards.size() && !timed_out) {
    (*consumer)->poll(4096, [&](const MessageView& m) { out.try_emplace(m.shard, m.seq); });
    if ((*consumer)->error()) return *(*consumer)->error();
    if (out.size() == shards.size() || (*consumer)->at_end()) break;
    loop.run_once(true);
  }
  if (timed_out && out.size() < shards.size() && !(*consumer)->at_end())
    return make_error(Errc::timeout, "seek --time: no answer from every shard of '{}' within 15 s", stream.str());
  for (const ShardInfo& s : shards) out.try_emplace(s.id, s.next_seq);
  return out;
}

int run_commit(const SeekOptions& options) {
  // 2b. Move the group's position, shard by shard.
  loop::Loop loop;
  Result<Target> target = resolve_target(options.target);
  if (!target) return report(target.error());
  if (target->streams.size() != 1)
    return report(make_error(Errc::invalid_argument, "seek --commit moves one stream's position: name one stream"));
  const StreamKey& stream = target->streams.front();
  Result<std::unique_ptr<Streamer>> streamer = sea::connect(loop, target->cluster, target->connect);
  if (!streamer) return report(streamer.error());
  Result<StreamInfo> info = (*streamer)->admin().describe(stream);
  if (!info) return report(info.error());
  std::vector<ShardInfo> shards;
  for (const ShardInfo& s : info->shards)
    if (options.shard < 0 || s.id == static_cast<ShardId>(options.shard)) shards.push_back(s);
  if (shards.empty())
    return report(make_error(Errc::invalid_argument, "stream '{}' has no shard {}", stream.str(), options.shard));
  std::map<ShardId, SeqNo> positions;
  if (options.seq >= 0) {
    for (const ShardInfo& s : shards) positions[s.id] = static_cast<SeqNo>(options.seq);
  } else {
    Result<Timestamp> time = parse_time(options.time);
    if (!time) return report(time.error());
    Result<std::map<ShardId, SeqNo>> found = seqs_at_time(loop, **streamer, stream, shards, *time);
    if (!found) return report(found.error());
    positions = std::move(*found);
  }
  nlohmann::json report_json = {{"stream", stream.str()}, {"group", options.group}, {"shards", nlohmann::json::array()}};
  for (const auto& [shard, seq] : positions) {
    Result<void> moved = (*streamer)->admin().set_group_position(options.group, stream, shard, seq);
    if (!moved) return report(moved.error());
    if (options.json) report_json["shards"].push_back({{"shard", shard}, {"next_seq", seq}});
    else fmt::print("group {} on {} shard {}: next seq {}\n", options.group, stream.str(), shard, seq);
  }
  if (options.json) fmt::print("{}\n", report_json.dump());
  return kExitOk;
}

int run_print(const SeekOptions& options) {
  // 2a. Print from that point, exactly as `consume --from ...` would.
  ConsumeCliOptions consume;
  if (options.seq >= 0)
    consume.from = options.shard >= 0 ? fmt::format("seq:{}:{}", options.shard, options.seq) : fmt::format("seq:{}", options.seq);
  else
    consume.from = "time:" + options.time;
  if (options.shard >= 0) consume.shards.push_back(static_cast<std::uint32_t>(options.shard));
  consume.exit_at_end = options.exit_at_end;
  consume.count = options.count;
  return run_consume_to_stdout(options.target, consume, options.output, ConsumeRun{.commit = false});
}

}  // namespace

int run_seek(const SeekOptions& options) {
  setup_logging(options.target);
  // 1. Exactly one of --time / --seq; --group and --commit go together.
  if (options.time.empty() == (options.seq < 0))
    return report(make_error(Errc::invalid_argument, "give exactly one of --time T or --seq N"));
  if (options.commit != !options.group.empty())
    return report(make_error(Errc::invalid_argument,
                             "--group G and --commit go together: seek moves the group's position, or prints "
                             "(without either)"));
  if (options.commit && (options.count > 0 || options.exit_at_end))
    return report(make_error(Errc::invalid_argument, "-c and -e are for printing; --commit prints no messages"));
  return options.commit ? run_commit(options) : run_print(options);
}

void setup_seek(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<SeekOptions>();
  app.footer(
      "Examples:\n"
      "  sea streamer seek --topic news --time 2026-11-25T07:00:00Z -e      # from 07:00 to the end\n"
      "  sea streamer seek --topic news --seq 1200 --shard 2 -c 10 -J\n"
      "  sea streamer seek --topic news --time -1h --group billing --commit  # billing re-reads the last hour");
  add_target_options(app, options->target);
  app.add_option("--time,-T", options->time, "First message at or after this time: ISO 8601, epoch ms, now, -5m");
  app.add_option("--seq,-S", options->seq, "First message at or after this seq");
  app.add_option("--shard,-p", options->shard, "Only this shard (with --seq: the seq is on this shard)");
  app.add_option("--group,-G", options->group, "With --commit: the consumer group whose position moves");
  app.add_flag("--commit", options->commit, "Move the group's committed position instead of printing");
  app.add_flag("--exit,-e", options->exit_at_end, "Exit at the end of the stream");
  app.add_option("--count,-c", options->count, "Exit after this many messages");
  app.add_flag("--json", options->json, "With --commit: report what moved as JSON");
  add_output_format_options(app, options->output);
  app.callback([&runner, options] { runner = [options] { return run_seek(*options); }; });
}

}  // namespace sea::cli
