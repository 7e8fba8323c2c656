// End-to-end fixture of the sync engine: both sandboxes on loopback (real HTTP), connectors,
// an in-memory SQLite state store, and rules compiled from text by the real pipeline (JIT by
// default). The sandboxes' clock is frozen and moved forward explicitly, so "the last change
// wins" tests control which side changed last. Tests are named after the behaviour rules.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../connectors/fixture.h"
#include "compiler/pipeline/rule_programs.h"
#include "runtime/engine/run_all.h"
#include "runtime/engine/sync_runner.h"
#include "runtime/sandbox/schema_adapter.h"
#include "runtime/state/sqlite_state_store.h"

namespace syncline::test {

using nlohmann::json;

inline std::string TempRuleFile(const std::string& text) {
  static std::atomic<int> n{0};
  const auto dir = std::filesystem::temp_directory_path() /
                   ("syncline-engine-e2e-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / ("rules" + std::to_string(n++) + ".sync");
  std::ofstream(path) << text;
  return path.string();
}

struct EngineFixture {
  std::shared_ptr<sandbox::Clock> clock = std::make_shared<sandbox::Clock>();
  std::unique_ptr<sandbox::HubSpotSandbox> hubspot_sb;
  std::unique_ptr<sandbox::SalesforceSandbox> salesforce_sb;
  std::shared_ptr<SandboxClock> client_clock;
  std::unique_ptr<connectors::HubSpotConnector> hs;
  std::unique_ptr<connectors::SalesforceConnector> sf;
  state::SqliteStateStore store{":memory:"};
  std::unique_ptr<pipeline::CompiledRules> rules;
  engine::RunOptions options;

  std::vector<std::string> schema_dirs;  // custom object schemas, for the rules and sandboxes

  // `schema_dirs`: folders of custom object schemas (hubspot/*.json, salesforce/*.json) that
  // both the sandboxes and the rules know.
  explicit EngineFixture(std::vector<std::string> custom_schemas = {})
      : schema_dirs(std::move(custom_schemas)) {
    clock->SetFixed(kT0);
    sandbox::SandboxOptions o;
    o.clock = clock;
    if (schema_dirs.empty()) {
      o.catalog = sandbox::BuiltinSchemaCatalog();
    } else {
      schema::SchemaEnv env = schema::SchemaEnv::Builtin();
      for (const auto& d : schema_dirs) REQUIRE(env.LoadDirectory(d).empty());
      o.catalog = sandbox::SchemaCatalog(env);
    }
    o.token = "hs-token";
    hubspot_sb = std::make_unique<sandbox::HubSpotSandbox>(o);
    o.token = "sf-token";
    salesforce_sb = std::make_unique<sandbox::SalesforceSandbox>(o);
    std::string error;
    REQUIRE_MESSAGE(hubspot_sb->Start(&error), error);
    REQUIRE_MESSAGE(salesforce_sb->Start(&error), error);
    auto limits = hubspot_sb->limits();
    limits.rate_limits = false;
    hubspot_sb->SetLimits(limits);
    client_clock = std::make_shared<SandboxClock>(clock);
    connectors::HubSpotConfig hc;
    hc.session = Session(hubspot_sb->base_url(), hubspot_sb->token());
    hs = std::make_unique<connectors::HubSpotConnector>(hc);
    connectors::SalesforceConfig sc;
    sc.session = Session(salesforce_sb->base_url(), salesforce_sb->token());
    sf = std::make_unique<connectors::SalesforceConnector>(sc);
    options.now_ms = [c = clock] { return c->NowMs(); };
    options.record_plan = true;
  }
  ~EngineFixture() {
    // Close the connectors' keep-alive connections first: a server stopping under an open
    // connection waits for its read timeout.
    hs.reset();
    sf.reset();
    hubspot_sb->Stop();
    salesforce_sb->Stop();
  }
  connectors::SessionOptions Session(const std::string& base, const std::string& token) {
    connectors::SessionOptions s;
    s.base_url = base;
    s.auth = std::make_shared<connectors::StaticToken>(token);
    s.clock = client_clock;
    s.jitter_seed = 7;
    s.http.timeout_ms = 20'000;
    return s;
  }

  void Rules(const std::string& text, pipeline::EngineKind kind = pipeline::EngineKind::kJit) {
    std::ostringstream diags;
    int code = 0;
    pipeline::Options po;
    po.engine = kind;
    po.schema_dirs = schema_dirs;
    rules = pipeline::CompiledRules::Compile({TempRuleFile(text)}, po, diags, &code);
    REQUIRE_MESSAGE(rules, diags.str());
  }

  // One sync run of every sync, a second after the last change.
  engine::RunReport Sync(bool dry_run = false) {
    Tick();
    engine::RunOptions o = options;
    o.dry_run = dry_run;
    engine::RunReport total;
    for (const auto& s : rules->syncs()) {
      engine::SyncRunner runner(s, *hs, *sf, store, o);
      total.Merge(runner.Run());
    }
    INFO("run message: " << total.message);
    CHECK(total.status == "ok");
    Tick();
    return total;
  }
  // One run of everything the rules hold, as `syncline run` does (engine::RunAll): syncs,
  // activities both ways, workflows. A second after the last change.
  engine::RunReport RunAll(bool dry_run = false) {
    Tick();
    engine::RunOptions o = options;
    o.dry_run = dry_run;
    o.record_plan = o.record_plan || dry_run;
    engine::RunReport total =
        engine::RunAll(rules->syncs(), rules->activities(), rules->workflows(), *hs, *sf, store, o);
    INFO("run message: " << total.message);
    CHECK(total.status == "ok");
    Tick();
    return total;
  }
  void Tick(int64_t ms = 1000) { clock->Advance(ms); }

  // ---- HubSpot
  std::string CreateContact(const json& props) {
    Tick();
    auto r = hs->Write("contacts", connectors::WriteKind::kCreate, {{"", "", "", props}});
    REQUIRE_MESSAGE(r[0].ok, r[0].error.message);
    return r[0].id;
  }
  void UpdateContact(const std::string& id, const json& props) {
    Tick();
    auto r = hs->Write("contacts", connectors::WriteKind::kUpdate, {{id, "", "", props}});
    REQUIRE_MESSAGE(r[0].ok, r[0].error.message);
  }
  json Contact(const std::string& id) {
    std::vector<connectors::Record> out;
    REQUIRE(hs->ReadByIds("contacts", {id},
                          {"email", "firstname", "lastname", "phone", "company", "jobtitle", "city",
                           "state", "country", "lifecyclestage", "website"},
                          &out)
                .ok());
    return out.empty() ? json(nullptr) : out[0].fields;
  }
  std::vector<connectors::Record> ContactsByEmail(const std::string& email) {
    std::vector<connectors::Record> out;
    REQUIRE(hs->FindByField("contacts", "email", {email}, {"email", "firstname", "lastname"}, &out)
                .ok());
    return out;
  }

  // A manual HubSpot list (segment) of `type`'s records (contacts unless told); its id.
  std::string ManualList(const std::string& name, const std::string& type = "0-1") {
    auto made =
        hs->session().Send("POST", "/crm/v3/lists",
                           {{"name", name}, {"objectTypeId", type}, {"processingType", "MANUAL"}});
    REQUIRE_MESSAGE(made.ok(), made.error.message << " " << made.body.dump());
    return made.body["list"].value("listId", "");
  }

  // ---- Salesforce
  std::string CreateSf(const std::string& object, const json& fields) {
    Tick();
    auto r = sf->Write(object, connectors::WriteKind::kCreate, {{"", "", "", fields}});
    REQUIRE_MESSAGE(r[0].ok, r[0].error.message);
    return r[0].id;
  }
  void UpdateSf(const std::string& object, const std::string& id, const json& fields) {
    Tick();
    auto r = sf->Write(object, connectors::WriteKind::kUpdate, {{id, "", "", fields}});
    REQUIRE_MESSAGE(r[0].ok, r[0].error.message);
  }
  json Sf(const std::string& object, const std::string& id,
          std::vector<std::string> fields = {"Email", "FirstName", "LastName", "Phone", "Title"}) {
    std::vector<connectors::Record> out;
    REQUIRE(sf->ReadByIds(object, {id}, fields, &out).ok());
    return out.empty() ? json(nullptr) : out[0].fields;
  }
  std::vector<connectors::Record> SfByEmail(const std::string& object, const std::string& email,
                                            std::vector<std::string> fields = {"Email", "FirstName",
                                                                               "LastName"}) {
    std::vector<connectors::Record> out;
    REQUIRE(sf->FindByField(object, "Email", {email}, fields, &out).ok());
    return out;
  }

  // Write calls each sandbox has seen (batch and single-record writes).
  int64_t HubSpotWrites() {
    int64_t n = 0;
    for (const auto& [k, v] : hubspot_sb->CallCounts())
      if (k.rfind("POST /crm/v3/objects/", 0) == 0 && k.find("/search") == std::string::npos &&
          k.find("batch/read") == std::string::npos)
        n += v;
      else if (k.rfind("PATCH", 0) == 0 || k.rfind("DELETE", 0) == 0 || k.rfind("PUT", 0) == 0)
        n += v;
    return n;
  }
  int64_t SalesforceWrites() {
    int64_t n = 0;
    for (const auto& [k, v] : salesforce_sb->CallCounts())
      if (k.rfind("POST", 0) == 0 || k.rfind("PATCH", 0) == 0 || k.rfind("DELETE", 0) == 0) n += v;
    return n;
  }
};

// A report's count (0 when absent).
inline int64_t Count(const engine::RunReport& r, const std::string& key) {
  auto it = r.counts.find(key);
  return it == r.counts.end() ? 0 : it->second;
}
// The text of a string value; "" otherwise.
inline std::string Text(const json& v) {
  return v.is_string() ? v.get<std::string>() : "";
}

// The contacts sync most tests use: leads and contacts by email, one mapping per rule.
// A Salesforce User for `SalesforceSandbox::Seed` ({"records": [...]}).
inline json SalesforceUser(const char* first, const char* last, const char* email, bool active,
                           const char* type = "Standard") {
  return json{{"type", "User"},
              {"fields",
               {{"FirstName", first},
                {"LastName", last},
                {"Email", email},
                {"Username", std::string(email) + ".org"},
                {"IsActive", active},
                {"UserType", type}}}};
}

inline std::string ContactRules(const std::string& settings, const std::string& mappings) {
  return "sync contacts: hubspot.contacts <-> salesforce.Lead | salesforce.Contact {\n"
         "  match email\n" +
         settings + "\n  map {\n    email <-> Email two-way\n    lastname <-> LastName\n" +
         "      to salesforce = lastname ?? \"[not provided]\"\n" +
         "    company <-> Lead.Company\n      to salesforce = company ?? \"[not provided]\"\n" +
         mappings + "\n  }\n}\n";
}

}  // namespace syncline::test
