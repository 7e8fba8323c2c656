// `syncline version`: the compiler version, as scripts and bug reports want it.
#include <iostream>

#include "command_registry.h"

namespace syncline::driver {
namespace {

const CommandRegistration registration(900, [](CLI::App& app, CommandRunner& run) {
  auto* cmd = app.add_subcommand("version", "Print the Syncline version");
  cmd->callback([&run] {
    run = [] {
      std::cout << "syncline 0.1.0\n";
      return 0;
    };
  });
});

}  // namespace
}  // namespace syncline::driver
