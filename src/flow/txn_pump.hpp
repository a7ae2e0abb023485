// TxnPump: the exactly-once relay (Kafka -> Kafka, `relay --delivery exactly-once`). Messages
// are copied in transactions: begin, send a batch, wait (without blocking the loop) for every
// delivery report, then commit the batch together with the input positions (next seq of each
// input shard it took) in the output's transaction (Producer::commit_transaction). A
// read_committed reader of the output sees each input message exactly once, and the input
// group's committed position moves only with the output it produced.
//
// Batch bound: up to `batch_messages` messages (default 10,000) or `batch_ms` (default 100 ms)
// after the batch's first message, whichever comes first; also at -c N, at the end with -e, and
// on stop(). Larger batches amortise the commit (a few ms of round trips, blocking the loop,
// see backends/kafka/kafka_transaction.cpp); the time bound keeps a quiet stream's output
// from waiting longer than that for its commit.
//
// Errors: a failed delivery or an abortable commit error aborts the transaction and rewinds the
// consumer to the group's committed positions (Consumer::rewind_to_committed), so the batch is
// read and sent again: nothing lost, nothing visible twice. A fatal error (Errc::closed: fenced
// by another relay with the same transactional.id) or more than kMaxAborts aborts in a row stop
// the pump with Outcome::failed.
//
// Lives on the loop thread; the transactional calls are made only from loop callbacks outside
// consumer.poll() and outside delivery callbacks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/streamer.hpp"
#include "loop/loop.hpp"

namespace sea::flow {

struct TxnLimits {
  std::uint64_t max_messages = 0;       // -c N (0: no limit)
  bool stop_at_end = false;             // -e
  bool restamp = false;                 // --restamp
  std::uint64_t batch_messages = 10'000;
  std::uint64_t batch_ms = 100;
};

class TxnPump {
 public:
  enum class Outcome { limit_reached, end_of_stream, stopped, failed };

  TxnPump(loop::Loop& loop, Consumer& consumer, Producer& producer, std::string output_stream, TxnLimits limits);
  ~TxnPump();
  TxnPump(const TxnPump&) = delete;
  TxnPump& operator=(const TxnPump&) = delete;

  // Starts copying; `on_done` runs once, from the loop, when the pump has stopped with no
  // transaction open.
  void start(std::function<void(Outcome)> on_done);
  // SIGINT/SIGTERM: stop reading, commit the open transaction (abort it if the commit fails),
  // then on_done(stopped).
  void stop();

  std::uint64_t committed() const { return committed_; }      // messages in committed transactions
  std::uint64_t in_batch() const { return in_batch_; }        // sent in the open transaction
  std::uint64_t transactions() const { return transactions_; }
  std::uint64_t aborts() const { return aborts_; }
  const std::optional<Error>& error() const { return error_; }

 private:
  enum class State { idle, open, closing };
  static constexpr int kMaxAborts = 5;

  void pump();
  bool batch_full() const;
  void close_batch();
  void on_flushed(Result<void> flushed);
  bool abort_and_rewind(const Error& why);
  void after_batch();
  void finish(Outcome outcome);

  Consumer& consumer_;
  Producer& producer_;
  std::string output_stream_;
  TxnLimits limits_;
  loop::Defer resume_;
  loop::Defer close_;   // closes the batch from outside poll() / delivery callbacks
  loop::Timer batch_timer_;
  std::function<void(Outcome)> on_done_;
  std::map<std::pair<std::string, ShardId>, SeqNo> positions_;  // next seq per input shard, this batch
  State state_ = State::idle;
  std::optional<Outcome> ending_;      // finish with this once no transaction is open
  std::optional<Error> delivery_error_;  // a failed delivery in the open transaction
  std::optional<Error> error_;
  std::uint64_t committed_ = 0;
  std::uint64_t in_batch_ = 0;
  std::uint64_t transactions_ = 0;
  std::uint64_t aborts_ = 0;
  int aborts_in_a_row_ = 0;
  bool running_ = false;
  bool pumping_ = false;
  bool aborting_ = false;
  bool done_ = false;
};

// Runs the loop with `pump` until it is done (-c, -e, a fatal error) or a signal has it commit

}  // namespace sea::flow
