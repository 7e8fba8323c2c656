#include "engine/values.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "connectors/time_util.h"

namespace syncline::engine {

using nlohmann::json;

json ApiValue(const sl_value& v, rt::Crm target) {
  if (target == rt::Crm::kHubSpot) {
    // HubSpot: every property value is a string; "" clears the property.
    if (v.tag == SL_TEXT) return std::string(v.u.str, v.len);
    return rt::Render(v);
  }
  switch (v.tag) {
    case SL_TEXT:
      return std::string(v.u.str, v.len);
    case SL_NUMBER:
      return v.u.num;
    case SL_INTEGER:
      return v.u.i;
    case SL_BOOL:
      return v.u.i != 0;
    case SL_DATE:
      return rt::Render(v);
    case SL_DATETIME: {
      std::string s = rt::Render(v);  // ...T10:11:12.000Z -> ...T10:11:12.000+0000
      if (!s.empty() && s.back() == 'Z') {
        s.pop_back();
        s += "+0000";
      }
      return s;
    }
    default:
      return nullptr;
  }
}

namespace {

std::string Trim(std::string s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string NumberText(double d) {
  if (d == 0) d = 0;  // -0 == 0
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string Canonical(const json& value, schema::ValueKind kind, bool fold_case) {
  std::string text;
  if (value.is_null()) return "";
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) {
    if (kind == schema::ValueKind::kDate || kind == schema::ValueKind::kDateTime) {
      text = std::to_string(value.get<int64_t>());
    } else {
      return NumberText(value.get<double>());
    }
  } else if (value.is_string()) {
    text = Trim(value.get<std::string>());
  } else {
    text = value.dump();
  }
  if (text.empty()) return "";
  switch (kind) {
    case schema::ValueKind::kNumber:
    case schema::ValueKind::kInteger: {
      char* end = nullptr;
      const double d = std::strtod(text.c_str(), &end);
      if (end && *end == '\0' && std::isfinite(d)) return NumberText(d);
      return text;
    }
    case schema::ValueKind::kBool:
      return Lower(text);
    case schema::ValueKind::kDate: {
      if (auto ms = connectors::ParseTimeMs(text)) {
        const int64_t day = (*ms >= 0 ? *ms : *ms - 86'399'999) / 86'400'000;
        int64_t y;
        unsigned m, d;
        rt::CivilFromDays(day, y, m, d);
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
        return buf;
      }
      return text;
    }
    case schema::ValueKind::kDateTime:
      if (auto ms = connectors::ParseTimeMs(text)) return std::to_string(*ms);
      return text;
    case schema::ValueKind::kMultiEnum: {
      std::vector<std::string> parts;
      size_t start = 0;
      while (start <= text.size()) {
        size_t end = text.find(';', start);
        if (end == std::string::npos) end = text.size();
        std::string part = Trim(text.substr(start, end - start));
        if (!part.empty()) parts.push_back(fold_case ? Lower(part) : part);
        start = end + 1;
      }
      std::sort(parts.begin(), parts.end());
      std::string out;
      for (const auto& p : parts) out += (out.empty() ? "" : ";") + p;
      return out;
    }
    default:
      return fold_case ? Lower(text) : text;
  }
}

const json& FieldValue(const connectors::Record& record, const std::string& field) {
  static const json kNull;
  auto it = record.fields.find(field);
  return it == record.fields.end() ? kNull : *it;
}

namespace {

// A record's raw value in its API's own JSON type, as the JSON Lines reader makes it:
// strings TEXT, integers INTEGER, other numbers NUMBER, booleans, null BLANK; objects and
// arrays SL_FAIL (the input conversion reports a wrong value type).
sl_value RawValue(const json& v, rt::BatchContext& batch) {
  switch (v.type()) {
    case json::value_t::string:
      return rt::Text(batch.Copy(v.get_ref<const std::string&>()));
    case json::value_t::number_integer:
      return rt::Integer(v.get<int64_t>());
    case json::value_t::number_unsigned: {
      const auto u = v.get<uint64_t>();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return rt::Integer(static_cast<int64_t>(u));
      return rt::Number(static_cast<double>(u));
    }
    case json::value_t::number_float:
      return rt::Number(v.get<double>());
    case json::value_t::boolean:
      return rt::Bool(v.get<bool>());
    case json::value_t::null:
      return rt::Blank();
    default: {
      sl_value f{};
      f.tag = SL_FAIL;
      return f;
    }
  }
}

}  // namespace

std::vector<Evaluation> Evaluate(const Transform& transform,
                                 const std::vector<const connectors::Record*>& records,
                                 const std::vector<std::string>* segments,
                                 const stdlib::lifecycle::LifecycleStages* stages) {
  std::vector<Evaluation> out(records.size());
  if (records.empty() || !transform.valid()) return out;
  const rt::Layout& layout = transform.layout;
  const size_t ni = layout.inputs.size(), no = layout.outputs.size();
  constexpr size_t kBatch = 512;
  rt::BatchContext batch;
  batch.SetLifecycleStages(stages);
  std::vector<sl_value> in(kBatch * ni + 1), values(kBatch * no + 1);
  std::vector<sl_record_result> results(kBatch);
  for (size_t start = 0; start < records.size(); start += kBatch) {
    const size_t n = std::min(kBatch, records.size() - start);
    for (size_t r = 0; r < n; ++r) {
      const connectors::Record& rec = *records[start + r];
      sl_value* slots = in.data() + r * ni;
      for (size_t i = 0; i < ni; ++i) {
        if (static_cast<int>(i) == layout.segments_slot) {
          const std::string empty;
          const std::string& s = segments ? (*segments)[start + r] : empty;
          slots[i] = rt::Text(batch.Copy(s));
        } else {
          slots[i] = RawValue(FieldValue(rec, layout.inputs[i]), batch);
        }
      }
    }
    transform.run(batch.get(), n, in.data(), values.data(), results.data());
    for (size_t r = 0; r < n; ++r) {
      Evaluation& e = out[start + r];
      const sl_record_result& res = results[r];
      if (res.status == SL_RECORD_DROPPED) {
        e.status = Evaluation::kDropped;
      } else if (res.status == SL_RECORD_FAILED) {
        e.status = Evaluation::kFailed;
        char code[16];
        std::snprintf(code, sizeof code, "E%04d", res.failure.code);
        e.code = code;
        e.message = res.failure.msg ? std::string(res.failure.msg, res.failure.msg_len) : "";
        if (transform.locations && res.failure.loc >= 0 &&
            res.failure.loc < static_cast<int>(transform.locations->size()))
          e.location = (*transform.locations)[res.failure.loc];
      } else {
        const sl_value* v = values.data() + r * no;
        for (size_t k = 0; k < no; ++k) {
          if (v[k].tag == SL_SKIP) continue;
          e.fields[layout.outputs[k]] = ApiValue(v[k], layout.target);
        }
      }
    }
    batch.Reset();
  }
  return out;
}

}  // namespace syncline::engine
