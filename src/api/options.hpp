// The façade's options, built by chaining: where a consumer starts (sea::Start), how a producer
// delivers (sea::ProducerOptions) and how a consumer reads (sea::ConsumerOptions).
//
//   cluster.producer("orders", sea::ProducerOptions().delivery(sea::Delivery::at_least_once));
//   cluster.consumer({"orders"}, sea::ConsumerOptions().group("billing").from(sea::Start::earliest()));
//
// Each setter returns the options, so a chain is one expression. They fill the loop-driven
// option structs (sea::core::ProducerOptions / sea::core::ConsumerOptions, <seastreamer/core/options.hpp>),
// which core() hands out for the fields no setter covers. Setters never throw; Start::parse does.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/options.hpp"
#include "core/types.hpp"

namespace sea {

// Where a consumer starts when its group has no committed position (or it has no group).
class Start {
 public:
  static Start earliest();                        // the oldest message kept
  static Start latest();                          // only messages produced from now on (the default)
  static Start at(Timestamp time_ms);             // the first message at or after a time (ms, UTC)
  static Start at(std::chrono::system_clock::time_point time);
  static Start seq(SeqNo seq, ShardId shard = kAnyShard);  // from seq on (on one shard, or every shard)
  // As `--from` reads it: earliest | latest | seq:N | seq:SHARD:N | time:T | T (ISO 8601, epoch
  // ms, now, -5m). Throws sea::Error (Errc::invalid_argument) on anything else.
  static Start parse(std::string_view text);

  const StartPosition& position() const { return position_; }

 private:
  explicit Start(StartPosition position) : position_(position) {}
  StartPosition position_;
};

class ProducerOptions {
 public:
  // at_most_once, at_least_once (the default: retried until acknowledged) or exactly_once.
  ProducerOptions& delivery(Delivery delivery) { o_.delivery = delivery; return *this; }
  // Every message to this shard (default: by key hash when a message has a key, else round robin).
  ProducerOptions& shard(ShardId shard) { o_.shard = shard; return *this; }
  // Messages sent and not yet acknowledged; past it, send() waits for room (bounded memory).
  ProducerOptions& max_in_flight(std::size_t messages) { o_.max_in_flight = messages; return *this; }
  ProducerOptions& max_message_bytes(std::size_t bytes) { o_.max_message_bytes = bytes; return *this; }
  // A backend client property, as -X passes it (librdkafka's, e.g. "linger.ms").
  ProducerOptions& property(std::string key, std::string value) { o_.properties[std::move(key)] = std::move(value); return *this; }

  const core::ProducerOptions& core() const { return o_; }
  core::ProducerOptions& core() { return o_; }

 private:
  core::ProducerOptions o_;
};

class ConsumerOptions {
 public:
  // Reads as a member of this group: shards are shared among the group's members and what was
  // handed out is committed under it (at-least-once, --mode repeat). Default: no group.
  ConsumerOptions& group(std::string group) { o_.group = std::move(group); return *this; }
  ConsumerOptions& member(std::string member) { o_.member = std::move(member); return *this; }
  // Where to start without a committed position. Default: Start::latest().
  ConsumerOptions& from(const Start& start) { o_.start = start.position(); return *this; }
  // latest (no group), repeat (the default with a group) or exactly_once (Kafka).
  ConsumerOptions& mode(ConsumerMode mode) { o_.mode = mode; mode_set_ = true; return *this; }
  // Only these shards (default: all).
  ConsumerOptions& shards(std::vector<ShardId> shards) { o_.shards = std::move(shards); return *this; }
  // next() returns nullopt, and a range-for ends, once every shard is read to its end
  // (`consume -e`). Default: wait for new messages for ever.
  ConsumerOptions& until_end(bool on) { until_end_ = on; return *this; }
  // With a group, a message handed out is acknowledged when the next one is asked for (so a loop
  // that handles one message before asking for the next is at-least-once). auto_ack(false):
  // nothing is acknowledged until Consumer::ack.
  ConsumerOptions& auto_ack(bool on) { auto_ack_ = on; return *this; }
  ConsumerOptions& max_buffer_bytes(std::size_t bytes) { o_.max_buffer_bytes = bytes; return *this; }
  ConsumerOptions& property(std::string key, std::string value) { o_.properties[std::move(key)] = std::move(value); return *this; }

  // The loop-driven options these fill (mode: repeat when a group is set and no mode was).
  core::ConsumerOptions core() const {
    core::ConsumerOptions out = o_;
    if (!mode_set_ && !out.group.empty()) out.mode = ConsumerMode::repeat;
    return out;
  }
  bool until_end() const { return until_end_; }
  bool auto_ack() const { return auto_ack_; }

 private:
  core::ConsumerOptions o_;
  bool mode_set_ = false;
  bool until_end_ = false;
  bool auto_ack_ = true;
};

}  // namespace sea
