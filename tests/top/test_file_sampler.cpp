// The file backend's sampler against real files: known traffic at a known rate gives a rate
// within 10%, a group position gives the exact lag, and a live producer is counted.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "backends/registry.hpp"
#include "backends/sync.hpp"
#include "core/streamer.hpp"
#include "top/model.hpp"

using namespace sea;

namespace {

std::string temp_root() {
  char pattern[] = "/tmp/sea-top-test-XXXXXX";
  REQUIRE(mkdtemp(pattern) != nullptr);
  return pattern;
}

StreamKey key(const std::string& name) { return *StreamKey::parse(name); }

}  // namespace

TEST_CASE("file sampler: rate within 10% of a generated 500 msgs/s, exact lag, live producers") {
  const std::string root = temp_root();
  loop::Loop loop;
  Result<std::unique_ptr<Streamer>> streamer = connect(loop, *parse_uri("file://" + root), {});
  REQUIRE(streamer.ok());
  Result<std::unique_ptr<Producer>> producer = (*streamer)->create_producer(key("ticks"), {});
  REQUIRE(producer.ok());
  const std::string payload(100, 'x');
  REQUIRE(send_sync(loop, **producer, MessageView{.payload = payload}).ok());
  top::Model model;
  // 10 messages every 20 ms: 500 msgs/s, 50 kB/s of payload, for 2 s.
  loop::Timer ticker(loop);
  int ticks = 0;
  ticker.start(20, 20, [&] {
    for (int i = 0; i < 10; ++i) (void)(*producer)->send(MessageView{.payload = payload});
    if (++ticks == 100) loop.stop();
  });
  loop::Timer sampler(loop);
  int samples = 0;
  sampler.start(500, 1000, [&] {
    Result<ClusterStats> stats = (*streamer)->stats({});
    REQUIRE(stats.ok());
    model.update(*stats, 0);
    ++samples;
  });
  loop.run();
  ticker.stop();
  sampler.stop();
  REQUIRE(samples >= 2);
  REQUIRE(model.rows().size() == 1);
  const top::StreamRow& row = model.rows()[0];
  CHECK(row.name == "ticks");
  CHECK(row.rate_1s.msgs_per_s == doctest::Approx(500).epsilon(0.10));
  CHECK_FALSE(row.bytes_estimated);
  CHECK(row.rate_1s.bytes_per_s > 500 * 100 * 0.9);
  CHECK(row.producers == 1u);
  CHECK(row.preview == payload);
  CHECK_FALSE(row.stale);
  REQUIRE(flush_sync(loop, **producer).ok());

  // A group that committed seq 30: lag is everything after it, exactly.
  REQUIRE((*streamer)->admin().set_group_position("readers", key("ticks"), 0, 30).ok());
  Result<ClusterStats> stats = (*streamer)->stats({});
  REQUIRE(stats.ok());
  REQUIRE(stats->streams.size() == 1);
  const StreamStats& s = stats->streams[0];
  REQUIRE(s.groups.size() == 1);
  CHECK(s.groups[0].name == "readers");
  CHECK(s.groups[0].lag == s.shards[0].appended - 30);
  CHECK(s.shards[0].appended == 1001);

  // The producer gone, nobody is counted.
  producer->reset();
  stats = (*streamer)->stats({});
  REQUIRE(stats.ok());
  CHECK(stats->streams[0].producers == 0u);
  CHECK(stats->producers == 0u);
  CHECK(std::system(("rm -rf " + root).c_str()) == 0);
}
