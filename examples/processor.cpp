// A processor: orders {"id":..,"qty":..} in, {"id":..,"double":..} out, at-least-once (an input is
// committed once its outputs are stored), until the end.  processor URI IN OUT GROUP [KEY=VALUE...]
#include <seastreamer/seastreamer.hpp>

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 5) return std::cerr << "usage: processor URI IN OUT GROUP [KEY=VALUE...]\n", 2;
  try {
    sea::Cluster cluster(argv[1]);
    sea::Producer& out = cluster.producer(argv[3]);
    auto options = sea::ConsumerOptions().group(argv[4]).from(sea::Start::earliest()).until_end(true).auto_ack(false);
    for (std::string kv : std::vector<std::string>(argv + 5, argv + argc))
      options.property(kv.substr(0, kv.find('=')), kv.substr(kv.find('=') + 1));
    sea::Consumer in = cluster.consumer({argv[2]}, options);
    std::size_t n = 0;
    for (std::vector<sea::Message> batch; !(batch = in.next_batch(1000, -1)).empty();) {  // empty: the end
      for (const sea::Message& m : batch) {  // {"id":N,"qty":Q}
        const std::size_t comma = m.payload.find(R"(,"qty":)");
        if (comma == std::string::npos) {
          std::cerr << "skipped " << m.stream << " shard " << m.shard << " seq " << m.seq << ": not an order\n";
          continue;
        }
        const std::string id = m.payload.substr(6, comma - 6), qty = m.payload.substr(comma + 7);
        out.send(sea::Message{.key = m.key, .payload = R"({"id":)" + id + R"(,"double":)" + std::to_string(2 * std::stoi(qty)) + "}"});
      }
      out.flush();                           // the outputs are stored...
      for (const sea::Message& m : batch) in.ack(m);
      in.commit();                           // ...before the inputs are committed
      n += batch.size();
    }
    std::cout << "processed " << n << "\n";
  } catch (const std::exception& e) {
    std::cerr << "processor: " << e.what() << "\n";
    return 1;
  }
}
