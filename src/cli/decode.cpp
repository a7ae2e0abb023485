// Placeholder: `sea streamer decode` lands with the file backend's inspection API.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace sea::cli {
void setup_decode(CLI::App&, Runner&) {}
}  // namespace sea::cli
