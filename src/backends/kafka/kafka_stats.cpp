// Statistics of the Kafka backend for `sea streamer top` (Streamer::stats): the topics from
// metadata, watermark offsets per partition (the high watermark is the counter rates come
// from) and the consumer groups with their committed offsets and lag, all through the Admin
// (kafka_admin.cpp). Producers are not visible in Kafka's protocol: they are reported as
// unknown, with a note saying so, never guessed.
#include "backends/kafka/kafka_stats.hpp"

namespace sea::kafka {

Result<ClusterStats> sample_stats(Streamer& streamer, const StatsRequest& request) {
  Result<ClusterStats> stats = streamer.Streamer::stats(request);
  if (!stats) return stats;
  for (StreamStats& stream : stats->streams) {
    std::uint32_t members = 0;
    for (GroupStats& group : stream.groups) {
      group.lag = group_lag(stream.shards, group.committed);
      members += group.members;
    }
    stream.consumers = members;
  }
  stats->producers = std::nullopt;
  stats->notes.push_back("producers: not visible in Kafka's protocol; consumers: members of consumer groups only");
  return stats;
}

}  // namespace sea::kafka
