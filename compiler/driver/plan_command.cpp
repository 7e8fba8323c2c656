// `syncline plan --config FILE`: reads both CRMs and the state, decides every write a run
// would make, and prints them field by field (per record, then totals) without writing
// anything to either CRM or to the state.
#include <iostream>

#include "command_registry.h"
#include "runtime/state/sqlite_state_store.h"
#include "sync_setup.h"

namespace syncline::driver {
namespace {

struct PlanOptions {
  std::string config;
  std::string format = "text";
  bool quiet = false;
};

int Plan(const PlanOptions& o) {
  SyncConfig config;
  std::string error;
  if (!LoadConfig(o.config, &config, &error)) {
    std::cerr << "syncline plan: " << error << "\n";
    return 2;
  }
  Configured c;
  if (!OpenConfigured(config, "", "syncline plan", &c)) return 2;
  std::unique_ptr<state::SqliteStateStore> store =
      OpenStateStore(config.state, true, "syncline plan");
  if (!store) return 2;
  engine::RunOptions ro = c.options;
  ro.dry_run = true;
  ro.record_plan = true;
  ro.progress = TerminalProgress(o.quiet);
  engine::RunReport report = RunSyncs(*c.rules, *c.crms, *store, ro);
  if (ro.progress) std::cerr << "\r\033[K";
  if (o.format == "json")
    std::cout << ReportJson(report, true).dump(2) << std::endl;
  else
    PrintReportText(std::cout, report, true);
  return report.status == "ok" ? 0 : 3;
}

const CommandRegistration registration(310, [](CLI::App& app, CommandRunner& run) {
  auto* cmd =
      app.add_subcommand("plan", "Show, field by field, what a run would write (writes nothing)");
  auto o = std::make_shared<PlanOptions>();
  cmd->add_option("--config", o->config, "The syncline.toml to use")->required();
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--quiet,-q", o->quiet, "No progress line");
  cmd->footer(
      "Exit status: 0 planned, 2 usage, config or rule errors, 3 the CRMs could not be read.\n"
      "Example:\n  syncline plan --config syncline.toml --format=json");
  cmd->callback([&run, o] { run = [o] { return Plan(*o); }; });
});

}  // namespace
}  // namespace syncline::driver
