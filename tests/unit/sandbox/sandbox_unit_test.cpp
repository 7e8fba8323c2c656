// Pure helpers of the sandboxes: timestamp formats, the SOQL parser, Salesforce ids.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "sandbox/salesforce_sandbox.h"
#include "sandbox/soql.h"
#include "sandbox/time_format.h"

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
