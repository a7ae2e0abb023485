// The command that writes a batch of messages to one shard, as RESP, for the producer
// (producer.hpp): one EVAL of a Lua script doing the XADDs of the batch in order, with the
// caller-ts stamp (the id `<ts>-*` when the stream allows it, else `*` plus a field `ts`) and
// the exactly-once dedupe folded in, guarded by the shard's order marker (see "Order per shard"
// in producer.hpp and README.md). Pure building, no state beyond the buffers it reuses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace sea::redis {

class XaddBatch {
 public:
  // Starts a batch for the shard `key`. `marker` is this producer's order key of the shard
  // (sea-order:{K:N}:<producer>, the shard's slot); the batch is written only if the marker
  // holds `prev` (empty: unconditionally), and then sets it to `token` for marker_ttl_ms.
  // max_len: XADD MAXLEN ~ N (empty: none); dedupe_window_ms: for exactly-once entries.
  void start(std::string_view key, std::string_view marker, std::string_view prev, std::string_view token,
             std::uint64_t marker_ttl_ms, std::string_view max_len, std::uint64_t dedupe_window_ms);
  // Adds an entry, written after the ones added before: `fields` is the RESP of field_count
  // fields (layout.hpp append_entry_fields). ts != 0: the caller's time (the stamp);
  // dedupe_key non-empty: exactly-once, written unless that key names an entry of the window.
  void add(std::string_view fields, std::size_t field_count, Timestamp ts, std::string_view dedupe_key = {});
  std::size_t entries() const { return entries_; }
  std::size_t bytes() const { return args_.size(); }
  // The EVAL command of the batch into `out` (cleared first).
  void build(std::string& out) const;

 private:
  std::string keys_;  // RESP of KEYS[1..]: the shard, the marker, the dedupe keys
  std::string args_;  // RESP of ARGV[1..]
  std::size_t key_count_ = 0;
  std::size_t arg_count_ = 0;
  std::size_t entries_ = 0;
};

// The error a batch gets when its marker did not hold `prev`: an earlier batch of the chain was
// not written (refused, lost), so neither was this one, and it is sent again.
inline constexpr std::string_view kOrderSkipError = "SEAORDER";

// Replies that mean "not now" rather than "never": the message is sent again shortly.
bool transient_refusal(std::string_view error);

}  // namespace sea::redis
