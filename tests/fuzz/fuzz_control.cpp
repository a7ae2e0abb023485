// libFuzzer target for the controller log's records (flow/control_log.hpp): `replay` reads them
// from a file anyone may have edited or torn. Invariants:
//   - parse_record never crashes and every error names the record ("record 7: ...");
//   - a record that parses re-encodes (encode_record) to a record that parses to the same
//     fields (the log's writer and reader agree), and its counts match its ranges.
#include <cstdint>
#include <string>

#include "flow/control_log.hpp"
#include "fuzz_util.hpp"

namespace {

using sea::fuzz::shown;

std::string encoded(const sea::flow::ControlRecord& r) {
  if (r.run) return sea::flow::encode_record(*r.run);
  if (r.feed) return sea::flow::encode_record(*r.feed);
  if (r.crash) return sea::flow::encode_record(*r.crash);
  if (r.end) return sea::flow::encode_record(*r.end);
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  sea::Result<sea::flow::ControlRecord> parsed = sea::flow::parse_record(text, 7);
  if (!parsed) {
    FUZZ_CHECK(parsed.error().message.starts_with("record 7"), "error without its record: " + parsed.error().message);
    return 0;
  }
  const int kinds = parsed->run.has_value() + parsed->feed.has_value() + parsed->crash.has_value() + parsed->end.has_value();
  FUZZ_CHECK(kinds == 1, "a record of " + std::to_string(kinds) + " kinds from " + shown(text));
  const std::string again = encoded(*parsed);
  sea::Result<sea::flow::ControlRecord> reparsed = sea::flow::parse_record(again, 7);
  FUZZ_CHECK(reparsed.ok(), "re-encoded record does not parse: " + again);
  FUZZ_CHECK(encoded(*reparsed) == again, "encode/parse do not agree: " + again);
  if (parsed->feed) {
    std::uint64_t in = 0;
    for (const auto& run : parsed->feed->inputs) in += run.last - run.first + 1;
    FUZZ_CHECK(in == parsed->feed->input_count, "input count and ranges disagree: " + shown(text));
  }
  return 0;
}
