// Tests of std.lifecycle: default order, labels, comparisons, later-of, forward-only moves
// and a customised stage list.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "lifecycle/lifecycle_stages.h"

using namespace syncline::stdlib;
using namespace syncline::stdlib::lifecycle;

TEST_CASE("default lifecycle stages in funnel order") {
  const auto& s = LifecycleStages::hubspot_defaults();
  REQUIRE(s.size() == 8);
  const char* order[] = {"subscriber",         "lead",        "marketingqualifiedlead",
                         "salesqualifiedlead", "opportunity", "customer",
                         "evangelist",         "other"};
  for (std::size_t i = 0; i < 8; ++i) {
    CHECK(s.at(i) == order[i]);
    CHECK(s.rank(order[i]).value == i);
  }
  CHECK(s.at(8).empty());
  CHECK(s.rank(" Customer ").value == 5);
  CHECK(s.canonical("MQL").value == "marketingqualifiedlead");
  CHECK(s.canonical("Sales Qualified Lead").value == "salesqualifiedlead");
  CHECK(s.rank("").status == Status::blank);
  CHECK(s.rank("prospect").status == Status::unknown_stage);
  CHECK(s.rank("\xFF").status == Status::unknown_stage);
  CHECK(s.compare("lead", "customer").value < 0);
  CHECK(s.compare("customer", "lead").value > 0);
  CHECK(s.compare("LEAD", "lead").value == 0);
  CHECK(s.compare("other", "evangelist").value > 0);
  CHECK(s.compare("lead", "").status == Status::blank);
  CHECK(s.compare("x", "lead").status == Status::unknown_stage);
}

TEST_CASE("later of and advance only forward") {
  const auto& s = LifecycleStages::hubspot_defaults();
  CHECK(s.later_of("lead", "opportunity").value == "opportunity");
  CHECK(s.later_of("Customer", "lead").value == "customer");
  CHECK(s.later_of("", "lead").value == "lead");
  CHECK(s.later_of("sql", "").value == "salesqualifiedlead");
  CHECK(s.later_of("", " ").status == Status::blank);
  CHECK(s.later_of("lead", "nope").status == Status::unknown_stage);
  // R99: a customer stays a customer when added to a new open opportunity.
  CHECK(s.advance_only_forward("customer", "opportunity").value == "customer");
  CHECK(s.advance_only_forward("lead", "opportunity").value == "opportunity");
  CHECK(s.advance_only_forward("", "lead").value == "lead");
  const auto keep = s.advance_only_forward("lead", "");
  CHECK(keep.status == Status::blank);
  CHECK(keep.value == "lead");
  CHECK(s.advance_only_forward("lead", "???").status == Status::unknown_stage);
}

TEST_CASE("customised stage list") {
  const std::vector<std::string_view> options = {"subscriber", " lead ", "",       "trial",
                                                 "customer",   "lead",   "churned"};
  const auto s = LifecycleStages::custom(options);
  REQUIRE(s.size() == 5);
  CHECK(s.at(2) == "trial");
  CHECK(s.compare("trial", "customer").value < 0);
  CHECK(s.advance_only_forward("customer", "trial").value == "customer");
  CHECK(s.later_of("churned", "customer").value == "churned");
  CHECK(s.rank("opportunity").status == Status::unknown_stage);
  CHECK(s.rank("MQL").status == Status::unknown_stage);  // label of a stage this portal lacks
  const auto empty = LifecycleStages::custom({});
  CHECK(empty.size() == 0);
  CHECK(empty.rank("lead").status == Status::unknown_stage);
}

TEST_CASE("customised stage list with labels: a portal's own stages are ids") {
  // HubSpot gives a portal's own stages numeric internal values; people and rules use the
  // label. Labels are matched after values, ASCII case-insensitively; results stay values.
  const std::vector<std::string_view> values = {"subscriber", "lead", "1034525871",
                                                "customer",   "",     "lead"};
  const std::vector<std::string_view> labels = {"Subscriber", "Lead",  " Trial ",
                                                "Customer",   "Blank", "Repeat"};
  const auto s = LifecycleStages::custom(values, labels);
  REQUIRE(s.size() == 4);
  CHECK(s.at(2) == "1034525871");
  CHECK(s.rank("1034525871").value == 2);
  CHECK(s.rank("trial").value == 2);
  CHECK(s.rank(" TRIAL ").value == 2);
  CHECK(s.canonical("Trial").value == "1034525871");
  CHECK(s.rank("Repeat").status == Status::unknown_stage);  // the skipped repeat's label
  CHECK(s.rank("Blank").status == Status::unknown_stage);   // the skipped blank value's label
  CHECK(s.later_of("Trial", "lead").value == "1034525871");
  CHECK(s.compare("customer", "trial").value > 0);
  CHECK(s.advance_only_forward("lead", "Trial").value == "1034525871");
  // A label equal to another stage's value: the value wins.
  const std::vector<std::string_view> v2 = {"lead", "customer"};
  const std::vector<std::string_view> l2 = {"customer", "Won"};
  const auto t = LifecycleStages::custom(v2, l2);
  CHECK(t.rank("customer").value == 1);
  CHECK(t.rank("won").value == 1);
  // Fewer labels than values: the rest have none.
  const std::vector<std::string_view> l3 = {"Lead"};
  CHECK(LifecycleStages::custom(v2, l3).rank("Won").status == Status::unknown_stage);
}
