// The Redis consumer: reads every shard of its streams and hands the entries out through
// poll(), without copying them (views point into the hiredis replies, whose element arrays
// the consumer keeps until the batch is handed out).
//
// Reading, per shard, one command in flight at a time:
// - without a group: paged `XRANGE key <next> + COUNT n`; once a page comes back short the
//   shard is caught up (at_end) and waits at the tail with `XREAD COUNT n BLOCK 0` on its own
//   connection (sea-tail-…), so no client timeout ever aborts a blocking read.
// - with a group (XREADGROUP): first XAUTOCLAIM JUSTID (claim.min.idle.ms, cursor 0 to the
//   end) takes over what members that ended left parked and what members dead longer than the
//   claim time left pending; then this member's own pending entries (id 0: those, and what it
//   was handed before a reconnect), then `>` pages, then `BLOCK 0` at the tail.
//   ack() queues XACKs, sent in batches (every ack.interval.ms or 1000 ids). Every
//   claim.interval.ms, XAUTOCLAIM takes over entries pending longer than claim.min.idle.ms on
//   other (dead) members, so a member's crash loses nothing. A claimed entry is a redelivery
//   and may come after newer ones of its shard.
// Read-ahead stops while more than max_buffer_bytes are buffered, or (with a group) while
// more than 65536 handed-out entries wait for their ack, and never goes past what
// ConsumerOptions.max_messages still wants (-c N).
//
// Ending cleanly (the destructor) with a group: what this member read and did not hand on must
// go to the next member at once, not after claim.min.idle.ms. Per shard, after the queued
// XACKs (same connection, so the server runs them first) and a CLIENT UNBLOCK of the tail's
// connection (so that its blocked read cannot take entries after that), one script
// (kReleaseScript) moves every entry still pending on this member to the consumer `sea-parked`
// with its delivery time set to 0 (idle "forever"), and deletes the member. Why that is sound:
// - nothing it read stays behind a dead name: its pending list holds exactly what it read and
//   did not ack, and the script empties it atomically;
// - the next member takes parked entries with its very first command on the shard (they are
//   idle longer than any claim time), before any `>` read, and hands them out from its own
//   pending list in id order; every parked id was delivered before, so it is older than
//   anything `>` returns: the shard's order holds, and each entry is handed out once by runs
//   that follow each other;
// - `-e` cannot end before that: a shard is caught up only after its claim and history phases;
// - XAUTOCLAIM is atomic, so members starting together never both take a parked entry.
// A member that is SIGKILLed leaves its entries pending under its name, idle growing, until a
// member's claim (at start or every claim.interval.ms) takes them after claim.min.idle.ms;
// admin describe and top show them (pending on members idle longer than the claim time).
//
// Lifecycle: made by RedisStreamer::create_consumer with its own Router (connections named
// sea-consumer-…); discovers the shards and positions itself asynchronously (at_end() is false
// until it has). Read errors are retried every second; the last one is kept in last_error().
// Lives on the loop's thread.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/redis/discovery.hpp"
#include "backends/redis/layout.hpp"
#include "backends/redis/router.hpp"
#include "core/streamer.hpp"

namespace sea::redis {

// The consumer that holds what group members that ended cleanly handed back (see above).
inline constexpr std::string_view kParkedConsumer = "sea-parked";

struct ConsumerTuning {
  std::size_t read_count = 2000;
  std::uint64_t claim_min_idle_ms = 60'000;
  std::uint64_t claim_interval_ms = 10'000;
  std::uint64_t ack_interval_ms = 100;
  static Result<ConsumerTuning> parse(const Properties& properties);
};

class RedisConsumer final : public Consumer {
 public:
  RedisConsumer(loop::Loop& loop, std::unique_ptr<Router> router, std::vector<StreamKey> streams,
                ConsumerOptions options, ConsumerTuning tuning);
  ~RedisConsumer() override;

  std::size_t poll(std::size_t max, const Sink& sink) override;
  void set_on_readable(std::function<void()> on_readable) override { on_readable_ = std::move(on_readable); }
  bool at_end() const override;
  Result<void> seek(Timestamp time) override;
  Result<void> assign(ShardId shard, SeqNo seq) override;
  void ack(std::string_view stream, ShardId shard, SeqNo seq) override;
  Result<void> commit_now() override;
  std::vector<ShardId> shards() const override;

  const std::string& last_error() const { return last_error_; }
  std::optional<Error> error() const override { return fatal_; }

 private:
  enum class Phase : std::uint8_t { claim, history, pages, tail };
  struct Shard {
    std::size_t stream = 0;
    ShardId id = 0;
    std::string key;
    bool positioned = false;
    Phase phase = Phase::pages;
    EntryId next;            // without a group: the first id to fetch
    EntryId history_after;   // with a group: the last own-pending id read
    bool reading = false;    // a page read is in flight on the router
    bool tail_waiting = false;
    bool tail_lost = false;  // the tail's connection dropped: reopen it where the map says
    bool tail_id_known = false;  // CLIENT ID of the tail's connection, for CLIENT UNBLOCK on close
    long long tail_client_id = 0;
    bool caught_up = false;
    std::uint64_t generation = 0;
    std::unique_ptr<Connection> tail;
    std::deque<EntryId> unacked;     // handed out, not acked (group only)
    std::vector<std::string> to_ack;
    EntryId claim_cursor;
  };
  struct Batch {
    std::size_t shard;
    std::uint64_t generation;
    StolenElements entries;
    std::size_t pos = 0;
    std::size_t bytes = 0;
  };

  // consumer.cpp: start-up and positions.
  void on_ready();
  void discover(std::size_t stream);
  void position(std::size_t shard);
  void positioned(std::size_t shard);
  std::string start_id_for_group(const Shard& shard) const;
  void reposition(std::size_t shard, EntryId next);
  void notify();
  // consumer_reads.cpp: reads, replies, acks and claims.
  void read(std::size_t shard);
  void read_all();
  void read_tail(std::size_t shard);
  void on_entries(std::size_t shard, std::uint64_t generation, redisReply* entries_array, std::size_t asked);
  void on_read_error(std::size_t shard, const Error& error);
  bool paused() const;
  void flush_acks();
  void claim();
  void claim_at_start(std::size_t shard);
  std::size_t wanted() const;  // how many more entries a read may fetch (max_messages)
  void release();              // the destructor's hand-over to the next member

  std::unique_ptr<Router> router_;
  std::vector<StreamKey> streams_;
  ConsumerOptions options_;
  ConsumerTuning tuning_;
  bool group_mode_ = false;
  std::string member_;
  std::vector<Shard> shards_;
  std::size_t discovered_ = 0;  // streams whose shards are known
  bool discovering_ = false;
  std::deque<Batch> batches_;
  std::size_t buffered_bytes_ = 0;
  std::size_t unacked_total_ = 0;
  std::uint64_t handed_total_ = 0;     // entries poll() handed out
  std::size_t buffered_entries_ = 0;  // entries in batches_ not yet handed out
  std::vector<HeaderView> headers_;
  std::string scratch_;
  std::string last_error_;
  std::optional<Error> fatal_;  // the server refused our handshake: nothing will be read
  std::function<void()> on_readable_;
  loop::Defer notify_defer_;
  loop::Timer retry_timer_;
  loop::Timer ack_timer_;
  bool ack_timer_armed_ = false;
  loop::Timer claim_timer_;
};

}  // namespace sea::redis
