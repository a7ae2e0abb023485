// Opening the ingest path of produce and flux (flow/ingest.hpp) from the command line: the
// connection, the decoder and the flow::Ingest on the one target stream.
#pragma once

#include <memory>

#include "cli/common.hpp"
#include "cli/ingest_options.hpp"
#include "flow/ingest.hpp"
#include "cli/stream_options.hpp"

namespace sea::cli {

using flow::Ingest;
using flow::kShutdownStallMs;

// Everything produce and flux need: the connection, and an Ingest on the one target stream.
struct IngestSetup {
  Target target;
  std::unique_ptr<Streamer> streamer;
  std::unique_ptr<flow::Ingest> ingest;
};

Result<IngestSetup> open_ingest(loop::Loop& loop, const TargetOptions& target_options,
                                const InputFormatOptions& format_options, const ProduceCliOptions& produce_options,
                                const IngestCliOptions& ingest_options);

}  // namespace sea::cli
