// The Kafka sampler of `top` reads at most StatsRequest::max_previews newest messages per
// sample and takes the other moved partitions in turn (round robin) in the next samples;
// until a stream's moved partitions are all read again its preview is marked stale. Against
// the mock cluster: 20 topics x 4 partitions with a cap of 16, so exactly 16 more partitions
// are read per sample, every partition within 5 samples, first when they are new and again
// after each of them got one more message.
#include "kafka_test_env.hpp"

using namespace sea;
using namespace sea::kafka::test;

namespace {

struct Seen {
  std::size_t shards_at = 0;       // shards whose last_ts is the expected one
  std::size_t stale_streams = 0;   // streams with preview_stale
  std::size_t known_streams = 0;   // streams with preview_known
};

Seen sample(Streamer& streamer, const StatsRequest& request, Timestamp ts_of_round) {
  Result<ClusterStats> stats = streamer.stats(request);
  REQUIRE_MESSAGE(stats.ok(), (stats.ok() ? "" : stats.error().message));
  REQUIRE(stats->streams.size() == 20);
  Seen seen;
  for (const StreamStats& s : stats->streams) {
    REQUIRE(s.shards.size() == 4);
    for (const ShardStats& shard : s.shards) seen.shards_at += shard.last_ts >= ts_of_round ? 1 : 0;
    seen.stale_streams += s.preview_stale ? 1 : 0;
    seen.known_streams += s.preview_known ? 1 : 0;
  }
  return seen;
}

}  // namespace

TEST_CASE("kafka sampler: at most max_previews newest messages per sample, the rest in turn") {
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_test(loop);
  const std::string prefix = unique_topic("topcap");
  std::vector<std::unique_ptr<Producer>> producers;
  std::vector<std::string> topics;
  // One message per partition, all at a known time; then one more each, later.
  auto send_round = [&](Timestamp ts) {
    for (std::size_t t = 0; t < topics.size(); ++t) {
      for (int p = 0; p < 4; ++p)
        REQUIRE(producers[t]->send(MessageView{.stream = topics[t], .shard = static_cast<ShardId>(p), .ts = ts,
                                               .payload = "x"}).ok());
      REQUIRE(flush_sync(loop, *producers[t]).ok());
    }
  };
  for (int t = 0; t < 20; ++t) {
    topics.push_back(fmt::format("{}-{:02}", prefix, t));
    Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key_of(topics.back()), ProducerOptions{});
    REQUIRE(producer.ok());
    producers.push_back(std::move(*producer));
  }
  StatsRequest request;
  request.filter = prefix;
  request.max_previews = 16;
  for (const Timestamp round_ts : {now_ms() - 10'000, now_ms() + 10'000}) {
    CAPTURE(round_ts);
    send_round(round_ts);
    for (std::size_t k = 1; k <= 5; ++k) {
      CAPTURE(k);
      const Seen seen = sample(*streamer, request, round_ts);
      CHECK(seen.shards_at == 16 * k);            // exactly the cap, in turn, none twice
      CHECK(seen.stale_streams == 20 - 4 * k);    // the partitions go in (topic, partition) order
    }
    const Seen settled = sample(*streamer, request, round_ts);  // nothing moved: nothing read
    CHECK(settled.shards_at == 80);
    CHECK(settled.stale_streams == 0);
    CHECK(settled.known_streams == 20);
  }
}
