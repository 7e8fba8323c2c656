// std.time: dates and datetimes in the shapes HubSpot and Salesforce exchange. A date is a
// count of days since 1970-01-01; a datetime is milliseconds since the epoch, UTC. Parsing
// and formatting are allocation-free; time zone conversions use ICU's zone data.
#pragma once

#include <cstdint>
#include <string_view>

#include "status.h"

namespace syncline::stdlib::time {

using Date = std::int32_t;      // days since 1970-01-01
using DateTime = std::int64_t;  // milliseconds since 1970-01-01T00:00:00Z

inline constexpr std::int64_t kMillisPerDay = 86'400'000;

struct CivilDate {
  std::int32_t year = 1970;
  std::uint32_t month = 1;  // 1-12
  std::uint32_t day = 1;    // 1-31
};

// Proleptic Gregorian calendar conversions (Howard Hinnant's algorithms); exact for any
// int32 day count.
Date days_from_civil(std::int32_t year, std::uint32_t month, std::uint32_t day) noexcept;
CivilDate civil_from_days(Date days) noexcept;
bool is_valid_civil(std::int32_t year, std::uint32_t month, std::uint32_t day) noexcept;

// Supported range, both directions: years 0001 to 9999 (out_of_range beyond).
inline constexpr Date kMinDate = -719'162;   // 0001-01-01
inline constexpr Date kMaxDate = 2'932'896;  // 9999-12-31
inline constexpr DateTime kMinDateTime = std::int64_t{kMinDate} * kMillisPerDay;
inline constexpr DateTime kMaxDateTime = (std::int64_t{kMaxDate} + 1) * kMillisPerDay - 1;

// Parses a datetime. Accepted shapes (after trimming):
//   2024-01-02T10:11:12.345Z        HubSpot (fraction of 0-9 digits; beyond ms is truncated)
//   2024-01-02T10:11:12.000+0000    Salesforce (also +00:00, +00, -0530, lower-case t/z, or a
//                                   space instead of T; seconds optional: 2024-01-02T10:11Z)
//   2024-01-02T10:11:12             no offset: read as UTC
//   2024-01-02                      midnight UTC
//   1704190272345                   epoch milliseconds as text (optional leading '-')
// Status: ok, blank, invalid_format (includes impossible dates such as 2023-02-29 and hours
// above 23), out_of_range (outside years 0001-9999), too_long (> 64 bytes after trimming).
Result<DateTime> parse_datetime(std::string_view text) noexcept;

// Parses a date: 2024-01-02, or any datetime shape above that falls exactly on midnight UTC
// (HubSpot date properties are midnight-UTC epoch milliseconds). A datetime at another time
// of day is invalid_format: use date_in_time_zone to choose the day. Same statuses.
Result<Date> parse_date(std::string_view text) noexcept;

// Fixed-size output of the formatters; no allocation.
struct DateTimeText {
  char data[32] = {};
  std::uint8_t size = 0;
  std::string_view view() const noexcept { return {data, size}; }
};

// "2024-01-02T10:11:12.345Z" (HubSpot). Status: ok, out_of_range.
Result<DateTimeText> format_iso_utc(DateTime t) noexcept;
// "2024-01-02T10:11:12.345+0000" (Salesforce). Status: ok, out_of_range.
Result<DateTimeText> format_salesforce(DateTime t) noexcept;
// "1704190272345" (HubSpot epoch milliseconds). Always ok.
Result<DateTimeText> format_epoch_millis(DateTime t) noexcept;
// "2024-01-02" (Salesforce date, HubSpot date). Status: ok, out_of_range.
Result<DateTimeText> format_date(Date d) noexcept;

// A date as HubSpot stores a date property: epoch milliseconds at midnight UTC.
constexpr DateTime date_to_midnight_utc(Date d) noexcept {
  return d * kMillisPerDay;
}
// The UTC calendar day of a datetime (floor, also for instants before 1970).
Date date_of_utc(DateTime t) noexcept;

// Time zones are IANA names ("Europe/Paris", "America/New_York", "UTC"), resolved by ICU.
// The calendar day a datetime falls on in that zone. Status: ok, unknown_time_zone,
// out_of_range.
Result<Date> date_in_time_zone(DateTime t, std::string_view zone) noexcept;
// The zone's offset from UTC at that instant, in minutes (DST included).
Result<std::int32_t> utc_offset_minutes(DateTime t, std::string_view zone) noexcept;
// The first instant whose local calendar day in that zone is `d` (so for a day that starts
// in a DST gap, the first valid local time after the gap).
Result<DateTime> start_of_day_in_time_zone(Date d, std::string_view zone) noexcept;

}  // namespace syncline::stdlib::time
