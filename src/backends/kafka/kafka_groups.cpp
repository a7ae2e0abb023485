// Group listing and committed offsets of kafka_groups.hpp.
#include "backends/kafka/kafka_groups.hpp"

#include <algorithm>
#include <chrono>
#include <set>

namespace sea::kafka {

namespace {

// The whole round of OffsetFetch answers is waited for at most this long.
constexpr int kOffsetsTimeoutMs = 5'000;

struct GroupsDeleter {
  void operator()(const rd_kafka_group_list* l) const { rd_kafka_group_list_destroy(l); }
  void operator()(rd_kafka_ListConsumerGroupOffsets_t* o) const { rd_kafka_ListConsumerGroupOffsets_destroy(o); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};

}  // namespace

Result<std::vector<ListedGroup>> list_groups(rd_kafka_t* rk, int brokers, std::uint64_t& requests) {
  const rd_kafka_group_list* raw = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_list_groups(rk, nullptr, &raw, kSyncTimeoutMs);
  requests += static_cast<std::uint64_t>(std::max(brokers, 1));
  if (err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE || err == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION)
    return make_error(Errc::unsupported, "the Kafka cluster does not answer ListGroups ({})", rd_kafka_err2name(err));
  if (err) return kafka_error(err, "list consumer groups");
  std::unique_ptr<const rd_kafka_group_list, GroupsDeleter> list(raw);
  std::vector<ListedGroup> out;
  std::set<std::string> coordinators;
  for (int g = 0; g < list->group_cnt; ++g) {
    const rd_kafka_group_info& group = list->groups[g];
    const std::string_view protocol = group.protocol_type != nullptr ? group.protocol_type : "";
    // An empty protocol type is a group with no members left, only committed offsets.
    if (protocol != "consumer" && !protocol.empty()) continue;
    out.push_back(ListedGroup{group.group, static_cast<std::uint32_t>(std::max(group.member_cnt, 0))});
    coordinators.insert(std::to_string(group.broker.id));
  }
  requests += coordinators.size();  // DescribeGroups, one per coordinator with groups
  std::sort(out.begin(), out.end(), [](const ListedGroup& a, const ListedGroup& b) { return a.name < b.name; });
  return out;
}

Result<std::map<std::string, CommittedOffsets>> committed_offsets(rd_kafka_t* rk, const std::vector<std::string>& groups,
                                                                  const std::vector<PartitionRef>& parts,
                                                                  std::uint64_t& requests) {
  std::map<std::string, CommittedOffsets> out;
  if (groups.empty() || parts.empty()) return out;
  // 1. One request per group (librdkafka takes one group per call), all on one queue.
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
  for (const PartitionRef& p : parts) rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition);
  QueuePtr queue(rd_kafka_queue_new(rk));
  std::unique_ptr<rd_kafka_AdminOptions_t, GroupsDeleter> options(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS));
  char errstr[256];
  rd_kafka_AdminOptions_set_request_timeout(options.get(), kOffsetsTimeoutMs, errstr, sizeof errstr);
  for (const std::string& group : groups) {
    std::unique_ptr<rd_kafka_ListConsumerGroupOffsets_t, GroupsDeleter> request(
        rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), list.get()));
    rd_kafka_ListConsumerGroupOffsets_t* one[] = {request.get()};
    rd_kafka_ListConsumerGroupOffsets(rk, one, 1, options.get(), queue.get());
    requests += 2;  // FindCoordinator (when not cached) + OffsetFetch
  }
  // 2. Collect the answers until all are in or the deadline passed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kOffsetsTimeoutMs + 1000);
  for (std::size_t answered = 0; answered < groups.size();) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    EventPtr event(rd_kafka_queue_poll(queue.get(), static_cast<int>(left.count())));
    if (!event) break;
    if (rd_kafka_event_type(event.get()) != RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT) continue;
    ++answered;
    if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    std::size_t n = 0;
    const rd_kafka_group_result_t** results =
        rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(event.get()), &n);
    for (std::size_t i = 0; i < n; ++i) {
      if (rd_kafka_group_result_error(results[i]) != nullptr) continue;
      const rd_kafka_topic_partition_list_t* offsets = rd_kafka_group_result_partitions(results[i]);
      CommittedOffsets& committed = out[rd_kafka_group_result_name(results[i])];
      for (int k = 0; offsets != nullptr && k < offsets->cnt; ++k) {
        const rd_kafka_topic_partition_t& p = offsets->elems[k];
        if (p.err == RD_KAFKA_RESP_ERR_NO_ERROR && p.offset >= 0) committed[{p.topic, p.partition}] = p.offset;
      }
    }
  }
  return out;
}

}  // namespace sea::kafka
