#include "compiler/syntax/literal_decoding.h"

#include <charconv>

namespace syncline::syntax {
namespace {

int Digits(std::string_view s, size_t pos, size_t count) {
  int value = 0;
  for (size_t i = 0; i < count; ++i) value = value * 10 + (s[pos + i] - '0');
  return value;
}

}  // namespace

std::optional<int32_t> DaysFromCivil(int y, int m, int d) {
  static constexpr int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return std::nullopt;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int max_day = kDaysIn[m - 1] + (m == 2 && leap ? 1 : 0);
  if (d > max_day) return std::nullopt;
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy =
      (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

std::optional<int32_t> ParseDateLiteral(std::string_view s) {
  // @YYYY-MM-DD (the lexer guarantees the shape)
  if (s.size() < 11) return std::nullopt;
  return DaysFromCivil(Digits(s, 1, 4), Digits(s, 6, 2), Digits(s, 9, 2));
}

std::optional<int64_t> ParseDateTimeLiteral(std::string_view s) {
  // @YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH[:]MM)
  auto days = DaysFromCivil(Digits(s, 1, 4), Digits(s, 6, 2), Digits(s, 9, 2));
  if (!days) return std::nullopt;
  const int hour = Digits(s, 12, 2);
  const int minute = Digits(s, 15, 2);
  size_t pos = 17;
  int second = 0;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == ':') {
    second = Digits(s, pos + 1, 2);
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      int scale = 100;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        millis += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  int offset_minutes = 0;
  if (pos < s.size() && s[pos] != 'Z') {
    const int sign = s[pos] == '-' ? -1 : 1;
    const int oh = Digits(s, pos + 1, 2);
    const size_t mpos = s[pos + 3] == ':' ? pos + 4 : pos + 3;
    const int om = Digits(s, mpos, 2);
    if (oh > 14 || om > 59) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  }
  return ((static_cast<int64_t>(*days) * 24 + hour) * 60 + minute - offset_minutes) * 60000 +
         second * 1000 + millis;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace syncline::syntax
