// The conformance harness: one behaviour test, written once against the library's interfaces
// (core/streamer.hpp, backends/registry.hpp, backends/sync.hpp), runs against every backend —
// file (a temp dir), stdio (the process's own stdin/stdout, redirected to pipes), Redis single
// node (SEA_TEST_REDIS), Redis cluster (SEA_TEST_REDIS_CLUSTER) and the Kafka mock cluster
// (SEA_TEST_KAFKA). A backend whose variable is missing FAILS its cells, never skips.
//
// Each (backend, behaviour) cell ends as pass, fail (with the first reason), documented-
// unsupported (the backend answered Errc::unsupported where its docs say it must), or n/a
// (only for stdio, where a one-shard pipe has nothing to act on: stated, not skipped). The
// matrix is printed to stdout at the end of the run and written to conformance-matrix.txt in
// the working directory (or $SEA_CONFORMANCE_MATRIX).
//
// Lifecycle: `for_each_backend` makes one Ctx (loop + Streamer) per backend and cell and
// destroys it after the body; everything runs on the test's thread.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/registry.hpp"
#include "backends/sync.hpp"
#include "core/streamer.hpp"
#include "loop/loop.hpp"

namespace sea::conformance {

enum class Kind { file, stdio, redis, redis_cluster, kafka };
const char* kind_name(Kind kind);

// Thrown by REQUIRE-like checks to end a cell early (recorded as fail).
struct CellAbort {};

class Ctx {
 public:
  Ctx(Kind kind, std::string behaviour);
  ~Ctx();
  Ctx(const Ctx&) = delete;
  Ctx& operator=(const Ctx&) = delete;

  Kind kind;
  std::string behaviour;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer;

  bool is(Kind k) const { return kind == k; }
  bool networked() const { return kind == Kind::redis || kind == Kind::redis_cluster || kind == Kind::kafka; }

  // --- outcome of the cell ---
  void check(bool ok, const std::string& what);    // records a failure, goes on
  void require(bool ok, const std::string& what);  // records a failure and ends the cell
  template <class T>
  T take(Result<T> r, const std::string& what) {
    if (!r) require(false, what + ": " + r.error().message);
    return std::move(*r);
  }
  void take(Result<void> r, const std::string& what) {
    if (!r) require(false, what + ": " + r.error().message);
  }
  // The backend must refuse with Errc::unsupported (its documented answer); the cell becomes
  // documented-unsupported when it does, fail otherwise.
  void expect_unsupported(const Error* error, const std::string& what);
  template <class T>
  void expect_unsupported(const Result<T>& r, const std::string& what) {
    expect_unsupported(r ? nullptr : &r.error(), what);
  }
  void not_applicable(const std::string& why);
  bool failed() const { return failed_; }

  // --- helpers that run the loop ---
  // A new stream no other cell or run uses, made with `shards` shards. On librdkafka's mock
  // cluster, which answers no CreateTopics, the topic is made by first use (4 partitions,
  // the mock's default) with one marker message per partition that read() drops.
  std::string new_stream(std::uint32_t shards = 1);
  // Shards the stream really has (the Kafka mock makes 4 whatever was asked, see new_stream).
  std::uint32_t shard_count(const std::string& stream);
  std::unique_ptr<Producer> producer(const std::string& stream, ProducerOptions options = {});
  Result<std::unique_ptr<Consumer>> try_consumer(const std::string& stream, const ConsumerOptions& options);
  std::unique_ptr<Consumer> consumer(const std::string& stream, const ConsumerOptions& options);
  // Sends every message (stream field ignored) and flushes; returns the receipts in send order.
  std::vector<Receipt> send_all(Producer& producer, const std::string& stream, const std::vector<Message>& messages);
  // Reads until `count` messages (or at_end when count is 0), or `timeout_ms`.
  std::vector<Message> read(Consumer& consumer, std::size_t count, std::uint64_t timeout_ms = 20'000);
  // Runs the loop until `done` or the timeout; returns done().
  bool run_until(const std::function<bool()>& done, std::uint64_t timeout_ms);
  void run_for(std::uint64_t ms);

  // stdio only: the messages as they come back after being produced to stdout (envelopes) and
  // consumed from stdin, both redirected to pipes.
  std::vector<Message> stdio_roundtrip(const std::vector<Message>& messages);

  std::string outcome() const;  // pass / fail: reason / documented-unsupported / n/a

 private:
  void create_by_first_use(const std::string& stream);
  std::string dir_;  // file backend's temp dir
  bool failed_ = false;
  std::string first_failure_;
  std::optional<std::string> unsupported_;
  std::optional<std::string> not_applicable_;
};

// The payload of the messages that create a Kafka topic on the mock cluster by first use; they
// are not part of any behaviour and read() drops them.
inline constexpr std::string_view kMarker = "__sea_conformance_topic_created__";
inline bool is_marker(const MessageView& m) { return m.payload == kMarker; }

ConsumerOptions from_earliest();
Message msg(std::string payload, std::optional<std::string> key = std::nullopt, Timestamp ts = 0,
            std::vector<Header> headers = {});

// The backends every behaviour runs on.
const std::vector<Kind>& all_backends();

// Runs `body` once per backend, each in its own Ctx, and records the cell in the matrix.
void for_each_backend(const std::string& behaviour, const std::function<void(Ctx&)>& body);

// Kafka's murmur2 partitioner (Java client), written here independently of the backends.
std::uint32_t kafka_partition(std::string_view key, std::uint32_t partitions);

}  // namespace sea::conformance
