// Stream management over the file backend's directory (see file_admin.hpp).
#include "backends/file/file_admin.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "backends/file/group_member.hpp"
#include "backends/file/inspect.hpp"
#include "backends/file/retention.hpp"
#include "backends/file/stream_dir.hpp"

namespace sea::file {

namespace {

Result<StreamMeta> existing_meta(const std::string& root, const StreamKey& stream) {
  Result<std::optional<StreamMeta>> meta = read_meta(root, stream.str());
  if (!meta) return meta.error();
  if (!*meta) return make_error(Errc::not_found, "stream '{}' does not exist in {}", stream.str(), root);
  return **meta;
}

Result<void> drop_in_every_shard(const std::string& root, const StreamKey& stream, std::uint32_t shards,
                                 const DropPolicy& policy) {
  for (ShardId shard = 0; shard < shards; ++shard) {
    Result<DropReport> dropped = drop_old_segments(shard_path(root, stream.str(), shard), policy);
    if (!dropped) return dropped.error();
  }
  return ok();
}

}  // namespace

Result<std::vector<std::string>> FileAdmin::list() { return list_streams(root_); }

Result<StreamInfo> FileAdmin::describe(const StreamKey& stream) {
  Result<StreamMeta> meta = existing_meta(root_, stream);
  if (!meta) return meta.error();
  StreamInfo info;
  info.name = stream.str();
  info.retention = meta->retention;
  for (ShardId shard = 0; shard < meta->shards; ++shard) {
    Result<ShardInfo> shard_summary = shard_info(root_, stream.str(), shard);
    if (!shard_summary) return shard_summary.error();
    info.shards.push_back(*shard_summary);
  }
  const std::string groups_dir = groups_path(root_, stream.str());
  Result<std::map<std::string, std::uint32_t>> groups = list_groups(groups_dir);
  if (!groups) return groups.error();
  for (const auto& [name, members] : *groups) {
    GroupInfo group;
    group.name = name;
    group.members = members;
    for (const ShardInfo& shard : info.shards) {
      Result<std::optional<SeqNo>> position = read_group_position(groups_dir, name, shard.id);
      if (!position) return position.error();
      // Without a position the group has read nothing of the shard: all of it is lag.
      const SeqNo from = position->value_or(shard.first_seq);
      if (*position) group.committed.emplace_back(shard.id, **position);
      if (shard.next_seq > from) group.lag += shard.next_seq - std::max(from, shard.first_seq);
    }
    info.groups.push_back(std::move(group));
  }
  return info;
}

Result<void> FileAdmin::create(const StreamKey& stream, const CreateOptions& options) {
  if (options.shards < 1 || options.shards > 65536)
    return make_error(Errc::invalid_argument, "shard count {} is out of range (1..65536)", options.shards);
  Result<bool> created = create_stream(root_, stream.str(), StreamMeta{options.shards, options.retention});
  if (!created) return created.error();
  if (!*created && !options.if_not_exists)
    return make_error(Errc::exists, "stream '{}' already exists in {}", stream.str(), root_);
  return ok();
}

Result<void> FileAdmin::remove(const StreamKey& stream) { return remove_stream(root_, stream.str()); }

Result<void> FileAdmin::trim(const StreamKey& stream, const TrimSpec& spec) {
  Result<StreamMeta> meta = existing_meta(root_, stream);
  if (!meta) return meta.error();
  if (!spec.before_time && !spec.before_seq && !spec.keep_bytes)
    return make_error(Errc::invalid_argument, "trim needs a time, a seq or a size to keep");
  return drop_in_every_shard(root_, stream, meta->shards, DropPolicy{spec.before_time, spec.before_seq, spec.keep_bytes});
}

Result<void> FileAdmin::set_retention(const StreamKey& stream, const Retention& retention) {
  Result<StreamMeta> meta = existing_meta(root_, stream);
  if (!meta) return meta.error();
  if (retention.max_age_ms && *retention.max_age_ms <= 0)
    return make_error(Errc::invalid_argument, "retention age must be positive, not {} ms", *retention.max_age_ms);
  meta->retention = retention;
  SEA_TRY(write_meta(root_, stream.str(), *meta));
  // Applied at once too, not only at the next segment roll.
  DropPolicy policy;
  if (retention.max_age_ms) policy.before_time = now_ms() - *retention.max_age_ms;
  policy.keep_bytes = retention.max_bytes;
  if (!policy.before_time && !policy.keep_bytes) return ok();
  return drop_in_every_shard(root_, stream, meta->shards, policy);
}

Result<void> FileAdmin::set_group_position(const std::string& group, const StreamKey& stream, ShardId shard,
                                           SeqNo next_seq) {
  Result<StreamKey> valid = StreamKey::parse(group);
  if (!valid) return make_error(Errc::invalid_argument, "group name: {}", valid.error().message);
  Result<StreamMeta> meta = existing_meta(root_, stream);
  if (!meta) return meta.error();
  if (shard >= meta->shards)
    return make_error(Errc::invalid_argument, "shard {} does not exist: stream '{}' has {} shard(s)", shard,
                      stream.str(), meta->shards);
  const std::string groups_dir = groups_path(root_, stream.str());
  SEA_TRY(make_dirs(groups_dir));
  // Hold the shard's group lock while writing, so no member reads it meanwhile.
  const std::string lock_path = group_lock_path(groups_dir, group, shard);
  const int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error(errno, "open " + lock_path);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return make_error(Errc::exists, "group '{}' has a live member reading shard {} of '{}'; stop it first", group,
                      shard, stream.str());
  }
  Result<void> written = write_file_atomic(group_position_path(groups_dir, group, shard), fmt::format("{}\n", next_seq));
  close(fd);
  return written;
}

}  // namespace sea::file
