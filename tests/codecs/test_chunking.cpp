// Chunking invariance: every decoder table input, fed in random pieces (many seeds, pieces of
// 0 to 9 bytes, each in its own allocation), gives exactly the events of feeding it whole.
#include "harness.hpp"

namespace sea::codecs::test {

TEST_CASE("any chunking gives the same frames and errors") {
  std::vector<std::vector<DecodeCase>> tables = {ndjson_cases(), lines_cases(), csv_cases(),
                                                 tsv_cases(),    msgpack_cases(), binary_cases(),
                                                 envelope_cases()};
  std::size_t runs = 0;
  for (const std::vector<DecodeCase>& table : tables) {
    for (const DecodeCase& c : table) {
      CAPTURE(c.name);
      std::vector<std::string> whole = run_case(c);
      for (std::uint32_t seed = 1; seed <= 200; ++seed) {
        CAPTURE(seed);
        std::mt19937 rng(seed);
        REQUIRE(run_case(c, &rng) == whole);
        ++runs;
      }
    }
  }
  CHECK(runs > 10000);
}

}  // namespace sea::codecs::test
