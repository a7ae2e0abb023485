// Dropping whole old segments of a shard: retention by age and size (applied by producers when
// they roll a segment) and `admin trim`. Only whole segments are removed, oldest first, and never
// the newest (active) one, so a shard never loses its position and writers are not disturbed:
// they only ever touch the newest segment. Readers holding a dropped segment open keep reading
// it (the inode lives until they close it) and then skip to the new first segment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/types.hpp"

namespace sea::file {

struct DropPolicy {
  std::optional<Timestamp> before_time;      // drop segments whose every message is older
  std::optional<SeqNo> before_seq;           // drop segments whose every seq is below
  std::optional<std::uint64_t> keep_bytes;   // drop oldest while the shard holds more
};

struct DropReport {
  std::uint64_t segments = 0;
  std::uint64_t bytes = 0;
};

// Needs no lock: writers never touch a segment other than the newest.
Result<DropReport> drop_old_segments(const std::string& shard_dir, const DropPolicy& policy);

// The running max timestamp of every message before segment `base`'s first one, read from its
// index; nullopt when its index has no entry.
std::optional<Timestamp> max_ts_before_segment(const std::string& idx_path);

}  // namespace sea::file
