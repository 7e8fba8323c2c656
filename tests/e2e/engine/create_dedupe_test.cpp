// Creating and updating both ways (R27-R36), deduplication by email (R48-R55) and leads vs
// contacts with lead conversion (R61-R65), end to end against the sandboxes.
#include "engine_fixture.h"

namespace syncline::test {
namespace {

const char* kMap = "    firstname <-> FirstName prefer salesforce unless blank";

TEST_CASE("R27_create_or_update_new_salesforce_lead_creates_a_hubspot_contact") {
  EngineFixture f;
  f.Rules(ContactRules("  from salesforce: create or update", kMap));
  f.CreateSf(
      "Lead",
      {{"Email", "new@example.com"}, {"LastName", "New"}, {"Company", "Co"}, {"FirstName", "Nia"}});
  auto r = f.Sync();
  CHECK(r.counts["created.hubspot"] == 1);
  auto found = f.ContactsByEmail("new@example.com");
  REQUIRE(found.size() == 1);
  CHECK(found[0].fields["firstname"] == "Nia");
}

TEST_CASE("R61_leads_and_contacts_both_become_the_one_hubspot_contact_object") {
  EngineFixture f;
  f.Rules(ContactRules("  from salesforce: create or update", kMap));
  const std::string lead =
      f.CreateSf("Lead", {{"Email", "lead@example.com"}, {"LastName", "Lee"}, {"Company", "Co"}});
  const std::string contact =
      f.CreateSf("Contact", {{"Email", "contact@example.com"}, {"LastName", "Cole"}});
  auto r = f.Sync();
  CHECK(r.counts["created.hubspot"] == 2);
  auto from_lead = f.ContactsByEmail("lead@example.com");
  auto from_contact = f.ContactsByEmail("contact@example.com");
  REQUIRE(from_lead.size() == 1);
  REQUIRE(from_contact.size() == 1);
  CHECK(from_lead[0].fields["lastname"] == "Lee");
  CHECK(from_contact[0].fields["lastname"] == "Cole");
  // Each HubSpot contact is linked to its own kind of Salesforce record.
  auto l = f.store.FindLink(state::Side::kSalesforce, "Lead", lead);
  auto c = f.store.FindLink(state::Side::kSalesforce, "Contact", contact);
  REQUIRE(l);
  REQUIRE(c);
  CHECK(l->hubspot_object == "contacts");
  CHECK(c->hubspot_object == "contacts");
  CHECK(l->hubspot_id == from_lead[0].id);
  CHECK(c->hubspot_id == from_contact[0].id);
  CHECK(f.Sync().counts["created.hubspot"] == 0);  // and only once
}

TEST_CASE("R53_email_already_in_use_is_a_kept_error_and_changes_nothing") {
  EngineFixture f;
  // HubSpot contacts are not created in Salesforce, so the second one has no Salesforce twin for
  // Salesforce's own duplicate rules (R54) to find.
  f.Rules(ContactRules("  to salesforce: update only\n  from salesforce: create or update", kMap));
  const std::string s1 = f.CreateSf("Contact", {{"Email", "one@example.com"}, {"LastName", "One"}});
  const std::string h1 = f.CreateContact({{"email", "one@example.com"}, {"lastname", "One"}});
  const std::string h2 = f.CreateContact({{"email", "two@example.com"}, {"lastname", "Two"}});
  f.Sync();
  f.Sync();
  REQUIRE(f.store.FindLink(state::Side::kSalesforce, "Contact", s1)->hubspot_id == h1);
  // In Salesforce the contact takes an email another HubSpot contact holds.
  f.UpdateSf("Contact", s1, {{"Email", "two@example.com"}});
  auto r = f.Sync();
  (void)r;
  // HubSpot refuses the email on the first contact: it keeps its own, the other is untouched,
  // and the Salesforce record has an open error saying why (kept for a retry).
  CHECK(f.Contact(h1)["email"] == "one@example.com");
  CHECK(f.Contact(h2)["email"] == "two@example.com");
  CHECK(f.Contact(h2)["lastname"] == "Two");
  CHECK(f.ContactsByEmail("two@example.com").size() == 1);
  auto errors = f.store.OpenErrors();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].record_id == s1);
  INFO(errors[0].category << ": " << errors[0].message);
  CHECK(errors[0].category == "duplicate");
  CHECK(f.store.FindLink(state::Side::kSalesforce, "Contact", s1)->hubspot_id == h1);
}

TEST_CASE("R54_a_salesforce_duplicate_rule_blocks_the_update_as_a_kept_error") {
  EngineFixture f;
  // Salesforce records are not created in HubSpot, so HubSpot's own unique email (R53) does not
  // stand in the way first.
  f.Rules(
      ContactRules("  to salesforce: create or update Contact\n  from salesforce: nothing", kMap));
  const std::string h1 = f.CreateContact({{"email", "one@example.com"}, {"lastname", "One"}});
  const std::string s2 = f.CreateSf("Contact", {{"Email", "two@example.com"}, {"LastName", "Two"}});
  f.Sync();
  f.Sync();
  const auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", h1);
  REQUIRE(link);
  const std::string s1 = link->salesforce_id;
  // In HubSpot the contact takes the email of another Salesforce contact: Salesforce's
  // duplicate rule refuses the update.
  f.UpdateContact(h1, {{"email", "two@example.com"}});
  f.Sync();
  CHECK(f.Sf("Contact", s1)["Email"] == "one@example.com");
  CHECK(f.Sf("Contact", s2)["Email"] == "two@example.com");
  CHECK(f.SfByEmail("Contact", "two@example.com").size() == 1);
  auto errors = f.store.OpenErrors();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].record_id == h1);
  INFO(errors[0].category << " " << errors[0].code << ": " << errors[0].message);
  CHECK(errors[0].code == "DUPLICATES_DETECTED");
  CHECK(errors[0].category == "duplicate");
  // The record is kept and retried: once the email is fixed in HubSpot, the next run is clean.
  f.UpdateContact(h1, {{"email", "one.new@example.com"}});
  f.Sync();
  CHECK(f.Sf("Contact", s1)["Email"] == "one.new@example.com");
  CHECK(f.store.OpenErrors().empty());
}

TEST_CASE("R28_do_nothing_new_salesforce_lead_creates_no_hubspot_contact") {
  EngineFixture f;
  f.Rules(ContactRules("  from salesforce: nothing", kMap));
  f.CreateSf("Lead", {{"Email", "new@example.com"}, {"LastName", "New"}, {"Company", "Co"}});
  auto r = f.Sync();
  CHECK(r.counts["created.hubspot"] == 0);
  CHECK(f.ContactsByEmail("new@example.com").empty());
}

// A second HubSpot portal on the fixture's Salesforce org: its own sandbox, connector and
// state store (each portal runs its own Syncline), on the fixture's clock.
struct OtherPortal {
  std::unique_ptr<sandbox::HubSpotSandbox> sandbox;
  std::unique_ptr<connectors::HubSpotConnector> hs;
  state::SqliteStateStore store{":memory:"};
  explicit OtherPortal(EngineFixture& f) {
    sandbox::SandboxOptions o;
    o.clock = f.clock;
    o.catalog = sandbox::BuiltinSchemaCatalog();
    o.token = "hs-token-2";
    sandbox = std::make_unique<sandbox::HubSpotSandbox>(o);
    std::string error;
    REQUIRE_MESSAGE(sandbox->Start(&error), error);
    auto limits = sandbox->limits();
    limits.rate_limits = false;
    sandbox->SetLimits(limits);
    connectors::HubSpotConfig hc;
    hc.session = f.Session(sandbox->base_url(), sandbox->token());
    hs = std::make_unique<connectors::HubSpotConnector>(hc);
  }
  ~OtherPortal() {
    hs.reset();  // close keep-alive connections before the server stops
    sandbox->Stop();
  }
  engine::RunReport Sync(EngineFixture& f, const pipeline::CompiledRules& rules) {
    f.Tick();
    engine::RunReport total;
    for (const auto& s : rules.syncs()) {
      engine::SyncRunner runner(s, *hs, *f.sf, store, f.options);
      total.Merge(runner.Run());
    }
    CHECK(total.status == "ok");
    f.Tick();
    return total;
  }
  std::vector<connectors::Record> ContactsByEmail(const std::string& email) {
    std::vector<connectors::Record> out;
    REQUIRE(hs->FindByField("contacts", "email", {email}, {"email", "firstname"}, &out).ok());
    return out;
  }
};

// R36: with several HubSpot portals on one Salesforce org, the advice is not to auto-create
// HubSpot contacts, or a lead made through one portal becomes a contact in the other. Here
// that is `from salesforce: update only` in the other portal's rules: the lead stays out of
// it, while the contacts it already has still pair with their leads and take their updates.
// With `create or update` the lead does become a contact there.
TEST_CASE("R36_portals_sharing_an_org_with_update_only_create_no_contacts_from_each_others_leads") {
  for (const char* mode : {"update only", "create or update"}) {
    CAPTURE(mode);
    const bool creates = std::string(mode) == "create or update";
    EngineFixture f;
    OtherPortal other(f);
    // The other portal already knows one person; Salesforce has her as a lead too.
    other.sandbox->Seed(
        {{"contacts", {{{"properties", {{"email", "both@example.com"}, {"lastname", "Both"}}}}}}});
    const std::string shared = f.CreateSf(
        "Lead", {{"Email", "both@example.com"}, {"LastName", "Both"}, {"Company", "Co"}});
    // Portal one creates its contacts as leads; its own rules follow the advice.
    f.Rules(ContactRules("  to salesforce: create or update Lead\n  from salesforce: update only",
                         kMap));
    f.CreateContact({{"email", "one@example.com"}, {"lastname", "One"}});
    f.Sync();
    REQUIRE(f.SfByEmail("Lead", "one@example.com").size() == 1);
    // Portal two's run.
    std::ostringstream diags;
    int code = 0;
    auto rules = pipeline::CompiledRules::Compile(
        {TempRuleFile(ContactRules(std::string("  to salesforce: create or update Lead\n"
                                               "  from salesforce: ") +
                                       mode,
                                   kMap))},
        {}, diags, &code);
    REQUIRE_MESSAGE(rules, diags.str());
    f.UpdateSf("Lead", shared, {{"FirstName", "Bea"}});
    auto r = other.Sync(f, *rules);
    CHECK(Count(r, "created.hubspot") == (creates ? 1 : 0));
    CHECK(other.ContactsByEmail("one@example.com").size() == (creates ? 1u : 0u));
    // Either way the contact it has pairs with its lead and takes the Salesforce value.
    auto both = other.ContactsByEmail("both@example.com");
    REQUIRE(both.size() == 1);
    CHECK(both[0].fields["firstname"] == "Bea");
    CHECK(f.SfByEmail("Lead", "both@example.com").size() == 1);
    // And portal one, following the advice, does not take portal two's lead either.
    f.Sync();
    CHECK(f.ContactsByEmail("both@example.com").empty());
  }
}

TEST_CASE("R29_creation_target_contact_or_lead") {
  SUBCASE("Contact") {
    EngineFixture f;
    f.Rules(ContactRules("  to salesforce: create or update Contact", kMap));
    f.CreateContact({{"email", "c@example.com"}, {"lastname", "Cee"}});
    f.Sync();
    CHECK(f.SfByEmail("Contact", "c@example.com").size() == 1);
    CHECK(f.SfByEmail("Lead", "c@example.com").empty());
  }
  SUBCASE("Lead") {
    EngineFixture f;
    f.Rules(ContactRules("  to salesforce: create or update Lead", kMap));
    f.CreateContact({{"email", "l@example.com"}, {"lastname", "Ell"}});
    f.Sync();
    auto leads = f.SfByEmail("Lead", "l@example.com", {"Email", "LastName", "Company"});
    REQUIRE(leads.size() == 1);
    CHECK(leads[0].fields["Company"] ==
          "[not provided]");  // the rule's default for a required field
    CHECK(f.SfByEmail("Contact", "l@example.com").empty());
  }
}

TEST_CASE("R29_contacts_after_a_page_of_write_backs_are_still_created") {
  // 200 HubSpot contacts (one search page) pair with Salesforce contacts whose first name wins,
  // so the run writes each of them back while it reads the feed; that moves them to the end of
  // the feed's order. The 50 contacts of the next page exist only in HubSpot and must still be
  // created in Salesforce: an offset-paged feed skipped all 50 of them, for good (the next
  // run's watermark is past them).
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Contact", kMap));
  auto email = [](int i) { return "page" + std::to_string(i) + "@example.com"; };
  std::vector<connectors::WriteItem> sf_items;
  for (int i = 0; i < 200; ++i)
    sf_items.push_back({"", "", "", {{"Email", email(i)}, {"LastName", "L"}, {"FirstName", "Sf"}}});
  for (const auto& r : f.sf->Write("Contact", connectors::WriteKind::kCreate, sf_items))
    REQUIRE(r.ok);
  for (int batch = 0; batch < 25; ++batch) {  // 10 contacts a second: the order is by time
    f.Tick();
    std::vector<connectors::WriteItem> items;
    for (int i = batch * 10; i < batch * 10 + 10; ++i)
      items.push_back({"", "", "", {{"email", email(i)}, {"lastname", "L"}, {"firstname", "Hs"}}});
    for (const auto& r : f.hs->Write("contacts", connectors::WriteKind::kCreate, items))
      REQUIRE(r.ok);
  }
  auto r = f.Sync();
  CHECK(r.counts["created.salesforce"] == 50);
  int created = 0;
  for (int i = 200; i < 250; ++i) created += f.SfByEmail("Contact", email(i)).size() == 1;
  CHECK(created == 50);
  CHECK(f.ContactsByEmail(email(7))[0].fields["firstname"] == "Sf");
  CHECK(f.Sync().counts["created.salesforce"] == 0);
}

TEST_CASE("R29_a_created_lead_s_checkbox_default_is_not_written_back_to_hubspot") {
  // Salesforce stores false in a checkbox the create did not send. Reading the created lead
  // back must not count that default as a Salesforce change and write it to the HubSpot
  // contact: an initial sync stays at one write per record (issue 6's batch minimum).
  EngineFixture f;
  f.Rules(
      ContactRules("  to salesforce: create or update Lead",
                   "    hs_email_optout <-> HasOptedOutOfEmail prefer salesforce unless blank"));
  const std::string hs =
      f.CreateContact({{"email", "box@example.com"}, {"lastname", "Box"}, {"company", "Box Co"}});
  const int64_t before = f.HubSpotWrites();
  auto r = f.Sync();
  CHECK(r.counts["created.salesforce"] == 1);
  CHECK(r.counts["updated.hubspot"] == 0);
  const auto leads = f.SfByEmail("Lead", "box@example.com", {"Email", "HasOptedOutOfEmail"});
  REQUIRE(leads.size() == 1);
  CHECK(leads[0].fields["HasOptedOutOfEmail"] == false);
  auto again = f.Sync();
  CHECK(f.HubSpotWrites() == before);
  CHECK(again.counts["updated.hubspot"] == 0);
  auto optout = [&] {
    std::vector<connectors::Record> got;
    REQUIRE(f.hs->ReadByIds("contacts", {hs}, {"hs_email_optout"}, &got).ok());
    REQUIRE(got.size() == 1);
    return got[0].fields.value("hs_email_optout", json(nullptr));
  };
  CHECK((optout().is_null() || optout() == ""));
  // A real change in Salesforce still reaches HubSpot.
  f.UpdateSf("Lead", leads[0].id, {{"HasOptedOutOfEmail", true}});
  f.Sync();
  CHECK(optout() == "true");
}

TEST_CASE("R29_a_transform_default_written_to_a_created_lead_stays_out_of_hubspot") {
  // The rules fill Salesforce's required Company with "[not provided]" when the HubSpot
  // company is blank. Reading the created lead back must not take that default for a
  // Salesforce change and write it into the blank HubSpot company (Company prefers Salesforce
  // unless blank, so any real Salesforce change would be written).
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead", kMap));
  const std::string hs = f.CreateContact({{"email", "blank@example.com"}, {"lastname", "Blank"}});
  const int64_t before = f.HubSpotWrites();
  auto r = f.Sync();
  CHECK(r.counts["created.salesforce"] == 1);
  CHECK(r.counts["updated.hubspot"] == 0);  // the lead is read back in the same run
  const auto leads = f.SfByEmail("Lead", "blank@example.com", {"Email", "Company"});
  REQUIRE(leads.size() == 1);
  CHECK(leads[0].fields["Company"] == "[not provided]");
  auto again = f.Sync();
  CHECK(again.counts["updated.hubspot"] == 0);
  CHECK(f.HubSpotWrites() == before);
  const json company = f.Contact(hs).value("company", json(nullptr));
  CHECK((company.is_null() || company == ""));
  // The stored base of the lead's Company is the value written, so a real change in
  // Salesforce is still one and reaches HubSpot.
  f.UpdateSf("Lead", leads[0].id, {{"Company", "Real Co"}});
  f.Sync();
  CHECK(f.Contact(hs)["company"] == "Real Co");
}

TEST_CASE("R31_contact_without_email_does_not_sync") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead", kMap));
  f.CreateContact({{"firstname", "No"}, {"lastname", "Email"}});
  auto r = f.Sync();
  CHECK(r.counts["skipped.no_key"] == 1);
  CHECK(r.counts["created.salesforce"] == 0);
}

TEST_CASE("R32_a_new_hubspot_contact_syncs_subject_to_the_settings_whatever_its_stage") {
  // The 2016-2018 exception (a new Subscriber waits) is gone: a new contact syncs as the
  // settings say, and an admin who wants the old behaviour writes it as an include filter.
  SUBCASE("no filter: a new subscriber becomes a lead") {
    EngineFixture f;
    f.Rules(ContactRules("  to salesforce: create or update Lead", kMap));
    const std::string hs = f.CreateContact({{"email", "sub@example.com"},
                                            {"lastname", "Sub"},
                                            {"firstname", "Sue"},
                                            {"lifecyclestage", "subscriber"}});
    auto r = f.Sync();
    CHECK(Count(r, "created.salesforce") == 1);
    auto leads = f.SfByEmail("Lead", "sub@example.com");
    REQUIRE(leads.size() == 1);
    CHECK(leads[0].fields["FirstName"] == "Sue");
    CHECK(f.SfByEmail("Contact", "sub@example.com").empty());
    auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", hs);
    REQUIRE(link);
    CHECK(link->salesforce_id == leads[0].id);
    CHECK(f.Contact(hs)["lifecyclestage"] == "subscriber");
  }
  SUBCASE("an include filter keeps subscribers out until they move on") {
    EngineFixture f;
    f.Rules(
        ContactRules("  to salesforce: create or update Lead\n"
                     "  include if lifecyclestage != \"subscriber\"",
                     kMap));
    const std::string sub = f.CreateContact(
        {{"email", "sub@example.com"}, {"lastname", "Sub"}, {"lifecyclestage", "subscriber"}});
    const std::string lead = f.CreateContact(
        {{"email", "lead@example.com"}, {"lastname", "Lead"}, {"lifecyclestage", "lead"}});
    auto r = f.Sync();
    CHECK(Count(r, "created.salesforce") == 1);
    CHECK(Count(r, "skipped.segment") == 1);
    CHECK(f.SfByEmail("Lead", "sub@example.com").empty());
    CHECK(f.SfByEmail("Lead", "lead@example.com").size() == 1);
    CHECK(!f.store.FindLink(state::Side::kHubSpot, "contacts", sub));
    CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", lead));
    // R40: meeting the filter later is a trigger of its own.
    f.UpdateContact(sub, {{"lifecyclestage", "lead"}});
    f.Sync();
    CHECK(f.SfByEmail("Lead", "sub@example.com").size() == 1);
    CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", sub));
  }
  SUBCASE("update only: no new lead whatever the stage") {
    EngineFixture f;
    f.Rules(ContactRules("  to salesforce: update only", kMap));
    const std::string hs = f.CreateContact(
        {{"email", "lead@example.com"}, {"lastname", "Lead"}, {"lifecyclestage", "lead"}});
    auto r = f.Sync();
    CHECK(Count(r, "created.salesforce") == 0);
    CHECK(f.SfByEmail("Lead", "lead@example.com").empty());
    CHECK(f.SfByEmail("Contact", "lead@example.com").empty());
    CHECK(!f.store.FindLink(state::Side::kHubSpot, "contacts", hs));
  }
}

TEST_CASE("R33_salesforce_record_without_email_is_never_created_in_hubspot") {
  EngineFixture f;
  f.Rules(ContactRules("  from salesforce: create or update", kMap));
  f.CreateSf("Lead", {{"LastName", "NoMail"}, {"Company", "Co"}});
  auto r = f.Sync();
  CHECK(r.counts["created.hubspot"] == 0);
}

// R34: the "Salesforce Campaigns" property of HubSpot contacts, by id ("" when blank).
std::map<std::string, std::string> Campaigns(EngineFixture& f,
                                             const std::vector<std::string>& ids) {
  std::vector<connectors::Record> out;
  REQUIRE(f.hs->ReadByIds("contacts", ids, {engine::kCampaignsProperty}, &out).ok());
  std::map<std::string, std::string> by_id;
  for (const auto& r : out) by_id[r.id] = Text(r.fields.value(engine::kCampaignsProperty, json()));
  return by_id;
}

std::string Member(EngineFixture& f, const std::string& campaign, const std::string& field,
                   const std::string& id) {
  return f.CreateSf("CampaignMember", {{"CampaignId", campaign}, {field, id}});
}

TEST_CASE("R34_salesforce_campaigns_of_the_lead_or_contact_are_written_to_the_hubspot_contact") {
  EngineFixture f;
  f.Rules(ContactRules(
      "  to salesforce: create or update Lead\n  from salesforce: create or update", kMap));
  const std::string spring =
      f.CreateSf("Campaign", {{"Name", "Spring Launch"}, {"IsActive", true}});
  const std::string webinar =
      f.CreateSf("Campaign", {{"Name", "Autumn Webinar"}, {"IsActive", true}});
  // A new lead in two campaigns, a contact in one that pairs with an existing HubSpot contact,
  // a lead in none, and a HubSpot contact that becomes a new lead.
  const std::string lead =
      f.CreateSf("Lead", {{"Email", "lead@example.com"}, {"LastName", "Lee"}, {"Company", "Co"}});
  const std::string contact =
      f.CreateSf("Contact", {{"Email", "con@example.com"}, {"LastName", "Con"}});
  const std::string plain = f.CreateSf(
      "Lead", {{"Email", "plain@example.com"}, {"LastName", "Plain"}, {"Company", "Co"}});
  const std::string lead_in_spring = Member(f, spring, "LeadId", lead);
  Member(f, webinar, "LeadId", lead);
  Member(f, webinar, "ContactId", contact);
  const std::string hs_con = f.CreateContact({{"email", "con@example.com"}, {"lastname", "Con"}});
  const std::string hs_new = f.CreateContact({{"email", "new@example.com"}, {"lastname", "New"}});
  auto first = f.Sync();
  CHECK(Count(first, "campaigns.property_created") == 1);
  CHECK(Count(first, "campaigns.written") == 2);
  // Whether the org has members at all (once a run), then a query per object's page of ids.
  CHECK(Count(first, "campaigns.queries") == 3);
  const std::string hs_lead = f.store.FindLink(state::Side::kSalesforce, "Lead", lead)->hubspot_id;
  const std::string hs_plain =
      f.store.FindLink(state::Side::kSalesforce, "Lead", plain)->hubspot_id;
  CHECK(f.store.FindLink(state::Side::kSalesforce, "Contact", contact)->hubspot_id == hs_con);
  REQUIRE(f.store.FindLink(state::Side::kHubSpot, "contacts", hs_new));
  auto names = Campaigns(f, {hs_lead, hs_con, hs_plain, hs_new});
  CHECK(names[hs_lead] == "Autumn Webinar;Spring Launch");  // sorted, one property
  CHECK(names[hs_con] == "Autumn Webinar");
  CHECK(names[hs_plain] == "");
  CHECK(names[hs_new] == "");
  // The property exists in the portal now, with HubSpot's label for it.
  auto described = f.hs->Describe("contacts");
  REQUIRE(std::holds_alternative<schema::Object>(described));
  const schema::Field* prop =
      std::get<schema::Object>(described).FindField(engine::kCampaignsProperty);
  REQUIRE(prop);
  CHECK(prop->label == "Salesforce Campaigns");
  // Nothing changed: no writes. (This run still reads back the records the first one created,
  // and their campaigns with them; the next one reads none.)
  int64_t hs_writes = f.HubSpotWrites(), sf_writes = f.SalesforceWrites();
  auto idle = f.Sync();
  CHECK(f.HubSpotWrites() == hs_writes);
  CHECK(f.SalesforceWrites() == sf_writes);
  CHECK(Count(idle, "campaigns.written") == 0);
  CHECK(Count(f.Sync(), "campaigns.read") == 0);
  CHECK(f.HubSpotWrites() == hs_writes);
  // Joining or leaving a campaign is no trigger of its own (R124)...
  Member(f, spring, "LeadId", plain);
  f.Tick();
  REQUIRE(f.sf->Delete("CampaignMember", {lead_in_spring})[0].ok);
  auto quiet = f.Sync();
  CHECK(f.HubSpotWrites() == hs_writes);
  CHECK(Campaigns(f, {hs_plain})[hs_plain] == "");
  (void)quiet;
  // ...the record's next sync brings it, in the same update as its own change.
  f.UpdateSf("Lead", plain, {{"FirstName", "Pia"}});
  f.UpdateSf("Lead", lead, {{"FirstName", "Lou"}});
  auto changed = f.Sync();
  CHECK(Count(changed, "updated.hubspot") == 2);
  CHECK(f.HubSpotWrites() == hs_writes + 1);  // one batch update carries both
  names = Campaigns(f, {hs_lead, hs_plain});
  CHECK(names[hs_plain] == "Spring Launch");
  CHECK(names[hs_lead] == "Autumn Webinar");
  CHECK(f.Contact(hs_plain)["firstname"] == "Pia");
  // Salesforce is the source: a HubSpot edit of the property is undone when the contact syncs,
  // here because of its own change going to Salesforce.
  f.UpdateContact(hs_con, {{engine::kCampaignsProperty, "Typed in HubSpot"}, {"lastname", "Conn"}});
  hs_writes = f.HubSpotWrites();
  auto edited = f.Sync();
  CHECK(Count(edited, "updated.salesforce") == 1);
  CHECK(Count(edited, "campaigns.written") == 1);
  CHECK(f.HubSpotWrites() == hs_writes + 1);
  CHECK(f.Sf("Contact", contact)["LastName"] == "Conn");
  CHECK(Campaigns(f, {hs_con})[hs_con] == "Autumn Webinar");
  // Settled: the next run writes nothing; no errors, one HubSpot contact per email.
  hs_writes = f.HubSpotWrites();
  sf_writes = f.SalesforceWrites();
  f.Sync();
  CHECK(f.HubSpotWrites() == hs_writes);
  CHECK(f.SalesforceWrites() == sf_writes);
  CHECK(f.store.OpenErrors().empty());
  CHECK(f.ContactsByEmail("lead@example.com").size() == 1);
  CHECK(f.store.Links("contacts").size() == 4);
}

TEST_CASE("R34_an_org_without_campaign_members_costs_one_query_a_run") {
  EngineFixture f;
  f.Rules(ContactRules("  from salesforce: create or update", kMap));
  f.CreateSf("Campaign", {{"Name", "Empty"}, {"IsActive", true}});
  for (int i = 0; i < 250; ++i)
    f.CreateSf("Lead", {{"Email", "l" + std::to_string(i) + "@example.com"},
                        {"LastName", "L"},
                        {"Company", "Co"}});
  auto first = f.Sync();
  CHECK(Count(first, "created.hubspot") == 250);
  CHECK(Count(first, "campaigns.read") == 250);
  CHECK(Count(first, "campaigns.queries") == 1);  // not 1 + 3 pages of 100 ids
  CHECK(Count(first, "campaigns.written") == 0);
  // Nothing to write, so the property is not even created.
  auto described = f.hs->Describe("contacts");
  REQUIRE(std::holds_alternative<schema::Object>(described));
  CHECK(!std::get<schema::Object>(described).FindField(engine::kCampaignsProperty));
  f.Sync();  // reads back the contacts the first run created (and, with members, campaigns)
  // A member appears: the next sync of its lead reads and writes it.
  const std::string campaign = f.CreateSf("Campaign", {{"Name", "Later"}, {"IsActive", true}});
  const std::string lead = f.SfByEmail("Lead", "l7@example.com").at(0).id;
  Member(f, campaign, "LeadId", lead);
  f.Tick();
  f.UpdateSf("Lead", lead, {{"FirstName", "Seven"}});
  auto next = f.Sync();
  CHECK(Count(next, "campaigns.queries") == 2);
  CHECK(Count(next, "campaigns.written") == 1);
  const std::string hs = f.store.FindLink(state::Side::kSalesforce, "Lead", lead)->hubspot_id;
  CHECK(Campaigns(f, {hs})[hs] == "Later");
}

TEST_CASE("R34_a_plan_lists_the_campaigns_and_creates_no_property") {
  EngineFixture f;
  f.Rules(ContactRules("  from salesforce: create or update", kMap));
  const std::string campaign =
      f.CreateSf("Campaign", {{"Name", "Spring Launch"}, {"IsActive", true}});
  Member(f, campaign, "LeadId",
         f.CreateSf("Lead", {{"Email", "p@example.com"}, {"LastName", "P"}, {"Company", "Co"}}));
  auto plan = f.Sync(/*dry_run=*/true);
  bool listed = false;
  for (const auto& e : plan.plan)
    for (const auto& c : e.changes)
      if (e.action == "create" && c.field == engine::kCampaignsProperty &&
          c.after == "Spring Launch")
        listed = true;
  CHECK(listed);
  auto described = f.hs->Describe("contacts");
  REQUIRE(std::holds_alternative<schema::Object>(described));
  CHECK(!std::get<schema::Object>(described).FindField(engine::kCampaignsProperty));
  CHECK(f.ContactsByEmail("p@example.com").empty());
}

TEST_CASE("R48_R51_R52_email_match_is_case_insensitive_and_creates_nothing_new") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead", kMap));
  const std::string lead = f.CreateSf(
      "Lead", {{"Email", "Ann.Lee@Example.COM"}, {"LastName", "Lee"}, {"Company", "Co"}});
  const std::string hs = f.CreateContact({{"email", "ann.lee@example.com"}, {"firstname", "Ann"}});
  auto r = f.Sync();
  CHECK(r.counts["created.salesforce"] == 0);
  CHECK(r.counts["created.hubspot"] == 0);
  CHECK(r.counts["linked"] == 1);
  CHECK(f.Sf("Lead", lead)["FirstName"] == "Ann");  // R1 on the paired record
  CHECK(f.SfByEmail("Lead", "ann.lee@example.com").size() == 1);
  CHECK(f.ContactsByEmail("ann.lee@example.com").size() == 1);
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", hs).has_value());
}

TEST_CASE("R49_several_salesforce_records_with_one_email_pair_once") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead", kMap));
  const std::string first =
      f.CreateSf("Contact", {{"Email", "dup@example.com"}, {"LastName", "One"}});
  const std::string second =
      f.CreateSf("Lead", {{"Email", "dup@example.com"}, {"LastName", "Two"}, {"Company", "Co"}});
  const std::string hs = f.CreateContact({{"email", "dup@example.com"}, {"firstname", "Dee"}});
  auto r = f.Sync();
  CHECK(r.counts["created.salesforce"] == 0);
  CHECK(r.counts["created.hubspot"] == 0);
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", hs);
  REQUIRE(link);
  CHECK((link->salesforce_id == first || link->salesforce_id == second));
  CHECK(f.ContactsByEmail("dup@example.com").size() == 1);
}

TEST_CASE("R50_later_syncs_follow_the_most_recently_updated_salesforce_record") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead", kMap));
  const std::string lead = f.CreateSf("Lead", {{"Email", "r50@example.com"},
                                               {"LastName", "L"},
                                               {"Company", "Co"},
                                               {"FirstName", "FromLead"}});
  const std::string hs = f.CreateContact({{"email", "r50@example.com"}});
  f.Sync();
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", hs)->salesforce_id == lead);
  const std::string contact = f.CreateSf(
      "Contact", {{"Email", "r50@example.com"}, {"LastName", "C"}, {"FirstName", "FromContact"}});
  f.Sync();
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", hs)->salesforce_id == contact);
  CHECK(f.Contact(hs)["firstname"] == "FromContact");
  CHECK(f.ContactsByEmail("r50@example.com").size() == 1);
}

TEST_CASE("R50_a_page_s_new_records_paired_elsewhere_are_compared_in_one_read") {
  // Three HubSpot contacts synced with three leads; then a contact of each email is created in
  // Salesforce. The contacts' page finds the three HubSpot contacts paired with the leads and
  // reads the three leads as they are now in one call (it made one call per record before),
  // and each newer contact takes its HubSpot contact over.
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead", kMap));
  std::vector<std::string> hs, leads, contacts;
  for (const char* name : {"ann", "bob", "cy"}) {
    const std::string email = std::string(name) + "@example.com";
    leads.push_back(f.CreateSf("Lead", {{"Email", email}, {"LastName", name}, {"Company", "Co"}}));
    hs.push_back(f.CreateContact({{"email", email}}));
  }
  f.Sync();
  for (size_t k = 0; k < hs.size(); ++k)
    REQUIRE(f.store.FindLink(state::Side::kHubSpot, "contacts", hs[k])->salesforce_id == leads[k]);
  for (const char* name : {"ann", "bob", "cy"})
    contacts.push_back(f.CreateSf(
        "Contact",
        {{"Email", std::string(name) + "@example.com"}, {"LastName", name}, {"FirstName", "Now"}}));
  f.salesforce_sb->ResetCallCounts();
  auto r = f.Sync();
  CHECK(r.counts["relinked"] == 3);
  CHECK(f.salesforce_sb->CallCount("GET /services/data/{version}/composite/sobjects/Lead") == 1);
  for (size_t k = 0; k < hs.size(); ++k) {
    CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", hs[k])->salesforce_id == contacts[k]);
    CHECK(f.Contact(hs[k])["firstname"] == "Now");
  }
}

// R55: the sandbox has no merge call; a Salesforce merge is what the API then shows: the merged
// record is deleted (into the recycle bin, with MasterRecordId set) and the master is updated.
void MergeInSalesforce(EngineFixture& f, const std::string& object, const std::string& master,
                       const std::string& merged_away, const json& master_fields) {
  f.UpdateSf(object, master, master_fields);
  f.Tick();
  REQUIRE(f.sf->Delete(object, {merged_away})[0].ok);
  f.Tick(120'000);  // the replication API works in whole minutes
}

TEST_CASE("R55_a_salesforce_merge_never_merges_the_hubspot_contacts") {
  for (const bool delete_setting : {false, true}) {
    CAPTURE(delete_setting);
    EngineFixture f;
    f.Rules(ContactRules(std::string("  to salesforce: create or update Contact\n"
                                     "  on salesforce delete: ") +
                             (delete_setting ? "delete" : "nothing"),
                         kMap));
    const std::string h1 = f.CreateContact(
        {{"email", "kept@example.com"}, {"lastname", "Kept"}, {"firstname", "Kim"}});
    const std::string h2 = f.CreateContact(
        {{"email", "gone@example.com"}, {"lastname", "Gone"}, {"firstname", "Gil"}});
    f.Sync();
    const std::string master =
        f.store.FindLink(state::Side::kHubSpot, "contacts", h1)->salesforce_id;
    const std::string loser =
        f.store.FindLink(state::Side::kHubSpot, "contacts", h2)->salesforce_id;
    // An admin merges the two Salesforce contacts, keeping the first one.
    MergeInSalesforce(f, "Contact", master, loser, {{"FirstName", "Kimberly"}});
    f.Sync();
    // The master keeps syncing with its HubSpot contact, which takes the merged value and
    // nothing of the other contact.
    const json kept = f.Contact(h1);
    CHECK(kept["firstname"] == "Kimberly");
    CHECK(kept["email"] == "kept@example.com");
    CHECK(kept["lastname"] == "Kept");
    CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", h1)->salesforce_id == master);
    // The other HubSpot contact is not merged into it: it is deleted or kept as R151 says, and
    // no longer linked.
    CHECK(f.Contact(h2).is_null() == delete_setting);
    if (!delete_setting) CHECK(f.Contact(h2)["firstname"] == "Gil");
    CHECK(!f.store.FindLink(state::Side::kHubSpot, "contacts", h2));
    CHECK(!f.store.FindLink(state::Side::kSalesforce, "Contact", loser));
    CHECK(f.ContactsByEmail("kept@example.com").size() == 1);
    CHECK(f.SfByEmail("Contact", "gone@example.com").empty());
    CHECK(f.store.OpenErrors().empty());
  }
}

TEST_CASE("R55_merging_duplicates_into_the_syncing_record_keeps_the_hubspot_contact") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Contact\n  on salesforce delete: delete",
                       kMap));
  const std::string hs =
      f.CreateContact({{"email", "dup@example.com"}, {"lastname", "Dee"}, {"firstname", "Dee"}});
  f.Sync();
  const std::string first = f.store.FindLink(state::Side::kHubSpot, "contacts", hs)->salesforce_id;
  // A duplicate with the same email, saved past Salesforce's duplicate rule.
  f.Tick();
  auto seeded = f.salesforce_sb->Seed(
      {{"records",
        {{{"type", "Contact"},
          {"fields",
           {{"Email", "dup@example.com"}, {"LastName", "Dee"}, {"Phone", "555-0199"}}}}}}});
  const std::string dupe = seeded["ids"]["Contact"][0].get<std::string>();
  f.Sync();
  // R55's advice: keep the record that is syncing now (R50 decides which) as the master.
  const std::string syncing =
      f.store.FindLink(state::Side::kHubSpot, "contacts", hs)->salesforce_id;
  const std::string other = syncing == dupe ? first : dupe;
  REQUIRE(other != syncing);
  MergeInSalesforce(f, "Contact", syncing, other, {{"FirstName", "Deirdre"}});
  auto r = f.Sync();
  CHECK(Count(r, "deleted.hubspot") == 0);
  const json h = f.Contact(hs);
  REQUIRE(!h.is_null());
  CHECK(h["firstname"] == "Deirdre");
  CHECK(f.ContactsByEmail("dup@example.com").size() == 1);
  CHECK(f.SfByEmail("Contact", "dup@example.com").size() == 1);
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", hs)->salesforce_id == syncing);
  CHECK(!f.store.FindLink(state::Side::kSalesforce, "Contact", other));
}

TEST_CASE("R62_lead_conversion_moves_the_sync_to_the_new_contact") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead", kMap));
  const std::string hs = f.CreateContact({{"email", "conv@example.com"},
                                          {"firstname", "Cy"},
                                          {"lastname", "Conv"},
                                          {"company", "Acme"}});
  f.Sync();
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", hs);
  REQUIRE(link);
  CHECK(link->salesforce_object == "Lead");
  f.Tick();
  sandbox::LeadConversion conv;
  conv.lead_id = link->salesforce_id;
  const json converted = f.salesforce_sb->ConvertLead(conv);
  const std::string contact = converted.value("contactId", "");
  REQUIRE(!contact.empty());
  f.Sync();
  link = f.store.FindLink(state::Side::kHubSpot, "contacts", hs);
  REQUIRE(link);
  CHECK(link->salesforce_object == "Contact");
  CHECK(link->salesforce_id == contact);
  f.UpdateSf("Contact", contact, {{"FirstName", "Cyrus"}});
  f.Sync();
  CHECK(f.Contact(hs)["firstname"] == "Cyrus");
  CHECK(f.ContactsByEmail("conv@example.com").size() == 1);
}

TEST_CASE("R63_lifecycle_stage_customer_never_converts_a_lead") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead", kMap));
  const std::string hs = f.CreateContact({{"email", "r63@example.com"}, {"lastname", "X"}});
  f.Sync();
  f.UpdateContact(hs, {{"lifecyclestage", "customer"}});
  f.Sync();
  auto leads = f.SfByEmail("Lead", "r63@example.com", {"Email", "IsConverted"});
  REQUIRE(leads.size() == 1);
  CHECK(leads[0].fields["IsConverted"] == false);
  CHECK(f.SfByEmail("Contact", "r63@example.com").empty());
}

TEST_CASE("bad_input_required_field_missing_is_a_categorised_error_and_the_batch_goes_on") {
  EngineFixture f;
  // No default for the required LastName: a blank lastname fails in Salesforce.
  f.Rules(
      "sync contacts: hubspot.contacts <-> salesforce.Lead {\n"
      "  to salesforce: create or update Lead\n"
      "  map {\n    email <-> Email\n    lastname <-> LastName\n"
      "    company <-> Company\n      to salesforce = company ?? \"Co\"\n  }\n}\n");
  f.CreateContact({{"email", "ok@example.com"}, {"lastname", "Fine"}});
  const std::string bad = f.CreateContact({{"email", "bad@example.com"}});
  auto r = f.Sync();
  CHECK(r.counts["created.salesforce"] >= 1);
  CHECK(f.SfByEmail("Lead", "ok@example.com").size() == 1);
  CHECK(f.SfByEmail("Lead", "bad@example.com").empty());
  CHECK(r.errors["required"] == 1);
  auto errors = f.store.OpenErrors();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].record_id == bad);
  CHECK(errors[0].category == "required");
  // Fixed in HubSpot: the retry (or the change itself) syncs it and resolves the error.
  f.UpdateContact(bad, {{"lastname", "Fixed"}});
  f.Sync();
  CHECK(f.SfByEmail("Lead", "bad@example.com").size() == 1);
  CHECK(f.store.OpenErrors().empty());
}

TEST_CASE("plan_writes_nothing_and_lists_the_field_changes") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead", kMap));
  f.CreateContact({{"email", "p@example.com"}, {"firstname", "Pat"}, {"lastname", "P"}});
  const int64_t sf_writes = f.SalesforceWrites();
  auto plan = f.Sync(/*dry_run=*/true);
  CHECK(f.SalesforceWrites() == sf_writes);
  CHECK(f.SfByEmail("Lead", "p@example.com").empty());
  CHECK(plan.counts["created.salesforce"] == 1);
  bool found = false;
  for (const auto& e : plan.plan)
    for (const auto& c : e.changes)
      if (e.action == "create" && c.field == "FirstName" && c.after == "Pat") found = true;
  CHECK(found);
  CHECK(f.store.Links().empty());
  // The real run then does what the plan said.
  auto run = f.Sync();
  CHECK(run.counts["created.salesforce"] == 1);
}

TEST_CASE("interpreter_and_jit_runs_leave_the_same_crms") {
  auto run = [](pipeline::EngineKind kind) {
    EngineFixture f;
    f.Rules(ContactRules("  to salesforce: create or update Lead",
                         "    firstname <-> FirstName prefer salesforce unless blank\n"
                         "    phone <-> Phone two-way"),
            kind);
    for (int i = 0; i < 20; ++i)
      f.CreateContact({{"email", "e" + std::to_string(i) + "@example.com"},
                       {"firstname", i % 3 ? "F" + std::to_string(i) : ""},
                       {"phone", "+44 20 7946 09" + std::to_string(10 + i)}});
    f.Sync();
    std::vector<std::string> rows;
    for (int i = 0; i < 20; ++i)
      for (const auto& r : f.SfByEmail("Lead", "e" + std::to_string(i) + "@example.com",
                                       {"Email", "FirstName", "Phone", "Company", "LastName"}))
        rows.push_back(r.fields.dump());
    return rows;
  };
  CHECK(run(pipeline::EngineKind::kJit) == run(pipeline::EngineKind::kInterp));
}

}  // namespace
}  // namespace syncline::test
