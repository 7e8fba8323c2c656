// Pure helpers of the sandboxes: timestamp formats, the SOQL parser, Salesforce ids, webhook
// signatures and subscriptions; the store's in-memory count of a time range.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>

#include "sandbox/object_catalog.h"
#include "sandbox/salesforce_sandbox.h"
#include "sandbox/soql.h"
#include "sandbox/store.h"
#include "sandbox/time_format.h"
#include "sandbox/webhook_signature.h"
#include "sandbox/webhooks.h"
#include "schema/schema.h"

using namespace syncline::sandbox;

TEST_CASE("timestamps: vendor formats and lenient parsing") {
  CHECK(FormatIsoMs(1572406217883) == "2019-10-30T03:30:17.883Z");
  CHECK(FormatSfDateTime(1572406217883) == "2019-10-30T03:30:17.883+0000");
  CHECK(FormatDate(1572406217883) == "2019-10-30");
  CHECK(FormatIsoMs(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(ParseIsoTime("2019-10-30T03:30:17.883Z") == 1572406217883);
  CHECK(ParseIsoTime("2019-10-30T04:30:17.883+01:00") == 1572406217883);
  CHECK(ParseIsoTime("2019-10-30T04:30:17.883+0100") == 1572406217883);
  CHECK(ParseIsoTime("2019-10-30") == 1572393600000);
  CHECK(ParseIsoTime("2019-10-30T03:30Z") == 1572406200000);
  CHECK_FALSE(ParseIsoTime("2019-13-01"));
  CHECK_FALSE(ParseIsoTime("yesterday"));
  CHECK_FALSE(ParseIsoTime("2019-10-30T03:30:17.883Q"));
  CHECK(ParseTimeOrEpochMs("1572406217883") == 1572406217883);
}

TEST_CASE("salesforce ids: 15 to 18 characters") {
  CHECK(SalesforceSandbox::To18("001D000000IqhSL") == "001D000000IqhSLIAZ");
  CHECK(SalesforceSandbox::To18("001D000000IqhSLIAZ") == "001D000000IqhSLIAZ");
}

TEST_CASE("soql: the subset parses into fields, conditions and ordering") {
  auto r = ParseSoql(
      "SELECT Id, Account.Name FROM Contact WHERE (Email LIKE '%@x.com' OR NOT IsDeleted = true) "
      "AND CreatedDate > 2024-01-01T00:00:00Z AND Name IN ('a', 'b\\'c') AND CloseDate = "
      "LAST_N_DAYS:30 ORDER BY LastName DESC NULLS FIRST, Id LIMIT 10 OFFSET 5");
  REQUIRE(std::holds_alternative<SoqlQuery>(r));
  const auto& q = std::get<SoqlQuery>(r);
  CHECK(q.fields.size() == 2);
  CHECK(q.fields[1] == std::vector<std::string>{"Account", "Name"});
  CHECK(q.object == "Contact");
  REQUIRE(q.where);
  CHECK(q.where->kind == SoqlCondition::Kind::kAnd);
  CHECK(q.order_by.size() == 2);
  CHECK(q.order_by[0].descending);
  CHECK_FALSE(q.order_by[0].nulls_last);
  CHECK(q.limit == 10);
  CHECK(q.offset == 5);
  CHECK(std::get<SoqlQuery>(ParseSoql("select count() from Lead")).count);
  for (const char* bad :
       {"SELECT FROM Account", "SELECT Id Account", "SELECT Id FROM Account WHERE",
        "SELECT Id FROM Account WHERE Name = 'x", "SELECT Id FROM Account LIMIT x",
        "SELECT Id FROM Account WHERE CreatedDate > 2024-01-01T00:00:00",
        "SELECT Id FROM Account WHERE Name = !", "SELECT Id FROM Account junk"})
    CHECK_MESSAGE(std::holds_alternative<SoqlError>(ParseSoql(bad)), bad);
}

TEST_CASE("webhook signatures: v3 is base64 HMAC-SHA256 of method + URI + body + timestamp") {
  // RFC 4231 test case 2, with the message cut into the four signed parts.
  CHECK(HubSpotSignatureV3("Jefe", "what", " do ya", " want for", " nothing?") ==
        "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
  const std::string uri = "https://example.com/hook?x=1", body = R"([{"eventId":1}])";
  const std::string ts = "1700000000000", sig = "rNK6Y2Znr9NgqH+2DSXOufgwonejiD5KPPFF4TLQpps=";
  CHECK(HubSpotSignatureV3("secret", "POST", uri, body, ts) == sig);
  const int64_t now = 1700000000000;
  CHECK(VerifyHubSpotSignatureV3("secret", "POST", uri, body, ts, sig, now) ==
        SignatureCheck::kValid);
  // Any change to what was signed, or the wrong secret, is a mismatch.
  CHECK(VerifyHubSpotSignatureV3("secret", "POST", uri, body + " ", ts, sig, now) ==
        SignatureCheck::kMismatch);
  CHECK(VerifyHubSpotSignatureV3("secret", "PUT", uri, body, ts, sig, now) ==
        SignatureCheck::kMismatch);
  CHECK(VerifyHubSpotSignatureV3("secret", "POST", uri + "&y=2", body, ts, sig, now) ==
        SignatureCheck::kMismatch);
  CHECK(VerifyHubSpotSignatureV3("Secret", "POST", uri, body, ts, sig, now) ==
        SignatureCheck::kMismatch);
  CHECK(VerifyHubSpotSignatureV3("secret", "POST", uri, body, ts, sig.substr(1), now) ==
        SignatureCheck::kMismatch);
  // The signed timestamp is the header text: a different timestamp breaks the signature.
  CHECK(VerifyHubSpotSignatureV3("secret", "POST", uri, body, "1700000000001", sig, now) ==
        SignatureCheck::kMismatch);
  CHECK(VerifyHubSpotSignatureV3("secret", "POST", uri, body, "", sig, now) ==
        SignatureCheck::kMissing);
  CHECK(VerifyHubSpotSignatureV3("secret", "POST", uri, body, ts, "", now) ==
        SignatureCheck::kMissing);
  CHECK(VerifyHubSpotSignatureV3("secret", "POST", uri, body, "17e11", sig, now) ==
        SignatureCheck::kBadTimestamp);
  CHECK(std::string(ToString(SignatureCheck::kStale)).find("window") != std::string::npos);
}

TEST_CASE("webhook signatures: the 5-minute timestamp rule") {
  const std::string uri = "http://127.0.0.1:9/h", body = "[]", ts = "1700000000000";
  const std::string sig = HubSpotSignatureV3("s", "POST", uri, body, ts);
  const int64_t sent = 1700000000000, five_min = 5 * 60 * 1000;
  CHECK(kHubSpotSignatureMaxAgeMs == five_min);
  CHECK(VerifyHubSpotSignatureV3("s", "POST", uri, body, ts, sig, sent + five_min) ==
        SignatureCheck::kValid);
  CHECK(VerifyHubSpotSignatureV3("s", "POST", uri, body, ts, sig, sent + five_min + 1) ==
        SignatureCheck::kStale);
  CHECK(VerifyHubSpotSignatureV3("s", "POST", uri, body, ts, sig, sent + 3'600'000) ==
        SignatureCheck::kStale);
  // A timestamp far in the future (a skewed or forged clock) is refused too.
  CHECK(VerifyHubSpotSignatureV3("s", "POST", uri, body, ts, sig, sent - five_min - 1) ==
        SignatureCheck::kStale);
  // The window is a parameter.
  CHECK(VerifyHubSpotSignatureV3("s", "POST", uri, body, ts, sig, sent + 2000, 1000) ==
        SignatureCheck::kStale);
  // Staleness is checked before the signature: an old request is refused whatever it carries.
  CHECK(VerifyHubSpotSignatureV3("s", "POST", uri, body, ts, "bogus", sent + five_min + 1) ==
        SignatureCheck::kStale);
}

TEST_CASE("webhook settings: validation, subscription ids and matching") {
  nlohmann::json j = {{"target_url", "http://127.0.0.1:8080/hook"},
                      {"client_secret", "s"},
                      {"app_id", 42},
                      {"subscriptions",
                       {"contact.creation",
                        {{"subscriptionType", "contact.propertyChange"}, {"propertyName", "email"}},
                        {{"subscriptionType", "object.deletion"}, {"objectTypeId", "0-3"}},
                        {{"subscriptionType", "company.creation"}, {"active", false}}}}};
  auto s = j.get<WebhookSettings>();
  CHECK(s.enabled());
  CHECK(s.max_events_per_request == 100);
  CHECK(s.max_retries == 10);
  REQUIRE(s.subscriptions.size() == 4);
  CHECK(s.subscriptions[0].id > 0);
  CHECK(s.subscriptions[0].id != s.subscriptions[1].id);
  CHECK(s.Matching("contact", "0-1", "creation").size() == 1);
  CHECK(s.Matching("contact", "0-1", "propertyChange", "email").size() == 1);
  CHECK(s.Matching("contact", "0-1", "propertyChange", "firstname").empty());
  CHECK(s.Matching("contact", "0-1", "propertyChange").size() == 1);
  CHECK(s.Matching("deal", "0-3", "deletion").size() == 1);  // generic, by objectTypeId
  CHECK(s.Matching("deal", "0-3", "creation").empty());
  CHECK(s.Matching("company", "0-2", "creation").empty());  // inactive
  // Ids survive a round trip, so re-registering keeps them.
  auto again = nlohmann::json(s).get<WebhookSettings>();
  CHECK(again.subscriptions[2].id == s.subscriptions[2].id);
  auto bad = [&](nlohmann::json patch) {
    nlohmann::json b = j;
    b.merge_patch(patch);
    CHECK_THROWS(b.get<WebhookSettings>());
  };
  bad({{"target_url", "ftp://x/y"}});
  bad({{"target_url", ""}});
  bad({{"subscriptions", {"contact.explode"}}});
  bad({{"subscriptions", {"contact.propertyChange"}}});  // needs a propertyName
  bad({{"subscriptions", {"object.creation"}}});         // needs an objectTypeId
  bad({{"max_events_per_request", 0}});
  bad({{"duplicate_fraction", 2}});
}

TEST_CASE("catalog: standard objects come from the builtin schemas, plus the test customisation") {
  namespace sc = syncline::schema;
  auto catalog = BuiltinCatalog();
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  for (auto [vendor, crm] : {std::pair{Vendor::kHubSpot, sc::Crm::kHubSpot},
                             std::pair{Vendor::kSalesforce, sc::Crm::kSalesforce}}) {
    auto objects = catalog->Objects(vendor);
    for (const sc::Object* o : env.Objects(crm)) {
      auto it = std::find_if(objects.begin(), objects.end(),
                             [&](const ObjectDef& d) { return d.name == o->name; });
      REQUIRE_MESSAGE(it != objects.end(), o->name);
      it->BuildIndex();
      CHECK(it->key_prefix == o->key_prefix);
      CHECK(it->object_type_id == o->object_type_id);
      for (const sc::Field& f : o->fields) {
        const FieldDef* d = it->Find(f.name);
        REQUIRE_MESSAGE(d, (o->name + "." + f.name));
        CHECK(d->options.size() ==
              static_cast<size_t>(std::count_if(f.options.begin(), f.options.end(),
                                                [](const sc::Option& x) { return x.active; })));
        CHECK(d->required_on_create == f.required_on_create);
      }
    }
    // The test portal's and org's own objects.
    CHECK(std::any_of(objects.begin(), objects.end(), [](const ObjectDef& d) {
      return d.name == "vehicles" || d.name == "Vehicle__c";
    }));
  }
  auto hubspot = catalog->Objects(Vendor::kHubSpot);
  auto contacts = std::find_if(hubspot.begin(), hubspot.end(),
                               [](const ObjectDef& d) { return d.name == "contacts"; });
  REQUIRE(contacts != hubspot.end());
  contacts->BuildIndex();
  // HubSpot behaviour the properties API does not show: contact emails are unique.
  CHECK(contacts->Find("email")->unique);
  CHECK(contacts->Find("email")->kind == FieldKind::kEmail);
  CHECK(contacts->Find("email")->group == "contactinformation");
  CHECK(contacts->Find("hs_interests")->kind == FieldKind::kMultiEnum);
}

TEST_CASE("timestamps: the hand-written formatter agrees at the edges") {
  CHECK(FormatIsoMs(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatIsoMs(951782400000) == "2000-02-29T00:00:00.000Z");
  CHECK(FormatIsoMs(253402300799999) == "9999-12-31T23:59:59.999Z");
  CHECK(FormatIsoMs(253402300800000) == "10000-01-01T00:00:00.000Z");  // snprintf fallback
  CHECK(FormatSfDateTime(86399999) == "1970-01-01T23:59:59.999+0000");
  for (int64_t ms : {int64_t{1}, int64_t{1572406217883}, int64_t{-86400001}})
    CHECK(ParseIsoTime(FormatIsoMs(ms)) == ms);
}

TEST_CASE("store: a time range of live records is counted in memory as SQLite counts it") {
  // CountRange answers (obj, live, updated_ms range) from an order-statistics tree; any other
  // bound (here seq >= 0, which every record meets) makes it count in SQLite. Both must agree
  // through inserts, replacements, soft and hard deletes, a rollback and a clear.
  std::string error;
  auto store = Store::Open(":memory:", &error, {RecordColumn::kUpdated});
  REQUIRE_MESSAGE(store, error);
  int64_t seq = 0;
  auto put = [&](const std::string& obj, const std::string& id, int64_t updated, bool deleted) {
    StoredRecord r;
    r.object = obj;
    r.id = id;
    r.seq = ++seq;
    r.updated_ms = updated;
    r.deleted = deleted;
    store->Put(r, {});
  };
  auto check = [&](const std::string& obj) {
    for (int64_t lo : {INT64_MIN, int64_t{0}, int64_t{5}, int64_t{9}, int64_t{30}})
      for (int64_t hi : {int64_t{4}, int64_t{9}, int64_t{20}, INT64_MAX}) {
        RecordRange fast;
        fast.deleted = false;
        fast.updated_lo = lo;
        fast.updated_hi = hi;
        RecordRange sql = fast;
        sql.seq_lo = 0;
        CAPTURE(obj);
        CAPTURE(lo);
        CAPTURE(hi);
        CHECK(store->CountRange(obj, fast) == store->CountRange(obj, sql));
      }
  };
  for (int i = 0; i < 12; ++i) put("contacts", std::to_string(i), i, false);
  put("companies", "c1", 5, false);
  check("contacts");                // builds the tree
  put("contacts", "3", 25, false);  // moved later
  put("contacts", "4", 9, true);    // archived
  put("contacts", "12", 9, false);  // new, on a tie
  store->Erase("contacts", "7");
  check("contacts");
  check("companies");
  check("deals");  // no records
  store->Begin();
  put("contacts", "13", 6, false);
  put("contacts", "5", 30, false);
  store->Rollback();
  check("contacts");
  store->Clear();
  check("contacts");
  put("contacts", "a", 1, false);
  check("contacts");
}
