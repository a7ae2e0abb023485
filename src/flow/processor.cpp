// Processor (processor.hpp). Phases: feeding -> barrier (quiet point) -> commit -> feeding; at the
// end of the input: ending (stdin closed, CMD finishes) -> commit -> done; when CMD dies:
// restarting (backoff) -> feeding from the last commit.
#include "flow/processor.hpp"

#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include <fmt/core.h>
#include <spdlog/spdlog.h>

namespace sea::flow {

namespace {

constexpr std::size_t kPollBatch = 256;
constexpr int kQuickLooks = 200;            // quiet checks on the next loop turns before timers
constexpr std::uint64_t kExitDrainMs = 2000;  // after CMD exits: how long its stdout may stay open
constexpr std::size_t kMaxStderrLine = 64 * 1024;
constexpr int kMaxAborts = 5;                 // exactly-once: failed commits in a row before giving up

std::size_t unread_bytes(int fd) {
  int n = 0;
  if (fd < 0 || ioctl(fd, FIONREAD, &n) != 0) return 0;
  return static_cast<std::size_t>(n);
}

void add_run(std::vector<FeedRecord::Run>& runs, std::string_view stream, ShardId shard, SeqNo seq) {
  if (!runs.empty()) {
    FeedRecord::Run& last = runs.back();
    if (last.stream == stream && last.shard == shard && last.last + 1 == seq) {
      last.last = seq;
      return;
    }
  }
  runs.push_back({std::string(stream), shard, seq, seq});
}

std::uint64_t random_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

class Processor::Sink final : public codecs::FrameSink {
 public:
  explicit Sink(Processor& p) : p_(p) {}
  void on_frame(const codecs::Frame& frame) override {
    if (p_.phase_ == Phase::done) return;
    MessageView message;
    std::uint32_t to = 0;  // the producer: 0 is output_
    std::string_view stream = p_.output_stream_;
    if (p_.mapper_) {
      Result<MessageView> mapped = p_.mapper_(frame, p_.scratch_);
      if (!mapped) {
        ++bad_;
        spdlog::warn("{}: output {} of CMD skipped: {}", p_.options_.name, p_.produced_ + bad_, mapped.error().message);
        return;
      }
      message = *mapped;
    } else {
      // An envelope's key, headers and time (decoders of plain formats leave them empty).
      message.payload = frame.payload;
      message.has_key = frame.has_key;
      message.key = frame.key;
      message.headers = frame.headers;
      message.ts = frame.ts;
      // An envelope passed through names its input stream: that output goes to output_stream
      // (routing never feeds a processor its own output).
      if (!frame.stream.empty() && frame.stream != p_.output_stream_ && !p_.is_input_stream(frame.stream)) {
        Result<std::uint32_t> routed = p_.route(frame.stream);
        if (!routed) {
          ++bad_;
          spdlog::warn("{}: output {} of CMD names stream '{}': {}; skipped", p_.options_.name, p_.produced_ + bad_,
                       frame.stream, routed.error().message);
          return;
        }
        to = *routed;
        stream = frame.stream;
      }
    }
    message.stream = stream;
    if (Result<void> opened = p_.open_transaction(); !opened) {
      p_.fail(Error{opened.error().code, fmt::format("cannot begin the output's transaction: {}", opened.error().message)});
      return;
    }
    Result<Producer::Ticket> sent = p_.producer_at(to).send(message);
    if (!sent) {
      p_.fail(Error{sent.error().code, fmt::format("cannot produce CMD's output: {}", sent.error().message)});
      return;
    }
    p_.note_sent(to, *sent);
    ++p_.produced_;
    ++p_.txn_outputs_;
  }
  void on_error(const codecs::DecodeError& error) override {
    ++bad_;
    spdlog::warn("{}: CMD's stdout, {}: skipped", p_.options_.name, error.describe());
  }

 private:
  Processor& p_;
  std::uint64_t bad_ = 0;
};

Processor::Processor(loop::Loop& loop, Consumer& input, Producer& output, std::string output_stream,
                     codecs::Encoder& encoder, DecoderFactory decoders, ProcessorOptions options)
    : loop_(loop),
      input_(input),
      output_(output),
      output_stream_(std::move(output_stream)),
      encoder_(encoder),
      decoders_(std::move(decoders)),
      options_(std::move(options)),
      sink_(std::make_unique<Sink>(*this)),
      resume_(loop, [this] {
        if (phase_ == Phase::barrier) check_quiet();
        else if (phase_ == Phase::ending) maybe_finish_end();
        else pump();
      }),
      commit_timer_(loop),
      quiet_timer_(loop),
      restart_timer_(loop),
      grace_timer_(loop),
      inflight_timer_(loop) {}

Processor::~Processor() {
  phase_ = Phase::done;
  teardown_child();
}

Result<void> Processor::start(std::function<void(Outcome)> on_done) {
  on_done_ = std::move(on_done);
  record_.seed = hooks_.next_seed ? hooks_.next_seed() : random_seed();
  output_.set_on_delivery([this](Producer::Ticket t, const Result<Receipt>& r) { on_delivery(0, t, r); });
  output_.set_on_drain([this] {
    if (stdout_paused_ && stdout_ && !congested()) {
      stdout_paused_ = false;
      stdout_->resume();
    }
  });
  input_.set_on_readable([this] {
    if (phase_ == Phase::feeding) resume_.schedule();
  });
  if (Result<void> spawned = spawn(); !spawned) return spawned;
  commit_timer_.start(options_.commit_interval_ms, options_.commit_interval_ms, [this] {
    commit_due_ = true;
    if (phase_ == Phase::feeding && !marks_.empty()) begin_barrier();
  });
  resume_.schedule();
  return {};
}

Result<void> Processor::spawn() {
  if (options_.lockstep && hooks_.before_start) hooks_.before_start(record_.seed, record_.feed);
  child_ = std::make_unique<loop::Child>(loop_);
  loop::ChildSpec spec{options_.argv, options_.env};
  if (Result<void> spawned = child_->spawn(spec, [this](const loop::ChildExit& e) { on_child_exit(e); }); !spawned)
    return spawned;
  Result<std::unique_ptr<codecs::Decoder>> decoder = decoders_();
  if (!decoder) return decoder.error();
  decoder_ = std::move(*decoder);
  child_exited_ = stdout_eof_ = stderr_eof_ = stdout_paused_ = false;
  stdin_ = std::make_unique<loop::OutputWriter>(loop_, child_->stdin_fd());
  // Never act from inside the writer's own callback (the end destroys the writer): next turn.
  stdin_->set_on_progress([this](std::uint64_t) { resume_.schedule(); });
  stdin_->set_on_error([this](const Error& e) {
    // CMD closed its stdin (e.g. `head -n 1`): it ends soon; its exit decides what follows.
    spdlog::debug("{}: CMD's stdin: {}", options_.name, e.message);
  });
  stdout_ = std::make_unique<loop::InputReader>(loop_, child_->stdout_fd());
  if (Result<void> r = stdout_->start([this](std::string_view c) { on_stdout(c); }, [this] { on_stdout_eof(); },
                                      [this](const Error& e) {
                                        spdlog::warn("{}: reading CMD's stdout: {}", options_.name, e.message);
                                        on_stdout_eof();
                                      });
      !r)
    return r;
  stderr_ = std::make_unique<loop::InputReader>(loop_, child_->stderr_fd(), 64 * 1024);
  if (Result<void> r = stderr_->start([this](std::string_view c) { on_stderr(c); },
                                      [this] {
                                        on_stderr("\n");
                                        stderr_eof_ = true;
                                        if (phase_ == Phase::ending) maybe_finish_end();
                                      },
                                      [this](const Error&) { stderr_eof_ = true; });
      !r)
    return r;
  spdlog::debug("{}: started CMD, pid {}", options_.name, child_->pid());
  if (options_.lockstep) {  // its start-up runs to its first read before the first message
    phase_ = Phase::barrier;
    quiet_looks_ = 0;
    quick_looks_ = 0;
  }
  return {};
}

void Processor::teardown_child() {
  stdin_.reset();
  stdout_.reset();
  stderr_.reset();
  child_.reset();  // kills a CMD still running and closes the pipes
}

std::uint32_t Processor::stream_index(std::string_view stream) {
  for (std::uint32_t i = 0; i < streams_.size(); ++i)
    if (streams_[i] == stream) return i;
  streams_.emplace_back(stream);
  return static_cast<std::uint32_t>(streams_.size() - 1);
}

InputRef Processor::ref(const Mark& m) const { return InputRef{streams_[m.stream], m.shard, m.seq, m.ts}; }

void Processor::pump() {
  if (phase_ != Phase::feeding || stopping_ || pumping_ || committing_ || !stdin_) return;
  pumping_ = true;
  bool fed_this_turn = false;
  advance_taken();
  while (phase_ == Phase::feeding && stdin_->pending() < options_.max_stdin_pending &&
         marks_.size() < options_.max_uncommitted && marks_.size() - taken_idx_ < inflight_limit_) {
    if (options_.max_messages != 0 && fed_ >= options_.max_messages) break;
    const bool one = options_.lockstep || lockstep_left_ > 0;
    if (one && fed_this_turn) break;
    fed_in_lockstep_ = one;
    std::size_t max = one ? 1 : kPollBatch;
    if (options_.max_messages != 0) max = std::min<std::size_t>(max, options_.max_messages - fed_);
    max = std::min(max, options_.max_uncommitted - marks_.size());
    const std::size_t n = input_.poll(max, [this](const MessageView& m) { feed_one(m); });
    if (n == 0) break;
    fed_this_turn = true;
  }
  if (stdin_ && stdin_->pending() > 0) stdin_->flush();
  pumping_ = false;
  if (phase_ != Phase::feeding) return;
  if (std::optional<Error> e = input_.error()) {
    fail(Error{e->code, fmt::format("reading the input: {}", e->message)});
    return;
  }
  if (options_.max_messages != 0 && fed_ >= options_.max_messages) {
    begin_end(Outcome::limit_reached);
  } else if (options_.stop_at_end && input_.at_end() && !fed_this_turn) {
    begin_end(Outcome::end_of_stream);
  } else if (fed_this_turn && fed_in_lockstep_) {
    begin_barrier();  // the quiet point after this one message
  } else if (marks_.size() >= options_.max_uncommitted || commit_due_) {
    if (!marks_.empty()) begin_barrier();
  } else if (marks_.size() - taken_idx_ >= inflight_limit_) {
    if (!inflight_timer_active_) {  // CMD is behind: look again when it may have read more
      inflight_timer_active_ = true;
      inflight_timer_.start(2, 0, [this] {
        inflight_timer_active_ = false;
        pump();
      });
    }
  } else if (fed_this_turn && stdin_->pending() < options_.max_stdin_pending) {
    resume_.schedule();  // more may be buffered: continue on the next turn, signals get a say
  }
}

void Processor::advance_taken() {
  if (!stdin_) return;
  const std::uint64_t taken = stdin_->taken_total();
  while (taken_idx_ < marks_.size() && marks_[taken_idx_].end <= taken) ++taken_idx_;
  // The window of inputs CMD has not read yet: about 200 ms of CMD's own pace (at least 256
  // inputs, at most 65,536), so a barrier or a stop waits for little, whatever CMD's speed.
  const std::uint64_t now = loop_.now_ms();
  if (now >= rate_since_ms_ + 100) {
    const std::uint64_t taken_inputs = taken_inputs_base_ + taken_idx_;
    const double per_ms = static_cast<double>(taken_inputs - rate_inputs_) / static_cast<double>(now - rate_since_ms_);
    inflight_limit_ = static_cast<std::size_t>(std::clamp(per_ms * 200.0, 256.0, 65536.0));
    rate_since_ms_ = now;
    rate_inputs_ = taken_inputs;
  }
}

bool Processor::feed_one(const MessageView& m) {
  const std::uint32_t stream = stream_index(m.stream);
  if (record_.input_count == 0) record_.first_ts = m.ts;
  record_.last_ts = m.ts;
  ++record_.input_count;
  add_run(record_.inputs, m.stream, m.shard, m.seq);
  ++fed_;
  if (lockstep_left_ > 0) --lockstep_left_;
  if (skip_ && skip_->stream == m.stream && skip_->shard == m.shard && skip_->seq == m.seq) {
    // The poison input: to the dead letter instead of CMD, then on with the rest.
    skip_.reset();
    record_.dead_letter = InputRef{std::string(m.stream), m.shard, m.seq, m.ts};
    MessageView copy = m;
    copy.stream = dead_letter_stream_;
    copy.shard = kAnyShard;
    if (Result<Producer::Ticket> sent = dead_letter_->send(copy); !sent) {
      fail(Error{sent.error().code, fmt::format("dead letter: {}", sent.error().message)});
      return false;
    }
    ++dead_lettered_;
    spdlog::warn("{}: {} shard {} seq {} crashed CMD {} times in a row: sent to the dead letter {}",
                 options_.name, m.stream, m.shard, m.seq, options_.poison, dead_letter_stream_);
    const std::uint64_t at = stdin_->written_total() + stdin_->pending();
    marks_.push_back({at, at, stream, m.shard, m.seq, m.ts});
    return true;
  }
  if (hooks_.before_feed) hooks_.before_feed(m, record_.seed, record_.feed, index_in_feed_);
  ++index_in_feed_;
  const std::uint64_t start = stdin_->written_total() + stdin_->pending();
  encoder_.encode(m, stdin_->buffer());
  marks_.push_back({start, stdin_->written_total() + stdin_->pending(), stream, m.shard, m.seq, m.ts});
  return true;
}

void Processor::on_stdout(std::string_view chunk) {
  stdout_bytes_ += chunk.size();
  if (phase_ == Phase::feeding) resume_.schedule();
  if (decoder_) decoder_->feed(chunk, *sink_);
  if (phase_ != Phase::done && congested() && stdout_ && !stdout_paused_) {
    stdout_paused_ = true;
    stdout_->pause();
  }
}

void Processor::on_stdout_eof() {
  if (stdout_eof_) return;
  stdout_eof_ = true;
  if (decoder_) decoder_->finish(*sink_);
  if (phase_ == Phase::ending) maybe_finish_end();
  else if (child_exited_ && phase_ == Phase::restarting)  // not from inside the reader's callback
    restart_timer_.start(0, 0, [this] { crashed_drained(); });
}

void Processor::on_stderr(std::string_view chunk) {
  for (char c : chunk) {
    if (c == '\n') {
      if (!stderr_line_.empty()) fmt::print(stderr, "[{}] {}\n", options_.name, stderr_line_);
      stderr_line_.clear();
    } else if (stderr_line_.size() < kMaxStderrLine) {
      stderr_line_.push_back(c);
    }
  }
  std::fflush(stderr);
}

Result<std::uint32_t> Processor::route(std::string_view stream) {
  for (std::uint32_t i = 0; i < extra_outputs_.size(); ++i)
    if (extra_outputs_[i].stream == stream) return i + 1;
  if (options_.transactional)
    return make_error(Errc::unsupported, "exactly-once writes only '{}' (one transaction is one producer's)",
                      output_stream_);
  if (!open_output_) return make_error(Errc::unsupported, "this processor writes only to '{}'", output_stream_);
  if (extra_outputs_.size() >= kMaxOutputStreams)
    return make_error(Errc::invalid_argument, "CMD already wrote to {} other streams, the most a processor opens",
                      kMaxOutputStreams);
  Result<Producer*> opened = open_output_(stream);
  if (!opened) return opened.error();
  Producer* producer = *opened;
  extra_outputs_.push_back({std::string(stream), producer});
  const auto ordinal = static_cast<std::uint32_t>(extra_outputs_.size());
  producer->set_on_delivery(
      [this, ordinal](Producer::Ticket t, const Result<Receipt>& r) { on_delivery(ordinal, t, r); });
  producer->set_on_drain([this] {
    if (stdout_paused_ && stdout_ && !congested()) {
      stdout_paused_ = false;
      stdout_->resume();
    }
  });
  spdlog::debug("{}: CMD writes to stream '{}' too", options_.name, stream);
  return ordinal;
}

Producer& Processor::producer_at(std::uint32_t producer) {
  return producer == 0 ? output_ : *extra_outputs_[producer - 1].producer;
}

std::string_view Processor::stream_of(std::uint32_t producer) const {
  return producer == 0 ? std::string_view(output_stream_) : std::string_view(extra_outputs_[producer - 1].stream);
}

void Processor::note_sent(std::uint32_t producer, Producer::Ticket ticket) {
  if (sent_.size() <= producer) sent_.resize(producer + 1);
  SentRange& range = sent_[producer];
  if (range.slots.empty()) range.first = ticket;
  if (ticket != range.first + range.slots.size()) {
    // Not ours alone (someone else sends through this producer): order by report instead.
    spdlog::debug("{}: ticket {} out of sequence; outputs recorded in delivery order", options_.name, ticket);
    range.first = ticket - range.slots.size();
  }
  range.slots.push_back(static_cast<std::uint32_t>(out_slots_.size()));
  out_slots_.push_back(OutSlot{producer});
  for (std::size_t i = 0; i < early_.size(); ++i) {
    if (early_[i].producer != producer || early_[i].ticket != ticket) continue;
    const Receipt receipt = early_[i].receipt;
    early_.erase(early_.begin() + static_cast<std::ptrdiff_t>(i));
    note_delivered(producer, ticket, receipt);
    break;
  }
}

void Processor::note_delivered(std::uint32_t producer, Producer::Ticket ticket, const Receipt& receipt) {
  if (producer < sent_.size()) {
    SentRange& range = sent_[producer];
    if (ticket >= range.first && ticket - range.first < range.slots.size()) {
      OutSlot& slot = out_slots_[range.slots[ticket - range.first]];
      slot.shard = receipt.shard;
      slot.seq = receipt.seq;
      slot.delivered = true;
      return;
    }
  }
  early_.push_back(EarlyReport{producer, ticket, receipt});
}

// The feed record's outputs, in send order, from the slots (every report is in after a flush).
void Processor::close_output_record() {
  record_.outputs.clear();
  record_.output_count = 0;
  for (const OutSlot& slot : out_slots_) {
    if (!slot.delivered) continue;
    add_run(record_.outputs, stream_of(slot.producer), slot.shard, slot.seq);
    ++record_.output_count;
  }
}

void Processor::reset_output_record() {
  out_slots_.clear();
  for (SentRange& range : sent_) range.slots.clear();
  early_.clear();
}

bool Processor::is_input_stream(std::string_view stream) const {
  return std::find(streams_.begin(), streams_.end(), stream) != streams_.end();
}

bool Processor::congested() const {
  if (output_.congested()) return true;
  for (const ExtraOutput& e : extra_outputs_)
    if (e.producer->congested()) return true;
  return false;
}

// Flushes output_ (from == 0), then every other output stream in turn; `done` gets the first error.
void Processor::flush_outputs(std::size_t from, std::function<void(Result<void>)> done) {
  Producer& producer = from == 0 ? output_ : *extra_outputs_[from - 1].producer;
  producer.flush([this, from, done = std::move(done)](Result<void> flushed) mutable {
    if (!flushed || from >= extra_outputs_.size()) {
      done(std::move(flushed));
      return;
    }
    flush_outputs(from + 1, std::move(done));
  });
}

void Processor::on_delivery(std::uint32_t producer, Producer::Ticket ticket, const Result<Receipt>& outcome) {
  if (!outcome) {
    ++failed_sends_;
    if (options_.transactional) {  // the commit aborts the transaction and everything is refed
      if (!delivery_error_) delivery_error_ = outcome.error();
      return;
    }
    fail(Error{outcome.error().code, fmt::format("the output refused a message: {}", outcome.error().message)});
    return;
  }
  ++acknowledged_;
  note_delivered(producer, ticket, *outcome);
}

std::optional<InputRef> Processor::processing() const {
  if (marks_.empty()) return std::nullopt;
  const std::uint64_t taken = stdin_ ? stdin_->taken_total() : taken_at_close_;
  for (const Mark& m : marks_)
    if (m.end >= taken) return ref(m);
  return ref(marks_.back());
}

void Processor::begin_barrier() {
  if (phase_ != Phase::feeding) return;
  phase_ = Phase::barrier;
  quiet_looks_ = 0;
  quick_looks_ = 0;
  check_quiet();
}

void Processor::check_quiet() {
  if (phase_ != Phase::barrier || !child_) return;
  // 1. CMD took everything we wrote; 2. every process of it waits for input; 3. its stdout is
  // read to the end. Seen twice, with no output in between.
  bool quiet = stdin_->pending() == 0 && stdin_->taken_total() == stdin_->written_total() && child_->quiescent();
  if (quiet && unread_bytes(child_->stdout_fd()) != 0) {
    stdout_->drain_now();
    quiet = false;
  }
  if (quiet && stdout_paused_) quiet = false;  // the output backend is the one behind
  if (quiet) {
    if (quiet_looks_ > 0 && quiet_seen_at_ == stdout_bytes_) {
      quiet_point();
      return;
    }
    quiet_looks_ = 1;
    quiet_seen_at_ = stdout_bytes_;
  } else {
    quiet_looks_ = 0;
  }
  if (++quick_looks_ < kQuickLooks) resume_.schedule();
  else quiet_timer_.start(1, 0, [this] { check_quiet(); });
}

void Processor::quiet_point() {
  const bool lockstep = options_.lockstep || lockstep_left_ > 0;
  if (lockstep && !commit_due_ && marks_.size() < options_.max_uncommitted) {
    phase_ = Phase::feeding;
    pump();
    return;
  }
  commit([this] {
    if (phase_ != Phase::barrier) return;  // CMD ended meanwhile: the restart takes over
    phase_ = Phase::feeding;
    if (stopping_) begin_end(Outcome::stopped);
    else resume_.schedule();
  });
}

void Processor::commit(std::function<void()> then) {
  committing_ = true;
  flush_outputs(0, [this, then = std::move(then)](Result<void> flushed) mutable {
    if (phase_ == Phase::done) return;
    if (options_.transactional) {
      // The outputs so far and the input positions, in one transaction; a failure aborts it
      // (none of its outputs is ever visible to read_committed readers) and refeeds a new CMD
      // from the last commit, as after a crash.
      Result<void> committed = flushed ? commit_transaction() : Result<void>(flushed.error());
      if (committed && delivery_error_) committed = *delivery_error_;
      if (!committed) {
        committing_ = false;
        delivery_error_.reset();
        if (committed.error().code == Errc::closed || ++aborts_in_a_row_ > kMaxAborts) {
          fail(Error{committed.error().code,
                     committed.error().code == Errc::closed
                         ? fmt::format("{}; stopping: another producer with the same transactional.id took over, or "
                                       "the producer failed for good", committed.error().message)
                         : fmt::format("{} transactions aborted in a row; the last: {}", aborts_in_a_row_,
                                       committed.error().message)});
          return;
        }
        spdlog::warn("{}: the transaction is aborted ({}); the {} input(s) since the last commit are processed again",
                     options_.name, committed.error().message, marks_.size());
        if (!abort_open_transaction()) return;
        phase_ = Phase::restarting;
        teardown_child();
        rewind_and_restart();
        return;
      }
    }
    if (!flushed) {
      committing_ = false;
      fail(Error{flushed.error().code, fmt::format("the output: {}", flushed.error().message)});
      return;
    }
    auto acked = [this, then = std::move(then)](Result<void> logged) mutable {
      if (phase_ == Phase::done) return;
      committing_ = false;
      if (!logged) {
        fail(Error{logged.error().code, fmt::format("the controller log: {}", logged.error().message)});
        return;
      }
      // Ack the last input of each shard (ack covers everything before it), then commit.
      for (std::size_t i = marks_.size(); i-- > 0;) {
        const Mark& m = marks_[i];
        bool later = false;
        for (std::size_t j = i + 1; j < marks_.size() && !later; ++j)
          later = marks_[j].stream == m.stream && marks_[j].shard == m.shard;
        if (!later) input_.ack(streams_[m.stream], m.shard, m.seq);
      }
      if (!marks_.empty()) {
        if (Result<void> c = input_.commit_now(); !c)
          spdlog::warn("{}: committing the input position: {} (retried with the next commit)", options_.name,
                       c.error().message);
        ++commits_;
      }
      taken_inputs_base_ += marks_.size();
      marks_.clear();
      taken_idx_ = 0;
      restarts_in_row_ = 0;
      commit_due_ = false;
      record_ = FeedRecord{};
      reset_output_record();
      record_.feed = ++feed_no_;
      record_.seed = hooks_.next_seed ? hooks_.next_seed() : random_seed();
      index_in_feed_ = 0;
      then();
    };
    close_output_record();
    if (hooks_.on_commit && (record_.input_count > 0 || record_.output_count > 0))
      hooks_.on_commit(record_, std::move(acked));
    else
      acked(Result<void>{});
  });
}

Result<void> Processor::open_transaction() {
  if (!options_.transactional || txn_open_) return {};
  if (Result<void> begun = output_.begin_transaction(); !begun) return begun;
  txn_open_ = true;
  txn_outputs_ = 0;
  return {};
}

Result<void> Processor::commit_transaction() {
  // The input positions: the next seq of each shard fed since the last commit.
  std::vector<ShardPosition> positions;
  for (const Mark& m : marks_) {
    auto at = std::find_if(positions.begin(), positions.end(), [&](const ShardPosition& p) {
      return p.shard == m.shard && p.stream == streams_[m.stream];
    });
    if (at == positions.end()) positions.push_back({streams_[m.stream], m.shard, m.seq + 1});
    else at->next_seq = std::max(at->next_seq, m.seq + 1);
  }
  if (positions.empty() && !txn_open_) return {};
  if (Result<void> opened = open_transaction(); !opened) return opened;
  if (Result<void> committed = output_.commit_transaction(input_, positions); !committed) return committed;
  txn_open_ = false;
  aborts_in_a_row_ = 0;
  ++transactions_;
  if (spdlog::should_log(spdlog::level::debug)) {
    std::string at;
    for (const ShardPosition& p : positions) at += fmt::format(" {}/{}:{}", p.stream, p.shard, p.next_seq);
    spdlog::debug("{}: transaction {} committed: {} output(s), input positions{}", options_.name, transactions_,
                  txn_outputs_, at);
  }
  return {};
}

bool Processor::abort_open_transaction() {
  if (!txn_open_) return true;
  txn_open_ = false;
  ++aborts_;
  spdlog::warn("{}: transaction aborted: its {} output(s) are never shown to read_committed readers", options_.name,
               txn_outputs_);
  if (Result<void> aborted = output_.abort_transaction(); !aborted) {
    fail(Error{aborted.error().code, fmt::format("aborting the output's transaction: {}", aborted.error().message)});
    return false;
  }
  return true;
}

void Processor::begin_end(Outcome outcome) {
  if (phase_ == Phase::done || phase_ == Phase::ending) return;
  end_outcome_ = outcome;
  phase_ = Phase::ending;
  quiet_timer_.stop();
  if (stdin_) stdin_->flush();
  maybe_finish_end();
}

void Processor::maybe_finish_end() {
  if (phase_ != Phase::ending || committing_) return;
  if (stopping_ && stdin_ && stdin_->pending() > 0) {
    // A stop: finish the message under way, feed nothing after it (the next run gets the rest).
    const std::uint64_t written = stdin_->written_total();
    std::size_t keep_marks = 0;
    while (keep_marks < marks_.size() && marks_[keep_marks].start < written) ++keep_marks;
    const std::uint64_t keep_end = keep_marks == 0 ? written : std::max(written, marks_[keep_marks - 1].end);
    stdin_->truncate_pending(static_cast<std::size_t>(keep_end - written));
    fed_ -= marks_.size() - keep_marks;
    marks_.resize(keep_marks);
    taken_idx_ = std::min(taken_idx_, marks_.size());
    // The feed record holds what was fed: rebuild its inputs from the marks kept.
    record_.inputs.clear();
    record_.input_count = marks_.size();
    for (const Mark& m : marks_) add_run(record_.inputs, streams_[m.stream], m.shard, m.seq);
    if (!marks_.empty()) record_.last_ts = marks_.back().ts;
  }
  if (stdin_ && stdin_->pending() > 0 && !stdin_->failed()) return;  // still writing CMD's input
  if (stdin_ && !stdin_->failed() && !child_exited_ && stdin_->taken_total() < stdin_->written_total()) {
    // Close only once CMD has read the pipe empty: then a crash report names the last input it
    // read, as it does before the end (the kernel says nothing about a closed pipe's reader).
    quiet_timer_.start(2, 0, [this] { maybe_finish_end(); });
    return;
  }
  if (stdin_) {
    taken_at_close_ = stdin_->taken_total();
    stdin_.reset();
    if (child_) child_->close_stdin();  // CMD sees the end of its input
    if (stopping_ && options_.grace_ms > 0) {
      grace_timer_.start(options_.grace_ms, 0, [this] {
        spdlog::warn("{}: CMD did not finish within the grace period: SIGTERM", options_.name);
        if (child_) child_->signal(SIGTERM);
        grace_timer_.start(2000, 0, [this] {
          if (child_) child_->signal(SIGKILL);
        });
      });
    }
  }
  if (!child_exited_ || !stdout_eof_) return;
  grace_timer_.stop();
  const Outcome outcome = *end_outcome_;
  if (last_exit_.signal != 0 && !stopping_) {
    phase_ = Phase::feeding;  // a crash like any other: refeed from the last commit
    crashed(last_exit_);
    return;
  }
  if (last_exit_.signal != 0) {
    // Killed while finishing after a stop: what it would have written for its last inputs is
    // not known, so nothing after the last commit is committed.
    spdlog::error("{}: CMD was {} while finishing its input; nothing after the last commit is committed",
                  options_.name, last_exit_.describe());
    if (!error_) error_ = Error{Errc::io, fmt::format("CMD was {}", last_exit_.describe())};
    finish(stopping_ ? Outcome::stopped : Outcome::failed);
    return;
  }
  if (last_exit_.status != 0) {
    // A failure, not an end: what it wrote for its last inputs may be missing. Refeed them.
    phase_ = Phase::feeding;
    crashed(last_exit_);
    return;
  }
  commit([this, outcome] { finish(outcome); });
}

void Processor::on_child_exit(const loop::ChildExit& exit) {
  child_exited_ = true;
  last_exit_ = exit;
  if (phase_ == Phase::done) return;
  if (phase_ == Phase::ending) {
    maybe_finish_end();
    return;
  }
  crashed(exit);
}

void Processor::crashed(const loop::ChildExit& exit) {
  // CMD ended while it still had input coming: say where, then restart from the last commit.
  const std::optional<InputRef> at = processing();
  quiet_timer_.stop();
  grace_timer_.stop();
  phase_ = Phase::restarting;
  if (at)
    spdlog::error("{}: CMD {} while processing {} shard {} seq {}", options_.name, exit.describe(), at->stream,
                  at->shard, at->seq);
  else
    spdlog::error("{}: CMD {} (between messages)", options_.name, exit.describe());
  crash_input_ = at;
  crash_in_lockstep_ = fed_in_lockstep_;
  if (hooks_.on_crash) hooks_.on_crash(exit, at);
  // Its stdout may still hold what it wrote before it died: produce that first (the reader
  // reaches its end, on_stdout_eof), bounded in case a child of CMD keeps the pipe open.
  if (stdout_eof_) restart_timer_.start(0, 0, [this] { crashed_drained(); });
  else restart_timer_.start(kExitDrainMs, 0, [this] { crashed_drained(); });
}

void Processor::crashed_drained() {
  if (phase_ != Phase::restarting || !child_) return;
  teardown_child();
  ++restarts_in_row_;
  if (crash_input_ && last_crash_input_ && crash_input_->stream == last_crash_input_->stream &&
      crash_input_->shard == last_crash_input_->shard && crash_input_->seq == last_crash_input_->seq)
    ++same_input_crashes_;
  else
    same_input_crashes_ = crash_input_ ? 1 : 0;
  last_crash_input_ = crash_input_;
  if (crash_input_ && same_input_crashes_ >= options_.poison && crash_in_lockstep_) {
    if (dead_letter_ == nullptr) {
      fail(Error{Errc::io, fmt::format("{} shard {} seq {} crashed CMD {} times in a row (no --dead-letter)",
                                       crash_input_->stream, crash_input_->shard, crash_input_->seq,
                                       same_input_crashes_)});
      return;
    }
    skip_ = crash_input_;
    same_input_crashes_ = 0;
    restarts_in_row_ = 0;
  } else if (restarts_in_row_ > options_.max_restarts) {
    fail(Error{Errc::io, fmt::format("CMD ended {} times in a row without a commit between (--max-restarts {})",
                                     restarts_in_row_, options_.max_restarts)});
    return;
  }
  // What CMD wrote before it died is stored before the refeed starts, so the controller log's
  // record of the refeed holds only the refeed's outputs. In exactly-once it is aborted instead,
  // with every output since the last commit: the refeed makes them again.
  flush_outputs(0, [this](Result<void> flushed) {
    if (phase_ != Phase::restarting) return;
    if (options_.transactional) {
      delivery_error_.reset();
      if (!abort_open_transaction()) return;
    } else if (!flushed) {
      fail(Error{flushed.error().code, fmt::format("the output: {}", flushed.error().message)});
      return;
    }
    rewind_and_restart();
  });
}

void Processor::rewind_and_restart() {
  // Refeed from the last commit, one message per quiet point, so the next crash names its input.
  for (std::size_t i = 0; i < marks_.size(); ++i) {
    bool earlier = false;
    for (std::size_t j = 0; j < i && !earlier; ++j)
      earlier = marks_[j].stream == marks_[i].stream && marks_[j].shard == marks_[i].shard;
    if (!earlier) {
      if (Result<void> r = input_.assign(marks_[i].shard, marks_[i].seq); !r) {
        fail(Error{r.error().code, fmt::format("rewinding the input after CMD ended: {}", r.error().message)});
        return;
      }
    }
  }
  const std::uint64_t refed = marks_.size();
  fed_ -= refed;
  marks_.clear();
  taken_idx_ = 0;
  const std::uint64_t feed = record_.feed, seed = record_.seed;
  record_ = FeedRecord{};
  reset_output_record();
  record_.feed = feed;
  record_.seed = seed;
  index_in_feed_ = 0;
  lockstep_left_ = std::max<std::uint64_t>(lockstep_left_, refed + 1);
  ++restarts_total_;
  const std::uint64_t backoff = std::min<std::uint64_t>(10'000, 100ULL << std::min(std::max(restarts_in_row_, 1) - 1, 7));
  spdlog::warn("{}: restarting CMD in {} ms ({} of at most {} in a row)", options_.name, backoff, restarts_in_row_,
               options_.max_restarts);
  restart_timer_.start(backoff, 0, [this] { restart(); });
}

void Processor::restart() {
  if (phase_ != Phase::restarting) return;
  if (Result<void> spawned = spawn(); !spawned) {
    fail(spawned.error());
    return;
  }
  if (phase_ != Phase::barrier) phase_ = Phase::feeding;
  if (stopping_) {
    phase_ = Phase::feeding;
    begin_end(Outcome::stopped);
    return;
  }
  resume_.schedule();
}

void Processor::stop() {
  if (phase_ == Phase::done) return;
  if (stopping_) {  // the second signal: give up, commit nothing more
    spdlog::warn("{}: stopping now; inputs after the last commit will be processed again next time", options_.name);
    if (child_) child_->signal(SIGKILL);
    finish(Outcome::stopped);
    return;
  }
  stopping_ = true;
  if (phase_ == Phase::restarting) {
    finish(Outcome::stopped);
    return;
  }
  if (committing_) return;  // the commit under way goes on to the end (quiet_point)
  if (phase_ == Phase::barrier) phase_ = Phase::feeding;
  begin_end(Outcome::stopped);
}

void Processor::fail(Error error) {
  if (phase_ == Phase::done) return;
  if (!error_) error_ = std::move(error);
  if (child_) child_->signal(SIGKILL);
  finish(Outcome::failed);
}

void Processor::finish(Outcome outcome) {
  if (phase_ == Phase::done) return;
  phase_ = Phase::done;
  commit_timer_.stop();
  quiet_timer_.stop();
  restart_timer_.stop();
  grace_timer_.stop();
  inflight_timer_.stop();
  resume_.cancel();
  if (on_done_) {
    auto done = std::move(on_done_);
    done(outcome);
  }
}

}  // namespace sea::flow
