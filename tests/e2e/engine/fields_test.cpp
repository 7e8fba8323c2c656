// Field sync rules R1-R16 and echo suppression, end to end: records in both sandboxes, a real
// sync run, and the final values read back from both CRMs.
#include "engine_fixture.h"

namespace syncline::test {
namespace {

// A HubSpot contact paired with a Salesforce contact by email, with one mapped field under
// `rule`; returns {hubspot id, salesforce id}.
struct Pair {
  std::string hs, sf;
};
Pair Paired(EngineFixture& f, const std::string& rule, const json& hs_extra, const json& sf_extra) {
  f.Rules(ContactRules("  to salesforce: create or update Contact", "    firstname " + rule));
  json props = {{"email", "ann@example.com"}, {"lastname", "Lee"}};
  if (hs_extra.is_object()) props.update(hs_extra);
  json fields = {{"Email", "ann@example.com"}, {"LastName", "Lee"}};
  if (sf_extra.is_object()) fields.update(sf_extra);
  Pair p{f.CreateContact(props), f.CreateSf("Contact", fields)};
  f.Sync();
  return p;
}

TEST_CASE("R1_prefer_salesforce_blank_salesforce_takes_the_hubspot_value") {
  EngineFixture f;
  auto p = Paired(f, "<-> FirstName prefer salesforce unless blank", {{"firstname", "Ann"}}, {});
  CHECK(f.Sf("Contact", p.sf)["FirstName"] == "Ann");
  CHECK(f.Contact(p.hs)["firstname"] == "Ann");
}

TEST_CASE("R2_prefer_salesforce_hubspot_edit_leaves_salesforce_value") {
  EngineFixture f;
  auto p = Paired(f, "<-> FirstName prefer salesforce unless blank", {{"firstname", "Ann"}},
                  {{"FirstName", "Anna"}});
  f.UpdateContact(p.hs, {{"firstname", "Annie"}});
  f.Sync();
  CHECK(f.Sf("Contact", p.sf)["FirstName"] == "Anna");
}

TEST_CASE("R3_prefer_salesforce_salesforce_value_overwrites_hubspot") {
  EngineFixture f;
  auto p = Paired(f, "<-> FirstName prefer salesforce unless blank", {{"firstname", "Ann"}},
                  {{"FirstName", "Anna"}});
  CHECK(f.Contact(p.hs)["firstname"] == "Anna");
  f.UpdateSf("Contact", p.sf, {{"FirstName", "Hannah"}});
  f.Sync();
  CHECK(f.Contact(p.hs)["firstname"] == "Hannah");
}

TEST_CASE("R4_prefer_salesforce_cleared_in_salesforce_clears_hubspot") {
  EngineFixture f;
  auto p = Paired(f, "<-> FirstName prefer salesforce unless blank", {}, {{"FirstName", "Anna"}});
  CHECK(f.Contact(p.hs)["firstname"] == "Anna");
  f.UpdateSf("Contact", p.sf, {{"FirstName", nullptr}});
  f.Sync();
  const json hs = f.Contact(p.hs)["firstname"];
  CHECK((hs.is_null() || hs == ""));
}

TEST_CASE("R5_prefer_salesforce_cleared_in_hubspot_is_restored_from_salesforce") {
  EngineFixture f;
  auto p = Paired(f, "<-> FirstName prefer salesforce unless blank", {}, {{"FirstName", "Anna"}});
  f.UpdateContact(p.hs, {{"firstname", ""}});
  f.Sync();
  CHECK(f.Sf("Contact", p.sf)["FirstName"] == "Anna");
  CHECK(f.Contact(p.hs)["firstname"] == "Anna");
}

TEST_CASE("R6_always_salesforce_hubspot_never_writes") {
  EngineFixture f;
  auto p = Paired(f, "<- FirstName", {{"firstname", "Ann"}}, {});
  const json sf = f.Sf("Contact", p.sf)["FirstName"];
  CHECK((sf.is_null() || sf == ""));
  const json hs = f.Contact(p.hs)["firstname"];
  CHECK((hs.is_null() || hs == ""));  // Salesforce's blank wins too (R7)
}

TEST_CASE("R7_always_salesforce_value_and_clear_reach_hubspot") {
  EngineFixture f;
  auto p = Paired(f, "<- FirstName", {{"firstname", "Ann"}}, {{"FirstName", "Anna"}});
  CHECK(f.Contact(p.hs)["firstname"] == "Anna");
  f.UpdateSf("Contact", p.sf, {{"FirstName", nullptr}});
  f.Sync();
  const json hs = f.Contact(p.hs)["firstname"];
  CHECK((hs.is_null() || hs == ""));
}

TEST_CASE("R8_two_way_last_change_wins_both_orders") {
  EngineFixture f;
  auto p = Paired(f, "<-> FirstName two-way", {{"firstname", "Ann"}}, {});
  CHECK(f.Sf("Contact", p.sf)["FirstName"] == "Ann");
  // HubSpot changes first, Salesforce later: Salesforce's value wins on both sides.
  f.UpdateContact(p.hs, {{"firstname", "Hubspot-first"}});
  f.UpdateSf("Contact", p.sf, {{"FirstName", "Salesforce-later"}});
  f.Sync();
  CHECK(f.Contact(p.hs)["firstname"] == "Salesforce-later");
  CHECK(f.Sf("Contact", p.sf)["FirstName"] == "Salesforce-later");
  // And the reverse.
  f.UpdateSf("Contact", p.sf, {{"FirstName", "Salesforce-first"}});
  f.UpdateContact(p.hs, {{"firstname", "Hubspot-later"}});
  f.Sync();
  CHECK(f.Contact(p.hs)["firstname"] == "Hubspot-later");
  CHECK(f.Sf("Contact", p.sf)["FirstName"] == "Hubspot-later");
}

TEST_CASE("R150_a_failed_update_is_written_on_the_retry_for_every_rule") {
  // A pair whose HubSpot update fails keeps the base of that field on both sides, so the retry
  // (and every later run) still sees the Salesforce change and writes it: it was lost before,
  // when only HubSpot's base was kept and the pair looked agreed.
  for (const char* rule : {"<-> FirstName two-way", "<-> FirstName prefer salesforce unless blank",
                           "<- FirstName always salesforce"}) {
    CAPTURE(rule);
    EngineFixture f;
    f.options.retry_interval_ms = 1000;
    auto p = Paired(f, rule, {{"firstname", "Ann"}}, {{"FirstName", "Ann"}});
    f.UpdateSf("Contact", p.sf, {{"FirstName", "Annie"}});
    sandbox::FaultSpec fault;
    fault.endpoint = "batch/update";
    fault.fail_items = {0};
    f.hubspot_sb->AddFault(fault);
    auto failed = f.Sync();
    f.hubspot_sb->ClearFaults();
    CHECK(failed.errors.size() == 1);
    CHECK(f.Contact(p.hs)["firstname"] == "Ann");
    f.Tick(5000);
    f.Sync();
    CHECK(f.Contact(p.hs)["firstname"] == "Annie");
    CHECK(f.store.OpenErrors().empty());
    // Settled: nothing more to write.
    auto again = f.Sync();
    CHECK(again.counts["updated.hubspot"] == 0);
  }
}

TEST_CASE("R9_two_way_clear_in_either_system_clears_the_other") {
  EngineFixture f;
  auto p = Paired(f, "<-> FirstName two-way", {{"firstname", "Ann"}}, {});
  f.UpdateContact(p.hs, {{"firstname", ""}});
  f.Sync();
  json sf = f.Sf("Contact", p.sf)["FirstName"];
  CHECK((sf.is_null() || sf == ""));
  f.UpdateSf("Contact", p.sf, {{"FirstName", "Back"}});
  f.Sync();
  CHECK(f.Contact(p.hs)["firstname"] == "Back");
  f.UpdateSf("Contact", p.sf, {{"FirstName", nullptr}});
  f.Sync();
  const json hs = f.Contact(p.hs)["firstname"];
  CHECK((hs.is_null() || hs == ""));
}

TEST_CASE("R10_dont_sync_changes_never_propagate") {
  EngineFixture f;
  auto p = Paired(f, "-- FirstName", {{"firstname", "Ann"}}, {{"FirstName", "Anna"}});
  f.UpdateContact(p.hs, {{"firstname", "X"}});
  f.UpdateSf("Contact", p.sf, {{"FirstName", nullptr}});
  f.Sync();
  CHECK(f.Contact(p.hs)["firstname"] == "X");
  const json sf = f.Sf("Contact", p.sf)["FirstName"];
  CHECK((sf.is_null() || sf == ""));
}

// A value is blank when the CRM holds nothing (null) or an empty string.
bool Blank(const json& v) {
  return v.is_null() || v == "";
}

TEST_CASE("R153_clearing_a_value_follows_the_rule_of_its_mapping_on_either_side") {
  // One pair, one field per rule: R4 (prefer Salesforce), R7 (always Salesforce), R9 (two-way)
  // and R10 (don't sync). Values cleared on one side, then the other.
  const char* kRules =
      "    firstname <-> FirstName prefer salesforce unless blank\n"
      "    jobtitle <- Title\n"
      "    phone <-> Phone two-way\n"
      "    city -- Contact.MailingCity";
  for (const bool in_salesforce : {true, false}) {
    CAPTURE(in_salesforce);
    EngineFixture f;
    f.Rules(ContactRules("  to salesforce: create or update Contact", kRules));
    const std::string hs = f.CreateContact({{"email", "r153@example.com"},
                                            {"lastname", "Lee"},
                                            {"firstname", "Ann"},
                                            {"jobtitle", "CTO"},
                                            {"phone", "555-0100"},
                                            {"city", "Leeds"}});
    const std::string sf = f.CreateSf("Contact", {{"Email", "r153@example.com"},
                                                  {"LastName", "Lee"},
                                                  {"FirstName", "Ann"},
                                                  {"Title", "CTO"},
                                                  {"Phone", "555-0100"},
                                                  {"MailingCity", "York"}});
    f.Sync();
    REQUIRE(f.store.FindLink(state::Side::kHubSpot, "contacts", hs)->salesforce_id == sf);
    const std::vector<std::string> sf_fields = {"FirstName", "Title", "Phone", "MailingCity"};
    if (in_salesforce)
      f.UpdateSf("Contact", sf,
                 {{"FirstName", nullptr},
                  {"Title", nullptr},
                  {"Phone", nullptr},
                  {"MailingCity", nullptr}});
    else
      f.UpdateContact(hs, {{"firstname", ""}, {"jobtitle", ""}, {"phone", ""}, {"city", ""}});
    f.Sync();
    const json h = f.Contact(hs);
    const json s = f.Sf("Contact", sf, sf_fields);
    if (in_salesforce) {
      CHECK(Blank(h["firstname"]));  // R4: Salesforce cleared, HubSpot cleared
      CHECK(Blank(h["jobtitle"]));   // R7: HubSpot follows Salesforce, blank included
      CHECK(Blank(h["phone"]));      // R9
      CHECK(h["city"] == "Leeds");   // R10: nothing moves, deletions neither
      for (const auto& field : sf_fields) CHECK(Blank(s[field]));
    } else {
      // R5, R6: HubSpot's clear does not reach Salesforce, whose value comes back.
      CHECK(s["FirstName"] == "Ann");
      CHECK(h["firstname"] == "Ann");
      CHECK(s["Title"] == "CTO");
      CHECK(h["jobtitle"] == "CTO");  // R7: HubSpot always takes Salesforce's value
      CHECK(Blank(s["Phone"]));       // R9: cleared on both sides
      CHECK(Blank(h["phone"]));
      CHECK(s["MailingCity"] == "York");  // R10
      CHECK(Blank(h["city"]));
    }
    // Settled: the state store agrees with both CRMs, so the next run writes nothing.
    CHECK(f.store.OpenErrors().empty());
    CHECK(f.store.FindLink(state::Side::kSalesforce, "Contact", sf)->hubspot_id == hs);
    const int64_t hs_writes = f.HubSpotWrites(), sf_writes = f.SalesforceWrites();
    f.Sync();
    CHECK(f.HubSpotWrites() == hs_writes);
    CHECK(f.SalesforceWrites() == sf_writes);
  }
}

TEST_CASE("R14_one_mapping_writes_leads_and_contacts") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead", "    jobtitle <-> Title two-way"));
  const std::string lead =
      f.CreateSf("Lead", {{"Email", "l@example.com"}, {"LastName", "L"}, {"Company", "C"}});
  const std::string contact =
      f.CreateSf("Contact", {{"Email", "c@example.com"}, {"LastName", "C"}});
  const std::string hl = f.CreateContact({{"email", "l@example.com"}, {"jobtitle", "Lead title"}});
  const std::string hc =
      f.CreateContact({{"email", "c@example.com"}, {"jobtitle", "Contact title"}});
  f.Sync();
  CHECK(f.Sf("Lead", lead)["Title"] == "Lead title");
  CHECK(f.Sf("Contact", contact)["Title"] == "Contact title");
  (void)hl, (void)hc;
}

// R13: the integration's default contact mappings cannot be deleted, only edited, and custom
// mappings are added next to them. Here the defaults are `std.defaults.contacts`: a sync that
// uses them gets every one of them, and its own `map` lines edit a default (a new rule, or
// `--`, the "don't sync" rule, which is how a default is turned off) and add custom ones.
TEST_CASE("R13_defaults_stay_a_sync_edits_or_turns_them_off_and_adds_custom_mappings") {
  EngineFixture f;
  f.Rules(
      "use std.defaults.contacts\n"
      "sync contacts: hubspot.contacts <-> salesforce.Lead | salesforce.Contact {\n"
      "  match email\n"
      "  to salesforce: create or update Lead\n"
      "  map from std.defaults.contacts\n"
      "  map {\n"
      "    jobtitle <-> Title two-way\n"  // a default edited (its rule: prefer Salesforce)
      "    phone -- Phone\n"              // a default turned off (don't sync)
      "    message -> Description\n"      // a custom mapping
      "  }\n"
      "}\n");
  const std::string hs = f.CreateContact({{"email", "r13@example.com"},
                                          {"firstname", "Rae"},
                                          {"lastname", "Tan"},
                                          {"city", "Oslo"},
                                          {"jobtitle", "CTO"},
                                          {"phone", "+47 555 0100"},
                                          {"message", "Call me"}});
  f.Sync();
  auto leads = f.SfByEmail("Lead", "r13@example.com",
                           {"FirstName", "LastName", "City", "Title", "Phone", "Description"});
  REQUIRE(leads.size() == 1);
  const std::string lead = leads[0].id;
  // The defaults the sync left alone apply, the custom mapping writes, the one turned off not.
  CHECK(leads[0].fields["FirstName"] == "Rae");
  CHECK(leads[0].fields["City"] == "Oslo");
  CHECK(leads[0].fields["Title"] == "CTO");
  CHECK(leads[0].fields["Description"] == "Call me");
  CHECK(leads[0].fields["Phone"].is_null());
  // The edited default follows its new rule: two-way, so a later HubSpot edit wins over the
  // Salesforce value (the default, prefer Salesforce unless blank, would keep "CTO": R2).
  // The phone stays unsynced both ways.
  f.UpdateContact(hs, {{"jobtitle", "CEO"}, {"phone", "+47 555 0199"}});
  f.UpdateSf("Lead", lead, {{"Phone", "555-0000"}});
  f.Sync();
  const json now = f.Sf("Lead", lead, {"Title", "Phone"});
  CHECK(now["Title"] == "CEO");
  CHECK(now["Phone"] == "555-0000");
  CHECK(f.Contact(hs)["phone"] == "+47 555 0199");
}

TEST_CASE("R12_a_new_mapping_does_not_sync_existing_values_back_in_time") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Contact", ""));
  const std::string sf = f.CreateSf("Contact", {{"Email", "n@example.com"}, {"LastName", "N"}});
  const std::string hs =
      f.CreateContact({{"email", "n@example.com"}, {"lastname", "N"}, {"jobtitle", "Engineer"}});
  f.Sync();
  f.Sync();
  REQUIRE(f.store.FindLink(state::Side::kHubSpot, "contacts", hs));
  CHECK(f.Sf("Contact", sf)["Title"].is_null());
  // The admin adds a mapping: the existing value does not move by itself...
  f.Rules(
      ContactRules("  to salesforce: create or update Contact", "    jobtitle <-> Title two-way"));
  auto r = f.Sync();
  CHECK(r.counts["updated.salesforce"] == 0);
  CHECK(f.Sf("Contact", sf)["Title"].is_null());
  // ...only a later trigger (a change of the record) moves it.
  f.UpdateContact(hs, {{"jobtitle", "Senior Engineer"}});
  f.Sync();
  CHECK(f.Sf("Contact", sf)["Title"] == "Senior Engineer");
}

TEST_CASE("R35_nothing_moves_before_the_first_run_and_afterwards_only_changes_move") {
  EngineFixture f;
  // Records from before Syncline: one on each side only, and one on both with other values.
  const std::string hs_only =
      f.CreateContact({{"email", "hs.only@example.com"}, {"lastname", "Hub"}});
  f.CreateSf("Lead", {{"Email", "sf.only@example.com"}, {"LastName", "Sales"}, {"Company", "Co"}});
  const std::string both_hs = f.CreateContact(
      {{"email", "both@example.com"}, {"lastname", "Both"}, {"firstname", "Before"}});
  const std::string both_sf = f.CreateSf(
      "Contact", {{"Email", "both@example.com"}, {"LastName", "Both"}, {"FirstName", "Kept"}});
  // "Installed": the rules are in place. Syncline has no process of its own, so nothing moves
  // until a run; `syncline plan` shows what the first run would do and writes nothing.
  f.Rules(
      ContactRules("  to salesforce: create or update Lead\n  from salesforce: create or update",
                   "    firstname <-> FirstName prefer salesforce unless blank"));
  const int64_t hs_writes = f.HubSpotWrites(), sf_writes = f.SalesforceWrites();
  auto plan = f.Sync(/*dry_run=*/true);
  CHECK(Count(plan, "created.salesforce") == 1);
  CHECK(Count(plan, "created.hubspot") == 1);
  CHECK(f.HubSpotWrites() == hs_writes);
  CHECK(f.SalesforceWrites() == sf_writes);
  CHECK(f.store.Links().empty());
  CHECK(!f.store.GetWatermark(state::Side::kHubSpot, "contacts"));
  CHECK(!f.store.GetWatermark(state::Side::kSalesforce, "Lead"));
  CHECK(f.SfByEmail("Lead", "hs.only@example.com").empty());
  CHECK(f.ContactsByEmail("sf.only@example.com").empty());
  CHECK(f.Contact(both_hs)["firstname"] == "Before");
  // The first run is the trigger: it reads both sides from the beginning, as an import would,
  // so the existing records pair or are created (the integration's "import" step).
  auto first = f.Sync();
  CHECK(Count(first, "created.salesforce") == 1);
  CHECK(Count(first, "created.hubspot") == 1);
  CHECK(f.SfByEmail("Lead", "hs.only@example.com").size() == 1);
  CHECK(f.ContactsByEmail("sf.only@example.com").size() == 1);
  CHECK(f.Contact(both_hs)["firstname"] == "Kept");
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", both_hs)->salesforce_id == both_sf);
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", hs_only).has_value());
  CHECK(f.store.Links("contacts").size() == 3);
  // From then on only a trigger moves a record: an idle run writes nothing...
  const int64_t hs_after = f.HubSpotWrites(), sf_after = f.SalesforceWrites();
  auto idle = f.Sync();
  CHECK(f.HubSpotWrites() == hs_after);
  CHECK(f.SalesforceWrites() == sf_after);
  // ...and a change moves that record only.
  f.UpdateSf("Contact", both_sf, {{"FirstName", "Changed"}});
  auto changed = f.Sync();
  CHECK(Count(changed, "updated.hubspot") == 1);
  CHECK(Count(changed, "updated.salesforce") + Count(changed, "created.salesforce") +
            Count(changed, "created.hubspot") ==
        0);
  CHECK(f.Contact(both_hs)["firstname"] == "Changed");
  (void)idle;
}

TEST_CASE("R105_a_lifecycle_transition_is_a_sync_trigger") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Contact", ""));
  const std::string sf = f.CreateSf("Contact", {{"Email", "t@example.com"}, {"LastName", "T"}});
  const std::string hs = f.CreateContact({{"email", "t@example.com"},
                                          {"lastname", "T"},
                                          {"jobtitle", "Buyer"},
                                          {"lifecyclestage", "lead"}});
  f.Sync();
  f.Sync();
  // A mapping added later (R12) waits for a trigger; the stage moving is one.
  f.Rules(
      ContactRules("  to salesforce: create or update Contact", "    jobtitle <-> Title two-way"));
  f.Sync();
  CHECK(f.Sf("Contact", sf)["Title"].is_null());
  f.UpdateContact(hs, {{"lifecyclestage", "salesqualifiedlead"}});
  f.Sync();
  CHECK(f.Sf("Contact", sf)["Title"] == "Buyer");
}

TEST_CASE("R15_change_to_an_unmapped_property_writes_nothing_and_echoes_are_suppressed") {
  EngineFixture f;
  auto p = Paired(f, "<-> FirstName two-way", {{"firstname", "Ann"}}, {});
  f.Sync();  // settle any echo of the first sync
  const int64_t hs_writes = f.HubSpotWrites(), sf_writes = f.SalesforceWrites();
  f.UpdateContact(p.hs, {{"website", "example.com"}});  // not mapped
  const int64_t after_edit = f.HubSpotWrites();
  auto report = f.Sync();
  CHECK(f.HubSpotWrites() == after_edit);
  CHECK(f.SalesforceWrites() == sf_writes);
  CHECK(report.counts["updated.salesforce"] == 0);
  (void)hs_writes;
}

TEST_CASE("echo_suppression_second_run_makes_no_write_calls") {
  EngineFixture f;
  f.Rules(
      ContactRules("  to salesforce: create or update Lead\n  from salesforce: create or update",
                   "    firstname <-> FirstName prefer salesforce unless blank\n"
                   "    phone <-> Phone two-way"));
  for (int i = 0; i < 30; ++i)
    f.CreateContact({{"email", "h" + std::to_string(i) + "@example.com"},
                     {"firstname", "H" + std::to_string(i)},
                     {"phone", "+1 555 010 " + std::to_string(1000 + i)}});
  for (int i = 0; i < 30; ++i)
    f.CreateSf("Lead", {{"Email", "s" + std::to_string(i) + "@example.com"},
                        {"LastName", "S"},
                        {"Company", "Co"},
                        {"FirstName", "S" + std::to_string(i)}});
  auto first = f.Sync();
  CHECK(first.counts["created.salesforce"] == 30);
  CHECK(first.counts["created.hubspot"] == 30);
  const int64_t hs_writes = f.HubSpotWrites(), sf_writes = f.SalesforceWrites();
  auto second = f.Sync();
  CHECK(f.HubSpotWrites() == hs_writes);
  CHECK(f.SalesforceWrites() == sf_writes);
  CHECK(second.counts["created.salesforce"] + second.counts["updated.salesforce"] == 0);
  CHECK(second.counts["created.hubspot"] + second.counts["updated.hubspot"] == 0);
  // Exactly one record per email on each side.
  CHECK(f.SfByEmail("Lead", "h7@example.com").size() == 1);
  CHECK(f.ContactsByEmail("s7@example.com").size() == 1);
}

}  // namespace
}  // namespace syncline::test
