// Opening a consumer from the command line (consume, tap, seek): the connection, the consumer
// on the named streams with --from/--group/--mode, and the output encoder.
#pragma once

#include <memory>

#include "cli/common.hpp"
#include "cli/stream_options.hpp"
#include "codecs/codec.hpp"
#include "core/streamer.hpp"
#include "loop/loop.hpp"

namespace sea::cli {

struct ConsumerSetup {
  Target target;
  ConsumerOptions consumer_options;
  std::unique_ptr<Streamer> streamer;
  std::unique_ptr<codecs::Encoder> encoder;
};

// Resolves options, connects and makes the encoder; consumers are made by make_consumer (tap
// makes one per reader).
Result<ConsumerSetup> open_consumer_setup(loop::Loop& loop, const TargetOptions& target_options,
                                          const ConsumeCliOptions& consume_options,
                                          const OutputFormatOptions& output_options);

Result<std::unique_ptr<Consumer>> make_consumer(ConsumerSetup& setup);

}  // namespace sea::cli
