// Subcommands of the `syncline` CLI register themselves here, one file per command
// (`*_command.cpp`), so that adding a command never edits main.cpp.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace syncline::driver {

// What a command does once the command line is parsed; it returns the process exit code:
// 0 success, 1 findings (errors in rules, failed tests, failed records), 2 usage or I/O errors.
using CommandRunner = std::function<int()>;

// Adds a subcommand to `app` and arranges for `run` to be set when that subcommand is chosen.
using CommandAdder = std::function<void(CLI::App& app, CommandRunner& run)>;

struct CommandRegistration {
  // `order` fixes the position in --help so that the listing is deterministic.
  CommandRegistration(int order, CommandAdder add);
};

struct RegisteredCommand {
  int order;
  CommandAdder add;
};
std::vector<RegisteredCommand>& RegisteredCommands();

}  // namespace syncline::driver
