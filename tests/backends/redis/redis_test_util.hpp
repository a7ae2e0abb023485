// Shared helpers of the Redis backend tests: the servers named by SEA_TEST_REDIS and
// SEA_TEST_REDIS_CLUSTER (a missing variable fails the test, never skips it), a unique
// stream name per test, a plain synchronous hiredis client as the independent writer and
// checker, and loop-driving helpers to produce and consume through the real backend.
#pragma once

#include <doctest/doctest.h>
#include <hiredis/hiredis.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/registry.hpp"
#include "backends/sync.hpp"
#include "core/streamer.hpp"
#include "core/uri.hpp"
#include "loop/loop.hpp"

namespace sea::redis_test {

inline std::string env_uri(const char* variable) {
  const char* value = std::getenv(variable);
  REQUIRE_MESSAGE(value != nullptr, std::string(variable) << " is not set: run the tests through scripts/test, which starts Redis");
  return value;
}

inline std::string single_uri() { return env_uri("SEA_TEST_REDIS"); }
inline std::string cluster_uri() { return env_uri("SEA_TEST_REDIS_CLUSTER"); }

// A stream name no other test or run uses.
inline std::string unique_stream(const std::string& what) {
  static int counter = 0;
  return fmt::format("t-{}-{}-{}-{}", what, ::getpid(), now_ms() % 1'000'000, ++counter);
}

inline StreamKey key(const std::string& name) {
  Result<StreamKey> k = StreamKey::parse(name);
  REQUIRE(k.ok());
  return *k;
}

// A synchronous hiredis connection to one node, for writing and checking behind sea's back.
class Direct {
 public:
  explicit Direct(const std::string& uri_text) {
    Result<Uri> uri = parse_uri(uri_text);
    REQUIRE(uri.ok());
    ctx_ = redisConnect(uri->hosts.front().host.c_str(), uri->hosts.front().port);
    REQUIRE(ctx_ != nullptr);
    REQUIRE(ctx_->err == 0);
  }
  ~Direct() { redisFree(ctx_); }
  Direct(const Direct&) = delete;
  Direct& operator=(const Direct&) = delete;

  // Runs a command given as separate arguments; returns the reply (owned by the caller).
  std::unique_ptr<redisReply, void (*)(void*)> run(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(redisCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), lens.data()));
    REQUIRE(reply != nullptr);
    return {reply, freeReplyObject};
  }
  long long integer(const std::vector<std::string>& args) { return run(args)->integer; }
  std::string text(const std::vector<std::string>& args) {
    auto reply = run(args);
    return reply->str != nullptr ? std::string(reply->str, reply->len) : std::string();
  }
  redisContext* context() { return ctx_; }

 private:
  redisContext* ctx_ = nullptr;
};

struct Env {
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer;

  explicit Env(const std::string& uri_text) {
    Result<Uri> uri = parse_uri(uri_text);
    REQUIRE(uri.ok());
    Result<std::unique_ptr<Streamer>> s = connect(loop, *uri, ConnectOptions{});
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
    streamer = std::move(*s);
  }

  // Runs the loop until `done` holds or `timeout_ms` passes; returns whether it held.
  bool run_until(const std::function<bool()>& done, std::uint64_t timeout_ms = 10'000) {
    bool timed_out = false;
    loop::Timer timer(loop);
    timer.start(timeout_ms, 0, [&] { timed_out = true; });
    while (!done() && !timed_out) loop.run_once(true);
    return done();
  }

  // Reads until at_end() (or `count` messages, when given), within the timeout.
  std::vector<Message> drain(Consumer& consumer, std::size_t count = 0, std::uint64_t timeout_ms = 10'000) {
    std::vector<Message> got;
    run_until([&] {
      consumer.poll(100'000, [&](const MessageView& v) { got.push_back(Message::from_view(v)); });
      return count > 0 ? got.size() >= count : consumer.at_end();
    }, timeout_ms);
    return got;
  }

  std::unique_ptr<Producer> producer(const std::string& stream, ProducerOptions options = {}) {
    Result<std::unique_ptr<Producer>> p = streamer->create_producer(key(stream), options);
    REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.error().message));
    return std::move(*p);
  }

  std::unique_ptr<Consumer> consumer(const std::vector<std::string>& streams, ConsumerOptions options) {
    std::vector<StreamKey> keys;
    for (const std::string& s : streams) keys.push_back(key(s));
    Result<std::unique_ptr<Consumer>> c = streamer->create_consumer(keys, options);
    REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
    return std::move(*c);
  }

  // Sends `n` payloads "<prefix><i>" and flushes.
  void produce(Producer& producer, const std::string& stream, int n, const std::string& prefix = "m") {
    for (int i = 0; i < n; ++i) {
      const std::string payload = prefix + std::to_string(i);
      MessageView view;
      view.stream = stream;
      view.payload = payload;
      REQUIRE(producer.send(view).ok());
    }
    Result<void> flushed = flush_sync(loop, producer);
    REQUIRE_MESSAGE(flushed.ok(), (flushed.ok() ? "" : flushed.error().message));
  }
};

inline ConsumerOptions from_earliest() {
  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  return options;
}

}  // namespace sea::redis_test
