// The file backend's Admin: list, describe, create, remove, trim, set_retention and
// set_group_position over a directory of streams. Every call is synchronous file-system work
// (no loop turn is needed). trim and retention drop whole segments only (never the newest),
// so "trim before seq N" may keep messages below N that share a segment with N.
// set_group_position refuses while a live group member reads the shard (Errc::exists).
//
// Lifecycle: owned by a FileStreamer; used from its loop's thread, outside loop callbacks.
#pragma once

#include <string>

#include "core/streamer.hpp"

namespace sea::file {

class FileAdmin final : public Admin {
 public:
  explicit FileAdmin(std::string root) : root_(std::move(root)) {}

  Result<std::vector<std::string>> list() override;
  Result<StreamInfo> describe(const StreamKey& stream) override;
  Result<void> create(const StreamKey& stream, const CreateOptions& options) override;
  Result<void> remove(const StreamKey& stream) override;
  Result<void> trim(const StreamKey& stream, const TrimSpec& spec) override;
  Result<void> set_retention(const StreamKey& stream, const Retention& retention) override;
  Result<void> set_group_position(const std::string& group, const StreamKey& stream, ShardId shard,
                                  SeqNo next_seq) override;

 private:
  std::string root_;
};

}  // namespace sea::file
