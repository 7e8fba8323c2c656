// std.num; see decimal.h. Numbers are validated by a small scanner into a plain-digits stack
// buffer, then converted by std::from_chars (exact, locale-independent, no allocation).
#include "num/decimal.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>

#include "text/trim.h"

namespace syncline::stdlib::num {
namespace {

constexpr std::size_t kMaxNumberText = 400;  // fits every format_decimal output

// The validated number without separators: "-1234.5e3". `integral_digits` is the digits
// before the point; `has_fraction_or_exponent` says whether from_chars<int64> can be used.
struct Scanned {
  char buf[kMaxNumberText + 1];
  std::size_t size = 0;
  bool fraction_or_exponent = false;
};

Status scan(std::string_view text, Scanned& out) {
  const std::string_view t = text::trim(text);
  if (t.empty()) return Status::blank;
  if (t.size() > kMaxNumberText) return Status::too_long;
  std::size_t i = 0;
  auto put = [&](char c) { out.buf[out.size++] = c; };
  if (t[i] == '+' || t[i] == '-') {
    if (t[i] == '-') put('-');
    ++i;
  }
  // Integer part with optional grouping.
  std::size_t digits = 0, group = 0;
  bool grouped = false;
  while (i < t.size()) {
    const char c = t[i];
    if (c >= '0' && c <= '9') {
      put(c);
      ++digits;
      ++group;
      ++i;
    } else if (c == ',') {
      // The first group has 1-3 digits, every later one exactly 3.
      if (digits == 0 || (grouped ? group != 3 : group > 3)) return Status::invalid_format;
      grouped = true;
      group = 0;
      ++i;
    } else {
      break;
    }
  }
  if (grouped && group != 3) return Status::invalid_format;
  std::size_t frac_digits = 0;
  if (i < t.size() && t[i] == '.') {
    put('.');
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      put(t[i++]);
      ++frac_digits;
    }
    out.fraction_or_exponent = true;
  }
  if (digits + frac_digits == 0) return Status::invalid_format;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    put('e');
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) put(t[i++]);
    std::size_t exp_digits = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      put(t[i++]);
      ++exp_digits;
    }
    if (exp_digits == 0) return Status::invalid_format;
    out.fraction_or_exponent = true;
  }
  if (i != t.size()) return Status::invalid_format;
  return Status::ok;
}

Result<double> to_double(const Scanned& s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.buf, s.buf + s.size, v);
  if (ec == std::errc::result_out_of_range) {
    // from_chars reports underflow as out of range as well: tiny magnitudes become 0.
    const char* e = static_cast<const char*>(std::memchr(s.buf, 'e', s.size));
    if (e != nullptr && e[1] == '-') return {Status::ok, 0.0};
    return {Status::out_of_range, 0};
  }
  if (ec != std::errc() || end != s.buf + s.size) return {Status::invalid_format, 0};
  if (!std::isfinite(v)) return {Status::out_of_range, 0};
  return {Status::ok, v == 0 ? 0.0 : v};
}

}  // namespace

Result<double> parse_decimal(std::string_view text) noexcept {
  Scanned s;
  const Status st = scan(text, s);
  if (st != Status::ok) return {st, 0};
  return to_double(s);
}

Result<double> round_half_away(double value, int places) noexcept {
  if (!std::isfinite(value) || places < -20 || places > 20) return {Status::out_of_range, 0};
  if (value == 0) return {Status::ok, 0.0};
  // Shortest round-trip form, scientific: "-2.675e+00".
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  if (ec != std::errc()) return {Status::out_of_range, 0};
  const bool negative = buf[0] == '-';
  char digits[32];
  std::size_t n = 0;
  const char* p = buf + (negative ? 1 : 0);
  for (; p < end && *p != 'e'; ++p) {
    if (*p != '.') digits[n++] = *p;
  }
  int exponent = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exponent);
  // digits[i] has place value 10^(exponent - i); keep those with place >= 10^-places.
  const long keep = static_cast<long>(exponent) + places + 1;
  if (keep >= static_cast<long>(n)) return {Status::ok, value};  // nothing to cut
  if (keep < 0) return {Status::ok, 0.0};
  char out[48];
  std::size_t m = 0;
  if (negative) out[m++] = '-';
  bool round_up = digits[keep] >= '5';
  // Kept digits with carry; a leading '1' is prepended when the carry runs off the front.
  char kept[34];
  std::size_t k = static_cast<std::size_t>(keep);
  std::memcpy(kept + 1, digits, k);
  kept[0] = '0';
  for (std::size_t i = k; round_up && i > 0; --i) {
    if (kept[i] == '9') {
      kept[i] = '0';
    } else {
      ++kept[i];
      round_up = false;
    }
  }
  if (round_up) kept[0] = '1';
  const std::size_t first = kept[0] == '1' ? 0 : 1;
  for (std::size_t i = first; i <= k; ++i) out[m++] = kept[i];
  if (m == (negative ? 1u : 0u)) return {Status::ok, 0.0};  // keep == 0 and no carry
  // Value = kept * 10^(exponent - keep + 1).
  out[m++] = 'e';
  const auto [e2, ec2] = std::to_chars(out + m, out + sizeof out, exponent - keep + 1);
  (void)ec2;
  double r = 0;
  std::from_chars(out, e2, r);
  return {Status::ok, r == 0 ? 0.0 : r};
}

Result<std::int64_t> to_int64(double value) noexcept {
  if (!std::isfinite(value)) return {Status::out_of_range, 0};
  // 2^63 is exactly representable; every double below it in magnitude fits.
  constexpr double kLimit = 9223372036854775808.0;
  if (value >= kLimit || value < -kLimit) return {Status::out_of_range, 0};
  if (std::trunc(value) != value) return {Status::not_integral, 0};
  return {Status::ok, static_cast<std::int64_t>(value)};
}

Result<std::int64_t> parse_integer(std::string_view text) noexcept {
  Scanned s;
  const Status st = scan(text, s);
  if (st != Status::ok) return {st, 0};
  if (!s.fraction_or_exponent) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.buf, s.buf + s.size, v);
    if (ec == std::errc::result_out_of_range) return {Status::out_of_range, 0};
    if (ec != std::errc() || end != s.buf + s.size) return {Status::invalid_format, 0};
    return {Status::ok, v};
  }
  const auto d = to_double(s);
  if (!d) return {d.status, 0};
  return to_int64(d.value);
}

Status format_decimal(double value, std::string& out) noexcept {
  out.clear();
  if (!std::isfinite(value)) return Status::out_of_range;
  if (value == 0) value = 0;  // -0 -> 0
  // Fixed notation with the shortest round-trip digits: at most 309 integer digits, and
  // ~770 characters for the smallest subnormal.
  char buf[800];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  if (ec != std::errc()) return Status::out_of_range;
  try {
    out.assign(buf, end);
  } catch (const std::bad_alloc&) {
    out.clear();
    return Status::out_of_range;
  }
  return Status::ok;
}

}  // namespace syncline::stdlib::num
