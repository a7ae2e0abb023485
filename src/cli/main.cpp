// `sea`: the multi-call executable. Numbered steps: 1. build the command tree from the table,
// 2. parse, 3. set up logging, 4. run the chosen subcommand and return its exit code.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"

int main(int argc, char** argv) {
  using namespace sea::cli;
  init_logging();
  ignore_sigpipe();
  CLI::App app{"sea: unix-shell stream plumbing for Kafka, Redis Streams, a local log and stdio"};
  app.set_version_flag("--version", std::string("sea ") + SEA_VERSION);
  app.require_subcommand(1);
  CLI::App* streamer = app.add_subcommand("streamer", "Stream commands (flux, tap, produce, consume, ...)");
  streamer->require_subcommand(1);
  Runner runner;
  for (const CommandEntry* c = commands_begin(); c != commands_end(); ++c) {
    CLI::App* sub = streamer->add_subcommand(c->name, c->summary);
    c->setup(*sub, runner);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  return runner ? runner() : kExitUsage;
}
