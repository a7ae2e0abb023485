// KafkaProducer: configuration per delivery mode, the produce call, delivery reports, the
// completion window behind flush(), and the overflow FIFO behind QUEUE_FULL backpressure.
#include "backends/kafka/kafka_producer.hpp"

#include <algorithm>
#include <array>
#include <thread>

namespace sea::kafka {

namespace {

// Per-mode settings the user may not override without changing the guarantee.
Properties delivery_properties(Delivery delivery) {
  switch (delivery) {
    case Delivery::at_most_once:
      return {{"acks", "1"}, {"message.send.max.retries", "0"}, {"enable.idempotence", "false"}};
    case Delivery::at_least_once: return {{"acks", "all"}};  // and idempotence by default: create()
    case Delivery::exactly_once: return {{"enable.idempotence", "true"}, {"acks", "all"}};
  }
  return {};
}

bool sets_partitioner(const Properties& properties) {
  return properties.contains("partitioner") || properties.contains("topic.partitioner");
}

// The first partition from `first` on whose leader is known, or `first` when none is.
std::int32_t first_available(const rd_kafka_topic_t* rkt, std::int32_t first, std::int32_t partitions) {
  for (std::int32_t i = 0; i < partitions; ++i) {
    const std::int32_t candidate = (first + i) % partitions;
    if (rd_kafka_topic_partition_available(rkt, candidate)) return candidate;
  }
  return first;
}

// Keyless messages go round robin (SPEC §2) in runs chosen by produce() (see keyless_run_),
// to a partition whose leader is known when there is one; keyed ones through Kafka's murmur2
// (Java's default partitioner). Runs on the producing thread, or on librdkafka's main thread
// when messages queued before the topic's metadata arrived are placed.
std::int32_t partition_for(const rd_kafka_topic_t* rkt, const void* key, std::size_t key_len,
                           std::int32_t partitions, void* topic_opaque, void* message_opaque) {
  if (key != nullptr)
    return rd_kafka_msg_partitioner_murmur2(rkt, key, key_len, partitions, topic_opaque, message_opaque);
  auto* run = static_cast<KeylessRun*>(topic_opaque);
  if (std::this_thread::get_id() != run->producing_thread) {
    // Messages sent before the topic's metadata came are placed here, all at once, on
    // librdkafka's thread: one by one, by ticket. Not by availability: librdkafka hands the
    // partitions to their brokers just after this, so at this moment most look unavailable
    // and every message would go to the one or two that do not.
    const auto ticket = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(message_opaque));
    return static_cast<std::int32_t>(ticket % static_cast<std::uint64_t>(partitions));
  }
  const std::uint64_t index = run->index.load(std::memory_order_relaxed);
  // The partition found for this run is remembered: probing a partition takes locks.
  const std::uint64_t placed = run->placed.load(std::memory_order_relaxed);
  const auto placed_partition = static_cast<std::int32_t>(placed & 0xffffff);
  if ((placed >> 24) == (index & 0xffffffffff) && placed_partition < partitions) return placed_partition;
  const std::int32_t chosen = first_available(rkt, static_cast<std::int32_t>(index % static_cast<std::uint64_t>(partitions)), partitions);
  if (chosen <= 0xffffff) run->placed.store(((index & 0xffffffffff) << 24) | static_cast<std::uint64_t>(chosen), std::memory_order_relaxed);
  return chosen;
}

}  // namespace

KafkaProducer::KafkaProducer(loop::Loop& loop, const ProducerOptions& options)
    : loop_(loop), options_(options), deferred_(loop, [this] { complete_flushes(); }) {}

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::create(loop::Loop& loop, ClientConfig config,
                                                             const std::string& topic,
                                                             const ProducerOptions& options) {
  // 1. Check what we cannot honour before touching the network.
  if (options.transaction_id.empty() &&
      (options.properties.contains("transactional.id") || config.user.contains("transactional.id")))
    return make_error(Errc::unsupported,
                      "Kafka transactions (transactional.id) are used only by relay --delivery exactly-once; "
                      "use --delivery exactly-once here for the idempotent producer");
  // 2. Tune for throughput like kcat -P (same librdkafka), with librdkafka's own queue sized
  //    above our in-flight window so that QUEUE_FULL stays the exception.
  const std::size_t queue_messages = std::max<std::size_t>(options.max_in_flight * 2, 100'000);
  const std::size_t queue_kbytes = std::max<std::size_t>(options.max_in_flight_bytes * 2 / 1024, 65'536);
  config.defaults["linger.ms"] = std::string("5");
  config.defaults["batch.num.messages"] = std::string("10000");
  config.defaults["batch.size"] = std::string("1000000");
  config.defaults["queue.buffering.max.messages"] = std::to_string(queue_messages);
  config.defaults["queue.buffering.max.kbytes"] = std::to_string(queue_kbytes);
  config.defaults["message.max.bytes"] = std::to_string(std::max<std::size_t>(options.max_message_bytes + 4096, 1'000'000));
  // Messages without a key spread over every partition (SPEC §2), not stuck to one partition
  // per batch as librdkafka's sticky partitioner would do by default.
  config.defaults["sticky.partitioning.linger.ms"] = std::string("0");
  // At-least-once keeps each partition's order through retries (SPEC §2) only with the
  // idempotent producer: without it librdkafka may resend a refused request after later ones
  // of the same partition succeeded (tests/faults/kafka-produce-faults.sh saw it). -X
  // enable.idempotence=false still turns it off, for brokers older than 0.11.
  if (options.delivery == Delivery::at_least_once) config.defaults["enable.idempotence"] = std::string("true");
  config.per_client = options.properties;
  config.forced = delivery_properties(options.delivery);
  config.user.erase("transactional.id");
  if (!options.transaction_id.empty()) {
    config.forced["transactional.id"] = options.transaction_id;
    config.forced["enable.idempotence"] = std::string("true");
    config.forced["acks"] = std::string("all");
  }
  Result<ConfPtr> conf = build_conf(config);
  if (!conf) return conf.error();
  std::unique_ptr<KafkaProducer> self(new KafkaProducer(loop, options));
  rd_kafka_conf_set_opaque(conf->get(), self.get());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &KafkaProducer::delivery_report);
  if (!sets_partitioner(config.user) && !sets_partitioner(config.per_client)) {
    rd_kafka_topic_conf_t* topic_conf = rd_kafka_conf_get_default_topic_conf(conf->get());
    if (topic_conf == nullptr) {
      topic_conf = rd_kafka_topic_conf_new();
      rd_kafka_conf_set_default_topic_conf(conf->get(), topic_conf);
    }
    rd_kafka_topic_conf_set_partitioner_cb(topic_conf, &partition_for);
    rd_kafka_topic_conf_set_opaque(topic_conf, &self->keyless_run_);
  }
  // 3. Create the client and the topic handle (one name lookup, not one per message).
  Result<HandlePtr> rk = create_client(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) return rk.error();
  self->rk_ = std::move(*rk);
  self->topic_.reset(rd_kafka_topic_new(self->rk_.get(), topic.c_str(), nullptr));
  if (!self->topic_) return kafka_error(rd_kafka_last_error(), fmt::format("open topic {}", topic));
  // 4. Delivery reports arrive on the main queue; its io event wakes the loop.
  self->main_queue_.reset(rd_kafka_queue_get_main(self->rk_.get()));
  KafkaProducer* raw = self.get();
  SEA_TRY(self->wake_.start(loop, self->main_queue_.get(), [raw] { raw->on_wake(); }));
  // 5. A transactional producer registers its id (fencing older instances with the same id).
  if (!options.transaction_id.empty()) SEA_TRY(self->init_transactions());
  return self;
}

KafkaProducer::~KafkaProducer() {
  wake_.stop();
  on_delivery_ = {};
  if (rk_) flush_on_close();
  topic_.reset();
  main_queue_.reset();
}

void KafkaProducer::flush_on_close() {
  // Give queued messages their chance, as a closing Kafka producer does, but only while the
  // cluster takes them: a caller that already gave up on a backend that is down (sea's bounded
  // shutdown flush) must not wait another 30 s here. Any delivery resets the stall clock.
  constexpr int kSliceMs = 100;
  constexpr int kCloseStallMs = 1000;
  int stalled_ms = 0;
  int left = rd_kafka_outq_len(rk_.get());
  while (left > 0 && stalled_ms < kCloseStallMs) {
    (void)rd_kafka_flush(rk_.get(), kSliceMs);  // returns early once everything is out
    const int now = rd_kafka_outq_len(rk_.get());
    stalled_ms = now < left ? 0 : stalled_ms + kSliceMs;
    left = now;
  }
}

bool KafkaProducer::congested() const {
  const std::uint64_t in_flight = sent() - acknowledged_ - failed_;
  return !pending_.empty() || in_flight >= options_.max_in_flight || in_flight_bytes_ >= options_.max_in_flight_bytes;
}

Result<void> KafkaProducer::produce(const MessageView& m, Ticket ticket) {
  // Key, value, partition, timestamp, opaque, flags, topic: 7 fixed slots, then headers.
  constexpr std::size_t kFixed = 7;
  constexpr std::size_t kMaxInline = 32;
  std::array<rd_kafka_vu_t, kFixed + kMaxInline> inline_vus;
  std::vector<rd_kafka_vu_t> heap_vus;
  rd_kafka_vu_t* vus = inline_vus.data();
  if (m.headers.size() > kMaxInline) {
    heap_vus.resize(kFixed + m.headers.size());
    vus = heap_vus.data();
  }
  std::size_t n = 0;
  vus[n].vtype = RD_KAFKA_VTYPE_RKT;
  vus[n++].u.rkt = topic_.get();
  vus[n].vtype = RD_KAFKA_VTYPE_VALUE;
  vus[n].u.mem.ptr = const_cast<char*>(m.payload.data());
  vus[n++].u.mem.size = m.payload.size();
  if (m.has_key) {
    vus[n].vtype = RD_KAFKA_VTYPE_KEY;
    vus[n].u.mem.ptr = const_cast<char*>(m.key.data());
    vus[n++].u.mem.size = m.key.size();
  }
  const ShardId shard = options_.shard != kAnyShard ? options_.shard : m.shard;
  if (!m.has_key && shard == kAnyShard) next_keyless();
  vus[n].vtype = RD_KAFKA_VTYPE_PARTITION;
  vus[n++].u.i32 = shard == kAnyShard ? RD_KAFKA_PARTITION_UA : static_cast<std::int32_t>(shard);
  if (m.ts != 0) {
    vus[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
    vus[n++].u.i64 = m.ts;
  }
  vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vus[n++].u.ptr = reinterpret_cast<void*>(static_cast<std::uintptr_t>(ticket));
  vus[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vus[n++].u.i = RD_KAFKA_MSG_F_COPY;
  // librdkafka wants NUL-terminated header names: keep them in a reused buffer.
  thread_local std::string names;
  names.clear();
  for (const HeaderView& h : m.headers) names.append(h.key).push_back('\0');
  std::size_t at = 0;
  for (const HeaderView& h : m.headers) {
    vus[n].vtype = RD_KAFKA_VTYPE_HEADER;
    vus[n].u.header.name = names.data() + at;
    vus[n].u.header.val = h.value.data();
    vus[n++].u.header.size = static_cast<ssize_t>(h.value.size());
    at += h.key.size() + 1;
  }
  rd_kafka_error_t* error = rd_kafka_produceva(rk_.get(), vus, n);
  if (error == nullptr) return ok();
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  rd_kafka_error_destroy(error);
  return kafka_error(code, fmt::format("produce to {}", rd_kafka_topic_name(topic_.get())));
}

void KafkaProducer::next_keyless() {
  // Runs grow 1, 2, 4 ... 32 while messages keep coming within one tick of the loop's clock
  // (one read from the input) and start again at 1 when it moves: a trickle goes round robin
  // message by message, a short burst still reaches every partition, a long one goes in runs of 32,
  // which librdkafka enqueues and batches a quarter cheaper than one partition per message
  // (Kafka's own sticky partitioners keep a partition for a whole batch).
  constexpr std::uint32_t kLongestRun = 32;
  const std::uint64_t now = loop_.now_ms();
  if (now != run_started_ms_ || run_length_ >= run_cap_) {
    run_cap_ = now != run_started_ms_ ? 1 : std::min(run_cap_ * 2, kLongestRun);
    keyless_run_.index.fetch_add(1, std::memory_order_relaxed);
    run_length_ = 0;
    run_started_ms_ = now;
  }
  ++run_length_;
}

Result<Producer::Ticket> KafkaProducer::send(const MessageView& message) {
  if (message.payload.size() > options_.max_message_bytes)
    return make_error(Errc::invalid_argument, "message of {} bytes exceeds the limit of {} bytes",
                      message.payload.size(), options_.max_message_bytes);
  const Ticket ticket = next_ticket_;
  if (pending_.empty()) {
    Result<void> produced = produce(message, ticket);
    if (!produced && produced.error().backend_code != RD_KAFKA_RESP_ERR__QUEUE_FULL) return produced.error();
    if (!produced) pending_.push_back({ticket, Message::from_view(message)});
  } else {
    pending_.push_back({ticket, Message::from_view(message)});  // keep the order behind the queue
  }
  ++next_ticket_;
  completed_.push_back(false);
  in_flight_bytes_ += message.payload.size() + message.key.size();
  if (congested()) drain_wanted_ = true;
  return ticket;
}

void KafkaProducer::retry_pending() {
  while (!pending_.empty()) {
    Pending& p = pending_.front();
    std::vector<HeaderView> headers;
    for (const Header& h : p.message.headers) headers.push_back({h.key, h.value});
    MessageView view{.stream = p.message.stream, .shard = p.message.shard, .seq = 0, .ts = p.message.ts,
                     .has_key = p.message.key.has_value(), .key = p.message.key ? *p.message.key : std::string_view(),
                     .headers = headers, .payload = p.message.payload};
    Result<void> produced = produce(view, p.ticket);
    if (!produced && produced.error().backend_code == RD_KAFKA_RESP_ERR__QUEUE_FULL) return;
    Pending done = std::move(p);
    pending_.pop_front();
    if (!produced) report(done.ticket, produced.error(), done.message.payload.size() + view.key.size());
  }
}

void KafkaProducer::delivery_report(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  const auto ticket = static_cast<Ticket>(reinterpret_cast<std::uintptr_t>(m->_private));
  const std::size_t bytes = m->len + m->key_len;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->report(ticket, kafka_error(m->err, fmt::format("deliver to {} [{}]", rd_kafka_topic_name(m->rkt), m->partition)), bytes);
    return;
  }
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  const std::int64_t ts = rd_kafka_message_timestamp(m, &type);
  self->report(ticket, Receipt{static_cast<ShardId>(m->partition), static_cast<SeqNo>(std::max<std::int64_t>(m->offset, 0)), ts}, bytes);
}

void KafkaProducer::report(Ticket ticket, const Result<Receipt>& outcome, std::size_t bytes) {
  if (outcome) ++acknowledged_;
  else ++failed_;
  in_flight_bytes_ -= std::min(in_flight_bytes_, bytes);
  if (!outcome)
    for (FlushWaiter& w : flushes_)
      if (ticket <= w.target && !w.first_error) w.first_error = outcome.error();
  SEA_ASSERT(ticket >= window_base_ && ticket - window_base_ < completed_.size(), "delivery report for an unknown ticket");
  completed_[ticket - window_base_] = true;
  while (!completed_.empty() && completed_.front()) {
    completed_.pop_front();
    ++window_base_;
  }
  if (on_delivery_) on_delivery_(ticket, outcome);
}

void KafkaProducer::on_wake() {
  // Serves every delivery report queued so far (each calls delivery_report on this thread).
  rd_kafka_poll(rk_.get(), 0);
  retry_pending();
  complete_flushes();
  if (drain_wanted_ && !congested()) {
    drain_wanted_ = false;
    if (on_drain_) on_drain_();
  }
}

void KafkaProducer::flush(std::function<void(Result<void>)> done) {
  flushes_.push_back({next_ticket_ - 1, std::nullopt, std::move(done)});
  deferred_.schedule();
}

void KafkaProducer::complete_flushes() {
  while (!flushes_.empty() && flushes_.front().target < window_base_) {
    FlushWaiter w = std::move(flushes_.front());
    flushes_.pop_front();
    if (w.first_error) w.done(*w.first_error);
    else w.done(ok());
  }
}

}  // namespace sea::kafka
