#include "sandbox/time_format.h"

#include <cctype>
#include <cstdio>

namespace syncline::sandbox {
namespace {

struct Civil {
  int y;
  unsigned m, d;
};

// Howard Hinnant's civil-from-days algorithm (proleptic Gregorian).
Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Writes `value` as exactly `width` decimal digits (0 <= value < 10^width).
char* PutDigits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

// "%04d-%02u-%02uT%02d:%02d:%02d.%03d<zone>", written by hand: this runs for every timestamp of
// every record a sandbox renders, and snprintf was a visible share of a batch upsert.
std::string Format(int64_t ms, const char* zone) {
  int64_t days = FloorDiv(ms, kDayMs);
  int64_t rem = ms - days * kDayMs;
  Civil c = CivilFromDays(days);
  if (c.y < 0 || c.y > 9999) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03d%s", c.y, c.m, c.d,
                  static_cast<int>(rem / 3'600'000), static_cast<int>(rem / 60'000 % 60),
                  static_cast<int>(rem / 1000 % 60), static_cast<int>(rem % 1000), zone);
    return buf;
  }
  char buf[48];
  char* p = PutDigits(buf, static_cast<unsigned>(c.y), 4);
  *p++ = '-';
  p = PutDigits(p, c.m, 2);
  *p++ = '-';
  p = PutDigits(p, c.d, 2);
  *p++ = 'T';
  p = PutDigits(p, static_cast<unsigned>(rem / 3'600'000), 2);
  *p++ = ':';
  p = PutDigits(p, static_cast<unsigned>(rem / 60'000 % 60), 2);
  *p++ = ':';
  p = PutDigits(p, static_cast<unsigned>(rem / 1000 % 60), 2);
  *p++ = '.';
  p = PutDigits(p, static_cast<unsigned>(rem % 1000), 3);
  std::string out(buf, static_cast<size_t>(p - buf));
  out += zone;
  return out;
}

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string FormatIsoMs(int64_t ms) {
  return Format(ms, "Z");
}
std::string FormatSfDateTime(int64_t ms) {
  return Format(ms, "+0000");
}

std::string FormatDate(int64_t ms) {
  Civil c = CivilFromDays(FloorDiv(ms, kDayMs));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", c.y, c.m, c.d);
  return buf;
}

std::optional<int64_t> ParseIsoTime(std::string_view s) {
  int y, mo, d;
  if (!Digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  int64_t ms = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * kDayMs;
  if (s.size() == 10) return ms;
  if (s[10] != 'T' && s[10] != ' ') return std::nullopt;
  int h, mi, sec = 0;
  if (!Digits(s, 11, 2, h) || s.size() < 16 || s[13] != ':' || !Digits(s, 14, 2, mi))
    return std::nullopt;
  size_t p = 16;
  if (p < s.size() && s[p] == ':') {
    if (!Digits(s, p + 1, 2, sec)) return std::nullopt;
    p += 3;
  }
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  int frac = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    int digits = 0;
    while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) {
      if (digits < 3) frac = frac * 10 + (s[p] - '0');
      ++digits;
      ++p;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) frac *= 10;
  }
  ms += (h * 3600LL + mi * 60LL + sec) * 1000 + frac;
  if (p == s.size()) return ms;
  if (s[p] == 'Z' && p + 1 == s.size()) return ms;
  if (s[p] == '+' || s[p] == '-') {
    int oh, om;
    int sign = s[p] == '+' ? 1 : -1;
    if (!Digits(s, p + 1, 2, oh)) return std::nullopt;
    size_t q = p + 3;
    if (q < s.size() && s[q] == ':') ++q;
    if (!Digits(s, q, 2, om) || q + 2 != s.size()) return std::nullopt;
    return ms - sign * (oh * 60LL + om) * 60'000;
  }
  return std::nullopt;
}

std::optional<int64_t> ParseTimeOrEpochMs(std::string_view s) {
  if (!s.empty() && s.size() <= 16) {
    bool all_digits = true;
    for (char c : s) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
    if (all_digits) return std::stoll(std::string(s));
  }
  return ParseIsoTime(s);
}

}  // namespace syncline::sandbox
