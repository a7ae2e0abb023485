// Seeking by seq and by time on a shard of many segments: the first message delivered is the
// one asked for (seq >= N; first with ts >= T), from every start position kind, and the index
// keeps seeks cheap (checked by counting segments and index entries).
#include <sys/stat.h>

#include "backends/file/file_log.hpp"
#include "file_test_util.hpp"

namespace sea::file::test {

namespace {

constexpr std::size_t kCount = 6000;

// Timestamps rise by 10 ms per message, except that every 100th message goes back in time:
// "first message at or after T" must not be fooled by a late, old message.
Timestamp ts_of(std::size_t i) { return 1'000'000 + static_cast<Timestamp>(i) * 10 - (i % 100 == 99 ? 5000 : 0); }

std::optional<Message> first_from(loop::Loop& loop, Streamer& streamer, const StartPosition& start) {
  ConsumerOptions options;
  options.start = start;
  const StreamKey streams[] = {key("seek")};
  Result<std::unique_ptr<Consumer>> consumer = streamer.create_consumer(streams, options);
  REQUIRE(consumer.ok());
  return next(loop, **consumer, true, 2000);
}

}  // namespace

TEST_CASE("file log: seek by seq and by time across segments") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams(), {{"file.segment.bytes", "64k"}});
  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("seek"), ProducerOptions{});
  REQUIRE(producer.ok());
  std::vector<Timestamp> ts;
  for (std::size_t i = 0; i < kCount; ++i) ts.push_back(ts_of(i));
  std::vector<std::string> payloads = numbered(std::string(100, 'p'), kCount);
  produce(loop, **producer, payloads, ts);

  Result<std::vector<SegmentFile>> segments = list_segments(dir.streams() + "/seek/0");
  REQUIRE(segments.ok());
  CHECK(segments->size() >= 8);  // ~750 KB of frames in 64 KiB segments
  struct stat st {};
  REQUIRE(stat(segments->front().idx_path.c_str(), &st) == 0);
  CHECK(st.st_size / kIndexEntrySize >= 10);  // sparse: one entry per ~4 KiB

  SUBCASE("by seq") {
    for (const SeqNo seq : {SeqNo{0}, SeqNo{1}, SeqNo{517}, SeqNo{2048}, SeqNo{kCount - 1}}) {
      StartPosition start;
      start.kind = StartPosition::Kind::seq;
      start.seq = seq;
      std::optional<Message> got = first_from(loop, *streamer, start);
      REQUIRE(got.has_value());
      CHECK(got->seq == seq);
      CHECK(got->payload == payloads[seq]);
    }
    // Past the end: nothing yet.
    StartPosition start;
    start.kind = StartPosition::Kind::seq;
    start.seq = kCount + 5;
    CHECK(!first_from(loop, *streamer, start).has_value());
  }

  SUBCASE("by time") {
    for (const Timestamp t : {Timestamp{0}, ts_of(0), ts_of(1) - 3, ts_of(1234), ts_of(4321) + 1, ts_of(kCount - 1)}) {
      std::size_t expected = 0;
      while (expected < kCount && ts_of(expected) < t) ++expected;
      StartPosition start;
      start.kind = StartPosition::Kind::time;
      start.time = t;
      std::optional<Message> got = first_from(loop, *streamer, start);
      REQUIRE(got.has_value());
      CHECK_MESSAGE(got->seq == expected, "time " << t);
    }
    StartPosition start;
    start.kind = StartPosition::Kind::time;
    start.time = ts_of(kCount - 2) + 1;  // the newest time (the last message is a late one)
    CHECK(!first_from(loop, *streamer, start).has_value());
  }

  SUBCASE("latest, then seek and assign on a live consumer") {
    ConsumerOptions options;  // latest
    const StreamKey streams[] = {key("seek")};
    Result<std::unique_ptr<Consumer>> consumer = streamer->create_consumer(streams, options);
    REQUIRE(consumer.ok());
    CHECK(!next(loop, **consumer, true, 1000).has_value());
    REQUIRE((*consumer)->seek(ts_of(3000)).ok());
    std::optional<Message> got = next(loop, **consumer, true, 1000);
    REQUIRE(got.has_value());
    CHECK(got->seq == 3000);
    REQUIRE((*consumer)->assign(0, 42).ok());
    got = next(loop, **consumer, true, 1000);
    REQUIRE(got.has_value());
    CHECK(got->seq == 42);
    got = next(loop, **consumer, true, 1000);
    REQUIRE(got.has_value());
    CHECK(got->seq == 43);
    CHECK(!(*consumer)->assign(7, 0).ok());
  }
}

}  // namespace sea::file::test
