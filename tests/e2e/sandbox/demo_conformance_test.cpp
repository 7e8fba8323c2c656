// Demo data: deterministic for a seed, loadable through the control API, and as messy as a real
// portal and org (duplicate emails across leads and contacts, free-text countries, blanks,
// converted leads, opportunities at every stage with contact roles, tickets, cases, activities,
// a custom object).
#include <doctest/doctest.h>

#include <set>

#include "http_client.h"
#include "sandbox/demo_data.h"
#include "sandbox/hubspot_sandbox.h"
#include "sandbox/salesforce_sandbox.h"

using nlohmann::json;
using syncline::sandbox::DemoOptions;
using syncline::sandbox::HubSpotSandbox;
using syncline::sandbox::SalesforceSandbox;
using syncline::sandbox::test::Http;
using syncline::sandbox::test::Reply;
using syncline::sandbox::test::UrlEncode;

namespace {

const std::string kBase = "/services/data/v60.0";

json Query(Http& http, const std::string& soql) {
  Reply r = http.Get(kBase + "/query?q=" + UrlEncode(soql));
  REQUIRE_MESSAGE(r.status == 200, r.raw);
  return r.body;
}

}  // namespace

TEST_CASE("demo: the generator is deterministic for a seed and differs across seeds") {
  DemoOptions a;
  a.contacts = 200;
  DemoOptions b = a;
  b.seed = 43;
  CHECK(syncline::sandbox::HubSpotDemoSeed(a) == syncline::sandbox::HubSpotDemoSeed(a));
  CHECK(syncline::sandbox::SalesforceDemoSeed(a) == syncline::sandbox::SalesforceDemoSeed(a));
  CHECK(syncline::sandbox::HubSpotDemoSeed(a) != syncline::sandbox::HubSpotDemoSeed(b));
}

TEST_CASE("demo: a messy HubSpot portal through the control API") {
  HubSpotSandbox hs;
  REQUIRE(hs.Start());
  Http http(hs);
  Reply made = http.Post("/_sandbox/demo", {{"contacts", 400}, {"seed", 7}});
  REQUIRE_MESSAGE(made.status == 200, made.raw);
  CHECK(made.body["created"]["contacts"] == 400);
  CHECK(made.body["created"]["deals"] == 80);
  CHECK(made.body["created"]["vehicles"] == 20);
  CHECK(http.Post("/_sandbox/demo", {{"contacts", 400}, {"seed", 7}}).body["skipped"] == true);
  json search = {
      {"filterGroups",
       {{{"filters", {{{"propertyName", "email"}, {"operator", "NOT_HAS_PROPERTY"}}}}}}}};
  CHECK(http.Post("/crm/v3/objects/contacts/search", search).body["total"] > 0);  // blanks
  std::set<std::string> countries;
  std::string after;
  for (;;) {
    Reply page = http.Get("/crm/v3/objects/contacts?limit=100&properties=country" +
                          (after.empty() ? "" : "&after=" + after));
    for (const auto& r : page.body["results"])
      if (r["properties"]["country"].is_string()) countries.insert(r["properties"]["country"]);
    if (!page.body.contains("paging")) break;
    after = page.body["paging"]["next"]["after"];
  }
  CHECK(countries.count("USA") + countries.count("U.S.A.") + countries.count("America") > 0);
  CHECK(countries.size() > 10);
  std::set<std::string> stages;
  for (const char* stage : {"closedwon", "closedlost", "appointmentscheduled"}) {
    json s = {
        {"filterGroups",
         {{{"filters", {{{"propertyName", "dealstage"}, {"operator", "EQ"}, {"value", stage}}}}}}}};
    CHECK(http.Post("/crm/v3/objects/deals/search", s).body["total"] > 0);
  }
  // Owners: six active, one archived; records refer to them.
  CHECK(made.body["created"]["owners"] == 7);
  CHECK(http.Get("/crm/v3/owners").body["results"].size() == 6);
  CHECK(http.Get("/crm/v3/owners?archived=true").body["results"].size() == 1);
  json owned = {
      {"filterGroups",
       {{{"filters", {{{"propertyName", "hubspot_owner_id"}, {"operator", "HAS_PROPERTY"}}}}}}}};
  CHECK(http.Post("/crm/v3/objects/contacts/search", owned).body["total"] == 100);
  Reply first = http.Get("/crm/v3/objects/contacts?limit=1");
  std::string id = first.body["results"][0]["id"];
  CHECK(http.Get("/crm/v4/objects/contacts/" + id + "/associations/companies").status == 200);
}

TEST_CASE("demo: a messy Salesforce org through the control API") {
  SalesforceSandbox sf;
  REQUIRE(sf.Start());
  Http http(sf);
  Reply made = http.Post("/_sandbox/demo", {{"contacts", 400}, {"seed", 7}});
  REQUIRE_MESSAGE(made.status == 200, made.raw);
  CHECK(made.body["created"]["Account"].get<int>() > 10);
  CHECK(Query(http, "SELECT COUNT() FROM Lead WHERE IsConverted = true")["totalSize"] > 0);
  CHECK(Query(http, "SELECT COUNT() FROM Lead WHERE Email = null")["totalSize"] > 0);
  // Emails shared by a lead and a contact.
  json leads = Query(http, "SELECT Email FROM Lead WHERE Email != null AND IsConverted = false");
  json contacts = Query(http, "SELECT Email FROM Contact WHERE Email != null");
  std::set<std::string> contact_emails;
  for (const auto& c : contacts["records"]) {
    std::string e = c["Email"];
    for (auto& ch : e) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    contact_emails.insert(e);
  }
  int shared = 0;
  for (const auto& l : leads["records"])
    shared += contact_emails.count(l["Email"].get<std::string>()) > 0;
  CHECK(shared > 0);
  json stages = Query(http, "SELECT StageName FROM Opportunity");
  std::set<std::string> seen;
  for (const auto& o : stages["records"]) seen.insert(o["StageName"]);
  CHECK(seen.size() == 10);
  CHECK(Query(http,
              "SELECT COUNT() FROM OpportunityContactRole WHERE IsPrimary = true")["totalSize"] >
        0);
  CHECK(Query(http, "SELECT COUNT() FROM Case")["totalSize"] > 0);
  CHECK(Query(http, "SELECT COUNT() FROM Task")["totalSize"] > 0);
  CHECK(Query(http, "SELECT COUNT() FROM Vehicle__c")["totalSize"] == 20);
  // Users besides the integration user: an inactive one, a partner and a Chatter-only user,
  // and records owned by them.
  CHECK(Query(http, "SELECT COUNT() FROM User")["totalSize"] == 8);
  CHECK(Query(http, "SELECT COUNT() FROM User WHERE IsActive = false")["totalSize"] == 1);
  CHECK(Query(http, "SELECT COUNT() FROM User WHERE UserType = 'PowerPartner'")["totalSize"] == 1);
  json inactive = Query(http, "SELECT Id FROM User WHERE IsActive = false");
  CHECK(Query(http, "SELECT COUNT() FROM Lead WHERE OwnerId = '" +
                        inactive["records"][0]["Id"].get<std::string>() + "'")["totalSize"] > 0);
  CHECK(Query(http, "SELECT COUNT() FROM Account WHERE BillingCountryCode = null")["totalSize"] >
        0);
}
