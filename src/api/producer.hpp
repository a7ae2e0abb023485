// sea::Producer: sends messages to one stream, for programs not built around the loop.
//
//   sea::Producer& p = cluster.producer("news");
//   p.send(R"({"hello":1})");                       // payload only
//   p.send(sea::Message{.key = "user7", .headers = {{"h", "v"}}, .payload = "x"});
//   sea::ReceiptFuture r = p.send("y");  r.get();   // waits for that one message's receipt
//   p.flush();                                      // waits for every message sent so far
//
// Lifecycle: made and owned by a sea::Cluster (Cluster::producer), alive as long as it is; the
// cluster flushes its producers (for up to 10 s) when it is destroyed. Not thread-safe: use a
// cluster, its producers and consumers from one thread.
//
// Errors: send() throws sea::Error for what is known at once (a message over
// max_message_bytes, a closed producer); a delivery that fails later is reported by the
// receipt (get() throws it, result() returns it) and by flush(), which throws the first one.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "core/types.hpp"

namespace sea {

namespace core {
class Producer;
}  // namespace core
struct ClusterState;
class Producer;

// The future receipt of one message: its (shard, seq, ts) once the backend has stored it.
// Move-only; must not outlive the cluster. Dropping it does not cancel the message.
class ReceiptFuture {
 public:
  ReceiptFuture() = default;
  ReceiptFuture(ReceiptFuture&& other) noexcept;
  ReceiptFuture& operator=(ReceiptFuture&& other) noexcept;
  ReceiptFuture(const ReceiptFuture&) = delete;
  ReceiptFuture& operator=(const ReceiptFuture&) = delete;
  ~ReceiptFuture();

  // The outcome is in (does not run the loop).
  bool ready() const;
  // Runs the loop until the outcome is in; returns the receipt or the error (never throws).
  Result<Receipt> result();
  // The same, throwing sea::Error when the message could not be delivered.
  Receipt get();

 private:
  friend class sea::Producer;
  ReceiptFuture(sea::Producer* producer, std::uint64_t ticket) : producer_(producer), ticket_(ticket) {}
  sea::Producer* producer_ = nullptr;
  std::uint64_t ticket_ = 0;
};

class Producer {
 public:
  Producer(ClusterState& cluster, std::unique_ptr<core::Producer> producer, std::string stream);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues the payload and returns at once, unless max_in_flight messages are already waiting
  // for their acknowledgement: then it runs the loop until there is room (memory stays bounded).
  ReceiptFuture send(std::string_view payload);
  // The same with the message's key, headers and timestamp (0: now); its stream, shard and seq
  // are ignored (the producer's stream; the shard as ProducerOptions::shard or the key say).
  ReceiptFuture send(const Message& message);
  // Runs the loop until every message sent so far is acknowledged; throws the first failure.
  void flush();

  const std::string& stream() const { return stream_; }
  std::uint64_t sent() const;
  std::uint64_t acknowledged() const;
  std::uint64_t failed() const;
  // The loop-driven producer underneath, for what the façade does not cover.
  core::Producer& core() { return *producer_; }

 private:
  friend class ReceiptFuture;
  struct Watch {
    std::uint64_t ticket = 0;
    std::optional<Result<Receipt>> outcome;
    bool live = true;
  };
  ReceiptFuture queue(const MessageView& view);
  Watch* find(std::uint64_t ticket);
  void forget(std::uint64_t ticket);

  ClusterState& cluster_;
  std::unique_ptr<core::Producer> producer_;
  std::string stream_;
  // The receipts someone still holds, in ticket order (tickets only grow, so push_back keeps
  // it sorted); dropped ones are marked and trimmed from both ends.
  std::deque<Watch> watches_;
};

}  // namespace sea
