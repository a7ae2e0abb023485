// The pipelined producer of producer.hpp.
#include "backends/redis/producer.hpp"

#include <hiredis/hiredis.h>

#include <unistd.h>

#include <algorithm>
#include <random>

#include "backends/redis/layout.hpp"
#include "core/murmur2.hpp"

namespace sea::redis {

namespace {

constexpr std::uint64_t kEntryOverheadBytes = 64;

// What one message in the window costs besides its encoded fields: the Entry, the heap block of
// its fields, the connection's reply slot (Connection::Pending) and hiredis's callback node.
// Counted in window_bytes_, so that max_in_flight_bytes bounds the memory the window holds.
constexpr std::size_t kEntryMemoryBytes = 160;

// A batch closes at this many messages or bytes of fields (a script of 512 XADDs runs about
// 1 ms on the server, far below any busy-reply-threshold), and a shard has at most this many
// batches in flight: enough to keep the pipeline full, few enough that what arrives meanwhile
// makes the next batch large.
constexpr std::size_t kBatchEntries = 512;
constexpr std::size_t kBatchBytes = 256 * 1024;
constexpr std::uint32_t kBatchesInFlight = 4;

// The order marker outlives any batch in flight (command timeout, failover) by far; a marker
// gone too early only makes a batch skip and be sent again.
constexpr std::uint64_t kMarkerTtlMs = 10 * 60 * 1000;

// How long a shard waits after a transient refusal before it sends again.
constexpr Timestamp kRefusalPauseMs = 100;

std::string new_producer_id() {
  static std::uint64_t count = 0;
  std::random_device random;
  return fmt::format("{}-{}-{:08x}", ::getpid(), ++count, random());
}

}  // namespace

RedisProducer::RedisProducer(loop::Loop& loop, std::unique_ptr<Router> router, StreamKey stream,
                             ProducerOptions options)
    : router_(std::move(router)), stream_(std::move(stream)), options_(std::move(options)),
      producer_id_(new_producer_id()), pump_soon_(loop, [this] { pump(); }), retry_timer_(loop), age_timer_(loop) {
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
  if (discovered_) pump_soon_.schedule();
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
  Ticket unsent = next_ticket_;  // the first entry left queued
  bool failed = false;
  std::string key;
  // One time for the whole walk: a shard once closed must stay closed until the walk ends, or
  // its later entries would go before the earlier ones it skipped.
  const Timestamp now = now_ms();
  for (; i < window_.size(); ++i) {
    Entry& entry = window_[i];
    if (entry.state != State::queued) continue;
    if (entry.shard == kAnyShard) {
      if (options_.shard != kAnyShard) entry.shard = options_.shard;
      else if (entry.has_key) entry.shard = entry.key_hash % shard_count_;
      else entry.shard = round_robin_++ % shard_count_;
    }
    ShardFlow& flow = flow_of(entry.shard);
    if (!shard_open(flow, now)) {
      unsent = std::min(unsent, entry.ticket);
      continue;
    }
    key = producer_shard_key(stream_.str(), entry.shard, layout_.sharded);
    // hiredis's buffer is full enough: go on when it has drained (router on_drained), so that
    // it holds a slice of the window and not a second copy of all of it.
    if (flow.open_tickets.empty() && router_->backlogged(key)) break;
    add_to_batch(entry, key);
    if (flow.open.entries() >= kBatchEntries || flow.open.bytes() >= kBatchBytes) {
      const Ticket first = flow.open_tickets.front();
      if (!send_batch(entry.shard, key)) {
        unsent = std::min(unsent, first);
        failed = true;
        break;
      }
    }
  }
  if (i < window_.size() && !failed) unsent = std::min(unsent, window_[i].ticket);
  // The batches still open hold only entries before the stop: send them (in shard order; each
  // shard's own order is what counts).
  for (ShardId shard = 0; shard < flows_.size(); ++shard) {
    ShardFlow& flow = flows_[shard];
    if (flow.open_tickets.empty()) continue;
    const Ticket first = flow.open_tickets.front();
    if (!send_batch(shard, producer_shard_key(stream_.str(), shard, layout_.sharded))) unsent = std::min(unsent, first);
  }
  resend_from_ = unsent;
}

bool RedisProducer::shard_open(ShardFlow& flow, Timestamp now) {
  if (!flow.open_tickets.empty()) return true;  // a batch being filled this round
  if (flow.batches >= kBatchesInFlight) return false;
  if (flow.stalled && flow.batches > 0) return false;
  if (flow.hold_until != 0) {
    if (now < flow.hold_until) {
      // Look again when the pause is over (the retry timer may run a little early).
      if (wake_at_ == 0 || wake_at_ > flow.hold_until) {
        wake_at_ = flow.hold_until;
        retry_timer_.start(static_cast<std::uint64_t>(flow.hold_until - now) + 1, 0, [this] {
          wake_at_ = 0;
          pump();
        });
      }
      return false;
    }
    flow.hold_until = 0;
  }
  flow.stalled = false;
  return true;
}

void RedisProducer::add_to_batch(Entry& entry, const std::string& key) {
  ShardFlow& flow = flow_of(entry.shard);
  if (flow.open_tickets.empty()) {
    std::string max_len;
    if (retention_.max_bytes && sent_ > 0) {
      const std::uint64_t average = encoded_bytes_ / sent_ + kEntryOverheadBytes;
      max_len = std::to_string(std::max<std::uint64_t>(1, *retention_.max_bytes / average));
    }
    // Chained to the last batch of the shard while that one is in flight; else on its own
    // (every earlier batch has answered, see "Order per shard" in producer.hpp).
    const std::string prev = flow.batches > 0 ? std::to_string(flow.last) : std::string();
    flow.open.start(key, fmt::format("sea-order:{{{}}}:{}", key, producer_id_), prev, std::to_string(next_batch_),
                    kMarkerTtlMs, max_len, options_.dedupe_window_ms);
  }
  std::string_view fields = entry.fields;
  if (options_.delivery == Delivery::exactly_once) {
    const std::size_t nul = fields.find('\0');
    const std::string dedupe = fmt::format("sea-dedupe:{{{}}}:{}", key, fields.substr(0, nul));
    fields.remove_prefix(nul + 1);
    flow.open.add(fields, entry.field_count, entry.ts, dedupe);
  } else {
    flow.open.add(fields, entry.field_count, entry.ts);
  }
  flow.open_tickets.push_back(entry.ticket);
}

bool RedisProducer::send_batch(ShardId shard, const std::string& key) {
  ShardFlow& flow = flow_of(shard);
  flow.open.build(command_);
  const std::uint64_t token = next_batch_;
  Result<void> sent = router_->command(key, command_, [this, token](redisReply* reply, const Error* error) {
    on_reply(token, reply, error);
  });
  if (!sent) {
    flow.open_tickets.clear();  // they stay queued
    return false;
  }
  ++next_batch_;
  ++flow.batches;
  flow.last = token;
  for (Ticket ticket : flow.open_tickets) entry_of(ticket)->state = State::in_flight;
  batches_.emplace(token, Batch{shard, std::move(flow.open_tickets)});
  flow.open_tickets = {};
  return true;
}

RedisProducer::Entry* RedisProducer::entry_of(Ticket ticket) {
  if (window_.empty() || ticket < window_.front().ticket) return nullptr;
  const std::size_t at = static_cast<std::size_t>(ticket - window_.front().ticket);
  return at < window_.size() ? &window_[at] : nullptr;
}

void RedisProducer::requeue(Ticket ticket) {
  if (Entry* entry = entry_of(ticket); entry != nullptr && entry->state == State::in_flight) {
    entry->state = State::queued;
    resend_from_ = std::min(resend_from_, ticket);
  }
}

void RedisProducer::on_reply(std::uint64_t token, redisReply* reply, const Error* error) {
  const auto it = batches_.find(token);
  if (it == batches_.end()) return;
  const Batch batch = std::move(it->second);
  batches_.erase(it);
  --flow_of(batch.shard).batches;  // (no reference kept: callbacks below may grow flows_)
  const auto stall = [&] { flow_of(batch.shard).stalled = true; };
  if (error != nullptr) {
    // Lost with its connection, written or not: sent again when the node is back (at-least-once).
    stall();
    for (Ticket ticket : batch.tickets) {
      if (options_.delivery != Delivery::at_most_once) requeue(ticket);
      else if (Entry* entry = entry_of(ticket); entry != nullptr && entry->state == State::in_flight)
        finish(*entry, *error);
    }
  } else if (reply->type == REDIS_REPLY_ERROR) {
    const std::string_view text = reply_text(reply);
    stall();
    if (text.starts_with(kOrderSkipError)) {
      // Not written, as an earlier batch was not: safe to send again in every delivery mode.
      for (Ticket ticket : batch.tickets) requeue(ticket);
    } else if (transient_refusal(text) && options_.delivery != Delivery::at_most_once) {
      for (Ticket ticket : batch.tickets) requeue(ticket);
      flow_of(batch.shard).hold_until = now_ms() + kRefusalPauseMs;  // pump() arms the retry timer
    } else {
      const Error refused = reply_error(fmt::format("XADD to '{}'", stream_.str()), reply);
      for (Ticket ticket : batch.tickets)
        if (Entry* entry = entry_of(ticket); entry != nullptr && entry->state == State::in_flight)
          finish(*entry, refused);
    }
  } else if (reply->type != REDIS_REPLY_ARRAY || reply->elements != batch.tickets.size()) {
    stall();
    const Error odd{Errc::backend,
                    fmt::format("XADD to '{}': the batch of {} got an unexpected reply", stream_.str(),
                                batch.tickets.size()),
                    0};
    for (Ticket ticket : batch.tickets)
      if (Entry* entry = entry_of(ticket); entry != nullptr && entry->state == State::in_flight) finish(*entry, odd);
  } else {
    for (std::size_t k = 0; k < batch.tickets.size(); ++k) {
      Entry* entry = entry_of(batch.tickets[k]);
      if (entry == nullptr || entry->state != State::in_flight) continue;
      Result<EntryId> id = EntryId::parse(reply_text(reply->element[k]));
      const Timestamp ts = entry->ts != 0 ? entry->ts : static_cast<Timestamp>(id ? id->ms : 0);
      if (id) finish(*entry, Receipt{batch.shard, id->to_seq(), ts});
      else finish(*entry, id.error());
    }
  }
  settle();
  pump_soon_.schedule();
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
