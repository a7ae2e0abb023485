// Consumer → producer with write-then-ack, as described in relay_pump.hpp.
#include "flow/relay_pump.hpp"

#include <algorithm>

namespace sea::flow {

namespace {
constexpr std::size_t kPumpBatch = 1024;  // messages per poll call
constexpr int kPumpRounds = 64;           // poll calls per loop turn before handing the loop back
}  // namespace

RelayPump::RelayPump(loop::Loop& loop, Consumer& consumer, Producer& producer, std::string output_stream,
                     RelayLimits limits)
    : consumer_(consumer), producer_(producer), output_stream_(std::move(output_stream)), limits_(limits),
      resume_(loop, [this] { pump(); }) {}

RelayPump::~RelayPump() {
  consumer_.set_on_readable({});
  producer_.set_on_drain({});
  producer_.set_on_delivery({});
}

void RelayPump::start(std::function<void(Outcome)> on_done) {
  on_done_ = std::move(on_done);
  running_ = true;
  consumer_.set_on_readable([this] { pump(); });
  producer_.set_on_drain([this] { resume_.schedule(); });
  producer_.set_on_delivery(
      [this](Producer::Ticket ticket, const Result<Receipt>& outcome) { on_delivery(ticket, outcome); });
  pump();
}

void RelayPump::stop() {
  running_ = false;
  consumer_.set_on_readable({});
}

void RelayPump::drain(std::function<void(Result<void>)> done) { producer_.flush(std::move(done)); }

std::uint32_t RelayPump::stream_index(std::string_view stream) {
  for (std::size_t i = streams_.size(); i-- > 0;)
    if (streams_[i] == stream) return static_cast<std::uint32_t>(i);
  streams_.emplace_back(stream);
  return static_cast<std::uint32_t>(streams_.size() - 1);
}

void RelayPump::pump() {
  if (!running_ || done_ || pumping_ || pending_outcome_) return;
  pumping_ = true;
  for (int round = 0; round < kPumpRounds; ++round) {
    if (producer_.congested() || marks_.size() >= limits_.max_in_flight) break;
    std::size_t want = std::min(kPumpBatch, limits_.max_in_flight - marks_.size());
    if (limits_.max_messages > 0) want = std::min<std::uint64_t>(want, limits_.max_messages - relayed_);
    in_poll_ = true;
    const std::size_t got = consumer_.poll(want, [&](const MessageView& in) {
      if (error_) return;
      // The output gets the same key, headers, payload and (unless --restamp) time; the shard
      // is the output's choice (by key hash, else round robin, else --shard).
      MessageView out = in;
      out.stream = output_stream_;
      out.shard = kAnyShard;
      out.seq = 0;
      if (limits_.restamp) out.ts = 0;
      Result<Producer::Ticket> ticket = producer_.send(out);
      if (!ticket) {
        error_ = make_error(ticket.error().code, "{} (input {} shard {} seq {})", ticket.error().message, in.stream,
                            in.shard, in.seq);
        return;
      }
      marks_.push_back(Mark{*ticket, stream_index(in.stream), in.shard, in.seq});
      ++relayed_;
      if (!early_.empty()) apply_early();
    });
    // Acks wait until the consumer's poll returned: a consumer is not re-entered from its sink.
    in_poll_ = false;
    ack_delivered();
    if (error_) {
      pumping_ = false;
      return finish(Outcome::send_failed);
    }
    if (limits_.max_messages > 0 && relayed_ >= limits_.max_messages) {
      pending_outcome_ = Outcome::limit_reached;
      break;
    }
    if (got == 0) {
      if (consumer_.error()) {
        error_ = *consumer_.error();
        pumping_ = false;
        return finish(Outcome::consumer_failed);
      }
      if (limits_.stop_at_end && consumer_.at_end()) pending_outcome_ = Outcome::end_of_stream;
      break;
    }
    if (round == kPumpRounds - 1) resume_.schedule();
  }
  pumping_ = false;
  if (pending_outcome_) maybe_finish_at_end();
}

void RelayPump::maybe_finish_at_end() {
  // Every relayed message must be reported before the pump says it is done: flush pushes out
  // what a batching producer still holds.
  const Outcome outcome = *pending_outcome_;
  producer_.flush([this, outcome](Result<void> flushed) {
    if (done_) return;
    if (!flushed) {
      if (!error_) error_ = flushed.error();
      return finish(Outcome::delivery_failed);
    }
    ack_delivered();
    finish(outcome);
  });
}

void RelayPump::apply_early() {
  std::vector<Producer::Ticket> early;
  early.swap(early_);
  for (Producer::Ticket t : early) on_delivery(t, Receipt{});
}

void RelayPump::on_delivery(Producer::Ticket ticket, const Result<Receipt>& outcome) {
  if (!marks_.empty() && ticket < marks_.front().ticket) return;
  const std::size_t index = marks_.empty() ? 0 : static_cast<std::size_t>(ticket - marks_.front().ticket);
  if (outcome && index >= marks_.size()) {
    early_.push_back(ticket);  // reported from inside send(): the mark comes right after
    return;
  }
  if (outcome && marks_[index].ticket != ticket) return;
  if (!outcome) {
    // The producer retries by itself according to --delivery: a reported failure is final.
    if (!error_) error_ = outcome.error();
    return finish(Outcome::delivery_failed);
  }
  marks_[index].delivered = true;
  ++delivered_;
  if (!in_poll_) ack_delivered();
  if (!pending_outcome_ && running_ && marks_.size() < limits_.max_in_flight / 2) resume_.schedule();
}

void RelayPump::ack_delivered() {
  // Acks mean "everything up to seq on this shard": only a delivered prefix may be acked.
  // Consecutive marks of one input shard collapse into one ack of the last of them.
  std::optional<Mark> run;
  while (!marks_.empty() && marks_.front().delivered) {
    const Mark m = marks_.front();
    marks_.pop_front();
    if (run && (run->shard != m.shard || run->stream != m.stream))
      consumer_.ack(streams_[run->stream], run->shard, run->seq);
    run = m;
  }
  if (run) consumer_.ack(streams_[run->stream], run->shard, run->seq);
}

void RelayPump::finish(Outcome outcome) {
  if (done_) return;
  done_ = true;
  running_ = false;
  consumer_.set_on_readable({});
  if (on_done_) on_done_(outcome);
}

}  // namespace sea::flow
