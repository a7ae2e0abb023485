// KafkaConsumer: creation (group or self-assigned), the batch refill and zero-copy hand-out,
// end-of-partition tracking, and repositioning. Group rebalancing is in kafka_rebalance.cpp.
#include "backends/kafka/kafka_consumer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "backends/kafka/time_seek.hpp"

namespace sea::kafka {

namespace {

constexpr std::size_t kBatch = 4096;

}  // namespace

KafkaConsumer::KafkaConsumer(loop::Loop& loop, const ConsumerOptions& options)
    : loop_(loop), options_(options), deferred_(loop, [this] { if (on_readable_) on_readable_(); }) {}

Result<std::unique_ptr<KafkaConsumer>> KafkaConsumer::create(loop::Loop& loop, ClientConfig config,
                                                             std::vector<std::string> topics,
                                                             const ConsumerOptions& options) {
  // 1. Check the request: a mode that commits needs a group to commit under.
  if (topics.empty()) return make_error(Errc::invalid_argument, "consume: no topic given");
  if (options.mode != ConsumerMode::latest && options.group.empty())
    return make_error(Errc::invalid_argument, "Kafka consumer mode {} needs a consumer group (--group)",
                      consumer_mode_name(options.mode));
  // 2. Configure: bounded prefetch, EOF events, offsets stored only on ack.
  const std::size_t kbytes = std::max<std::size_t>(options.max_buffer_bytes / 1024, 1024);
  config.defaults["queued.max.messages.kbytes"] = std::to_string(kbytes);
  config.defaults["fetch.max.bytes"] = std::to_string(std::min<std::size_t>(kbytes * 1024, 52'428'800));
  config.defaults["fetch.wait.max.ms"] = std::string("100");
  config.per_client = options.properties;
  config.forced["enable.partition.eof"] = std::string("true");
  config.forced["enable.auto.offset.store"] = std::string("false");
  if (options.group.empty()) {
    // A private group id only so that assign() works; this client never joins nor commits.
    config.forced["group.id"] = fmt::format("sea-nogroup-{}-{}", getpid(), static_cast<const void*>(&config));
    config.forced["enable.auto.commit"] = std::string("false");
  } else {
    config.forced["group.id"] = options.group;
    config.defaults["enable.auto.commit"] = std::string("true");
    config.defaults["auto.commit.interval.ms"] = std::string("1000");
    config.defaults["auto.offset.reset"] = std::string(options.start.kind == StartPosition::Kind::earliest ? "earliest" : "latest");
    if (!options.member.empty()) config.client_id = options.member;
  }
  if (options.mode == ConsumerMode::exactly_once) config.forced["isolation.level"] = std::string("read_committed");
  if (options.commit_in_transactions) {
    if (options.mode != ConsumerMode::exactly_once || options.group.empty())
      return make_error(Errc::invalid_argument, "positions committed in transactions need mode exactly-once and a group");
    // Positions are committed by the output's transactions only (kafka_consumer.hpp).
    config.forced["enable.auto.commit"] = std::string("false");
  }
  Result<ConfPtr> conf = build_conf(config);
  if (!conf) return conf.error();
  std::unique_ptr<KafkaConsumer> self(new KafkaConsumer(loop, options));
  self->queue_limit_bytes_ = kbytes * 1024;
  if (const auto it = options.properties.find("queued.max.messages.kbytes"); it != options.properties.end())
    self->queue_limit_bytes_ = std::strtoull(it->second.c_str(), nullptr, 10) * 1024;
  if (const auto it = options.properties.find("queued.min.messages"); it != options.properties.end())
    self->queue_limit_messages_ = std::strtoull(it->second.c_str(), nullptr, 10);
  self->config_ = config;
  self->topics_ = std::move(topics);
  rd_kafka_conf_set_opaque(conf->get(), self.get());
  if (!options.group.empty()) rd_kafka_conf_set_rebalance_cb(conf->get(), &KafkaConsumer::rebalance_cb);
  // 3. Create the client: partitions' messages come through our queue (forwarded on assign),
  //    rebalances and errors through the consumer queue (see the header).
  Result<HandlePtr> rk = create_client(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk) return rk.error();
  self->rk_ = std::move(*rk);
  rd_kafka_poll_set_consumer(self->rk_.get());
  self->queue_.reset(rd_kafka_queue_new(self->rk_.get()));
  self->group_queue_.reset(rd_kafka_queue_get_consumer(self->rk_.get()));
  KafkaConsumer* raw = self.get();
  SEA_TRY(self->wake_.start(loop, self->queue_.get(), [raw] { raw->on_wake(); }));
  SEA_TRY(self->group_wake_.start(loop, self->group_queue_.get(), [raw] { raw->on_group_wake(); }));
  // 4. Start reading: join the group, or assign every partition at the start position.
  if (options.group.empty()) {
    SEA_TRY(self->start_without_group());
  } else {
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(self->topics_.size())));
    for (const std::string& t : self->topics_) rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    if (rd_kafka_resp_err_t err = rd_kafka_subscribe(self->rk_.get(), list.get()))
      return kafka_error(err, fmt::format("subscribe group {}", options.group));
  }
  return self;
}

Result<void> KafkaConsumer::start_without_group() {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(8));
  for (const std::string& topic : topics_) {
    TopicPtr rkt(rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr));
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_resp_err_t err = rd_kafka_metadata(rk_.get(), 0, rkt.get(), &md, kSyncTimeoutMs))
      return kafka_error(err, fmt::format("read metadata of topic {}", topic));
    std::unique_ptr<const rd_kafka_metadata_t, void (*)(const rd_kafka_metadata_t*)> guard(md, &rd_kafka_metadata_destroy);
    if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return kafka_error(md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
                         fmt::format("topic {}", topic));
    for (int p = 0; p < md->topics[0].partition_cnt; ++p) {
      const auto id = static_cast<ShardId>(md->topics[0].partitions[p].id);
      const bool wanted = options_.shards.empty() ? (options_.start.kind != StartPosition::Kind::seq ||
                                                     options_.start.shard == kAnyShard || options_.start.shard == id)
                                                  : std::find(options_.shards.begin(), options_.shards.end(), id) != options_.shards.end();
      if (wanted) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), static_cast<std::int32_t>(id));
    }
  }
  if (list->cnt == 0) return make_error(Errc::not_found, "no partition to consume (check --shard)");
  SEA_TRY(fill_from_start(list.get(), false));
  std::vector<PartKey> keys;
  for (int i = 0; i < list->cnt; ++i) keys.push_back(key_of(list->elems[i].topic, list->elems[i].partition));
  reset_parts(keys);
  forward_partitions(list.get());
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), list.get())) return kafka_error(err, "assign partitions");
  return ok();
}

Result<void> KafkaConsumer::fill_from_start(rd_kafka_topic_partition_list_t* parts, bool only_uncommitted) {
  const StartPosition& start = options_.start;
  std::vector<PartitionRef> timed;
  std::vector<int> timed_index;
  for (int i = 0; i < parts->cnt; ++i) {
    rd_kafka_topic_partition_t& p = parts->elems[i];
    if (only_uncommitted && p.offset >= 0) continue;  // the group's committed position wins
    switch (start.kind) {
      case StartPosition::Kind::earliest: p.offset = RD_KAFKA_OFFSET_BEGINNING; break;
      case StartPosition::Kind::latest: p.offset = RD_KAFKA_OFFSET_END; break;
      case StartPosition::Kind::seq:
        p.offset = (start.shard == kAnyShard || start.shard == static_cast<ShardId>(p.partition))
                       ? static_cast<std::int64_t>(start.seq) : RD_KAFKA_OFFSET_BEGINNING;
        break;
      case StartPosition::Kind::time:
        timed.push_back({p.topic, p.partition});
        timed_index.push_back(i);
        break;
    }
  }
  if (timed.empty()) return ok();
  Result<std::vector<std::int64_t>> offsets = resolve_time(config_, timed, start.time);
  if (!offsets) return offsets.error();
  for (std::size_t k = 0; k < timed.size(); ++k) parts->elems[timed_index[k]].offset = (*offsets)[k];
  return ok();
}

KafkaConsumer::~KafkaConsumer() {
  wake_.stop();
  group_wake_.stop();
  on_readable_ = {};
  for (std::size_t i = batch_pos_; i < batch_.size(); ++i) rd_kafka_message_destroy(batch_[i]);
  batch_.clear();
  batch_pos_ = 0;
  if (rk_) {
    store_acks();
    // Leaves the group; the revoke callback commits what was handed on.
    rd_kafka_consumer_close(rk_.get());
  }
  queue_.reset();
  group_queue_.reset();
}

KafkaConsumer::PartKey KafkaConsumer::key_of(const char* topic, std::int32_t partition) const {
  std::uint32_t index = 0;
  for (std::uint32_t i = 0; i < topics_.size(); ++i)
    if (topics_[i] == topic) index = i;
  return (static_cast<PartKey>(index) << 32) | static_cast<std::uint32_t>(partition);
}

KafkaConsumer::PartKey KafkaConsumer::key_of(const rd_kafka_message_t* m) {
  if (m->rkt != cached_rkt_) {
    cached_rkt_ = m->rkt;
    cached_topic_ = static_cast<std::uint32_t>(key_of(rd_kafka_topic_name(m->rkt), 0) >> 32);
  }
  return (static_cast<PartKey>(cached_topic_) << 32) | static_cast<std::uint32_t>(m->partition);
}

PartitionListPtr KafkaConsumer::list_of(const std::vector<PartKey>& keys) const {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(keys.size())));
  for (const PartKey k : keys)
    rd_kafka_topic_partition_list_add(list.get(), topics_[k >> 32].c_str(), static_cast<std::int32_t>(k & 0xffffffffU));
  return list;
}

void KafkaConsumer::reset_parts(const std::vector<PartKey>& keys) {
  for (const PartKey k : keys) parts_[k] = PartState{};
  if (std::find(keys.begin(), keys.end(), last_taken_key_) != keys.end()) last_taken_offset_ = -1;
}

void KafkaConsumer::drop_buffered(const std::vector<PartKey>& keys) {
  if (std::find(keys.begin(), keys.end(), last_taken_key_) != keys.end()) last_taken_offset_ = -1;
  std::size_t out = batch_pos_;
  for (std::size_t i = batch_pos_; i < batch_.size(); ++i) {
    if (std::find(keys.begin(), keys.end(), key_of(batch_[i])) != keys.end()) rd_kafka_message_destroy(batch_[i]);
    else batch_[out++] = batch_[i];
  }
  batch_.resize(out);
}

void KafkaConsumer::note_end(PartKey key, const rd_kafka_message_t* m, bool eof) {
  const auto it = parts_.find(key);
  if (it == parts_.end()) return;
  PartState& state = it->second;
  if (state.at_end) return;
  if (state.end_snapshot < 0) {
    std::int64_t low = 0, high = -1;
    if (rd_kafka_get_watermark_offsets(rk_.get(), rd_kafka_topic_name(m->rkt), m->partition, &low, &high) ==
        RD_KAFKA_RESP_ERR_NO_ERROR)
      state.end_snapshot = high;
  }
  if (eof || (state.end_snapshot >= 0 && m->offset + 1 >= state.end_snapshot)) state.at_end = true;
}

void KafkaConsumer::take_event(rd_kafka_message_t* m) {
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    batch_.push_back(m);
    return;
  }
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && m->rkt != nullptr) {
    note_end(key_of(m), m, true);
  } else {
    last_error_ = kafka_error(m->err, m->rkt != nullptr ? fmt::format("consume {} [{}]", rd_kafka_topic_name(m->rkt), m->partition)
                                                        : std::string("consume"));
  }
  rd_kafka_message_destroy(m);
}

void KafkaConsumer::forward_partitions(const rd_kafka_topic_partition_list_t* parts) {
  for (int i = 0; i < parts->cnt; ++i) {
    rd_kafka_queue_t* partition = rd_kafka_queue_get_partition(rk_.get(), parts->elems[i].topic, parts->elems[i].partition);
    if (partition == nullptr) continue;
    rd_kafka_queue_forward(partition, queue_.get());
    rd_kafka_queue_destroy(partition);
  }
}

void KafkaConsumer::on_group_wake() {
  // Serves rebalance callbacks (inside the call) and takes client errors. A message here
  // would belong to a partition not forwarded: it joins the batch in its order.
  std::vector<rd_kafka_message_t*> got(64);
  ssize_t n = 0;
  do {
    n = rd_kafka_consume_batch_queue(group_queue_.get(), 0, got.data(), got.size());
    for (ssize_t i = 0; i < n; ++i) take_event(got[static_cast<std::size_t>(i)]);
  } while (n == static_cast<ssize_t>(got.size()));
  deferred_.schedule();  // the assignment or the batch may have changed
}

bool KafkaConsumer::refill() {
  for (std::size_t i = batch_pos_; i < batch_.size(); ++i) rd_kafka_message_destroy(batch_[i]);
  batch_.clear();
  batch_pos_ = 0;
  store_acks();
  // Messages of partitions revoked meanwhile are dropped by librdkafka (their fetch version is
  // outdated), the rest stay in order per partition.
  std::vector<rd_kafka_message_t*> got(kBatch);
  const ssize_t n = rd_kafka_consume_batch_queue(queue_.get(), 0, got.data(), kBatch);
  std::size_t bytes = 0;
  for (ssize_t i = 0; i < n; ++i) {
    const rd_kafka_message_t* m = got[static_cast<std::size_t>(i)];
    bytes += m->len + m->key_len;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      last_taken_key_ = key_of(m);
      last_taken_offset_ = m->offset;
    }
  }
  for (ssize_t i = 0; i < n; ++i) take_event(got[static_cast<std::size_t>(i)]);
  // What is left, estimated at this batch's average size: near the bound, librdkafka has
  // stopped fetching; once it is all taken, restart_fetch wakes the fetcher (see the header).
  const auto left = static_cast<std::size_t>(rd_kafka_queue_length(queue_.get()));
  const std::size_t queued = left + static_cast<std::size_t>(n);
  if (n > 0 && (queued * (bytes / static_cast<std::size_t>(n)) >= queue_limit_bytes_ / 2 ||
                queued >= queue_limit_messages_ / 2))
    queue_filled_ = true;
  if (queue_filled_ && left == 0) restart_fetch();
  return !batch_.empty();
}

void KafkaConsumer::restart_fetch() {
  queue_filled_ = false;
  if (last_taken_offset_ < 0) return;
  // Seeking to where the partition already is: nothing of it is queued (the queue is empty) and
  // a fetch response in flight, if any, is dropped by the seek's version barrier and fetched
  // again. Asynchronous (timeout 0): an error (a partition revoked meanwhile) only means no
  // wake-up, and the next one comes by librdkafka's own timer.
  PartitionListPtr list = list_of({last_taken_key_});
  list->elems[0].offset = last_taken_offset_ + 1;
  if (rd_kafka_error_t* error = rd_kafka_seek_partitions(rk_.get(), list.get(), 0)) rd_kafka_error_destroy(error);
}

std::size_t KafkaConsumer::poll(std::size_t max, const Sink& sink) {
  std::size_t handed = 0;
  while (handed < max) {
    if (batch_pos_ == batch_.size() && !refill()) break;
    rd_kafka_message_t* m = batch_[batch_pos_++];
    const PartKey key = key_of(m);
    headers_.clear();
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name = nullptr;
      const void* value = nullptr;
      std::size_t size = 0;
      for (std::size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
        headers_.push_back({name, std::string_view(static_cast<const char*>(value), value ? size : 0)});
    }
    const std::string& topic = topics_[key >> 32];
    MessageView view{.stream = topic, .shard = static_cast<ShardId>(m->partition), .seq = static_cast<SeqNo>(m->offset),
                     .ts = rd_kafka_message_timestamp(m, nullptr), .has_key = m->key != nullptr,
                     .key = std::string_view(static_cast<const char*>(m->key), m->key_len), .headers = headers_,
                     .payload = std::string_view(static_cast<const char*>(m->payload), m->len)};
    sink(view);
    note_end(key, m, false);
    rd_kafka_message_destroy(m);
    ++handed;
  }
  return handed;
}

bool KafkaConsumer::at_end() const {
  if (batch_pos_ < batch_.size() || parts_.empty()) return false;
  return std::all_of(parts_.begin(), parts_.end(), [](const auto& p) { return p.second.at_end; });
}

void KafkaConsumer::on_wake() {
  // Pull what arrived only when the caller has taken everything: the queue holds the rest and
  // librdkafka's prefetch bound is the backpressure.
  if (batch_pos_ == batch_.size()) refill();
  if (on_readable_) on_readable_();
}

std::vector<ShardId> KafkaConsumer::shards() const {
  std::vector<ShardId> out;
  for (const auto& [key, state] : parts_) out.push_back(static_cast<ShardId>(key & 0xffffffffU));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace sea::kafka
