// The one outcome code every native builtin returns. Builtins are called from JIT-compiled
// rules through a C ABI, so they never throw: success, a blank input and each kind of failure
// are values of this enum, which the ABI passes through unchanged as a byte.
#pragma once

#include <cstdint>
#include <string_view>

namespace syncline::stdlib {

enum class Status : std::uint8_t {
  ok = 0,
  blank,           // the input was empty or only whitespace: not an error, but no value
  invalid_utf8,    // the input is not well-formed UTF-8
  too_long,        // the input exceeds the function's documented bound
  not_found,       // geo: no country/subdivision/picklist entry matches
  invalid_format,  // text does not have the expected shape (date, number, email, phone)
  out_of_range,    // well-formed but outside the representable range (dates, int64)
  not_integral,    // integer conversion of a value with a fractional part
  unknown_time_zone,
  // Salesforce State and Country picklist rules.
  state_without_country,  // a state was given but no country (R109)
  state_not_in_country,   // the state is not a picklist state of that country (R111)
  code_value_mismatch,    // code and integration value name different entries (R111)
  not_a_picklist_value,   // the exact value is not a picklist code or integration value
  // Lifecycle stages.
  unknown_stage,
};

// Stable snake_case name of a status, for diagnostics and the docs ("not_found").
constexpr std::string_view status_name(Status s) noexcept {
  switch (s) {
    case Status::ok:
      return "ok";
    case Status::blank:
      return "blank";
    case Status::invalid_utf8:
      return "invalid_utf8";
    case Status::too_long:
      return "too_long";
    case Status::not_found:
      return "not_found";
    case Status::invalid_format:
      return "invalid_format";
    case Status::out_of_range:
      return "out_of_range";
    case Status::not_integral:
      return "not_integral";
    case Status::unknown_time_zone:
      return "unknown_time_zone";
    case Status::state_without_country:
      return "state_without_country";
    case Status::state_not_in_country:
      return "state_not_in_country";
    case Status::code_value_mismatch:
      return "code_value_mismatch";
    case Status::not_a_picklist_value:
      return "not_a_picklist_value";
    case Status::unknown_stage:
      return "unknown_stage";
  }
  return "unknown_status";
}

// A fallible result carrying a value. `value` is meaningful only when status == ok.
template <typename T>
struct Result {
  Status status = Status::ok;
  T value{};

  constexpr bool ok() const noexcept { return status == Status::ok; }
  constexpr explicit operator bool() const noexcept { return ok(); }
};

}  // namespace syncline::stdlib
