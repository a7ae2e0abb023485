// Consumer → encoder → writer with write-then-ack, as described in egress.hpp.
#include "cli/egress.hpp"

namespace sea::cli {

namespace {
constexpr std::size_t kMaxPending = 1 << 20;  // bytes waiting for the output before we stop polling
constexpr std::size_t kBatch = 4096;          // messages per poll call
}  // namespace

Egress::Egress(loop::Loop& loop, Consumer& consumer, codecs::Encoder& encoder, loop::OutputWriter& writer,
               EgressLimits limits)
    : consumer_(consumer), encoder_(encoder), writer_(writer), limits_(limits), resume_(loop, [this] { pump(); }) {}

Egress::~Egress() {
  consumer_.set_on_readable({});
  writer_.set_on_progress({});
}

void Egress::start(std::function<void(Outcome)> on_done) {
  on_done_ = std::move(on_done);
  running_ = true;
  consumer_.set_on_readable([this] { pump(); });
  writer_.set_on_progress([this](std::uint64_t) {
    if (limits_.track_acks) ack_written();
    if (pumping_) return;
    if (pending_outcome_ && writer_.pending() == 0) {
      finish(*pending_outcome_);
      return;
    }
    if (writer_.pending() < kMaxPending / 2) pump();
  });
  writer_.set_on_error([this](const Error& e) {
    output_error_ = e;
    finish(Outcome::output_closed);
  });
  pump();
}

void Egress::stop() {
  running_ = false;
  consumer_.set_on_readable({});
}

void Egress::ack_written() {
  const std::uint64_t written = writer_.written_total();
  // Consecutive marks of one shard collapse into one ack of the last of them.
  std::optional<Mark> run;
  auto flush_run = [&] {
    if (run) consumer_.ack(streams_[run->stream], run->shard, run->seq);
  };
  while (!marks_.empty() && marks_.front().end <= written) {
    const Mark m = marks_.front();
    marks_.pop_front();
    if (run && (run->shard != m.shard || run->stream != m.stream)) flush_run();
    run = m;
  }
  flush_run();
}

std::uint32_t Egress::stream_index(std::string_view stream) {
  for (std::size_t i = streams_.size(); i-- > 0;)
    if (streams_[i] == stream) return static_cast<std::uint32_t>(i);
  streams_.emplace_back(stream);
  return static_cast<std::uint32_t>(streams_.size() - 1);
}

void Egress::pump() {
  if (!running_ || done_ || pumping_) return;
  pumping_ = true;
  // Iterate rather than recurse: a flush that completes at once reports progress, and that must
  // not call back into pump(). A budget of rounds hands the loop back during a long backlog.
  for (int round = 0; round < 64; ++round) {
    std::size_t got_total = 0;
    std::string& out = writer_.buffer();
    while (!pending_outcome_ && writer_.pending() < kMaxPending) {
      std::size_t want = kBatch;
      if (limits_.max_messages > 0) want = std::min<std::uint64_t>(want, limits_.max_messages - delivered_);
      const std::size_t got = consumer_.poll(want, [&](const MessageView& m) {
        encoder_.encode(m, out);
        ++delivered_;
        if (limits_.track_acks)
          marks_.push_back({writer_.written_total() + writer_.pending(), stream_index(m.stream), m.shard, m.seq});
      });
      got_total += got;
      if (limits_.max_messages > 0 && delivered_ >= limits_.max_messages) pending_outcome_ = Outcome::limit_reached;
      if (got == 0) {
        if (consumer_.error()) pending_outcome_ = Outcome::consumer_failed;
        else if (limits_.stop_at_end && consumer_.at_end()) pending_outcome_ = Outcome::end_of_stream;
        break;
      }
    }
    writer_.flush();
    if (done_) break;
    if (pending_outcome_) {
      if (writer_.pending() == 0 && !writer_.failed()) {
        pumping_ = false;
        finish(*pending_outcome_);
        return;
      }
      break;  // the rest goes out when the output is writable; on_progress finishes
    }
    if (got_total == 0 || writer_.pending() >= kMaxPending / 2) break;
    if (round == 63) resume_.schedule();
  }
  pumping_ = false;
}

void Egress::finish(Outcome outcome) {
  if (done_) return;
  done_ = true;
  running_ = false;
  consumer_.set_on_readable({});
  if (limits_.track_acks) ack_written();
  if (on_done_) on_done_(outcome);
}

}  // namespace sea::cli
