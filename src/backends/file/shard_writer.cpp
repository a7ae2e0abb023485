// Locked, batched appends to a shard with tail recovery (see shard_writer.hpp).
#include "backends/file/shard_writer.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "backends/file/retention.hpp"
#include "backends/file/segment_scan.hpp"
#include "backends/file/stream_dir.hpp"

namespace sea::file {

namespace {

Result<void> write_all(int fd, const char* data, std::size_t size, const std::string& what) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, "write " + what);
    }
    done += static_cast<std::size_t>(n);
  }
  return ok();
}

std::uint64_t fd_size(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : UINT64_MAX;
}

}  // namespace

ShardWriter::ShardWriter(std::string root, std::string stream, ShardId shard, WriterOptions options)
    : root_(std::move(root)), stream_(std::move(stream)), options_(options) {
  dir_ = shard_path(root_, stream_, shard);
}

ShardWriter::~ShardWriter() {
  close_segment();
  if (lock_fd_ >= 0) close(lock_fd_);
}

void ShardWriter::close_segment() {
  if (log_fd_ >= 0) close(log_fd_);
  if (idx_fd_ >= 0) close(idx_fd_);
  log_fd_ = idx_fd_ = -1;
}

Result<void> ShardWriter::lock() {
  if (lock_fd_ < 0) {
    SEA_TRY(make_dirs(dir_));
    const std::string path = dir_ + "/lock";
    lock_fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) return errno_error(errno, "open " + path);
  }
  while (flock(lock_fd_, LOCK_EX) != 0) {
    if (errno != EINTR) return errno_error(errno, "flock " + dir_ + "/lock");
  }
  return ok();
}

void ShardWriter::unlock() { flock(lock_fd_, LOCK_UN); }

Result<bool> ShardWriter::head_matches() {
  if (!synced_ || log_fd_ < 0) return false;
  std::uint64_t head[3] = {0, 0, 0};
  const ssize_t n = pread(lock_fd_, head, sizeof head, 0);
  if (n < 0) return errno_error(errno, "read " + dir_ + "/lock");
  if (n != sizeof head) return false;
  return head[0] == base_ && head[1] == end_ && head[2] == next_seq_ && fd_size(log_fd_) == end_;
}

Result<void> ShardWriter::write_head() {
  const std::uint64_t head[3] = {base_, end_, next_seq_};
  if (pwrite(lock_fd_, head, sizeof head, 0) != sizeof head) return errno_error(errno, "write " + dir_ + "/lock");
  return ok();
}

Result<void> ShardWriter::open_segment(SeqNo base, bool create) {
  close_segment();
  const int flags = O_RDWR | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0);
  // The index first: a segment exists for readers once its .log does.
  const std::string idx_path = dir_ + "/" + segment_file_name(base, "idx");
  const std::string log_path = dir_ + "/" + segment_file_name(base, "log");
  idx_fd_ = open(idx_path.c_str(), flags | O_CREAT, 0644);
  if (idx_fd_ < 0) return errno_error(errno, "open " + idx_path);
  log_fd_ = open(log_path.c_str(), flags, 0644);
  if (log_fd_ < 0) return errno_error(errno, "open " + log_path);
  base_ = base;
  return ok();
}

Result<void> ShardWriter::sync_to_tail() {
  synced_ = false;
  Result<std::vector<SegmentFile>> listed = list_segments(dir_);
  if (!listed) return listed.error();
  const std::vector<SegmentFile>& segments = *listed;
  if (segments.empty()) {
    SEA_TRY(open_segment(0, true));
    end_ = 0;
    next_seq_ = 0;
    max_ts_ = kNoTimestamp;
    segment_indexed_ = false;
    last_index_offset_ = 0;
    synced_ = true;
    return ok();
  }
  SEA_TRY(open_segment(segments.back().base, false));
  const std::uint64_t log_size = fd_size(log_fd_);
  Result<IndexTail> index = read_index_tail(idx_fd_, log_fd_, log_size);
  if (!index) return index.error();
  // Only needed when the newest segment has no index entry yet: the running max of the one
  // before it, read (without changing it) from its own tail.
  auto previous_max = [&]() -> Timestamp {
    if (segments.size() < 2) return kNoTimestamp;
    const SegmentFile& prev = segments[segments.size() - 2];
    const int log = open(prev.log_path.c_str(), O_RDONLY | O_CLOEXEC);
    const int idx = open(prev.idx_path.c_str(), O_RDONLY | O_CLOEXEC);
    Timestamp result = kNoTimestamp;
    if (log >= 0) {
      Result<IndexTail> prev_index = read_index_tail(idx, log, fd_size(log));
      if (prev_index) {
        Result<ScanResult> scan = scan_segment(log, tail_scan_start(*prev_index, prev.base, {}));
        if (scan) result = scan->max_ts;
      }
    }
    if (log >= 0) close(log);
    if (idx >= 0) close(idx);
    return result;
  };
  const ScanStart start = tail_scan_start(*index, base_, previous_max);
  Result<ScanResult> scan = scan_segment(log_fd_, start);
  if (!scan) return scan.error();
  if (scan->torn) {
    // A writer died mid-write (or the tail is damaged): keep every complete frame, cut the rest.
    if (ftruncate(log_fd_, static_cast<off_t>(scan->valid_end)) != 0) return errno_error(errno, "ftruncate log");
    torn_bytes_cut_ = scan->file_size - scan->valid_end;
  }
  if (index->entries != index->file_entries || index->partial_entry) {
    if (ftruncate(idx_fd_, static_cast<off_t>(index->entries * kIndexEntrySize)) != 0)
      return errno_error(errno, "ftruncate index");
  }
  index_buffer_.clear();
  for (const IndexEntry& entry : scan->index_entries) append_index_entry(index_buffer_, entry);
  SEA_TRY(write_all(idx_fd_, index_buffer_.data(), index_buffer_.size(), "index"));
  end_ = scan->valid_end;
  next_seq_ = scan->next_seq;
  max_ts_ = scan->max_ts;
  segment_indexed_ = index->last.has_value() || !scan->index_entries.empty();
  last_index_offset_ = !scan->index_entries.empty() ? scan->index_entries.back().offset
                       : index->last                ? index->last->offset
                                                    : 0;
  synced_ = true;
  return write_head();
}

Result<void> ShardWriter::recover() {
  SEA_TRY(lock());
  Result<void> synced = sync_to_tail();
  unlock();
  return synced;
}

Result<void> ShardWriter::roll() {
  SEA_TRY(open_segment(next_seq_, true));
  end_ = fd_size(log_fd_);
  if (end_ != 0) {
    // A leftover of a roll that died half-way; recover it like any tail.
    return sync_to_tail();
  }
  segment_indexed_ = false;
  last_index_offset_ = 0;
  // Retention is applied when a segment is rolled: only whole, closed segments are dropped.
  Result<std::optional<StreamMeta>> meta = read_meta(root_, stream_);
  if (meta && *meta) {
    const Retention& retention = (*meta)->retention;
    DropPolicy policy;
    if (retention.max_age_ms) policy.before_time = now_ms() - *retention.max_age_ms;
    policy.keep_bytes = retention.max_bytes;
    if (policy.before_time || policy.keep_bytes) (void)drop_old_segments(dir_, policy);
  }
  return ok();
}

Result<void> ShardWriter::write_chunk(std::string& batch, const std::vector<BatchFrame>& frames, std::size_t first,
                                      std::size_t end, std::size_t batch_end) {
  const std::size_t begin_byte = frames[first].offset;
  const std::size_t end_byte = end < frames.size() ? frames[end].offset : batch_end;
  index_buffer_.clear();
  SeqNo seq = next_seq_;
  Timestamp max_ts = max_ts_;
  std::uint64_t last_index = last_index_offset_;
  bool indexed = segment_indexed_;
  for (std::size_t i = first; i < end; ++i, ++seq) {
    patch_frame(batch.data() + frames[i].offset, seq);
    const std::uint64_t offset = end_ + (frames[i].offset - begin_byte);
    if (!indexed || offset >= last_index + kIndexInterval) {
      append_index_entry(index_buffer_, {seq, max_ts, offset});
      last_index = offset;
      indexed = true;
    }
    max_ts = std::max(max_ts, frames[i].ts);
  }
  Result<void> written = write_all(log_fd_, batch.data() + begin_byte, end_byte - begin_byte, "log");
  if (!written) {
    synced_ = false;  // a partial write is a torn tail: the next append recovers it
    return written;
  }
  SEA_TRY(write_all(idx_fd_, index_buffer_.data(), index_buffer_.size(), "index"));
  if (options_.fsync && fdatasync(log_fd_) != 0) return errno_error(errno, "fdatasync log");
  end_ += end_byte - begin_byte;
  next_seq_ = seq;
  max_ts_ = max_ts;
  last_index_offset_ = last_index;
  segment_indexed_ = indexed;
  return ok();
}

Result<SeqNo> ShardWriter::write_batch(std::string& batch, const std::vector<BatchFrame>& frames) {
  const SeqNo first_seq = next_seq_;
  std::size_t i = 0;
  while (i < frames.size()) {
    if (end_ >= options_.segment_bytes) SEA_TRY(roll());
    // Take frames while they fit in the segment (at least one, so big frames still go out).
    std::size_t j = i + 1;
    std::uint64_t bytes = (j < frames.size() ? frames[j].offset : batch.size()) - frames[i].offset;
    while (j < frames.size()) {
      const std::size_t next_end = j + 1 < frames.size() ? frames[j + 1].offset : batch.size();
      const std::uint64_t with_next = bytes + (next_end - frames[j].offset);
      if (end_ + with_next > options_.segment_bytes) break;
      bytes = with_next;
      ++j;
    }
    SEA_TRY(write_chunk(batch, frames, i, j, batch.size()));
    i = j;
  }
  return first_seq;
}

Result<void> ShardWriter::write_deduped(std::string& batch, const std::vector<BatchFrame>& frames,
                                        std::vector<StoredAt>& stored) {
  if (!deduper_) deduper_ = std::make_unique<Deduper>(dir_, options_.dedupe_window_ms, options_.dedupe_max_keys);
  SEA_TRY(deduper_->catch_up());
  std::string kept;
  std::vector<BatchFrame> kept_frames;
  std::vector<std::size_t> kept_index;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const std::size_t end = i + 1 < frames.size() ? frames[i + 1].offset : batch.size();
    std::string_view key;
    if (frame_key(batch.data() + frames[i].offset, key)) {
      const StoredAt at{next_seq_ + kept_frames.size(), frames[i].ts};
      if (std::optional<StoredAt> copy = deduper_->check(key, at)) {
        stored[i] = *copy;
        continue;
      }
    }
    kept_frames.push_back({kept.size(), frames[i].ts});
    kept_index.push_back(i);
    kept.append(batch, frames[i].offset, end - frames[i].offset);
  }
  if (kept_frames.empty()) return ok();
  Result<SeqNo> first = write_batch(kept, kept_frames);
  if (!first) {
    // The window now holds keys that may not be stored: rebuild it from the log next time.
    deduper_.reset();
    return first.error();
  }
  for (std::size_t j = 0; j < kept_index.size(); ++j) stored[kept_index[j]] = {*first + j, kept_frames[j].ts};
  return ok();
}

Result<void> ShardWriter::append(std::string& batch, const std::vector<BatchFrame>& frames, std::vector<StoredAt>& stored) {
  stored.assign(frames.size(), StoredAt{});
  if (frames.empty()) return ok();
  SEA_TRY(lock());
  Result<void> result = [&]() -> Result<void> {
    Result<bool> same = head_matches();
    if (!same) return same.error();
    if (!*same) SEA_TRY(sync_to_tail());
    if (options_.dedupe_window_ms > 0) {
      SEA_TRY(write_deduped(batch, frames, stored));
    } else {
      Result<SeqNo> first = write_batch(batch, frames);
      if (!first) return first.error();
      for (std::size_t i = 0; i < frames.size(); ++i) stored[i] = {*first + i, frames[i].ts};
    }
    return write_head();
  }();
  unlock();
  return result;
}

}  // namespace sea::file
