// The small layer every file of the Kafka backend shares: owning handles for librdkafka's C
// objects, the conversion of rd_kafka_resp_err_t into sea::Error, and the building of a client
// configuration from -X properties (with kcat's `topic.` prefix for topic properties).
// Only src/backends/kafka/ includes this header, because it includes rdkafka.h.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/options.hpp"

namespace sea::kafka {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_topic_conf_t* conf) const { rd_kafka_topic_conf_destroy(conf); }
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
  void operator()(rd_kafka_error_t* e) const { rd_kafka_error_destroy(e); }
};

using HandlePtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, KafkaDeleter>;
using TopicConfPtr = std::unique_ptr<rd_kafka_topic_conf_t, KafkaDeleter>;
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, KafkaDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, KafkaDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, KafkaDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, KafkaDeleter>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, KafkaDeleter>;

// Maps a librdkafka error to our codes; `what` says what was being done.
Error kafka_error(rd_kafka_resp_err_t err, std::string_view what);
Errc errc_of(rd_kafka_resp_err_t err);

// Everything needed to create one rd_kafka_t: bootstrap servers, the connection's -X
// properties, then the producer's or consumer's own (later ones win). Properties named
// `topic.X` go to the default topic configuration as `X`, as in kcat.
struct ClientConfig {
  std::string bootstrap;
  std::string client_id = "sea";
  Properties defaults;   // our tuned defaults, overridable by the user
  Properties user;       // -X from the connection
  Properties per_client; // -X of this producer/consumer
  Properties forced;     // what the chosen mode requires (e.g. enable.auto.offset.store=false)
};

// Builds the rd_kafka_conf_t; a bad key or value is an error naming it (secrets masked).
Result<ConfPtr> build_conf(const ClientConfig& config);

// Creates the client; takes ownership of conf on success and on failure.
Result<HandlePtr> create_client(rd_kafka_type_t type, ConfPtr conf);

// Bounded wait used by the few calls that must ask the cluster synchronously.
inline constexpr int kSyncTimeoutMs = 10'000;

}  // namespace sea::kafka
