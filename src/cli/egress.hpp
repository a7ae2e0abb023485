// Egress: the path from a consumer to an output (consume, tap, seek). Messages are polled from
// the consumer while the writer has room (at most ~1 MiB pending: bounded memory), encoded, and
// written; with a consumer group, a message is acked only once its last byte was written, so a
// reader that goes away never costs a commit past what it actually got.
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

namespace sea::cli {

struct EgressLimits {
  std::uint64_t max_messages = 0;  // -c N (0: no limit)
  bool stop_at_end = false;        // -e
  bool track_acks = false;         // a group is committing
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
  // Acks everything fully written so far (used before closing).
  void ack_written();

 private:
  struct Mark {
    std::uint64_t end;    // written_total at which this message is fully out
    std::uint32_t stream; // index into streams_
    ShardId shard;
    SeqNo seq;
  };
  std::uint32_t stream_index(std::string_view stream);

  void pump();
  void finish(Outcome outcome);

  Consumer& consumer_;
  codecs::Encoder& encoder_;
  loop::OutputWriter& writer_;
  EgressLimits limits_;
  loop::Defer resume_;  // continues a long backlog on the next loop turn, so signals get a say
  std::function<void(Outcome)> on_done_;
  std::deque<Mark> marks_;
  std::vector<std::string> streams_;  // names of the streams seen, for marks
  std::uint64_t delivered_ = 0;
  bool running_ = false;
  bool pumping_ = false;
  bool done_ = false;
  std::optional<Outcome> pending_outcome_;
  std::optional<Error> output_error_;
};

}  // namespace sea::cli
