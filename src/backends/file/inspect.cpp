// Read-only summaries and message iteration over file-backend data (see inspect.hpp).
#include "backends/file/inspect.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "backends/file/segment_scan.hpp"
#include "backends/file/shard_reader.hpp"
#include "backends/file/stream_dir.hpp"

namespace sea::file {

namespace {

std::string base_name(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string parent_dir(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// Visits every complete frame of a segment as a MessageView; `stop` tells the scan to end.
Result<ScanResult> visit_segment(int fd, SeqNo base, const std::string& stream, ShardId shard,
                                 const MessageVisitor& visit, bool& stopped) {
  std::vector<HeaderView> headers;
  ScanStart start;
  start.seq = base;
  return scan_segment(fd, start, [&](const FrameView& frame, std::uint64_t) {
    if (stopped || !visit) return;
    MessageView view;
    view.stream = stream;
    view.shard = shard;
    view.seq = frame.seq;
    view.ts = frame.ts;
    view.has_key = frame.has_key;
    view.key = frame.key;
    parse_headers(frame, headers);
    view.headers = headers;
    view.payload = frame.payload;
    if (!visit(view)) stopped = true;
  });
}

}  // namespace

Result<SegmentSummary> summarize_segment(const std::string& log_path, ShardId shard) {
  SeqNo base = 0;
  if (!parse_segment_name(base_name(log_path), base))
    return make_error(Errc::invalid_argument, "{}: not a segment file (expected <20 digits>.log)", log_path);
  Fd log{open(log_path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (log.fd < 0) return errno_error(errno, "open " + log_path);
  bool stopped = false;
  Result<ScanResult> scan = visit_segment(log.fd, base, "", shard, {}, stopped);
  if (!scan) return scan.error();
  SegmentSummary summary;
  summary.shard = shard;
  summary.file = log_path;
  summary.base = base;
  summary.next_seq = scan->next_seq;
  summary.messages = scan->frames;
  summary.bytes = scan->file_size;
  if (scan->frames > 0) {
    summary.first_ts = scan->first_ts;
    summary.last_ts = scan->last_ts;
  }
  summary.torn = scan->torn;
  summary.tail_reason = scan->tail_reason;
  struct stat st {};
  const std::string idx_path = log_path.substr(0, log_path.size() - 3) + "idx";
  if (stat(idx_path.c_str(), &st) == 0) summary.index_entries = static_cast<std::uint64_t>(st.st_size) / kIndexEntrySize;
  return summary;
}

Result<std::vector<SegmentSummary>> list_stream_segments(const std::string& root, const std::string& stream) {
  Result<std::optional<StreamMeta>> meta = read_meta(root, stream);
  if (!meta) return meta.error();
  if (!*meta) return make_error(Errc::not_found, "stream '{}' does not exist in {}", stream, root);
  std::vector<SegmentSummary> summaries;
  for (ShardId shard = 0; shard < (*meta)->shards; ++shard) {
    Result<std::vector<SegmentFile>> segments = list_segments(shard_path(root, stream, shard));
    if (!segments) return segments.error();
    for (const SegmentFile& segment : *segments) {
      Result<SegmentSummary> summary = summarize_segment(segment.log_path, shard);
      if (!summary) return summary.error();
      summaries.push_back(std::move(*summary));
    }
  }
  return summaries;
}

Result<ShardInfo> shard_info(const std::string& root, const std::string& stream, ShardId shard) {
  ShardInfo info;
  info.id = shard;
  const std::string dir = shard_path(root, stream, shard);
  Result<std::vector<SegmentFile>> listed = list_segments(dir);
  if (!listed) return listed.error();
  const std::vector<SegmentFile>& segments = *listed;
  if (segments.empty()) return info;
  info.first_seq = segments.front().base;
  for (const SegmentFile& segment : segments) {
    struct stat st {};
    if (stat(segment.log_path.c_str(), &st) == 0) info.bytes += static_cast<std::uint64_t>(st.st_size);
  }
  // The newest segment with a message gives next seq and last ts (the newest may be empty
  // right after a roll).
  for (std::size_t i = segments.size(); i-- > 0;) {
    Fd log{open(segments[i].log_path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (log.fd < 0) continue;
    Fd idx{open(segments[i].idx_path.c_str(), O_RDONLY | O_CLOEXEC)};
    struct stat st {};
    fstat(log.fd, &st);
    Result<IndexTail> index = read_index_tail(idx.fd, log.fd, static_cast<std::uint64_t>(st.st_size));
    if (!index) return index.error();
    Result<ScanResult> scan = scan_segment(log.fd, tail_scan_start(*index, segments[i].base, {}));
    if (!scan) return scan.error();
    if (i + 1 == segments.size()) info.next_seq = scan->next_seq;
    if (scan->frames > 0) {
      info.last_ts = scan->last_ts;
      break;
    }
  }
  info.messages = info.next_seq - info.first_seq;
  ShardReader reader(dir, 64 << 10);
  reader.start_at_begin();
  FrameView first;
  Result<bool> got = reader.next(first);
  if (got && *got) info.first_ts = first.ts;
  return info;
}

Result<void> read_segment_file(const std::string& log_path, const MessageVisitor& visit) {
  SeqNo base = 0;
  if (!parse_segment_name(base_name(log_path), base))
    return make_error(Errc::invalid_argument, "{}: not a segment file (expected <20 digits>.log)", log_path);
  const std::string shard_dir = parent_dir(log_path);
  const std::string shard_name = base_name(shard_dir);
  const std::string stream = base_name(parent_dir(shard_dir));
  ShardId shard = 0;
  for (const char c : shard_name) shard = c >= '0' && c <= '9' ? shard * 10 + static_cast<ShardId>(c - '0') : shard;
  Fd log{open(log_path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (log.fd < 0) return errno_error(errno, "open " + log_path);
  bool stopped = false;
  Result<ScanResult> scan = visit_segment(log.fd, base, stream, shard, visit, stopped);
  if (!scan) return scan.error();
  return ok();
}

Result<void> read_stream(const std::string& root, const std::string& stream, const MessageVisitor& visit) {
  Result<std::optional<StreamMeta>> meta = read_meta(root, stream);
  if (!meta) return meta.error();
  if (!*meta) return make_error(Errc::not_found, "stream '{}' does not exist in {}", stream, root);
  for (ShardId shard = 0; shard < (*meta)->shards; ++shard) {
    Result<std::vector<SegmentFile>> segments = list_segments(shard_path(root, stream, shard));
    if (!segments) return segments.error();
    for (const SegmentFile& segment : *segments) {
      Fd log{open(segment.log_path.c_str(), O_RDONLY | O_CLOEXEC)};
      if (log.fd < 0) {
        if (errno == ENOENT) continue;  // dropped by retention meanwhile
        return errno_error(errno, "open " + segment.log_path);
      }
      bool stopped = false;
      Result<ScanResult> scan = visit_segment(log.fd, segment.base, stream, shard, visit, stopped);
      if (!scan) return scan.error();
      if (stopped) return ok();
    }
  }
  return ok();
}

}  // namespace sea::file
