// libFuzzer target for every parser of user-typed text in core/: cluster URIs, stream
// addresses, stream keys, start positions, times, durations, sizes, delivery and consumer
// modes. The first byte picks the parser, the rest is the text. Invariants checked on success:
//   - a URI's hosts hold only host characters (no CR/LF/space, nothing a command could smuggle)
//     and a port in 1..65535; display() never shows the password;
//   - every stream key of an address is itself a valid key;
//   - a time in years 1970..9999 survives format_time -> parse_time unchanged;
//   - a size or duration never wraps (it is at least the number it was written with).
// Errors must carry a message. UBSan catches arithmetic overflow on the way.
#include <charconv>
#include <cstdint>
#include <string>

#include "core/options.hpp"
#include "core/types.hpp"
#include "core/uri.hpp"
#include "fuzz_util.hpp"

namespace {

using sea::fuzz::shown;

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_' || c == ':';
}

void check_uri(const sea::Uri& uri, std::string_view text) {
  for (const sea::HostPort& hp : uri.hosts) {
    FUZZ_CHECK(!hp.host.empty(), "empty host from " + shown(text));
    for (char c : hp.host) FUZZ_CHECK(host_char(c), "bad host character in " + shown(hp.host));
    FUZZ_CHECK(hp.port != 0, "port 0 from " + shown(text));
  }
  bool network = uri.scheme != sea::Scheme::file && uri.scheme != sea::Scheme::stdio;
  FUZZ_CHECK(!network || !uri.hosts.empty(), "network URI without a host: " + shown(text));
  std::string display = uri.display();
  // display() does not depend on the password's value: it shows the same with any other one.
  // So the password must not show, unless it is part of what is shown anyway (a Redis database
  // number, redis://65532@h/65532, or an encoded user name, %00,,, holding the password "0,,,").
  sea::Uri other = uri;
  if (!other.password.empty()) other.password = other.password == "x" ? "y" : "x";
  const std::string shown_anyway = other.display();
  FUZZ_CHECK(display == shown_anyway, "display() shows the password's value: " + shown(display));
  if (uri.password.size() >= 3 && shown_anyway.find(uri.password) == std::string::npos) {
    FUZZ_CHECK(display.find(uri.password) == std::string::npos, "password shown by display(): " + shown(display));
  }
  if (network) {
    // What display() prints must parse back to the same place.
    sea::Result<sea::Uri> again = sea::parse_uri(display);
    if (uri.password.empty()) {
      FUZZ_CHECK(again.ok(), "display() of " + shown(text) + " does not parse: " + shown(display));
      FUZZ_CHECK(again->hosts == uri.hosts, "display() of " + shown(text) + " names other hosts");
      FUZZ_CHECK(again->user == uri.user, "display() of " + shown(text) + " names another user: " + shown(display));
    }
  }
}

std::uint64_t leading_number(std::string_view text) {
  std::uint64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sea::fuzz::InputReader in(data, size);
  std::uint8_t which = in.byte();
  std::string_view text = in.rest();
  switch (which % 9) {
    case 0: {
      sea::Result<sea::Uri> uri = sea::parse_uri(text);
      if (uri.ok()) check_uri(*uri, text);
      else FUZZ_CHECK(!uri.error().message.empty(), "empty error");
      break;
    }
    case 1: {
      sea::Result<sea::StreamAddress> address = sea::parse_stream_address(text);
      if (address.ok()) {
        check_uri(address->cluster, text);
        FUZZ_CHECK(!address->streams.empty(), "address without a stream: " + shown(text));
        for (const sea::StreamKey& key : address->streams)
          FUZZ_CHECK(sea::StreamKey::parse(key.str()).ok(), "invalid key from " + shown(text));
      } else {
        FUZZ_CHECK(!address.error().message.empty(), "empty error");
      }
      break;
    }
    case 2: {
      sea::Result<sea::StreamKey> key = sea::StreamKey::parse(text);
      if (key.ok()) {
        FUZZ_CHECK(key->str().size() <= sea::kMaxStreamKeyLength, "long key");
        FUZZ_CHECK(key->str().find('/') == std::string::npos, "key with '/'");
        FUZZ_CHECK(key->str() != "." && key->str() != "..", "dot key");
      }
      break;
    }
    case 3: {
      sea::Result<sea::StartPosition> pos = sea::StartPosition::parse(text);
      if (!pos.ok()) FUZZ_CHECK(!pos.error().message.empty(), "empty error");
      break;
    }
    case 4: {
      sea::Result<sea::Timestamp> t = sea::parse_time(text);
      // Years 1970..9999: the range format_time is meant to print.
      if (t.ok() && *t >= 0 && *t <= 253402300799999) {
        std::string printed = sea::format_time(*t);
        sea::Result<sea::Timestamp> again = sea::parse_time(printed);
        FUZZ_CHECK(again.ok() && *again == *t, shown(text) + " -> " + printed + " does not read back");
      }
      break;
    }
    case 5: {
      sea::Result<std::int64_t> d = sea::parse_duration_ms(text);
      if (d.ok()) FUZZ_CHECK(*d >= 0 && std::uint64_t(*d) >= leading_number(text), "duration wrapped: " + shown(text));
      break;
    }
    case 6: {
      sea::Result<std::uint64_t> s = sea::parse_size(text);
      if (s.ok()) FUZZ_CHECK(*s >= leading_number(text), "size wrapped: " + shown(text) + " -> " + std::to_string(*s));
      break;
    }
    case 7: {
      sea::Result<sea::Delivery> d = sea::parse_delivery(text);
      if (d.ok()) FUZZ_CHECK(sea::parse_delivery(sea::delivery_name(*d)).ok(), "delivery name does not parse");
      sea::Result<sea::ConsumerMode> m = sea::parse_consumer_mode(text);
      if (m.ok()) FUZZ_CHECK(sea::parse_consumer_mode(sea::consumer_mode_name(*m)).ok(), "mode name does not parse");
      break;
    }
    case 8: {
      // format_time must handle any timestamp a message can carry.
      sea::fuzz::InputReader raw(data + 1, size >= 9 ? 8 : 0);
      std::uint64_t bits = (std::uint64_t(raw.u32()) << 32) | raw.u32();
      std::string printed = sea::format_time(static_cast<sea::Timestamp>(bits));
      FUZZ_CHECK(!printed.empty(), "empty time");
      break;
    }
  }
  return 0;
}
