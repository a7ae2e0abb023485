// KafkaProducer's transactions (ProducerOptions.transaction_id): init at creation, then
// begin / commit-with-input-positions / abort, as relay --delivery exactly-once drives them.
//
// Blocking: librdkafka's transactional calls wait for the transaction coordinator. They run on
// the loop thread, bounded by kTxnTimeoutMs, and only between batches: the caller first waits
// (without blocking) for flush() to report every message of the transaction, so that
// commit_transaction's internal flush has nothing left to wait for and only the
// AddOffsetsToTxn + TxnOffsetCommit + EndTxn round trips remain (measured on the mock cluster:
// about 1 ms per commit). Running them on a worker thread instead (uv_queue_work) would let
// librdkafka's internal flush/purge serve our delivery callbacks on that thread, racing with
// the loop; the few milliseconds per batch are the cheaper price. abort_transaction purges
// what is queued: the purged messages' delivery reports (failures) run inside the call.
#include <memory>

#include "backends/kafka/kafka_consumer.hpp"
#include "backends/kafka/kafka_producer.hpp"

namespace sea::kafka {

namespace {

constexpr int kTxnTimeoutMs = 10'000;
constexpr int kRetries = 3;  // a retriable commit/send_offsets error is tried again this often

// Fatal (fenced, or the producer is broken) becomes Errc::closed: the caller must stop. Any
// other error means "abort the transaction and rewind", whatever its code.
Error txn_error(rd_kafka_error_t* error, std::string_view what) {
  Error out = kafka_error(rd_kafka_error_code(error), what);
  out.message = fmt::format("{}: {} ({})", what, rd_kafka_error_string(error), rd_kafka_error_name(error));
  if (rd_kafka_error_is_fatal(error)) out.code = Errc::closed;
  else if (out.code == Errc::closed) out.code = Errc::backend;
  rd_kafka_error_destroy(error);
  return out;
}

// Runs a transactional call, again while librdkafka says the error is retriable.
template <class Call>
Result<void> with_retries(std::string_view what, Call call) {
  for (int attempt = 1;; ++attempt) {
    rd_kafka_error_t* error = call();
    if (error == nullptr) return ok();
    if (!rd_kafka_error_is_retriable(error) || attempt == kRetries) return txn_error(error, what);
    rd_kafka_error_destroy(error);
  }
}

}  // namespace

Result<void> KafkaProducer::init_transactions() {
  rd_kafka_error_t* error = rd_kafka_init_transactions(rk_.get(), kTxnTimeoutMs);
  if (error == nullptr) return ok();
  return txn_error(error, fmt::format("init transactions (transactional.id {})", options_.transaction_id));
}

Result<void> KafkaProducer::begin_transaction() {
  if (options_.transaction_id.empty())
    return make_error(Errc::unsupported, "this Kafka producer has no transactional.id (ProducerOptions.transaction_id)");
  rd_kafka_error_t* error = rd_kafka_begin_transaction(rk_.get());
  if (error == nullptr) return ok();
  return txn_error(error, "begin transaction");
}

Result<void> KafkaProducer::commit_transaction(Consumer& input, std::span<const ShardPosition> positions) {
  // 1. The input positions go to the input's group, inside this transaction.
  if (!positions.empty()) {
    auto* consumer = dynamic_cast<KafkaConsumer*>(&input);
    if (consumer == nullptr)
      return make_error(Errc::unsupported, "a Kafka transaction commits input positions only of a Kafka consumer");
    std::unique_ptr<rd_kafka_consumer_group_metadata_t, void (*)(rd_kafka_consumer_group_metadata_t*)> group(
        consumer->group_metadata(), &rd_kafka_consumer_group_metadata_destroy);
    if (!group) return make_error(Errc::unsupported, "a Kafka transaction commits input positions only of a consumer group");
    PartitionListPtr offsets(rd_kafka_topic_partition_list_new(static_cast<int>(positions.size())));
    for (const ShardPosition& p : positions)
      rd_kafka_topic_partition_list_add(offsets.get(), p.stream.c_str(), static_cast<std::int32_t>(p.shard))->offset =
          static_cast<std::int64_t>(p.next_seq);
    SEA_TRY(with_retries("send offsets to transaction", [&] {
      return rd_kafka_send_offsets_to_transaction(rk_.get(), offsets.get(), group.get(), kTxnTimeoutMs);
    }));
  }
  // 2. EndTxn(commit): the messages and the positions become visible together.
  return with_retries(fmt::format("commit transaction (transactional.id {})", options_.transaction_id),
                      [&] { return rd_kafka_commit_transaction(rk_.get(), kTxnTimeoutMs); });
}

Result<void> KafkaProducer::abort_transaction() {
  // Purged messages report failures from inside this call; the caller ignores them (aborting).
  return with_retries("abort transaction", [&] { return rd_kafka_abort_transaction(rk_.get(), kTxnTimeoutMs); });
}

}  // namespace sea::kafka
