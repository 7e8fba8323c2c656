// `syncline push --config FILE --object companies ID... [--create] [--dry-run]`: syncs these
// HubSpot records to Salesforce now through the rules' sync of their object, as HubSpot's
// Salesforce Sync card does for one record. `--create` also creates the account of a company
// that R70 keeps out of Salesforce (no contacts, only leads, none synced): the card's "create
// account" (R71). Exit status: 0 synced, 1 some records failed (sync errors recorded, retried by
// the next run), 2 usage, config or rule errors or no sync of that object, 3 the run stopped.
// `--segment NAME` instead of ids is HubSpot's manual segment resync (R38): the members of that
// list are synced now, the ones not synced yet included.
#include <iostream>

#include "command_registry.h"
#include "runtime/engine/sync_runner.h"
#include "runtime/state/sqlite_state_store.h"
#include "sync_setup.h"

namespace syncline::driver {
namespace {

struct PushOptions {
  std::string config = "syncline.toml";
  std::string object;
  std::vector<std::string> ids;
  std::string segment;  // R38: the members of this HubSpot list instead of ids
  bool create = false, dry_run = false, quiet = false;
  std::string format = "text";
};

int Push(const PushOptions& o) {
  if (o.ids.empty() == o.segment.empty()) {
    std::cerr << "syncline push: give record ids or --segment NAME (one of the two)\n";
    return 2;
  }
  if (o.create && o.object != "companies") {
    std::cerr << "syncline push: --create applies to companies only (R71: it overrides the "
                 "rules that keep a company's account out of Salesforce, R70)\n";
    return 2;
  }
  SyncConfig config;
  std::string error;
  if (!LoadConfig(o.config, &config, &error)) {
    std::cerr << "syncline push: " << error << "\n";
    return 2;
  }
  Configured c;
  if (!OpenConfigured(config, "", "syncline push", &c)) return 2;
  const engine::SyncProgram* sync = nullptr;
  for (const auto& s : c.rules->syncs())
    if (s.hubspot_object == o.object && !sync) sync = &s;
  if (!sync) {
    std::cerr << "syncline push: the rules have no sync of hubspot." << o.object << "\n";
    return 2;
  }
  std::unique_ptr<state::SqliteStateStore> store =
      OpenStateStore(config.state, o.dry_run, "syncline push");
  if (!store) return 2;
  engine::RunOptions ro = c.options;
  if (o.segment.empty())
    ro.hubspot_ids = o.ids;
  else
    ro.resync_segment = o.segment;
  ro.force_create = o.create;
  ro.dry_run = o.dry_run;
  ro.record_plan = o.dry_run;
  engine::SyncRunner runner(*sync, c.crms->hubspot(), c.crms->salesforce(), *store, ro);
  const engine::RunReport report = runner.Run();
  if (o.format == "json")
    std::cout << ReportJson(report, o.dry_run).dump(o.dry_run ? 2 : -1) << std::endl;
  else if (!o.quiet || report.status != "ok")
    PrintReportText(std::cout, report, o.dry_run);
  if (o.dry_run) return report.status == "ok" ? 0 : 3;
  return RunExitCode(report);
}

const CommandRegistration registration(307, [](CLI::App& app, CommandRunner& run) {
  auto* cmd = app.add_subcommand(
      "push", "Sync some HubSpot records to Salesforce now (the Salesforce Sync card)");
  auto o = std::make_shared<PushOptions>();
  cmd->add_option("--config", o->config, "The syncline.toml to use (default: ./syncline.toml)");
  cmd->add_option("--object", o->object, "The HubSpot object: contacts, companies, deals, ...")
      ->required();
  cmd->add_option("ids", o->ids, "HubSpot record ids");
  cmd->add_option("--segment", o->segment,
                  "Resync the members of this HubSpot list (segment) instead of ids (R38)");
  cmd->add_flag("--create", o->create,
                "Companies: create the account even when no synced contact would (R71)");
  cmd->add_flag("--dry-run", o->dry_run, "Show what would be written; write nothing");
  cmd->add_flag("--quiet,-q", o->quiet, "No summary unless the run stops");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->footer(
      "Reads the records by id and syncs each as changed through the rules' sync of the object,\n"
      "whatever the watermarks: created in or paired with Salesforce, or updated. The sync's\n"
      "include filter and create settings still apply; --create overrides only R70 (a company\n"
      "without contacts, or whose contacts are leads or not synced, gets its account). No\n"
      "watermark moves, so the next `syncline run` is unaffected. --segment NAME syncs the\n"
      "members of that list the same way (a manual segment resync, R38): choosing a segment in\n"
      "the rules syncs its members only as they change or enter it.\n"
      "Exit status: 0 synced, 1 some records failed (retried by the next run), 2 usage,\n"
      "config or rule errors, or no sync of that object, 3 the run stopped.\n"
      "Example:\n"
      "  syncline push --config syncline.toml --object companies 9001 --create\n"
      "  syncline push --config syncline.toml --object contacts --segment \"Trade show\"");
  cmd->callback([&run, o] { run = [o] { return Push(*o); }; });
});

}  // namespace
}  // namespace syncline::driver
