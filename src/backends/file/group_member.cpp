// File-and-flock consumer groups (see group_member.hpp).
#include "backends/file/group_member.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>

#include "backends/file/stream_dir.hpp"

namespace sea::file {

namespace {

std::vector<std::string> dir_entries(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return names;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

// A member id safe as a file name, unique within the process.
std::string member_id(const std::string& member) {
  static std::atomic<std::uint64_t> counter{0};
  std::string id;
  for (const char c : member) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    id.push_back(safe ? c : '_');
  }
  if (id.empty()) id = "member";
  return fmt::format("{}.{}.{}", id, getpid(), counter.fetch_add(1));
}

// Is the member whose file this is alive? Takes the lock to find out; a dead member's file is
// removed while its lock is held, so no live member can be mistaken for it.
bool alive_or_reap(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return true;
  }
  unlink(path.c_str());
  close(fd);
  return false;
}

}  // namespace

std::string group_position_path(const std::string& groups_dir, const std::string& group, ShardId shard) {
  return fmt::format("{}/{}.{}.pos", groups_dir, group, shard);
}

std::string group_lock_path(const std::string& groups_dir, const std::string& group, ShardId shard) {
  return fmt::format("{}/{}.{}.lock", groups_dir, group, shard);
}

Result<std::optional<SeqNo>> read_group_position(const std::string& groups_dir, const std::string& group, ShardId shard) {
  const std::string path = group_position_path(groups_dir, group, shard);
  Result<std::optional<std::string>> text = read_small_file(path);
  if (!text) return text.error();
  if (!*text) return std::optional<SeqNo>{};
  std::string_view digits = **text;
  while (!digits.empty() && digits.back() == '\n') digits.remove_suffix(1);
  SeqNo seq = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (ec != std::errc{} || end != digits.data() + digits.size())
    return make_error(Errc::corrupt, "{}: '{}' is not a sequence number", path, digits);
  return std::optional<SeqNo>(seq);
}

Result<std::map<std::string, std::uint32_t>> list_groups(const std::string& groups_dir) {
  std::map<std::string, std::uint32_t> groups;
  for (const std::string& name : dir_entries(groups_dir)) {
    const std::size_t pos_suffix = name.rfind(".pos");
    if (pos_suffix != std::string::npos && pos_suffix + 4 == name.size()) {
      const std::size_t dot = name.rfind('.', pos_suffix - 1);
      if (dot != std::string::npos) groups.emplace(name.substr(0, dot), 0);
    }
    const std::string members_suffix = ".members";
    if (name.size() > members_suffix.size() && name.ends_with(members_suffix)) {
      const std::string group = name.substr(0, name.size() - members_suffix.size());
      std::uint32_t live = 0;
      for (const std::string& member : dir_entries(groups_dir + "/" + name)) {
        if (member.find(".tmp-") != std::string::npos) continue;
        const int fd = open((groups_dir + "/" + name + "/" + member).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        if (flock(fd, LOCK_SH | LOCK_NB) != 0) ++live;
        close(fd);
      }
      groups[group] += live;
    }
  }
  return groups;
}

Result<std::unique_ptr<GroupMember>> GroupMember::join(const std::string& root, const std::string& stream,
                                                       const std::string& group, const std::string& member,
                                                       std::vector<ShardId> wanted) {
  std::unique_ptr<GroupMember> self(new GroupMember());
  self->groups_dir_ = groups_path(root, stream);
  self->group_ = group;
  self->members_dir_ = self->groups_dir_ + "/" + group + ".members";
  self->wanted_ = std::move(wanted);
  self->id_ = member_id(member);
  SEA_TRY(make_dirs(self->members_dir_));
  // Lock under a temporary name, then rename: the file is never visible unlocked, so no other
  // member can reap it as dead.
  const std::string temp = self->members_dir_ + "/" + self->id_ + ".tmp-";
  self->member_fd_ = open(temp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (self->member_fd_ < 0) return errno_error(errno, "open " + temp);
  if (flock(self->member_fd_, LOCK_EX) != 0) return errno_error(errno, "flock " + temp);
  if (rename(temp.c_str(), (self->members_dir_ + "/" + self->id_).c_str()) != 0)
    return errno_error(errno, "rename " + temp);
  return self;
}

GroupMember::~GroupMember() {
  for (const auto& [shard, fd] : locks_) close(fd);
  if (member_fd_ >= 0) {
    unlink((members_dir_ + "/" + id_).c_str());
    close(member_fd_);
  }
}

Result<std::vector<std::string>> GroupMember::live_members() {
  std::vector<std::string> live;
  for (const std::string& name : dir_entries(members_dir_)) {
    if (name.find(".tmp-") != std::string::npos) continue;
    if (name == id_ || alive_or_reap(members_dir_ + "/" + name)) live.push_back(name);
  }
  return live;
}

Result<void> GroupMember::rebalance(std::vector<ShardId>& gained, std::vector<ShardId>& lost) {
  Result<std::vector<std::string>> live = live_members();
  if (!live) return live.error();
  const auto me = std::find(live->begin(), live->end(), id_);
  const std::size_t count = std::max<std::size_t>(live->size(), 1);
  const std::size_t index = me == live->end() ? 0 : static_cast<std::size_t>(me - live->begin());
  for (std::size_t i = 0; i < wanted_.size(); ++i) {
    const ShardId shard = wanted_[i];
    const bool mine = i % count == index;
    if (!mine && owns(shard)) {
      lost.push_back(shard);
    } else if (mine && !owns(shard)) {
      const std::string path = group_lock_path(groups_dir_, group_, shard);
      const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) return errno_error(errno, "open " + path);
      if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);  // its previous owner has not let go yet: try again on the next rebalance
        continue;
      }
      locks_[shard] = fd;
      gained.push_back(shard);
    }
  }
  return ok();
}

void GroupMember::release(ShardId shard) {
  const auto it = locks_.find(shard);
  if (it == locks_.end()) return;
  close(it->second);
  locks_.erase(it);
}

Result<std::optional<SeqNo>> GroupMember::committed(ShardId shard) const {
  return read_group_position(groups_dir_, group_, shard);
}

Result<void> GroupMember::commit(ShardId shard, SeqNo next_seq) {
  if (!owns(shard)) return make_error(Errc::closed, "group '{}' shard {} is no longer owned by this member", group_, shard);
  return write_file_atomic(group_position_path(groups_dir_, group_, shard), fmt::format("{}\n", next_seq));
}

}  // namespace sea::file
