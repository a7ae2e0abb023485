// open_ingest (ingest.hpp).
#include "cli/ingest.hpp"

#include <spdlog/spdlog.h>

#include "backends/registry.hpp"

namespace sea::cli {

Result<IngestSetup> open_ingest(loop::Loop& loop, const TargetOptions& target_options,
                                const InputFormatOptions& format_options, const ProduceCliOptions& produce_options,
                                const IngestCliOptions& ingest_options) {
  IngestSetup setup;
  Result<Target> target = resolve_target(target_options);
  if (!target) return target.error();
  setup.target = std::move(*target);
  if (setup.target.streams.size() != 1)
    return make_error(Errc::invalid_argument, "name exactly one stream to produce to (--topic KEY or --stream URI/KEY)");
  Result<ErrorPolicy> policy = ErrorPolicy::parse(format_options.on_error);
  if (!policy) return policy.error();
  Result<codecs::DecoderOptions> decoder_options = resolve_decoder_options(format_options);
  if (!decoder_options) return decoder_options.error();
  Result<MessageOverrides> overrides =
      resolve_ingest_options(ingest_options, format_options, produce_options, *decoder_options);
  if (!overrides) return overrides.error();
  if (overrides->keep_shard &&
      (setup.target.cluster.scheme == Scheme::redis || setup.target.cluster.scheme == Scheme::redis_cluster))
    return make_error(Errc::invalid_argument,
                      "--keep-shard: the Redis producer chooses shards itself (by key hash, else round robin, "
                      "else --shard); it is supported on file:// and kafka://");
  Result<std::unique_ptr<codecs::Decoder>> decoder = codecs::make_decoder(format_options.format, *decoder_options);
  if (!decoder) return decoder.error();
  Result<ProducerOptions> producer_options = resolve_producer_options(
      produce_options, setup.target.connect.properties, decoder_options->max_message_bytes);
  if (!producer_options) return producer_options.error();
  Result<std::unique_ptr<Streamer>> streamer = sea::connect(loop, setup.target.cluster, setup.target.connect);
  if (!streamer) return streamer.error();
  setup.streamer = std::move(*streamer);
  Result<std::unique_ptr<Producer>> producer =
      setup.streamer->create_producer(setup.target.streams.front(), *producer_options);
  if (!producer) return producer.error();
  setup.ingest = std::make_unique<Ingest>(std::move(*producer), std::move(*decoder), std::move(*policy),
                                          setup.target.streams.front().str(), std::move(*overrides));
  SEA_TRY(setup.ingest->open_dead_letter(loop, setup.target.connect));
  return setup;
}

}  // namespace sea::cli
