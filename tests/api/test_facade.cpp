// The façade (<seastreamer/seastreamer.hpp>) over the file backend: what a user of sea::Cluster
// relies on. Round trip in order, keys and headers kept, receipts, next(timeout) returning
// nullopt, until_end ending a range-for, seek by time and assign by seq, a group resuming where
// it was acknowledged, the callback form, admin calls, and errors thrown as sea::Error.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "api/seastreamer.hpp"

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/sea-api-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string uri() const { return "file://" + path; }
};

void produce(sea::Cluster& cluster, const std::string& stream, int from, int to) {
  sea::Producer& p = cluster.producer(stream);
  for (int i = from; i < to; ++i) p.send("m" + std::to_string(i));
  p.flush();
}

sea::ConsumerOptions from_start() { return sea::ConsumerOptions().from(sea::Start::earliest()).until_end(true); }

}  // namespace

TEST_CASE("façade: a round trip keeps order, keys, headers and receipts") {
  TempDir dir;
  sea::Cluster cluster(dir.uri());
  sea::Producer& p = cluster.producer("news");
  CHECK(&p == &cluster.producer("news"));  // the same options give the same producer
  for (int i = 0; i < 100; ++i) p.send("m" + std::to_string(i));
  sea::ReceiptFuture r = p.send(sea::Message{.key = "k1", .headers = {{"h", "v"}}, .payload = "last"});
  const sea::Receipt receipt = r.get();
  CHECK(receipt.seq == 100);
  CHECK(r.ready());
  p.flush();
  CHECK(p.acknowledged() == 101);

  sea::Consumer c = cluster.consumer({"news"}, from_start());
  int n = 0;
  for (const sea::Message& m : c) {
    if (n < 100) {
      CHECK(m.payload == "m" + std::to_string(n));
      CHECK(m.seq == static_cast<sea::SeqNo>(n));
    } else {
      CHECK(m.payload == "last");
      REQUIRE(m.key.has_value());
      CHECK(*m.key == "k1");
      REQUIRE(m.headers.size() == 1);
      CHECK(m.headers[0] == sea::Header{"h", "v"});
      CHECK(m.stream == "news");
    }
    ++n;
  }
  CHECK(n == 101);
}

TEST_CASE("façade: next(timeout) is nullopt when nothing comes; recv never waits") {
  TempDir dir;
  sea::Cluster cluster(dir.uri());
  produce(cluster, "quiet", 0, 1);
  sea::Consumer c = cluster.consumer({"quiet"}, sea::ConsumerOptions().from(sea::Start::earliest()));
  std::optional<sea::Message> m = c.next(std::chrono::seconds(5));
  REQUIRE(m);
  CHECK(m->payload == "m0");
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(!c.next(std::chrono::milliseconds(200)));
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(waited >= std::chrono::milliseconds(190));
  CHECK(waited < std::chrono::seconds(3));
  CHECK(!c.recv());
  produce(cluster, "quiet", 1, 2);
  std::optional<sea::Message> late = c.next(std::chrono::seconds(5));
  REQUIRE(late);
  CHECK(late->payload == "m1");
}

TEST_CASE("façade: seek by time, assign by seq") {
  TempDir dir;
  sea::Cluster cluster(dir.uri());
  sea::Producer& p = cluster.producer("t");
  for (int i = 0; i < 10; ++i) p.send(sea::Message{.ts = 1'000'000 + i * 1000, .payload = "m" + std::to_string(i)});
  p.flush();
  sea::Consumer c = cluster.consumer({"t"}, from_start());
  c.seek(1'000'000 + 6500);
  std::optional<sea::Message> m = c.next(std::chrono::seconds(5));
  REQUIRE(m);
  CHECK(m->payload == "m7");
  c.assign(0, 3);
  m = c.next(std::chrono::seconds(5));
  REQUIRE(m);
  CHECK(m->seq == 3);
  sea::Consumer by_start = cluster.consumer({"t"}, sea::ConsumerOptions().from(sea::Start::seq(8)).until_end(true));
  m = by_start.next(std::chrono::seconds(5));
  REQUIRE(m);
  CHECK(m->payload == "m8");
}

TEST_CASE("façade: a group resumes after what was handed on") {
  TempDir dir;
  sea::Cluster cluster(dir.uri());
  produce(cluster, "orders", 0, 10);
  const sea::ConsumerOptions options = sea::ConsumerOptions().group("billing").from(sea::Start::earliest()).until_end(true);
  {
    sea::Consumer c = cluster.consumer({"orders"}, options);
    for (int i = 0; i < 4; ++i) REQUIRE(c.next(std::chrono::seconds(5)));
    c.commit();  // the 4th was handled too
  }
  sea::Consumer again = cluster.consumer({"orders"}, options);
  std::optional<sea::Message> m = again.next(std::chrono::seconds(5));
  REQUIRE(m);
  CHECK(m->payload == "m4");
}

TEST_CASE("façade: the callback form runs on the loop until stop()") {
  TempDir dir;
  sea::Cluster cluster(dir.uri());
  produce(cluster, "cb", 0, 1500);
  sea::Consumer c = cluster.consumer({"cb"}, sea::ConsumerOptions().from(sea::Start::earliest()));
  int n = 0;
  bool in_order = true;
  c.on_message([&](const sea::Message& m) {
    in_order = in_order && m.payload == "m" + std::to_string(n);
    if (++n == 1500) cluster.stop();
  });
  cluster.run_for(std::chrono::seconds(10));
  CHECK(n == 1500);
  CHECK(in_order);
  // A handler's exception comes out of run().
  produce(cluster, "cb", 1500, 1501);
  c.on_message([](const sea::Message&) { throw std::runtime_error("handler failed"); });
  CHECK_THROWS_WITH_AS(cluster.run_for(std::chrono::seconds(10)), "handler failed", std::runtime_error);
}

TEST_CASE("façade: admin and errors") {
  TempDir dir;
  sea::Cluster cluster(dir.uri());
  sea::Admin& admin = cluster.admin();
  admin.create("a", {.shards = 2});
  produce(cluster, "b", 0, 5);
  std::vector<std::string> names = admin.list();
  CHECK(std::find(names.begin(), names.end(), "a") != names.end());
  CHECK(std::find(names.begin(), names.end(), "b") != names.end());
  CHECK(admin.describe("a").shards.size() == 2);
  admin.set_retention("b", {.max_age_ms = 3'600'000});
  CHECK(admin.describe("b").retention.max_age_ms == 3'600'000);
  // The file backend trims whole segments only, never the newest: all 5 messages stay.
  admin.trim("b", {.before_seq = 3});
  CHECK(admin.describe("b").shards.at(0).messages == 5);
  CHECK_THROWS_AS(admin.trim("missing", {.before_seq = 3}), sea::Error);
  admin.remove("a");
  CHECK_THROWS_AS(admin.describe("a"), sea::Error);
  try {
    admin.create("b");
    FAIL("create of an existing stream did not throw");
  } catch (const sea::Error& e) {
    CHECK(e.code == sea::Errc::exists);
  }
  CHECK_THROWS_AS(cluster.producer("bad/name"), sea::Error);
  CHECK_THROWS_AS(sea::Cluster("nope://x"), sea::Error);
  CHECK_THROWS_AS(sea::Start::parse("sometime"), sea::Error);
  try {
    cluster.consumer({}, {});
    FAIL("a consumer of no stream did not throw");
  } catch (const std::exception& e) {  // sea::Error is a std::exception
    CHECK(std::string(e.what()).find("at least one stream") != std::string::npos);
  }
}
