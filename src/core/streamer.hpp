// The backend-agnostic interfaces (SPEC §2): Streamer, Producer, Consumer, Admin.
//
// Threading: every object lives on the one event loop of the process (loop::Loop) and is used
// from that loop's thread only. Nothing here blocks: producers queue and report deliveries
// through a callback, consumers buffer and report readiness through a callback, and both run
// from the loop. The few calls documented as "runs the loop" (Admin, the sync helpers in
// backends/sync.hpp) may be called only from outside a loop callback.
//
// Lifecycle: Streamer -> create_producer / create_consumer -> use -> close(); a Producer or
// Consumer must be destroyed before the Streamer that made it.
//
// Names: these interfaces and their options (core/options.hpp) are declared in sea::core, and
// a using-directive makes them sea::Producer, sea::Consumer... everywhere in the tree, as they
// always were. The façade (api/, <seastreamer/seastreamer.hpp>) declares its own sea::Producer,
// sea::Consumer, sea::ConsumerOptions, sea::ProducerOptions and sea::Admin directly in sea, and
// a name declared in a namespace hides one brought in by a using-directive: so `sea::Producer`
// is the façade's wherever its header is included, and `sea::core::Producer` the loop-driven
// one. (Code that sees both and names them unqualified inside `namespace sea` must say which.)
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/stats.hpp"
#include "core/types.hpp"
#include "core/uri.hpp"

namespace sea {

namespace core {
class Consumer;
}  // namespace core

// Where an input shard stands: the next seq to read. What a transaction commits for its input.
struct ShardPosition {
  std::string stream;
  ShardId shard = 0;
  SeqNo next_seq = 0;
};

namespace core {

class Producer {
 public:
  using Ticket = std::uint64_t;  // 1, 2, 3... in send order
  using DeliveryCallback = std::function<void(Ticket ticket, const Result<Receipt>& outcome)>;

  virtual ~Producer() = default;

  // Queues one message (copied; the view may die after the call). Never blocks: when the
  // in-flight window is full the message is still accepted and congested() turns true, so the
  // caller stops feeding until on_drain fires. Errors here are immediate (message too large,
  // producer closed); delivery failures arrive through the delivery callback.
  virtual Result<Ticket> send(const MessageView& message) = 0;

  // True when the caller should stop sending until the drain callback runs.
  virtual bool congested() const = 0;
  virtual void set_on_drain(std::function<void()> on_drain) = 0;

  // Called once per ticket, on the loop, in ticket order per shard.
  virtual void set_on_delivery(DeliveryCallback on_delivery) = 0;

  // Pushes out everything queued; `done` runs on the loop when each message sent so far is
  // acknowledged (Ok) or has failed for good (the first error).
  virtual void flush(std::function<void(Result<void>)> done) = 0;

  // Transactions (SPEC §2: exactly-once relay): what is sent between begin_transaction and
  // commit_transaction becomes visible to read_committed readers together with the input
  // positions, atomically, or not at all. Only a Kafka producer made with
  // ProducerOptions.transaction_id has them, and only with a consumer of the same cluster; every
  // other backend answers Errc::unsupported (these defaults). begin is local and cheap; commit
  // and abort wait for the cluster (bounded by the backend's timeout), so call them from a loop
  // callback between batches, after flush() reported every message, never from inside a
  // delivery callback. An error with Errc::closed means the producer can no longer be used
  // (fenced by a newer instance with the same id, or fatal): stop. Any other error from commit
  // means the transaction must be aborted and the input rewound (Consumer::rewind_to_committed).
  virtual Result<void> begin_transaction() {
    return make_error(Errc::unsupported, "transactions need a Kafka output (this backend has none)");
  }
  virtual Result<void> commit_transaction(Consumer& /*input*/, std::span<const ShardPosition> /*positions*/) {
    return make_error(Errc::unsupported, "transactions need a Kafka output (this backend has none)");
  }
  virtual Result<void> abort_transaction() {
    return make_error(Errc::unsupported, "transactions need a Kafka output (this backend has none)");
  }

  // Counts, for reports and `top`.
  virtual std::uint64_t sent() const = 0;
  virtual std::uint64_t acknowledged() const = 0;
  virtual std::uint64_t failed() const = 0;
};

class Consumer {
 public:
  using Sink = std::function<void(const MessageView& message)>;

  virtual ~Consumer() = default;

  // Hands up to `max` buffered messages to `sink`, in order within each shard; returns how many.
  // The view is valid only during the sink call. Never blocks.
  virtual std::size_t poll(std::size_t max, const Sink& sink) = 0;

  // Runs on the loop when poll() may return messages or at_end() may have turned true.
  virtual void set_on_readable(std::function<void()> on_readable) = 0;

  // True when nothing is buffered and every shard has been read to the end that existed when
  // the consumer last looked (the condition `consume -e` stops on).
  virtual bool at_end() const = 0;

  // Repositions every shard: the first message at or after `time`.
  virtual Result<void> seek(Timestamp time) = 0;
  // Repositions one shard to `seq` (the next message delivered has seq >= it).
  virtual Result<void> assign(ShardId shard, SeqNo seq) = 0;

  // Marks everything up to and including `seq` on `shard` of `stream` as handed on. With a
  // group the position is committed (batched; commit_now forces it). Without a group it is a
  // no-op.
  virtual void ack(std::string_view stream, ShardId shard, SeqNo seq) = 0;
  virtual Result<void> commit_now() = 0;

  // After an aborted transaction: drops what is buffered and puts every shard back at the
  // group's committed position (the start position where the group has none). Only consumers
  // that take part in transactions (Kafka, ConsumerOptions.commit_in_transactions) have it.
  virtual Result<void> rewind_to_committed() {
    return make_error(Errc::unsupported, "rewind to the committed position needs a Kafka exactly-once consumer");
  }

  // A persistent error the consumer cannot get past by itself (a shard it cannot read, a group
  // it cannot join); transient ones are retried inside. Checked when on_readable fires.
  virtual std::optional<Error> error() const { return std::nullopt; }

  // The shards this consumer reads (after group assignment).
  virtual std::vector<ShardId> shards() const = 0;
};

}  // namespace core

struct ShardInfo {
  ShardId id = 0;
  SeqNo first_seq = 0;    // the oldest message kept
  SeqNo next_seq = 0;     // one past the newest
  Timestamp first_ts = 0;
  Timestamp last_ts = 0;
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
};

struct GroupInfo {
  std::string name;
  std::vector<std::pair<ShardId, SeqNo>> committed;  // next seq to read, per shard
  std::uint64_t lag = 0;                             // messages not yet committed
  std::uint32_t members = 0;
  std::uint64_t parked = 0;                  // handed back by members that ended (Redis)
  std::uint64_t stale_pending = 0;           // pending on members idle past the claim time
  std::vector<std::string> stale_members;    // those members
};

struct StreamInfo {
  std::string name;
  std::vector<ShardInfo> shards;
  Retention retention;
  std::vector<GroupInfo> groups;
};

namespace core {

// Synchronous management calls: each runs the loop until its answer is in.
class Admin {
 public:
  virtual ~Admin() = default;
  virtual Result<std::vector<std::string>> list() = 0;
  virtual Result<StreamInfo> describe(const StreamKey& stream) = 0;
  virtual Result<void> create(const StreamKey& stream, const CreateOptions& options) = 0;
  virtual Result<void> remove(const StreamKey& stream) = 0;
  virtual Result<void> trim(const StreamKey& stream, const TrimSpec& spec) = 0;
  virtual Result<void> set_retention(const StreamKey& stream, const Retention& retention) = 0;
  // Moves a group's committed position (`seek --group G --commit`).
  virtual Result<void> set_group_position(const std::string& group, const StreamKey& stream,
                                          ShardId shard, SeqNo next_seq) = 0;
};

class Streamer {
 public:
  virtual ~Streamer() = default;
  virtual const Uri& uri() const = 0;
  virtual Result<std::unique_ptr<Producer>> create_producer(const StreamKey& stream,
                                                            const ProducerOptions& options) = 0;
  virtual Result<std::unique_ptr<Consumer>> create_consumer(std::span<const StreamKey> streams,
                                                            const ConsumerOptions& options) = 0;
  virtual Admin& admin() = 0;

  // One snapshot of every stream's counters, for `sea streamer top` (core/stats.hpp). Runs the
  // loop like Admin calls do. This default asks the Admin (list + describe per stream) and
  // knows neither previews nor producers; backends override it with something cheaper.
  virtual Result<ClusterStats> stats(const StatsRequest& request) {
    ClusterStats out;
    out.sampled_at = now_ms();
    Result<std::vector<std::string>> names = admin().list();
    if (!names) return names.error();
    for (const std::string& name : *names) {
      if (!request.filter.empty() && name.find(request.filter) == std::string::npos) continue;
      if (out.streams.size() >= request.max_streams) {
        out.truncated = true;
        break;
      }
      Result<StreamKey> key = StreamKey::parse(name);
      if (!key) continue;
      Result<StreamInfo> info = admin().describe(*key);
      out.requests += 2;
      if (!info) continue;  // removed between list and describe
      StreamStats stream;
      stream.name = name;
      for (const ShardInfo& shard : info->shards) {
        stream.shards.push_back(ShardStats{shard.id, shard.first_seq, shard.next_seq > 0 ? shard.next_seq - 1 : 0,
                                           shard.next_seq, std::nullopt, shard.last_ts});
        stream.last_ts = std::max(stream.last_ts, shard.last_ts);
      }
      for (const GroupInfo& group : info->groups) {
        GroupStats g;
        g.name = group.name;
        g.members = group.members;
        g.lag = group.lag;
        g.committed = group.committed;
        stream.groups.push_back(std::move(g));
      }
      out.streams.push_back(std::move(stream));
    }
    out.requests += 1;
    return out;
  }
};

}  // namespace core
using namespace core;  // NOLINT: the tree's names for the loop-driven interfaces (see the top)

}  // namespace sea
