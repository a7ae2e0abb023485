// Placeholder.
#include <CLI/CLI.hpp>
#include "cli/commands.hpp"
namespace sea::cli {
void setup_mock_kafka(CLI::App&, Runner&) {}
}
