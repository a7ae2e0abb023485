// Placeholder.
#include <CLI/CLI.hpp>
#include "cli/commands.hpp"
namespace sea::cli {
void setup_consume(CLI::App&, Runner&) {}
}
