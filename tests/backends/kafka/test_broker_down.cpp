// The idempotent producer (exactly-once delivery) across a broker outage: the partition leader
// goes down for a few seconds mid-stream; every message is still delivered once, in order.
// Runs its own in-process mock cluster (over TCP) so that it can take a broker down.
#include "backends/kafka/mock_cluster.hpp"
#include "kafka_test_env.hpp"

using namespace sea;
using namespace sea::kafka::test;

TEST_CASE("exactly-once producer loses nothing and keeps order across a broker outage") {
  Result<std::unique_ptr<kafka::MockCluster>> cluster = kafka::MockCluster::create(3);
  REQUIRE(cluster.ok());
  REQUIRE((*cluster)->create_topic("outage", 1).ok());
  REQUIRE((*cluster)->set_leader("outage", 0, 2).ok());
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_to(loop, "kafka://" + (*cluster)->bootstrap());
  const StreamKey key = key_of("outage");
  ProducerOptions options;
  options.delivery = Delivery::exactly_once;
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key, options);
  REQUIRE(producer.ok());
  std::size_t failures = 0;
  (*producer)->set_on_delivery([&](Producer::Ticket, const Result<Receipt>& r) { failures += r.ok() ? 0 : 1; });
  int sent = 0;
  loop::Timer ticker(loop);
  ticker.start(2, 2, [&] {
    for (int i = 0; i < 20 && sent < 3000; ++i, ++sent) {
      const std::string payload = std::to_string(sent);
      REQUIRE((*producer)->send(MessageView{.stream = "outage", .payload = payload}).ok());
    }
  });
  run_for(loop, 100);
  REQUIRE((*cluster)->broker_down(2).ok());
  run_for(loop, 3000);
  REQUIRE((*cluster)->broker_up(2).ok());
  while (sent < 3000) loop.run_once(true);
  ticker.stop();
  REQUIRE(flush_sync(loop, **producer).ok());
  CHECK(failures == 0);
  CHECK((*producer)->acknowledged() == 3000);

  ConsumerOptions from_start;
  from_start.start.kind = StartPosition::Kind::earliest;
  StreamKey keys[] = {key};
  Result<std::unique_ptr<Consumer>> consumer = streamer->create_consumer(keys, from_start);
  REQUIRE(consumer.ok());
  std::vector<Message> got = read_n(loop, **consumer, 3000, 30'000);
  REQUIRE(got.size() == 3000);
  for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(got[i].payload == std::to_string(i));
  CHECK(!next(loop, **consumer, true, 5'000).has_value());
}
