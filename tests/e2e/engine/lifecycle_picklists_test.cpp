// Lifecycle stages from opportunity contact roles (R96-R106) and state/country picklists
// (R107-R113), end to end.
#include "engine_fixture.h"
#include "runtime/connectors/http/http_client.h"

namespace syncline::test {
namespace {

std::string LifecycleRules(const std::string& lifecycle) {
  return ContactRules("  to salesforce: create or update Contact\n" + lifecycle,
                      "    firstname <-> FirstName");
}
const char* kOn =
    "  lifecycle from opportunity contact roles {\n    open -> opportunity\n"
    "    won -> customer\n    spread to company contacts\n  }";

// A synced contact: returns {hubspot id, salesforce Contact id}.
std::pair<std::string, std::string> SyncedContact(EngineFixture& f, const std::string& email,
                                                  const std::string& stage = "lead") {
  const std::string hs =
      f.CreateContact({{"email", email}, {"lastname", "L"}, {"lifecyclestage", stage}});
  f.Sync();
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", hs);
  REQUIRE(link);
  return {hs, link->salesforce_id};
}

std::string Opportunity(EngineFixture& f, const std::string& stage) {
  return f.CreateSf("Opportunity",
                    {{"Name", "Deal"}, {"StageName", stage}, {"CloseDate", "2026-12-31"}});
}

void AddRole(EngineFixture& f, const std::string& opp, const std::string& contact) {
  f.Tick();
  connectors::Association a;
  a.from_id = opp;
  a.to_id = contact;
  a.labels = {"Decision Maker"};
  auto r = f.sf->Associate("Opportunity", "Contact", {a});
  REQUIRE_MESSAGE(r[0].ok, r[0].error.message);
}

std::string Stage(EngineFixture& f, const std::string& hs) {
  const json v = f.Contact(hs)["lifecyclestage"];
  return v.is_string() ? v.get<std::string>() : "";
}

TEST_CASE("R97_contact_role_on_open_opportunity_makes_opportunity_stage") {
  EngineFixture f;
  f.Rules(LifecycleRules(kOn));
  auto [hs, contact] = SyncedContact(f, "r97@example.com");
  AddRole(f, Opportunity(f, "Prospecting"), contact);
  f.Sync();
  CHECK(Stage(f, hs) == "opportunity");
}

TEST_CASE("R98_closed_won_makes_customer") {
  EngineFixture f;
  f.Rules(LifecycleRules(kOn));
  auto [hs, contact] = SyncedContact(f, "r98@example.com");
  const std::string opp = Opportunity(f, "Prospecting");
  AddRole(f, opp, contact);
  f.Sync();
  f.UpdateSf("Opportunity", opp, {{"StageName", "Closed Won"}});
  f.Sync();
  CHECK(Stage(f, hs) == "customer");
}

TEST_CASE("R99_stages_never_move_backwards") {
  EngineFixture f;
  f.Rules(LifecycleRules(kOn));
  auto [hs, contact] = SyncedContact(f, "r99@example.com", "customer");
  AddRole(f, Opportunity(f, "Prospecting"), contact);
  f.Sync();
  CHECK(Stage(f, hs) == "customer");
}

TEST_CASE("R100_opportunity_without_contact_roles_changes_nothing") {
  EngineFixture f;
  f.Rules(LifecycleRules(kOn));
  auto [hs, contact] = SyncedContact(f, "r100@example.com");
  Opportunity(f, "Prospecting");
  f.Sync();
  CHECK(Stage(f, hs) == "lead");
  (void)contact;
}

TEST_CASE("R101_role_added_to_a_won_opportunity_still_makes_customer") {
  EngineFixture f;
  f.Rules(LifecycleRules(kOn));
  auto [hs, contact] = SyncedContact(f, "r101@example.com");
  const std::string opp = Opportunity(f, "Closed Won");
  f.Sync();
  AddRole(f, opp, contact);
  f.Sync();
  CHECK(Stage(f, hs) == "customer");
}

TEST_CASE("R106_stages_chosen_by_name_replace_the_open_and_won_groups") {
  EngineFixture f;
  f.Rules(
      LifecycleRules("  lifecycle from opportunity contact roles {\n"
                     "    \"Prospecting\", \"Qualification\" -> salesqualifiedlead\n"
                     "    \"Negotiation/Review\" -> opportunity\n"
                     "    \"Closed Won\" -> customer\n  }"));
  auto [hs, contact] = SyncedContact(f, "r106@example.com");
  const std::string opp = Opportunity(f, "Needs Analysis");
  AddRole(f, opp, contact);
  f.Sync();
  CHECK(Stage(f, hs) == "lead");  // an open stage nobody chose means nothing
  f.UpdateSf("Opportunity", opp, {{"StageName", "Qualification"}});
  f.Sync();
  CHECK(Stage(f, hs) == "salesqualifiedlead");
  f.UpdateSf("Opportunity", opp, {{"StageName", "Negotiation/Review"}});
  f.Sync();
  CHECK(Stage(f, hs) == "opportunity");
  f.UpdateSf("Opportunity", opp, {{"StageName", "Prospecting"}});
  f.Sync();
  CHECK(Stage(f, hs) == "opportunity");  // never backwards (R99)
  f.UpdateSf("Opportunity", opp, {{"StageName", "Closed Won"}});
  const engine::RunReport plan = f.Sync(/*dry_run=*/true);
  bool explained = false;
  for (const auto& e : plan.plan)
    if (e.id == hs && e.reason.find("\"Closed Won\" -> customer") != std::string::npos)
      explained = true;
  CHECK(explained);
  f.Sync();
  CHECK(Stage(f, hs) == "customer");
}

TEST_CASE("R106_a_named_stage_comes_before_the_open_group") {
  EngineFixture f;
  f.Rules(
      LifecycleRules("  lifecycle from opportunity contact roles {\n    open -> opportunity\n"
                     "    won -> customer\n    \"Prospecting\" -> salesqualifiedlead\n  }"));
  auto [hs, contact] = SyncedContact(f, "r106b@example.com");
  auto [hs2, contact2] = SyncedContact(f, "r106c@example.com");
  AddRole(f, Opportunity(f, "Prospecting"), contact);
  AddRole(f, Opportunity(f, "Needs Analysis"), contact2);
  f.Sync();
  CHECK(Stage(f, hs) == "salesqualifiedlead");
  CHECK(Stage(f, hs2) == "opportunity");
}

// Makes the portal's lifecycle stages (the property's options by displayOrder) put
// `opportunity` before `salesqualifiedlead`, and adds the portal's own stage "Trial" (an id as
// internal value, as HubSpot gives custom stages) before `customer`.
void ReorderStages(EngineFixture& f) {
  json options = json::array();
  int order = 0;
  for (const char* v : {"subscriber", "lead", "marketingqualifiedlead", "opportunity",
                        "salesqualifiedlead", "1034525871", "customer", "evangelist", "other"})
    options.push_back({{"label", std::string(v) == "1034525871" ? "Trial" : v},
                       {"value", v},
                       {"displayOrder", order++}});
  connectors::http::Client client;
  connectors::http::Request patch;
  patch.method = "PATCH";
  patch.url = f.hubspot_sb->base_url() + "/crm/v3/properties/contacts/lifecyclestage";
  patch.headers = {{"Authorization", "Bearer " + f.hubspot_sb->token()},
                   {"Content-Type", "application/json"}};
  patch.body = json{{"options", options}}.dump();
  const auto reply = client.Perform(patch);
  REQUIRE_MESSAGE(reply.status == 200, reply.body);
}

// A deals sync beside the contacts sync: each HubSpot deal becomes an opportunity with its
// contacts' roles, which R97 reads.
const char* kDealsSync =
    "sync deals: hubspot.deals <-> salesforce.Opportunity {\n"
    "  stages pipeline \"default\" {\n"
    "    appointmentscheduled <-> \"Prospecting\"\n"
    "    closedwon <-> \"Closed Won\"\n"
    "  }\n"
    "  map {\n"
    "    dealname <-> Name two-way\n"
    "    closedate <-> CloseDate two-way\n"
    "    dealstage <-> StageName two-way\n"
    "  }\n"
    "}\n";

// The role the deals sync writes to Salesforce moves the contact's stage in the same run: a
// run (RunAll) holds each contacts sync's lifecycle pass until every sync has run. With the
// pass inside the contacts sync, before the deals sync, the stage moved one run later, and a
// run after no change still wrote.
TEST_CASE("R97_a_role_the_deals_sync_writes_moves_the_stage_in_the_same_run") {
  EngineFixture f;
  f.Rules(LifecycleRules("  lifecycle from opportunity contact roles {\n    open -> opportunity\n"
                         "    won -> customer\n  }") +
          kDealsSync);
  const std::string hs = f.CreateContact(
      {{"email", "r97d@example.com"}, {"lastname", "L"}, {"lifecyclestage", "lead"}});
  f.Tick();
  auto made = f.hs->Write("deals", connectors::WriteKind::kCreate,
                          {{"",
                            "",
                            "",
                            {{"dealname", "Deal"},
                             {"dealstage", "appointmentscheduled"},
                             {"closedate", "2026-12-31T00:00:00Z"}}}});
  REQUIRE_MESSAGE(made[0].ok, made[0].error.message);
  connectors::Association a;
  a.from_id = made[0].id;
  a.to_id = hs;
  REQUIRE(f.hs->Associate("deals", "contacts", {a})[0].ok);
  auto first = f.RunAll();
  CHECK(Count(first, "lifecycle.updated") == 1);
  CHECK(Stage(f, hs) == "opportunity");
  auto again = f.RunAll();
  CHECK(Count(again, "lifecycle.updated") == 0);
  CHECK(Count(again, "updated.hubspot") + Count(again, "updated.salesforce") == 0);
  CHECK(Stage(f, hs) == "opportunity");
}

TEST_CASE("R96_R99_forward_follows_the_portals_own_stage_order") {
  // A portal that reordered its lifecycle stages (property options by displayOrder): here
  // `opportunity` comes before `salesqualifiedlead`, so an SQL contact on an open opportunity
  // stays where it is, while HubSpot's default order would move it.
  for (const bool reordered : {true, false}) {
    CAPTURE(reordered);
    EngineFixture f;
    if (reordered) ReorderStages(f);
    f.Rules(LifecycleRules(kOn));
    auto [hs, contact] = SyncedContact(f, "order@example.com", "salesqualifiedlead");
    AddRole(f, Opportunity(f, "Prospecting"), contact);
    f.Sync();
    CHECK(Stage(f, hs) == (reordered ? "salesqualifiedlead" : "opportunity"));
  }
}

TEST_CASE("R96_std_lifecycle_builtins_follow_the_portals_stage_order") {
  // The rules' later_of / is_before rank stages in the portal's order too, as the lifecycle
  // pass does, on both engines: an `opportunity` contact is past `salesqualifiedlead` in
  // HubSpot's default order, and before it in the reordered portal, whose own stage "Trial"
  // (found by its label, written as its id) comes later still.
  for (const auto kind : {pipeline::EngineKind::kJit, pipeline::EngineKind::kInterp}) {
    for (const bool reordered : {true, false}) {
      CAPTURE(reordered);
      CAPTURE(kind == pipeline::EngineKind::kJit);
      EngineFixture f;
      if (reordered) ReorderStages(f);
      f.Rules("use std.lifecycle\n" +
                  ContactRules("  to salesforce: create or update Contact",
                               "    lifecyclestage -> Description =\n"
                               "      \"${later_of(lifecyclestage, \"salesqualifiedlead\")}|"
                               "${is_before(lifecyclestage, \"salesqualifiedlead\")}|"
                               "${later_of(\"MQL\", lifecyclestage)}|"
                               "${later_of(lifecyclestage, \"Trial\")}\""),
              kind);
      f.CreateContact(
          {{"email", "stages@example.com"}, {"lastname", "L"}, {"lifecyclestage", "opportunity"}});
      f.Sync();
      const auto found = f.SfByEmail("Contact", "stages@example.com", {"Email", "Description"});
      REQUIRE(found.size() == 1);
      CHECK(found[0].fields["Description"] ==
            (reordered ? "salesqualifiedlead|true|opportunity|1034525871"
                       : "opportunity|false|opportunity|opportunity"));
    }
  }
}

TEST_CASE("R102_with_the_setting_off_nothing_changes") {
  EngineFixture f;
  f.Rules(LifecycleRules("  lifecycle from opportunity contact roles: nothing"));
  auto [hs, contact] = SyncedContact(f, "r102@example.com");
  AddRole(f, Opportunity(f, "Closed Won"), contact);
  f.Sync();
  CHECK(Stage(f, hs) == "lead");
}

TEST_CASE("R103_transition_spreads_to_company_contacts_forward_only") {
  EngineFixture f;
  f.Rules(LifecycleRules(kOn));
  auto [hs, contact] = SyncedContact(f, "r103a@example.com");
  const std::string peer =
      f.CreateContact({{"email", "r103b@example.com"}, {"lifecyclestage", "subscriber"}});
  const std::string ahead =
      f.CreateContact({{"email", "r103c@example.com"}, {"lifecyclestage", "evangelist"}});
  auto co =
      f.hs->Write("companies", connectors::WriteKind::kCreate, {{"", "", "", {{"name", "Acme"}}}});
  REQUIRE(co[0].ok);
  std::vector<connectors::Association> links;
  for (const auto& id : {hs, peer, ahead}) {
    connectors::Association a;
    a.from_id = id;
    a.to_id = co[0].id;
    links.push_back(a);
  }
  for (const auto& r : f.hs->Associate("contacts", "companies", links)) REQUIRE(r.ok);
  f.Sync();
  AddRole(f, Opportunity(f, "Closed Won"), contact);
  f.Sync();
  CHECK(Stage(f, hs) == "customer");
  CHECK(Stage(f, peer) == "customer");
  CHECK(Stage(f, ahead) == "evangelist");
}

// R73 fixtures: a companies sync that only updates, a HubSpot company (with a stage when
// `stage` is not empty) associated with `contact`, and a company's stage.
const char* kCompaniesUpdateOnly =
    "sync companies: hubspot.companies <-> salesforce.Account {\n"
    "  to salesforce: update only\n  from salesforce: update only\n"
    "  map {\n    name <-> Name two-way\n  }\n}\n";

std::string CompanyOf(EngineFixture& f, const std::string& contact, const char* name,
                      const char* stage) {
  json props = {{"name", name}};
  if (*stage) props["lifecyclestage"] = stage;
  auto co = f.hs->Write("companies", connectors::WriteKind::kCreate, {{"", "", "", props}});
  REQUIRE(co[0].ok);
  connectors::Association a;
  a.from_id = contact;
  a.to_id = co[0].id;
  REQUIRE(f.hs->Associate("contacts", "companies", {a})[0].ok);
  return co[0].id;
}

std::string CompanyStage(EngineFixture& f, const std::string& id) {
  std::vector<connectors::Record> out;
  REQUIRE(f.hs->ReadByIds("companies", {id}, {"lifecyclestage"}, &out).ok());
  REQUIRE(out.size() == 1);
  const json& v = out[0].fields["lifecyclestage"];
  return v.is_string() ? v.get<std::string>() : std::string();
}

TEST_CASE("R73_with_companies_syncing_a_contact_stage_moves_its_company_forward_only") {
  const char* kLifecycle =
      "  lifecycle from opportunity contact roles {\n    open -> opportunity\n"
      "    won -> customer\n  }";
  for (bool with_companies : {true, false}) {
    CAPTURE(with_companies);
    EngineFixture f;
    f.Rules(LifecycleRules(kLifecycle) + (with_companies ? kCompaniesUpdateOnly : ""));
    auto [hs, contact] = SyncedContact(f, "r73@example.com");
    const std::string behind = CompanyOf(f, hs, "Behind Inc", "lead");
    const std::string ahead = CompanyOf(f, hs, "Ahead Inc", "evangelist");
    f.Sync();
    AddRole(f, Opportunity(f, "Prospecting"), contact);
    auto r = f.Sync();
    CHECK(Stage(f, hs) == "opportunity");
    CHECK(CompanyStage(f, behind) == (with_companies ? "opportunity" : "lead"));
    CHECK(CompanyStage(f, ahead) == "evangelist");  // never backwards (R99)
    CHECK(r.counts["lifecycle.updated.companies"] == (with_companies ? 1 : 0));
  }
}

TEST_CASE("R73_a_stage_changed_in_hubspot_moves_the_company_without_lifecycle_rules") {
  for (bool with_companies : {true, false}) {
    CAPTURE(with_companies);
    EngineFixture f;
    // No lifecycle block: R73 follows any stage change the HubSpot feed shows.
    f.Rules(LifecycleRules("") + (with_companies ? kCompaniesUpdateOnly : ""));
    auto [hs, contact] = SyncedContact(f, "r73b@example.com", "lead");
    const std::string behind = CompanyOf(f, hs, "Behind Inc", "");
    const std::string ahead = CompanyOf(f, hs, "Ahead Inc", "evangelist");
    // Its stage was seen before the companies were associated: unchanged, it moves nothing
    // (and its companies are not even looked up).
    auto quiet = f.Sync();
    CHECK(quiet.counts["lifecycle.contacts_changed"] == 0);
    CHECK(quiet.counts["lifecycle.updated.companies"] == 0);
    CHECK(CompanyStage(f, behind).empty());
    // A person qualifies the contact in HubSpot: its companies follow, forward only (R99).
    f.UpdateContact(hs, {{"lifecyclestage", "salesqualifiedlead"}});
    auto r = f.Sync();
    CHECK(r.counts["lifecycle.contacts_changed"] == (with_companies ? 1 : 0));
    CHECK(r.counts["lifecycle.updated.companies"] == (with_companies ? 1 : 0));
    CHECK(CompanyStage(f, behind) == (with_companies ? "salesqualifiedlead" : ""));
    CHECK(CompanyStage(f, ahead) == "evangelist");
    // Moving the contact back does not move the company back.
    f.UpdateContact(hs, {{"lifecyclestage", "lead"}});
    auto back = f.Sync();
    CHECK(back.counts["lifecycle.contacts_changed"] == (with_companies ? 1 : 0));
    CHECK(back.counts["lifecycle.updated.companies"] == 0);
    CHECK(CompanyStage(f, behind) == (with_companies ? "salesqualifiedlead" : ""));
    // Nothing changed since: nothing looked up, nothing written.
    auto again = f.Sync();
    CHECK(again.counts["lifecycle.contacts_changed"] == 0);
    CHECK(again.counts["lifecycle.updated.companies"] == 0);
  }
}

TEST_CASE("R73_a_page_s_companies_move_while_its_contacts_sync") {
  EngineFixture f;
  f.Rules(LifecycleRules("") + kCompaniesUpdateOnly);
  auto [hs, contact] = SyncedContact(f, "r73c@example.com", "lead");
  const std::string behind = CompanyOf(f, hs, "Behind Inc", "");
  f.Sync();
  // A person qualifies and renames the contact in HubSpot. Its page reads the contact's
  // Salesforce counterpart (the run's first read of Salesforce contacts by id), and R73 reads its
  // companies (StartCompaniesFollow), each answered in 1.2 s. One after the other: 2.4 s.
  f.UpdateContact(hs, {{"lifecyclestage", "salesqualifiedlead"}, {"firstname", "Renamed"}});
  constexpr int kLatencyMs = 1200;
  const std::string companies_read = "associations/contacts/companies/batch/read";
  const std::string counterpart_read = "GET /services/data/{version}/composite/sobjects/Contact";
  f.hubspot_sb->AddFault(SlowCalls(companies_read, kLatencyMs));
  f.salesforce_sb->AddFault(SlowCalls(counterpart_read, kLatencyMs));
  f.hubspot_sb->ResetCallCounts();
  f.salesforce_sb->ResetCallCounts();
  engine::RunReport r;
  const int64_t ms = ElapsedMs([&] { r = f.Sync(); });
  CHECK(f.hubspot_sb->CallCount(companies_read) == 1);
  CHECK(f.salesforce_sb->CallCount(counterpart_read) >= 1);
  CHECK(r.counts["lifecycle.contacts_changed"] == 1);
  CHECK(r.counts["lifecycle.updated.companies"] == 1);
  CHECK(CompanyStage(f, behind) == "salesqualifiedlead");
  CHECK(f.Sf("Contact", contact)["FirstName"] == "Renamed");
  CHECK(ms >= kLatencyMs);
  CHECK_MESSAGE(ms < 2 * kLatencyMs - 300, "the sync took " << ms << " ms");
  // The stage seen is remembered once the page is done: the next run moves nothing.
  auto again = f.Sync();
  CHECK(again.counts["lifecycle.contacts_changed"] == 0);
  CHECK(again.counts["lifecycle.updated.companies"] == 0);
}

TEST_CASE("R73_a_page_s_companies_are_looked_up_while_the_page_before_s_move") {
  EngineFixture f;
  f.Rules(LifecycleRules("") + kCompaniesUpdateOnly);
  auto [ann, ann_sf] = SyncedContact(f, "r73d@example.com", "lead");
  auto [bob, bob_sf] = SyncedContact(f, "r73e@example.com", "lead");
  const std::string ann_co = CompanyOf(f, ann, "Ann Inc", "");
  const std::string bob_co = CompanyOf(f, bob, "Bob Inc", "");
  f.Sync();
  // One contact per HubSpot page; both are qualified. Page 1's company update and page 2's
  // association read are each answered in 1 s. Page 2's read is sent when page 2 is handed out,
  // so it is answered while page 1's move is out: about 1 s in all. Read after page 1's move
  // (the moves of one page after the other's, with their reads): 2 s.
  connectors::HubSpotConfig hc;
  hc.session = f.Session(f.hubspot_sb->base_url(), f.hubspot_sb->token());
  hc.search_page = 1;
  f.hs = std::make_unique<connectors::HubSpotConnector>(hc);
  f.UpdateContact(ann, {{"lifecyclestage", "salesqualifiedlead"}});
  f.Tick();
  f.UpdateContact(bob, {{"lifecyclestage", "opportunity"}});
  constexpr int kLatencyMs = 1000;
  const std::string companies_read = "associations/contacts/companies/batch/read";
  f.hubspot_sb->AddFault(SlowCalls("companies/batch/update", kLatencyMs, 1, 1));
  f.hubspot_sb->AddFault(SlowCalls(companies_read, kLatencyMs, 1, 2));
  f.hubspot_sb->ResetCallCounts();
  engine::RunReport r;
  const int64_t ms = ElapsedMs([&] { r = f.Sync(); });
  CHECK(f.hubspot_sb->CallCount(companies_read) == 2);
  CHECK(f.hubspot_sb->CallCount("companies/batch/update") == 2);
  CHECK(r.counts["lifecycle.contacts_changed"] == 2);
  CHECK(r.counts["lifecycle.updated.companies"] == 2);
  CHECK(CompanyStage(f, ann_co) == "salesqualifiedlead");
  CHECK(CompanyStage(f, bob_co) == "opportunity");
  CHECK(ms >= kLatencyMs);
  CHECK_MESSAGE(ms < 2 * kLatencyMs - 300, "the sync took " << ms << " ms");
  // Both pages' stages are remembered and their watermarks stored: the next run moves nothing.
  auto again = f.Sync();
  CHECK(again.counts["lifecycle.contacts_changed"] == 0);
  CHECK(again.counts["lifecycle.updated.companies"] == 0);
  CHECK(again.counts["read.hubspot"] <= 2);  // the two contacts' echo at most, not older pages
}

TEST_CASE("R104_a_contacts_stage_change_does_not_move_its_company") {
  // The company -> contact propagation (R103, `spread to company contacts`) is one-way. With
  // companies syncing too, R73 (the newer company-sync documentation) moves companies instead:
  // see the R73 tests above.
  EngineFixture f;
  f.Rules(LifecycleRules(kOn));
  auto [hs, contact] = SyncedContact(f, "r104a@example.com");
  const std::string peer =
      f.CreateContact({{"email", "r104b@example.com"}, {"lifecyclestage", "subscriber"}});
  const std::string co = CompanyOf(f, hs, "Acme", "lead");
  connectors::Association a;
  a.from_id = peer;
  a.to_id = co;
  REQUIRE(f.hs->Associate("contacts", "companies", {a})[0].ok);
  f.Sync();
  // A person moves the contact forward in HubSpot: neither its company nor, through it, the
  // company's other contacts follow.
  f.UpdateContact(hs, {{"lifecyclestage", "salesqualifiedlead"}});
  auto edited = f.Sync();
  CHECK(Stage(f, hs) == "salesqualifiedlead");
  CHECK(CompanyStage(f, co) == "lead");
  CHECK(Stage(f, peer) == "subscriber");
  CHECK(Count(edited, "lifecycle.updated.companies") == 0);
  // A transition from Salesforce spreads to the company's contacts (R103), and still leaves
  // the company's own stage alone.
  AddRole(f, Opportunity(f, "Closed Won"), contact);
  auto won = f.Sync();
  CHECK(Stage(f, hs) == "customer");
  CHECK(Stage(f, peer) == "customer");
  CHECK(CompanyStage(f, co) == "lead");
  CHECK(Count(won, "lifecycle.updated.companies") == 0);
  // The Salesforce side is untouched by either move, and the pair is still linked.
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", hs)->salesforce_id == contact);
  CHECK(f.Sf("Contact", contact)["Email"] == "r104a@example.com");
}

std::string PicklistRules(const std::string& modes) {
  return ContactRules(
      "  to salesforce: create or update Contact\n  from salesforce: create or update\n" + modes,
      "    state <-> Contact.MailingState\n    country <-> Contact.MailingCountry");
}

TEST_CASE("R110_R113_enabled_match_defaults_sends_codes_for_what_people_type") {
  EngineFixture f;
  f.Rules(PicklistRules("  picklists { salesforce: enabled  hubspot: match_defaults }"));
  f.CreateContact(
      {{"email", "p1@example.com"}, {"lastname", "P"}, {"country", " usa "}, {"state", "calif"}});
  auto r = f.Sync();
  CHECK(r.errors.empty());
  auto rows =
      f.SfByEmail("Contact", "p1@example.com",
                  {"MailingCountry", "MailingCountryCode", "MailingState", "MailingStateCode"});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].fields["MailingCountryCode"] == "US");
  CHECK(rows[0].fields["MailingStateCode"] == "CA");
  CHECK(rows[0].fields["MailingState"] == "California");
  // Nothing echoes back as a change.
  auto again = f.Sync();
  CHECK(again.counts["updated.salesforce"] + again.counts["updated.hubspot"] <= 1);
}

TEST_CASE("R112_customized_reads_the_orgs_picklists_from_its_describe") {
  EngineFixture f;
  f.Rules(PicklistRules("  picklists { salesforce: customized  hubspot: match_defaults }"));
  f.CreateContact(
      {{"email", "c1@example.com"}, {"lastname", "P"}, {"country", "usa"}, {"state", "calif"}});
  const auto before = f.salesforce_sb->CallCounts();
  auto r = f.Sync();
  CHECK(r.errors.empty());
  // One describe per run gives the org's table (here the sandbox's default org).
  int64_t describes = 0;
  for (const auto& [k, v] : f.salesforce_sb->CallCounts())
    if (k.find("/describe") != std::string::npos) {
      auto it = before.find(k);
      describes += v - (it == before.end() ? 0 : it->second);
    }
  CHECK(describes == 1);
  auto described = f.sf->Describe("Contact");
  REQUIRE(std::holds_alternative<schema::Object>(described));
  const schema::Field* codes = std::get<schema::Object>(described).FindField("MailingCountryCode");
  REQUIRE(codes);
  CHECK(Count(r, "picklists.org_countries") == static_cast<int64_t>(codes->options.size()));
  CHECK(codes->options.size() > 200);
  auto rows = f.SfByEmail("Contact", "c1@example.com", {"MailingCountryCode", "MailingStateCode"});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].fields["MailingCountryCode"] == "US");
  CHECK(rows[0].fields["MailingStateCode"] == "CA");
}

// An org whose State and Country picklists an admin changed (`settings`, as the sandbox's
// /_sandbox/addressSettings takes them), synced with `salesforce: <mode>`.
void CustomisedOrg(EngineFixture& f, const json& settings, const char* mode) {
  f.salesforce_sb->SetAddressSettings(settings);
  f.Rules(PicklistRules(std::string("  picklists { salesforce: ") + mode +
                        "  hubspot: match_defaults }"));
}

TEST_CASE("R112_customized_follows_the_orgs_custom_and_deactivated_values") {
  // The org added a custom country and deactivated Germany (Setup / Metadata API).
  const json settings = {
      {"countries",
       {{{"isoCode", "XS"}, {"label", "Sealand"}, {"integrationValue", "Sealand"}},
        {{"isoCode", "DE"}, {"active", false}}}}};
  for (const char* mode : {"customized", "enabled"}) {
    CAPTURE(mode);
    EngineFixture f;
    CustomisedOrg(f, settings, mode);
    f.CreateContact({{"email", "sealand@example.com"}, {"lastname", "P"}, {"country", "sealand"}});
    const std::string de =
        f.CreateContact({{"email", "de@example.com"}, {"lastname", "P"}, {"country", "Germany"}});
    const int64_t sf_writes_before = f.SalesforceWrites();
    auto r = f.Sync();
    auto rows = f.SfByEmail("Contact", "sealand@example.com", {"MailingCountryCode"});
    CHECK(f.SfByEmail("Contact", "de@example.com").empty());
    if (std::string(mode) == "customized") {
      // The org's table: the custom country is sent as its code, the inactive one fails as a
      // picklist error before any call.
      REQUIRE(rows.size() == 1);
      CHECK(rows[0].fields["MailingCountryCode"] == "XS");
      CHECK(r.errors["picklist"] == 1);
      auto errors = f.store.OpenErrors();
      REQUIRE(errors.size() == 1);
      CHECK(errors[0].record_id == de);
      CHECK(f.SalesforceWrites() - sf_writes_before == 1);  // one collection, Sealand only
    } else {
      // Salesforce's defaults know no Sealand; Germany reaches the API and is refused there.
      CHECK(rows.empty());
      CHECK(r.errors["picklist"] == 2);
      bool refused_by_api = false;
      for (const auto& e : f.store.OpenErrors())
        if (e.record_id == de) refused_by_api = e.code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST";
      CHECK(refused_by_api);
    }
  }
}

TEST_CASE("R112_custom_integration_values_echo_nothing_back") {
  // The org's text fields hold "USA" / "Calif." (customised integration values).
  const json settings = {{"countries",
                          {{{"isoCode", "US"},
                            {"integrationValue", "USA"},
                            {"states", {{{"isoCode", "CA"}, {"integrationValue", "Calif."}}}}}}}};
  for (const char* mode : {"customized", "enabled"}) {
    CAPTURE(mode);
    EngineFixture f;
    CustomisedOrg(f, settings, mode);
    const std::string hs = f.CreateContact(
        {{"email", "iv@example.com"}, {"lastname", "P"}, {"country", "U.S."}, {"state", "CA"}});
    auto first = f.Sync();
    CHECK(first.errors.empty());
    auto rows = f.SfByEmail("Contact", "iv@example.com",
                            {"MailingCountry", "MailingCountryCode", "MailingState"});
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].fields["MailingCountryCode"] == "US");
    CHECK(rows[0].fields["MailingCountry"] == "USA");
    CHECK(rows[0].fields["MailingState"] == "Calif.");
    // HubSpot keeps Salesforce's default names (match_defaults), and nothing goes back and
    // forth on the next runs.
    CHECK(Text(f.Contact(hs)["country"]) == "United States");
    CHECK(Text(f.Contact(hs)["state"]) == "California");
    f.Sync();
    const int64_t hs_writes = f.HubSpotWrites(), sf_writes = f.SalesforceWrites();
    auto again = f.Sync();
    CHECK(f.HubSpotWrites() == hs_writes);
    CHECK(f.SalesforceWrites() == sf_writes);
  }
}

// R108: the recommended HubSpot setup makes State/Region and Country/Region dropdown selects
// loaded with HubSpot's built-in options (a few of them in the test's schema), so every value
// is one Salesforce's picklists accept. Those dropdowns map to the address's State/Country
// fields like the free-text properties do: their values reach Salesforce as valid codes, and
// Salesforce's values come back as options of the dropdowns.
TEST_CASE("R108_state_and_country_dropdowns_with_hubspots_options_pass_salesforce_picklists") {
  EngineFixture f({SYNCLINE_SOURCE_DIR "/tests/e2e/engine/data/r108-dropdowns"});
  f.Rules(PicklistRules("  picklists { salesforce: enabled  hubspot: match_defaults }"));
  f.CreateContact({{"email", "dd@example.com"},
                   {"lastname", "P"},
                   {"country", "United States"},
                   {"state", "New York"}});
  f.CreateSf("Contact", {{"Email", "qc@example.com"},
                         {"LastName", "Q"},
                         {"MailingCountryCode", "CA"},
                         {"MailingStateCode", "QC"}});
  auto r = f.Sync();
  CHECK(r.errors.empty());
  auto rows =
      f.SfByEmail("Contact", "dd@example.com",
                  {"MailingCountry", "MailingCountryCode", "MailingState", "MailingStateCode"});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].fields["MailingCountryCode"] == "US");
  CHECK(rows[0].fields["MailingStateCode"] == "NY");
  CHECK(rows[0].fields["MailingState"] == "New York");
  auto found = f.ContactsByEmail("qc@example.com");
  REQUIRE(found.size() == 1);
  const json c = f.Contact(found[0].id);
  CHECK(c["country"] == "Canada");
  CHECK(c["state"] == "Quebec");
  // Nothing echoes back as a change.
  auto again = f.Sync();
  CHECK(Count(again, "updated.salesforce") + Count(again, "updated.hubspot") == 0);
}

TEST_CASE("R109_state_without_country_is_a_picklist_error") {
  EngineFixture f;
  f.Rules(PicklistRules("  picklists { salesforce: enabled  hubspot: match_defaults }"));
  const std::string hs =
      f.CreateContact({{"email", "p2@example.com"}, {"lastname", "P"}, {"state", "WA"}});
  auto r = f.Sync();
  CHECK(r.errors["picklist"] == 1);
  CHECK(f.SfByEmail("Contact", "p2@example.com").empty());
  auto errors = f.store.OpenErrors();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].record_id == hs);
}

TEST_CASE("R142_errors_are_retried_after_30_minutes_but_not_past_the_call_budget") {
  for (const bool over_budget : {false, true}) {
    CAPTURE(over_budget);
    EngineFixture f;
    if (over_budget) {
      // No cap allocated: retries stop past this many Salesforce calls in a day (5,000 by
      // default; 1 here, so the first run is over it).
      connectors::http::LimitOptions lo;
      lo.no_cap_retry_stop = 1;
      connectors::SalesforceConfig sc;
      sc.session = f.Session(f.salesforce_sb->base_url(), f.salesforce_sb->token());
      sc.session.limits = std::make_shared<connectors::http::ApiLimits>(lo);
      f.sf = std::make_unique<connectors::SalesforceConnector>(sc);
    }
    f.Rules(PicklistRules("  picklists { salesforce: enabled  hubspot: match_defaults }"));
    f.CreateContact({{"email", "p9@example.com"}, {"lastname", "P"}, {"state", "WA"}});
    CHECK(f.Sync().errors["picklist"] == 1);
    // Unchanged, the record is not in the change feed: only the retry reads it again.
    f.Tick(31 * 60'000);
    auto r = f.Sync();
    if (over_budget) {
      CHECK(r.counts["retries.paused"] >= 1);
      CHECK(r.counts["retried"] == 0);
    } else {
      CHECK(r.counts["retried"] == 1);
      CHECK(r.counts["retries.paused"] == 0);
    }
  }
}

TEST_CASE("R111_state_outside_its_country_is_a_picklist_error") {
  EngineFixture f;
  f.Rules(PicklistRules("  picklists { salesforce: enabled  hubspot: match_defaults }"));
  f.CreateContact(
      {{"email", "p3@example.com"}, {"lastname", "P"}, {"country", "US"}, {"state", "Ontario"}});
  auto r = f.Sync();
  CHECK(r.errors["picklist"] == 1);
}

// State and country under the integration's default rule (prefer Salesforce unless blank),
// Salesforce's picklists enabled.
std::string PreferSalesforceAddressRules(const std::string& more = "") {
  return ContactRules(
      "  to salesforce: create or update Contact\n"
      "  picklists { salesforce: enabled  hubspot: match_defaults }",
      "    state <-> Contact.MailingState prefer salesforce unless blank\n"
      "    country <-> Contact.MailingCountry prefer salesforce unless blank" +
          more);
}
const std::vector<std::string> kAddressFields = {"FirstName", "MailingCountryCode",
                                                 "MailingStateCode"};
const char* kFirstName = "\n    firstname <-> FirstName prefer salesforce unless blank";

// A pair whose decision keeps Salesforce's country (prefer Salesforce unless blank, R3) sends
// HubSpot's state alone: with HubSpot's country code beside it, the state write overwrote the
// country the decision had just written into HubSpot, and which side ended with which country
// depended on the order of the two writes. Ontario is no state of France: a picklist error.
TEST_CASE("R111_a_state_is_not_sent_with_a_country_the_decision_did_not_choose") {
  EngineFixture f;
  f.Rules(PreferSalesforceAddressRules());
  f.CreateContact({{"email", "p7@example.com"},
                   {"lastname", "P"},
                   {"country", "Canada"},
                   {"state", "Ontario"}});
  f.CreateSf("Contact",
             {{"Email", "p7@example.com"}, {"LastName", "P"}, {"MailingCountryCode", "FR"}});
  auto r = f.Sync();
  CHECK(r.errors["picklist"] == 1);
  CHECK(Count(r, "errors.open_before") == 0);
  auto rows = f.SfByEmail("Contact", "p7@example.com",
                          {"MailingCountry", "MailingCountryCode", "MailingStateCode"});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].fields["MailingCountryCode"] == "FR");
  CHECK(rows[0].fields["MailingStateCode"].is_null());
  auto found = f.ContactsByEmail("p7@example.com");
  REQUIRE(found.size() == 1);
  const json c = f.Contact(found[0].id);
  CHECK(c["country"] == "France");
  CHECK(c["state"] == "Ontario");
  // The next run sees the same: still an error, and Salesforce's country stays.
  auto again = f.Sync();
  CHECK(again.errors["picklist"] == 1);
  CHECK(Count(again, "errors.open_before") == 1);  // the same error, not a new one
  rows = f.SfByEmail("Contact", "p7@example.com", {"MailingCountryCode"});
  CHECK(rows[0].fields["MailingCountryCode"] == "FR");
}

// R150: each side's error is its own. The pair above, with HubSpot's update failing once too:
// the next run writes HubSpot and resolves HubSpot's error, while Salesforce's picklist error
// (which no retry fixes) stays open. Both stayed open while either side failed.
TEST_CASE("R150_a_side_s_error_resolves_when_that_side_succeeds_while_the_other_still_fails") {
  EngineFixture f;
  f.options.retry_interval_ms = 1000;
  f.Rules(PreferSalesforceAddressRules());
  const std::string hs = f.CreateContact({{"email", "p8@example.com"},
                                          {"lastname", "P"},
                                          {"country", "Canada"},
                                          {"state", "Ontario"}});
  f.CreateSf("Contact",
             {{"Email", "p8@example.com"}, {"LastName", "P"}, {"MailingCountryCode", "FR"}});
  sandbox::FaultSpec fault;
  fault.endpoint = "batch/update";
  fault.fail_items = {0};
  f.hubspot_sb->AddFault(fault);
  auto first = f.Sync();
  f.hubspot_sb->ClearFaults();
  CHECK(first.errors["picklist"] == 1);
  CHECK(first.errors["server"] == 1);
  CHECK(f.Contact(hs)["country"] == "Canada");
  f.Tick(5000);
  f.Sync();
  CHECK(f.Contact(hs)["country"] == "France");
  auto open = f.store.OpenErrors();
  REQUIRE(open.size() == 1);
  CHECK(open[0].category == "picklist");
  CHECK(open[0].side == state::Side::kSalesforce);
}

// A HubSpot state Salesforce would reject fails only the records that would send it. Here
// Salesforce keeps its own state and country (prefer Salesforce unless blank), so HubSpot's WA
// without a country is never sent: the first name is, and HubSpot takes Salesforce's address.
// It failed the whole record before, and the first name waited for a run after HubSpot's
// address had been overwritten.
TEST_CASE("R109_a_state_that_is_not_sent_fails_nothing") {
  EngineFixture f;
  f.Rules(PreferSalesforceAddressRules(kFirstName));
  const std::string hs = f.CreateContact(
      {{"email", "p10@example.com"}, {"lastname", "P"}, {"firstname", "Ann"}, {"state", "WA"}});
  const std::string sf = f.CreateSf("Contact", {{"Email", "p10@example.com"},
                                                {"LastName", "P"},
                                                {"MailingCountryCode", "US"},
                                                {"MailingStateCode", "TX"}});
  auto r = f.Sync();
  CHECK(r.errors.empty());
  CHECK(f.store.OpenErrors().empty());
  const json row = f.Sf("Contact", sf, kAddressFields);
  CHECK(row["FirstName"] == "Ann");
  CHECK(row["MailingStateCode"] == "TX");
  CHECK(row["MailingCountryCode"] == "US");
  const json c = f.Contact(hs);
  CHECK(c["state"] == "Texas");
  CHECK(c["country"] == "United States");
  auto again = f.Sync();
  CHECK(again.errors.empty());
  CHECK(Count(again, "updated.salesforce") + Count(again, "updated.hubspot") == 0);
}

// A state sent alone (the decision keeps Salesforce's country) is checked against Salesforce's
// country, as Salesforce checks it: HubSpot's Jalisco without a country is Mexico's Jalisco on
// a Mexican contact, sent as its code in the first run. It was a picklist error before, and the
// state went to Salesforce one run later, once HubSpot had taken Salesforce's country.
TEST_CASE("R111_a_state_sent_alone_is_checked_against_salesforce_s_country") {
  EngineFixture f;
  f.Rules(PreferSalesforceAddressRules(kFirstName));
  const std::string hs = f.CreateContact({{"email", "p11@example.com"},
                                          {"lastname", "P"},
                                          {"firstname", "Bob"},
                                          {"state", "Jalisco"}});
  const std::string sf = f.CreateSf(
      "Contact", {{"Email", "p11@example.com"}, {"LastName", "P"}, {"MailingCountryCode", "MX"}});
  auto r = f.Sync();
  CHECK(r.errors.empty());
  const json row = f.Sf("Contact", sf, kAddressFields);
  CHECK(row["FirstName"] == "Bob");
  CHECK(row["MailingStateCode"] == "JA");  // Salesforce's code for Jalisco
  CHECK(row["MailingCountryCode"] == "MX");
  const json c = f.Contact(hs);
  CHECK(c["state"] == "Jalisco");
  CHECK(c["country"] == "Mexico");
  auto again = f.Sync();
  CHECK(again.errors.empty());
  CHECK(Count(again, "updated.salesforce") + Count(again, "updated.hubspot") == 0);
}

// A record that would send a state Salesforce rejects still fails as a whole, as Salesforce
// rejects the whole record: its first name waits with it. Ontario is no state of France.
TEST_CASE("R111_a_record_that_would_send_a_rejected_state_sends_nothing") {
  EngineFixture f;
  f.Rules(PreferSalesforceAddressRules(kFirstName));
  const std::string hs = f.CreateContact(
      {{"email", "p12@example.com"}, {"lastname", "P"}, {"firstname", "Cy"}, {"state", "Ontario"}});
  const std::string sf = f.CreateSf(
      "Contact", {{"Email", "p12@example.com"}, {"LastName", "P"}, {"MailingCountryCode", "FR"}});
  auto r = f.Sync();
  CHECK(r.errors["picklist"] == 1);
  const json row = f.Sf("Contact", sf, kAddressFields);
  CHECK(row["FirstName"].is_null());
  CHECK(row["MailingStateCode"].is_null());
  auto open = f.store.OpenErrors();
  REQUIRE(open.size() == 1);
  CHECK(open[0].record_id == hs);
  CHECK(open[0].code == "E0602");
  // HubSpot's side is written: Salesforce's country.
  CHECK(f.Contact(hs)["country"] == "France");
}

TEST_CASE("R112_disabled_as_is_passes_text_through_unchanged") {
  EngineFixture f;
  f.Rules(PicklistRules("  picklists { salesforce: disabled  hubspot: as_is }"));
  f.CreateContact({{"email", "p4@example.com"},
                   {"lastname", "P"},
                   {"country", "Canada"},
                   {"state", "Ontario"}});
  auto r = f.Sync();
  CHECK(r.errors.empty());
  auto rows = f.SfByEmail("Contact", "p4@example.com", {"MailingCountry", "MailingState"});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].fields["MailingCountry"] == "Canada");
  CHECK(rows[0].fields["MailingState"] == "Ontario");
}

TEST_CASE("R112_disabled_match_defaults_writes_default_names_as_text") {
  EngineFixture f;
  f.Rules(PicklistRules("  picklists { salesforce: disabled  hubspot: match_defaults }"));
  f.CreateContact(
      {{"email", "p6@example.com"}, {"lastname", "P"}, {"country", "u.s.a."}, {"state", "calif"}});
  auto r = f.Sync();
  CHECK(r.errors.empty());
  auto rows = f.SfByEmail("Contact", "p6@example.com", {"MailingCountry", "MailingState"});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].fields["MailingCountry"] == "United States");
  CHECK(rows[0].fields["MailingState"] == "California");
}

TEST_CASE("R113_salesforce_codes_come_back_as_default_names") {
  EngineFixture f;
  f.Rules(PicklistRules("  picklists { salesforce: enabled  hubspot: match_defaults }"));
  f.CreateSf("Contact", {{"Email", "p5@example.com"},
                         {"LastName", "P"},
                         {"MailingCountryCode", "CA"},
                         {"MailingStateCode", "ON"}});
  f.Sync();
  auto found = f.ContactsByEmail("p5@example.com");
  REQUIRE(found.size() == 1);
  const json c = f.Contact(found[0].id);
  CHECK(c["country"] == "Canada");
  CHECK(c["state"] == "Ontario");
}

}  // namespace
}  // namespace syncline::test
