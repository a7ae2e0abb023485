// Ingest: the path from input bytes to a producer (produce, flux). Bytes are cut into frames by
// a decoder, frames become messages sent to the producer, and bad frames meet the --on-error
// policy: fail (stop before anything after the bad frame), skip (count and report with its
// position) or dead-letter (send the raw bytes to another stream, and report). Backpressure is
// the caller's: it pauses its reader while producer().congested().
//
// Shutdown (flush_for_shutdown): on SIGINT/SIGTERM the caller flushes what was read, but a
// backend that is down would make that wait forever (at-least-once retries until acknowledged).
// So the flush gives up once no message was acknowledged or failed for kShutdownStallMs, or at
// once on give_up() (a second signal), and names how many messages were not acknowledged.
//
// Every message gets the MessageOverrides (-k, -H, --keep-shard) on top of what its frame
// carries: an envelope's key, headers, time and shard.
//
// Lives on the loop thread; owns the decoder and the producers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codecs/codec.hpp"
#include "core/streamer.hpp"
#include "loop/loop.hpp"

namespace sea::flow {

// What to do with a bad frame (--on-error): stop, skip it, or send its bytes to another stream.
struct ErrorPolicy {
  enum class Kind { fail, skip, dead_letter } kind = Kind::fail;
  std::string dead_letter;          // stream address
  static Result<ErrorPolicy> parse(std::string_view text);
};

// What Ingest does to every message after decoding.
struct MessageOverrides {
  std::optional<std::string> key;     // replaces the frame's key (or its absence)
  std::vector<Header> headers;        // added after the frame's; a frame header of the same name is dropped
  bool keep_shard = false;            // the frame's shard (an envelope's "shard") picks the shard
};


class Ingest final : public codecs::FrameSink {
 public:
  Ingest(std::unique_ptr<Producer> producer, std::unique_ptr<codecs::Decoder> decoder, ErrorPolicy policy,
         std::string stream, MessageOverrides overrides = {});
  ~Ingest() override;

  // Connects the dead-letter target of the policy (its own loop-bound Streamer).
  Result<void> open_dead_letter(loop::Loop& loop, const ConnectOptions& connect);

  void feed(std::string_view chunk);
  // One writer finished: a partial trailing frame is reported as bad input.
  void end_of_writer();

  Producer& producer() { return *producer_; }
  bool stopped() const { return stop_error_.has_value(); }
  const std::optional<Error>& stop_error() const { return stop_error_; }
  std::uint64_t frames() const { return frames_; }
  std::uint64_t bad_frames() const { return bad_frames_; }
  std::uint64_t delivery_failures() const { return delivery_failures_; }
  // Flushes the main and dead-letter producers; `done` gets the first error, if any.
  void flush(std::function<void(Result<void>)> done);
  // flush() bounded for a shutdown (see the top of this file): `done` runs once, with an
  // Errc::timeout error saying how many messages read are not acknowledged if it gave up.
  void flush_for_shutdown(loop::Loop& loop, std::function<void(Result<void>)> done);
  void give_up();
  // Messages handed to the producers that are neither acknowledged nor failed yet.
  std::uint64_t unacknowledged() const;

  void on_frame(const codecs::Frame& frame) override;
  void on_error(const codecs::DecodeError& error) override;

 private:
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<codecs::Decoder> decoder_;
  ErrorPolicy policy_;
  std::string stream_;
  MessageOverrides overrides_;
  std::vector<HeaderView> headers_;  // a frame's headers with the overrides', rebuilt per frame
  std::unique_ptr<Streamer> dead_letter_streamer_;
  std::unique_ptr<Producer> dead_letter_;
  std::optional<Error> stop_error_;
  std::optional<Error> delivery_error_;
  std::uint64_t frames_ = 0;
  std::uint64_t bad_frames_ = 0;
  std::uint64_t delivery_failures_ = 0;
  // flush_for_shutdown's state: the watchdog, the caller's callback, the progress last seen.
  std::unique_ptr<loop::Timer> watchdog_;
  std::function<void(Result<void>)> shutdown_done_;
  std::uint64_t last_settled_ = 0;
  std::uint64_t stalled_ms_ = 0;
};

inline constexpr std::uint64_t kShutdownStallMs = 1500;

}  // namespace sea::flow
