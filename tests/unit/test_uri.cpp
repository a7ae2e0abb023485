// Cluster URIs and stream addresses: every scheme parses; malformed ones name the bad part.
#include <doctest/doctest.h>

#include "core/uri.hpp"

using namespace sea;

TEST_CASE("every scheme parses") {
  Result<Uri> k = parse_uri("kafka://a:9092,b:9093");
  REQUIRE(k.ok());
  CHECK(k->scheme == Scheme::kafka);
  CHECK(k->hosts == std::vector<HostPort>{{"a", 9092}, {"b", 9093}});
  CHECK(k->host_list() == "a:9092,b:9093");
  Result<Uri> bare = parse_uri("localhost:9092");
  REQUIRE(bare.ok());
  CHECK(bare->scheme == Scheme::kafka);
  Result<Uri> r = parse_uri("redis://alice:s3cr%40t@127.0.0.1:6380/2");
  REQUIRE(r.ok());
  CHECK(r->scheme == Scheme::redis);
  CHECK(r->user == "alice");
  CHECK(r->password == "s3cr@t");
  CHECK(r->db == 2);
  CHECK(r->display() == "redis://alice:***@127.0.0.1:6380/2");
  // A user name with characters that end or split the authority is shown percent-encoded, so
  // that what display() prints parses back to the same user and host (a fuzz_parse finding).
  Result<Uri> odd = parse_uri("redis://a%2fb%3Ac%40d%25:@h");
  REQUIRE(odd.ok());
  CHECK(odd->user == "a/b:c@d%");
  CHECK(odd->display() == "redis://a%2Fb%3Ac%40d%25:@h:6379");
  CHECK(parse_uri("redis://secret@h")->display() == "redis://:***@h:6379");
  Result<Uri> back = parse_uri(odd->display());
  REQUIRE(back.ok());
  CHECK(back->user == odd->user);
  CHECK(back->hosts == odd->hosts);
  CHECK(parse_uri("redis://localhost")->hosts.front().port == 6379);
  Result<Uri> rc = parse_uri("redis-cluster://h1:7000,h2:7001");
  REQUIRE(rc.ok());
  CHECK(rc->hosts.size() == 2);
  Result<Uri> f = parse_uri("file:///var/lib/streams/");
  REQUIRE(f.ok());
  CHECK(f->path == "/var/lib/streams");
  CHECK(parse_uri("./rel")->scheme == Scheme::file);
  CHECK(parse_uri("stdio://")->scheme == Scheme::stdio);
  CHECK(parse_uri("ws://h:8080")->scheme == Scheme::websocket);
  CHECK(parse_uri("websocket://h:8080")->scheme == Scheme::websocket);
  CHECK(parse_uri("wss://h")->hosts.front().port == 443);
  CHECK(parse_uri("kafka://[::1]:9092")->hosts.front().host == "::1");
}

TEST_CASE("malformed URIs name the bad part") {
  struct Case {
    const char* uri;
    const char* names;
  };
  const Case cases[] = {
      {"nope://x", "unknown scheme 'nope'"},
      {"kafka://h:99999", "bad port '99999'"},
      {"kafka://h:", "bad port ''"},
      {"kafka://:9092", "missing host"},
      {"redis://a:1,b:2", "redis:// takes one host"},
      {"redis://h:1/x", "database number"},
      {"kafka://u:p@h:1", "sasl"},
      {"kafka://h:1/path", "unexpected path"},
      {"stdio://host", "stdio:// takes no host"},
      {"file://", "missing directory"},
      {"", "empty"},
      {"kafka://h$x:1", "bad character in host"},
  };
  for (const Case& c : cases) {
    const std::string uri_text = c.uri;
    CAPTURE(uri_text);
    Result<Uri> u = parse_uri(c.uri);
    REQUIRE_FALSE(u.ok());
    CHECK(u.error().code == Errc::invalid_argument);
    CHECK(u.error().message.find(c.names) != std::string::npos);
  }
  Result<Uri> secret = parse_uri("redis://user:hunter2@localhost:99999");
  REQUIRE_FALSE(secret.ok());
  CHECK(secret.error().message.find("hunter2") == std::string::npos);
  CHECK(secret.error().message.find("user:***@") != std::string::npos);
  Result<Uri> tls = parse_uri("rediss://h:1");
  REQUIRE_FALSE(tls.ok());
  CHECK(tls.error().code == Errc::unsupported);
}

TEST_CASE("stream addresses") {
  Result<StreamAddress> a = parse_stream_address("redis://localhost:6379/news");
  REQUIRE(a.ok());
  CHECK(a->cluster.scheme == Scheme::redis);
  CHECK(a->cluster.db == 0);
  CHECK(a->streams.front().str() == "news");
  Result<StreamAddress> f = parse_stream_address("file:///var/lib/streams/news,prices");
  REQUIRE(f.ok());
  CHECK(f->cluster.path == "/var/lib/streams");
  REQUIRE(f->streams.size() == 2);
  CHECK(f->streams[1].str() == "prices");
  Result<StreamAddress> root = parse_stream_address("file:///news");
  REQUIRE(root.ok());
  CHECK(root->cluster.path == "/");
  CHECK(parse_stream_address("redis://h:1/3/news")->cluster.db == 3);
  CHECK(parse_stream_address("kafka://h:1/t")->streams.front().str() == "t");
  CHECK_FALSE(parse_stream_address("kafka://h:1").ok());
  CHECK_FALSE(parse_stream_address("kafka://h:1/bad key").ok());
}
