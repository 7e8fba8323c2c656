// What `run`, `plan`, `demo` and `test` share: the TOML config, connections to both CRMs
// (live endpoints or in-process sandboxes), running every sync of a rule set in order, and
// printing a run's summary as text or JSON.
#pragma once

#include <optional>

#include "webhook_listener.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/pipeline/rule_programs.h"
#include "runtime/connectors/connector.h"
#include "runtime/engine/sync_runner.h"
#include "runtime/sandbox/hubspot_sandbox.h"
#include "runtime/sandbox/salesforce_sandbox.h"
#include "runtime/state/sqlite_state_store.h"
#include "runtime/state/state_store.h"

namespace syncline::driver {

struct CrmEndpoint {
  std::string url;        // HubSpot API root / Salesforce instance URL ("" = from OAuth)
  std::string token_env;  // variable holding a private-app or access token
  // OAuth refresh-token flow (used when refresh_token_env is set).
  std::string token_url, client_id_env, client_secret_env, refresh_token_env;
  int64_t daily_budget = 0;  // calls allocated to Syncline per UTC day (R139); 0: none
  bool rate_limit = true;    // client-side 10-second window (HubSpot)
  int batch_size = 0;        // records per write call; 0: the API's maximum (100 / 200)
  int write_calls = 0;       // write calls out at once (1-4); 0: the engine's default
};

struct SyncConfig {
  std::string path;  // the config file; relative paths below are relative to its folder
  std::vector<std::string> rules, schemas;
  std::string engine = "jit";
  std::string state = "syncline.db";
  CrmEndpoint hubspot, salesforce;
  // [sandbox]: in-process sandboxes instead of live endpoints.
  bool sandbox = false;
  std::string sandbox_seed = "demo";
  int sandbox_contacts = 2000;
  std::string sandbox_data;    // folder keeping sandbox data across runs ("" = memory)
  int watch_interval_s = 900;  // R120: HubSpot polls every 15 minutes
  // [webhooks]: `run --watch` also wakes on HubSpot webhook events (docs/runtime.md).
  std::optional<WebhookOptions> webhooks;
  int retry_interval_s = 1800;  // R142: records with sync errors are retried after 30 minutes
};

// Reads and validates a config file. False with a message naming the file and key.
bool LoadConfig(const std::string& path, SyncConfig* out, std::string* error);

// Connections to both CRMs.
class Crms {
 public:
  // Live endpoints from the config (secrets from the named environment variables).
  static std::unique_ptr<Crms> Live(const SyncConfig& config, std::string* error);
  struct SandboxSetup {
    std::string seed = "demo";  // demo | empty
    int contacts = 2000;
    std::string data_dir;
    bool rate_limits = true;
    // A clock the caller moves (tests); null: real time.
    std::shared_ptr<sandbox::Clock> clock;
    // `--schemas` folders: the sandboxes hold these objects, fields, pipelines and options
    // too, as the org they describe would (empty: the builtin schemas).
    std::vector<std::string> schema_dirs;
  };
  // Both sandboxes in this process, on loopback ports.
  static std::unique_ptr<Crms> Sandboxes(const SandboxSetup& setup, std::string* error);
  ~Crms();

  connectors::Connector& hubspot() { return *hubspot_; }
  connectors::Connector& salesforce() { return *salesforce_; }
  sandbox::HubSpotSandbox* hubspot_sandbox() { return hs_sandbox_.get(); }
  sandbox::SalesforceSandbox* salesforce_sandbox() { return sf_sandbox_.get(); }

 private:
  Crms() = default;
  std::unique_ptr<sandbox::HubSpotSandbox> hs_sandbox_;
  std::unique_ptr<sandbox::SalesforceSandbox> sf_sandbox_;
  std::unique_ptr<connectors::Connector> hubspot_, salesforce_;
};

// What `run` and `plan` need from a config: its rules compiled, both CRMs connected (live or
// in-process sandboxes), and the run options it sets (batch sizes, retry interval).
struct Configured {
  std::unique_ptr<pipeline::CompiledRules> rules;
  std::unique_ptr<Crms> crms;
  engine::RunOptions options;
};
// `engine` overrides the config's engine when not empty. Errors go to stderr, prefixed with
// `who` ("syncline run"); false on failure (exit status 2).
bool OpenConfigured(const SyncConfig& config, const std::string& engine, const std::string& who,
                    Configured* out);

// Opens the state store at `path`; with `read_only` (plan, dry runs) a missing file is an empty
// state in memory, so nothing is created. Errors go to stderr, prefixed with `who`; null on
// failure (exit status 2).
std::unique_ptr<state::SqliteStateStore> OpenStateStore(const std::string& path, bool read_only,
                                                        const std::string& who);

// Runs every sync of the rules, in dependency order (contacts before companies, deals and
// tickets), and merges their reports.
engine::RunReport RunSyncs(const pipeline::CompiledRules& rules, Crms& crms,
                           state::StateStore& store, const engine::RunOptions& options);

// A progress line on stderr when it is a terminal (and not quiet); nothing otherwise.
std::function<void(const std::string&, int64_t)> TerminalProgress(bool quiet);

// Each planned write with its field changes and the rule that caused it (plan, import).
void PrintPlanEntries(std::ostream& out, const std::vector<engine::PlanEntry>& plan);
void PrintReportText(std::ostream& out, const engine::RunReport& report, bool plan);
nlohmann::json ReportJson(const engine::RunReport& report, bool plan);

// Exit status of a run: 0 ok, 1 some records failed (sync errors recorded), 3 the run stopped
// (suspended, unreachable, state failure).
int RunExitCode(const engine::RunReport& report);

}  // namespace syncline::driver
