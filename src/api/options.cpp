// options.hpp: the start positions (the setters are inline).
#include "api/options.hpp"

#include "api/state.hpp"

namespace sea {

Start Start::earliest() { return Start(StartPosition{.kind = StartPosition::Kind::earliest}); }
Start Start::latest() { return Start(StartPosition{.kind = StartPosition::Kind::latest}); }
Start Start::at(Timestamp time_ms) { return Start(StartPosition{.kind = StartPosition::Kind::time, .time = time_ms}); }
Start Start::at(std::chrono::system_clock::time_point time) {
  return at(std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count());
}
Start Start::seq(SeqNo seq, ShardId shard) {
  return Start(StartPosition{.kind = StartPosition::Kind::seq, .seq = seq, .shard = shard});
}
Start Start::parse(std::string_view text) { return Start(api::value_or_throw(StartPosition::parse(text))); }

}  // namespace sea
