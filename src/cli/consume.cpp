// `sea streamer consume`: messages of one or more streams written to stdout.
// run_consume is the shared run of cli/consume_run.hpp: connect and open the consumer, pump
// messages through the encoder to stdout (write-then-ack with a group), stop at -c N, at the
// end with -e, when stdout closes, or on SIGINT/SIGTERM, then commit what the reader took
// (everything written while it still holds stdout) and exit.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/consume_run.hpp"

namespace sea::cli {

struct ConsumeOptions {
  TargetOptions target;
  ConsumeCliOptions consume;
  OutputFormatOptions output;
};

int run_consume(const ConsumeOptions& options) {
  setup_logging(options.target);
  return run_consume_to_stdout(options.target, options.consume, options.output, ConsumeRun{.commit = true});
}

void setup_consume(CLI::App& app, Runner& runner) {
  auto options = std::make_shared<ConsumeOptions>();
  app.footer(
      "Examples:\n"
      "  sea streamer consume --topic news --from earliest -e        # everything, then exit\n"
      "  sea streamer consume --topic news --group billing            # resume where billing stopped\n"
      "  sea streamer consume --stream redis://localhost:6379/news -J -c 10\n"
      "  sea streamer consume --topic news -f '%T %k %s\\n' --from time:-5m");
  add_target_options(app, options->target);
  add_consume_options(app, options->consume, "latest");
  add_output_format_options(app, options->output);
  app.callback([&runner, options] { runner = [options] { return run_consume(*options); }; });
}

}  // namespace sea::cli
