// Named FIFOs made by `flux` and `tap` (SPEC §4, §5): created 0600 with no race, never following
// a symlink, refusing a path that is not a FIFO, replacing a stale FIFO, and unlinked on exit only
// when the path still is the very FIFO we made (same device and inode).
#pragma once

#include <string>
#include <sys/types.h>

#include "core/error.hpp"

namespace sea::loop {

class Fifo {
 public:
  // Creates the FIFO at `path`. An existing FIFO there is taken as stale and replaced; any
  // other kind of file (regular, directory, symlink, socket) is refused and left untouched.
  static Result<Fifo> create(const std::string& path);

  Fifo(Fifo&& other) noexcept;
  Fifo& operator=(Fifo&& other) noexcept;
  Fifo(const Fifo&) = delete;
  Fifo& operator=(const Fifo&) = delete;
  ~Fifo();

  const std::string& path() const { return path_; }

  // Opens for reading (non-blocking: succeeds at once) or for writing (non-blocking: fails with
  // ENXIO while no reader has it open). Checks that the opened file is our FIFO.
  Result<int> open_read() const;
  Result<int> open_write() const;

  // True while `path` still names our FIFO.
  bool still_ours() const;

  // Unlinks the path if it still names our FIFO; idempotent.
  void remove();

 private:
  Fifo(std::string path, dev_t dev, ino_t ino) : path_(std::move(path)), dev_(dev), ino_(ino) {}
  Result<int> open_checked(int flags) const;

  std::string path_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  bool removed_ = false;
};

}  // namespace sea::loop

#include <functional>
#include <memory>

#include "loop/loop.hpp"

namespace sea::loop {

// Tells, through inotify (IN_CLOSE_NOWRITE), when a reader closes the FIFO: a tap learns at once
// that its reader is gone even when it has nothing to write, so the next reader gets a session of
// its own instead of joining the old pipe.
class FifoReaderCloseWatch {
 public:
  FifoReaderCloseWatch(Loop& loop, const Fifo& fifo, std::function<void()> on_close);
  ~FifoReaderCloseWatch();
  FifoReaderCloseWatch(const FifoReaderCloseWatch&) = delete;
  FifoReaderCloseWatch& operator=(const FifoReaderCloseWatch&) = delete;
  Result<void> start();

 private:
  const Fifo& fifo_;
  std::function<void()> on_close_;
  int fd_ = -1;
  std::unique_ptr<FdWatch> watch_;
  Loop& loop_;
};

}  // namespace sea::loop
