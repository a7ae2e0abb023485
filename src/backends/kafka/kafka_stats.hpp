// `top`'s sample of a Kafka cluster (see kafka_stats.cpp for where each number comes from).
#pragma once

#include "core/streamer.hpp"

namespace sea::kafka {

Result<ClusterStats> sample_stats(Streamer& streamer, const StatsRequest& request);

}  // namespace sea::kafka
