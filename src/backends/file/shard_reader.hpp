// Reading one shard of a stream in seq order, following its tail: large pread()s into a
// bounded buffer, frames handed out as views into it (zero copy), seeks by seq and by time
// through the sparse index (binary search with pread, then a short scan), and the move to the
// next segment when the current one is finished (or was deleted by retention under us).
//
// A frame at the tail that is incomplete or fails its CRC is "not yet written" (another process
// may be mid-write, or a killed writer left it for the next writer to cut): the reader waits at
// it. A bad frame with a newer segment after it can never be completed: the reader skips to
// the newer segment and counts it in corrupt_skips().
//
// Lifecycle: owned by a consumer (or an inspector); single-threaded; never writes anything.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "backends/file/file_log.hpp"
#include "core/error.hpp"

namespace sea::file {

class ShardReader {
 public:
  ShardReader(std::string shard_dir, std::size_t buffer_bytes);
  ~ShardReader();
  ShardReader(const ShardReader&) = delete;
  ShardReader& operator=(const ShardReader&) = delete;

  // Positioning. Each takes effect on the next call of next(); a shard that has no segment yet
  // is positioned when its first segment appears.
  void start_at_begin();
  void start_at_end();
  void start_at_seq(SeqNo seq);          // the first frame with seq >= `seq`
  void start_at_time(Timestamp time);    // the first frame with ts >= `time`

  // The next frame, valid until the following call; false when none is complete yet.
  Result<bool> next(FrameView& out);

  // Something changed on disk (a file-system event or the safety timer): look again.
  void mark_changed() { dir_checked_ = false; }

  // True when the last next() found nothing more to read.
  bool caught_up() const { return caught_up_; }
  // The seq of the next frame to hand out (after the last one handed out).
  SeqNo position() const { return next_seq_; }
  bool positioned() const { return fd_ >= 0; }
  std::uint64_t corrupt_skips() const { return corrupt_skips_; }

 private:
  enum class Target : std::uint8_t { none, begin, end, seq, time };

  Result<bool> resolve_target();
  Result<void> open_at(SeqNo base, std::uint64_t offset, SeqNo seq);
  Result<bool> newer_segment(SeqNo& base);
  Result<bool> refill();
  void close_file();

  std::string dir_;
  std::size_t capacity_;
  std::unique_ptr<char[]> buffer_;
  std::size_t have_ = 0;       // bytes in buffer_
  std::size_t pos_ = 0;        // the next frame in buffer_
  std::uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  int fd_ = -1;
  SeqNo base_ = 0;
  SeqNo next_seq_ = 0;
  bool from_index_ = false;    // positioned by an index entry not yet confirmed by its frame
  Target target_ = Target::none;
  SeqNo target_seq_ = 0;
  Timestamp target_time_ = 0;
  std::optional<SeqNo> skip_below_seq_;
  std::optional<Timestamp> skip_below_time_;
  bool dir_checked_ = false;
  bool caught_up_ = false;
  std::uint64_t corrupt_skips_ = 0;
};

}  // namespace sea::file
