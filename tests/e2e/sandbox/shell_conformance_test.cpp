// The shared sandbox shell: start/stop on ephemeral ports, persistence across restarts, the
// control API, call counts and fault injection (429/5xx on the Nth call or a fraction of calls,
// latency, dropped connections, partial batch failures).
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "http_client.h"
#include "sandbox/hubspot_sandbox.h"

using nlohmann::json;
using syncline::sandbox::FaultSpec;
using syncline::sandbox::HubSpotLimits;
using syncline::sandbox::HubSpotSandbox;
using syncline::sandbox::SandboxOptions;
using syncline::sandbox::test::Http;
using syncline::sandbox::test::Reply;

namespace {

std::unique_ptr<HubSpotSandbox> StartHubSpot(SandboxOptions o = {}) {
  auto s = std::make_unique<HubSpotSandbox>(o);
  std::string error;
  REQUIRE_MESSAGE(s->Start(&error), error);
  HubSpotLimits l;
  l.rate_limits = false;
  s->SetLimits(l);
  return s;
}

std::filesystem::path TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("syncline-sandbox-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("shell: ephemeral ports, explicit port, stop and restart") {
  auto a = StartHubSpot();
  auto b = StartHubSpot();
  CHECK(a->port() > 0);
  CHECK(a->port() != b->port());
  CHECK(a->base_url() == "http://127.0.0.1:" + std::to_string(a->port()));
  int port = b->port();
  b->Stop();
  CHECK_FALSE(b->running());
  SandboxOptions o;
  o.port = port;
  auto c = StartHubSpot(o);  // the port is free again after a clean stop
  CHECK(c->port() == port);
  SandboxOptions clash;
  clash.port = port;
  HubSpotSandbox d(clash);
  std::string error;
  CHECK_FALSE(d.Start(&error));
  CHECK_FALSE(error.empty());
}

TEST_CASE("shell: a file-backed sandbox survives a restart") {
  auto dir = TempDir("persist");
  SandboxOptions o;
  o.db_path = (dir / "hubspot.db").string();
  std::string first_id;
  {
    auto s = StartHubSpot(o);
    Http http(*s);
    Reply r =
        http.Post("/crm/v3/objects/contacts", {{"properties", {{"email", "keep@example.com"}}}});
    REQUIRE(r.status == 201);
    first_id = r.body["id"];
    Reply list = http.Post("/crm/v3/lists",
                           {{"name", "L"}, {"objectTypeId", "0-1"}, {"processingType", "MANUAL"}});
    http.Put("/crm/v3/lists/" + list.body["list"]["listId"].get<std::string>() + "/memberships/add",
             {first_id});
    http.Post("/crm/v3/properties/contacts",
              {{"name", "kept_prop"}, {"type", "string"}, {"fieldType", "text"}});
  }
  auto s = StartHubSpot(o);
  Http http(*s);
  Reply g = http.Get("/crm/v3/objects/contacts/" + first_id + "?properties=email");
  CHECK(g.status == 200);
  CHECK(g.body["properties"]["email"] == "keep@example.com");
  CHECK(http.Post("/crm/v3/objects/contacts", {{"properties", {{"email", "KEEP@example.com"}}}})
            .status == 409);
  Reply next = http.Post("/crm/v3/objects/contacts",
                         {{"properties", {{"email", "n@example.com"}, {"kept_prop", "x"}}}});
  REQUIRE(next.status == 201);
  CHECK(std::stoll(next.body["id"].get<std::string>()) > std::stoll(first_id));
  CHECK(http.Get("/crm/v3/lists/1/memberships").body["results"].size() == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("shell: call counts per endpoint, uncounted control API, reset") {
  auto s = StartHubSpot();
  Http http(*s);
  http.Get("/crm/v3/objects/contacts");
  http.Get("/crm/v3/objects/contacts");
  http.Post("/crm/v3/objects/contacts/batch/upsert", {{"inputs", json::array()}});
  http.Get("/crm/v3/objects/contacts/12");
  CHECK(s->CallCount("GET /crm/v3/objects/contacts") == 3);
  CHECK(s->CallCounts()["GET /crm/v3/objects/contacts"] == 2);
  CHECK(s->CallCounts()["GET /crm/v3/objects/contacts/{id}"] == 1);
  CHECK(s->CallCount("batch/upsert") == 1);
  CHECK(s->CallCount() == 4);
  Reply counts = http.Get("/_sandbox/calls");
  CHECK(counts.body["total"] == 4);
  CHECK(counts.body["calls"]["POST /crm/v3/objects/contacts/batch/upsert"] == 1);
  CHECK(s->CallCount() == 4);  // the control API is not counted
  http.Delete("/_sandbox/calls");
  CHECK(s->CallCount() == 0);
}

TEST_CASE("shell: injected 429 and 5xx on the Nth call, then normal service") {
  auto s = StartHubSpot();
  Http http(*s);
  http.Post("/_sandbox/faults", {{"endpoint", "GET /crm/v3/objects/contacts"},
                                 {"status", 429},
                                 {"on_call", 2},
                                 {"retry_after_s", 3}});
  CHECK(http.Get("/crm/v3/objects/contacts").status == 200);
  Reply r = http.Get("/crm/v3/objects/contacts");
  CHECK(r.status == 429);
  CHECK(r.Header("Retry-After") == "3");
  CHECK(r.body["policyName"] == "TEN_SECONDLY_ROLLING");
  CHECK(http.Get("/crm/v3/objects/contacts").status == 200);
  FaultSpec f;
  f.endpoint = "batch/create";
  f.status = 503;
  f.on_call = 1;
  f.times = 2;
  s->AddFault(f);
  json body = {{"inputs", {{{"properties", {{"email", "x@y.io"}}}}}}};
  CHECK(http.Post("/crm/v3/objects/contacts/batch/create", body).status == 503);
  CHECK(http.Post("/crm/v3/objects/contacts/batch/create", body).status == 503);
  CHECK(http.Post("/crm/v3/objects/contacts/batch/create", body).status == 201);
  s->ClearFaults();
  http.Post("/_sandbox/faults", {{"status", 500}, {"fraction", 0.5}});
  int failures = 0;
  for (int i = 0; i < 40; ++i) failures += http.Get("/crm/v3/objects/companies").status == 500;
  CHECK(failures > 5);
  CHECK(failures < 35);
  http.Delete("/_sandbox/faults");
  CHECK(http.Get("/crm/v3/objects/companies").status == 200);
}

TEST_CASE("shell: latency, dropped connections and partial batch failures") {
  auto s = StartHubSpot();
  Http http(*s);
  http.Post("/_sandbox/faults",
            {{"endpoint", "GET /crm/v3/objects/deals"}, {"latency_ms", 300}, {"on_call", 1}});
  auto t0 = std::chrono::steady_clock::now();
  CHECK(http.Get("/crm/v3/objects/deals").status == 200);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(290));
  http.Post(
      "/_sandbox/faults",
      {{"endpoint", "GET /crm/v3/objects/tickets"}, {"drop_connection", true}, {"on_call", 1}});
  Reply dropped = http.Get("/crm/v3/objects/tickets");
  CHECK(dropped.status != 200);
  CHECK(http.Get("/crm/v3/objects/tickets").status == 200);
  http.Post("/_sandbox/faults",
            {{"endpoint", "batch/create"}, {"fail_items", {1, 3}}, {"on_call", 1}});
  json inputs = json::array();
  for (int i = 0; i < 5; ++i)
    inputs.push_back({{"properties", {{"email", "pb" + std::to_string(i) + "@x.io"}}}});
  Reply partial = http.Post("/crm/v3/objects/contacts/batch/create", {{"inputs", inputs}});
  CHECK(partial.status == 207);
  CHECK(partial.body["results"].size() == 3);
  CHECK(partial.body["numErrors"] == 2);
  CHECK(http.Post("/crm/v3/objects/contacts/search", json::object()).body["total"] == 3);
}

TEST_CASE("shell: clock control and reset through the control API") {
  auto s = StartHubSpot();
  Http http(*s);
  Reply c = http.Post("/_sandbox/clock", {{"fixed", "2024-05-06T07:08:09.010Z"}});
  CHECK(c.body["now_ms"] == 1714979289010LL);
  http.Post("/_sandbox/clock", {{"advance_ms", 1000}});
  Reply r = http.Post("/crm/v3/objects/companies", {{"properties", {{"name", "T"}}}});
  CHECK(r.body["createdAt"] == "2024-05-06T07:08:10.010Z");
  Reply seeded = http.Post("/_sandbox/seed", json::parse(R"({"objects": {"contacts": [
      {"email": "s1@x.io"}, {"properties": {"email": "s2@x.io"}, "createdAt": "2020-01-01T00:00:00Z"}]}})"));
  CHECK(seeded.body["ids"]["contacts"].size() == 2);
  CHECK(http.Get("/crm/v3/objects/contacts").body["results"].size() == 2);
  http.Post("/_sandbox/reset", json::object());
  CHECK(http.Get("/crm/v3/objects/contacts").body["results"].empty());
  CHECK(http.Get("/_sandbox/nope").status == 404);
}
