// Placeholder until the redis backend lands.
#include "backends/redis/redis_streamer.hpp"

namespace sea::redis {

Result<std::unique_ptr<Streamer>> connect_redis(loop::Loop&, const Uri& uri, const ConnectOptions&) {
  return make_error(Errc::unsupported, "{}: redis backend not built yet", uri.display());
}

}  // namespace sea::redis
