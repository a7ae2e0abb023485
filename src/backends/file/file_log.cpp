// Frame and index-entry codec of the file log, and segment naming (see file_log.hpp).
#include "backends/file/file_log.hpp"

#include <dirent.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

namespace sea::file {

namespace {

// The log is little-endian on disk; memcpy keeps unaligned loads defined and compiles to a mov
// on the little-endian machines we build for.
static_assert(std::endian::native == std::endian::little, "the file log assumes a little-endian host");

template <class T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class T>
void store(char* p, T v) {
  std::memcpy(p, &v, sizeof v);
}

template <class T>
void put(std::string& out, T v) {
  char bytes[sizeof v];
  std::memcpy(bytes, &v, sizeof v);
  out.append(bytes, sizeof v);
}

std::uint32_t crc_of(const char* data, std::size_t size) {
  // zlib takes uInt lengths; bodies are bounded by kMaxFrameBody, far below 4 GiB.
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(size)));
}

}  // namespace

FrameStatus decode_frame(const char* data, std::size_t size, FrameView& out, const char** reason) {
  if (size < kFramePrefix) return FrameStatus::incomplete;
  const std::uint32_t body_len = load<std::uint32_t>(data);
  if (body_len < kBodyFixed || body_len > kMaxFrameBody) {
    *reason = "frame length out of range";
    return FrameStatus::corrupt;
  }
  if (size - kFramePrefix < body_len) return FrameStatus::incomplete;
  const char* body = data + kFramePrefix;
  if (crc_of(body, body_len) != load<std::uint32_t>(data + 4)) {
    *reason = "CRC mismatch";
    return FrameStatus::corrupt;
  }
  out.seq = load<std::uint64_t>(body);
  out.ts = load<std::int64_t>(body + 8);
  const auto flags = static_cast<std::uint8_t>(body[16]);
  out.has_key = (flags & 1) != 0;
  const std::uint32_t key_len = load<std::uint32_t>(body + 17);
  out.header_count = load<std::uint32_t>(body + 21);
  std::size_t pos = kBodyFixed;
  if (key_len > body_len - pos) {
    *reason = "key length runs past the frame";
    return FrameStatus::corrupt;
  }
  out.key = std::string_view(body + pos, key_len);
  pos += key_len;
  const std::size_t headers_begin = pos;
  for (std::uint32_t i = 0; i < out.header_count; ++i) {
    for (int part = 0; part < 2; ++part) {
      if (body_len - pos < 4) {
        *reason = "header runs past the frame";
        return FrameStatus::corrupt;
      }
      const std::uint32_t len = load<std::uint32_t>(body + pos);
      pos += 4;
      if (len > body_len - pos) {
        *reason = "header runs past the frame";
        return FrameStatus::corrupt;
      }
      pos += len;
    }
  }
  out.headers = std::string_view(body + headers_begin, pos - headers_begin);
  out.payload = std::string_view(body + pos, body_len - pos);
  out.size = kFramePrefix + body_len;
  return FrameStatus::ok;
}

bool parse_headers(const FrameView& frame, std::vector<HeaderView>& out) {
  out.clear();
  const char* p = frame.headers.data();
  std::size_t left = frame.headers.size();
  for (std::uint32_t i = 0; i < frame.header_count; ++i) {
    std::string_view parts[2];
    for (std::string_view& part : parts) {
      if (left < 4) return false;
      const std::uint32_t len = load<std::uint32_t>(p);
      p += 4;
      left -= 4;
      if (len > left) return false;
      part = std::string_view(p, len);
      p += len;
      left -= len;
    }
    out.push_back({parts[0], parts[1]});
  }
  return true;
}

std::size_t frame_size(const MessageView& message) {
  std::size_t size = kFramePrefix + kBodyFixed + message.key.size() + message.payload.size();
  for (const HeaderView& h : message.headers) size += 8 + h.key.size() + h.value.size();
  return size;
}

void append_frame(std::string& out, SeqNo seq, Timestamp ts, const MessageView& message) {
  const std::size_t start = out.size();
  append_unsealed_frame(out, ts, message);
  patch_frame(out.data() + start, seq);
}

void append_unsealed_frame(std::string& out, Timestamp ts, const MessageView& message) {
  const std::size_t start = out.size();
  const std::size_t size = frame_size(message);
  out.reserve(start + size);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(size - kFramePrefix));
  put<std::uint32_t>(out, 0);  // CRC, filled in by patch_frame
  put<std::uint64_t>(out, 0);  // seq, likewise
  put<std::int64_t>(out, ts);
  out.push_back(message.has_key ? '\1' : '\0');
  put<std::uint32_t>(out, static_cast<std::uint32_t>(message.key.size()));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(message.headers.size()));
  out.append(message.key);
  for (const HeaderView& h : message.headers) {
    put<std::uint32_t>(out, static_cast<std::uint32_t>(h.key.size()));
    out.append(h.key);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(h.value.size()));
    out.append(h.value);
  }
  out.append(message.payload);
}

void patch_frame(char* frame, SeqNo seq) {
  const std::uint32_t body_len = load<std::uint32_t>(frame);
  store<std::uint64_t>(frame + kFramePrefix, seq);
  store<std::uint32_t>(frame + 4, crc_of(frame + kFramePrefix, body_len));
}

void append_index_entry(std::string& out, const IndexEntry& entry) {
  put<std::uint64_t>(out, entry.seq);
  put<std::int64_t>(out, entry.max_ts_before);
  put<std::uint64_t>(out, entry.offset);
}

IndexEntry decode_index_entry(const char* data) {
  return IndexEntry{load<std::uint64_t>(data), load<std::int64_t>(data + 8), load<std::uint64_t>(data + 16)};
}

std::string segment_file_name(SeqNo base, std::string_view extension) {
  return fmt::format("{:020}.{}", base, extension);
}

bool parse_segment_name(std::string_view name, SeqNo& base) {
  if (name.size() != 24 || name.substr(20) != ".log") return false;
  SeqNo value = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    value = value * 10 + static_cast<SeqNo>(name[i] - '0');
  }
  base = value;
  return true;
}

Result<std::vector<SegmentFile>> list_segments(const std::string& shard_dir) {
  std::vector<SegmentFile> segments;
  DIR* dir = opendir(shard_dir.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return segments;
    return errno_error(errno, "opendir " + shard_dir);
  }
  while (const dirent* entry = readdir(dir)) {
    SeqNo base = 0;
    if (!parse_segment_name(entry->d_name, base)) continue;
    segments.push_back({base, shard_dir + "/" + segment_file_name(base, "log"),
                        shard_dir + "/" + segment_file_name(base, "idx")});
  }
  closedir(dir);
  std::sort(segments.begin(), segments.end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.base < b.base; });
  return segments;
}

}  // namespace sea::file
