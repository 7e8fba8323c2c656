// The Salesforce connector against the Salesforce sandbox over real HTTP: describe, SOQL change
// feeds with nextRecordsUrl paging, collections of exactly 200 answering in input order,
// per-item errors by category, partial failures, upsert by external id, replication endpoints,
// contact roles and lookup associations.
#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "fixture.h"

using namespace syncline;
using namespace syncline::connectors;
using nlohmann::json;
using test::kT0;
using test::Sandboxes;

namespace {

std::string Email(int i) {
  return "sf" + std::to_string(i) + "@example.com";
}

// Seeds n contacts in batches of `per_stamp`, the clock moving 1.5 s between batches.
std::vector<std::string> SeedContacts(Sandboxes& s, int n, int per_stamp, int first = 0) {
  std::vector<std::string> ids;
  for (int i = first; i < first + n; i += per_stamp) {
    json records = json::array();
    for (int k = i; k < std::min(first + n, i + per_stamp); ++k)
      records.push_back({{"type", "Contact"},
                         {"fields", {{"LastName", "L" + std::to_string(k)}, {"Email", Email(k)}}}});
    json answer = s.salesforce->Seed({{"records", records}});
    auto got = test::SeededIds(answer, "Contact");
    if (got.empty() && answer.contains("ids") && answer["ids"].is_array())
      for (const auto& id : answer["ids"]) got.push_back(id.get<std::string>());
    ids.insert(ids.end(), got.begin(), got.end());
    s.clock->Advance(1500);
  }
  return ids;
}

std::vector<Record> ReadAll(Connector& c, Watermark since, Watermark* last = nullptr,
                            int stop_after_pages = -1) {
  std::vector<Record> all;
  std::set<std::string> seen;
  int pages = 0;
  Error e = c.ReadChanges("Contact", since, {"Email", "LastName"}, [&](ChangePage& page) {
    for (auto& r : page.records) {
      CHECK_MESSAGE(seen.insert(r.id).second, "duplicate id " << r.id);
      all.push_back(r);
    }
    if (last) *last = page.watermark;
    return ++pages != stop_after_pages;
  });
  CHECK_MESSAGE(e.ok(), e.message);
  return all;
}

TEST_CASE("salesforce: the IN lists of one look-up are out at once") {
  // 350 emails are four queries of 100, each answered 400 ms late: out together.
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  SeedContacts(s, 350, 350);
  std::vector<std::string> emails;
  for (int i = 0; i < 350; ++i) emails.push_back(Email(i));
  s.salesforce->AddFault(test::SlowCalls("/query", 400, 4));
  std::vector<Record> out;
  const int64_t ms = test::ElapsedMs(
      [&] { CHECK(sf.FindByField("Contact", "Email", emails, {"Id"}, &out).ok()); });
  CHECK(s.salesforce->CallCount("/query") == 4);
  CHECK(out.size() == 350);
  CHECK(ms >= 400);
  CHECK_MESSAGE(ms < 1000, "four queries of 400 ms took " << ms << " ms");
}

TEST_CASE("salesforce: the collections of one write are out at once when independent") {
  // 450 updates of distinct contacts are three collections of 200, each answered 400 ms late.
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  auto ids = SeedContacts(s, 450, 450);
  REQUIRE(ids.size() == 450);
  std::vector<WriteItem> items(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    items[i].id = ids[i];
    items[i].fields = {{"Phone", "555-" + std::to_string(1000 + i)}};
  }
  s.salesforce->AddFault(test::SlowCalls("PATCH /services/data", 400, 3));
  std::vector<WriteResult> res;
  const int64_t ms = test::ElapsedMs([&] { res = sf.Write("Contact", WriteKind::kUpdate, items); });
  CHECK(s.salesforce->CallCount("PATCH /services/data") == 3);
  REQUIRE(res.size() == ids.size());
  for (size_t i = 0; i < ids.size(); ++i) CHECK(res[i].ok);
  std::vector<Record> back;
  CHECK(sf.ReadByIds("Contact", {ids[0], ids[449]}, {"Phone"}, &back).ok());
  REQUIRE(back.size() == 2);
  for (const Record& r : back)
    CHECK(r.fields["Phone"] == (r.id == ids[0] ? "555-1000" : "555-1449"));
  CHECK(ms >= 400);
  CHECK_MESSAGE(ms < 1000, "three collection updates of 400 ms took " << ms << " ms");
}

}  // namespace

TEST_CASE("salesforce: seeding answers with ids") {
  Sandboxes s;
  json answer =
      s.salesforce->Seed({{"records", {{{"type", "Contact"}, {"fields", {{"LastName", "X"}}}}}}});
  INFO(answer.dump());
  CHECK(SeedContacts(s, 1, 1).size() == 1);
}

TEST_CASE("salesforce: describe parses sObject describe into a schema object") {
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  auto d = sf.Describe("Contact");
  REQUIRE(std::holds_alternative<schema::Object>(d));
  const auto& obj = std::get<schema::Object>(d);
  CHECK(obj.FindField("LastName")->required_on_create);
  CHECK(obj.FindField("HubSpot_Contact_Id__c")->external_id);
}

TEST_CASE("salesforce: the SOQL change feed follows nextRecordsUrl without gaps or duplicates") {
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  auto ids = SeedContacts(s, 2500, 600);
  REQUIRE(ids.size() == 2500);
  s.salesforce->ResetCallCounts();
  Watermark w;
  auto all = ReadAll(sf, "", &w);
  CHECK(all.size() == 2500);
  CHECK(s.salesforce->CallCount("/query") == 2);  // 2,000 + 500
  std::set<std::string> got;
  for (const auto& r : all) got.insert(r.id);
  CHECK(got == std::set<std::string>(ids.begin(), ids.end()));
  CHECK(ReadAll(sf, w).empty());
  // Stop after the first page, resume: the rest, once.
  Watermark mid;
  auto first = ReadAll(sf, "", &mid, 1);
  auto rest = ReadAll(sf, mid);
  CHECK(first.size() + rest.size() == 2500);
  std::set<std::string> both;
  for (const auto& r : first) both.insert(r.id);
  for (const auto& r : rest) CHECK(both.insert(r.id).second);
  // A change shows up once.
  s.clock->Advance(2000);
  auto res = sf.Write("Contact", WriteKind::kUpdate, {{ids[17], "", "", {{"Title", "CEO"}}}});
  CHECK(res[0].ok);
  auto changed = ReadAll(sf, w);
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].id == ids[17]);
}

TEST_CASE("salesforce: collections of exactly 200, results in input order") {
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  std::vector<WriteItem> items;
  for (int i = 0; i < 450; ++i)
    items.push_back({"", "", "", {{"LastName", "N" + std::to_string(i)}, {"Email", Email(i)}}});
  auto created = sf.Write("Contact", WriteKind::kCreate, items);
  CHECK(s.salesforce->CallCount("POST /services/data/{version}/composite/sobjects") == 3);
  std::vector<std::string> ids;
  for (const auto& r : created) {
    CHECK(r.ok);
    ids.push_back(r.id);
  }
  std::vector<Record> back;
  CHECK(sf.ReadByIds("Contact", ids, {"Email"}, &back).ok());
  CHECK(back.size() == 450);
  CHECK(s.salesforce->CallCount("GET /services/data/{version}/composite/sobjects") == 3);
  std::map<std::string, std::string> email_of;
  for (const auto& r : back) email_of[r.id] = r.fields["Email"];
  for (int i = 0; i < 450; ++i) CHECK(email_of[ids[i]] == Email(i));

  std::vector<WriteItem> updates;
  for (int i = 0; i < 450; ++i)
    updates.push_back({ids[i], "", "", {{"Title", "T" + std::to_string(i)}}});
  auto updated = sf.Write("Contact", WriteKind::kUpdate, updates);
  CHECK(s.salesforce->CallCount("PATCH /services/data/{version}/composite/sobjects") == 3);
  for (int i = 0; i < 450; ++i) CHECK(updated[i].ok);

  // Upsert by external id: 150 new, then the same 150 again (updates).
  std::vector<WriteItem> upserts;
  for (int i = 0; i < 150; ++i)
    upserts.push_back(
        {"", "HubSpot_Contact_Id__c", "hs-" + std::to_string(i), {{"LastName", "U"}}});
  auto up1 = sf.Write("Contact", WriteKind::kUpsert, upserts);
  auto up2 = sf.Write("Contact", WriteKind::kUpsert, upserts);
  for (int i = 0; i < 150; ++i) {
    CHECK(up1[i].ok);
    CHECK(up1[i].created);
    CHECK(up2[i].ok);
    CHECK_FALSE(up2[i].created);
    CHECK(up1[i].id == up2[i].id);
  }
}

TEST_CASE("salesforce: per-item errors are categorised and do not stop the batch") {
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  SeedContacts(s, 1, 1, 900);
  std::vector<WriteItem> items(5);
  items[0].fields = {{"LastName", "Ok"}};
  items[1].fields = {{"FirstName", "NoLast"}};                          // required
  items[2].fields = {{"LastName", "X"}, {"MailingCountryCode", "ZZ"}};  // picklist
  items[3].fields = {{"LastName", "Dup"}, {"Email", Email(900)}};       // duplicate rule
  items[4].fields = {{"LastName", "X"}, {"NoSuchField__c", "1"}};       // validation
  auto res = sf.Write("Contact", WriteKind::kCreate, items);
  CHECK(res[0].ok);
  CHECK(res[1].error.category == ErrorCategory::kRequired);
  CHECK(res[2].error.category == ErrorCategory::kPicklist);
  CHECK(res[3].error.category == ErrorCategory::kDuplicate);
  CHECK(res[4].error.category == ErrorCategory::kValidation);
  CHECK(s.salesforce->CallCount("composite/sobjects") == 1);
}

TEST_CASE("salesforce: partial collection failures resend only the failed items") {
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  sandbox::FaultSpec f;
  f.endpoint = "POST /services/data/{version}/composite/sobjects";
  f.fail_items = {2, 5};
  f.on_call = 1;
  s.salesforce->AddFault(f);
  std::vector<WriteItem> items;
  for (int i = 0; i < 8; ++i)
    items.push_back({"", "", "", {{"LastName", "P"}, {"Email", Email(i)}}});
  auto res = sf.Write("Contact", WriteKind::kCreate, items);
  for (const auto& r : res) CHECK(r.ok);
  CHECK(s.salesforce->CallCount("composite/sobjects") == 2);
  std::vector<Record> found;
  std::vector<std::string> emails;
  for (int i = 0; i < 8; ++i) emails.push_back(Email(i));
  CHECK(sf.FindByField("Contact", "Email", emails, {}, &found).ok());
  CHECK(found.size() == 8);  // each exactly once
}

TEST_CASE("salesforce: deletions and updates from the replication endpoints") {
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  auto ids = SeedContacts(s, 5, 5);
  std::vector<Deletion> del;
  Watermark w;
  CHECK(sf.ReadDeletions("Contact", "", &del, &w).ok());
  CHECK(del.empty());
  auto res = sf.Delete("Contact", {ids[0], ids[1], ids[2]});
  for (const auto& r : res) CHECK(r.ok);
  auto again = sf.Delete("Contact", {ids[0]});  // already gone counts as done
  CHECK(again[0].ok);
  s.clock->Advance(120'000);  // replication has minute granularity
  CHECK(sf.ReadDeletions("Contact", w, &del, &w).ok());
  CHECK(del.size() == 3);
  del.clear();
  s.clock->Advance(120'000);
  CHECK(sf.ReadDeletions("Contact", w, &del, &w).ok());
  CHECK(del.empty());

  int64_t start = s.clock->NowMs();
  s.clock->Advance(60'000);
  sf.Write("Contact", WriteKind::kUpdate, {{ids[3], "", "", {{"Title", "Z"}}}});
  s.clock->Advance(120'000);
  std::vector<std::string> updated;
  int64_t covered = 0;
  CHECK(sf.ReadUpdatedIds("Contact", start, s.clock->NowMs(), &updated, &covered).ok());
  CHECK(updated == std::vector<std::string>{ids[3]});
  CHECK(covered > start);
}

TEST_CASE("salesforce: contact roles and lookup fields as associations") {
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  auto contacts = SeedContacts(s, 3, 3);
  auto acc = sf.Write("Account", WriteKind::kCreate, {{"", "", "", {{"Name", "Acme"}}}});
  REQUIRE(acc[0].ok);
  auto opp = sf.Write("Opportunity", WriteKind::kCreate,
                      {{"",
                        "",
                        "",
                        {{"Name", "Deal"},
                         {"StageName", "Prospecting"},
                         {"CloseDate", "2025-12-31"},
                         {"AccountId", acc[0].id}}}});
  REQUIRE(opp[0].ok);
  std::vector<Association> roles = {{opp[0].id, contacts[0], {}, {"Decision Maker"}, true},
                                    {opp[0].id, contacts[1], {}, {"Influencer"}, false}};
  for (const auto& r : sf.Associate("Opportunity", "Contact", roles)) CHECK(r.ok);
  std::vector<Association> read;
  CHECK(sf.ReadAssociations("Opportunity", "Contact", {opp[0].id}, &read).ok());
  REQUIRE(read.size() == 2);
  int primaries = 0;
  for (const auto& a : read) primaries += a.primary;
  CHECK(primaries == 1);
  read.clear();
  CHECK(sf.ReadAssociations("Contact", "Opportunity", {contacts[1]}, &read).ok());
  REQUIRE(read.size() == 1);
  CHECK(read[0].to_id == opp[0].id);
  CHECK(read[0].labels == std::vector<std::string>{"Influencer"});
  // Lookup: Contact -> Account through AccountId.
  for (const auto& r :
       sf.Associate("Contact", "Account", {{contacts[2], acc[0].id, {}, {}, false}}))
    CHECK(r.ok);
  read.clear();
  CHECK(sf.ReadAssociations("Contact", "Account", contacts, &read).ok());
  REQUIRE(read.size() == 1);
  CHECK(read[0].from_id == contacts[2]);
  CHECK(read[0].to_id == acc[0].id);
  std::vector<std::string> members;
  CHECK(sf.ListMembers("x", &members).code == "UNSUPPORTED");
}

TEST_CASE("salesforce: an expired query locator restarts from the cursor, nothing twice") {
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  auto ids = SeedContacts(s, 4500, 1000);
  std::set<std::string> seen;
  int pages = 0;
  Error e = sf.ReadChanges("Contact", "", {"Email"}, [&](ChangePage& page) {
    for (const auto& r : page.records) CHECK(seen.insert(r.id).second);
    if (++pages == 1) s.salesforce->Control("DELETE", "/_sandbox/locators", json::object());
    return true;
  });
  CHECK_MESSAGE(e.ok(), e.message);
  CHECK(seen.size() == 4500);
  CHECK(pages >= 3);
  // First page, the refused locator, then a new query from the cursor and its pages.
  CHECK(s.salesforce->CallCount("/query") == 4);
}

TEST_CASE("salesforce: a record written while the feed's query is read is handed out as written") {
  // A query's later pages (its locator) hold records as they were when it ran, and the next
  // page is asked for before this one is handed out. A record the caller writes meanwhile must
  // not be handed out as it was before: the engine would take the old values for a change and
  // undo its own write. It is read again by id.
  Sandboxes s;
  SalesforceConnector sf(s.SalesforceConfig());
  auto ids = SeedContacts(s, 3000, 1000);
  const std::string target = ids[2500];  // on the second page of 2,000
  std::vector<std::string> handed;       // its last name in every copy handed out
  int pages = 0;
  Error e = sf.ReadChanges("Contact", "", {"Email", "LastName"}, [&](ChangePage& page) {
    for (auto& r : page.records)
      if (r.id == target) handed.push_back(r.fields.value("LastName", ""));
    if (pages++ == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      s.clock->Advance(1'000);
      auto w = sf.Write("Contact", WriteKind::kUpdate,
                        {WriteItem{target, "", "", {{"LastName", "Written"}}}});
      REQUIRE(w.size() == 1);
      REQUIRE(w[0].ok);
    }
    return true;
  });
  CHECK_MESSAGE(e.ok(), e.message);
  REQUIRE(handed.size() == 1);
  CHECK(handed[0] == "Written");
  CHECK(pages == 2);
}
