// Options of producers, consumers and connections (SPEC §2): delivery guarantees, consumer
// modes, start positions and the -X passthrough properties. Plain structs, filled by cli/ and
// read by the backends; each backend documents which fields it cannot honour and returns
// Errc::unsupported for them instead of silently doing less.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"

namespace sea {

using Properties = std::map<std::string, std::string>;  // -X key=value, in order given

enum class Delivery : std::uint8_t { at_most_once, at_least_once, exactly_once };
enum class ConsumerMode : std::uint8_t { latest, repeat, exactly_once };

Result<Delivery> parse_delivery(std::string_view text);
Result<ConsumerMode> parse_consumer_mode(std::string_view text);
const char* delivery_name(Delivery d);
const char* consumer_mode_name(ConsumerMode m);

struct ConnectOptions {
  Properties properties;           // backend client properties (-X), e.g. librdkafka's
  std::string client_name = "sea"; // shown by servers that list clients (Redis CLIENT SETNAME)
};

// The loop-driven interfaces' names live in sea::core (streamer.hpp says why); the tree names
// them unqualified through the using-directive below.
namespace core {

struct ProducerOptions {
  Delivery delivery = Delivery::at_least_once;
  ShardId shard = kAnyShard;                   // fixed shard; kAnyShard: by key hash, else round robin
  std::int64_t dedupe_window_ms = 600'000;     // exactly-once on Redis and file: dedupe by message key
  std::size_t max_in_flight = 65'536;          // messages sent but not yet acknowledged
  // and their bytes: the backpressure bound. 4 MiB keeps Kafka and Redis at full rate (more only
  // grew RSS: 33 -> 24 MiB for sea produce to Kafka, 24 -> 14 MiB to Redis, at the same rate).
  std::size_t max_in_flight_bytes = 4 << 20;
  std::size_t max_message_bytes = 1 << 20;
  // Non-empty: a transactional producer with this id (Kafka's transactional.id; relay
  // exactly-once). Backends without transactions refuse it from begin_transaction().
  std::string transaction_id;
  Properties properties;
};

}  // namespace core

// Where a consumer starts when it has no committed group position (or is told to ignore it).
struct StartPosition {
  enum class Kind : std::uint8_t { earliest, latest, seq, time };
  Kind kind = Kind::latest;
  SeqNo seq = 0;                 // Kind::seq: the first seq to deliver
  ShardId shard = kAnyShard;     // Kind::seq: on this shard only (kAnyShard: every shard)
  Timestamp time = 0;            // Kind::time: first message at or after this time

  // Parses earliest | latest | seq:N | seq:SHARD:N | time:T, and T bare: anything parse_time
  // takes (ISO8601, epoch ms, now, -5m).
  static Result<StartPosition> parse(std::string_view text);
};

namespace core {

struct ConsumerOptions {
  ConsumerMode mode = ConsumerMode::latest;
  std::string group;                  // empty: no group; else positions are committed under it
  std::string member;                 // group member name (default: host-pid)
  StartPosition start;                // used when the group has no committed position
  std::vector<ShardId> shards;        // empty: all shards
  std::size_t max_buffer_bytes = 8 << 20;  // read-ahead bound
  // The caller takes at most this many messages (consume/tap/seek -c N; 0: no limit). A backend
  // whose group members own what they read (Redis) reads no further ahead than that.
  std::uint64_t max_messages = 0;
  // Kafka, with mode exactly_once: the positions are committed only by the output's transactions
  // (relay exactly-once: Producer::commit_transaction); ack and commit_now then do nothing and
  // rewind_to_committed works. Without it an exactly-once consumer commits what it acked.
  bool commit_in_transactions = false;
  Properties properties;
};

}  // namespace core
using namespace core;  // NOLINT: see streamer.hpp

struct Retention {
  std::optional<std::int64_t> max_age_ms;
  std::optional<std::uint64_t> max_bytes;  // per shard
};

struct CreateOptions {
  std::uint32_t shards = 1;
  Retention retention;
  bool if_not_exists = false;
};

// What `admin trim` removes: everything before a time, before a seq, or beyond a size.
struct TrimSpec {
  std::optional<Timestamp> before_time;
  std::optional<SeqNo> before_seq;
  std::optional<std::uint64_t> keep_bytes;
};

}  // namespace sea
