// The consumer of consumer.hpp, part two: the read commands of each phase (own pending
// history, pages, blocking tail), what their replies do to the shard's state, batched XACKs
// and XAUTOCLAIM.
#include <hiredis/hiredis.h>

#include "backends/redis/consumer.hpp"

namespace sea::redis {

namespace {

constexpr std::size_t kMaxUnacked = 65'536;
constexpr std::size_t kAckChunk = 1000;

// The entries array of an XREAD/XREADGROUP reply for one key: [[key, [entries...]]] or nil.
redisReply* entries_of_read(redisReply* reply) {
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) return nullptr;
  redisReply* stream = reply->element[0];
  if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2) return nullptr;
  return stream->element[1];
}

std::size_t entry_bytes(const redisReply* entry) {
  std::size_t bytes = 64;
  if (entry == nullptr || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) return bytes;
  const redisReply* fields = entry->element[1];
  if (fields->type != REDIS_REPLY_ARRAY) return bytes;
  for (std::size_t i = 0; i < fields->elements; ++i) bytes += fields->element[i]->len + 16;
  return bytes;
}

}  // namespace

bool RedisConsumer::paused() const {
  return buffered_bytes_ >= options_.max_buffer_bytes || unacked_total_ >= kMaxUnacked;
}

std::size_t RedisConsumer::wanted() const {
  if (options_.max_messages == 0) return tuning_.read_count;
  const std::uint64_t taken = handed_total_ + buffered_entries_;
  if (taken >= options_.max_messages) return 0;
  return static_cast<std::size_t>(std::min<std::uint64_t>(tuning_.read_count, options_.max_messages - taken));
}

void RedisConsumer::read_all() {
  if (discovered_ < streams_.size()) return;
  for (std::size_t i = 0; i < shards_.size(); ++i) read(i);
}

void RedisConsumer::read(std::size_t index) {
  Shard& shard = shards_[index];
  if (!shard.positioned || shard.reading || paused()) return;
  if (shard.phase == Phase::claim) return claim_at_start(index);
  const std::size_t want = wanted();
  if (want == 0) return;  // -c N has all it will take: read no further (poll() reads on)
  if (shard.phase == Phase::tail) return read_tail(index);
  const std::string count = std::to_string(want);
  std::string cmd;
  if (!group_mode_) {
    cmd = format_command({"XRANGE", shard.key, shard.next.str(), "+", "COUNT", count});
  } else if (shard.phase == Phase::history) {
    cmd = format_command({"XREADGROUP", "GROUP", options_.group, member_, "COUNT", count, "STREAMS", shard.key,
                          shard.history_after.str()});
  } else {
    cmd = format_command({"XREADGROUP", "GROUP", options_.group, member_, "COUNT", count, "STREAMS", shard.key, ">"});
  }
  const std::uint64_t generation = shard.generation;
  Result<void> sent =
      router_->command(shard.key, cmd, [this, index, generation, want](redisReply* reply, const Error* error) {
        shards_[index].reading = false;
        if (error != nullptr) return on_read_error(index, *error);
        if (reply->type == REDIS_REPLY_ERROR) return on_read_error(index, reply_error(shards_[index].key, reply));
        on_entries(index, generation, group_mode_ ? entries_of_read(reply) : reply, want);
      });
  if (sent) shard.reading = true;
}

void RedisConsumer::claim_at_start(std::size_t index) {
  Shard& shard = shards_[index];
  // JUSTID: the entries only change owner here; the history phase then reads them from our own
  // pending list, in id order, with the rest of it.
  const std::string cmd = format_command({"XAUTOCLAIM", shard.key, options_.group, member_,
                                          std::to_string(tuning_.claim_min_idle_ms), shard.claim_cursor.str(),
                                          "COUNT", "1000", "JUSTID"});
  const std::uint64_t generation = shard.generation;
  Result<void> sent = router_->command(shard.key, cmd, [this, index, generation](redisReply* reply, const Error* error) {
    Shard& s = shards_[index];
    s.reading = false;
    if (error != nullptr) return on_read_error(index, *error);
    if (reply->type == REDIS_REPLY_ERROR) return on_read_error(index, reply_error("XAUTOCLAIM", reply));
    if (generation != s.generation || s.phase != Phase::claim) return read(index);
    Result<EntryId> cursor =
        reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2 ? EntryId::parse(reply_text(reply->element[0]))
                                                                 : Result<EntryId>(EntryId{});
    s.claim_cursor = cursor ? *cursor : EntryId{};
    if (s.claim_cursor == EntryId{}) {
      s.phase = Phase::history;
      s.history_after = EntryId{};
    }
    read(index);
  });
  if (sent) shard.reading = true;
}

void RedisConsumer::read_tail(std::size_t index) {
  Shard& shard = shards_[index];
  if (shard.tail_waiting) return;
  // A tail whose connection dropped is opened again, at the node that serves the key now: its
  // node may be gone for good (a cluster master killed, a replica promoted in its place), and
  // a Connection only ever reconnects to its own address. (Replaced here, never from inside its
  // own callbacks.)
  if (shard.tail && shard.tail_lost) shard.tail.reset();
  shard.tail_lost = false;
  if (!shard.tail) {
    shard.tail = router_->open_for_key(shard.key, "tail");
    shard.tail_id_known = false;
    shard.tail->set_on_state([this, index](bool up) {
      shards_[index].tail_lost = !up;  // back at the same node: kept
      shards_[index].tail_id_known = false;
      if (up) return read(index);
      shards_[index].tail_waiting = false;
    });
  }
  if (!shard.tail->up()) return;  // read again when it connects
  if (group_mode_ && !shard.tail_id_known) {
    // Pipelined ahead of the blocking read: the id that release() unblocks at the end.
    const std::uint64_t generation = shard.generation;
    (void)shard.tail->command(format_command({"CLIENT", "ID"}), [this, index, generation](redisReply* reply, const Error* error) {
      Shard& s = shards_[index];
      if (error != nullptr || generation != s.generation || reply->type != REDIS_REPLY_INTEGER) return;
      s.tail_client_id = reply->integer;
      s.tail_id_known = true;
    });
  }
  const std::size_t want = wanted();
  const std::string count = std::to_string(want);
  const std::string cmd =
      group_mode_ ? format_command({"XREADGROUP", "GROUP", options_.group, member_, "COUNT", count, "BLOCK", "0",
                                    "STREAMS", shard.key, ">"})
                  : format_command({"XREAD", "COUNT", count, "BLOCK", "0", "STREAMS", shard.key,
                                    shard.next.previous().str()});
  const std::uint64_t generation = shard.generation;
  Result<void> sent = shard.tail->command(cmd, [this, index, generation, want](redisReply* reply, const Error* error) {
    Shard& s = shards_[index];
    if (generation != s.generation) return read(index);  // a seek dropped this connection's purpose
    s.tail_waiting = false;
    if (error != nullptr) {
      // The connection dropped, maybe with a reply in flight that the server already counted
      // as delivered to us (pending): with a group, read our own pending first. The shard reads
      // on through the router, which follows the slot map (the node may be gone: a cluster
      // failover), until it is caught up and opens its tail again.
      s.phase = group_mode_ ? Phase::history : Phase::pages;
      s.tail_lost = true;
      return read(index);
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      // MOVED after a slot migration, NOGROUP...: take the normal path, which follows it.
      s.phase = Phase::pages;
      s.tail.reset();
      return on_read_error(index, reply_error(s.key, reply));
    }
    on_entries(index, generation, entries_of_read(reply), want);
  }, true);
  if (sent) shard.tail_waiting = true;
}

void RedisConsumer::on_entries(std::size_t index, std::uint64_t generation, redisReply* entries, std::size_t asked) {
  Shard& shard = shards_[index];
  if (generation != shard.generation) return read(index);
  StolenElements stolen = steal_elements(entries);
  const std::size_t n = stolen.count;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const redisReply* entry = stolen.elements[i];
    bytes += entry_bytes(entry);
    // An entry deleted while pending comes back without fields: ack it, nobody can read it.
    if (shard.phase == Phase::history && entry->type == REDIS_REPLY_ARRAY && entry->elements == 2 &&
        entry->element[1]->type != REDIS_REPLY_ARRAY)
      shard.to_ack.emplace_back(reply_text(entry->element[0]));
  }
  if (n > 0) {
    const redisReply* last = stolen.elements[n - 1];
    if (last->type == REDIS_REPLY_ARRAY && last->elements == 2) {
      Result<EntryId> id = EntryId::parse(reply_text(last->element[0]));
      if (id && shard.phase == Phase::history) {
        shard.history_after = *id;
      } else if (id) {
        shard.next = id->next();
        // With a group, what `>` reads is pending on us from the moment the server sends it:
        // remembered so a reply lost with its connection is read again from our own pending.
        if (group_mode_) shard.history_after = *id;
      }
    }
    batches_.push_back(Batch{index, generation, stolen, 0, bytes});
    buffered_bytes_ += bytes;
    buffered_entries_ += n;
  } else {
    free_elements(stolen);
  }
  const bool full = n >= asked;
  if (shard.phase == Phase::history) {
    if (n == 0) shard.phase = Phase::pages;
  } else if (!full) {
    shard.phase = Phase::tail;
    shard.caught_up = true;
  } else {
    shard.phase = Phase::pages;
    shard.caught_up = false;
  }
  notify();
  read(index);
}

void RedisConsumer::on_read_error(std::size_t index, const Error& error) {
  last_error_ = error.message;
  // A read lost with its connection may have been delivered (pending) on the server: with a
  // group, our own pending entries after the last one received are read first on reconnect.
  // (A shard still taking over parked entries finishes that first.)
  if (group_mode_ && error.code == Errc::closed && shards_[index].phase != Phase::claim)
    shards_[index].phase = Phase::history;
  if (error.message.find("NOGROUP") != std::string::npos) shards_[index].positioned = false;
  if (error.code != Errc::closed || !router_->ready())
    retry_timer_.start(1000, 0, [this] { on_ready(); });
}

void RedisConsumer::flush_acks() {
  ack_timer_armed_ = false;
  for (Shard& shard : shards_) {
    for (std::size_t from = 0; from < shard.to_ack.size(); from += kAckChunk) {
      std::vector<std::string> args{"XACK", shard.key, options_.group};
      const std::size_t to = std::min(shard.to_ack.size(), from + kAckChunk);
      for (std::size_t i = from; i < to; ++i) args.push_back(std::move(shard.to_ack[i]));
      // An XACK lost with its connection leaves the entry pending: it is delivered again
      // (by XAUTOCLAIM), never lost.
      (void)router_->command(shard.key, format_command(args), nullptr);
    }
    shard.to_ack.clear();
  }
}

void RedisConsumer::claim() {
  if (paused() || !router_->ready() || wanted() == 0) return;
  for (std::size_t index = 0; index < shards_.size(); ++index) {
    Shard& shard = shards_[index];
    // A shard still reading its own pending list would read what this claims a second time.
    if (!shard.positioned || shard.phase == Phase::claim || shard.phase == Phase::history) continue;
    const std::string cmd = format_command({"XAUTOCLAIM", shard.key, options_.group, member_,
                                            std::to_string(tuning_.claim_min_idle_ms), shard.claim_cursor.str(),
                                            "COUNT", std::to_string(wanted())});
    const std::uint64_t generation = shard.generation;
    (void)router_->command(shard.key, cmd, [this, index, generation](redisReply* reply, const Error* error) {
      if (error != nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements < 2) return;
      Shard& s = shards_[index];
      Result<EntryId> cursor = EntryId::parse(reply_text(reply->element[0]));
      if (cursor) s.claim_cursor = *cursor;
      if (generation != s.generation) return;
      StolenElements stolen = steal_elements(reply->element[1]);
      std::size_t bytes = 0;
      for (std::size_t i = 0; i < stolen.count; ++i) bytes += entry_bytes(stolen.elements[i]);
      if (stolen.count == 0) return free_elements(stolen);
      batches_.push_back(Batch{index, generation, stolen, 0, bytes});
      buffered_bytes_ += bytes;
      buffered_entries_ += stolen.count;
      notify();
    });
  }
}

}  // namespace sea::redis
