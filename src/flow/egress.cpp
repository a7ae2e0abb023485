// Consumer → encoder → writer with write-then-ack, as described in egress.hpp.
#include "flow/egress.hpp"

#include <cerrno>

namespace sea::flow {

namespace {
constexpr std::size_t kMaxPending = 1 << 20;  // bytes waiting for the output before we stop polling
constexpr std::size_t kEgressBatch = 4096;          // messages per poll call
constexpr std::uint64_t kTakenCheckMs = 100;  // how often a pipe is checked: reader gone, what it took
constexpr std::uint64_t kDrainCheckMs = 5;    // the same while a session waits for its reader to drain
}  // namespace

Egress::Egress(loop::Loop& loop, Consumer& consumer, codecs::Encoder& encoder, loop::OutputWriter& writer,
               EgressLimits limits)
    : consumer_(consumer), encoder_(encoder), writer_(writer), limits_(limits), resume_(loop, [this] { pump(); }),
      taken_check_(loop) {}

Egress::~Egress() {
  consumer_.set_on_readable({});
  writer_.set_on_progress({});
}

void Egress::start(std::function<void(Outcome)> on_done) {
  on_done_ = std::move(on_done);
  running_ = true;
  consumer_.set_on_readable([this] { pump(); });
  writer_.set_on_progress([this](std::uint64_t) {
    if (limits_.track_acks) ack_taken();
    if (pumping_) return;
    if (pending_outcome_ && writer_.pending() == 0) {
      complete();
      return;
    }
    if (writer_.pending() < kMaxPending / 2) pump();
  });
  writer_.set_on_error([this](const Error& e) {
    output_error_ = e;
    finish(Outcome::output_closed);
  });
  // Writes come only while there is something to write. Once the reader has caught up, this tick
  // acks its last messages (one ioctl, only while some are unacked) and notices a reader that
  // left while the stream was idle (POLLERR: `consume | head -n 1` on a quiet stream ends).
  if (writer_.is_pipe()) {
    taken_check_.start(kTakenCheckMs, kTakenCheckMs, [this] {
      if (writer_.reader_gone()) {
        output_error_ = errno_error(EPIPE, "output: the reader closed the pipe");
        finish(Outcome::output_closed);
        return;
      }
      if (limits_.track_acks && !marks_.empty()) ack_taken();
    });
    taken_check_.unref();
  }
  pump();
}

void Egress::stop() {
  running_ = false;
  consumer_.set_on_readable({});
  taken_check_.stop();
}

void Egress::settle() {
  if (writer_.failed() || writer_.reader_gone()) ack_taken();
  else ack_written();
}

void Egress::ack_upto(std::uint64_t end) {
  // Consecutive marks of one shard collapse into one ack of the last of them.
  std::optional<Mark> run;
  auto flush_run = [&] {
    if (run) consumer_.ack(streams_[run->stream], run->shard, run->seq);
  };
  while (!marks_.empty() && marks_.front().end <= end) {
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
      std::size_t want = kEgressBatch;
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
        complete();
        return;
      }
      break;  // the rest goes out when the output is writable; on_progress finishes
    }
    if (got_total == 0 || writer_.pending() >= kMaxPending / 2) break;
    if (round == 63) resume_.schedule();
  }
  pumping_ = false;
}

void Egress::complete() {
  // A session that ends while its reader stays (tap -c / -e) waits until the reader has read the
  // pipe empty, or closed it, so that what it commits is what the reader took. The reader sees
  // EOF only once the pipe is empty anyway: this costs it at most one tick.
  if (limits_.track_acks && limits_.drain_before_end && !writer_.failed() && !writer_.reader_gone() &&
      writer_.taken_total() < writer_.written_total()) {
    if (!draining_) {
      draining_ = true;
      taken_check_.stop();
      taken_check_.start(kDrainCheckMs, kDrainCheckMs, [this] {
        if (!done_) complete();
      });
    }
    return;
  }
  taken_check_.stop();
  finish(*pending_outcome_);
}

void Egress::finish(Outcome outcome) {
  if (done_) return;
  done_ = true;
  running_ = false;
  consumer_.set_on_readable({});
  taken_check_.stop();
  if (limits_.track_acks) settle();
  if (on_done_) on_done_(outcome);
}

}  // namespace sea::flow
