// Stream directories and meta files of the file backend (see stream_dir.hpp).
#include "backends/file/stream_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>

namespace sea::file {

namespace {

// Unique temp names within the process; the pid makes them unique across processes.
std::string temp_suffix() {
  static std::atomic<std::uint64_t> counter{0};
  return fmt::format(".tmp-{}-{}", getpid(), counter.fetch_add(1));
}

Result<void> remove_tree(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return errno == ENOENT ? ok() : Result<void>(errno_error(errno, "lstat " + path));
  if (S_ISDIR(st.st_mode)) {
    DIR* dir = opendir(path.c_str());
    if (dir == nullptr) return errno_error(errno, "opendir " + path);
    std::vector<std::string> names;
    while (const dirent* entry = readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(dir);
    for (const std::string& name : names) SEA_TRY(remove_tree(path + "/" + name));
    if (rmdir(path.c_str()) != 0 && errno != ENOENT) return errno_error(errno, "rmdir " + path);
    return ok();
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error(errno, "unlink " + path);
  return ok();
}

std::string format_meta(const StreamMeta& meta) {
  std::string text = fmt::format("format 1\nshards {}\n", meta.shards);
  if (meta.retention.max_age_ms) text += fmt::format("max_age_ms {}\n", *meta.retention.max_age_ms);
  if (meta.retention.max_bytes) text += fmt::format("max_bytes {}\n", *meta.retention.max_bytes);
  return text;
}

Result<StreamMeta> parse_meta(const std::string& path, std::string_view text) {
  StreamMeta meta;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (line.empty()) continue;
    const std::size_t space = line.find(' ');
    const std::string_view name = line.substr(0, space);
    const std::string_view value = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
    std::int64_t number = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc{} || end != value.data() + value.size() || number < 0)
      return make_error(Errc::corrupt, "{}: line {}: '{}' is not 'name number'", path, line_no, line);
    if (name == "shards") {
      if (number < 1 || number > 65536)
        return make_error(Errc::corrupt, "{}: line {}: shard count {} out of range", path, line_no, number);
      meta.shards = static_cast<std::uint32_t>(number);
    } else if (name == "max_age_ms") {
      meta.retention.max_age_ms = number;
    } else if (name == "max_bytes") {
      meta.retention.max_bytes = static_cast<std::uint64_t>(number);
    }
    // Unknown names (and "format") are ignored so newer writers can add fields.
  }
  return meta;
}

}  // namespace

std::string stream_path(const std::string& root, const std::string& stream) { return root + "/" + stream; }
std::string shard_path(const std::string& root, const std::string& stream, ShardId shard) {
  return fmt::format("{}/{}/{}", root, stream, shard);
}
std::string groups_path(const std::string& root, const std::string& stream) { return root + "/" + stream + "/groups"; }

Result<void> make_dirs(const std::string& path) {
  if (path.empty()) return ok();
  if (mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return ok();
  if (errno != ENOENT) return errno_error(errno, "mkdir " + path);
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return errno_error(ENOENT, "mkdir " + path);
  SEA_TRY(make_dirs(path.substr(0, slash)));
  if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return errno_error(errno, "mkdir " + path);
  return ok();
}

Result<void> write_file_atomic(const std::string& path, std::string_view content, bool sync) {
  const std::string temp = path + temp_suffix();
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error(errno, "open " + temp);
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      unlink(temp.c_str());
      return errno_error(err, "write " + temp);
    }
    done += static_cast<std::size_t>(n);
  }
  if (sync) fdatasync(fd);
  close(fd);
  if (rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(temp.c_str());
    return errno_error(err, "rename " + temp);
  }
  return ok();
}

Result<std::optional<std::string>> read_small_file(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return errno_error(errno, "open " + path);
  }
  std::string text;
  char buffer[4096];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return errno_error(err, "read " + path);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > (1 << 20)) break;  // meta and position files are tiny; bound the read
  }
  close(fd);
  return std::optional<std::string>(std::move(text));
}

Result<std::optional<StreamMeta>> read_meta(const std::string& root, const std::string& stream) {
  const std::string path = stream_path(root, stream) + "/meta";
  Result<std::optional<std::string>> text = read_small_file(path);
  if (!text) return text.error();
  if (!*text) return std::optional<StreamMeta>{};
  Result<StreamMeta> meta = parse_meta(path, **text);
  if (!meta) return meta.error();
  return std::optional<StreamMeta>(*meta);
}

Result<void> write_meta(const std::string& root, const std::string& stream, const StreamMeta& meta) {
  return write_file_atomic(stream_path(root, stream) + "/meta", format_meta(meta));
}

Result<bool> create_stream(const std::string& root, const std::string& stream, const StreamMeta& meta) {
  SEA_TRY(make_dirs(root));
  const std::string final_path = stream_path(root, stream);
  struct stat st {};
  if (stat((final_path + "/meta").c_str(), &st) == 0) return false;
  const std::string temp = root + "/." + stream + temp_suffix();
  if (mkdir(temp.c_str(), 0755) != 0) return errno_error(errno, "mkdir " + temp);
  Result<void> built = [&]() -> Result<void> {
    for (ShardId shard = 0; shard < meta.shards; ++shard)
      if (mkdir(fmt::format("{}/{}", temp, shard).c_str(), 0755) != 0) return errno_error(errno, "mkdir shard");
    if (mkdir((temp + "/groups").c_str(), 0755) != 0) return errno_error(errno, "mkdir groups");
    return write_file_atomic(temp + "/meta", format_meta(meta));
  }();
  if (!built) {
    (void)remove_tree(temp);
    return built.error();
  }
  if (rename(temp.c_str(), final_path.c_str()) != 0) {
    const int err = errno;
    (void)remove_tree(temp);
    // Someone else created it first: theirs stands.
    if (err == EEXIST || err == ENOTEMPTY) return false;
    return errno_error(err, "rename to " + final_path);
  }
  return true;
}

Result<StreamMeta> open_or_create_stream(const std::string& root, const std::string& stream, const StreamMeta& defaults) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    Result<std::optional<StreamMeta>> meta = read_meta(root, stream);
    if (!meta) return meta.error();
    if (*meta) return **meta;
    Result<bool> created = create_stream(root, stream, defaults);
    if (!created) return created.error();
    if (*created) return defaults;
  }
  return make_error(Errc::io, "{}: the stream directory exists but has no meta file", stream_path(root, stream));
}

Result<void> remove_stream(const std::string& root, const std::string& stream) {
  const std::string path = stream_path(root, stream);
  // Rename first so that the stream disappears at once for everyone, then delete at leisure.
  const std::string doomed = root + "/." + stream + temp_suffix() + ".removed";
  if (rename(path.c_str(), doomed.c_str()) != 0) {
    if (errno == ENOENT) return make_error(Errc::not_found, "stream '{}' does not exist in {}", stream, root);
    return errno_error(errno, "rename " + path);
  }
  return remove_tree(doomed);
}

Result<std::vector<std::string>> list_streams(const std::string& root) {
  std::vector<std::string> names;
  DIR* dir = opendir(root.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return names;
    return errno_error(errno, "opendir " + root);
  }
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.empty() || name[0] == '.') continue;
    struct stat st {};
    if (stat((root + "/" + name + "/meta").c_str(), &st) == 0) names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace sea::file
