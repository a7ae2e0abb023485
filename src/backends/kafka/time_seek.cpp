// The bisection state machine, the probe client that fetches one message per partition per
// round, and resolve_time, which asks the broker first and bisects where it could not answer.
#include "backends/kafka/time_seek.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>

namespace sea::kafka {

void TimeBisection::feed(bool found, std::int64_t offset, Timestamp ts) {
  const std::int64_t mid = probe();
  if (!found || ts >= target_) hi_ = mid;
  else lo_ = std::min(std::max(offset + 1, mid + 1), hi_);
}

std::int64_t bisect_time(std::int64_t lo, std::int64_t hi, Timestamp target, const FetchAt& fetch) {
  TimeBisection b(lo, hi, target);
  while (!b.done()) {
    const auto [found, at] = fetch(b.probe());
    b.feed(found, at.first, at.second);
  }
  return b.answer();
}

namespace {

PartitionListPtr make_list(const std::vector<PartitionRef>& parts, std::int64_t offset) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
  for (const PartitionRef& p : parts) rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition)->offset = offset;
  return list;
}

// A group-less consumer that fetches the first message at or after given offsets.
class Probe {
 public:
  static Result<Probe> create(const ClientConfig& base) {
    ClientConfig config = base;
    config.client_id = base.client_id + "-probe";
    // A group id is what lets librdkafka's assign() work; this client never joins or commits.
    config.forced = {{"group.id", fmt::format("sea-probe-{}", getpid())}, {"enable.auto.commit", "false"},
                     {"enable.auto.offset.store", "false"}, {"enable.partition.eof", "true"},
                     {"max.partition.fetch.bytes", "65536"}, {"queued.min.messages", "1"}};
    Result<ConfPtr> conf = build_conf(config);
    if (!conf) return conf.error();
    Result<HandlePtr> rk = create_client(RD_KAFKA_CONSUMER, std::move(*conf));
    if (!rk) return rk.error();
    Probe probe;
    probe.rk_ = std::move(*rk);
    rd_kafka_poll_set_consumer(probe.rk_.get());
    probe.queue_.reset(rd_kafka_queue_get_consumer(probe.rk_.get()));
    return probe;
  }

  // One round: for each (part, offset), the first message at or after offset (or none).
  Result<std::vector<std::pair<bool, std::pair<std::int64_t, Timestamp>>>> fetch(
      const std::vector<PartitionRef>& parts, const std::vector<std::int64_t>& offsets) {
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
    std::map<std::pair<std::string, std::int32_t>, std::size_t> index;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      rd_kafka_topic_partition_list_add(list.get(), parts[i].topic.c_str(), parts[i].partition)->offset = offsets[i];
      index[{parts[i].topic, parts[i].partition}] = i;
    }
    if (rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), list.get())) return kafka_error(err, "probe assign");
    std::vector<std::pair<bool, std::pair<std::int64_t, Timestamp>>> out(parts.size());
    std::vector<bool> answered(parts.size(), false);
    std::size_t left = parts.size();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kSyncTimeoutMs);
    rd_kafka_message_t* batch[256];
    while (left > 0) {
      if (std::chrono::steady_clock::now() > deadline) return make_error(Errc::timeout, "seek by time: fetching probe messages timed out");
      const ssize_t n = rd_kafka_consume_batch_queue(queue_.get(), 100, batch, 256);
      for (ssize_t k = 0; k < n; ++k) {
        MessagePtr m(batch[k]);
        if (m->rkt == nullptr) continue;
        const auto it = index.find({rd_kafka_topic_name(m->rkt), m->partition});
        if (it == index.end() || answered[it->second]) continue;
        const std::size_t i = it->second;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          out[i] = {false, {m->offset, 0}};
        } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          return kafka_error(m->err, fmt::format("seek by time: fetch {} [{}]", parts[i].topic, parts[i].partition));
        } else if (m->offset >= offsets[i]) {
          out[i] = {true, {m->offset, rd_kafka_message_timestamp(m.get(), nullptr)}};
        } else {
          continue;  // left over from an earlier round
        }
        answered[i] = true;
        --left;
      }
    }
    return out;
  }

  rd_kafka_t* handle() { return rk_.get(); }

 private:
  HandlePtr rk_;
  QueuePtr queue_;
};

}  // namespace

Result<std::vector<std::pair<std::int64_t, std::int64_t>>> query_watermarks(rd_kafka_t* rk,
                                                                            const std::vector<PartitionRef>& parts) {
  std::vector<std::pair<std::int64_t, std::int64_t>> marks(parts.size());
  if (parts.empty()) return marks;
  for (const std::int64_t which : {RD_KAFKA_OFFSET_BEGINNING, RD_KAFKA_OFFSET_END}) {
    PartitionListPtr list = make_list(parts, which);
    if (rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk, list.get(), kSyncTimeoutMs))
      return kafka_error(err, "query partition offsets");
    for (int i = 0; i < list->cnt; ++i) {
      const rd_kafka_topic_partition_t& p = list->elems[i];
      if (p.err) return kafka_error(p.err, fmt::format("query offsets of {} [{}]", p.topic, p.partition));
      (which == RD_KAFKA_OFFSET_BEGINNING ? marks[i].first : marks[i].second) = std::max<std::int64_t>(p.offset, 0);
    }
  }
  return marks;
}

Result<std::vector<std::int64_t>> resolve_time(const ClientConfig& config, const std::vector<PartitionRef>& parts,
                                               Timestamp time, bool broker_lookup) {
  // 1. A client of our own: fetching probes must not disturb the caller's positions.
  Result<Probe> probe = Probe::create(config);
  if (!probe) return probe.error();
  Result<std::vector<std::pair<std::int64_t, std::int64_t>>> marks = query_watermarks(probe->handle(), parts);
  if (!marks) return marks.error();
  std::vector<std::int64_t> answer(parts.size(), -1);
  // 2. Ask the broker; -1 on a non-empty partition means "could not answer" on the mock.
  if (broker_lookup && !parts.empty()) {
    PartitionListPtr list = make_list(parts, time);
    if (rd_kafka_offsets_for_times(probe->handle(), list.get(), kSyncTimeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR)
      for (int i = 0; i < list->cnt; ++i)
        if (list->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR && list->elems[i].offset >= 0) answer[i] = list->elems[i].offset;
  }
  // 3. Bisect the rest in lock-step: one fetch round per halving for all partitions.
  std::vector<TimeBisection> runs;
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (answer[i] >= 0) continue;
    runs.emplace_back((*marks)[i].first, (*marks)[i].second, time);
    which.push_back(i);
  }
  while (true) {
    std::vector<PartitionRef> round_parts;
    std::vector<std::int64_t> round_offsets;
    std::vector<std::size_t> round_runs;
    for (std::size_t r = 0; r < runs.size(); ++r) {
      if (runs[r].done()) continue;
      round_parts.push_back(parts[which[r]]);
      round_offsets.push_back(runs[r].probe());
      round_runs.push_back(r);
    }
    if (round_parts.empty()) break;
    Result<std::vector<std::pair<bool, std::pair<std::int64_t, Timestamp>>>> got = probe->fetch(round_parts, round_offsets);
    if (!got) return got.error();
    for (std::size_t k = 0; k < round_runs.size(); ++k)
      runs[round_runs[k]].feed((*got)[k].first, (*got)[k].second.first, (*got)[k].second.second);
  }
  for (std::size_t r = 0; r < runs.size(); ++r) answer[which[r]] = runs[r].answer();
  return answer;
}

}  // namespace sea::kafka
