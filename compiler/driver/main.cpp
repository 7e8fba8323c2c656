// Entry point of the `syncline` command line. Each subcommand lives in its own
// `*_command.cpp` file and registers itself (command_registry.h).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

#ifdef SYNCLINE_FORWARD_TO
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#endif

#include "command_registry.h"

namespace syncline::driver {

std::vector<RegisteredCommand>& RegisteredCommands() {
  static std::vector<RegisteredCommand> commands;
  return commands;
}

CommandRegistration::CommandRegistration(int order, CommandAdder add) {
  RegisteredCommands().push_back({order, std::move(add)});
}

#ifdef SYNCLINE_FORWARD_TO
// This `syncline` holds only the compiler's commands (check, transform, version), so that they
// start without loading the sync runtime's libraries: libcurl with its TLS, LDAP and Kerberos
// chain, SQLite, cpp-httplib (about 30 shared libraries, most of a start's time). Every other
// command, and --help, is run by the full program beside it, with the same arguments.
static int Forward(char** argv) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const auto full =
      (ec ? std::filesystem::path(argv[0]) : self).parent_path() / SYNCLINE_FORWARD_TO;
  ::execv(full.c_str(), argv);
  // Without /proc, a `syncline` found on PATH finds its partner there too.
  if (ec && std::string_view(argv[0]).find('/') == std::string_view::npos)
    ::execvp(SYNCLINE_FORWARD_TO, argv);
  std::cerr << "syncline: cannot run " << full.string() << ": " << std::strerror(errno)
            << "\n  (it holds every command but check and transform; it is built with "
               "`syncline`)\n";
  return 2;
}
#endif

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
#ifdef SYNCLINE_FORWARD_TO
  const bool here =
      argc >= 2 &&
      (std::string_view(argv[1]) == "--version" ||
       !app.get_subcommands([&](CLI::App* sub) { return sub->check_name(argv[1]); }).empty());
  if (!here) return Forward(argv);
#endif
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
