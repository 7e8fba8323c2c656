// JSON Lines in (simdjson On-Demand, into slots) and out (appending to a string buffer).
#include <simdjson.h>

#include <charconv>
#include <cstdio>
#include <unordered_map>

#include "runtime/record/record.h"

namespace syncline::rt {

struct RecordReader::Impl {
  const Layout& layout;
  // Built once per rule set; records are matched to slots by key while they are parsed.
  std::unordered_map<std::string, int> slots;
  simdjson::ondemand::parser parser;
  std::string buffer;
  std::string segments;
  explicit Impl(const Layout& l) : layout(l) {
    for (size_t i = 0; i < l.inputs.size(); ++i) slots.emplace(l.inputs[i], static_cast<int>(i));
  }
};

RecordReader::RecordReader(const Layout& layout) : impl_(std::make_unique<Impl>(layout)) {}
RecordReader::~RecordReader() = default;

namespace {

using simdjson::ondemand::json_type;

// A field's raw value in the API's own JSON type; objects and arrays become SL_FAIL, which
// the input conversion reports as a wrong value type.
simdjson::error_code RawValue(simdjson::ondemand::value value, BatchContext& batch, sl_value& out) {
  json_type type;
  if (auto e = value.type().get(type)) return e;
  switch (type) {
    case json_type::string: {
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

}  // namespace

bool RecordReader::Read(std::string_view line, BatchContext& batch, sl_value* slots,
                        std::string& id, std::string& error) {
  Impl& m = *impl_;
  const size_t n = m.layout.inputs.size();
  for (size_t i = 0; i < n; ++i) slots[i] = Blank();
  id.clear();
  m.buffer.assign(line);
  m.buffer.reserve(line.size() + simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  auto fail = [&](simdjson::error_code e) {
    error = std::string("malformed JSON: ") + simdjson::error_message(e);
    return false;
  };
  if (auto e = m.parser.iterate(m.buffer.data(), m.buffer.size(), m.buffer.capacity()).get(doc))
    return fail(e);
  simdjson::ondemand::object object;
  if (auto e = doc.get_object().get(object)) {
    if (e == simdjson::INCORRECT_TYPE) {
      error = "a record must be a JSON object";
      return false;
    }
    return fail(e);
  }
  auto store = [&](std::string_view key, simdjson::ondemand::value value) -> simdjson::error_code {
    auto it = m.slots.find(std::string(key));
    if (it == m.slots.end()) return simdjson::SUCCESS;
    return RawValue(value, batch, slots[it->second]);
  };
  bool saw_properties = false;
  for (auto field : object) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return fail(e);
    simdjson::ondemand::value value;
    if (auto e = field.value().get(value)) return fail(e);
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
          std::string_view pkey;
          if (auto e = prop.unescaped_key().get(pkey)) return fail(e);
          simdjson::ondemand::value pvalue;
          if (auto e = prop.value().get(pvalue)) return fail(e);
          std::string k(pkey);  // the key view dies when the value is read
          if (auto e = store(k, pvalue)) return fail(e);
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
      std::string k(key);
      if (auto e = store(k, value)) return fail(e);
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
  out += '"';
  for (char c : s) {
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
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
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
