// Stream management: create a stream of 2 shards, list, describe, set its retention, trim it,
// and delete it (Admin::remove: `delete` is a C++ keyword).
//   admin URI STREAM
#include <seastreamer/seastreamer.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: admin URI STREAM\n";
    return 2;
  }
  try {
    sea::Cluster cluster(argv[1]);
    sea::Admin& admin = cluster.admin();
    admin.create(argv[2], {.shards = 2});
    cluster.producer(argv[2]).send("hello").get();
    for (const std::string& name : admin.list())
      if (name == argv[2]) std::cout << "listed " << name << "\n";
    sea::StreamInfo info = admin.describe(argv[2]);
    std::uint64_t messages = 0;
    for (const sea::ShardInfo& shard : info.shards) messages += shard.messages;
    std::cout << "shards " << info.shards.size() << " messages " << messages << "\n";
    admin.set_retention(argv[2], {.max_age_ms = 3'600'000});
    admin.trim(argv[2], {.before_time = sea::now_ms() - 86'400'000});
    admin.remove(argv[2]);
    std::cout << "removed " << argv[2] << "\n";
  } catch (const sea::Error& e) {
    std::cerr << "admin: " << e.what() << " (" << sea::errc_name(e.code) << ")\n";
    return 1;
  }
}
