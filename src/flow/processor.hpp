// Processor: a stream processor stage (`sea streamer process`). Input messages are encoded onto
// CMD's stdin, every frame CMD writes on its stdout is decoded and produced to the output, and
// CMD's stderr passes through with each line prefixed by the processor's name.
//
//   consumer --poll--> encoder --> [stdin pipe] --> CMD --> [stdout pipe] --> decoder --> producer
//
// Pipelined and bounded: at most ~1 MiB waits for CMD's stdin, CMD's stdout is read only while the
// producer is not congested (so a slow output makes CMD block on its stdout, which makes it stop
// reading its stdin, which makes us stop polling), and no more than `max_uncommitted` inputs are
// in flight between two commits.
//
// Delivery: at-least-once, by barrier. A filter does not say which output belongs to which
// input, so every `commit_interval_ms` (or `max_uncommitted` inputs, or at the end) the
// processor stops feeding and waits for the quiet point: CMD has read its stdin pipe empty, every
// process of CMD is blocked waiting for input (loop::Child::quiescent), its stdout pipe is read to
// the end and every output produced so far is acknowledged by the output backend. Then
// everything fed so far has had its outputs stored, and the inputs are committed. This is sound
// for any CMD that writes out what it makes from an input before it asks for more input (every
// filter, with its stdout line-buffered); a CMD that holds outputs back across reads (a windowed
// aggregate) gets at-least-once only for what it has written, see src/flow/README.md.
//
// Crashes: when CMD exits or dies before its input ended, the processor reports the message it
// was processing, rewinds the input to the last commit, and restarts CMD after a backoff
// (100 ms doubling to 10 s) up to `max_restarts` times in a row; an input that crashed CMD
// `poison` times in a row goes to the dead-letter producer (or ends the run when there is none).
//
// Deterministic mode (`lockstep`): one input message at a time; the next is fed only at the quiet
// point after it, so `before_feed` can set the clock and seed CMD sees for exactly that message.
//
// Lives on the loop thread. It stops itself (calling on_done) at -c N, at the end of the input
// with -e, on a fatal error, or after stop() once CMD finished.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codecs/codec.hpp"
#include "core/streamer.hpp"
#include "loop/child.hpp"
#include "loop/io.hpp"
#include "loop/loop.hpp"

namespace sea::flow {

// The clock index of CMD's start-up in a lockstep feed (before its first message).
inline constexpr std::uint64_t kStartupIndex = 0xffffffff;

struct ProcessorOptions {
  std::string name = "process";           // prefix of CMD's stderr lines, and in reports
  std::vector<std::string> argv;          // CMD (e.g. {"/bin/sh", "-c", "jq -c ."})
  std::vector<std::string> env;           // extra NAME=VALUE for CMD
  std::uint64_t max_messages = 0;         // -c N (0: no limit)
  bool stop_at_end = false;               // -e
  std::uint64_t commit_interval_ms = 1000;
  std::size_t max_uncommitted = 100'000;  // inputs fed but not yet committed
  bool lockstep = false;                  // one message per quiet point (--deterministic)
  int max_restarts = 5;                   // in a row, without a commit between
  int poison = 3;                         // crashes in a row on the same input
  std::uint64_t grace_ms = 10'000;        // after stop(): how long CMD may take to finish
  std::size_t max_stdin_pending = 1 << 20;
  // Exactly-once (Kafka -> Kafka): every output between two commits is produced in one
  // transaction of the output producer, and the commit is that transaction's commit together
  // with the input positions (Producer::commit_transaction; the consumer must have
  // ConsumerOptions.commit_in_transactions). A crash of CMD, or a failed commit, aborts it.
  bool transactional = false;
};

// Where an input message is, for reports and the controller log.
struct InputRef {
  std::string stream;
  ShardId shard = 0;
  SeqNo seq = 0;
  Timestamp ts = 0;
};

// What the processor did between two commits: the unit the controller log records.
struct FeedRecord {
  struct Run {  // consecutive seqs of one shard, in feed (or production) order
    std::string stream;
    ShardId shard = 0;
    SeqNo first = 0;
    SeqNo last = 0;
  };
  std::uint64_t feed = 0;          // 0, 1, 2... in this run
  std::uint64_t seed = 0;          // handed to before_feed for each message of it
  std::vector<Run> inputs;         // what was fed, in order
  std::vector<Run> outputs;        // what was produced for it, in order
  std::uint64_t input_count = 0;
  std::uint64_t output_count = 0;
  Timestamp first_ts = 0, last_ts = 0;
  std::optional<InputRef> dead_letter;  // an input sent to the dead letter instead of CMD
};

class Processor {
 public:
  enum class Outcome { limit_reached, end_of_stream, stopped, failed };

  using DecoderFactory = std::function<Result<std::unique_ptr<codecs::Decoder>>()>;
  // Turns one decoded frame of CMD's stdout into the message to send (e.g. an envelope's key,
  // headers and stream); `scratch` may hold bytes the view points into. Null: payload only.
  using OutputMapper = std::function<Result<MessageView>(const codecs::Frame& frame, std::string& scratch)>;
  struct Hooks {
    // Runs before each input message is fed: (message, its feed's seed and number, its index in
    // the feed).
    std::function<void(const MessageView& message, std::uint64_t seed, std::uint64_t feed, std::uint64_t index)>
        before_feed;
    // Lockstep only: runs before CMD starts (and restarts), with the seed and number of the feed
    // it starts in; CMD's start-up then runs under that clock (index kStartupIndex) and the
    // first message is fed only at the quiet point after it.
    std::function<void(std::uint64_t seed, std::uint64_t feed)> before_start;
    // Runs at each commit, before the input is acked: the controller log appends the record
    // and calls `done` once it is stored (the commit waits for it).
    std::function<void(const FeedRecord& record, std::function<void(Result<void>)> done)> on_commit;
    // Runs when CMD ended unexpectedly (for the log).
    std::function<void(const loop::ChildExit& exit, const std::optional<InputRef>& processing)> on_crash;
    // The seed of the next feed (default: random).
    std::function<std::uint64_t()> next_seed;
  };

  Processor(loop::Loop& loop, Consumer& input, Producer& output, std::string output_stream,
            codecs::Encoder& encoder, DecoderFactory decoders, ProcessorOptions options);
  ~Processor();
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;

  void set_hooks(Hooks hooks) { hooks_ = std::move(hooks); }
  void set_output_mapper(OutputMapper mapper) { mapper_ = std::move(mapper); }
  // Decoded outputs (envelopes) that name another stream than output_stream (and than the
  // input streams: an envelope passed through goes to output_stream): `open` returns
  // the producer of that stream (owned by the caller, outliving the processor), or an error
  // (that output is skipped with a warning). Without an opener, or in exactly-once (one
  // transaction is one producer's), such outputs are skipped. At most kMaxOutputStreams.
  using OutputOpener = std::function<Result<Producer*>(std::string_view stream)>;
  void set_output_opener(OutputOpener open) { open_output_ = std::move(open); }
  static constexpr std::size_t kMaxOutputStreams = 64;
  void set_dead_letter(Producer* dead_letter, std::string stream) {
    dead_letter_ = dead_letter;
    dead_letter_stream_ = std::move(stream);
  }

  // Starts CMD and the pipeline; `on_done` runs once, from the loop.
  Result<void> start(std::function<void(Outcome)> on_done);
  // SIGINT/SIGTERM: stop feeding, close CMD's stdin, let it finish within grace_ms, produce what
  // it wrote and commit. A second stop() gives up at once (nothing more is committed).
  void stop();

  std::uint64_t fed() const { return fed_; }
  std::uint64_t produced() const { return produced_; }
  std::uint64_t acknowledged() const { return acknowledged_; }
  std::uint64_t commits() const { return commits_; }
  std::uint64_t restarts() const { return restarts_total_; }
  std::uint64_t dead_lettered() const { return dead_lettered_; }
  std::uint64_t transactions() const { return transactions_; }  // committed (exactly-once)
  std::uint64_t aborts() const { return aborts_; }              // aborted (exactly-once)
  const std::optional<Error>& error() const { return error_; }

 private:
  struct Mark {
    std::uint64_t start;   // stdin byte offsets of this input's frame: [start, end)
    std::uint64_t end;
    std::uint32_t stream;  // index into streams_
    ShardId shard;
    SeqNo seq;
    Timestamp ts;
  };
  enum class Phase { feeding, barrier, ending, restarting, done };

  Result<void> spawn();
  void teardown_child();
  std::uint32_t stream_index(std::string_view stream);
  void pump();
  void advance_taken();
  bool feed_one(const MessageView& message);
  void on_stdout(std::string_view chunk);
  void on_stdout_eof();
  void on_stderr(std::string_view chunk);
  void on_child_exit(const loop::ChildExit& exit);
  void on_delivery(std::uint32_t producer, Producer::Ticket ticket, const Result<Receipt>& outcome);
  Result<std::uint32_t> route(std::string_view stream);
  Producer& producer_at(std::uint32_t producer);
  std::string_view stream_of(std::uint32_t producer) const;
  void note_sent(std::uint32_t producer, Producer::Ticket ticket);
  void note_delivered(std::uint32_t producer, Producer::Ticket ticket, const Receipt& receipt);
  void close_output_record();
  void reset_output_record();
  bool congested() const;
  bool is_input_stream(std::string_view stream) const;
  void flush_outputs(std::size_t from, std::function<void(Result<void>)> done);
  void begin_barrier();
  void check_quiet();
  void quiet_point();
  void commit(std::function<void()> then);
  Result<void> open_transaction();
  Result<void> commit_transaction();
  bool abort_open_transaction();
  void begin_end(Outcome outcome);
  void maybe_finish_end();
  void crashed(const loop::ChildExit& exit);
  void crashed_drained();
  void rewind_and_restart();
  void restart();
  void fail(Error error);
  void finish(Outcome outcome);
  std::optional<InputRef> processing() const;
  InputRef ref(const Mark& mark) const;
  bool due_for_commit() const;

  loop::Loop& loop_;
  Consumer& input_;
  Producer& output_;
  std::string output_stream_;
  codecs::Encoder& encoder_;
  DecoderFactory decoders_;
  ProcessorOptions options_;
  Hooks hooks_;
  OutputMapper mapper_;
  OutputOpener open_output_;
  struct ExtraOutput {
    std::string stream;
    Producer* producer;
  };
  std::vector<ExtraOutput> extra_outputs_;  // the streams outputs named, beside output_stream_
  // The outputs of the feed being built, in send order: the feed record lists them so (delivery
  // reports of a Kafka topic's partitions come in another order than the sends). Producers are
  // numbered 0 (output_) and 1 + i (extra_outputs_[i]); each one's tickets from us are
  // consecutive, so a report finds its slot by ticket - first.
  struct OutSlot {
    std::uint32_t producer;
    ShardId shard = 0;
    SeqNo seq = 0;
    bool delivered = false;
  };
  struct SentRange {
    Producer::Ticket first = 0;
    std::vector<std::uint32_t> slots;  // indices into out_slots_, by ticket - first
  };
  struct EarlyReport {  // a report that came before send() returned its ticket
    std::uint32_t producer;
    Producer::Ticket ticket;
    Receipt receipt;
  };
  std::vector<OutSlot> out_slots_;
  std::vector<SentRange> sent_;
  std::vector<EarlyReport> early_;
  Producer* dead_letter_ = nullptr;
  std::string dead_letter_stream_;

  std::unique_ptr<loop::Child> child_;
  std::unique_ptr<loop::OutputWriter> stdin_;
  std::unique_ptr<loop::InputReader> stdout_;
  std::unique_ptr<loop::InputReader> stderr_;
  std::unique_ptr<codecs::Decoder> decoder_;
  class Sink;
  std::unique_ptr<Sink> sink_;
  std::string stderr_line_;
  std::string scratch_;

  loop::Defer resume_;
  loop::Timer commit_timer_;
  loop::Timer quiet_timer_;
  loop::Timer restart_timer_;
  loop::Timer grace_timer_;
  loop::Timer inflight_timer_;
  bool inflight_timer_active_ = false;
  std::function<void(Outcome)> on_done_;
  Phase phase_ = Phase::feeding;
  std::optional<Outcome> end_outcome_;  // why the input ended (limit / end / stop)

  std::deque<Mark> marks_;              // inputs fed since the last commit
  std::size_t taken_idx_ = 0;           // marks_[0, taken_idx_) were read by CMD
  std::size_t inflight_limit_ = 1024;   // most inputs fed that CMD has not read yet
  std::uint64_t taken_inputs_base_ = 0, rate_inputs_ = 0, rate_since_ms_ = 0;
  std::vector<std::string> streams_;
  std::uint64_t stdin_base_ = 0;        // stdin offsets of this CMD start here in marks_
  FeedRecord record_;                   // the feed being built
  std::uint64_t feed_no_ = 0;
  std::uint64_t index_in_feed_ = 0;
  std::uint64_t fed_ = 0;
  std::uint64_t produced_ = 0;
  std::uint64_t acknowledged_ = 0;
  std::uint64_t failed_sends_ = 0;
  std::uint64_t commits_ = 0;
  std::uint64_t dead_lettered_ = 0;
  std::uint64_t transactions_ = 0;
  std::uint64_t aborts_ = 0;
  int aborts_in_a_row_ = 0;
  bool txn_open_ = false;                // exactly-once: the output's transaction is open
  std::uint64_t txn_outputs_ = 0;        // exactly-once: outputs sent in the open transaction
  std::optional<Error> delivery_error_;  // exactly-once: a failed delivery in the open transaction
  std::uint64_t stdout_bytes_ = 0;
  std::uint64_t taken_at_close_ = 0;  // stdin bytes CMD had taken when its stdin was closed
  std::uint64_t quiet_seen_at_ = ~0ULL;  // stdout_bytes_ when the last quiet look succeeded
  int quiet_looks_ = 0;
  int quick_looks_ = 0;
  bool commit_due_ = false;
  std::uint64_t lockstep_left_ = 0;  // after a crash: refeed this many one per quiet point
  bool fed_in_lockstep_ = false;     // the last feed was one message before a quiet point
  bool crash_in_lockstep_ = false;   // so the last crash names its input exactly
  loop::ChildExit last_exit_;
  std::optional<InputRef> crash_input_;
  bool stdout_paused_ = false;
  bool stdout_eof_ = false;
  bool stderr_eof_ = false;
  bool child_exited_ = false;
  bool stopping_ = false;
  bool pumping_ = false;
  bool committing_ = false;
  int restarts_in_row_ = 0;
  std::uint64_t restarts_total_ = 0;
  std::optional<InputRef> last_crash_input_;
  int same_input_crashes_ = 0;
  std::optional<InputRef> skip_;  // the poison input to send to the dead letter on refeed
  std::optional<Error> error_;
};

}  // namespace sea::flow
