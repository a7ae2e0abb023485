// The on-disk format of the file backend (file://DIR) and the codec of its frames and index
// entries. This header is the on-disk contract: readers of other versions rely on it.
//
// Layout (all integers little-endian):
//   DIR/<stream>/meta                    text, "key value" lines: format 1, shards N,
//                                        max_age_ms MS, max_bytes B (retention, absent = none)
//   DIR/<stream>/<shard>/lock            flock()ed by writers; holds the writers' "head":
//                                        u64 active segment base, u64 end offset, u64 next seq
//   DIR/<stream>/<shard>/<base>.log      a segment: frames, base = seq of its first frame,
//                                        written as 20 decimal digits
//   DIR/<stream>/<shard>/<base>.idx      the segment's sparse index
//   DIR/<stream>/groups/<group>.<shard>.pos   committed position: text, the next seq to read
//   DIR/<stream>/groups/<group>.<shard>.lock  flock()ed by the group member reading the shard
//   DIR/<stream>/groups/<group>.members/<id>  flock()ed by each live member of the group
// A stream directory appears atomically: it is built under a temporary name and renamed.
//
// Frame:  u32 body_length | u32 crc32(body) | body
// Body:   u64 seq | i64 ts | u8 flags (bit 0: has key) | u32 key_length | u32 header_count |
//         key bytes | header_count x (u32 name_length | name | u32 value_length | value) |
//         payload (the rest of the body)
// Seqs start at 0 per shard and are dense across the shard's segments. The CRC is zlib's
// crc32. A frame whose length runs past the end of the file is incomplete; a frame whose CRC
// or structure is wrong is corrupt. Writers cut both off the tail of the active segment when
// they open it (recovery); readers treat them at the tail as "not yet written".
//
// Index entry (24 bytes): u64 seq | i64 max_ts_before | u64 offset. An entry is written for the
// first frame of each segment and then for the first frame starting at least kIndexInterval
// bytes after the previous entry. max_ts_before is the largest timestamp of every frame of the
// shard before this one (INT64_MIN when none), a running maximum carried across segments, so
// "first message with ts >= T" is a binary search for the last entry with max_ts_before < T
// followed by a short scan. The index is derived data written after the log: a missing or
// short index only makes seeks scan further, and writers rebuild its tail on recovery.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"

namespace sea::file {

inline constexpr std::size_t kFramePrefix = 8;
inline constexpr std::size_t kBodyFixed = 25;
inline constexpr std::uint32_t kMaxFrameBody = 256u << 20;
inline constexpr std::uint64_t kIndexInterval = 4096;
inline constexpr std::size_t kIndexEntrySize = 24;
inline constexpr Timestamp kNoTimestamp = INT64_MIN;

// A decoded frame; the views point into the buffer the frame was decoded from.
struct FrameView {
  SeqNo seq = 0;
  Timestamp ts = 0;
  bool has_key = false;
  std::uint32_t header_count = 0;
  std::string_view key;
  std::string_view headers;  // the raw header block, see parse_headers
  std::string_view payload;
  std::size_t size = 0;      // the whole frame, prefix included
};

enum class FrameStatus : std::uint8_t { ok, incomplete, corrupt };

// Decodes the frame at the start of [data, data+size). On corrupt, *reason says why.
FrameStatus decode_frame(const char* data, std::size_t size, FrameView& out, const char** reason);

// Splits a frame's header block; false if it is malformed (decode_frame already checked it).
bool parse_headers(const FrameView& frame, std::vector<HeaderView>& out);

// Appends one frame to `out`. The seq and CRC may be patched later with patch_frame (the
// producer encodes at send time and learns the seq when it holds the shard lock).
void append_frame(std::string& out, SeqNo seq, Timestamp ts, const MessageView& message);
// The same without seq and CRC (both 0): for a frame that patch_frame seals before it is
// written, so that its CRC is computed once, not twice (the CRC was a fifth of a relay's time
// into a file).
void append_unsealed_frame(std::string& out, Timestamp ts, const MessageView& message);
void patch_frame(char* frame, SeqNo seq);
std::size_t frame_size(const MessageView& message);

struct IndexEntry {
  SeqNo seq = 0;
  Timestamp max_ts_before = kNoTimestamp;
  std::uint64_t offset = 0;
};

void append_index_entry(std::string& out, const IndexEntry& entry);
IndexEntry decode_index_entry(const char* data);

// "00000000000000000042.log" for base 42.
std::string segment_file_name(SeqNo base, std::string_view extension);

struct SegmentFile {
  SeqNo base = 0;
  std::string log_path;
  std::string idx_path;
};

// The segments of a shard directory, oldest first; an empty list when the directory is missing.
Result<std::vector<SegmentFile>> list_segments(const std::string& shard_dir);

// Parses a segment file name; false when `name` is not "<20 digits>.log".
bool parse_segment_name(std::string_view name, SeqNo& base);

}  // namespace sea::file
