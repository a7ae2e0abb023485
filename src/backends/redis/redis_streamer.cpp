// The Redis Streams backend's front door: connect_redis checks the URI and properties and
// returns a Streamer whose producers, consumers and admin each have their own connections
// (so `top` can count producers and consumers by their CLIENT SETNAME prefixes). The layout
// is described in layout.hpp, the wire in connection.hpp, cluster routing in router.hpp.
#include "backends/redis/redis_streamer.hpp"

#include "backends/redis/admin.hpp"
#include "backends/redis/consumer.hpp"
#include "backends/redis/producer.hpp"
#include "backends/redis/redis_stats.hpp"
#include "backends/redis/router.hpp"

namespace sea::redis {

namespace {

// Lifecycle: owns the Admin; producers and consumers it makes must be destroyed before it.
// Lives on the loop's thread.
class RedisStreamer final : public Streamer {
 public:
  RedisStreamer(loop::Loop& loop, Uri uri, ConnectOptions options)
      : loop_(loop), uri_(std::move(uri)), options_(std::move(options)), admin_(loop, uri_, options_),
        stats_(loop, uri_, options_) {}

  const Uri& uri() const override { return uri_; }

  Result<std::unique_ptr<Producer>> create_producer(const StreamKey& stream, const ProducerOptions& options) override {
    if (!options.properties.empty())
      return make_error(Errc::invalid_argument, "-X {}: the redis producer takes no properties",
                        options.properties.begin()->first);
    if (options.max_in_flight == 0 || options.max_in_flight_bytes == 0)
      return make_error(Errc::invalid_argument, "the in-flight window must allow at least one message");
    if (options.delivery == Delivery::exactly_once && options.dedupe_window_ms <= 0)
      return make_error(Errc::invalid_argument, "exactly-once delivery needs a positive dedupe window, not {} ms",
                        options.dedupe_window_ms);
    if (options.shard != kAnyShard && options.shard >= kPlainShard)
      return make_error(Errc::invalid_argument, "shard {} is out of range", options.shard);
    Result<std::unique_ptr<Router>> router = Router::create(loop_, uri_, tagged({stream.str()}), "producer");
    if (!router) return router.error();
    return std::unique_ptr<Producer>(new RedisProducer(loop_, std::move(*router), stream, options));
  }

  Result<std::unique_ptr<Consumer>> create_consumer(std::span<const StreamKey> streams,
                                                    const ConsumerOptions& options) override {
    if (streams.empty()) return make_error(Errc::invalid_argument, "a consumer needs at least one stream");
    if (options.mode == ConsumerMode::exactly_once)
      return make_error(Errc::unsupported,
                        "exactly-once consumption is not available on Redis: Redis Streams have no transactional "
                        "reads and writes; use --mode repeat (at-least-once, consumer group with XACK after "
                        "hand-off)");
    Result<ConsumerTuning> tuning = ConsumerTuning::parse(options.properties);
    if (!tuning) return tuning.error();
    std::vector<std::string> names;
    for (const StreamKey& key : streams) names.push_back(key.str());
    Result<std::unique_ptr<Router>> router = Router::create(loop_, uri_, tagged(names), "consumer");
    if (!router) return router.error();
    std::vector<StreamKey> keys(streams.begin(), streams.end());
    return std::unique_ptr<Consumer>(new RedisConsumer(loop_, std::move(*router), std::move(keys), options, *tuning));
  }

  Admin& admin() override { return admin_; }

  Result<ClusterStats> stats(const StatsRequest& request) override { return stats_.sample(request); }

 private:
  // Connection names carry the streams they serve (sea-producer-sea@news-<pid>), so that `top`
  // counts producers and consumers per stream from CLIENT LIST.
  ConnectOptions tagged(const std::vector<std::string>& streams) const {
    ConnectOptions tagged_options = options_;
    tagged_options.client_name += streams_tag(streams);
    return tagged_options;
  }

  loop::Loop& loop_;
  Uri uri_;
  ConnectOptions options_;
  RedisAdmin admin_;
  RedisStats stats_;
};

}  // namespace

Result<std::unique_ptr<Streamer>> connect_redis(loop::Loop& loop, const Uri& uri, const ConnectOptions& options) {
  if (uri.scheme != Scheme::redis && uri.scheme != Scheme::redis_cluster)
    return make_error(Errc::invalid_argument, "'{}' is not a redis:// or redis-cluster:// URI", uri.display());
  // Connecting is lazy (each producer, consumer and the admin have their own connections), but
  // what can be checked now is: hosts, database, properties.
  Result<std::uint64_t> checked = Router::check(uri, options);
  if (!checked) return checked.error();
  return std::unique_ptr<Streamer>(new RedisStreamer(loop, uri, options));
}

}  // namespace sea::redis
