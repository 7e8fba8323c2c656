// HubSpot sandbox webhooks (API spec A14, Part C item 10) over real HTTP: a test receiver on an
// ephemeral loopback port gets signed JSON arrays of events for creations, property changes,
// deletions and association changes; failures are retried with attemptNumber + 1; duplicates
// and reordering exercise idempotency; delivery never blocks the API and stops with the sandbox.
#include <doctest/doctest.h>

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "http_client.h"
#include "sandbox/hubspot_sandbox.h"
#include "sandbox/webhook_signature.h"

using nlohmann::json;
using syncline::sandbox::HubSpotLimits;
using syncline::sandbox::HubSpotSandbox;
using syncline::sandbox::SandboxOptions;
using syncline::sandbox::SignatureCheck;
using syncline::sandbox::VerifyHubSpotSignatureV3;
using syncline::sandbox::WebhookSettings;
using syncline::sandbox::test::Http;
using syncline::sandbox::test::Reply;

namespace {

const char* kSecret = "client-secret-123";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What a webhook receiver sees of one request.
struct Received {
  std::string method, path, body;
  httplib::Headers headers;
  SignatureCheck check = SignatureCheck::kMissing;
  json events;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// A receiver on 127.0.0.1:<ephemeral>/hook that checks every signature with the client secret
// and answers `respond(n)` to the n-th request (0-based; 204 by default).
class Receiver {
 public:
  std::function<int(int)> respond = [](int) { return 204; };
  std::function<void(int)> delay;  // runs before answering (slow receivers)

  Receiver() {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      Received r;
      r.method = req.method;
      r.path = req.path;
      r.body = req.body;
      r.headers = req.headers;
      r.check = VerifyHubSpotSignatureV3(kSecret, req.method, url(), req.body,
                                         req.get_header_value("X-HubSpot-Request-Timestamp"),
                                         req.get_header_value("X-HubSpot-Signature-v3"), NowMs());
      r.events = json::parse(req.body, nullptr, false);
      int n;
      {
        std::lock_guard lock(mu_);
        n = static_cast<int>(received_.size());
        received_.push_back(std::move(r));
      }
      if (delay) delay(n);
      res.status = respond(n);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<Received> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  // Every event of every request, in arrival order.
  std::vector<json> events() const {
    std::vector<json> out;
    for (const auto& r : received())
      if (r.events.is_array())
        for (const auto& e : r.events) out.push_back(e);
    return out;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<Received> received_;
};

struct Fixture {
  Receiver receiver;
  HubSpotSandbox sandbox;
  Http http;
  Fixture()
      : sandbox([] {
          SandboxOptions o;
          o.token = "pat-na1-test";
          return o;
        }()),
        http((Start(sandbox), sandbox)) {
    HubSpotLimits l;
    l.rate_limits = false;
    sandbox.SetLimits(l);
  }
  static void Start(HubSpotSandbox& s) {
    std::string error;
    REQUIRE_MESSAGE(s.Start(&error), error);
  }
  json Register(json subscriptions, json options = json::object()) {
    json body = {{"target_url", receiver.url()},
                 {"client_secret", kSecret},
                 {"app_id", 987654},
                 {"subscriptions", subscriptions},
                 {"retry_base_ms", 20}};
    body.merge_patch(options);
    Reply r = http.Post("/_sandbox/webhooks", body);
    REQUIRE(r.status == 200);
    return r.body;
  }
  void Flush() {
    Reply r = http.Post("/_sandbox/webhooks/flush", {{"timeout_ms", 20000}});
    REQUIRE(r.status == 200);
    REQUIRE(r.body["flushed"] == true);
  }
  std::string Create(const std::string& type, json props) {
    Reply r = http.Post("/crm/v3/objects/" + type, {{"properties", props}});
    REQUIRE(r.status == 201);
    return r.body["id"];
  }
};

std::vector<json> OfType(const std::vector<json>& events, const std::string& type) {
  std::vector<json> out;
  for (const auto& e : events)
    if (e["subscriptionType"] == type) out.push_back(e);
  std::sort(out.begin(), out.end(),
            [](const json& a, const json& b) { return a["eventId"] < b["eventId"]; });
  return out;
}

}  // namespace

TEST_CASE("webhooks: creation, propertyChange and deletion events, signed v3") {
  Fixture f;
  json reg =
      f.Register({"contact.creation",
                  {{"subscriptionType", "contact.propertyChange"}, {"propertyName", "firstname"}},
                  "contact.deletion",
                  "company.creation"});
  REQUIRE(reg["registered"] == true);
  std::map<std::string, int64_t> sub_ids;
  for (const auto& s : reg["subscriptions"]) sub_ids[s["subscriptionType"]] = s["id"];
  CHECK(sub_ids.size() == 4);

  std::string id = f.Create("contacts", {{"email", "ann@example.com"}, {"firstname", "Ann"}});
  CHECK(f.http.Patch("/crm/v3/objects/contacts/" + id, {{"properties", {{"firstname", "Bob"}}}})
            .status == 200);
  // Same value again and an unsubscribed property: no events.
  CHECK(f.http.Patch("/crm/v3/objects/contacts/" + id, {{"properties", {{"firstname", "Bob"}}}})
            .status == 200);
  CHECK(f.http.Patch("/crm/v3/objects/contacts/" + id, {{"properties", {{"lastname", "Ng"}}}})
            .status == 200);
  CHECK(f.http.Delete("/crm/v3/objects/contacts/" + id).status == 204);
  std::string company = f.Create("companies", {{"name", "Acme"}});
  f.Create("deals", {{"dealname", "not subscribed"}, {"dealstage", "qualifiedtobuy"}});
  f.Flush();

  auto received = f.receiver.received();
  REQUIRE(!received.empty());
  for (const auto& r : received) {
    CHECK(r.method == "POST");
    CHECK(r.check == SignatureCheck::kValid);
    CHECK(r.Header("X-HubSpot-Signature-Version") == "v3");
    CHECK(r.Header("Content-Type").find("application/json") == 0);
    CHECK(std::llabs(std::stoll(r.Header("X-HubSpot-Request-Timestamp")) - NowMs()) < 60'000);
    REQUIRE(r.events.is_array());
    CHECK(r.events.size() <= 100);
  }
  auto events = f.receiver.events();
  CHECK(events.size() == 5);
  std::set<int64_t> ids;
  int64_t portal = f.sandbox.limits().portal_id;
  for (const auto& e : events) {
    ids.insert(e["eventId"].get<int64_t>());
    CHECK(e["eventId"].is_number_integer());
    CHECK(e["subscriptionId"] == sub_ids[e["subscriptionType"]]);
    CHECK(e["portalId"] == portal);
    CHECK(e["appId"] == 987654);
    CHECK(e["occurredAt"].is_number_integer());
    CHECK(std::llabs(e["occurredAt"].get<int64_t>() - NowMs()) < 60'000);
    CHECK(e["attemptNumber"] == 0);
    CHECK(e["objectId"].is_number_integer());
    CHECK(e["changeSource"] == "API");
    CHECK(e["sourceId"].is_string());
    bool property_change = e["subscriptionType"] == "contact.propertyChange";
    CHECK(e.contains("propertyName") == property_change);
    CHECK(e.contains("propertyValue") == property_change);
  }
  CHECK(ids.size() == events.size());  // no duplicates unless asked for

  auto created = OfType(events, "contact.creation");
  REQUIRE(created.size() == 1);
  CHECK(created[0]["objectId"] == std::stoll(id));
  CHECK(created[0]["changeFlag"] == "CREATED");
  auto changed = OfType(events, "contact.propertyChange");
  REQUIRE(changed.size() == 2);  // set on creation, then changed once
  CHECK(changed[0]["propertyName"] == "firstname");
  CHECK(changed[0]["propertyValue"] == "Ann");
  CHECK(changed[1]["propertyValue"] == "Bob");
  CHECK(changed[1]["objectId"] == std::stoll(id));
  auto deleted = OfType(events, "contact.deletion");
  REQUIRE(deleted.size() == 1);
  CHECK(deleted[0]["objectId"] == std::stoll(id));
  CHECK(deleted[0]["changeFlag"] == "DELETED");
  auto companies = OfType(events, "company.creation");
  REQUIRE(companies.size() == 1);
  CHECK(companies[0]["objectId"] == std::stoll(company));

  // The control API reports the deliveries.
  Reply stats = f.http.Get("/_sandbox/webhooks");
  CHECK(stats.body["stats"]["delivered_events"] == 5);
  CHECK(stats.body["stats"]["failed_requests"] == 0);
  CHECK(stats.body["stats"]["queued"] == 0);
}

TEST_CASE("webhooks: batch endpoints, generic subscriptions, events per request") {
  Fixture f;
  f.Register({"contact.creation",
              {{"subscriptionType", "contact.propertyChange"}, {"propertyName", "email"}},
              "contact.deletion",
              {{"subscriptionType", "object.creation"}, {"objectTypeId", "0-3"}}},
             {{"max_events_per_request", 3}});
  json inputs = json::array();
  for (int i = 0; i < 5; ++i)
    inputs.push_back({{"properties", {{"email", "b" + std::to_string(i) + "@example.com"}}}});
  Reply created = f.http.Post("/crm/v3/objects/contacts/batch/create", {{"inputs", inputs}});
  REQUIRE(created.status == 201);
  // Upsert: one update of a subscribed property, one creation.
  Reply upsert = f.http.Post(
      "/crm/v3/objects/contacts/batch/upsert",
      {{"inputs",
        {{{"id", "b0@example.com"}, {"idProperty", "email"}, {"properties", {{"firstname", "X"}}}},
         {{"id", "new@example.com"}, {"idProperty", "email"}, {"properties", json::object()}}}}});
  REQUIRE(upsert.status == 200);
  json archive = json::array();
  for (const auto& r : created.body["results"]) archive.push_back({{"id", r["id"]}});
  CHECK(f.http.Post("/crm/v3/objects/contacts/batch/archive", {{"inputs", archive}}).status == 204);
  std::string deal = f.Create("deals", {{"dealname", "D"}, {"dealstage", "closedwon"}});
  f.Flush();

  for (const auto& r : f.receiver.received()) {
    CHECK(r.check == SignatureCheck::kValid);
    CHECK(r.events.size() <= 3);
  }
  auto events = f.receiver.events();
  CHECK(OfType(events, "contact.creation").size() == 6);
  CHECK(OfType(events, "contact.propertyChange").size() == 6);  // every email set on creation
  CHECK(OfType(events, "contact.deletion").size() == 5);
  auto generic = OfType(events, "object.creation");
  REQUIRE(generic.size() == 1);
  CHECK(generic[0]["objectTypeId"] == "0-3");
  CHECK(generic[0]["objectId"] == std::stoll(deal));
}

TEST_CASE("webhooks: association changes, both directions, added and removed") {
  Fixture f;
  f.Register({"contact.associationChange", "company.associationChange"});
  std::string contact = f.Create("contacts", {{"email", "a@example.com"}});
  std::string company = f.Create("companies", {{"name", "Acme"}});
  std::string path =
      "/crm/v4/objects/contacts/" + contact + "/associations/default/companies/" + company;
  CHECK(f.http.Put(path, json()).status == 200);
  f.Flush();
  auto added = f.receiver.events();
  REQUIRE(added.size() == 2);
  auto from_contact = OfType(added, "contact.associationChange");
  REQUIRE(from_contact.size() == 1);
  CHECK(from_contact[0]["fromObjectId"] == std::stoll(contact));
  CHECK(from_contact[0]["toObjectId"] == std::stoll(company));
  CHECK(from_contact[0]["associationType"] == "CONTACT_TO_COMPANY");
  CHECK(from_contact[0]["associationTypeId"] == 279);
  CHECK(from_contact[0]["associationRemoved"] == false);
  auto from_company = OfType(added, "company.associationChange");
  REQUIRE(from_company.size() == 1);
  CHECK(from_company[0]["associationType"] == "COMPANY_TO_CONTACT");
  CHECK(from_company[0]["fromObjectId"] == std::stoll(company));

  CHECK(f.http.Delete("/crm/v4/objects/contacts/" + contact + "/associations/companies/" + company)
            .status == 204);
  f.Flush();
  auto all = f.receiver.events();
  REQUIRE(all.size() == 4);
  int removed = 0;
  for (const auto& e : all) removed += e["associationRemoved"] == true;
  CHECK(removed == 2);
}

TEST_CASE("webhooks: a failed delivery is retried with attemptNumber 1, then given up") {
  SUBCASE("500 first, then 200") {
    Fixture f;
    f.receiver.respond = [](int n) { return n == 0 ? 500 : 200; };
    f.Register({"contact.creation"});
    f.Create("contacts", {{"email", "r@example.com"}});
    f.Flush();
    auto received = f.receiver.received();
    REQUIRE(received.size() == 2);
    REQUIRE(received[0].events.size() == 1);
    REQUIRE(received[1].events.size() == 1);
    CHECK(received[0].events[0]["attemptNumber"] == 0);
    CHECK(received[1].events[0]["attemptNumber"] == 1);
    CHECK(received[0].events[0]["eventId"] == received[1].events[0]["eventId"]);
    // Each attempt is signed afresh.
    CHECK(received[1].check == SignatureCheck::kValid);
    auto stats = f.sandbox.WebhookStats();
    CHECK(stats["failed_requests"] == 1);
    CHECK(stats["delivered_events"] == 1);
  }
  SUBCASE("always 503: max_retries retries, then dropped") {
    Fixture f;
    f.receiver.respond = [](int) { return 503; };
    f.Register({"contact.creation"}, {{"max_retries", 3}, {"retry_base_ms", 5}});
    f.Create("contacts", {{"email", "d@example.com"}});
    f.Flush();
    auto received = f.receiver.received();
    REQUIRE(received.size() == 4);
    for (int i = 0; i < 4; ++i) CHECK(received[i].events[0]["attemptNumber"] == i);
    CHECK(f.sandbox.WebhookStats()["dropped_events"] == 1);
  }
  SUBCASE("a receiver slower than the timeout is retried") {
    Fixture f;
    f.receiver.delay = [](int n) {
      if (n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(700));
    };
    f.Register({"contact.creation"}, {{"timeout_ms", 200}});
    f.Create("contacts", {{"email", "t@example.com"}});
    f.Flush();
    auto received = f.receiver.received();
    REQUIRE(received.size() >= 2);
    CHECK(received[1].events[0]["attemptNumber"] == 1);
    CHECK(f.sandbox.WebhookStats()["attempts"][0]["status"] == 0);
  }
  SUBCASE("nothing listening: connection refused counts as a failure") {
    Fixture f;
    f.Register(
        {"contact.creation"},
        {{"target_url", "http://127.0.0.1:1/hook"}, {"max_retries", 1}, {"retry_base_ms", 1}});
    f.Create("contacts", {{"email", "n@example.com"}});
    f.Flush();
    CHECK(f.sandbox.WebhookStats()["dropped_events"] == 1);
  }
}

TEST_CASE("webhooks: duplicates and reordering exercise idempotency") {
  Fixture f;
  // A wide batch window keeps the 30 events of the one batch call in one request (each record
  // enqueues its own event; on a loaded machine delivery could otherwise start after the first
  // few), so the shuffle has many to mix.
  f.Register({"contact.creation"},
             {{"duplicate_fraction", 1.0}, {"reorder", true}, {"batch_window_ms", 3000}});
  json inputs = json::array();
  for (int i = 0; i < 30; ++i)
    inputs.push_back({{"properties", {{"email", "dup" + std::to_string(i) + "@example.com"}}}});
  REQUIRE(f.http.Post("/crm/v3/objects/contacts/batch/create", {{"inputs", inputs}}).status == 201);
  f.Flush();
  auto events = f.receiver.events();
  CHECK(events.size() == 60);
  std::map<int64_t, int> seen;
  for (const auto& e : events) ++seen[e["eventId"].get<int64_t>()];
  CHECK(seen.size() == 30);
  for (const auto& [id, n] : seen) CHECK(n == 2);
  // The largest request is not in creation order. (Judged per request: the copies come as
  // later requests of their own, and the arrival order across requests is the machine's.)
  std::vector<int64_t> largest;
  for (const auto& r : f.receiver.received()) {
    if (!r.events.is_array() || r.events.size() <= largest.size()) continue;
    largest.clear();
    for (const auto& e : r.events) largest.push_back(e["eventId"].get<int64_t>());
  }
  REQUIRE(largest.size() >= 10);
  CHECK_FALSE(std::is_sorted(largest.begin(), largest.end()));
  for (const auto& r : f.receiver.received()) CHECK(r.check == SignatureCheck::kValid);
}

TEST_CASE("webhooks: delivery never blocks the API and stops with the sandbox") {
  Fixture f;
  std::atomic<bool> release{false};
  f.receiver.delay = [&](int) {
    // Holds each delivery for up to 6 s: a blocked API or Stop() would take that long, so the
    // bounds below (2.5 s, generous for a loaded CI machine) still tell the two apart.
    for (int i = 0; i < 600 && !release; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  };
  f.Register({"contact.creation"});
  f.Create("contacts", {{"email", "slow1@example.com"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // delivery now in flight
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) f.Create("contacts", {{"email", "s" + std::to_string(i) + "@x.com"}});
  CHECK(f.http.Get("/crm/v3/objects/contacts?limit=10").status == 200);
  auto api_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  CHECK(api_ms < 2500);
  // A flush that times out says so without blocking the data lock.
  Reply flush = f.http.Post("/_sandbox/webhooks/flush", {{"timeout_ms", 50}});
  CHECK(flush.status == 408);
  CHECK(flush.body["flushed"] == false);
  // Stop aborts the in-flight request promptly; the queue survives for the next Start().
  t0 = std::chrono::steady_clock::now();
  f.sandbox.Stop();
  auto stop_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  CHECK(stop_ms < 2500);
  release = true;
  std::string error;
  REQUIRE(f.sandbox.Start(&error));
  CHECK(f.sandbox.FlushWebhooks(20000));
  std::set<int64_t> ids;
  for (const auto& e : f.receiver.events()) ids.insert(e["objectId"].get<int64_t>());
  CHECK(ids.size() == 6);  // every creation arrived at least once
}

TEST_CASE("webhooks: control API, seeds raise no events, reset forgets the target") {
  Fixture f;
  Reply bad = f.http.Post("/_sandbox/webhooks",
                          {{"target_url", f.receiver.url()}, {"subscriptions", {"contact.boom"}}});
  CHECK(bad.status == 400);
  CHECK(f.http.Get("/_sandbox/webhooks").body["registered"] == false);
  WebhookSettings s;
  s.target_url = f.receiver.url();
  s.client_secret = kSecret;
  s.app_id = 5;
  s.subscriptions.push_back({0, "contact.creation", "", "", true});
  json reg = f.sandbox.SetWebhooks(s);
  CHECK(reg["subscriptions"][0]["id"].get<int64_t>() > 0);
  Reply got = f.http.Get("/_sandbox/webhooks");
  CHECK(got.body["registered"] == true);
  CHECK(got.body["max_events_per_request"] == 100);
  CHECK(got.body["max_retries"] == 10);
  f.sandbox.Seed({{"contacts", {{{"email", "seed@example.com"}}}}});
  f.Flush();
  CHECK(f.receiver.received().empty());
  f.Create("contacts", {{"email", "api@example.com"}});
  f.Flush();
  CHECK(f.receiver.events().size() == 1);
  CHECK(f.receiver.events()[0]["appId"] == 5);
  CHECK(f.http.Post("/_sandbox/reset", json::object()).status == 200);
  CHECK(f.http.Get("/_sandbox/webhooks").body["registered"] == false);
  f.sandbox.SetLimits([] {
    HubSpotLimits l;
    l.rate_limits = false;
    return l;
  }());
  f.Create("contacts", {{"email", "after-reset@example.com"}});
  f.Flush();
  CHECK(f.receiver.events().size() == 1);
  f.sandbox.SetWebhooks(s);
  CHECK(f.http.Delete("/_sandbox/webhooks").status == 200);
  CHECK(f.http.Get("/_sandbox/webhooks").body["registered"] == false);
}

TEST_CASE("webhooks: the registration survives a restart of a file-backed sandbox") {
  std::string path = "/tmp/syncline_webhooks_" + std::to_string(NowMs()) + ".db";
  Receiver receiver;
  int64_t first_id = 0;
  {
    SandboxOptions o;
    o.db_path = path;
    HubSpotSandbox sandbox(o);
    REQUIRE(sandbox.Start());
    WebhookSettings s;
    s.target_url = receiver.url();
    s.client_secret = kSecret;
    s.subscriptions.push_back({0, "contact.creation", "", "", true});
    sandbox.SetWebhooks(s);
    Http http(sandbox);
    REQUIRE(
        http.Post("/crm/v3/objects/contacts", {{"properties", {{"email", "p1@x.com"}}}}).status ==
        201);
    REQUIRE(sandbox.FlushWebhooks());
    first_id = receiver.events().at(0)["eventId"];
  }
  {
    SandboxOptions o;
    o.db_path = path;
    HubSpotSandbox sandbox(o);
    REQUIRE(sandbox.Start());
    Http http(sandbox);
    REQUIRE(
        http.Post("/crm/v3/objects/contacts", {{"properties", {{"email", "p2@x.com"}}}}).status ==
        201);
    REQUIRE(sandbox.FlushWebhooks());
    auto events = receiver.events();
    REQUIRE(events.size() == 2);
    CHECK(events[1]["eventId"].get<int64_t>() > first_id);  // ids never repeat
  }
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
}
