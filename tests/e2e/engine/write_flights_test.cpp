// The engine's writes in flight (engine/write_flights.h), end to end: a page's HubSpot and
// Salesforce calls are out at the same time, several per side, and a suspension on one side settles
// the call still out on the other before the run stops, so nothing is left half done in the
// journal. And a page's look-ups (SendLookups in sync_runner.cpp) go out two at a time.
#include "engine_fixture.h"

namespace syncline::test {
namespace {

const char* kMappings =
    "    firstname <-> FirstName two-way\n"
    "    phone <-> Phone two-way\n";

struct Pair {
  std::string hs, sf;
};

// A HubSpot contact and a Salesforce contact of one email (the next sync pairs them).
Pair NewPair(EngineFixture& f, const std::string& email) {
  return {f.CreateContact({{"email", email}, {"lastname", "Lee"}, {"firstname", "Ann"}}),
          f.CreateSf("Contact", {{"Email", email}, {"LastName", "Lee"}, {"FirstName", "Ann"}})};
}

TEST_CASE("a page's HubSpot and Salesforce writes are out at the same time") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Contact", kMappings));
  Pair p = NewPair(f, "ann@example.com");
  f.Sync();
  // Changed on both sides: the next sync writes both CRMs from one page.
  f.UpdateContact(p.hs, {{"firstname", "Annie"}});
  f.UpdateSf("Contact", p.sf, {{"Phone", "555-0100"}});
  // Each CRM takes 1.5 s to answer its write; one after the other would take 3 s.
  constexpr int kLatencyMs = 1500;
  f.hubspot_sb->AddFault(SlowCalls("batch/update", kLatencyMs));
  f.salesforce_sb->AddFault(SlowCalls("PATCH /services/data", kLatencyMs));
  f.hubspot_sb->ResetCallCounts();
  f.salesforce_sb->ResetCallCounts();
  const int64_t ms = ElapsedMs([&] { f.Sync(); });
  CHECK(f.hubspot_sb->CallCount("batch/update") == 1);
  CHECK(f.salesforce_sb->CallCount("PATCH /services/data") == 1);
  CHECK(f.Sf("Contact", p.sf)["FirstName"] == "Annie");
  CHECK(f.Contact(p.hs)["phone"] == "555-0100");
  CHECK(f.store.PendingIntents().empty());
  CHECK(ms >= kLatencyMs);
  CHECK_MESSAGE(ms < 2 * kLatencyMs - 300, "the sync took " << ms << " ms");
  // Settled: the next run writes nothing.
  f.hubspot_sb->ResetCallCounts();
  f.salesforce_sb->ResetCallCounts();
  f.Sync();
  CHECK(f.hubspot_sb->CallCount("batch/") == 0);
  CHECK(f.salesforce_sb->CallCount("composite/sobjects") == 0);
}

// A side's write calls are out `write_calls` at a time, and answers that arrive out of order are
// settled in the order sent: every record is written once, linked and based, nothing pending.
TEST_CASE("a side's write calls are out three at a time") {
  EngineFixture f;
  f.options.hubspot_batch = 1;  // one HubSpot update per record
  f.options.salesforce_batch = 1;
  REQUIRE(f.options.hubspot_write_calls == 3);
  REQUIRE(f.options.salesforce_write_calls == 3);
  f.Rules(ContactRules("  to salesforce: create or update Contact", kMappings));
  std::vector<Pair> pairs;
  for (const char* email : {"ann@example.com", "bob@example.com", "cy@example.com"})
    pairs.push_back(NewPair(f, email));
  f.Sync();
  for (const Pair& p : pairs) {
    f.UpdateContact(p.hs, {{"firstname", "Changed"}});
    f.UpdateSf("Contact", p.sf, {{"Phone", "555-0100"}});
  }
  // Each CRM answers each write 1 s later, the first call of each side 0.5 s later still, so
  // that the second and third are answered before it. One after the other: 3 s or more.
  constexpr int kLatencyMs = 1000;
  f.hubspot_sb->AddFault(SlowCalls("batch/update", kLatencyMs + 500, 1, 1));
  f.hubspot_sb->AddFault(SlowCalls("batch/update", kLatencyMs, 2, 2));
  f.salesforce_sb->AddFault(SlowCalls("PATCH /services/data", kLatencyMs + 500, 1, 1));
  f.salesforce_sb->AddFault(SlowCalls("PATCH /services/data", kLatencyMs, 2, 2));
  f.hubspot_sb->ResetCallCounts();
  f.salesforce_sb->ResetCallCounts();
  const int64_t ms = ElapsedMs([&] { f.Sync(); });
  CHECK(f.hubspot_sb->CallCount("batch/update") == 3);
  CHECK(f.salesforce_sb->CallCount("PATCH /services/data") == 3);
  for (const Pair& p : pairs) {
    CHECK(f.Sf("Contact", p.sf)["FirstName"] == "Changed");
    CHECK(f.Contact(p.hs)["phone"] == "555-0100");
  }
  CHECK(f.store.PendingIntents().empty());
  CHECK(ms >= kLatencyMs + 500);
  CHECK_MESSAGE(ms < 2 * kLatencyMs + 500, "the sync took " << ms << " ms");
  // Every answer settled its bases: the next run writes nothing.
  f.hubspot_sb->ResetCallCounts();
  f.salesforce_sb->ResetCallCounts();
  f.Sync();
  CHECK(f.hubspot_sb->CallCount("batch/") == 0);
  CHECK(f.salesforce_sb->CallCount("composite/sobjects") == 0);
}

// The sync runner journals a call's intents in one row (StateStore::BeginCallIntents). A crash
// after the call reached the CRM leaves that row; the next run expands it, finds the update
// applied, stores the bases the call settles and writes nothing again.
TEST_CASE("a call's journal row left by a crash is recovered item by item with its bases") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Contact", kMappings));
  Pair p = NewPair(f, "ann@example.com");
  f.Sync();
  const auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", p.hs);
  REQUIRE(link);
  // The run that crashed: HubSpot's change was read, the Salesforce update journaled and sent,
  // Salesforce applied it, and the process died before settling the answer.
  f.UpdateContact(p.hs, {{"firstname", "Annie"}});
  state::Intent intent;
  intent.key = "update|salesforce|Contact|" + p.sf + "|crashed";
  intent.side = state::Side::kSalesforce;
  intent.object = "Contact";
  intent.op = "update";
  intent.record_id = p.sf;
  intent.link_id = link->id;
  intent.payload = R"({"FirstName":"Annie"})";
  intent.bases = R"({"hubspot":{"firstname":"Annie"},"salesforce":{"FirstName":"Annie"}})";
  f.store.BeginCallIntents({intent}, 1);
  f.UpdateSf("Contact", p.sf, {{"FirstName", "Annie"}});
  f.hubspot_sb->ResetCallCounts();
  f.salesforce_sb->ResetCallCounts();
  const engine::RunReport r = f.Sync();
  CHECK(Count(r, "recovered.updates") == 1);
  CHECK(f.store.PendingIntents().empty());
  REQUIRE(f.store.GetIntent(intent.key));
  CHECK(f.store.GetIntent(intent.key)->state == state::IntentState::kDone);
  CHECK(f.store.GetBase(link->id, state::Side::kSalesforce)["FirstName"] == "Annie");
  CHECK(f.hubspot_sb->CallCount("batch/update") == 0);
  CHECK(f.salesforce_sb->CallCount("PATCH /services/data") == 0);
}

TEST_CASE("R49_a_hubspot_page_s_email_look_ups_of_leads_and_contacts_are_out_at_the_same_time") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Contact", kMappings));
  const std::string hs = f.CreateContact({{"email", "new@example.com"}, {"lastname", "New"}});
  // The run's first two Salesforce queries are the page's look-ups by email, one per object
  // (Lead, Contact); each takes 1.5 s to answer. One after the other would take 3 s.
  constexpr int kLatencyMs = 1500;
  f.salesforce_sb->AddFault(SlowCalls("/query", kLatencyMs, 2));
  f.salesforce_sb->ResetCallCounts();
  const int64_t ms = ElapsedMs([&] { f.Sync(); });
  CHECK(f.salesforce_sb->CallCount("/query") >= 2);
  // Neither found a record of the email, so the contact was created once.
  CHECK(f.salesforce_sb->CallCount("composite/sobjects") == 1);
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", hs);
  REQUIRE(link);
  CHECK(link->salesforce_object == "Contact");
  CHECK(ms >= kLatencyMs);
  CHECK_MESSAGE(ms < 2 * kLatencyMs - 300, "the sync took " << ms << " ms");
}

TEST_CASE("a salesforce page's counterpart read and email look-up in hubspot are out at once") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Contact", kMappings));
  Pair p = NewPair(f, "ann@example.com");
  f.Sync();
  // One page of the Salesforce feed holds a change of a linked contact (its HubSpot counterpart
  // is read by id) and a new contact (HubSpot is searched for its email): two batch reads, each
  // answered in 1.5 s.
  f.UpdateSf("Contact", p.sf, {{"Phone", "555-0100"}});
  const std::string fresh =
      f.CreateSf("Contact", {{"Email", "bob@example.com"}, {"LastName", "Bob"}});
  constexpr int kLatencyMs = 1500;
  f.hubspot_sb->AddFault(SlowCalls("objects/contacts/batch/read", kLatencyMs, 2));
  f.hubspot_sb->ResetCallCounts();
  const int64_t ms = ElapsedMs([&] { f.Sync(); });
  CHECK(f.hubspot_sb->CallCount("objects/contacts/batch/read") >= 2);
  CHECK(f.Contact(p.hs)["phone"] == "555-0100");
  auto link = f.store.FindLink(state::Side::kSalesforce, "Contact", fresh);
  REQUIRE(link);
  CHECK(f.Contact(link->hubspot_id)["email"] == "bob@example.com");
  CHECK(f.hubspot_sb->CallCount("batch/create") == 1);
  CHECK(ms >= kLatencyMs);
  CHECK_MESSAGE(ms < 2 * kLatencyMs - 300, "the sync took " << ms << " ms");
}

// A HubSpot feed of one record per page (ReadHubSpot syncs each page while the next one's
// look-ups are out).
void OneRecordPages(EngineFixture& f) {
  connectors::HubSpotConfig hc;
  hc.session = f.Session(f.hubspot_sb->base_url(), f.hubspot_sb->token());
  hc.search_page = 1;
  f.hs = std::make_unique<connectors::HubSpotConnector>(hc);
}

TEST_CASE("R49_a_hubspot_page_s_look_ups_are_out_while_the_page_before_is_written") {
  EngineFixture f;
  OneRecordPages(f);
  f.Rules(ContactRules("  to salesforce: create or update Contact", kMappings));
  Pair ann = NewPair(f, "ann@example.com");
  f.Sync();
  f.UpdateContact(ann.hs, {{"firstname", "Annie"}});
  const std::string bob = f.CreateContact({{"email", "bob@example.com"}, {"lastname", "Bob"}});
  // Page 1 (Ann, linked) reads her Salesforce contact by id, then updates it. Page 2 (Bob, new)
  // is looked up by email in leads and contacts. Those three queries (the run's first, in
  // whatever order the two look-up threads send them) and the update are each answered in 1 s.
  // Page 2's queries are sent when page 2 is handed out, so they are answered while page 1's
  // query and update are out: 2 s in all. One page after the other: 3 s.
  constexpr int kLatencyMs = 1000;
  f.salesforce_sb->AddFault(SlowCalls("PATCH /services/data", kLatencyMs));
  f.salesforce_sb->AddFault(SlowCalls("/query", kLatencyMs, 3));
  f.salesforce_sb->ResetCallCounts();
  const int64_t ms = ElapsedMs([&] { f.Sync(); });
  CHECK(f.salesforce_sb->CallCount("PATCH /services/data") == 1);
  CHECK(f.salesforce_sb->CallCount("/query") >= 3);
  CHECK(f.Sf("Contact", ann.sf)["FirstName"] == "Annie");
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", bob);
  REQUIRE(link);
  CHECK(f.Sf("Contact", link->salesforce_id)["Email"] == "bob@example.com");
  CHECK(f.SfByEmail("Contact", "bob@example.com").size() == 1);
  CHECK(ms >= 2 * kLatencyMs);
  CHECK_MESSAGE(ms < 3 * kLatencyMs - 300, "the sync took " << ms << " ms");
}

TEST_CASE("R49_a_look_up_answered_before_the_page_before_is_written_pairs_nothing_twice") {
  // Ann's email moves from old@ to ann@; then Bob takes old@ in HubSpot. Page 2 (Bob) is looked
  // up by old@ while page 1 (Ann) still writes ann@ over old@ on her Salesforce contact: the
  // answer holds her contact under old@. It is linked (to Ann), so Bob gets a contact of his
  // own, and Ann's stays hers.
  EngineFixture f;
  OneRecordPages(f);
  f.Rules(ContactRules("  to salesforce: create or update Contact", kMappings));
  const std::string a = f.CreateContact({{"email", "old@example.com"}, {"lastname", "Ann"}});
  f.Sync();
  auto ann = f.store.FindLink(state::Side::kHubSpot, "contacts", a);
  REQUIRE(ann);
  f.UpdateContact(a, {{"email", "ann@example.com"}});
  const std::string b = f.CreateContact({{"email", "old@example.com"}, {"lastname", "Bob"}});
  f.salesforce_sb->AddFault(SlowCalls("PATCH /services/data", 1000));
  f.salesforce_sb->ResetCallCounts();
  f.Sync();
  CHECK(f.salesforce_sb->CallCount("PATCH /services/data") == 1);
  CHECK(f.Sf("Contact", ann->salesforce_id)["Email"] == "ann@example.com");
  auto still = f.store.FindLink(state::Side::kHubSpot, "contacts", a);
  REQUIRE(still);
  CHECK(still->salesforce_id == ann->salesforce_id);
  auto bob = f.store.FindLink(state::Side::kHubSpot, "contacts", b);
  REQUIRE(bob);
  CHECK(bob->salesforce_id != ann->salesforce_id);
  CHECK(f.Sf("Contact", bob->salesforce_id)["Email"] == "old@example.com");
  CHECK(f.SfByEmail("Contact", "old@example.com").size() == 1);
  CHECK(f.store.PendingIntents().empty());
  // Settled: the next run writes nothing.
  f.salesforce_sb->ResetCallCounts();
  f.Sync();
  CHECK(f.salesforce_sb->CallCount("composite/sobjects") == 0);
  CHECK(f.salesforce_sb->CallCount("PATCH /services/data") == 0);
}

// A Salesforce feed of one record per query page (ReadSalesforce syncs each page while the
// next one's look-ups are out), in an org whose duplicate rules let records of one email be
// saved (R50).
void OneRecordSalesforcePages(EngineFixture& f) {
  auto limits = f.salesforce_sb->limits();
  limits.query_batch_min = limits.query_batch_max = 1;
  limits.duplicate_rules = false;
  f.salesforce_sb->SetLimits(limits);
}

TEST_CASE("R50_a_salesforce_page_s_look_ups_are_out_while_the_page_before_is_written") {
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Contact", kMappings));
  Pair ann = NewPair(f, "ann@example.com");
  f.Sync();
  OneRecordSalesforcePages(f);
  f.UpdateSf("Contact", ann.sf, {{"Phone", "555-0100"}});
  const std::string bob =
      f.CreateSf("Contact", {{"Email", "bob@example.com"}, {"LastName", "Bob"}});
  // Page 1 (Ann, linked) reads her HubSpot contact by id, then updates it. Page 2 (Bob, new) is
  // looked up by email in HubSpot. The two reads and the update are each answered in 1 s.
  // Page 2's look-up is sent when page 2 is handed out, so it is answered while page 1's read
  // and update are out: 2 s in all. One page after the other: 3 s.
  constexpr int kLatencyMs = 1000;
  f.hubspot_sb->AddFault(SlowCalls("objects/contacts/batch/read", kLatencyMs, 2));
  f.hubspot_sb->AddFault(SlowCalls("objects/contacts/batch/update", kLatencyMs));
  f.hubspot_sb->ResetCallCounts();
  const int64_t ms = ElapsedMs([&] { f.Sync(); });
  CHECK(f.hubspot_sb->CallCount("objects/contacts/batch/read") == 2);
  CHECK(f.hubspot_sb->CallCount("objects/contacts/batch/update") == 1);
  CHECK(f.Contact(ann.hs)["phone"] == "555-0100");
  auto link = f.store.FindLink(state::Side::kSalesforce, "Contact", bob);
  REQUIRE(link);
  CHECK(f.Contact(link->hubspot_id)["email"] == "bob@example.com");
  CHECK(f.ContactsByEmail("bob@example.com").size() == 1);
  CHECK(ms >= 2 * kLatencyMs);
  CHECK_MESSAGE(ms < 3 * kLatencyMs - 300, "the sync took " << ms << " ms");
}

TEST_CASE("R50_a_hubspot_contact_created_by_the_page_before_is_found_by_the_next_page") {
  // Two new leads of one email on two pages. Page 2's look-up is sent before page 1 creates
  // the HubSpot contact for the first lead, so its answer misses it; the key page 1 wrote is
  // looked up again, and the newer lead takes the contact over (R50) instead of a second
  // contact being created for the same email.
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Lead", kMappings));
  OneRecordSalesforcePages(f);
  const std::string older =
      f.CreateSf("Lead", {{"Email", "dup@example.com"}, {"LastName", "Old"}, {"Company", "Co"}});
  const std::string newer = f.CreateSf("Lead", {{"Email", "Dup@Example.com"},
                                                {"LastName", "New"},
                                                {"FirstName", "Newest"},
                                                {"Company", "Co"}});
  f.hubspot_sb->ResetCallCounts();
  auto r = f.Sync();
  CHECK(r.counts["created.hubspot"] == 1);
  CHECK(r.counts["relinked"] == 1);
  CHECK(f.hubspot_sb->CallCount("objects/contacts/batch/create") == 1);
  const auto contacts = f.ContactsByEmail("dup@example.com");
  REQUIRE(contacts.size() == 1);
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", contacts[0].id);
  REQUIRE(link);
  CHECK(link->salesforce_id == newer);
  CHECK(!f.store.FindLink(state::Side::kSalesforce, "Lead", older));
  CHECK(f.Contact(contacts[0].id)["firstname"] == "Newest");
  CHECK(f.store.OpenErrors().empty());
  CHECK(f.store.PendingIntents().empty());
}

TEST_CASE("R50_a_record_whose_link_the_page_before_took_over_is_settled_as_new") {
  // Ann's contact in HubSpot is linked to Salesforce contact `linked`. A second Salesforce
  // contact (`taker`, first without an email) takes the email, and `linked` changes, in the
  // same second: the feed hands out `taker` (page 1, the lower id) and then `linked` (page 2).
  // Page 1 finds Ann's contact by email and, its record being no older, takes it over (R50),
  // which deletes `linked`'s link after page 2 was prepared as a linked record. Page 2 is
  // settled as the new record it now is: looked up by email again, it takes the contact back
  // as the same timestamps allow, and the link it ends with is a stored one.
  EngineFixture f;
  f.Rules(ContactRules("  to salesforce: create or update Contact", kMappings));
  const std::string taker = f.CreateSf("Contact", {{"LastName", "Taker"}});
  Pair ann = NewPair(f, "ann@example.com");
  f.Sync();
  REQUIRE(f.store.FindLink(state::Side::kHubSpot, "contacts", ann.hs)->salesforce_id == ann.sf);
  OneRecordSalesforcePages(f);
  f.Tick();
  // Both writes at one clock second (no Tick between them).
  REQUIRE(f.sf->Write("Contact", connectors::WriteKind::kUpdate,
                      {{taker, "", "", {{"Email", "ann@example.com"}, {"FirstName", "Tak"}}}})[0]
              .ok);
  REQUIRE(f.sf->Write("Contact", connectors::WriteKind::kUpdate,
                      {{ann.sf, "", "", {{"Phone", "555-0199"}}}})[0]
              .ok);
  auto r = f.Sync();
  CHECK(r.counts["relinked"] == 2);
  auto link = f.store.FindLink(state::Side::kHubSpot, "contacts", ann.hs);
  REQUIRE(link);
  CHECK(link->salesforce_id == ann.sf);
  CHECK(f.store.FindLink(state::Side::kSalesforce, "Contact", ann.sf));
  CHECK(!f.store.FindLink(state::Side::kSalesforce, "Contact", taker));
  CHECK(f.Contact(ann.hs)["phone"] == "555-0199");
  CHECK(f.ContactsByEmail("ann@example.com").size() == 1);
  CHECK(f.store.PendingIntents().empty());
}

TEST_CASE("R140_a_suspension_settles_the_other_side_s_call_in_flight_and_sends_no_more") {
  EngineFixture f;
  f.options.hubspot_batch = 1;        // two HubSpot calls: the second must not go out
  f.options.hubspot_write_calls = 1;  // one call out (with more, both would be out at once)
  f.Rules(ContactRules("  to salesforce: create or update Contact", kMappings));
  Pair a = NewPair(f, "ann@example.com");
  Pair b = NewPair(f, "bob@example.com");
  f.Sync();
  for (const Pair* p : {&a, &b}) {
    f.UpdateContact(p->hs, {{"firstname", "Changed"}});
    f.UpdateSf("Contact", p->sf, {{"Phone", "555-0100"}});
  }
  // Salesforce answers its update at once with its daily limit exceeded (a suspension), while
  // HubSpot's first update is still out.
  sandbox::FaultSpec limit;
  limit.endpoint = "PATCH /services/data";
  limit.status = 403;
  limit.on_call = 1;
  f.salesforce_sb->AddFault(limit);
  sandbox::FaultSpec slow;
  slow.endpoint = "batch/update";
  slow.latency_ms = 1000;
  slow.on_call = 1;
  f.hubspot_sb->AddFault(slow);
  f.hubspot_sb->ResetCallCounts();
  f.salesforce_sb->ResetCallCounts();
  f.Tick();
  engine::RunOptions o = f.options;
  engine::RunReport report;
  for (const auto& s : f.rules->syncs()) {
    engine::SyncRunner runner(s, *f.hs, *f.sf, f.store, o);
    report.Merge(runner.Run());
  }
  CHECK(report.status == "suspended");
  CHECK(f.salesforce_sb->CallCount("PATCH /services/data") == 1);
  CHECK(f.hubspot_sb->CallCount("batch/update") == 1);  // the call out; not the next one
  // The call that was out is settled: its intent is complete, nothing is pending.
  CHECK(f.store.PendingIntents().empty());
  int updated = 0;
  for (const Pair* p : {&a, &b}) updated += f.Contact(p->hs)["phone"] == "555-0100";
  CHECK(updated == 1);
  // Once the limit resets, the next run writes the rest, once each.
  f.salesforce_sb->ClearFaults();
  f.hubspot_sb->ClearFaults();
  f.sf->session().ClearSuspension();
  f.hubspot_sb->ResetCallCounts();
  f.Sync();
  CHECK(f.hubspot_sb->CallCount("batch/update") == 1);
  for (const Pair* p : {&a, &b}) {
    CHECK(f.Contact(p->hs)["phone"] == "555-0100");
    CHECK(f.Sf("Contact", p->sf)["FirstName"] == "Changed");
  }
  CHECK(f.store.PendingIntents().empty());
}

TEST_CASE("R140_a_suspension_settles_every_call_out_on_a_side_and_sends_no_more") {
  // With three calls out per side, a suspension seen while some HubSpot calls are out: those are
  // settled (linked, based, journal rows ended), none is sent after, and the next run writes the
  // rest, each record once.
  EngineFixture f;
  f.options.hubspot_batch = 1;  // five HubSpot calls, up to three out at once
  f.Rules(ContactRules("  to salesforce: create or update Contact", kMappings));
  std::vector<Pair> pairs;
  for (int i = 0; i < 5; ++i) pairs.push_back(NewPair(f, "p" + std::to_string(i) + "@example.com"));
  f.Sync();
  for (const Pair& p : pairs) {
    f.UpdateContact(p.hs, {{"firstname", "Changed"}});
    f.UpdateSf("Contact", p.sf, {{"Phone", "555-0100"}});
  }
  sandbox::FaultSpec limit;
  limit.endpoint = "PATCH /services/data";
  limit.status = 403;
  limit.on_call = 1;
  f.salesforce_sb->AddFault(limit);
  f.hubspot_sb->AddFault(SlowCalls("batch/update", 500, 5));
  f.hubspot_sb->ResetCallCounts();
  f.Tick();
  engine::RunReport report;
  for (const auto& s : f.rules->syncs()) {
    engine::SyncRunner runner(s, *f.hs, *f.sf, f.store, f.options);
    report.Merge(runner.Run());
  }
  CHECK(report.status == "suspended");
  const int64_t sent = f.hubspot_sb->CallCount("batch/update");
  CHECK(sent >= 1);
  CHECK(sent <= 3);  // what was out when the suspension was seen; nothing after
  CHECK(f.store.PendingIntents().empty());
  int updated = 0;
  for (const Pair& p : pairs) updated += f.Contact(p.hs)["phone"] == "555-0100";
  CHECK(updated == sent);
  // Once the limit resets, the next run writes the rest, once each.
  f.salesforce_sb->ClearFaults();
  f.hubspot_sb->ClearFaults();
  f.sf->session().ClearSuspension();
  f.hubspot_sb->ResetCallCounts();
  f.Sync();
  CHECK(f.hubspot_sb->CallCount("batch/update") == 5 - sent);
  for (const Pair& p : pairs) {
    CHECK(f.Contact(p.hs)["phone"] == "555-0100");
    CHECK(f.Sf("Contact", p.sf)["FirstName"] == "Changed");
  }
  CHECK(f.store.PendingIntents().empty());
}

}  // namespace
}  // namespace syncline::test
