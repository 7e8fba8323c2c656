// Runs the examples in docs/stdlib/*.md, so the documentation cannot drift from the code.
// Each ```examples block holds lines `call(args...) => expected`; arguments are string
// literals ("...", with \" \\ \n \t \xHH \uXXXX escapes), numbers or bare words (setting
// names); the expected value is a string literal, a number, true/false, or a status name.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "geo/country.h"
#include "geo/place_key.h"
#include "geo/salesforce_picklists.h"
#include "geo/subdivision.h"
#include "lifecycle/lifecycle_stages.h"
#include "num/decimal.h"
#include "text/email.h"
#include "text/phone.h"
#include "text/text.h"
#include "text/utf8.h"
#include "time/date_time.h"

using namespace syncline::stdlib;

namespace {

struct Value {
  enum Kind { string, number, word } kind = word;
  std::string text;  // string contents, number spelling or the word
};

// "quoted" for strings, bare otherwise: how both sides are compared.
std::string show(const Value& v) {
  if (v.kind != Value::string) return v.text;
  std::string out = "\"";
  for (char c : v.text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
Value str(std::string_view s) {
  return {Value::string, std::string(s)};
}
Value word(std::string_view s) {
  return {Value::word, std::string(s)};
}
Value num_int(std::int64_t v) {
  return {Value::number, std::to_string(v)};
}
Value num_double(double v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return {Value::number, std::string(buf, end)};
}
Value status(Status s) {
  return word(status_name(s));
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  void skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  bool eat(char c) {
    skip();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  bool eat(std::string_view t) {
    skip();
    if (s_.substr(i_).starts_with(t)) return i_ += t.size(), true;
    return false;
  }
  bool at_end() {
    skip();
    return i_ >= s_.size();
  }
  std::optional<std::string> identifier() {
    skip();
    const std::size_t b = i_;
    while (i_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '.')) {
      ++i_;
    }
    if (b == i_) return std::nullopt;
    return std::string(s_.substr(b, i_ - b));
  }
  std::optional<Value> value() {
    skip();
    if (i_ >= s_.size()) return std::nullopt;
    if (s_[i_] == '"') return string_literal();
    if (s_[i_] == '-' || s_[i_] == '+' || std::isdigit(static_cast<unsigned char>(s_[i_]))) {
      const std::size_t b = i_++;
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' ||
                                s_[i_] == '-' || s_[i_] == '+')) {
        ++i_;
      }
      return Value{Value::number, std::string(s_.substr(b, i_ - b))};
    }
    auto id = identifier();
    if (!id) return std::nullopt;
    return word(*id);
  }

 private:
  std::optional<Value> string_literal() {
    ++i_;
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return std::nullopt;
      const char e = s_[i_++];
      auto hex = [&](int n) -> std::optional<std::uint32_t> {
        std::uint32_t v = 0;
        if (s_.size() - i_ < static_cast<std::size_t>(n)) return std::nullopt;
        const auto [p, ec] = std::from_chars(s_.data() + i_, s_.data() + i_ + n, v, 16);
        if (ec != std::errc() || p != s_.data() + i_ + n) return std::nullopt;
        i_ += static_cast<std::size_t>(n);
        return v;
      };
      if (e == 'n') {
        out += '\n';
      } else if (e == 't') {
        out += '\t';
      } else if (e == 'x') {
        const auto v = hex(2);
        if (!v) return std::nullopt;
        out += static_cast<char>(*v);
      } else if (e == 'u') {
        const auto v = hex(4);
        if (!v) return std::nullopt;
        char buf[4];
        out.append(buf, text::encode_utf8(*v, buf));
      } else {
        out += e;
      }
    }
    if (i_ >= s_.size()) return std::nullopt;
    ++i_;
    return str(out);
  }
  std::string_view s_;
  std::size_t i_ = 0;
};

double as_double(const Value& v) {
  double d = 0;
  std::from_chars(v.text.data(), v.text.data() + v.text.size(), d);
  return d;
}
std::int64_t as_int(const Value& v) {
  std::int64_t n = 0;
  std::from_chars(v.text.data(), v.text.data() + v.text.size(), n);
  return n;
}
// A datetime argument: a number of milliseconds or any parse_datetime text.
time::DateTime as_datetime(const Value& v) {
  return v.kind == Value::number ? as_int(v) : time::parse_datetime(v.text).value;
}
time::Date as_date(const Value& v) {
  return v.kind == Value::number ? static_cast<time::Date>(as_int(v))
                                 : time::parse_date(v.text).value;
}

template <typename T, typename F>
Value result(const Result<T>& r, F f) {
  return r ? f(r.value) : status(r.status);
}
Value text_result(Status s, const std::string& out) {
  return s == Status::ok ? str(out) : status(s);
}

// The organisation table the customised examples in geo.md use.
const geo::PicklistTable& example_org_table() {
  static const geo::PicklistTable t = [] {
    const std::vector<geo::PicklistTable::CountryRow> countries = {
        {"US", "United States", "USA"}, {"DE", "Deutschland", "Deutschland"}, {"XK", "Kosovo", ""}};
    const std::vector<geo::PicklistTable::StateRow> states = {{"US", "CA", "California", "CA"},
                                                              {"US", "NY", "New York", "NY"},
                                                              {"DE", "BY", "Bayern", "Bayern"}};
    return geo::PicklistTable::custom(countries, states);
  }();
  return t;
}

std::optional<geo::PicklistSettings> settings(const Value& sf, const Value& hs) {
  geo::PicklistSettings s;
  if (sf.text == "disabled") {
    s.salesforce = geo::SalesforcePicklistMode::disabled;
  } else if (sf.text == "enabled") {
    s.salesforce = geo::SalesforcePicklistMode::enabled;
  } else if (sf.text == "customized") {
    s.salesforce = geo::SalesforcePicklistMode::customized;
    s.table = &example_org_table();
  } else {
    return std::nullopt;
  }
  if (hs.text == "match") {
    s.hubspot = geo::HubSpotPlaceMode::match_salesforce_defaults;
  } else if (hs.text == "as_is") {
    s.hubspot = geo::HubSpotPlaceMode::sync_as_is;
  } else {
    return std::nullopt;
  }
  return s;
}

std::string failed(Status s, geo::PlaceField f) {
  std::string out(status_name(s));
  if (f == geo::PlaceField::country) out += "@country";
  if (f == geo::PlaceField::state) out += "@state";
  return out;
}

using Args = std::vector<Value>;
struct Builtin {
  std::size_t arity;  // SIZE_MAX: variadic
  std::function<Value(const Args&)> run;
};

const std::map<std::string, Builtin>& builtins() {
  static const std::map<std::string, Builtin> table = {
      // ---- geo
      {"geo.place_key",
       {1,
        [](const Args& a) {
          geo::PlaceKeyBuffer b;
          const Status s = geo::normalise_place_key(a[0].text, b);
          return s == Status::ok ? str(b.view()) : status(s);
        }}},
      {"geo.find_country",
       {1,
        [](const Args& a) {
          return result(geo::find_country(a[0].text), [](auto c) { return str(c.alpha2); });
        }}},
      {"geo.country_by_alpha2",
       {1,
        [](const Args& a) {
          return result(geo::country_by_alpha2(a[0].text), [](auto c) { return str(c.alpha2); });
        }}},
      {"geo.find_subdivision",
       {2,
        [](const Args& a) {
          return result(geo::find_subdivision(a[0].text, a[1].text),
                        [](auto s) { return str(s.code); });
        }}},
      {"geo.subdivision_by_code",
       {1,
        [](const Args& a) {
          return result(geo::subdivision_by_code(a[0].text), [](auto s) { return str(s.code); });
        }}},
      {"geo.subdivision_label",
       {2,
        [](const Args& a) {
          return result(geo::find_subdivision(a[0].text, a[1].text),
                        [](auto s) { return str(s.label); });
        }}},
      {"geo.to_salesforce",
       {4,
        [](const Args& a) {
          const auto s = settings(a[0], a[1]);
          if (!s) return word("bad_settings");
          const auto r = geo::to_salesforce(*s, a[2].text, a[3].text);
          if (r.status != Status::ok) return word(failed(r.status, r.failed_field));
          return str(std::string(r.country) + "|" + std::string(r.country_code) + "|" +
                     std::string(r.state) + "|" + std::string(r.state_code) +
                     (r.write_codes ? " (codes)" : " (text)"));
        }}},
      {"geo.to_hubspot",
       {6,
        [](const Args& a) {
          const auto s = settings(a[0], a[1]);
          if (!s) return word("bad_settings");
          const auto r = geo::to_hubspot(*s, a[2].text, a[3].text, a[4].text, a[5].text);
          if (r.status != Status::ok) return word(failed(r.status, r.failed_field));
          return str(std::string(r.country) + "|" + std::string(r.state));
        }}},
      // ---- text
      {"text.trim", {1, [](const Args& a) { return str(text::trim(a[0].text)); }}},
      {"text.is_blank",
       {1, [](const Args& a) { return word(text::is_blank(a[0].text) ? "true" : "false"); }}},
      {"text.to_upper",
       {1,
        [](const Args& a) {
          std::string out;
          return text_result(text::to_upper(a[0].text, out), out);
        }}},
      {"text.to_lower",
       {1,
        [](const Args& a) {
          std::string out;
          return text_result(text::to_lower(a[0].text, out), out);
        }}},
      {"text.normalise_whitespace",
       {1,
        [](const Args& a) {
          std::string out;
          return text_result(text::normalise_whitespace(a[0].text, out), out);
        }}},
      {"text.equals_ignore_case",
       {2,
        [](const Args& a) {
          return result(text::equals_ignore_case(a[0].text, a[1].text),
                        [](bool b) { return word(b ? "true" : "false"); });
        }}},
      {"text.truncate",
       {2,
        [](const Args& a) {
          return result(text::truncate(a[0].text, static_cast<std::size_t>(as_int(a[1]))),
                        [](auto v) { return str(v); });
        }}},
      {"text.count_multi_select_items",
       {1,
        [](const Args& a) {
          return num_int(static_cast<std::int64_t>(text::count_multi_select_items(a[0].text)));
        }}},
      {"text.multi_select_items",
       {1,
        [](const Args& a) {
          std::string joined;
          std::size_t pos = 0;
          for (auto r = text::next_multi_select_item(a[0].text, pos); r;
               r = text::next_multi_select_item(a[0].text, pos)) {
            joined += "[" + std::string(r.value) + "]";
          }
          return str(joined);
        }}},
      {"text.multi_select_contains",
       {2,
        [](const Args& a) {
          return word(text::multi_select_contains(a[0].text, a[1].text) ? "true" : "false");
        }}},
      {"text.join_multi_select",
       {SIZE_MAX,
        [](const Args& a) {
          std::vector<std::string_view> items;
          for (const auto& v : a) items.push_back(v.text);
          std::string out;
          return text_result(text::join_multi_select(items, out), out);
        }}},
      {"text.normalise_email",
       {1,
        [](const Args& a) {
          std::string out;
          return text_result(text::normalise_email(a[0].text, out), out);
        }}},
      {"text.phone_to_e164",
       {2,
        [](const Args& a) {
          std::string out;
          return text_result(text::phone_to_e164(a[0].text, a[1].text, out), out);
        }}},
      // ---- time
      {"time.parse_datetime",
       {1,
        [](const Args& a) {
          return result(time::parse_datetime(a[0].text),
                        [](auto t) { return str(time::format_iso_utc(t).value.view()); });
        }}},
      {"time.parse_datetime_millis",
       {1,
        [](const Args& a) {
          return result(time::parse_datetime(a[0].text), [](auto t) { return num_int(t); });
        }}},
      {"time.parse_date",
       {1,
        [](const Args& a) {
          return result(time::parse_date(a[0].text),
                        [](auto d) { return str(time::format_date(d).value.view()); });
        }}},
      {"time.format_iso_utc",
       {1,
        [](const Args& a) {
          return result(time::format_iso_utc(as_datetime(a[0])),
                        [](auto t) { return str(t.view()); });
        }}},
      {"time.format_salesforce",
       {1,
        [](const Args& a) {
          return result(time::format_salesforce(as_datetime(a[0])),
                        [](auto t) { return str(t.view()); });
        }}},
      {"time.format_epoch_millis",
       {1,
        [](const Args& a) {
          return result(time::format_epoch_millis(as_datetime(a[0])),
                        [](auto t) { return str(t.view()); });
        }}},
      {"time.format_date",
       {1,
        [](const Args& a) {
          return result(time::format_date(as_date(a[0])), [](auto t) { return str(t.view()); });
        }}},
      {"time.days_from_civil",
       {3,
        [](const Args& a) {
          return num_int(time::days_from_civil(static_cast<std::int32_t>(as_int(a[0])),
                                               static_cast<std::uint32_t>(as_int(a[1])),
                                               static_cast<std::uint32_t>(as_int(a[2]))));
        }}},
      {"time.date_to_midnight_utc",
       {1, [](const Args& a) { return num_int(time::date_to_midnight_utc(as_date(a[0]))); }}},
      {"time.date_of_utc",
       {1,
        [](const Args& a) {
          return str(time::format_date(time::date_of_utc(as_datetime(a[0]))).value.view());
        }}},
      {"time.date_in_time_zone",
       {2,
        [](const Args& a) {
          return result(time::date_in_time_zone(as_datetime(a[0]), a[1].text),
                        [](auto d) { return str(time::format_date(d).value.view()); });
        }}},
      {"time.utc_offset_minutes",
       {2,
        [](const Args& a) {
          return result(time::utc_offset_minutes(as_datetime(a[0]), a[1].text),
                        [](auto m) { return num_int(m); });
        }}},
      {"time.start_of_day_in_time_zone",
       {2,
        [](const Args& a) {
          return result(time::start_of_day_in_time_zone(as_date(a[0]), a[1].text),
                        [](auto t) { return str(time::format_iso_utc(t).value.view()); });
        }}},
      // ---- num
      {"num.parse_decimal",
       {1,
        [](const Args& a) {
          return result(num::parse_decimal(a[0].text), [](double d) { return num_double(d); });
        }}},
      {"num.round_half_away",
       {2,
        [](const Args& a) {
          return result(num::round_half_away(as_double(a[0]), static_cast<int>(as_int(a[1]))),
                        [](double d) { return num_double(d); });
        }}},
      {"num.to_int64",
       {1,
        [](const Args& a) {
          return result(num::to_int64(as_double(a[0])), [](auto n) { return num_int(n); });
        }}},
      {"num.format_decimal",
       {1,
        [](const Args& a) {
          std::string out;
          return text_result(num::format_decimal(as_double(a[0]), out), out);
        }}},
      {"num.parse_integer",
       {1,
        [](const Args& a) {
          return result(num::parse_integer(a[0].text), [](auto n) { return num_int(n); });
        }}},
      // ---- lifecycle (default stages)
      {"lifecycle.rank",
       {1,
        [](const Args& a) {
          return result(lifecycle::LifecycleStages::hubspot_defaults().rank(a[0].text),
                        [](auto n) { return num_int(static_cast<std::int64_t>(n)); });
        }}},
      {"lifecycle.canonical",
       {1,
        [](const Args& a) {
          return result(lifecycle::LifecycleStages::hubspot_defaults().canonical(a[0].text),
                        [](auto v) { return str(v); });
        }}},
      {"lifecycle.compare",
       {2,
        [](const Args& a) {
          return result(
              lifecycle::LifecycleStages::hubspot_defaults().compare(a[0].text, a[1].text),
              [](auto n) { return num_int(n); });
        }}},
      {"lifecycle.later_of",
       {2,
        [](const Args& a) {
          return result(
              lifecycle::LifecycleStages::hubspot_defaults().later_of(a[0].text, a[1].text),
              [](auto v) { return str(v); });
        }}},
      {"lifecycle.advance_only_forward",
       {2,
        [](const Args& a) {
          const auto r = lifecycle::LifecycleStages::hubspot_defaults().advance_only_forward(
              a[0].text, a[1].text);
          // A blank proposal still carries the value to keep.
          if (r.status == Status::blank) return word("blank:" + show(str(r.value)));
          return result(r, [](auto v) { return str(v); });
        }}},
  };
  return table;
}

}  // namespace

TEST_CASE("examples in docs/stdlib/*.md") {
  namespace fs = std::filesystem;
  std::size_t examples = 0;
  std::vector<fs::path> pages;
  for (const auto& e : fs::directory_iterator(SYNCLINE_STDLIB_DOCS)) {
    if (e.path().extension() == ".md") pages.push_back(e.path());
  }
  std::sort(pages.begin(), pages.end());
  for (const auto& page : pages) {
    std::ifstream in(page);
    std::string line;
    bool inside = false;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (line.starts_with("```")) {
        inside = !inside && line == "```examples";
        continue;
      }
      if (!inside || line.empty() || line.starts_with("#")) continue;
      const std::string where = page.filename().string() + ":" + std::to_string(lineno);
      CAPTURE(where);
      CAPTURE(line);
      Parser p(line);
      const auto name = p.identifier();
      REQUIRE(name);
      const auto it = builtins().find(*name);
      REQUIRE_MESSAGE(it != builtins().end(), "unknown builtin " << *name);
      Args args;
      REQUIRE(p.eat('('));
      if (!p.eat(')')) {
        do {
          const auto v = p.value();
          REQUIRE(v);
          args.push_back(*v);
        } while (p.eat(','));
        REQUIRE(p.eat(')'));
      }
      REQUIRE(p.eat("=>"));
      const auto expected = p.value();
      REQUIRE(expected);
      std::string want = show(*expected);
      // "blank:" prefixes and "@field" suffixes are part of the bare word.
      if (p.eat(':')) {
        const auto rest = p.value();
        REQUIRE(rest);
        want += ":" + show(*rest);
      }
      if (p.eat('@')) {
        const auto field = p.identifier();
        REQUIRE(field);
        want += "@" + *field;
      }
      REQUIRE(p.at_end());
      REQUIRE((it->second.arity == SIZE_MAX || it->second.arity == args.size()));
      CHECK(show(it->second.run(args)) == want);
      ++examples;
    }
  }
  CHECK(examples >= 100);
}
