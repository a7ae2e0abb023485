// The Redis producer: pipelined batches of XADDs (one Lua script per batch, with the stamp and
// the exactly-once dedupe folded in) with a bounded window of messages in flight.
//
// Delivery:
// - at-least-once (default): every message stays in the window, encoded, until Redis answers
//   with its entry id; when a connection drops, what it did not acknowledge is sent again once
//   it is back (duplicates possible, loss not).
// - at-most-once: the same pipeline, but nothing is re-sent: a message lost with its
//   connection is reported as failed.
// - exactly-once: the batch script keeps a key per message key (`sea-dedupe:{K:N}:<key>`, which
//   shares the shard's cluster slot) that remembers the entry id for dedupe_window_ms; a message
//   whose key was already written within the window is not written again and gets the first
//   entry's id as its receipt. Messages without a key are refused (nothing to dedupe on).
//
// Writes go in batches: each shard's queued messages, in ticket order, become one EVAL of a
// Lua script (xadd_command.hpp) that does their XADDs, so that a batch is written all or
// nothing. Order per shard: the router keeps each shard's commands in order across
// redirections and lost connections (router.hpp), and batches are chained: each sets this
// producer's marker key of the shard (sea-order:{K:N}:<producer>) to its own token, and a batch
// sent while an earlier one of the shard is in flight is written only if the marker holds that
// earlier batch's token, else it is refused with -SEAORDER and nothing of it is written. A
// transient refusal (-BUSY, -LOADING, -CLUSTERDOWN, -TRYAGAIN, -MASTERDOWN) of one batch in a
// pipeline therefore makes every later one of its shard skip, also those the server runs after
// its state changed back; the shard sends nothing more until all its batches have answered,
// then resends from the first refused message, unconditionally. The argument is in README.md.
//
// Shards: the shard layout is discovered first (messages queue meanwhile); a key picks the
// shard by Kafka's murmur2, else round robin, else the fixed ProducerOptions::shard.
// Retention (sea-meta:K): max_bytes → XADD MAXLEN ~ N with N = max_bytes / the average
// encoded message size seen so far (+ 64 bytes of per-entry overhead); max_age_ms → XTRIM
// MINID ~ (now - age) once a second while producing.
//
// Caller-supplied timestamps (MessageView.ts != 0, e.g. from `relay`): the entry id carries the
// time: the script tries XADD with the explicit id `<ts>-*` (valid since Redis 7) and, when
// Redis refuses it because the stream's top id is already later, falls back to `*` plus a field
// `ts` holding the original time; the consumer (layout.hpp decode_entry) reads that field back as
// the message's ts. exactly-once writes the `ts` field whenever a ts is given. Receipts carry the
// given ts.
//
// Lifecycle: made by RedisStreamer::create_producer with its own Router (connections named
// sea-producer-…); must be destroyed before the loop. Unflushed messages are dropped on
// destruction. Lives on the loop's thread.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "backends/redis/discovery.hpp"
#include "backends/redis/router.hpp"
#include "backends/redis/xadd_command.hpp"
#include "core/streamer.hpp"

namespace sea::redis {

class RedisProducer final : public Producer {
 public:
  RedisProducer(loop::Loop& loop, std::unique_ptr<Router> router, StreamKey stream, ProducerOptions options);
  ~RedisProducer() override;

  Result<Ticket> send(const MessageView& message) override;
  bool congested() const override;
  void set_on_drain(std::function<void()> on_drain) override { on_drain_ = std::move(on_drain); }
  void set_on_delivery(DeliveryCallback on_delivery) override { on_delivery_ = std::move(on_delivery); }
  void flush(std::function<void(Result<void>)> done) override;
  std::uint64_t sent() const override { return sent_; }
  std::uint64_t acknowledged() const override { return acknowledged_; }
  std::uint64_t failed() const override { return failed_; }

 private:
  enum class State : std::uint8_t { queued, in_flight, done };
  struct Entry {
    Ticket ticket;
    State state = State::queued;
    ShardId shard = kAnyShard;  // chosen when first sent
    std::uint32_t key_hash = 0;
    bool has_key = false;
    Timestamp ts = 0;           // caller-supplied time, 0: let Redis stamp it
    std::uint32_t field_count = 0;
    std::size_t memory = 0;     // what it counts in window_bytes_
    std::string fields;         // RESP of the entry's fields; for exactly-once, key first
  };
  // A shard's batches in flight and its chain (see "Order per shard" above).
  struct ShardFlow {
    std::uint32_t batches = 0;  // in flight
    bool stalled = false;       // one did not get written: send nothing until batches == 0
    Timestamp hold_until = 0;   // after a transient refusal: send nothing before this time
    std::uint64_t last = 0;     // the token (batch number) of the last batch sent
    XaddBatch open;             // being filled by pump()
    std::vector<Ticket> open_tickets;
  };
  ShardFlow& flow_of(ShardId shard) {
    if (shard >= flows_.size()) flows_.resize(static_cast<std::size_t>(shard) + 1);
    return flows_[shard];
  }
  struct Batch {
    ShardId shard;
    std::vector<Ticket> tickets;
  };
  struct FlushWaiter {
    Ticket last;
    std::optional<Error> error;
    std::function<void(Result<void>)> done;
  };

  void on_ready();
  void pump();
  // Whether pump() may add entries of the shard now; within one walk (one `now`) a shard that
  // is closed stays closed, so that it never sends a later entry ahead of one it skipped.
  bool shard_open(ShardFlow& flow, Timestamp now);
  void add_to_batch(Entry& entry, const std::string& key);
  bool send_batch(ShardId shard, const std::string& key);
  void on_reply(std::uint64_t batch, redisReply* reply, const Error* error);
  void requeue(Ticket ticket);
  void finish(Entry& entry, const Result<Receipt>& outcome);
  Entry* entry_of(Ticket ticket);
  void settle();
  void trim_by_age();

  std::unique_ptr<Router> router_;
  StreamKey stream_;
  ProducerOptions options_;
  bool discovered_ = false;
  bool discovering_ = false;
  ShardLayout layout_;
  Retention retention_;
  std::uint32_t shard_count_ = 1;
  std::uint32_t round_robin_ = 0;

  std::deque<Entry> window_;  // ticket order; done entries leave from the front
  std::optional<Error> fatal_;  // the server refused us for good: every send fails
  std::vector<ShardFlow> flows_;  // by shard (a vector: touched three times per message)
  std::unordered_map<std::uint64_t, Batch> batches_;  // in flight, by token
  std::uint64_t next_batch_ = 1;
  std::string producer_id_;  // names this producer's order markers
  Ticket next_ticket_ = 1;
  Ticket resend_from_ = 1;    // no queued entry has a smaller ticket
  std::size_t window_bytes_ = 0;  // memory of the unfinished entries (kEntryMemoryBytes each + fields)
  bool was_congested_ = false;
  std::uint64_t sent_ = 0, acknowledged_ = 0, failed_ = 0;
  std::uint64_t encoded_bytes_ = 0;  // for the bytes → entries estimate of MAXLEN
  std::string command_;              // reused buffer of the command being sent
  std::deque<FlushWaiter> flushes_;
  std::function<void()> on_drain_;
  DeliveryCallback on_delivery_;
  loop::Defer pump_soon_;  // coalesces the sends and replies of one loop iteration into batches
  loop::Timer retry_timer_;  // pump() when a shard's pause after a refusal ends
  Timestamp wake_at_ = 0;    // when it runs; 0: not armed
  loop::Timer age_timer_;
};

}  // namespace sea::redis
