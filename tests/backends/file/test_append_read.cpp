// Append and read back: every field of a message survives the file log (key vs. no key vs.
// empty key, headers, timestamps, binary payloads), seqs are dense from 0, receipts match what
// a consumer reads, and keyed messages land on Kafka's murmur2 shard.
#include "core/murmur2.hpp"
#include "file_test_util.hpp"

namespace sea::file::test {

TEST_CASE("file log: messages read back exactly as written") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams());
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("orders"), ProducerOptions{});
  REQUIRE(producer.ok());

  const std::string binary("a\0b\xff\n", 5);
  const HeaderView headers[] = {{"content-type", "json"}, {"", std::string_view("\0", 1)}};
  std::vector<MessageView> sent(4);
  sent[0].payload = "{\"id\":1}";
  sent[0].ts = 1'700'000'000'123;
  sent[1].payload = binary;
  sent[1].has_key = true;
  sent[1].key = "";  // an empty key is a key
  sent[2].payload = "";
  sent[2].has_key = true;
  sent[2].key = "user-7";
  sent[2].headers = headers;
  const std::string big(100'000, 'x');
  sent[3].payload = big;
  const Timestamp before = now_ms();
  std::vector<Receipt> receipts;
  for (const MessageView& view : sent) {
    Result<Receipt> receipt = send_sync(loop, **producer, view);
    REQUIRE(receipt.ok());
    receipts.push_back(*receipt);
  }
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    CHECK(receipts[i].shard == 0);
    CHECK(receipts[i].seq == i);
  }
  CHECK(receipts[0].ts == 1'700'000'000'123);
  CHECK(receipts[1].ts >= before);  // stamped at send when the view has no time

  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  const StreamKey streams[] = {key("orders")};
  Result<std::unique_ptr<Consumer>> consumer = streamer->create_consumer(streams, options);
  REQUIRE(consumer.ok());
  std::vector<Message> got = drain(loop, **consumer);
  REQUIRE(got.size() == 4);
  for (std::size_t i = 0; i < got.size(); ++i) {
    CHECK(got[i].stream == "orders");
    CHECK(got[i].seq == i);
    CHECK(got[i].ts == receipts[i].ts);
    CHECK_MESSAGE(got[i].payload == std::string(sent[i].payload), "message " << i << " size " << got[i].payload.size());
  }
  CHECK(!got[0].key.has_value());
  REQUIRE(got[1].key.has_value());
  CHECK(got[1].key->empty());
  CHECK(got[2].key == std::optional<std::string>("user-7"));
  REQUIRE(got[2].headers.size() == 2);
  CHECK(got[2].headers[0] == Header{"content-type", "json"});
  CHECK(got[2].headers[1] == Header{"", std::string("\0", 1)});
  CHECK((*consumer)->at_end());
}

TEST_CASE("file log: keys pick shards by Kafka's murmur2 (core/murmur2.hpp, vectors in tests/unit)") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams());
  CreateOptions create;
  create.shards = 4;
  REQUIRE(streamer->admin().create(key("keyed"), create).ok());
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("keyed"), ProducerOptions{});
  REQUIRE(producer.ok());
  for (const std::string k : {"alpha", "beta", "gamma", "delta", "epsilon"}) {
    MessageView view;
    view.has_key = true;
    view.key = k;
    view.payload = "v";
    Result<Receipt> receipt = send_sync(loop, **producer, view);
    REQUIRE(receipt.ok());
    CHECK(receipt->shard == shard_for_key(k, 4));
  }
  // Without a key: round robin over the shards.
  std::vector<Receipt> receipts = produce(loop, **producer, numbered("rr", 8));
  std::vector<int> per_shard(4, 0);
  for (const Receipt& r : receipts) ++per_shard[r.shard];
  CHECK(per_shard == std::vector<int>{2, 2, 2, 2});
}

TEST_CASE("file log: bad arguments are refused with the reason") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams());
  ProducerOptions options;
  options.max_message_bytes = 10;
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("s"), options);
  REQUIRE(producer.ok());
  MessageView big;
  big.payload = "0123456789ABC";
  Result<Producer::Ticket> refused = (*producer)->send(big);
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == Errc::invalid_argument);

  options.shard = 3;
  Result<std::unique_ptr<Producer>> bad_shard = streamer->create_producer(key("s"), options);
  REQUIRE(!bad_shard.ok());
  CHECK(bad_shard.error().message.find("shard 3") != std::string::npos);

  options.shard = kAnyShard;
  options.delivery = Delivery::exactly_once;
  options.dedupe_window_ms = 0;
  Result<std::unique_ptr<Producer>> no_window = streamer->create_producer(key("s"), options);
  REQUIRE(!no_window.ok());
  CHECK(no_window.error().code == Errc::invalid_argument);

  ConsumerOptions consumer_options;
  consumer_options.mode = ConsumerMode::exactly_once;
  const StreamKey streams[] = {key("s")};
  Result<std::unique_ptr<Consumer>> consumer = streamer->create_consumer(streams, consumer_options);
  REQUIRE(!consumer.ok());
  CHECK(consumer.error().code == Errc::unsupported);

  Result<Uri> uri = parse_uri("file://" + dir.streams());
  REQUIRE(uri.ok());
  ConnectOptions connect_options;
  connect_options.properties["file.segment.bites"] = "1M";
  Result<std::unique_ptr<Streamer>> typo = connect(loop, *uri, connect_options);
  REQUIRE(!typo.ok());
  CHECK(typo.error().message.find("file.segment.bites") != std::string::npos);
}

}  // namespace sea::file::test
