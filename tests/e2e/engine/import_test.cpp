// Import from Salesforce (R125-R129) end to end: PlanImport + RunImport (what `syncline
// import` runs) over real HTTP against both sandboxes, checked by reading the CRMs back.
#include <algorithm>

#include "engine_fixture.h"
#include "runtime/engine/import_runner.h"

namespace syncline::test {
namespace {

const char* kCompanies =
    "sync companies: hubspot.companies <-> salesforce.Account {\n"
    "  from salesforce: create or update\n"
    "  to salesforce: create or update\n"
    "  map {\n"
    "    name <-> Name prefer salesforce unless blank\n"
    "      to salesforce = name ?? \"Unnamed company\"\n"
    "    phone <-> Phone two-way\n"
    "  }\n"
    "}\n";

const char* kDeals =
    "sync deals: hubspot.deals <-> salesforce.Opportunity {\n"
    "  stages pipeline \"default\" {\n"
    "    appointmentscheduled <-> \"Prospecting\"\n"
    "    qualifiedtobuy <-> \"Qualification\", \"Needs Analysis\"\n"
    "    closedwon <-> \"Closed Won\"\n"
    "    closedlost <-> \"Closed Lost\"\n"
    "  }\n"
    "  map {\n"
    "    dealname <-> Name two-way\n"
    "      to salesforce = dealname ?? \"Untitled deal\"\n"
    "    amount <-> Amount two-way\n"
    "    closedate <-> CloseDate two-way\n"
    "    dealstage <-> StageName two-way\n"
    "  }\n"
    "}\n";

const char* kTickets =
    "sync tickets: hubspot.tickets <- salesforce.Case {\n"
    "  from salesforce: create or update\n"
    "  map {\n"
    "    subject <- Subject\n"
    "    hs_pipeline_stage <- Status = match Status {\n"
    "      \"New\" => \"1\"\n"
    "      _ => \"2\"\n"
    "    }\n"
    "  }\n"
    "}\n";

struct Imported {
  engine::ImportPlan plan;
  engine::ImportResult result;
  std::map<std::string, int64_t> counts() const { return result.total.counts; }
  int64_t count(const std::string& key) const {
    auto it = result.total.counts.find(key);
    return it == result.total.counts.end() ? 0 : it->second;
  }
};

// What `syncline import` does: plan the request, then run it (REQUIRE: the plan is accepted).
Imported Import(EngineFixture& f, const engine::ImportRequest& request, bool dry_run = false) {
  f.Tick();
  Imported out;
  out.plan = engine::PlanImport(f.rules->syncs(), *f.sf, request, f.rules->activities());
  REQUIRE_MESSAGE(out.plan.error.empty(), out.plan.error);
  engine::RunOptions o = f.options;
  o.dry_run = dry_run;
  out.result = engine::RunImport(out.plan, *f.hs, *f.sf, f.store, o);
  INFO("import message: " << out.result.total.message);
  CHECK(out.result.total.status == "ok");
  f.Tick();
  return out;
}

// The refusal of a request the rules cannot do.
std::string Refusal(EngineFixture& f, const engine::ImportRequest& request) {
  return engine::PlanImport(f.rules->syncs(), *f.sf, request, f.rules->activities()).error;
}

std::vector<connectors::Record> AllHs(EngineFixture& f, const std::string& object,
                                      const std::vector<std::string>& fields) {
  std::vector<connectors::Record> out;
  REQUIRE(f.hs->ReadChanges(object, "", fields,
                            [&](connectors::ChangePage& p) {
                              for (auto& r : p.records) out.push_back(std::move(r));
                              return true;
                            })
              .ok());
  return out;
}

// Every HubSpot contact's email, sorted, joined by spaces.
std::string Emails(EngineFixture& f) {
  std::vector<std::string> out;
  for (const auto& r : AllHs(f, "contacts", {"email"}))
    out.push_back(r.fields.value("email", std::string()));
  std::sort(out.begin(), out.end());
  std::string joined;
  for (const auto& e : out) joined += (joined.empty() ? "" : " ") + e;
  return joined;
}

std::string Lead(EngineFixture& f, const std::string& email, const std::string& last) {
  json fields = {{"LastName", last}, {"Company", last + " Co"}};
  if (!email.empty()) fields["Email"] = email;
  return f.CreateSf("Lead", fields);
}

// ---- contacts: email rules

TEST_CASE("R33_R128_import_skips_records_without_email") {
  EngineFixture f;
  f.Rules(ContactRules("", ""));
  Lead(f, "ann@ex.com", "Ann");
  Lead(f, "", "Nomail");
  Lead(f, "bob@ex.com", "Bob");
  f.CreateSf("Contact", {{"LastName", "Nomail Contact"}});
  const int64_t sf_writes = f.SalesforceWrites();
  auto r = Import(f, {"", "", std::nullopt});  // every object of the sync: leads, then contacts
  CHECK(r.count("read.salesforce") == 4);
  CHECK(r.count("skipped.no_key") == 2);
  CHECK(r.count("created.hubspot") == 2);
  CHECK(Emails(f) == "ann@ex.com bob@ex.com");
  // Through the sync's mappings: the other mapped fields come along.
  CHECK(f.ContactsByEmail("ann@ex.com").at(0).fields["lastname"] == "Ann");
  CHECK(f.Contact(f.ContactsByEmail("ann@ex.com").at(0).id)["company"] == "Ann Co");
  CHECK(f.SalesforceWrites() == sf_writes);  // an import writes HubSpot only
}

TEST_CASE("R128_one_contact_per_email_and_existing_contacts_are_matched_by_email") {
  EngineFixture f;
  f.Rules(ContactRules("", ""));
  // An org whose duplicate rules allow several leads with one email (as many do).
  auto limits = f.salesforce_sb->limits();
  limits.duplicate_rules = false;
  f.salesforce_sb->SetLimits(limits);
  const std::string existing = f.CreateContact({{"email", "old@ex.com"}});
  const std::string old_lead = Lead(f, "Old@Ex.com", "Oldfield");
  Lead(f, "Dup@ex.com", "First");
  Lead(f, "dup@ex.com", "Second");
  const std::string newest = Lead(f, "DUP@EX.COM", "Third");
  auto leads = Import(f, {"Lead", "", std::nullopt});
  CHECK(leads.count("created.hubspot") == 1);
  CHECK(leads.count("skipped.duplicate_key") == 2);
  CHECK(leads.count("linked") == 1);
  CHECK(Emails(f) == "DUP@EX.COM old@ex.com");  // one contact; the newest lead's spelling
  // The existing contact (case-insensitive match) is paired with its lead and filled in.
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", existing);
  REQUIRE(link);
  CHECK(link->salesforce_id == old_lead);
  CHECK(f.Contact(existing)["lastname"] == "Oldfield");
  // Of the three leads with one email, the most recently updated one is paired (R50).
  auto dup = f.ContactsByEmail("dup@ex.com");
  REQUIRE(dup.size() == 1);
  CHECK(dup[0].fields["lastname"] == "Third");
  auto dup_link = f.store.FindLink(state::Side::kHubSpot, "contacts", dup[0].id);
  REQUIRE(dup_link);
  CHECK(dup_link->salesforce_id == newest);
  // A Salesforce contact with the same email, imported later, makes no second contact.
  f.CreateSf("Contact", {{"LastName", "Contacty"}, {"Email", "dup@ex.com"}});
  auto contacts = Import(f, {"contact", "", std::nullopt});  // object names are case-insensitive
  CHECK(contacts.count("created.hubspot") == 0);
  // R128: net-new only; the HubSpot contact stays paired with its lead.
  CHECK(contacts.count("skipped.already_paired") == 1);
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", dup[0].id)->salesforce_id == newest);
  CHECK(Emails(f) == "DUP@EX.COM old@ex.com");  // one contact; the newest lead's spelling
}

TEST_CASE("import_links_so_a_later_run_makes_no_duplicates_and_a_second_import_none") {
  EngineFixture f;
  f.Rules(ContactRules("", "    phone <-> Phone two-way\n"));
  for (int i = 0; i < 5; ++i)
    Lead(f, "lead" + std::to_string(i) + "@ex.com", "L" + std::to_string(i));
  f.CreateSf("Contact", {{"LastName", "C"}, {"Email", "c@ex.com"}, {"Phone", "555-0101"}});
  auto first = Import(f, {"", "", std::nullopt});
  CHECK(first.count("created.hubspot") == 6);
  CHECK(f.store.Links("contacts").size() == 6);
  const int64_t sf_writes = f.SalesforceWrites();

  // Safe to re-run: everything is linked already, nothing is written.
  const int64_t hs_writes = f.HubSpotWrites();
  auto again = Import(f, {"", "", std::nullopt});
  CHECK(again.count("created.hubspot") == 0);
  CHECK(again.count("updated.hubspot") == 0);
  CHECK(again.count("unchanged") == 6);
  CHECK(f.HubSpotWrites() == hs_writes);

  // The first run reads everything (the import moved no watermark) and creates nothing.
  auto run = f.Sync();
  CHECK(run.counts["read.salesforce"] == 6);
  CHECK(run.counts["created.hubspot"] == 0);
  CHECK(run.counts["created.salesforce"] == 0);
  CHECK(AllHs(f, "contacts", {"email"}).size() == 6);
  f.Sync();
  CHECK(f.SalesforceWrites() == sf_writes);
  // And the pairs keep syncing: a Salesforce change reaches the imported contact.
  const auto c = f.SfByEmail("Contact", "c@ex.com");
  REQUIRE(c.size() == 1);
  f.UpdateSf("Contact", c[0].id, {{"Phone", "555-0199"}});
  f.Sync();
  CHECK(f.Contact(f.ContactsByEmail("c@ex.com").at(0).id)["phone"] == "555-0199");
}

TEST_CASE("import_writes_hubspot_only_and_the_next_run_sends_the_rest") {
  EngineFixture f;
  f.Rules(ContactRules("", ""));
  const std::string lead = Lead(f, "both@ex.com", "Older");
  // The HubSpot contact is edited later: its last name wins the first pairing (R8), but an
  // import does not write Salesforce.
  const std::string contact = f.CreateContact({{"email", "both@ex.com"}, {"lastname", "Newer"}});
  const int64_t sf_writes = f.SalesforceWrites();
  auto r = Import(f, {"Lead", "", std::nullopt});
  CHECK(r.count("linked") == 1);
  CHECK(f.SalesforceWrites() == sf_writes);
  CHECK(f.Sf("Lead", lead)["LastName"] == "Older");
  CHECK(f.Contact(contact)["company"] == "Older Co");  // HubSpot got what it lacked
  // The pairing stands; the next run sends the HubSpot value as a run would.
  auto run = f.Sync();
  CHECK(run.counts["created.salesforce"] == 0);
  CHECK(run.counts["created.hubspot"] == 0);
  CHECK(f.Sf("Lead", lead)["LastName"] == "Newer");
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", contact)->salesforce_id == lead);
}

TEST_CASE("import_records_no_salesforce_errors_for_values_it_does_not_send") {
  EngineFixture f;
  f.Rules(ContactRules("  picklists { salesforce: enabled  hubspot: match_defaults }",
                       "    state <-> Contact.MailingState\n"
                       "    country <-> Contact.MailingCountry"));
  // The HubSpot contact's state would be a picklist error on the way to Salesforce (R111).
  f.CreateContact({{"email", "pick@ex.com"}, {"country", "US"}, {"state", "Ontario"}});
  f.CreateSf("Contact", {{"LastName", "Pick"}, {"Email", "pick@ex.com"}});
  auto r = Import(f, {"Contact", "", std::nullopt});
  CHECK(r.count("linked") == 1);
  CHECK(r.result.total.errors.empty());
  CHECK(f.store.OpenErrors().empty());
  // The run that would send it records the error, as usual.
  auto run = f.Sync();
  CHECK(run.errors["picklist"] == 1);
}

TEST_CASE("R129_import_pulls_the_values_of_a_new_mapping") {
  EngineFixture f;
  f.Rules(ContactRules("", ""));
  const std::string lead = f.CreateSf(
      "Lead", {{"LastName", "Map"}, {"Company", "M"}, {"Email", "map@ex.com"}, {"Title", "CTO"}});
  f.Sync();
  f.Sync();
  const std::string contact = f.ContactsByEmail("map@ex.com").at(0).id;
  CHECK(f.Contact(contact)["jobtitle"].is_null());
  // A mapping added later: a run does not backfill it (nothing changed since the watermarks).
  f.Rules(ContactRules("", "    jobtitle <-> Title prefer salesforce unless blank\n"));
  f.Sync();
  CHECK(f.Contact(contact)["jobtitle"].is_null());
  auto r = Import(f, {"Lead", "", std::nullopt});
  CHECK(r.count("updated.hubspot") == 1);
  CHECK(f.Contact(contact)["jobtitle"] == "CTO");
  CHECK(f.store.FindLink(state::Side::kSalesforce, "Lead", lead)->hubspot_id == contact);
}

TEST_CASE("import_dry_run_writes_nothing") {
  EngineFixture f;
  f.Rules(ContactRules("", ""));
  Lead(f, "dry@ex.com", "Dry");
  auto r = Import(f, {"Lead", "", std::nullopt}, true);
  CHECK(r.count("created.hubspot") == 1);  // would be created
  REQUIRE(r.result.total.plan.size() == 1);
  CHECK(r.result.total.plan[0].action == "create");
  CHECK(r.result.total.plan[0].side == "hubspot");
  CHECK(AllHs(f, "contacts", {"email"}).empty());
  CHECK(f.store.Links("contacts").empty());
}

TEST_CASE("R28_import_creates_contacts_even_when_the_sync_creates_none") {
  EngineFixture f;
  f.Rules(ContactRules("  from salesforce: nothing", ""));
  Lead(f, "quiet@ex.com", "Quiet");
  auto run = f.Sync();
  CHECK(run.counts["created.hubspot"] == 0);
  CHECK(AllHs(f, "contacts", {"email"}).empty());
  auto r = Import(f, {"Lead", "", std::nullopt});
  CHECK(r.count("created.hubspot") == 1);
  CHECK(Emails(f) == "quiet@ex.com");
}

// ---- campaigns

TEST_CASE("import_campaign_members") {
  EngineFixture f;
  f.Rules(ContactRules("", ""));
  const std::string campaign =
      f.CreateSf("Campaign", {{"Name", "Spring Launch"}, {"IsActive", true}});
  const std::string in_lead = Lead(f, "in.lead@ex.com", "InLead");
  Lead(f, "out.lead@ex.com", "OutLead");
  const std::string in_contact =
      f.CreateSf("Contact", {{"LastName", "InContact"}, {"Email", "in.contact@ex.com"}});
  f.CreateSf("Contact", {{"LastName", "OutContact"}, {"Email", "out.contact@ex.com"}});
  const std::string no_mail = Lead(f, "", "NoMail");
  for (const auto& [field, id] : std::vector<std::pair<std::string, std::string>>{
           {"LeadId", in_lead}, {"ContactId", in_contact}, {"LeadId", no_mail}})
    f.CreateSf("CampaignMember", {{"CampaignId", campaign}, {field, id}});
  auto r = Import(f, {"", "Spring Launch", std::nullopt});
  CHECK(r.plan.campaign_id == campaign);
  CHECK(r.plan.campaign_leads == 2);
  CHECK(r.plan.campaign_contacts == 1);
  CHECK(r.count("read.salesforce") == 3);
  CHECK(r.count("skipped.no_key") == 1);
  CHECK(r.count("created.hubspot") == 2);
  CHECK(Emails(f) == "in.contact@ex.com in.lead@ex.com");
  // By id too, and again: nothing new.
  auto again = Import(f, {"Lead", campaign, std::nullopt});
  CHECK(again.count("read.salesforce") == 2);
  CHECK(again.count("created.hubspot") == 0);
  CHECK(Emails(f) == "in.contact@ex.com in.lead@ex.com");
}

TEST_CASE("R126_only_active_campaigns_can_be_imported") {
  EngineFixture f;
  f.Rules(ContactRules("", ""));
  const std::string campaign = f.CreateSf("Campaign", {{"Name", "Old News"}});  // not active
  f.CreateSf("CampaignMember", {{"CampaignId", campaign}, {"LeadId", Lead(f, "x@ex.com", "X")}});
  const std::string why = Refusal(f, {"", "Old News", std::nullopt});
  CHECK(why.find("not active") != std::string::npos);
  CHECK(why.find("R126") != std::string::npos);
  CHECK(Refusal(f, {"", "No Such Campaign", std::nullopt}).find("no Salesforce campaign") !=
        std::string::npos);
  CHECK(Refusal(f, {"Account", "Old News", std::nullopt}).find("Lead or Contact") !=
        std::string::npos);
  CHECK(AllHs(f, "contacts", {"email"}).empty());
}

// ---- accounts, opportunities, cases, tasks

TEST_CASE("R66_account_import_needs_company_sync") {
  EngineFixture f;
  f.Rules(ContactRules("", ""));
  f.CreateSf("Account", {{"Name", "Acme"}});
  const std::string why = Refusal(f, {"Account", "", std::nullopt});
  CHECK(why.find("R66") != std::string::npos);
  CHECK(why.find("sync companies") != std::string::npos);
  // With the company sync, the same import creates the company.
  f.Rules(ContactRules("", "") + kCompanies);
  auto r = Import(f, {"account", "", std::nullopt});
  CHECK(r.count("created.hubspot") == 1);
  auto companies = AllHs(f, "companies", {"name"});
  REQUIRE(companies.size() == 1);
  CHECK(companies[0].fields["name"] == "Acme");
}

TEST_CASE("R72_a_capped_account_import_stops_and_the_next_one_continues") {
  EngineFixture f;
  f.Rules(ContactRules("", "") + kCompanies);
  for (int i = 0; i < 5; ++i) {
    f.CreateSf("Account", {{"Name", "Co " + std::to_string(i)}});
    f.Tick();
  }
  // The default cap for accounts is HubSpot's 200,000 (R72): five come in at once.
  {
    const engine::ImportPlan plan =
        engine::PlanImport(f.rules->syncs(), *f.sf, {"Account", "", std::nullopt}, {});
    REQUIRE(plan.error.empty());
    CHECK_FALSE(plan.limit);
    CHECK(engine::kBulkCompanyResyncCap == 200'000);
  }
  const auto names = [&] {
    std::vector<std::string> out;
    for (const auto& r : AllHs(f, "companies", {"name"})) out.push_back(Text(r.fields["name"]));
    std::sort(out.begin(), out.end());
    return out;
  };
  // A dry run past the cap moves nothing.
  Import(f, {"Account", "", 2}, /*dry_run=*/true);
  CHECK(names().empty());
  const Imported first = Import(f, {"Account", "", 2});
  CHECK(first.count("import.capped") == 1);
  CHECK(first.count("created.hubspot") == 2);
  REQUIRE(first.result.by_object.size() == 1);
  CHECK(first.result.by_object[0].second.message.find(
            "We couldn't sync all your updates for this mapping") != std::string::npos);
  CHECK(names() == std::vector<std::string>{"Co 0", "Co 1"});  // oldest first
  const Imported second = Import(f, {"Account", "", 2});
  CHECK(second.count("import.resumed") == 1);
  CHECK(second.count("import.capped") == 1);
  CHECK(second.count("read.salesforce") == 2);
  CHECK(names().size() == 4);
  const Imported third = Import(f, {"Account", "", 2});
  CHECK(third.count("import.capped") == 0);  // the last one: complete, the cursor cleared
  CHECK(third.count("created.hubspot") == 1);
  CHECK(names() == std::vector<std::string>{"Co 0", "Co 1", "Co 2", "Co 3", "Co 4"});
  // A complete import starts again from the beginning: nothing new, nothing twice.
  const Imported again = Import(f, {"Account", "", 0});
  CHECK(again.count("import.resumed") == 0);
  CHECK(again.count("read.salesforce") == 5);
  CHECK(again.count("created.hubspot") == 0);
  CHECK(names().size() == 5);
  // Under the default cap (which keeps a cursor per page), a complete import leaves none
  // behind: the next one reads everything again.
  for (int i = 0; i < 2; ++i) {
    const Imported full = Import(f, {"Account", "", std::nullopt});
    CHECK(full.count("import.resumed") == 0);
    CHECK(full.count("read.salesforce") == 5);
    CHECK(full.count("import.capped") == 0);
  }
}

TEST_CASE("R77_opportunity_import_needs_deal_sync") {
  EngineFixture f;
  f.Rules(ContactRules("", "") + kCompanies);
  const std::string acc = f.CreateSf("Account", {{"Name", "Deal Co"}});
  const std::string opp = f.CreateSf("Opportunity", {{"Name", "Big"},
                                                     {"StageName", "Needs Analysis"},
                                                     {"CloseDate", "2026-12-31"},
                                                     {"Amount", 900},
                                                     {"AccountId", acc}});
  const std::string why = Refusal(f, {"Opportunity", "", std::nullopt});
  CHECK(why.find("R77") != std::string::npos);
  CHECK(why.find("sync deals") != std::string::npos);

  f.Rules(ContactRules("", "") + kCompanies + kDeals);
  Import(f, {"Account", "", std::nullopt});
  auto r = Import(f, {"Opportunity", "", std::nullopt});
  CHECK(r.count("created.hubspot") == 1);
  auto link = f.store.FindLink(state::Side::kSalesforce, "Opportunity", opp);
  REQUIRE(link);
  std::vector<connectors::Record> deals;
  REQUIRE(f.hs->ReadByIds("deals", {link->hubspot_id}, {"dealname", "dealstage", "amount"}, &deals)
              .ok());
  REQUIRE(deals.size() == 1);
  CHECK(deals[0].fields["dealname"] == "Big");
  CHECK(deals[0].fields["dealstage"] == "qualifiedtobuy");  // through the stage map (R82)
  // The deal is associated with the imported company at once (Opportunity.AccountId).
  CHECK(r.count("associated.hubspot") == 1);
  CHECK(r.count("associated.salesforce") == 0);
  std::vector<connectors::Association> assoc;
  REQUIRE(f.hs->ReadAssociations("deals", "companies", {link->hubspot_id}, &assoc).ok());
  REQUIRE(assoc.size() == 1);
  CHECK(assoc[0].to_id == f.store.FindLink(state::Side::kSalesforce, "Account", acc)->hubspot_id);
  // The next run duplicates nothing, neither records nor associations.
  auto run = f.Sync();
  CHECK(run.counts["created.hubspot"] == 0);
  CHECK(run.counts["created.salesforce"] == 0);
  assoc.clear();
  REQUIRE(f.hs->ReadAssociations("deals", "companies", {link->hubspot_id}, &assoc).ok());
  REQUIRE(assoc.size() == 1);
  CHECK(assoc[0].to_id == f.store.FindLink(state::Side::kSalesforce, "Account", acc)->hubspot_id);
  CHECK(AllHs(f, "deals", {"dealname"}).size() == 1);
  CHECK(AllHs(f, "companies", {"name"}).size() == 1);
}

TEST_CASE("import_cases_through_the_ticket_sync") {
  EngineFixture f;
  f.Rules(ContactRules("", ""));
  f.CreateSf("Case", {{"Subject", "Broken"}, {"Status", "New"}});
  CHECK(Refusal(f, {"Case", "", std::nullopt}).find("ticket sync") != std::string::npos);
  f.Rules(ContactRules("", "") + kTickets);
  auto r = Import(f, {"Case", "", std::nullopt});
  CHECK(r.count("created.hubspot") == 1);
  auto tickets = AllHs(f, "tickets", {"subject"});
  REQUIRE(tickets.size() == 1);
  CHECK(tickets[0].fields["subject"] == "Broken");
}

TEST_CASE("R125_task_import_needs_an_activities_from_salesforce_block") {
  EngineFixture f;
  f.Rules(ContactRules("", ""));
  for (const char* object : {"Task", "Event"}) {
    const std::string why = Refusal(f, {object, "", std::nullopt});
    CHECK(why.find("activities from salesforce.Task") != std::string::npos);
    CHECK(why.find("R89") != std::string::npos);
  }
  CHECK(Refusal(f, {"Event", "", std::nullopt}).find("meetings") != std::string::npos);
  CHECK(Refusal(f, {"Vehicle__c", "", std::nullopt})
            .find("no sync block pairs salesforce.Vehicle__c") != std::string::npos);
  // A block without meetings imports tasks but not events.
  EngineFixture g;
  g.Rules(ContactRules("", "") + "activities from salesforce.Task {\n  types tasks, calls\n}\n");
  CHECK(Refusal(g, {"task", "", std::nullopt}).empty());
  CHECK(Refusal(g, {"Event", "", std::nullopt}).find("meetings") != std::string::npos);
}

TEST_CASE("R125_R89_task_import_brings_tasks_older_than_the_block_once") {
  for (auto kind : {pipeline::EngineKind::kJit, pipeline::EngineKind::kInterp}) {
    CAPTURE(static_cast<int>(kind));
    EngineFixture f;
    f.Rules(ContactRules("", "") +
                "activities from salesforce.Task {\n  types tasks, calls, meetings\n}\n",
            kind);
    const std::string contact =
        f.CreateContact({{"email", "old-tasks@example.com"}, {"lastname", "Old"}});
    f.Sync();  // the contact syncs before the activities block's first run
    auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", contact);
    REQUIRE(link);
    const std::string task = f.CreateSf(
        "Task", {{"Subject", "Old call"}, {"TaskSubtype", "Call"}, {"WhoId", link->salesforce_id}});
    const std::string other = f.CreateSf(
        "Task", {{"Subject", "Old todo"}, {"Status", "Completed"}, {"WhoId", link->salesforce_id}});
    f.CreateSf("Task", {{"Subject", "Nobody's"}});  // no contact, no related record
    f.CreateSf("Event", {{"Subject", "Old meeting"},
                         {"WhoId", link->salesforce_id},
                         {"StartDateTime", "2026-01-05T10:00:00.000+0000"},
                         {"EndDateTime", "2026-01-05T11:00:00.000+0000"}});
    f.RunAll();  // R89: the block's first run brings nothing older
    CHECK(AllHs(f, "calls", {}).empty());
    CHECK(AllHs(f, "tasks", {}).empty());

    const Imported first = Import(f, {"Task", "", std::nullopt});
    CHECK(first.count("read.salesforce.activities") == 3);
    CHECK(first.count("created.hubspot.calls") == 1);
    CHECK(first.count("created.hubspot.tasks") == 1);
    CHECK(first.count("skipped.salesforce_activities.unsynced") == 1);
    CHECK(AllHs(f, "meetings", {}).empty());  // only the object asked for
    auto calls = AllHs(f, "calls", {"hs_unique_creation_key"});
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].fields.value("hs_unique_creation_key", "") == "salesforce:Task:" + task);
    std::vector<connectors::Association> assoc;
    REQUIRE(f.hs->ReadAssociations("calls", "contacts", {calls[0].id}, &assoc).ok());
    REQUIRE(assoc.size() == 1);
    CHECK(assoc[0].to_id == contact);
    auto tasks = AllHs(f, "tasks", {"hs_unique_creation_key"});
    REQUIRE(tasks.size() == 1);
    CHECK(tasks[0].fields.value("hs_unique_creation_key", "") == "salesforce:Task:" + other);

    // Importing again, then running, creates nothing twice.
    const int64_t writes = f.HubSpotWrites();
    const Imported second = Import(f, {"Task", "", std::nullopt});
    CHECK(second.count("created.hubspot.calls") + second.count("created.hubspot.tasks") == 0);
    f.RunAll();
    CHECK(f.HubSpotWrites() == writes);
    CHECK(AllHs(f, "calls", {}).size() == 1);
    CHECK(AllHs(f, "tasks", {}).size() == 1);

    // Events through the meetings type; every object at once ends with the activities.
    const Imported events = Import(f, {"Event", "", std::nullopt});
    CHECK(events.count("created.hubspot.meetings") == 1);
    const engine::ImportPlan all =
        engine::PlanImport(f.rules->syncs(), *f.sf, {}, f.rules->activities());
    REQUIRE(all.steps.size() == 4);  // Lead, Contact, Task, Event
    CHECK(all.steps[2].object == "Task");
    CHECK(all.steps[3].object == "Event");
  }
}

}  // namespace
}  // namespace syncline::test
