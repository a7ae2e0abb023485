// Parser of cluster URIs and stream addresses; see uri.hpp for the grammar.
#include "core/uri.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace sea {

const char* const kUriForms =
    "kafka://host:port[,host:port...] (or bare host:port), redis://[user:pass@]host:port[/db], "
    "redis-cluster://host:port[,host:port...], file://DIR, stdio://, ws://host:port, wss://host:port";

const char* scheme_name(Scheme scheme) {
  switch (scheme) {
    case Scheme::file: return "file";
    case Scheme::stdio: return "stdio";
    case Scheme::kafka: return "kafka";
    case Scheme::redis: return "redis";
    case Scheme::redis_cluster: return "redis-cluster";
    case Scheme::websocket: return "ws";
    case Scheme::websocket_tls: return "wss";
  }
  return "?";
}

namespace {

// The password of scheme://user:password@host (or scheme://password@host), if any.
std::string_view password_in(std::string_view uri) {
  const std::size_t sep = uri.find("://");
  if (sep == std::string_view::npos) return {};
  std::string_view rest = uri.substr(sep + 3);
  rest = rest.substr(0, rest.find('/'));
  const std::size_t at = rest.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string_view cred = rest.substr(0, at);
  const std::size_t colon = cred.find(':');
  return colon == std::string_view::npos ? cred : cred.substr(colon + 1);
}

// Errors quote the URI, never its password: credentials must not reach logs.
std::string masked(std::string_view text, std::string_view password) {
  std::string out(text);
  if (password.empty()) return out;
  for (std::size_t at = out.find(password); at != std::string::npos; at = out.find(password, at + 3))
    out.replace(at, password.size(), "***");
  return out;
}

Error uri_error(std::string_view uri, std::string_view part, std::string_view reason) {
  const std::string_view password = password_in(uri);
  return make_error(Errc::invalid_argument, "bad URI '{}': {} '{}'; accepted forms: {}", masked(uri, password),
                    reason, masked(part, password), kUriForms);
}

Result<HostPort> parse_host_port(std::string_view uri, std::string_view item, std::uint16_t default_port) {
  HostPort hp;
  std::string_view host = item;
  std::string_view port;
  bool has_port = false;
  if (!item.empty() && item[0] == '[') {  // [::1]:9092
    const std::size_t close = item.find(']');
    if (close == std::string_view::npos) return uri_error(uri, item, "unclosed '[' in host");
    host = item.substr(1, close - 1);
    std::string_view rest = item.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return uri_error(uri, item, "expected ':' after ']' in");
      port = rest.substr(1);
      has_port = true;
    }
  } else if (const std::size_t colon = item.rfind(':'); colon != std::string_view::npos) {
    host = item.substr(0, colon);
    port = item.substr(colon + 1);
    has_port = true;
  }
  if (host.empty()) return uri_error(uri, item, "missing host in");
  for (const char c : host) {
    const bool good = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':';
    if (!good) return uri_error(uri, host, "bad character in host");
  }
  hp.host = std::string(host);
  if (!has_port) {
    if (default_port == 0) return uri_error(uri, item, "missing port in");
    hp.port = default_port;
  } else {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535)
      return uri_error(uri, port, "bad port");
    hp.port = static_cast<std::uint16_t>(value);
  }
  return hp;
}

Result<std::vector<HostPort>> parse_hosts(std::string_view uri, std::string_view list, std::uint16_t default_port) {
  std::vector<HostPort> hosts;
  while (true) {
    const std::size_t comma = list.find(',');
    Result<HostPort> hp = parse_host_port(uri, list.substr(0, comma), default_port);
    if (!hp) return hp.error();
    hosts.push_back(std::move(*hp));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return hosts;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// The user name as it goes back into a URI: anything but RFC 3986's unreserved and sub-delims
// characters as %XX, so that a '/', ':', '@' or '%' in it (given percent-encoded) parses back to
// the same name, and control bytes never reach a terminal raw.
std::string percent_encode_user(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || std::string_view("-._~!$&'()*+,;=").find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      out += '%';
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

}  // namespace

std::string Uri::host_list() const {
  std::string out;
  for (const HostPort& hp : hosts) {
    if (!out.empty()) out += ',';
    out += hp.host.find(':') != std::string::npos ? "[" + hp.host + "]" : hp.host;
    out += ':' + std::to_string(hp.port);
  }
  return out;
}

std::string Uri::display() const {
  switch (scheme) {
    case Scheme::file: return "file://" + path;
    case Scheme::stdio: return "stdio://";
    default: break;
  }
  std::string out = std::string(scheme_name(scheme)) + "://";
  if (!user.empty() || !password.empty()) {
    // user:@ when there is no password: a lone name before '@' would read back as a password.
    out += percent_encode_user(user);
    out += password.empty() ? ":" : ":***";
    out += '@';
  }
  out += host_list();
  if (scheme == Scheme::redis && db != 0) out += "/" + std::to_string(db);
  return out;
}

Result<Uri> parse_uri(std::string_view text) {
  Uri uri;
  uri.original = std::string(text);
  if (text.empty()) return uri_error(text, text, "empty");
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    // A bare path is the file backend; a bare host:port list is Kafka (as kcat's -b).
    if (text[0] == '/' || text[0] == '.') {
      uri.scheme = Scheme::file;
      uri.path = std::string(text);
      return uri;
    }
    uri.scheme = Scheme::kafka;
    Result<std::vector<HostPort>> hosts = parse_hosts(text, text, 0);
    if (!hosts) return hosts.error();
    uri.hosts = std::move(*hosts);
    return uri;
  }
  const std::string_view scheme = text.substr(0, sep);
  std::string_view rest = text.substr(sep + 3);
  if (scheme == "file") {
    uri.scheme = Scheme::file;
    if (rest.empty()) return uri_error(text, text, "missing directory in");
    uri.path = std::string(rest);
    while (uri.path.size() > 1 && uri.path.back() == '/') uri.path.pop_back();
    return uri;
  }
  if (scheme == "stdio") {
    uri.scheme = Scheme::stdio;
    if (!rest.empty() && rest != "/") return uri_error(text, rest, "stdio:// takes no host or path, got");
    return uri;
  }
  std::uint16_t default_port = 0;
  if (scheme == "kafka") {
    uri.scheme = Scheme::kafka;
    default_port = 9092;
  } else if (scheme == "redis") {
    uri.scheme = Scheme::redis;
    default_port = 6379;
  } else if (scheme == "redis-cluster") {
    uri.scheme = Scheme::redis_cluster;
    default_port = 6379;
  } else if (scheme == "ws" || scheme == "websocket") {
    uri.scheme = Scheme::websocket;
    default_port = 80;
  } else if (scheme == "wss") {
    uri.scheme = Scheme::websocket_tls;
    default_port = 443;
  } else if (scheme == "rediss") {
    return make_error(Errc::unsupported,
                      "'{}': rediss:// (Redis over TLS) is not supported: Debian's hiredis 0.14 has no TLS; "
                      "use a TLS tunnel (stunnel) and redis://",
                      masked(text, password_in(text)));
  } else {
    return uri_error(text, scheme, "unknown scheme");
  }
  std::string_view path;
  if (const std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) {
    if (uri.scheme == Scheme::kafka)
      return uri_error(text, rest.substr(0, at), "credentials go in -X sasl.* properties for Kafka, not in");
    std::string_view cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const std::size_t colon = cred.find(':');
    if (colon == std::string_view::npos) {
      uri.password = percent_decode(cred);  // redis://secret@host: a password alone, as redis-cli -u
    } else {
      uri.user = percent_decode(cred.substr(0, colon));
      uri.password = percent_decode(cred.substr(colon + 1));
    }
  }
  Result<std::vector<HostPort>> hosts = parse_hosts(text, rest, default_port);
  if (!hosts) return hosts.error();
  uri.hosts = std::move(*hosts);
  if (uri.scheme == Scheme::redis && uri.hosts.size() > 1)
    return uri_error(text, rest, "redis:// takes one host; use redis-cluster:// for several, got");
  if (!path.empty()) {
    if (uri.scheme != Scheme::redis) return uri_error(text, path, "unexpected path");
    int db = 0;
    auto [p, ec] = std::from_chars(path.data(), path.data() + path.size(), db);
    if (ec != std::errc() || p != path.data() + path.size() || db < 0)
      return uri_error(text, path, "the path of redis:// is a database number, got");
    uri.db = db;
  }
  return uri;
}

Result<StreamAddress> parse_stream_address(std::string_view text) {
  const std::size_t sep = text.find("://");
  const std::size_t search_from = sep == std::string_view::npos ? 0 : sep + 3;
  const std::size_t slash = text.rfind('/');
  if (slash == std::string_view::npos || slash < search_from)
    return make_error(Errc::invalid_argument,
                      "bad stream address '{}': expected URI/stream-key, e.g. redis://localhost:6379/news, "
                      "file:///var/lib/streams/news or kafka://localhost:9092/news",
                      text);
  std::string_view cluster = text.substr(0, slash);
  std::string_view keys = text.substr(slash + 1);
  std::string cluster_text(cluster);
  if (cluster.size() == search_from && sep != std::string_view::npos) {
    // "stdio:///news" or "file:///news": the cluster part is scheme:// alone.
    if (text.substr(0, sep) == "file") cluster_text += "/";
  }
  Result<Uri> uri = parse_uri(cluster_text);
  if (!uri) return uri.error();
  StreamAddress address{std::move(*uri), {}};
  while (true) {
    const std::size_t comma = keys.find(',');
    Result<StreamKey> key = StreamKey::parse(keys.substr(0, comma));
    if (!key)
      return make_error(Errc::invalid_argument, "bad stream address '{}': {}", text, key.error().message);
    address.streams.push_back(std::move(*key));
    if (comma == std::string_view::npos) break;
    keys.remove_prefix(comma + 1);
  }
  return address;
}

std::string default_cluster_uri() {
  const char* env = std::getenv("SEA_STREAMER_URI");
  if (env != nullptr && *env != '\0') return env;
  return "file://./sea-streams";
}

}  // namespace sea
