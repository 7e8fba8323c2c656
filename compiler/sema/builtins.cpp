#include "compiler/sema/builtins.h"

namespace syncline::sema {
namespace {

Type T(TypeKind k) {
  return Type::Of(k, true);
}
Type Fallible(TypeKind k) {
  Type t = Type::Of(k, true);
  t.fallible = true;
  return t;
}

}  // namespace

const std::vector<std::string>& StdModules() {
  static const std::vector<std::string> modules = {"std.geo",
                                                   "std.text",
                                                   "std.time",
                                                   "std.num",
                                                   "std.lifecycle",
                                                   "std.defaults.contacts",
                                                   "std.defaults.companies",
                                                   "std.defaults.deals",
                                                   "std.defaults.tickets"};
  return modules;
}

const std::vector<BuiltinSignature>& Builtins() {
  using K = TypeKind;
  static const std::vector<BuiltinSignature> builtins = {
      // prelude
      {"in_segment",
       "",
       {Type::Of(K::kText)},
       Type::Of(K::kBool),
       "whether the HubSpot record is a member of the named segment (list)",
       true},
      {"len", "", {T(K::kText)}, Type::Of(K::kInteger), "number of characters; 0 for blank"},
      // std.text
      {"std.text.trim", "std.text", {T(K::kText)}, T(K::kText), "removes surrounding white space"},
      {"std.text.upper", "std.text", {T(K::kText)}, T(K::kText), "upper case (Unicode)"},
      {"std.text.lower", "std.text", {T(K::kText)}, T(K::kText), "lower case (Unicode)"},
      {"std.text.normalize_space",
       "std.text",
       {T(K::kText)},
       T(K::kText),
       "trims and folds runs of white space into one space"},
      {"std.text.equals_ignore_case",
       "std.text",
       {T(K::kText), T(K::kText)},
       Type::Of(K::kBool),
       "Unicode case-insensitive equality"},
      {"std.text.email",
       "std.text",
       {T(K::kText)},
       Fallible(K::kText),
       "a normalised email address; fails on an invalid one"},
      {"std.text.e164",
       "std.text",
       {T(K::kText), T(K::kText)},
       Fallible(K::kText),
       "a phone number in E.164 form, with the given country as default region"},
      {"std.text.truncate",
       "std.text",
       {T(K::kText), Type::Of(K::kInteger)},
       T(K::kText),
       "at most N characters"},
      {"std.text.split_first",
       "std.text",
       {T(K::kMultiEnum)},
       T(K::kText),
       "the first value of a multi-select"},
      // std.num
      {"std.num.parse",
       "std.num",
       {T(K::kText)},
       Fallible(K::kNumber),
       "a number from text such as \"1,234.50\""},
      {"std.num.round",
       "std.num",
       {T(K::kNumber), Type::Of(K::kInteger)},
       T(K::kNumber),
       "rounded to N decimal places, half away from zero"},
      {"std.num.to_integer",
       "std.num",
       {T(K::kNumber)},
       Fallible(K::kInteger),
       "an integer; fails on a fraction or out of range"},
      // std.time
      {"std.time.parse_date",
       "std.time",
       {T(K::kText)},
       Fallible(K::kDate),
       "a date from the shapes both APIs use"},
      {"std.time.parse_datetime",
       "std.time",
       {T(K::kText)},
       Fallible(K::kDateTime),
       "a datetime from the shapes both APIs use"},
      {"std.time.date_of",
       "std.time",
       {T(K::kDateTime), Type::Of(K::kText)},
       T(K::kDate),
       "the date of a datetime in the named time zone"},
      // std.geo
      {"std.geo.country_code",
       "std.geo",
       {T(K::kText)},
       Fallible(K::kText),
       "ISO 3166-1 alpha-2 code from anything a person types"},
      {"std.geo.country_name",
       "std.geo",
       {T(K::kText)},
       Fallible(K::kText),
       "English short name of a country from anything a person types"},
      {"std.geo.state_code",
       "std.geo",
       {T(K::kText), T(K::kText)},
       Fallible(K::kText),
       "ISO 3166-2 subdivision code (without country) of a state within a country"},
      {"std.geo.state_name",
       "std.geo",
       {T(K::kText), T(K::kText)},
       Fallible(K::kText),
       "name of a state within a country"},
      // std.lifecycle
      {"std.lifecycle.later_of",
       "std.lifecycle",
       {T(K::kEnum), T(K::kEnum)},
       T(K::kEnum),
       "the later of two lifecycle stages"},
      {"std.lifecycle.is_before",
       "std.lifecycle",
       {T(K::kEnum), T(K::kEnum)},
       Type::Of(K::kBool),
       "whether the first stage comes before the second"},
  };
  return builtins;
}

}  // namespace syncline::sema
