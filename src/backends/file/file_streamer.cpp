// The file backend's Streamer: parses the file.* properties, and hands out producers,
// consumers and the admin of one directory of streams (see file_log.hpp for the format).
#include "backends/file/file_streamer.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "backends/file/file_admin.hpp"
#include "backends/file/file_consumer.hpp"
#include "backends/file/file_producer.hpp"
#include "backends/file/file_stats.hpp"

namespace sea::file {

namespace {

// Applies the file.* properties (-X) to `writer`; any other file.* key is an error so a typo
// does not silently do nothing. Keys of other backends are ignored.
Result<void> apply_properties(const Properties& properties, WriterOptions& writer) {
  for (const auto& [key, value] : properties) {
    if (key.rfind("file.", 0) != 0) continue;
    if (key == "file.segment.bytes") {
      Result<std::uint64_t> bytes = parse_size(value);
      if (!bytes) return make_error(Errc::invalid_argument, "-X {}={}: {}", key, value, bytes.error().message);
      if (*bytes < 1024)
        return make_error(Errc::invalid_argument, "-X {}={}: a segment must be at least 1024 bytes", key, value);
      writer.segment_bytes = *bytes;
    } else if (key == "file.fsync") {
      if (value != "off" && value != "always" && value != "batch")
        return make_error(Errc::invalid_argument, "-X {}={}: expected off, batch or always", key, value);
      // Every batch is one write, so "batch" and "always" both sync each write before the ack.
      writer.fsync = value != "off";
    } else {
      return make_error(Errc::invalid_argument,
                        "-X {}: unknown property of the file backend (known: file.segment.bytes, file.fsync)", key);
    }
  }
  return ok();
}

// Lifecycle: made by connect_file; must outlive its producers and consumers; on the loop's thread.
class FileStreamer final : public Streamer {
 public:
  FileStreamer(loop::Loop& loop, Uri uri, std::string root, WriterOptions writer)
      : loop_(loop), uri_(std::move(uri)), root_(std::move(root)), writer_(writer), admin_(root_) {}

  const Uri& uri() const override { return uri_; }

  Result<std::unique_ptr<Producer>> create_producer(const StreamKey& stream, const ProducerOptions& options) override {
    WriterOptions writer = writer_;
    SEA_TRY(apply_properties(options.properties, writer));
    Result<std::unique_ptr<Producer>> made = FileProducer::create(loop_, root_, stream, options, writer);
    if (!made) return made;
    return with_presence(std::move(*made), root_, stream.str());
  }

  Result<std::unique_ptr<Consumer>> create_consumer(std::span<const StreamKey> streams,
                                                    const ConsumerOptions& options) override {
    WriterOptions ignored;
    SEA_TRY(apply_properties(options.properties, ignored));
    return FileConsumer::create(loop_, root_, streams, options);
  }

  Admin& admin() override { return admin_; }
  Result<ClusterStats> stats(const StatsRequest& request) override { return stats_.sample(request); }

 private:
  loop::Loop& loop_;
  Uri uri_;
  std::string root_;
  WriterOptions writer_;
  FileAdmin admin_;
  FileStats stats_{root_};
};

}  // namespace

Result<std::unique_ptr<Streamer>> connect_file(loop::Loop& loop, const Uri& uri, const ConnectOptions& options) {
  std::string root = uri.path.empty() ? std::string("./sea-streams") : uri.path;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  struct stat st {};
  if (stat(root.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
    return make_error(Errc::invalid_argument, "{}: '{}' exists and is not a directory", uri.display(), root);
  WriterOptions writer;
  SEA_TRY(apply_properties(options.properties, writer));
  return std::unique_ptr<Streamer>(new FileStreamer(loop, uri, std::move(root), writer));
}

}  // namespace sea::file
