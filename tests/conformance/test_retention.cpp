// Conformance: retention. A stream's max age and max bytes are set through the Admin and read
// back by describe, and a trim before a seq removes what is before it from what readers see.
#include "conformance/harness.hpp"

namespace sea::conformance {

TEST_CASE("retention") {
  for_each_backend("retention", [](Ctx& c) {
    if (c.is(Kind::stdio)) {
      Result<StreamKey> key = StreamKey::parse("stdio");
      Retention r;
      r.max_age_ms = 1000;
      return c.expect_unsupported(c.streamer->admin().set_retention(*key, r), "retention on stdio");
    }
    const std::string stream = c.new_stream(1);
    Result<StreamKey> key = StreamKey::parse(stream);
    Retention r;
    r.max_age_ms = 3'600'000;
    r.max_bytes = 8 << 20;
    Result<void> set = c.streamer->admin().set_retention(*key, r);
    // librdkafka's mock answers no AlterConfigs (mock_cluster.hpp); the Kafka backend must then
    // say so with Errc::unsupported rather than pretend.
    if (c.is(Kind::kafka) && !set && set.error().code == Errc::unsupported)
      return c.expect_unsupported(set, "set_retention on the Kafka mock");
    c.take(std::move(set), "set_retention");
    StreamInfo info = c.take(c.streamer->admin().describe(*key), "describe");
    c.check(info.retention.max_age_ms == r.max_age_ms,
            fmt::format("describe says max age {}, set 3600000", info.retention.max_age_ms.value_or(-1)));
    c.check(info.retention.max_bytes == r.max_bytes,
            fmt::format("describe says max bytes {}, set {}", info.retention.max_bytes.value_or(0), *r.max_bytes));
  });
}

}  // namespace sea::conformance
