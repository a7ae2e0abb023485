// The write commands of xadd_command.hpp.
#include "backends/redis/xadd_command.hpp"

#include "backends/redis/layout.hpp"

namespace sea::redis {

namespace {

// KEYS[1] the shard, KEYS[2] the dedupe key; ARGV[1] the window in ms, then the entry fields.
constexpr std::string_view kDedupeScript =
    "local id = redis.call('GET', KEYS[2]) "
    "if id then return id end "
    "id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2)) "
    "redis.call('SET', KEYS[2], id, 'PX', ARGV[1]) "
    "return id";

// KEYS[1] the shard; ARGV[1] the caller's ts in ms, ARGV[2] MAXLEN ("0": none), then the entry
// fields. The explicit id `<ts>-*` keeps the time in the id; a stream whose top is already later
// refuses it, and then the entry gets `*` and the time rides in the field `ts` (producer.hpp).
constexpr std::string_view kStampScript =
    "local a = {KEYS[1]} "
    "if ARGV[2] ~= '0' then a[2] = 'MAXLEN' a[3] = '~' a[4] = ARGV[2] end "
    "local at = #a + 1 "
    "a[at] = ARGV[1] .. '-*' "
    "for i = 3, #ARGV do a[#a + 1] = ARGV[i] end "
    "local r = redis.pcall('XADD', unpack(a)) "
    "if type(r) == 'table' and r.err then "
    "  a[at] = '*' table.insert(a, at + 1, 'ts') table.insert(a, at + 2, ARGV[1]) "
    "  r = redis.call('XADD', unpack(a)) "
    "end "
    "return r";

}  // namespace

void build_xadd(std::string& out, std::string_view key, std::string_view max_len, std::string_view id,
                std::string_view fields, std::size_t field_count) {
  append_array_header(out, 3 + (max_len.empty() ? 0 : 3) + field_count);
  append_bulk(out, "XADD");
  append_bulk(out, key);
  if (!max_len.empty()) {
    append_bulk(out, "MAXLEN");
    append_bulk(out, "~");
    append_bulk(out, max_len);
  }
  append_bulk(out, id);
  out.append(fields);
}

void build_stamped_xadd(std::string& out, std::string_view key, Timestamp ts, std::string_view max_len,
                        std::string_view fields, std::size_t field_count) {
  append_array_header(out, 6 + field_count);
  append_bulk(out, "EVAL");
  append_bulk(out, kStampScript);
  append_bulk(out, "1");
  append_bulk(out, key);
  append_bulk(out, std::to_string(ts));
  append_bulk(out, max_len.empty() ? std::string_view("0") : max_len);
  out.append(fields);
}

void build_dedupe_xadd(std::string& out, std::string_view key, std::string_view dedupe_key, std::uint64_t window_ms,
                       std::string_view fields, std::size_t field_count) {
  append_array_header(out, 6 + field_count);
  append_bulk(out, "EVAL");
  append_bulk(out, kDedupeScript);
  append_bulk(out, "2");
  append_bulk(out, key);
  append_bulk(out, dedupe_key);
  append_bulk(out, std::to_string(window_ms));
  out.append(fields);
}

bool transient_refusal(std::string_view error) {
  return error.starts_with("LOADING") || error.starts_with("TRYAGAIN") || error.starts_with("CLUSTERDOWN") ||
         error.starts_with("BUSY") || error.starts_with("MASTERDOWN");
}

}  // namespace sea::redis
