// The pipelined producer of producer.hpp.
#include "backends/redis/producer.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>

#include "backends/redis/layout.hpp"
#include "backends/redis/xadd_command.hpp"
#include "core/murmur2.hpp"

namespace sea::redis {

namespace {

constexpr std::uint64_t kEntryOverheadBytes = 64;

// What one message in the window costs besides its encoded fields: the Entry, the heap block of
// its fields, the connection's reply slot (Connection::Pending) and hiredis's callback node.
// Counted in window_bytes_, so that max_in_flight_bytes bounds the memory the window holds.
constexpr std::size_t kEntryMemoryBytes = 160;

}  // namespace

RedisProducer::RedisProducer(loop::Loop& loop, std::unique_ptr<Router> router, StreamKey stream,
                             ProducerOptions options)
    : router_(std::move(router)), stream_(std::move(stream)), options_(std::move(options)),
      retry_timer_(loop), age_timer_(loop) {
  router_->set_on_ready([this] { on_ready(); });
  router_->set_on_drained([this] { pump(); });
  router_->set_on_fatal([this](const std::string& why) {
    const Error error{Errc::backend, why, 0};
    fatal_ = error;
    for (Entry& entry : window_)
      if (entry.state != State::done) finish(entry, error);
    settle();
  });
  if (router_->ready()) on_ready();
}

RedisProducer::~RedisProducer() = default;

void RedisProducer::on_ready() {
  if (discovered_) return pump();
  if (discovering_) return;
  discovering_ = true;
  discover_shards(*router_, stream_.str(), [this](Result<ShardLayout> layout) {
    if (!layout) {
      discovering_ = false;
      if (layout.error().code == Errc::closed) return;  // retried when a node is back
      // The key is not a stream: every message fails with that reason.
      while (!window_.empty()) {
        finish(window_.front(), layout.error());
        settle();
      }
      return;
    }
    layout_ = std::move(*layout);
    shard_count_ = layout_.shard_count();
    read_retention(*router_, stream_.str(), [this](Result<Retention> retention) {
      discovering_ = false;
      if (!retention) return;
      retention_ = *retention;
      discovered_ = true;
      if (retention_.max_age_ms) {
        age_timer_.start(1000, 1000, [this] { trim_by_age(); });
        age_timer_.unref();
      }
      pump();
    });
  });
}

Result<Producer::Ticket> RedisProducer::send(const MessageView& message) {
  if (fatal_) return *fatal_;
  std::size_t size = message.payload.size() + message.key.size();
  for (const HeaderView& h : message.headers) size += h.key.size() + h.value.size();
  if (size > options_.max_message_bytes)
    return make_error(Errc::invalid_argument, "message of {} bytes exceeds the limit of {} bytes", size,
                      options_.max_message_bytes);
  if (options_.delivery == Delivery::exactly_once && !message.has_key)
    return make_error(Errc::invalid_argument,
                      "exactly-once delivery to Redis dedupes by message key, and this message has none "
                      "(give one with --key)");
  Entry entry;
  entry.ticket = next_ticket_++;
  entry.has_key = message.has_key;
  entry.ts = message.ts;
  if (message.has_key) entry.key_hash = murmur2(message.key) & 0x7fffffff;
  // One allocation of about the encoded size (at most 16 bytes of RESP framing per bulk string:
  // `$<len>\r\n` + `\r\n`, plus the short field names) instead of growth by doubling, which
  // would leave up to half of each entry's block unused.
  entry.fields.reserve(size + message.key.size() + 1 + 16 * (6 + 2 * message.headers.size()));
  if (options_.delivery == Delivery::exactly_once) {
    entry.fields.append(message.key).push_back('\0');
    if (message.ts != 0) {
      append_bulk(entry.fields, "ts");
      append_bulk(entry.fields, std::to_string(message.ts));
      entry.field_count += 2;
    }
  }
  entry.field_count += static_cast<std::uint32_t>(append_entry_fields(entry.fields, message));
  entry.memory = entry.fields.capacity() + kEntryMemoryBytes;
  window_bytes_ += entry.memory;
  encoded_bytes_ += entry.fields.size();
  ++sent_;
  window_.push_back(std::move(entry));
  // The caller pauses its input when this send made the window congested; on_drain_ must then
  // come, even if the very next reply already brings the window back under the bound.
  if (congested()) was_congested_ = true;
  if (discovered_) pump();
  return window_.back().ticket;
}

bool RedisProducer::congested() const {
  std::size_t open = 0;
  if (!window_.empty()) open = static_cast<std::size_t>(next_ticket_ - window_.front().ticket);
  return open >= options_.max_in_flight || window_bytes_ >= options_.max_in_flight_bytes;
}

void RedisProducer::pump() {
  if (!discovered_ || window_.empty()) return;
  const Ticket front = window_.front().ticket;
  std::size_t i = resend_from_ > front ? static_cast<std::size_t>(resend_from_ - front) : 0;
  std::optional<Ticket> skipped;  // the first entry left queued behind a probing shard's probe
  for (; i < window_.size(); ++i) {
    Entry& entry = window_[i];
    if (entry.state != State::queued) continue;
    if (entry.shard == kAnyShard) {
      if (options_.shard != kAnyShard) entry.shard = options_.shard;
      else if (entry.has_key) entry.shard = entry.key_hash % shard_count_;
      else entry.shard = round_robin_++ % shard_count_;
    }
    const ShardFlow& flow = flow_of(entry.shard);
    if (flow.probing && flow.in_flight > 0) {
      if (!skipped) skipped = entry.ticket;
      continue;
    }
    const std::string key = producer_shard_key(stream_.str(), entry.shard, layout_.sharded);
    // hiredis's buffer is full enough: go on when it has drained (router on_drained), so that
    // it holds a slice of the window and not a second copy of all of it.
    if (router_->backlogged(key)) break;
    if (!transmit(entry, key)) break;
  }
  resend_from_ = i < window_.size() ? window_[i].ticket : next_ticket_;
  if (skipped) resend_from_ = std::min(resend_from_, *skipped);
}

bool RedisProducer::transmit(Entry& entry, const std::string& key) {
  if (entry.ts != 0 && options_.delivery != Delivery::exactly_once && !entry.force_script &&
      !tops_[entry.shard].known) {
    ask_top(entry.shard, key);
    return false;  // pump() runs again when the answer is in: one round trip per shard
  }
  std::string_view fields = entry.fields;
  command_.clear();
  if (options_.delivery == Delivery::exactly_once) {
    const std::size_t nul = fields.find('\0');
    const std::string dedupe = fmt::format("sea-dedupe:{{{}}}:{}", key, fields.substr(0, nul));
    fields.remove_prefix(nul + 1);
    build_dedupe_xadd(command_, key, dedupe, options_.dedupe_window_ms, fields, entry.field_count);
    return send_command(entry, key);
  }
  std::string max_len;
  if (retention_.max_bytes && sent_ > 0) {
    const std::uint64_t average = encoded_bytes_ / sent_ + kEntryOverheadBytes;
    max_len = std::to_string(std::max<std::uint64_t>(1, *retention_.max_bytes / average));
  }
  if (entry.ts != 0 && plain_stamp_ok(entry)) {
    // The explicit id cannot be refused (see plain_stamp_ok): a plain XADD, 3x cheaper.
    build_xadd(command_, key, max_len, fmt::format("{}-*", entry.ts), fields, entry.field_count);
    return send_command(entry, key, true);
  }
  if (entry.ts != 0 && stamp_refused(entry)) {
    // The script would fall back to `*` plus the field `ts`: that, as a plain XADD.
    std::string with_ts;
    append_bulk(with_ts, "ts");
    append_bulk(with_ts, std::to_string(entry.ts));
    with_ts.append(fields);
    build_xadd(command_, key, max_len, "*", with_ts, entry.field_count + 2);
    return send_command(entry, key);
  }
  if (entry.ts != 0) build_stamped_xadd(command_, key, entry.ts, max_len, fields, entry.field_count);
  else build_xadd(command_, key, max_len, "*", fields, entry.field_count);
  return send_command(entry, key);
}

bool RedisProducer::send_command(Entry& entry, const std::string& key, bool predicted) {
  const Ticket ticket = entry.ticket;
  Result<void> sent = router_->command(key, command_, [this, ticket](redisReply* reply, const Error* error) {
    on_reply(ticket, reply, error);
  });
  if (!sent) return false;
  entry.state = State::in_flight;
  ++flow_of(entry.shard).in_flight;
  ShardTop& top = tops_[entry.shard];
  entry.unpredicted = !predicted;
  if (predicted) top.ms = std::max<std::uint64_t>(top.ms, static_cast<std::uint64_t>(entry.ts));
  else ++top.unpredicted_in_flight;
  return true;
}

void RedisProducer::ask_top(ShardId shard, const std::string& key) {
  ShardTop& top = tops_[shard];
  if (top.asked) return;
  Result<void> sent = router_->command(key, format_command({"XREVRANGE", key, "+", "-", "COUNT", "1"}),
                                       [this, shard](redisReply* reply, const Error* error) {
    ShardTop& t = tops_[shard];
    t.asked = false;
    if (error != nullptr) return;  // asked again when the entry is sent again
    t.known = true;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1 && reply->element[0]->type == REDIS_REPLY_ARRAY &&
        reply->element[0]->elements >= 1) {
      Result<EntryId> id = EntryId::parse(reply_text(reply->element[0]->element[0]));
      if (id) t.ms = std::max(t.ms, id->ms);
    }
    pump();
  });
  if (sent) top.asked = true;
}

bool RedisProducer::plain_stamp_ok(const Entry& entry) {
  // `XADD K <ts>-*` is refused when the shard's top id is later than ts. It is safe when the
  // top is known (from a reply), no script is in flight there (its fallback `*` may make the
  // top "now"), and ts is not before the latest id this producer has asked for; otherwise the
  // script decides on the server, in pipeline order.
  if (options_.delivery == Delivery::exactly_once || entry.force_script) return false;
  const auto it = tops_.find(entry.shard);
  if (it == tops_.end() || !it->second.known || it->second.unpredicted_in_flight > 0) return false;
  return static_cast<std::uint64_t>(entry.ts) >= it->second.ms;
}

bool RedisProducer::stamp_refused(const Entry& entry) const {
  // A known top is a lower bound of the shard's real top when this command runs: ids only grow,
  // and everything before it in the pipeline is counted in (predicted) or answered. A ts before
  // it is refused for sure, however many `*` entries of unknown id are in flight.
  if (options_.delivery == Delivery::exactly_once) return false;
  const auto it = tops_.find(entry.shard);
  return it != tops_.end() && it->second.known && static_cast<std::uint64_t>(entry.ts) < it->second.ms;
}

void RedisProducer::note_reply(Entry& entry, redisReply* reply) {
  ShardTop& top = tops_[entry.shard];
  if (entry.unpredicted) {
    --top.unpredicted_in_flight;
    entry.unpredicted = false;
  }
  if (reply == nullptr) return;
  if (reply->type == REDIS_REPLY_ERROR) {
    // Someone else wrote a later id meanwhile: this entry goes again through the script, and the
    // shard's top must be learnt anew. (A later message of ours already in the pipeline may then
    // land before this one: the one case where order is not kept, documented in producer.hpp.)
    if (reply_text(reply).find("equal or smaller") != std::string_view::npos) {
      entry.force_script = true;
      top.known = false;
    }
    return;
  }
  Result<EntryId> id = EntryId::parse(reply_text(reply));
  if (!id) return;
  top.known = true;
  top.ms = std::max(top.ms, id->ms);
}

void RedisProducer::on_reply(Ticket ticket, redisReply* reply, const Error* error) {
  if (window_.empty() || ticket < window_.front().ticket) return;
  Entry& entry = window_[static_cast<std::size_t>(ticket - window_.front().ticket)];
  if (entry.state != State::in_flight) return;
  --flow_of(entry.shard).in_flight;  // (no reference kept: callbacks below may grow flows_)
  note_reply(entry, error == nullptr ? reply : nullptr);
  if (entry.force_script && error == nullptr && reply->type == REDIS_REPLY_ERROR &&
      reply_text(reply).find("equal or smaller") != std::string_view::npos) {
    entry.state = State::queued;
    resend_from_ = std::min(resend_from_, ticket);
    retry_timer_.start(0, 0, [this] { pump(); });
    settle();
    return;
  }
  if (error != nullptr) {
    if (options_.delivery == Delivery::at_most_once) {
      finish(entry, *error);
    } else {
      // Lost with its connection: send it again when the node is back, one at a time until one
      // is written. A restarted server answers -LOADING while it reads its data back: had the
      // whole window gone again at once, the entries refused before loading ended would be
      // retried after later ones were written (out of order; faults/redis-faults saw it).
      entry.state = State::queued;
      resend_from_ = std::min(resend_from_, ticket);
      flow_of(entry.shard).probing = true;
    }
  } else if (reply->type == REDIS_REPLY_ERROR) {
    if (transient_refusal(reply_text(reply)) && options_.delivery != Delivery::at_most_once) {
      entry.state = State::queued;
      resend_from_ = std::min(resend_from_, ticket);
      flow_of(entry.shard).probing = true;
      retry_timer_.start(100, 0, [this] { pump(); });
    } else {
      finish(entry, reply_error(fmt::format("XADD to '{}'", stream_.str()), reply));
    }
  } else {
    Result<EntryId> id = EntryId::parse(reply_text(reply));
    if (ShardFlow& flow = flow_of(entry.shard); flow.probing) {
      // Written: the shard's pipeline resumes with what waited behind the probe.
      flow.probing = false;
      retry_timer_.start(0, 0, [this] { pump(); });
    }
    const Timestamp ts = entry.ts != 0 ? entry.ts : static_cast<Timestamp>(id ? id->ms : 0);
    if (id) finish(entry, Receipt{entry.shard, id->to_seq(), ts});
    else finish(entry, id.error());
  }
  settle();
}

void RedisProducer::finish(Entry& entry, const Result<Receipt>& outcome) {
  entry.state = State::done;
  window_bytes_ -= entry.memory;
  entry.memory = 0;
  std::string().swap(entry.fields);
  if (outcome.ok()) {
    ++acknowledged_;
  } else {
    ++failed_;
    for (FlushWaiter& waiter : flushes_)
      if (waiter.last >= entry.ticket && !waiter.error) waiter.error = outcome.error();
  }
  if (on_delivery_) on_delivery_(entry.ticket, outcome);
}

void RedisProducer::settle() {
  while (!window_.empty() && window_.front().state == State::done) window_.pop_front();
  if (congested()) {
    was_congested_ = true;
  } else if (was_congested_) {
    const std::size_t open = window_.empty() ? 0 : static_cast<std::size_t>(next_ticket_ - window_.front().ticket);
    if (open <= options_.max_in_flight / 2 && window_bytes_ <= options_.max_in_flight_bytes / 2) {
      was_congested_ = false;
      if (on_drain_) on_drain_();
    }
  }
  while (!flushes_.empty() && (window_.empty() || window_.front().ticket > flushes_.front().last)) {
    FlushWaiter waiter = std::move(flushes_.front());
    flushes_.pop_front();
    if (waiter.error) waiter.done(*waiter.error);
    else waiter.done(ok());
  }
}

void RedisProducer::flush(std::function<void(Result<void>)> done) {
  if (fatal_) return done(*fatal_);
  if (window_.empty()) return done(ok());
  flushes_.push_back(FlushWaiter{next_ticket_ - 1, std::nullopt, std::move(done)});
  pump();
}

void RedisProducer::trim_by_age() {
  if (!retention_.max_age_ms || !router_->ready()) return;
  const std::string min_id = fmt::format("{}-0", std::max<Timestamp>(0, now_ms() - *retention_.max_age_ms));
  for (std::uint32_t shard = 0; shard < shard_count_; ++shard) {
    const std::string key = producer_shard_key(stream_.str(), shard, layout_.sharded);
    (void)router_->command(key, format_command({"XTRIM", key, "MINID", "~", min_id}), nullptr);
  }
}

}  // namespace sea::redis
