// Sequential, read-only scanning of segment files and validation of their index tails.
#include "backends/file/segment_scan.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace sea::file {

namespace {

constexpr std::size_t kScanChunk = 1 << 20;

Result<std::uint64_t> file_size_of(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return errno_error(errno, "fstat");
  return static_cast<std::uint64_t>(st.st_size);
}

// Reads exactly `size` bytes at `offset` unless the file ends first; returns bytes read.
Result<std::size_t> pread_full(int fd, char* buffer, std::size_t size, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = pread(fd, buffer + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, "pread");
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

}  // namespace

Result<ScanResult> scan_segment(int log_fd, const ScanStart& start, const FrameVisitor& visit) {
  ScanResult result;
  Result<std::uint64_t> size = file_size_of(log_fd);
  if (!size) return size.error();
  result.file_size = *size;
  result.valid_end = start.offset;
  result.next_seq = start.seq;
  result.max_ts = start.max_ts_before;

  std::string buffer(kScanChunk, '\0');
  std::uint64_t buffer_offset = start.offset;  // file offset of buffer[0]
  std::size_t have = 0;
  std::size_t pos = 0;
  std::uint64_t last_index_offset = start.last_index_offset;
  bool need_first_entry = !start.index_has_start;
  while (true) {
    FrameView frame;
    const char* reason = "";
    const FrameStatus status = decode_frame(buffer.data() + pos, have - pos, frame, &reason);
    if (status == FrameStatus::incomplete) {
      const std::uint64_t frame_offset = buffer_offset + pos;
      if (frame_offset >= result.file_size) break;
      // Keep the partial frame at the front and read more behind it; grow for a large frame.
      std::memmove(buffer.data(), buffer.data() + pos, have - pos);
      have -= pos;
      buffer_offset = frame_offset;
      pos = 0;
      if (have >= kFramePrefix) {
        std::uint32_t body_len = 0;
        std::memcpy(&body_len, buffer.data(), 4);
        if (kFramePrefix + body_len > buffer.size()) buffer.resize(kFramePrefix + body_len);
      }
      if (have == buffer.size()) buffer.resize(buffer.size() * 2);
      Result<std::size_t> got = pread_full(log_fd, buffer.data() + have, buffer.size() - have, buffer_offset + have);
      if (!got) return got.error();
      if (*got == 0) {
        result.torn = true;
        result.tail_reason = fmt::format("incomplete frame of {} bytes at the end", have);
        break;
      }
      have += *got;
      continue;
    }
    const std::uint64_t offset = buffer_offset + pos;
    if (status == FrameStatus::corrupt) {
      result.torn = true;
      result.tail_reason = fmt::format("{} at offset {}", reason, offset);
      break;
    }
    if (frame.seq != result.next_seq) {
      result.torn = true;
      result.tail_reason = fmt::format("seq {} at offset {} where {} was expected", frame.seq, offset, result.next_seq);
      break;
    }
    if (need_first_entry || offset >= last_index_offset + kIndexInterval) {
      result.index_entries.push_back({frame.seq, result.max_ts, offset});
      last_index_offset = offset;
      need_first_entry = false;
    }
    if (visit) visit(frame, offset);
    if (result.frames == 0) result.first_ts = frame.ts;
    result.last_ts = frame.ts;
    result.max_ts = std::max(result.max_ts, frame.ts);
    ++result.frames;
    ++result.next_seq;
    pos += frame.size;
    result.valid_end = offset + frame.size;
  }
  if (!result.torn && result.valid_end < result.file_size) {
    result.torn = true;
    result.tail_reason = fmt::format("{} stray bytes at the end", result.file_size - result.valid_end);
  }
  return result;
}

Result<IndexTail> read_index_tail(int idx_fd, int log_fd, std::uint64_t log_size) {
  IndexTail tail;
  if (idx_fd < 0) return tail;
  Result<std::uint64_t> size = file_size_of(idx_fd);
  if (!size) return size.error();
  tail.file_entries = *size / kIndexEntrySize;
  tail.partial_entry = *size % kIndexEntrySize != 0;
  std::uint64_t candidate = tail.file_entries;
  std::string frame_bytes;
  while (candidate > 0) {
    char raw[kIndexEntrySize];
    Result<std::size_t> got = pread_full(idx_fd, raw, sizeof raw, (candidate - 1) * kIndexEntrySize);
    if (!got) return got.error();
    if (*got != sizeof raw) break;
    const IndexEntry entry = decode_index_entry(raw);
    // An entry is trusted only if a whole, valid frame with its seq sits at its offset. (A
    // garbage offset near 2^64 must not wrap around the size check into a pread at a negative
    // offset: the fuzzer's find.)
    bool valid = entry.offset <= log_size && log_size - entry.offset >= kFramePrefix;
    if (valid) {
      char prefix[kFramePrefix];
      Result<std::size_t> p = pread_full(log_fd, prefix, sizeof prefix, entry.offset);
      if (!p) return p.error();
      std::uint32_t body_len = 0;
      std::memcpy(&body_len, prefix, 4);
      valid = *p == sizeof prefix && body_len <= kMaxFrameBody && entry.offset + kFramePrefix + body_len <= log_size;
      if (valid) {
        frame_bytes.resize(kFramePrefix + body_len);
        Result<std::size_t> f = pread_full(log_fd, frame_bytes.data(), frame_bytes.size(), entry.offset);
        if (!f) return f.error();
        FrameView frame;
        const char* reason = "";
        valid = *f == frame_bytes.size() &&
                decode_frame(frame_bytes.data(), frame_bytes.size(), frame, &reason) == FrameStatus::ok &&
                frame.seq == entry.seq;
      }
    }
    if (valid) {
      tail.last = entry;
      break;
    }
    --candidate;
  }
  tail.entries = candidate;
  return tail;
}

ScanStart tail_scan_start(const IndexTail& index, SeqNo base, const std::function<Timestamp()>& max_ts_before_segment) {
  ScanStart start;
  if (index.last) {
    start.offset = index.last->offset;
    start.seq = index.last->seq;
    start.max_ts_before = index.last->max_ts_before;
    start.last_index_offset = index.last->offset;
    start.index_has_start = true;
  } else {
    start.seq = base;
    start.max_ts_before = max_ts_before_segment ? max_ts_before_segment() : kNoTimestamp;
  }
  return start;
}

}  // namespace sea::file
