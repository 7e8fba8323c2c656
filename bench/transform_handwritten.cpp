// transform_bench.sync written by hand in C++: the practical limit the JIT is measured against.
// simdjson On-Demand over the input where it lies, strings used in place, one string buffer
// out, and the input split into chunks transformed on every core. Built and run by
// bench/transform_bench.sh.
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

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

// Strings without escapes are used where they lie (the chunk outlives its records); others
// are unescaped by simdjson into `scratch`.
bool GetText(simdjson::ondemand::value v, std::string& scratch, std::string_view& out) {
  if (v.is_null()) return false;
  std::string_view token = v.raw_json_token();
  while (!token.empty() && (token.back() == ' ' || token.back() == '\n')) token.remove_suffix(1);
  if (token.size() >= 2 && token.front() == '"' && token.find('\\') == std::string_view::npos) {
    out = token.substr(1, token.size() - 2);
    return true;
  }
  std::string_view s;
  if (v.get_string().get(s)) return false;
  scratch.assign(s);
  out = scratch;
  return true;
}

// One chunk of whole lines in, its leads out.
std::string Transform(const char* data, size_t size) {
  static constexpr std::string_view kNames[] = {
      "firstname",    "lastname",       "email",         "company",    "phone",
      "jobtitle",     "city",           "state",         "country",    "annualrevenue",
      "numemployees", "lifecyclestage", "date_of_birth", "createdate", "message"};
  simdjson::ondemand::parser parser;
  std::string out, scratch[15];
  std::string_view props[15];
  out.reserve(size / 2);
  for (const char *p = data, *end = data + size; p < end;) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
    const size_t len = (nl ? nl : end) - p;
    const char* line = p;
    p = nl ? nl + 1 : end;
    for (auto& v : props) v = {};
    bool in_segment = false;
    simdjson::ondemand::document doc;
    if (parser.iterate(line, len, len + simdjson::SIMDJSON_PADDING).get(doc)) continue;
    simdjson::ondemand::object object;
    if (doc.get_object().get(object)) continue;
    for (auto field : object) {
      std::string_view key;
      if (field.unescaped_key().get(key)) break;
      if (key == "properties") {
        for (auto prop : field.value().get_object()) {
          std::string_view k;
          if (prop.unescaped_key().get(k)) break;
          int slot = -1;
          for (int i = 0; i < 15 && slot < 0; ++i)
            if (k == kNames[i]) slot = i;
          if (slot >= 0) GetText(prop.value(), scratch[slot], props[slot]);
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
    std::string d = "born ";
    d += props[12];
    d += ", created ";
    d += props[13];
    Str(out, d);
    out += "}\n";
  }
  return out;
}

}  // namespace

// Reads 1 MiB chunks cut after a newline, transforms them on one thread per core (two chunks
// in flight each), and writes the results in input order.
int main() {
  const size_t kChunk = 1 << 20;
  const unsigned workers = std::max(1u, std::thread::hardware_concurrency());
  std::deque<std::pair<std::shared_ptr<std::vector<char>>, std::future<std::string>>> in_flight;
  std::vector<char> carry;
  bool eof = false;
  auto write_oldest = [&] {
    const std::string out = in_flight.front().second.get();
    std::fwrite(out.data(), 1, out.size(), stdout);
    in_flight.pop_front();
  };
  while (!eof) {
    auto buf = std::make_shared<std::vector<char>>(std::max(kChunk, carry.size() * 2) +
                                                   simdjson::SIMDJSON_PADDING);
    std::copy(carry.begin(), carry.end(), buf->begin());
    size_t have = carry.size(), cut = 0;
    for (;;) {
      const size_t room = buf->size() - simdjson::SIMDJSON_PADDING - have;
      const size_t got = std::fread(buf->data() + have, 1, room, stdin);
      have += got;
      if (got < room) eof = true;
      if (const void* nl = memrchr(buf->data(), '\n', have)) {
        cut = static_cast<const char*>(nl) - buf->data() + 1;
        break;
      }
      if (eof) break;
      buf->resize(buf->size() * 2);
    }
    if (eof) cut = have;
    carry.assign(buf->begin() + cut, buf->begin() + have);
    if (cut == 0) break;
    in_flight.emplace_back(
        buf, std::async(std::launch::async, [buf, cut] { return Transform(buf->data(), cut); }));
    if (in_flight.size() >= 2 * workers) write_oldest();
  }
  while (!in_flight.empty()) write_oldest();
  return 0;
}
