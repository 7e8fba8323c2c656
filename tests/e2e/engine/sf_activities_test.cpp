// Salesforce activities -> HubSpot engagements (R89, R90, R93), end to end: tasks and events
// created through the Salesforce sandbox's API, the contacts sync and the activity runners (as
// `syncline run` orders them), engagements and their associations read back from the HubSpot
// sandbox.
#include "engine_fixture.h"
#include "runtime/engine/activity_runner.h"
#include "runtime/engine/salesforce_activity_runner.h"

namespace syncline::test {
namespace {

using connectors::Record;

constexpr pipeline::EngineKind kEngines[] = {pipeline::EngineKind::kJit,
                                             pipeline::EngineKind::kInterp};

std::string FromRules(const std::string& types, const std::string& extra = "") {
  return ContactRules("", "") + "activities from salesforce.Task {\n  types " + types + "\n" +
         extra + "}\n";
}

// Every engagement of `object` in the HubSpot sandbox.
std::vector<Record> Engagements(EngineFixture& f, const std::string& object,
                                const std::vector<std::string>& fields) {
  std::vector<std::string> props = fields;
  props.push_back("hs_unique_creation_key");
  props.push_back("hubspot_owner_id");
  std::vector<Record> out;
  auto e = f.hs->ReadChanges(object, "", props, [&](connectors::ChangePage& page) {
    for (auto& r : page.records) out.push_back(std::move(r));
    return true;
  });
  REQUIRE_MESSAGE(e.ok(), e.message);
  return out;
}
const std::vector<std::string> kTaskProps = {"hs_task_subject", "hs_task_body",     "hs_timestamp",
                                             "hs_task_status",  "hs_task_priority", "hs_task_type"};

// The ids of `to` records an engagement is associated with.
std::vector<std::string> Associated(EngineFixture& f, const std::string& object,
                                    const std::string& id, const std::string& to) {
  std::vector<connectors::Association> out;
  REQUIRE(f.hs->ReadAssociations(object, to, {id}, &out).ok());
  std::vector<std::string> ids;
  for (const auto& a : out) ids.push_back(a.to_id);
  return ids;
}

// Association writes (v4 batch create) the HubSpot sandbox has seen.
int64_t AssociationWrites(EngineFixture& f) {
  int64_t n = 0;
  for (const auto& [k, v] : f.hubspot_sb->CallCounts())
    if (k.rfind("POST /crm/v4/associations/", 0) == 0 && k.find("/batch/read") == std::string::npos)
      n += v;
  return n;
}

// A HubSpot contact synced by a run: {hubspot id, Salesforce Lead id}.
std::pair<std::string, std::string> SyncedContact(EngineFixture& f, const std::string& email) {
  const std::string hs = f.CreateContact({{"email", email}, {"lastname", "Lee"}});
  f.RunAll();
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", hs);
  REQUIRE(link);
  REQUIRE(link->salesforce_object == "Lead");
  return {hs, link->salesforce_id};
}

std::string SfTask(EngineFixture& f, const std::string& who, json fields) {
  if (!who.empty()) fields["WhoId"] = who;
  return f.CreateSf("Task", fields);
}

TEST_CASE("R89_R90_new_salesforce_task_on_synced_lead_becomes_hubspot_task_on_contact") {
  for (auto kind : kEngines) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    f.Rules(FromRules("tasks, calls, emails"), kind);
    auto [contact, lead] = SyncedContact(f, "r90@example.com");
    const std::string task = SfTask(f, lead,
                                    {{"Subject", "Send the quote"},
                                     {"Description", "Pricing for 20 seats"},
                                     {"ActivityDate", "2026-12-01"},
                                     {"Status", "Completed"},
                                     {"Priority", "High"}});
    const int64_t hs_writes = f.HubSpotWrites(), assoc_calls = AssociationWrites(f);
    const auto report = f.RunAll();
    const auto tasks = Engagements(f, "tasks", kTaskProps);
    REQUIRE(tasks.size() == 1);
    const json& t = tasks[0].fields;
    CHECK(Text(t["hs_task_subject"]) == "Send the quote");
    CHECK(Text(t["hs_task_body"]) == "Pricing for 20 seats");             // R90 "Comments"
    CHECK(Text(t["hs_timestamp"]).rfind("2026-12-01T00:00:00", 0) == 0);  // R90 "Due Date"
    CHECK(Text(t["hs_task_status"]) == "COMPLETED");
    CHECK(Text(t["hs_task_priority"]) == "HIGH");
    CHECK(Text(t["hs_task_type"]) == "TODO");
    CHECK(Text(t["hs_unique_creation_key"]) == "salesforce:Task:" + task);
    CHECK(Associated(f, "tasks", tasks[0].id, "contacts") == std::vector<std::string>{contact});
    CHECK(Count(report, "read.salesforce.activities") == 1);
    CHECK(Count(report, "created.hubspot.tasks") == 1);
    CHECK(f.HubSpotWrites() - hs_writes == 1);       // one create
    CHECK(AssociationWrites(f) - assoc_calls == 1);  // one association batch
    auto link = f.store.FindLink(state::Side::kSalesforce, "Task", task);
    REQUIRE(link);
    CHECK(link->hubspot_object == "tasks");
    CHECK(link->hubspot_id == tasks[0].id);
    CHECK(Engagements(f, "calls", {}).empty());
  }
}

TEST_CASE("R89_call_email_and_event_become_call_email_and_meeting_engagements") {
  for (auto kind : kEngines) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    f.Rules(FromRules("tasks, calls, emails, meetings"), kind);
    auto [contact, lead] = SyncedContact(f, "subtypes@example.com");
    SfTask(f, lead,
           {{"Subject", "Intro call"},
            {"Description", "30 minutes"},
            {"TaskSubtype", "Call"},
            {"Status", "Completed"},
            {"CallType", "Outbound"},
            {"CallDurationInSeconds", 90}});
    SfTask(f, lead,
           {{"Subject", "Re: pricing"},
            {"Description", "See attached"},
            {"TaskSubtype", "Email"},
            {"Status", "Completed"}});
    f.CreateSf("Event", {{"Subject", "Demo"},
                         {"WhoId", lead},
                         {"Location", "Zoom"},
                         {"StartDateTime", "2026-12-02T15:00:00.000+0000"},
                         {"EndDateTime", "2026-12-02T16:00:00.000+0000"}});
    const auto report = f.RunAll();
    CHECK(Engagements(f, "tasks", kTaskProps).empty());
    const auto calls = Engagements(f, "calls",
                                   {"hs_call_title", "hs_call_body", "hs_call_status",
                                    "hs_call_direction", "hs_call_duration"});
    REQUIRE(calls.size() == 1);
    CHECK(Text(calls[0].fields["hs_call_title"]) == "Intro call");
    CHECK(Text(calls[0].fields["hs_call_body"]) == "30 minutes");
    CHECK(Text(calls[0].fields["hs_call_status"]) == "COMPLETED");
    CHECK(Text(calls[0].fields["hs_call_direction"]) == "OUTBOUND");
    CHECK(Text(calls[0].fields["hs_call_duration"]) == "90000");
    CHECK(Associated(f, "calls", calls[0].id, "contacts") == std::vector<std::string>{contact});
    const auto emails =
        Engagements(f, "emails",
                    {"hs_email_subject", "hs_email_text", "hs_email_direction", "hs_email_status"});
    REQUIRE(emails.size() == 1);
    CHECK(Text(emails[0].fields["hs_email_subject"]) == "Re: pricing");
    CHECK(Text(emails[0].fields["hs_email_text"]) == "See attached");
    CHECK(Text(emails[0].fields["hs_email_direction"]) == "EMAIL");
    CHECK(Associated(f, "emails", emails[0].id, "contacts") == std::vector<std::string>{contact});
    const auto meetings =
        Engagements(f, "meetings",
                    {"hs_meeting_title", "hs_meeting_start_time", "hs_meeting_end_time",
                     "hs_meeting_location", "hs_timestamp"});
    REQUIRE(meetings.size() == 1);
    CHECK(Text(meetings[0].fields["hs_meeting_title"]) == "Demo");
    CHECK(Text(meetings[0].fields["hs_meeting_location"]) == "Zoom");
    CHECK(Text(meetings[0].fields["hs_meeting_start_time"]).rfind("2026-12-02T15:00:00", 0) == 0);
    CHECK(Text(meetings[0].fields["hs_meeting_end_time"]).rfind("2026-12-02T16:00:00", 0) == 0);
    CHECK(Text(meetings[0].fields["hs_timestamp"]).rfind("2026-12-02T15:00:00", 0) == 0);
    CHECK(Text(meetings[0].fields["hs_unique_creation_key"]).rfind("salesforce:Event:", 0) == 0);
    CHECK(Associated(f, "meetings", meetings[0].id, "contacts") ==
          std::vector<std::string>{contact});
    CHECK(Count(report, "created.hubspot.calls") == 1);
    CHECK(Count(report, "created.hubspot.emails") == 1);
    CHECK(Count(report, "created.hubspot.meetings") == 1);
  }
}

TEST_CASE("R89_only_listed_types_sync") {
  EngineFixture f;
  f.Rules(FromRules("calls"));
  auto [contact, lead] = SyncedContact(f, "toggles@example.com");
  SfTask(f, lead, {{"Subject", "a task"}});
  SfTask(f, lead, {{"Subject", "an email"}, {"TaskSubtype", "Email"}});
  SfTask(f, lead, {{"Subject", "a call"}, {"TaskSubtype", "Call"}});
  f.CreateSf("Event", {{"Subject", "a meeting"},
                       {"WhoId", lead},
                       {"StartDateTime", "2026-12-02T15:00:00.000+0000"},
                       {"EndDateTime", "2026-12-02T16:00:00.000+0000"}});
  const auto report = f.RunAll();
  CHECK(Engagements(f, "calls", {"hs_call_title"}).size() == 1);
  CHECK(Engagements(f, "tasks", {}).empty());
  CHECK(Engagements(f, "emails", {}).empty());
  CHECK(Engagements(f, "meetings", {}).empty());
  CHECK(Count(report, "skipped.salesforce_activities.type") == 2);  // events are not even read
}

TEST_CASE("R89_no_backfill_of_salesforce_activities_older_than_first_run") {
  EngineFixture f;
  f.Rules(FromRules("tasks"));
  const std::string contact = f.CreateContact({{"email", "r89@example.com"}, {"lastname", "L"}});
  f.Sync();  // the contact syncs before the activities block exists
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", contact);
  REQUIRE(link);
  const std::string old_task = SfTask(f, link->salesforce_id, {{"Subject", "old"}});
  const auto first = f.RunAll();  // the block's first run: the task is older
  CHECK(Engagements(f, "tasks", {}).empty());
  CHECK(Count(first, "read.salesforce.activities") == 0);
  f.RunAll();
  CHECK(Engagements(f, "tasks", {}).empty());  // nor on later runs
  const std::string new_task = SfTask(f, link->salesforce_id, {{"Subject", "new"}});
  f.RunAll();
  auto tasks = Engagements(f, "tasks", {"hs_task_subject"});
  REQUIRE(tasks.size() == 1);
  CHECK(Text(tasks[0].fields["hs_unique_creation_key"]) == "salesforce:Task:" + new_task);
  // R89: "created or updated after": the old task edited now syncs.
  f.UpdateSf("Task", old_task, {{"Subject", "old, edited"}});
  f.RunAll();
  CHECK(Engagements(f, "tasks", {}).size() == 2);
}

TEST_CASE("R89_rerun_creates_nothing_twice_and_an_update_updates_the_engagement") {
  EngineFixture f;
  f.Rules(FromRules("tasks"));
  auto [contact, lead] = SyncedContact(f, "rerun@example.com");
  const std::string task =
      SfTask(f, lead, {{"Subject", "Follow up"}, {"Status", "Not Started"}, {"Priority", "Low"}});
  f.RunAll();
  auto tasks = Engagements(f, "tasks", kTaskProps);
  REQUIRE(tasks.size() == 1);
  const std::string engagement = tasks[0].id;
  CHECK(Text(tasks[0].fields["hs_task_status"]) == "NOT_STARTED");
  // Runs with nothing new write nothing.
  int64_t hs_writes = f.HubSpotWrites();
  f.RunAll();
  f.RunAll();
  CHECK(f.HubSpotWrites() == hs_writes);
  // A HubSpot user edits the body; the task is closed in Salesforce. The status and subject
  // follow; the body, unchanged in Salesforce, keeps the HubSpot edit.
  f.Tick();
  REQUIRE(f.hs->Write("tasks", connectors::WriteKind::kUpdate,
                      {{engagement, "", "", {{"hs_task_body", "edited in HubSpot"}}}})[0]
              .ok);
  f.UpdateSf("Task", task, {{"Status", "Completed"}, {"Subject", "Followed up"}});
  hs_writes = f.HubSpotWrites();
  const auto report = f.RunAll();
  CHECK(f.HubSpotWrites() - hs_writes == 1);  // one update, no create
  CHECK(Count(report, "updated.hubspot.tasks") == 1);
  tasks = Engagements(f, "tasks", kTaskProps);
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0].id == engagement);
  CHECK(Text(tasks[0].fields["hs_task_status"]) == "COMPLETED");
  CHECK(Text(tasks[0].fields["hs_task_subject"]) == "Followed up");
  CHECK(Text(tasks[0].fields["hs_task_body"]) == "edited in HubSpot");
  // A touch that changes nothing the engagement shows writes nothing.
  f.UpdateSf("Task", task, {{"CallDisposition", "left a message"}});
  hs_writes = f.HubSpotWrites();
  const auto again = f.RunAll();
  CHECK(f.HubSpotWrites() == hs_writes);
  CHECK(Count(again, "skipped.salesforce_activities.unchanged") == 1);
}

TEST_CASE("R90_related_to_linked_account_and_opportunity_associate_company_and_deal") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Contact", "") +
          "activities from salesforce.Task {\n  types tasks\n}\n");
  const std::string hs = f.CreateContact({{"email", "what@example.com"}, {"lastname", "W"}});
  f.RunAll();
  auto contact = f.store.FindLink(state::Side::kHubSpot, "contacts", hs);
  REQUIRE(contact);
  REQUIRE(contact->salesforce_object == "Contact");
  // A company linked to an account and a deal to an opportunity (as their syncs leave them).
  auto link = [&](const std::string& hs_object, const std::string& hs_id,
                  const std::string& sf_object, const std::string& sf_id) {
    state::Link l;
    l.hubspot_object = hs_object;
    l.hubspot_id = hs_id;
    l.salesforce_object = sf_object;
    l.salesforce_id = sf_id;
    f.store.PutLink(l);
  };
  auto company =
      f.hs->Write("companies", connectors::WriteKind::kCreate, {{"", "", "", {{"name", "Acme"}}}});
  REQUIRE(company[0].ok);
  const std::string account = f.CreateSf("Account", {{"Name", "Acme"}});
  link("companies", company[0].id, "Account", account);
  auto deal =
      f.hs->Write("deals", connectors::WriteKind::kCreate,
                  {{"", "", "", {{"dealname", "Renewal"}, {"dealstage", "appointmentscheduled"}}}});
  REQUIRE_MESSAGE(deal[0].ok, deal[0].error.message);
  const std::string opp = f.CreateSf("Opportunity", {{"Name", "Renewal"},
                                                     {"StageName", "Prospecting"},
                                                     {"CloseDate", "2026-12-31"},
                                                     {"AccountId", account}});
  link("deals", deal[0].id, "Opportunity", opp);
  SfTask(f, contact->salesforce_id, {{"Subject", "on the account"}, {"WhatId", account}});
  SfTask(f, contact->salesforce_id, {{"Subject", "on the deal"}, {"WhatId", opp}});
  f.RunAll();
  const auto tasks = Engagements(f, "tasks", {"hs_task_subject"});
  REQUIRE(tasks.size() == 2);
  for (const auto& t : tasks) {
    CAPTURE(Text(t.fields["hs_task_subject"]));
    CHECK(Associated(f, "tasks", t.id, "contacts") == std::vector<std::string>{hs});
    const bool on_deal = Text(t.fields["hs_task_subject"]) == "on the deal";
    CHECK(Associated(f, "tasks", t.id, "companies") ==
          (on_deal ? std::vector<std::string>{} : std::vector<std::string>{company[0].id}));
    CHECK(Associated(f, "tasks", t.id, "deals") ==
          (on_deal ? std::vector<std::string>{deal[0].id} : std::vector<std::string>{}));
  }
}

TEST_CASE("R93_owner_does_not_sync") {
  EngineFixture f;
  f.Rules(FromRules("tasks"));
  auto [contact, lead] = SyncedContact(f, "r93@example.com");
  const std::string task = SfTask(f, lead, {{"Subject", "owned"}});
  REQUIRE_FALSE(Text(f.Sf("Task", task, {"OwnerId"})["OwnerId"]).empty());  // the API user
  f.RunAll();
  const auto tasks = Engagements(f, "tasks", {});
  REQUIRE(tasks.size() == 1);
  CHECK(Text(tasks[0].fields["hubspot_owner_id"]).empty());
}

TEST_CASE("R89_crash_between_create_and_commit_creates_no_second_engagement") {
  // The syncs run first and resolve every pending intent (the runner then finds its intent
  // done and links it), or the activity runner runs alone and resolves its own.
  for (bool syncs_first : {true, false}) {
    CAPTURE(syncs_first);
    EngineFixture f;
    f.Rules(FromRules("tasks"));
    auto [contact, lead] = SyncedContact(f, "crash@example.com");
    const std::string applied = SfTask(f, lead, {{"Subject", "applied"}});
    const std::string lost = SfTask(f, lead, {{"Subject", "not applied"}});
    // A run that died after recording its intents: one create reached HubSpot (not yet
    // associated), one did not.
    for (const std::string& id : {applied, lost}) {
      state::Intent intent;
      intent.key = "activity|create|hubspot|tasks|salesforce:Task:" + id;
      intent.side = state::Side::kHubSpot;
      intent.object = "tasks";
      intent.op = "create";
      intent.payload = json{{"properties", {{"hs_task_subject", "applied"}}},
                            {"associations", json::array({json::array({"contacts", contact})})}}
                           .dump();
      intent.lookup_field = "hs_unique_creation_key";
      intent.lookup_value = "salesforce:Task:" + id;
      f.store.BeginIntent(intent, f.clock->NowMs());
    }
    f.Tick();
    auto made = f.hs->Write("tasks", connectors::WriteKind::kCreate,
                            {{"",
                              "",
                              "",
                              {{"hs_timestamp", "2026-11-30T10:00:00.000Z"},
                               {"hs_task_subject", "applied"},
                               {"hs_unique_creation_key", "salesforce:Task:" + applied}}}});
    REQUIRE(made[0].ok);
    if (syncs_first) {
      f.RunAll();
    } else {
      engine::SalesforceActivityRunner runner(f.rules->activities().at(0), *f.hs, *f.sf, f.store,
                                              f.options);
      const auto report = runner.Run();
      CHECK(report.status == "ok");
      CHECK(Count(report, "recovered") == 1);
      CHECK(Count(report, "recovered.not_applied") == 1);
    }
    auto tasks = Engagements(f, "tasks", {"hs_task_subject"});
    CHECK(tasks.size() == 2);  // the applied one kept, the lost one made now
    int for_applied = 0;
    for (const auto& t : tasks)
      if (Text(t.fields["hs_unique_creation_key"]) == "salesforce:Task:" + applied) ++for_applied;
    CHECK(for_applied == 1);
    auto link = f.store.FindLink(state::Side::kSalesforce, "Task", applied);
    REQUIRE(link);
    CHECK(link->hubspot_id == made[0].id);
    CHECK(Associated(f, "tasks", made[0].id, "contacts") == std::vector<std::string>{contact});
    CHECK(f.store.PendingIntents().empty());
    const int64_t hs_writes = f.HubSpotWrites();
    f.RunAll();
    CHECK(Engagements(f, "tasks", {}).size() == 2);
    CHECK(f.HubSpotWrites() == hs_writes);
  }
}

TEST_CASE("R91_R89_activities_made_by_syncline_are_not_echoed_back") {
  for (auto kind : kEngines) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    // Both directions at once, on the same object types.
    f.Rules(ContactRules("", "") +
                "activities to salesforce.Task {\n  types note, task, call\n"
                "  Subject = \"${type}: ${title ?? type}\"\n}\n"
                "activities from salesforce.Task {\n  types tasks, calls\n}\n",
            kind);
    auto [contact, lead] = SyncedContact(f, "echo@example.com");
    // HubSpot -> Salesforce: a note and a task become Salesforce tasks.
    f.Tick();
    for (const auto& [object, props] :
         std::vector<std::pair<std::string, json>>{{"notes", {{"hs_note_body", "from HubSpot"}}},
                                                   {"tasks", {{"hs_task_subject", "hs task"}}}}) {
      json p = props;
      p["hs_timestamp"] = "2026-11-30T10:00:00.000Z";
      auto r = f.hs->Write(object, connectors::WriteKind::kCreate, {{"", "", "", p}});
      REQUIRE(r[0].ok);
      connectors::Association a;
      a.from_id = r[0].id;
      a.to_id = contact;
      REQUIRE(f.hs->Associate(object, "contacts", {a})[0].ok);
    }
    // Salesforce -> HubSpot: a call.
    SfTask(f, lead, {{"Subject", "sf call"}, {"TaskSubtype", "Call"}});
    for (int run = 0; run < 3; ++run) {
      CAPTURE(run);
      const auto report = f.RunAll();
      CHECK(report.errors.empty());
      // Nothing written back to the engagements the Salesforce tasks were made from.
      CHECK(Count(report, "updated.hubspot.tasks") == 0);
      CHECK(Count(report, "created.hubspot.tasks") == 0);
      if (run == 0) {
        CHECK(Count(report, "created.salesforce.Task") == 2);
        CHECK(Count(report, "created.hubspot.calls") == 1);
        CHECK(Count(report, "skipped.salesforce_activities.from_hubspot") == 2);
      } else {
        CHECK(Count(report, "created.salesforce.Task") == 0);
        CHECK(Count(report, "created.hubspot.calls") == 0);
      }
    }
    std::vector<Record> sf_tasks;
    REQUIRE(f.sf->ReadChanges("Task", "", {"Subject", "CallObject"},
                              [&](connectors::ChangePage& page) {
                                for (auto& r : page.records) sf_tasks.push_back(std::move(r));
                                return true;
                              })
                .ok());
    CHECK(sf_tasks.size() == 3);  // the note's, the HubSpot task's, the Salesforce call
    const auto hs_tasks = Engagements(f, "tasks", {"hs_task_subject"});
    REQUIRE(hs_tasks.size() == 1);  // only the HubSpot one, unchanged
    CHECK(Text(hs_tasks[0].fields["hs_task_subject"]) == "hs task");
    CHECK(Engagements(f, "calls", {}).size() == 1);  // only the one from Salesforce
    CHECK(Engagements(f, "notes", {}).size() == 1);
  }
}

TEST_CASE("R89_R91_marker_or_link_of_the_other_direction_stops_the_echo") {
  // Crash windows: an activity made by the other direction whose link was not committed.
  EngineFixture f;
  f.Rules(ContactRules("", "") +
          "activities to salesforce.Task {\n  types task\n}\n"
          "activities from salesforce.Task {\n  types tasks\n}\n");
  auto [contact, lead] = SyncedContact(f, "window@example.com");
  SfTask(f, lead, {{"Subject", "made from HubSpot"}, {"CallObject", "hubspot:tasks:999"}});
  f.Tick();
  auto r = f.hs->Write("tasks", connectors::WriteKind::kCreate,
                       {{"",
                         "",
                         "",
                         {{"hs_timestamp", "2026-11-30T10:00:00.000Z"},
                          {"hs_task_subject", "made from Salesforce"},
                          {"hs_unique_creation_key", "salesforce:Task:00T000000000999"}}}});
  REQUIRE(r[0].ok);
  connectors::Association a;
  a.from_id = r[0].id;
  a.to_id = contact;
  REQUIRE(f.hs->Associate("tasks", "contacts", {a})[0].ok);
  // And a task linked to an engagement by the other direction whose marker a user cleared.
  f.Tick();
  auto from_hs = f.hs->Write(
      "tasks", connectors::WriteKind::kCreate,
      {{"",
        "",
        "",
        {{"hs_timestamp", "2026-11-30T10:00:00.000Z"}, {"hs_task_subject", "HubSpot's own"}}}});
  REQUIRE(from_hs[0].ok);
  const std::string cleared = SfTask(f, lead, {{"Subject", "marker cleared"}});
  state::Link l;
  l.hubspot_object = "tasks";
  l.hubspot_id = from_hs[0].id;
  l.salesforce_object = "Task";
  l.salesforce_id = cleared;
  f.store.PutLink(l);
  const int64_t hs_writes = f.HubSpotWrites();
  const auto report = f.RunAll();
  CHECK(f.HubSpotWrites() == hs_writes);
  CHECK(Engagements(f, "tasks", {}).size() == 2);
  CHECK(Count(report, "skipped.salesforce_activities.from_hubspot") == 2);
  CHECK(Count(report, "skipped.activities.from_salesforce") == 1);
  CHECK(Count(report, "created.salesforce.Task") == 0);
}

TEST_CASE("R89_task_of_unsynced_lead_waits_then_syncs") {
  EngineFixture f;
  f.Rules(FromRules("tasks"));
  f.RunAll();  // the first run: activities start now
  // No email: the contacts sync skips the lead (R31), so there is no HubSpot contact yet.
  const std::string lead = f.CreateSf("Lead", {{"LastName", "Late"}, {"Company", "Acme"}});
  const std::string task = SfTask(f, lead, {{"Subject", "waiting"}});
  const std::string orphan = SfTask(f, "", {{"Subject", "no contact at all"}});
  auto report = f.RunAll();
  CHECK(Engagements(f, "tasks", {}).empty());
  CHECK(Count(report, "skipped.salesforce_activities.unsynced") == 2);
  CHECK(Count(report, "waiting.salesforce_activities") == 2);
  CHECK(report.errors.empty());
  report = f.RunAll();  // still waiting, retried
  CHECK(Count(report, "retried.salesforce_activities") == 2);
  CHECK(Engagements(f, "tasks", {}).empty());
  // The lead gets an email and syncs; its waiting task follows in the same run.
  f.UpdateSf("Lead", lead, {{"Email", "late@example.com"}});
  report = f.RunAll();
  auto contact = f.store.FindLink(state::Side::kSalesforce, "Lead", lead);
  REQUIRE(contact);
  const auto tasks = Engagements(f, "tasks", {"hs_task_subject"});
  REQUIRE(tasks.size() == 1);
  CHECK(Text(tasks[0].fields["hs_unique_creation_key"]) == "salesforce:Task:" + task);
  CHECK(Associated(f, "tasks", tasks[0].id, "contacts") ==
        std::vector<std::string>{contact->hubspot_id});
  CHECK(Count(report, "waiting.salesforce_activities") == 1);  // the task without a contact
  CHECK_FALSE(f.store.FindLink(state::Side::kSalesforce, "Task", orphan));
}

TEST_CASE("engagements_are_created_in_batches_of_100") {
  EngineFixture f;
  f.Rules(FromRules("tasks"));
  auto [contact, lead] = SyncedContact(f, "batch@example.com");
  f.Tick();
  std::vector<connectors::WriteItem> tasks;
  for (int i = 0; i < 130; ++i)
    tasks.push_back({"", "", "", {{"Subject", "task " + std::to_string(i)}, {"WhoId", lead}}});
  for (const auto& r : f.sf->Write("Task", connectors::WriteKind::kCreate, tasks))
    REQUIRE_MESSAGE(r.ok, r.error.message);
  const int64_t hs_writes = f.HubSpotWrites(), assoc_calls = AssociationWrites(f);
  const auto report = f.RunAll();
  CHECK(Engagements(f, "tasks", {}).size() == 130);
  CHECK(Count(report, "created.hubspot.tasks") == 130);
  CHECK(f.HubSpotWrites() - hs_writes == 2);       // 100 + 30
  CHECK(AssociationWrites(f) - assoc_calls == 2);  // one per create batch
}

TEST_CASE("R89_plan_writes_nothing_and_lists_the_engagements") {
  EngineFixture f;
  f.Rules(FromRules("tasks"));
  auto [contact, lead] = SyncedContact(f, "plan@example.com");
  SfTask(f, lead, {{"Subject", "planned"}});
  const int64_t hs_writes = f.HubSpotWrites();
  const auto plan = f.RunAll(true);
  CHECK(Count(plan, "created.hubspot.tasks") == 1);
  bool planned = false;
  for (const auto& e : plan.plan)
    planned |= e.side == "hubspot" && e.object == "tasks" && e.action == "create";
  CHECK(planned);
  CHECK(Engagements(f, "tasks", {}).empty());
  CHECK(f.HubSpotWrites() == hs_writes);
  CHECK(f.store.PendingIntents().empty());
  f.RunAll();
  CHECK(Engagements(f, "tasks", {}).size() == 1);
}

TEST_CASE("R90_assignments_override_defaults_on_the_objects_that_have_the_property") {
  std::vector<std::string> seen[2];
  int i = 0;
  for (auto kind : kEngines) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    f.Rules(
        FromRules("tasks, calls",
                  "  hs_task_priority = if status == \"Completed\" then \"LOW\" else \"HIGH\"\n"
                  "  hs_call_title = \"Call: ${subject ?? type}\"\n"
                  "  hs_task_body = if due is blank then \"no due date\" else \"due ${due}\"\n"),
        kind);
    auto [contact, lead] = SyncedContact(f, "assign@example.com");
    SfTask(f, lead, {{"Subject", "open task"}, {"Priority", "Low"}});
    SfTask(f, lead,
           {{"Subject", "dated task"}, {"Status", "Completed"}, {"ActivityDate", "2026-12-04"}});
    SfTask(f, lead,
           {{"Subject", "Ring Ann"}, {"TaskSubtype", "Call"}, {"ActivityDate", "2026-12-03"}});
    f.RunAll();
    auto tasks = Engagements(f, "tasks", kTaskProps);
    REQUIRE(tasks.size() == 2);
    std::sort(tasks.begin(), tasks.end(), [](const Record& a, const Record& b) {
      return Text(a.fields["hs_task_subject"]) > Text(b.fields["hs_task_subject"]);
    });
    CHECK(Text(tasks[0].fields["hs_task_priority"]) == "HIGH");  // the rule, not Low
    CHECK(Text(tasks[0].fields["hs_task_subject"]) == "open task");
    CHECK(Text(tasks[0].fields["hs_task_body"]) == "no due date");
    CHECK(Text(tasks[1].fields["hs_task_priority"]) == "LOW");
    CHECK(Text(tasks[1].fields["hs_task_body"]) == "due 2026-12-04");
    const auto calls = Engagements(f, "calls", {"hs_call_title", "hs_timestamp"});
    REQUIRE(calls.size() == 1);
    CHECK(Text(calls[0].fields["hs_call_title"]) == "Call: Ring Ann");
    CHECK(Text(calls[0].fields["hs_timestamp"]).rfind("2026-12-03", 0) == 0);
    seen[i++] = {Text(tasks[0].fields["hs_task_priority"]), Text(tasks[1].fields["hs_task_body"]),
                 Text(calls[0].fields["hs_call_title"])};
  }
  CHECK(seen[0] == seen[1]);
}

TEST_CASE("R89_rule_error_is_a_sync_error_and_creates_nothing") {
  EngineFixture f;
  f.Rules(FromRules("tasks",
                    "  hs_task_subject = if subject is blank then error \"a task needs a subject\" "
                    "else subject\n"));
  auto [contact, lead] = SyncedContact(f, "err@example.com");
  const std::string bad = SfTask(f, lead, {{"Description", "no subject"}});
  SfTask(f, lead, {{"Subject", "fine"}});
  const auto report = f.RunAll();
  const auto tasks = Engagements(f, "tasks", {"hs_task_subject"});
  REQUIRE(tasks.size() == 1);  // the other task is not held up (R150)
  CHECK(Text(tasks[0].fields["hs_task_subject"]) == "fine");
  CHECK(report.errors.at("rule") == 1);
  const auto open = f.store.OpenErrors();
  REQUIRE(open.size() == 1);
  CHECK(open[0].object == "Task");
  CHECK(open[0].record_id == bad);
  CHECK(open[0].message.find("a task needs a subject") != std::string::npos);
}

}  // namespace
}  // namespace syncline::test
