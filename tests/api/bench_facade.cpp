// Not a test: `bench_facade [messages] [dir]` produces and consumes N messages of 256 B on the
// file backend twice, through the loop-driven interfaces (sea::connect, core::Producer::send +
// flush_sync, core::Consumer::poll) and through the façade (sea::Cluster, Producer::send +
// flush, Consumer::next_batch and next), and prints msgs/s of each and the façade's ratio
// (SPEC target: within 10%).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "api/seastreamer.hpp"
#include "backends/registry.hpp"
#include "backends/sync.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const std::string dir = argc > 2 ? argv[2] : "/tmp/sea-bench-facade";
  std::filesystem::remove_all(dir);
  const std::string payload(256, 'x');
  double core_produce = 0, core_consume = 0, api_produce = 0, api_consume = 0, api_next = 0;
  {  // 1. The loop-driven interfaces.
    sea::loop::Loop loop;
    std::unique_ptr<sea::core::Streamer> streamer = std::move(sea::connect(loop, sea::parse_uri("file://" + dir + "/core").value(), {})).value();
    const sea::StreamKey key = sea::StreamKey::parse("b").value();
    std::unique_ptr<sea::core::Producer> p = std::move(streamer->create_producer(key, {})).value();
    auto t = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      (void)p->send(sea::MessageView{.payload = payload});
      while (p->congested()) loop.run_once(true);
    }
    if (!sea::flush_sync(loop, *p)) return 1;
    core_produce = seconds_since(t);
    sea::core::ConsumerOptions o;
    o.start.kind = sea::StartPosition::Kind::earliest;
    std::unique_ptr<sea::core::Consumer> c = std::move(streamer->create_consumer(std::span(&key, 1), o)).value();
    c->set_on_readable([] {});
    std::size_t got = 0, bytes = 0;
    t = std::chrono::steady_clock::now();
    while (got < n) {
      const std::size_t k = c->poll(1024, [&](const sea::MessageView& m) { bytes += sea::Message::from_view(m).payload.size(); });
      got += k;
      if (k == 0) loop.run_once(true);
    }
    core_consume = seconds_since(t);
  }
  {  // 2. The façade.
    sea::Cluster cluster("file://" + dir + "/api");
    sea::Producer& p = cluster.producer("b");
    auto t = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) p.send(payload);
    p.flush();
    api_produce = seconds_since(t);
    sea::Consumer c = cluster.consumer({"b"}, sea::ConsumerOptions().from(sea::Start::earliest()));
    std::size_t got = 0;
    t = std::chrono::steady_clock::now();
    while (got < n) got += c.next_batch(1024, 5000).size();
    api_consume = seconds_since(t);
    sea::Consumer c2 = cluster.consumer({"b"}, sea::ConsumerOptions().from(sea::Start::earliest()));
    t = std::chrono::steady_clock::now();
    for (got = 0; got < n && c2.next(std::chrono::seconds(5)); ++got) {
    }
    api_next = seconds_since(t);
  }
  std::filesystem::remove_all(dir);
  auto rate = [&](double s) { return static_cast<double>(n) / s; };
  std::printf("produce: loop-driven %12.0f msgs/s, façade %12.0f msgs/s (%.2fx)\n", rate(core_produce), rate(api_produce),
              core_produce / api_produce);
  std::printf("consume: loop-driven %12.0f msgs/s, façade next_batch %12.0f msgs/s (%.2fx), next() %12.0f msgs/s (%.2fx)\n",
              rate(core_consume), rate(api_consume), core_consume / api_consume, rate(api_next), core_consume / api_next);
  return 0;
}
