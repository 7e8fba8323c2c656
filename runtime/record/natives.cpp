// The native functions compiled rules call: operators, input conversion from each API's
// shapes, conversion for writing, and the std builtins. One shape for all (sl_native_fn), one
// explicit symbol list (NativeSymbols), shared by the JIT and the interpreter.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "geo/country.h"
#include "geo/subdivision.h"
#include "lifecycle/lifecycle_stages.h"
#include "num/decimal.h"
#include "runtime/record/record.h"
#include "text/email.h"
#include "text/phone.h"
#include "text/text.h"
#include "time/date_time.h"

namespace syncline::rt {
namespace {

using V = sl_value;

std::string_view Str(const V& v) {
  return v.tag == SL_TEXT ? std::string_view(v.u.str, v.len) : std::string_view();
}

void Fail(sl_ctx* ctx, V* out, int code, std::string_view msg) {
  sl_fail(ctx, code, msg.data(), static_cast<uint32_t>(msg.size()), -1);
  *out = V{};
  out->tag = SL_FAIL;
}

// A text result, copied into the arena unless it already lives there or in constants.
V MakeText(sl_ctx* ctx, std::string_view s) {
  if (s.empty()) return Blank();
  char* p = sl_arena_alloc(ctx, s.size());
  std::memcpy(p, s.data(), s.size());
  return Text({p, s.size()});
}

std::string Quote(std::string_view s) {
  if (s.size() > 60) return "\"" + std::string(s.substr(0, 57)) + "...\"";
  return "\"" + std::string(s) + "\"";
}

bool IsNumeric(const V& v) {
  return v.tag == SL_NUMBER || v.tag == SL_INTEGER;
}
double AsDouble(const V& v) {
  return v.tag == SL_INTEGER ? static_cast<double>(v.u.i) : v.u.num;
}

void NumberResult(sl_ctx* ctx, V* out, double d) {
  if (!std::isfinite(d)) return Fail(ctx, out, SL_E_OVERFLOW, "number out of range");
  *out = Number(d);
}

// ------------------------------------------------------------------ parsing helpers

bool ParseInt(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseDouble(std::string_view s, double& out) {
  if (s.empty()) return false;
  if (s[0] == '+') s.remove_prefix(1);
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '.'))
    return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(out);
}

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool ValidDay(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

// "YYYY-MM-DD" at the start of s.
bool ParseDatePrefix(std::string_view s, int64_t& days) {
  int y, m, d;
  if (!Digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, m) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || !ValidDay(y, m, d))
    return false;
  days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

bool ParseIsoDate(std::string_view s, int64_t& days) {
  return s.size() == 10 && ParseDatePrefix(s, days);
}

// ISO 8601 date-time: YYYY-MM-DD[(T| )HH:MM[:SS[.fff...]]][Z|±HH[:]MM]; a bare date is
// midnight UTC; no zone means UTC.
bool ParseIsoDateTime(std::string_view s, int64_t& ms) {
  int64_t days;
  if (!ParseDatePrefix(s, days)) return false;
  int64_t t = 0;
  size_t p = 10;
  if (p < s.size()) {
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return false;
    int hh, mm, ss = 0;
    if (!Digits(s, p + 1, 2, hh) || p + 3 >= s.size() || s[p + 3] != ':' ||
        !Digits(s, p + 4, 2, mm) || hh > 23 || mm > 59)
      return false;
    p += 6;
    int frac_ms = 0;
    if (p < s.size() && s[p] == ':') {
      if (!Digits(s, p + 1, 2, ss) || ss > 59) return false;
      p += 3;
      if (p < s.size() && s[p] == '.') {
        ++p;
        size_t n = 0;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
          if (n < 3) frac_ms = frac_ms * 10 + (s[p] - '0');
          ++n;
          ++p;
        }
        if (n == 0) return false;
        for (size_t i = n; i < 3; ++i) frac_ms *= 10;
      }
    }
    t = ((hh * 60 + mm) * 60 + ss) * 1000LL + frac_ms;
    if (p < s.size()) {
      if (s[p] == 'Z' || s[p] == 'z') {
        ++p;
      } else if (s[p] == '+' || s[p] == '-') {
        const int sign = s[p] == '+' ? 1 : -1;
        int oh, om;
        if (!Digits(s, p + 1, 2, oh)) return false;
        p += 3;
        if (p < s.size() && s[p] == ':') ++p;
        if (!Digits(s, p, 2, om) || oh > 23 || om > 59) return false;
        p += 2;
        t -= sign * (oh * 60 + om) * 60000LL;
      } else {
        return false;
      }
    }
    if (p != s.size()) return false;
  }
  ms = days * 86400000LL + t;
  return true;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Epoch milliseconds as HubSpot writes them ("1704153600000"), within years 1..9999.
bool ParseEpochMs(std::string_view s, int64_t& ms) {
  if (!ParseInt(s, ms)) return false;
  return ms >= -62135596800000LL && ms <= 253402300799999LL;
}

std::optional<int64_t> AnyDate(std::string_view s) {
  int64_t d, ms;
  if (ParseIsoDate(s, d)) return d;
  if (ParseIsoDateTime(s, ms) || ParseEpochMs(s, ms)) return FloorDiv(ms, 86400000);
  return std::nullopt;
}
std::optional<int64_t> AnyDateTime(std::string_view s) {
  int64_t ms;
  if (ParseIsoDateTime(s, ms) || ParseEpochMs(s, ms)) return ms;
  return std::nullopt;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && IsSpace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && IsSpace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

const char* ValueTypeName(const V& v) {
  switch (v.tag) {
    case SL_TEXT:
      return "text";
    case SL_NUMBER:
    case SL_INTEGER:
      return "a number";
    case SL_BOOL:
      return "a boolean";
    case SL_FAIL:
      return "an object or array";
    default:
      return "a value";
  }
}

// ------------------------------------------------------------------ comparison

// -1/0/1, or 2 when not comparable (a blank operand).
int Compare(const V& a, const V& b) {
  if (a.tag == SL_BLANK || b.tag == SL_BLANK) return 2;
  if (a.tag == SL_INTEGER && b.tag == SL_INTEGER) return (a.u.i > b.u.i) - (a.u.i < b.u.i);
  if (IsNumeric(a) && IsNumeric(b)) {
    const double x = AsDouble(a), y = AsDouble(b);
    return (x > y) - (x < y);
  }
  if (a.tag == SL_TEXT && b.tag == SL_TEXT) {
    const int c = Str(a).compare(Str(b));
    return (c > 0) - (c < 0);
  }
  if (a.tag == b.tag) return (a.u.i > b.u.i) - (a.u.i < b.u.i);  // bool, date, datetime
  return 3;  // different kinds: unequal, unordered
}

}  // namespace
}  // namespace syncline::rt

using namespace syncline::rt;
namespace stdlib = syncline::stdlib;

extern "C" {

// ------------------------------------------------------------------ operators
// Arithmetic with a blank operand gives blank.
#define SL_BLANK_IN_BLANK_OUT(n)    \
  for (int i_ = 0; i_ < (n); ++i_)  \
    if (args[i_].tag == SL_BLANK) { \
      *out = Blank();               \
      return;                       \
    }

static void sl_op_add_int(sl_ctx* ctx, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  int64_t r;
  if (__builtin_add_overflow(args[0].u.i, args[1].u.i, &r))
    return Fail(ctx, out, SL_E_OVERFLOW, "integer overflow in `+`");
  *out = Integer(r);
}
static void sl_op_sub_int(sl_ctx* ctx, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  int64_t r;
  if (__builtin_sub_overflow(args[0].u.i, args[1].u.i, &r))
    return Fail(ctx, out, SL_E_OVERFLOW, "integer overflow in `-`");
  *out = Integer(r);
}
static void sl_op_mul_int(sl_ctx* ctx, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  int64_t r;
  if (__builtin_mul_overflow(args[0].u.i, args[1].u.i, &r))
    return Fail(ctx, out, SL_E_OVERFLOW, "integer overflow in `*`");
  *out = Integer(r);
}
static void sl_op_mod_int(sl_ctx*, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  if (args[1].u.i == 0) return void(*out = Blank());
  if (args[1].u.i == -1) return void(*out = Integer(0));
  *out = Integer(args[0].u.i % args[1].u.i);
}
static void sl_op_neg_int(sl_ctx* ctx, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(1);
  if (args[0].u.i == std::numeric_limits<int64_t>::min())
    return Fail(ctx, out, SL_E_OVERFLOW, "integer overflow in `-`");
  *out = Integer(-args[0].u.i);
}
static void sl_op_add_num(sl_ctx* ctx, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  NumberResult(ctx, out, AsDouble(args[0]) + AsDouble(args[1]));
}
static void sl_op_sub_num(sl_ctx* ctx, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  NumberResult(ctx, out, AsDouble(args[0]) - AsDouble(args[1]));
}
static void sl_op_mul_num(sl_ctx* ctx, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  NumberResult(ctx, out, AsDouble(args[0]) * AsDouble(args[1]));
}
// Division by zero gives blank.
static void sl_op_div(sl_ctx* ctx, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  if (AsDouble(args[1]) == 0) return void(*out = Blank());
  NumberResult(ctx, out, AsDouble(args[0]) / AsDouble(args[1]));
}
static void sl_op_mod_num(sl_ctx* ctx, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  if (AsDouble(args[1]) == 0) return void(*out = Blank());
  NumberResult(ctx, out, std::fmod(AsDouble(args[0]), AsDouble(args[1])));
}
static void sl_op_neg_num(sl_ctx*, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(1);
  *out = args[0].tag == SL_INTEGER ? Number(-static_cast<double>(args[0].u.i))
                                   : Number(-args[0].u.num);
}
static void sl_op_date_add(sl_ctx* ctx, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  // Range-check the day count first: adding an int64 to a date could overflow.
  if (args[1].u.i > 3000000 || args[1].u.i < -3000000)
    return Fail(ctx, out, SL_E_OVERFLOW, "date out of range (years 1 to 9999)");
  const int64_t r = args[0].u.i + args[1].u.i;
  if (r < -719162 || r > 2932896)
    return Fail(ctx, out, SL_E_OVERFLOW, "date out of range (years 1 to 9999)");
  *out = Date(static_cast<int32_t>(r));
}
static void sl_op_date_sub(sl_ctx* ctx, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  if (args[1].u.i > 3000000 || args[1].u.i < -3000000)
    return Fail(ctx, out, SL_E_OVERFLOW, "date out of range (years 1 to 9999)");
  const int64_t r = args[0].u.i - args[1].u.i;
  if (r < -719162 || r > 2932896)
    return Fail(ctx, out, SL_E_OVERFLOW, "date out of range (years 1 to 9999)");
  *out = Date(static_cast<int32_t>(r));
}
static void sl_op_date_diff(sl_ctx*, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  *out = Integer(args[0].u.i - args[1].u.i);
}
// Text `+` joins; a blank side is the empty text.
static void sl_op_concat(sl_ctx* ctx, V* out, const V* args) noexcept {
  const std::string_view a = Str(args[0]), b = Str(args[1]);
  if (a.empty()) return void(*out = args[1].tag == SL_TEXT ? args[1] : Blank());
  if (b.empty()) return void(*out = args[0]);
  char* p = sl_arena_alloc(ctx, a.size() + b.size());
  std::memcpy(p, a.data(), a.size());
  std::memcpy(p + a.size(), b.data(), b.size());
  *out = Text({p, a.size() + b.size()});
}
// Interpolation: renders any value as text.
static void sl_op_to_text(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_TEXT || args[0].tag == SL_BLANK) return void(*out = args[0]);
  *out = MakeText(ctx, Render(args[0]));
}
static void sl_op_eq(sl_ctx*, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK || args[1].tag == SL_BLANK)
    return void(*out = Bool(args[0].tag == args[1].tag));
  *out = Bool(Compare(args[0], args[1]) == 0);
}
static void sl_op_ne(sl_ctx*, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK || args[1].tag == SL_BLANK)
    return void(*out = Bool(args[0].tag != args[1].tag));
  *out = Bool(Compare(args[0], args[1]) != 0);
}
// Ordering with a blank is false.
static void sl_op_lt(sl_ctx*, V* out, const V* args) noexcept {
  const int c = Compare(args[0], args[1]);
  *out = Bool(c == -1);
}
static void sl_op_le(sl_ctx*, V* out, const V* args) noexcept {
  const int c = Compare(args[0], args[1]);
  *out = Bool(c == -1 || c == 0);
}
static void sl_op_gt(sl_ctx*, V* out, const V* args) noexcept {
  *out = Bool(Compare(args[0], args[1]) == 1);
}
static void sl_op_ge(sl_ctx*, V* out, const V* args) noexcept {
  const int c = Compare(args[0], args[1]);
  *out = Bool(c == 1 || c == 0);
}
static void sl_op_not(sl_ctx*, V* out, const V* args) noexcept {
  *out = Bool(!(args[0].tag == SL_BOOL && args[0].u.i));
}
static void sl_op_is_blank(sl_ctx*, V* out, const V* args) noexcept {
  *out = Bool(args[0].tag == SL_BLANK);
}
// `value in multiselect`: one of the `;`-joined values.
static void sl_op_in_multi(sl_ctx*, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK || args[1].tag != SL_TEXT) return void(*out = Bool(false));
  const std::string needle = Render(args[0]);
  std::string_view hay = Str(args[1]);
  while (true) {
    const size_t semi = hay.find(';');
    if (hay.substr(0, semi) == needle) return void(*out = Bool(true));
    if (semi == std::string_view::npos) break;
    hay.remove_prefix(semi + 1);
  }
  *out = Bool(false);
}

// ------------------------------------------------------------------ input conversion

static void BadValue(sl_ctx* ctx, V* out, const V& raw, const char* want) {
  std::string msg = std::string("expected ") + want + ", found ";
  msg += raw.tag == SL_TEXT   ? Quote(Str(raw))
         : raw.tag == SL_FAIL ? std::string(ValueTypeName(raw))
                              : std::string(ValueTypeName(raw)) + " " + Render(raw);
  Fail(ctx, out, SL_E_BAD_VALUE, msg);
}

static void sl_in_hubspot_text(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK || args[0].tag == SL_TEXT) return void(*out = args[0]);
  BadValue(ctx, out, args[0], "a string");
}
static void sl_in_hubspot_number(sl_ctx* ctx, V* out, const V* args) noexcept {
  double d;
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  if (args[0].tag == SL_TEXT && ParseDouble(Str(args[0]), d)) return void(*out = Number(d));
  BadValue(ctx, out, args[0], "a number as a string");
}
static bool IntegralText(std::string_view s, int64_t& i) {
  if (ParseInt(s, i)) return true;
  double d;
  if (!ParseDouble(s, d) || d != std::floor(d) || std::fabs(d) >= 9.2e18) return false;
  i = static_cast<int64_t>(d);
  return true;
}
static void sl_in_hubspot_integer(sl_ctx* ctx, V* out, const V* args) noexcept {
  int64_t i;
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  if (args[0].tag == SL_TEXT && IntegralText(Str(args[0]), i)) return void(*out = Integer(i));
  BadValue(ctx, out, args[0], "a whole number as a string");
}
static void sl_in_hubspot_bool(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  if (args[0].tag == SL_TEXT && Str(args[0]) == "true") return void(*out = Bool(true));
  if (args[0].tag == SL_TEXT && Str(args[0]) == "false") return void(*out = Bool(false));
  BadValue(ctx, out, args[0], "\"true\" or \"false\"");
}
static void sl_in_hubspot_date(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  if (args[0].tag == SL_TEXT) {
    if (auto d = AnyDate(Str(args[0]))) return void(*out = Date(static_cast<int32_t>(*d)));
  }
  BadValue(ctx, out, args[0], "a date (YYYY-MM-DD or epoch milliseconds)");
}
static void sl_in_hubspot_datetime(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  if (args[0].tag == SL_TEXT) {
    if (auto ms = AnyDateTime(Str(args[0]))) return void(*out = DateTime(*ms));
  }
  BadValue(ctx, out, args[0], "a datetime (ISO 8601 or epoch milliseconds)");
}
static void sl_in_salesforce_text(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK || args[0].tag == SL_TEXT) return void(*out = args[0]);
  BadValue(ctx, out, args[0], "a string");
}
static void sl_in_salesforce_number(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  if (IsNumeric(args[0])) return void(*out = Number(AsDouble(args[0])));
  BadValue(ctx, out, args[0], "a number");
}
static void sl_in_salesforce_integer(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK || args[0].tag == SL_INTEGER) return void(*out = args[0]);
  if (args[0].tag == SL_NUMBER && args[0].u.num == std::floor(args[0].u.num) &&
      std::fabs(args[0].u.num) < 9.2e18)
    return void(*out = Integer(static_cast<int64_t>(args[0].u.num)));
  BadValue(ctx, out, args[0], "a whole number");
}
static void sl_in_salesforce_bool(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK || args[0].tag == SL_BOOL) return void(*out = args[0]);
  BadValue(ctx, out, args[0], "true or false");
}
static void sl_in_salesforce_date(sl_ctx* ctx, V* out, const V* args) noexcept {
  int64_t d;
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  if (args[0].tag == SL_TEXT && ParseIsoDate(Str(args[0]), d))
    return void(*out = Date(static_cast<int32_t>(d)));
  BadValue(ctx, out, args[0], "a date (YYYY-MM-DD)");
}
static void sl_in_salesforce_datetime(sl_ctx* ctx, V* out, const V* args) noexcept {
  int64_t ms;
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  if (args[0].tag == SL_TEXT && ParseIsoDateTime(Str(args[0]), ms))
    return void(*out = DateTime(ms));
  BadValue(ctx, out, args[0], "a datetime (2024-01-02T10:11:12.000+0000)");
}

// ------------------------------------------------------------------ conversion for writing

static void CannotWrite(sl_ctx* ctx, V* out, const V& v, const char* kind) {
  Fail(ctx, out, SL_E_CANNOT_WRITE,
       "cannot write " + (v.tag == SL_TEXT ? Quote(Str(v)) : Render(v)) + " to a field of type " +
           kind);
}
static void sl_out_text(sl_ctx* ctx, V* out, const V* args) noexcept {
  sl_op_to_text(ctx, out, args);
}
static void sl_out_number(sl_ctx* ctx, V* out, const V* args) noexcept {
  double d;
  if (args[0].tag == SL_BLANK || args[0].tag == SL_NUMBER) return void(*out = args[0]);
  if (args[0].tag == SL_INTEGER) return void(*out = Number(static_cast<double>(args[0].u.i)));
  if (args[0].tag == SL_TEXT && ParseDouble(Str(args[0]), d)) return void(*out = Number(d));
  CannotWrite(ctx, out, args[0], "number");
}
static void sl_out_integer(sl_ctx* ctx, V* out, const V* args) noexcept {
  int64_t i;
  if (args[0].tag == SL_BLANK || args[0].tag == SL_INTEGER) return void(*out = args[0]);
  if (args[0].tag == SL_NUMBER && args[0].u.num == std::floor(args[0].u.num) &&
      std::fabs(args[0].u.num) < 9.2e18)
    return void(*out = Integer(static_cast<int64_t>(args[0].u.num)));
  if (args[0].tag == SL_TEXT && IntegralText(Str(args[0]), i)) return void(*out = Integer(i));
  CannotWrite(ctx, out, args[0], "integer");
}
static void sl_out_bool(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK || args[0].tag == SL_BOOL) return void(*out = args[0]);
  if (args[0].tag == SL_TEXT && (Str(args[0]) == "true" || Str(args[0]) == "false"))
    return void(*out = Bool(Str(args[0]) == "true"));
  CannotWrite(ctx, out, args[0], "true/false");
}
static void sl_out_date(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK || args[0].tag == SL_DATE) return void(*out = args[0]);
  if (args[0].tag == SL_DATETIME)
    return void(*out = Date(static_cast<int32_t>(FloorDiv(args[0].u.i, 86400000))));
  if (args[0].tag == SL_TEXT) {
    if (auto d = AnyDate(Str(args[0]))) return void(*out = Date(static_cast<int32_t>(*d)));
  }
  CannotWrite(ctx, out, args[0], "date");
}
static void sl_out_datetime(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK || args[0].tag == SL_DATETIME) return void(*out = args[0]);
  if (args[0].tag == SL_DATE) return void(*out = DateTime(args[0].u.i * 86400000LL));
  if (args[0].tag == SL_TEXT) {
    if (auto ms = AnyDateTime(Str(args[0]))) return void(*out = DateTime(*ms));
  }
  CannotWrite(ctx, out, args[0], "datetime");
}

// ------------------------------------------------------------------ std builtins

[[maybe_unused]] static void NotBound(sl_ctx* ctx, V* out, const char* name) {
  Fail(ctx, out, SL_E_NOT_BOUND,
       std::string("builtin `") + name + "` is not bound to a native implementation in this build");
}

static void sl_len(sl_ctx*, V* out, const V* args) noexcept {
  *out = Integer(static_cast<int64_t>(CodePoints(Str(args[0]))));
}
// args[1]: the record's segment names joined by '\n' (a hidden input slot).
static void sl_in_segment(sl_ctx*, V* out, const V* args) noexcept {
  std::string_view want = Str(args[0]), hay = Str(args[1]);
  if (args[0].tag != SL_TEXT) return void(*out = Bool(false));
  while (true) {
    const size_t nl = hay.find('\n');
    if (hay.substr(0, nl) == want) return void(*out = Bool(true));
    if (nl == std::string_view::npos) break;
    hay.remove_prefix(nl + 1);
  }
  *out = Bool(false);
}
// The std builtins call the native standard library (stdlib/native): Unicode white space and
// ICU case mapping, libphonenumber, iso-codes geo tables, the tz database; docs/stdlib
// documents (and tests) the behaviour. Builtins that cannot fail in the language give a
// value where the library reports a failure (noted at each).
static void StdFailure(sl_ctx* ctx, V* out, stdlib::Status st, const V& arg, const char* what) {
  Fail(ctx, out, SL_E_BUILTIN_FAILED,
       std::string(what) + " (" + std::string(stdlib::status_name(st)) +
           "): " + (arg.tag == SL_TEXT ? Quote(Str(arg)) : Render(arg)));
}
// Unicode white space (NBSP, U+3000, the byte-order mark, ...); a view into the input.
static void sl_std_text_trim(sl_ctx*, V* out, const V* args) noexcept {
  *out = Text(stdlib::text::trim(Str(args[0])));
}
// Invalid UTF-8 (or an input above the library's bound) is given back unchanged.
static void sl_std_text_upper(sl_ctx* ctx, V* out, const V* args) noexcept {
  std::string s;
  const auto st = stdlib::text::to_upper(Str(args[0]), s);
  if (st == stdlib::Status::blank) return void(*out = Blank());
  if (st != stdlib::Status::ok) return void(*out = args[0]);
  *out = MakeText(ctx, s);
}
static void sl_std_text_lower(sl_ctx* ctx, V* out, const V* args) noexcept {
  std::string s;
  const auto st = stdlib::text::to_lower(Str(args[0]), s);
  if (st == stdlib::Status::blank) return void(*out = Blank());
  if (st != stdlib::Status::ok) return void(*out = args[0]);
  *out = MakeText(ctx, s);
}
// Invalid UTF-8: ASCII white space only.
static void sl_std_text_normalize_space(sl_ctx* ctx, V* out, const V* args) noexcept {
  std::string s;
  const auto st = stdlib::text::normalise_whitespace(Str(args[0]), s);
  if (st == stdlib::Status::ok) return void(*out = MakeText(ctx, s));
  if (st == stdlib::Status::blank) return void(*out = Blank());
  s.clear();
  bool space = false;
  for (char c : TrimView(Str(args[0]))) {
    if (IsSpace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space) s += ' ';
    space = false;
    s += c;
  }
  *out = MakeText(ctx, s);
}
static void sl_std_text_equals_ignore_case(sl_ctx*, V* out, const V* args) noexcept {
  auto r = stdlib::text::equals_ignore_case(Str(args[0]), Str(args[1]));
  *out = Bool(r.ok() ? r.value : Str(args[0]) == Str(args[1]));
}
static void sl_std_text_email(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  std::string s;
  const auto st = stdlib::text::normalise_email(Str(args[0]), s);
  if (st == stdlib::Status::blank) return void(*out = Blank());
  if (st != stdlib::Status::ok)
    return StdFailure(ctx, out, st, args[0], "not a valid email address");
  *out = MakeText(ctx, s);
}
static void sl_std_text_e164(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  std::string s;
  const auto st = stdlib::text::phone_to_e164(Str(args[0]), Str(args[1]), s);
  if (st == stdlib::Status::blank) return void(*out = Blank());
  if (st != stdlib::Status::ok) return StdFailure(ctx, out, st, args[0], "not a phone number");
  *out = MakeText(ctx, s);
}
// Cuts at code points; invalid UTF-8 is cut at code point starts all the same. A negative
// count keeps everything.
static void sl_std_text_truncate(sl_ctx*, V* out, const V* args) noexcept {
  const std::string_view s = Str(args[0]);
  const int64_t n = args[1].tag == SL_INTEGER ? args[1].u.i : 0;
  if (n < 0) return void(*out = Text(s));
  const auto r = stdlib::text::truncate(s, static_cast<size_t>(n));
  if (r.ok()) return void(*out = Text(r.value));
  size_t count = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (static_cast<int64_t>(count) == n) break;
      ++count;
    }
  }
  *out = Text(s.substr(0, i));
}
// The first non-empty item, trimmed.
static void sl_std_text_split_first(sl_ctx*, V* out, const V* args) noexcept {
  size_t pos = 0;
  const auto r = stdlib::text::next_multi_select_item(Str(args[0]), pos);
  *out = r.ok() ? Text(r.value) : Blank();
}
static void sl_std_num_parse(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  const auto r = stdlib::num::parse_decimal(Str(args[0]));
  if (r.status == stdlib::Status::blank) return void(*out = Blank());
  if (!r.ok()) return StdFailure(ctx, out, r.status, args[0], "not a number");
  *out = Number(r.value);
}
// Rounds the shortest decimal form (1.005 -> 1.01). Beyond the library's 20 places either
// way: x * 10^n rounded in binary floating point, or x itself when that is not finite.
static void sl_std_num_round(sl_ctx* ctx, V* out, const V* args) noexcept {
  SL_BLANK_IN_BLANK_OUT(2);
  const double x = AsDouble(args[0]);
  const int64_t places = args[1].u.i;
  if (places >= -20 && places <= 20) {
    const auto r = stdlib::num::round_half_away(x, static_cast<int>(places));
    if (r.ok()) return NumberResult(ctx, out, r.value);
  }
  const double scale = std::pow(10.0, static_cast<double>(std::clamp<int64_t>(places, -400, 400)));
  const double r = std::round(x * scale) / scale;
  NumberResult(ctx, out, std::isfinite(r) ? r : x);
}
static void sl_std_num_to_integer(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK || args[0].tag == SL_INTEGER) return void(*out = args[0]);
  const auto r = stdlib::num::to_int64(args[0].u.num);
  if (!r.ok()) return StdFailure(ctx, out, r.status, args[0], "not a whole number");
  *out = Integer(r.value);
}
static void sl_std_time_parse_date(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  const auto r = stdlib::time::parse_date(Str(args[0]));
  if (r.status == stdlib::Status::blank) return void(*out = Blank());
  if (!r.ok()) return StdFailure(ctx, out, r.status, args[0], "not a date");
  *out = Date(r.value);
}
static void sl_std_time_parse_datetime(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  const auto r = stdlib::time::parse_datetime(Str(args[0]));
  if (r.status == stdlib::Status::blank) return void(*out = Blank());
  if (!r.ok()) return StdFailure(ctx, out, r.status, args[0], "not a datetime");
  *out = DateTime(r.value);
}
static void sl_std_time_date_of(sl_ctx* ctx, V* out, const V* args) noexcept {
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  auto r = stdlib::time::date_in_time_zone(args[0].u.i, Str(args[1]));
  if (!r.ok()) return StdFailure(ctx, out, r.status, args[1], "cannot take the date in time zone");
  *out = Date(static_cast<int32_t>(r.value));
}
static void GeoCountry(sl_ctx* ctx, V* out, const V* args, bool code) {
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  auto r = stdlib::geo::find_country(Str(args[0]));
  if (r.status == stdlib::Status::blank) return void(*out = Blank());
  if (!r.ok()) return StdFailure(ctx, out, r.status, args[0], "unknown country");
  *out = Text(code ? r.value.alpha2 : r.value.name);
}
static void GeoState(sl_ctx* ctx, V* out, const V* args, bool code) {
  if (args[0].tag == SL_BLANK) return void(*out = Blank());
  auto r = stdlib::geo::find_subdivision(Str(args[1]), Str(args[0]));
  if (r.status == stdlib::Status::blank) return void(*out = Blank());
  if (!r.ok()) return StdFailure(ctx, out, r.status, args[0], "unknown state");
  *out = Text(code ? r.value.code_part : r.value.name);
}
static void sl_std_geo_country_code(sl_ctx* ctx, V* out, const V* args) noexcept {
  GeoCountry(ctx, out, args, true);
}
static void sl_std_geo_country_name(sl_ctx* ctx, V* out, const V* args) noexcept {
  GeoCountry(ctx, out, args, false);
}
static void sl_std_geo_state_code(sl_ctx* ctx, V* out, const V* args) noexcept {
  GeoState(ctx, out, args, true);
}
static void sl_std_geo_state_name(sl_ctx* ctx, V* out, const V* args) noexcept {
  GeoState(ctx, out, args, false);
}
// Stages are matched as the library does (trimmed, case-insensitive, labels such as "MQL")
// and ranked in the batch's stage list: the portal's own (its `lifecyclestage` options by
// displayOrder, set on the BatchContext by the runtime and `syncline transform`) or HubSpot's
// default order, `other` last; results are canonical values. The builtins cannot fail: a
// stage the list does not have ranks before every one it has and is given back as it is.
// Rank + 1, 0 for an unknown stage, -1 for blank (also white space).
static int64_t StageOrder(const stdlib::lifecycle::LifecycleStages& stages, const V& v) {
  if (v.tag != SL_TEXT) return -1;
  const auto r = stages.rank(Str(v));
  if (r.status == stdlib::Status::blank) return -1;
  return r.ok() ? static_cast<int64_t>(r.value) + 1 : 0;
}
static void sl_std_lifecycle_later_of(sl_ctx* ctx, V* out, const V* args) noexcept {
  const auto& stages = LifecycleStagesOf(ctx);
  const int64_t a = StageOrder(stages, args[0]), b = StageOrder(stages, args[1]);
  if (a < 0 && b < 0) return void(*out = Blank());
  const int64_t order = b > a ? b : a;
  if (order == 0) return void(*out = b > a ? args[1] : args[0]);
  const std::string_view value = stages.at(static_cast<size_t>(order - 1));
  // The defaults are static; a portal's list is copied, so results never outlive it.
  *out = HasPortalLifecycleStages(ctx) ? MakeText(ctx, value) : Text(value);
}
static void sl_std_lifecycle_is_before(sl_ctx* ctx, V* out, const V* args) noexcept {
  const auto& stages = LifecycleStagesOf(ctx);
  const int64_t a = StageOrder(stages, args[0]), b = StageOrder(stages, args[1]);
  if (a < 0 || b < 0) return void(*out = Bool(false));
  *out = Bool(a < b);
}

}  // extern "C"

namespace syncline::rt {

const std::vector<NativeSymbol>& NativeSymbols() {
#define N(name, arity) \
  { #name, &name, arity }
  static const std::vector<NativeSymbol> symbols = {
      N(sl_op_add_int, 2),
      N(sl_op_sub_int, 2),
      N(sl_op_mul_int, 2),
      N(sl_op_mod_int, 2),
      N(sl_op_neg_int, 1),
      N(sl_op_add_num, 2),
      N(sl_op_sub_num, 2),
      N(sl_op_mul_num, 2),
      N(sl_op_div, 2),
      N(sl_op_mod_num, 2),
      N(sl_op_neg_num, 1),
      N(sl_op_date_add, 2),
      N(sl_op_date_sub, 2),
      N(sl_op_date_diff, 2),
      N(sl_op_concat, 2),
      N(sl_op_to_text, 1),
      N(sl_op_eq, 2),
      N(sl_op_ne, 2),
      N(sl_op_lt, 2),
      N(sl_op_le, 2),
      N(sl_op_gt, 2),
      N(sl_op_ge, 2),
      N(sl_op_not, 1),
      N(sl_op_is_blank, 1),
      N(sl_op_in_multi, 2),
      N(sl_in_hubspot_text, 1),
      N(sl_in_hubspot_number, 1),
      N(sl_in_hubspot_integer, 1),
      N(sl_in_hubspot_bool, 1),
      N(sl_in_hubspot_date, 1),
      N(sl_in_hubspot_datetime, 1),
      N(sl_in_salesforce_text, 1),
      N(sl_in_salesforce_number, 1),
      N(sl_in_salesforce_integer, 1),
      N(sl_in_salesforce_bool, 1),
      N(sl_in_salesforce_date, 1),
      N(sl_in_salesforce_datetime, 1),
      N(sl_out_text, 1),
      N(sl_out_number, 1),
      N(sl_out_integer, 1),
      N(sl_out_bool, 1),
      N(sl_out_date, 1),
      N(sl_out_datetime, 1),
      N(sl_len, 1),
      N(sl_in_segment, 2),
      N(sl_std_text_trim, 1),
      N(sl_std_text_upper, 1),
      N(sl_std_text_lower, 1),
      N(sl_std_text_normalize_space, 1),
      N(sl_std_text_equals_ignore_case, 2),
      N(sl_std_text_email, 1),
      N(sl_std_text_e164, 2),
      N(sl_std_text_truncate, 2),
      N(sl_std_text_split_first, 1),
      N(sl_std_num_parse, 1),
      N(sl_std_num_round, 2),
      N(sl_std_num_to_integer, 1),
      N(sl_std_time_parse_date, 1),
      N(sl_std_time_parse_datetime, 1),
      N(sl_std_time_date_of, 2),
      N(sl_std_geo_country_code, 1),
      N(sl_std_geo_country_name, 1),
      N(sl_std_geo_state_code, 2),
      N(sl_std_geo_state_name, 2),
      N(sl_std_lifecycle_later_of, 2),
      N(sl_std_lifecycle_is_before, 2),
  };
#undef N
  return symbols;
}

const NativeSymbol* FindNative(std::string_view symbol) {
  for (const auto& s : NativeSymbols())
    if (s.symbol == symbol) return &s;
  return nullptr;
}

std::string BuiltinSymbol(std::string_view name) {
  std::string s = "sl_";
  for (char c : name) s += c == '.' ? '_' : c;
  return s;
}

std::string InputSymbol(Crm crm, Kind kind) {
  return std::string(crm == Crm::kHubSpot ? "sl_in_hubspot_" : "sl_in_salesforce_") +
         KindName(kind);
}

std::string OutputSymbol(Kind kind) {
  return std::string("sl_out_") + KindName(kind);
}

}  // namespace syncline::rt
