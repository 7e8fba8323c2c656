// Owner sync (R114-R119, R84) end to end: `hubspot_owner_id <-> OwnerId` moves owners between
// HubSpot owners (GET /crm/v3/owners) and Salesforce users, matched by email and name, never
// as raw ids.
#include <algorithm>

#include "engine_fixture.h"

namespace syncline::test {
namespace {

const char* kOwnerMapping = "    hubspot_owner_id <-> OwnerId two-way\n";

const char* kDeals =
    "sync deals: hubspot.deals <-> salesforce.Opportunity {\n"
    "  stages pipeline \"default\" {\n"
    "    appointmentscheduled <-> \"Prospecting\"\n"
    "    closedwon <-> \"Closed Won\"\n"
    "  }\n"
    "  map {\n"
    "    dealname <-> Name two-way\n"
    "      to salesforce = dealname ?? \"Untitled deal\"\n"
    "    closedate <-> CloseDate two-way\n"
    "    dealstage <-> StageName two-way\n"
    "    hubspot_owner_id <-> OwnerId two-way\n"
    "  }\n"
    "}\n";

// HubSpot owners and Salesforce users that overlap as in a real portal and org.
struct People {
  // HubSpot owner ids
  std::string alice, bob, carla, dan, gus, paula;
  // Salesforce user ids
  std::string u_alice, u_bob, u_carla, u_frank, u_gus, u_paula, u_admin;
};

People Seed(EngineFixture& f) {
  People p;
  json owners = f.hubspot_sb->SeedOwners(json::array({
      {{"firstName", "Alice"}, {"lastName", "Martin"}, {"email", "alice@example.com"}},
      // Salesforce calls him Robert: same email, another name.
      {{"firstName", "Bob"}, {"lastName", "Chen"}, {"email", "bob@example.com"}},
      // Her Salesforce user is inactive.
      {{"firstName", "Carla"}, {"lastName", "Diaz"}, {"email", "carla@example.com"}},
      // No Salesforce user at all.
      {{"firstName", "Dan"}, {"lastName", "Evans"}, {"email", "dan@example.com"}},
      // A Chatter-only user in Salesforce (R119: not an owner type).
      {{"firstName", "Gus"}, {"lastName", "Hill"}, {"email", "gus@example.com"}},
      {{"firstName", "Paula"}, {"lastName", "Reyes"}, {"email", "paula@partner.example"}},
      // Archived: never chosen for a Salesforce owner coming in.
      {{"firstName", "Alice"},
       {"lastName", "Martin"},
       {"email", "alice@example.com"},
       {"archived", true}},
  }));
  REQUIRE(owners.size() == 7);
  p.alice = owners[0], p.bob = owners[1], p.carla = owners[2], p.dan = owners[3], p.gus = owners[4],
  p.paula = owners[5];
  json seeded = f.salesforce_sb->Seed(
      {{"records",
        json::array({
            SalesforceUser("Alice", "Martin", "ALICE@example.com", true, "Standard"),
            SalesforceUser("Robert", "Chen", "bob@example.com", true, "Standard"),
            SalesforceUser("Carla", "Diaz", "carla@example.com", false, "Standard"),
            SalesforceUser("Frank", "Green", "frank@example.com", true, "Standard"),
            SalesforceUser("Gus", "Hill", "gus@example.com", true, "CsnOnly"),
            SalesforceUser("Paula", "Reyes", "paula@partner.example", true, "PowerPartner"),
        })}});
  const json& users = seeded["ids"]["User"];
  REQUIRE(users.size() == 6);
  p.u_alice = users[0], p.u_bob = users[1], p.u_carla = users[2], p.u_frank = users[3],
  p.u_gus = users[4], p.u_paula = users[5];
  std::vector<connectors::Owner> all;
  REQUIRE(f.sf->ReadOwners(&all).ok());
  for (const auto& u : all)
    if (u.email == "admin@sandbox.example") p.u_admin = u.id;
  REQUIRE(!p.u_admin.empty());
  return p;
}

std::string OwnerOf(EngineFixture& f, const std::string& contact) {
  std::vector<connectors::Record> out;
  REQUIRE(f.hs->ReadByIds("contacts", {contact}, {"hubspot_owner_id"}, &out).ok());
  REQUIRE(out.size() == 1);
  const json& v = out[0].fields["hubspot_owner_id"];
  return v.is_string() ? v.get<std::string>() : "";
}

std::string SfOwner(EngineFixture& f, const std::string& object, const std::string& id) {
  const json r = f.Sf(object, id, {"OwnerId"});
  REQUIRE(r.is_object());
  return r.value("OwnerId", "");
}

std::string LinkedSf(EngineFixture& f, const std::string& hs_object, const std::string& id) {
  auto link = f.store.FindLink(state::Side::kHubSpot, hs_object, id);
  return link ? link->salesforce_id : "";
}
std::string LinkedHs(EngineFixture& f, const std::string& sf_object, const std::string& id) {
  auto link = f.store.FindLink(state::Side::kSalesforce, sf_object, id);
  return link ? link->hubspot_id : "";
}

int64_t Writes(EngineFixture& f) {
  return f.HubSpotWrites() + f.SalesforceWrites();
}

// Whether the plan of a run created a record of `object` carrying `field`.
bool CreatedWith(const engine::RunReport& r, const std::string& object, const std::string& field) {
  for (const auto& e : r.plan)
    if (e.action == "create" && e.object == object)
      for (const auto& c : e.changes)
        if (c.field == field) return true;
  return false;
}

TEST_CASE("R114_salesforce_owner_comes_into_hubspot") {
  EngineFixture f;
  People p = Seed(f);
  f.Rules(ContactRules("", kOwnerMapping));
  auto lead = [&](const char* email, const std::string& owner) {
    return f.CreateSf(
        "Lead", {{"LastName", "Lead"}, {"Company", "Acme"}, {"Email", email}, {"OwnerId", owner}});
  };
  const std::string l_alice = lead("l1@example.com", p.u_alice);  // email in another case
  const std::string l_bob = lead("l2@example.com", p.u_bob);      // email only: Robert is Bob
  const std::string l_carla = lead("l3@example.com", p.u_carla);  // inactive users come in too
  const std::string l_frank = lead("l4@example.com", p.u_frank);  // no HubSpot owner
  const std::string l_gus = lead("l5@example.com", p.u_gus);      // CsnOnly: not an owner type
  const std::string l_paula = lead("l6@example.com", p.u_paula);  // PowerPartner
  auto r = f.Sync();
  CHECK(r.counts["created.hubspot"] == 6);
  CHECK(OwnerOf(f, LinkedHs(f, "Lead", l_alice)) == p.alice);
  CHECK(OwnerOf(f, LinkedHs(f, "Lead", l_bob)) == p.bob);
  CHECK(OwnerOf(f, LinkedHs(f, "Lead", l_carla)) == p.carla);
  CHECK(OwnerOf(f, LinkedHs(f, "Lead", l_frank)) == "");
  CHECK(OwnerOf(f, LinkedHs(f, "Lead", l_gus)) == "");
  CHECK(OwnerOf(f, LinkedHs(f, "Lead", l_paula)) == p.paula);
  CHECK(r.counts["owners.no_hubspot_owner"] == 2);  // Frank and Gus, once each
  // The Salesforce owners stay as they were.
  CHECK(SfOwner(f, "Lead", l_frank) == p.u_frank);
  CHECK(SfOwner(f, "Lead", l_bob) == p.u_bob);

  // A changed Salesforce owner moves HubSpot's; one without a HubSpot owner leaves it.
  f.UpdateSf("Lead", l_alice, {{"OwnerId", p.u_bob}});
  f.UpdateSf("Lead", l_paula, {{"OwnerId", p.u_frank}});
  f.Sync();
  CHECK(OwnerOf(f, LinkedHs(f, "Lead", l_alice)) == p.bob);
  CHECK(OwnerOf(f, LinkedHs(f, "Lead", l_paula)) == p.paula);
  CHECK(SfOwner(f, "Lead", l_paula) == p.u_frank);
  f.Sync();
  const int64_t writes = Writes(f);
  f.Sync();
  CHECK(Writes(f) == writes);
}

TEST_CASE("R11_an_owner_mapping_acts_two_way_whatever_rule_it_shows") {
  EngineFixture f;
  People p = Seed(f);
  f.Rules(ContactRules("", "    hubspot_owner_id <-> OwnerId prefer salesforce unless blank\n"));
  const std::string lead = f.CreateSf("Lead", {{"LastName", "Lead"},
                                               {"Company", "Acme"},
                                               {"Email", "r11@example.com"},
                                               {"OwnerId", p.u_alice}});
  f.Sync();
  const std::string contact = LinkedHs(f, "Lead", lead);
  REQUIRE(!contact.empty());
  CHECK(OwnerOf(f, contact) == p.alice);
  // A HubSpot edit would not reach Salesforce under "prefer Salesforce unless blank" (R2), but
  // an owner goes both ways.
  f.UpdateContact(contact, {{"hubspot_owner_id", p.paula}});
  f.Sync();
  CHECK(SfOwner(f, "Lead", lead) == p.u_paula);
  f.UpdateSf("Lead", lead, {{"OwnerId", p.u_alice}});
  f.Sync();
  CHECK(OwnerOf(f, contact) == p.alice);
}

TEST_CASE("R114_hubspot_owner_goes_to_salesforce_only_if_active_user_matches_name_and_email") {
  EngineFixture f;
  People p = Seed(f);
  f.Rules(ContactRules("", kOwnerMapping));
  // Paired first with the integration user as the Salesforce owner (HubSpot had none).
  auto pair = [&](const char* email) {
    const std::string lead =
        f.CreateSf("Lead", {{"LastName", "Lead"}, {"Company", "Acme"}, {"Email", email}});
    return lead;
  };
  const std::string l1 = pair("h1@example.com"), l2 = pair("h2@example.com"),
                    l3 = pair("h3@example.com"), l4 = pair("h4@example.com"),
                    l5 = pair("h5@example.com");
  f.Sync();
  const std::string c1 = LinkedHs(f, "Lead", l1), c2 = LinkedHs(f, "Lead", l2),
                    c3 = LinkedHs(f, "Lead", l3), c4 = LinkedHs(f, "Lead", l4),
                    c5 = LinkedHs(f, "Lead", l5);
  REQUIRE(!c5.empty());
  f.UpdateContact(c1, {{"hubspot_owner_id", p.alice}});  // Alice Martin, email in any case
  f.UpdateContact(c2, {{"hubspot_owner_id", p.bob}});    // Salesforce: Robert Chen
  f.UpdateContact(c3, {{"hubspot_owner_id", p.carla}});  // inactive in Salesforce
  f.UpdateContact(c4, {{"hubspot_owner_id", p.paula}});  // PowerPartner (R119)
  f.UpdateContact(c5, {{"hubspot_owner_id", p.gus}});    // CsnOnly (R119: not an owner)
  auto r = f.Sync();
  CHECK(r.errors.empty());
  CHECK(SfOwner(f, "Lead", l1) == p.u_alice);
  CHECK(SfOwner(f, "Lead", l2) == p.u_admin);
  CHECK(SfOwner(f, "Lead", l3) == p.u_admin);
  CHECK(SfOwner(f, "Lead", l4) == p.u_paula);
  CHECK(SfOwner(f, "Lead", l5) == p.u_admin);
  CHECK(r.counts["owners.not_sent"] == 3);
  // HubSpot keeps the owners it was given.
  CHECK(OwnerOf(f, c2) == p.bob);
  f.Sync();
  const int64_t writes = Writes(f);
  f.Sync();
  CHECK(Writes(f) == writes);
}

TEST_CASE("R115_unmatched_hubspot_owner_does_not_overwrite_salesforce_and_does_not_loop") {
  EngineFixture f;
  People p = Seed(f);
  f.Rules(ContactRules("", kOwnerMapping));
  const std::string c = f.CreateContact(
      {{"email", "r115@example.com"}, {"lastname", "Owner"}, {"hubspot_owner_id", p.alice}});
  f.Sync();
  const std::string lead = LinkedSf(f, "contacts", c);
  REQUIRE(!lead.empty());
  REQUIRE(SfOwner(f, "Lead", lead) == p.u_alice);
  f.Sync();

  // Dan has no Salesforce user: nothing is sent, Salesforce keeps Alice.
  f.UpdateContact(c, {{"hubspot_owner_id", p.dan}});
  const int64_t sf_before = f.SalesforceWrites();
  auto r = f.Sync();
  CHECK(r.errors.empty());
  CHECK(r.counts["owners.not_sent"] == 1);
  CHECK(SfOwner(f, "Lead", lead) == p.u_alice);
  CHECK(f.SalesforceWrites() == sf_before);
  // The pair has settled: further runs write nothing either way.
  const int64_t writes = Writes(f);
  f.Sync();
  f.Sync();
  CHECK(Writes(f) == writes);
  CHECK(SfOwner(f, "Lead", lead) == p.u_alice);
  CHECK(OwnerOf(f, c) == p.dan);

  // The next owner change on either side moves as usual.
  f.UpdateSf("Lead", lead, {{"OwnerId", p.u_bob}});
  f.Sync();
  CHECK(OwnerOf(f, c) == p.bob);
  f.UpdateContact(c, {{"hubspot_owner_id", p.paula}});
  f.Sync();
  CHECK(SfOwner(f, "Lead", lead) == p.u_paula);
  f.Sync();
  const int64_t settled = Writes(f);
  f.Sync();
  CHECK(Writes(f) == settled);
}

TEST_CASE("R116_new_lead_gets_valid_hubspot_owner_else_none") {
  EngineFixture f;
  People p = Seed(f);
  f.Rules(ContactRules("", kOwnerMapping));
  const std::string valid = f.CreateContact(
      {{"email", "valid@example.com"}, {"lastname", "V"}, {"hubspot_owner_id", p.alice}});
  auto r = f.Sync();
  CHECK(CreatedWith(r, "Lead", "OwnerId"));
  CHECK(SfOwner(f, "Lead", LinkedSf(f, "contacts", valid)) == p.u_alice);

  const std::string invalid = f.CreateContact(
      {{"email", "invalid@example.com"}, {"lastname", "I"}, {"hubspot_owner_id", p.carla}});
  r = f.Sync();
  CHECK(r.errors.empty());
  // No OwnerId in the create: Salesforce's lead assignment decides (the sandbox: its default
  // user), and HubSpot keeps Carla.
  CHECK(r.counts["created.salesforce"] == 1);
  CHECK_FALSE(CreatedWith(r, "Lead", "OwnerId"));
  CHECK(SfOwner(f, "Lead", LinkedSf(f, "contacts", invalid)) == p.u_admin);
  CHECK(OwnerOf(f, invalid) == p.carla);
  f.Sync();
  const int64_t writes = Writes(f);
  f.Sync();
  CHECK(Writes(f) == writes);
}

TEST_CASE("R117_paired_lead_keeps_salesforce_owner") {
  EngineFixture f;
  People p = Seed(f);
  f.Rules(ContactRules("", kOwnerMapping));
  // The lead exists first; the HubSpot contact is newer and has a valid owner of its own.
  const std::string lead = f.CreateSf("Lead", {{"LastName", "Paired"},
                                               {"Company", "Acme"},
                                               {"Email", "r117@example.com"},
                                               {"OwnerId", p.u_bob}});
  f.Tick(5000);
  const std::string c = f.CreateContact(
      {{"email", "r117@example.com"}, {"lastname", "Paired"}, {"hubspot_owner_id", p.alice}});
  f.Sync();
  REQUIRE(LinkedSf(f, "contacts", c) == lead);
  CHECK(SfOwner(f, "Lead", lead) == p.u_bob);
  CHECK(OwnerOf(f, c) == p.bob);
  // After that, the most recent owner change wins either way.
  f.UpdateContact(c, {{"hubspot_owner_id", p.alice}});
  f.Sync();
  CHECK(SfOwner(f, "Lead", lead) == p.u_alice);
  f.UpdateSf("Lead", lead, {{"OwnerId", p.u_paula}});
  f.Sync();
  CHECK(OwnerOf(f, c) == p.paula);

  // A Salesforce owner with no HubSpot owner is kept too, HubSpot keeps its own, and the pair
  // is settled: HubSpot's next owner change goes to Salesforce.
  const std::string lead2 = f.CreateSf("Lead", {{"LastName", "Frank's"},
                                                {"Company", "Acme"},
                                                {"Email", "r117b@example.com"},
                                                {"OwnerId", p.u_frank}});
  f.Tick(5000);
  const std::string c2 = f.CreateContact(
      {{"email", "r117b@example.com"}, {"lastname", "Frank's"}, {"hubspot_owner_id", p.alice}});
  f.Sync();
  REQUIRE(LinkedSf(f, "contacts", c2) == lead2);
  CHECK(SfOwner(f, "Lead", lead2) == p.u_frank);
  CHECK(OwnerOf(f, c2) == p.alice);
  f.UpdateContact(c2, {{"hubspot_owner_id", p.paula}});
  f.Sync();
  CHECK(SfOwner(f, "Lead", lead2) == p.u_paula);
}

TEST_CASE("R118_new_opportunity_without_valid_owner_has_no_owner_set") {
  EngineFixture f;
  People p = Seed(f);
  f.Rules(kDeals);
  auto deal = [&](const char* name, const std::string& owner) {
    f.Tick();
    auto w = f.hs->Write("deals", connectors::WriteKind::kCreate,
                         {{"",
                           "",
                           "",
                           {{"dealname", name},
                            {"dealstage", "appointmentscheduled"},
                            {"pipeline", "default"},
                            {"closedate", "2026-12-24T00:00:00Z"},
                            {"hubspot_owner_id", owner}}}});
    REQUIRE_MESSAGE(w[0].ok, w[0].error.message);
    return w[0].id;
  };
  const std::string unowned = deal("No valid owner", p.dan);
  auto r = f.Sync();
  CHECK(r.errors.empty());
  CHECK_FALSE(CreatedWith(r, "Opportunity", "OwnerId"));
  CHECK(SfOwner(f, "Opportunity", LinkedSf(f, "deals", unowned)) == p.u_admin);
  // R84: a deal owner matching an active user by name and email owns the new opportunity.
  const std::string owned = deal("Alice's", p.alice);
  r = f.Sync();
  CHECK(SfOwner(f, "Opportunity", LinkedSf(f, "deals", owned)) == p.u_alice);
  f.Sync();
  const int64_t writes = Writes(f);
  f.Sync();
  CHECK(Writes(f) == writes);
}

TEST_CASE("owners_a_second_run_writes_nothing_and_reads_owners_only_when_mapped") {
  EngineFixture f;
  People p = Seed(f);
  f.Rules(ContactRules("", kOwnerMapping));
  for (int i = 0; i < 6; ++i) {
    const std::vector<std::string> hs = {p.alice, p.bob, p.carla, p.dan, p.gus, p.paula};
    const std::vector<std::string> sf = {p.u_alice, p.u_bob, p.u_carla,
                                         p.u_frank, p.u_gus, p.u_paula};
    f.CreateContact({{"email", "hs" + std::to_string(i) + "@example.com"},
                     {"lastname", "H"},
                     {"hubspot_owner_id", hs[static_cast<size_t>(i)]}});
    f.CreateSf("Lead", {{"LastName", "S"},
                        {"Company", "Acme"},
                        {"Email", "sf" + std::to_string(i) + "@example.com"},
                        {"OwnerId", sf[static_cast<size_t>(i)]}});
  }
  auto first = f.Sync();
  CHECK(first.errors.empty());
  CHECK(first.counts["created.salesforce"] == 6);
  CHECK(first.counts["created.hubspot"] == 6);
  f.Sync();  // the creates' echoes
  const int64_t writes = Writes(f);
  auto second = f.Sync();
  CHECK(Writes(f) == writes);
  CHECK(second.counts["created.salesforce"] == 0);
  CHECK(second.counts["updated.salesforce"] == 0);
  CHECK(second.counts["updated.hubspot"] == 0);

  // A sync that does not map the owner never reads the owner lists.
  EngineFixture g;
  Seed(g);
  g.Rules(ContactRules("", ""));
  g.CreateContact({{"email", "x@example.com"}, {"lastname", "X"}, {"hubspot_owner_id", "1"}});
  const auto before = g.hubspot_sb->CallCounts();
  g.Sync();
  const auto after = g.hubspot_sb->CallCounts();
  auto owners_calls = [](const std::map<std::string, int64_t>& counts) {
    int64_t n = 0;
    for (const auto& [k, v] : counts)
      if (k.find("/crm/v3/owners") != std::string::npos) n += v;
    return n;
  };
  CHECK(owners_calls(after) == owners_calls(before));
}

}  // namespace
}  // namespace syncline::test
