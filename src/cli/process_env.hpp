// What `process` adds to CMD's environment (cli/process.cpp): the preload library
// (src/preload: stdout line-buffered like `stdbuf -oL`; with --deterministic, the clock page
// that answers CMD's time and randomness), PYTHONUNBUFFERED=1 (Python keeps its own buffers),
// and SEA_TIME / SEA_SEED for processors that prefer to read them (the first feed's values).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"

struct sea_clock;

namespace sea::cli {

// The clock page of --deterministic: a small shared file the preload maps read-only.
class ProcessClock {
 public:
  static Result<std::unique_ptr<ProcessClock>> create();
  ~ProcessClock();
  const std::string& path() const { return path_; }
  // Publishes message `index` of feed `feed` (time `ts`, the feed's `seed`); call only while
  // CMD waits for its next input (flow::Processor's lockstep guarantees it).
  void set(Timestamp ts, std::uint64_t seed, std::uint64_t feed, std::uint64_t index);

 private:
  ProcessClock() = default;
  std::string path_;
  sea_clock* page_ = nullptr;
};

struct ProcessEnv {
  std::vector<std::string> vars;        // NAME=VALUE for CMD
  std::unique_ptr<ProcessClock> clock;  // with --deterministic
};

// The preload library's path: $SEA_PRELOAD_LIBRARY, else the build tree's copy when this `sea`
// runs from the build tree, else the installed one. Errors name where it looked.
Result<std::string> preload_library();

Result<ProcessEnv> process_env(bool deterministic, bool line_buffer);

}  // namespace sea::cli
