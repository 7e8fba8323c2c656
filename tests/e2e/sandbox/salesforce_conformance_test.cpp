// Salesforce sandbox conformance (API spec Part C, Salesforce items): query paging, collection
// limits and allOrNone, error arrays, limits, timestamps and replication, deletes, typing,
// identity, derived fields, lead conversion, state/country and duplicate rules.
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "http_client.h"
#include "sandbox/salesforce_sandbox.h"

using nlohmann::json;
using syncline::sandbox::LeadConversion;
using syncline::sandbox::SalesforceLimits;
using syncline::sandbox::SalesforceSandbox;
using syncline::sandbox::SandboxOptions;
using syncline::sandbox::test::Http;
using syncline::sandbox::test::Reply;

namespace {

const std::string kBase = "/services/data/v60.0";

struct Fixture {
  SalesforceSandbox sandbox;
  Http http;
  Fixture()
      : sandbox([] {
          SandboxOptions o;
          o.token = "00Dxx0000000001!AQ.sandbox";
          return o;
        }()),
        http((Start(sandbox), sandbox)) {}
  static void Start(SalesforceSandbox& s) {
    std::string error;
    REQUIRE_MESSAGE(s.Start(&error), error);
  }
  std::string Create(const std::string& object, const json& fields) {
    Reply r = http.Post(kBase + "/sobjects/" + object, fields);
    REQUIRE_MESSAGE(r.status == 201, r.raw);
    return r.body["id"];
  }
  json Query(const std::string& soql, bool all = false) {
    Reply r = http.Get(kBase + (all ? "/queryAll?q=" : "/query?q=") +
                       syncline::sandbox::test::UrlEncode(soql));
    REQUIRE_MESSAGE(r.status == 200, r.raw);
    return r.body;
  }
  Reply QueryReply(const std::string& soql) {
    return http.Get(kBase + "/query?q=" + syncline::sandbox::test::UrlEncode(soql));
  }
};

void CheckError(const Reply& r, int status, const std::string& code) {
  CHECK(r.status == status);
  REQUIRE_MESSAGE(r.body.is_array(), r.raw);
  REQUIRE(!r.body.empty());
  CHECK(r.body[0]["errorCode"] == code);
  CHECK(r.body[0]["message"].is_string());
}

bool IsSfDateTime(const json& v) {
  static const std::regex re(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$)");
  return v.is_string() && std::regex_match(v.get<std::string>(), re);
}

}  // namespace

TEST_CASE("salesforce: auth, versions and Sforce-Limit-Info") {
  Fixture f;
  Http anon(f.sandbox, "-");
  Reply versions = anon.Get("/services/data");
  CHECK(versions.status == 200);
  CHECK(versions.body[0]["version"] == "60.0");
  CHECK_FALSE(versions.HasHeader("Sforce-Limit-Info"));
  Reply denied = anon.Get(kBase + "/sobjects");
  CheckError(denied, 401, "INVALID_SESSION_ID");
  CHECK(denied.body[0]["message"] == "Session expired or invalid");
  Reply a = f.http.Get(kBase + "/limits");
  CHECK(a.Header("Sforce-Limit-Info") == "api-usage=1/100000");
  Reply b = f.http.Get(kBase + "/sobjects");
  CHECK(b.Header("Sforce-Limit-Info") == "api-usage=2/100000");
  CHECK(b.body["maxBatchSize"] == 200);
}

TEST_CASE(
    "salesforce: the daily allowance ends in 403 REQUEST_LIMIT_EXCEEDED without Retry-After") {
  Fixture f;
  f.sandbox.clock().SetFixed(1'700'000'000'000);
  SalesforceLimits l;
  l.daily_api_requests = 3;
  f.sandbox.SetLimits(l);
  for (int i = 0; i < 3; ++i) CHECK(f.http.Get(kBase + "/limits").status == 200);
  Reply r = f.http.Get(kBase + "/limits");
  CheckError(r, 403, "REQUEST_LIMIT_EXCEEDED");
  CHECK(r.body[0]["message"] == "TotalRequests Limit exceeded.");
  CHECK_FALSE(r.HasHeader("Retry-After"));
  f.sandbox.clock().Advance(86'400'000);
  CHECK(f.http.Get(kBase + "/limits").status == 200);
}

TEST_CASE("salesforce: describe with picklists, required fields and state/country code fields") {
  Fixture f;
  Reply d = f.http.Get(kBase + "/sobjects/Account/describe");
  REQUIRE(d.status == 200);
  CHECK(d.body["keyPrefix"] == "001");
  std::map<std::string, json> fields;
  for (const auto& x : d.body["fields"]) fields[x["name"]] = x;
  CHECK(fields["Name"]["nillable"] == false);
  CHECK(fields["Industry"]["type"] == "picklist");
  CHECK(fields["Industry"]["picklistValues"].size() > 5);
  CHECK(fields["Id"]["type"] == "id");
  CHECK(fields["Id"]["soapType"] == "tns:ID");
  CHECK(fields["BillingCountryCode"]["restrictedPicklist"] == true);
  CHECK(fields["BillingStateCode"]["dependentPicklist"] == true);
  CHECK(fields["BillingStateCode"]["controllerName"] == "BillingCountryCode");
  CHECK(fields["BillingStateCode"]["picklistValues"][0]["validFor"].is_string());
  CHECK(fields["ParentId"]["referenceTo"][0] == "Account");
  CHECK(fields["AnnualRevenue"]["type"] == "currency");
  CHECK(f.http
            .Get(kBase + "/sobjects/Account/describe",
                 {{"If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT"}})
            .status == 304);
  CheckError(f.http.Get(kBase + "/sobjects/Unicorn__c/describe"), 404, "NOT_FOUND");
  Reply lead = f.http.Get(kBase + "/sobjects/Lead/describe");
  for (const auto& x : lead.body["fields"])
    if (x["name"] == "IsConverted") CHECK(x["updateable"] == false);
}

TEST_CASE("salesforce: record CRUD, 18-character ids and timestamps") {
  Fixture f;
  f.sandbox.clock().SetFixed(1'700'000'000'000);
  Reply c = f.http.Post(kBase + "/sobjects/Account", {{"Name", "Acme"}, {"NumberOfEmployees", 50}});
  REQUIRE(c.status == 201);
  CHECK(c.body["success"] == true);
  CHECK(c.body["errors"].empty());
  std::string id = c.body["id"];
  CHECK(id.size() == 18);
  CHECK(id.substr(0, 3) == "001");
  CHECK(SalesforceSandbox::To18(id.substr(0, 15)) == id);
  Reply g = f.http.Get(kBase + "/sobjects/Account/" + id.substr(0, 15));
  REQUIRE(g.status == 200);
  CHECK(g.body["Id"] == id);
  CHECK(g.body["attributes"]["type"] == "Account");
  CHECK(g.body["NumberOfEmployees"] == 50);
  CHECK(g.body["IsDeleted"] == false);
  CHECK(IsSfDateTime(g.body["CreatedDate"]));
  CHECK(g.body["CreatedDate"] == "2023-11-14T22:13:20.000+0000");
  Reply some = f.http.Get(kBase + "/sobjects/Account/" + id + "?fields=Name,SystemModstamp");
  CHECK(some.body.size() == 3);  // attributes + 2 fields
  f.sandbox.clock().Advance(61'000);
  CHECK(f.http.Patch(kBase + "/sobjects/Account/" + id, {{"Phone", "555"}}).status == 204);
  Reply after = f.http.Get(kBase + "/sobjects/Account/" + id);
  CHECK(after.body["LastModifiedDate"] == "2023-11-14T22:14:21.000+0000");
  CHECK(after.body["SystemModstamp"] >= after.body["LastModifiedDate"]);
  CHECK(after.body["CreatedDate"] == g.body["CreatedDate"]);
  CHECK(f.http.Delete(kBase + "/sobjects/Account/" + id).status == 204);
  CheckError(f.http.Get(kBase + "/sobjects/Account/" + id), 404, "NOT_FOUND");
  CheckError(f.http.Delete(kBase + "/sobjects/Account/" + id), 404, "ENTITY_IS_DELETED");
  CHECK(f.Query("SELECT Id FROM Account")["totalSize"] == 0);
  json all = f.Query("SELECT Id, IsDeleted FROM Account", true);
  CHECK(all["totalSize"] == 1);
  CHECK(all["records"][0]["IsDeleted"] == true);
  CheckError(f.http.Get(kBase + "/sobjects/Account/001000000000000AAA"), 404, "NOT_FOUND");
  CheckError(f.http.Get(kBase + "/sobjects/Account/nonsense"), 404, "NOT_FOUND");
}

TEST_CASE("salesforce: field errors in Salesforce's exact shapes") {
  Fixture f;
  Reply missing = f.http.Post(kBase + "/sobjects/Contact", {{"FirstName", "No"}});
  CheckError(missing, 400, "REQUIRED_FIELD_MISSING");
  CHECK(missing.body[0]["message"] == "Required fields are missing: [LastName]");
  CHECK(missing.body[0]["fields"][0] == "LastName");
  Reply picklist = f.http.Post(kBase + "/sobjects/Lead",
                               {{"LastName", "L"}, {"Company", "C"}, {"Status", "Bogus"}});
  CheckError(picklist, 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  CHECK(picklist.body[0]["message"].get<std::string>().find(
            "bad value for restricted picklist field: Bogus") != std::string::npos);
  CheckError(f.http.Post(kBase + "/sobjects/Account", {{"Name", "A"}, {"Foo__c", 1}}), 400,
             "INVALID_FIELD");
  CheckError(f.http.Post(kBase + "/sobjects/Opportunity", {{"Name", "O"},
                                                           {"StageName", "Prospecting"},
                                                           {"CloseDate", "2024-01-01"},
                                                           {"IsWon", true}}),
             400, "INVALID_FIELD_FOR_INSERT_UPDATE");
  CheckError(f.http.Post(kBase + "/sobjects/Contact", {{"LastName", "x"}, {"Email", "nope"}}), 400,
             "INVALID_EMAIL_ADDRESS");
  CheckError(f.http.Post(kBase + "/sobjects/Contact",
                         {{"LastName", "x"}, {"HasOptedOutOfEmail", "maybe"}}),
             400, "JSON_PARSER_ERROR");
  CheckError(f.http.Post(kBase + "/sobjects/Contact",
                         {{"LastName", "x"}, {"AccountId", "003000000000001"}}),
             400, "FIELD_INTEGRITY_EXCEPTION");
  CheckError(f.http.Post(kBase + "/sobjects/Contact",
                         {{"LastName", "x"}, {"AccountId", "001000000000001"}}),
             400, "INVALID_CROSS_REFERENCE_KEY");

  // State and country picklists.
  Reply state =
      f.http.Post(kBase + "/sobjects/Account",
                  {{"Name", "A"}, {"BillingCountryCode", "US"}, {"BillingStateCode", "EP"}});
  CheckError(state, 400, "FIELD_INTEGRITY_EXCEPTION");
  CHECK(state.body[0]["message"] ==
        "The BillingStateCode field contains EP, which isn't an available state. Your "
        "administrator can add it for you.");
  CHECK(state.body[0]["fields"][0] == "BillingStateCode");
  CheckError(f.http.Post(kBase + "/sobjects/Account", {{"Name", "A"}, {"BillingStateCode", "CA"}}),
             400, "FIELD_INTEGRITY_EXCEPTION");
  CheckError(
      f.http.Post(kBase + "/sobjects/Account", {{"Name", "A"}, {"BillingCountryCode", "XX"}}), 400,
      "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  CheckError(
      f.http.Post(kBase + "/sobjects/Account",
                  {{"Name", "A"}, {"BillingCountryCode", "US"}, {"BillingCountry", "Canada"}}),
      400, "FIELD_INTEGRITY_EXCEPTION");
  CheckError(
      f.http.Post(kBase + "/sobjects/Account", {{"Name", "A"}, {"BillingCountry", "Atlantis"}}),
      400, "FIELD_INTEGRITY_EXCEPTION");
  std::string ok = f.Create(
      "Account",
      {{"Name", "A"}, {"BillingCountry", "united states"}, {"BillingState", "California"}});
  Reply g = f.http.Get(kBase + "/sobjects/Account/" + ok +
                       "?fields=BillingCountry,BillingCountryCode,BillingState,BillingStateCode");
  CHECK(g.body["BillingCountryCode"] == "US");
  CHECK(g.body["BillingCountry"] == "United States");
  CHECK(g.body["BillingStateCode"] == "CA");
  CHECK(g.body["BillingState"] == "California");
  std::string code_only = f.Create(
      "Contact", {{"LastName", "C"}, {"MailingCountryCode", "CA"}, {"MailingStateCode", "ON"}});
  CHECK(f.http.Get(kBase + "/sobjects/Contact/" + code_only).body["MailingState"] == "Ontario");

  // Duplicate rules on email, bypassed with the duplicate rule header.
  f.Create("Contact", {{"LastName", "D"}, {"Email", "dup@example.com"}});
  Reply dup =
      f.http.Post(kBase + "/sobjects/Contact", {{"LastName", "E"}, {"Email", "DUP@example.com"}});
  CheckError(dup, 400, "DUPLICATES_DETECTED");
  CHECK(dup.body[0]["duplicateResult"]["matchResults"][0]["matchRecords"].size() == 1);
  CHECK(f.http
            .Post(kBase + "/sobjects/Contact", {{"LastName", "E"}, {"Email", "dup@example.com"}},
                  {{"Sforce-Duplicate-Rule-Header", "allowSave=true"}})
            .status == 201);
  f.Create("Lead",
           {{"LastName", "L"}, {"Company", "C"}, {"Email", "dup@example.com"}});  // other object
}

TEST_CASE("salesforce: SOQL subset with relationship fields, literals and ordering") {
  Fixture f;
  f.sandbox.clock().SetFixed(1'704'067'200'000);  // 2024-01-01T00:00:00Z
  std::string acme = f.Create("Account", {{"Name", "Acme"}, {"Industry", "Banking"}});
  std::string globex = f.Create("Account", {{"Name", "Globex"}});
  f.Create("Contact", {{"LastName", "Alpha"}, {"AccountId", acme}, {"Email", "a@acme.com"}});
  f.sandbox.clock().Advance(3'600'000);
  f.Create("Contact", {{"LastName", "beta"}, {"AccountId", globex}, {"HasOptedOutOfEmail", true}});
  f.Create("Contact", {{"LastName", "Gamma"}, {"FirstName", "G"}});
  json r =
      f.Query("SELECT Id, LastName, Account.Name, Account.Industry FROM Contact ORDER BY LastName");
  REQUIRE(r["totalSize"] == 3);
  CHECK(r["done"] == true);
  CHECK(r["records"][0]["LastName"] == "Alpha");
  CHECK(r["records"][0]["Account"]["Name"] == "Acme");
  CHECK(r["records"][0]["Account"]["attributes"]["type"] == "Account");
  CHECK(r["records"][1]["LastName"] == "beta");  // case-insensitive ordering
  CHECK(r["records"][2]["Account"].is_null());
  CHECK(f.Query("SELECT Id FROM Contact WHERE Account.Name = 'acme'")["totalSize"] == 1);
  CHECK(f.Query("SELECT Id FROM Contact WHERE AccountId = null")["totalSize"] == 1);
  CHECK(f.Query("SELECT Id FROM Contact WHERE AccountId != null AND (LastName LIKE 'al%' OR "
                "HasOptedOutOfEmail = true)")["totalSize"] == 2);
  CHECK(f.Query("SELECT Id FROM Contact WHERE NOT LastName IN ('Alpha', 'beta')")["totalSize"] ==
        1);
  CHECK(f.Query("SELECT Id FROM Contact WHERE LastName NOT IN ('Alpha')")["totalSize"] == 2);
  CHECK(f.Query("SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01T00:30:00Z")["totalSize"] ==
        2);
  CHECK(f.Query(
            "SELECT Id FROM Contact WHERE CreatedDate >= 2024-01-01T01:00:00+01:00")["totalSize"] ==
        3);
  CHECK(f.Query("SELECT Id FROM Contact WHERE CreatedDate = TODAY")["totalSize"] == 3);
  CHECK(f.Query("SELECT Id FROM Contact WHERE CreatedDate < YESTERDAY")["totalSize"] == 0);
  CHECK(f.Query("SELECT Id FROM Account WHERE Id = '" + acme.substr(0, 15) + "'")["totalSize"] ==
        1);
  json desc = f.Query(
      "SELECT LastName, FirstName FROM Contact ORDER BY FirstName DESC NULLS LAST, LastName LIMIT "
      "2 OFFSET 1");
  REQUIRE(desc["records"].size() == 2);
  CHECK(desc["records"][0]["LastName"] == "Alpha");
  CHECK(f.Query("SELECT COUNT() FROM Contact WHERE LastName LIKE '%a'")["totalSize"] == 3);
  CheckError(f.QueryReply("SELECT Id FRM Contact"), 400, "MALFORMED_QUERY");
  CheckError(f.QueryReply("SELECT Id FROM Contact WHERE"), 400, "MALFORMED_QUERY");
  CheckError(f.QueryReply("SELECT Nope FROM Contact"), 400, "INVALID_FIELD");
  CheckError(f.QueryReply("SELECT Id FROM Contact WHERE Foo.Name = 'x'"), 400, "INVALID_FIELD");
  CheckError(f.QueryReply("SELECT Id FROM Unicorn"), 400, "INVALID_TYPE");
  Reply quoted = f.QueryReply("SELECT Id FROM Contact WHERE CreatedDate > '2024-01-01T00:00:00Z'");
  CheckError(quoted, 400, "INVALID_FIELD");
  CHECK(quoted.body[0]["message"].get<std::string>().find("should not be enclosed in quotes") !=
        std::string::npos);
  CheckError(f.QueryReply("SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01T00:00:00"), 400,
             "MALFORMED_QUERY");
  CheckError(f.QueryReply("SELECT Id FROM Contact OFFSET 2001"), 400, "NUMBER_OUTSIDE_VALID_RANGE");
}

TEST_CASE("salesforce: indexed SOQL reads answer exactly as a full scan does") {
  // Lookups (`AccountId IN (...)`) and time bounds (`SystemModstamp >= x`) read only the
  // matching records; OR-ing a condition that matches nothing makes the sandbox scan instead,
  // and both must give the same rows in the same order.
  Fixture f;
  f.sandbox.clock().SetFixed(1'704'067'200'000);  // 2024-01-01T00:00:00Z
  std::vector<std::string> accounts, contacts;
  for (int i = 0; i < 4; ++i)
    accounts.push_back(f.Create("Account", {{"Name", "A" + std::to_string(i)}}));
  for (int i = 0; i < 24; ++i) {
    json fields = {{"LastName", "C" + std::to_string(i)}};
    if (i % 5 != 4) fields["AccountId"] = accounts[static_cast<size_t>(i % 4)];
    contacts.push_back(f.Create("Contact", fields));
    if (i % 3 == 2) f.sandbox.clock().Advance(1000);
  }
  std::string opp = f.Create("Opportunity", {{"Name", "O"},
                                             {"StageName", "Prospecting"},
                                             {"CloseDate", "2024-03-01"},
                                             {"AccountId", accounts[1]}});
  for (int i = 0; i < 5; ++i)
    f.Create("OpportunityContactRole",
             {{"OpportunityId", opp}, {"ContactId", contacts[static_cast<size_t>(i * 3)]}});
  f.sandbox.clock().Advance(2000);
  REQUIRE(f.http.Patch(kBase + "/sobjects/Contact/" + contacts[2], {{"AccountId", accounts[3]}})
              .status == 204);
  REQUIRE(f.http.Patch(kBase + "/sobjects/Contact/" + contacts[7], {{"Title", "T"}}).status == 204);
  REQUIRE(f.http.Delete(kBase + "/sobjects/Contact/" + contacts[11]).status == 204);
  auto q = [](const std::string& id) { return "'" + id + "'"; };
  std::vector<std::string> wheres = {
      "SystemModstamp >= 2024-01-01T00:00:03Z",
      "SystemModstamp > 2024-01-01T00:00:03Z AND SystemModstamp <= 2024-01-01T00:00:07Z",
      "SystemModstamp = 2024-01-01T00:00:02Z",
      "LastModifiedDate < 2024-01-01T00:00:05Z",
      "CreatedDate >= 2024-01-01T00:00:04Z AND LastName != 'C20'",
      "AccountId IN (" + q(accounts[0]) + ", " + q(accounts[3]) + ")",
      "AccountId = " + q(accounts[2].substr(0, 15)),
      "AccountId IN (" + q(accounts[1]) + ") AND SystemModstamp >= 2024-01-01T00:00:02Z",
      "Id IN (" + q(contacts[1]) + ", " + q(contacts[11]) + ", " + q(contacts[20]) + ")",
  };
  int compared = 0;
  for (const auto& w : wheres) {
    for (const char* order :
         {"", " ORDER BY SystemModstamp ASC, Id ASC", " ORDER BY LastName DESC"}) {
      for (bool all : {false, true}) {
        std::string select = "SELECT Id, LastName, AccountId, SystemModstamp FROM Contact WHERE ";
        json fast = f.Query(select + w + order, all);
        json slow = f.Query(select + "(" + w + ") OR LastName = 'never'" + order, all);
        const std::string context = w + order + (all ? " (queryAll)" : "");
        INFO(context);
        CHECK(fast["totalSize"] == slow["totalSize"]);
        CHECK(fast["records"] == slow["records"]);
        ++compared;
      }
    }
  }
  CHECK(compared == 54);
  for (const char* field : {"ContactId", "OpportunityId"}) {
    std::string in = std::string(field) == "ContactId"
                         ? q(contacts[0]) + ", " + q(contacts[6]) + ", " + q(contacts[7])
                         : q(opp);
    std::string select = "SELECT Id, OpportunityId, ContactId FROM OpportunityContactRole WHERE ";
    json fast = f.Query(select + field + " IN (" + in + ") ORDER BY Id");
    json slow = f.Query(select + "(" + field + " IN (" + in + ") OR Role = 'never') ORDER BY Id");
    CHECK(fast["totalSize"] == slow["totalSize"]);
    CHECK(fast["records"] == slow["records"]);
  }
  CHECK(f.Query("SELECT Id FROM OpportunityContactRole WHERE OpportunityId = " +
                q(opp))["totalSize"] == 5);
  CHECK(f.Query("SELECT Id FROM Contact WHERE AccountId = " + q(accounts[3]))["totalSize"] == 5);
}

TEST_CASE("salesforce: query paging with locators, batchSize hint and expiry") {
  Fixture f;
  f.sandbox.clock().SetFixed(1'704'067'200'000);
  json records = json::array();
  for (int i = 0; i < 2500; ++i)
    records.push_back({{"type", "Contact"}, {"fields", {{"LastName", "P" + std::to_string(i)}}}});
  f.sandbox.Seed({{"records", records}});
  json first = f.Query("SELECT Id FROM Contact ORDER BY Id");
  CHECK(first["totalSize"] == 2500);
  CHECK(first["done"] == false);
  CHECK(first["records"].size() == 2000);
  std::string next = first["nextRecordsUrl"];
  CHECK(next.rfind(kBase + "/query/01g", 0) == 0);
  std::set<std::string> ids;
  for (const auto& r : first["records"]) ids.insert(r["Id"].get<std::string>());
  Reply second = f.http.Get(next);
  REQUIRE(second.status == 200);
  CHECK(second.body["done"] == true);
  CHECK_FALSE(second.body.contains("nextRecordsUrl"));
  for (const auto& r : second.body["records"]) ids.insert(r["Id"].get<std::string>());
  CHECK(ids.size() == 2500);

  Reply hinted =
      f.http.Get(kBase + "/query?q=" + syncline::sandbox::test::UrlEncode("SELECT Id FROM Contact"),
                 {{"Sforce-Query-Options", "batchSize=500"}});
  CHECK(hinted.body["records"].size() == 500);
  int pages = 1;
  std::string url = hinted.body["nextRecordsUrl"];
  while (true) {
    Reply p = f.http.Get(url);
    REQUIRE(p.status == 200);
    ++pages;
    if (p.body["done"] == true) break;
    url = p.body["nextRecordsUrl"];
  }
  CHECK(pages == 5);
  Reply stale_start = f.http.Get(
      kBase + "/queryAll?q=" + syncline::sandbox::test::UrlEncode("SELECT Id FROM Contact"));
  std::string stale = stale_start.body["nextRecordsUrl"];
  f.sandbox.clock().Advance(16 * 60'000);
  CheckError(f.http.Get(stale), 400, "INVALID_QUERY_LOCATOR");
  CheckError(f.http.Get(kBase + "/query/01gBOGUS-2000"), 400, "INVALID_QUERY_LOCATOR");
}

TEST_CASE("salesforce: a query's later pages hold the records as they were when it ran") {
  // Rows through a relationship are rendered when the query runs; the others are rendered
  // page by page from the records as they were. Both must answer as if rendered at once.
  Fixture f;
  f.sandbox.clock().SetFixed(1'704'067'200'000);
  std::string acme = f.Create("Account", {{"Name", "Acme"}});
  json records = json::array();
  for (int i = 0; i < 450; ++i)
    records.push_back({{"type", "Contact"},
                       {"fields",
                        {{"LastName", "P" + std::to_string(i)},
                         {"Email", "p" + std::to_string(i) + "@x.com"},
                         {"AccountId", acme}}}});
  f.sandbox.Seed({{"records", records}});
  auto start = [&](const std::string& soql) {
    Reply r = f.http.Get(kBase + "/query?q=" + syncline::sandbox::test::UrlEncode(soql),
                         {{"Sforce-Query-Options", "batchSize=200"}});
    REQUIRE_MESSAGE(r.status == 200, r.raw);
    return r.body;
  };
  auto rest = [&](json page) {
    json all = page["records"];
    while (page["done"] == false) {
      Reply r = f.http.Get(page["nextRecordsUrl"].get<std::string>());
      REQUIRE_MESSAGE(r.status == 200, r.raw);
      page = r.body;
      CHECK(page["totalSize"] == 450);
      for (auto& row : page["records"]) all.push_back(row);
    }
    return all;
  };
  const std::string plain =
      "SELECT Id, LastName, Email, SystemModstamp FROM Contact ORDER BY SystemModstamp ASC, Id ASC";
  const std::string related = "SELECT Id, LastName, Account.Name FROM Contact ORDER BY Id";
  json before = f.Query(plain);  // the whole answer at once (no batchSize hint: 2,000 a page)
  REQUIRE(before["done"] == true);
  json plain_first = start(plain);
  json related_first = start(related);
  CHECK(plain_first["records"].size() == 200);
  CHECK(plain_first["totalSize"] == 450);
  const std::string late = before["records"][400]["Id"];
  f.sandbox.clock().Advance(1000);
  REQUIRE(f.http.Patch(kBase + "/sobjects/Contact/" + late, {{"LastName", "Changed"}}).status ==
          204);
  REQUIRE(f.http.Patch(kBase + "/sobjects/Account/" + acme, {{"Name", "Renamed"}}).status == 204);
  json plain_all = rest(plain_first);
  REQUIRE(plain_all.size() == 450);
  CHECK(plain_all[400]["LastName"] == before["records"][400]["LastName"]);  // not "Changed"
  const bool same_rows = plain_all == before["records"];
  CHECK(same_rows);
  json related_all = rest(related_first);
  REQUIRE(related_all.size() == 450);
  for (const auto& row : related_all) CHECK(row["Account"]["Name"] == "Acme");
  CHECK(f.Query(plain)["records"][449]["LastName"] == "Changed");  // a new query sees it

  // IN and NOT IN compare each value as `=` does: case-insensitively, ids in 15 or 18
  // characters, and a null among the values matches an empty field.
  CHECK(
      f.Query(
          "SELECT Id FROM Contact WHERE Email IN ('P1@X.COM', 'p2@x.com', 'none')")["totalSize"] ==
      2);
  CHECK(
      f.Query("SELECT Id FROM Contact WHERE Email NOT IN ('P1@X.COM', 'p2@x.com')")["totalSize"] ==
      448);
  CHECK(f.Query("SELECT Id FROM Contact WHERE AccountId IN ('" + acme.substr(0, 15) +
                "')")["totalSize"] == 450);
  f.Create("Contact", {{"LastName", "NoMail"}});
  CHECK(f.Query("SELECT Id FROM Contact WHERE Email IN ('p3@x.com', null)")["totalSize"] == 2);
  CHECK(f.Query("SELECT Id FROM Contact WHERE Email NOT IN ('p3@x.com', null)")["totalSize"] ==
        449);
}

TEST_CASE("salesforce: upsert by external id answers 201/200 and 300 on ambiguity") {
  Fixture f;
  Reply created = f.http.Patch(kBase + "/sobjects/Account/External_Id__c/EXT-1", {{"Name", "One"}});
  CHECK(created.status == 201);
  CHECK(created.body["created"] == true);
  Reply updated = f.http.Patch(kBase + "/sobjects/Account/External_Id__c/EXT-1", {{"Name", "Uno"}});
  CHECK(updated.status == 200);
  CHECK(updated.body["created"] == false);
  CHECK(updated.body["id"] == created.body["id"]);
  CHECK(f.http.Get(kBase + "/sobjects/Account/External_Id__c/EXT-1").body["Name"] == "Uno");
  CHECK(
      f.http
          .Patch(kBase + "/sobjects/Account/External_Id__c/EXT-2?updateOnly=true", {{"Name", "x"}})
          .status == 404);
  // HubSpot_Contact_Id__c is an external id but not unique: two matches give 300.
  Http dup(f.sandbox);
  f.Create("Contact", {{"LastName", "A"}, {"HubSpot_Contact_Id__c", "hs-1"}});
  f.Create("Contact", {{"LastName", "B"}, {"HubSpot_Contact_Id__c", "hs-1"}});
  Reply many =
      f.http.Patch(kBase + "/sobjects/Contact/HubSpot_Contact_Id__c/hs-1", {{"Title", "x"}});
  CHECK(many.status == 300);
  CHECK(many.body.size() == 2);
  CHECK(f.http.Get(kBase + "/sobjects/Contact/HubSpot_Contact_Id__c/hs-1").status == 300);
  CheckError(f.http.Patch(kBase + "/sobjects/Account/Name/x", {{"Phone", "1"}}), 404, "NOT_FOUND");
  Reply by_id = f.http.Post(kBase + "/sobjects/Account/Id", {{"Name", "Posted"}});
  CHECK(by_id.status == 201);
  CheckError(f.http.Post(kBase + "/sobjects/Account", {{"Name", "V"}, {"External_Id__c", "EXT-1"}}),
             400, "DUPLICATE_VALUE");
}

TEST_CASE("salesforce: sObject collections keep input order, cap at 200 and honour allOrNone") {
  Fixture f;
  json big = {{"allOrNone", false}, {"records", json::array()}};
  for (int i = 0; i < 201; ++i)
    big["records"].push_back({{"attributes", {{"type", "Account"}}}, {"Name", "N"}});
  CheckError(f.http.Post(kBase + "/composite/sobjects", big), 400, "EXCEEDED_ID_LIMIT");
  CHECK(f.Query("SELECT COUNT() FROM Account")["totalSize"] == 0);

  json mixed = {{"allOrNone", false},
                {"records",
                 {{{"attributes", {{"type", "Account"}}}, {"Name", "A1"}},
                  {{"attributes", {{"type", "Contact"}}}, {"FirstName", "no last name"}},
                  {{"attributes", {{"type", "Contact"}}}, {"LastName", "C1"}}}}};
  Reply r = f.http.Post(kBase + "/composite/sobjects", mixed);
  REQUIRE(r.status == 200);
  REQUIRE(r.body.size() == 3);
  CHECK(r.body[0]["success"] == true);
  CHECK(r.body[0]["id"].get<std::string>().substr(0, 3) == "001");
  CHECK(r.body[1]["success"] == false);
  CHECK(r.body[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING");
  CHECK(r.body[1]["errors"][0]["fields"][0] == "LastName");
  CHECK(r.body[2]["id"].get<std::string>().substr(0, 3) == "003");

  mixed["allOrNone"] = true;
  Reply rolled = f.http.Post(kBase + "/composite/sobjects", mixed);
  REQUIRE(rolled.status == 200);
  CHECK(rolled.body[0]["success"] == false);
  CHECK(rolled.body[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  CHECK(rolled.body[0]["errors"][0]["message"] ==
        "Record rolled back because not all records were valid and the request was using AllOrNone "
        "header");
  CHECK(rolled.body[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING");
  CHECK(rolled.body[2]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  CHECK(f.Query("SELECT COUNT() FROM Account")["totalSize"] == 1);

  std::string a1 = r.body[0]["id"], c1 = r.body[2]["id"];
  Reply upd = f.http.Patch(
      kBase + "/composite/sobjects",
      {{"records",
        {{{"attributes", {{"type", "Account"}}}, {"id", a1}, {"Phone", "1"}},
         {{"attributes", {{"type", "Account"}}}, {"id", "001000000000009"}, {"Phone", "2"}}}}});
  CHECK(upd.body[0]["success"] == true);
  CHECK(upd.body[1]["success"] == false);
  Reply got = f.http.Get(kBase + "/composite/sobjects/Account?ids=" + a1 +
                         ",001000000000009AAA&fields=Name,Phone");
  CHECK(got.body[0]["Phone"] == "1");
  CHECK(got.body[1].is_null());
  Reply ups = f.http.Patch(kBase + "/composite/sobjects/Account/External_Id__c", json::parse(R"({
      "allOrNone": false, "records": [
        {"attributes": {"type": "Account"}, "External_Id__c": "E1", "Name": "E"},
        {"attributes": {"type": "Account"}, "External_Id__c": "E1", "Name": "E again"}]})"));
  CHECK(ups.body[0]["created"] == true);
  CHECK(ups.body[1]["created"] == false);
  Reply del = f.http.Delete(kBase + "/composite/sobjects?ids=" + a1 + "," + c1 +
                            ",001000000000009AAA&allOrNone=false");
  CHECK(del.body[0]["success"] == true);
  CHECK(del.body[1]["success"] == true);
  CHECK(del.body[2]["success"] == false);
  CHECK(f.Query("SELECT COUNT() FROM Contact")["totalSize"] == 0);
}

TEST_CASE("salesforce: updated/deleted replication windows at minute granularity") {
  Fixture f;
  f.sandbox.clock().SetFixed(1'704'067'230'000);  // 2024-01-01T00:00:30Z
  std::string a = f.Create("Account", {{"Name", "A"}});
  f.sandbox.clock().Advance(120'000);
  std::string b = f.Create("Account", {{"Name", "B"}});
  CHECK(f.http.Delete(kBase + "/sobjects/Account/" + b).status == 204);
  f.sandbox.clock().Advance(600'000);
  Reply u = f.http.Get(kBase +
                       "/sobjects/Account/updated/"
                       "?start=2024-01-01T00:00:59%2B00:00&end=2024-01-01T00:02:00%2B00:00");
  REQUIRE(u.status == 200);
  CHECK(u.body["ids"].size() == 1);  // start truncates to 00:00; b (deleted) is not listed
  CHECK(u.body["ids"][0] == a);
  CHECK(u.body["latestDateCovered"] == "2024-01-01T00:02:00.000+0000");
  Reply open_end = f.http.Get(
      kBase + "/sobjects/Account/updated/?start=2024-01-01T00:00:00Z&end=2024-02-01T00:00:00Z");
  CHECK(open_end.body["latestDateCovered"] == "2024-01-01T00:12:00.000+0000");
  Reply d = f.http.Get(
      kBase + "/sobjects/Account/deleted/?start=2024-01-01T00:00:00Z&end=2024-01-01T00:10:00Z");
  REQUIRE(d.status == 200);
  REQUIRE(d.body["deletedRecords"].size() == 1);
  CHECK(d.body["deletedRecords"][0]["id"] == b);
  CHECK(d.body.contains("earliestDateAvailable"));
  f.sandbox.clock().Advance(31LL * 86'400'000);
  CheckError(
      f.http.Get(kBase +
                 "/sobjects/Account/updated/?start=2024-01-01T00:00:00Z&end=2024-01-02T00:00:00Z"),
      400, "INVALID_REPLICATION_DATE");
  CheckError(
      f.http.Get(kBase +
                 "/sobjects/Account/deleted/?start=2024-01-10T00:00:00Z&end=2024-01-21T00:00:00Z"),
      400, "INVALID_REPLICATION_DATE");
}

TEST_CASE("salesforce: derived read-only fields and contact roles") {
  Fixture f;
  std::string acct = f.Create("Account", {{"Name", "A"}});
  std::string opp = f.Create("Opportunity", {{"Name", "O"},
                                             {"StageName", "Prospecting"},
                                             {"CloseDate", "2024-03-01"},
                                             {"AccountId", acct}});
  Reply o = f.http.Get(kBase + "/sobjects/Opportunity/" + opp);
  CHECK(o.body["IsClosed"] == false);
  CHECK(o.body["IsWon"] == false);
  CHECK(o.body["Probability"] == 10);
  f.http.Patch(kBase + "/sobjects/Opportunity/" + opp, {{"StageName", "Closed Won"}});
  o = f.http.Get(kBase + "/sobjects/Opportunity/" + opp);
  CHECK(o.body["IsClosed"] == true);
  CHECK(o.body["IsWon"] == true);
  CHECK(o.body["ForecastCategoryName"] == "Closed");
  CHECK(f.Query("SELECT Id FROM Opportunity WHERE IsWon = true")["totalSize"] == 1);
  std::string c1 = f.Create("Contact", {{"LastName", "One"}, {"AccountId", acct}});
  std::string c2 = f.Create("Contact", {{"LastName", "Two"}});
  std::string task = f.Create("Task", {{"Subject", "Call"}, {"WhoId", c1}});
  Reply t = f.http.Get(kBase + "/sobjects/Task/" + task);
  CHECK(t.body["Status"] == "Not Started");
  CHECK(t.body["IsClosed"] == false);
  CHECK(t.body["AccountId"] == acct);
  f.http.Patch(kBase + "/sobjects/Task/" + task, {{"Status", "Completed"}});
  CHECK(f.http.Get(kBase + "/sobjects/Task/" + task).body["IsClosed"] == true);
  std::string cs = f.Create("Case", {{"Subject", "Broken"}, {"Status", "New"}});
  CHECK(f.http.Get(kBase + "/sobjects/Case/" + cs).body["CaseNumber"] == "00001001");
  std::string r1 = f.Create(
      "OpportunityContactRole",
      {{"OpportunityId", opp}, {"ContactId", c1}, {"IsPrimary", true}, {"Role", "Decision Maker"}});
  std::string r2 = f.Create("OpportunityContactRole",
                            {{"OpportunityId", opp}, {"ContactId", c2}, {"IsPrimary", true}});
  CHECK(f.http.Get(kBase + "/sobjects/OpportunityContactRole/" + r1).body["IsPrimary"] == false);
  CHECK(f.http.Get(kBase + "/sobjects/OpportunityContactRole/" + r2).body["IsPrimary"] == true);
  CheckError(
      f.http.Patch(kBase + "/sobjects/OpportunityContactRole/" + r2, {{"OpportunityId", opp}}), 400,
      "INVALID_FIELD_FOR_INSERT_UPDATE");
  json roles = f.Query(
      "SELECT Contact.LastName, Opportunity.Name FROM OpportunityContactRole WHERE IsPrimary = "
      "true");
  CHECK(roles["records"][0]["Contact"]["LastName"] == "Two");
}

TEST_CASE("salesforce: lead conversion creates account, contact, opportunity and locks the lead") {
  Fixture f;
  std::string lead = f.Create("Lead", {{"LastName", "Lee"},
                                       {"FirstName", "Ann"},
                                       {"Company", "Lee Corp"},
                                       {"Email", "ann@lee.example"},
                                       {"CountryCode", "US"},
                                       {"StateCode", "NY"}});
  Reply conv = f.http.Post("/_sandbox/salesforce/convertLead", {{"leadId", lead}});
  REQUIRE_MESSAGE(conv.status == 200, conv.raw);
  std::string account = conv.body["accountId"], contact = conv.body["contactId"],
              opp = conv.body["opportunityId"];
  Reply l = f.http.Get(kBase + "/sobjects/Lead/" + lead);
  CHECK(l.body["IsConverted"] == true);
  CHECK(l.body["ConvertedAccountId"] == account);
  CHECK(l.body["ConvertedContactId"] == contact);
  CHECK(l.body["ConvertedOpportunityId"] == opp);
  CHECK(l.body["Status"] == "Closed - Converted");
  CHECK(l.body["ConvertedDate"].get<std::string>().size() == 10);
  Reply c = f.http.Get(kBase + "/sobjects/Contact/" + contact);
  CHECK(c.body["Email"] == "ann@lee.example");
  CHECK(c.body["AccountId"] == account);
  CHECK(c.body["MailingState"] == "New York");
  CHECK(f.http.Get(kBase + "/sobjects/Account/" + account).body["Name"] == "Lee Corp");
  Reply locked = f.http.Patch(kBase + "/sobjects/Lead/" + lead, {{"Title", "CEO"}});
  CheckError(locked, 400, "CANNOT_UPDATE_CONVERTED_LEAD");
  CHECK(f.Query("SELECT Id FROM Lead WHERE IsConverted = false")["totalSize"] == 0);
  CHECK(f.Query("SELECT Id FROM OpportunityContactRole WHERE OpportunityId = '" + opp +
                "'")["totalSize"] == 1);
  CHECK(f.http.Post("/_sandbox/convertLead", {{"leadId", lead}}).status == 400);

  std::string lead2 = f.Create("Lead", {{"LastName", "No"}, {"Company", "NoOpp"}});
  LeadConversion lc;
  lc.lead_id = lead2;
  lc.create_opportunity = false;
  lc.account_id = account;
  json out = f.sandbox.ConvertLead(lc);
  CHECK(out["opportunityId"].is_null());
  CHECK(out["accountId"] == account);
  CHECK(f.http.Get(kBase + "/sobjects/Lead/" + lead2).body["ConvertedOpportunityId"].is_null());
}

TEST_CASE("salesforce: bad input gets Salesforce's error arrays and the server keeps serving") {
  Fixture f;
  CheckError(f.http.Raw("POST", kBase + "/sobjects/Account", "{\"Name\": ", "application/json"),
             400, "JSON_PARSER_ERROR");
  CheckError(f.http.Raw("POST", kBase + "/sobjects/Account", "Name=x", "text/plain"), 415,
             "UNSUPPORTED_MEDIA_TYPE");
  CheckError(f.http.Get(kBase + "/nothing/here"), 404, "NOT_FOUND");
  CheckError(f.http.Post(kBase + "/sobjects/Unicorn__c", {{"Name", "x"}}), 404, "NOT_FOUND");
  CheckError(f.http.Post(kBase + "/composite/sobjects", {{"records", "nope"}}), 400,
             "JSON_PARSER_ERROR");
  CheckError(f.http.Post(kBase + "/composite/sobjects", {{"records", {{{"Name", "no type"}}}}}),
             400, "INVALID_TYPE");
  CheckError(f.http.Post(kBase + "/sobjects/Account", json::array({1, 2})), 400,
             "JSON_PARSER_ERROR");
  CheckError(f.QueryReply("SELECT Id FROM Account WHERE Name = 'unterminated"), 400,
             "MALFORMED_QUERY");
  CheckError(f.QueryReply("SELECT Id FROM Account WHERE Name = !"), 400, "MALFORMED_QUERY");
  CheckError(f.http.Get(kBase + "/query"), 400, "MALFORMED_QUERY");
  CHECK(f.http.Get(kBase + "/sobjects").status == 200);
}

TEST_CASE("salesforce: injected partial collection failures and persistence") {
  Fixture f;
  f.http.Post("/_sandbox/faults",
              {{"endpoint", "composite/sobjects"}, {"fail_items", {1}}, {"on_call", 1}});
  json body = {{"allOrNone", false},
               {"records",
                {{{"attributes", {{"type", "Account"}}}, {"Name", "A"}},
                 {{"attributes", {{"type", "Account"}}}, {"Name", "B"}}}}};
  Reply r = f.http.Post(kBase + "/composite/sobjects", body);
  CHECK(r.body[0]["success"] == true);
  CHECK(r.body[1]["success"] == false);
  CHECK(r.body[1]["errors"][0]["statusCode"] == "UNKNOWN_EXCEPTION");
  CHECK(f.sandbox.CallCount("POST ") == 1);
  f.http.Post("/_sandbox/faults", {{"endpoint", "/query"}, {"status", 503}, {"on_call", 1}});
  CheckError(f.QueryReply("SELECT Id FROM Account"), 503, "SERVER_UNAVAILABLE");
  CHECK(f.QueryReply("SELECT Id FROM Account").status == 200);
}

TEST_CASE("salesforce: OAuth token endpoint returns the token and instance URL") {
  Fixture f;
  Http anon(f.sandbox, "-");
  Reply ok = anon.Raw("POST", "/services/oauth2/token",
                      "grant_type=password&client_id=c&client_secret=s&username=u&password=p",
                      "application/x-www-form-urlencoded");
  REQUIRE(ok.status == 200);
  CHECK(ok.body["access_token"] == f.sandbox.token());
  CHECK(ok.body["instance_url"] == f.sandbox.base_url());
  CHECK(ok.body["token_type"] == "Bearer");
  CHECK(ok.body.contains("refresh_token"));
  Reply jwt =
      anon.Raw("POST", "/services/oauth2/token",
               "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=x",
               "application/x-www-form-urlencoded");
  CHECK(jwt.status == 200);
  CHECK_FALSE(jwt.body.contains("refresh_token"));
  Reply bad = anon.Raw("POST", "/services/oauth2/token", "grant_type=magic",
                       "application/x-www-form-urlencoded");
  CHECK(bad.status == 400);
  CHECK(bad.body["error"] == "unsupported_grant_type");
  CHECK_FALSE(bad.HasHeader("Sforce-Limit-Info"));
}

namespace {

// The picklistValues of one field of a describe, by name.
json Picklist(Fixture& f, const std::string& object, const std::string& field) {
  Reply d = f.http.Get(kBase + "/sobjects/" + object + "/describe");
  REQUIRE(d.status == 200);
  for (const auto& x : d.body["fields"])
    if (x["name"] == field) return x["picklistValues"];
  FAIL("no field " << field);
  return json();
}

// The entry with this value (and label, for state codes that several countries use: "CA" is
// California and Cagliari).
const json* Value(const json& picklist, const std::string& value, const std::string& label = "") {
  for (const auto& v : picklist)
    if (v["value"] == value && (label.empty() || v["label"] == label)) return &v;
  return nullptr;
}

// The countries a StateCode entry is valid for, decoded from its base64 validFor bitmap.
std::set<std::string> ValidFor(const json& state, const json& countries) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<unsigned char> bytes;
  unsigned acc = 0;
  int bits = 0;
  for (char ch : state["validFor"].get<std::string>()) {
    if (ch == '=') break;
    acc = (acc << 6) | static_cast<unsigned>(kAlphabet.find(ch));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<unsigned char>((acc >> bits) & 0xFF));
    }
  }
  std::set<std::string> out;
  for (size_t i = 0; i < countries.size() && i / 8 < bytes.size(); ++i)
    if (bytes[i / 8] & (0x80 >> (i % 8))) out.insert(countries[i]["value"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("salesforce: the default State and Country/Territory picklists") {
  Fixture f;
  json countries = Picklist(f, "Account", "BillingCountryCode");
  CHECK(countries.size() == 235);  // what Salesforce ships (stdlib geo's default table)
  REQUIRE(Value(countries, "XK"));
  CHECK((*Value(countries, "XK"))["label"] == "Kosovo");
  CHECK((*Value(countries, "AX"))["label"] == "Aland Islands");
  CHECK(Value(countries, "CU") == nullptr);
  CHECK(Value(countries, "PR") == nullptr);
  // Alphabetical by label, accents ignored; no integration values in describe.
  CHECK(countries[0]["label"] == "Afghanistan");
  CHECK(countries[1]["label"] == "Aland Islands");
  CHECK_FALSE(countries[0].contains("integrationValue"));
  json states = Picklist(f, "Account", "BillingStateCode");
  // "CA" is California in the US and Cagliari in Italy; Salesforce's Chinese codes are numeric.
  REQUIRE(Value(states, "CA", "California"));
  CHECK(ValidFor(*Value(states, "CA", "California"), countries) == std::set<std::string>{"US"});
  REQUIRE(Value(states, "CA", "Cagliari"));
  CHECK(ValidFor(*Value(states, "CA", "Cagliari"), countries) == std::set<std::string>{"IT"});
  REQUIRE(Value(states, "11"));
  CHECK((*Value(states, "11"))["label"] == "Beijing");
  CHECK(ValidFor(*Value(states, "11"), countries) == std::set<std::string>{"CN"});
  // US territories are listed but inactive, and refused on write.
  REQUIRE(Value(states, "PR", "Puerto Rico"));
  CHECK((*Value(states, "PR", "Puerto Rico"))["active"] == false);
  CHECK((*Value(states, "PR", "Paraná"))["active"] == true);
  CheckError(f.http.Post(kBase + "/sobjects/Account",
                         {{"Name", "A"}, {"BillingCountryCode", "US"}, {"BillingStateCode", "PR"}}),
             400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  CheckError(
      f.http.Post(kBase + "/sobjects/Account", {{"Name", "A"}, {"BillingCountryCode", "CU"}}), 400,
      "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  // Kosovo, which ISO lacks, is a default value; "Milan" is Salesforce's label for MI.
  std::string id = f.Create("Account", {{"Name", "K"}, {"BillingCountryCode", "XK"}});
  CHECK(f.http.Get(kBase + "/sobjects/Account/" + id).body["BillingCountry"] == "Kosovo");
  id = f.Create("Contact",
                {{"LastName", "M"}, {"MailingCountry", "Italy"}, {"MailingState", "Milan"}});
  CHECK(f.http.Get(kBase + "/sobjects/Contact/" + id).body["MailingStateCode"] == "MI");
}

TEST_CASE("salesforce: address settings customise the picklists (/_sandbox/addressSettings)") {
  Fixture f;
  Fixture other;  // a second org in the same process keeps the defaults
  Reply r = f.http.Post("/_sandbox/addressSettings",
                        {{"countries",
                          {{{"isoCode", "US"},
                            {"label", "United States"},
                            {"integrationValue", "USA"},
                            {"active", true},
                            {"states",
                             {{{"isoCode", "CA"},
                               {"label", "California"},
                               {"integrationValue", "Calif."},
                               {"active", true}}}}},
                           {{"isoCode", "XS"},
                            {"label", "Sealand"},
                            {"integrationValue", "Principality of Sealand"},
                            {"states", {{{"isoCode", "RT"}, {"label", "Roughs Tower"}}}}},
                           {{"isoCode", "FR"}, {"active", false}}}}});
  REQUIRE_MESSAGE(r.status == 200, r.raw);
  CHECK(r.body["countries"] == 236);

  // The text fields hold the integration value; writing one sets the code.
  std::string id = f.Create("Contact", {{"LastName", "A"}, {"MailingCountry", "USA"}});
  Reply g = f.http.Get(kBase + "/sobjects/Contact/" + id);
  CHECK(g.body["MailingCountryCode"] == "US");
  CHECK(g.body["MailingCountry"] == "USA");
  id = f.Create("Contact",
                {{"LastName", "B"}, {"MailingCountryCode", "US"}, {"MailingStateCode", "CA"}});
  g = f.http.Get(kBase + "/sobjects/Contact/" + id);
  CHECK(g.body["MailingCountry"] == "USA");
  CHECK(g.body["MailingState"] == "Calif.");
  id = f.Create("Contact",
                {{"LastName", "C"}, {"MailingCountry", "usa"}, {"MailingState", "calif."}});
  CHECK(f.http.Get(kBase + "/sobjects/Contact/" + id).body["MailingStateCode"] == "CA");
  // The old name is no longer an integration value; a code and a text that disagree fail.
  CheckError(f.http.Post(kBase + "/sobjects/Contact",
                         {{"LastName", "D"}, {"MailingCountry", "United States"}}),
             400, "FIELD_INTEGRITY_EXCEPTION");
  CheckError(f.http.Post(kBase + "/sobjects/Contact", {{"LastName", "D"},
                                                       {"MailingCountryCode", "US"},
                                                       {"MailingCountry", "United States"}}),
             400, "FIELD_INTEGRITY_EXCEPTION");
  // A custom country with a custom state.
  id = f.Create("Account",
                {{"Name", "S"}, {"BillingCountryCode", "XS"}, {"BillingStateCode", "RT"}});
  g = f.http.Get(kBase + "/sobjects/Account/" + id);
  CHECK(g.body["BillingCountry"] == "Principality of Sealand");
  CHECK(g.body["BillingState"] == "Roughs Tower");
  // A deactivated country is refused, by code or by text.
  CheckError(
      f.http.Post(kBase + "/sobjects/Account", {{"Name", "F"}, {"BillingCountryCode", "FR"}}), 400,
      "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  CheckError(
      f.http.Post(kBase + "/sobjects/Account", {{"Name", "F"}, {"BillingCountry", "France"}}), 400,
      "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  CHECK(other.http.Post(kBase + "/sobjects/Account", {{"Name", "F"}, {"BillingCountryCode", "FR"}})
            .status == 201);

  // Describe: labels (no integration values), inactive values listed, validFor over the new
  // country order.
  json countries = Picklist(f, "Account", "BillingCountryCode");
  CHECK(countries.size() == 236);
  REQUIRE(Value(countries, "FR"));
  CHECK((*Value(countries, "FR"))["active"] == false);
  CHECK((*Value(countries, "US"))["label"] == "United States");
  REQUIRE(Value(countries, "XS"));
  CHECK((*Value(countries, "XS"))["label"] == "Sealand");
  json states = Picklist(f, "Account", "BillingStateCode");
  REQUIRE(Value(states, "RT"));
  CHECK(ValidFor(*Value(states, "RT"), countries) == std::set<std::string>{"XS"});
  CHECK(ValidFor(*Value(states, "11"), countries) == std::set<std::string>{"CN"});
  CHECK(Picklist(other, "Account", "BillingCountryCode").size() == 235);

  // The C++ helper, GET, and malformed bodies (nothing changes).
  json reply = f.sandbox.SetAddressSettings(
      {{"countries", {{{"isoCode", "DE"}, {"label", "Deutschland"}, {"integrationValue", "DE"}}}}});
  CHECK(reply["countries"] == 236);
  id = f.Create("Account", {{"Name", "G"}, {"BillingCountryCode", "DE"}});
  CHECK(f.http.Get(kBase + "/sobjects/Account/" + id).body["BillingCountry"] == "DE");
  Reply all = f.http.Get("/_sandbox/addressSettings");
  REQUIRE(all.status == 200);
  CHECK(all.body["countries"].size() == 236);
  Reply bad = f.http.Post(
      "/_sandbox/addressSettings",
      {{"countries", {{{"isoCode", "IT"}, {"label", "Italia"}}, {{"label", "no code"}}}}});
  CHECK(bad.status == 400);
  CHECK(bad.body["error"] == "countries[1].isoCode must be a non-empty string");
  CHECK((*Value(Picklist(f, "Account", "BillingCountryCode"), "IT"))["label"] == "Italy");
  CHECK(f.http.Post("/_sandbox/addressSettings", {{"countries", "US"}}).status == 400);

  // Reset restores the defaults.
  REQUIRE(f.http.Post("/_sandbox/reset", json::object()).status == 200);
  id = f.Create("Contact", {{"LastName", "E"}, {"MailingCountry", "United States"}});
  CHECK(f.http.Get(kBase + "/sobjects/Contact/" + id).body["MailingCountryCode"] == "US");
  CHECK(f.http.Post(kBase + "/sobjects/Account", {{"Name", "F"}, {"BillingCountryCode", "FR"}})
            .status == 201);
  CheckError(
      f.http.Post(kBase + "/sobjects/Account", {{"Name", "S"}, {"BillingCountryCode", "XS"}}), 400,
      "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  CHECK(Picklist(f, "Account", "BillingCountryCode").size() == 235);
}

TEST_CASE("salesforce: record types (RecordType, Opportunity.RecordTypeId, recordTypeInfos)") {
  Fixture f;
  // Record types are set up by an admin: seeded, not created through the REST API.
  json ids = f.sandbox.Seed({{"records",
                              {{{"type", "RecordType"},
                                {"ref", "ent"},
                                {"fields",
                                 {{"Name", "Enterprise Deals"},
                                  {"DeveloperName", "Enterprise"},
                                  {"SobjectType", "Opportunity"},
                                  {"Description", "Large accounts"}}}},
                               {{"type", "RecordType"},
                                {"fields",
                                 {{"Name", "Retired"},
                                  {"DeveloperName", "Retired"},
                                  {"SobjectType", "Opportunity"},
                                  {"IsActive", false}}}},
                               {{"type", "RecordType"},
                                {"fields",
                                 {{"Name", "Partner Account"},
                                  {"DeveloperName", "Partner_Account"},
                                  {"SobjectType", "Account"}}}},
                               {{"type", "Opportunity"},
                                {"fields",
                                 {{"Name", "Seeded"},
                                  {"StageName", "Prospecting"},
                                  {"CloseDate", "2026-01-01"},
                                  {"RecordTypeId", "@ent"}}}}}}})["ids"];
  REQUIRE(ids["RecordType"].size() == 3);
  const std::string ent = ids["RecordType"][0], retired = ids["RecordType"][1],
                    partner = ids["RecordType"][2];
  CHECK(ent.substr(0, 3) == "012");
  CHECK(ent.size() == 18);

  // SOQL, like any object.
  json q = f.Query(
      "SELECT Id, Name, DeveloperName, IsActive, Description FROM RecordType WHERE SobjectType = "
      "'Opportunity' ORDER BY DeveloperName");
  REQUIRE(q["totalSize"] == 2);
  CHECK(q["records"][0]["Id"] == ent);
  CHECK(q["records"][0]["Name"] == "Enterprise Deals");
  CHECK(q["records"][0]["IsActive"] == true);
  CHECK(q["records"][0]["Description"] == "Large accounts");
  CHECK(q["records"][1]["DeveloperName"] == "Retired");
  CHECK(q["records"][1]["IsActive"] == false);
  json opp = f.Query("SELECT Id, RecordTypeId FROM Opportunity")["records"][0];
  CHECK(opp["RecordTypeId"] == ent);

  // Describe: the Master plus the object's own record types; the first active one is the
  // default and the Master is no longer available.
  Reply d = f.http.Get(kBase + "/sobjects/Opportunity/describe");
  REQUIRE(d.status == 200);
  const json& infos = d.body["recordTypeInfos"];
  REQUIRE(infos.size() == 3);
  std::map<std::string, json> by_name;
  for (const auto& i : infos) by_name[i["developerName"]] = i;
  CHECK(by_name["Master"]["recordTypeId"] == "012000000000000AAA");
  CHECK(by_name["Master"]["master"] == true);
  CHECK(by_name["Master"]["available"] == false);
  CHECK(by_name["Enterprise"]["recordTypeId"] == ent);
  CHECK(by_name["Enterprise"]["name"] == "Enterprise Deals");
  CHECK(by_name["Enterprise"]["active"] == true);
  CHECK(by_name["Enterprise"]["available"] == true);
  CHECK(by_name["Enterprise"]["defaultRecordTypeMapping"] == true);
  CHECK(by_name["Enterprise"]["master"] == false);
  CHECK(by_name["Retired"]["active"] == false);
  CHECK(by_name["Retired"]["defaultRecordTypeMapping"] == false);
  CHECK(by_name["Enterprise"]["urls"]["layout"] ==
        kBase + "/sobjects/Opportunity/describe/layouts/" + ent);
  bool has_field = false;
  for (const auto& x : d.body["fields"])
    if (x["name"] == "RecordTypeId") {
      has_field = true;
      CHECK(x["type"] == "reference");
      CHECK(x["referenceTo"][0] == "RecordType");
    }
  CHECK(has_field);
  // An object without record types of its own lists the Master only, as the default.
  Reply c = f.http.Get(kBase + "/sobjects/Contact/describe");
  REQUIRE(c.body["recordTypeInfos"].size() == 1);
  CHECK(c.body["recordTypeInfos"][0]["defaultRecordTypeMapping"] == true);
  CHECK(f.http.Get(kBase + "/sobjects/RecordType/describe").body["keyPrefix"] == "012");

  // Writes: an active record type of the object is accepted (15 or 18 characters).
  const std::string o = f.Create("Opportunity", {{"Name", "A"},
                                                 {"StageName", "Prospecting"},
                                                 {"CloseDate", "2026-01-01"},
                                                 {"RecordTypeId", ent.substr(0, 15)}});
  CHECK(f.Query("SELECT RecordTypeId FROM Opportunity WHERE Id = '" + o +
                "'")["records"][0]["RecordTypeId"] == ent);
  // An inactive one, another object's, a missing one and a non-record-type id are refused with
  // Salesforce's error.
  for (const std::string& bad : {retired, partner, std::string("0125g00000zzzzzAAA"), o}) {
    Reply r = f.http.Patch(kBase + "/sobjects/Opportunity/" + o, {{"RecordTypeId", bad}});
    CheckError(r, 400, "INVALID_CROSS_REFERENCE_KEY");
    CHECK(r.body[0]["message"] == "Record Type ID: this ID value isn't valid for the user: " + bad);
    CHECK(r.body[0]["fields"] == json::array({"RecordTypeId"}));
  }
  Reply bad_create = f.http.Post(kBase + "/sobjects/Opportunity", {{"Name", "B"},
                                                                   {"StageName", "Prospecting"},
                                                                   {"CloseDate", "2026-01-01"},
                                                                   {"RecordTypeId", retired}});
  CheckError(bad_create, 400, "INVALID_CROSS_REFERENCE_KEY");
  // The Master record type is the default: stored as no record type.
  Reply master =
      f.http.Patch(kBase + "/sobjects/Opportunity/" + o, {{"RecordTypeId", "012000000000000AAA"}});
  CHECK(master.status == 204);
  CHECK(f.Query("SELECT RecordTypeId FROM Opportunity WHERE Id = '" + o +
                "'")["records"][0]["RecordTypeId"]
            .is_null());
  // Record types are not created through the REST API.
  Reply create_rt = f.http.Post(kBase + "/sobjects/RecordType",
                                {{"Name", "X"}, {"DeveloperName", "X"}, {"SobjectType", "Lead"}});
  CheckError(create_rt, 400, "INVALID_FIELD_FOR_INSERT_UPDATE");
}
