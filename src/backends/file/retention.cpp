// Whole-segment retention and trimming (see retention.hpp).
#include "backends/file/retention.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "backends/file/file_log.hpp"

namespace sea::file {

std::optional<Timestamp> max_ts_before_segment(const std::string& idx_path) {
  const int fd = open(idx_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char raw[kIndexEntrySize];
  const ssize_t n = pread(fd, raw, sizeof raw, 0);
  close(fd);
  if (n != static_cast<ssize_t>(sizeof raw)) return std::nullopt;
  return decode_index_entry(raw).max_ts_before;
}

Result<DropReport> drop_old_segments(const std::string& shard_dir, const DropPolicy& policy) {
  DropReport report;
  Result<std::vector<SegmentFile>> listed = list_segments(shard_dir);
  if (!listed) return listed.error();
  const std::vector<SegmentFile>& segments = *listed;
  if (segments.size() < 2) return report;

  std::vector<std::uint64_t> sizes;
  std::uint64_t total = 0;
  for (const SegmentFile& segment : segments) {
    struct stat st {};
    const std::uint64_t size = stat(segment.log_path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    sizes.push_back(size);
    total += size;
  }

  // Oldest first, stopping at the first segment that must stay so the log stays contiguous.
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    const SegmentFile& next = segments[i + 1];
    bool drop = false;
    if (policy.keep_bytes && total > *policy.keep_bytes) drop = true;
    if (policy.before_seq && next.base <= *policy.before_seq) drop = true;
    if (!drop && policy.before_time) {
      // The next segment's first index entry carries the running max of everything before it.
      // Without it, fall back to the segment's modification time (the time of its last write).
      std::optional<Timestamp> newest = max_ts_before_segment(next.idx_path);
      if (!newest) {
        struct stat st {};
        if (stat(segments[i].log_path.c_str(), &st) == 0)
          newest = static_cast<Timestamp>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
      }
      if (newest && *newest < *policy.before_time) drop = true;
    }
    if (!drop) break;
    if (unlink(segments[i].log_path.c_str()) != 0 && errno != ENOENT)
      return errno_error(errno, "unlink " + segments[i].log_path);
    unlink(segments[i].idx_path.c_str());
    ++report.segments;
    report.bytes += sizes[i];
    total -= sizes[i];
  }
  return report;
}

}  // namespace sea::file
