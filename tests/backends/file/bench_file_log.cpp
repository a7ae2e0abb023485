// Benchmark of the file log: produce N messages of a given payload size through the Producer,
// then read them back through Consumer::poll() from earliest, and print messages/s and MB/s of
// both. Usage: bench_file_log [messages=2000000] [payload_bytes=256] [dir=$TMPDIR]
// (a benchmark, not a test: numbers depend on the machine).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "backends/registry.hpp"
#include "backends/sync.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int run(std::size_t count, std::size_t payload_bytes, const std::string& base) {
  using namespace sea;
  std::string pattern = base + "/sea-bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return 1;
  const std::string dir = pattern;
  loop::Loop loop;
  Result<Uri> uri = parse_uri("file://" + dir);
  Result<std::unique_ptr<Streamer>> streamer = connect(loop, *uri, ConnectOptions{});
  if (!streamer) {
    std::fprintf(stderr, "%s\n", streamer.error().message.c_str());
    return 1;
  }
  Result<StreamKey> stream = StreamKey::parse("bench");

  // 1. Produce, letting the loop turn whenever the producer is congested.
  const std::string payload(payload_bytes, 'b');
  auto started = std::chrono::steady_clock::now();
  {
    Result<std::unique_ptr<Producer>> producer = (*streamer)->create_producer(*stream, ProducerOptions{});
    if (!producer) return 1;
    MessageView view;
    view.payload = payload;
    for (std::size_t i = 0; i < count; ++i) {
      if (!(*producer)->send(view)) return 1;
      while ((*producer)->congested()) loop.run_once(false);
    }
    if (!flush_sync(loop, **producer)) return 1;
  }
  const double produce_s = seconds_since(started);

  // 2. Consume everything through poll().
  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  const StreamKey streams[] = {*stream};
  Result<std::unique_ptr<Consumer>> consumer = (*streamer)->create_consumer(streams, options);
  if (!consumer) return 1;
  std::size_t received = 0;
  std::size_t bytes = 0;
  started = std::chrono::steady_clock::now();
  while (received < count) {
    const std::size_t got = (*consumer)->poll(65536, [&](const MessageView& m) { bytes += m.payload.size(); });
    received += got;
    if (got == 0) loop.run_once(true);
  }
  const double consume_s = seconds_since(started);

  const double mb = static_cast<double>(count * payload_bytes) / 1e6;
  std::printf("produce: %zu msgs of %zu B in %.3f s: %.0f msgs/s, %.1f MB/s\n", count, payload_bytes, produce_s,
              static_cast<double>(count) / produce_s, mb / produce_s);
  std::printf("consume: %zu msgs (%zu payload bytes) in %.3f s: %.0f msgs/s, %.1f MB/s\n", received, bytes, consume_s,
              static_cast<double>(received) / consume_s, mb / consume_s);
  consumer->reset();
  const std::string command = "rm -rf '" + dir + "'";
  return std::system(command.c_str()) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
  const std::size_t payload = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 256;
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = argc > 3 ? argv[3] : (tmp != nullptr ? tmp : "/tmp");
  return run(count, payload, dir);
}
