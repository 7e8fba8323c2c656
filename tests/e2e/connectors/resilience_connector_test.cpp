// Retries, rate limits, budgets, token refresh and secrets, against the sandboxes' fault
// injection and a small scripted server (429 bodies without Retry-After, the OAuth token
// endpoints, which the sandboxes do not emulate). Every test asserts the calls made: nothing
// lost, nothing duplicated. Also journal recovery through a real connector.
#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <deque>
#include <set>
#include <thread>

#include "fixture.h"
#include "state/journal_recovery.h"
#include "state/sqlite_state_store.h"

using namespace syncline;
using namespace syncline::connectors;
using nlohmann::json;
using test::kT0;
using test::Sandboxes;

namespace {

// An HTTP server answering from a script: each request takes the next scripted answer (the
// last one repeats). Requests are recorded.
class ScriptedServer {
 public:
  struct Answer {
    int status = 200;
    std::string body;
    std::map<std::string, std::string> headers;
  };
  explicit ScriptedServer(std::vector<Answer> script) : script_(std::move(script)) {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      bodies.push_back(req.body);
      paths.push_back(req.path);
      const Answer& a = script_[std::min(hits++, script_.size() - 1)];
      res.status = a.status;
      for (const auto& [k, v] : a.headers) res.set_header(k, v);
      res.set_content(a.body, "application/json");
    };
    server_.set_keep_alive_max_count(1);  // close after each answer: a fast stop()
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ScriptedServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  size_t hits = 0;
  std::vector<std::string> bodies, paths;

 private:
  std::mutex mu_;
  std::vector<Answer> script_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

std::vector<std::string> SeedHs(Sandboxes& s, int n) {
  json contacts = json::array();
  for (int i = 0; i < n; ++i)
    contacts.push_back({{"properties", {{"email", "r" + std::to_string(i) + "@x.io"}}}});
  return test::SeededIds(s.hubspot->Seed({{"contacts", contacts}}), "contacts");
}

std::vector<WriteItem> Updates(const std::vector<std::string>& ids) {
  std::vector<WriteItem> items;
  for (const auto& id : ids) items.push_back({id, "", "", {{"firstname", "R"}}});
  return items;
}

}  // namespace

TEST_CASE("resilience: a 429 with Retry-After waits that long, then succeeds") {
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  auto ids = SeedHs(s, 3);
  sandbox::FaultSpec f;
  f.endpoint = "batch/update";
  f.status = 429;
  f.retry_after_s = 3;
  f.on_call = 1;
  s.hubspot->AddFault(f);
  auto res = hs.Write("contacts", WriteKind::kUpdate, Updates(ids));
  for (const auto& r : res) CHECK(r.ok);
  CHECK(s.hubspot->CallCount("batch/update") == 2);
  CHECK(s.client_clock->slept_ms == 3000);
}

TEST_CASE("resilience: 429 without Retry-After waits by HubSpot's policyName; DAILY suspends") {
  Sandboxes s;
  auto rate = [](const char* policy) {
    return ScriptedServer::Answer{429,
                                  json{{"status", "error"},
                                       {"errorType", "RATE_LIMIT"},
                                       {"policyName", policy},
                                       {"message", "You have reached your limit."}}
                                      .dump(),
                                  {}};
  };
  ScriptedServer server(
      {rate("TEN_SECONDLY_ROLLING"), rate("SECONDLY"), {200, R"({"results":[]})", {}}});
  auto config = s.HubSpotConfig();
  config.session.base_url = server.url();
  HubSpotConnector hs(config);
  std::vector<Record> out;
  CHECK(hs.ReadByIds("contacts", {"1"}, {}, &out).ok());
  CHECK(server.hits == 3);
  CHECK(s.client_clock->slept_ms == 10'000 + 1'000);

  ScriptedServer daily({rate("DAILY")});
  config.session.base_url = daily.url();
  HubSpotConnector hs2(config);
  Error e = hs2.ReadByIds("contacts", {"1"}, {}, &out);
  CHECK(e.category == ErrorCategory::kDailyLimit);
  CHECK(hs2.suspended().category == ErrorCategory::kDailyLimit);
  // Suspended: later calls fail at once without touching the network.
  auto res = hs2.Write("contacts", WriteKind::kUpdate, {{"1", "", "", {{"a", "b"}}}});
  CHECK(res[0].error.category == ErrorCategory::kDailyLimit);
  CHECK(daily.hits == 1);
}

TEST_CASE(
    "resilience: the sandbox's real 10-second limit is retried; the client limiter avoids it") {
  Sandboxes s(/*rate_limits=*/true);
  auto limits = s.hubspot->limits();
  limits.burst_per_10s = 5;
  s.hubspot->SetLimits(limits);
  auto ids = SeedHs(s, 1);
  {
    HubSpotConnector hs(s.HubSpotConfig());
    std::vector<Record> out;
    for (int i = 0; i < 12; ++i) CHECK(hs.ReadByIds("contacts", ids, {}, &out).ok());
    CHECK(out.size() == 12);
    int64_t calls = s.hubspot->CallCount("batch/read");
    CHECK(calls > 12);  // some answered 429 and were retried
    CHECK(hs.calls_made() == calls);
  }
  s.hubspot->ResetCallCounts();
  s.clock->Advance(20'000);
  auto config = s.HubSpotConfig();
  connectors::http::LimitOptions lo;
  lo.window_max = 5;
  config.session.limits = std::make_shared<connectors::http::ApiLimits>(lo);
  HubSpotConnector hs(config);
  std::vector<Record> out;
  int64_t slept_before = s.client_clock->slept_ms;
  for (int i = 0; i < 12; ++i) CHECK(hs.ReadByIds("contacts", ids, {}, &out).ok());
  CHECK(s.hubspot->CallCount("batch/read") == 12);           // not one 429
  CHECK(s.client_clock->slept_ms - slept_before >= 20'000);  // 12 calls at 5 per 10 s
}

TEST_CASE("resilience: 5xx backs off exponentially with jitter, within bounded attempts") {
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  auto ids = SeedHs(s, 2);
  sandbox::FaultSpec f;
  f.endpoint = "batch/update";
  f.status = 503;
  f.on_call = 1;
  f.times = 2;
  s.hubspot->AddFault(f);
  auto res = hs.Write("contacts", WriteKind::kUpdate, Updates(ids));
  for (const auto& r : res) CHECK(r.ok);
  CHECK(s.hubspot->CallCount("batch/update") == 3);
  // 500 ms then 1000 ms, each +-25%.
  CHECK(s.client_clock->slept_ms >= 1125);
  CHECK(s.client_clock->slept_ms <= 1875);

  s.hubspot->ClearFaults();
  s.hubspot->ResetCallCounts();
  f.on_call = 0;  // always
  s.hubspot->AddFault(f);
  res = hs.Write("contacts", WriteKind::kUpdate, Updates(ids));
  for (const auto& r : res) {
    CHECK_FALSE(r.ok);
    CHECK(r.error.category == ErrorCategory::kServer);
  }
  CHECK(s.hubspot->CallCount("batch/update") == 6);  // max_attempts
  CHECK(hs.suspended().ok());                        // a server error does not suspend
}

TEST_CASE("resilience: dropped connections are retried for updates and read back for creates") {
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  auto ids = SeedHs(s, 2);
  sandbox::FaultSpec f;
  f.drop_connection = true;
  f.on_call = 1;
  f.endpoint = "batch/update";
  s.hubspot->AddFault(f);
  auto res = hs.Write("contacts", WriteKind::kUpdate, Updates(ids));
  for (const auto& r : res) CHECK(r.ok);
  CHECK(s.hubspot->CallCount("batch/update") == 2);

  f.endpoint = "batch/create";
  s.hubspot->AddFault(f);
  std::vector<WriteItem> items;
  for (int i = 0; i < 5; ++i)
    items.push_back({"", "", "", {{"email", "new" + std::to_string(i) + "@x.io"}}});
  res = hs.Write("contacts", WriteKind::kCreate, items, {"email"});
  for (const auto& r : res) CHECK(r.ok);
  CHECK(s.hubspot->CallCount("batch/create") == 2);
  CHECK(s.hubspot->CallCount("batch/read") == 1);  // the read-back between them
  std::vector<Record> found;
  std::vector<std::string> emails;
  for (const auto& it : items) emails.push_back(it.fields["email"]);
  hs.FindByField("contacts", "email", emails, {}, &found);
  CHECK(found.size() == 5);

  // Without a unique field the create is reported, never blindly repeated.
  s.hubspot->ClearFaults();
  f.on_call = 1;
  s.hubspot->AddFault(f);
  res = hs.Write("contacts", WriteKind::kCreate, {{"", "", "", {{"email", "lone@x.io"}}}});
  CHECK_FALSE(res[0].ok);
  CHECK(res[0].error.category == ErrorCategory::kServer);
  CHECK(s.hubspot->CallCount("batch/create") == 3);
}

TEST_CASE("resilience: Salesforce collections survive 5xx and dropped connections") {
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  sandbox::FaultSpec f;
  f.endpoint = "composite/sobjects";
  f.status = 500;
  f.on_call = 1;
  s.salesforce->AddFault(f);
  f.status = 0;
  f.drop_connection = true;
  f.on_call = 2;
  s.salesforce->AddFault(f);
  std::vector<WriteItem> items;
  for (int i = 0; i < 3; ++i)
    items.push_back(
        {"", "", "", {{"LastName", "D"}, {"Email", "d" + std::to_string(i) + "@x.io"}}});
  auto res = sf.Write("Contact", WriteKind::kCreate, items, {"Email"});
  for (const auto& r : res) CHECK(r.ok);
  // 500 (retried), dropped (read back by Email: nothing), then the create.
  CHECK(s.salesforce->CallCount("composite/sobjects") == 3);
  CHECK(s.salesforce->CallCount("/query") == 1);
  std::vector<Record> found;
  sf.FindByField("Contact", "Email", {"d0@x.io", "d1@x.io", "d2@x.io"}, {}, &found);
  CHECK(found.size() == 3);
}

TEST_CASE("resilience: Salesforce REQUEST_LIMIT_EXCEEDED suspends; Sforce-Limit-Info is read") {
  Sandboxes s;
  auto config = s.SalesforceConfig();
  auto limits = std::make_shared<connectors::http::ApiLimits>();
  config.session.limits = limits;
  SalesforceConnector sf(config);
  std::vector<Record> out;
  CHECK(sf.FindByField("Contact", "Email", {"a@b.c"}, {}, &out).ok());
  auto usage = limits->org_usage();
  REQUIRE(usage);
  CHECK(usage->second == 100'000);
  CHECK(usage->first >= 1);
  s.salesforce->Control("POST", "/_sandbox/limits", {{"daily_used", 100'000}});
  s.salesforce->ResetCallCounts();
  Error e = sf.FindByField("Contact", "Email", {"a@b.c"}, {}, &out);
  CHECK(e.category == ErrorCategory::kDailyLimit);
  CHECK(e.code == "REQUEST_LIMIT_EXCEEDED");
  CHECK(sf.suspended().category == ErrorCategory::kDailyLimit);
  auto res = sf.Write("Contact", WriteKind::kCreate, {{"", "", "", {{"LastName", "X"}}}});
  CHECK(res[0].error.category == ErrorCategory::kDailyLimit);
  CHECK(s.salesforce->CallCount() == 1);  // nothing after the suspension
}

TEST_CASE(
    "resilience: the allocated daily cap stops calls; error retries stop past 75% (R139, R142)") {
  Sandboxes s;
  auto config = s.SalesforceConfig();
  connectors::http::LimitOptions lo;
  lo.daily_cap = 8;
  auto limits = std::make_shared<connectors::http::ApiLimits>(lo);
  config.session.limits = limits;
  SalesforceConnector sf(config);
  std::vector<Record> out;
  for (int i = 0; i < 5; ++i) CHECK(sf.FindByField("Contact", "Email", {"a@b.c"}, {}, &out).ok());
  CHECK(limits->AllowErrorRetries(s.clock->NowMs()));
  // 6 of 8 used is 75%: a failing call is no longer retried.
  sandbox::FaultSpec f;
  f.endpoint = "/query";
  f.status = 503;
  s.salesforce->AddFault(f);
  s.salesforce->ResetCallCounts();
  CHECK(sf.FindByField("Contact", "Email", {"a@b.c"}, {}, &out).category == ErrorCategory::kServer);
  CHECK(s.salesforce->CallCount() == 1);
  CHECK_FALSE(limits->AllowErrorRetries(s.clock->NowMs()));
  s.salesforce->ClearFaults();
  CHECK(sf.FindByField("Contact", "Email", {"a@b.c"}, {}, &out).ok());
  CHECK(sf.FindByField("Contact", "Email", {"a@b.c"}, {}, &out).ok());
  Error e = sf.FindByField("Contact", "Email", {"a@b.c"}, {}, &out);
  CHECK(e.category == ErrorCategory::kBudget);
  CHECK(s.salesforce->CallCount() == 3);  // the ninth call was never made
  CHECK(limits->used_today(s.clock->NowMs()) == 8);
}

TEST_CASE("resilience: one token refresh on 401 (HubSpot OAuth), then kAuth") {
  Sandboxes s;
  ::setenv("SYNCLINE_T_CLIENT_ID", "client-id-1", 1);
  ::setenv("SYNCLINE_T_CLIENT_SECRET", "client-secret-xyz-123", 1);
  ::setenv("SYNCLINE_T_REFRESH", "refresh-token-abc-456", 1);
  auto token = [](const std::string& t) {
    return ScriptedServer::Answer{200,
                                  json{{"access_token", t},
                                       {"refresh_token", "refresh-token-abc-456"},
                                       {"expires_in", 1800},
                                       {"token_type", "bearer"}}
                                      .dump(),
                                  {}};
  };
  ScriptedServer oauth({token("stale-access-token-1"), token(s.hubspot->token())});
  OAuthOptions oo;
  oo.token_url = oauth.url() + "/oauth/v1/token";
  oo.client_id_env = "SYNCLINE_T_CLIENT_ID";
  oo.client_secret_env = "SYNCLINE_T_CLIENT_SECRET";
  oo.refresh_token_env = "SYNCLINE_T_REFRESH";
  std::shared_ptr<TokenProvider> auth;
  REQUIRE(OAuthRefreshToken::Create(oo, s.client_clock, &auth).ok());
  auto config = s.HubSpotConfig();
  config.session.auth = auth;
  HubSpotConnector hs(config);
  auto ids = SeedHs(s, 1);
  std::vector<Record> out;
  CHECK(hs.ReadByIds("contacts", ids, {}, &out).ok());
  CHECK(out.size() == 1);
  CHECK(oauth.hits == 2);
  CHECK(s.hubspot->CallCount("batch/read") == 2);  // 401, then the retry
  CHECK(oauth.bodies[0].find("grant_type=refresh_token") != std::string::npos);
  CHECK(oauth.paths[0] == "/oauth/v1/token");
  // The token lives 1,800 s; 60 s before that it is refreshed ahead of time, not on a 401.
  s.clock->Advance(1'750'000);
  CHECK(hs.ReadByIds("contacts", ids, {}, &out).ok());
  CHECK(oauth.hits == 3);
  CHECK(s.hubspot->CallCount("batch/read") == 3);

  // A token server that never gives a valid token: exactly one refresh, then kAuth.
  ScriptedServer bad({token("wrong-token-1")});
  oo.token_url = bad.url() + "/oauth/v1/token";
  REQUIRE(OAuthRefreshToken::Create(oo, s.client_clock, &auth).ok());
  config.session.auth = auth;
  HubSpotConnector hs2(config);
  s.hubspot->ResetCallCounts();
  Error e = hs2.ReadByIds("contacts", ids, {}, &out);
  CHECK(e.category == ErrorCategory::kAuth);
  CHECK(bad.hits == 2);
  CHECK(s.hubspot->CallCount() == 2);

  // Missing variables are named, never their values.
  OAuthOptions missing = oo;
  missing.refresh_token_env = "SYNCLINE_T_NOT_SET";
  Error m = OAuthRefreshToken::Create(missing, s.client_clock, &auth);
  CHECK(m.category == ErrorCategory::kAuth);
  CHECK(m.message.find("SYNCLINE_T_NOT_SET") != std::string::npos);
  // Nothing secret in any log line.
  for (const char* secret : {"client-secret-xyz-123", "refresh-token-abc-456",
                             "stale-access-token-1", "hs-secret-token-0123456789", "wrong-token-1"})
    CHECK_FALSE(s.logs.Contains(secret));
  CHECK(s.logs.Contains("401"));
}

TEST_CASE("resilience: Salesforce OAuth names the instance URL; secrets stay out of logs") {
  Sandboxes s;
  ::setenv("SYNCLINE_T_SF_ID", "sf-client", 1);
  ::setenv("SYNCLINE_T_SF_SECRET", "sf-client-secret-777", 1);
  ::setenv("SYNCLINE_T_SF_REFRESH", "sf-refresh-888", 1);
  ScriptedServer oauth({{200,
                         json{{"access_token", s.salesforce->token()},
                              {"instance_url", s.salesforce->base_url()},
                              {"token_type", "Bearer"},
                              {"issued_at", "1"}}
                             .dump(),
                         {}}});
  OAuthOptions oo;
  oo.token_url = oauth.url() + "/services/oauth2/token";
  oo.client_id_env = "SYNCLINE_T_SF_ID";
  oo.client_secret_env = "SYNCLINE_T_SF_SECRET";
  oo.refresh_token_env = "SYNCLINE_T_SF_REFRESH";
  std::shared_ptr<TokenProvider> auth;
  REQUIRE(OAuthRefreshToken::Create(oo, s.client_clock, &auth).ok());
  auto config = s.SalesforceConfig();
  config.session.base_url = "";  // from the token answer
  config.session.auth = auth;
  SalesforceConnector sf(config);
  auto res = sf.Write("Contact", WriteKind::kCreate, {{"", "", "", {{"LastName", "OAuth"}}}});
  CHECK(res[0].ok);
  CHECK(oauth.hits == 1);
  CHECK(sf.session().base_url() == s.salesforce->base_url());
  // A private-app style token from the environment.
  ::setenv("SYNCLINE_T_HS_TOKEN", s.hubspot->token().c_str(), 1);
  std::shared_ptr<TokenProvider> env_token;
  REQUIRE(StaticToken::FromEnv("SYNCLINE_T_HS_TOKEN", &env_token).ok());
  auto hc = s.HubSpotConfig();
  hc.session.auth = env_token;
  HubSpotConnector hs(hc);
  std::vector<Record> out;
  CHECK(hs.ReadByIds("contacts", {"1"}, {}, &out).ok());
  CHECK(StaticToken::FromEnv("SYNCLINE_T_UNSET_VAR", &env_token).category == ErrorCategory::kAuth);
  for (const char* secret : {"sf-client-secret-777", "sf-refresh-888", "sf-secret-token-9876543210",
                             "hs-secret-token-0123456789"})
    CHECK_FALSE(s.logs.Contains(secret));
}

// The journal protocol end to end: a HubSpot create interrupted at each step, recovered by
// reading back through the connector; the CRM ends with exactly one record.
TEST_CASE("resilience: journal recovery through the HubSpot connector at every crash point") {
  for (int crash_at = 0; crash_at <= 3; ++crash_at) {
    CAPTURE(crash_at);
    Sandboxes s;
    HubSpotConnector hs(s.HubSpotConfig());
    std::string path = "/tmp/syncline_journal_e2e_" + std::to_string(::getpid()) + ".db";
    for (const char* ext : {"", "-wal", "-shm"}) std::remove((path + ext).c_str());
    state::Intent intent;
    intent.key = "create:contacts:sf:003000000000001AAA";
    intent.side = state::Side::kHubSpot;
    intent.object = "contacts";
    intent.op = "create";
    intent.payload = R"({"email":"crash@x.io","firstname":"C"})";
    intent.lookup_field = "email";
    intent.lookup_value = "crash@x.io";
    auto link_to = [](const std::string& hs_id) {
      state::Link l;
      l.hubspot_object = "contacts";
      l.hubspot_id = hs_id;
      l.salesforce_object = "Contact";
      l.salesforce_id = "003000000000001AAA";
      return l;
    };
    auto sync_once = [&](state::StateStore& st, int stop_after) {
      if (st.FindLink(state::Side::kSalesforce, "Contact", "003000000000001AAA")) return;
      if (stop_after == 0) return;
      state::Intent got = st.BeginIntent(intent, 1);
      if (got.state == state::IntentState::kDone) return;
      if (stop_after == 1) return;
      auto res = hs.Write("contacts", WriteKind::kCreate,
                          {{"", "", "", {{"email", "crash@x.io"}, {"firstname", "C"}}}}, {"email"});
      REQUIRE(res[0].ok);
      if (stop_after == 2) return;
      state::Transaction tx(st);
      st.PutLink(link_to(res[0].id));
      st.CompleteIntent(intent.key, res[0].id, 2);
      tx.Commit();
    };
    {
      state::SqliteStateStore st(path);
      sync_once(st, crash_at);
    }
    state::SqliteStateStore st(path);
    auto report = state::RecoverJournal(
        st, [&](const state::Intent& i) { return state::ResolveWithConnector(hs, i); },
        [&](const state::Intent&, const std::string& id) { st.PutLink(link_to(id)); }, 3);
    CHECK(report.unknown == 0);
    sync_once(st, 99);
    std::vector<Record> found;
    hs.FindByField("contacts", "email", {"crash@x.io"}, {}, &found);
    CHECK(found.size() == 1);
    auto link = st.FindLink(state::Side::kSalesforce, "Contact", "003000000000001AAA");
    REQUIRE(link);
    CHECK(link->hubspot_id == found[0].id);
    CHECK(st.PendingIntents().empty());
    for (const char* ext : {"", "-wal", "-shm"}) std::remove((path + ext).c_str());
  }
}

TEST_CASE("resilience: update intents resolve by comparing the target's values") {
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  auto created = sf.Write("Contact", WriteKind::kCreate,
                          {{"", "", "", {{"LastName", "U"}, {"Title", "Old"}}}});
  REQUIRE(created[0].ok);
  state::Intent i;
  i.op = "update";
  i.object = "Contact";
  i.record_id = created[0].id;
  i.payload = R"({"Title":"New"})";
  CHECK(state::ResolveWithConnector(sf, i).kind == state::IntentOutcome::kNotApplied);
  sf.Write("Contact", WriteKind::kUpdate, {{created[0].id, "", "", {{"Title", "New"}}}});
  CHECK(state::ResolveWithConnector(sf, i).kind == state::IntentOutcome::kApplied);
  i.op = "delete";
  CHECK(state::ResolveWithConnector(sf, i).kind == state::IntentOutcome::kNotApplied);
  sf.Delete("Contact", {created[0].id});
  CHECK(state::ResolveWithConnector(sf, i).kind == state::IntentOutcome::kApplied);
}
