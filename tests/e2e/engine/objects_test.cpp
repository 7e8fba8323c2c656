// Companies <-> accounts (R56-R73), deals <-> opportunities (R74-R84) and cases -> tickets
// (R85-R88) end to end, with the associations between them kept in step.
#include <algorithm>

#include "engine_fixture.h"

namespace syncline::test {
namespace {

const char* kContacts =
    "sync contacts: hubspot.contacts <-> salesforce.Lead | salesforce.Contact {\n"
    "  match email\n"
    "  to salesforce: create or update Contact\n"
    "  map {\n"
    "    email <-> Email two-way\n"
    "    lastname <-> LastName\n"
    "      to salesforce = lastname ?? \"[not provided]\"\n"
    "    company <-> Lead.Company\n"
    "      to salesforce = company ?? \"[not provided]\"\n"
    "  }\n"
    "}\n";

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
    "  on salesforce delete: delete\n"
    "  stages pipeline \"default\" {\n"
    "    appointmentscheduled <-> \"Prospecting\"\n"
    "    qualifiedtobuy <-> \"Qualification\", \"Needs Analysis\"\n"
    "    contractsent <-> \"Proposal/Price Quote\", \"Negotiation/Review\"\n"
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
    "  on salesforce delete: delete\n"
    "  map {\n"
    "    subject <- Subject\n"
    "    hs_pipeline_stage <- Status = match Status {\n"
    "      \"New\" => \"1\"\n"
    "      \"Closed\" => \"4\"\n"
    "      _ => \"2\"\n"
    "    }\n"
    "  }\n"
    "}\n";

std::string CreateHs(EngineFixture& f, const std::string& object, const json& props) {
  f.Tick();
  auto r = f.hs->Write(object, connectors::WriteKind::kCreate, {{"", "", "", props}});
  REQUIRE_MESSAGE(r[0].ok, r[0].error.message);
  return r[0].id;
}

void AssociateHs(EngineFixture& f, const std::string& from, const std::string& from_id,
                 const std::string& to, const std::string& to_id) {
  connectors::Association a;
  a.from_id = from_id;
  a.to_id = to_id;
  auto r = f.hs->Associate(from, to, {a});
  REQUIRE_MESSAGE(r[0].ok, r[0].error.message);
}

std::vector<std::string> AssociatedHs(EngineFixture& f, const std::string& from,
                                      const std::string& id, const std::string& to) {
  std::vector<connectors::Association> out;
  REQUIRE(f.hs->ReadAssociations(from, to, {id}, &out).ok());
  std::vector<std::string> ids;
  for (const auto& a : out) ids.push_back(a.to_id);
  std::sort(ids.begin(), ids.end());
  return ids;
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

std::vector<connectors::Record> AllSf(EngineFixture& f, const std::string& object,
                                      const std::vector<std::string>& fields) {
  std::vector<connectors::Record> out;
  REQUIRE(f.sf->ReadChanges(object, "", fields,
                            [&](connectors::ChangePage& p) {
                              for (auto& r : p.records) out.push_back(std::move(r));
                              return true;
                            })
              .ok());
  return out;
}

std::string LinkedSf(EngineFixture& f, const std::string& hs_object, const std::string& id) {
  auto link = f.store.FindLink(state::Side::kHubSpot, hs_object, id);
  return link ? link->salesforce_id : "";
}

// ---- companies <-> accounts

TEST_CASE("R67_every_new_account_creates_a_company_without_any_contact") {
  EngineFixture f;
  f.Rules(std::string(kContacts) + kCompanies);
  const std::string acc = f.CreateSf("Account", {{"Name", "Lonely Ltd"}, {"Phone", "555-0100"}});
  auto r = f.Sync();
  CHECK(r.by_sync["companies"]["created.hubspot"] == 1);
  auto link = f.store.FindLink(state::Side::kSalesforce, "Account", acc);
  REQUIRE(link);
  auto companies = AllHs(f, "companies", {"name", "phone"});
  REQUIRE(companies.size() == 1);
  CHECK(companies[0].fields["name"] == "Lonely Ltd");
  CHECK(companies[0].fields["phone"] == "555-0100");
  CHECK(companies[0].id == link->hubspot_id);
}

// R16: company mappings are edited only once the company sync is on. A rule file without a
// companies sync has no company mappings: contacts sync, companies and accounts are left
// alone; with the sync added, the same records pair and sync.
TEST_CASE("R16_without_a_companies_sync_companies_and_accounts_are_left_alone") {
  EngineFixture f;
  f.Rules(kContacts);
  const std::string co = CreateHs(f, "companies", {{"name", "Acme"}, {"phone", "555-0100"}});
  const std::string person =
      f.CreateContact({{"email", "pat@acme.com"}, {"lastname", "Pat"}, {"company", "Acme"}});
  AssociateHs(f, "companies", co, "contacts", person);
  const std::string acc = f.CreateSf("Account", {{"Name", "Lonely Ltd"}});
  auto r = f.Sync();
  CHECK(r.by_sync.count("companies") == 0);
  CHECK(f.SfByEmail("Contact", "pat@acme.com").size() == 1);  // the contacts sync ran
  auto accounts = AllSf(f, "Account", {"Name"});
  REQUIRE(accounts.size() == 1);
  CHECK(accounts[0].id == acc);
  auto companies = AllHs(f, "companies", {"name", "phone"});
  REQUIRE(companies.size() == 1);
  CHECK(companies[0].fields["phone"] == "555-0100");
  CHECK(f.store.Links("companies").empty());
  // The company sync switched on: the company gets its account, the account its company.
  f.Rules(std::string(kContacts) + kCompanies);
  f.Sync();
  CHECK(!LinkedSf(f, "companies", co).empty());
  CHECK(f.store.FindLink(state::Side::kSalesforce, "Account", acc).has_value());
  CHECK(AllSf(f, "Account", {"Name"}).size() == 2);
  CHECK(AllHs(f, "companies", {"name"}).size() == 2);
}

// R43: segments serve companies too (as tickets and custom objects: the checker accepts
// `in_segment` in every sync, tests/golden/sync/R43_*). A manual list of companies chooses
// which companies sync to Salesforce; one joining it later syncs on the next run.
TEST_CASE("R43_a_company_segment_chooses_the_companies_that_sync") {
  EngineFixture f;
  std::string companies = kCompanies;
  companies.replace(companies.find("  map {"), 0, "  include if in_segment(\"Key accounts\")\n");
  f.Rules(std::string(kContacts) + companies);
  const std::string list = f.ManualList("Key accounts", "0-2");
  const std::string key = CreateHs(f, "companies", {{"name", "Key Co"}});
  const std::string other = CreateHs(f, "companies", {{"name", "Other Co"}});
  AssociateHs(f, "companies", key, "contacts",
              f.CreateContact({{"email", "k@key.com"}, {"lastname", "K"}}));
  AssociateHs(f, "companies", other, "contacts",
              f.CreateContact({{"email", "o@other.com"}, {"lastname", "O"}}));
  f.Tick();
  REQUIRE(f.hs->AddListMembers(list, {key}).ok());
  auto r = f.Sync();
  CHECK(r.by_sync["companies"]["skipped.segment"] == 1);
  const std::string acc = LinkedSf(f, "companies", key);
  REQUIRE(!acc.empty());
  CHECK(f.Sf("Account", acc, {"Name"})["Name"] == "Key Co");
  CHECK(LinkedSf(f, "companies", other).empty());
  auto accounts = AllSf(f, "Account", {"Name"});
  REQUIRE(accounts.size() == 1);
  // Joining the segment makes the other company sync.
  f.Tick();
  REQUIRE(f.hs->AddListMembers(list, {other}).ok());
  f.Sync();
  const std::string acc2 = LinkedSf(f, "companies", other);
  REQUIRE(!acc2.empty());
  CHECK(f.Sf("Account", acc2, {"Name"})["Name"] == "Other Co");
}

TEST_CASE("R56_account_pairs_with_the_company_of_its_contacts_not_by_domain") {
  EngineFixture f;
  f.Rules(std::string(kContacts) + kCompanies);
  // Two HubSpot companies on the same domain; only one has the account's contact.
  const std::string decoy = CreateHs(f, "companies", {{"name", "Acme"}, {"domain", "acme.com"}});
  const std::string co = CreateHs(f, "companies", {{"name", "Acme"}, {"domain", "acme.com"}});
  const std::string person =
      f.CreateContact({{"email", "pat@acme.com"}, {"lastname", "Pat"}, {"company", "Acme"}});
  AssociateHs(f, "companies", co, "contacts", person);
  AssociateHs(f, "companies", decoy, "contacts",
              f.CreateContact({{"email", "lee@other.com"}, {"lastname", "Lee"}}));
  const std::string acc = f.CreateSf("Account", {{"Name", "Acme Corporation"}});
  f.CreateSf("Contact", {{"LastName", "Pat"}, {"Email", "pat@acme.com"}, {"AccountId", acc}});
  auto r = f.Sync();
  CHECK(r.by_sync["companies"]["matched.contacts"] == 1);
  CHECK(LinkedSf(f, "companies", co) == acc);
  // Paired, not duplicated: still two companies. The decoy's contact became a Salesforce
  // contact without an account, so the decoy got an account of its own (R69), not Acme's.
  CHECK(AllHs(f, "companies", {"name"}).size() == 2);
  CHECK(AllSf(f, "Account", {"Name"}).size() == 2);
  CHECK(LinkedSf(f, "companies", decoy) != acc);
  // prefer salesforce unless blank: the account's name wins.
  auto companies = AllHs(f, "companies", {"name"});
  for (const auto& c : companies)
    if (c.id == co) CHECK(c.fields["name"] == "Acme Corporation");
}

TEST_CASE("R58_stored_salesforce_account_id_pairs_account_and_company") {
  EngineFixture f;
  f.Rules(std::string(kContacts) + kCompanies);
  const std::string acc = f.CreateSf("Account", {{"Name", "Migrated Inc"}});
  // A portal moving from HubSpot's own integration: the company stores the account id (a
  // read-only property only the integration writes, so the test seeds it).
  auto seeded = f.hubspot_sb->Seed(
      {{"companies", {{{"properties", {{"name", "Migrated"}, {"salesforceaccountid", acc}}}}}}});
  REQUIRE(seeded["ids"]["companies"].size() == 1);
  const std::string co = seeded["ids"]["companies"][0].get<std::string>();
  auto r = f.Sync();
  CHECK(LinkedSf(f, "companies", co) == acc);
  CHECK(r.by_sync["companies"]["created.hubspot"] == 0);
  CHECK(r.by_sync["companies"]["created.salesforce"] == 0);
  CHECK(AllSf(f, "Account", {"Name"}).size() == 1);
}

TEST_CASE("R70_company_without_contacts_creates_no_account") {
  EngineFixture f;
  f.Rules(std::string(kContacts) + kCompanies);
  CreateHs(f, "companies", {{"name", "Nobody Here"}});
  auto r = f.Sync();
  CHECK(r.by_sync["companies"]["skipped.company.no_contacts"] == 1);
  CHECK(AllSf(f, "Account", {"Name"}).empty());
}

TEST_CASE("R71_pushing_a_company_with_create_makes_its_account_despite_R70") {
  EngineFixture f;
  f.Rules(std::string(kContacts) + kCompanies);
  const std::string co = CreateHs(f, "companies", {{"name", "Forced Ltd"}});
  const engine::SyncProgram* companies = nullptr;
  for (const auto& s : f.rules->syncs())
    if (s.hubspot_object == "companies") companies = &s;
  REQUIRE(companies);
  auto push = [&](bool create) {
    f.Tick();
    engine::RunOptions o = f.options;
    o.hubspot_ids = std::vector<std::string>{co};
    o.force_create = create;
    engine::SyncRunner runner(*companies, *f.hs, *f.sf, f.store, o);
    auto r = runner.Run();
    CHECK(r.status == "ok");
    return r;
  };
  // "Sync now" alone keeps R70: no contacts, no account.
  auto plain = push(false);
  CHECK(plain.counts["skipped.company.no_contacts"] == 1);
  CHECK(AllSf(f, "Account", {"Name"}).empty());
  // "Create account" (R71) makes it, once.
  auto forced = push(true);
  CHECK(forced.counts["forced.company"] == 1);
  auto accounts = AllSf(f, "Account", {"Name"});
  REQUIRE(accounts.size() == 1);
  CHECK(Text(accounts[0].fields["Name"]) == "Forced Ltd");
  auto link = f.store.FindLink(state::Side::kHubSpot, "companies", co);
  REQUIRE(link);
  CHECK(link->salesforce_id == accounts[0].id);
  push(true);
  CHECK(AllSf(f, "Account", {"Name"}).size() == 1);
  // From now on it syncs like any paired company.
  f.Sync();
  CHECK(AllSf(f, "Account", {"Name"}).size() == 1);
}

TEST_CASE("R70_company_whose_contacts_sync_to_leads_creates_no_account") {
  EngineFixture f;
  std::string contacts = kContacts;
  contacts.replace(contacts.find("create or update Contact"), 24, "create or update Lead");
  f.Rules(contacts + kCompanies);
  const std::string co = CreateHs(f, "companies", {{"name", "Leady"}});
  AssociateHs(f, "companies", co, "contacts",
              f.CreateContact({{"email", "l@leady.com"}, {"lastname", "L"}}));
  auto r = f.Sync();
  CHECK(r.by_sync["contacts"]["created.salesforce"] == 1);
  CHECK(r.by_sync["companies"]["skipped.company.contacts_are_leads"] == 1);
  CHECK(AllSf(f, "Account", {"Name"}).empty());
}

TEST_CASE("R69_company_of_a_private_contact_creates_an_account_and_the_contact_joins_it") {
  EngineFixture f;
  f.Rules(std::string(kContacts) + kCompanies);
  const std::string co = CreateHs(f, "companies", {{"name", "Newco"}});
  const std::string person = f.CreateContact({{"email", "sam@newco.com"}, {"lastname", "Sam"}});
  AssociateHs(f, "companies", co, "contacts", person);
  auto r = f.Sync();
  // The contact became a Salesforce contact without an account, so the company qualifies.
  CHECK(r.by_sync["contacts"]["created.salesforce"] == 1);
  CHECK(r.by_sync["companies"]["created.salesforce"] == 1);
  const std::string acc = LinkedSf(f, "companies", co);
  REQUIRE(!acc.empty());
  CHECK(f.Sf("Account", acc, {"Name"})["Name"] == "Newco");
  const std::string sf_contact = LinkedSf(f, "contacts", person);
  CHECK(f.Sf("Contact", sf_contact, {"AccountId"})["AccountId"] == acc);
  CHECK(r.by_sync["companies"]["associated.salesforce"] == 1);
  // A second run changes nothing.
  const int64_t writes = f.SalesforceWrites() + f.HubSpotWrites();
  auto again = f.Sync();
  CHECK(f.SalesforceWrites() + f.HubSpotWrites() == writes);
  CHECK(again.by_sync["companies"]["created.salesforce"] == 0);
}

// R65 fixtures: the contacts sync with creation target Lead, plus the companies sync, and a
// HubSpot contact to become a lead on the next run; returns the contact.
std::string LeadOfContact(EngineFixture& f, const std::string& email) {
  std::string contacts = kContacts;
  contacts.replace(contacts.find("create or update Contact"), 24, "create or update Lead");
  f.Rules(contacts + kCompanies);
  const std::string person =
      f.CreateContact({{"email", email}, {"lastname", "Lee"}, {"company", "Convert Co"}});
  return person;
}

// Converts a lead in Salesforce (Database.convertLead: an account, a contact, an opportunity).
json Convert(EngineFixture& f, const std::string& lead) {
  f.Tick();
  sandbox::LeadConversion conv;
  conv.lead_id = lead;
  json converted = f.salesforce_sb->ConvertLead(conv);
  REQUIRE_MESSAGE(!converted.contains("error"), converted.dump());
  return converted;
}

TEST_CASE("R65_converting_a_lead_creates_an_account_and_with_it_a_new_company") {
  EngineFixture f;
  const std::string person = LeadOfContact(f, "lee@convert.com");
  f.Sync();
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", person);
  REQUIRE(link);
  REQUIRE(link->salesforce_object == "Lead");
  CHECK(AllHs(f, "companies", {"name"}).empty());
  CHECK(AllSf(f, "Account", {"Name"}).empty());
  const json converted = Convert(f, link->salesforce_id);
  const std::string account = converted["accountId"].get<std::string>();
  const std::string contact = converted["contactId"].get<std::string>();
  auto r = f.Sync();
  // The account the conversion made creates a HubSpot company (R67), associated with the
  // HubSpot contact, which now syncs with the converted contact (R62).
  CHECK(r.by_sync["companies"]["created.hubspot"] == 1);
  auto companies = AllHs(f, "companies", {"name"});
  REQUIRE(companies.size() == 1);
  CHECK(companies[0].fields["name"] == "Convert Co");
  CHECK(LinkedSf(f, "companies", companies[0].id) == account);
  link = f.store.FindLink(state::Side::kHubSpot, "contacts", person);
  REQUIRE(link);
  CHECK(link->salesforce_object == "Contact");
  CHECK(link->salesforce_id == contact);
  CHECK(AssociatedHs(f, "companies", companies[0].id, "contacts") ==
        std::vector<std::string>{person});
  // One account, one company, one HubSpot contact; nothing more on the next run.
  CHECK(AllSf(f, "Account", {"Name"}).size() == 1);
  CHECK(f.ContactsByEmail("lee@convert.com").size() == 1);
  auto again = f.Sync();
  CHECK(again.by_sync["companies"]["created.hubspot"] == 0);
  CHECK(again.by_sync["companies"]["created.salesforce"] == 0);
  CHECK(AllHs(f, "companies", {"name"}).size() == 1);
}

TEST_CASE("R65_R57_the_account_of_a_converted_lead_pairs_with_its_contacts_company") {
  // R57's duplicate: the HubSpot contact already has a company (made in HubSpot, e.g. by
  // "create and associate companies with contacts"); as its contacts are leads it has no
  // account (R70). Syncline pairs the conversion's account with it through the converted
  // contact (R56) instead of making a second company.
  EngineFixture f;
  const std::string person = LeadOfContact(f, "kim@convert.com");
  const std::string co = CreateHs(f, "companies", {{"name", "Convert Co"}});
  AssociateHs(f, "companies", co, "contacts", person);
  auto before = f.Sync();
  CHECK(before.by_sync["companies"]["skipped.company.contacts_are_leads"] == 1);
  CHECK(AllSf(f, "Account", {"Name"}).empty());
  const json converted = Convert(f, LinkedSf(f, "contacts", person));
  const std::string account = converted["accountId"].get<std::string>();
  auto r = f.Sync();
  CHECK(r.by_sync["companies"]["created.hubspot"] == 0);
  CHECK(r.by_sync["companies"]["matched.contacts"] == 1);
  CHECK(LinkedSf(f, "companies", co) == account);
  CHECK(AllHs(f, "companies", {"name"}).size() == 1);
  CHECK(AllSf(f, "Account", {"Name"}).size() == 1);
  CHECK(LinkedSf(f, "contacts", person) == converted["contactId"].get<std::string>());
}

TEST_CASE("companies_contacts_of_an_account_become_associated_in_hubspot") {
  EngineFixture f;
  f.Rules(std::string(kContacts) + kCompanies);
  const std::string acc = f.CreateSf("Account", {{"Name", "Assoc Co"}});
  f.CreateSf("Contact", {{"LastName", "A"}, {"Email", "a@assoc.co"}, {"AccountId", acc}});
  f.CreateSf("Contact", {{"LastName", "B"}, {"Email", "b@assoc.co"}, {"AccountId", acc}});
  auto r = f.Sync();
  auto link = f.store.FindLink(state::Side::kSalesforce, "Account", acc);
  REQUIRE(link);
  const auto contacts = AssociatedHs(f, "companies", link->hubspot_id, "contacts");
  CHECK(contacts.size() == 2);
  CHECK(r.by_sync["companies"]["associated.hubspot"] == 2);
}

// ---- deals <-> opportunities

TEST_CASE("R82_stage_map_translates_both_ways_and_a_second_run_writes_nothing") {
  EngineFixture f;
  f.Rules(kDeals);
  const std::string deal = CreateHs(f, "deals",
                                    {{"dealname", "Big one"},
                                     {"amount", "5000"},
                                     {"dealstage", "contractsent"},
                                     {"pipeline", "default"},
                                     {"closedate", "2026-12-24T00:00:00Z"}});
  const std::string opp = f.CreateSf("Opportunity", {{"Name", "From SF"},
                                                     {"StageName", "Needs Analysis"},
                                                     {"CloseDate", "2026-12-31"},
                                                     {"Amount", 1200}});
  auto r = f.Sync();
  CHECK(r.by_sync["deals"]["created.salesforce"] == 1);
  CHECK(r.by_sync["deals"]["created.hubspot"] == 1);
  const json o =
      f.Sf("Opportunity", LinkedSf(f, "deals", deal), {"Name", "StageName", "Amount", "CloseDate"});
  CHECK(o["StageName"] == "Proposal/Price Quote");
  CHECK(o["Amount"] == 5000);
  CHECK(o["CloseDate"] == "2026-12-24");
  auto link = f.store.FindLink(state::Side::kSalesforce, "Opportunity", opp);
  REQUIRE(link);
  std::vector<connectors::Record> d;
  REQUIRE(
      f.hs->ReadByIds("deals", {link->hubspot_id}, {"dealstage", "pipeline", "amount"}, &d).ok());
  REQUIRE(d.size() == 1);
  CHECK(d[0].fields["dealstage"] == "qualifiedtobuy");
  CHECK(d[0].fields["pipeline"] == "default");
  // "Needs Analysis" and "Qualification" are one row: nothing moves back and forth.
  f.Sync();
  const int64_t writes = f.SalesforceWrites() + f.HubSpotWrites();
  auto again = f.Sync();
  CHECK(f.SalesforceWrites() + f.HubSpotWrites() == writes);
  CHECK(f.Sf("Opportunity", opp, {"StageName"})["StageName"] == "Needs Analysis");
  // A stage change in HubSpot moves the opportunity to the row's first stage.
  f.Tick();
  REQUIRE(f.hs->Write("deals", connectors::WriteKind::kUpdate,
                      {{link->hubspot_id, "", "", {{"dealstage", "closedwon"}}}})[0]
              .ok);
  f.Sync();
  CHECK(f.Sf("Opportunity", opp, {"StageName"})["StageName"] == "Closed Won");
}

TEST_CASE("R82_a_stage_outside_the_map_is_a_mapping_error_not_an_api_error") {
  EngineFixture f;
  f.Rules(kDeals);
  CreateHs(f, "deals", {{"dealname", "Odd"}, {"dealstage", "decisionmakerboughtin"}});
  auto r = f.Sync();
  CHECK(r.errors["mapping"] == 1);
  CHECK(AllSf(f, "Opportunity", {"Name"}).empty());
  auto errors = f.store.OpenErrors();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].message.find("decisionmakerboughtin") != std::string::npos);
  CHECK(errors[0].message.find("R82") != std::string::npos);
}

TEST_CASE("R60_deals_are_not_deduplicated") {
  EngineFixture f;
  f.Rules(kDeals);
  CreateHs(f, "deals",
           {{"dealname", "Twin"},
            {"amount", "10"},
            {"dealstage", "closedwon"},
            {"closedate", "2026-01-01T00:00:00Z"}});
  f.CreateSf(
      "Opportunity",
      {{"Name", "Twin"}, {"Amount", 10}, {"StageName", "Closed Won"}, {"CloseDate", "2026-01-01"}});
  f.Sync();
  CHECK(AllSf(f, "Opportunity", {"Name"}).size() == 2);
  CHECK(AllHs(f, "deals", {"dealname"}).size() == 2);
}

TEST_CASE("R80_a_deal_outside_the_synced_pipeline_does_not_sync") {
  EngineFixture f;
  f.Rules(kDeals);
  // Another pipeline (the portal's; the sandbox's property lists only `default`, so seed it).
  f.hubspot_sb->Seed({{"deals",
                       {{{"properties",
                          {{"dealname", "Elsewhere"},
                           {"pipeline", "renewals"},
                           {"dealstage", "closedwon"},
                           {"closedate", "2026-01-01T00:00:00Z"}}}}}}});
  CreateHs(f, "deals",
           {{"dealname", "Here"},
            {"pipeline", "default"},
            {"dealstage", "closedwon"},
            {"closedate", "2026-01-01T00:00:00Z"}});
  auto r = f.Sync();
  CHECK(r.by_sync["deals"]["skipped.pipeline"] == 1);
  auto opps = AllSf(f, "Opportunity", {"Name"});
  REQUIRE(opps.size() == 1);
  CHECK(opps[0].fields["Name"] == "Here");
}

TEST_CASE("R81_opportunity_delete_deletes_the_deal_but_a_deal_delete_keeps_the_opportunity") {
  EngineFixture f;
  f.Rules(kDeals);
  const std::string a = f.CreateSf(
      "Opportunity", {{"Name", "A"}, {"StageName", "Prospecting"}, {"CloseDate", "2026-01-01"}});
  const std::string b = f.CreateSf(
      "Opportunity", {{"Name", "B"}, {"StageName", "Prospecting"}, {"CloseDate", "2026-01-01"}});
  f.Sync();
  auto la = f.store.FindLink(state::Side::kSalesforce, "Opportunity", a);
  auto lb = f.store.FindLink(state::Side::kSalesforce, "Opportunity", b);
  REQUIRE(la);
  REQUIRE(lb);
  f.Tick();
  REQUIRE(f.sf->Delete("Opportunity", {a})[0].ok);
  REQUIRE(f.hs->Delete("deals", {lb->hubspot_id})[0].ok);
  f.Tick(120'000);  // the replication API works in whole minutes
  auto r = f.Sync();
  CHECK(r.by_sync["deals"]["deleted.hubspot"] == 1);
  std::vector<connectors::Record> left;
  REQUIRE(f.hs->ReadByIds("deals", {la->hubspot_id}, {"dealname"}, &left).ok());
  CHECK(left.empty());
  CHECK(!f.Sf("Opportunity", b, {"Name"}).is_null());  // R81: still there
  CHECK(!f.store.FindLink(state::Side::kSalesforce, "Opportunity", b));
}

TEST_CASE("R75_without_company_sync_an_opportunity_gets_no_company_association") {
  for (bool with_companies : {false, true}) {
    CAPTURE(with_companies);
    EngineFixture f;
    f.Rules(std::string(kContacts) + (with_companies ? kCompanies : "") + kDeals);
    const std::string acc = f.CreateSf("Account", {{"Name", "Solo Inc"}});
    const std::string opp = f.CreateSf("Opportunity", {{"Name", "Solo deal"},
                                                       {"StageName", "Prospecting"},
                                                       {"CloseDate", "2026-03-01"},
                                                       {"AccountId", acc}});
    f.Sync();
    auto opp_link = f.store.FindLink(state::Side::kSalesforce, "Opportunity", opp);
    REQUIRE(opp_link);  // the deal exists either way
    CHECK(AssociatedHs(f, "deals", opp_link->hubspot_id, "companies").size() ==
          (with_companies ? 1u : 0u));
  }
}

// Salesforce: an opportunity on an account, with a contact of the account in a contact role.
struct OpportunityWithRole {
  std::string acc, con, opp;
};
OpportunityWithRole CreateOpportunityWithRole(EngineFixture& f) {
  OpportunityWithRole o;
  o.acc = f.CreateSf("Account", {{"Name", "Roles Inc"}});
  o.con = f.CreateSf("Contact",
                     {{"LastName", "Role"}, {"Email", "role@roles.io"}, {"AccountId", o.acc}});
  o.opp = f.CreateSf("Opportunity", {{"Name", "Roles deal"},
                                     {"StageName", "Prospecting"},
                                     {"CloseDate", "2026-03-01"},
                                     {"AccountId", o.acc}});
  f.CreateSf("OpportunityContactRole", {{"OpportunityId", o.opp}, {"ContactId", o.con}});
  return o;
}

TEST_CASE("R82_deal_associations_follow_account_and_contact_roles_both_ways") {
  EngineFixture f;
  f.Rules(std::string(kContacts) + kCompanies + kDeals);
  // Salesforce side: an opportunity on an account with a contact role.
  const auto [acc, con, opp] = CreateOpportunityWithRole(f);
  // HubSpot side: a deal associated with a synced company and contact.
  const std::string co = CreateHs(f, "companies", {{"name", "Hub Co"}});
  const std::string person = f.CreateContact({{"email", "hub@hub.co"}, {"lastname", "Hub"}});
  AssociateHs(f, "companies", co, "contacts", person);
  const std::string deal = CreateHs(f, "deals",
                                    {{"dealname", "Hub deal"},
                                     {"dealstage", "appointmentscheduled"},
                                     {"closedate", "2026-05-01T00:00:00Z"}});
  AssociateHs(f, "deals", deal, "companies", co);
  AssociateHs(f, "deals", deal, "contacts", person);
  f.Sync();

  auto opp_link = f.store.FindLink(state::Side::kSalesforce, "Opportunity", opp);
  REQUIRE(opp_link);
  auto acc_link = f.store.FindLink(state::Side::kSalesforce, "Account", acc);
  auto con_link = f.store.FindLink(state::Side::kSalesforce, "Contact", con);
  REQUIRE(acc_link);
  REQUIRE(con_link);
  CHECK(AssociatedHs(f, "deals", opp_link->hubspot_id, "companies") ==
        std::vector<std::string>{acc_link->hubspot_id});
  CHECK(AssociatedHs(f, "deals", opp_link->hubspot_id, "contacts") ==
        std::vector<std::string>{con_link->hubspot_id});

  const std::string new_opp = LinkedSf(f, "deals", deal);
  REQUIRE(!new_opp.empty());
  CHECK(f.Sf("Opportunity", new_opp, {"AccountId"})["AccountId"] == LinkedSf(f, "companies", co));
  std::vector<connectors::Association> roles;
  REQUIRE(f.sf->ReadAssociations("Opportunity", "Contact", {new_opp}, &roles).ok());
  REQUIRE(roles.size() == 1);
  CHECK(roles[0].to_id == LinkedSf(f, "contacts", person));

  // Re-runs add no second contact role or association.
  f.Sync();
  f.Sync();
  roles.clear();
  REQUIRE(f.sf->ReadAssociations("Opportunity", "Contact", {new_opp, opp}, &roles).ok());
  CHECK(roles.size() == 2);
  CHECK(AssociatedHs(f, "deals", opp_link->hubspot_id, "contacts").size() == 1);
}

// ---- cases -> tickets

TEST_CASE("R85_R86_R87_cases_create_tickets_one_way_with_contact_and_delete_follows") {
  EngineFixture f;
  f.Rules(std::string(kContacts) + kCompanies + kTickets);
  const std::string acc = f.CreateSf("Account", {{"Name", "Case Co"}});
  const std::string con =
      f.CreateSf("Contact", {{"LastName", "Asker"}, {"Email", "ask@case.co"}, {"AccountId", acc}});
  const std::string cs = f.CreateSf(
      "Case",
      {{"Subject", "Printer on fire"}, {"Status", "New"}, {"ContactId", con}, {"AccountId", acc}});
  auto r = f.Sync();
  CHECK(r.by_sync["tickets"]["created.hubspot"] == 1);
  auto link = f.store.FindLink(state::Side::kSalesforce, "Case", cs);
  REQUIRE(link);
  std::vector<connectors::Record> t;
  REQUIRE(
      f.hs->ReadByIds("tickets", {link->hubspot_id}, {"subject", "hs_pipeline_stage"}, &t).ok());
  REQUIRE(t.size() == 1);
  CHECK(t[0].fields["subject"] == "Printer on fire");
  CHECK(t[0].fields["hs_pipeline_stage"] == "1");
  CHECK(AssociatedHs(f, "tickets", link->hubspot_id, "contacts") ==
        std::vector<std::string>{
            f.store.FindLink(state::Side::kSalesforce, "Contact", con)->hubspot_id});
  CHECK(AssociatedHs(f, "tickets", link->hubspot_id, "companies") ==
        std::vector<std::string>{
            f.store.FindLink(state::Side::kSalesforce, "Account", acc)->hubspot_id});
  // R85: one way. A HubSpot edit never reaches the case.
  f.Tick();
  REQUIRE(f.hs->Write("tickets", connectors::WriteKind::kUpdate,
                      {{link->hubspot_id, "", "", {{"subject", "Edited in HubSpot"}}}})[0]
              .ok);
  const int64_t sf_writes = f.SalesforceWrites();
  f.Sync();
  CHECK(f.SalesforceWrites() == sf_writes);
  CHECK(f.Sf("Case", cs, {"Subject"})["Subject"] == "Printer on fire");
  // R86: `on salesforce delete: delete`.
  f.Tick();
  REQUIRE(f.sf->Delete("Case", {cs})[0].ok);
  f.Tick(120'000);  // the replication API works in whole minutes
  auto d = f.Sync();
  CHECK(d.by_sync["tickets"]["deleted.hubspot"] == 1);
  t.clear();
  REQUIRE(f.hs->ReadByIds("tickets", {link->hubspot_id}, {"subject"}, &t).ok());
  CHECK(t.empty());
}

// ---- custom objects (R130-R134), with the example's schemas

std::string VehicleRules(const std::string& conflict) {
  return std::string(kContacts) +
         "sync vehicles: hubspot.vehicles <-> salesforce.Vehicle__c {\n"
         "  match vin <-> VIN__c\n" +
         conflict +
         "  on salesforce delete: delete\n"
         "  associate contacts via Contact__c\n"
         "  map {\n"
         "    vin <-> VIN__c two-way\n"
         "    make <-> Make__c two-way\n"
         "    condition <-> Condition__c two-way\n"
         "      to salesforce = match condition {\n"
         "        \"new\" => \"New\"\n"
         "        \"used\" => \"Used\"\n"
         "        blank => blank\n"
         "        _ => skip\n"
         "      }\n"
         "      to hubspot = match Condition__c {\n"
         "        \"New\" => \"new\"\n"
         "        \"Used\" => \"used\"\n"
         "        blank => blank\n"
         "        _ => skip\n"
         "      }\n"
         "  }\n"
         "}\n";
}

const char* kVehicleSchemas = SYNCLINE_SOURCE_DIR "/examples/custom-object/schemas";

// R43 with a custom object. The lists API addresses a custom object's lists by its `2-…`
// type id, never by its name (the sandbox refuses a name as HubSpot does); the connector reads
// the id from the object's schema.
TEST_CASE("R43_a_custom_object_segment_chooses_the_records_that_sync") {
  EngineFixture f({kVehicleSchemas});
  std::string rules = VehicleRules("");
  rules.replace(rules.rfind("  map {"), 0, "  include if in_segment(\"Fleet\")\n");
  f.Rules(rules);
  auto schema = f.hs->session().Get("/crm/v3/schemas/vehicles");
  REQUIRE(schema.ok());
  const std::string type = schema.body.value("objectTypeId", "");
  CHECK(type.rfind("2-", 0) == 0);
  auto by_name = f.hs->session().Send(
      "POST", "/crm/v3/lists",
      {{"name", "Fleet"}, {"objectTypeId", "vehicles"}, {"processingType", "MANUAL"}});
  CHECK(by_name.status() == 400);
  const std::string list = f.ManualList("Fleet", type);
  const std::string fleet = CreateHs(f, "vehicles", {{"vin", "VIN1001"}, {"make", "Saab"}});
  const std::string other = CreateHs(f, "vehicles", {{"vin", "VIN1002"}, {"make", "Fiat"}});
  f.Tick();
  REQUIRE(f.hs->AddListMembers(list, {fleet}).ok());
  auto r = f.Sync();
  CHECK(r.by_sync["vehicles"]["skipped.segment"] == 1);
  const std::string car = LinkedSf(f, "vehicles", fleet);
  REQUIRE(!car.empty());
  CHECK(f.Sf("Vehicle__c", car, {"Make__c"})["Make__c"] == "Saab");
  CHECK(LinkedSf(f, "vehicles", other).empty());
  CHECK(AllSf(f, "Vehicle__c", {"Name"}).size() == 1);
}

TEST_CASE("R130_R133_custom_object_pairs_by_external_id_translates_and_associates") {
  EngineFixture f({kVehicleSchemas});
  f.Rules(VehicleRules(""));
  const std::string con = f.CreateSf("Contact", {{"LastName", "Driver"}, {"Email", "d@cars.io"}});
  const std::string car = f.CreateSf("Vehicle__c", {{"Name", "Car"},
                                                    {"VIN__c", "VIN0001"},
                                                    {"Make__c", "Volvo"},
                                                    {"Condition__c", "Used"},
                                                    {"Contact__c", con}});
  // The same vehicle already in HubSpot: paired by the match key, not duplicated.
  const std::string hv = CreateHs(f, "vehicles", {{"vin", "vin0001"}, {"make", "Volvo"}});
  // A HubSpot-only vehicle associated with a synced contact.
  const std::string person = f.CreateContact({{"email", "h@cars.io"}, {"lastname", "Hub"}});
  const std::string hv2 = CreateHs(f, "vehicles", {{"vin", "VIN0002"}, {"condition", "new"}});
  AssociateHs(f, "vehicles", hv2, "contacts", person);
  auto r = f.Sync();
  CHECK(LinkedSf(f, "vehicles", hv) == car);
  CHECK(AllSf(f, "Vehicle__c", {"Name"}).size() == 2);
  CHECK(AllHs(f, "vehicles", {"vin"}).size() == 2);
  std::vector<connectors::Record> got;
  REQUIRE(f.hs->ReadByIds("vehicles", {hv}, {"condition"}, &got).ok());
  REQUIRE(got.size() == 1);
  CHECK(got[0].fields["condition"] == "used");
  const std::string car2 = LinkedSf(f, "vehicles", hv2);
  REQUIRE(!car2.empty());
  const json v2 = f.Sf("Vehicle__c", car2, {"Condition__c", "Contact__c"});
  CHECK(v2["Condition__c"] == "New");
  CHECK(v2["Contact__c"] == LinkedSf(f, "contacts", person));  // R133: via the lookup
  const std::string hs_con = f.store.FindLink(state::Side::kSalesforce, "Contact", con)->hubspot_id;
  CHECK(AssociatedHs(f, "vehicles", hv, "contacts") == std::vector<std::string>{hs_con});
  // Settled: a second run writes nothing.
  f.Sync();
  const int64_t writes = f.SalesforceWrites() + f.HubSpotWrites();
  f.Sync();
  CHECK(f.SalesforceWrites() + f.HubSpotWrites() == writes);
}

TEST_CASE("R131_conflict_setting_names_the_winner_when_both_sides_changed") {
  for (const char* winner : {"salesforce", "hubspot"}) {
    CAPTURE(winner);
    EngineFixture f({kVehicleSchemas});
    f.Rules(VehicleRules(std::string("  conflict: ") + winner + " wins\n"));
    const std::string car =
        f.CreateSf("Vehicle__c", {{"Name", "Car"}, {"VIN__c", "V9"}, {"Make__c", "Saab"}});
    f.Sync();
    auto link = f.store.FindLink(state::Side::kSalesforce, "Vehicle__c", car);
    REQUIRE(link);
    // Salesforce first, HubSpot later: without the setting HubSpot would win (R8).
    f.UpdateSf("Vehicle__c", car, {{"Make__c", "Saab SF"}});
    f.Tick();
    REQUIRE(f.hs->Write("vehicles", connectors::WriteKind::kUpdate,
                        {{link->hubspot_id, "", "", {{"make", "Saab HS"}}}})[0]
                .ok);
    f.Sync();
    const std::string want = std::string(winner) == "salesforce" ? "Saab SF" : "Saab HS";
    CHECK(f.Sf("Vehicle__c", car, {"Make__c"})["Make__c"] == want);
    std::vector<connectors::Record> got;
    REQUIRE(f.hs->ReadByIds("vehicles", {link->hubspot_id}, {"make"}, &got).ok());
    CHECK(got[0].fields["make"] == want);
  }
}

TEST_CASE("R132_custom_object_delete_behaviour_is_the_rules_choice") {
  EngineFixture f({kVehicleSchemas});
  f.Rules(VehicleRules(""));
  const std::string car = f.CreateSf("Vehicle__c", {{"Name", "Car"}, {"VIN__c", "DEL1"}});
  f.Sync();
  auto link = f.store.FindLink(state::Side::kSalesforce, "Vehicle__c", car);
  REQUIRE(link);
  f.Tick();
  REQUIRE(f.sf->Delete("Vehicle__c", {car})[0].ok);
  f.Tick(120'000);  // the replication API works in whole minutes
  auto r = f.Sync();
  CHECK(r.by_sync["vehicles"]["deleted.hubspot"] == 1);
  std::vector<connectors::Record> got;
  REQUIRE(f.hs->ReadByIds("vehicles", {link->hubspot_id}, {"vin"}, &got).ok());
  CHECK(got.empty());
}

TEST_CASE("R82_the_association_pass_reads_hubspot_and_salesforce_at_the_same_time") {
  EngineFixture f;
  f.Rules(std::string(kContacts) + kCompanies + kDeals);
  const auto [acc, con, opp] = CreateOpportunityWithRole(f);
  f.Sync();
  auto deal = f.store.FindLink(state::Side::kSalesforce, "Opportunity", opp);
  auto company = f.store.FindLink(state::Side::kSalesforce, "Account", acc);
  REQUIRE(deal);
  REQUIRE(company);
  // A renamed opportunity touches its link, so the next run's association pass compares the
  // deal's companies in HubSpot with the opportunity's account in Salesforce: one read on each
  // side (the only calls of the run to these two endpoints), each answered in 1.2 s. One after
  // the other they would take 2.4 s.
  f.UpdateSf("Opportunity", opp, {{"Name", "Renamed deal"}});
  constexpr int kLatencyMs = 1200;
  f.hubspot_sb->AddFault(SlowCalls("associations/deals/companies/batch/read", kLatencyMs));
  f.salesforce_sb->AddFault(
      SlowCalls("GET /services/data/{version}/composite/sobjects/Opportunity", kLatencyMs));
  f.hubspot_sb->ResetCallCounts();
  f.salesforce_sb->ResetCallCounts();
  engine::RunReport r;
  const int64_t ms = ElapsedMs([&] { r = f.Sync(); });
  CHECK(f.hubspot_sb->CallCount("associations/deals/companies/batch/read") == 1);
  CHECK(f.salesforce_sb->CallCount("GET /services/data/{version}/composite/sobjects/Opportunity") ==
        1);
  CHECK(r.by_sync["deals"]["updated.hubspot"] == 1);
  CHECK(r.by_sync["deals"]["associated.hubspot"] == 0);
  CHECK(r.by_sync["deals"]["associated.salesforce"] == 0);
  CHECK(AssociatedHs(f, "deals", deal->hubspot_id, "companies") ==
        std::vector<std::string>{company->hubspot_id});
  CHECK(ms >= kLatencyMs);
  CHECK_MESSAGE(ms < 2 * kLatencyMs - 300, "the sync took " << ms << " ms");
}

}  // namespace
}  // namespace syncline::test
