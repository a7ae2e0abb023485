// Egress: the path from a consumer to an output (consume, tap, seek). Messages are polled from
// the consumer while the writer has room (at most ~1 MiB pending: bounded memory), encoded, and
// written; with a consumer group, a message is acked only once its last byte was taken by the
// reader: out of a pipe or FIFO means read from it (what sits unread in the pipe is discarded
// by the kernel when the reader dies or closes early, so it must not be committed), into a
// file or socket means written. A reader that goes away never costs a commit past what it
// actually got. When the egress ends while its reader is still there (-c, -e, SIGTERM), what
// is left in the pipe is handed over with it and acked (settle).
//
// Lives on the loop thread. It stops itself (calling on_done) at -c N, at the end of the stream
// with -e, or when the output fails.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codecs/codec.hpp"
#include "core/streamer.hpp"
#include "loop/io.hpp"
#include "loop/loop.hpp"

namespace sea::flow {

struct EgressLimits {
  std::uint64_t max_messages = 0;  // -c N (0: no limit)
  bool stop_at_end = false;        // -e
  bool track_acks = false;         // a group is committing
  // With a group, at -c / -e: end only once the reader has read the pipe empty (or closed it),
  // and commit exactly what it took (tap, whose sessions end while the reader stays). Without
  // it, what is left in the pipe is handed over and committed (consume, which exits).
  bool drain_before_end = false;
};

class Egress {
 public:
  enum class Outcome { limit_reached, end_of_stream, output_closed, consumer_failed, stopped };

  Egress(loop::Loop& loop, Consumer& consumer, codecs::Encoder& encoder, loop::OutputWriter& writer,
         EgressLimits limits);
  ~Egress();
  Egress(const Egress&) = delete;
  Egress& operator=(const Egress&) = delete;

  // Starts pulling; `on_done` runs once, from the loop, when the egress stops by itself.
  void start(std::function<void(Outcome)> on_done);
  // Stops pulling (e.g. on SIGTERM); nothing more is polled. Does not call on_done.
  void stop();
  std::uint64_t delivered() const { return delivered_; }
  // The write error that ended it (Outcome::output_closed); errno in backend_code.
  const std::optional<Error>& output_error() const { return output_error_; }
  // Before closing: acks what the reader took, or, while it still holds the pipe, everything
  // written (it reads the rest after we are gone).
  void settle();
  // Acks everything fully written so far, wherever it is now.
  void ack_written() { ack_upto(writer_.written_total()); }
  // Acks what the reader has taken (read out of the pipe) so far.
  void ack_taken() { ack_upto(writer_.taken_total()); }

 private:
  struct Mark {
    std::uint64_t end;    // written_total at which this message is fully out
    std::uint32_t stream; // index into streams_
    ShardId shard;
    SeqNo seq;
  };
  std::uint32_t stream_index(std::string_view stream);
  void ack_upto(std::uint64_t end);

  void pump();
  void complete();  // the outcome is set and everything is written
  void finish(Outcome outcome);

  Consumer& consumer_;
  codecs::Encoder& encoder_;
  loop::OutputWriter& writer_;
  EgressLimits limits_;
  loop::Defer resume_;  // continues a long backlog on the next loop turn, so signals get a say
  loop::Timer taken_check_;  // with a group: acks what an idle reader has read since the last write
  std::function<void(Outcome)> on_done_;
  std::deque<Mark> marks_;
  std::vector<std::string> streams_;  // names of the streams seen, for marks
  std::uint64_t delivered_ = 0;
  bool running_ = false;
  bool pumping_ = false;
  bool done_ = false;
  bool draining_ = false;
  std::optional<Outcome> pending_outcome_;
  std::optional<Error> output_error_;
};

}  // namespace sea::flow
