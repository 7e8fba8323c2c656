// The SQLite state store: every table, transactions, and the journal protocol with a crash
// simulated (the store closed and reopened) at each step of a write.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "state/journal_recovery.h"
#include "state/sqlite_state_store.h"

using namespace syncline::state;
namespace fs = std::filesystem;

namespace {

// A fresh state file in a private temp folder, removed afterwards.
struct TempDb {
  fs::path dir;
  TempDb() {
    dir = fs::temp_directory_path() /
          ("syncline_state_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDb() { fs::remove_all(dir); }
  std::string path() const { return (dir / "state.db").string(); }
  static inline int counter = 0;
};

Link MakeLink(const std::string& hs, const std::string& sf) {
  Link l;
  l.hubspot_object = "contacts";
  l.hubspot_id = hs;
  l.salesforce_object = "Contact";
  l.salesforce_id = sf;
  l.created_ms = 1000;
  return l;
}

}  // namespace

TEST_CASE("state: WAL mode, schema version, reopen keeps data") {
  TempDb db;
  int64_t id;
  {
    SqliteStateStore s(db.path());
    CHECK(s.journal_mode() == "wal");
    CHECK(s.schema_version() == SqliteStateStore::kSchemaVersion);
    id = s.PutLink(MakeLink("1", "003A"));
  }
  SqliteStateStore again(db.path());
  CHECK(again.schema_version() == SqliteStateStore::kSchemaVersion);
  auto l = again.GetLink(id);
  REQUIRE(l);
  CHECK(l->salesforce_id == "003A");
}

TEST_CASE("state: a file from a newer schema is refused") {
  TempDb db;
  { SqliteStateStore s(db.path()); }
  {
    // Bump user_version past what this build knows.
    SqliteStateStore s(db.path());
    s.Begin();
    s.Commit();
  }
  std::string cmd = "sqlite3 '" + db.path() + "' 'PRAGMA user_version=99' 2>/dev/null";
  if (std::system(cmd.c_str()) == 0) CHECK_THROWS_AS(SqliteStateStore(db.path()), StateError);
}

TEST_CASE("state: a version 2 file keeps its base values (one row per field before)") {
  TempDb db;
  {
    // What Syncline's schema version 2 wrote: links, and base_values with a row per field.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(db.path().c_str(), &raw) == SQLITE_OK);
    const char* v2 = R"sql(
CREATE TABLE links (
  id INTEGER PRIMARY KEY,
  hubspot_object TEXT NOT NULL, hubspot_id TEXT NOT NULL,
  salesforce_object TEXT NOT NULL, salesforce_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
CREATE TABLE base_values (
  link_id INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  side INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, synced_ms INTEGER NOT NULL,
  PRIMARY KEY (link_id, side, field)) WITHOUT ROWID;
INSERT INTO links VALUES (7, 'contacts', '101', 'Contact', '003A', 1, 1);
INSERT INTO base_values VALUES (7, 0, 'email', '"a@x.io"', 10), (7, 0, 'firstname', '"Ann"', 12),
  (7, 1, 'Email', '"a@x.io"', 10);
PRAGMA user_version=2;
)sql";
    REQUIRE(sqlite3_exec(raw, v2, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  SqliteStateStore s(db.path());
  CHECK(s.schema_version() == SqliteStateStore::kSchemaVersion);
  auto hs = s.GetBase(7, Side::kHubSpot);
  CHECK(hs.size() == 2);
  CHECK(hs["email"] == "\"a@x.io\"");
  CHECK(hs["firstname"] == "\"Ann\"");
  CHECK(s.GetBase(7, Side::kSalesforce) == BaseValues{{"Email", "\"a@x.io\""}});
}

TEST_CASE("state: base values with empty, unicode and quote-laden text round-trip") {
  SqliteStateStore s(":memory:");
  int64_t a = s.PutLink(MakeLink("1", "003A"));
  const BaseValues values = {
      {"a", ""}, {"b", "\"Zoë \\\"Z\\\" 東京\""}, {"c", "null"}, {"d", "[1,2]"}};
  s.SetBase(a, Side::kHubSpot, values, 1);
  CHECK(s.GetBase(a, Side::kHubSpot) == values);
  s.SetBase(a, Side::kHubSpot, {{"a", "\"x\""}}, 2);  // merges: the others are kept
  BaseValues merged = values;
  merged["a"] = "\"x\"";
  CHECK(s.GetBase(a, Side::kHubSpot) == merged);
  // The merge inside the upsert interleaves new fields, replaces shared ones, keeps the rest.
  s.SetBase(a, Side::kHubSpot, {{"0", "1"}, {"bb", "2"}, {"c", "\"y\""}, {"z", "3"}}, 3);
  merged["0"] = "1";
  merged["bb"] = "2";
  merged["c"] = "\"y\"";
  merged["z"] = "3";
  CHECK(s.GetBase(a, Side::kHubSpot) == merged);
  s.SetBase(a, Side::kHubSpot, {}, 4);  // nothing to set: the row stays
  CHECK(s.GetBase(a, Side::kHubSpot) == merged);
}

TEST_CASE("state: links by either side, unique per side, delete cascades to base values") {
  SqliteStateStore s(":memory:");
  int64_t a = s.PutLink(MakeLink("101", "003X"));
  int64_t b = s.PutLink(MakeLink("102", ""));  // not yet created in Salesforce
  CHECK(a != b);
  CHECK(s.FindLink(Side::kHubSpot, "contacts", "101")->id == a);
  CHECK(s.FindLink(Side::kSalesforce, "Contact", "003X")->id == a);
  CHECK_FALSE(s.FindLink(Side::kSalesforce, "Contact", "003Y"));
  CHECK_THROWS_AS(s.PutLink(MakeLink("101", "003Z")), StateError);  // HubSpot id taken
  Link l = *s.GetLink(b);
  l.salesforce_id = "003B";
  l.updated_ms = 2000;
  s.PutLink(l);
  CHECK(s.FindLink(Side::kSalesforce, "Contact", "003B")->id == b);
  s.TouchLink(b, 3000);  // only the time moves
  const Link touched = *s.GetLink(b);
  CHECK(touched.updated_ms == 3000);
  CHECK(touched.hubspot_id == "102");
  CHECK(touched.salesforce_id == "003B");
  CHECK(s.GetLink(a)->updated_ms != 3000);
  CHECK(s.Links("contacts").size() == 2);
  s.SetBase(a, Side::kHubSpot, {{"email", "\"a@b.c\""}}, 5);
  s.DeleteLink(a);
  CHECK_FALSE(s.GetLink(a));
  CHECK(s.GetBase(a, Side::kHubSpot).empty());
}

TEST_CASE("state: FindLinks reads a page's links in chunks, either side") {
  SqliteStateStore s(":memory:");
  std::vector<std::string> hs_ids, sf_ids;
  for (int i = 0; i < 250; ++i) {
    const std::string h = std::to_string(1000 + i);
    const std::string f = i % 5 == 0 ? "" : "003" + std::to_string(i);  // some not yet created
    s.PutLink(MakeLink(h, f));
    if (i % 2 == 0) hs_ids.push_back(h);  // every other one asked for
    if (!f.empty()) sf_ids.push_back(f);
  }
  hs_ids.push_back("999999");  // no link
  hs_ids.push_back("");        // an empty id matches nothing (chunks are padded with "")
  const auto by_hs = s.FindLinks(Side::kHubSpot, "contacts", hs_ids);
  CHECK(by_hs.size() == 125);
  for (const auto& [id, link] : by_hs) {
    CHECK(link.hubspot_id == id);
    CHECK(s.FindLink(Side::kHubSpot, "contacts", id)->id == link.id);
  }
  CHECK_FALSE(by_hs.count("999999"));
  const auto by_sf = s.FindLinks(Side::kSalesforce, "Contact", sf_ids);
  CHECK(by_sf.size() == 200);
  CHECK(by_sf.at("0037").hubspot_id == "1007");
  CHECK(s.FindLinks(Side::kSalesforce, "Lead", sf_ids).empty());  // another object
  CHECK(s.FindLinks(Side::kHubSpot, "contacts", {}).empty());
  // Repeated ids (the ends of associations) are looked up once each.
  const auto repeated = s.FindLinks(Side::kHubSpot, "contacts", {"1001", "1002", "1001", "1001"});
  CHECK(repeated.size() == 2);
  CHECK(repeated.at("1001").salesforce_id == "0031");
}

TEST_CASE("state: base values per link, side and field") {
  SqliteStateStore s(":memory:");
  int64_t a = s.PutLink(MakeLink("1", "003A"));
  s.SetBase(a, Side::kHubSpot, {{"email", "\"a@x.io\""}, {"firstname", "\"Ann\""}}, 10);
  s.SetBase(a, Side::kSalesforce, {{"Email", "\"a@x.io\""}}, 10);
  s.SetBase(a, Side::kHubSpot, {{"firstname", "\"Anne\""}}, 20);
  auto hs = s.GetBase(a, Side::kHubSpot);
  CHECK(hs.size() == 2);
  CHECK(hs["firstname"] == "\"Anne\"");
  CHECK(s.GetBase(a, Side::kSalesforce).at("Email") == "\"a@x.io\"");
  s.ClearBase(a, Side::kHubSpot, {"email"});
  CHECK(s.GetBase(a, Side::kHubSpot).size() == 1);
  s.ClearBase(a, Side::kHubSpot, {});
  CHECK(s.GetBase(a, Side::kHubSpot).empty());
}

TEST_CASE("state: workflow trigger memory and enrolments (schema version 2)") {
  SqliteStateStore s(":memory:");
  CHECK(s.TriggerValues("wf", "segment:Hot").empty());
  s.SetTriggerValue("wf", "segment:Hot", "101", "1");
  s.SetTriggerValue("wf", "segment:Hot", "102", "1");
  s.SetTriggerValue("wf", "changes:lifecyclestage", "101", "lead");
  s.SetTriggerValue("other", "segment:Hot", "103", "1");
  CHECK(s.TriggerValues("wf", "segment:Hot") ==
        std::map<std::string, std::string>{{"101", "1"}, {"102", "1"}});
  s.SetTriggerValue("wf", "changes:lifecyclestage", "101", "customer");  // replaces
  CHECK(s.TriggerValue("wf", "changes:lifecyclestage", "101") == "customer");
  s.SetTriggerValue("wf", "segment:Hot", "102", std::nullopt);  // removes
  CHECK(s.TriggerValues("wf", "segment:Hot").size() == 1);
  CHECK(!s.TriggerValue("wf", "segment:Hot", "102"));

  Enrollment e;
  e.workflow = "wf";
  e.hubspot_id = "101";
  e.trigger = "segment:Hot";
  e.payload = R"({"Subject":"Hi"})";
  e.enrolled_ms = e.updated_ms = 1000;
  const int64_t a = s.AddEnrollment(e);
  e.hubspot_id = "102";
  const int64_t b = s.AddEnrollment(e);
  CHECK(b > a);
  auto open = s.OpenEnrollments("wf");
  REQUIRE(open.size() == 2);
  CHECK(open[0].id == a);  // oldest first
  CHECK(open[0].payload == R"({"Subject":"Hi"})");
  open[0].next_action = 1;
  open[0].state = EnrollmentState::kDone;
  open[0].message = "";
  s.UpdateEnrollment(open[0]);
  open = s.OpenEnrollments("wf");
  REQUIRE(open.size() == 1);
  CHECK(open[0].id == b);
  auto all = s.Enrollments("wf");
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == b);  // newest first
  CHECK(all[1].state == EnrollmentState::kDone);
  CHECK(all[1].next_action == 1);
  CHECK(s.OpenEnrollments("other").empty());
}

TEST_CASE("state: watermarks per side, object and kind") {
  SqliteStateStore s(":memory:");
  CHECK_FALSE(s.GetWatermark(Side::kHubSpot, "contacts"));
  s.SetWatermark(Side::kHubSpot, "contacts", "changes", "{\"ms\":5}", 1);
  s.SetWatermark(Side::kSalesforce, "Contact", "changes", "{\"ms\":6}", 1);
  s.SetWatermark(Side::kHubSpot, "contacts", "deletions", "{\"ms\":7}", 1);
  s.SetWatermark(Side::kHubSpot, "contacts", "changes", "{\"ms\":8}", 2);
  CHECK(*s.GetWatermark(Side::kHubSpot, "contacts") == "{\"ms\":8}");
  CHECK(*s.GetWatermark(Side::kSalesforce, "Contact") == "{\"ms\":6}");
  CHECK(*s.GetWatermark(Side::kHubSpot, "contacts", "deletions") == "{\"ms\":7}");
}

TEST_CASE("state: nested transactions commit once and roll back as a unit") {
  SqliteStateStore s(":memory:");
  {
    Transaction outer(s);
    s.PutLink(MakeLink("1", "003A"));
    {
      Transaction inner(s);
      s.PutLink(MakeLink("2", "003B"));
      // left without Commit: rolls back to its savepoint
    }
    outer.Commit();
  }
  CHECK(s.Links().size() == 1);
  {
    Transaction tx(s);
    s.PutLink(MakeLink("3", "003C"));
  }
  CHECK(s.Links().size() == 1);
  try {
    Transaction tx(s);
    s.PutLink(MakeLink("4", "003D"));
    s.PutLink(MakeLink("4", "003E"));  // duplicate HubSpot id
    tx.Commit();
  } catch (const StateError&) {
  }
  CHECK(s.Links().size() == 1);  // the whole batch was rolled back
}

TEST_CASE("state: sync errors scheduled every 30 minutes, one open error per record") {
  SqliteStateStore s(":memory:");
  SyncError e;
  e.side = Side::kSalesforce;
  e.object = "contacts";
  e.record_id = "101";
  e.category = "picklist";
  e.code = "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST";
  e.message = "bad value for restricted picklist field: Mars";
  const int64_t t0 = 1'700'000'000'000;
  SyncError r1 = s.RecordError(e, t0);
  CHECK(r1.attempts == 1);
  CHECK(r1.next_retry_ms == t0 + 30 * 60'000);
  CHECK(s.DueErrors(t0 + 29 * 60'000).empty());
  CHECK(s.DueErrors(t0 + 30 * 60'000).size() == 1);
  SyncError r2 = s.RecordError(e, t0 + 30 * 60'000);
  CHECK(r2.attempts == 2);
  CHECK(r2.first_ms == t0);
  CHECK(r2.next_retry_ms == t0 + 60 * 60'000);
  e.record_id = "102";
  e.category = "server";
  s.RecordError(e, t0, 60'000);
  CHECK(s.OpenErrors().size() == 2);
  CHECK(s.DueErrors(t0 + 60'000).front().record_id == "102");
  s.ResolveError(Side::kSalesforce, "contacts", "101", t0 + 1);
  CHECK(s.OpenErrors().size() == 1);
  // A new failure after resolution opens a new error with attempts starting again.
  e.record_id = "101";
  CHECK(s.RecordError(e, t0 + 2).attempts == 1);
}

TEST_CASE("state: run history") {
  SqliteStateStore s(":memory:");
  int64_t id = s.BeginRun(100);
  CHECK(s.Runs().front().status == "running");
  Run r;
  r.id = id;
  r.ended_ms = 200;
  r.status = "ok";
  r.counts = R"({"read":10,"created":3})";
  r.hubspot_calls = 4;
  r.salesforce_calls = 2;
  s.EndRun(r);
  auto runs = s.Runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].status == "ok");
  CHECK(runs[0].counts == r.counts);
  CHECK(runs[0].hubspot_calls == 4);
  CHECK(runs[0].ended_ms == 200);
}

TEST_CASE("state: journal intents are idempotent by key") {
  SqliteStateStore s(":memory:");
  Intent i;
  i.key = "create:contacts:003A:v1";
  i.side = Side::kHubSpot;
  i.object = "contacts";
  i.op = "create";
  i.payload = R"({"email":"a@x.io"})";
  i.lookup_field = "email";
  i.lookup_value = "a@x.io";
  i.run_id = 9;
  i.link_id = 4;
  i.bases = R"({"hubspot":{}})";
  // What BeginIntent returns for a new key is what the store holds.
  auto same = [](const Intent& a, const Intent& b) {
    CHECK(a.id == b.id);
    CHECK(a.key == b.key);
    CHECK(a.side == b.side);
    CHECK(a.object == b.object);
    CHECK(a.op == b.op);
    CHECK(a.record_id == b.record_id);
    CHECK(a.link_id == b.link_id);
    CHECK(a.payload == b.payload);
    CHECK(a.lookup_field == b.lookup_field);
    CHECK(a.lookup_value == b.lookup_value);
    CHECK(a.bases == b.bases);
    CHECK(a.state == b.state);
    CHECK(a.result_id == b.result_id);
    CHECK(a.message == b.message);
    CHECK(a.run_id == b.run_id);
    CHECK(a.created_ms == b.created_ms);
    CHECK(a.completed_ms == b.completed_ms);
  };
  Intent first = s.BeginIntent(i, 1);
  CHECK(first.state == IntentState::kPending);
  CHECK(first.id > 0);
  same(first, *s.GetIntent(i.key));
  Intent again = s.BeginIntent(i, 2);  // still pending: the same intent comes back
  CHECK(again.id == first.id);
  CHECK(s.PendingIntents().size() == 1);
  s.CompleteIntent(i.key, "101", 3);
  CHECK(s.PendingIntents().empty());
  Intent done = s.BeginIntent(i, 4);  // already done: not written again
  CHECK(done.state == IntentState::kDone);
  CHECK(done.result_id == "101");
  s.FailIntent(i.key, "validation", 5);
  const Intent retried = s.BeginIntent(i, 6);  // a failed one may be retried
  CHECK(retried.state == IntentState::kPending);
  CHECK(retried.created_ms == 6);
  CHECK(retried.message.empty());
  same(retried, *s.GetIntent(i.key));
  s.AbandonIntent(i.key, "x", 7);
  CHECK(s.PruneIntents(8) == 1);
  CHECK_FALSE(s.GetIntent(i.key));
}

// The journal protocol against a fake CRM, with a crash (store closed, process state lost) at
// each step of one create: before the intent, after the intent, after the API call, after the
// completion. After a restart and recovery, the CRM holds exactly one record and the store
// links it.
TEST_CASE("state: journal recovery after a crash at every step of a create") {
  for (int crash_at = 0; crash_at <= 3; ++crash_at) {
    CAPTURE(crash_at);
    TempDb db;
    std::map<std::string, std::string> crm;  // email -> id: the fake CRM's records
    int next_id = 100;
    auto api_create = [&](const std::string& email) {
      auto it = crm.find(email);
      if (it != crm.end()) return it->second;  // never happens when the protocol holds
      crm[email] = std::to_string(++next_id);
      return crm[email];
    };
    Intent intent;
    intent.key = "create:contacts:003A";
    intent.side = Side::kHubSpot;
    intent.object = "contacts";
    intent.op = "create";
    intent.payload = R"({"email":"a@x.io"})";
    intent.lookup_field = "email";
    intent.lookup_value = "a@x.io";
    // The engine's write step: intent, call, completion with the link in one transaction.
    auto sync_once = [&](StateStore& s, int stop_after) {
      if (s.FindLink(Side::kSalesforce, "Contact", "003A")) return;
      if (stop_after == 0) return;
      Intent got = s.BeginIntent(intent, 10);
      if (got.state == IntentState::kDone) return;
      if (stop_after == 1) return;
      std::string id = api_create("a@x.io");
      if (stop_after == 2) return;
      Transaction tx(s);
      Link l = MakeLink(id, "003A");
      s.PutLink(l);
      s.CompleteIntent(intent.key, id, 11);
      tx.Commit();
    };
    {
      SqliteStateStore s(db.path());
      sync_once(s, crash_at);
    }  // crash: the process ends here
    SqliteStateStore s(db.path());
    auto resolve = [&](const Intent& i) {
      IntentOutcome o;
      auto it = crm.find(i.lookup_value);
      o.kind = it == crm.end() ? IntentOutcome::kNotApplied : IntentOutcome::kApplied;
      if (it != crm.end()) o.result_id = it->second;
      return o;
    };
    auto on_applied = [&](const Intent&, const std::string& id) {
      s.PutLink(MakeLink(id, "003A"));
    };
    RecoveryReport report = RecoverJournal(s, resolve, on_applied, 20);
    CHECK(report.unknown == 0);
    CHECK(report.applied == (crash_at == 2 ? 1 : 0));
    CHECK(report.not_applied == (crash_at == 1 ? 1 : 0));
    sync_once(s, 99);  // the next pass runs to the end
    CHECK(crm.size() == 1);
    auto link = s.FindLink(Side::kSalesforce, "Contact", "003A");
    REQUIRE(link);
    CHECK(link->hubspot_id == crm["a@x.io"]);
    CHECK(s.PendingIntents().empty());
  }
}

TEST_CASE("state: unknown outcomes stay pending") {
  SqliteStateStore s(":memory:");
  Intent i;
  i.key = "k";
  i.op = "create";
  s.BeginIntent(i, 1);
  auto report = RecoverJournal(
      s, [](const Intent&) { return IntentOutcome{}; }, nullptr, 2);
  CHECK(report.unknown == 1);
  CHECK(s.PendingIntents().size() == 1);
}

// A batch call's intents in one row (the sync runner's writes): a settled call leaves nothing;
// a crash leaves the row, and recovery sees each item as a pending intent of its own, with every
// field, replacing an older finished intent with the same key.
TEST_CASE("state: a call's intents in one row come back one by one after a crash") {
  TempDb db;
  std::vector<Intent> items(2);
  items[0].key = "update|salesforce|Contact|003A|h1";
  items[0].record_id = "003A";
  items[0].link_id = 7;
  items[0].payload = R"({"Title":"CEO"})";
  items[0].bases = R"({"hubspot":{"jobtitle":"\"CEO\""}})";
  items[1].key = "update|salesforce|Contact|003B|h2";
  items[1].record_id = "003B";
  items[1].link_id = 8;
  items[1].payload = R"({"Title":"CTO\u0000x"})";  // an escaped NUL stays text
  for (Intent& i : items) {
    i.side = Side::kSalesforce;
    i.object = "Contact";
    i.op = "update";
    i.run_id = 3;
  }
  {
    SqliteStateStore s(db.path());
    CHECK(s.schema_version() == SqliteStateStore::kSchemaVersion);
    const int64_t settled = s.BeginCallIntents(items, 10);
    Transaction tx(s);
    s.EndCallIntents(settled);
    tx.Commit();
    CHECK(s.PendingIntents().empty());
    // The same write done before: its intent is finished.
    s.BeginIntent(items[1], 11);
    s.CompleteIntent(items[1].key, "003B", 12);
    s.BeginCallIntents(items, 20);
  }  // crash: the call was out
  SqliteStateStore s(db.path());
  std::vector<Intent> pending = s.PendingIntents();
  REQUIRE(pending.size() == 2);
  for (size_t k = 0; k < 2; ++k) {
    CAPTURE(k);
    CHECK(pending[k].key == items[k].key);
    CHECK(pending[k].side == Side::kSalesforce);
    CHECK(pending[k].object == "Contact");
    CHECK(pending[k].op == "update");
    CHECK(pending[k].record_id == items[k].record_id);
    CHECK(pending[k].link_id == items[k].link_id);
    CHECK(pending[k].payload == items[k].payload);
    CHECK(pending[k].bases == items[k].bases);
    CHECK(pending[k].run_id == 3);
    CHECK(pending[k].created_ms == 20);
    CHECK(pending[k].state == IntentState::kPending);
  }
  CHECK(s.PendingIntents().size() == 2);  // expanded once: asking again adds nothing
  auto report = RecoverJournal(
      s,
      [](const Intent& i) {
        IntentOutcome o;
        o.kind = i.record_id == "003A" ? IntentOutcome::kApplied : IntentOutcome::kNotApplied;
        o.result_id = i.record_id;
        return o;
      },
      nullptr, 30);
  CHECK(report.applied == 1);
  CHECK(report.not_applied == 1);
  CHECK(s.PendingIntents().empty());
  CHECK(s.GetIntent(items[0].key)->state == IntentState::kDone);
  CHECK(s.GetIntent(items[1].key)->state == IntentState::kAbandoned);
}
