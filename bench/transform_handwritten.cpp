// transform_bench.sync written by hand in C++ (simdjson in, one string buffer out): the
// practical limit the JIT is measured against. Built and run by bench/transform_bench.sh.
#include <simdjson.h>

#include <cstdio>
#include <string>
#include <string_view>

namespace {

void Str(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}
void Opt(std::string& out, std::string_view s) {
  if (s.empty())
    out += "null";
  else
    Str(out, s);
}
std::string Lower(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string r(s);
  for (auto& c : r) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return r;
}
std::string_view State(const std::string& s) {
  if (s == "california" || s == "ca" || s == "calif.") return "CA";
  if (s == "new york" || s == "ny") return "NY";
  if (s == "texas" || s == "tx") return "TX";
  if (s == "washington" || s == "wa") return "WA";
  return "";
}
std::string_view Country(const std::string& s) {
  if (s == "usa" || s == "us" || s == "united states" || s == "united states of america")
    return "US";
  if (s == "germany" || s == "de" || s == "deutschland") return "DE";
  if (s == "uk" || s == "united kingdom" || s == "gb" || s == "great britain") return "GB";
  return "";
}
int Rank(std::string_view s) {
  static const char* kOrder[] = {"subscriber",         "lead",        "marketingqualifiedlead",
                                 "salesqualifiedlead", "opportunity", "customer",
                                 "evangelist"};
  for (int i = 0; i < 7; ++i)
    if (s == kOrder[i]) return i;
  return -1;
}

}  // namespace

int main() {
  simdjson::ondemand::parser parser;
  std::string line, out, props[15];
  static const char* kNames[] = {"firstname",     "lastname",      "email",        "company",
                                 "phone",         "jobtitle",      "city",         "state",
                                 "country",       "annualrevenue", "numemployees", "lifecyclestage",
                                 "date_of_birth", "createdate",    "message"};
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t len;
  out.reserve(1 << 20);
  while ((len = getline(&buf, &cap, stdin)) > 0) {
    line.assign(buf, static_cast<size_t>(len));
    line.reserve(line.size() + simdjson::SIMDJSON_PADDING);
    for (auto& p : props) p.clear();
    bool in_segment = false;
    simdjson::ondemand::document doc;
    if (parser.iterate(line.data(), line.size(), line.capacity()).get(doc)) continue;
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key();
      if (key == "properties") {
        for (auto p : field.value().get_object()) {
          std::string_view k = p.unescaped_key();
          int slot = -1;
          for (int i = 0; i < 15; ++i)
            if (k == kNames[i]) slot = i;
          if (slot < 0) continue;
          std::string_view v;
          if (!p.value().get_string().get(v)) props[slot] = v;
        }
      } else if (key == "segments") {
        for (auto s : field.value().get_array()) {
          std::string_view v;
          if (!s.get_string().get(v) && v == "Salesforce sync") in_segment = true;
        }
      }
    }
    if (!in_segment || props[2].empty()) continue;
    out += R"({"attributes":{"type":"Lead"},"FirstName":)";
    Opt(out, props[0]);
    out += ",\"LastName\":";
    Str(out, props[1].empty() ? "[not provided]" : props[1]);
    out += ",\"Company\":";
    Str(out, props[3].empty() ? "[not provided]" : props[3]);
    out += ",\"Email\":";
    Opt(out, Lower(props[2]));
    out += ",\"Phone\":";
    Opt(out, props[4]);
    out += ",\"Title\":";
    Opt(out, props[5]);
    out += ",\"City\":";
    Opt(out, props[6]);
    out += ",\"State\":";
    Opt(out, State(Lower(props[7])));
    out += ",\"Country\":";
    Opt(out, Country(Lower(props[8])));
    out += ",\"AnnualRevenue\":";
    out += props[9].empty() ? "null" : props[9];
    out += ",\"NumberOfEmployees\":";
    const auto& e = props[10];
    out += e == "1-5"      ? "5"
           : e == "5-25"   ? "25"
           : e == "25-50"  ? "50"
           : e == "50-100" ? "100"
                           : "0";
    out += ",\"Rating\":";
    out += !props[11].empty() && Rank(props[11]) < Rank("opportunity") ? "\"Cold\"" : "\"Hot\"";
    out += ",\"Description\":";
    Str(out, "born " + props[12] + ", created " + props[13]);
    out += "}\n";
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
