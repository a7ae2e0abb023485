// Byte streams on the loop: InputReader pulls chunks from a file descriptor (stdin, a FIFO, a
// regular file) and OutputWriter pushes a buffer to one (stdout, a FIFO) without blocking the
// loop. Both keep memory bounded: the reader reuses one chunk buffer and can be paused by its
// consumer (backpressure), the writer tells its producer how much is pending.
//
// Lifecycle: construct on the loop thread, start, and destroy before the Loop. Neither owns the
// file descriptor: the caller closes it after destroying the reader or writer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "loop/loop.hpp"

namespace sea::loop {

class InputReader {
 public:
  using ChunkFn = std::function<void(std::string_view chunk)>;
  using EofFn = std::function<void()>;
  using ErrorFn = std::function<void(const Error& error)>;

  InputReader(Loop& loop, int fd, std::size_t chunk_size = 256 * 1024);
  ~InputReader();
  InputReader(const InputReader&) = delete;
  InputReader& operator=(const InputReader&) = delete;

  // Pipes, FIFOs and sockets are watched for readiness (and made non-blocking); regular files
  // are read on idle turns of the loop; terminals are read once per readiness.
  Result<void> start(ChunkFn on_chunk, EofFn on_eof, ErrorFn on_error);
  // Stops reading until resume(); may be called from inside on_chunk.
  void pause();
  void resume();
  bool paused() const { return paused_; }
  // Reads and delivers whatever can be read right now without waiting (used at shutdown so
  // that bytes a writer already put into a pipe are not lost). A pipe is read up to what it
  // holds when called, however fast a writer goes on writing. Returns true at EOF.
  bool drain_now();
  void stop();
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  enum class Kind { pollable, tty, regular };
  // Reads up to `max_reads` times; returns false when it should stop (EOF, error, paused).
  void read_some(int max_reads);
  void arm();

  Loop& loop_;
  int fd_;
  Kind kind_ = Kind::pollable;
  std::vector<char> buffer_;
  std::unique_ptr<FdWatch> watch_;
  std::unique_ptr<Defer> idle_;
  ChunkFn on_chunk_;
  EofFn on_eof_;
  ErrorFn on_error_;
  bool paused_ = false;
  bool started_ = false;
  bool finished_ = false;
  std::uint64_t bytes_read_ = 0;
};

class OutputWriter {
 public:
  using ProgressFn = std::function<void(std::uint64_t written_total)>;
  using ErrorFn = std::function<void(const Error& error)>;

  OutputWriter(Loop& loop, int fd);
  ~OutputWriter();
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;

  // Append bytes here, then call flush().
  std::string& buffer() { return buffer_; }
  // Writes as much as the fd takes now; the rest goes out when it becomes writable.
  void flush();
  // Blocks (poll) until everything is written or `timeout_ms` passes; for shutdown.
  Result<void> flush_blocking(int timeout_ms);
  std::size_t pending() const { return buffer_.size() - offset_; }
  // Drops what is pending beyond its first `keep` bytes (a stop that keeps only the message
  // under way). Bytes already written are not affected.
  void truncate_pending(std::size_t keep) {
    if (keep < pending()) buffer_.resize(offset_ + keep);
  }
  std::uint64_t written_total() const { return written_total_; }
  // What the reader has taken: written_total less the bytes still unread in the pipe (FIONREAD
  // on our end of a FIFO or pipe; the kernel discards them if the reader closes). Other outputs
  // (files, sockets, terminals) count as taken once written.
  std::uint64_t taken_total() const;
  // True when the output is a pipe or FIFO that no reader holds any more (POLLERR on our end).
  bool reader_gone() const;
  bool is_pipe() const { return pipe_; }
  bool failed() const { return failed_; }
  // on_progress runs after bytes were written (to ack what was handed on, or to refill).
  void set_on_progress(ProgressFn fn) { on_progress_ = std::move(fn); }
  // on_error runs once on a write error (EPIPE when a reader went away).
  void set_on_error(ErrorFn fn) { on_error_ = std::move(fn); }

 private:
  bool write_now();

  Loop& loop_;
  int fd_;
  bool pollable_ = false;
  bool pipe_ = false;
  bool failed_ = false;
  std::string buffer_;
  std::size_t offset_ = 0;
  std::uint64_t written_total_ = 0;
  std::unique_ptr<FdWatch> watch_;
  bool watching_ = false;
  ProgressFn on_progress_;
  ErrorFn on_error_;
};

}  // namespace sea::loop
