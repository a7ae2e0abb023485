// Reading a segment's frames sequentially from a known offset, without changing anything:
// the shared step of writer recovery (which then cuts the torn tail), of `latest` positioning
// and of `sea streamer decode`. Reads in 1 MiB pread()s, so memory stays bounded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backends/file/file_log.hpp"
#include "core/error.hpp"

namespace sea::file {

// Where a scan starts: a frame boundary, the seq expected there and the running max timestamp
// of everything before it. The offset of the index entry at or before `offset` tells the scan
// when the next index entry is due.
struct ScanStart {
  std::uint64_t offset = 0;
  SeqNo seq = 0;
  Timestamp max_ts_before = kNoTimestamp;
  std::uint64_t last_index_offset = 0;
  bool index_has_start = false;  // false: the frame at `offset` needs an index entry too
};

struct ScanResult {
  std::uint64_t valid_end = 0;   // the end of the last complete, valid frame
  std::uint64_t file_size = 0;
  SeqNo next_seq = 0;            // one past the last valid frame
  Timestamp max_ts = kNoTimestamp;
  std::uint64_t frames = 0;      // valid frames scanned
  Timestamp first_ts = kNoTimestamp;
  Timestamp last_ts = kNoTimestamp;
  bool torn = false;             // bytes after valid_end that are not a valid frame
  std::string tail_reason;       // why (incomplete frame, CRC mismatch, seq out of order...)
  std::vector<IndexEntry> index_entries;  // entries due for the frames scanned
};

using FrameVisitor = std::function<void(const FrameView& frame, std::uint64_t offset)>;

// Scans from `start` to the end of the file. A frame whose seq is not the next one expected
// ends the scan as corrupt. `visit` (optional) sees every valid frame.
Result<ScanResult> scan_segment(int log_fd, const ScanStart& start, const FrameVisitor& visit = {});

// The valid index entries of a segment: entries are dropped from the end while they point at
// or past `log_size`, or do not name the frame found at their offset. Reads only the tail of
// the index unless it has to go further back.
struct IndexTail {
  std::uint64_t entries = 0;          // valid entries (a prefix of the file)
  std::uint64_t file_entries = 0;     // complete entries in the file
  bool partial_entry = false;         // a torn entry at the end of the file
  std::optional<IndexEntry> last;     // the last valid entry
};
Result<IndexTail> read_index_tail(int idx_fd, int log_fd, std::uint64_t log_size);

// The ScanStart of a segment's tail from its index (or its start when the index is empty, with
// `max_ts_before_segment` supplying the running max of the segments before it).
ScanStart tail_scan_start(const IndexTail& index, SeqNo base, const std::function<Timestamp()>& max_ts_before_segment);

}  // namespace sea::file
