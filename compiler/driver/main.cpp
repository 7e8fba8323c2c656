// Entry point of the `syncline` command line. Each subcommand lives in its own
// `*_command.cpp` file and registers itself (command_registry.h).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

#include "command_registry.h"

namespace syncline::driver {

std::vector<RegisteredCommand>& RegisteredCommands() {
  static std::vector<RegisteredCommand> commands;
  return commands;
}

CommandRegistration::CommandRegistration(int order, CommandAdder add) {
  RegisteredCommands().push_back({order, std::move(add)});
}

}  // namespace syncline::driver

int main(int argc, char** argv) {
  using namespace syncline::driver;
  CLI::App app{"Syncline: HubSpot <-> Salesforce sync rules, compiled.", "syncline"};
  app.set_version_flag("--version", "syncline 0.1.0");
  app.require_subcommand(1);
  auto commands = RegisteredCommands();
  std::stable_sort(commands.begin(), commands.end(),
                   [](const auto& a, const auto& b) { return a.order < b.order; });
  CommandRunner run;
  for (const auto& command : commands) command.add(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every other parse failure is a usage error (2).
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!run) {
    std::cerr << "syncline: no command given; see `syncline --help`\n";
    return 2;
  }
  return run();
}
