// std.time; see date_time.h. Parsing is a hand-written cursor over ASCII so that no input
// (huge, invalid UTF-8, overflowing numbers) can allocate, throw or overflow.
#include "time/date_time.h"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <charconv>
#include <memory>
#include <new>

#include "text/trim.h"

namespace syncline::stdlib::time {
namespace {

constexpr std::size_t kMaxDateTimeText = 64;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  // Exactly n digits.
  bool digits(int n, std::int32_t& out) {
    out = 0;
    for (int k = 0; k < n; ++k) {
      const char c = peek();
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
      ++i_;
    }
    return true;
  }
  std::size_t pos() const { return i_; }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Parses the zone designator at the cursor; false if malformed.
bool parse_offset(Cursor& c, std::int32_t& offset_minutes) {
  offset_minutes = 0;
  if (c.done()) return true;  // no designator: UTC
  if (c.eat('Z') || c.eat('z')) return c.done();
  int sign = 0;
  if (c.eat('+')) {
    sign = 1;
  } else if (c.eat('-')) {
    sign = -1;
  } else {
    return false;
  }
  std::int32_t hh = 0, mm = 0;
  if (!c.digits(2, hh)) return false;
  if (!c.done()) {
    c.eat(':');
    if (!c.digits(2, mm)) return false;
  }
  if (!c.done() || hh > 18 || mm > 59) return false;
  offset_minutes = sign * (hh * 60 + mm);
  return true;
}

Result<DateTime> parse_epoch_millis(std::string_view t) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc::result_out_of_range) return {Status::out_of_range, 0};
  if (ec != std::errc() || end != t.data() + t.size()) return {Status::invalid_format, 0};
  if (v < kMinDateTime || v > kMaxDateTime) return {Status::out_of_range, 0};
  return {Status::ok, v};
}

// Writes n digits of v (zero-padded) at p.
char* put_digits(char* p, std::int64_t v, int n) {
  for (int k = n - 1; k >= 0; --k) {
    p[k] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + n;
}

Result<DateTimeText> format_with(DateTime t, std::string_view zone_suffix) {
  if (t < kMinDateTime || t > kMaxDateTime) return {Status::out_of_range, {}};
  const Date d = date_of_utc(t);
  const std::int64_t ms_of_day = t - std::int64_t{d} * kMillisPerDay;
  const CivilDate c = civil_from_days(d);
  DateTimeText out;
  char* p = out.data;
  p = put_digits(p, c.year, 4);
  *p++ = '-';
  p = put_digits(p, c.month, 2);
  *p++ = '-';
  p = put_digits(p, c.day, 2);
  *p++ = 'T';
  p = put_digits(p, ms_of_day / 3'600'000, 2);
  *p++ = ':';
  p = put_digits(p, ms_of_day / 60'000 % 60, 2);
  *p++ = ':';
  p = put_digits(p, ms_of_day / 1000 % 60, 2);
  *p++ = '.';
  p = put_digits(p, ms_of_day % 1000, 3);
  for (char ch : zone_suffix) *p++ = ch;
  out.size = static_cast<std::uint8_t>(p - out.data);
  return {Status::ok, out};
}

std::unique_ptr<icu::TimeZone> open_zone(std::string_view zone) {
  if (zone.empty() || zone.size() > 64) return nullptr;
  for (char ch : zone) {
    // IANA names are ASCII letters, digits and "/_-+"; reject anything else early.
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                    (ch >= '0' && ch <= '9') || ch == '/' || ch == '_' || ch == '-' || ch == '+';
    if (!ok) return nullptr;
  }
  std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(
      icu::UnicodeString::fromUTF8(icu::StringPiece(zone.data(), static_cast<int>(zone.size())))));
  if (!tz || *tz == icu::TimeZone::getUnknown()) return nullptr;
  return tz;
}

// Offset (ms) of the zone at a UTC instant.
bool offset_at(const icu::TimeZone& tz, DateTime t, std::int32_t& offset_ms) {
  UErrorCode err = U_ZERO_ERROR;
  std::int32_t raw = 0, dst = 0;
  tz.getOffset(static_cast<UDate>(t), false, raw, dst, err);
  if (U_FAILURE(err)) return false;
  offset_ms = raw + dst;
  return true;
}

}  // namespace

Date days_from_civil(std::int32_t year, std::uint32_t month, std::uint32_t day) noexcept {
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<Date>(era * 146097 + doe - 719468);
}

CivilDate civil_from_days(Date days) noexcept {
  const std::int64_t z = static_cast<std::int64_t>(days) + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return {static_cast<std::int32_t>(y), static_cast<std::uint32_t>(m),
          static_cast<std::uint32_t>(d)};
}

bool is_valid_civil(std::int32_t year, std::uint32_t month, std::uint32_t day) noexcept {
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr std::uint8_t kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + ((month == 2 && leap) ? 1u : 0u);
}

Result<DateTime> parse_datetime(std::string_view text) noexcept {
  const std::string_view t = text::trim(text);
  if (t.empty()) return {Status::blank, 0};
  if (t.size() > kMaxDateTimeText) return {Status::too_long, 0};
  if (all_digits(t) || (t[0] == '-' && all_digits(t.substr(1)))) return parse_epoch_millis(t);
  Cursor c(t);
  std::int32_t y = 0, mo = 0, d = 0;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d)) {
    return {Status::invalid_format, 0};
  }
  if (!is_valid_civil(y, static_cast<std::uint32_t>(mo), static_cast<std::uint32_t>(d))) {
    return {Status::invalid_format, 0};
  }
  if (y < 1) return {Status::out_of_range, 0};
  std::int64_t ms = 0;
  std::int32_t offset = 0;
  if (!c.done()) {
    if (!(c.eat('T') || c.eat('t') || c.eat(' '))) return {Status::invalid_format, 0};
    std::int32_t hh = 0, mi = 0, ss = 0;
    if (!c.digits(2, hh) || !c.eat(':') || !c.digits(2, mi)) return {Status::invalid_format, 0};
    if (c.eat(':')) {
      if (!c.digits(2, ss)) return {Status::invalid_format, 0};
      if (c.eat('.') || c.eat(',')) {
        std::int32_t frac_ms = 0;
        int n = 0;
        while (c.peek() >= '0' && c.peek() <= '9') {
          if (n < 3) frac_ms = frac_ms * 10 + (c.peek() - '0');
          ++n;
          c.eat(c.peek());
        }
        if (n == 0 || n > 9) return {Status::invalid_format, 0};
        for (int k = n; k < 3; ++k) frac_ms *= 10;
        ms += frac_ms;
      }
    }
    if (hh > 23 || mi > 59 || ss > 59) return {Status::invalid_format, 0};
    ms += (hh * 3600 + mi * 60 + ss) * std::int64_t{1000};
    if (!parse_offset(c, offset)) return {Status::invalid_format, 0};
  }
  const std::int64_t result = std::int64_t{days_from_civil(y, static_cast<std::uint32_t>(mo),
                                                           static_cast<std::uint32_t>(d))} *
                                  kMillisPerDay +
                              ms - std::int64_t{offset} * 60'000;
  if (result < kMinDateTime || result > kMaxDateTime) return {Status::out_of_range, 0};
  return {Status::ok, result};
}

Result<Date> parse_date(std::string_view text) noexcept {
  const auto r = parse_datetime(text);
  if (!r) return {r.status, 0};
  if (floor_div(r.value, kMillisPerDay) * kMillisPerDay != r.value) {
    return {Status::invalid_format, 0};
  }
  return {Status::ok, static_cast<Date>(r.value / kMillisPerDay)};
}

Result<DateTimeText> format_iso_utc(DateTime t) noexcept {
  return format_with(t, "Z");
}
Result<DateTimeText> format_salesforce(DateTime t) noexcept {
  return format_with(t, "+0000");
}

Result<DateTimeText> format_epoch_millis(DateTime t) noexcept {
  DateTimeText out;
  const auto [end, ec] = std::to_chars(out.data, out.data + sizeof(out.data), t);
  (void)ec;  // 32 bytes always hold an int64
  out.size = static_cast<std::uint8_t>(end - out.data);
  return {Status::ok, out};
}

Result<DateTimeText> format_date(Date d) noexcept {
  if (d < kMinDate || d > kMaxDate) return {Status::out_of_range, {}};
  const CivilDate c = civil_from_days(d);
  DateTimeText out;
  char* p = put_digits(out.data, c.year, 4);
  *p++ = '-';
  p = put_digits(p, c.month, 2);
  *p++ = '-';
  p = put_digits(p, c.day, 2);
  out.size = static_cast<std::uint8_t>(p - out.data);
  return {Status::ok, out};
}

Date date_of_utc(DateTime t) noexcept {
  return static_cast<Date>(floor_div(t, kMillisPerDay));
}

Result<Date> date_in_time_zone(DateTime t, std::string_view zone) noexcept {
  const auto r = utc_offset_minutes(t, zone);
  if (!r) return {r.status, 0};
  return {Status::ok, date_of_utc(t + std::int64_t{r.value} * 60'000)};
}

Result<std::int32_t> utc_offset_minutes(DateTime t, std::string_view zone) noexcept {
  if (t < kMinDateTime || t > kMaxDateTime) return {Status::out_of_range, 0};
  try {
    const auto tz = open_zone(zone);
    if (!tz) return {Status::unknown_time_zone, 0};
    std::int32_t off = 0;
    if (!offset_at(*tz, t, off)) return {Status::out_of_range, 0};
    return {Status::ok, off / 60'000};
  } catch (const std::bad_alloc&) {
    return {Status::unknown_time_zone, 0};
  }
}

Result<DateTime> start_of_day_in_time_zone(Date d, std::string_view zone) noexcept {
  if (d < kMinDate || d > kMaxDate) return {Status::out_of_range, 0};
  try {
    const auto tz = open_zone(zone);
    if (!tz) return {Status::unknown_time_zone, 0};
    // The local day is a non-decreasing step function of the instant (apart from rare
    // fall-back transitions at midnight), and zone offsets stay within +-18 hours: binary
    // search the first instant whose local day is d or later.
    const DateTime local_midnight = std::int64_t{d} * kMillisPerDay;
    DateTime lo = local_midnight - 18 * 3'600'000LL, hi = local_midnight + 18 * 3'600'000LL;
    while (lo < hi) {
      const DateTime mid = lo + (hi - lo) / 2;
      std::int32_t off = 0;
      if (!offset_at(*tz, mid, off)) return {Status::out_of_range, 0};
      if (date_of_utc(mid + off) >= d) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    const DateTime guess = lo;
    return {Status::ok, guess};
  } catch (const std::bad_alloc&) {
    return {Status::unknown_time_zone, 0};
  }
}

}  // namespace syncline::stdlib::time
