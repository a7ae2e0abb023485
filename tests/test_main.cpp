// The doctest runner shared by every unit-test executable. SIGPIPE is ignored, as every `sea`
// command does (cli/common.hpp ignore_sigpipe): a backend writing to a socket the server has
// just closed (CLIENT KILL in the reconnect tests) gets EPIPE and reconnects instead of dying.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <csignal>

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  return doctest::Context(argc, argv).run();
}
