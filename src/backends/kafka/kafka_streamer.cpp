// Placeholder until the kafka backend lands.
#include "backends/kafka/kafka_streamer.hpp"

namespace sea::kafka {

Result<std::unique_ptr<Streamer>> connect_kafka(loop::Loop&, const Uri& uri, const ConnectOptions&) {
  return make_error(Errc::unsupported, "{}: kafka backend not built yet", uri.display());
}

}  // namespace sea::kafka
