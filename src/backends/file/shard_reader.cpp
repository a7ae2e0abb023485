// Sequential shard reading with index seeks and segment hand-over (see shard_reader.hpp).
#include "backends/file/shard_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "backends/file/retention.hpp"
#include "backends/file/segment_scan.hpp"

namespace sea::file {

namespace {

// The number of complete entries of an index file, and entry `i` of it.
std::uint64_t entry_count(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) / kIndexEntrySize : 0;
}

std::optional<IndexEntry> read_entry(int fd, std::uint64_t i) {
  char raw[kIndexEntrySize];
  if (pread(fd, raw, sizeof raw, static_cast<off_t>(i * kIndexEntrySize)) != static_cast<ssize_t>(sizeof raw))
    return std::nullopt;
  return decode_index_entry(raw);
}

// The last entry for which `before(entry)` holds, by binary search (entries are ordered so that
// `before` is true on a prefix). nullopt when it holds for none.
template <class Pred>
std::optional<IndexEntry> last_entry_where(const std::string& idx_path, Pred before) {
  const int fd = open(idx_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::uint64_t lo = 0;
  std::uint64_t hi = entry_count(fd);  // invariant: before() holds below lo, fails at and above hi
  std::optional<IndexEntry> found;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    std::optional<IndexEntry> entry = read_entry(fd, mid);
    if (entry && before(*entry)) {
      found = entry;
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  close(fd);
  return found;
}

}  // namespace

ShardReader::ShardReader(std::string shard_dir, std::size_t buffer_bytes)
    : dir_(std::move(shard_dir)), capacity_(std::max<std::size_t>(buffer_bytes, 4096)),
      buffer_(new char[capacity_]) {}

ShardReader::~ShardReader() { close_file(); }

void ShardReader::close_file() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  have_ = pos_ = 0;
}

void ShardReader::start_at_begin() {
  close_file();
  target_ = Target::begin;
}

void ShardReader::start_at_end() {
  close_file();
  target_ = Target::end;
  // Resolved now: "latest" means after what exists when the consumer starts.
  (void)resolve_target();
}

void ShardReader::start_at_seq(SeqNo seq) {
  close_file();
  target_ = Target::seq;
  target_seq_ = seq;
}

void ShardReader::start_at_time(Timestamp time) {
  close_file();
  target_ = Target::time;
  target_time_ = time;
}

Result<void> ShardReader::open_at(SeqNo base, std::uint64_t offset, SeqNo seq) {
  close_file();
  const std::string path = dir_ + "/" + segment_file_name(base, "log");
  fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return errno_error(errno, "open " + path);
  base_ = base;
  buffer_offset_ = offset;
  next_seq_ = seq;
  from_index_ = offset != 0;
  dir_checked_ = false;
  return ok();
}

Result<bool> ShardReader::resolve_target() {
  for (int attempt = 0; attempt < 3; ++attempt) {
    Result<std::vector<SegmentFile>> listed = list_segments(dir_);
    if (!listed) return listed.error();
    const std::vector<SegmentFile>& segments = *listed;
    if (segments.empty()) {
      // Nothing written yet: whatever comes first is after any position asked for.
      if (target_ == Target::end) target_ = Target::begin;
      return false;
    }
    Result<void> opened = ok();
    skip_below_seq_.reset();
    skip_below_time_.reset();
    if (target_ == Target::seq) {
      std::size_t i = 0;
      while (i + 1 < segments.size() && segments[i + 1].base <= target_seq_) ++i;
      std::optional<IndexEntry> entry =
          last_entry_where(segments[i].idx_path, [&](const IndexEntry& e) { return e.seq <= target_seq_; });
      opened = entry ? open_at(segments[i].base, entry->offset, entry->seq) : open_at(segments[i].base, 0, segments[i].base);
      skip_below_seq_ = target_seq_;
    } else if (target_ == Target::time) {
      // The last segment whose running max before it is below the time: everything before it
      // is older, so the first message at or after the time is in it or later.
      std::size_t lo = 0;
      std::size_t hi = segments.size();
      std::size_t pick = 0;
      while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        std::optional<Timestamp> before = max_ts_before_segment(segments[mid].idx_path);
        if (before && *before < target_time_) {
          pick = mid;
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      std::optional<IndexEntry> entry = last_entry_where(
          segments[pick].idx_path, [&](const IndexEntry& e) { return e.max_ts_before < target_time_; });
      opened = entry ? open_at(segments[pick].base, entry->offset, entry->seq)
                     : open_at(segments[pick].base, 0, segments[pick].base);
      skip_below_time_ = target_time_;
    } else if (target_ == Target::end) {
      const SegmentFile& last = segments.back();
      const int log = open(last.log_path.c_str(), O_RDONLY | O_CLOEXEC);
      if (log < 0) continue;  // dropped under us: list again
      const int idx = open(last.idx_path.c_str(), O_RDONLY | O_CLOEXEC);
      struct stat st {};
      fstat(log, &st);
      Result<IndexTail> index = read_index_tail(idx, log, static_cast<std::uint64_t>(st.st_size));
      Result<ScanResult> scan = index ? scan_segment(log, tail_scan_start(*index, last.base, {}))
                                      : Result<ScanResult>(index.error());
      close(log);
      if (idx >= 0) close(idx);
      if (!scan) return scan.error();
      opened = open_at(last.base, scan->valid_end, scan->next_seq);
      from_index_ = false;
    } else {
      opened = open_at(segments.front().base, 0, segments.front().base);
    }
    if (!opened) {
      if (opened.error().backend_code == ENOENT) continue;
      return opened.error();
    }
    target_ = Target::none;
    return true;
  }
  return false;
}

Result<bool> ShardReader::refill() {
  if (pos_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + pos_, have_ - pos_);
    buffer_offset_ += pos_;
    have_ -= pos_;
    pos_ = 0;
  }
  if (have_ == capacity_) {
    // A frame larger than the buffer: grow to hold it (frames are bounded by kMaxFrameBody).
    std::uint32_t body_len = 0;
    std::memcpy(&body_len, buffer_.get(), 4);
    const std::size_t need = std::max<std::size_t>(kFramePrefix + std::min(body_len, kMaxFrameBody), capacity_ + 1);
    std::unique_ptr<char[]> bigger(new char[need]);
    std::memcpy(bigger.get(), buffer_.get(), have_);
    buffer_ = std::move(bigger);
    capacity_ = need;
  }
  while (true) {
    const ssize_t n = pread(fd_, buffer_.get() + have_, capacity_ - have_, static_cast<off_t>(buffer_offset_ + have_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error(errno, "pread " + dir_ + "/" + segment_file_name(base_, "log"));
    have_ += static_cast<std::size_t>(n);
    return n > 0;
  }
}

Result<bool> ShardReader::newer_segment(SeqNo& base) {
  if (dir_checked_) return false;
  Result<std::vector<SegmentFile>> listed = list_segments(dir_);
  if (!listed) return listed.error();
  dir_checked_ = true;
  for (const SegmentFile& segment : *listed) {
    if (segment.base > base_) {
      base = segment.base;
      return true;
    }
  }
  return false;
}

Result<bool> ShardReader::next(FrameView& out) {
  caught_up_ = false;
  if (fd_ < 0) {
    if (target_ == Target::none) target_ = Target::begin;
    Result<bool> positioned = resolve_target();
    if (!positioned) return positioned.error();
    if (!*positioned) {
      caught_up_ = true;
      return false;
    }
  }
  while (true) {
    const char* reason = "";
    FrameStatus status = decode_frame(buffer_.get() + pos_, have_ - pos_, out, &reason);
    if (status == FrameStatus::ok) {
      if (out.seq == next_seq_) {
        from_index_ = false;
        pos_ += out.size;
        next_seq_ = out.seq + 1;
        if (skip_below_seq_) {
          if (out.seq < *skip_below_seq_) continue;
          skip_below_seq_.reset();
        }
        if (skip_below_time_) {
          if (out.ts < *skip_below_time_) continue;
          skip_below_time_.reset();
        }
        return true;
      }
      if (from_index_) {
        // A stale index entry: scan this segment from its start instead.
        SEA_TRY(open_at(base_, 0, base_));
        continue;
      }
      status = FrameStatus::corrupt;
    }
    if (status == FrameStatus::incomplete) {
      Result<bool> more = refill();
      if (!more) return more.error();
      if (*more) continue;
    }
    // Nothing more to read here for now. If a newer segment exists, this one is finished (a
    // writer creates the next segment only after its last write to this one).
    SeqNo newer = 0;
    Result<bool> has_newer = newer_segment(newer);
    if (!has_newer) return has_newer.error();
    if (!*has_newer) {
      caught_up_ = true;
      return false;
    }
    if (status == FrameStatus::incomplete) {
      Result<bool> more = refill();
      if (!more) return more.error();
      if (*more) continue;
      if (have_ > pos_) ++corrupt_skips_;
    } else {
      ++corrupt_skips_;
    }
    Result<void> opened = open_at(newer, 0, std::max(newer, next_seq_));
    if (!opened) {
      if (opened.error().backend_code != ENOENT) return opened.error();
      dir_checked_ = false;
      continue;
    }
    next_seq_ = newer;
  }
}

}  // namespace sea::file
