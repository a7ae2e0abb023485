// KafkaConsumer's group side and repositioning: the rebalance callback (commit what was handed
// on before partitions go, drop what was buffered for them), acks batched into offset stores,
// commit_now, and seek / assign for both grouped and self-assigned consumers.
#include <cstring>

#include "backends/kafka/kafka_consumer.hpp"
#include "backends/kafka/time_seek.hpp"

namespace sea::kafka {

namespace {

constexpr int kSeekTimeoutMs = 5'000;

// What to pass rd_kafka_seek_partitions for kSeekTimeoutMs. librdkafka before 2.1.0 (Debian
// bookworm has 2.0.2) waits for the seek replies with the milliseconds left read as
// microseconds (src/rdkafka.c: rd_kafka_q_pop(tmpq, rd_timeout_remains(abs_timeout), 0); fixed
// by librdkafka PR 4230), so 5000 waited 5 ms and a seek on a busy machine failed with
// "Local: Timed out" (seen in CI's conformance seek_time on Kafka). There, 1000 times the
// milliseconds puts the deadline 5000 s away and makes each wait the 5 s meant.
int seek_timeout_arg() {
  constexpr int kFixedIn = 0x020100ff;  // 2.1.0
  return rd_kafka_version() < kFixedIn ? kSeekTimeoutMs * 1000 : kSeekTimeoutMs;
}

// NULL while the consumer closes (a revoke served by rd_kafka_consumer_close): not cooperative.
bool cooperative(rd_kafka_t* rk) {
  const char* protocol = rd_kafka_rebalance_protocol(rk);
  return protocol != nullptr && std::strcmp(protocol, "COOPERATIVE") == 0;
}

}  // namespace

void KafkaConsumer::rebalance_cb(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                                 void* opaque) {
  static_cast<KafkaConsumer*>(opaque)->rebalance(err, parts);
}

void KafkaConsumer::rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
  std::vector<PartKey> keys;
  for (int i = 0; i < parts->cnt; ++i) keys.push_back(key_of(parts->elems[i].topic, parts->elems[i].partition));
  rd_kafka_t* rk = rk_.get();
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    // Start positions apply only where the group has committed nothing.
    if (options_.start.kind == StartPosition::Kind::seq || options_.start.kind == StartPosition::Kind::time) {
      if (rd_kafka_committed(rk, parts, kSyncTimeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        Result<void> filled = fill_from_start(parts, true);
        if (!filled) last_error_ = filled.error();
      }
    }
    reset_parts(keys);
    forward_partitions(parts);
    if (cooperative(rk)) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, parts)) {
        last_error_ = kafka_error(rd_kafka_error_code(e), "group assign");
        rd_kafka_error_destroy(e);
      }
    } else if (rd_kafka_resp_err_t e = rd_kafka_assign(rk, parts)) {
      last_error_ = kafka_error(e, "group assign");
    }
    return;
  }
  // Revoked (or an error): commit what was handed on, forget what was not. In exactly-once
  // mode only a transaction commits; one still open for these partitions fails its offset
  // commit (the group generation changed) and is aborted by its owner.
  store_acks();
  if (!options_.commit_in_transactions) {
    if (rd_kafka_resp_err_t e = rd_kafka_commit(rk, nullptr, 0);
        e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
      last_error_ = kafka_error(e, "commit on revoke");
  }
  if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) last_error_ = kafka_error(err, "group rebalance");
  drop_buffered(keys);
  for (const PartKey k : keys) parts_.erase(k);
  if (cooperative(rk)) {
    if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, parts)) rd_kafka_error_destroy(e);
  } else {
    rd_kafka_assign(rk, nullptr);
  }
}

void KafkaConsumer::ack(std::string_view stream, ShardId shard, SeqNo seq) {
  if (options_.group.empty() || options_.commit_in_transactions) return;
  std::uint32_t topic = 0;
  while (topic < topics_.size() && topics_[topic] != stream) ++topic;
  if (topic == topics_.size()) return;  // not a topic of this consumer
  const PartKey key = (static_cast<PartKey>(topic) << 32) | shard;
  std::int64_t& next = acks_[key];
  next = std::max(next, static_cast<std::int64_t>(seq) + 1);
}

void KafkaConsumer::store_acks() {
  if (acks_.empty()) return;
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(acks_.size())));
  for (const auto& [key, next] : acks_) {
    if (!parts_.contains(key)) continue;  // revoked meanwhile: no longer ours to commit
    rd_kafka_topic_partition_list_add(list.get(), topics_[key >> 32].c_str(),
                                      static_cast<std::int32_t>(key & 0xffffffffU))->offset = next;
  }
  acks_.clear();
  if (list->cnt == 0) return;
  if (rd_kafka_resp_err_t e = rd_kafka_offsets_store(rk_.get(), list.get()))
    last_error_ = kafka_error(e, "store acknowledged offsets");
}

Result<void> KafkaConsumer::commit_now() {
  if (options_.group.empty() || options_.commit_in_transactions) return ok();
  store_acks();
  const rd_kafka_resp_err_t e = rd_kafka_commit(rk_.get(), nullptr, 0);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
    return kafka_error(e, fmt::format("commit group {}", options_.group));
  return ok();
}

rd_kafka_consumer_group_metadata_t* KafkaConsumer::group_metadata() const {
  if (options_.group.empty()) return nullptr;
  return rd_kafka_consumer_group_metadata(rk_.get());
}

Result<void> KafkaConsumer::rewind_to_committed() {
  if (!options_.commit_in_transactions) return Consumer::rewind_to_committed();
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_resp_err_t e = rd_kafka_assignment(rk_.get(), &raw)) return kafka_error(e, "read the assignment");
  PartitionListPtr list(raw);
  if (list->cnt == 0) return ok();
  if (rd_kafka_resp_err_t e = rd_kafka_committed(rk_.get(), list.get(), kSyncTimeoutMs))
    return kafka_error(e, fmt::format("read the committed positions of group {}", options_.group));
  for (int i = 0; i < list->cnt; ++i)
    if (list->elems[i].err)
      return kafka_error(list->elems[i].err, fmt::format("committed position of {} [{}]", list->elems[i].topic,
                                                         list->elems[i].partition));
  SEA_TRY(fill_from_start(list.get(), true));  // where the group committed nothing
  return reposition(list.get());
}

Result<void> KafkaConsumer::reposition(rd_kafka_topic_partition_list_t* list) {
  std::vector<PartKey> keys;
  for (int i = 0; i < list->cnt; ++i) keys.push_back(key_of(list->elems[i].topic, list->elems[i].partition));
  drop_buffered(keys);
  reset_parts(keys);
  rd_kafka_error_t* error = rd_kafka_seek_partitions(rk_.get(), list, seek_timeout_arg());
  if (error != nullptr) {
    Error out = kafka_error(rd_kafka_error_code(error), "seek");
    rd_kafka_error_destroy(error);
    return out;
  }
  for (int i = 0; i < list->cnt; ++i)
    if (list->elems[i].err)
      return kafka_error(list->elems[i].err, fmt::format("seek {} [{}]", list->elems[i].topic, list->elems[i].partition));
  deferred_.schedule();  // at_end() may have changed
  return ok();
}

Result<void> KafkaConsumer::seek(Timestamp time) {
  std::vector<PartKey> keys;
  std::vector<PartitionRef> refs;
  for (const auto& [key, state] : parts_) {
    keys.push_back(key);
    refs.push_back({topics_[key >> 32], static_cast<std::int32_t>(key & 0xffffffffU)});
  }
  if (keys.empty()) return make_error(Errc::invalid_argument, "seek by time: the consumer has no partition assigned yet");
  Result<std::vector<std::int64_t>> offsets = resolve_time(config_, refs, time);
  if (!offsets) return offsets.error();
  PartitionListPtr list = list_of(keys);
  for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = (*offsets)[static_cast<std::size_t>(i)];
  return reposition(list.get());
}

Result<void> KafkaConsumer::assign(ShardId shard, SeqNo seq) {
  std::vector<PartKey> keys;
  for (const auto& [key, state] : parts_)
    if ((key & 0xffffffffU) == shard) keys.push_back(key);
  if (keys.empty()) return make_error(Errc::not_found, "shard {} is not assigned to this consumer", shard);
  PartitionListPtr list = list_of(keys);
  for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = static_cast<std::int64_t>(seq);
  return reposition(list.get());
}

}  // namespace sea::kafka
