// The producer-side (--delivery, --shard, --dedupe-window) and consumer-side (--from, --group,
// --mode, -e, -c) options shared by produce/flux and consume/tap/seek.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "core/options.hpp"

namespace CLI {
class App;
}

namespace sea::cli {

struct ProduceCliOptions {
  std::string delivery = "at-least-once";
  std::int64_t shard = -1;
  std::string dedupe_window = "10m";
};

struct ConsumeCliOptions {
  std::string from;             // default differs per command
  std::string group;
  std::string mode;             // default: repeat with a group, else latest
  bool exit_at_end = false;     // -e
  std::uint64_t count = 0;      // -c
  std::vector<std::uint32_t> shards;
};

void add_produce_options(CLI::App& app, ProduceCliOptions& options);
void add_consume_options(CLI::App& app, ConsumeCliOptions& options, const char* default_from);

Result<ProducerOptions> resolve_producer_options(const ProduceCliOptions& options, const Properties& properties,
                                                 std::size_t max_message_bytes);
Result<ConsumerOptions> resolve_consumer_options(const ConsumeCliOptions& options, const Properties& properties);

}  // namespace sea::cli
