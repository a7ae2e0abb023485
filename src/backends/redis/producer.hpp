// The Redis producer: pipelined XADD (or, for exactly-once, a server-side dedupe script) with
// a bounded window of messages in flight.
//
// Delivery:
// - at-least-once (default): every message stays in the window, encoded, until Redis answers
//   with its entry id; when a connection drops, what it did not acknowledge is sent again once
//   it is back (duplicates possible, loss not).
// - at-most-once: the same pipeline, but nothing is re-sent: a message lost with its
//   connection is reported as failed.
// - exactly-once: a Lua script keyed by the message key (`sea-dedupe:{K:N}:<key>`, which
//   shares the shard's cluster slot) remembers the entry id for dedupe_window_ms; a message
//   whose key was already written within the window is not written again and gets the first
//   entry's id as its receipt. Messages without a key are refused (nothing to dedupe on).
//
// Order per shard: the router keeps each shard's commands in order across redirections and
// lost connections (router.hpp). A transient refusal (-CLUSTERDOWN during a failover,
// -TRYAGAIN, -LOADING, -BUSY, -MASTERDOWN) is per command: in a pipeline, the commands before
// the server's state changes back are refused and the ones after it are written, which would
// put later messages before earlier ones. So once a shard has had one, it sends one message at
// a time, and only when nothing else of it is in flight, until one is written; then the
// pipeline resumes.
//
// Shards: the shard layout is discovered first (messages queue meanwhile); a key picks the
// shard by Kafka's murmur2, else round robin, else the fixed ProducerOptions::shard.
// Retention (sea-meta:K): max_bytes → XADD MAXLEN ~ N with N = max_bytes / the average
// encoded message size seen so far (+ 64 bytes of per-entry overhead); max_age_ms → XTRIM
// MINID ~ (now - age) once a second while producing.
//
// Caller-supplied timestamps (MessageView.ts != 0, e.g. from `relay`): the entry id carries the
// time, so the message is written by a small script that tries XADD with the explicit id
// `<ts>-*` (valid since Redis 7) and, when Redis refuses it because the stream's top id is
// already later, falls back to `*` plus a field `ts` holding the original time; the consumer
// (layout.hpp decode_entry) reads that field back as the message's ts. Doing both in one script
// keeps the pipeline in order: a refused id never lets a later message overtake it.
// exactly-once writes the `ts` field whenever a ts is given. Receipts carry the given ts.
// The script costs about 3x a plain XADD, so once a reply has told the producer a shard's newest
// id, a ts not before it is sent as a plain `XADD K <ts>-*` (see ShardTop), and a ts before it,
// which the script would refuse for sure, as the plain `XADD K * ts <ts> ...` of its fallback
// (a relay of a many-partition Kafka topic interleaves times, and its fallbacks make the top
// "now": without this nearly every message went through the script). Only if another
// writer adds a later id at the same moment is that refused; the entry is then sent again
// through the script, and a later message already in the pipeline may land before it.
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

#include "backends/redis/discovery.hpp"
#include "backends/redis/router.hpp"
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
    bool unpredicted = false;   // in flight with an id Redis picks (`*` or a script): see ShardTop
    bool force_script = false;  // a plain `<ts>-*` was refused: the script decides next time
    std::uint32_t field_count = 0;
    std::size_t memory = 0;     // what it counts in window_bytes_
    std::string fields;         // RESP of the entry's fields; for exactly-once, key first
  };
  // What this producer knows of a shard's newest id, to send `XADD K <ts>-*` directly when it
  // cannot be refused and the stamp script only when it might.
  // The newest id's ms is asked once per shard (XREVRANGE + - COUNT 1) before the first stamped
  // entry, then followed from replies and from the plain ids sent. An entry whose id Redis picks
  // (`*`, the script's fallback, exactly-once) may move the top anywhere up to "now", so plain
  // stamps wait until none is in flight.
  struct ShardTop {
    bool known = false;
    bool asked = false;
    std::uint64_t ms = 0;
    std::uint32_t unpredicted_in_flight = 0;
  };
  // What is in flight per shard, and whether the shard probes with one message at a time after
  // a transient refusal (see "Order per shard" above).
  struct ShardFlow {
    std::uint32_t in_flight = 0;
    bool probing = false;
  };
  ShardFlow& flow_of(ShardId shard) {
    if (shard >= flows_.size()) flows_.resize(static_cast<std::size_t>(shard) + 1);
    return flows_[shard];
  }
  struct FlushWaiter {
    Ticket last;
    std::optional<Error> error;
    std::function<void(Result<void>)> done;
  };

  void on_ready();
  void pump();
  bool transmit(Entry& entry, const std::string& key);
  bool send_command(Entry& entry, const std::string& key, bool predicted = false);
  void ask_top(ShardId shard, const std::string& key);
  bool plain_stamp_ok(const Entry& entry);
  bool stamp_refused(const Entry& entry) const;
  void note_reply(Entry& entry, redisReply* reply);
  void on_reply(Ticket ticket, redisReply* reply, const Error* error);
  void finish(Entry& entry, const Result<Receipt>& outcome);
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
  std::map<ShardId, ShardTop> tops_;
  std::vector<ShardFlow> flows_;  // by shard (a vector: touched three times per message)
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
  loop::Timer retry_timer_;
  loop::Timer age_timer_;
};

}  // namespace sea::redis
