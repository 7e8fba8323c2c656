// Tests of std.time and std.num: the date/datetime shapes of both APIs, leap days, offsets,
// time zones, number parsing as people type it, rounding and integer conversion.
#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "num/decimal.h"
#include "time/date_time.h"

using namespace syncline::stdlib;
using namespace syncline::stdlib::time;
using namespace syncline::stdlib::num;

namespace {

std::string iso(std::string_view text) {
  const auto r = parse_datetime(text);
  if (!r) return "<" + std::string(status_name(r.status)) + ">";
  return std::string(format_iso_utc(r.value).value.view());
}
std::string day(std::string_view text) {
  const auto r = parse_date(text);
  if (!r) return "<" + std::string(status_name(r.status)) + ">";
  return std::string(format_date(r.value).value.view());
}
std::string dec(std::string_view text) {
  const auto r = parse_decimal(text);
  if (!r) return "<" + std::string(status_name(r.status)) + ">";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, r.value);
  return std::string(buf, end);
}
double rnd(double v, int places) {
  return round_half_away(v, places).value;
}

}  // namespace

TEST_CASE("civil calendar") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(2024, 2, 29) == 19782);
  CHECK(days_from_civil(1, 1, 1) == kMinDate);
  CHECK(days_from_civil(9999, 12, 31) == kMaxDate);
  for (Date d = kMinDate; d <= kMaxDate; d += 997) {
    const auto c = civil_from_days(d);
    CHECK(days_from_civil(c.year, c.month, c.day) == d);
  }
  CHECK(is_valid_civil(2024, 2, 29));
  CHECK(is_valid_civil(2000, 2, 29));
  CHECK_FALSE(is_valid_civil(2023, 2, 29));
  CHECK_FALSE(is_valid_civil(1900, 2, 29));
  CHECK_FALSE(is_valid_civil(2024, 4, 31));
  CHECK_FALSE(is_valid_civil(2024, 13, 1));
  CHECK_FALSE(is_valid_civil(2024, 0, 1));
}

TEST_CASE("parse and format datetimes in both APIs' shapes") {
  CHECK(iso("2024-01-02T10:11:12.345Z") == "2024-01-02T10:11:12.345Z");
  CHECK(iso("2024-01-02T10:11:12.000+0000") == "2024-01-02T10:11:12.000Z");
  CHECK(iso("2024-01-02T10:11:12.000+01:00") == "2024-01-02T09:11:12.000Z");
  CHECK(iso("2024-01-02T00:30:00-0530") == "2024-01-02T06:00:00.000Z");
  CHECK(iso("2024-01-02T23:30:00+02") == "2024-01-02T21:30:00.000Z");
  CHECK(iso("2024-01-01T00:30:00+01:00") == "2023-12-31T23:30:00.000Z");
  CHECK(iso("2024-01-02 10:11:12") == "2024-01-02T10:11:12.000Z");
  CHECK(iso("2024-01-02t10:11z") == "2024-01-02T10:11:00.000Z");
  CHECK(iso("2024-01-02T10:11:12.1Z") == "2024-01-02T10:11:12.100Z");
  CHECK(iso("2024-01-02T10:11:12.123456789Z") == "2024-01-02T10:11:12.123Z");
  CHECK(iso("2024-01-02") == "2024-01-02T00:00:00.000Z");
  CHECK(iso(" 1704190272345 ") == "2024-01-02T10:11:12.345Z");
  CHECK(iso("0") == "1970-01-01T00:00:00.000Z");
  CHECK(iso("-1") == "1969-12-31T23:59:59.999Z");
  CHECK(iso("2024-02-29T12:00:00Z") == "2024-02-29T12:00:00.000Z");
  CHECK(iso("") == "<blank>");
  CHECK(iso("  ") == "<blank>");
  for (const char* bad :
       {"2023-02-29", "2024-13-01", "2024-01-32", "2024-1-2", "24-01-02", "2024-01-02T24:00:00Z",
        "2024-01-02T10:60Z", "2024-01-02T10:11:61Z", "2024-01-02T10Z", "2024-01-02T10:11:12.Z",
        "2024-01-02T10:11:12+25:00", "2024-01-02T10:11:12 UTC", "2024-01-02X", "01/02/2024",
        "yesterday", "2024-01-02T10:11:12.1234567890Z", "\xFF\xFE", "1.5"}) {
    CAPTURE(bad);
    CHECK(iso(bad) == "<invalid_format>");
  }
  CHECK(iso("0000-01-01") == "<out_of_range>");
  CHECK(iso("99999999999999999999") == "<out_of_range>");
  CHECK(iso("253402300800000") == "<out_of_range>");  // 10000-01-01
  CHECK(iso(std::string(65, '1')) == "<too_long>");
  CHECK(iso(std::string(10'000'000, ' ') + "2024-01-02") == "2024-01-02T00:00:00.000Z");

  const auto t = parse_datetime("2024-01-02T10:11:12.345Z").value;
  CHECK(format_salesforce(t).value.view() == "2024-01-02T10:11:12.345+0000");
  CHECK(format_epoch_millis(t).value.view() == "1704190272345");
  CHECK(format_epoch_millis(-5).value.view() == "-5");
  CHECK(format_iso_utc(kMaxDateTime).value.view() == "9999-12-31T23:59:59.999Z");
  CHECK(format_iso_utc(kMinDateTime).value.view() == "0001-01-01T00:00:00.000Z");
  CHECK(format_iso_utc(kMaxDateTime + 1).status == Status::out_of_range);
  CHECK(format_salesforce(std::numeric_limits<DateTime>::min()).status == Status::out_of_range);
}

TEST_CASE("dates") {
  CHECK(day("2024-02-29") == "2024-02-29");
  CHECK(day("1704153600000") == "2024-01-02");  // HubSpot midnight-UTC epoch ms
  CHECK(day("2024-01-02T00:00:00.000Z") == "2024-01-02");
  CHECK(day("2024-01-02T00:00:00.000+0100") == "<invalid_format>");  // 23:00 UTC
  CHECK(day("2024-01-02T10:11:12Z") == "<invalid_format>");
  CHECK(day("1704190272345") == "<invalid_format>");
  CHECK(day("") == "<blank>");
  CHECK(day("1900-02-29") == "<invalid_format>");
  CHECK(date_to_midnight_utc(days_from_civil(2024, 1, 2)) == 1704153600000);
  CHECK(date_of_utc(-1) == -1);
  CHECK(format_date(kMaxDate + 1).status == Status::out_of_range);
}

TEST_CASE("time zones") {
  const auto t = parse_datetime("2024-01-02T03:00:00Z").value;
  CHECK(date_in_time_zone(t, "America/Los_Angeles").value == days_from_civil(2024, 1, 1));
  CHECK(date_in_time_zone(t, "Europe/Paris").value == days_from_civil(2024, 1, 2));
  CHECK(date_in_time_zone(t, "UTC").value == days_from_civil(2024, 1, 2));
  CHECK(date_in_time_zone(t, "Asia/Kolkata").value == days_from_civil(2024, 1, 2));
  CHECK(utc_offset_minutes(t, "Asia/Kolkata").value == 330);
  CHECK(utc_offset_minutes(t, "America/New_York").value == -300);
  const auto summer = parse_datetime("2024-07-01T12:00:00Z").value;
  CHECK(utc_offset_minutes(summer, "America/New_York").value == -240);
  CHECK(utc_offset_minutes(summer, "Europe/London").value == 60);
  CHECK(date_in_time_zone(t, "Mars/Olympus").status == Status::unknown_time_zone);
  CHECK(date_in_time_zone(t, "").status == Status::unknown_time_zone);
  CHECK(date_in_time_zone(t, "Europe/Paris\xFF").status == Status::unknown_time_zone);
  CHECK(date_in_time_zone(kMaxDateTime + 1, "UTC").status == Status::out_of_range);
  // Local midnight in a zone, including a day that starts in a DST gap (Sao Paulo 2018-11-04
  // skipped 00:00-01:00) and an ordinary day.
  CHECK(format_iso_utc(start_of_day_in_time_zone(days_from_civil(2024, 1, 2), "Europe/Paris").value)
            .value.view() == "2024-01-01T23:00:00.000Z");
  CHECK(format_iso_utc(
            start_of_day_in_time_zone(days_from_civil(2018, 11, 4), "America/Sao_Paulo").value)
            .value.view() == "2018-11-04T03:00:00.000Z");
  CHECK(start_of_day_in_time_zone(0, "Nowhere/City").status == Status::unknown_time_zone);
}

TEST_CASE("decimal parsing accepts what people type") {
  CHECK(dec("1,234.50") == "1234.5");
  CHECK(dec(" 42 ") == "42");
  CHECK(dec("-3.5") == "-3.5");
  CHECK(dec("+7") == "7");
  CHECK(dec("1e3") == "1000");
  CHECK(dec("2.5E-4") == "0.00025");
  CHECK(dec(".5") == "0.5");
  CHECK(dec("5.") == "5");
  CHECK(dec("1,234,567") == "1234567");
  CHECK(dec("-0") == "0");
  CHECK(dec("007") == "7");
  CHECK(dec("1e-400") == "0");
  CHECK(dec("") == "<blank>");
  CHECK(dec(" \t") == "<blank>");
  for (const char* bad :
       {"$1.2M", "abc",   "1.2M",  "$12",  "12$", "1,23",      "1,2345", ",123", "1 234",
        "3,5",   "1.2.3", "--1",   "+-1",  "1e",  "e3",        ".",      "-",    "NaN",
        "inf",   "0x1A",  "1_000", "(12)", "12%", "1,234.5,6", "\xFF"}) {
    CAPTURE(bad);
    CHECK(dec(bad) == "<invalid_format>");
  }
  CHECK(dec("1e400") == "<out_of_range>");
  CHECK(dec(std::string(401, '1')) == "<too_long>");
  CHECK(dec(std::string(300, '9')) == "1e+300");
}

TEST_CASE("rounding half away from zero") {
  CHECK(rnd(2.675, 2) == 2.68);
  CHECK(rnd(1.005, 2) == 1.01);
  CHECK(rnd(2.5, 0) == 3);
  CHECK(rnd(-2.5, 0) == -3);
  CHECK(rnd(0.5, 0) == 1);
  CHECK(rnd(0.4, 0) == 0);
  CHECK(std::signbit(rnd(-0.4, 0)) == false);  // no negative zero
  CHECK(rnd(1234.5678, 2) == 1234.57);
  CHECK(rnd(1234.5678, -2) == 1200);
  CHECK(rnd(1250, -2) == 1300);
  CHECK(rnd(9.995, 2) == 10);
  CHECK(rnd(99.5, 0) == 100);
  CHECK(rnd(0.0001, 2) == 0);
  CHECK(rnd(0.005, 2) == 0.01);
  CHECK(rnd(1.23, 5) == 1.23);
  CHECK(rnd(1e300, 2) == 1e300);
  CHECK(rnd(0, 3) == 0);
  CHECK(round_half_away(NAN, 2).status == Status::out_of_range);
  CHECK(round_half_away(INFINITY, 2).status == Status::out_of_range);
  CHECK(round_half_away(1.0, 21).status == Status::out_of_range);
}

TEST_CASE("safe integer conversion") {
  CHECK(to_int64(42.0).value == 42);
  CHECK(to_int64(-0.0).value == 0);
  CHECK(to_int64(1.5).status == Status::not_integral);
  CHECK(to_int64(9223372036854775808.0).status == Status::out_of_range);
  CHECK(to_int64(-9223372036854775808.0).value == std::numeric_limits<std::int64_t>::min());
  CHECK(to_int64(NAN).status == Status::out_of_range);
  CHECK(to_int64(-INFINITY).status == Status::out_of_range);
  CHECK(parse_integer("9007199254740993").value == 9007199254740993);
  CHECK(parse_integer("9,223,372,036,854,775,807").value ==
        std::numeric_limits<std::int64_t>::max());
  CHECK(parse_integer("-9223372036854775808").value == std::numeric_limits<std::int64_t>::min());
  CHECK(parse_integer("9223372036854775808").status == Status::out_of_range);
  CHECK(parse_integer("1e3").value == 1000);
  CHECK(parse_integer("42.0").value == 42);
  CHECK(parse_integer("1.5").status == Status::not_integral);
  CHECK(parse_integer("1e30").status == Status::out_of_range);
  CHECK(parse_integer("abc").status == Status::invalid_format);
  CHECK(parse_integer("").status == Status::blank);
}

TEST_CASE("format_decimal extremes") {
  std::string out;
  CHECK(format_decimal(5e-324, out) == Status::ok);
  CHECK(out.size() == 326);
  CHECK(parse_decimal(out).value == 5e-324);  // round-trips
  CHECK(format_decimal(std::numeric_limits<double>::max(), out) == Status::ok);
  CHECK(out.size() == 309);
  CHECK(format_decimal(NAN, out) == Status::out_of_range);
  CHECK(out.empty());
  CHECK(format_decimal(-INFINITY, out) == Status::out_of_range);
  for (double v : {0.1, 1.0 / 3, 123456.789, -2.5e-7, 9007199254740993.0}) {
    CHECK(format_decimal(v, out) == Status::ok);
    CHECK(out.find('e') == std::string::npos);
    double back = 0;
    std::from_chars(out.data(), out.data() + out.size(), back);
    CHECK(back == v);
  }
}
