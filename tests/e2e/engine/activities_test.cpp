// HubSpot activities -> Salesforce tasks ("timeline sync", R89-R95), end to end: engagements
// created through the HubSpot sandbox's API, the contacts sync and the activity runner, tasks
// read back from the Salesforce sandbox.
#include "engine_fixture.h"
#include "runtime/engine/activity_runner.h"

namespace syncline::test {
namespace {

using connectors::Record;

std::string ActivityRules(const std::string& types, const std::string& extra = "") {
  return ContactRules("", "") +
         "activities to salesforce.Task {\n"
         "  types " +
         types +
         "\n"
         "  Subject = \"${type}: ${title ?? type}\"\n"
         "  Description = body ?? \"\"\n"
         "  Status = \"Completed\"\n" +
         extra + "}\n";
}

// A HubSpot engagement of `object` (notes, calls, ...) associated with `contact`.
std::string Engagement(EngineFixture& f, const std::string& object, json props,
                       const std::string& contact) {
  f.Tick();
  if (!props.contains("hs_timestamp")) props["hs_timestamp"] = "2026-11-30T10:00:00.000Z";
  auto r = f.hs->Write(object, connectors::WriteKind::kCreate, {{"", "", "", props}});
  REQUIRE_MESSAGE(r[0].ok, r[0].error.message);
  if (!contact.empty()) {
    connectors::Association a;
    a.from_id = r[0].id;
    a.to_id = contact;
    auto w = f.hs->Associate(object, "contacts", {a});
    REQUIRE_MESSAGE(w[0].ok, w[0].error.message);
  }
  return r[0].id;
}

// Every task in the Salesforce sandbox.
std::vector<Record> Tasks(EngineFixture& f) {
  std::vector<Record> out;
  auto e = f.sf->ReadChanges("Task", "",
                             {"Subject", "Description", "Status", "IsClosed", "WhoId", "WhatId",
                              "AccountId", "CallObject"},
                             [&](connectors::ChangePage& page) {
                               for (auto& r : page.records) out.push_back(std::move(r));
                               return true;
                             });
  REQUIRE_MESSAGE(e.ok(), e.message);
  return out;
}

// A HubSpot contact synced by the first run: {hubspot id, Salesforce Lead id}.
std::pair<std::string, std::string> SyncedContact(EngineFixture& f, const std::string& email) {
  const std::string hs = f.CreateContact({{"email", email}, {"lastname", "Lee"}});
  f.RunAll();
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", hs);
  REQUIRE(link);
  REQUIRE(link->salesforce_object == "Lead");
  return {hs, link->salesforce_id};
}

TEST_CASE("R91_note_on_synced_contact_becomes_completed_task_with_WhoId") {
  for (auto kind : {pipeline::EngineKind::kJit, pipeline::EngineKind::kInterp}) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    f.Rules(ActivityRules("note, call"), kind);
    auto [contact, lead] = SyncedContact(f, "r91@example.com");
    const std::string note =
        Engagement(f, "notes", {{"hs_note_body", "Asked for a quote"}}, contact);
    const int64_t sf_writes = f.SalesforceWrites();
    const auto report = f.RunAll();
    const auto tasks = Tasks(f);
    REQUIRE(tasks.size() == 1);
    const json& t = tasks[0].fields;
    CHECK(Text(t["WhoId"]) == lead);
    CHECK(Text(t["Status"]) == "Completed");
    CHECK(t["IsClosed"] == true);
    CHECK(Text(t["Description"]) == "Asked for a quote");
    CHECK(Text(t["Subject"]) == "note: note");
    CHECK(t["WhatId"].is_null());  // a lead has no related-to record
    CHECK(Text(t["CallObject"]) == "hubspot:notes:" + note);
    CHECK(Count(report, "read.hubspot.activities") == 1);
    CHECK(Count(report, "created.salesforce.Task") == 1);
    CHECK(f.SalesforceWrites() - sf_writes == 1);  // one composite create
    auto link = f.store.FindLink(state::Side::kHubSpot, "notes", note);
    REQUIRE(link);
    CHECK(link->salesforce_id == tasks[0].id);
  }
}

TEST_CASE("R95_subject_from_rule_interpolation") {
  // The same tasks from the JIT and from the reference interpreter.
  std::vector<std::string> subjects[2];
  int i = 0;
  for (auto kind : {pipeline::EngineKind::kJit, pipeline::EngineKind::kInterp}) {
    EngineFixture f;
    f.Rules(ActivityRules("note, call, meeting"), kind);
    auto [contact, lead] = SyncedContact(f, "r95@example.com");
    Engagement(f, "calls", {{"hs_call_title", "Intro call"}, {"hs_call_body", "30 min"}}, contact);
    Engagement(f, "meetings", {{"hs_meeting_title", "Demo"}}, contact);
    Engagement(f, "notes", {{"hs_note_body", "hello"}}, contact);
    f.RunAll();
    for (const auto& t : Tasks(f)) {
      subjects[i].push_back(Text(t.fields["Subject"]));
      CHECK(Text(t.fields["WhoId"]) == lead);
    }
    std::sort(subjects[i].begin(), subjects[i].end());
    ++i;
  }
  CHECK(subjects[0] == std::vector<std::string>{"call: Intro call", "meeting: Demo", "note: note"});
  CHECK(subjects[0] == subjects[1]);
}

TEST_CASE("R92_only_enabled_types_sync") {
  EngineFixture f;
  f.Rules(ActivityRules("note"));
  auto [contact, lead] = SyncedContact(f, "r92@example.com");
  const std::string note = Engagement(f, "notes", {{"hs_note_body", "n"}}, contact);
  Engagement(f, "calls", {{"hs_call_title", "c"}}, contact);
  Engagement(f, "tasks", {{"hs_task_subject", "t"}}, contact);
  const auto report = f.RunAll();
  const auto tasks = Tasks(f);
  REQUIRE(tasks.size() == 1);
  CHECK(Text(tasks[0].fields["CallObject"]) == "hubspot:notes:" + note);
  CHECK(Count(report, "read.hubspot.activities") == 1);  // calls and tasks are not even read
  // R92: every activity of an enabled type, with no filter: a second note syncs too.
  Engagement(f, "notes", {{"hs_note_body", "n2"}}, contact);
  f.RunAll();
  CHECK(Tasks(f).size() == 2);
}

TEST_CASE("R89_no_backfill_of_activities_older_than_first_run") {
  EngineFixture f;
  f.Rules(ActivityRules("note"));
  const std::string contact = f.CreateContact({{"email", "r89@example.com"}, {"lastname", "L"}});
  const std::string old_note = Engagement(f, "notes", {{"hs_note_body", "old"}}, contact);
  const auto first = f.RunAll();  // the contact syncs now; the note is older than this first run
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", contact));
  CHECK(Tasks(f).empty());
  CHECK(Count(first, "read.hubspot.activities") == 0);
  f.RunAll();
  CHECK(Tasks(f).empty());  // nor on later runs
  const std::string new_note = Engagement(f, "notes", {{"hs_note_body", "new"}}, contact);
  f.RunAll();
  auto tasks = Tasks(f);
  REQUIRE(tasks.size() == 1);
  CHECK(Text(tasks[0].fields["CallObject"]) == "hubspot:notes:" + new_note);
  // R89: "created or updated after": an old note edited now syncs.
  f.Tick();
  auto w = f.hs->Write("notes", connectors::WriteKind::kUpdate,
                       {{old_note, "", "", {{"hs_note_body", "old, edited"}}}});
  REQUIRE(w[0].ok);
  f.RunAll();
  tasks = Tasks(f);
  CHECK(tasks.size() == 2);
}

TEST_CASE("R89_type_enabled_later_does_not_backfill") {
  EngineFixture f;
  f.Rules(ActivityRules("note"));
  auto [contact, lead] = SyncedContact(f, "r89later@example.com");
  Engagement(f, "calls", {{"hs_call_title", "before calls were enabled"}}, contact);
  f.RunAll();
  CHECK(Tasks(f).empty());
  f.Rules(ActivityRules("note, call"));  // the admin turns calls on
  f.RunAll();
  CHECK(Tasks(f).empty());
  Engagement(f, "calls", {{"hs_call_title", "after"}}, contact);
  f.RunAll();
  const auto tasks = Tasks(f);
  REQUIRE(tasks.size() == 1);
  CHECK(Text(tasks[0].fields["Subject"]) == "call: after");
}

TEST_CASE("rerun_creates_no_duplicate_task") {
  EngineFixture f;
  f.Rules(ActivityRules("note, call"));
  auto [contact, lead] = SyncedContact(f, "rerun@example.com");
  const std::string note = Engagement(f, "notes", {{"hs_note_body", "once"}}, contact);
  f.RunAll();
  REQUIRE(Tasks(f).size() == 1);
  const int64_t sf_writes = f.SalesforceWrites();
  // The note changes again (not a new activity) and the runs repeat.
  f.Tick();
  REQUIRE(f.hs->Write("notes", connectors::WriteKind::kUpdate,
                      {{note, "", "", {{"hs_note_body", "once, edited"}}}})[0]
              .ok);
  const auto second = f.RunAll();
  f.RunAll();
  CHECK(Tasks(f).size() == 1);
  CHECK(f.SalesforceWrites() == sf_writes);  // no Salesforce write at all
  CHECK(Count(second, "skipped.activities.linked") == 1);
}

TEST_CASE("crash_after_task_create_before_commit_creates_no_second_task") {
  // The syncs run first and resolve every pending intent (the activity runner then finds its
  // intent done), or the activity runner runs alone and resolves its own.
  for (bool syncs_first : {true, false}) {
    CAPTURE(syncs_first);
    EngineFixture f;
    f.Rules(ActivityRules("note"));
    auto [contact, lead] = SyncedContact(f, "crash@example.com");
    const std::string applied = Engagement(f, "notes", {{"hs_note_body", "applied"}}, contact);
    const std::string lost = Engagement(f, "notes", {{"hs_note_body", "not applied"}}, contact);
    // A run that died after recording its intents: one write reached Salesforce, one did not.
    for (const std::string& id : {applied, lost}) {
      state::Intent intent;
      intent.key = "activity|create|salesforce|Task|hubspot:notes:" + id;
      intent.side = state::Side::kSalesforce;
      intent.object = "Task";
      intent.op = "create";
      intent.payload = "{}";
      intent.lookup_field = "CallObject";
      intent.lookup_value = "hubspot:notes:" + id;
      f.store.BeginIntent(intent, f.clock->NowMs());
    }
    const std::string task = f.CreateSf("Task", {{"Subject", "note: note"},
                                                 {"Status", "Completed"},
                                                 {"WhoId", lead},
                                                 {"CallObject", "hubspot:notes:" + applied}});
    if (syncs_first) {
      f.RunAll();
    } else {
      engine::ActivityRunner runner(f.rules->activities().at(0), *f.hs, *f.sf, f.store, f.options);
      const auto report = runner.Run();
      CHECK(report.status == "ok");
      CHECK(Count(report, "recovered") == 1);
      CHECK(Count(report, "recovered.not_applied") == 1);
    }
    const auto tasks = Tasks(f);
    CHECK(tasks.size() == 2);  // the applied one kept, the lost one made now
    int for_applied = 0;
    for (const auto& t : tasks)
      if (Text(t.fields["CallObject"]) == "hubspot:notes:" + applied) ++for_applied;
    CHECK(for_applied == 1);
    auto link = f.store.FindLink(state::Side::kHubSpot, "notes", applied);
    REQUIRE(link);
    CHECK(link->salesforce_id == task);
    CHECK(f.store.PendingIntents().empty());
    f.RunAll();
    CHECK(Tasks(f).size() == 2);
  }
}

TEST_CASE("activity_of_unsynced_contact_is_skipped") {
  EngineFixture f;
  f.Rules(ActivityRules("note"));
  f.RunAll();  // the first run: activities start now
  // No email: the contacts sync skips it (R31), so no lead or contact to hang a task on.
  const std::string contact = f.CreateContact({{"lastname", "NoEmail"}});
  const std::string note = Engagement(f, "notes", {{"hs_note_body", "waiting"}}, contact);
  const std::string orphan = Engagement(f, "notes", {{"hs_note_body", "no contact"}}, "");
  auto report = f.RunAll();
  CHECK(Tasks(f).empty());
  CHECK(Count(report, "skipped.activities.unsynced") == 2);
  CHECK(Count(report, "waiting.activities") == 2);
  CHECK(report.errors.empty());
  // Once the contact syncs, the waiting note becomes a task on the next run.
  f.UpdateContact(contact, {{"email", "late@example.com"}});
  report = f.RunAll();
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", contact);
  REQUIRE(link);
  const auto tasks = Tasks(f);
  REQUIRE(tasks.size() == 1);
  CHECK(Text(tasks[0].fields["WhoId"]) == link->salesforce_id);
  CHECK(Text(tasks[0].fields["CallObject"]) == "hubspot:notes:" + note);
  CHECK(Count(report, "waiting.activities") == 1);  // the note without a contact
  CHECK_FALSE(f.store.FindLink(state::Side::kHubSpot, "notes", orphan));
}

TEST_CASE("task_on_contact_relates_to_linked_account") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Contact", "") +
          "activities to salesforce.Task {\n  types call\n  Subject = title ?? \"Call\"\n}\n");
  const std::string hs = f.CreateContact({{"email", "what@example.com"}, {"lastname", "W"}});
  f.RunAll();
  auto contact = f.store.FindLink(state::Side::kHubSpot, "contacts", hs);
  REQUIRE(contact);
  REQUIRE(contact->salesforce_object == "Contact");
  // A company linked to an account (as a companies sync would leave it).
  auto company =
      f.hs->Write("companies", connectors::WriteKind::kCreate, {{"", "", "", {{"name", "Acme"}}}});
  REQUIRE(company[0].ok);
  const std::string account = f.CreateSf("Account", {{"Name", "Acme"}});
  state::Link l;
  l.hubspot_object = "companies";
  l.hubspot_id = company[0].id;
  l.salesforce_object = "Account";
  l.salesforce_id = account;
  f.store.PutLink(l);
  const std::string call = Engagement(f, "calls", {{"hs_call_title", "Renewal"}}, hs);
  connectors::Association a;
  a.from_id = call;
  a.to_id = company[0].id;
  REQUIRE(f.hs->Associate("calls", "companies", {a})[0].ok);
  f.RunAll();
  const auto tasks = Tasks(f);
  REQUIRE(tasks.size() == 1);
  CHECK(Text(tasks[0].fields["Subject"]) == "Renewal");
  CHECK(Text(tasks[0].fields["WhoId"]) == contact->salesforce_id);
  CHECK(Text(tasks[0].fields["WhatId"]) == account);
}

TEST_CASE("tasks_are_created_in_composite_batches_of_200") {
  EngineFixture f;
  f.Rules(ActivityRules("note"));
  auto [contact, lead] = SyncedContact(f, "batch@example.com");
  f.Tick();
  std::vector<connectors::WriteItem> notes;
  for (int i = 0; i < 250; ++i)
    notes.push_back({"",
                     "",
                     "",
                     {{"hs_timestamp", "2026-11-30T10:00:00.000Z"},
                      {"hs_note_body", "note " + std::to_string(i)}}});
  auto created = f.hs->Write("notes", connectors::WriteKind::kCreate, notes);
  std::vector<connectors::Association> links;
  for (const auto& r : created) {
    REQUIRE(r.ok);
    links.push_back({r.id, contact, {}, {}, false});
  }
  for (const auto& r : f.hs->Associate("notes", "contacts", links)) REQUIRE(r.ok);
  const int64_t sf_writes = f.SalesforceWrites();
  const auto report = f.RunAll();
  CHECK(Tasks(f).size() == 250);
  CHECK(Count(report, "created.salesforce.Task") == 250);
  CHECK(f.SalesforceWrites() - sf_writes == 2);  // 200 + 50
}

TEST_CASE("plan_writes_no_task") {
  EngineFixture f;
  f.Rules(ActivityRules("note"));
  auto [contact, lead] = SyncedContact(f, "plan@example.com");
  Engagement(f, "notes", {{"hs_note_body", "planned"}}, contact);
  const int64_t sf_writes = f.SalesforceWrites();
  const auto plan = f.RunAll(true);
  CHECK(Count(plan, "created.salesforce.Task") == 1);
  bool planned = false;
  for (const auto& e : plan.plan) planned |= e.object == "Task" && e.action == "create";
  CHECK(planned);
  CHECK(Tasks(f).empty());
  CHECK(f.SalesforceWrites() == sf_writes);
  f.RunAll();
  CHECK(Tasks(f).size() == 1);
}

TEST_CASE("block_without_fields_creates_task_with_WhoId_only") {
  for (auto kind : {pipeline::EngineKind::kJit, pipeline::EngineKind::kInterp}) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    f.Rules(ContactRules("", "") + "activities to salesforce.Task {\n  types meeting\n}\n", kind);
    auto [contact, lead] = SyncedContact(f, "bare@example.com");
    Engagement(f, "meetings", {{"hs_meeting_title", "Kick-off"}}, contact);
    f.RunAll();
    const auto tasks = Tasks(f);
    REQUIRE(tasks.size() == 1);
    CHECK(Text(tasks[0].fields["WhoId"]) == lead);
    CHECK(tasks[0].fields["Subject"].is_null());
  }
}

TEST_CASE("rule_error_is_a_sync_error_and_writes_no_task") {
  EngineFixture f;
  f.Rules(ContactRules("", "") +
          "activities to salesforce.Task {\n  types call\n"
          "  Subject = if title is blank then error \"a call needs a title\" else title\n}\n");
  auto [contact, lead] = SyncedContact(f, "err@example.com");
  const std::string bad = Engagement(f, "calls", {{"hs_call_body", "no title"}}, contact);
  Engagement(f, "calls", {{"hs_call_title", "Titled"}}, contact);
  const auto report = f.RunAll();
  const auto tasks = Tasks(f);
  REQUIRE(tasks.size() == 1);  // the other call is not held up (R150)
  CHECK(Text(tasks[0].fields["Subject"]) == "Titled");
  CHECK(report.errors.at("rule") == 1);
  const auto open = f.store.OpenErrors();
  REQUIRE(open.size() == 1);
  CHECK(open[0].object == "calls");
  CHECK(open[0].record_id == bad);
  CHECK(open[0].message.find("a call needs a title") != std::string::npos);
}

}  // namespace
}  // namespace syncline::test
