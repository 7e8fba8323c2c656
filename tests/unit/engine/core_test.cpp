// The engine's decision table, rule by rule (R1-R10), and the canonical values that make echo
// suppression work. The end-to-end tests (tests/e2e/engine) check the same rules against the
// sandboxes; these pin the core's own contract.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <optional>

#include "engine/core.h"

namespace syncline::engine {
namespace {

using nlohmann::json;

struct Case {
  FieldRule rule;
  json h, s;                          // current values (null: blank)
  std::optional<std::string> bh, bs;  // base (nullopt: first pairing)
  int64_t h_time = 1, s_time = 2;     // last modification (Salesforce newer by default)
};

struct Outcome {
  json to_sf, to_hs;  // written values, or the string "none"
};

Outcome Decide(const Case& c) {
  ObjectProgram obj;
  obj.object = "Contact";
  FieldMap fm;
  fm.hubspot = "firstname";
  fm.salesforce = "FirstName";
  fm.rule = c.rule;
  fm.writes_salesforce = fm.writes_hubspot = true;
  obj.fields.push_back(fm);
  connectors::Record h{"1", "contacts", json::object(), c.h_time};
  connectors::Record s{"2", "Contact", json::object(), c.s_time};
  h.fields["firstname"] = c.h;
  s.fields["FirstName"] = c.s;
  state::BaseValues bh, bs;
  if (c.bh) bh["firstname"] = *c.bh;
  if (c.bs) bs["FirstName"] = *c.bs;
  // The rules compute the other side's value unchanged (no transform).
  Evaluation to_sf, to_hs;
  to_sf.fields["FirstName"] = c.h.is_null() ? json(nullptr) : c.h;
  to_hs.fields["firstname"] = c.s.is_null() ? json("") : c.s;
  PairInput in;
  in.object = &obj;
  in.hubspot = &h;
  in.salesforce = &s;
  in.base_hubspot = &bh;
  in.base_salesforce = &bs;
  in.to_salesforce = &to_sf;
  in.to_hubspot = &to_hs;
  PairDecision d = DecidePair(in);
  Outcome o{"none", "none"};
  if (d.salesforce.fields.contains("FirstName")) o.to_sf = d.salesforce.fields["FirstName"];
  if (d.hubspot.fields.contains("firstname")) o.to_hs = d.hubspot.fields["firstname"];
  return o;
}

const json kNone = "none";

TEST_CASE("R1_prefer_salesforce_blank_salesforce_gets_hubspot_value") {
  auto o = Decide({FieldRule::kPreferSalesforce, "x", nullptr, "", ""});
  CHECK(o.to_sf == "x");
  CHECK(o.to_hs == kNone);
}

TEST_CASE("R2_R3_prefer_salesforce_nonblank_salesforce_wins_over_a_hubspot_edit") {
  auto o = Decide({FieldRule::kPreferSalesforce, "z", "y", "x", "y", 5, 1});
  CHECK(o.to_sf == kNone);
  CHECK(o.to_hs == "y");
}

TEST_CASE("R4_prefer_salesforce_cleared_in_salesforce_clears_hubspot") {
  auto o = Decide({FieldRule::kPreferSalesforce, "y", nullptr, "y", "y"});
  CHECK(o.to_hs == "");
  CHECK(o.to_sf == kNone);
}

TEST_CASE("R5_prefer_salesforce_cleared_in_hubspot_is_restored") {
  auto o = Decide({FieldRule::kPreferSalesforce, nullptr, "y", "y", "y", 5, 1});
  CHECK(o.to_hs == "y");
  CHECK(o.to_sf == kNone);
}

TEST_CASE("R6_R7_always_salesforce_never_writes_salesforce") {
  CHECK(Decide({FieldRule::kAlwaysSalesforce, "x", nullptr, "", ""}).to_sf == kNone);
  CHECK(Decide({FieldRule::kAlwaysSalesforce, "x", nullptr, "", ""}).to_hs == "");
  CHECK(Decide({FieldRule::kAlwaysSalesforce, "x", "y", "x", "x"}).to_hs == "y");
}

TEST_CASE("R8_two_way_the_last_change_wins") {
  // Changed on one side only: it moves to the other, whatever the times.
  CHECK(Decide({FieldRule::kTwoWay, "new", "old", "old", "old", 1, 9}).to_sf == "new");
  CHECK(Decide({FieldRule::kTwoWay, "old", "new", "old", "old", 9, 1}).to_hs == "new");
  // Changed on both: the more recently modified record wins.
  auto sf_later = Decide({FieldRule::kTwoWay, "h", "s", "old", "old", 1, 2});
  CHECK(sf_later.to_hs == "s");
  CHECK(sf_later.to_sf == kNone);
  auto hs_later = Decide({FieldRule::kTwoWay, "h", "s", "old", "old", 3, 2});
  CHECK(hs_later.to_sf == "h");
}

TEST_CASE("R9_two_way_clears_propagate") {
  CHECK(Decide({FieldRule::kTwoWay, nullptr, "v", "v", "v"}).to_sf == nullptr);
  CHECK(Decide({FieldRule::kTwoWay, "v", nullptr, "v", "v"}).to_hs == "");
}

TEST_CASE("R10_dont_sync_moves_nothing") {
  auto o = Decide({FieldRule::kDontSync, "a", "b", "x", "y"});
  CHECK(o.to_sf == kNone);
  CHECK(o.to_hs == kNone);
}

TEST_CASE("first_pairing_fills_blanks_and_the_newer_record_wins_conflicts") {
  CHECK(Decide({FieldRule::kTwoWay, "a", nullptr, std::nullopt, std::nullopt}).to_sf == "a");
  CHECK(Decide({FieldRule::kTwoWay, nullptr, "b", std::nullopt, std::nullopt}).to_hs == "b");
  CHECK(Decide({FieldRule::kTwoWay, "a", "b", std::nullopt, std::nullopt, 1, 2}).to_hs == "b");
  CHECK(Decide({FieldRule::kTwoWay, "a", "b", std::nullopt, std::nullopt, 3, 2}).to_sf == "a");
}

TEST_CASE("echo_suppression_nothing_changed_since_the_base_writes_nothing") {
  auto o = Decide({FieldRule::kTwoWay, "Ann", "Ann", "Ann", "Ann"});
  CHECK(o.to_sf == kNone);
  CHECK(o.to_hs == kNone);
}

TEST_CASE("a_field_neither_side_changed_since_they_agreed_is_settled_whatever_the_rule") {
  // The base records agreement, not equality: a transform or picklist may have made the two
  // texts differ ("MX" in HubSpot, "Mexico" in Salesforce). Deciding again writes nothing, so
  // a decision applied in parts by a crash ends as one applied whole.
  for (FieldRule rule :
       {FieldRule::kPreferSalesforce, FieldRule::kAlwaysSalesforce, FieldRule::kPreferHubSpot,
        FieldRule::kAlwaysHubSpot, FieldRule::kTwoWay}) {
    CAPTURE(static_cast<int>(rule));
    auto o = Decide({rule, "MX", "Mexico", "MX", "Mexico"});
    CHECK(o.to_sf == kNone);
    CHECK(o.to_hs == kNone);
  }
  // A change on either side is still decided by the rule.
  CHECK(Decide({FieldRule::kPreferSalesforce, "US", "Mexico", "MX", "Mexico"}).to_hs == "Mexico");
  CHECK(Decide({FieldRule::kPreferSalesforce, "MX", "Spain", "MX", "Mexico"}).to_hs == "Spain");
}

TEST_CASE("canonical_values_equal_across_the_apis") {
  using schema::ValueKind;
  CHECK(Canonical("1000", ValueKind::kNumber) == Canonical(1000.0, ValueKind::kNumber));
  CHECK(Canonical("1000.50", ValueKind::kNumber) == Canonical(1000.5, ValueKind::kNumber));
  CHECK(Canonical("true", ValueKind::kBool) == Canonical(true, ValueKind::kBool));
  CHECK(Canonical("2024-01-02T00:00:00.000Z", ValueKind::kDate) == "2024-01-02");
  CHECK(Canonical("1704153600000", ValueKind::kDate) == "2024-01-02");
  CHECK(Canonical("2024-01-02T10:11:12.000+0000", ValueKind::kDateTime) ==
        Canonical("2024-01-02T10:11:12Z", ValueKind::kDateTime));
  CHECK(Canonical("b;a", ValueKind::kMultiEnum) == Canonical("a;b", ValueKind::kMultiEnum));
  CHECK(Canonical("Ann@Example.COM", ValueKind::kText, true) == "ann@example.com");
  CHECK(Canonical(nullptr, ValueKind::kText).empty());
  CHECK(Canonical("   ", ValueKind::kText).empty());
  CHECK(Canonical("x", ValueKind::kText) != Canonical("X", ValueKind::kText));
}

}  // namespace
}  // namespace syncline::engine
