// bench_redis: throughput of the Redis backend against its baselines, on the server named by
// argv[1] or $SEA_TEST_REDIS. Produces N (default 1,000,000) messages of 256 bytes with sea
// and with `redis-cli --pipe` (the same XADDs), then consumes them with sea and with a plain
// hiredis `XRANGE … COUNT 1000` loop, and prints msgs/s and the ratios.
#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "backends/redis/layout.hpp"
#include "backends/registry.hpp"
#include "backends/sync.hpp"
#include "loop/loop.hpp"

using namespace sea;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void del(redisContext* c, const std::string& key) { freeReplyObject(redisCommand(c, "DEL %s", key.c_str())); }

}  // namespace

int main(int argc, char** argv) {
  const char* env_uri = std::getenv("SEA_TEST_REDIS");
  const std::string uri_text = argc > 1 ? argv[1] : env_uri != nullptr ? env_uri : "redis://127.0.0.1:6379";
  const long n = argc > 2 ? std::atol(argv[2]) : 1'000'000;
  Result<Uri> uri = parse_uri(uri_text);
  if (!uri) return std::fprintf(stderr, "%s\n", uri.error().message.c_str()), 2;
  const HostPort& host = uri->hosts.front();
  redisContext* direct = redisConnect(host.host.c_str(), host.port);
  if (direct == nullptr || direct->err != 0) return std::fprintf(stderr, "cannot connect\n"), 1;
  const std::string payload(256, 'x');
  const std::string ours = "bench-sea", theirs = "bench-pipe";
  del(direct, ours);
  del(direct, theirs);

  // 1. redis-cli --pipe with the same XADD commands.
  const std::string file = "/tmp/bench_redis_pipe.resp";
  {
    std::string cmds;
    for (long i = 0; i < n; ++i) cmds += redis::format_command({"XADD", theirs, "*", "msg", payload});
    FILE* f = std::fopen(file.c_str(), "w");
    std::fwrite(cmds.data(), 1, cmds.size(), f);
    std::fclose(f);
  }
  const std::string pipe_cmd = "redis-cli -h " + host.host + " -p " + std::to_string(host.port) + " --pipe < " + file + " > /dev/null";
  auto start = std::chrono::steady_clock::now();
  if (std::system(pipe_cmd.c_str()) != 0) return std::fprintf(stderr, "redis-cli --pipe failed\n"), 1;
  const double pipe_rate = n / seconds_since(start);
  std::remove(file.c_str());

  // 2. sea's producer.
  loop::Loop loop;
  Result<std::unique_ptr<Streamer>> streamer = connect(loop, *uri, ConnectOptions{});
  if (!streamer) return std::fprintf(stderr, "%s\n", streamer.error().message.c_str()), 1;
  Result<StreamKey> key = StreamKey::parse(ours);
  std::unique_ptr<Producer> producer = std::move((*streamer)->create_producer(*key, ProducerOptions{}).value());
  start = std::chrono::steady_clock::now();
  MessageView view;
  view.payload = payload;
  for (long i = 0; i < n; ++i) {
    (void)producer->send(view);
    while (producer->congested()) loop.run_once(true);
  }
  Result<void> flushed = flush_sync(loop, *producer);
  const double produce_rate = n / seconds_since(start);
  if (!flushed || producer->acknowledged() != static_cast<std::uint64_t>(n))
    return std::fprintf(stderr, "produce failed: %llu acked\n", static_cast<unsigned long long>(producer->acknowledged())), 1;

  // 3. The plain hiredis XRANGE … COUNT 1000 loop.
  start = std::chrono::steady_clock::now();
  long read = 0;
  std::string next = "-";
  while (true) {
    auto* reply = static_cast<redisReply*>(redisCommand(direct, "XRANGE %s %s + COUNT 1000", ours.c_str(), next.c_str()));
    const std::size_t got = reply->elements;
    read += static_cast<long>(got);
    if (got > 0) next = "(" + std::string(reply->element[got - 1]->element[0]->str);
    freeReplyObject(reply);
    if (got < 1000) break;
  }
  const double xrange_rate = read / seconds_since(start);

  // 4. sea's consumer from earliest to the end.
  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  std::vector<StreamKey> keys{*key};
  std::unique_ptr<Consumer> consumer = std::move((*streamer)->create_consumer(keys, options).value());
  start = std::chrono::steady_clock::now();
  long consumed = 0;
  std::size_t bytes = 0;
  while (true) {
    consumed += static_cast<long>(consumer->poll(100'000, [&](const MessageView& m) { bytes += m.payload.size(); }));
    if (consumed >= n && consumer->at_end()) break;
    loop.run_once(true);
  }
  const double consume_rate = consumed / seconds_since(start);

  std::printf("produce %ld x 256 B: sea %.0f msg/s, redis-cli --pipe %.0f msg/s, ratio %.2f\n", n, produce_rate,
              pipe_rate, produce_rate / pipe_rate);
  std::printf("consume %ld: sea %.0f msg/s, hiredis XRANGE COUNT 1000 loop %.0f msg/s (%ld read), ratio %.2f\n",
              consumed, consume_rate, xrange_rate, read, consume_rate / xrange_rate);
  consumer.reset();
  producer.reset();
  del(direct, ours);
  del(direct, theirs);
  redisFree(direct);
  return bytes == static_cast<std::size_t>(n) * 256 ? 0 : 1;
}
