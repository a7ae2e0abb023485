// Admin over the file backend: create (shards, retention, exists / if_not_exists), list,
// describe (per-shard seqs, times, counts, bytes; not_found for a missing stream), trim (whole
// segments, by time), remove; and the read-only inspection API behind `sea streamer decode`.
#include "backends/file/inspect.hpp"
#include "file_test_util.hpp"

namespace sea::file::test {

TEST_CASE("file log: admin create, list, describe, trim and remove") {
  TempDir dir;
  loop::Loop loop;
  std::unique_ptr<Streamer> streamer = connect_dir(loop, dir.streams(), {{"file.segment.bytes", "4k"}});
  Admin& admin = streamer->admin();

  Result<StreamInfo> missing = admin.describe(key("nope"));
  REQUIRE(!missing.ok());
  CHECK(missing.error().code == Errc::not_found);

  CreateOptions create;
  create.shards = 3;
  create.retention.max_age_ms = 86'400'000;
  REQUIRE(admin.create(key("prices"), create).ok());
  Result<void> again = admin.create(key("prices"), create);
  REQUIRE(!again.ok());
  CHECK(again.error().code == Errc::exists);
  create.if_not_exists = true;
  CHECK(admin.create(key("prices"), create).ok());
  CreateOptions zero;
  zero.shards = 0;
  CHECK(!admin.create(key("bad"), zero).ok());

  Result<std::unique_ptr<Producer>> producer = streamer->create_producer(key("prices"), ProducerOptions{});
  REQUIRE(producer.ok());
  // Recent enough for the one-day retention, which producers apply at each segment roll.
  const Timestamp base = now_ms() - 100'000;
  std::vector<Timestamp> ts;
  for (int i = 0; i < 900; ++i) ts.push_back(base + i);
  produce(loop, **producer, numbered(std::string(60, 'q'), 900), ts);
  Result<std::unique_ptr<Producer>> other = streamer->create_producer(key("news"), ProducerOptions{});
  REQUIRE(other.ok());
  produce(loop, **other, numbered("n", 5));

  Result<std::vector<std::string>> names = admin.list();
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"news", "prices"});

  Result<StreamInfo> info = admin.describe(key("prices"));
  REQUIRE(info.ok());
  CHECK(info->retention.max_age_ms == std::optional<std::int64_t>(86'400'000));
  REQUIRE(info->shards.size() == 3);
  std::uint64_t total = 0;
  for (const ShardInfo& shard : info->shards) {
    CHECK(shard.first_seq == 0);
    CHECK(shard.next_seq == 300);
    CHECK(shard.messages == 300);
    CHECK(shard.bytes > 300 * 60);
    CHECK(shard.first_ts >= base);
    CHECK(shard.last_ts >= base + 897);
    total += shard.messages;
  }
  CHECK(total == 900);

  // Segment listing for `decode`: contiguous per shard, clean tails, counts add up.
  Result<std::vector<SegmentSummary>> segments = list_stream_segments(dir.streams(), "prices");
  REQUIRE(segments.ok());
  CHECK(segments->size() > 3);
  std::uint64_t counted = 0;
  for (const SegmentSummary& s : *segments) {
    CHECK(!s.torn);
    CHECK(s.next_seq == s.base + s.messages);
    counted += s.messages;
  }
  CHECK(counted == 900);
  std::size_t visited = 0;
  REQUIRE(read_stream(dir.streams(), "prices", [&](const MessageView& m) {
            CHECK(m.stream == "prices");
            ++visited;
            return visited < 500;
          }).ok());
  CHECK(visited == 500);
  std::size_t in_file = 0;
  REQUIRE(read_segment_file(segments->front().file, [&](const MessageView& m) {
            CHECK(m.shard == 0);
            CHECK(m.seq == in_file++);
            return true;
          }).ok());
  CHECK(in_file == segments->front().messages);

  // Trim by time: whole segments whose messages are all older.
  TrimSpec trim;
  trim.before_time = base + 600;
  REQUIRE(admin.trim(key("prices"), trim).ok());
  info = admin.describe(key("prices"));
  REQUIRE(info.ok());
  for (const ShardInfo& shard : info->shards) {
    CHECK(shard.first_seq > 0);
    CHECK(shard.first_ts < base + 600 + 3);  // the segment holding the cut point stays
    CHECK(shard.next_seq == 300);
  }
  CHECK(!admin.trim(key("prices"), TrimSpec{}).ok());

  REQUIRE(admin.remove(key("prices")).ok());
  names = admin.list();
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"news"});
  Result<void> removed_again = admin.remove(key("prices"));
  REQUIRE(!removed_again.ok());
  CHECK(removed_again.error().code == Errc::not_found);
  CHECK(admin.describe(key("prices")).error().code == Errc::not_found);
}

}  // namespace sea::file::test
