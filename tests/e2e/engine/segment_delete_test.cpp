// The inclusion segment (R30, R37-R46) and deletes (R151-R153), end to end.
#include "engine_fixture.h"

namespace syncline::test {
namespace {

// A dynamic HubSpot list: contacts whose lifecycle stage is `lead`.
void MakeSegment(EngineFixture& f, const std::string& name) {
  json filter = {{"filterBranchType", "OR"},
                 {"filterBranches",
                  {{{"filterBranchType", "AND"},
                    {"filters",
                     {{{"filterType", "PROPERTY"},
                       {"property", "lifecyclestage"},
                       {"operation",
                        {{"operationType", "ENUMERATION"},
                         {"operator", "IS_ANY_OF"},
                         {"values", {"lead"}}}}}}}}}}};
  auto r = f.hs->session().Send("POST", "/crm/v3/lists",
                                {{"name", name},
                                 {"objectTypeId", "0-1"},
                                 {"processingType", "DYNAMIC"},
                                 {"filterBranch", filter}});
  REQUIRE_MESSAGE(r.ok(), r.body.dump());
}

std::string SegmentRules(const std::string& extra = "",
                         const std::string& segment = "Salesforce sync") {
  return ContactRules(
      "  to salesforce: create or update Lead\n"
      "  from salesforce: create or update\n"
      "  on salesforce delete: delete\n"
      "  include if in_segment(\"" +
          segment + "\")" + extra,
      "    firstname <-> FirstName two-way");
}

TEST_CASE("R30_without_a_segment_every_contact_syncs") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead", "    firstname <-> FirstName"));
  f.CreateContact({{"email", "a@example.com"}});
  f.CreateContact({{"email", "b@example.com"}, {"lifecyclestage", "subscriber"}});
  auto r = f.Sync();
  CHECK(r.counts["created.salesforce"] == 2);
}

TEST_CASE("R37_R40_only_segment_members_sync_and_joining_later_syncs") {
  EngineFixture f;
  MakeSegment(f, "Salesforce sync");
  f.Rules(SegmentRules());
  f.CreateContact({{"email", "in@example.com"}, {"lifecyclestage", "lead"}});
  const std::string out =
      f.CreateContact({{"email", "out@example.com"}, {"lifecyclestage", "subscriber"}});
  auto r = f.Sync();
  CHECK(r.counts["created.salesforce"] == 1);
  CHECK(r.counts["skipped.segment"] == 1);
  CHECK(f.SfByEmail("Lead", "in@example.com").size() == 1);
  CHECK(f.SfByEmail("Lead", "out@example.com").empty());
  // R39, R40: meeting the criteria later makes it sync on the next run.
  f.UpdateContact(out, {{"lifecyclestage", "lead"}, {"firstname", "Now"}});
  f.Sync();
  auto leads = f.SfByEmail("Lead", "out@example.com");
  REQUIRE(leads.size() == 1);
  CHECK(leads[0].fields["FirstName"] == "Now");
}

TEST_CASE("R39_entering_a_manual_segment_is_a_sync_trigger") {
  EngineFixture f;
  const std::string list = f.ManualList("Salesforce sync");
  f.Rules(SegmentRules());
  const std::string c = f.CreateContact({{"email", "later@example.com"}, {"firstname", "Lou"}});
  auto first = f.Sync();
  CHECK(first.counts["skipped.segment"] == 1);
  CHECK(f.SfByEmail("Lead", "later@example.com").empty());
  // Joining the list changes nothing on the contact itself; the next run still syncs it.
  f.Tick();
  REQUIRE(f.hs->AddListMembers(list, {c}).ok());
  auto second = f.Sync();
  CHECK(second.counts["segment.entered"] == 1);
  auto leads = f.SfByEmail("Lead", "later@example.com");
  REQUIRE(leads.size() == 1);
  CHECK(leads[0].fields["FirstName"] == "Lou");
  // Once: a later run reads it no more.
  auto third = f.Sync();
  CHECK(third.counts["segment.entered"] == 0);
  CHECK(f.SfByEmail("Lead", "later@example.com").size() == 1);
}

TEST_CASE("R38_choosing_a_segment_syncs_nothing_until_a_trigger_or_a_segment_resync") {
  EngineFixture f;
  f.ManualList("Webinar");
  const std::string trade_show = f.ManualList("Trade show");
  f.Rules(SegmentRules("", "Webinar"));
  const std::string a = f.CreateContact({{"email", "a@example.com"}, {"firstname", "Ada"}});
  const std::string b = f.CreateContact({{"email", "b@example.com"}, {"firstname", "Bob"}});
  const std::string c = f.CreateContact({{"email", "c@example.com"}, {"firstname", "Cy"}});
  f.Tick();
  REQUIRE(f.hs->AddListMembers(trade_show, {a, b}).ok());
  auto before = f.Sync();  // nobody is in "Webinar"
  CHECK(Count(before, "skipped.segment") == 3);
  // The admin chooses "Trade show" as the segment: its members are not synced at once.
  f.Rules(SegmentRules("", "Trade show"));
  auto chosen = f.Sync();
  CHECK(Count(chosen, "segment.entered") == 0);
  CHECK(Count(chosen, "created.salesforce") == 0);
  CHECK(f.SfByEmail("Lead", "a@example.com").empty());
  CHECK(f.SfByEmail("Lead", "b@example.com").empty());
  CHECK(f.store.Links("contacts").empty());
  // A trigger (a change of a member) syncs that member.
  f.UpdateContact(a, {{"lastname", "Lovelace"}});
  auto triggered = f.Sync();
  CHECK(Count(triggered, "created.salesforce") == 1);
  REQUIRE(f.SfByEmail("Lead", "a@example.com").size() == 1);
  CHECK(f.SfByEmail("Lead", "b@example.com").empty());
  // A manual resync of the segment forces the rest: the members not synced yet are created,
  // the synced one is settled again with nothing to write, non-members are left alone.
  engine::RunOptions o = f.options;
  o.resync_segment = "Trade show";
  f.Tick();
  engine::SyncRunner runner(f.rules->syncs().front(), *f.hs, *f.sf, f.store, o);
  auto resync = runner.Run();
  CHECK(resync.status == "ok");
  CHECK(Count(resync, "segment.resynced") == 2);
  CHECK(Count(resync, "created.salesforce") == 1);
  CHECK(Count(resync, "updated.salesforce") == 0);
  auto leads = f.SfByEmail("Lead", "b@example.com");
  REQUIRE(leads.size() == 1);
  CHECK(leads[0].fields["FirstName"] == "Bob");
  CHECK(f.SfByEmail("Lead", "a@example.com").size() == 1);
  CHECK(f.SfByEmail("Lead", "c@example.com").empty());
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", b)->salesforce_id == leads[0].id);
  CHECK(!f.store.FindLink(state::Side::kHubSpot, "contacts", c));
  // Joining the chosen segment later is still a trigger (R39), and the resynced members are
  // not synced again.
  f.Tick();
  REQUIRE(f.hs->AddListMembers(trade_show, {c}).ok());
  auto joined = f.Sync();
  CHECK(Count(joined, "segment.entered") == 1);
  CHECK(Count(joined, "created.salesforce") == 1);
  CHECK(Count(joined, "updated.salesforce") == 0);
  CHECK(f.SfByEmail("Lead", "c@example.com").size() == 1);
  CHECK(f.store.Links("contacts").size() == 3);
}

TEST_CASE("R41_new_sf_lead_outside_segment_creates_contact_once") {
  EngineFixture f;
  MakeSegment(f, "Salesforce sync");
  f.Rules(SegmentRules());
  const std::string lead = f.CreateSf(
      "Lead",
      {{"Email", "r41@example.com"}, {"LastName", "L"}, {"Company", "Co"}, {"FirstName", "One"}});
  auto r = f.Sync();
  CHECK(r.counts["created.hubspot"] == 1);
  auto found = f.ContactsByEmail("r41@example.com");
  REQUIRE(found.size() == 1);
  CHECK(found[0].fields["firstname"] == "One");
  // Another run creates nothing more.
  auto again = f.Sync();
  CHECK(again.counts["created.hubspot"] == 0);
  CHECK(f.ContactsByEmail("r41@example.com").size() == 1);
  (void)lead;
}

TEST_CASE("R41_new_sf_lead_outside_segment_dedupes_into_existing_contact") {
  EngineFixture f;
  MakeSegment(f, "Salesforce sync");
  f.Rules(SegmentRules());
  const std::string hs =
      f.CreateContact({{"email", "r41b@example.com"}, {"lifecyclestage", "subscriber"}});
  f.CreateSf("Lead", {{"Email", "r41b@example.com"},
                      {"LastName", "L"},
                      {"Company", "Co"},
                      {"FirstName", "FromSf"}});
  auto r = f.Sync();
  CHECK(r.counts["created.hubspot"] == 0);
  CHECK(f.ContactsByEmail("r41b@example.com").size() == 1);
  CHECK(f.Contact(hs)["firstname"] == "FromSf");
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", hs).has_value());
}

TEST_CASE("R42_contact_outside_segment_gets_no_updates_either_way") {
  EngineFixture f;
  MakeSegment(f, "Salesforce sync");
  f.Rules(SegmentRules());
  const std::string lead = f.CreateSf(
      "Lead",
      {{"Email", "r42@example.com"}, {"LastName", "L"}, {"Company", "Co"}, {"FirstName", "One"}});
  f.Sync();
  const std::string hs = f.ContactsByEmail("r42@example.com").at(0).id;
  f.UpdateSf("Lead", lead, {{"FirstName", "Two"}});
  f.UpdateContact(hs, {{"lastname", "Changed"}});
  f.Sync();
  CHECK(f.Contact(hs)["firstname"] == "One");    // no SF -> HS update
  CHECK(f.Sf("Lead", lead)["LastName"] == "L");  // no HS -> SF update
  // Joining the segment resumes both directions.
  f.UpdateContact(hs, {{"lifecyclestage", "lead"}, {"lastname", "Joined"}});
  f.Sync();
  CHECK(f.Sf("Lead", lead)["LastName"] == "Joined");
}

TEST_CASE("R45_leaving_the_segment_keeps_the_salesforce_record") {
  EngineFixture f;
  MakeSegment(f, "Salesforce sync");
  f.Rules(SegmentRules());
  const std::string hs =
      f.CreateContact({{"email", "r45@example.com"}, {"lifecyclestage", "lead"}});
  f.Sync();
  REQUIRE(f.SfByEmail("Lead", "r45@example.com").size() == 1);
  f.UpdateContact(hs, {{"lifecyclestage", "subscriber"}});
  f.Sync();
  CHECK(f.SfByEmail("Lead", "r45@example.com").size() == 1);
  CHECK(f.store.FindLink(state::Side::kHubSpot, "contacts", hs).has_value());
}

TEST_CASE("R46_delete_of_lead_whose_contact_is_outside_segment_leaves_an_orphan") {
  EngineFixture f;
  MakeSegment(f, "Salesforce sync");
  f.Rules(SegmentRules());
  const std::string lead =
      f.CreateSf("Lead", {{"Email", "r46@example.com"}, {"LastName", "L"}, {"Company", "Co"}});
  f.Sync();
  const std::string hs = f.ContactsByEmail("r46@example.com").at(0).id;
  f.Tick();
  REQUIRE(f.sf->Delete("Lead", {lead})[0].ok);
  f.Tick(120'000);  // the replication API works in whole minutes
  f.Sync();
  CHECK(!f.Contact(hs).is_null());
}

TEST_CASE("R151_salesforce_delete_deletes_the_hubspot_contact_when_set") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead\n  on salesforce delete: delete",
                       "    firstname <-> FirstName"));
  const std::string hs = f.CreateContact({{"email", "d@example.com"}, {"lastname", "D"}});
  f.Sync();
  const std::string lead = f.store.FindLink(state::Side::kHubSpot, "contacts", hs)->salesforce_id;
  f.Tick();
  REQUIRE(f.sf->Delete("Lead", {lead})[0].ok);
  f.Tick(120'000);  // the replication API works in whole minutes
  auto r = f.Sync();
  CHECK(r.counts["deleted.hubspot"] == 1);
  CHECK(f.Contact(hs).is_null());
  CHECK(!f.store.FindLink(state::Side::kHubSpot, "contacts", hs));
}

TEST_CASE("R151_salesforce_delete_does_nothing_when_set_to_nothing") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead\n  on salesforce delete: nothing",
                       "    firstname <-> FirstName"));
  const std::string hs = f.CreateContact({{"email", "d2@example.com"}, {"lastname", "D"}});
  f.Sync();
  const std::string lead = f.store.FindLink(state::Side::kHubSpot, "contacts", hs)->salesforce_id;
  f.Tick();
  REQUIRE(f.sf->Delete("Lead", {lead})[0].ok);
  f.Tick(120'000);  // the replication API works in whole minutes
  auto r = f.Sync();
  CHECK(r.counts["deleted.hubspot"] == 0);
  CHECK(!f.Contact(hs).is_null());
}

TEST_CASE("R152_hubspot_delete_never_deletes_in_salesforce") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead\n  on salesforce delete: delete",
                       "    firstname <-> FirstName"));
  const std::string hs = f.CreateContact({{"email", "r152@example.com"}, {"lastname", "D"}});
  f.Sync();
  f.Tick();
  REQUIRE(f.hs->Delete("contacts", {hs})[0].ok);
  f.Sync();
  CHECK(f.SfByEmail("Lead", "r152@example.com").size() == 1);
  CHECK(!f.store.FindLink(state::Side::kHubSpot, "contacts", hs));
}

}  // namespace
}  // namespace syncline::test
