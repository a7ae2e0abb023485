// The Redis layout of layout.hpp: entry ids and seqs, shard key names, RESP encoding
// of XADD fields and decoding of entries into message views without copying their bytes.
#include "backends/redis/layout.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <optional>

namespace sea::redis {

namespace {

bool parse_u64(std::string_view text, std::uint64_t& out) {
  if (text.empty()) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

void append_number(std::string& out, std::uint64_t n) {
  char buf[24];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, static_cast<std::size_t>(ptr - buf));
}

}  // namespace

Result<EntryId> EntryId::parse(std::string_view text) {
  const std::size_t dash = text.find('-');
  EntryId id;
  const bool good = dash != std::string_view::npos && parse_u64(text.substr(0, dash), id.ms) &&
                    parse_u64(text.substr(dash + 1), id.seq);
  if (!good) return make_error(Errc::backend, "'{}' is not a Redis stream entry id", text);
  return id;
}

EntryId EntryId::next() const {
  if (seq == UINT64_MAX) return EntryId{ms + 1, 0};
  return EntryId{ms, seq + 1};
}

EntryId EntryId::previous() const {
  if (seq > 0) return EntryId{ms, seq - 1};
  if (ms == 0) return EntryId{0, 0};
  return EntryId{ms - 1, UINT64_MAX};
}

std::string EntryId::str() const {
  std::string out;
  append_number(out, ms);
  out += '-';
  append_number(out, seq);
  return out;
}

std::optional<ShardId> shard_of_key(std::string_view stream, std::string_view key) {
  if (key == stream) return kPlainShard;
  if (key.size() <= stream.size() + 1 || key.substr(0, stream.size()) != stream || key[stream.size()] != ':')
    return std::nullopt;
  std::uint64_t n = 0;
  if (!parse_u64(key.substr(stream.size() + 1), n) || n >= kPlainShard) return std::nullopt;
  return static_cast<ShardId>(n);
}

std::string meta_key(std::string_view stream) { return fmt::format("sea-meta:{}", stream); }

void append_array_header(std::string& out, std::size_t count) {
  out += '*';
  append_number(out, count);
  out += "\r\n";
}

void append_bulk(std::string& out, std::string_view arg) {
  out += '$';
  append_number(out, arg.size());
  out += "\r\n";
  out.append(arg);
  out += "\r\n";
}

std::string format_command(std::initializer_list<std::string_view> args) {
  std::string out;
  append_array_header(out, args.size());
  for (std::string_view arg : args) append_bulk(out, arg);
  return out;
}

std::string format_command(const std::vector<std::string>& args) {
  std::string out;
  append_array_header(out, args.size());
  for (const std::string& arg : args) append_bulk(out, arg);
  return out;
}

std::size_t append_entry_fields(std::string& out, const MessageView& message) {
  std::size_t count = 2;
  if (message.has_key) {
    append_bulk(out, "key");
    append_bulk(out, message.key);
    count += 2;
  }
  std::string name;
  for (const HeaderView& header : message.headers) {
    name.assign("h:").append(header.key);
    append_bulk(out, name);
    append_bulk(out, header.value);
    count += 2;
  }
  append_bulk(out, "msg");
  append_bulk(out, message.payload);
  return count;
}

std::string_view reply_text(const redisReply* reply) {
  if (reply == nullptr || reply->str == nullptr) return {};
  if (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_STATUS && reply->type != REDIS_REPLY_ERROR)
    return {};
  return std::string_view(reply->str, reply->len);
}

bool decode_entry(const redisReply* entry, EntryId& entry_id, MessageView& view, std::vector<HeaderView>& headers,
                  std::string& scratch) {
  if (entry == nullptr || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) return false;
  const redisReply* id_reply = entry->element[0];
  const redisReply* fields = entry->element[1];
  if (id_reply->type != REDIS_REPLY_STRING || fields->type != REDIS_REPLY_ARRAY) return false;
  Result<EntryId> id = EntryId::parse(reply_text(id_reply));
  if (!id) return false;
  entry_id = *id;
  view.seq = id->to_seq();
  view.ts = static_cast<Timestamp>(id->ms);
  view.has_key = false;
  view.key = {};
  headers.clear();
  bool has_msg = false;
  std::string_view stamped;
  const std::size_t n = fields->elements & ~std::size_t{1};
  for (std::size_t i = 0; i < n; i += 2) {
    const std::string_view name = reply_text(fields->element[i]);
    const std::string_view value = reply_text(fields->element[i + 1]);
    if (name == "msg") {
      has_msg = true;
      view.payload = value;
    } else if (name == "key") {
      view.has_key = true;
      view.key = value;
    } else if (name == "ts") {
      stamped = value;
    } else if (name.size() > 2 && name.substr(0, 2) == "h:") {
      headers.push_back(HeaderView{name.substr(2), value});
    }
  }
  if (has_msg && !stamped.empty()) {
    // The producer's fallback when the id could not carry the caller's time (producer.hpp).
    Timestamp ts = 0;
    const std::from_chars_result parsed = std::from_chars(stamped.data(), stamped.data() + stamped.size(), ts);
    if (parsed.ec == std::errc() && parsed.ptr == stamped.data() + stamped.size()) view.ts = ts;
  }
  if (!has_msg) {
    // Written by someone else: the payload is the JSON object of every field.
    view.has_key = false;
    view.key = {};
    headers.clear();
    scratch.clear();
    scratch += '{';
    for (std::size_t i = 0; i < n; i += 2) {
      if (i > 0) scratch += ',';
      append_json_string(scratch, reply_text(fields->element[i]));
      scratch += ':';
      append_json_string(scratch, reply_text(fields->element[i + 1]));
    }
    scratch += '}';
    view.payload = scratch;
  }
  view.headers = std::span<const HeaderView>(headers.data(), headers.size());
  return true;
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: out += "\\u00"; out += kHex[c >> 4]; out += kHex[c & 15];
      }
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      // Copy a well-formed UTF-8 sequence as is; replace anything else with U+FFFD.
      std::size_t len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      bool good = len > 0 && i + len <= n;
      for (std::size_t j = 1; good && j < len; ++j) good = (s[i + j] & 0xc0) == 0x80;
      if (good) {
        out.append(text.substr(i, len));
        i += len;
      } else {
        out += "\xef\xbf\xbd";
        ++i;
      }
    }
  }
  out += '"';
}

}  // namespace sea::redis
