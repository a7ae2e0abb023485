// bench_kafka: produce then consume through the Kafka backend and print the rates, for
// comparison with `kcat -P` / `kcat -C -e` on the same cluster (same librdkafka).
// Usage: bench_kafka [BOOTSTRAP|-] [MESSAGES] [BYTES] [PARTITIONS]
//   "-" (the default) starts an in-process mock cluster; PARTITIONS applies to that mock.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "backends/kafka/mock_cluster.hpp"
#include "backends/registry.hpp"
#include "backends/sync.hpp"

using namespace sea;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

long max_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  // 1. Arguments and the cluster.
  std::string bootstrap = argc > 1 ? argv[1] : "-";
  const long count = argc > 2 ? std::stol(argv[2]) : 1'000'000;
  const std::size_t size = argc > 3 ? std::stoul(argv[3]) : 256;
  const int partitions = argc > 4 ? std::stoi(argv[4]) : 128;
  std::unique_ptr<kafka::MockCluster> mock;
  if (bootstrap == "-") {
    Result<std::unique_ptr<kafka::MockCluster>> m = kafka::MockCluster::create(1);
    if (!m) return std::fprintf(stderr, "%s\n", m.error().message.c_str()), 1;
    mock = std::move(*m);
    (void)mock->create_topic("bench", partitions);
    bootstrap = mock->bootstrap();
  }
  loop::Loop loop;
  Result<Uri> uri = parse_uri("kafka://" + bootstrap);
  if (!uri) return std::fprintf(stderr, "%s\n", uri.error().message.c_str()), 1;
  Result<std::unique_ptr<Streamer>> streamer = connect(loop, *uri, ConnectOptions{});
  if (!streamer) return std::fprintf(stderr, "%s\n", streamer.error().message.c_str()), 1;
  const StreamKey topic = *StreamKey::parse("bench");
  // 2. Produce, obeying congestion as a real caller does.
  Result<std::unique_ptr<Producer>> producer = (*streamer)->create_producer(topic, ProducerOptions{});
  if (!producer) return std::fprintf(stderr, "%s\n", producer.error().message.c_str()), 1;
  const std::string payload(size, 'x');
  auto start = std::chrono::steady_clock::now();
  long sent = 0;
  while (sent < count) {
    while (sent < count && !(*producer)->congested()) {
      if (!(*producer)->send(MessageView{.stream = "bench", .payload = payload})) return 1;
      ++sent;
    }
    if (sent < count) loop.run_once(true);
  }
  Result<void> flushed = flush_sync(loop, **producer);
  const double produce_s = seconds_since(start);
  std::printf("produce: %ld x %zu B in %.2f s = %.0f msg/s (%s)\n", count, size, produce_s, count / produce_s,
              flushed ? "ok" : flushed.error().message.c_str());
  producer->reset();
  // 3. Consume from the beginning to the end.
  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  StreamKey keys[] = {topic};
  Result<std::unique_ptr<Consumer>> consumer = (*streamer)->create_consumer(keys, options);
  if (!consumer) return std::fprintf(stderr, "%s\n", consumer.error().message.c_str()), 1;
  start = std::chrono::steady_clock::now();
  long got = 0;
  std::size_t bytes = 0;
  while (true) {
    const std::size_t n = (*consumer)->poll(100'000, [&](const MessageView& m) { bytes += m.payload.size(); });
    got += static_cast<long>(n);
    if (n == 0 && (*consumer)->at_end()) break;
    if (n == 0) loop.run_once(true);
  }
  const double consume_s = seconds_since(start);
  std::printf("consume: %ld msgs (%zu B) in %.2f s = %.0f msg/s; max RSS %ld MB\n", got, bytes, consume_s,
              got / consume_s, max_rss_mb());
  return 0;
}
