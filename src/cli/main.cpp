// `sea`: the multi-call executable. Numbered steps: 1. build the command tree from the table,
// 2. parse, 3. set up logging, 4. run the chosen subcommand and return its exit code.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"

namespace {

// CLI11 reports a mistyped subcommand as "A subcommand is required": name the word instead, and
// the nearest command when one is close. Returns false when the error is not that case.
bool report_unknown_subcommand(CLI::App& app) {
  CLI::App* at = &app;
  for (std::vector<CLI::App*> parsed = at->get_subcommands(); !parsed.empty(); parsed = at->get_subcommands())
    at = parsed.front();
  const std::vector<CLI::App*> choices = at->get_subcommands([](CLI::App*) { return true; });
  const std::vector<std::string> rest = app.remaining(true);
  if (choices.empty() || rest.empty() || rest.front().starts_with("-")) return false;
  const std::string& word = rest.front();
  std::string path;
  for (const CLI::App* p = at; p != nullptr; p = p->get_parent())
    path = (p->get_parent() == nullptr ? std::string("sea") : p->get_name()) + (path.empty() ? "" : " ") + path;
  std::vector<std::string> names;
  for (const CLI::App* c : choices) names.push_back(c->get_name());
  std::string message = fmt::format("{}: unknown command '{}'", path, word);
  if (std::optional<std::string> near = sea::cli::nearest_word(word, names)) message += fmt::format("; did you mean '{}'?", *near);
  fmt::print(stderr, "{}\nRun with --help for the list of commands.\n", message);
  return true;
}

}  // namespace

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
    if (e.get_exit_code() != 0 && report_unknown_subcommand(app)) return kExitUsage;
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  return runner ? runner() : kExitUsage;
}
