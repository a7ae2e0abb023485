// Shared consumer opening of consumer_setup.hpp.
#include "cli/consumer_setup.hpp"

#include "backends/registry.hpp"

namespace sea::cli {

Result<ConsumerSetup> open_consumer_setup(loop::Loop& loop, const TargetOptions& target_options,
                                          const ConsumeCliOptions& consume_options,
                                          const OutputFormatOptions& output_options) {
  ConsumerSetup setup;
  Result<Target> target = resolve_target(target_options);
  if (!target) return target.error();
  setup.target = std::move(*target);
  if (setup.target.streams.empty())
    return make_error(Errc::invalid_argument, "name the stream(s) to read: --topic KEY or --stream URI/KEY");
  Result<ConsumerOptions> consumer_options = resolve_consumer_options(consume_options, setup.target.connect.properties);
  if (!consumer_options) return consumer_options.error();
  setup.consumer_options = std::move(*consumer_options);
  Result<std::unique_ptr<codecs::Encoder>> encoder = resolve_encoder(output_options);
  if (!encoder) return encoder.error();
  setup.encoder = std::move(*encoder);
  Result<std::unique_ptr<Streamer>> streamer = sea::connect(loop, setup.target.cluster, setup.target.connect);
  if (!streamer) return streamer.error();
  setup.streamer = std::move(*streamer);
  return setup;
}

Result<std::unique_ptr<Consumer>> make_consumer(ConsumerSetup& setup) {
  return setup.streamer->create_consumer(setup.target.streams, setup.consumer_options);
}

}  // namespace sea::cli
