// Placeholder.
#include <CLI/CLI.hpp>
#include "cli/commands.hpp"
namespace sea::cli {
void setup_flux(CLI::App&, Runner&) {}
}
