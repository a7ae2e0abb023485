// Consumer-group membership on one stream of the file backend, with no coordinator process:
// the file system and flock() are the coordinator.
//
// Each live member holds an exclusive flock on its file in groups/<group>.members/; a file
// whose lock can be taken belongs to a dead member and is removed. The live members, sorted by
// id, split the shards: member k of n reads the shards s with s % n == k. A member reads a
// shard only while it holds the exclusive flock on groups/<group>.<shard>.lock, so two members
// never read one shard even while an assignment changes: the old owner releases a shard
// (committing first) when it sees the new membership, and the new owner takes it on its next
// rebalance. A crashed member's locks are released by the kernel, so its shards are taken
// over within a rebalance period. Positions live in groups/<group>.<shard>.pos (the next seq
// to read, as text), replaced atomically (temp file + rename).
//
// Lifecycle: created by a consumer per stream it reads with a group; rebalance() runs at start
// and on the consumer's safety timer; the destructor releases everything (without
// committing: the consumer commits first). Single-threaded, on the consumer's loop.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"

namespace sea::file {

class GroupMember {
 public:
  static Result<std::unique_ptr<GroupMember>> join(const std::string& root, const std::string& stream,
                                                   const std::string& group, const std::string& member,
                                                   std::vector<ShardId> wanted);
  ~GroupMember();
  GroupMember(const GroupMember&) = delete;
  GroupMember& operator=(const GroupMember&) = delete;

  // Re-reads the membership: releases the shards no longer ours (listed in `lost`) and takes
  // the ones newly ours that are free (listed in `gained`).
  Result<void> rebalance(std::vector<ShardId>& gained, std::vector<ShardId>& lost);

  bool owns(ShardId shard) const { return locks_.count(shard) != 0; }
  Result<std::optional<SeqNo>> committed(ShardId shard) const;
  Result<void> commit(ShardId shard, SeqNo next_seq);

  // Releases a shard's lock (after the caller committed it).
  void release(ShardId shard);

 private:
  GroupMember() = default;
  Result<std::vector<std::string>> live_members();

  std::string groups_dir_;
  std::string group_;
  std::string members_dir_;
  std::string id_;
  int member_fd_ = -1;
  std::vector<ShardId> wanted_;
  std::map<ShardId, int> locks_;  // shard -> fd holding its flock
};

// Paths of a group's position and lock files for one shard.
std::string group_position_path(const std::string& groups_dir, const std::string& group, ShardId shard);
std::string group_lock_path(const std::string& groups_dir, const std::string& group, ShardId shard);

// The committed position of a group on a shard (nullopt when none).
Result<std::optional<SeqNo>> read_group_position(const std::string& groups_dir, const std::string& group, ShardId shard);

// The groups that have state on a stream, and how many live members each has.
Result<std::map<std::string, std::uint32_t>> list_groups(const std::string& groups_dir);

}  // namespace sea::file
