#include "sync_setup.h"

#include <toml++/toml.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "runtime/connectors/auth.h"
#include "runtime/connectors/hubspot_connector.h"
#include "runtime/connectors/salesforce_connector.h"
#include "runtime/engine/run_all.h"
#include "runtime/sandbox/schema_adapter.h"

namespace syncline::driver {

using nlohmann::json;

namespace {

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

bool ReadEndpoint(const toml::table* t, const std::string& name, CrmEndpoint* e,
                  std::string* error) {
  if (!t) return true;
  for (auto&& [key, value] : *t) {
    const std::string k(key.str());
    if (k == "url" || k == "token_env" || k == "token_url" || k == "client_id_env" ||
        k == "client_secret_env" || k == "refresh_token_env") {
      if (!value.is_string()) {
        *error = "[" + name + "] " + k + " must be a string";
        return false;
      }
      const std::string v = *value.value<std::string>();
      if (k == "url") e->url = v;
      if (k == "token_env") e->token_env = v;
      if (k == "token_url") e->token_url = v;
      if (k == "client_id_env") e->client_id_env = v;
      if (k == "client_secret_env") e->client_secret_env = v;
      if (k == "refresh_token_env") e->refresh_token_env = v;
    } else if (k == "daily_budget") {
      if (!value.is_integer() || *value.value<int64_t>() < 0) {
        *error = "[" + name + "] daily_budget must be a whole number of calls (0: no cap)";
        return false;
      }
      e->daily_budget = *value.value<int64_t>();
    } else if (k == "batch_size") {
      const int64_t max = name == "hubspot" ? 100 : 200;
      if (!value.is_integer() || *value.value<int64_t>() < 1 || *value.value<int64_t>() > max) {
        *error = "[" + name + "] batch_size must be between 1 and " + std::to_string(max);
        return false;
      }
      e->batch_size = static_cast<int>(*value.value<int64_t>());
    } else if (k == "write_calls") {
      if (!value.is_integer() || *value.value<int64_t>() < 1 || *value.value<int64_t>() > 4) {
        *error = "[" + name + "] write_calls must be between 1 and 4 (write calls out at once)";
        return false;
      }
      e->write_calls = static_cast<int>(*value.value<int64_t>());
    } else if (k == "rate_limit") {
      if (!value.is_boolean()) {
        *error = "[" + name + "] rate_limit must be true or false";
        return false;
      }
      e->rate_limit = *value.value<bool>();
    } else if (k == "token" || k == "secret" || k == "client_secret" || k == "refresh_token") {
      *error = "[" + name + "] " + k +
               ": secrets are never read from the config file; name the environment variable "
               "that holds it with " +
               k + "_env";
      return false;
    } else {
      *error = "[" + name + "] unknown key `" + k + "`";
      return false;
    }
  }
  return true;
}

bool StringList(const toml::node& node, const std::string& key, std::vector<std::string>* out,
                std::string* error) {
  if (node.is_string()) {
    out->push_back(*node.value<std::string>());
    return true;
  }
  if (const toml::array* a = node.as_array()) {
    for (const auto& item : *a) {
      if (!item.is_string()) {
        *error = key + " must be a list of paths";
        return false;
      }
      out->push_back(*item.value<std::string>());
    }
    return true;
  }
  *error = key + " must be a path or a list of paths";
  return false;
}

}  // namespace

bool LoadConfig(const std::string& path, SyncConfig* c, std::string* error) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream s;
    s << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
      << e.description();
    *error = s.str();
    return false;
  }
  c->path = path;
  const std::string dir = std::filesystem::path(path).parent_path().string();
  auto fail = [&](const std::string& message) {
    *error = path + ": " + message;
    return false;
  };
  for (auto&& [key, value] : root) {
    const std::string k(key.str());
    std::string e;
    if (k == "rules" || k == "schemas") {
      if (!StringList(value, k, k == "rules" ? &c->rules : &c->schemas, &e)) return fail(e);
    } else if (k == "engine") {
      if (!value.is_string()) return fail("engine must be \"jit\" or \"interp\"");
      c->engine = *value.value<std::string>();
      if (c->engine != "jit" && c->engine != "interp")
        return fail("engine must be \"jit\" or \"interp\", not \"" + c->engine + "\"");
    } else if (k == "state") {
      if (!value.is_string()) return fail("state must be the path of the SQLite state file");
      c->state = *value.value<std::string>();
    } else if (k == "watch_interval_seconds") {
      if (!value.is_integer() || *value.value<int64_t>() < 1)
        return fail("watch_interval_seconds must be a positive whole number");
      c->watch_interval_s = static_cast<int>(*value.value<int64_t>());
    } else if (k == "retry_interval_seconds") {
      if (!value.is_integer() || *value.value<int64_t>() < 1)
        return fail("retry_interval_seconds must be a positive whole number");
      c->retry_interval_s = static_cast<int>(*value.value<int64_t>());
    } else if (k == "hubspot" || k == "salesforce") {
      if (!value.is_table()) return fail("[" + k + "] must be a table");
      if (!ReadEndpoint(value.as_table(), k, k == "hubspot" ? &c->hubspot : &c->salesforce, &e))
        return fail(e);
    } else if (k == "webhooks") {
      const toml::table* t = value.as_table();
      if (!t) return fail("[webhooks] must be a table");
      WebhookOptions w;
      for (auto&& [wk, wv] : *t) {
        const std::string s(wk.str());
        if ((s == "listen" || s == "path" || s == "url" || s == "client_secret_env") &&
            wv.is_string()) {
          const std::string v = *wv.value<std::string>();
          (s == "listen" ? w.listen
           : s == "path" ? w.path
           : s == "url"  ? w.url
                         : w.client_secret_env) = v;
        } else if (s == "debounce_ms" && wv.is_integer() && *wv.value<int64_t>() >= 0) {
          w.debounce_ms = static_cast<int>(*wv.value<int64_t>());
        } else {
          return fail("[webhooks] unknown or mistyped key `" + s + "`");
        }
      }
      if (w.client_secret_env.empty())
        return fail(
            "[webhooks] needs client_secret_env: the variable holding the HubSpot app's "
            "client secret, which signs every webhook request");
      if (w.path.empty() || w.path.front() != '/') return fail("[webhooks] path must start with /");
      c->webhooks = w;
    } else if (k == "sandbox") {
      const toml::table* t = value.as_table();
      if (!t) return fail("[sandbox] must be a table");
      c->sandbox = true;
      for (auto&& [sk, sv] : *t) {
        const std::string s(sk.str());
        if (s == "enabled" && sv.is_boolean()) {
          c->sandbox = *sv.value<bool>();
        } else if (s == "seed" && sv.is_string()) {
          c->sandbox_seed = *sv.value<std::string>();
          if (c->sandbox_seed != "demo" && c->sandbox_seed != "empty")
            return fail("[sandbox] seed must be \"demo\" or \"empty\"");
        } else if (s == "contacts" && sv.is_integer()) {
          c->sandbox_contacts = static_cast<int>(*sv.value<int64_t>());
        } else if (s == "data" && sv.is_string()) {
          c->sandbox_data = *sv.value<std::string>();
        } else {
          return fail("[sandbox] unknown or mistyped key `" + s + "`");
        }
      }
    } else {
      return fail("unknown key `" + k + "`");
    }
  }
  if (c->rules.empty()) return fail("`rules` is missing: name the rule files or folders to run");
  for (auto& r : c->rules) r = Resolve(dir, r);
  for (auto& s : c->schemas) s = Resolve(dir, s);
  if (c->state != ":memory:") c->state = Resolve(dir, c->state);
  if (!c->sandbox_data.empty()) c->sandbox_data = Resolve(dir, c->sandbox_data);
  if (!c->sandbox) {
    if (c->hubspot.token_env.empty() && c->hubspot.refresh_token_env.empty())
      return fail("[hubspot] needs token_env (a private-app token) or refresh_token_env (OAuth)");
    if (c->salesforce.token_env.empty() && c->salesforce.refresh_token_env.empty())
      return fail("[salesforce] needs token_env or refresh_token_env (OAuth)");
  }
  return true;
}

namespace {

std::shared_ptr<connectors::http::ApiLimits> Limits(const CrmEndpoint& e, bool hubspot) {
  connectors::http::LimitOptions lo;
  // HubSpot allows 190 calls per 10 s for private apps; keep a little under it (A13).
  if (hubspot && e.rate_limit) lo.window_max = 150;
  lo.daily_cap = e.daily_budget;
  return std::make_shared<connectors::http::ApiLimits>(lo);
}

bool Auth(const CrmEndpoint& e, bool hubspot, std::shared_ptr<connectors::TokenProvider>* out,
          std::string* error) {
  connectors::Error err;
  if (!e.refresh_token_env.empty()) {
    connectors::OAuthOptions oo;
    oo.token_url = !e.token_url.empty() ? e.token_url
                   : hubspot            ? "https://api.hubapi.com/oauth/v1/token"
                                        : "https://login.salesforce.com/services/oauth2/token";
    oo.client_id_env = e.client_id_env;
    oo.client_secret_env = e.client_secret_env;
    oo.refresh_token_env = e.refresh_token_env;
    err = connectors::OAuthRefreshToken::Create(oo, nullptr, out);
  } else {
    err = connectors::StaticToken::FromEnv(e.token_env, out);
  }
  if (!err.ok()) *error = std::string(hubspot ? "HubSpot" : "Salesforce") + ": " + err.message;
  return err.ok();
}

}  // namespace

Crms::~Crms() {
  hubspot_.reset();
  salesforce_.reset();
  if (hs_sandbox_) hs_sandbox_->Stop();
  if (sf_sandbox_) sf_sandbox_->Stop();
}

std::unique_ptr<Crms> Crms::Live(const SyncConfig& c, std::string* error) {
  std::unique_ptr<Crms> crms(new Crms());
  connectors::HubSpotConfig hc;
  hc.session.base_url = c.hubspot.url.empty() ? "https://api.hubapi.com" : c.hubspot.url;
  if (!Auth(c.hubspot, true, &hc.session.auth, error)) return nullptr;
  hc.session.limits = Limits(c.hubspot, true);
  connectors::SalesforceConfig sc;
  sc.session.base_url = c.salesforce.url;
  if (!Auth(c.salesforce, false, &sc.session.auth, error)) return nullptr;
  sc.session.limits = Limits(c.salesforce, false);
  crms->hubspot_ = std::make_unique<connectors::HubSpotConnector>(hc);
  crms->salesforce_ = std::make_unique<connectors::SalesforceConnector>(sc);
  return crms;
}

namespace {

// The connectors read the sandboxes' clock: with a frozen clock (`syncline test`) the
// replication windows and retry waits are in the sandboxes' time, not the machine's.
class SandboxTime final : public connectors::http::Clock {
 public:
  explicit SandboxTime(std::shared_ptr<sandbox::Clock> clock) : clock_(std::move(clock)) {}
  int64_t NowMs() override { return clock_->NowMs(); }
  void SleepMs(int64_t ms) override {
    if (clock_->fixed())
      clock_->Advance(ms);
    else
      real_.SleepMs(ms);
  }

 private:
  std::shared_ptr<sandbox::Clock> clock_;
  connectors::http::SystemClock real_;
};

}  // namespace

std::unique_ptr<Crms> Crms::Sandboxes(const SandboxSetup& s, std::string* error) {
  std::unique_ptr<Crms> crms(new Crms());
  auto clock = s.clock ? s.clock : std::make_shared<sandbox::Clock>();
  std::shared_ptr<const sandbox::ObjectCatalog> catalog = sandbox::BuiltinSchemaCatalog();
  if (!s.schema_dirs.empty()) {
    schema::SchemaEnv env = schema::SchemaEnv::Builtin();
    for (const auto& dir : s.schema_dirs) {
      auto errors = env.LoadDirectory(dir);
      if (!errors.empty()) {
        *error =
            "schemas for the sandboxes: " + errors.front().path + ": " + errors.front().message;
        return nullptr;
      }
    }
    catalog = sandbox::SchemaCatalog(env);
  }
  auto options = [&](const char* file, const char* token) {
    sandbox::SandboxOptions so;
    so.clock = clock;
    so.token = token;
    so.catalog = catalog;
    so.db_path =
        s.data_dir.empty() ? ":memory:" : (std::filesystem::path(s.data_dir) / file).string();
    return so;
  };
  if (!s.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(s.data_dir, ec);
  }
  // Process-local tokens: the sandboxes never leave this process.
  crms->hs_sandbox_ =
      std::make_unique<sandbox::HubSpotSandbox>(options("hubspot.db", "pat-demo-in-process"));
  crms->sf_sandbox_ =
      std::make_unique<sandbox::SalesforceSandbox>(options("salesforce.db", "00Ddemo!in-process"));
  if (!crms->hs_sandbox_->Start(error) || !crms->sf_sandbox_->Start(error)) return nullptr;
  auto limits = crms->hs_sandbox_->limits();
  limits.rate_limits = s.rate_limits;
  crms->hs_sandbox_->SetLimits(limits);
  if (s.seed == "demo") {
    const json demo = {{"contacts", s.contacts}};
    int status = 0;
    json r = crms->hs_sandbox_->Control("POST", "/_sandbox/demo", demo, &status);
    if (status != 200) {
      *error = "HubSpot sandbox demo data: " + r.dump();
      return nullptr;
    }
    r = crms->sf_sandbox_->Control("POST", "/_sandbox/demo", demo, &status);
    if (status != 200) {
      *error = "Salesforce sandbox demo data: " + r.dump();
      return nullptr;
    }
  }
  connectors::HubSpotConfig hc;
  hc.session.vendor = connectors::Vendor::kHubSpot;
  hc.session.base_url = crms->hs_sandbox_->base_url();
  hc.session.auth = std::make_shared<connectors::StaticToken>(crms->hs_sandbox_->token());
  hc.session.clock = std::make_shared<SandboxTime>(clock);
  if (s.rate_limits) {
    connectors::http::LimitOptions lo;
    lo.window_max = 150;
    hc.session.limits = std::make_shared<connectors::http::ApiLimits>(lo);
  }
  connectors::SalesforceConfig sc;
  sc.session.vendor = connectors::Vendor::kSalesforce;
  sc.session.base_url = crms->sf_sandbox_->base_url();
  sc.session.auth = std::make_shared<connectors::StaticToken>(crms->sf_sandbox_->token());
  sc.session.clock = hc.session.clock;
  crms->hubspot_ = std::make_unique<connectors::HubSpotConnector>(hc);
  crms->salesforce_ = std::make_unique<connectors::SalesforceConnector>(sc);
  return crms;
}

bool OpenConfigured(const SyncConfig& config, const std::string& engine, const std::string& who,
                    Configured* out) {
  pipeline::Options po;
  po.schema_dirs = config.schemas;
  po.engine = (engine.empty() ? config.engine : engine) == "interp" ? pipeline::EngineKind::kInterp
                                                                    : pipeline::EngineKind::kJit;
  int code = 0;
  out->rules = pipeline::CompiledRules::Compile(config.rules, po, std::cerr, &code);
  if (!out->rules) return false;
  std::string error;
  if (config.sandbox) {
    Crms::SandboxSetup s;
    s.seed = config.sandbox_seed;
    s.contacts = config.sandbox_contacts;
    s.data_dir = config.sandbox_data;
    s.schema_dirs = config.schemas;
    out->crms = Crms::Sandboxes(s, &error);
  } else {
    out->crms = Crms::Live(config, &error);
  }
  if (!out->crms) {
    std::cerr << who << ": " << error << "\n";
    return false;
  }
  out->options.retry_interval_ms = int64_t{config.retry_interval_s} * 1000;
  if (config.hubspot.batch_size > 0) out->options.hubspot_batch = config.hubspot.batch_size;
  if (config.salesforce.batch_size > 0)
    out->options.salesforce_batch = config.salesforce.batch_size;
  if (config.hubspot.write_calls > 0) out->options.hubspot_write_calls = config.hubspot.write_calls;
  if (config.salesforce.write_calls > 0)
    out->options.salesforce_write_calls = config.salesforce.write_calls;
  return true;
}

std::unique_ptr<state::SqliteStateStore> OpenStateStore(const std::string& path, bool read_only,
                                                        const std::string& who) {
  try {
    return std::make_unique<state::SqliteStateStore>(
        !read_only || std::filesystem::exists(path) ? path : ":memory:");
  } catch (const state::StateError& e) {
    std::cerr << who << ": state " << path << ": " << e.what() << "\n";
    return nullptr;
  }
}

engine::RunReport RunSyncs(const pipeline::CompiledRules& rules, Crms& crms,
                           state::StateStore& store, const engine::RunOptions& options) {
  const int64_t started = options.now_ms ? options.now_ms() : 0;
  int64_t run_id = 0;
  if (!options.dry_run) run_id = store.BeginRun(started);
  engine::RunReport total = engine::RunAll(rules.syncs(), rules.activities(), rules.workflows(),
                                           crms.hubspot(), crms.salesforce(), store, options);
  if (!options.dry_run) {
    state::Run run;
    run.id = run_id;
    run.started_ms = started;
    run.ended_ms = options.now_ms ? options.now_ms() : 0;
    run.status = total.status;
    run.counts = json(total.counts).dump();
    run.hubspot_calls = total.hubspot_calls;
    run.salesforce_calls = total.salesforce_calls;
    store.EndRun(run);
  }
  return total;
}

std::function<void(const std::string&, int64_t)> TerminalProgress(bool quiet) {
  if (quiet || !isatty(STDERR_FILENO)) return nullptr;
  return [](const std::string& stage, int64_t done) {
    std::cerr << "\r\033[K" << stage << ": " << done << " records" << std::flush;
  };
}

namespace {

int64_t Get(const engine::RunReport& r, const std::string& key) {
  auto it = r.counts.find(key);
  return it == r.counts.end() ? 0 : it->second;
}

std::string Show(const json& v) {
  if (v.is_null()) return "(blank)";
  if (v.is_string()) return v.get<std::string>().empty() ? "(blank)" : json(v).dump();
  return v.dump();
}

}  // namespace

void PrintPlanEntries(std::ostream& out, const std::vector<engine::PlanEntry>& plan) {
  for (const auto& e : plan) {
    out << e.action << " " << e.side;
    if (!e.object.empty()) out << " " << e.object;
    if (!e.id.empty()) out << " " << e.id;
    if (!e.source.empty()) out << " (from " << e.source << ")";
    if (!e.reason.empty() && e.changes.empty()) out << ": " << e.reason;
    out << "\n";
    for (const auto& c : e.changes) {
      out << "    " << c.field << ": " << Show(c.before) << " -> " << Show(c.after);
      if (!c.reason.empty() && c.reason != "create") out << "   [" << c.reason << "]";
      out << "\n";
    }
  }
  if (!plan.empty()) out << "\n";
}

void PrintReportText(std::ostream& out, const engine::RunReport& r, bool plan) {
  if (plan) PrintPlanEntries(out, r.plan);
  const char* verb = plan ? "would be " : "";
  out << (plan ? "Plan (nothing was written)\n" : "Sync summary\n");
  out << "  records read:        HubSpot " << Get(r, "read.hubspot") << ", Salesforce "
      << Get(r, "read.salesforce") << "\n";
  out << "  " << verb << "created:         HubSpot " << Get(r, "created.hubspot") << ", Salesforce "
      << Get(r, "created.salesforce") << "\n";
  out << "  " << verb << "updated:         HubSpot " << Get(r, "updated.hubspot") << ", Salesforce "
      << Get(r, "updated.salesforce") << "\n";
  out << "  " << verb << "deleted:         HubSpot " << Get(r, "deleted.hubspot") << "\n";
  out << "  newly paired:        " << Get(r, "linked") << "\n";  // by email, contacts, id
  out << "  lifecycle changes:   " << Get(r, "lifecycle.updated") << "\n";
  out << "  skipped by segment:  " << Get(r, "skipped.segment") << "\n";
  out << "  skipped, no email:   " << Get(r, "skipped.no_key") << "\n";
  out << "  unchanged:           " << Get(r, "unchanged") << "\n";
  if (Get(r, "read.hubspot.activities") || Get(r, "waiting.activities") ||
      Get(r, "retried.activities")) {
    int64_t tasks = 0;
    for (const auto& [k, v] : r.counts)
      if (k.rfind("created.salesforce.", 0) == 0) tasks += v;
    out << "  activities:          read " << Get(r, "read.hubspot.activities") << ", " << verb
        << "created as tasks " << tasks << ", waiting for their contact "
        << Get(r, "waiting.activities") << "\n";
  }
  if (Get(r, "workflow.enrolled") || Get(r, "waiting.workflow") || Get(r, "workflow.done") ||
      Get(r, "workflow.started"))
    out << "  workflows:           " << verb << "enrolled " << Get(r, "workflow.enrolled")
        << ", actions done for " << Get(r, "workflow.done") << ", waiting "
        << Get(r, "waiting.workflow") << ", failed " << Get(r, "workflow.failed") << "\n";
  if (Get(r, "read.salesforce.activities") || Get(r, "waiting.salesforce_activities") ||
      Get(r, "retried.salesforce_activities")) {
    int64_t created = 0, updated = 0;
    for (const auto& [k, v] : r.counts) {
      if (k.rfind("created.hubspot.", 0) == 0) created += v;
      if (k.rfind("updated.hubspot.", 0) == 0) updated += v;
    }
    out << "  activities from SF:  read " << Get(r, "read.salesforce.activities") << ", " << verb
        << "created as engagements " << created << ", " << verb << "updated " << updated
        << ", waiting for their contact " << Get(r, "waiting.salesforce_activities") << "\n";
  }
  if (Get(r, "owners.no_hubspot_owner") || Get(r, "owners.not_sent"))
    out << "  owners unmatched:    " << Get(r, "owners.no_hubspot_owner")
        << " Salesforce owners with no HubSpot owner (HubSpot's kept), "
        << Get(r, "owners.not_sent")
        << " HubSpot owners with no active Salesforce user of that name and email (not sent);"
           " counted per sync\n";
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
    if (const int64_t before = Get(r, "errors.open_before"))
      out << ", " << before << " of them open since an earlier run";
  }
  out << "\n";
  if (r.by_sync.size() > 1) {
    // Every object's share: created, updated and associated, HubSpot/Salesforce.
    out << "  by sync (HubSpot/Salesforce):\n";
    for (const auto& [name, c] : r.by_sync) {
      auto get = [&c](const char* k) {
        auto it = c.find(k);
        return it == c.end() ? int64_t{0} : it->second;
      };
      std::string label = "    " + name + ":";
      label.resize(std::max<size_t>(label.size() + 1, 20), ' ');
      if (name.rfind("workflow ", 0) == 0) {
        out << label << verb << "enrolled " << get("workflow.enrolled") << ", tasks "
            << get("workflow.created.Task") << ", campaign members "
            << get("workflow.campaign_members") << ", owners set " << get("workflow.owners_set")
            << ", done " << get("workflow.done") << ", waiting " << get("waiting.workflow")
            << ", failed " << get("workflow.failed") << "\n";
        continue;
      }
      out << label << "read " << get("read.hubspot") << "/" << get("read.salesforce") << ", "
          << verb << "created " << get("created.hubspot") << "/" << get("created.salesforce")
          << ", " << verb << "updated " << get("updated.hubspot") << "/"
          << get("updated.salesforce") << ", associated " << get("associated.hubspot") << "/"
          << get("associated.salesforce") << "\n";
    }
  }
  out << "  API calls:           HubSpot " << r.hubspot_calls << " (minimum " << r.hubspot_min_calls
      << "), Salesforce " << r.salesforce_calls << " (minimum " << r.salesforce_min_calls << ")\n";
  if (r.status != "ok") out << "  stopped:             " << r.status << ": " << r.message << "\n";
}

json ReportJson(const engine::RunReport& r, bool plan) {
  json j;
  j["status"] = r.status;
  if (!r.message.empty()) j["message"] = r.message;
  j["counts"] = r.counts;
  j["errors"] = r.errors;
  j["syncs"] = r.by_sync;
  j["api_calls"] = {{"hubspot", r.hubspot_calls},
                    {"salesforce", r.salesforce_calls},
                    {"hubspot_minimum", r.hubspot_min_calls},
                    {"salesforce_minimum", r.salesforce_min_calls}};
  if (plan) {
    json items = json::array();
    for (const auto& e : r.plan) {
      json changes = json::array();
      for (const auto& c : e.changes)
        changes.push_back(
            {{"field", c.field}, {"before", c.before}, {"after", c.after}, {"reason", c.reason}});
      items.push_back({{"action", e.action},
                       {"side", e.side},
                       {"object", e.object},
                       {"id", e.id},
                       {"source", e.source},
                       {"reason", e.reason},
                       {"changes", changes}});
    }
    j["plan"] = items;
  }
  return j;
}

int RunExitCode(const engine::RunReport& r) {
  if (r.status != "ok") return 3;
  for (const auto& [k, v] : r.errors)
    if (v > 0) return 1;
  return 0;
}

}  // namespace syncline::driver
