// Placeholder until the stdio backend lands.
#include "backends/stdio/stdio_streamer.hpp"

namespace sea::stdio {

Result<std::unique_ptr<Streamer>> connect_stdio(loop::Loop&, const Uri& uri, const ConnectOptions&) {
  return make_error(Errc::unsupported, "{}: stdio backend not built yet", uri.display());
}

}  // namespace sea::stdio
