// The batch command of xadd_command.hpp.
#include "backends/redis/xadd_command.hpp"

#include "backends/redis/layout.hpp"

namespace sea::redis {

namespace {

// KEYS[1] the shard, KEYS[2] the order marker, KEYS[3..] the dedupe keys of the exactly-once
// entries, in order. ARGV[1] prev (the marker the batch needs, '' none), ARGV[2] the token it
// leaves, ARGV[3] the marker's ttl in ms, ARGV[4] MAXLEN ('0' none), ARGV[5] the dedupe window
// in ms; then per entry: its kind ('*' plain, 'd' exactly-once, else the caller's ts in ms),
// its field count, its fields. Returns the entry ids in order.
// A batch is all or nothing: a refusal (-BUSY, -LOADING, -TRYAGAIN, ...) comes before the
// script runs; an XADD error (WRONGTYPE, OOM) can only come from the first write, since Redis
// checks memory on a script's first write only and the key type does not change in between.
constexpr std::string_view kBatchScript =
    "if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then "
    "  return redis.error_reply('SEAORDER an earlier batch of this producer was not written') "
    "end "
    "local s = KEYS[1] "
    "local ml = ARGV[4] "
    // XADD of the fields ARGV[a..b] with `id`, and a field ts first when `ts` is given; the
    // fields are unpacked in place (no table per entry).
    "local function xadd(f, id, ts, a, b) "
    "  if ml == '0' then "
    "    if ts then return f('XADD', s, id, 'ts', ts, unpack(ARGV, a, b)) end "
    "    return f('XADD', s, id, unpack(ARGV, a, b)) "
    "  end "
    "  if ts then return f('XADD', s, 'MAXLEN', '~', ml, id, 'ts', ts, unpack(ARGV, a, b)) end "
    "  return f('XADD', s, 'MAXLEN', '~', ml, id, unpack(ARGV, a, b)) "
    "end "
    "local ids = {} "
    "local i = 6 "
    "local k = 3 "
    "local n = #ARGV "
    "while i <= n do "
    "  local kind = ARGV[i] "
    "  local a = i + 2 "
    "  local b = i + 1 + tonumber(ARGV[i + 1]) "
    "  i = b + 1 "
    "  local id "
    "  if kind == '*' then "
    "    id = xadd(redis.call, '*', nil, a, b) "
    "  elseif kind == 'd' then "
    "    id = redis.call('GET', KEYS[k]) "
    "    if not id then "
    "      id = xadd(redis.call, '*', nil, a, b) "
    "      redis.call('SET', KEYS[k], id, 'PX', ARGV[5]) "
    "    end "
    "    k = k + 1 "
    "  else "
    "    id = xadd(redis.pcall, kind .. '-*', nil, a, b) "
    "    if type(id) == 'table' and id.err then id = xadd(redis.call, '*', kind, a, b) end "
    "  end "
    "  ids[#ids + 1] = id "
    "end "
    "redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) "
    "return ids";

}  // namespace

void XaddBatch::start(std::string_view key, std::string_view marker, std::string_view prev, std::string_view token,
                      std::uint64_t marker_ttl_ms, std::string_view max_len, std::uint64_t dedupe_window_ms) {
  keys_.clear();
  args_.clear();
  append_bulk(keys_, key);
  append_bulk(keys_, marker);
  key_count_ = 2;
  append_bulk(args_, prev);
  append_bulk(args_, token);
  append_bulk(args_, std::to_string(marker_ttl_ms));
  append_bulk(args_, max_len.empty() ? std::string_view("0") : max_len);
  append_bulk(args_, std::to_string(dedupe_window_ms));
  arg_count_ = 5;
  entries_ = 0;
}

void XaddBatch::add(std::string_view fields, std::size_t field_count, Timestamp ts, std::string_view dedupe_key) {
  if (!dedupe_key.empty()) {
    append_bulk(keys_, dedupe_key);
    ++key_count_;
    append_bulk(args_, "d");
  } else if (ts != 0) {
    append_bulk(args_, std::to_string(ts));
  } else {
    append_bulk(args_, "*");
  }
  append_bulk(args_, std::to_string(field_count));
  args_.append(fields);
  arg_count_ += 2 + field_count;
  ++entries_;
}

void XaddBatch::build(std::string& out) const {
  out.clear();
  out.reserve(keys_.size() + args_.size() + kBatchScript.size() + 64);
  append_array_header(out, 3 + key_count_ + arg_count_);
  append_bulk(out, "EVAL");
  append_bulk(out, kBatchScript);
  append_bulk(out, std::to_string(key_count_));
  out.append(keys_);
  out.append(args_);
}

bool transient_refusal(std::string_view error) {
  return error.starts_with("LOADING") || error.starts_with("TRYAGAIN") || error.starts_with("CLUSTERDOWN") ||
         error.starts_with("BUSY") || error.starts_with("MASTERDOWN");
}

}  // namespace sea::redis
