// The sync driver: runs one SyncProgram between two connectors with durable state. One run
// recovers the write journal, reads what changed on each side since the watermarks, pairs
// records (links, then the matching key, R48-R55), decides field writes with the pure core
// (core.h), writes in batches under the journal, and commits links, bases and watermarks per
// page. Then deletions (R151-R153), due error retries (R142) and lifecycle stages from
// opportunity contact roles (R96-R106). With `dry_run` it reads and decides but writes
// nothing and commits nothing: that is `syncline plan`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "engine/core.h"
#include "engine/program.h"
#include "state/state_store.h"

namespace syncline::engine {

struct RunOptions {
  bool dry_run = false;
  bool record_plan = false;         // keep a PlanEntry per record written (plan, explain, test)
  std::function<int64_t()> now_ms;  // null: the system clock
  std::function<void(const std::string& stage, int64_t done)> progress;  // null: silent
  int64_t retry_interval_ms = 30 * 60'000;                               // R142
  int hubspot_batch = 100;                                               // write items per call
  int salesforce_batch = 200;
  // Write calls out at once per CRM (1-4, engine/write_flights.h). Each waits a round trip
  // against a live CRM; several out overlap those waits.
  int hubspot_write_calls = 3;
  int salesforce_write_calls = 3;
  // Import (R125-R129, `syncline import`): when set, a run reads this Salesforce object of the
  // sync from the beginning (or only `import_ids`), whatever the watermarks say, and settles
  // each record as a new or changed one: matched by email or created in HubSpot (also with
  // `from salesforce: nothing`), linked and based as a run would, then adds their associations
  // in HubSpot. It writes HubSpot only, moves no watermark, and leaves HubSpot changes,
  // deletions, retries and lifecycle stages to the next run.
  std::string import_object;
  std::optional<std::vector<std::string>> import_ids;  // nullopt: every record
  // At most this many records per import of an object (0: no cap); the next import continues
  // where a capped one stopped. `syncline import` caps accounts at 200,000 (R72).
  int64_t import_limit = 0;
  // Workflows (R137: a contact is synced to Salesforce before an action there): when set, a run
  // reads only these HubSpot records and settles each as changed (created in or paired with
  // Salesforce, or updated), as far as the sync's rules allow: the include filter and the
  // create settings still apply. It moves no watermark and leaves everything else to the next
  // run.
  std::optional<std::vector<std::string>> hubspot_ids;
  // R38 (a manual segment resync, `syncline push --segment NAME`): when set, a run reads the
  // members of this HubSpot list and settles each as `hubspot_ids` does. When the include filter
  // names the list, its members then count as seen by the segment trigger (R39).
  std::optional<std::string> resync_segment;
  // R71 (`syncline push --create`, the Sync card's "create account"): a company that R70 keeps
  // out of Salesforce (no contacts, only leads, none synced) gets its account anyway, when the
  // sync creates accounts at all.
  bool force_create = false;
  // The lifecycle pass (R96-R106) of a contacts sync: with the run (`kWithRun`), left out
  // (`kDefer`), or alone (`kOnly`, no other reads or writes). RunAll defers it to after every
  // sync, so the contact roles the deals sync writes to Salesforce move stages in the same run
  // rather than the next.
  enum class LifecyclePass { kWithRun, kDefer, kOnly } lifecycle_pass = LifecyclePass::kWithRun;
};

// One record's outcome, for plans and explanations.
struct PlanEntry {
  std::string side;    // the side written: "hubspot" / "salesforce"
  std::string object;  // "Lead", "contacts"
  std::string action;  // create, update, delete, link, error
  std::string id;      // the record written (empty for a create)
  std::string source;  // "hubspot contacts 101"
  std::vector<FieldChange> changes;
  std::string reason;
};

struct RunReport {
  std::map<std::string, int64_t> counts;  // "read.hubspot", "created.salesforce", ...
  std::map<std::string, int64_t> errors;  // sync errors by category
  std::map<std::string, std::map<std::string, int64_t>> by_sync;  // counts per sync name
  std::vector<PlanEntry> plan;
  std::string status = "ok";  // ok, failed, suspended
  std::string message;
  int64_t hubspot_calls = 0, salesforce_calls = 0;
  // The fewest calls the same reads and writes could take with full pages and batches.
  int64_t hubspot_min_calls = 0, salesforce_min_calls = 0;
  void Merge(const RunReport& other);
};

class SyncRunner {
 public:
  SyncRunner(const SyncProgram& program, connectors::Connector& hubspot,
             connectors::Connector& salesforce, state::StateStore& store, RunOptions options);
  ~SyncRunner();
  RunReport Run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace syncline::engine
