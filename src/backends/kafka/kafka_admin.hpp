// The Kafka Admin (core/streamer.hpp): topics from metadata, partition offsets from ListOffsets,
// and librdkafka's Admin API for create/delete topics, AlterConfigs (retention) and
// DeleteRecords (trim). Each call waits for its answer (bounded by kSyncTimeoutMs) on a private
// queue; the loop is not involved, which the interface allows for these synchronous calls.
//
// librdkafka 2.0.2's mock cluster implements neither CreateTopics, DeleteTopics, AlterConfigs
// nor DeleteRecords: those calls then fail with Errc::unsupported and a message saying so.
// Groups and lag come from ListGroups and ListConsumerGroupOffsets (kafka_groups.hpp) where the
// cluster has them.
//
// Lifecycle and thread: owned by the KafkaStreamer; its client is created on first use.
#pragma once

#include "backends/kafka/kafka_client.hpp"
#include "core/streamer.hpp"

namespace sea::kafka {

class KafkaAdmin final : public Admin {
 public:
  explicit KafkaAdmin(ClientConfig config) : config_(std::move(config)) {}
  Result<std::vector<std::string>> list() override;
  Result<StreamInfo> describe(const StreamKey& stream) override;
  Result<void> create(const StreamKey& stream, const CreateOptions& options) override;
  Result<void> remove(const StreamKey& stream) override;
  Result<void> trim(const StreamKey& stream, const TrimSpec& spec) override;
  Result<void> set_retention(const StreamKey& stream, const Retention& retention) override;
  Result<void> set_group_position(const std::string& group, const StreamKey& stream, ShardId shard,
                                  SeqNo next_seq) override;

 private:
  Result<rd_kafka_t*> client();
  // Partition ids of a topic, from metadata; Errc::not_found when it does not exist.
  Result<std::vector<std::int32_t>> partitions(const std::string& topic);
  // Waits for the result event of an Admin API call made on `queue`.
  Result<EventPtr> wait_result(rd_kafka_queue_t* queue, std::string_view what);
  Result<void> describe_groups(const std::string& topic, StreamInfo& info);

  ClientConfig config_;
  HandlePtr rk_;
};

}  // namespace sea::kafka
