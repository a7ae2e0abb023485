// Client properties: config files load as key=value lines (comments, blanks, errors naming the
// line), -X properties reach librdkafka (a bad one fails connect), and secrets never show.
#include <cstdio>
#include <fstream>

#include "backends/kafka/kafka_properties.hpp"
#include "kafka_test_env.hpp"

using namespace sea;
using namespace sea::kafka::test;

TEST_CASE("config files load key=value lines and name the bad line") {
  const std::string path = fmt::format("/tmp/sea-kafka-props-{}.conf", getpid());
  {
    std::ofstream out(path);
    out << "# a comment\n\n  bootstrap.servers = localhost:9092 \nsasl.password=s3cr3t\ntopic.acks=all\n";
  }
  Properties props;
  REQUIRE(kafka::load_properties_file(path, props).ok());
  CHECK(props.at("bootstrap.servers") == "localhost:9092");
  CHECK(props.at("sasl.password") == "s3cr3t");
  CHECK(props.at("topic.acks") == "all");
  {
    std::ofstream out(path, std::ios::app);
    out << "no equals sign here\n";
  }
  Result<void> bad = kafka::load_properties_file(path, props);
  REQUIRE(!bad.ok());
  CHECK(bad.error().message.find("line 6") != std::string::npos);
  CHECK(bad.error().message.find(path) != std::string::npos);
  std::remove(path.c_str());
  Result<void> missing = kafka::load_properties_file(path, props);
  REQUIRE(!missing.ok());
  CHECK(missing.error().message.find(path) != std::string::npos);
}

TEST_CASE("bad -X properties fail connect, with secrets masked") {
  loop::Loop loop;
  Result<Uri> uri = parse_uri(cluster_uri());
  REQUIRE(uri.ok());
  ConnectOptions options;
  options.properties["no.such.property"] = "1";
  Result<std::unique_ptr<Streamer>> s = connect(loop, *uri, options);
  REQUIRE(!s.ok());
  CHECK(s.error().message.find("no.such.property") != std::string::npos);

  ConnectOptions secret;
  secret.properties["sasl.password"] = "hunter2-secret";
  secret.properties["security.protocol"] = "no-such-protocol";
  Result<std::unique_ptr<Streamer>> s2 = connect(loop, *uri, secret);
  REQUIRE(!s2.ok());
  CHECK(s2.error().message.find("security.protocol") != std::string::npos);
  CHECK(s2.error().message.find("hunter2") == std::string::npos);
  CHECK(kafka::display_property("sasl.password", "hunter2") == "sasl.password=***");
  CHECK(kafka::display_property("ssl.key.password", "x") == "ssl.key.password=***");
  CHECK(kafka::display_property("acks", "all") == "acks=all");

  ConnectOptions topic_level;
  topic_level.properties["topic.acks"] = "all";
  topic_level.properties["topic.no.such"] = "1";
  Result<std::unique_ptr<Streamer>> s3 = connect(loop, *uri, topic_level);
  REQUIRE(!s3.ok());
  CHECK(s3.error().message.find("topic.no.such") != std::string::npos);
}
