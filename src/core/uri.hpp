// Cluster URIs and stream addresses (SPEC §1). A cluster URI names a backend and where it is;
// a stream address is a cluster URI followed by "/stream-key" (or "/k1,k2"). Parsing is strict:
// a malformed URI is an error naming the bad part and the accepted forms.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"

namespace sea {

enum class Scheme : std::uint8_t { file, stdio, kafka, redis, redis_cluster, websocket, websocket_tls };

const char* scheme_name(Scheme scheme);

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
  bool operator==(const HostPort&) const = default;
};

struct Uri {
  Scheme scheme = Scheme::file;
  std::vector<HostPort> hosts;  // kafka, redis, redis-cluster, ws
  std::string user;             // redis ACL user
  std::string password;         // never printed: see display()
  int db = 0;                   // redis database number
  std::string path;             // file: the directory holding the streams
  std::string original;

  // The URI with any password replaced by "***", safe for logs and `top`.
  std::string display() const;
  // host:port,host:port as librdkafka's bootstrap.servers wants it.
  std::string host_list() const;
};

struct StreamAddress {
  Uri cluster;
  std::vector<StreamKey> streams;
};

// The accepted forms, for error messages and --help.
extern const char* const kUriForms;

// Parses a cluster URI: kafka://h:p[,h:p], bare h:p (Kafka), redis://[user:pass@]h:p[/db],
// redis-cluster://h:p,h:p, file://DIR (or a bare path), stdio://, ws://h:p, wss://h:p,
// websocket://h:p.
Result<Uri> parse_uri(std::string_view text);

// Parses "URI/key[,key...]": the last path segment names the stream(s).
Result<StreamAddress> parse_stream_address(std::string_view text);

// The default cluster: $SEA_STREAMER_URI, else file://./sea-streams.
std::string default_cluster_uri();

}  // namespace sea
