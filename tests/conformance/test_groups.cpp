// Conformance: consumer groups share the load (two members together see every message once,
// each sees some) and a group resumes after a restart at its committed position.
#include <map>
#include <set>

#include "conformance/harness.hpp"

namespace sea::conformance {

TEST_CASE("groups share the load") {
  for_each_backend("group_share", [](Ctx& c) {
    ConsumerOptions options = from_earliest();
    options.group = fmt::format("share-{}", now_ms() % 10'000'000);
    options.mode = ConsumerMode::repeat;
    if (c.is(Kind::stdio)) return c.expect_unsupported(c.try_consumer("stdio", options), "group on stdio");
    const std::string stream = c.new_stream(4);
    options.member = "m1";
    std::unique_ptr<Consumer> a = c.consumer(stream, options);
    options.member = "m2";
    std::unique_ptr<Consumer> b = c.consumer(stream, options);
    std::set<std::string> seen;
    std::size_t from_a = 0, from_b = 0, duplicates = 0;
    // The sink of one member: counts what it got (the counter by pointer, so that the returned
    // sink never refers to this lambda's parameter).
    auto take = [&seen, &duplicates](std::size_t* from) {
      return [&seen, &duplicates, from](const MessageView& m) {
        if (is_marker(m)) return;
        ++*from;
        duplicates += !seen.insert(std::string(m.payload)).second;
      };
    };
    a->set_on_readable([] {});
    b->set_on_readable([] {});
    // Members first agree on who reads what, then the messages arrive. Both keep polling, as any
    // member does: Kafka serves a rebalance only to a member that polls.
    const bool assigned = c.run_until([&] {
      a->poll(50, take(&from_a));
      b->poll(50, take(&from_b));
      const std::size_t sa = a->shards().size(), sb = b->shards().size();
      return sa > 0 && sb > 0 && (!c.is(Kind::kafka) || sa + sb == 4);
    }, 30'000);
    c.require(assigned, fmt::format("members not assigned: {} and {} shard(s)", a->shards().size(), b->shards().size()));
    // A steady stream, in 8 rounds: Redis hands each new batch to whichever member is waiting,
    // so one pipelined burst could all go to one member without saying anything about sharing.
    std::unique_ptr<Producer> p = c.producer(stream);
    std::vector<Message> in;
    for (int round = 0; round < 8; ++round) {
      std::vector<Message> batch;
      for (int i = round * 50; i < (round + 1) * 50; ++i) batch.push_back(msg(fmt::format("s{}", i), fmt::format("k{}", i % 100)));
      c.send_all(*p, stream, batch);
      in.insert(in.end(), batch.begin(), batch.end());
      c.run_for(50);
    }
    c.run_until([&] {
      a->poll(50, take(&from_a));
      b->poll(50, take(&from_b));
      return seen.size() >= in.size();
    }, 30'000);
    c.check(seen.size() == in.size(), fmt::format("the group saw {} of {} messages", seen.size(), in.size()));
    c.check(duplicates == 0, fmt::format("{} message(s) went to both members", duplicates));
    c.check(from_a > 0 && from_b > 0, fmt::format("one member did all the work: {} and {}", from_a, from_b));
  });
}

TEST_CASE("a group resumes at its committed position") {
  for_each_backend("group_resume", [](Ctx& c) {
    ConsumerOptions options = from_earliest();
    options.group = fmt::format("resume-{}", now_ms() % 10'000'000);
    options.mode = ConsumerMode::repeat;
    if (c.is(Kind::stdio)) return c.expect_unsupported(c.try_consumer("stdio", options), "group on stdio");
    const std::string stream = c.new_stream(2);
    std::unique_ptr<Producer> p = c.producer(stream);
    std::vector<Message> first;
    for (int i = 0; i < 100; ++i) first.push_back(msg(fmt::format("old{}", i)));
    c.send_all(*p, stream, first);
    {
      std::unique_ptr<Consumer> run1 = c.consumer(stream, options);
      std::vector<Message> got = c.read(*run1, 100, 30'000);
      c.require(got.size() == 100, fmt::format("first run got {} of 100", got.size()));
      for (const Message& m : got) run1->ack(stream, m.shard, m.seq);
      c.take(run1->commit_now(), "commit_now");
    }
    std::vector<Message> second;
    for (int i = 0; i < 50; ++i) second.push_back(msg(fmt::format("new{}", i)));
    c.send_all(*p, stream, second);
    std::unique_ptr<Consumer> run2 = c.consumer(stream, options);
    std::vector<Message> got = c.read(*run2, 50, 40'000);
    std::vector<Message> extra = c.read(*run2, 1, 1000);
    c.check(got.size() == 50, fmt::format("restart got {} of the 50 new messages", got.size()));
    for (const Message& m : got) c.check(m.payload.starts_with("new"), "restart redelivered committed " + m.payload);
    c.check(extra.empty(), "restart delivered more than the new messages");
  });
}

}  // namespace sea::conformance

namespace sea::conformance {

// The README's resume example: runs that each take one message and end (`consume --group g -c 1`
// ten times), then one run to the end. Every message is seen exactly once, in order per shard:
// what a run read ahead and did not hand on goes to the next run at once, before newer ones.
// Runs alternate between telling the backend the limit (max_messages, as -c does) and not, so
// that a backend reading far ahead must hand back what it did not hand out.
TEST_CASE("short group runs in a row resume exactly once, in order") {
  for_each_backend("group_short_runs", [](Ctx& c) {
    ConsumerOptions options = from_earliest();
    options.group = fmt::format("short-{}", now_ms() % 10'000'000);
    options.mode = ConsumerMode::repeat;
    if (c.is(Kind::stdio)) return c.expect_unsupported(c.try_consumer("stdio", options), "group on stdio");
    const std::string stream = c.new_stream(2);
    std::unique_ptr<Producer> p = c.producer(stream);
    std::vector<Message> in;
    for (int i = 0; i < 60; ++i) in.push_back(msg(fmt::format("m{}", i), fmt::format("k{}", i % 7)));
    c.send_all(*p, stream, in);
    std::vector<Message> seen;
    for (int run = 0; run < 10; ++run) {
      ConsumerOptions one = options;
      one.max_messages = run % 2 == 0 ? 1 : 0;
      std::unique_ptr<Consumer> consumer = c.consumer(stream, one);
      consumer->set_on_readable([] {});
      std::vector<Message> got;
      c.run_until([&] {
        // (run_until asks once more after the last turn: take nothing past the one message.)
        if (got.empty()) {
          consumer->poll(1, [&](const MessageView& v) {
            if (!is_marker(v)) got.push_back(Message::from_view(v));
          });
        }
        return !got.empty() || consumer->error();
      }, 30'000);
      c.require(got.size() == 1, fmt::format("run {} got {} messages, not 1", run + 1, got.size()));
      consumer->ack(stream, got[0].shard, got[0].seq);
      c.take(consumer->commit_now(), "commit_now");
      seen.push_back(got[0]);
    }
    std::unique_ptr<Consumer> last = c.consumer(stream, options);
    std::vector<Message> rest = c.read(*last, in.size() - seen.size(), 40'000);
    std::vector<Message> extra = c.read(*last, 1, 1000);
    seen.insert(seen.end(), rest.begin(), rest.end());
    seen.insert(seen.end(), extra.begin(), extra.end());
    std::set<std::string> payloads;
    std::map<ShardId, SeqNo> last_seq;
    std::size_t duplicates = 0, out_of_order = 0;
    for (const Message& m : seen) {
      duplicates += !payloads.insert(m.payload).second;
      const auto it = last_seq.find(m.shard);
      if (it != last_seq.end() && m.seq <= it->second) ++out_of_order;
      last_seq[m.shard] = m.seq;
    }
    c.check(payloads.size() == in.size(), fmt::format("saw {} of {} messages", payloads.size(), in.size()));
    c.check(duplicates == 0, fmt::format("{} message(s) seen twice", duplicates));
    c.check(out_of_order == 0, fmt::format("{} message(s) out of order in their shard", out_of_order));
  });
}

}  // namespace sea::conformance
