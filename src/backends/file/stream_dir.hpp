// The directory side of the file backend: where a stream's files live, its `meta` file (shard
// count and retention), creating a stream atomically, removing it, and the small-file helpers
// (atomic replace by temp + rename) that meta and group positions use. See file_log.hpp for the
// layout. All functions are synchronous and touch only the file system.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/options.hpp"
#include "core/types.hpp"

namespace sea::file {

// Closes a descriptor at scope exit (the read-only inspection and statistics code).
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

struct StreamMeta {
  std::uint32_t shards = 1;
  Retention retention;
};

std::string stream_path(const std::string& root, const std::string& stream);
std::string shard_path(const std::string& root, const std::string& stream, ShardId shard);
std::string groups_path(const std::string& root, const std::string& stream);

// The meta of a stream, nullopt when the stream does not exist.
Result<std::optional<StreamMeta>> read_meta(const std::string& root, const std::string& stream);
// Replaces the meta of an existing stream.
Result<void> write_meta(const std::string& root, const std::string& stream, const StreamMeta& meta);

// Creates the stream with its shard and group directories; false when it already existed (in
// which case nothing was changed). Safe against other processes creating it at the same time:
// the directory is built under a temporary name and renamed into place.
Result<bool> create_stream(const std::string& root, const std::string& stream, const StreamMeta& meta);

// The meta of the stream, creating the stream with `defaults` when it does not exist.
Result<StreamMeta> open_or_create_stream(const std::string& root, const std::string& stream,
                                         const StreamMeta& defaults);

Result<void> remove_stream(const std::string& root, const std::string& stream);
Result<std::vector<std::string>> list_streams(const std::string& root);

// mkdir -p.
Result<void> make_dirs(const std::string& path);
// Writes `content` to `path` atomically: a temp file in the same directory, then rename.
Result<void> write_file_atomic(const std::string& path, std::string_view content, bool sync = false);
// The content of a small file, nullopt when it does not exist.
Result<std::optional<std::string>> read_small_file(const std::string& path);

}  // namespace sea::file
