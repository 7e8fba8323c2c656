// Workflow actions (R135-R138), end to end: triggers on contacts in the HubSpot sandbox (segment
// entries, property changes), the contacts sync, and the workflow runner's Salesforce actions
// read back from the Salesforce sandbox. Every case runs under the JIT and the interpreter.
#include "engine_fixture.h"
#include "runtime/engine/workflow_runner.h"

namespace syncline::test {
namespace {

using connectors::Record;
using pipeline::EngineKind;

const EngineKind kEngines[] = {EngineKind::kJit, EngineKind::kInterp};

std::string Workflow(const std::string& body) {
  return "workflow wf: hubspot.contacts {\n" + body + "\n}\n";
}

std::vector<Record> All(EngineFixture& f, const std::string& object,
                        const std::vector<std::string>& fields) {
  std::vector<Record> out;
  auto e = f.sf->ReadChanges(object, "", fields, [&](connectors::ChangePage& page) {
    for (auto& r : page.records) out.push_back(std::move(r));
    return true;
  });
  REQUIRE_MESSAGE(e.ok(), e.message);
  return out;
}
std::vector<Record> Tasks(EngineFixture& f) {
  return All(f, "Task", {"Subject", "Priority", "Status", "WhoId", "OwnerId", "CallObject"});
}

void AddToList(EngineFixture& f, const std::string& list, const std::string& contact) {
  f.Tick();
  REQUIRE(f.hs->AddListMembers(list, {contact}).ok());
}
void RemoveFromList(EngineFixture& f, const std::string& list, const std::string& contact) {
  f.Tick();
  REQUIRE(f.hs->RemoveListMembers(list, {contact}).ok());
}

// Active Salesforce users by email: {email -> id}.
std::map<std::string, std::string> SeedUsers(EngineFixture& f) {
  json seeded = f.salesforce_sb->Seed(
      {{"records", json::array({SalesforceUser("Maria", "Garcia", "maria@example.com", true),
                                SalesforceUser("Old", "Timer", "old@example.com", false)})}});
  const json& ids = seeded["ids"]["User"];
  REQUIRE(ids.size() == 2);
  return {{"maria@example.com", ids[0]}, {"old@example.com", ids[1]}};
}

const char* kTask =
    "  create salesforce.Task {\n"
    "    Subject = \"Call ${lastname ?? email} back\"\n"
    "    Priority = \"High\"\n"
    "    Status = \"Not Started\"\n"
    "  }\n";

TEST_CASE("R135_contact_entering_segment_gets_one_task_on_its_lead") {
  for (EngineKind kind : kEngines) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    const std::string list = f.ManualList("Hot leads");
    f.Rules(ContactRules("", "") +
                Workflow("  when enters segment \"Hot leads\"\n" + std::string(kTask)),
            kind);
    const std::string before = f.CreateContact({{"email", "early@example.com"}});
    AddToList(f, list, before);
    const std::string ann = f.CreateContact({{"email", "ann@example.com"}, {"lastname", "Lee"}});
    // The first run only learns the members: a member before the workflow started is not
    // enrolled (turning a workflow on does not enrol the records that already meet it).
    auto first = f.RunAll();
    CHECK(Count(first, "workflow.enrolled") == 0);
    CHECK(Tasks(f).empty());
    AddToList(f, list, ann);
    auto second = f.RunAll();
    CHECK(Count(second, "workflow.enrolled") == 1);
    CHECK(Count(second, "workflow.created.Task") == 1);
    CHECK(Count(second, "workflow.done") == 1);
    auto tasks = Tasks(f);
    REQUIRE(tasks.size() == 1);
    auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", ann);
    REQUIRE(link);
    CHECK(Text(tasks[0].fields["WhoId"]) == link->salesforce_id);
    CHECK(Text(tasks[0].fields["Subject"]) == "Call Lee back");
    CHECK(Text(tasks[0].fields["Priority"]) == "High");
    // Assigned to the lead's owner (no `owner` in the rule).
    CHECK(Text(tasks[0].fields["OwnerId"]) ==
          Text(f.Sf("Lead", link->salesforce_id, {"OwnerId"})["OwnerId"]));
    CHECK(Text(tasks[0].fields["CallObject"]).rfind("syncline:workflow:wf:", 0) == 0);
    // Still in the segment: not enrolled again.
    auto third = f.RunAll();
    CHECK(Count(third, "workflow.enrolled") == 0);
    CHECK(Tasks(f).size() == 1);
    // Leaving and entering again is a new enrolment.
    RemoveFromList(f, list, ann);
    f.RunAll();
    AddToList(f, list, ann);
    auto again = f.RunAll();
    CHECK(Count(again, "workflow.enrolled") == 1);
    CHECK(Tasks(f).size() == 2);
  }
}

TEST_CASE("R137_contact_not_in_salesforce_is_synced_first") {
  for (EngineKind kind : kEngines) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    const std::string list = f.ManualList("Hot leads");
    // Only segment members sync; the contact is outside it until it enters.
    f.Rules(ContactRules("  include if in_segment(\"Hot leads\")", "") +
                Workflow("  when enters segment \"Hot leads\"\n" + std::string(kTask)),
            kind);
    const std::string bo = f.CreateContact({{"email", "bo@example.com"}, {"lastname", "Bo"}});
    f.RunAll();
    CHECK(f.SfByEmail("Lead", "bo@example.com").empty());
    AddToList(f, list, bo);
    auto r = f.RunAll();
    auto leads = f.SfByEmail("Lead", "bo@example.com");
    REQUIRE(leads.size() == 1);
    auto tasks = Tasks(f);
    REQUIRE(tasks.size() == 1);
    CHECK(Text(tasks[0].fields["WhoId"]) == leads[0].id);
    CHECK(Count(r, "created.salesforce") == 1);
  }
}

TEST_CASE("R137_contact_the_sync_keeps_out_waits_then_fails_after_7_days") {
  EngineFixture f;
  f.ManualList("Hot leads");
  // The sync never creates Salesforce records, so the contact cannot get there.
  f.Rules(ContactRules("  to salesforce: update only", "") +
          Workflow("  when email changes\n" + std::string(kTask)));
  f.RunAll();  // the trigger's first run
  const std::string cy = f.CreateContact({{"email", "cy@example.com"}});
  auto r = f.RunAll();
  CHECK(Count(r, "workflow.enrolled") == 1);
  CHECK(Count(r, "waiting.workflow") == 1);
  CHECK(Tasks(f).empty());
  auto e = f.store.Enrollments("wf");
  REQUIRE(e.size() == 1);
  CHECK(e[0].state == state::EnrollmentState::kOpen);
  CHECK(e[0].message.find("not in Salesforce") != std::string::npos);
  f.Tick(8LL * 24 * 3600 * 1000);
  auto late = f.RunAll();
  CHECK(Count(late, "workflow.failed") == 1);
  e = f.store.Enrollments("wf");
  CHECK(e[0].state == state::EnrollmentState::kFailed);
  CHECK(f.store.OpenEnrollments("wf").empty());
  (void)cy;
}

TEST_CASE("R135_add_to_campaign_once_and_wait_for_a_missing_campaign") {
  for (EngineKind kind : kEngines) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    const std::string list = f.ManualList("Webinar");
    f.Rules(ContactRules("", "") +
                Workflow("  when enters segment \"Webinar\"\n"
                         "  add to campaign \"Spring webinar\" status \"Responded\"\n"),
            kind);
    const std::string di = f.CreateContact({{"email", "di@example.com"}, {"lastname", "Di"}});
    f.RunAll();
    AddToList(f, list, di);
    // No such campaign yet: the enrolment waits and says why.
    auto r = f.RunAll();
    CHECK(Count(r, "waiting.workflow") == 1);
    auto e = f.store.Enrollments("wf");
    REQUIRE(e.size() == 1);
    CHECK(e[0].message.find("no campaign named \"Spring webinar\"") != std::string::npos);
    const std::string campaign = f.CreateSf("Campaign", {{"Name", "Spring webinar"}});
    auto done = f.RunAll();
    CHECK(Count(done, "workflow.campaign_members") == 1);
    auto members = All(f, "CampaignMember", {"CampaignId", "LeadId", "ContactId", "Status"});
    REQUIRE(members.size() == 1);
    CHECK(Text(members[0].fields["CampaignId"]) == campaign);
    CHECK(Text(members[0].fields["Status"]) == "Responded");
    auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", di);
    REQUIRE(link);
    CHECK(Text(members[0].fields["LeadId"]) == link->salesforce_id);
    CHECK(f.store.OpenEnrollments("wf").empty());
    // Salesforce refuses a second membership; a repeat (as after a crash) counts as done.
    auto dup =
        f.sf->Write("CampaignMember", connectors::WriteKind::kCreate,
                    {{"", "", "", {{"CampaignId", campaign}, {"LeadId", link->salesforce_id}}}});
    CHECK_FALSE(dup[0].ok);
    CHECK(dup[0].error.code == "DUPLICATE_VALUE");
  }
}

TEST_CASE("R138_set_salesforce_owner_by_user_email") {
  EngineFixture f;
  auto users = SeedUsers(f);
  const std::string list = f.ManualList("Enterprise");
  f.Rules(ContactRules("", "") + Workflow("  when enters segment \"Enterprise\"\n"
                                          "  set salesforce owner \"MARIA@example.com\"\n"));
  const std::string ed = f.CreateContact({{"email", "ed@example.com"}, {"lastname", "Ed"}});
  f.RunAll();
  AddToList(f, list, ed);
  auto r = f.RunAll();
  CHECK(Count(r, "workflow.owners_set") == 1);
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", ed);
  REQUIRE(link);
  CHECK(Text(f.Sf("Lead", link->salesforce_id, {"OwnerId"})["OwnerId"]) ==
        users["maria@example.com"]);
}

TEST_CASE("R138_owner_must_be_an_active_user_and_task_owner_by_email") {
  EngineFixture f;
  auto users = SeedUsers(f);
  const std::string list = f.ManualList("L");
  f.Rules(ContactRules("", "") + Workflow("  when enters segment \"L\"\n"
                                          "  create salesforce.Task {\n"
                                          "    owner \"maria@example.com\"\n"
                                          "    Subject = \"Hi\"\n"
                                          "  }\n"
                                          "  set salesforce owner \"old@example.com\"\n"));
  const std::string fay = f.CreateContact({{"email", "fay@example.com"}, {"lastname", "Fay"}});
  f.RunAll();
  AddToList(f, list, fay);
  auto r = f.RunAll();
  // The task goes to the named user; the inactive user cannot own the lead: it waits.
  auto tasks = Tasks(f);
  REQUIRE(tasks.size() == 1);
  CHECK(Text(tasks[0].fields["OwnerId"]) == users["maria@example.com"]);
  CHECK(Count(r, "workflow.created.Task") == 1);
  CHECK(Count(r, "waiting.workflow") == 1);
  auto e = f.store.Enrollments("wf");
  REQUIRE(e.size() == 1);
  CHECK(e[0].next_action == 1);  // the task is done and is not made again
  CHECK(e[0].message.find("no active Salesforce user") != std::string::npos);
  f.RunAll();
  CHECK(Tasks(f).size() == 1);
}

TEST_CASE("R135_property_change_trigger_with_condition") {
  for (EngineKind kind : kEngines) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    f.Rules(ContactRules("", "") + Workflow("  when lifecyclestage changes\n"
                                            "  if lifecyclestage == \"salesqualifiedlead\"\n" +
                                            std::string(kTask)),
            kind);
    const std::string gil = f.CreateContact({{"email", "gil@example.com"},
                                             {"lastname", "Gil"},
                                             {"lifecyclestage", "salesqualifiedlead"}});
    // The first run learns every contact's value: nothing is enrolled.
    auto first = f.RunAll();
    CHECK(Count(first, "workflow.enrolled") == 0);
    const std::string hal = f.CreateContact(
        {{"email", "hal@example.com"}, {"lastname", "Hal"}, {"lifecyclestage", "lead"}});
    auto second = f.RunAll();  // a new contact's stage changed from blank, but the `if` says no
    CHECK(Count(second, "workflow.enrolled") == 0);
    CHECK(Count(second, "workflow.not_met") == 1);
    f.UpdateContact(hal, {{"lifecyclestage", "salesqualifiedlead"}});
    f.UpdateContact(gil, {{"firstname", "Gilbert"}});  // another property: no trigger
    auto third = f.RunAll();
    CHECK(Count(third, "workflow.enrolled") == 1);
    auto tasks = Tasks(f);
    REQUIRE(tasks.size() == 1);
    CHECK(Text(tasks[0].fields["Subject"]) == "Call Hal back");
    auto fourth = f.RunAll();
    CHECK(Count(fourth, "workflow.enrolled") == 0);
    CHECK(Tasks(f).size() == 1);
  }
}

TEST_CASE("crash_after_task_create_before_commit_creates_no_second_task") {
  EngineFixture f;
  const std::string list = f.ManualList("Hot leads");
  f.Rules(ContactRules("", "") +
          Workflow("  when enters segment \"Hot leads\"\n" + std::string(kTask)));
  const std::string ivy = f.CreateContact({{"email", "ivy@example.com"}, {"lastname", "Ivy"}});
  f.RunAll();
  // Enrol without acting: a run where Salesforce fails every item of a collection write.
  AddToList(f, list, ivy);
  sandbox::FaultSpec fault;
  fault.endpoint = "composite/sobjects";
  fault.fail_fraction = 1.0;
  f.salesforce_sb->AddFault(fault);
  f.RunAll();
  f.salesforce_sb->ClearFaults();
  auto e = f.store.Enrollments("wf");
  REQUIRE(e.size() == 1);
  CHECK(e[0].state == state::EnrollmentState::kOpen);
  CHECK(e[0].next_action == 0);
  // A crash after the task was made and before the run recorded it: the intent is pending
  // and the task exists with the workflow's marker.
  const std::string marker = "syncline:workflow:wf:" + std::to_string(e[0].id);
  state::Intent intent;
  intent.key = "workflow|create|salesforce|Task|wf|" + std::to_string(e[0].id);
  intent.side = state::Side::kSalesforce;
  intent.object = "Task";
  intent.op = "create";
  intent.payload = "{}";
  intent.lookup_field = "CallObject";
  intent.lookup_value = marker;
  f.store.BeginIntent(intent, f.clock->NowMs());
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", ivy);
  REQUIRE(link);
  f.CreateSf(
      "Task",
      {{"Subject", "Call Ivy back"}, {"WhoId", link->salesforce_id}, {"CallObject", marker}});
  auto r = f.RunAll();
  CHECK(Tasks(f).size() == 1);
  CHECK(Count(r, "workflow.done") == 1);
  CHECK(f.store.PendingIntents().empty());
  CHECK(f.store.OpenEnrollments("wf").empty());
}

TEST_CASE("plan_writes_nothing_and_lists_the_actions") {
  EngineFixture f;
  const std::string list = f.ManualList("Hot leads");
  f.Rules(ContactRules("", "") +
          Workflow("  when enters segment \"Hot leads\"\n" + std::string(kTask) +
                   "  add to campaign \"Spring webinar\"\n"));
  f.CreateSf("Campaign", {{"Name", "Spring webinar"}});
  const std::string jo = f.CreateContact({{"email", "jo@example.com"}, {"lastname", "Jo"}});
  f.RunAll();
  AddToList(f, list, jo);
  const int64_t writes = f.SalesforceWrites();
  auto plan = f.RunAll(true);
  CHECK(f.SalesforceWrites() == writes);
  CHECK(f.store.Enrollments("wf").empty());
  CHECK(Count(plan, "workflow.enrolled") == 1);
  bool task = false, member = false;
  for (const auto& p : plan.plan) {
    if (p.object == "Task" && p.action == "create") task = true;
    if (p.object == "CampaignMember" && p.action == "create") member = true;
  }
  CHECK(task);
  CHECK(member);
  // The real run afterwards enrols and acts once.
  auto real = f.RunAll();
  CHECK(Count(real, "workflow.enrolled") == 1);
  CHECK(Tasks(f).size() == 1);
}

TEST_CASE("rule_error_fails_the_enrolment_with_its_location") {
  EngineFixture f;
  const std::string list = f.ManualList("L");
  f.Rules(ContactRules("", "") +
          Workflow("  when enters segment \"L\"\n"
                   "  create salesforce.Task {\n"
                   "    Subject = if firstname is blank then error \"no name\" else firstname\n"
                   "  }\n"));
  const std::string kim = f.CreateContact({{"email", "kim@example.com"}});
  f.RunAll();
  AddToList(f, list, kim);
  auto r = f.RunAll();
  CHECK(Count(r, "workflow.failed") == 1);
  CHECK(Tasks(f).empty());
  auto e = f.store.Enrollments("wf");
  REQUIRE(e.size() == 1);
  CHECK(e[0].state == state::EnrollmentState::kFailed);
  CHECK(e[0].message.find("no name") != std::string::npos);
  CHECK(e[0].message.find("rules") != std::string::npos);  // the rule file's location
}

// ---- R135: "set company property values that then sync to Salesforce"

const char* kCompanies =
    "sync companies: hubspot.companies <-> salesforce.Account {\n"
    "  from salesforce: create or update\n"
    "  to salesforce: create or update\n"
    "  map {\n"
    "    name <-> Name prefer salesforce unless blank\n"
    "      to salesforce = name ?? \"Unnamed\"\n"
    "    description <-> Description two-way\n"
    "  }\n"
    "}\n";

std::string CreateCompany(EngineFixture& f, const json& props) {
  f.Tick();
  auto r = f.hs->Write("companies", connectors::WriteKind::kCreate, {{"", "", "", props}});
  REQUIRE_MESSAGE(r[0].ok, r[0].error.message);
  return r[0].id;
}
void LinkCompany(EngineFixture& f, const std::string& contact, const std::string& company,
                 bool primary) {
  connectors::Association a;
  a.from_id = contact;
  a.to_id = company;
  if (primary) a.type_ids = {1};
  auto r = f.hs->Associate("contacts", "companies", {a});
  REQUIRE_MESSAGE(r[0].ok, r[0].error.message);
}
std::string CompanyDescription(EngineFixture& f, const std::string& id) {
  std::vector<Record> out;
  REQUIRE(f.hs->ReadByIds("companies", {id}, {"description"}, &out).ok());
  REQUIRE(out.size() == 1);
  return Text(out[0].fields["description"]);
}

TEST_CASE("R135_set_company_properties_reach_salesforce_in_the_same_run") {
  for (EngineKind kind : kEngines) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    const std::string list = f.ManualList("Hot leads");
    f.Rules(ContactRules("", "") + kCompanies +
                Workflow("  when enters segment \"Hot leads\"\n"
                         "  set hubspot.companies {\n"
                         "    description = \"Hot: ${lastname ?? email} asked for a call\"\n"
                         "  }\n"),
            kind);
    // An account becomes a company; the contact belongs to it and to a second, primary one.
    const std::string account = f.CreateSf("Account", {{"Name", "Acme"}});
    f.RunAll();
    auto acme = f.store.FindLink(state::Side::kSalesforce, "Account", account);
    REQUIRE(acme);
    const std::string other = CreateCompany(f, {{"name", "Other Co"}});
    const std::string ann = f.CreateContact({{"email", "ann@example.com"}, {"lastname", "Lee"}});
    LinkCompany(f, ann, other, false);
    LinkCompany(f, ann, acme->hubspot_id, true);
    f.RunAll();
    AddToList(f, list, ann);
    auto r = f.RunAll();
    CHECK(Count(r, "workflow.enrolled") == 1);
    CHECK(Count(r, "workflow.set.companies") == 1);
    CHECK(Count(r, "workflow.synced.companies") == 1);
    CHECK(Count(r, "workflow.done") == 1);
    // The primary company got the value, the other did not ...
    CHECK(CompanyDescription(f, acme->hubspot_id) == "Hot: Lee asked for a call");
    CHECK(CompanyDescription(f, other).empty());
    // ... and the companies sync carried it to the account in the same run.
    CHECK(Text(f.Sf("Account", account, {"Description"})["Description"]) ==
          "Hot: Lee asked for a call");
    // Nothing more to do: the next run writes nothing on either side.
    const int64_t sf_writes = f.SalesforceWrites(), hs_writes = f.HubSpotWrites();
    auto again = f.RunAll();
    CHECK(Count(again, "workflow.enrolled") == 0);
    CHECK(f.SalesforceWrites() == sf_writes);
    CHECK(f.HubSpotWrites() == hs_writes);
  }
}

TEST_CASE("R135_set_company_skips_a_contact_without_company_and_needs_no_salesforce_record") {
  EngineFixture f;
  const std::string list = f.ManualList("Hot leads");
  // The contacts sync lets nobody into Salesforce; setting HubSpot values needs no lead (R137
  // applies to Salesforce actions only), so nothing waits.
  f.Rules(ContactRules("  include if in_segment(\"Sync\")", "") + kCompanies +
          Workflow("  when enters segment \"Hot leads\"\n"
                   "  set hubspot.companies { description = \"hot\" }\n"
                   "  set hubspot.contacts { company = \"Hot prospect\" }\n"));
  const std::string bo = f.CreateContact({{"email", "bo@example.com"}, {"lastname", "Bo"}});
  const std::string cy = f.CreateContact({{"email", "cy@example.com"}, {"lastname", "Cy"}});
  const std::string co = CreateCompany(f, {{"name", "Cy Corp"}});
  LinkCompany(f, cy, co, false);  // no primary: the first associated company
  f.RunAll();
  AddToList(f, list, bo);
  AddToList(f, list, cy);
  auto r = f.RunAll();
  CHECK(Count(r, "workflow.enrolled") == 2);
  CHECK(Count(r, "workflow.no_company") == 1);
  CHECK(Count(r, "workflow.set.companies") == 1);
  CHECK(Count(r, "workflow.set.contacts") == 2);
  CHECK(Count(r, "waiting.workflow") == 0);
  CHECK(Count(r, "workflow.done") == 2);
  CHECK(CompanyDescription(f, co) == "hot");
  CHECK(Text(f.Contact(bo)["company"]) == "Hot prospect");
  CHECK(Text(f.Contact(cy)["company"]) == "Hot prospect");
  CHECK(f.SfByEmail("Lead", "bo@example.com").empty());  // the include filter still holds
  CHECK(f.store.OpenEnrollments("wf").empty());
}

TEST_CASE("R135_plan_lists_the_hubspot_updates_without_writing") {
  EngineFixture f;
  const std::string list = f.ManualList("Hot leads");
  f.Rules(ContactRules("", "") + kCompanies +
          Workflow("  when enters segment \"Hot leads\"\n"
                   "  set hubspot.companies { description = \"hot\" }\n"));
  const std::string di = f.CreateContact({{"email", "di@example.com"}, {"lastname", "Di"}});
  const std::string co = CreateCompany(f, {{"name", "Di Ltd"}});
  LinkCompany(f, di, co, true);
  f.RunAll();
  AddToList(f, list, di);
  const int64_t hs_writes = f.HubSpotWrites();
  auto plan = f.RunAll(true);
  CHECK(f.HubSpotWrites() == hs_writes);
  CHECK(CompanyDescription(f, co).empty());
  bool listed = false;
  for (const auto& p : plan.plan)
    if (p.side == "hubspot" && p.object == "companies" && p.action == "update" && p.id == co)
      listed = !p.changes.empty() && p.changes[0].field == "description";
  CHECK(listed);
}

// ---- workflows on companies: the account is the task's WhatId and the record the actions act on

TEST_CASE("R135_company_workflow_acts_on_its_account") {
  for (EngineKind kind : kEngines) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    const auto users = SeedUsers(f);
    const std::string list = f.ManualList("Key accounts", "0-2");
    f.Rules(std::string(kCompanies) +
                "workflow key: hubspot.companies {\n"
                "  when enters segment \"Key accounts\"\n"
                "  create salesforce.Task { Subject = \"Review ${name}\" }\n"
                "  set salesforce owner \"maria@example.com\"\n"
                "  set hubspot.companies { description = \"Key account\" }\n"
                "}\n",
            kind);
    const std::string account = f.CreateSf("Account", {{"Name", "Acme"}});
    f.RunAll();
    auto link = f.store.FindLink(state::Side::kSalesforce, "Account", account);
    REQUIRE(link);
    // A company made in HubSpot without contacts creates no account (R70): it waits.
    const std::string lonely = CreateCompany(f, {{"name", "Lonely"}});
    f.RunAll();
    AddToList(f, list, link->hubspot_id);
    AddToList(f, list, lonely);
    auto r = f.RunAll();
    CHECK(Count(r, "workflow.enrolled") == 2);
    CHECK(Count(r, "workflow.created.Task") == 1);
    CHECK(Count(r, "workflow.owners_set") == 1);
    CHECK(Count(r, "workflow.set.companies") == 1);
    CHECK(Count(r, "workflow.done") == 1);
    CHECK(Count(r, "waiting.workflow") == 1);
    auto tasks = All(f, "Task", {"Subject", "WhatId", "WhoId"});
    REQUIRE(tasks.size() == 1);
    CHECK(Text(tasks[0].fields["WhatId"]) == account);
    CHECK(Text(tasks[0].fields["WhoId"]).empty());
    CHECK(Text(tasks[0].fields["Subject"]) == "Review Acme");
    json acct = f.Sf("Account", account, {"OwnerId", "Description"});
    CHECK(Text(acct["OwnerId"]) == users.at("maria@example.com"));
    CHECK(Text(acct["Description"]) == "Key account");  // set in HubSpot, synced in the run
    CHECK(CompanyDescription(f, link->hubspot_id) == "Key account");
    auto waiting = f.store.OpenEnrollments("key");
    REQUIRE(waiting.size() == 1);
    CHECK(waiting[0].hubspot_id == lonely);
    CHECK(waiting[0].message.find("the company is not in Salesforce") != std::string::npos);
  }
}

// ---- R136: enrolment from Salesforce. HubSpot's "Lead Nurturing" Visualforce page cannot be
// provided by an outside app; a lead or contact joining a Salesforce campaign is the trigger.

TEST_CASE("R136_a_lead_joining_a_salesforce_campaign_enrols_its_hubspot_contact") {
  for (EngineKind kind : kEngines) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    f.Rules(ContactRules("", ""), kind);
    const std::string campaign = f.CreateSf("Campaign", {{"Name", "Nurture"}});
    const std::string ann = f.CreateContact({{"email", "ann@example.com"}, {"lastname", "Ann"}});
    const std::string bo = f.CreateContact({{"email", "bo@example.com"}, {"lastname", "Bo"}});
    f.RunAll();
    auto lead_of = [&](const std::string& id) {
      auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", id);
      REQUIRE(link);
      return link->salesforce_id;
    };
    auto join = [&](const std::string& lead) {
      f.CreateSf("CampaignMember",
                 {{"CampaignId", campaign}, {"LeadId", lead}, {"Status", "Sent"}});
    };
    // Ann was a member before the workflow existed: its first run only learns that.
    join(lead_of(ann));
    f.Rules(ContactRules("", "") +
                Workflow("  when enters campaign \"Nurture\"\n" + std::string(kTask)),
            kind);
    auto first = f.RunAll();
    CHECK(Count(first, "workflow.enrolled") == 0);
    CHECK(Tasks(f).empty());
    // A sales user adds Bo's lead to the campaign in Salesforce: Bo is enrolled, once.
    join(lead_of(bo));
    // A lead with no HubSpot contact joins too: nothing to enrol.
    const std::string stranger = f.CreateSf("Lead", {{"LastName", "Stranger"}, {"Company", "X"}});
    join(stranger);
    auto r = f.RunAll();
    CHECK(Count(r, "workflow.enrolled") == 1);
    CHECK(Count(r, "workflow.not_in_hubspot") == 1);
    auto tasks = Tasks(f);
    REQUIRE(tasks.size() == 1);
    CHECK(Text(tasks[0].fields["Subject"]) == "Call Bo back");
    CHECK(Text(tasks[0].fields["WhoId"]) == lead_of(bo));
    auto again = f.RunAll();
    CHECK(Count(again, "workflow.enrolled") == 0);
    CHECK(Tasks(f).size() == 1);
  }
}

}  // namespace
}  // namespace syncline::test
