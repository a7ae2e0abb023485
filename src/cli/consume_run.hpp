// The run shared by `consume` and `seek` (printing): open the consumer, pump it through the
// encoder to stdout (flow/egress.hpp), stop at -c N, at the end with -e, when stdout closes or on
// SIGINT/SIGTERM, then flush what is still buffered.
#pragma once

#include "cli/common.hpp"
#include "cli/stream_options.hpp"

namespace sea::cli {

struct ConsumeRun {
  // Acks follow the writes and the group commits them at the end (consume); seek prints only.
  bool commit = true;
};

// Returns the exit code; every diagnostic has gone to stderr.
int run_consume_to_stdout(const TargetOptions& target, const ConsumeCliOptions& consume,
                          const OutputFormatOptions& output, ConsumeRun run);

}  // namespace sea::cli
