// HubSpot sandbox conformance (API spec Part C, HubSpot items): paging, batch limits, error
// shapes, rate limiting, timestamps, deletes, typing, identity, associations and lists.
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "http_client.h"
#include "sandbox/hubspot_sandbox.h"

using nlohmann::json;
using syncline::sandbox::HubSpotLimits;
using syncline::sandbox::HubSpotSandbox;
using syncline::sandbox::SandboxOptions;
using syncline::sandbox::test::Http;
using syncline::sandbox::test::Reply;

namespace {

struct Fixture {
  HubSpotSandbox sandbox;
  Http http;
  explicit Fixture(bool rate_limits = false)
      : sandbox([] {
          SandboxOptions o;
          o.token = "pat-na1-test";
          return o;
        }()),
        http((Start(sandbox), sandbox)) {
    HubSpotLimits l;
    l.rate_limits = rate_limits;
    sandbox.SetLimits(l);
  }
  static void Start(HubSpotSandbox& s) {
    std::string error;
    REQUIRE_MESSAGE(s.Start(&error), error);
  }
  std::string CreateContact(const std::string& email, json extra = json::object()) {
    extra["email"] = email;
    Reply r = http.Post("/crm/v3/objects/contacts", {{"properties", extra}});
    REQUIRE(r.status == 201);
    return r.body["id"];
  }
};

bool IsIsoMs(const json& v) {
  static const std::regex re(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)");
  return v.is_string() && std::regex_match(v.get<std::string>(), re);
}

void CheckErrorShape(const Reply& r, int status, const std::string& category) {
  CHECK(r.status == status);
  REQUIRE(r.body.is_object());
  CHECK(r.body["status"] == "error");
  CHECK(r.body["message"].is_string());
  CHECK(r.body["category"] == category);
  CHECK(r.body["correlationId"].is_string());
  CHECK(r.body["correlationId"].get<std::string>().size() == 36);
}

json Inputs(int n, const std::string& prefix) {
  json inputs = json::array();
  for (int i = 0; i < n; ++i)
    inputs.push_back({{"properties",
                       {{"email", prefix + std::to_string(i) + "@example.com"},
                        {"firstname", "F" + std::to_string(i)}}}});
  return inputs;
}

}  // namespace

TEST_CASE("hubspot: bearer auth answers 401 INVALID_AUTHENTICATION with fresh correlation ids") {
  Fixture f;
  Http anon(f.sandbox, "-");
  Reply a = anon.Get("/crm/v3/objects/contacts");
  CheckErrorShape(a, 401, "INVALID_AUTHENTICATION");
  Http wrong(f.sandbox, "wrong");
  Reply b = wrong.Get("/crm/v3/objects/contacts");
  CheckErrorShape(b, 401, "INVALID_AUTHENTICATION");
  CHECK(a.body["correlationId"] != b.body["correlationId"]);
  CHECK(f.http.Get("/crm/v3/objects/contacts").status == 200);
}

TEST_CASE("hubspot: record lifecycle, timestamps and archive semantics") {
  Fixture f;
  f.sandbox.clock().SetFixed(1'700'000'000'000);
  Reply c = f.http.Post("/crm/v3/objects/contacts",
                        {{"properties", {{"email", "Ada@Example.com"}, {"firstname", "Ada"}}}});
  REQUIRE(c.status == 201);
  std::string id = c.body["id"];
  CHECK(std::all_of(id.begin(), id.end(), ::isdigit));
  CHECK(IsIsoMs(c.body["createdAt"]));
  CHECK(c.body["createdAt"] == "2023-11-14T22:13:20.000Z");
  CHECK(c.body["properties"]["lastmodifieddate"] == c.body["updatedAt"]);
  CHECK(c.body["properties"]["hs_object_id"] == id);
  CHECK(c.body["archived"] == false);

  f.sandbox.clock().Advance(1500);
  Reply u = f.http.Patch("/crm/v3/objects/contacts/" + id, {{"properties", {{"lastname", "L"}}}});
  REQUIRE(u.status == 200);
  CHECK(u.body["updatedAt"] == "2023-11-14T22:13:21.500Z");
  CHECK(u.body["createdAt"] == c.body["createdAt"]);

  Reply g = f.http.Get("/crm/v3/objects/contacts/" + id + "?properties=lastname,nosuchprop");
  REQUIRE(g.status == 200);
  CHECK(g.body["properties"]["lastname"] == "L");
  CHECK_FALSE(g.body["properties"].contains("nosuchprop"));
  CHECK_FALSE(g.body["properties"].contains("firstname"));  // properties= replaces defaults

  Reply byEmail = f.http.Get("/crm/v3/objects/contacts/ada@example.com?idProperty=email");
  CHECK(byEmail.status == 200);
  CHECK(byEmail.body["id"] == id);

  CHECK(f.http.Delete("/crm/v3/objects/contacts/" + id).status == 204);
  CheckErrorShape(f.http.Get("/crm/v3/objects/contacts/" + id), 404, "OBJECT_NOT_FOUND");
  CHECK(f.http.Patch("/crm/v3/objects/contacts/" + id, {{"properties", {{"lastname", "x"}}}})
            .status == 404);
  Reply live = f.http.Get("/crm/v3/objects/contacts");
  CHECK(live.body["results"].empty());
  Reply archived = f.http.Get("/crm/v3/objects/contacts?archived=true");
  REQUIRE(archived.body["results"].size() == 1);
  CHECK(archived.body["results"][0]["archived"] == true);
  CHECK(IsIsoMs(archived.body["results"][0]["archivedAt"]));
  Reply search = f.http.Post("/crm/v3/objects/contacts/search", json::object());
  CHECK(search.body["total"] == 0);
  // The email is free again once the contact is archived.
  CHECK(f.http.Post("/crm/v3/objects/contacts", {{"properties", {{"email", "ada@example.com"}}}})
            .status == 201);
}

TEST_CASE("hubspot: list paging has an opaque cursor, no gaps or duplicates, no paging at end") {
  Fixture f;
  for (int i = 0; i < 3; ++i) {
    Reply r = f.http.Post("/crm/v3/objects/contacts/batch/create",
                          {{"inputs", Inputs(i < 2 ? 100 : 50, "p" + std::to_string(i) + "-")}});
    REQUIRE(r.status == 201);
    CHECK(r.body["status"] == "COMPLETE");
  }
  std::set<std::string> seen;
  std::string after;
  int pages = 0;
  long long last = 0;
  for (;;) {
    Reply r =
        f.http.Get("/crm/v3/objects/contacts?limit=100" + (after.empty() ? "" : "&after=" + after));
    REQUIRE(r.status == 200);
    ++pages;
    for (const auto& rec : r.body["results"]) {
      long long id = std::stoll(rec["id"].get<std::string>());
      CHECK(id > last);  // stable ascending id order
      last = id;
      CHECK(seen.insert(rec["id"]).second);
    }
    if (!r.body.contains("paging")) break;
    after = r.body["paging"]["next"]["after"];
    CHECK(r.body["paging"]["next"]["link"].is_string());
  }
  CHECK(pages == 3);
  CHECK(seen.size() == 250);
  CheckErrorShape(f.http.Get("/crm/v3/objects/contacts?limit=101"), 400, "VALIDATION_ERROR");
  CheckErrorShape(f.http.Get("/crm/v3/objects/contacts?after=%25%25bad"), 400, "VALIDATION_ERROR");
}

TEST_CASE("hubspot: batch limits, 207 partial results and upsert identity") {
  Fixture f;
  Reply big = f.http.Post("/crm/v3/objects/contacts/batch/create", {{"inputs", Inputs(101, "b")}});
  CheckErrorShape(big, 400, "VALIDATION_ERROR");
  CHECK(f.http.Post("/crm/v3/objects/contacts/search", json::object()).body["total"] == 0);

  std::string a = f.CreateContact("a@example.com");
  Reply read =
      f.http.Post("/crm/v3/objects/contacts/batch/read",
                  {{"properties", {"email"}}, {"inputs", {{{"id", a}}, {{"id", "999999"}}}}});
  CHECK(read.status == 207);
  CHECK(read.body["numErrors"] == 1);
  CHECK(read.body["errors"][0]["category"] == "OBJECT_NOT_FOUND");
  CHECK(read.body["errors"][0]["context"]["ids"][0] == "999999");
  CHECK(read.body["results"].size() == 1);

  Reply upd = f.http.Post("/crm/v3/objects/contacts/batch/update",
                          {{"inputs",
                            {{{"id", a}, {"properties", {{"firstname", "A"}}}},
                             {{"id", "424242"}, {"properties", {{"firstname", "B"}}}}}}});
  CHECK(upd.status == 207);
  CHECK(upd.body["errors"][0]["context"]["ids"][0] == "424242");

  Reply ups = f.http.Post(
      "/crm/v3/objects/contacts/batch/upsert",
      {{"inputs",
        {{{"id", "A@EXAMPLE.com"}, {"idProperty", "email"}, {"properties", {{"lastname", "X"}}}},
         {{"id", "new@example.com"},
          {"idProperty", "email"},
          {"properties", {{"lastname", "Y"}}}}}}});
  REQUIRE(ups.status == 200);
  REQUIRE(ups.body["results"].size() == 2);
  for (const auto& r : ups.body["results"]) {
    if (r["id"] == a) {
      CHECK(r["new"] == false);
    } else {
      CHECK(r["new"] == true);
      CHECK(r["properties"]["email"] == "new@example.com");
    }
  }
  Reply bad_key = f.http.Post(
      "/crm/v3/objects/contacts/batch/upsert",
      {{"inputs", {{{"id", "x"}, {"idProperty", "firstname"}, {"properties", json::object()}}}}});
  CheckErrorShape(bad_key, 400, "VALIDATION_ERROR");
  CHECK(f.http.Post("/crm/v3/objects/contacts/batch/archive", {{"inputs", {{{"id", a}}}}}).status ==
        204);
  CHECK(f.http.Get("/crm/v3/objects/contacts/" + a).status == 404);
}

TEST_CASE("hubspot: 409 on a duplicate contact email names the existing id, case-insensitive") {
  Fixture f;
  std::string id = f.CreateContact("dup@example.com");
  Reply r =
      f.http.Post("/crm/v3/objects/contacts", {{"properties", {{"email", "DUP@example.COM"}}}});
  CheckErrorShape(r, 409, "CONFLICT");
  CHECK(r.body["message"] == "Contact already exists. Existing ID: " + id);
  std::string other = f.CreateContact("other@example.com");
  Reply p = f.http.Patch("/crm/v3/objects/contacts/" + other,
                         {{"properties", {{"email", "dup@example.com"}}}});
  CHECK(p.status == 409);
  Reply batch =
      f.http.Post("/crm/v3/objects/contacts/batch/create", {{"inputs", Inputs(2, "same")}});
  CHECK(batch.status == 201);
  Reply twice = f.http.Post(
      "/crm/v3/objects/contacts/batch/create",
      {{"inputs",
        {{{"properties", {{"email", "t@x.io"}}}}, {{"properties", {{"email", "T@x.io"}}}}}}});
  CHECK(twice.status == 409);
}

TEST_CASE("hubspot: property validation and value typing") {
  Fixture f;
  Reply bad = f.http.Post("/crm/v3/objects/deals",
                          {{"properties", {{"dealname", "D"}, {"dealstage", "nonsense"}}}});
  CheckErrorShape(bad, 400, "VALIDATION_ERROR");
  std::string msg = bad.body["message"];
  CHECK(msg.rfind("Property values were not valid: [", 0) == 0);
  json inner = json::parse(msg.substr(std::string("Property values were not valid: ").size()));
  CHECK(inner[0]["error"] == "INVALID_OPTION");
  CHECK(inner[0]["name"] == "dealstage");
  CHECK(inner[0]["isValid"] == false);

  Reply unknown = f.http.Post("/crm/v3/objects/contacts", {{"properties", {{"nope", "1"}}}});
  CHECK(unknown.status == 400);
  CHECK(unknown.body["message"].get<std::string>().find("PROPERTY_DOESNT_EXIST") !=
        std::string::npos);

  Reply d = f.http.Post("/crm/v3/objects/deals", {{"properties",
                                                   {{"dealname", "Big"},
                                                    {"amount", 1500.5},
                                                    {"dealstage", "closedwon"},
                                                    {"closedate", 1700000000000LL}}}});
  REQUIRE(d.status == 201);
  std::string id = d.body["id"];
  Reply g = f.http.Get("/crm/v3/objects/deals/" + id +
                       "?properties=amount,closedate,hs_is_closed_won,hs_is_closed");
  CHECK(g.body["properties"]["amount"] == "1500.5");
  CHECK(g.body["properties"]["closedate"] == "2023-11-14T22:13:20.000Z");
  CHECK(g.body["properties"]["hs_is_closed_won"] == "true");
  CHECK(g.body["properties"]["hs_is_closed"] == "true");

  Reply c = f.http.Post("/crm/v3/objects/contacts", {{"properties",
                                                      {{"email", "t@example.com"},
                                                       {"hs_email_optout", true},
                                                       {"num_employees", 12},
                                                       {"hs_interests", "product;pricing"},
                                                       {"date_of_birth", "1990-05-01"}}}});
  REQUIRE(c.status == 201);
  Reply cg = f.http.Get("/crm/v3/objects/contacts/" + c.body["id"].get<std::string>() +
                        "?properties=hs_email_optout,num_employees,hs_interests,date_of_birth");
  CHECK(cg.body["properties"]["hs_email_optout"] == "true");
  CHECK(cg.body["properties"]["num_employees"] == "12");
  CHECK(cg.body["properties"]["hs_interests"] == "product;pricing");
  CHECK(cg.body["properties"]["date_of_birth"] == "1990-05-01");
  CHECK(f.http
            .Post("/crm/v3/objects/contacts",
                  {{"properties", {{"email", "u@example.com"}, {"hs_interests", "product;bogus"}}}})
            .status == 400);
  CHECK(f.http
            .Post("/crm/v3/objects/contacts",
                  {{"properties",
                    {{"email", "v@example.com"}, {"date_of_birth", "1990-05-01T10:00:00Z"}}}})
            .status == 400);
  CHECK(f.http.Post("/crm/v3/objects/contacts", {{"properties", {{"email", "not-an-email"}}}})
            .status == 400);
  CHECK(f.http
            .Post("/crm/v3/objects/contacts",
                  {{"properties", {{"email", "w@example.com"}, {"hs_object_id", "5"}}}})
            .status == 400);
  // Engagements require hs_timestamp.
  CHECK(f.http.Post("/crm/v3/objects/notes", {{"properties", {{"hs_note_body", "x"}}}}).status ==
        400);
  CHECK(
      f.http
          .Post("/crm/v3/objects/notes",
                {{"properties", {{"hs_note_body", "x"}, {"hs_timestamp", "2024-01-01T10:00:00Z"}}}})
          .status == 201);
}

TEST_CASE("hubspot: search filters, sorts, paging, total and the 10,000 cap") {
  Fixture f;
  f.sandbox.clock().SetFixed(1'700'000'000'000);
  json inputs = json::array();
  for (int i = 0; i < 30; ++i)
    inputs.push_back(
        {{"properties",
          {{"email", "s" + std::to_string(i) + (i % 2 ? "@hubspot.com" : "@other.org")},
           {"lifecyclestage", i % 3 == 0 ? "customer" : "lead"},
           {"num_employees", i}}}});
  REQUIRE(f.http.Post("/crm/v3/objects/contacts/batch/create", {{"inputs", inputs}}).status == 201);
  json body = {
      {"filterGroups",
       {{{"filters",
          {{{"propertyName", "email"}, {"operator", "CONTAINS_TOKEN"}, {"value", "*@hubspot.com"}},
           {{"propertyName", "num_employees"}, {"operator", "GTE"}, {"value", "10"}}}}}}},
      {"sorts", {{{"propertyName", "num_employees"}, {"direction", "DESCENDING"}}}},
      {"properties", {"email", "num_employees"}},
      {"limit", 5}};
  Reply s = f.http.Post("/crm/v3/objects/contacts/search", body);
  REQUIRE(s.status == 200);
  CHECK(s.body["total"] == 10);  // odd i in 11..29
  CHECK(s.body["results"].size() == 5);
  CHECK(s.body["results"][0]["properties"]["num_employees"] == "29");
  CHECK(s.body["paging"]["next"]["after"] == "5");
  CHECK_FALSE(s.HasHeader("X-HubSpot-RateLimit-Max"));  // no rate-limit headers on search
  body["after"] = "5";
  Reply s2 = f.http.Post("/crm/v3/objects/contacts/search", body);
  CHECK(s2.body["results"].size() == 5);
  CHECK_FALSE(s2.body.contains("paging"));
  // OR of groups, IN, NOT_HAS_PROPERTY, datetime filter with epoch ms.
  json ors = json::parse(R"({"filterGroups": [
      {"filters": [{"propertyName": "lifecyclestage", "operator": "IN", "values": ["customer"]}]},
      {"filters": [{"propertyName": "num_employees", "operator": "LT", "value": "2"}]}],
    "limit": 100})");
  CHECK(f.http.Post("/crm/v3/objects/contacts/search", ors).body["total"] == 11);
  json dt = {{"filterGroups",
              {{{"filters",
                 {{{"propertyName", "lastmodifieddate"},
                   {"operator", "GTE"},
                   {"value", "1700000000000"}}}}}}}};
  CHECK(f.http.Post("/crm/v3/objects/contacts/search", dt).body["total"] == 30);
  dt["filterGroups"][0]["filters"][0]["value"] = "1700000000001";
  CHECK(f.http.Post("/crm/v3/objects/contacts/search", dt).body["total"] == 0);
  CheckErrorShape(f.http.Post("/crm/v3/objects/contacts/search", {{"limit", 201}}), 400,
                  "VALIDATION_ERROR");
  CheckErrorShape(
      f.http.Post("/crm/v3/objects/contacts/search", {{"limit", 100}, {"after", "9950"}}), 400,
      "VALIDATION_ERROR");
  CHECK(
      f.http.Post("/crm/v3/objects/contacts/search", {{"limit", 100}, {"after", "9900"}}).status ==
      200);
  json six = {{"filterGroups", json::array()}};
  for (int i = 0; i < 6; ++i)
    six["filterGroups"].push_back(
        {{"filters", {{{"propertyName", "email"}, {"operator", "HAS_PROPERTY"}}}}});
  CHECK(f.http.Post("/crm/v3/objects/contacts/search", six).status == 400);
}

TEST_CASE("hubspot: indexed searches answer exactly as a full scan does") {
  // Searches on the id and timestamps (and EQ/IN on email) are answered from the store's
  // indexes; an extra filter group that matches nothing (or, without groups, one that matches
  // everything) makes the sandbox scan every record instead, and both must give the same
  // total, page and paging.
  Fixture f;
  int64_t t0 = 1'700'000'000'000;
  f.sandbox.clock().SetFixed(t0);
  std::vector<std::string> ids;
  for (int tick = 0; tick < 6; ++tick) {  // 8 records per millisecond: ties on the timestamps
    json inputs = json::array();
    for (int i = 0; i < 8; ++i)
      inputs.push_back({{"properties",
                         {{"email", "x" + std::to_string(tick * 8 + i) + "@example.com"},
                          {"firstname", "F" + std::to_string(i)}}}});
    Reply r = f.http.Post("/crm/v3/objects/contacts/batch/create", {{"inputs", inputs}});
    REQUIRE(r.status == 201);
    for (const auto& res : r.body["results"]) ids.push_back(res["id"]);
    f.sandbox.clock().Advance(tick % 2 ? 1 : 5);
  }
  std::sort(ids.begin(), ids.end());
  // Updates move some records later; an archived record leaves the results.
  REQUIRE(f.http.Patch("/crm/v3/objects/contacts/" + ids[3], {{"properties", {{"lastname", "L"}}}})
              .status == 200);
  f.sandbox.clock().Advance(3);
  REQUIRE(f.http.Patch("/crm/v3/objects/contacts/" + ids[10], {{"properties", {{"lastname", "M"}}}})
              .status == 200);
  REQUIRE(f.http.Delete("/crm/v3/objects/contacts/" + ids[20]).status == 204);
  auto filter = [](const std::string& prop, const std::string& op, const json& value) {
    json x = {{"propertyName", prop}, {"operator", op}};
    if (value.is_array()) {
      x["values"] = value;
    } else if (!value.is_null()) {
      x["value"] = value;
    }
    return x;
  };
  auto ms = [&](int64_t d) { return std::to_string(t0 + d); };
  std::vector<json> groups = {
      json::array(),
      {{{"filters", {filter("lastmodifieddate", "GTE", ms(0))}}}},
      {{{"filters", {filter("lastmodifieddate", "GT", ms(6))}}}},
      {{{"filters", {filter("lastmodifieddate", "EQ", ms(12))}}}},
      {{{"filters", {filter("lastmodifieddate", "LT", ms(12))}}}},
      {{{"filters", {filter("lastmodifieddate", "LTE", "2023-11-14T22:13:20.012Z")}}}},
      {{{"filters",
         {{{"propertyName", "lastmodifieddate"},
           {"operator", "BETWEEN"},
           {"value", ms(5)},
           {"highValue", ms(13)}}}}}},
      {{{"filters",
         {filter("lastmodifieddate", "EQ", ms(12)), filter("hs_object_id", "GT", ids[17])}}}},
      {{{"filters", {filter("hs_object_id", "LTE", ids[30]), filter("createdate", "GTE", ms(6))}}}},
      {{{"filters", {filter("hs_object_id", "HAS_PROPERTY", nullptr)}}}},
      {{{"filters",
         {filter(
             "email", "IN",
             {"X5@example.com", "x20@example.com", "x40@example.com", "nobody@example.com"})}}}},
      {{{"filters", {filter("email", "EQ", "x7@example.com")}}},
       {{"filters",
         {filter("email", "IN", {"x9@example.com", "x7@example.com"}),
          filter("firstname", "EQ", "F1")}}}},
      // A keyset continuation (the connector's change feed): after a millisecond, or at it and
      // not read yet. ids[3] was at 0 and moved later, so it is not left out; ids[20] is archived.
      {{{"filters", {filter("lastmodifieddate", "GT", ms(0))}}},
       {{"filters",
         {filter("lastmodifieddate", "EQ", ms(0)),
          filter("hs_object_id", "NOT_IN", {ids[0], ids[3], ids[5]})}}}},
      {{{"filters", {filter("lastmodifieddate", "GT", ms(12))}}},
       {{"filters",
         {filter("hs_object_id", "NOT_IN", {ids[32], ids[34], ids[20], ids[10]}),
          filter("lastmodifieddate", "EQ", ms(12))}}}},
  };
  std::vector<json> sorts = {
      json::array(),
      {{{"propertyName", "lastmodifieddate"}, {"direction", "ASCENDING"}}},
      {{{"propertyName", "lastmodifieddate"}, {"direction", "DESCENDING"}}},
      {"-hs_object_id"},
      {{{"propertyName", "createdate"}, {"direction", "DESCENDING"}},
       {{"propertyName", "hs_object_id"}, {"direction", "DESCENDING"}}},
  };
  const json never = {{"filters", {filter("firstname", "EQ", "never-matches")}}};
  int compared = 0;
  auto compare_all = [&] {
    for (const auto& g : groups) {
      for (const auto& s : sorts) {
        for (auto [after, limit] : {std::pair{0, 100}, std::pair{5, 7}, std::pair{40, 10}}) {
          json body = {{"filterGroups", g},
                       {"sorts", s},
                       {"properties", {"email", "lastmodifieddate"}},
                       {"limit", limit},
                       {"after", std::to_string(after)}};
          json scan = body;
          if (g.empty()) {  // no groups match everything, as does this one
            scan["filterGroups"] = {{{"filters", {filter("firstname", "NEQ", "never-matches")}}}};
          } else {
            scan["filterGroups"].push_back(never);
          }
          Reply fast = f.http.Post("/crm/v3/objects/contacts/search", body);
          Reply slow = f.http.Post("/crm/v3/objects/contacts/search", scan);
          REQUIRE(fast.status == 200);
          REQUIRE(slow.status == 200);
          INFO(body.dump());
          CHECK(fast.body["total"] == slow.body["total"]);
          CHECK(fast.body["results"] == slow.body["results"]);
          CHECK(fast.body.value("paging", json()) == slow.body.value("paging", json()));
          ++compared;
        }
      }
    }
  };
  compare_all();
  CHECK(compared == 210);
  // Sanity: the feed filter sees every live record, the archived one left out.
  json all = {{"filterGroups", groups[1]}, {"limit", 1}};
  CHECK(f.http.Post("/crm/v3/objects/contacts/search", all).body["total"] == 47);

  // The time-range totals are counted in memory, rebuilt after a rollback (a seed that fails
  // after creating a contact) and kept in step with every write after that: an update moving a
  // record later, an archive and creates must leave the same answers as a scan.
  Reply failed = f.http.Post(
      "/_sandbox/seed",
      {{"objects", {{"contacts", {{{"email", "rolled-back@example.com"}}}}}},
       {"associations",
        {{{"from", "contacts"}, {"to", "no-such-object"}, {"from_index", 0}, {"to_index", 0}}}}});
  CHECK(failed.status != 200);
  CHECK(f.http.Post("/crm/v3/objects/contacts/search", all).body["total"] == 47);
  f.sandbox.clock().Advance(2);
  REQUIRE(f.http.Patch("/crm/v3/objects/contacts/" + ids[0], {{"properties", {{"lastname", "N"}}}})
              .status == 200);
  REQUIRE(f.http.Delete("/crm/v3/objects/contacts/" + ids[1]).status == 204);
  json more = json::array();
  for (int i = 0; i < 3; ++i)
    more.push_back({{"properties", {{"email", "late" + std::to_string(i) + "@example.com"}}}});
  REQUIRE(f.http.Post("/crm/v3/objects/contacts/batch/create", {{"inputs", more}}).status == 201);
  compare_all();
  CHECK(compared == 420);
  CHECK(f.http.Post("/crm/v3/objects/contacts/search", all).body["total"] == 49);
}

TEST_CASE("hubspot: search reflects writes only after the configured index delay") {
  Fixture f;
  f.sandbox.clock().SetFixed(1'700'000'000'000);
  HubSpotLimits l = f.sandbox.limits();
  l.search_index_delay_ms = 2000;
  f.sandbox.SetLimits(l);
  f.CreateContact("late@example.com");
  CHECK(f.http.Post("/crm/v3/objects/contacts/search", json::object()).body["total"] == 0);
  f.sandbox.clock().Advance(2500);
  CHECK(f.http.Post("/crm/v3/objects/contacts/search", json::object()).body["total"] == 1);
}

TEST_CASE("hubspot: rolling 10 s, daily and search buckets answer 429 with policyName") {
  Fixture f(true);
  f.sandbox.clock().SetFixed(1'700'000'000'000);
  HubSpotLimits l = f.sandbox.limits();
  l.burst_per_10s = 5;
  l.search_per_second = 2;
  l.daily = 8;
  f.sandbox.SetLimits(l);
  for (int i = 0; i < 5; ++i) {
    Reply r = f.http.Get("/crm/v3/objects/contacts");
    CHECK(r.status == 200);
    CHECK(r.Header("X-HubSpot-RateLimit-Max") == "5");
    CHECK(r.Header("X-HubSpot-RateLimit-Remaining") == std::to_string(4 - i));
    CHECK(r.Header("X-HubSpot-RateLimit-Interval-Milliseconds") == "10000");
    CHECK(r.HasHeader("X-HubSpot-RateLimit-Daily-Remaining"));
  }
  Reply limited = f.http.Get("/crm/v3/objects/contacts");
  CheckErrorShape(limited, 429, "RATE_LIMITS");
  CHECK(limited.body["policyName"] == "TEN_SECONDLY_ROLLING");
  CHECK(limited.body["errorType"] == "RATE_LIMIT");
  CHECK(std::stoi(limited.Header("Retry-After")) >= 1);
  CHECK(f.http.Post("/crm/v3/objects/contacts/search", json::object()).status == 200);
  CHECK(f.http.Post("/crm/v3/objects/contacts/search", json::object()).status == 200);
  Reply s = f.http.Post("/crm/v3/objects/contacts/search", json::object());
  CHECK(s.status == 429);
  CHECK(s.body["policyName"] == "SECONDLY");
  CHECK(s.body["message"] == "You have reached your secondly limit.");
  f.sandbox.clock().Advance(10'001);
  CHECK(f.http.Get("/crm/v3/objects/contacts").status == 200);  // daily: 8th admitted call
  Reply daily = f.http.Get("/crm/v3/objects/contacts");
  CHECK(daily.status == 429);
  CHECK(daily.body["policyName"] == "DAILY");
  f.sandbox.clock().Advance(86'400'000);
  CHECK(f.http.Get("/crm/v3/objects/contacts").status == 200);
}

TEST_CASE("hubspot: directional associations, labels and batch reads") {
  Fixture f;
  std::string contact = f.CreateContact("assoc@example.com");
  Reply co = f.http.Post("/crm/v3/objects/companies", {{"properties", {{"name", "Acme"}}}});
  std::string company = co.body["id"];
  Reply link = f.http.Put(
      "/crm/v4/objects/contacts/" + contact + "/associations/default/companies/" + company, json());
  REQUIRE(link.status == 200);
  CHECK(link.body["results"][0]["associationSpec"]["associationTypeId"] == 279);
  Reply back = f.http.Get("/crm/v4/objects/companies/" + company + "/associations/contacts");
  REQUIRE(back.status == 200);
  REQUIRE(back.body["results"].size() == 1);
  CHECK(back.body["results"][0]["toObjectId"] == std::stoll(contact));
  CHECK(back.body["results"][0]["associationTypes"][0]["typeId"] == 280);
  CHECK(back.body["results"][0]["associationTypes"][0]["label"].is_null());

  Reply primary = f.http.Put(
      "/crm/v4/objects/contacts/" + contact + "/associations/companies/" + company,
      json::array({{{"associationCategory", "HUBSPOT_DEFINED"}, {"associationTypeId", 1}}}));
  REQUIRE(primary.status == 200);
  CHECK(primary.body["labels"][0] == "Primary");
  Reply both = f.http.Get("/crm/v4/objects/contacts/" + contact + "/associations/companies");
  CHECK(both.body["results"][0]["associationTypes"].size() == 2);
  Reply labels = f.http.Get("/crm/v4/associations/contacts/companies/labels");
  bool has_null = false;
  for (const auto& t : labels.body["results"]) has_null |= t["label"].is_null();
  CHECK(has_null);

  Reply inline_assoc =
      f.http.Get("/crm/v3/objects/contacts/" + contact + "?associations=companies");
  CHECK(inline_assoc.body["associations"]["companies"]["results"].size() == 2);

  Reply batch = f.http.Post("/crm/v4/associations/companies/contacts/batch/read",
                            {{"inputs", {{{"id", company}}, {{"id", "777777"}}}}});
  CHECK(batch.status == 207);
  CHECK(batch.body["results"][0]["to"][0]["toObjectId"] == std::stoll(contact));

  CHECK(f.http.Delete("/crm/v4/objects/companies/" + company + "/associations/contacts/" + contact)
            .status == 204);
  CHECK(f.http.Get("/crm/v4/objects/contacts/" + contact + "/associations/companies")
            .body["results"]
            .empty());

  // Batch create with a label, then create a custom label.
  Reply made = f.http.Post(
      "/crm/v4/associations/contacts/companies/batch/create",
      {{"inputs",
        {{{"from", {{"id", contact}}},
          {"to", {{"id", company}}},
          {"types",
           {{{"associationCategory", "HUBSPOT_DEFINED"}, {"associationTypeId", 279}}}}}}}});
  CHECK(made.status == 200);
  Reply custom =
      f.http.Post("/crm/v4/associations/contacts/companies/labels", {{"label", "Billing contact"}});
  CHECK(custom.status == 200);
  CHECK(custom.body["results"][0]["category"] == "USER_DEFINED");
  // Inline association on create.
  Reply task = f.http.Post(
      "/crm/v3/objects/tasks",
      {{"properties", {{"hs_timestamp", "2024-01-01T00:00:00Z"}, {"hs_task_subject", "Call"}}},
       {"associations",
        {{{"to", {{"id", contact}}},
          {"types",
           {{{"associationCategory", "HUBSPOT_DEFINED"}, {"associationTypeId", 204}}}}}}}});
  REQUIRE(task.status == 201);
  Reply tasks = f.http.Get("/crm/v4/objects/contacts/" + contact + "/associations/tasks");
  CHECK(tasks.body["results"][0]["associationTypes"][0]["typeId"] == 203);
}

TEST_CASE("hubspot: lists v3 memberships (MANUAL, DYNAMIC evaluated on write, SNAPSHOT)") {
  Fixture f;
  std::string a = f.CreateContact("a@acme.com", {{"lifecyclestage", "lead"}});
  std::string b = f.CreateContact("b@other.com");
  Reply manual = f.http.Post(
      "/crm/v3/lists", {{"name", "Manual"}, {"objectTypeId", "0-1"}, {"processingType", "MANUAL"}});
  REQUIRE(manual.status == 200);
  std::string mid = manual.body["list"]["listId"];
  Reply add = f.http.Put("/crm/v3/lists/" + mid + "/memberships/add", {a, b, "99999"});
  REQUIRE(add.status == 200);
  CHECK(add.body["recordsIdsAdded"].size() == 2);
  CHECK(add.body["recordIdsMissing"][0] == "99999");
  CHECK(add.body.contains("recordIdsRemoved"));
  Reply again = f.http.Put("/crm/v3/lists/" + mid + "/memberships/add", {a});
  CHECK(again.body["recordsIdsAdded"].empty());
  Reply rm = f.http.Put("/crm/v3/lists/" + mid + "/memberships/remove", {b});
  CHECK(rm.body["recordIdsRemoved"][0] == b);
  Reply members = f.http.Get("/crm/v3/lists/" + mid + "/memberships");
  REQUIRE(members.body["results"].size() == 1);
  CHECK(members.body["results"][0]["recordId"] == a);

  json filter = {{"filterBranchType", "OR"},
                 {"filterBranches",
                  {{{"filterBranchType", "AND"},
                    {"filters",
                     {{{"filterType", "PROPERTY"},
                       {"property", "lifecyclestage"},
                       {"operation",
                        {{"operationType", "ENUMERATION"},
                         {"operator", "IS_ANY_OF"},
                         {"values", {"customer"}}}}}}}}}}};
  Reply dyn = f.http.Post("/crm/v3/lists", {{"name", "Customers"},
                                            {"objectTypeId", "0-1"},
                                            {"processingType", "DYNAMIC"},
                                            {"filterBranch", filter}});
  REQUIRE(dyn.status == 200);
  std::string did = dyn.body["list"]["listId"];
  CHECK(dyn.body["list"]["size"] == 0);
  f.http.Patch("/crm/v3/objects/contacts/" + a, {{"properties", {{"lifecyclestage", "customer"}}}});
  CHECK(f.http.Get("/crm/v3/lists/" + did).body["list"]["size"] == 1);
  CHECK(f.http.Put("/crm/v3/lists/" + did + "/memberships/add", {b}).status == 400);
  f.http.Patch("/crm/v3/objects/contacts/" + a, {{"properties", {{"lifecyclestage", "lead"}}}});
  CHECK(f.http.Get("/crm/v3/lists/" + did + "/memberships").body["results"].empty());

  json lead_filter = filter;
  lead_filter["filterBranches"][0]["filters"][0]["operation"]["values"] = {"lead"};
  Reply snap = f.http.Post("/crm/v3/lists", {{"name", "Snap"},
                                             {"objectTypeId", "0-1"},
                                             {"processingType", "SNAPSHOT"},
                                             {"filterBranch", lead_filter}});
  std::string sid = snap.body["list"]["listId"];
  CHECK(snap.body["list"]["size"] == 1);
  CHECK(f.http.Put("/crm/v3/lists/" + sid + "/memberships/add", {b}).status == 200);
  CHECK(f.http.Get("/crm/v3/lists/object-type-id/0-1/name/snap").status == 200);
  Reply rec = f.http.Post("/crm/v3/lists/records/memberships/batch/read",
                          {{"inputs", {{{"objectTypeId", "0-1"}, {"recordId", a}}}}});
  CHECK(rec.body["results"][0]["listMemberships"].size() == 2);
}

TEST_CASE("hubspot: properties API and custom object schemas") {
  Fixture f;
  Reply all = f.http.Get("/crm/v3/properties/contacts");
  REQUIRE(all.status == 200);
  bool found = false;
  for (const auto& p : all.body["results"])
    if (p["name"] == "lifecyclestage") {
      found = true;
      CHECK(p["type"] == "enumeration");
      CHECK(p["options"].size() == 8);
    }
  CHECK(found);
  Reply made = f.http.Post("/crm/v3/properties/contacts", json::parse(R"({
      "name": "tier", "label": "Tier", "type": "enumeration", "fieldType": "select",
      "groupName": "contactinformation",
      "options": [{"label": "Gold", "value": "gold"}, {"label": "Silver", "value": "silver"}]})"));
  REQUIRE(made.status == 201);
  CHECK(f.http.Post("/crm/v3/properties/contacts", {{"name", "tier"}, {"type", "string"}}).status ==
        409);
  CHECK(f.http
            .Post("/crm/v3/objects/contacts",
                  {{"properties", {{"email", "g@x.io"}, {"tier", "gold"}}}})
            .status == 201);
  CHECK(f.http
            .Post("/crm/v3/objects/contacts",
                  {{"properties", {{"email", "h@x.io"}, {"tier", "bronze"}}}})
            .status == 400);
  CHECK(f.http.Get("/crm/v3/properties/contacts/tier").body["options"].size() == 2);

  Reply schemas = f.http.Get("/crm/v3/schemas");
  CHECK(schemas.body["results"][0]["objectTypeId"] == "2-1001");
  Reply v =
      f.http.Post("/crm/v3/objects/2-1001", {{"properties", {{"vin", "VIN1"}, {"make", "Volvo"}}}});
  REQUIRE(v.status == 201);
  CHECK(v.body["properties"].contains("hs_createdate"));
  CHECK(f.http.Get("/crm/v3/objects/p1234567_vehicles/" + v.body["id"].get<std::string>()).status ==
        200);
  Reply pets = f.http.Post(
      "/crm/v3/schemas",
      {{"name", "pets"},
       {"labels", {{"singular", "Pet"}, {"plural", "Pets"}}},
       {"primaryDisplayProperty", "pet_name"},
       {"requiredProperties", {"pet_name"}},
       {"properties",
        {{{"name", "pet_name"}, {"label", "Name"}, {"type", "string"}, {"fieldType", "text"}}}}});
  REQUIRE(pets.status == 201);
  std::string pet_type = pets.body["objectTypeId"];
  CHECK(f.http.Post("/crm/v3/objects/" + pet_type, {{"properties", json::object()}}).status == 400);
  CHECK(f.http.Post("/crm/v3/objects/pets", {{"properties", {{"pet_name", "Rex"}}}}).status == 201);
}

TEST_CASE("hubspot: bad input gets HubSpot's error shape and the server keeps serving") {
  Fixture f;
  Reply malformed =
      f.http.Raw("POST", "/crm/v3/objects/contacts", "{\"properties\": {", "application/json");
  CheckErrorShape(malformed, 400, "VALIDATION_ERROR");
  Reply type = f.http.Raw("POST", "/crm/v3/objects/contacts", "email=x",
                          "application/x-www-form-urlencoded");
  CHECK(type.status == 415);
  CHECK(type.body["status"] == "error");
  CheckErrorShape(f.http.Get("/crm/v3/objects/unicorns"), 400, "VALIDATION_ERROR");
  CHECK(f.http.Get("/crm/v3/nothing/here/at/all").status == 404);
  CHECK(f.http.Post("/crm/v3/objects/contacts/batch/create", {{"inputs", "nope"}}).status == 400);
  CHECK(f.http.Post("/crm/v3/objects/contacts/batch/read", json::array()).status == 400);
  CHECK(f.http
            .Post("/crm/v3/objects/contacts/search",
                  {{"filterGroups",
                    {{{"filters", {{{"propertyName", "email"}, {"operator", "LIKE"}}}}}}}})
            .status == 400);
  CHECK(f.http.Post("/crm/v3/objects/contacts", {{"properties", {{"email", {{"nested", 1}}}}}})
            .status == 400);
  CHECK(f.http.Get("/crm/v3/objects/contacts").status == 200);
}

TEST_CASE("hubspot: OAuth v1 token endpoint hands out the sandbox token") {
  Fixture f;
  Http anon(f.sandbox, "-");
  Reply ok = anon.Raw("POST", "/oauth/v1/token",
                      "grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=r",
                      "application/x-www-form-urlencoded");
  REQUIRE(ok.status == 200);
  CHECK(ok.body["access_token"] == f.sandbox.token());
  CHECK(ok.body["expires_in"] == 1800);
  CHECK(ok.body.contains("refresh_token"));
  Reply bad = anon.Raw("POST", "/oauth/v1/token", "grant_type=magic&client_id=c",
                       "application/x-www-form-urlencoded");
  CHECK(bad.status == 400);
  CHECK(bad.body["status"] == "BAD_GRANT_TYPE");
}

TEST_CASE("hubspot: owners v3 list with paging, email filter, archived, get by id or userId") {
  Fixture f;
  json ids = f.sandbox.SeedOwners(
      json::array({{{"firstName", "Alice"}, {"lastName", "Martin"}, {"email", "alice@example.com"}},
                   {{"firstName", "Bob"}, {"lastName", "Chen"}, {"email", "bob@example.com"}},
                   {{"firstName", "Cleo"},
                    {"lastName", "Old"},
                    {"email", "cleo@example.com"},
                    {"archived", true}},
                   {{"id", "555"},
                    {"firstName", "Dee"},
                    {"lastName", "Set"},
                    {"email", "dee@example.com"},
                    {"userId", 42}}}));
  REQUIRE(ids.size() == 4);
  CHECK(ids[3] == "555");
  // Paging: ascending id, `after` until no paging; archived owners only with archived=true.
  std::vector<std::string> seen;
  std::string after;
  for (int guard = 0; guard < 10; ++guard) {
    Reply r = f.http.Get("/crm/v3/owners?limit=1" + (after.empty() ? "" : "&after=" + after));
    REQUIRE(r.status == 200);
    for (const auto& o : r.body["results"]) {
      seen.push_back(o["id"]);
      CHECK(o["archived"] == false);
      CHECK(IsIsoMs(o["createdAt"]));
      CHECK(o["userId"].is_number_integer());
    }
    if (!r.body.contains("paging")) break;
    after = r.body["paging"]["next"]["after"];
  }
  CHECK(seen == std::vector<std::string>{"555", ids[0], ids[1]});
  Reply archived = f.http.Get("/crm/v3/owners?archived=true");
  REQUIRE(archived.body["results"].size() == 1);
  CHECK(archived.body["results"][0]["email"] == "cleo@example.com");
  Reply by_email = f.http.Get("/crm/v3/owners?email=BOB@example.com");
  REQUIRE(by_email.body["results"].size() == 1);
  CHECK(by_email.body["results"][0]["firstName"] == "Bob");
  Reply one = f.http.Get("/crm/v3/owners/" + ids[0].get<std::string>());
  CHECK(one.status == 200);
  CHECK(one.body["lastName"] == "Martin");
  CHECK(f.http.Get("/crm/v3/owners/42?idProperty=userId").body["id"] == "555");
  CheckErrorShape(f.http.Get("/crm/v3/owners/" + ids[2].get<std::string>()), 404,
                  "OBJECT_NOT_FOUND");
  CHECK(f.http.Get("/crm/v3/owners/" + ids[2].get<std::string>() + "?archived=true").status == 200);
  CheckErrorShape(f.http.Get("/crm/v3/owners?limit=501"), 400, "VALIDATION_ERROR");
  // A reset forgets them.
  f.http.Post("/_sandbox/reset", json::object());
  CHECK(f.http.Get("/crm/v3/owners").body["results"].empty());
}
