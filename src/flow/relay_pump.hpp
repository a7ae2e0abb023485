// RelayPump: the path from a consumer of one Streamer to a producer of another (`relay`), with
// write-then-ack: an input message is acked to its group only once the output producer's
// delivery report for it (and for every message before it) has arrived, so a crash or SIGTERM
// costs at most duplicates, never a loss (at-least-once).
//
// Backpressure: nothing is polled while the producer is congested or while `max_in_flight`
// messages wait for their delivery reports; polling resumes on the producer's drain callback
// or when reports come in. Memory is bounded by the producer's window plus one mark
// (24 bytes) per message in flight.
//
// Lives on the loop thread. It stops itself (calling on_done) at -c N, at the end of the input
// with -e (after every relayed message was delivered), or on the first delivery failure.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/streamer.hpp"
#include "loop/loop.hpp"

namespace sea::flow {

struct RelayLimits {
  std::uint64_t max_messages = 0;     // -c N (0: no limit)
  bool stop_at_end = false;           // -e
  bool restamp = false;               // --restamp: let the output stamp the time
  std::size_t max_in_flight = 65'536; // messages sent but not yet reported
};

class RelayPump {
 public:
  enum class Outcome { limit_reached, end_of_stream, delivery_failed, consumer_failed, send_failed };

  RelayPump(loop::Loop& loop, Consumer& consumer, Producer& producer, std::string output_stream,
            RelayLimits limits);
  ~RelayPump();
  RelayPump(const RelayPump&) = delete;
  RelayPump& operator=(const RelayPump&) = delete;

  // Starts pulling; `on_done` runs once, from the loop, when the pump stops by itself.
  void start(std::function<void(Outcome)> on_done);
  // Stops pulling (SIGINT/SIGTERM); what is in flight still gets its reports and acks.
  void stop();
  // Flushes the producer; `done` runs when everything sent so far was reported.
  void drain(std::function<void(Result<void>)> done);

  std::uint64_t relayed() const { return relayed_; }     // sent to the output
  std::uint64_t delivered() const { return delivered_; } // reported stored by the output
  std::uint64_t in_flight() const { return marks_.size(); }
  const std::optional<Error>& error() const { return error_; }

 private:
  struct Mark {
    Producer::Ticket ticket;
    std::uint32_t stream;  // index into streams_
    ShardId shard;
    SeqNo seq;
    bool delivered = false;
  };
  std::uint32_t stream_index(std::string_view stream);
  void pump();
  void on_delivery(Producer::Ticket ticket, const Result<Receipt>& outcome);
  void ack_delivered();
  void apply_early();
  void finish(Outcome outcome);
  void maybe_finish_at_end();

  Consumer& consumer_;
  Producer& producer_;
  std::string output_stream_;
  RelayLimits limits_;
  loop::Defer resume_;
  std::function<void(Outcome)> on_done_;
  std::deque<Mark> marks_;            // ticket order
  // Reports that came before send() returned their ticket (a producer may write at once, e.g.
  // stdio to a regular file): applied as soon as the mark exists.
  std::vector<Producer::Ticket> early_;
  std::vector<std::string> streams_;  // input stream names seen, for acks
  std::uint64_t relayed_ = 0;
  std::uint64_t delivered_ = 0;
  bool running_ = false;
  bool pumping_ = false;
  bool in_poll_ = false;  // inside consumer_.poll(): acks are deferred until it returns
  bool done_ = false;
  std::optional<Outcome> pending_outcome_;  // reached the end/limit; waiting for reports
  std::optional<Error> error_;
};

}  // namespace sea::flow
