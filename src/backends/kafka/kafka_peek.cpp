// The peek consumer of kafka_peek.hpp.
#include "backends/kafka/kafka_peek.hpp"

#include <unistd.h>

#include <chrono>
#include <map>

namespace sea::kafka {

Result<std::unique_ptr<KafkaPeek>> KafkaPeek::create(const ClientConfig& base) {
  ClientConfig config = base;
  config.client_id = base.client_id + "-top";
  // EOF tells "no message there" apart from "not yet". A short fetch wait bounds how long a
  // partition assigned a moment after the others waits for their follow-up Fetch to return.
  // queued.min.messages must stay well above one peek's messages (see the header).
  config.forced = {{"group.id", fmt::format("sea-top-peek-{}", getpid())},
                   {"enable.auto.commit", "false"},
                   {"enable.auto.offset.store", "false"},
                   {"enable.partition.eof", "true"},
                   {"max.partition.fetch.bytes", "16384"},
                   {"fetch.max.bytes", "1048576"},
                   {"fetch.wait.max.ms", "50"},
                   {"fetch.error.backoff.ms", "10"},
                   {"queued.min.messages", "100000"},
                   {"queued.max.messages.kbytes", "16384"}};
  Result<ConfPtr> conf = build_conf(config);
  if (!conf) return conf.error();
  Result<HandlePtr> rk = create_client(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk) return rk.error();
  std::unique_ptr<KafkaPeek> peek(new KafkaPeek());
  peek->rk_ = std::move(*rk);
  rd_kafka_poll_set_consumer(peek->rk_.get());
  peek->queue_.reset(rd_kafka_queue_get_consumer(peek->rk_.get()));
  return peek;
}

void KafkaPeek::drain() {
  while (rd_kafka_message_t* m = rd_kafka_consume_queue(queue_.get(), 0)) rd_kafka_message_destroy(m);
}

Result<std::vector<PeekResult>> KafkaPeek::peek(const std::vector<PartitionRef>& parts,
                                                const std::vector<std::int64_t>& offsets, std::size_t preview_bytes,
                                                int budget_ms) {
  std::vector<PeekResult> out(parts.size());
  if (parts.empty()) return out;
  drain();
  // 1. Assign every partition at its offset at once: one Fetch per leader broker serves all.
  // A partition paused by an earlier peek stays paused through unassign(): resume it first.
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
  std::map<std::pair<std::string, std::int32_t>, std::size_t> index;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    rd_kafka_topic_partition_list_add(list.get(), parts[i].topic.c_str(), parts[i].partition)->offset = offsets[i];
    index[{parts[i].topic, parts[i].partition}] = i;
  }
  (void)rd_kafka_resume_partitions(rk_.get(), list.get());  // per-partition errors: not paused, fine
  for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = offsets[static_cast<std::size_t>(i)];
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), list.get())) return kafka_error(err, "top: assign the peek consumer");
  // 2. Take the first message (or EOF) of each partition until all answered or the budget ran
  // out; each answered partition is paused at once so that it is fetched no further.
  std::size_t left = parts.size();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(budget_ms);
  while (left > 0) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (wait.count() <= 0) break;
    MessagePtr m(rd_kafka_consume_queue(queue_.get(), static_cast<int>(wait.count())));
    if (!m || m->rkt == nullptr) continue;
    const auto it = index.find({rd_kafka_topic_name(m->rkt), m->partition});
    if (it == index.end() || out[it->second].done) continue;
    const std::size_t i = it->second;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (m->offset < offsets[i]) continue;  // an EOF of an earlier assignment
    } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR || m->offset < offsets[i]) {
      continue;  // a partition error stays unanswered and is asked again next sample
    } else {
      PeekedMessage msg;
      msg.offset = m->offset;
      msg.ts = rd_kafka_message_timestamp(m.get(), nullptr);
      msg.size = m->len;
      if (m->payload != nullptr) msg.payload.assign(static_cast<const char*>(m->payload), std::min(m->len, preview_bytes));
      out[i].message = std::move(msg);
    }
    out[i].done = true;
    --left;
    PartitionListPtr one(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(one.get(), parts[i].topic.c_str(), parts[i].partition);
    (void)rd_kafka_pause_partitions(rk_.get(), one.get());
  }
  // 3. Stop fetching until the next sample. What is still in flight arrives with an outdated
  // version and is dropped by the next drain().
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), nullptr)) return kafka_error(err, "top: unassign the peek consumer");
  drain();
  return out;
}

}  // namespace sea::kafka
