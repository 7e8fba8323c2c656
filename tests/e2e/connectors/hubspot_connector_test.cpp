// The HubSpot connector against the HubSpot sandbox over real HTTP: describe, change feeds past
// the search cap (sliding window), batch writes of exactly 100 with per-item results in input
// order, 409 duplicates, 207 partial results, deletions, lists v3 and associations v4.
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
  return "person" + std::to_string(i) + "@example.com";
}

// Seeds n contacts; contact i was last modified at base + (i / per_ms) ms.
std::vector<std::string> SeedContacts(Sandboxes& s, int n, int64_t base, int per_ms,
                                      int first = 0) {
  json contacts = json::array();
  for (int i = first; i < first + n; ++i) {
    int64_t ts = base + (i - first) / per_ms;
    contacts.push_back(
        {{"properties", {{"email", Email(i)}, {"firstname", "F" + std::to_string(i)}}},
         {"createdAt", ts},
         {"updatedAt", ts}});
  }
  return test::SeededIds(s.hubspot->Seed({{"contacts", contacts}}), "contacts");
}

// Reads the whole feed from `since`; fails the test on an id seen twice.
std::vector<Record> ReadAll(Connector& c, const std::string& object, Watermark since,
                            Watermark* last = nullptr, int stop_after_pages = -1) {
  std::vector<Record> all;
  std::set<std::string> seen;
  int pages = 0;
  Error e = c.ReadChanges(object, since, {"email", "firstname"}, [&](ChangePage& page) {
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

}  // namespace

TEST_CASE("hubspot: describe reads the properties API into a schema object") {
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  auto d = hs.Describe("contacts");
  REQUIRE(std::holds_alternative<schema::Object>(d));
  const auto& obj = std::get<schema::Object>(d);
  CHECK(obj.FindField("email"));
  CHECK(obj.FindField("lifecyclestage"));
  CHECK(obj.FindField("lifecyclestage")->options.size() >= 7);
  auto bad = hs.Describe("nosuchobject");
  CHECK(std::holds_alternative<Error>(bad));
}

TEST_CASE("hubspot: the change feed slides past the search result cap without gaps or duplicates") {
  Sandboxes s;
  auto limits = s.hubspot->limits();
  limits.search_result_cap = 300;  // HubSpot's 10,000, scaled down to keep the test fast
  s.hubspot->SetLimits(limits);
  auto config = s.HubSpotConfig();
  config.search_cap = 300;
  config.search_page = 100;
  HubSpotConnector hs(config);
  // 1,000 contacts, three per millisecond (ties at the window edges).
  auto ids = SeedContacts(s, 1000, kT0 - 1'000'000, 3);
  REQUIRE(ids.size() == 1000);
  s.hubspot->ResetCallCounts();
  Watermark w;
  auto all = ReadAll(hs, "contacts", "", &w);
  CHECK(all.size() == 1000);
  std::set<std::string> got;
  for (const auto& r : all) got.insert(r.id);
  CHECK(got == std::set<std::string>(ids.begin(), ids.end()));
  CHECK(std::is_sorted(all.begin(), all.end(), [](const Record& a, const Record& b) {
    return a.last_modified_ms < b.last_modified_ms;
  }));
  // Each window pages at most 300 results; 1,000 records need 4 windows of about 3 pages.
  int64_t searches = s.hubspot->CallCount("/search");
  CHECK(searches >= 10);
  CHECK(searches <= 16);
  // Nothing new: an empty read.
  CHECK(ReadAll(hs, "contacts", w).empty());
  // Two records change: exactly those come back.
  s.clock->Advance(5'000);
  auto res = hs.Write(
      "contacts", WriteKind::kUpdate,
      {{ids[5], "", "", {{"firstname", "Changed"}}}, {ids[700], "", "", {{"firstname", "X"}}}});
  CHECK(res[0].ok);
  CHECK(res[1].ok);
  auto changed = ReadAll(hs, "contacts", w, &w);
  REQUIRE(changed.size() == 2);
  CHECK(changed[0].fields["firstname"] == "Changed");
}

TEST_CASE("hubspot: a read stopped after a page resumes from that page's watermark") {
  Sandboxes s;
  auto config = s.HubSpotConfig();
  config.search_page = 50;
  HubSpotConnector hs(config);
  SeedContacts(s, 260, kT0 - 100'000, 2);
  Watermark w;
  auto first = ReadAll(hs, "contacts", "", &w, 2);
  // Pages hold exactly `search_page` records (two per millisecond here: each search after the
  // first starts at a millisecond one of whose records was read already).
  CHECK(first.size() == 100);
  auto rest = ReadAll(hs, "contacts", w);
  CHECK(rest.size() == 160);
  std::set<std::string> ids;
  for (const auto& r : first) ids.insert(r.id);
  for (const auto& r : rest) CHECK(ids.insert(r.id).second);
}

TEST_CASE("hubspot: a keyset search leaves out the records already read at its timestamp") {
  // 1,000 contacts written 80 to a millisecond (as a batch write lands) and read 200 per search:
  // each search after the first starts at a millisecond whose first records were read already.
  Sandboxes s;
  SeedContacts(s, 1000, kT0 - 100'000, 80);
  auto read = [&](int exclude_max) {
    auto config = s.HubSpotConfig();
    config.search_exclude_max = exclude_max;
    HubSpotConnector hs(config);
    const int64_t before = s.hubspot->CallCount("contacts/search");
    auto all = ReadAll(hs, "contacts", "");
    CHECK(all.size() == 1000);
    return s.hubspot->CallCount("contacts/search") - before;
  };
  // Left out in the request (NOT_IN): 5 full searches, the last of which ends the feed.
  CHECK(read(100) == 5);
  // Read again and dropped: every search after the first brings fewer than 200 new records.
  CHECK(read(0) > 5);
  // More ids at the timestamp than the exclusion takes: read again, still complete.
  CHECK(read(10) > 5);

  // The exclusion holds at the cursor's millisecond only: a record read there and written since
  // is a change. The feed stops after two pages, at a millisecond part of which was read.
  HubSpotConnector hs(s.HubSpotConfig());
  Watermark w;
  auto first = ReadAll(hs, "contacts", "", &w, 2);
  REQUIRE(first.size() == 400);
  const std::string moved = first.back().id;  // at the cursor's millisecond
  s.clock->Advance(1'000);
  REQUIRE(
      hs.Write("contacts", WriteKind::kUpdate, {{moved, "", "", {{"firstname", "Moved"}}}})[0].ok);
  const int64_t before = s.hubspot->CallCount("contacts/search");
  auto rest = ReadAll(hs, "contacts", w);
  CHECK(rest.size() == 601);  // the 600 not read yet, and the moved one again
  CHECK(rest.back().id == moved);
  CHECK(rest.back().fields["firstname"] == "Moved");
  CHECK(s.hubspot->CallCount("contacts/search") - before == 4);
}

TEST_CASE("hubspot: more records share one timestamp than one search can page through") {
  Sandboxes s;
  auto limits = s.hubspot->limits();
  limits.search_result_cap = 200;
  s.hubspot->SetLimits(limits);
  auto config = s.HubSpotConfig();
  config.search_cap = 200;
  config.search_page = 100;
  HubSpotConnector hs(config);
  SeedContacts(s, 450, kT0 - 50'000, 1000);    // all 450 at one millisecond
  SeedContacts(s, 20, kT0 - 40'000, 1, 1000);  // and 20 later ones
  Watermark w;
  auto all = ReadAll(hs, "contacts", "", &w);
  CHECK(all.size() == 470);
  CHECK(ReadAll(hs, "contacts", w).empty());
}

TEST_CASE("hubspot: batch writes use calls of exactly 100 and answer in input order") {
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  std::vector<WriteItem> items;
  for (int i = 0; i < 250; ++i)
    items.push_back({"", "", "", {{"email", Email(i)}, {"firstname", "A"}}});
  auto created = hs.Write("contacts", WriteKind::kCreate, items);
  CHECK(s.hubspot->CallCount("batch/create") == 3);
  REQUIRE(created.size() == 250);
  std::vector<std::string> ids;
  for (const auto& r : created) {
    CHECK(r.ok);
    CHECK(r.created);
    ids.push_back(r.id);
  }
  // Input order: record i has email i.
  std::vector<Record> back;
  CHECK(hs.ReadByIds("contacts", ids, {"email"}, &back).ok());
  CHECK(s.hubspot->CallCount("batch/read") == 3);
  std::map<std::string, std::string> email_of;
  for (const auto& r : back) email_of[r.id] = r.fields["email"];
  for (int i = 0; i < 250; ++i) CHECK(email_of[ids[i]] == Email(i));

  std::vector<WriteItem> updates;
  for (int i = 0; i < 250; ++i)
    updates.push_back({ids[i], "", "", {{"firstname", "B" + std::to_string(i)}}});
  auto updated = hs.Write("contacts", WriteKind::kUpdate, updates);
  CHECK(s.hubspot->CallCount("batch/update") == 3);
  for (int i = 0; i < 250; ++i) {
    CHECK(updated[i].ok);
    CHECK(updated[i].id == ids[i]);
  }

  // Upsert by email: 100 existing (mixed case) and 50 new.
  std::vector<WriteItem> upserts;
  for (int i = 150; i < 300; ++i) {
    std::string email = Email(i);
    if (i % 2) std::transform(email.begin(), email.end(), email.begin(), ::toupper);
    upserts.push_back({"", "email", email, {{"lastname", "U"}}});
  }
  auto up = hs.Write("contacts", WriteKind::kUpsert, upserts);
  CHECK(s.hubspot->CallCount("batch/upsert") == 2);
  for (int k = 0; k < 150; ++k) {
    CAPTURE(k);
    CHECK(up[k].ok);
    CHECK(up[k].created == (k >= 100));
    if (k < 100) CHECK(up[k].id == ids[150 + k]);
  }
}

TEST_CASE("hubspot: a duplicate email (409) and a bad option fail only their own records") {
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  auto existing = SeedContacts(s, 1, kT0 - 1000, 1, 500);
  std::vector<WriteItem> items;
  for (int i = 0; i < 10; ++i) items.push_back({"", "", "", {{"email", Email(i)}}});
  items[3].fields["email"] = "PERSON500@example.com";  // exists, other case
  items[7].fields["lifecyclestage"] = "not-a-stage";
  auto res = hs.Write("contacts", WriteKind::kCreate, items, {"email"});
  REQUIRE(res.size() == 10);
  for (int i = 0; i < 10; ++i) {
    CAPTURE(i);
    if (i == 3) {
      CHECK_FALSE(res[i].ok);
      CHECK(res[i].error.category == ErrorCategory::kDuplicate);
      CHECK(res[i].id == existing[0]);
    } else if (i == 7) {
      CHECK_FALSE(res[i].ok);
      CHECK(res[i].error.category == ErrorCategory::kPicklist);
    } else {
      CHECK(res[i].ok);
    }
  }
  // Nothing was created twice and the failing ones were not created.
  std::vector<Record> found;
  hs.FindByField("contacts", "email", {Email(0), Email(7), "person500@EXAMPLE.com"}, {}, &found);
  CHECK(found.size() == 2);
}

TEST_CASE("hubspot: 207 partial results resend only the failed items") {
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  auto ids = SeedContacts(s, 10, kT0 - 1000, 1);
  sandbox::FaultSpec f;
  f.endpoint = "batch/update";
  f.fail_items = {1, 4};
  f.on_call = 1;
  s.hubspot->AddFault(f);
  std::vector<WriteItem> items;
  for (int i = 0; i < 10; ++i) items.push_back({ids[i], "", "", {{"firstname", "P"}}});
  auto res = hs.Write("contacts", WriteKind::kUpdate, items);
  for (const auto& r : res) CHECK(r.ok);
  CHECK(s.hubspot->CallCount("batch/update") == 2);
  // A fault that fails every item: each item is sent three times (two resends), then reported.
  s.hubspot->ClearFaults();
  s.hubspot->ResetCallCounts();
  f.on_call = 0;
  f.fail_items = {};
  f.fail_fraction = 1.0;
  s.hubspot->AddFault(f);
  res = hs.Write("contacts", WriteKind::kUpdate, items);
  for (const auto& r : res) {
    CHECK_FALSE(r.ok);
    CHECK(r.error.category == ErrorCategory::kServer);
  }
  CHECK(s.hubspot->CallCount("batch/update") == 3);
}

TEST_CASE("hubspot: read by ids skips missing ones; find by field is case-insensitive") {
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  auto ids = SeedContacts(s, 150, kT0 - 1000, 1);
  ids.push_back("999999");
  std::vector<Record> out;
  CHECK(hs.ReadByIds("contacts", ids, {"email"}, &out).ok());
  CHECK(out.size() == 150);
  CHECK(s.hubspot->CallCount("batch/read") == 2);
  out.clear();
  CHECK(hs.FindByField("contacts", "email", {"PERSON3@example.com", "nobody@x.io"}, {}, &out).ok());
  REQUIRE(out.size() == 1);
  CHECK(out[0].id == ids[3]);
}

TEST_CASE("hubspot: the batches of one read are out at once") {
  // 350 ids are four batch reads, each answered 400 ms late: out together, about 400 ms in all
  // (one after the other: 1.6 s). The batches' records in batch order, as one by one.
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  auto ids = SeedContacts(s, 350, kT0 - 1000, 1);
  s.hubspot->AddFault(test::SlowCalls("batch/read", 400, 4));
  std::vector<Record> out;
  const int64_t ms =
      test::ElapsedMs([&] { CHECK(hs.ReadByIds("contacts", ids, {"email"}, &out).ok()); });
  CHECK(s.hubspot->CallCount("batch/read") == 4);
  REQUIRE(out.size() == ids.size());
  // Each batch's records where its batch is (HubSpot orders the records within one answer as
  // it likes).
  for (size_t b = 0; b < ids.size(); b += 100) {
    std::set<std::string> want(ids.begin() + b, ids.begin() + std::min(ids.size(), b + 100)), got;
    for (size_t i = b; i < std::min(ids.size(), b + 100); ++i) got.insert(out[i].id);
    CHECK(got == want);
  }
  CHECK(ms >= 400);
  CHECK_MESSAGE(ms < 1000, "four batch reads of 400 ms took " << ms << " ms");
}

TEST_CASE("hubspot: the batches of one write are out at once when independent") {
  // 350 updates of distinct contacts are four batch updates, each answered 400 ms late: out
  // together. Every item's result where the item is.
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  auto ids = SeedContacts(s, 350, kT0 - 1000, 1);
  std::vector<WriteItem> items(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    items[i].id = ids[i];
    items[i].fields = {{"firstname", "N" + std::to_string(i)}};
  }
  s.hubspot->AddFault(test::SlowCalls("batch/update", 400, 4));
  std::vector<WriteResult> res;
  const int64_t ms =
      test::ElapsedMs([&] { res = hs.Write("contacts", WriteKind::kUpdate, items); });
  CHECK(s.hubspot->CallCount("batch/update") == 4);
  REQUIRE(res.size() == ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    CHECK(res[i].ok);
    CHECK(res[i].id == ids[i]);
  }
  std::vector<Record> back;
  CHECK(hs.ReadByIds("contacts", {ids[0], ids[349]}, {"firstname"}, &back).ok());
  REQUIRE(back.size() == 2);
  for (const Record& r : back) CHECK(r.fields["firstname"] == (r.id == ids[0] ? "N0" : "N349"));
  CHECK(ms >= 400);
  CHECK_MESSAGE(ms < 1000, "four batch updates of 400 ms took " << ms << " ms");

  // Creates of one email in two batches go one after the other: the first batch's contact
  // wins, as it would one by one (the second is refused as a duplicate, naming it).
  std::vector<WriteItem> creates(101);
  for (size_t i = 0; i < creates.size(); ++i)
    creates[i].fields = {{"email", "new" + std::to_string(i) + "@example.com"}};
  creates[100].fields = {{"email", "NEW0@example.com"}, {"firstname", "Second"}};
  WriteOptions wo;
  wo.dedupe_field = "email";
  s.hubspot->ResetCallCounts();
  s.hubspot->AddFault(test::SlowCalls("batch/create", 400, 1));  // the first batch, late
  auto made = hs.Write("contacts", WriteKind::kCreate, creates, wo);
  CHECK(s.hubspot->CallCount("batch/create") == 2);
  REQUIRE(made.size() == 101);
  CHECK(made[0].ok);
  CHECK(!made[100].ok);
  CHECK(made[100].error.category == ErrorCategory::kDuplicate);
  CHECK(made[100].id == made[0].id);
}

TEST_CASE("hubspot: deletions come from the archived listing, each once") {
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  auto ids = SeedContacts(s, 120, kT0 - 1000, 1);
  std::vector<Deletion> del;
  Watermark w;
  CHECK(hs.ReadDeletions("contacts", "", &del, &w).ok());
  CHECK(del.empty());
  auto res = hs.Delete("contacts", {ids.begin(), ids.begin() + 105});
  for (const auto& r : res) CHECK(r.ok);
  CHECK(s.hubspot->CallCount("batch/archive") == 2);
  CHECK(hs.ReadDeletions("contacts", w, &del, &w).ok());
  CHECK(del.size() == 105);
  del.clear();
  CHECK(hs.ReadDeletions("contacts", w, &del, &w).ok());
  CHECK(del.empty());
  s.clock->Advance(1000);
  hs.Delete("contacts", {ids[110]});
  CHECK(hs.ReadDeletions("contacts", w, &del, &w).ok());
  REQUIRE(del.size() == 1);
  CHECK(del[0].id == ids[110]);
}

TEST_CASE("hubspot: list memberships page by 250; add and remove") {
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  auto ids = SeedContacts(s, 300, kT0 - 1000, 1);
  ApiResult list = hs.session().Send(
      "POST", "/crm/v3/lists",
      {{"name", "Sync segment"}, {"objectTypeId", "0-1"}, {"processingType", "MANUAL"}});
  REQUIRE(list.ok());
  std::string list_id = list.body["list"]["listId"];
  CHECK(hs.AddListMembers(list_id, ids).ok());
  std::vector<std::string> members;
  s.hubspot->ResetCallCounts();
  CHECK(hs.ListMembers(list_id, &members).ok());
  CHECK(members.size() == 300);
  CHECK(s.hubspot->CallCount("memberships") == 2);
  CHECK(hs.RemoveListMembers(list_id, {ids.begin(), ids.begin() + 10}).ok());
  members.clear();
  CHECK(hs.ListMembers(list_id, &members).ok());
  CHECK(members.size() == 290);
  CHECK(std::find(members.begin(), members.end(), ids[0]) == members.end());
}

TEST_CASE("hubspot: associations v4 default and labelled, read back in batch") {
  Sandboxes s;
  HubSpotConnector hs(s.HubSpotConfig());
  auto contacts = SeedContacts(s, 3, kT0 - 1000, 1);
  auto companies = test::SeededIds(
      s.hubspot->Seed({{"companies", {{{"properties", {{"name", "Acme"}}}}}}}), "companies");
  REQUIRE(companies.size() == 1);
  std::vector<Association> links;
  for (const auto& c : contacts) links.push_back({c, companies[0], {}, {}, false});
  links[2].type_ids = {1};  // Primary company
  auto res = hs.Associate("contacts", "companies", links);
  for (const auto& r : res) CHECK(r.ok);
  std::vector<Association> read;
  CHECK(hs.ReadAssociations("contacts", "companies", contacts, &read).ok());
  REQUIRE(read.size() == 3);
  for (const auto& a : read) {
    CHECK(a.to_id == companies[0]);
    if (a.from_id == contacts[2]) {
      CHECK(std::find(a.type_ids.begin(), a.type_ids.end(), 1) != a.type_ids.end());
    } else {
      CHECK(std::find(a.type_ids.begin(), a.type_ids.end(), 279) != a.type_ids.end());
    }
  }
}

// The engine writes back to records of the page it is reading (a Salesforce value that wins,
// R3). Each write moves the record to the end of the feed's sort order, so the records after
// it move up by one: the numeric `after` offset of the next page must not skip them.
TEST_CASE("hubspot: records written while the feed is read move to its end and skip nothing") {
  Sandboxes s;
  auto config = s.HubSpotConfig();
  config.search_page = 100;
  HubSpotConnector hs(config);
  auto ids = SeedContacts(s, 250, kT0 - 1'000'000, 1);
  std::set<std::string> first_pass, echoes;
  int pages = 0;
  Error e = hs.ReadChanges("contacts", "", {"email", "firstname"}, [&](ChangePage& page) {
    std::vector<WriteItem> updates;
    for (auto& r : page.records) {
      if (!first_pass.insert(r.id).second) {
        echoes.insert(r.id);
        continue;
      }
      if (pages == 0) updates.push_back({r.id, "", "", {{"firstname", "Written"}}});
    }
    ++pages;
    if (!updates.empty()) {
      s.clock->Advance(1'000);
      for (const auto& w : hs.Write("contacts", WriteKind::kUpdate, updates)) CHECK(w.ok);
    }
    return true;
  });
  CHECK_MESSAGE(e.ok(), e.message);
  std::set<std::string> missing;
  for (const auto& id : ids)
    if (!first_pass.count(id)) missing.insert(id);
  CHECK_MESSAGE(missing.empty(), missing.size() << " records never read");
  CHECK(first_pass.size() == 250);
}

TEST_CASE("hubspot: a record written while the read-ahead search is out is handed out as written") {
  // The feed sends its next search before it hands out the pages of the last one, so the CRM
  // may answer it before the caller writes to a record in it. That record must not be handed
  // out as it was before the write: the engine would take the old values for a change and
  // undo its own write. It is read again by id.
  Sandboxes s;
  auto config = s.HubSpotConfig();
  config.search_page = 100;
  HubSpotConnector hs(config);
  auto ids = SeedContacts(s, 250, kT0 - 1'000'000, 1);
  const std::string target = ids[150];   // in the second search, sent before page 1 is handed out
  std::vector<std::string> after_write;  // its first name in every copy handed out after the write
  bool written = false;
  int pages = 0;
  const int64_t calls_before = s.hubspot->CallCount("/batch/read");
  Error e = hs.ReadChanges("contacts", "", {"email", "firstname"}, [&](ChangePage& page) {
    for (auto& r : page.records)
      if (written && r.id == target) after_write.push_back(r.fields.value("firstname", ""));
    if (pages++ == 0) {
      // Let the read-ahead search be answered first, as it usually is.
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      s.clock->Advance(1'000);
      auto w = hs.Write("contacts", WriteKind::kUpdate,
                        {WriteItem{target, "", "", {{"firstname", "Written"}}}});
      REQUIRE(w.size() == 1);
      REQUIRE(w[0].ok);
      written = true;
    }
    return true;
  });
  CHECK_MESSAGE(e.ok(), e.message);
  REQUIRE(!after_write.empty());
  for (const auto& name : after_write) CHECK(name == "Written");
  // One batch read for the one record written, no more.
  CHECK(s.hubspot->CallCount("/batch/read") - calls_before == 1);
}
