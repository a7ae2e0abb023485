// Shared helpers of the Kafka backend tests: the cluster under test (SEA_TEST_KAFKA, set by the
// test command, which starts `sea streamer mock-kafka --brokers 3`; a test FAILS without it),
// unique topic names so that tests can share one cluster, and produce/consume helpers that run
// the real loop.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "backends/registry.hpp"
#include "backends/sync.hpp"
#include "core/streamer.hpp"
#include "loop/loop.hpp"

namespace sea::kafka::test {

inline std::string cluster_uri() {
  const char* uri = std::getenv("SEA_TEST_KAFKA");
  REQUIRE_MESSAGE(uri != nullptr, "SEA_TEST_KAFKA is not set: start `sea streamer mock-kafka --brokers 3` and "
                                  "export SEA_TEST_KAFKA=kafka://<its bootstrap>");
  return uri;
}

inline std::unique_ptr<Streamer> connect_to(loop::Loop& loop, const std::string& uri, Properties props = {}) {
  Result<Uri> parsed = parse_uri(uri);
  REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error().message));
  ConnectOptions options;
  options.properties = std::move(props);
  Result<std::unique_ptr<Streamer>> streamer = connect(loop, *parsed, options);
  REQUIRE_MESSAGE(streamer.ok(), (streamer.ok() ? "" : streamer.error().message));
  return std::move(*streamer);
}

inline std::unique_ptr<Streamer> connect_test(loop::Loop& loop, Properties props = {}) {
  return connect_to(loop, cluster_uri(), std::move(props));
}

inline std::string unique_topic(const std::string& what) {
  static std::atomic<int> counter{0};
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return fmt::format("{}-{}-{}-{}", what, getpid(),
                     std::chrono::duration_cast<std::chrono::milliseconds>(now).count() % 100000000, counter++);
}

inline StreamKey key_of(const std::string& name) {
  Result<StreamKey> k = StreamKey::parse(name);
  REQUIRE(k.ok());
  return *k;
}

// Reads until `count` messages arrived or `timeout_ms` passed.
inline std::vector<Message> read_n(loop::Loop& loop, Consumer& consumer, std::size_t count,
                                   std::uint64_t timeout_ms = 20'000) {
  std::vector<Message> out;
  while (out.size() < count) {
    std::optional<Message> m = next(loop, consumer, false, timeout_ms);
    if (!m) break;
    out.push_back(std::move(*m));
  }
  return out;
}

// Runs the loop for about `ms` milliseconds.
inline void run_for(loop::Loop& loop, std::uint64_t ms) {
  bool done = false;
  loop::Timer timer(loop);
  timer.start(ms, 0, [&] { done = true; });
  while (!done) loop.run_once(true);
}

}  // namespace sea::kafka::test
