// The subcommands of `sea streamer`, one table (commands.cpp). Each subcommand lives in its own
// file as a pair: setup_X(CLI::App&, Runner&) binds options into an XOptions struct and sets
// the runner; run_X(const XOptions&) does the work and returns an exit code.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace sea::cli {

using Runner = std::function<int()>;
using SetupFn = void (*)(CLI::App& app, Runner& runner);

struct CommandEntry {
  const char* name;
  const char* summary;
  SetupFn setup;
};

// The table of commands.cpp.
const CommandEntry* commands_begin();
const CommandEntry* commands_end();

void setup_flux(CLI::App& app, Runner& runner);
void setup_tap(CLI::App& app, Runner& runner);
void setup_produce(CLI::App& app, Runner& runner);
void setup_consume(CLI::App& app, Runner& runner);
void setup_decode(CLI::App& app, Runner& runner);
void setup_top(CLI::App& app, Runner& runner);
void setup_seek(CLI::App& app, Runner& runner);
void setup_relay(CLI::App& app, Runner& runner);
void setup_process(CLI::App& app, Runner& runner);
void setup_replay(CLI::App& app, Runner& runner);
void setup_admin(CLI::App& app, Runner& runner);
#ifdef SEA_HAVE_KAFKA
void setup_mock_kafka(CLI::App& app, Runner& runner);
#endif

}  // namespace sea::cli
