// The multi-call table of `sea streamer`: add an item here (and a setup_X in commands.hpp).
#include "cli/commands.hpp"

#include <iterator>

namespace sea::cli {

namespace {

const CommandEntry kCommands[] = {
    {"flux", "Create a FIFO and produce every frame written into it", &setup_flux},
    {"tap", "Create a FIFO and write consumed messages into it", &setup_tap},
    {"produce", "Produce frames read from stdin", &setup_produce},
    {"consume", "Write consumed messages to stdout", &setup_consume},
    {"decode", "Inspect the file backend's data: messages and segments", &setup_decode},
    {"seek", "Print a stream from a time or seq, or move a group's position there", &setup_seek},
    {"relay", "Copy a stream across backends, keeping keys, headers and timestamps", &setup_relay},
    {"process", "Run any unix program as a stream processor: input stream -> CMD -> output stream", &setup_process},
    {"replay", "Re-feed a processor's logged inputs and compare its output with the logged output", &setup_replay},
    {"admin", "List, describe, create, delete, trim streams and set their retention", &setup_admin},
    {"top", "The htop of streams: rates, last messages, producers, consumers and lag, live", &setup_top},
#ifdef SEA_HAVE_KAFKA
    {"mock-kafka", "Run librdkafka's mock Kafka cluster for development and tests", &setup_mock_kafka},
#endif
};

}  // namespace

const CommandEntry* commands_begin() { return std::begin(kCommands); }
const CommandEntry* commands_end() { return std::end(kCommands); }

}  // namespace sea::cli
