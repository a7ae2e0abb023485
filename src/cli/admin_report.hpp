// How `sea streamer admin` shows a stream: a JSON object for scripts (--json) and an aligned
// table for people. Both carry the same facts: shards with first/next seq, message and byte
// counts and first/last time; the retention; consumer groups with members, lag and positions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/streamer.hpp"

namespace sea::cli {

// {"stream","shards":[{"shard","first_seq","next_seq","messages","bytes","first_ts","last_ts"}],
//  "messages","bytes","retention":{"max_age_ms","max_bytes"},"groups":[{"name","members","lag",
//  "committed":[{"shard","next_seq"}]}]}; absent retention limits are null.
nlohmann::json stream_json(const StreamInfo& info);

// The same as text: a header line, a shard table and a group table, each line ending in '\n'.
std::string stream_table(const StreamInfo& info);

}  // namespace sea::cli
