// Every builtin must return a value (never crash, throw or hang) for any input: random bytes,
// random valid UTF-8, number- and date-like noise. Run under the asan preset this doubles as a
// small deterministic fuzzer.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "geo/country.h"
#include "geo/place_key.h"
#include "geo/salesforce_picklists.h"
#include "geo/subdivision.h"
#include "lifecycle/lifecycle_stages.h"
#include "num/decimal.h"
#include "text/email.h"
#include "text/phone.h"
#include "text/text.h"
#include "text/utf8.h"
#include "time/date_time.h"

using namespace syncline::stdlib;

namespace {

std::string random_input(std::mt19937& rng) {
  std::string s;
  const std::size_t len = rng() % 40;
  const int kind = static_cast<int>(rng() % 4);
  static const std::string_view alphabet = "0123456789+-.,eE:TZ@ ;'&/()$%abcXYZ\t";
  for (std::size_t i = 0; i < len; ++i) {
    switch (kind) {
      case 0:  // arbitrary bytes
        s.push_back(static_cast<char>(rng() & 0xFF));
        break;
      case 1: {  // valid UTF-8 across planes
        char buf[4];
        char32_t cp = static_cast<char32_t>(rng() % 0x30000);
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'x';
        s.append(buf, text::encode_utf8(cp, buf));
        break;
      }
      default:  // number/date/email-shaped noise
        s.push_back(alphabet[rng() % alphabet.size()]);
    }
  }
  return s;
}

}  // namespace

TEST_CASE("every builtin returns a value for random input") {
  std::mt19937 rng(20240102);
  const auto& defaults = geo::PicklistTable::salesforce_defaults();
  const auto& stages = lifecycle::LifecycleStages::hubspot_defaults();
  const auto us = geo::country_by_alpha2("US").value;
  std::string out;
  for (int iter = 0; iter < 4000; ++iter) {
    const std::string a = random_input(rng), b = random_input(rng);
    geo::PlaceKeyBuffer key;
    const Status ks = geo::normalise_place_key(a, key);
    CHECK(key.size <= geo::kPlaceKeyCapacity);
    if (ks == Status::ok) CHECK(text::is_valid_utf8(key.view()));
    (void)geo::find_country(a);
    (void)geo::find_subdivision(us, a);
    (void)geo::find_subdivision(a, b);
    (void)geo::subdivision_by_code(a);
    (void)defaults.match_country(a);
    for (auto sf : {geo::SalesforcePicklistMode::disabled, geo::SalesforcePicklistMode::enabled}) {
      for (auto hs :
           {geo::HubSpotPlaceMode::match_salesforce_defaults, geo::HubSpotPlaceMode::sync_as_is}) {
        geo::PicklistSettings s;
        s.salesforce = sf;
        s.hubspot = hs;
        (void)geo::to_salesforce(s, a, b);
        (void)geo::to_hubspot(s, a, b, b, a);
      }
    }
    if (text::to_upper(a, out) != Status::ok) CHECK(out.empty());
    if (text::to_lower(a, out) == Status::ok) CHECK(text::is_valid_utf8(out));
    (void)text::normalise_whitespace(a, out);
    (void)text::equals_ignore_case(a, b);
    const auto t = text::truncate(a, rng() % 10);
    if (t) CHECK(text::is_valid_utf8(t.value));
    std::size_t pos = 0;
    int guard = 0;
    while (text::next_multi_select_item(a, pos) && ++guard < 100) {
    }
    CHECK(guard < 100);
    if (text::normalise_email(a, out) != Status::ok) CHECK(out.empty());
    (void)text::phone_to_e164(a, b, out);
    const auto dt = time::parse_datetime(a);
    if (dt) CHECK(time::format_iso_utc(dt.value).ok());
    (void)time::parse_date(a);
    (void)time::date_in_time_zone(static_cast<time::DateTime>(rng()), a);
    const auto d = num::parse_decimal(a);
    if (d) {
      (void)num::round_half_away(d.value, static_cast<int>(rng() % 41) - 20);
      (void)num::to_int64(d.value);
      CHECK(num::format_decimal(d.value, out) == Status::ok);
    }
    (void)num::parse_integer(a);
    (void)stages.later_of(a, b);
    (void)stages.advance_only_forward(a, "lead");
  }
}
