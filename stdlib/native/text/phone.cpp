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

}  // namespace

Status phone_to_e164(std::string_view text, std::string_view default_country,
                     std::string& out) noexcept {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  out.clear();
  const std::string_view t = trim(text);
  if (t.empty()) return Status::blank;
  if (t.size() > kMaxPhone) return Status::too_long;
  if (!is_valid_utf8(t)) return Status::invalid_utf8;
  std::string region = "ZZ";  // unknown region: only "+..." numbers parse
  if (const auto c = geo::find_country(default_country)) region = std::string(c.value.alpha2);
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

}  // namespace syncline::stdlib::text
