// Produces N JSON messages to a stream, then waits until all are stored.
//   produce URI STREAM N        e.g. produce redis://localhost:6379 orders 1000
// Build: g++ -std=c++20 produce.cpp $(pkg-config --cflags --libs seastreamer)
#include <seastreamer/seastreamer.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: produce URI STREAM N\n";
    return 2;
  }
  try {
    sea::Cluster cluster(argv[1]);
    sea::Producer& p = cluster.producer(argv[2]);
    const int n = std::stoi(argv[3]);
    for (int i = 0; i < n; ++i)
      p.send(sea::Message{.key = "customer" + std::to_string(i % 10),
                          .payload = R"({"id":)" + std::to_string(i) + R"(,"qty":)" + std::to_string(i % 5 + 1) + "}"});
    sea::Receipt last = p.send(R"({"id":"last"})").get();  // waits for this one message
    p.flush();                                             // and for every one before it
    std::cout << "produced " << n + 1 << ", the last at shard " << last.shard << " seq " << last.seq << "\n";
  } catch (const sea::Error& e) {
    std::cerr << "produce: " << e.what() << "\n";
    return 1;
  }
}
