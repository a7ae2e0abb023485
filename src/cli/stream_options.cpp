// Binding and resolution of stream_options.hpp.
#include "cli/stream_options.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>

namespace sea::cli {

void add_produce_options(CLI::App& app, ProduceCliOptions& options) {
  app.add_option("--delivery", options.delivery, "at-most-once, at-least-once or exactly-once")
      ->capture_default_str();
  app.add_option("--shard,-p", options.shard, "Produce to this shard (default: by key hash, else round robin)");
  app.add_option("--dedupe-window", options.dedupe_window,
                 "exactly-once on Redis/file: drop a repeated message key within this window")
      ->capture_default_str();
}

void add_consume_options(CLI::App& app, ConsumeCliOptions& options, const char* default_from) {
  options.from = default_from;
  app.add_option("--from,-o", options.from, "Start: earliest, latest, seq:N, seq:SHARD:N, ISO8601|-5m|now (time: optional)")
      ->capture_default_str();
  app.add_option("--group,-G", options.group, "Consumer group: resume from and commit to its position");
  app.add_option("--mode", options.mode, "latest, repeat (at-least-once) or exactly-once");
  app.add_flag("--exit,-e", options.exit_at_end, "Exit at the end of the stream");
  app.add_option("--count,-c", options.count, "Exit after this many messages");
  app.add_option("--shards", options.shards, "Read only these shards")->delimiter(',');
}

Result<ProducerOptions> resolve_producer_options(const ProduceCliOptions& options, const Properties& properties,
                                                 std::size_t max_message_bytes) {
  ProducerOptions out;
  Result<Delivery> delivery = parse_delivery(options.delivery);
  if (!delivery) return delivery.error();
  out.delivery = *delivery;
  if (options.shard < -1 || options.shard > INT32_MAX)
    return make_error(Errc::invalid_argument, "--shard {} is out of range", options.shard);
  out.shard = options.shard < 0 ? kAnyShard : static_cast<ShardId>(options.shard);
  Result<std::int64_t> window = parse_duration_ms(options.dedupe_window);
  if (!window) return window.error();
  out.dedupe_window_ms = *window;
  out.max_message_bytes = max_message_bytes;
  out.properties = properties;
  return out;
}

Result<ConsumerOptions> resolve_consumer_options(const ConsumeCliOptions& options, const Properties& properties) {
  ConsumerOptions out;
  Result<StartPosition> start = StartPosition::parse(options.from);
  if (!start) return start.error();
  out.start = *start;
  out.group = options.group;
  if (!options.mode.empty()) {
    Result<ConsumerMode> mode = parse_consumer_mode(options.mode);
    if (!mode) return mode.error();
    out.mode = *mode;
  } else {
    out.mode = options.group.empty() ? ConsumerMode::latest : ConsumerMode::repeat;
  }
  if (out.mode != ConsumerMode::latest && options.group.empty())
    return make_error(Errc::invalid_argument, "--mode {} needs --group: positions are committed under a group",
                      consumer_mode_name(out.mode));
  char host[256] = "host";
  ::gethostname(host, sizeof host - 1);
  out.member = std::string(host) + "-" + std::to_string(::getpid());
  out.shards = options.shards;
  out.max_messages = options.count;
  out.properties = properties;
  return out;
}

}  // namespace sea::cli
