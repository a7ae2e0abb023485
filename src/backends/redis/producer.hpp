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
// Shards: the shard layout is discovered first (messages queue meanwhile); a key picks the
// shard by Kafka's murmur2, else round robin, else the fixed ProducerOptions::shard.
// Retention (sea-meta:K): max_bytes → XADD MAXLEN ~ N with N = max_bytes / the average
// encoded message size seen so far (+ 64 bytes of per-entry overhead); max_age_ms → XTRIM
// MINID ~ (now - age) once a second while producing.
//
// Lifecycle: made by RedisStreamer::create_producer with its own Router (connections named
// sea-producer-…); must be destroyed before the loop. Unflushed messages are dropped on
// destruction. Lives on the loop's thread.
#pragma once

#include <deque>
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
    std::uint32_t field_count = 0;
    std::string fields;         // RESP of the entry's fields; for exactly-once, key first
  };
  struct FlushWaiter {
    Ticket last;
    std::optional<Error> error;
    std::function<void(Result<void>)> done;
  };

  void on_ready();
  void pump();
  bool transmit(Entry& entry);
  void on_reply(Ticket ticket, redisReply* reply, const Error* error);
  void finish(Entry& entry, const Result<Receipt>& outcome);
  void settle();
  void trim_by_age();

  loop::Loop& loop_;
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
  Ticket next_ticket_ = 1;
  Ticket resend_from_ = 1;    // no queued entry has a smaller ticket
  std::size_t window_bytes_ = 0;
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
