// Phone normalisation; see phone.h.
#include "text/phone.h"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <new>

#include "geo/country.h"
#include "text/trim.h"
#include "text/utf8.h"

namespace syncline::stdlib::text {
namespace {

constexpr std::size_t kMaxPhone = 100;

// libphonenumber logs to stdout by default; library code must never print.
i18n::phonenumbers::PhoneNumberUtil& phone_util() {
  static i18n::phonenumbers::PhoneNumberUtil* util = [] {
    auto* u = i18n::phonenumbers::PhoneNumberUtil::GetInstance();
    u->SetLogger(new i18n::phonenumbers::NullLogger());
    return u;
  }();
  return *util;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

namespace detail {

// The North American numbers written the common ways: "(415) 555-2671", "415.555.2671",
// "415 555 2671", "4155552671", "+1 415 555 2671", "+1-415-555-2671". libphonenumber's Parse
// spends most of its time in ICU regular expressions (about a tenth of the sync engine's
// instructions in the demo), and for exactly these shapes its answer is "+1" and the ten
// digits: country code 1 (from "+1", or the US or Canada as the default region), a
// ten-digit national number whose area code and exchange start with 2-9, which is a possible
// length. Anything else (other separators, extensions, "1" without "+", other regions) goes
// to the library. The unit tests compare this path with the library's answer.
// It cannot throw: "+1" and ten digits fit in std::string's inline buffer.
bool phone_to_e164_fast(std::string_view t, std::string_view region, std::string& out) noexcept {
  out.clear();
  size_t i = 0;
  const auto sep = [&] {
    if (i < t.size() && (t[i] == ' ' || t[i] == '-' || t[i] == '.')) ++i;
  };
  const auto digits = [&](size_t n, char* to) {
    for (size_t k = 0; k < n; ++k, ++i) {
      if (i >= t.size() || !is_digit(t[i])) return false;
      to[k] = t[i];
    }
    return true;
  };
  if (t.size() >= 2 && t[0] == '+' && t[1] == '1') {
    i = 2;
    sep();
  } else if (region != "US" && region != "CA") {
    return false;
  }
  char national[10];
  if (i < t.size() && t[i] == '(') {
    ++i;
    if (!digits(3, national) || i >= t.size() || t[i] != ')') return false;
    ++i;
  } else if (!digits(3, national)) {
    return false;
  }
  sep();
  if (!digits(3, national + 3)) return false;
  sep();
  if (!digits(4, national + 6) || i != t.size()) return false;
  if (national[0] < '2' || national[3] < '2') return false;
  out.assign("+1");
  out.append(national, sizeof national);
  return true;
}

Status phone_to_e164_library(std::string_view t, const std::string& region,
                             std::string& out) noexcept {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  out.clear();
  try {
    auto& util = phone_util();
    PhoneNumber number;
    if (util.Parse(std::string(t), region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
      return Status::invalid_format;
    }
    if (!util.IsPossibleNumber(number)) return Status::invalid_format;
    number.clear_extension();
    util.Format(number, PhoneNumberUtil::E164, &out);
  } catch (...) {  // protobuf or allocation failures must not cross into JIT code
    out.clear();
    return Status::invalid_format;
  }
  return Status::ok;
}

}  // namespace detail

Status phone_to_e164(std::string_view text, std::string_view default_country,
                     std::string& out) noexcept {
  out.clear();
  const std::string_view t = trim(text);
  if (t.empty()) return Status::blank;
  if (t.size() > kMaxPhone) return Status::too_long;
  if (!is_valid_utf8(t)) return Status::invalid_utf8;
  std::string region = "ZZ";  // unknown region: only "+..." numbers parse
  if (const auto c = geo::find_country(default_country)) region = std::string(c.value.alpha2);
  if (detail::phone_to_e164_fast(t, region, out)) return Status::ok;
  return detail::phone_to_e164_library(t, region, out);
}

}  // namespace syncline::stdlib::text
