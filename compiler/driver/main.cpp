// Entry point of the `syncline` command line. Each subcommand lives in its own file and
// returns the process exit code: 0 success, 1 findings (errors in rules, failed tests),
// 2 usage or I/O errors.
#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"Syncline: HubSpot <-> Salesforce sync rules, compiled.", "syncline"};
  app.set_version_flag("--version", "syncline 0.1.0");
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}
