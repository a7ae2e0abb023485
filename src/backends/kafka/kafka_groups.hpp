// Consumer groups of a Kafka cluster without a client per group: the group list
// (ListGroups + DescribeGroups on every broker, librdkafka's rd_kafka_list_groups) and the
// committed offsets of many groups at once through the Admin API's ListConsumerGroupOffsets
// (one OffsetFetch per group, all in flight together on one queue of one long-lived client).
//
// librdkafka 2.0.2's mock cluster answers OffsetFetch but not ListGroups: there list_groups
// fails with Errc::unsupported and callers fall back to group names they were given. The mock
// also answers OffsetFetch only for the partitions named, so callers always name them.
//
// Thread: both calls block (bounded) on the caller's thread; `rk` is any client (a producer).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "backends/kafka/kafka_client.hpp"
#include "backends/kafka/time_seek.hpp"

namespace sea::kafka {

struct ListedGroup {
  std::string name;
  std::uint32_t members = 0;
};

// Consumer groups (protocol type "consumer", or none: a group that only has committed offsets),
// sorted by name. `requests` grows by ListGroups to each of the `brokers` and DescribeGroups
// to each broker that coordinates groups.
Result<std::vector<ListedGroup>> list_groups(rd_kafka_t* rk, int brokers, std::uint64_t& requests);

// Committed offsets (the next offset to read) of each group on `parts`, keyed by (topic,
// partition); a partition the group never committed is absent. A group whose answer did not
// come in time or failed is absent from the result. `requests` counts FindCoordinator and
// OffsetFetch per group (the coordinator lookup may be cached by librdkafka: an upper bound).
using CommittedOffsets = std::map<std::pair<std::string, std::int32_t>, std::int64_t>;
Result<std::map<std::string, CommittedOffsets>> committed_offsets(rd_kafka_t* rk, const std::vector<std::string>& groups,
                                                                  const std::vector<PartitionRef>& parts,
                                                                  std::uint64_t& requests);

}  // namespace sea::kafka
