// Appending batches of frames to one shard of a stream, safely shared between processes.
//
// Each batch is written under an exclusive flock() on the shard's `lock` file. The lock file
// also holds the writers' "head" (active segment base, end offset, next seq): when it and the
// segment's size match what this writer left, nobody else wrote and the batch goes straight
// out; otherwise the writer re-learns the tail (sync_to_tail): it opens the newest segment,
// validates it from its last index entry, cuts a torn tail (a writer killed mid-write: an
// incomplete frame or a bad CRC) keeping every complete frame, rebuilds missing index entries,
// and takes the next seq from there. Each batch is ONE write() per segment it lands in.
//
// Durability: with fsync off (the default) an acknowledged batch is in the page cache: it
// survives SIGKILL of sea but not a power loss. With `-X file.fsync=always` each batch is
// fdatasync()ed before it is acknowledged.
//
// Lifecycle: made by the producer when it first writes a shard; not thread-safe; lives on the
// producer's loop thread. Holds its files open, and the lock only during append().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backends/file/dedupe.hpp"
#include "backends/file/file_log.hpp"
#include "core/error.hpp"

namespace sea::file {

struct WriterOptions {
  std::uint64_t segment_bytes = 64ull << 20;
  bool fsync = false;
  std::int64_t dedupe_window_ms = 0;  // > 0: Delivery::exactly_once, see dedupe.hpp
  std::size_t dedupe_max_keys = 1'000'000;
};

// One frame of a batch: where it starts in the batch buffer and its timestamp.
struct BatchFrame {
  std::size_t offset = 0;
  Timestamp ts = 0;
};

class ShardWriter {
 public:
  ShardWriter(std::string root, std::string stream, ShardId shard, WriterOptions options);
  ~ShardWriter();
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  // Assigns seqs to the frames of `batch` (patching seq and CRC in place), writes them and
  // fills `stored` with each frame's seq and ts (with a dedupe window, a duplicate's are those
  // of its stored copy, and it is not written again). On error the whole batch is reported
  // failed, though a part that landed before the error may be stored (at-least-once: a retry
  // can duplicate it); a partial write is a torn tail that the next append cuts.
  Result<void> append(std::string& batch, const std::vector<BatchFrame>& frames, std::vector<StoredAt>& stored);

  // Opens the shard under the lock and recovers its tail, without writing (tests, admin).
  Result<void> recover();

  // What the last recovery cut off (0 when the tail was clean), for reports and tests.
  std::uint64_t torn_bytes_cut() const { return torn_bytes_cut_; }
  SeqNo next_seq() const { return next_seq_; }

 private:
  Result<void> lock();
  void unlock();
  Result<bool> head_matches();
  Result<void> write_head();
  Result<void> sync_to_tail();
  Result<void> open_segment(SeqNo base, bool create);
  Result<void> roll();
  Result<SeqNo> write_batch(std::string& batch, const std::vector<BatchFrame>& frames);
  Result<void> write_deduped(std::string& batch, const std::vector<BatchFrame>& frames, std::vector<StoredAt>& stored);
  Result<void> write_chunk(std::string& batch, const std::vector<BatchFrame>& frames, std::size_t first,
                           std::size_t end, std::size_t batch_end);
  void close_segment();

  std::string root_;
  std::string stream_;
  std::string dir_;
  WriterOptions options_;
  int lock_fd_ = -1;
  int log_fd_ = -1;
  int idx_fd_ = -1;
  bool synced_ = false;        // the fields below match the files (re-checked under the lock)
  SeqNo base_ = 0;
  std::uint64_t end_ = 0;
  SeqNo next_seq_ = 0;
  Timestamp max_ts_ = kNoTimestamp;
  bool segment_indexed_ = false;
  std::uint64_t last_index_offset_ = 0;
  std::uint64_t torn_bytes_cut_ = 0;
  std::string index_buffer_;
  std::unique_ptr<Deduper> deduper_;
};

}  // namespace sea::file
