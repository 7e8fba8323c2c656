// Tests of std.geo: every ISO country by its codes and names, subdivision scoping, the
// normaliser's edge cases, and the messy real-world spellings in data/messy_places.tsv.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "geo/country.h"
#include "geo/place_key.h"
#include "geo/subdivision.h"

using namespace syncline::stdlib;
using namespace syncline::stdlib::geo;

namespace {

std::string key_of(std::string_view text) {
  PlaceKeyBuffer b;
  const auto s = normalise_place_key(text, b);
  if (s != Status::ok) return std::string("<") + std::string(status_name(s)) + ">";
  return std::string(b.view());
}

std::string country_of(std::string_view text) {
  const auto r = find_country(text);
  return r ? std::string(r.value.alpha2) : std::string(status_name(r.status));
}

}  // namespace

TEST_CASE("place keys: case, accents, punctuation, spaces") {
  CHECK(key_of("  Côte d’Ivoire ") == "cote divoire");
  CHECK(key_of("U.S.A.") == "usa");
  CHECK(key_of("ST. LUCIA") == "saint lucia");
  CHECK(key_of("ST") == "st");
  CHECK(key_of("The Netherlands") == "netherlands");
  CHECK(key_of("the") == "the");
  CHECK(key_of("Trinidad & Tobago") == "trinidad and tobago");
  CHECK(key_of("Österreich") == "osterreich");
  CHECK(key_of("O\xCC\x88sterreich") == "osterreich");  // decomposed (NFD) input
  CHECK(key_of("ÉSPAÑA") == "espana");
  CHECK(key_of("Straße") == "strasse");
  CHECK(key_of("Россия") == "россия");
  CHECK(key_of("日本") == "日本");
  CHECK(key_of("ＵＳＡ") == "usa");  // full-width
  CHECK(key_of("Guinea-Bissau") == "guinea bissau");
  CHECK(key_of("\t\n ") == "<blank>");
  CHECK(key_of("...") == "<blank>");
  CHECK(key_of("") == "<blank>");
  CHECK(key_of("Fran\xE7"
               "e") == "<invalid_utf8>");             // Latin-1 byte
  CHECK(key_of("\xC0\x80") == "<invalid_utf8>");      // overlong NUL
  CHECK(key_of("\xED\xA0\x80") == "<invalid_utf8>");  // surrogate
  CHECK(key_of("\xF0\x9F") == "<invalid_utf8>");      // truncated
  CHECK(key_of(std::string(kMaxPlaceInput + 1, 'a')) == "<too_long>");
  CHECK(key_of(std::string(kMaxPlaceInput, '&')) == "<too_long>");
}

TEST_CASE("all ISO countries by alpha-2, alpha-3, numeric and English names") {
  REQUIRE(country_count() == 249);
  for (std::size_t i = 0; i < country_count(); ++i) {
    const Country c = country_at(i);
    CAPTURE(c.alpha2);
    CHECK(country_of(c.alpha2) == c.alpha2);
    CHECK(country_of(c.alpha3) == c.alpha2);
    CHECK(country_of(c.numeric) == c.alpha2);
    CHECK(country_of(c.name) == c.alpha2);
    std::string lower(c.alpha3);
    for (auto& ch : lower) ch = static_cast<char>(ch | 0x20);
    CHECK(country_of(lower) == c.alpha2);
    if (!c.official_name.empty()) CHECK(country_of(c.official_name) == c.alpha2);
    if (!c.common_name.empty()) CHECK(country_of(c.common_name) == c.alpha2);
    CHECK(country_by_alpha2(c.alpha2).value.alpha3 == c.alpha3);
  }
}

TEST_CASE("iso-codes' own list: every country by alpha-2, alpha-3 and English name") {
  // Independent of the generated tables: reads Debian's iso_3166-1.json at test time, so a
  // country the generator dropped or mis-keyed fails here by name.
  std::ifstream in(SYNCLINE_ISO_3166_1_JSON);
  REQUIRE(in.good());
  const auto doc = nlohmann::json::parse(in);
  const auto& entries = doc.at("3166-1");
  REQUIRE(entries.size() == 249);
  std::set<std::string> seen;
  std::size_t lookups = 0;
  const auto upper_padded = [](std::string s) {
    for (auto& ch : s) {
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    }
    return "  " + s + " ";
  };
  for (const auto& e : entries) {
    const std::string a2 = e.at("alpha_2"), a3 = e.at("alpha_3"), num = e.at("numeric"),
                      name = e.at("name");
    CAPTURE(a2);
    CHECK(seen.insert(a2).second);
    CHECK(country_of(a2) == a2);
    CHECK(country_of(a3) == a2);
    CHECK(country_of(name) == a2);
    CHECK(country_of(num) == a2);
    CHECK(country_of(upper_padded(name)) == a2);  // any case, surrounding spaces
    lookups += 5;
    if (e.contains("official_name")) {
      CHECK(country_of(e.at("official_name").get<std::string>()) == a2);
      ++lookups;
    }
    if (e.contains("common_name")) {
      CHECK(country_of(e.at("common_name").get<std::string>()) == a2);
      ++lookups;
    }
    const auto c = country_by_alpha2(a2);
    REQUIRE(c.ok());
    CHECK(c.value.alpha3 == a3);
    CHECK(c.value.numeric == num);
    CHECK(c.value.name == name);
  }
  CHECK(seen.size() == 249);
  CHECK(country_count() == seen.size());  // the tables hold nothing iso-codes lacks
  for (std::size_t i = 0; i < country_count(); ++i)
    CHECK(seen.count(std::string(country_at(i).alpha2)) == 1);
  CHECK(lookups >= 249 * 5);
}

TEST_CASE("country lookup failures are values") {
  CHECK(find_country("").status == Status::blank);
  CHECK(find_country("   ").status == Status::blank);
  CHECK(find_country("Atlantis").status == Status::not_found);
  CHECK(find_country("\xFF\xFE").status == Status::invalid_utf8);
  CHECK(find_country(std::string(100000, 'x')).status == Status::too_long);
  CHECK(country_by_alpha2("zz").status == Status::not_found);
  CHECK(country_by_alpha2("d").status == Status::not_found);
  CHECK(country_by_alpha2("1!").status == Status::not_found);
}

TEST_CASE("subdivisions are scoped by country") {
  const auto us = find_country("US").value;
  const auto au = find_country("AU").value;
  CHECK(find_subdivision(us, "WA").value.code == "US-WA");
  CHECK(find_subdivision(au, "WA").value.code == "AU-WA");
  CHECK(find_subdivision(us, "us-wa").value.code == "US-WA");
  CHECK(find_subdivision(us, "Washington").value.code == "US-WA");
  CHECK(find_subdivision(au, "western australia").value.code == "AU-WA");
  CHECK(find_subdivision(us, "AU-WA").status == Status::not_found);
  CHECK(find_subdivision(us, "").status == Status::blank);
  CHECK(find_subdivision(us, "Narnia").status == Status::not_found);
  CHECK(find_subdivision("Canada", "Québec").value.code == "CA-QC");
  CHECK(find_subdivision("Canada", "QUEBEC").value.code == "CA-QC");
  CHECK(find_subdivision("", "US-NY").value.code == "US-NY");
  CHECK(find_subdivision("", "New York").status == Status::not_found);
  CHECK(find_subdivision("Atlantis", "CA-ON").value.code == "CA-ON");
  CHECK(subdivision_by_code("us ny").value.name == "New York");
  CHECK(subdivision_by_code("us new york").status == Status::not_found);
  const auto sub = find_subdivision(us, "ny").value;
  CHECK(sub.code_part == "NY");
  CHECK(sub.type == "State");
  CHECK(country_at(sub.country).alpha2 == "US");
}

TEST_CASE("every subdivision by code and by name") {
  for (std::size_t i = 0; i < country_count(); ++i) {
    const Country c = country_at(i);
    for (std::size_t j = 0; j < subdivision_count(c); ++j) {
      const auto s = subdivision_at(c, j);
      CAPTURE(s.code);
      CHECK(find_subdivision(c, s.code_part).value.code == s.code);
      CHECK(find_subdivision(c, s.code).value.code == s.code);
      CHECK(subdivision_by_code(s.code).value.code == s.code);
      const auto by_name = find_subdivision(c, s.name);
      REQUIRE(by_name.ok());
      // A few names are shared inside one country (a region and its province): the name
      // then resolves to one of them, which must at least carry the same name.
      CHECK(key_of(by_name.value.name) == key_of(s.name));
    }
  }
}

namespace {

std::string unescape(std::string s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 't' || s[i + 1] == 'n')) {
      out += s[i + 1] == 't' ? '\t' : '\n';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string subdivision_of(std::string_view country, std::string_view text) {
  const auto c = find_country(country);
  if (!c) return "<bad country>";
  const auto r = find_subdivision(c.value, text);
  if (r) return std::string(r.value.code);
  return r.status == Status::not_found ? "-" : std::string(status_name(r.status));
}

}  // namespace

TEST_CASE("messy real-world spellings (data/messy_places.tsv)") {
  std::ifstream in(SYNCLINE_STDLIB_TEST_DATA "/messy_places.tsv");
  REQUIRE(in.good());
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    while (cols.size() < 4) cols.emplace_back();
    const std::string input = unescape(cols[2]);
    CAPTURE(line);
    if (cols[0] == "country") {
      std::string got = country_of(input);
      if (got == "not_found") got = "-";
      CHECK(got == cols[3]);
    } else {
      CHECK(subdivision_of(cols[1], input) == cols[3]);
    }
    ++rows;
  }
  CHECK(rows >= 200);
}

TEST_CASE("C++ place keys match the generator's for every name it indexed") {
  // gen_geo_tables.py writes each text it normalised with its key; a mismatch would make
  // that name unreachable at run time.
  std::ifstream in(SYNCLINE_GEO_KEY_PARITY);
  REQUIRE(in.good());
  std::string line;
  std::size_t rows = 0, mismatches = 0;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const std::string raw = line.substr(0, tab), want = line.substr(tab + 1);
    if (key_of(raw) != want) {
      if (++mismatches <= 10) {
        CAPTURE(raw);
        CHECK(key_of(raw) == want);
      }
    }
    ++rows;
  }
  CHECK(mismatches == 0);
  CHECK(rows > 20000);
}

TEST_CASE("examples from docs/stdlib/geo.md") {
  CHECK(country_of("040") == "AT");
  CHECK(country_of("40") == "AT");
  CHECK(country_of("US of A") == "US");
  CHECK(country_of("Great Britain") == "GB");
  CHECK(country_of("Korea") == "KR");
  CHECK(key_of("ＵＳＡ") == "usa");
  const auto us = country_by_alpha2("us").value;
  CHECK(find_subdivision(us, "wash.").value.code == "US-WA");
  CHECK(find_subdivision(country_by_alpha2("DE").value, "Bavaria").value.code == "DE-BY");
  CHECK(subdivision_by_code("ST-01").value.code == "ST-01");
  const auto cn = country_by_alpha2("CN").value;
  CHECK(find_subdivision(cn, "GD").value.label == "Guangdong");
  CHECK(find_subdivision(cn, "GD").value.name == "Guangdong Sheng");
}
