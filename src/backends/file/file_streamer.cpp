// Placeholder until the file log lands.
#include "backends/file/file_streamer.hpp"

namespace sea::file {

Result<std::unique_ptr<Streamer>> connect_file(loop::Loop&, const Uri& uri, const ConnectOptions&) {
  return make_error(Errc::unsupported, "{}: file backend not built yet", uri.display());
}

}  // namespace sea::file
