// at_end() on a busy 16-partition topic: while another producer keeps writing, a consumer from
// the earliest offset still reaches "the end that existed when it looked" and reports it, having
// read at least everything written before it started. (Counting EOF events, as kcat -e does,
// can end early or never here.) Runs its own in-process mock cluster, over TCP, to get 16
// partitions: the shared mock creates topics with 4.
#include "backends/kafka/mock_cluster.hpp"
#include "kafka_test_env.hpp"

using namespace sea;
using namespace sea::kafka::test;

TEST_CASE("at_end is reached on a 16-partition topic that keeps growing") {
  Result<std::unique_ptr<kafka::MockCluster>> cluster = kafka::MockCluster::create(1);
  REQUIRE(cluster.ok());
  REQUIRE((*cluster)->create_topic("busy", 16).ok());
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_to(loop, "kafka://" + (*cluster)->bootstrap());
  const StreamKey key = key_of("busy");
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key, ProducerOptions{});
  REQUIRE(producer.ok());
  int sent = 0;
  auto send_some = [&](int n) {
    for (int i = 0; i < n; ++i, ++sent) {
      const std::string payload = std::to_string(sent);
      REQUIRE((*producer)->send(MessageView{.stream = "busy", .shard = static_cast<ShardId>(sent % 16), .payload = payload}).ok());
    }
  };
  send_some(16 * 200);
  REQUIRE(flush_sync(loop, **producer).ok());
  const int before_start = sent;

  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  options.max_buffer_bytes = 64 << 10;  // small read-ahead: the consumer must catch up many times
  StreamKey keys[] = {key};
  Result<std::unique_ptr<Consumer>> consumer = streamer->create_consumer(keys, options);
  REQUIRE(consumer.ok());
  // The other producer writes 16 messages every 5 ms, to every partition, all along.
  loop::Timer busy(loop);
  busy.start(5, 5, [&] { send_some(16); });
  std::size_t read = 0;
  bool ended = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!ended && std::chrono::steady_clock::now() < deadline) {
    read += (*consumer)->poll(1000, [](const MessageView&) {});
    ended = (*consumer)->at_end();
    if (!ended) loop.run_once(true);
  }
  busy.stop();
  CHECK(ended);
  CHECK(read >= static_cast<std::size_t>(before_start));
  CHECK(sent > before_start);  // the topic really was growing while we read
  CHECK((*consumer)->shards().size() == 16);
}
