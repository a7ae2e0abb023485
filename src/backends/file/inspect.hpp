// Read-only inspection of the file backend's data, for `sea streamer decode` and Admin:
// segment summaries (shard, file, base seq, count, bytes, first/last ts, torn tail), shard
// summaries from tail scans only, and iteration over the messages of a stream or of a single
// segment file. Nothing here ever modifies a file: a torn tail is reported, never cut.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "backends/file/file_log.hpp"
#include "core/error.hpp"
#include "core/streamer.hpp"

namespace sea::file {

struct SegmentSummary {
  ShardId shard = 0;
  std::string file;        // path of the .log file
  SeqNo base = 0;
  SeqNo next_seq = 0;      // one past the last complete frame
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;  // file size
  Timestamp first_ts = 0;   // 0 when the segment holds no message
  Timestamp last_ts = 0;
  bool torn = false;        // bytes after the last complete frame
  std::string tail_reason;  // why they are not a frame
  std::uint64_t index_entries = 0;
};

// Scans a whole segment file (reads all of it, in 1 MiB chunks).
Result<SegmentSummary> summarize_segment(const std::string& log_path, ShardId shard);

// Every segment of every shard of a stream, shard by shard, oldest first.
Result<std::vector<SegmentSummary>> list_stream_segments(const std::string& root, const std::string& stream);

// A shard's first/next seq, first/last ts, message count and bytes, from its first frame and
// its newest segment's tail (cheap: no full scan).
Result<ShardInfo> shard_info(const std::string& root, const std::string& stream, ShardId shard);

// Returns false to stop the iteration.
using MessageVisitor = std::function<bool(const MessageView& message)>;

// The messages of a stream: shard 0 in seq order, then shard 1, ...
Result<void> read_stream(const std::string& root, const std::string& stream, const MessageVisitor& visit);

// The complete messages of one segment file (stream and shard named after its directories).
Result<void> read_segment_file(const std::string& log_path, const MessageVisitor& visit);

}  // namespace sea::file
