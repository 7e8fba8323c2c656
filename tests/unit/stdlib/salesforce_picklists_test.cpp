// Tests of the Salesforce State and Country picklists: the default table, custom tables and
// the six setting combinations (Salesforce disabled/enabled/customized x HubSpot match
// defaults/as-is) in both directions.
#include <doctest/doctest.h>

#include <string>

#include "geo/country.h"
#include "geo/salesforce_picklists.h"

using namespace syncline::stdlib;
using namespace syncline::stdlib::geo;

namespace {

using SF = SalesforcePicklistMode;
using HS = HubSpotPlaceMode;

const PicklistTable& customised() {
  // An org that relabelled Germany, added Kosovo, uses codes for US integration values, and
  // has only two US states enabled.
  static const PicklistTable t = [] {
    const std::vector<PicklistTable::CountryRow> countries = {
        {"US", "United States", "USA"}, {"DE", "Deutschland", "Deutschland"}, {"XK", "Kosovo", ""},
        {"fr", "France", "France"},     {"", "No code", "No code"},  // skipped
        {"FR", "Dup", "Dup"},                                        // skipped: duplicate code
    };
    const std::vector<PicklistTable::StateRow> states = {
        {"US", "CA", "California", "CA"},
        {"US", "NY", "New York", "NY"},
        {"DE", "BY", "Bayern", "Bayern"},
        {"ZZ", "X", "X", "X"},  // skipped: unknown country
    };
    return PicklistTable::custom(countries, states);
  }();
  return t;
}

PicklistSettings settings(SF sf, HS hs) {
  PicklistSettings s;
  s.salesforce = sf;
  s.hubspot = hs;
  if (sf == SF::customized) s.table = &customised();
  return s;
}

std::string out(const SalesforceAddress& a) {
  if (a.status != Status::ok) {
    return std::string(status_name(a.status)) + (a.failed_field == PlaceField::country ? "@country"
                                                 : a.failed_field == PlaceField::state ? "@state"
                                                                                       : "");
  }
  std::string s = std::string(a.country) + "|" + std::string(a.country_code) + "|" +
                  std::string(a.state) + "|" + std::string(a.state_code);
  return s + (a.write_codes ? " codes" : " text");
}

std::string out(const HubSpotAddress& a) {
  if (a.status != Status::ok) {
    return std::string(status_name(a.status)) + (a.failed_field == PlaceField::country ? "@country"
                                                 : a.failed_field == PlaceField::state ? "@state"
                                                                                       : "");
  }
  return std::string(a.country) + "|" + std::string(a.state);
}

}  // namespace

TEST_CASE("default picklist: countries and every default state by code and by name") {
  const auto& t = PicklistTable::salesforce_defaults();
  CHECK(t.countries().size() == 235);  // Salesforce Help: 235 countries and territories
  std::size_t states = 0, inactive = 0;
  for (const auto& c : t.countries()) {
    CAPTURE(c.code);
    CHECK(c.active);
    CHECK(c.integration_value == c.label);
    CHECK(t.country_by_code(c.code) == &c);
    CHECK(t.country_by_integration_value(c.integration_value) == &c);
    CHECK(t.match_country(c.label).value == &c);
    for (const auto& s : c.states) {
      CAPTURE(s.code);
      CHECK(s.integration_value == s.label);
      ++states;
      if (!s.active) {
        // Listed (describe shows it) but not writable: no lookup finds it.
        ++inactive;
        CHECK(t.state_by_code(c, s.code) == nullptr);
        CHECK(t.state_by_integration_value(c, s.integration_value) == nullptr);
        CHECK(t.match_state(c, s.label).status == Status::state_not_in_country);
        continue;
      }
      CHECK(t.state_by_code(c, s.code) == &s);
      CHECK(t.state_by_integration_value(c, s.integration_value) == &s);
      CHECK(t.match_state(c, s.code).value == &s);
      CHECK(t.match_state(c, s.label).value == &s);
    }
  }
  const auto count = [&](std::string_view cc) { return t.country_by_code(cc)->states.size(); };
  CHECK(count("US") == 63);  // 50 states, DC, 12 inactive territories and military codes
  CHECK(count("CA") == 13);
  CHECK(count("AU") == 8);
  CHECK(count("BR") == 27);
  CHECK(count("CN") == 34);
  CHECK(count("IN") == 36);
  CHECK(count("IE") == 26);
  CHECK(count("IT") == 110);
  CHECK(count("MX") == 32);
  CHECK(count("JP") == 47);
  CHECK(count("DE") == 0);
  CHECK(states == 63 + 13 + 8 + 27 + 34 + 36 + 26 + 110 + 32 + 47);
  CHECK(inactive == 12);
}

TEST_CASE("every default state by code and by name through both conversions") {
  // Each active state of the ten countries Salesforce ships states for, written from HubSpot
  // (by name and by code, with the country by name) and read back from Salesforce (by code
  // only, and by integration value only), under both HubSpot settings.
  const auto& t = PicklistTable::salesforce_defaults();
  std::size_t checked = 0;
  for (const char* cc : {"US", "CA", "AU", "BR", "CN", "IN", "IE", "IT", "MX", "JP"}) {
    const auto* c = t.country_by_code(cc);
    REQUIRE(c);
    for (const auto& s : c->states) {
      if (!s.active) continue;
      CAPTURE(s.code);
      const std::string want = std::string(c->label) + "|" + std::string(c->code) + "|" +
                               std::string(s.label) + "|" + std::string(s.code) + " codes";
      const std::string back = std::string(c->label) + "|" + std::string(s.label);
      for (HS hs : {HS::match_salesforce_defaults, HS::sync_as_is}) {
        const auto set = settings(SF::enabled, hs);
        // As-is takes exact picklist values only: code or integration value, country too.
        const std::string_view country = hs == HS::sync_as_is ? c->code : c->label;
        CHECK(out(to_salesforce(set, country, s.label)) == want);
        CHECK(out(to_salesforce(set, country, s.code)) == want);
        CHECK(out(to_hubspot(set, "", c->code, "", s.code)) == back);
        CHECK(out(to_hubspot(set, c->integration_value, "", s.integration_value, "")) == back);
      }
      ++checked;
    }
  }
  CHECK(checked == 51 + 13 + 8 + 27 + 34 + 36 + 26 + 110 + 32 + 47);
}

TEST_CASE("default picklist: where Salesforce differs from ISO 3166") {
  const auto& t = PicklistTable::salesforce_defaults();
  const auto label = [&](std::string_view cc) {
    const auto* c = t.country_by_code(cc);
    return c ? std::string(c->label) : std::string("(none)");
  };
  // Countries ISO lists and Salesforce does not ship; Kosovo, which ISO lacks.
  for (const char* cc :
       {"AS", "CU", "FM", "GU", "HK", "IR", "KP", "MH", "MP", "PR", "PW", "SD", "SY", "UM", "VI"}) {
    CAPTURE(cc);
    CHECK(t.country_by_code(cc) == nullptr);
    CHECK(country_by_alpha2(cc));  // ISO has them
  }
  CHECK(label("XK") == "Kosovo");
  CHECK(t.match_country("Puerto Rico").status == Status::not_found);
  CHECK(t.match_country("Hong Kong").status == Status::not_found);
  // Labels that differ from the ISO short name.
  CHECK(label("AX") == "Aland Islands");
  CHECK(label("CD") == "Congo, the Democratic Republic of the");
  CHECK(label("CI") == "Cote d'Ivoire");
  CHECK(label("CV") == "Cape Verde");
  CHECK(label("PS") == "Palestine");
  CHECK(label("RE") == "Reunion");
  CHECK(label("TW") == "Taiwan");
  CHECK(label("VN") == "Vietnam");
  CHECK(label("KR") == "Korea, Republic of");  // as ISO
  CHECK(label("US") == "United States");
  // ISO names still find the entry.
  CHECK(t.match_country("Viet Nam").value->code == "VN");
  CHECK(t.match_country("Côte d'Ivoire").value->code == "CI");
  CHECK(t.match_country("Cabo Verde").value->code == "CV");

  const auto state = [&](std::string_view cc, std::string_view code) {
    const auto* c = t.country_by_code(cc);
    const auto* s = c ? t.state_by_code(*c, code) : nullptr;
    return s ? std::string(s->label) : std::string("(none)");
  };
  const auto match = [&](std::string_view cc, std::string_view text) {
    const auto r = t.match_state(*t.country_by_code(cc), text);
    return r ? std::string(r.value->code) : std::string(status_name(r.status));
  };
  // China: the numeric codes ISO used before its letter codes.
  CHECK(state("CN", "11") == "Beijing");
  CHECK(state("CN", "91") == "Hong Kong");
  CHECK(state("CN", "BJ") == "(none)");
  CHECK(match("CN", "CN-BJ") == "11");
  CHECK(match("CN", "Beijing Shi") == "11");
  // Mexico: ISO's older two-letter codes, some English names.
  CHECK(state("MX", "DF") == "Federal District");
  CHECK(state("MX", "ME") == "Mexico State");
  CHECK(state("MX", "AG") == "Aguascalientes");
  CHECK(state("MX", "CMX") == "(none)");
  CHECK(match("MX", "Ciudad de México") == "DF");
  CHECK(match("MX", "CDMX") == "DF");
  CHECK(match("MX", "MX-AGU") == "AG");
  // India: the union territories before Ladakh and the Dadra/Daman merger.
  CHECK(state("IN", "DD") == "Daman and Diu");
  CHECK(state("IN", "DN") == "Dadra and Nagar Haveli");
  CHECK(state("IN", "TG") == "Telangana");
  CHECK(state("IN", "LA") == "(none)");
  CHECK(state("IN", "DH") == "(none)");
  // Italy: English names, the Sardinian provinces before Sud Sardegna, Aosta.
  CHECK(state("IT", "MI") == "Milan");
  CHECK(state("IT", "RM") == "Rome");
  CHECK(state("IT", "FI") == "Florence");
  CHECK(state("IT", "CI") == "Carbonia-Iglesias");
  CHECK(state("IT", "AO") == "Aosta");
  CHECK(state("IT", "SU") == "(none)");
  CHECK(state("IT", "25") == "(none)");  // regions are not Salesforce states
  CHECK(match("IT", "Milano") == "MI");
  // Japan: Salesforce's codes for Aomori, Akita and Aichi are not ISO's.
  CHECK(state("JP", "02") == "Akita");
  CHECK(state("JP", "05") == "Aichi");
  CHECK(state("JP", "23") == "Aomori");
  CHECK(state("JP", "13") == "Tokyo");
  CHECK(match("JP", "Aomori") == "23");
  CHECK(match("JP", "JP-02") == "23");  // ISO JP-02 is Aomori
  // Canada, the US.
  CHECK(state("CA", "YT") == "Yukon Territories");
  CHECK(match("CA", "Yukon") == "YT");
  CHECK(state("US", "PR") == "(none)");  // inactive
  CHECK(state("US", "AA") == "(none)");  // inactive
  CHECK(match("US", "Puerto Rico") == "state_not_in_country");
  const auto* us = t.country_by_code("US");
  const auto find_listed = [&](std::string_view code) -> const PicklistState* {
    for (const auto& s : us->states) {
      if (s.code == code) return &s;
    }
    return nullptr;
  };
  for (const char* code :
       {"AA", "AE", "AP", "AS", "FM", "GU", "MH", "MP", "PR", "PW", "UM", "VI"}) {
    CAPTURE(code);
    const auto* s = find_listed(code);
    REQUIRE(s);
    CHECK_FALSE(s->active);
  }
  CHECK(find_listed("VI")->label == "US Virgin Islands");
}

TEST_CASE("custom picklist table") {
  const auto& t = customised();
  CHECK(t.countries().size() == 4);
  CHECK(t.skipped_rows() == 3);
  CHECK(t.country_by_code("xk")->integration_value == "Kosovo");
  CHECK(t.country_by_code("FR")->label == "France");
  CHECK(t.country_by_integration_value("usa")->code == "US");
  CHECK(t.match_country("United States of America").value->code == "US");
  CHECK(t.match_country("Germany").value->code == "DE");
  CHECK(t.match_country("Kosovo").value->code == "XK");
  CHECK(t.match_country("Spain").status == Status::not_found);
  const auto* us = t.country_by_code("US");
  CHECK(t.match_state(*us, "california").value->code == "CA");
  CHECK(t.match_state(*us, "Texas").status == Status::state_not_in_country);
}

TEST_CASE("HubSpot -> Salesforce, picklists disabled") {
  const auto as_is = settings(SF::disabled, HS::sync_as_is);
  CHECK(out(to_salesforce(as_is, " usa ", "calif")) == "usa||calif| text");
  CHECK(out(to_salesforce(as_is, "", "WA")) == "||WA| text");  // no rules when disabled
  CHECK(out(to_salesforce(as_is, "", " ")) == "blank");
  const auto match = settings(SF::disabled, HS::match_salesforce_defaults);
  CHECK(out(to_salesforce(match, " usa ", "calif")) == "United States||California| text");
  CHECK(out(to_salesforce(match, "Deutschland", "Bavaria")) == "Germany||Bayern| text");
  CHECK(out(to_salesforce(match, "Atlantis", "Narnia")) == "Atlantis||Narnia| text");
  CHECK(out(to_salesforce(match, "", "WA")) == "||WA| text");
  const auto r = to_salesforce(match, "Atlantis", "");
  CHECK(!r.country_recognised);
  CHECK(out(to_salesforce(match,
                          "Fran\xE7"
                          "e",
                          "")) == "invalid_utf8@country");
}

TEST_CASE("HubSpot -> Salesforce, picklists enabled (defaults)") {
  const auto match = settings(SF::enabled, HS::match_salesforce_defaults);
  CHECK(out(to_salesforce(match, "usa", "wash.")) == "United States|US|Washington|WA codes");
  CHECK(out(to_salesforce(match, "Australia", "WA")) == "Australia|AU|Western Australia|WA codes");
  CHECK(out(to_salesforce(match, "Deutschland", "")) == "Germany|DE|| codes");
  CHECK(out(to_salesforce(match, "", "WA")) == "state_without_country@state");
  CHECK(out(to_salesforce(match, "Atlantis", "")) == "not_found@country");
  CHECK(out(to_salesforce(match, "US", "Ontario")) == "state_not_in_country@state");
  CHECK(out(to_salesforce(match, "Germany", "Bayern")) == "state_not_in_country@state");
  CHECK(out(to_salesforce(match, "Italy", "Lombardia")) == "state_not_in_country@state");
  CHECK(out(to_salesforce(match, "Italia", "Milano")) == "Italy|IT|Milan|MI codes");
  CHECK(out(to_salesforce(match, "Viet Nam", "")) == "Vietnam|VN|| codes");
  CHECK(out(to_salesforce(match, "Mexico", "CDMX")) == "Mexico|MX|Federal District|DF codes");
  CHECK(out(to_salesforce(match, "Puerto Rico", "")) == "not_found@country");
  CHECK(out(to_salesforce(match, "US", "Puerto Rico")) == "state_not_in_country@state");
  CHECK(out(to_salesforce(match, "  ", "")) == "blank");
  const auto as_is = settings(SF::enabled, HS::sync_as_is);
  CHECK(out(to_salesforce(as_is, "United States", "California")) ==
        "United States|US|California|CA codes");
  CHECK(out(to_salesforce(as_is, "us", "ca")) == "United States|US|California|CA codes");
  CHECK(out(to_salesforce(as_is, "USA", "")) == "not_a_picklist_value@country");
  CHECK(out(to_salesforce(as_is, "US", "Calif")) == "state_not_in_country@state");
  CHECK(out(to_salesforce(as_is, "", "CA")) == "state_without_country@state");
  CHECK(out(to_salesforce(as_is, "US", "PR")) == "state_not_in_country@state");  // inactive
}

TEST_CASE("HubSpot -> Salesforce, picklists customized") {
  const auto match = settings(SF::customized, HS::match_salesforce_defaults);
  CHECK(out(to_salesforce(match, "United States", "California")) == "USA|US|CA|CA codes");
  CHECK(out(to_salesforce(match, "germany", "Bavaria")) == "Deutschland|DE|Bayern|BY codes");
  CHECK(out(to_salesforce(match, "Kosovo", "")) == "Kosovo|XK|| codes");
  CHECK(out(to_salesforce(match, "Spain", "")) == "not_found@country");
  CHECK(out(to_salesforce(match, "US", "Texas")) == "state_not_in_country@state");
  const auto as_is = settings(SF::customized, HS::sync_as_is);
  CHECK(out(to_salesforce(as_is, "USA", "NY")) == "USA|US|NY|NY codes");
  CHECK(out(to_salesforce(as_is, "United States", "")) == "not_a_picklist_value@country");
  CHECK(out(to_salesforce(as_is, "Deutschland", "Bayern")) == "Deutschland|DE|Bayern|BY codes");
  CHECK(out(to_salesforce(as_is, "DE", "Bavaria")) == "state_not_in_country@state");
}

TEST_CASE("Salesforce -> HubSpot, picklists disabled") {
  const auto as_is = settings(SF::disabled, HS::sync_as_is);
  CHECK(out(to_hubspot(as_is, " U.S. ", "XX", "calif", "YY")) == "U.S.|calif");
  CHECK(out(to_hubspot(as_is, "", "", "", "")) == "blank");
  const auto match = settings(SF::disabled, HS::match_salesforce_defaults);
  CHECK(out(to_hubspot(match, "U.S.", "", "calif", "")) == "United States|California");
  CHECK(out(to_hubspot(match, "Atlantis", "", "x", "")) == "Atlantis|x");
}

TEST_CASE("Salesforce -> HubSpot, picklists enabled (defaults)") {
  for (HS hs : {HS::match_salesforce_defaults, HS::sync_as_is}) {
    const auto s = settings(SF::enabled, hs);
    CHECK(out(to_hubspot(s, "United States", "US", "California", "CA")) ==
          "United States|California");
    CHECK(out(to_hubspot(s, "", "US", "", "CA")) == "United States|California");
    CHECK(out(to_hubspot(s, "Australia", "", "Western Australia", "")) ==
          "Australia|Western Australia");
    CHECK(out(to_hubspot(s, "Canada", "US", "", "")) == "code_value_mismatch@country");
    CHECK(out(to_hubspot(s, "", "US", "Ontario", "")) == "state_not_in_country@state");
    CHECK(out(to_hubspot(s, "", "US", "California", "NY")) == "code_value_mismatch@state");
    CHECK(out(to_hubspot(s, "", "", "California", "CA")) == "state_without_country@state");
    CHECK(out(to_hubspot(s, "", "ZZ", "", "")) == "not_a_picklist_value@country");
    CHECK(out(to_hubspot(s, "Atlantis", "", "", "")) == "not_a_picklist_value@country");
    CHECK(out(to_hubspot(s, "", "", "", "")) == "blank");
  }
}

TEST_CASE("Salesforce -> HubSpot, picklists customized") {
  const auto match = settings(SF::customized, HS::match_salesforce_defaults);
  // Customised integration values map back to Salesforce's default names through the code.
  CHECK(out(to_hubspot(match, "USA", "US", "CA", "CA")) == "United States|California");
  CHECK(out(to_hubspot(match, "Deutschland", "", "Bayern", "")) == "Germany|Bayern");
  CHECK(out(to_hubspot(match, "", "XK", "", "")) == "Kosovo|");  // not in the defaults
  CHECK(out(to_hubspot(match, "United States", "", "", "")) == "not_a_picklist_value@country");
  const auto as_is = settings(SF::customized, HS::sync_as_is);
  CHECK(out(to_hubspot(as_is, "USA", "US", "CA", "CA")) == "USA|CA");
  CHECK(out(to_hubspot(as_is, "", "DE", "", "BY")) == "Deutschland|Bayern");
  CHECK(out(to_hubspot(as_is, "Deutschland", "US", "", "")) == "code_value_mismatch@country");
}

TEST_CASE("picklist table from an org's describe (validFor bitmaps)") {
  // Controlling values in describe order: CA (0), US (1), XX inactive (2), AU (3).
  const std::vector<PicklistTable::DescribeValue> countries = {
      {"CA", "Canada", "", true},
      {"US", "United States", "", true},
      {"XX", "Old", "", false},
      {"AU", "Australia", "", true},
  };
  // Bits, most significant first: 0x40 = index 1 (US); 0x80 = index 0 (CA); 0x10 = index 3
  // (AU); 0x50 = US and AU.
  const std::vector<PicklistTable::DescribeValue> states = {
      {"NY", "New York", "QA==", true},       // 0x40
      {"ON", "Ontario", "gA==", true},        // 0x80
      {"WA", "Washington/WA", "UA==", true},  // 0x50: US and AU (contrived)
      {"OLD", "Gone", "QA==", false},         // inactive
      {"ZZ", "Nowhere", "", true},            // no bits: skipped
      {"BAD", "Bad", "!!", true},             // not base64: skipped
  };
  const auto t = PicklistTable::from_describe(countries, states);
  CHECK(t.countries().size() == 3);
  CHECK(t.skipped_rows() == 2);
  const auto* us = t.country_by_code("US");
  const auto* ca = t.country_by_code("ca");
  const auto* au = t.country_by_code("AU");
  REQUIRE(us);
  REQUIRE(ca);
  REQUIRE(au);
  CHECK(us->integration_value == "United States");
  CHECK(us->states.size() == 2);
  CHECK(t.state_by_code(*us, "NY")->label == "New York");
  CHECK(t.state_by_code(*ca, "ON") != nullptr);
  CHECK(t.state_by_code(*ca, "NY") == nullptr);
  CHECK(t.state_by_code(*au, "WA") != nullptr);
  CHECK(t.country_by_code("XX") == nullptr);
  PicklistSettings s;
  s.salesforce = SalesforcePicklistMode::customized;
  s.table = &t;
  CHECK(out(to_salesforce(s, "usa", "new york")) == "United States|US|New York|NY codes");
  CHECK(out(to_salesforce(s, "Canada", "Quebec")) == "state_not_in_country@state");
}
