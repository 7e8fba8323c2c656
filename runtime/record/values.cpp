// Value constructors, civil-date arithmetic and interpolation's rendering.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "runtime/record/record.h"

namespace syncline::rt {

sl_value Blank() {
  sl_value v{};
  v.tag = SL_BLANK;
  return v;
}
sl_value Text(std::string_view s) {
  if (s.empty()) return Blank();
  sl_value v{};
  v.tag = SL_TEXT;
  v.len = static_cast<uint32_t>(s.size());
  v.u.str = s.data();
  return v;
}
sl_value Number(double d) {
  sl_value v{};
  v.tag = SL_NUMBER;
  v.u.num = d == 0 ? 0.0 : d;  // no negative zero: it would print as "-0"
  return v;
}
sl_value Integer(int64_t i) {
  sl_value v{};
  v.tag = SL_INTEGER;
  v.u.i = i;
  return v;
}
sl_value Bool(bool b) {
  sl_value v{};
  v.tag = SL_BOOL;
  v.u.i = b ? 1 : 0;
  return v;
}
sl_value Date(int32_t days) {
  sl_value v{};
  v.tag = SL_DATE;
  v.u.i = days;
  return v;
}
sl_value DateTime(int64_t ms) {
  sl_value v{};
  v.tag = SL_DATETIME;
  v.u.i = ms;
  return v;
}

// Howard Hinnant's algorithms (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

namespace {

// Appends `value` as `width` digits with leading zeros (value >= 0).
void AppendDigits(std::string& out, int64_t value, int width) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 || n < width);
  while (n > 0) out += buf[--n];
}

// "YYYY-MM-DD" (years outside 0-9999 as printf's %04lld would: sign and all digits). Built by
// hand: snprintf was a visible share of writing records with dates.
std::string DateText(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  std::string out;
  out.reserve(24);
  if (y < 0) {
    out += '-';
    AppendDigits(out, -y, 3);
  } else {
    AppendDigits(out, y, 4);
  }
  out += '-';
  AppendDigits(out, m, 2);
  out += '-';
  AppendDigits(out, d, 2);
  return out;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// The shortest digits that round-trip, laid out as JavaScript's Number#toString does: plain
// decimals for 1e-7 < |x| < 1e21 ("3000000", "0.15"), exponent form outside ("1.5e+308").
std::string NumberText(double x) {
  if (x == 0) return "0";
  // Whole numbers below 2^53 print as their integer (the same digits the general path lays
  // out, without its string surgery).
  if (std::fabs(x) < 9007199254740992.0 && x == std::trunc(x))
    return std::to_string(static_cast<int64_t>(x));
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // "-1.2345e+06"
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  const size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int exp = std::stoi(sci.substr(e + 1));
  const int n = static_cast<int>(digits.size());
  if (exp >= 21 || exp < -7) {
    std::string mant = digits.substr(0, 1) + (n > 1 ? "." + digits.substr(1) : "");
    return sign + mant + "e" + (exp < 0 ? "-" : "+") + std::to_string(exp < 0 ? -exp : exp);
  }
  if (exp >= n - 1) return sign + digits + std::string(static_cast<size_t>(exp - (n - 1)), '0');
  if (exp >= 0)
    return sign + digits.substr(0, static_cast<size_t>(exp + 1)) + "." +
           digits.substr(static_cast<size_t>(exp + 1));
  return sign + "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
}

}  // namespace

std::string Render(const sl_value& v) {
  switch (v.tag) {
    case SL_TEXT:
      return std::string(v.u.str, v.len);
    case SL_NUMBER:
      return NumberText(v.u.num);
    case SL_INTEGER:
      return std::to_string(v.u.i);
    case SL_BOOL:
      return v.u.i ? "true" : "false";
    case SL_DATE:
      return DateText(v.u.i);
    case SL_DATETIME: {
      const int64_t days = FloorDiv(v.u.i, 86400000);
      const int64_t ms = v.u.i - days * 86400000;
      std::string out = DateText(days);
      out += 'T';
      AppendDigits(out, ms / 3600000, 2);
      out += ':';
      AppendDigits(out, ms / 60000 % 60, 2);
      out += ':';
      AppendDigits(out, ms / 1000 % 60, 2);
      out += '.';
      AppendDigits(out, ms % 1000, 3);
      out += 'Z';
      return out;
    }
    default:
      return "";
  }
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kText:
      return "text";
    case Kind::kNumber:
      return "number";
    case Kind::kInteger:
      return "integer";
    case Kind::kBool:
      return "bool";
    case Kind::kDate:
      return "date";
    case Kind::kDateTime:
      return "datetime";
  }
  return "?";
}

}  // namespace syncline::rt
