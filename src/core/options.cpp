// Parsers for the option enums and start positions of options.hpp.
#include "core/options.hpp"

#include <charconv>

namespace sea {

Result<Delivery> parse_delivery(std::string_view text) {
  if (text == "at-most-once") return Delivery::at_most_once;
  if (text == "at-least-once") return Delivery::at_least_once;
  if (text == "exactly-once") return Delivery::exactly_once;
  return make_error(Errc::invalid_argument,
                    "bad delivery '{}': expected at-most-once, at-least-once or exactly-once", text);
}

Result<ConsumerMode> parse_consumer_mode(std::string_view text) {
  if (text == "latest") return ConsumerMode::latest;
  if (text == "repeat") return ConsumerMode::repeat;
  if (text == "exactly-once") return ConsumerMode::exactly_once;
  return make_error(Errc::invalid_argument, "bad mode '{}': expected latest, repeat or exactly-once", text);
}

const char* delivery_name(Delivery d) {
  switch (d) {
    case Delivery::at_most_once: return "at-most-once";
    case Delivery::at_least_once: return "at-least-once";
    case Delivery::exactly_once: return "exactly-once";
  }
  return "?";
}

const char* consumer_mode_name(ConsumerMode m) {
  switch (m) {
    case ConsumerMode::latest: return "latest";
    case ConsumerMode::repeat: return "repeat";
    case ConsumerMode::exactly_once: return "exactly-once";
  }
  return "?";
}

namespace {

template <class T>
bool parse_number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

}  // namespace

Result<StartPosition> StartPosition::parse(std::string_view text) {
  StartPosition pos;
  if (text == "earliest" || text == "beginning") {
    pos.kind = Kind::earliest;
    return pos;
  }
  if (text == "latest" || text == "end") {
    pos.kind = Kind::latest;
    return pos;
  }
  if (text.starts_with("seq:")) {
    std::string_view rest = text.substr(4);
    pos.kind = Kind::seq;
    if (const std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
      if (!parse_number(rest.substr(0, colon), pos.shard))
        return make_error(Errc::invalid_argument, "bad position '{}': shard must be a number", text);
      rest = rest.substr(colon + 1);
    }
    if (!parse_number(rest, pos.seq))
      return make_error(Errc::invalid_argument, "bad position '{}': seq must be a number", text);
    return pos;
  }
  if (text.starts_with("time:")) {
    Result<Timestamp> t = parse_time(text.substr(5));
    if (!t) return t.error();
    pos.kind = Kind::time;
    pos.time = *t;
    return pos;
  }
  // Bare times, as the README and --help show them: -5m, now, 2026-01-02T03:04:05Z, epoch ms.
  if (Result<Timestamp> t = parse_time(text)) {
    pos.kind = Kind::time;
    pos.time = *t;
    return pos;
  }
  return make_error(Errc::invalid_argument,
                    "bad position '{}': expected earliest, latest, seq:N, seq:SHARD:N, a time "
                    "(ISO8601, epoch ms, now) or an age (-5m, -2h, -1d), bare or after time:",
                    text);
}

}  // namespace sea
