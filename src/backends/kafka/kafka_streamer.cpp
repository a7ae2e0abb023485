// KafkaStreamer: holds the connection's configuration and makes producers, consumers and the
// admin from it. Lifecycle: lives on the loop's thread; its producers and consumers must be
// destroyed before it (core/streamer.hpp).
#include "backends/kafka/kafka_streamer.hpp"

#include "backends/kafka/kafka_admin.hpp"
#include "backends/kafka/kafka_client.hpp"
#include "backends/kafka/kafka_consumer.hpp"
#include "backends/kafka/kafka_producer.hpp"
#include "backends/kafka/kafka_stats.hpp"

namespace sea::kafka {

namespace {

class KafkaStreamer final : public Streamer {
 public:
  KafkaStreamer(loop::Loop& loop, Uri uri, ClientConfig config)
      : loop_(loop), uri_(std::move(uri)), config_(std::move(config)), admin_(config_), stats_(config_) {}

  const Uri& uri() const override { return uri_; }

  Result<std::unique_ptr<Producer>> create_producer(const StreamKey& stream, const ProducerOptions& options) override {
    Result<std::unique_ptr<KafkaProducer>> p = KafkaProducer::create(loop_, config_, stream.str(), options);
    if (!p) return p.error();
    return std::unique_ptr<Producer>(std::move(*p));
  }

  Result<std::unique_ptr<Consumer>> create_consumer(std::span<const StreamKey> streams,
                                                    const ConsumerOptions& options) override {
    std::vector<std::string> topics;
    for (const StreamKey& s : streams) topics.push_back(s.str());
    Result<std::unique_ptr<KafkaConsumer>> c = KafkaConsumer::create(loop_, config_, std::move(topics), options);
    if (!c) return c.error();
    return std::unique_ptr<Consumer>(std::move(*c));
  }

  Admin& admin() override { return admin_; }
  Result<ClusterStats> stats(const StatsRequest& request) override { return stats_.sample(request); }

 private:
  loop::Loop& loop_;
  Uri uri_;
  ClientConfig config_;
  KafkaAdmin admin_;
  KafkaStats stats_;
};

}  // namespace

Result<std::unique_ptr<Streamer>> connect_kafka(loop::Loop& loop, const Uri& uri, const ConnectOptions& options) {
  // 1. Check the URI and the properties now, so that a typo fails before any data moves.
  if (uri.hosts.empty()) return make_error(Errc::invalid_argument, "'{}': no Kafka broker address", uri.display());
  ClientConfig config;
  config.bootstrap = uri.host_list();
  if (!options.client_name.empty()) config.client_id = options.client_name;
  config.user = options.properties;
  // librdkafka logs through syslog-style stderr lines by default; keep them to real problems.
  config.defaults["log_level"] = std::string("3");
  Result<ConfPtr> conf = build_conf(config);
  if (!conf) return conf.error();
  // 2. The streamer itself connects nothing: clients do, when made.
  return std::unique_ptr<Streamer>(new KafkaStreamer(loop, uri, std::move(config)));
}

}  // namespace sea::kafka
