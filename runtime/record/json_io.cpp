// JSON Lines in (simdjson On-Demand, into slots) and out (appending to a string buffer).
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "runtime/record/record.h"

namespace syncline::rt {

// Field name -> input slot, built once per rule set. Open addressing over string views: a
// record's keys are looked up without allocating (an unordered_map<std::string> lookup needed
// a std::string per key, which was most of the reader's time).
class SlotTable {
 public:
  explicit SlotTable(const std::vector<std::string>& keys) {
    size_t size = 16;
    while (size < keys.size() * 4) size *= 2;
    entries_.resize(size);
    mask_ = size - 1;
    for (size_t i = 0; i < keys.size(); ++i) {
      size_t h = Hash(keys[i]) & mask_;
      while (entries_[h].slot >= 0 && entries_[h].key != keys[i]) h = (h + 1) & mask_;
      if (entries_[h].slot < 0) entries_[h] = {keys[i], static_cast<int>(i)};
    }
  }
  // -1 if no slot reads `key`.
  int Find(std::string_view key) const {
    for (size_t h = Hash(key) & mask_;; h = (h + 1) & mask_) {
      const Entry& e = entries_[h];
      if (e.slot < 0) return -1;
      if (e.key == key) return e.slot;
    }
  }

 private:
  // Length and the first and last 8 bytes: enough to tell field names apart, and no per-byte
  // multiply chain (FNV over each byte was a quarter of the reader's time).
  static size_t Hash(std::string_view s) {
    uint64_t head = 0, tail = 0;
    const size_t n = s.size();
    std::memcpy(&head, s.data(), std::min<size_t>(n, 8));
    if (n > 8) std::memcpy(&tail, s.data() + n - 8, 8);
    const uint64_t h = (head * 0x9E3779B97F4A7C15ull) ^ (tail * 0xC2B2AE3D27D4EB4Full) ^ n;
    return static_cast<size_t>(h ^ (h >> 32));
  }
  struct Entry {
    std::string key;
    int slot = -1;
  };
  std::vector<Entry> entries_;
  size_t mask_ = 0;
};

static_assert(RecordReader::kPadding >= simdjson::SIMDJSON_PADDING);

struct RecordReader::Impl {
  const Layout& layout;
  SlotTable slots;
  simdjson::ondemand::parser parser;
  std::string buffer;
  std::string segments;
  explicit Impl(const Layout& l) : layout(l), slots(l.inputs) {}
};

RecordReader::RecordReader(const Layout& layout) : impl_(std::make_unique<Impl>(layout)) {}
RecordReader::~RecordReader() = default;

namespace {

using simdjson::ondemand::json_type;

// A field's raw value in the API's own JSON type; objects and arrays become SL_FAIL, which
// the input conversion reports as a wrong value type.
// `borrow`: the record's text outlives the batch, so a string without escapes is used where it
// lies instead of being copied into the batch arena.
simdjson::error_code RawValue(simdjson::ondemand::value value, BatchContext& batch, bool borrow,
                              sl_value& out) {
  json_type type;
  if (auto e = value.type().get(type)) return e;
  switch (type) {
    case json_type::string: {
      if (borrow) {
        // The token runs from the opening quote to the next token, trailing space included.
        std::string_view token = value.raw_json_token();
        while (token.size() > 1 && (token.back() == ' ' || token.back() == '\t' ||
                                    token.back() == '\n' || token.back() == '\r'))
          token.remove_suffix(1);
        if (token.size() >= 2 && token.back() == '"') {
          const std::string_view content = token.substr(1, token.size() - 2);
          // Without escapes there is nothing to decode: stage 1 has validated the UTF-8 and
          // rejected raw control characters. Left unconsumed, On-Demand skips it.
          if (std::memchr(content.data(), '\\', content.size()) == nullptr) {
            out = Text(content);
            return simdjson::SUCCESS;
          }
        }
      }
      std::string_view s;
      if (auto e = value.get_string().get(s)) return e;
      out = Text(batch.Copy(s));
      return simdjson::SUCCESS;
    }
    case json_type::number: {
      simdjson::ondemand::number_type nt;
      if (auto e = value.get_number_type().get(nt)) return e;
      if (nt == simdjson::ondemand::number_type::signed_integer) {
        int64_t i;
        if (auto e = value.get_int64().get(i)) return e;
        out = Integer(i);
      } else {
        double d;
        if (auto e = value.get_double().get(d)) return e;
        out = Number(d);
      }
      return simdjson::SUCCESS;
    }
    case json_type::boolean: {
      bool b;
      if (auto e = value.get_bool().get(b)) return e;
      out = Bool(b);
      return simdjson::SUCCESS;
    }
    case json_type::null:
      out = Blank();
      return value.is_null().error();
    default: {
      // Left unconsumed: On-Demand skips it when the iteration moves on.
      out = sl_value{};
      out.tag = SL_FAIL;
      return simdjson::SUCCESS;
    }
  }
}

std::string IdText(simdjson::ondemand::value value) {
  std::string_view s;
  if (!value.get_string().get(s)) return std::string(s);
  int64_t i;
  if (!value.get_int64().get(i)) return std::to_string(i);
  return "";
}

// A field's key as written, when it has no escapes: a view into the record's text, found
// without the copy `unescaped_key` makes. Empty with `escaped` set otherwise.
std::string_view RawKey(const simdjson::ondemand::field& field, const char* end, bool& escaped) {
  const char* const begin = field.key().raw();
  // Eight bytes at a time (reading past the key is safe: the line is padded): keys are short
  // and this runs for every field of every record.
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  for (const char* p = begin; p < end; p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    const uint64_t q = w ^ (kOnes * '"'), b = w ^ (kOnes * '\\');
    const uint64_t hit = ((q - kOnes) & ~q & kHigh) | ((b - kOnes) & ~b & kHigh);
    if (hit == 0) continue;
    const char* at = p + (__builtin_ctzll(hit) >> 3);
    if (at >= end || *at != '"') break;
    escaped = false;
    return std::string_view(begin, at - begin);
  }
  escaped = true;
  return std::string_view();
}

}  // namespace

bool RecordReader::Read(std::string_view line, BatchContext& batch, sl_value* slots,
                        std::string& id, std::string& error) {
  Impl& m = *impl_;
  m.buffer.assign(line);
  m.buffer.reserve(line.size() + kPadding);
  return Parse(m.buffer, m.buffer.capacity(), false, batch, slots, id, error);
}

bool RecordReader::ReadInPlace(std::string_view line, size_t capacity, BatchContext& batch,
                               sl_value* slots, std::string& id, std::string& error) {
  return Parse(line, capacity, true, batch, slots, id, error);
}

bool RecordReader::Parse(std::string_view line, size_t capacity, bool borrow, BatchContext& batch,
                         sl_value* slots, std::string& id, std::string& error) {
  Impl& m = *impl_;
  const size_t n = m.layout.inputs.size();
  for (size_t i = 0; i < n; ++i) slots[i] = Blank();
  id.clear();
  simdjson::ondemand::document doc;
  auto fail = [&](simdjson::error_code e) {
    error = std::string("malformed JSON: ") + simdjson::error_message(e);
    return false;
  };
  if (auto e = m.parser.iterate(line.data(), line.size(), capacity).get(doc)) return fail(e);
  simdjson::ondemand::object object;
  if (auto e = doc.get_object().get(object)) {
    if (e == simdjson::INCORRECT_TYPE) {
      error = "a record must be a JSON object";
      return false;
    }
    return fail(e);
  }
  const char* const end = line.data() + line.size();
  // A field's key; `scratch` holds it when it had to be unescaped (the view into the parser's
  // string buffer dies when the value is read).
  std::string scratch;
  auto key_of = [&](simdjson::ondemand::field& field, std::string_view& key) {
    bool escaped = false;
    key = RawKey(field, end, escaped);
    if (!escaped) return simdjson::SUCCESS;
    if (auto e = field.unescaped_key().get(key)) return e;
    scratch.assign(key);
    key = scratch;
    return simdjson::SUCCESS;
  };
  // Stores a field's value in the slot that reads `key`, if any; unread fields are skipped.
  auto store = [&](simdjson::ondemand::field& field, std::string_view key) {
    const int slot = m.slots.Find(key);
    if (slot < 0) return simdjson::SUCCESS;
    return RawValue(field.value(), batch, borrow, slots[slot]);
  };
  bool saw_properties = false;
  for (auto item : object) {
    simdjson::ondemand::field field;
    if (auto e = std::move(item).get(field)) return fail(e);
    std::string_view key;
    if (auto e = key_of(field, key)) return fail(e);
    simdjson::ondemand::value value = field.value();
    if (m.layout.source == Crm::kHubSpot) {
      if (key == "id") {
        id = IdText(value);
      } else if (key == "properties") {
        saw_properties = true;
        simdjson::ondemand::object props;
        if (auto e = value.get_object().get(props)) {
          if (e == simdjson::INCORRECT_TYPE) {
            error = "`properties` must be an object";
            return false;
          }
          return fail(e);
        }
        for (auto prop : props) {
          simdjson::ondemand::field pfield;
          if (auto e = std::move(prop).get(pfield)) return fail(e);
          std::string_view pkey;
          if (auto e = key_of(pfield, pkey)) return fail(e);
          if (auto e = store(pfield, pkey)) return fail(e);
        }
      } else if (key == "segments") {
        simdjson::ondemand::array list;
        if (auto e = value.get_array().get(list)) {
          if (e == simdjson::INCORRECT_TYPE) {
            error = "`segments` must be an array of segment names";
            return false;
          }
          return fail(e);
        }
        m.segments.clear();
        for (auto item : list) {
          std::string_view s;
          if (auto e = item.get_string().get(s)) {
            if (e == simdjson::INCORRECT_TYPE) {
              error = "`segments` must be an array of segment names";
              return false;
            }
            return fail(e);
          }
          if (!m.segments.empty()) m.segments += '\n';
          m.segments += s;
        }
        if (m.layout.segments_slot >= 0)
          slots[m.layout.segments_slot] = Text(batch.Copy(m.segments));
      }
    } else {
      if (key == "Id") {
        id = IdText(value);
        continue;
      }
      if (key == "attributes") continue;
      if (auto e = store(field, key)) return fail(e);
    }
  }
  if (!doc.current_location().error()) {
    error = "malformed JSON: trailing content after the record";
    return false;
  }
  if (m.layout.source == Crm::kHubSpot && !saw_properties) {
    error = "a HubSpot record needs a `properties` object";
    return false;
  }
  return true;
}

void AppendJsonString(std::string& out, std::string_view s) {
  // Runs of characters that need no escape are appended whole: most values have none.
  static constexpr auto kEscape = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 0x20; ++c) t[c] = true;
    t['"'] = t['\\'] = true;
    return t;
  }();
  out += '"';
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!kEscape[c]) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(u, sizeof u);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

namespace {

void AppendValue(std::string& out, const sl_value& v, Crm target) {
  if (target == Crm::kHubSpot) {
    // HubSpot: every property value is a string; blank clears the property.
    if (v.tag == SL_TEXT) return AppendJsonString(out, {v.u.str, v.len});
    return AppendJsonString(out, Render(v));
  }
  switch (v.tag) {
    case SL_BLANK:
      out += "null";
      return;
    case SL_TEXT:
      return AppendJsonString(out, {v.u.str, v.len});
    case SL_NUMBER:
    case SL_INTEGER:
    case SL_BOOL:
      out += Render(v);
      return;
    case SL_DATE:
      return AppendJsonString(out, Render(v));
    case SL_DATETIME: {
      std::string s = Render(v);  // ...T10:11:12.000Z -> ...T10:11:12.000+0000
      s.pop_back();
      s += "+0000";
      return AppendJsonString(out, s);
    }
    default:
      out += "null";
  }
}

}  // namespace

void WriteRecord(std::string& out, const Layout& layout, const sl_value* outputs) {
  bool first = true;
  if (layout.target == Crm::kHubSpot) {
    out += "{\"properties\":{";
  } else {
    out += "{\"attributes\":{\"type\":";
    AppendJsonString(out, layout.target_object);
    out += '}';
    first = false;
  }
  for (size_t i = 0; i < layout.outputs.size(); ++i) {
    if (outputs[i].tag == SL_SKIP) continue;
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, layout.outputs[i]);
    out += ':';
    AppendValue(out, outputs[i], layout.target);
  }
  out += layout.target == Crm::kHubSpot ? "}}\n" : "}\n";
}

void WriteFailure(std::string& out, std::string_view id, int line, const sl_failure& failure,
                  std::string_view location) {
  char code[16];
  std::snprintf(code, sizeof code, "E%04d", failure.code);
  out += "{\"line\":";
  out += std::to_string(line);
  out += ",\"id\":";
  if (id.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, id);
  }
  out += ",\"code\":\"";
  out += code;
  out += "\",\"message\":";
  AppendJsonString(out, {failure.msg ? failure.msg : "", failure.msg_len});
  out += ",\"location\":";
  if (location.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, location);
  }
  out += "}\n";
}

}  // namespace syncline::rt
