// `syncline import [RULES...] [--object X] [--campaign NAME_OR_ID] [--config FILE]`: brings
// existing Salesforce records into HubSpot through the rules' syncs, whatever the watermarks
// (R125-R129). See runtime/engine/import_runner.h and docs/runtime.md "Import from
// Salesforce". Exit status: 0 imported, 1 some records failed (sync errors recorded, retried
// by the next run), 2 usage, config or rule errors, or an import the rules cannot do (R66,
// R77, an inactive campaign R126), 3 the import stopped (suspended, unreachable, state).
#include <iostream>
#include <optional>

#include "command_registry.h"
#include "runtime/engine/import_runner.h"
#include "runtime/state/sqlite_state_store.h"
#include "sync_setup.h"

namespace syncline::driver {
namespace {

using nlohmann::json;

struct ImportOptions {
  std::vector<std::string> rules;
  std::string object, campaign;
  std::string config = "syncline.toml";
  bool dry_run = false, quiet = false;
  std::string format = "text";
  std::string engine;
  std::optional<int64_t> limit;
};

int64_t Get(const std::map<std::string, int64_t>& counts, const std::string& key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

// The counts whose key starts with `prefix` ("created.hubspot" and "created.hubspot.tasks").
int64_t Sum(const std::map<std::string, int64_t>& counts, const std::string& prefix) {
  int64_t n = 0;
  for (auto it = counts.lower_bound(prefix);
       it != counts.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    n += it->second;
  return n;
}

void PrintText(std::ostream& out, const engine::ImportPlan& plan,
               const engine::ImportResult& result, bool dry_run) {
  const engine::RunReport& r = result.total;
  PrintPlanEntries(out, r.plan);
  const char* verb = dry_run ? "would be " : "";
  out << (dry_run ? "Import plan (nothing was written)\n" : "Import summary\n");
  if (!plan.campaign_id.empty())
    out << "  campaign:            \"" << plan.campaign_name << "\" (" << plan.campaign_id
        << "): " << plan.campaign_leads << " leads, " << plan.campaign_contacts << " contacts\n";
  for (const auto& [object, report] : result.by_object) {
    const auto& c = report.counts;
    std::string label = "  " + object + ":";
    label.resize(std::max<size_t>(label.size() + 1, 23), ' ');
    if (object == "Task" || object == "Event") {  // engagements (R89, R90)
      const char* skip = "skipped.salesforce_activities.";
      out << label << "read " << Get(c, "read.salesforce.activities") << ", " << verb << "created "
          << Sum(c, "created.hubspot.") << " engagements, " << verb << "updated "
          << Sum(c, "updated.hubspot.") << ", contact not synced "
          << Get(c, std::string(skip) + "unsynced") << ", made by Syncline "
          << Get(c, std::string(skip) + "from_hubspot") << ", type not listed "
          << Get(c, std::string(skip) + "type") << "\n";
      continue;
    }
    out << label << "read " << Get(c, "read.salesforce") << ", " << verb << "created "
        << Get(c, "created.hubspot") << ", " << verb << "updated " << Get(c, "updated.hubspot")
        << ", paired " << Get(c, "linked") << ", unchanged " << Get(c, "unchanged") << "\n";
  }
  const auto& c = r.counts;
  out << "  created in HubSpot:  " << Sum(c, "created.hubspot") << "\n";
  out << "  updated in HubSpot:  " << Sum(c, "updated.hubspot") << "\n";
  if (Get(c, "associated.hubspot"))
    out << "  associated in HubSpot: " << Get(c, "associated.hubspot") << "\n";
  out << "  skipped, no email:   " << Get(c, "skipped.no_key") << " (R128)\n";
  out << "  skipped, same email: "
      << Get(c, "skipped.duplicate_key") + Get(c, "skipped.already_paired")
      << " (one HubSpot record per email, R128)\n";
  if (Get(c, "skipped.converted"))
    out << "  skipped, converted:  " << Get(c, "skipped.converted") << " (R62)\n";
  if (Get(c, "skipped.segment"))
    out << "  skipped by segment:  " << Get(c, "skipped.segment") << "\n";
  if (Get(c, "import.not_found"))
    out << "  not found:           " << Get(c, "import.not_found") << "\n";
  int64_t errors = 0;
  for (const auto& [k, v] : r.errors) errors += v;
  out << "  errors:              " << errors;
  if (errors) {
    out << " (";
    bool first = true;
    for (const auto& [k, v] : r.errors) {
      out << (first ? "" : ", ") << k << " " << v;
      first = false;
    }
    out << ")";
  }
  out << "\n";
  out << "  API calls:           HubSpot " << r.hubspot_calls << ", Salesforce "
      << r.salesforce_calls << "\n";
  for (const auto& [object, report] : result.by_object)
    if (Get(report.counts, "import.capped"))
      out << "  capped:              " << object << ": " << report.message << "\n";
  if (r.status != "ok") out << "  stopped:             " << r.status << ": " << r.message << "\n";
}

json ResultJson(const engine::ImportPlan& plan, const engine::ImportResult& result, bool dry_run) {
  json j = ReportJson(result.total, dry_run);
  json objects = json::array();
  for (const auto& [object, report] : result.by_object) {
    json o = {{"object", object}, {"counts", report.counts}};
    if (Get(report.counts, "import.capped")) o["capped"] = report.message;
    objects.push_back(o);
  }
  j["objects"] = objects;
  if (!plan.campaign_id.empty())
    j["campaign"] = {{"id", plan.campaign_id},
                     {"name", plan.campaign_name},
                     {"leads", plan.campaign_leads},
                     {"contacts", plan.campaign_contacts}};
  j["dry_run"] = dry_run;
  return j;
}

int Import(const ImportOptions& o) {
  SyncConfig config;
  std::string error;
  if (!LoadConfig(o.config, &config, &error)) {
    std::cerr << "syncline import: " << error << "\n";
    return 2;
  }
  if (!o.rules.empty()) config.rules = o.rules;  // as given on the command line
  Configured c;
  if (!OpenConfigured(config, o.engine, "syncline import", &c)) return 2;
  engine::ImportRequest request{o.object, o.campaign, o.limit};
  const engine::ImportPlan plan =
      engine::PlanImport(c.rules->syncs(), c.crms->salesforce(), request, c.rules->activities());
  if (!plan.error.empty()) {
    std::cerr << "syncline import: " << plan.error << "\n";
    return 2;
  }
  std::unique_ptr<state::SqliteStateStore> store =
      OpenStateStore(config.state, o.dry_run, "syncline import");
  if (!store) return 2;
  engine::RunOptions ro = c.options;
  ro.dry_run = o.dry_run;
  ro.record_plan = o.dry_run;
  ro.progress = TerminalProgress(o.quiet);
  const int64_t started = ro.now_ms ? ro.now_ms() : 0;
  int64_t run_id = 0;
  if (!o.dry_run) run_id = store->BeginRun(started);
  engine::ImportResult result =
      engine::RunImport(plan, c.crms->hubspot(), c.crms->salesforce(), *store, ro);
  if (!o.dry_run) {
    state::Run run;
    run.id = run_id;
    run.started_ms = started;
    run.ended_ms = ro.now_ms ? ro.now_ms() : 0;
    run.status = result.total.status;
    json counts = result.total.counts;
    counts["import"] = 1;
    run.counts = counts.dump();
    run.hubspot_calls = result.total.hubspot_calls;
    run.salesforce_calls = result.total.salesforce_calls;
    store->EndRun(run);
  }
  if (ro.progress) std::cerr << "\r\033[K";
  if (o.format == "json")
    std::cout << ResultJson(plan, result, o.dry_run).dump(o.dry_run ? 2 : -1) << std::endl;
  else if (!o.quiet || result.total.status != "ok")
    PrintText(std::cout, plan, result, o.dry_run);
  if (o.dry_run) return result.total.status == "ok" ? 0 : 3;
  const int code = RunExitCode(result.total);
  // Capped (R72): not everything came in; the next import continues.
  return code == 0 && Get(result.total.counts, "import.capped") ? 1 : code;
}

const CommandRegistration registration(305, [](CLI::App& app, CommandRunner& run) {
  auto* cmd = app.add_subcommand(
      "import", "Import existing Salesforce records into HubSpot through the rules' syncs");
  auto o = std::make_shared<ImportOptions>();
  cmd->add_option("rules", o->rules, "Rule files or folders (default: the config's `rules`)");
  cmd->add_option("--config", o->config, "The syncline.toml to use (default: ./syncline.toml)");
  cmd->add_option("--object", o->object,
                  "One Salesforce object: Lead, Contact, Account, Opportunity, Case, a custom "
                  "object a sync pairs, or Task/Event through an `activities from "
                  "salesforce.Task` block (default: every object of every sync, then tasks "
                  "and events)");
  cmd->add_option("--campaign", o->campaign,
                  "Only the leads and contacts of this active campaign (its id or name)");
  cmd->add_option("--limit", o->limit,
                  "At most N records per object, then stop; the next import continues where "
                  "it stopped (default: 200000 for Account, R72; none for the rest; 0: none)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--dry-run", o->dry_run,
                "Show what the import would write, field by field; write nothing");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress and no summary unless the import stops");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--engine", o->engine, "Override the config's engine")
      ->check(CLI::IsMember({"jit", "interp"}));
  cmd->footer(
      "Reads every record of the object (or the campaign's members) whatever the sync's\n"
      "watermarks, and creates or updates HubSpot records through the sync's mappings: one\n"
      "HubSpot contact per email, records without an email skipped (R128). Links are stored as\n"
      "a run stores them, so a later `syncline run` continues without duplicates and an import\n"
      "can be repeated. Salesforce is not written. Tasks and events become HubSpot\n"
      "engagements of the types the `activities from salesforce.Task` block lists, whatever\n"
      "their age, on the synced contact (import contacts first); never twice.\n"
      "Exit status: 0 imported, 1 some records failed (retried by the next run) or the\n"
      "import stopped at its --limit (import again to continue), 2 usage,\n"
      "config or rule errors, or an object no sync pairs (R66, R77) or an inactive campaign\n"
      "(R126), 3 the import stopped (suspended, unreachable, state failure).\n"
      "Examples:\n"
      "  syncline import --config syncline.toml --object Lead\n"
      "  syncline import rules/ --config syncline.toml --campaign \"Spring Launch\" --dry-run");
  cmd->callback([&run, o] { run = [o] { return Import(*o); }; });
});

}  // namespace
}  // namespace syncline::driver
