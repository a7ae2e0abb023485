// Stream-key validation and the time, duration and size parsers of types.hpp.
#include "core/types.hpp"

#include <charconv>
#include <chrono>
#include <ctime>

namespace sea {

Result<StreamKey> StreamKey::parse(std::string_view name) {
  if (name.empty()) return make_error(Errc::invalid_argument, "stream key is empty");
  if (name.size() > kMaxStreamKeyLength)
    return make_error(Errc::invalid_argument, "stream key is {} bytes long; at most {} are allowed",
                      name.size(), kMaxStreamKeyLength);
  if (name == "." || name == "..")
    return make_error(Errc::invalid_argument, "stream key '{}' is not allowed", name);
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool good = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    if (!good)
      return make_error(Errc::invalid_argument,
                        "stream key '{}' has a bad character at position {} ({:#04x}); allowed: "
                        "letters, digits, '.', '_' and '-'",
                        name.size() > 64 ? std::string(name.substr(0, 64)) + "..." : std::string(name),
                        i + 1, static_cast<unsigned char>(c));
  }
  return StreamKey(std::string(name));
}

Message Message::from_view(const MessageView& view) {
  Message m;
  m.stream = std::string(view.stream);
  m.shard = view.shard;
  m.seq = view.seq;
  m.ts = view.ts;
  if (view.has_key) m.key = std::string(view.key);
  m.headers.reserve(view.headers.size());
  for (const HeaderView& h : view.headers) m.headers.push_back({std::string(h.key), std::string(h.value)});
  m.payload = std::string(view.payload);
  return m;
}

Timestamp now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

bool read_int(std::string_view& s, int digits, int& out) {
  if (s.size() < static_cast<std::size_t>(digits)) return false;
  int v = 0;
  for (int i = 0; i < digits; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  s.remove_prefix(digits);
  return true;
}

bool eat(std::string_view& s, char c) {
  if (s.empty() || s[0] != c) return false;
  s.remove_prefix(1);
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Result<Timestamp> parse_iso8601(std::string_view text) {
  std::string_view s = text;
  auto bad = [&](const char* what) {
    return make_error(Errc::invalid_argument,
                      "bad time '{}' at character {}: {} (expected e.g. 2026-11-25T07:51:40Z, "
                      "1764057100000, now or -5m)",
                      text, text.size() - s.size() + 1, what);
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  if (!read_int(s, 4, year) || !eat(s, '-') || !read_int(s, 2, month) || !eat(s, '-') ||
      !read_int(s, 2, day))
    return bad("expected a date YYYY-MM-DD");
  if (month < 1 || month > 12 || day < 1 || day > 31) return bad("month or day out of range");
  if (!s.empty()) {
    if (!eat(s, 'T') && !eat(s, 't') && !eat(s, ' ')) return bad("expected 'T' after the date");
    if (!read_int(s, 2, hour) || !eat(s, ':') || !read_int(s, 2, minute))
      return bad("expected a time hh:mm[:ss]");
    if (eat(s, ':') && !read_int(s, 2, second)) return bad("expected seconds");
    if (hour > 23 || minute > 59 || second > 60) return bad("time of day out of range");
    if (eat(s, '.') || eat(s, ',')) {
      int scale = 100, digits = 0;
      while (!s.empty() && s[0] >= '0' && s[0] <= '9') {
        millis += (s[0] - '0') * scale;
        scale /= 10;
        s.remove_prefix(1);
        ++digits;
      }
      if (digits == 0) return bad("expected digits after the decimal point");
    }
  }
  std::int64_t offset_min = 0;
  if (eat(s, 'Z') || eat(s, 'z')) {
  } else if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    const int sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
    int oh = 0, om = 0;
    if (!read_int(s, 2, oh)) return bad("expected an offset +hh:mm");
    eat(s, ':');
    if (!s.empty() && !read_int(s, 2, om)) return bad("expected offset minutes");
    offset_min = sign * (oh * 60 + om);
  }
  if (!s.empty()) return bad("unexpected trailing characters");
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
  return secs * 1000 + millis;
}

}  // namespace

Result<std::int64_t> parse_duration_ms(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || value < 0)
    return make_error(Errc::invalid_argument, "bad duration '{}': expected a number and a unit (ms, s, m, h, d)", text);
  const std::string_view unit(p, static_cast<std::size_t>(end - p));
  std::int64_t scale = 0;
  if (unit.empty() || unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m" || unit == "min") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else if (unit == "d") scale = 86'400'000;
  else return make_error(Errc::invalid_argument, "bad duration '{}': unknown unit '{}' (use ms, s, m, h or d)", text, unit);
  if (value > INT64_MAX / scale)
    return make_error(Errc::invalid_argument, "bad duration '{}': too large", text);
  return value * scale;
}

Result<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc())
    return make_error(Errc::invalid_argument, "bad size '{}': expected a number with an optional k, M or G", text);
  std::string_view unit(p, static_cast<std::size_t>(end - p));
  if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b')) unit.remove_suffix(1);
  if (!unit.empty() && (unit.back() == 'i')) unit.remove_suffix(1);
  std::uint64_t scale = 0;
  if (unit.empty()) scale = 1;
  else if (unit == "k" || unit == "K") scale = 1ULL << 10;
  else if (unit == "m" || unit == "M") scale = 1ULL << 20;
  else if (unit == "g" || unit == "G") scale = 1ULL << 30;
  else if (unit == "t" || unit == "T") scale = 1ULL << 40;
  else return make_error(Errc::invalid_argument, "bad size '{}': unknown unit (use k, M, G or T)", text);
  if (value > UINT64_MAX / scale)
    return make_error(Errc::invalid_argument, "bad size '{}': too large", text);
  return value * scale;
}

Result<Timestamp> parse_time(std::string_view text) {
  if (text.empty()) return make_error(Errc::invalid_argument, "empty time");
  if (text == "now") return now_ms();
  if (text[0] == '-') {
    Result<std::int64_t> d = parse_duration_ms(text.substr(1));
    if (!d) return d.error();
    return now_ms() - *d;
  }
  if (text.size() > 4 && text[4] != '-') {
    Timestamp v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc() && p == text.data() + text.size()) return v;
  }
  return parse_iso8601(text);
}

std::string format_time(Timestamp ts) {
  std::time_t secs = static_cast<std::time_t>(ts / 1000 - (ts % 1000 < 0 ? 1 : 0));
  const int millis = static_cast<int>(ts % 1000 < 0 ? ts % 1000 + 1000 : ts % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

}  // namespace sea
