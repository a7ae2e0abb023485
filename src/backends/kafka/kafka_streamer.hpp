// The Kafka backend (`kafka://host:port[,host:port...]` or bare `host:port`): a Streamer whose
// producers, consumers and admin wrap librdkafka (see kafka_producer.hpp, kafka_consumer.hpp,
// kafka_admin.hpp). ConnectOptions.properties are librdkafka properties passed as given
// (kcat's -X; `topic.` prefix for topic properties); config files load with
// kafka_properties.hpp. This header does not include rdkafka.h.
#pragma once

#include <memory>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/streamer.hpp"
#include "core/uri.hpp"
#include "loop/loop.hpp"

namespace sea::kafka {

// Validates the properties (a bad key or value is an error here, with secrets masked) and
// returns the Streamer; brokers are contacted lazily by the producers and consumers.
Result<std::unique_ptr<Streamer>> connect_kafka(loop::Loop& loop, const Uri& uri, const ConnectOptions& options);

}  // namespace sea::kafka
