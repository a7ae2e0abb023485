// Reads a stream as a member of a consumer group, from the group's committed position (the
// earliest message the first time), to the end of what is there; prints each payload.
//   consume_group URI STREAM GROUP [KEY=VALUE...]   (backend client properties, as -X passes them)
// Run it twice: the second run prints only what was produced in between.
#include <seastreamer/seastreamer.hpp>

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 4) return std::cerr << "usage: consume_group URI STREAM GROUP [KEY=VALUE...]\n", 2;
  try {
    sea::Cluster cluster(argv[1]);
    auto options = sea::ConsumerOptions().group(argv[3]).from(sea::Start::earliest()).until_end(true);
    for (std::string kv : std::vector<std::string>(argv + 4, argv + argc))
      options.property(kv.substr(0, kv.find('=')), kv.substr(kv.find('=') + 1));
    sea::Consumer c = cluster.consumer({argv[2]}, options);
    int n = 0;
    for (const sea::Message& m : c) {  // each message is acknowledged when the next is asked for
      std::cout << m.payload << "\n";
      ++n;
    }
    c.commit();  // the last one was handled too
    std::cerr << "consumed " << n << "\n";
  } catch (const sea::Error& e) {
    std::cerr << "consume_group: " << e.what() << "\n";
    return 1;
  }
}
