// The backend table keyed by URI scheme. To add a backend: a folder, a factory, a row here.
#include "backends/registry.hpp"

#include "backends/file/file_streamer.hpp"
#include "backends/stdio/stdio_streamer.hpp"
#ifdef SEA_HAVE_REDIS
#include "backends/redis/redis_streamer.hpp"
#endif
#ifdef SEA_HAVE_KAFKA
#include "backends/kafka/kafka_streamer.hpp"
#endif

namespace sea {

namespace {

using Factory = Result<std::unique_ptr<Streamer>> (*)(loop::Loop&, const Uri&, const ConnectOptions&);

struct BackendEntry {
  Scheme scheme;
  const char* name;
  Factory factory;
};

// Add an item here.
constexpr BackendEntry kBackends[] = {
    {Scheme::file, "file", &file::connect_file},
    {Scheme::stdio, "stdio", &stdio::connect_stdio},
#ifdef SEA_HAVE_REDIS
    {Scheme::redis, "redis", &redis::connect_redis},
    {Scheme::redis_cluster, "redis-cluster", &redis::connect_redis},
#endif
#ifdef SEA_HAVE_KAFKA
    {Scheme::kafka, "kafka", &kafka::connect_kafka},
#endif
};

}  // namespace

Result<std::unique_ptr<Streamer>> connect(loop::Loop& loop, const Uri& uri, const ConnectOptions& options) {
  for (const BackendEntry& entry : kBackends)
    if (entry.scheme == uri.scheme) return entry.factory(loop, uri, options);
  return make_error(Errc::unsupported, "'{}': the {} backend is not available in this build of sea",
                    uri.display(), scheme_name(uri.scheme));
}

std::vector<std::string> backend_schemes() {
  std::vector<std::string> names;
  for (const BackendEntry& entry : kBackends) names.emplace_back(entry.name);
  return names;
}

}  // namespace sea
