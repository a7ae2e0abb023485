// How `sea` messages are laid out in Redis Streams, the same layout as upstream SeaStreamer so
// that the two read each other's streams (SPEC §2 "Redis layout"):
//
// - Shard N of stream K is the Redis key `K:N`. A stream with one shard is the plain key `K`
//   (what upstream writes without sharding, and what `redis-cli XADD K ...` makes). Readers
//   find the shards by `SCAN MATCH K:*` (numeric suffixes only) plus `EXISTS K`, never KEYS.
//   When a plain `K` exists next to `K:0`, the plain key is read as shard kPlainShard.
// - An entry's fields: `key` (the message key, when it has one), `h:<name>` (one per header),
//   and `msg` (the payload) last. An entry without `msg` (written by someone else) is consumed
//   as the JSON object of all its fields, values as strings: {"id":"7","qty":"2"}.
// - seq = (id ms << 16) | id sequence; ts = id ms, unless the entry has a `ts` field (written by
//   the producer when a caller-supplied time could not be the id's time, producer.hpp): then
//   that field, in decimal ms, is the ts. An id whose sequence part exceeds 65535
//   (more than 65536 entries in one millisecond, never reached by XADD *) is clamped to 65535.
// - Per-stream settings sea adds (retention) live in the hash `sea-meta:K`; stream keys cannot
//   contain ':' so it never collides with a stream.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"

struct redisReply;

namespace sea::redis {

inline constexpr ShardId kPlainShard = 0x7fff'ffff;

// A Redis stream entry id: "ms-seq".
struct EntryId {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;

  static EntryId from_seq(SeqNo seq) { return EntryId{seq >> 16, seq & 0xffff}; }
  static Result<EntryId> parse(std::string_view text);
  SeqNo to_seq() const { return (ms << 16) | (seq > 0xffff ? 0xffff : seq); }
  EntryId next() const;      // the smallest id after this one
  EntryId previous() const;  // the largest id before this one (0-0 stays 0-0)
  std::string str() const;
  auto operator<=>(const EntryId&) const = default;
};

// The shard id a Redis key found by SCAN stands for, or nullopt when it is not K or K:N.
std::optional<ShardId> shard_of_key(std::string_view stream, std::string_view key);
std::string meta_key(std::string_view stream);


// Appends one RESP-encoded command argument ("$len\r\nbytes\r\n").
void append_bulk(std::string& out, std::string_view arg);
void append_array_header(std::string& out, std::size_t count);
// Formats a whole command from its arguments.
std::string format_command(std::initializer_list<std::string_view> args);
std::string format_command(const std::vector<std::string>& args);

// The entry fields of a message, as RESP arguments appended to `out`; returns how many
// arguments were appended.
std::size_t append_entry_fields(std::string& out, const MessageView& message);

// Decodes one entry reply ([id, [field, value, ...]]) into `view`, pointing into the reply.
// `headers` and `scratch` are reused buffers owned by the caller that the view may point into.
// Returns false when the reply is not an entry (e.g. a nil left by XAUTOCLAIM of a deleted one).
bool decode_entry(const redisReply* entry, EntryId& id, MessageView& view, std::vector<HeaderView>& headers,
                  std::string& scratch);

// Appends `text` as a JSON string (quoted, escaped; invalid UTF-8 bytes become U+FFFD).
void append_json_string(std::string& out, std::string_view text);

// The text of a string/status/error reply, or "" for other types.
std::string_view reply_text(const redisReply* reply);

}  // namespace sea::redis
