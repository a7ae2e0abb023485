// The transactional relay of relay_txn.hpp: batches, commits with input positions, aborts with
// rewind, and the run loop with signals that relay.cpp calls for Kafka -> Kafka exactly-once.
#include "flow/txn_pump.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <vector>

#include <spdlog/spdlog.h>


namespace sea::flow {

namespace {
constexpr std::size_t kPoll = 1024;   // messages per poll call
constexpr int kTxnRounds = 64;           // poll calls per loop turn before handing the loop back
}  // namespace

TxnPump::TxnPump(loop::Loop& loop, Consumer& consumer, Producer& producer, std::string output_stream,
                 TxnLimits limits)
    : consumer_(consumer), producer_(producer), output_stream_(std::move(output_stream)), limits_(limits),
      resume_(loop, [this] { pump(); }), close_(loop, [this] { if (state_ == State::open) close_batch(); }),
      batch_timer_(loop) {}

TxnPump::~TxnPump() {
  consumer_.set_on_readable({});
  producer_.set_on_drain({});
  producer_.set_on_delivery({});
}

void TxnPump::start(std::function<void(Outcome)> on_done) {
  on_done_ = std::move(on_done);
  running_ = true;
  consumer_.set_on_readable([this] { pump(); });
  producer_.set_on_drain([this] { resume_.schedule(); });
  producer_.set_on_delivery([this](Producer::Ticket, const Result<Receipt>& outcome) {
    // Failures while aborting are the purged messages of that very transaction.
    if (outcome || aborting_ || state_ == State::idle) return;
    if (!delivery_error_) delivery_error_ = outcome.error();
    close_.schedule();
  });
  pump();
}

void TxnPump::stop() {
  if (done_) return;
  running_ = false;
  consumer_.set_on_readable({});
  ending_ = Outcome::stopped;
  if (state_ == State::open) close_batch();
  else if (state_ == State::idle) finish(Outcome::stopped);
  // closing: on_flushed finishes once the commit is through.
}

bool TxnPump::batch_full() const { return in_batch_ >= limits_.batch_messages; }

void TxnPump::pump() {
  if (!running_ || done_ || pumping_ || state_ == State::closing || ending_) return;
  pumping_ = true;
  for (int round = 0; round < kTxnRounds; ++round) {
    if (producer_.congested() || batch_full() || delivery_error_) break;
    std::uint64_t want = std::min<std::uint64_t>(kPoll, limits_.batch_messages - in_batch_);
    if (limits_.max_messages > 0) want = std::min(want, limits_.max_messages - (committed_ + in_batch_));
    if (want == 0) break;
    const std::size_t got = consumer_.poll(want, [&](const MessageView& in) {
      if (delivery_error_) return;  // the batch will be aborted and read again
      if (state_ == State::idle) {
        Result<void> begun = producer_.begin_transaction();
        if (!begun) {
          delivery_error_ = begun.error();
          return;
        }
        state_ = State::open;
        batch_timer_.start(limits_.batch_ms, 0, [this] { close_.schedule(); });
      }
      MessageView out = in;
      out.stream = output_stream_;
      out.shard = kAnyShard;
      out.seq = 0;
      if (limits_.restamp) out.ts = 0;
      Result<Producer::Ticket> ticket = producer_.send(out);
      if (!ticket) {
        delivery_error_ = make_error(ticket.error().code, "{} (input {} shard {} seq {})", ticket.error().message,
                                     in.stream, in.shard, in.seq);
        return;
      }
      positions_[{std::string(in.stream), in.shard}] = in.seq + 1;
      ++in_batch_;
    });
    if (got == 0) {
      if (consumer_.error()) delivery_error_ = *consumer_.error();
      else if (limits_.stop_at_end && consumer_.at_end()) ending_ = Outcome::end_of_stream;
      break;
    }
    if (round == kTxnRounds - 1) resume_.schedule();
  }
  pumping_ = false;
  if (limits_.max_messages > 0 && committed_ + in_batch_ >= limits_.max_messages) ending_ = Outcome::limit_reached;
  if (batch_full() || delivery_error_ || ending_) close_batch();
}

void TxnPump::close_batch() {
  if (state_ == State::closing || done_) return;
  batch_timer_.stop();
  if (state_ == State::idle) {
    if (delivery_error_) {
      // begin_transaction itself failed: nothing was sent, so there is nothing to abort.
      error_ = *delivery_error_;
      return finish(Outcome::failed);
    }
    return after_batch();
  }
  state_ = State::closing;
  // Wait, without blocking the loop, for every delivery report: commit then only has its
  // round trips left to wait for.
  producer_.flush([this](Result<void> flushed) { on_flushed(std::move(flushed)); });
}

void TxnPump::on_flushed(Result<void> flushed) {
  if (done_) return;
  Result<void> committed = std::move(flushed);
  if (committed && delivery_error_) committed = *delivery_error_;
  if (committed) {
    std::vector<ShardPosition> positions;
    positions.reserve(positions_.size());
    for (const auto& [where, next] : positions_) positions.push_back({where.first, where.second, next});
    const auto started = std::chrono::steady_clock::now();
    committed = producer_.commit_transaction(consumer_, positions);
    spdlog::debug("transaction of {} message(s) committed in {} us", in_batch_,
                  std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
  }
  if (committed) {
    committed_ += in_batch_;
    ++transactions_;
    aborts_in_a_row_ = 0;
  } else if (!abort_and_rewind(committed.error())) {
    return;
  }
  in_batch_ = 0;
  positions_.clear();
  delivery_error_.reset();
  state_ = State::idle;
  after_batch();
}

bool TxnPump::abort_and_rewind(const Error& why) {
  if (why.code == Errc::closed) {  // fenced or fatal: no abort is possible, nothing more may be sent
    error_ = make_error(Errc::closed,
                        "{}; stopping: a newer relay with the same transactional.id took over, or the producer "
                        "failed for good (the open transaction is not committed)", why.message);
    finish(Outcome::failed);
    return false;
  }
  ++aborts_;
  ++aborts_in_a_row_;
  spdlog::warn("transaction aborted ({}); its {} message(s) will be read and sent again", why.message, in_batch_);
  aborting_ = true;
  Result<void> aborted = producer_.abort_transaction();
  aborting_ = false;
  Result<void> rewound = aborted ? consumer_.rewind_to_committed() : Result<void>(aborted.error());
  if (!rewound || aborts_in_a_row_ > kMaxAborts) {
    error_ = !rewound ? rewound.error()
                      : make_error(why.code, "{} transactions aborted in a row; the last: {}", aborts_in_a_row_,
                                   why.message);
    finish(Outcome::failed);
    return false;
  }
  // The batch is read again: a limit or end reached with it is not reached any more.
  if (ending_ != Outcome::stopped) ending_.reset();
  return true;
}

void TxnPump::after_batch() {
  if (ending_) return finish(*ending_);
  if (running_) resume_.schedule();
}

void TxnPump::finish(Outcome outcome) {
  if (done_) return;
  done_ = true;
  running_ = false;
  batch_timer_.stop();
  consumer_.set_on_readable({});
  if (on_done_) on_done_(outcome);
}

}  // namespace sea::flow
