// Retention drops whole old segments: by size (applied by the producer at each segment roll)
// and by age (set with Admin::set_retention, applied at once), never the newest segment, and a
// reader whose segments are deleted under it skips to the new first segment.
#include "file_test_util.hpp"

namespace sea::file::test {

namespace {

std::vector<Message> read_from_start(loop::Loop& loop, Streamer& streamer, const std::string& stream) {
  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  const StreamKey streams[] = {key(stream)};
  Result<std::unique_ptr<Consumer>> consumer = streamer.create_consumer(streams, options);
  REQUIRE(consumer.ok());
  return drain(loop, **consumer, 2000);
}

}  // namespace

TEST_CASE("file log: retention by size keeps the shard bounded, dropping whole segments") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams(), {{"file.segment.bytes", "4k"}});
  CreateOptions create;
  create.retention.max_bytes = 16 << 10;
  REQUIRE(streamer->admin().create(key("sized"), create).ok());
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("sized"), ProducerOptions{});
  REQUIRE(producer.ok());
  produce(loop, **producer, numbered(std::string(80, 's'), 3000));

  Result<StreamInfo> info = streamer->admin().describe(key("sized"));
  REQUIRE(info.ok());
  const ShardInfo& shard = info->shards.at(0);
  CHECK(shard.bytes <= (16 << 10) + (4 << 10));
  CHECK(shard.first_seq > 0);
  CHECK(shard.next_seq == 3000);
  CHECK(shard.messages == 3000 - shard.first_seq);

  std::vector<Message> kept = read_from_start(loop, *streamer, "sized");
  REQUIRE(!kept.empty());
  CHECK(kept.front().seq == shard.first_seq);
  CHECK(kept.back().seq == 2999);
  CHECK(kept.size() == 3000 - shard.first_seq);
}

TEST_CASE("file log: retention by age drops segments whose messages are all older") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams(), {{"file.segment.bytes", "4k"}});
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("aged"), ProducerOptions{});
  REQUIRE(producer.ok());
  const Timestamp hour_ago = now_ms() - 3'600'000;
  produce(loop, **producer, numbered("old", 500), std::vector<Timestamp>(500, hour_ago));
  produce(loop, **producer, numbered("new", 100));

  Retention retention;
  retention.max_age_ms = 600'000;
  REQUIRE(streamer->admin().set_retention(key("aged"), retention).ok());
  Result<StreamInfo> info = streamer->admin().describe(key("aged"));
  REQUIRE(info.ok());
  CHECK(info->retention.max_age_ms == std::optional<std::int64_t>(600'000));
  const SeqNo first = info->shards.at(0).first_seq;
  CHECK(first > 400);   // nearly all of the old messages are gone...
  CHECK(first <= 500);  // ...and none of the new ones

  std::vector<Message> kept = read_from_start(loop, *streamer, "aged");
  REQUIRE(kept.size() == 600 - first);
  CHECK(kept.back().payload == "new99");
}

TEST_CASE("file log: a reader skips to the new first segment when retention deletes under it") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams(), {{"file.segment.bytes", "4k"}});
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("moving"), ProducerOptions{});
  REQUIRE(producer.ok());
  produce(loop, **producer, numbered(std::string(80, 'm'), 2000));

  ConsumerOptions options;
  options.start.kind = StartPosition::Kind::earliest;
  const StreamKey streams[] = {key("moving")};
  Result<std::unique_ptr<Consumer>> consumer = streamer->create_consumer(streams, options);
  REQUIRE(consumer.ok());
  std::optional<Message> first = next(loop, **consumer, true, 1000);
  REQUIRE(first.has_value());
  CHECK(first->seq == 0);

  TrimSpec trim;
  trim.before_seq = 1500;
  REQUIRE(streamer->admin().trim(key("moving"), trim).ok());
  Result<StreamInfo> info = streamer->admin().describe(key("moving"));
  REQUIRE(info.ok());
  const SeqNo new_first = info->shards.at(0).first_seq;
  CHECK(new_first > 1000);
  CHECK(new_first <= 1500);  // whole segments only: the one holding 1500 stays

  std::vector<Message> rest = drain(loop, **consumer, 2000);
  REQUIRE(!rest.empty());
  CHECK(rest.back().seq == 1999);
  // The open segment is read to its end, then the reader jumps over the deleted ones.
  bool jumped = false;
  for (std::size_t i = 1; i < rest.size(); ++i) {
    CHECK(rest[i].seq > rest[i - 1].seq);
    if (rest[i].seq != rest[i - 1].seq + 1) {
      jumped = true;
      CHECK(rest[i].seq == new_first);
    }
  }
  CHECK(jumped);
}

}  // namespace sea::file::test
