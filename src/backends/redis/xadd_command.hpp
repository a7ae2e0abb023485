// The commands that write one message to a shard, as RESP, for the producer (producer.hpp):
// a plain XADD (`*` or an explicit `<ts>-*` id), the stamp script (a caller's ts kept in the id
// when the stream allows it, else in a field `ts`), and the exactly-once dedupe script. Each
// appends to `out`, which the caller clears and reuses; `fields` is the RESP of the entry's
// field_count fields (layout.hpp append_entry_fields). Pure functions, no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace sea::redis {

// XADD KEY [MAXLEN ~ max_len] ID fields... (no MAXLEN when max_len is empty).
void build_xadd(std::string& out, std::string_view key, std::string_view max_len, std::string_view id,
                std::string_view fields, std::size_t field_count);

// EVAL of the stamp script: XADD with the id `<ts>-*`, or `*` plus a field `ts` when the
// stream's top id is already later. One command, so a refused id never lets a later message
// of the pipeline overtake it.
void build_stamped_xadd(std::string& out, std::string_view key, Timestamp ts, std::string_view max_len,
                        std::string_view fields, std::size_t field_count);

// EVAL of the dedupe script: writes the entry unless `dedupe_key` (sea-dedupe:{K:N}:<key>, the
// shard's slot) holds the id of one written within window_ms, and returns that id.
void build_dedupe_xadd(std::string& out, std::string_view key, std::string_view dedupe_key, std::uint64_t window_ms,
                       std::string_view fields, std::size_t field_count);

// Replies that mean "not now" rather than "never": the message is sent again shortly.
bool transient_refusal(std::string_view error);

}  // namespace sea::redis
