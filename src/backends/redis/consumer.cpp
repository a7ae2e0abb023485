// The consumer of consumer.hpp, part one: tuning, start-up (shard discovery, group creation,
// start positions), poll() and the calls that move positions. The reads are in
// consumer_reads.cpp.
#include "backends/redis/consumer.hpp"

#include <hiredis/hiredis.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

namespace sea::redis {

namespace {

Result<std::uint64_t> parse_property(const std::string& name, const std::string& value) {
  std::uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || ptr != value.data() + value.size() || n == 0)
    return make_error(Errc::invalid_argument, "-X {}={}: expected a positive integer", name, value);
  return n;
}

// KEYS[1] the shard; ARGV[1] the group, ARGV[2] this member, ARGV[3] the parking consumer.
// Moves every entry pending on the member to the parking consumer with delivery time 0 (so
// that any claim takes it at once), then deletes the member (consumer.hpp, "Ending cleanly").
// XCLAIM drops ids no longer in the stream from the pending list. Bounded: 300 x 1000 ids.
constexpr std::string_view kReleaseScript =
    "local moved = 0 "
    "for round = 1, 300 do "
    "  local p = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1000, ARGV[2]) "
    "  if #p == 0 then break end "
    "  local a = {'XCLAIM', KEYS[1], ARGV[1], ARGV[3], '0'} "
    "  for i = 1, #p do a[#a + 1] = p[i][1] end "
    "  a[#a + 1] = 'TIME' a[#a + 1] = '0' a[#a + 1] = 'JUSTID' "
    "  redis.call(unpack(a)) "
    "  moved = moved + #p "
    "end "
    "if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) == 0 then "
    "  redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2]) "
    "end "
    "return moved";

std::string default_member() {
  char host[256] = "sea";
  ::gethostname(host, sizeof host - 1);
  return fmt::format("{}-{}", host, ::getpid());
}

}  // namespace

Result<ConsumerTuning> ConsumerTuning::parse(const Properties& properties) {
  ConsumerTuning tuning;
  for (const auto& [name, value] : properties) {
    Result<std::uint64_t> n = parse_property(name, value);
    if (!n) return n.error();
    if (name == "read.count") tuning.read_count = std::min<std::uint64_t>(*n, 100'000);
    else if (name == "claim.min.idle.ms") tuning.claim_min_idle_ms = *n;
    else if (name == "claim.interval.ms") tuning.claim_interval_ms = *n;
    else if (name == "ack.interval.ms") tuning.ack_interval_ms = *n;
    else
      return make_error(Errc::invalid_argument,
                        "-X {}: not a consumer property of the redis backend (known: read.count, "
                        "claim.min.idle.ms, claim.interval.ms, ack.interval.ms)", name);
  }
  return tuning;
}

RedisConsumer::RedisConsumer(loop::Loop& loop, std::unique_ptr<Router> router, std::vector<StreamKey> streams,
                             ConsumerOptions options, ConsumerTuning tuning)
    : router_(std::move(router)), streams_(std::move(streams)), options_(std::move(options)),
      tuning_(tuning), group_mode_(!options_.group.empty()),
      member_(options_.member.empty() ? default_member() : options_.member),
      notify_defer_(loop, [this] { if (on_readable_) on_readable_(); }),
      retry_timer_(loop), ack_timer_(loop), claim_timer_(loop) {
  router_->set_on_ready([this] { on_ready(); });
  router_->set_on_fatal([this](const std::string& why) {
    fatal_ = Error{Errc::backend, why, 0};
    notify();
  });
  if (group_mode_) {
    claim_timer_.start(tuning_.claim_interval_ms, tuning_.claim_interval_ms, [this] { claim(); });
    claim_timer_.unref();
  }
  if (router_->ready()) on_ready();
}

RedisConsumer::~RedisConsumer() {
  release();
  for (Batch& batch : batches_) free_elements(batch.entries);
}

void RedisConsumer::release() {
  if (!group_mode_ || fatal_ || !router_->ready()) return;
  flush_acks();
  // Sent now, written and answered while the router's connections drain on destruction (at
  // most a second, Connection::drain_before_close), after the XACKs above on the same
  // connection. The tails are closed before that, but a close is not ordered with commands
  // on another connection: CLIENT UNBLOCK is.
  for (const Shard& shard : shards_) {
    if (!shard.positioned) continue;
    if (shard.tail && shard.tail_id_known)
      (void)router_->command(shard.key, format_command({"CLIENT", "UNBLOCK", std::to_string(shard.tail_client_id)}),
                             nullptr);
    (void)router_->command(shard.key,
                           format_command({"EVAL", kReleaseScript, "1", shard.key, options_.group, member_,
                                           kParkedConsumer}),
                           nullptr);
  }
}

void RedisConsumer::on_ready() {
  if (discovered_ < streams_.size()) {
    if (!discovering_) discover(discovered_);
    return;
  }
  for (std::size_t i = 0; i < shards_.size(); ++i)
    if (!shards_[i].positioned) position(i);
  read_all();
}

void RedisConsumer::discover(std::size_t stream) {
  discovering_ = true;
  const std::string name = streams_[stream].str();
  discover_shards(*router_, name, [this, stream, name](Result<ShardLayout> layout) {
    discovering_ = false;
    if (!layout) {
      last_error_ = layout.error().message;
      if (layout.error().code != Errc::closed) retry_timer_.start(1000, 0, [this] { on_ready(); });
      return;
    }
    // A stream that does not exist yet is read as its plain key, where a first producer writes.
    if (layout->shards.empty()) layout->shards.push_back(ShardKey{0, name});
    for (ShardKey& s : layout->shards) {
      if (!options_.shards.empty() &&
          std::find(options_.shards.begin(), options_.shards.end(), s.id) == options_.shards.end())
        continue;
      Shard shard;
      shard.stream = stream;
      shard.id = s.id;
      shard.key = std::move(s.key);
      shards_.push_back(std::move(shard));
    }
    ++discovered_;
    on_ready();
  });
}

std::string RedisConsumer::start_id_for_group(const Shard& shard) const {
  const StartPosition& start = options_.start;
  switch (start.kind) {
    case StartPosition::Kind::earliest: return "0";
    case StartPosition::Kind::latest: return "$";
    case StartPosition::Kind::seq:
      if (start.shard != kAnyShard && start.shard != shard.id) return "0";
      return EntryId::from_seq(start.seq).previous().str();
    case StartPosition::Kind::time: return EntryId{static_cast<std::uint64_t>(start.time), 0}.previous().str();
  }
  return "$";
}

void RedisConsumer::position(std::size_t index) {
  Shard& shard = shards_[index];
  if (shard.reading) return;
  if (group_mode_) {
    const std::string cmd =
        format_command({"XGROUP", "CREATE", shard.key, options_.group, start_id_for_group(shard), "MKSTREAM"});
    shard.reading = true;
    Result<void> sent = router_->command(shard.key, cmd, [this, index](redisReply* reply, const Error* error) {
      shards_[index].reading = false;
      if (error != nullptr) return on_read_error(index, *error);
      if (reply->type == REDIS_REPLY_ERROR && !reply_text(reply).starts_with("BUSYGROUP"))
        return on_read_error(index, reply_error("XGROUP CREATE", reply));
      shards_[index].phase = Phase::claim;
      shards_[index].claim_cursor = EntryId{};
      positioned(index);
    });
    if (!sent) shard.reading = false;
    return;
  }
  const StartPosition& start = options_.start;
  switch (start.kind) {
    case StartPosition::Kind::earliest: shard.next = EntryId{}; break;
    case StartPosition::Kind::time: shard.next = EntryId{static_cast<std::uint64_t>(std::max<Timestamp>(0, start.time)), 0}; break;
    case StartPosition::Kind::seq:
      shard.next = start.shard == kAnyShard || start.shard == shard.id ? EntryId::from_seq(start.seq) : EntryId{};
      break;
    case StartPosition::Kind::latest: {
      shard.reading = true;
      const std::string cmd = format_command({"XREVRANGE", shard.key, "+", "-", "COUNT", "1"});
      Result<void> sent = router_->command(shard.key, cmd, [this, index](redisReply* reply, const Error* error) {
        Shard& s = shards_[index];
        s.reading = false;
        if (error != nullptr) return on_read_error(index, *error);
        if (reply->type != REDIS_REPLY_ARRAY) return on_read_error(index, reply_error("XREVRANGE", reply));
        s.next = EntryId{};
        if (reply->elements == 1 && reply->element[0]->type == REDIS_REPLY_ARRAY && reply->element[0]->elements == 2) {
          Result<EntryId> last = EntryId::parse(reply_text(reply->element[0]->element[0]));
          if (last) s.next = last->next();
        }
        positioned(index);
      });
      if (!sent) shard.reading = false;
      return;
    }
  }
  positioned(index);
}

void RedisConsumer::positioned(std::size_t index) {
  shards_[index].positioned = true;
  read(index);
}

std::size_t RedisConsumer::poll(std::size_t max, const Sink& sink) {
  std::size_t delivered = 0;
  MessageView view;
  EntryId id;
  while (delivered < max && !batches_.empty()) {
    Batch& batch = batches_.front();
    Shard& shard = shards_[batch.shard];
    view.stream = streams_[shard.stream].str();
    view.shard = shard.id;
    while (batch.pos < batch.entries.count && delivered < max && batch.generation == shard.generation) {
      const redisReply* entry = batch.entries.elements[batch.pos++];
      --buffered_entries_;
      if (!decode_entry(entry, id, view, headers_, scratch_)) continue;
      shard.next = std::max(shard.next, id.next());
      if (group_mode_) {
        shard.unacked.push_back(id);
        ++unacked_total_;
      }
      ++delivered;
      ++handed_total_;
      sink(view);
    }
    if (batch.pos < batch.entries.count && batch.generation == shard.generation) break;
    buffered_entries_ -= batch.entries.count - batch.pos;  // (a batch of an old position: dropped)
    free_elements(batch.entries);
    buffered_bytes_ -= batch.bytes;
    batches_.pop_front();
  }
  if (!paused()) read_all();
  return delivered;
}

bool RedisConsumer::at_end() const {
  if (discovered_ < streams_.size() || !batches_.empty()) return false;
  for (const Shard& shard : shards_)
    if (!shard.positioned || !shard.caught_up) return false;
  return true;
}

void RedisConsumer::reposition(std::size_t index, EntryId next) {
  Shard& shard = shards_[index];
  ++shard.generation;  // buffered and in-flight entries of the old position are dropped
  shard.next = next;
  shard.caught_up = false;
  shard.tail.reset();
  shard.tail_waiting = false;
  if (group_mode_) {
    // A group's position lives in Redis: move it, then read new entries from there.
    const std::string cmd = format_command({"XGROUP", "SETID", shard.key, options_.group, next.previous().str()});
    (void)router_->command(shard.key, cmd, nullptr);
    shard.phase = Phase::pages;
  }
  if (shard.positioned) read(index);
}

Result<void> RedisConsumer::seek(Timestamp time) {
  if (time < 0) return make_error(Errc::invalid_argument, "cannot seek to a time before 1970: {}", time);
  options_.start = StartPosition{StartPosition::Kind::time, 0, kAnyShard, time};
  for (std::size_t i = 0; i < shards_.size(); ++i) reposition(i, EntryId{static_cast<std::uint64_t>(time), 0});
  return ok();
}

Result<void> RedisConsumer::assign(ShardId shard, SeqNo seq) {
  bool found = false;
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    if (shards_[i].id != shard) continue;
    found = true;
    reposition(i, EntryId::from_seq(seq));
  }
  if (!found && discovered_ == streams_.size())
    return make_error(Errc::not_found, "shard {} is not read by this consumer", shard);
  if (!found) options_.start = StartPosition{StartPosition::Kind::seq, seq, shard, 0};
  return ok();
}

void RedisConsumer::ack(std::string_view stream, ShardId shard_id, SeqNo seq) {
  if (!group_mode_) return;
  for (Shard& shard : shards_) {
    if (shard.id != shard_id || shard.unacked.empty() || streams_[shard.stream].str() != stream) continue;
    // Ack in hand-out order up to the entry with this seq (claimed entries may be older than
    // ones handed out before them); without an exact match, everything up to seq.
    std::size_t upto = 0;
    const auto exact = std::find_if(shard.unacked.begin(), shard.unacked.end(),
                                    [seq](const EntryId& id) { return id.to_seq() == seq; });
    if (exact != shard.unacked.end()) {
      upto = static_cast<std::size_t>(exact - shard.unacked.begin()) + 1;
    } else {
      while (upto < shard.unacked.size() && shard.unacked[upto].to_seq() <= seq) ++upto;
    }
    for (std::size_t i = 0; i < upto; ++i) shard.to_ack.push_back(shard.unacked[i].str());
    shard.unacked.erase(shard.unacked.begin(), shard.unacked.begin() + static_cast<std::ptrdiff_t>(upto));
    unacked_total_ -= upto;
  }
  std::size_t queued = 0;
  for (const Shard& shard : shards_) queued += shard.to_ack.size();
  if (queued >= 1000) {
    flush_acks();
  } else if (queued > 0 && !ack_timer_armed_) {
    ack_timer_armed_ = true;
    ack_timer_.start(tuning_.ack_interval_ms, 0, [this] { flush_acks(); });
  }
  if (!paused()) read_all();
}

Result<void> RedisConsumer::commit_now() {
  flush_acks();
  return ok();
}

std::vector<ShardId> RedisConsumer::shards() const {
  std::vector<ShardId> out;
  for (const Shard& shard : shards_) out.push_back(shard.id);
  return out;
}

void RedisConsumer::notify() { notify_defer_.schedule(); }

}  // namespace sea::redis
