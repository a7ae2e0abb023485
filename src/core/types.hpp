// The library's vocabulary (SPEC §2): stream keys, shards, sequence numbers, timestamps and
// messages. A message is identified by (stream, shard, seq). `Message` owns its bytes;
// `MessageView` points into a buffer owned by whoever hands it out and is valid only for the
// duration of the callback that receives it (the zero-copy hot path).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sea {

using ShardId = std::uint32_t;
using SeqNo = std::uint64_t;
using Timestamp = std::int64_t;  // milliseconds since the Unix epoch, UTC

inline constexpr ShardId kAnyShard = UINT32_MAX;  // "let the producer choose"
inline constexpr std::size_t kMaxStreamKeyLength = 249;  // Kafka's topic-name limit

// A validated stream name: 1..249 bytes of [A-Za-z0-9._-], not "." or "..", the intersection
// of what Kafka topics, Redis keys and file names allow, as in upstream SeaStreamer.
class StreamKey {
 public:
  static Result<StreamKey> parse(std::string_view name);
  const std::string& str() const { return name_; }
  bool operator==(const StreamKey&) const = default;
  auto operator<=>(const StreamKey&) const = default;

 private:
  explicit StreamKey(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

struct Header {
  std::string key;
  std::string value;
  bool operator==(const Header&) const = default;
};

struct HeaderView {
  std::string_view key;
  std::string_view value;
};

struct MessageView;

struct Message {
  std::string stream;
  ShardId shard = 0;
  SeqNo seq = 0;
  Timestamp ts = 0;
  std::optional<std::string> key;
  std::vector<Header> headers;
  std::string payload;

  static Message from_view(const MessageView& view);
  bool operator==(const Message&) const = default;
};

struct MessageView {
  std::string_view stream;
  ShardId shard = kAnyShard;
  SeqNo seq = 0;
  Timestamp ts = 0;  // 0 on send: "stamp it now"
  bool has_key = false;
  std::string_view key;
  std::span<const HeaderView> headers;
  std::string_view payload;
};

// What a producer reports back once a message is stored.
struct Receipt {
  ShardId shard = 0;
  SeqNo seq = 0;
  Timestamp ts = 0;
};

Timestamp now_ms();

// Parses a point in time: RFC 3339 / ISO 8601 ("2026-11-25T07:51:40Z", fractions and +hh:mm
// offsets allowed, a bare date is midnight UTC), epoch milliseconds ("1764057100000"), "now",
// or a duration before now ("-90s", "-5m", "-2h", "-1d").
Result<Timestamp> parse_time(std::string_view text);

// Formats as RFC 3339 UTC with milliseconds: 2026-11-25T07:51:40.123Z.
std::string format_time(Timestamp ts);

// Parses "100ms", "5s", "10m", "2h", "7d" (a bare number is milliseconds) into milliseconds.
Result<std::int64_t> parse_duration_ms(std::string_view text);

// Parses "512", "64k", "10M", "1G" (binary multiples) into bytes.
Result<std::uint64_t> parse_size(std::string_view text);

}  // namespace sea
