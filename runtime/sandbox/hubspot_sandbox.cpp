// HubSpot CRM v3 objects: records, batch, search, properties, custom-object schemas, plus the
// rate limiter, error bodies and the vendor control API. Associations and lists are in
// hubspot_graph.cpp.
#include "sandbox/hubspot_sandbox.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <unordered_set>

#include "sandbox/demo_data.h"
#include "sandbox/hubspot_impl.h"
#include "sandbox/time_format.h"

namespace syncline::sandbox {

using nlohmann::json;

void to_json(json& j, const HubSpotLimits& l) {
  j = {{"rate_limits", l.rate_limits},
       {"burst_per_10s", l.burst_per_10s},
       {"daily", l.daily},
       {"search_per_second", l.search_per_second},
       {"batch_max", l.batch_max},
       {"list_limit_max", l.list_limit_max},
       {"search_limit_max", l.search_limit_max},
       {"search_result_cap", l.search_result_cap},
       {"max_filter_groups", l.max_filter_groups},
       {"max_filters_per_group", l.max_filters_per_group},
       {"max_filters_total", l.max_filters_total},
       {"association_batch_max", l.association_batch_max},
       {"membership_limit_max", l.membership_limit_max},
       {"association_limit_max", l.association_limit_max},
       {"search_index_delay_ms", l.search_index_delay_ms},
       {"portal_id", l.portal_id}};
}

void from_json(const json& j, HubSpotLimits& l) {
  HubSpotLimits d = l;
  l.rate_limits = j.value("rate_limits", d.rate_limits);
  l.burst_per_10s = j.value("burst_per_10s", d.burst_per_10s);
  l.daily = j.value("daily", d.daily);
  l.search_per_second = j.value("search_per_second", d.search_per_second);
  l.batch_max = j.value("batch_max", d.batch_max);
  l.list_limit_max = j.value("list_limit_max", d.list_limit_max);
  l.search_limit_max = j.value("search_limit_max", d.search_limit_max);
  l.search_result_cap = j.value("search_result_cap", d.search_result_cap);
  l.max_filter_groups = j.value("max_filter_groups", d.max_filter_groups);
  l.max_filters_per_group = j.value("max_filters_per_group", d.max_filters_per_group);
  l.max_filters_total = j.value("max_filters_total", d.max_filters_total);
  l.association_batch_max = j.value("association_batch_max", d.association_batch_max);
  l.membership_limit_max = j.value("membership_limit_max", d.membership_limit_max);
  l.association_limit_max = j.value("association_limit_max", d.association_limit_max);
  l.search_index_delay_ms = j.value("search_index_delay_ms", d.search_index_delay_ms);
  l.portal_id = j.value("portal_id", d.portal_id);
}

namespace {

const char* kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool IsNumeric(const std::string& s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && s.find_first_of("xXnNiI") == std::string::npos;
}

bool IsDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string ValueText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) {
    double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
    return v.dump();
  }
  return v.dump();
}

json PropertyJson(const FieldDef& f, int order) {
  json options = json::array();
  for (const auto& o : f.options)
    options.push_back({{"label", o.label},
                       {"value", o.value},
                       {"displayOrder", o.display_order},
                       {"hidden", false},
                       {"description", ""}});
  bool hubspot_defined = f.name.rfind("hs_", 0) == 0 || !f.group.empty();
  return {{"name", f.name},
          {"label", f.label},
          {"type", f.api_type},
          {"fieldType", f.field_type},
          {"groupName", f.group},
          {"description", ""},
          {"displayOrder", order},
          {"options", options},
          {"hasUniqueValue", f.unique},
          {"hidden", false},
          {"formField", !f.read_only},
          {"calculated", f.read_only && f.name != "hs_object_id"},
          {"externalOptions", f.name == "hubspot_owner_id"},
          {"hubspotDefined", hubspot_defined},
          {"referencedObjectType", f.name == "hubspot_owner_id" ? json("OWNER") : json(nullptr)},
          {"modificationMetadata",
           {{"archivable", !hubspot_defined},
            {"readOnlyDefinition", hubspot_defined},
            {"readOnlyValue", f.read_only},
            {"readOnlyOptions", false}}},
          {"createdAt", "2020-01-01T00:00:00.000Z"},
          {"updatedAt", "2020-01-01T00:00:00.000Z"},
          {"archived", false}};
}

// A property body (POST /crm/v3/properties) as a field definition.
std::optional<FieldDef> FieldFromProperty(const json& p, std::string* error) {
  if (!p.is_object() || !p.contains("name") || !p["name"].is_string() || !p.contains("type")) {
    *error = "name, label, type, fieldType and groupName are required";
    return std::nullopt;
  }
  FieldDef f;
  f.name = p["name"];
  f.label = p.value("label", f.name);
  f.api_type = p["type"];
  f.field_type = p.value("fieldType", "text");
  f.group = p.value("groupName", "");
  f.unique = p.value("hasUniqueValue", false);
  const std::string& t = f.api_type;
  if (t == "bool") {
    f.kind = FieldKind::kBool;
  } else if (t == "enumeration") {
    f.kind = f.field_type == "checkbox" ? FieldKind::kMultiEnum : FieldKind::kEnum;
    f.restricted = true;
  } else if (t == "date") {
    f.kind = FieldKind::kDate;
  } else if (t == "datetime" || t == "dateTime") {
    f.kind = FieldKind::kDateTime;
    f.api_type = "datetime";
  } else if (t == "number") {
    f.kind = FieldKind::kNumber;
  } else if (t == "string" || t == "phone_number") {
    f.kind = FieldKind::kString;
  } else {
    *error = "Invalid property type: " + t;
    return std::nullopt;
  }
  int order = 0;
  for (const auto& o : p.value("options", json::array()))
    f.options.push_back({o.value("value", ""),
                         o.value("label", o.value("value", "")),
                         {},
                         false,
                         o.value("displayOrder", order++)});
  if (f.kind == FieldKind::kBool && f.options.empty())
    f.options = {{"true", "Yes", {}, false, 0}, {"false", "No", {}, false, 1}};
  return f;
}

std::string ObjectLabelUpper(const ObjectDef& def) {
  return Upper(SingularName(def.name));
}

// Glob match with '*' wildcards, case-insensitive.
bool Glob(const std::string& pattern, const std::string& text) {
  std::string p = Lower(pattern), t = Lower(text);
  size_t pi = 0, ti = 0, star = std::string::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == t[ti]) {
      ++pi, ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++, mark = ti;
    } else if (star != std::string::npos) {
      pi = star + 1, ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace

std::string EncodeCursor(int64_t seq) {
  std::string raw = std::to_string(seq), out;
  int val = 0, bits = -6;
  for (unsigned char c : raw) {
    val = (val << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(kBase64[(val >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(kBase64[((val << 8) >> (bits + 8)) & 0x3F]);
  return out;
}

std::optional<int64_t> DecodeCursor(const std::string& cursor) {
  if (IsDigits(cursor) && cursor.size() < 18) return std::stoll(cursor);
  std::string raw;
  int val = 0, bits = -8;
  for (char c : cursor) {
    const char* p = std::strchr(kBase64, c);
    if (!p || c == 0) return std::nullopt;
    val = (val << 6) + static_cast<int>(p - kBase64);
    bits += 6;
    if (bits >= 0) {
      raw.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  if (!IsDigits(raw) || raw.size() > 17) return std::nullopt;
  return std::stoll(raw);
}

std::string SingularName(const std::string& object) {
  if (object == "companies") return "company";
  if (!object.empty() && object.back() == 's') return object.substr(0, object.size() - 1);
  return object;
}

// ---- Impl: objects ---------------------------------------------------------------------------

void HubSpotSandbox::Impl::LoadObjects() {
  objects.clear();
  for (auto& o : self->options().catalog->Objects(Vendor::kHubSpot)) objects[o.name] = o;
  if (auto schemas = store->GetSetting("hs:schemas")) {
    for (const auto& s : json::parse(*schemas)) {
      ObjectDef o;
      o.vendor = Vendor::kHubSpot;
      o.name = s["name"];
      o.label = s.value("label", o.name);
      o.object_type_id = s["objectTypeId"];
      o.custom = true;
      o.primary_display_property = s.value("primaryDisplayProperty", "");
      o.default_properties = {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"};
      for (const char* sys : {"hs_object_id", "hs_createdate", "hs_lastmodifieddate"}) {
        FieldDef f;
        f.name = f.label = sys;
        f.kind = std::string(sys) == "hs_object_id" ? FieldKind::kNumber : FieldKind::kDateTime;
        f.api_type = f.kind == FieldKind::kNumber ? "number" : "datetime";
        f.field_type = f.kind == FieldKind::kNumber ? "number" : "date";
        f.read_only = true;
        o.fields.push_back(f);
      }
      objects[o.name] = o;
    }
  }
  for (auto& [name, def] : objects) {
    if (auto props = store->GetSetting("hs:props:" + name)) {
      for (const auto& p : json::parse(*props)) {
        std::string err;
        auto f = FieldFromProperty(p, &err);
        if (!f) continue;
        f->required_on_create = p.value("_required", false);
        auto it = std::find_if(def.fields.begin(), def.fields.end(),
                               [&](const FieldDef& x) { return x.name == f->name; });
        if (p.value("archived", false)) {
          if (it != def.fields.end()) def.fields.erase(it);
        } else if (it != def.fields.end()) {
          f->read_only = it->read_only;
          f->required_on_create = it->required_on_create || f->required_on_create;
          *it = *f;
        } else {
          def.fields.push_back(*f);
        }
      }
    }
  }
  indexed.clear();
  for (auto& [name, def] : objects) def.BuildIndex();
  for (const auto& [name, def] : objects)
    for (const auto& f : def.fields)
      if (f.unique) indexed[name].push_back(f.name);
}

const ObjectDef* HubSpotSandbox::Impl::FindObject(const std::string& key) const {
  auto it = objects.find(key);
  if (it != objects.end()) return &it->second;
  std::string portal_prefix = "p" + std::to_string(limits.portal_id) + "_";
  for (const auto& [name, def] : objects) {
    if (def.object_type_id == key || SingularName(name) == key || name == Lower(key)) return &def;
    if (def.custom && (key == portal_prefix + name || key == "p_" + name)) return &def;
  }
  return nullptr;
}

const std::vector<std::string>& HubSpotSandbox::Impl::IndexedFields(const ObjectDef& def) const {
  static const std::vector<std::string> none;
  auto it = indexed.find(def.name);
  return it == indexed.end() ? none : it->second;
}

std::optional<std::string> HubSpotSandbox::Impl::PropValue(const ObjectDef& def,
                                                           const StoredRecord& r,
                                                           const std::string& name) const {
  (void)def;
  if (name == "hs_object_id") return r.id;
  if (name == "createdate" || name == "hs_createdate") return FormatIsoMs(r.created_ms);
  if (name == "lastmodifieddate" || name == "hs_lastmodifieddate") return FormatIsoMs(r.updated_ms);
  auto it = r.data.find(name);
  if (it == r.data.end() || it->is_null()) return std::nullopt;
  return it->is_string() ? it->get<std::string>() : ValueText(*it);
}

json HubSpotSandbox::Impl::Render(const ObjectDef& def, const StoredRecord& r,
                                  const std::vector<std::string>* props, bool history,
                                  const std::vector<std::string>& assoc_to) const {
  json properties = json::object();
  const auto& names = props ? *props : def.default_properties;
  // What PropValue gives, with the two timestamps formatted once per record.
  const std::string created = FormatIsoMs(r.created_ms), updated = FormatIsoMs(r.updated_ms);
  auto add = [&](const std::string& name) {
    if (!def.Find(name) || properties.contains(name)) return;
    json value;
    if (name == "hs_object_id") {
      value = r.id;
    } else if (name == "createdate" || name == "hs_createdate") {
      value = created;
    } else if (name == "lastmodifieddate" || name == "hs_lastmodifieddate") {
      value = updated;
    } else if (auto it = r.data.find(name); it != r.data.end() && !it->is_null()) {
      value = it->is_string() ? *it : json(ValueText(*it));
    }
    properties.emplace(name, std::move(value));
  };
  for (const auto& n : names) add(n);
  add("hs_object_id");
  add(def.name == "contacts" ? "lastmodifieddate" : "hs_lastmodifieddate");
  // Contacts, companies, deals and tickets have createdate; engagements and custom objects
  // hs_createdate.
  add(!def.custom && def.Find("createdate") ? "createdate" : "hs_createdate");
  json out = json::object();  // filled key by key: an initializer list would copy every value
  out["id"] = r.id;
  out["createdAt"] = created;
  out["updatedAt"] = updated;
  out["archived"] = r.deleted;
  if (r.deleted) out["archivedAt"] = FormatIsoMs(r.deleted_ms);
  if (history) {
    json h = json::object();
    for (auto& [k, v] : properties.items()) {
      if (v.is_null()) continue;
      h[k] = json::array({{{"value", v},
                           {"timestamp", FormatIsoMs(r.updated_ms)},
                           {"sourceType", "API"},
                           {"sourceId", "sandbox"}}});
    }
    out["propertiesWithHistory"] = h;
  }
  out["properties"] = std::move(properties);
  if (!assoc_to.empty()) {
    json assoc = json::object();
    auto* impl = const_cast<Impl*>(this);
    for (const auto& to_name : assoc_to) {
      const ObjectDef* to = FindObject(to_name);
      if (!to) continue;
      json results = json::array();
      for (const auto& [to_id, types] : impl->Associations(def.name, r.seq, to->name)) {
        for (const auto* t : types) {
          std::string type = t->label.empty()
                                 ? SingularName(def.name) + "_to_" + SingularName(to->name)
                                 : Lower(t->label);
          for (char& c : type)
            if (c == ' ') c = '_';
          results.push_back({{"id", std::to_string(to_id)}, {"type", type}});
        }
      }
      if (!results.empty()) assoc[to_name] = {{"results", results}};
    }
    if (!assoc.empty()) out["associations"] = assoc;
  }
  return out;
}

std::optional<StoredRecord> HubSpotSandbox::Impl::Live(const ObjectDef& def,
                                                       const std::string& id) {
  auto r = store->Get(def.name, id);
  if (!r || r->deleted) return std::nullopt;
  return r;
}

void HubSpotSandbox::Impl::Error(Call& call, int status, const std::string& category,
                                 const std::string& message, json extra) {
  json body = {{"status", "error"},
               {"message", message},
               {"correlationId", NewUuid(rng)},
               {"category", category}};
  if (extra.is_object())
    for (auto& [k, v] : extra.items()) body[k] = v;
  call.Json(status, std::move(body));
}

// ---- writes ----------------------------------------------------------------------------------

namespace {

struct PropError {
  std::string name, code, message;
};

json PropErrorsMessage(const std::vector<PropError>& errors, json* details) {
  json arr = json::array();
  *details = json::array();
  for (const auto& e : errors) {
    arr.push_back(
        {{"isValid", false}, {"message", e.message}, {"error", e.code}, {"name", e.name}});
    details->push_back(
        {{"message", e.message}, {"code", e.code}, {"context", {{"propertyName", {e.name}}}}});
  }
  return "Property values were not valid: " + arr.dump();
}

// Checks and normalises the values of one input; values come back as strings (or null).
json NormalizeProps(const ObjectDef& def, const json& in, bool creating,
                    std::vector<PropError>& errors) {
  json out = json::object();
  if (!in.is_object()) {
    errors.push_back({"properties", "INVALID_INPUT", "properties must be an object"});
    return out;
  }
  for (auto& [name, value] : in.items()) {
    const FieldDef* f = def.Find(name);  // HubSpot property names are case-sensitive
    if (f && f->name != name) f = nullptr;
    if (!f) {
      errors.push_back({name, "PROPERTY_DOESNT_EXIST", "Property \"" + name + "\" does not exist"});
      continue;
    }
    if (f->read_only) {
      errors.push_back(
          {name, "READ_ONLY_VALUE", name + " is a read only property; its value cannot be set."});
      continue;
    }
    if (value.is_null()) {
      out[name] = nullptr;
      continue;
    }
    if (value.is_object() || value.is_array()) {
      errors.push_back({name, "INVALID_INPUT", "Invalid value for property " + name});
      continue;
    }
    std::string v = ValueText(value);
    if (v.empty()) {
      out[name] = "";
      continue;
    }
    switch (f->kind) {
      case FieldKind::kNumber:
      case FieldKind::kInteger:
        if (!IsNumeric(v)) {
          errors.push_back({name, "INVALID_INTEGER", v + " was not a valid number."});
          continue;
        }
        break;
      case FieldKind::kBool: {
        std::string l = Lower(v);
        if (l != "true" && l != "false") {
          errors.push_back({name, "INVALID_BOOLEAN", v + " was not a valid boolean."});
          continue;
        }
        v = l;
        break;
      }
      case FieldKind::kDate: {
        auto ms = ParseTimeOrEpochMs(v);
        if (!ms) {
          errors.push_back({name, "INVALID_DATE", v + " was not a valid date."});
          continue;
        }
        if (*ms % kDayMs != 0) {
          errors.push_back({name, "INVALID_DATE",
                            v + " is at " + FormatIsoMs(*ms).substr(11) +
                                " UTC, not midnight! (date properties must be midnight UTC)"});
          continue;
        }
        v = FormatDate(*ms);
        break;
      }
      case FieldKind::kDateTime: {
        auto ms = ParseTimeOrEpochMs(v);
        if (!ms) {
          errors.push_back({name, "INVALID_DATE", v + " was not a valid datetime."});
          continue;
        }
        v = FormatIsoMs(*ms);
        break;
      }
      case FieldKind::kEnum:
      case FieldKind::kMultiEnum: {
        std::vector<std::string> parts =
            f->kind == FieldKind::kMultiEnum ? SplitList(v, ';') : std::vector<std::string>{v};
        bool ok = true;
        for (const auto& part : parts) {
          bool found = std::any_of(f->options.begin(), f->options.end(),
                                   [&](const FieldOption& o) { return o.value == part; });
          if (!found && f->restricted && f->kind != FieldKind::kBool) {
            std::string allowed;
            for (const auto& o : f->options) allowed += (allowed.empty() ? "" : ", ") + o.value;
            errors.push_back({name, "INVALID_OPTION",
                              part + " was not one of the allowed options: [" + allowed + "]"});
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        break;
      }
      case FieldKind::kEmail: {
        if (!LooksLikeEmail(v)) {
          errors.push_back({name, "INVALID_EMAIL", "Email address " + v + " is invalid"});
          continue;
        }
        break;
      }
      default:
        if (v.size() > 65536) {
          errors.push_back({name, "INVALID_STRING_LENGTH", "value is longer than 65536"});
          continue;
        }
    }
    out[name] = v;
  }
  if (creating) {
    // A deal or ticket created without a pipeline goes to the portal's default one (the
    // first option), as HubSpot does for portals with a single pipeline.
    for (const char* pipeline : {"pipeline", "hs_pipeline"}) {
      const FieldDef* f = def.Find(pipeline);
      if (f && f->name == pipeline && f->kind == FieldKind::kEnum && !f->options.empty() &&
          !out.contains(pipeline))
        out[pipeline] = f->options.front().value;
    }
    for (const auto& f : def.fields) {
      if (!f.required_on_create) continue;
      auto it = out.find(f.name);
      if (it == out.end() || it->is_null() || *it == "")
        errors.push_back({f.name, "REQUIRED_PROPERTY", f.name + " is required"});
    }
  }
  return out;
}

}  // namespace

namespace {

// Everything one write needs, resolved before anything is applied.
struct PlannedWrite {
  const ObjectDef* def = nullptr;
  std::optional<StoredRecord> existing;
  json props;
  json associations;  // inline associations on create
  size_t index = 0;
  bool fail = false;
};

}  // namespace

// Applies a planned write: merge, timestamps, derived properties, persistence, list upkeep.
static StoredRecord ApplyWrite(HubSpotSandbox::Impl& impl, PlannedWrite& w) {
  int64_t now = impl.Now();
  StoredRecord r;
  // An update that sets no indexed (unique) property leaves the lookup rows alone.
  bool reindex = !w.existing;
  for (const auto& field : impl.IndexedFields(*w.def))
    if (w.props.contains(field)) reindex = true;
  if (w.existing) {
    // The previous state is needed afterwards only for webhook events.
    if (impl.webhooks.enabled()) {
      r = *w.existing;
    } else {
      r = std::move(*w.existing);
    }
  } else {
    r.object = w.def->name;
    r.seq = impl.store->NextCounter("hs:id", 101);
    r.id = std::to_string(r.seq);
    r.created_ms = now;
  }
  for (auto& [k, v] : w.props.items()) r.data[k] = std::move(v);
  if (w.def->name == "deals" && w.props.contains("dealstage")) {
    std::string stage = r.data.value("dealstage", json("")).is_string()
                            ? r.data.value("dealstage", std::string())
                            : "";
    r.data["hs_is_closed"] = (stage == "closedwon" || stage == "closedlost") ? "true" : "false";
    r.data["hs_is_closed_won"] = stage == "closedwon" ? "true" : "false";
  }
  // Timestamps never go backwards, even when the injected clock does.
  r.updated_ms = std::max(now, r.updated_ms);
  r.modstamp_ms = r.updated_ms;
  impl.store->Put(r, impl.IndexedFields(*w.def), reindex, /*exists=*/w.existing.has_value());
  impl.OnRecordWritten(*w.def, r);
  if (impl.webhooks.enabled()) impl.WriteEvents(*w.def, w.existing ? &*w.existing : nullptr, r);
  return r;
}

// Unique-value conflicts (email on contacts, hasUniqueValue properties), also within a batch.
// `absent`: a field whose value the caller has just looked up and found on no record (an
// upsert's key), so the store need not be asked again.
static std::optional<std::pair<std::string, std::string>> FindConflict(
    HubSpotSandbox::Impl& impl, const PlannedWrite& w,
    std::map<std::string, std::string>& batch_seen, const std::string* absent = nullptr) {
  for (const auto& field : impl.IndexedFields(*w.def)) {
    auto it = w.props.find(field);
    if (it == w.props.end() || !it->is_string() || it->get<std::string>().empty()) continue;
    std::string value = it->get<std::string>();
    std::string self = w.existing ? w.existing->id : "";
    if (!absent || field != *absent)
      for (const auto& id : impl.store->FindByIndex(w.def->name, field, value))
        if (id != self) return std::make_pair(field, id);
    std::string key = field + "\n" + Lower(value);
    auto seen = batch_seen.find(key);
    if (seen != batch_seen.end() && seen->second != self)
      return std::make_pair(field, seen->second.empty() ? std::string("0") : seen->second);
    batch_seen[key] = self.empty() ? "new" : self;
  }
  return std::nullopt;
}

static void ConflictError(HubSpotSandbox::Impl& impl, Call& call, const ObjectDef& def,
                          const std::pair<std::string, std::string>& conflict) {
  std::string message = def.name == "contacts" && conflict.first == "email"
                            ? "Contact already exists. Existing ID: " + conflict.second
                            : "A " + SingularName(def.name) + " with the unique value for " +
                                  conflict.first +
                                  " already exists. Existing ID: " + conflict.second;
  impl.Error(call, 409, "CONFLICT", message);
}

namespace {

std::optional<json> ParseJsonBody(HubSpotSandbox::Impl& impl, Call& call) {
  if (call.req.body.empty()) {
    impl.Error(call, 400, "VALIDATION_ERROR",
               "Invalid input JSON: no content to map due to end-of-input");
    return std::nullopt;
  }
  try {
    return call.ParseBody();
  } catch (const json::parse_error& e) {
    impl.Error(call, 400, "VALIDATION_ERROR",
               std::string("Invalid input JSON on line 1, column ") + std::to_string(e.byte) +
                   ": " + e.what());
    return std::nullopt;
  }
}

std::vector<std::string> QueryList(const Call& call, const std::string& name) {
  std::vector<std::string> out;
  // Both "properties=a,b" and repeated "properties=a&properties=b".
  size_t n = call.req.get_param_value_count(name.c_str());
  for (size_t i = 0; i < n; ++i)
    for (auto& item : SplitList(call.req.get_param_value(name.c_str(), i))) out.push_back(item);
  return out;
}

std::vector<std::string> JsonStrings(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_string()) out.push_back(v);
  return out;
}

}  // namespace

// ---- HubSpotSandbox ------------------------------------------------------------------------

HubSpotSandbox::HubSpotSandbox(SandboxOptions options)
    : Sandbox(std::move(options)), impl_(std::make_unique<Impl>()) {
  impl_->self = this;
  impl_->clock = clock_ptr();
  impl_->rng.seed(this->options().seed * 7919 + 17);
  impl_->dispatcher =
      std::make_unique<WebhookDispatcher>(impl_->clock, this->options().seed * 104729 + 3);
}

HubSpotSandbox::~HubSpotSandbox() {
  Stop();
}

void HubSpotSandbox::OnStarted() {
  impl_->dispatcher->Start();
}

void HubSpotSandbox::OnStopped() {
  impl_->dispatcher->Stop();
}

json HubSpotSandbox::SetWebhooks(const WebhookSettings& settings) {
  int status;
  return Control("POST", "/_sandbox/webhooks", json(settings), &status);
}

void HubSpotSandbox::ClearWebhooks() {
  int status;
  Control("DELETE", "/_sandbox/webhooks", json::object(), &status);
}

bool HubSpotSandbox::FlushWebhooks(int64_t timeout_ms) {
  return impl_->dispatcher->Flush(timeout_ms);
}

json HubSpotSandbox::WebhookStats() const {
  return impl_->dispatcher->Stats();
}

std::optional<json> HubSpotSandbox::UnlockedControl(std::string_view method, std::string_view path,
                                                    const json& body, int* status) {
  if (path != "/_sandbox/webhooks/flush") return std::nullopt;
  if (method != "POST") {
    *status = 405;
    return json{{"error", "use POST"}};
  }
  // Waits outside the data lock: API calls (and the receiver's own calls back into the
  // sandbox) go on while deliveries finish.
  bool flushed = FlushWebhooks(body.value("timeout_ms", int64_t{10'000}));
  if (!flushed) *status = 408;
  return json{{"flushed", flushed}, {"stats", impl_->dispatcher->Stats()}};
}

HubSpotLimits HubSpotSandbox::limits() {
  int status;
  // Through the control API so that the read takes the data lock.
  return Control("GET", "/_sandbox/limits", json::object(), &status);
}

void HubSpotSandbox::SetLimits(const HubSpotLimits& limits) {
  int status;
  Control("POST", "/_sandbox/limits", json(limits), &status);
}

json HubSpotSandbox::SeedOwners(const json& owners) {
  int status;
  return Control("POST", "/_sandbox/seed", {{"owners", owners}}, &status)
      .value("ids", json::object())
      .value("owners", json::array());
}

json HubSpotSandbox::Seed(const json& objects) {
  int status;
  return Control("POST", "/_sandbox/seed", {{"objects", objects}}, &status);
}

bool HubSpotSandbox::OpenStore(std::string* error) {
  impl_->store = Store::Open(options().db_path, error, {RecordColumn::kUpdated});
  if (!impl_->store) return false;
  try {
    impl_->CreateGraphTables();
    if (auto l = impl_->store->GetSetting("hs:limits")) impl_->limits = json::parse(*l);
    impl_->LoadObjects();
    impl_->BuildAssocTypes();
    impl_->LoadWebhooks();
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return false;
  }
  return true;
}

void HubSpotSandbox::WriteShellError(Call& call, int status, std::string_view message,
                                     int retry_after_s) {
  Impl& im = *impl_;
  switch (status) {
    case 401:
      im.Error(call, 401, "INVALID_AUTHENTICATION",
               message == "missing"
                   ? "Authentication credentials not found. This API supports OAuth 2.0 "
                     "authentication and you can find more details at "
                     "https://developers.hubspot.com/docs/methods/auth/oauth-overview"
                   : "The OAuth token used to make this call expired 0 second(s) ago.");
      return;
    case 404:
      im.Error(call, 404, "OBJECT_NOT_FOUND", "resource not found");
      return;
    case 415:
      im.Error(call, 415, "VALIDATION_ERROR",
               "Unsupported Media Type: " + std::string(message) + " (expected application/json)");
      return;
    case 429:
      call.res.set_header("Retry-After", std::to_string(std::max(retry_after_s, 0)));
      im.Error(call, 429, "RATE_LIMITS", "You have reached your ten_secondly_rolling limit.",
               {{"errorType", "RATE_LIMIT"}, {"policyName", "TEN_SECONDLY_ROLLING"}});
      return;
    default:
      if (status >= 500) {
        im.Error(call, status, "INTERNAL_ERROR",
                 message == "injected" ? "internal error (injected by the sandbox)"
                                       : "internal error: " + std::string(message));
      } else {
        im.Error(call, status, "VALIDATION_ERROR", std::string(message));
      }
  }
}

static bool IsSearchCall(const Call& call) {
  return call.segments.size() == 5 && call.segments[2] == "objects" &&
         call.segments[4] == "search" && call.method == "POST";
}

bool HubSpotSandbox::Admit(Call& call) {
  Impl& im = *impl_;
  if (!im.limits.rate_limits) return true;
  int64_t now = im.Now();
  int64_t day = now >= 0 ? now / kDayMs : -1;
  if (day != im.daily_day) {
    im.daily_day = day;
    im.daily_count = 0;
  }
  if (im.daily_count >= im.limits.daily) {
    call.res.set_header("Retry-After", std::to_string(((day + 1) * kDayMs - now + 999) / 1000));
    im.Error(call, 429, "RATE_LIMITS", "You have reached your daily limit.",
             {{"errorType", "RATE_LIMIT"}, {"policyName", "DAILY"}});
    return false;
  }
  if (IsSearchCall(call)) {
    while (!im.search.empty() && im.search.front() <= now - 1000) im.search.pop_front();
    while (!im.search.empty() && im.search.back() > now) im.search.pop_back();  // clock set back
    if (static_cast<int>(im.search.size()) >= im.limits.search_per_second) {
      call.res.set_header("Retry-After", "1");
      im.Error(call, 429, "RATE_LIMITS", "You have reached your secondly limit.",
               {{"errorType", "RATE_LIMIT"}, {"policyName", "SECONDLY"}});
      return false;
    }
    im.search.push_back(now);
  } else {
    while (!im.burst.empty() && im.burst.front() <= now - 10000) im.burst.pop_front();
    while (!im.burst.empty() && im.burst.back() > now) im.burst.pop_back();
    if (static_cast<int>(im.burst.size()) >= im.limits.burst_per_10s) {
      int64_t wait = im.burst.front() + 10000 - now;
      call.res.set_header("Retry-After", std::to_string(std::max<int64_t>(1, (wait + 999) / 1000)));
      im.Error(call, 429, "RATE_LIMITS", "You have reached your ten_secondly_rolling limit.",
               {{"errorType", "RATE_LIMIT"}, {"policyName", "TEN_SECONDLY_ROLLING"}});
      return false;
    }
    im.burst.push_back(now);
  }
  ++im.daily_count;
  return true;
}

void HubSpotSandbox::Decorate(Call& call) {
  Impl& im = *impl_;
  if (IsSearchCall(call)) return;  // HubSpot sends no rate-limit headers on search
  int remaining = std::max(0, im.limits.burst_per_10s - static_cast<int>(im.burst.size()));
  call.res.set_header("X-HubSpot-RateLimit-Max", std::to_string(im.limits.burst_per_10s));
  call.res.set_header("X-HubSpot-RateLimit-Remaining", std::to_string(remaining));
  call.res.set_header("X-HubSpot-RateLimit-Interval-Milliseconds", "10000");
  call.res.set_header("X-HubSpot-RateLimit-Daily", std::to_string(im.limits.daily));
  call.res.set_header("X-HubSpot-RateLimit-Daily-Remaining",
                      std::to_string(std::max<int64_t>(0, im.limits.daily - im.daily_count)));
}

json HubSpotSandbox::Impl::Seed(const json& body) {
  // Seeds stand for data that was already there: they raise no webhook events.
  struct Quiet {
    bool& flag;
    bool saved;
    explicit Quiet(bool& f) : flag(f), saved(f) { flag = true; }
    ~Quiet() { flag = saved; }
  } quiet_guard(quiet);
  json ids = json::object();
  std::map<std::string, std::vector<std::string>> made;
  store->Begin();
  try {
    if (body.contains("owners")) ids["owners"] = SeedOwners(body["owners"]);
    const json objects_in = body.value("objects", json::object());
    for (auto& [type, items] : objects_in.items()) {
      const ObjectDef* def = FindObject(type);
      if (!def) throw std::runtime_error("unknown object type " + type);
      json list = json::array();
      for (const auto& item : items) {
        PlannedWrite w;
        w.def = def;
        json props = item.contains("properties") ? item["properties"] : item;
        for (auto& [k, v] : props.items()) w.props[k] = v.is_null() ? v : json(ValueText(v));
        StoredRecord r = ApplyWrite(*this, w);
        bool changed = false;
        auto when = [&](const char* key) -> std::optional<int64_t> {
          if (!item.contains(key)) return std::nullopt;
          const auto& v = item[key];
          return v.is_number() ? std::optional<int64_t>(v.get<int64_t>())
                               : ParseTimeOrEpochMs(v.get<std::string>());
        };
        if (auto c = when("createdAt")) r.created_ms = *c, changed = true;
        if (auto u = when("updatedAt")) r.updated_ms = r.modstamp_ms = *u, changed = true;
        if (item.value("archived", false)) {
          r.deleted = true;
          r.deleted_ms = r.updated_ms;
          changed = true;
        }
        if (changed) store->Put(r, IndexedFields(*def));
        list.push_back(r.id);
        made[def->name].push_back(r.id);
      }
      ids[def->name] = list;
    }
    for (const auto& a : body.value("associations", json::array())) {
      const ObjectDef* from = FindObject(a.at("from"));
      const ObjectDef* to = FindObject(a.at("to"));
      if (!from || !to) throw std::runtime_error("unknown association object");
      auto resolve = [&](const ObjectDef* def, const char* ref, const char* id) -> int64_t {
        if (a.contains(id)) return std::stoll(ValueText(a[id]));
        return std::stoll(made.at(def->name).at(a.at(ref).get<size_t>()));
      };
      int64_t from_id = resolve(from, "from_index", "from_id");
      int64_t to_id = resolve(to, "to_index", "to_id");
      const HubSpotAssocType* type = a.contains("type_id")
                                         ? AssocType(from->name, to->name, a["type_id"])
                                         : DefaultAssocType(from->name, to->name);
      if (!type) throw std::runtime_error("unknown association type");
      Associate(from->name, from_id, to->name, to_id, *type);
    }
    store->Commit();
  } catch (...) {
    store->Rollback();
    throw;
  }
  return ids;
}

json HubSpotSandbox::VendorControl(std::string_view method, std::string_view path, const json& body,
                                   int* status) {
  Impl& im = *impl_;
  if (path == "/_sandbox/limits") {
    if (method == "POST") {
      im.limits = body;
      im.store->SetSetting("hs:limits", json(im.limits).dump());
      im.burst.clear();
      im.search.clear();
      if (body.contains("daily_used")) im.daily_count = body["daily_used"];
    }
    json out = im.limits;
    out["daily_used"] = im.daily_count;
    return out;
  }
  if (path == "/_sandbox/seed" && method == "POST") return {{"ids", im.Seed(body)}};
  if (path == "/_sandbox/webhooks") return im.WebhookControl(method, path, body, status);
  if (path == "/_sandbox/reset" && method == "POST") {
    im.store->Clear();
    im.store->Exec("DELETE FROM hs_assoc; DELETE FROM hs_lists; DELETE FROM hs_members;");
    im.dynamic_lists.reset();
    im.limits = HubSpotLimits{};
    im.burst.clear();
    im.search.clear();
    im.daily_count = 0;
    im.LoadObjects();
    im.BuildAssocTypes();
    im.LoadWebhooks();
    return {{"reset", true}};
  }
  if (path == "/_sandbox/demo" && method == "POST") {
    // A persistent sandbox keeps its demo data: seeding twice would duplicate it.
    if (im.store->GetSetting("demo:seeded") && !body.value("force", false))
      return {{"skipped", true}, {"reason", "demo data already loaded"}};
    json seed = HubSpotDemoSeed(DemoOptionsFromJson(body));
    // Object types the catalog lacks (e.g. the demo's custom object) are left out.
    json known = json::object(), links = json::array();
    for (auto& [type, items] : seed["objects"].items())
      if (im.FindObject(type)) known[type] = items;
    for (const auto& a : seed["associations"])
      if (known.contains(a.value("from", "")) && known.contains(a.value("to", "")))
        links.push_back(a);
    seed = {{"objects", known},
            {"associations", links},
            {"owners", seed.value("owners", json::array())}};
    json ids = im.Seed(seed);
    json counts = json::object();
    for (auto& [k, v] : ids.items()) counts[k] = v.size();
    im.store->SetSetting("demo:seeded", "1");
    return {{"created", counts}};
  }
  *status = 404;
  return {{"error", "unknown control endpoint"}, {"path", path}};
}

// ---- routes ----------------------------------------------------------------------------------

void HubSpotSandbox::RegisterRoutes(Router& router) {
  Impl& im = *impl_;
  auto object = [&im](Call& call) -> const ObjectDef* {
    const ObjectDef* def = im.FindObject(call.Param("t"));
    if (!def)
      im.Error(call, 400, "VALIDATION_ERROR",
               "Unable to infer object type from: " + call.Param("t"));
    return def;
  };
  auto not_found = [&im](Call& call, const ObjectDef& def, const std::string& id) {
    (void)def;
    im.Error(call, 404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.",
             {{"context", {{"id", {id}}}}});
    (void)id;
  };
  // Resolves `id` (or a unique property value with ?idProperty=) to a live record.
  auto resolve = [&im](const ObjectDef& def, const std::string& id,
                       const std::string& id_property) -> std::optional<StoredRecord> {
    if (id_property.empty() || id_property == "hs_object_id") return im.Live(def, id);
    auto ids = im.store->FindByIndex(def.name, id_property, id);
    if (ids.empty()) return std::nullopt;
    return im.Live(def, ids.front());
  };

  // ---- list
  router.Add("GET", "/crm/v3/objects/{t}", [&im, object](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    int limit = 10;
    std::string limit_text = call.Query("limit", "10");
    if (!IsDigits(limit_text) || limit_text.size() > 6 ||
        (limit = std::stoi(limit_text)) > im.limits.list_limit_max || limit < 1) {
      im.Error(call, 400, "VALIDATION_ERROR",
               "limit must be between 1 and " + std::to_string(im.limits.list_limit_max));
      return;
    }
    int64_t after = 0;
    if (call.HasQuery("after") && !call.Query("after").empty()) {
      auto decoded = DecodeCursor(call.Query("after"));
      if (!decoded) {
        im.Error(call, 400, "VALIDATION_ERROR", "Invalid 'after' cursor: " + call.Query("after"));
        return;
      }
      after = *decoded;
    }
    bool archived = call.Query("archived", "false") == "true";
    auto props = QueryList(call, "properties");
    auto history = QueryList(call, "propertiesWithHistory");
    auto assoc = QueryList(call, "associations");
    for (const auto& h : history) props.push_back(h);
    auto rows = im.store->Scan(def->name, archived, after, limit + 1);
    json results = json::array();
    for (size_t i = 0; i < rows.size() && i < static_cast<size_t>(limit); ++i)
      results.push_back(
          im.Render(*def, rows[i], props.empty() ? nullptr : &props, !history.empty(), assoc));
    json out = json::object();
    out["results"] = std::move(results);
    if (rows.size() > static_cast<size_t>(limit)) {
      std::string cursor = EncodeCursor(rows[limit - 1].seq);
      out["paging"] = {{"next",
                        {{"after", cursor},
                         {"link", "/crm/v3/objects/" + def->name + "?after=" + cursor +
                                      "&limit=" + std::to_string(limit)}}}};
    }
    call.Json(200, std::move(out));
  });

  // ---- get
  router.Add("GET", "/crm/v3/objects/{t}/{id}", [&im, object, not_found, resolve](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    std::optional<StoredRecord> r;
    if (call.Query("archived") == "true") {
      r = im.store->Get(def->name, call.Param("id"));
      if (r && !r->deleted) r.reset();
    } else {
      r = resolve(*def, call.Param("id"), call.Query("idProperty"));
    }
    if (!r) return not_found(call, *def, call.Param("id"));
    auto props = QueryList(call, "properties");
    auto history = QueryList(call, "propertiesWithHistory");
    for (const auto& h : history) props.push_back(h);
    call.Json(200, im.Render(*def, *r, props.empty() ? nullptr : &props, !history.empty(),
                             QueryList(call, "associations")));
  });

  // ---- create
  router.Add("POST", "/crm/v3/objects/{t}", [&im, object](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    auto body = ParseJsonBody(im, call);
    if (!body) return;
    std::vector<PropError> errors;
    PlannedWrite w;
    w.def = def;
    w.props = NormalizeProps(*def, body->value("properties", json::object()), true, errors);
    if (!errors.empty()) {
      json details;
      json message = PropErrorsMessage(errors, &details);
      return im.Error(call, 400, "VALIDATION_ERROR", message, {{"errors", details}});
    }
    std::map<std::string, std::string> seen;
    if (auto conflict = FindConflict(im, w, seen)) return ConflictError(im, call, *def, *conflict);
    // Inline associations: every target must exist and every type must fit.
    std::vector<std::pair<const HubSpotAssocType*, int64_t>> links;
    for (const auto& a : body->value("associations", json::array())) {
      std::string to_id = a.contains("to") ? ValueText(a["to"].value("id", json(""))) : "";
      for (const auto& t : a.value("types", json::array())) {
        const HubSpotAssocType* type = nullptr;
        for (const auto& at : im.assoc_types)
          if (at.from == def->name && at.id == t.value("associationTypeId", 0)) type = &at;
        const ObjectDef* to = type ? im.FindObject(type->to) : nullptr;
        if (!type || !to || !IsDigits(to_id) || !im.Live(*to, to_id)) {
          return im.Error(call, 400, "VALIDATION_ERROR", "Invalid association: " + a.dump());
        }
        links.emplace_back(type, std::stoll(to_id));
      }
    }
    im.store->Begin();
    StoredRecord r = ApplyWrite(im, w);
    for (const auto& [type, to_id] : links) im.Associate(def->name, r.seq, type->to, to_id, *type);
    im.store->Commit();
    call.Json(201, im.Render(*def, r, nullptr, false, {}));
  });

  // ---- update
  router.Add("PATCH", "/crm/v3/objects/{t}/{id}", [&im, object, not_found, resolve](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    auto body = ParseJsonBody(im, call);
    if (!body) return;
    auto existing = resolve(*def, call.Param("id"), call.Query("idProperty"));
    if (!existing) return not_found(call, *def, call.Param("id"));
    std::vector<PropError> errors;
    PlannedWrite w;
    w.def = def;
    w.existing = existing;
    w.props = NormalizeProps(*def, body->value("properties", json::object()), false, errors);
    if (!errors.empty()) {
      json details;
      json message = PropErrorsMessage(errors, &details);
      return im.Error(call, 400, "VALIDATION_ERROR", message, {{"errors", details}});
    }
    std::map<std::string, std::string> seen;
    if (auto conflict = FindConflict(im, w, seen)) return ConflictError(im, call, *def, *conflict);
    im.store->Begin();
    StoredRecord r = ApplyWrite(im, w);
    im.store->Commit();
    call.Json(200, im.Render(*def, r, nullptr, false, {}));
  });

  // ---- archive
  router.Add("DELETE", "/crm/v3/objects/{t}/{id}", [&im, object](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    // HubSpot answers 204 whether or not the record existed.
    if (auto r = im.Live(*def, call.Param("id"))) {
      im.store->Begin();
      r->deleted = true;
      r->deleted_ms = im.Now();
      im.store->Put(*r, im.IndexedFields(*def), /*reindex=*/false, /*exists=*/true);
      im.OnRecordWritten(*def, *r);
      im.WriteEvents(*def, nullptr, *r);
      im.store->Commit();
    }
    call.Empty(204);
  });

  // ---- batch
  // The inputs array inside `body` (no copy), or null once an error has been answered.
  auto batch_inputs = [&im, object](Call& call, const ObjectDef*& def, json& body) -> json* {
    def = object(call);
    if (!def) return nullptr;
    auto parsed = ParseJsonBody(im, call);
    if (!parsed) return nullptr;
    body = std::move(*parsed);
    if (!body.is_object() || !body.contains("inputs") || !body["inputs"].is_array()) {
      im.Error(call, 400, "VALIDATION_ERROR", "inputs is required and must be an array");
      return nullptr;
    }
    if (body["inputs"].size() > static_cast<size_t>(im.limits.batch_max)) {
      im.Error(call, 400, "VALIDATION_ERROR",
               "Batch input limit exceeded: " + std::to_string(body["inputs"].size()) +
                   " inputs (maximum " + std::to_string(im.limits.batch_max) + ")",
               {{"context", {{"inputs", {std::to_string(body["inputs"].size())}}}}});
      return nullptr;
    }
    return &body["inputs"];
  };
  auto envelope = [&im](json results, json errors, int64_t started) {
    // Result order is not promised by HubSpot; shuffle so clients match by id.
    std::shuffle(results.begin(), results.end(), im.rng);
    json out = {{"status", "COMPLETE"},
                {"startedAt", FormatIsoMs(started)},
                {"completedAt", FormatIsoMs(im.Now())}};
    out["results"] = std::move(results);
    if (!errors.empty()) {
      out["numErrors"] = errors.size();
      out["errors"] = std::move(errors);
    }
    return out;
  };
  auto not_found_error = [](const ObjectDef& def, const std::vector<std::string>& ids) {
    return json{{"status", "error"},
                {"category", "OBJECT_NOT_FOUND"},
                {"message", "Could not get some " + ObjectLabelUpper(def) +
                                " objects, they may be deleted or not exist. Check that ids "
                                "are valid."},
                {"context", {{"ids", ids}}}};
  };
  auto injected_error = [](const std::vector<std::string>& ids) {
    return json{{"status", "error"},
                {"category", "INTERNAL_ERROR"},
                {"message", "Failed to process this input (injected by the sandbox)"},
                {"context", {{"ids", ids}}}};
  };

  router.Add("POST", "/crm/v3/objects/{t}/batch/read",
             [&im, batch_inputs, envelope, not_found_error](Call& call) {
               const ObjectDef* def;
               json body;
               auto inputs = batch_inputs(call, def, body);
               if (!inputs) return;
               int64_t started = im.Now();
               bool archived = call.Query("archived", "false") == "true";
               auto props = JsonStrings(body.value("properties", json::array()));
               auto history = JsonStrings(body.value("propertiesWithHistory", json::array()));
               for (const auto& h : history) props.push_back(h);
               std::string id_property = body.value("idProperty", "");
               json results = json::array();
               std::vector<std::string> missing;
               for (const auto& in : *inputs) {
                 std::string id = in.is_object() ? ValueText(in.value("id", json(""))) : "";
                 std::optional<StoredRecord> r;
                 if (!id_property.empty() && id_property != "hs_object_id") {
                   auto ids = im.store->FindByIndex(def->name, id_property, id, archived);
                   if (!ids.empty()) r = im.store->Get(def->name, ids.front());
                 } else {
                   r = im.store->Get(def->name, id);
                 }
                 if (!r || r->deleted != archived) {
                   missing.push_back(id);
                   continue;
                 }
                 results.push_back(
                     im.Render(*def, *r, props.empty() ? nullptr : &props, !history.empty(), {}));
               }
               json errors = json::array();
               if (!missing.empty()) errors.push_back(not_found_error(*def, missing));
               int status = errors.empty() ? 200 : 207;
               call.Json(status, envelope(std::move(results), std::move(errors), started));
             });

  router.Add("POST", "/crm/v3/objects/{t}/batch/create",
             [&im, batch_inputs, envelope, injected_error](Call& call) {
               const ObjectDef* def;
               json body;
               auto inputs = batch_inputs(call, def, body);
               if (!inputs) return;
               int64_t started = im.Now();
               std::vector<PlannedWrite> plan;
               std::vector<PropError> errors;
               std::map<std::string, std::string> seen;
               for (size_t i = 0; i < inputs->size(); ++i) {
                 PlannedWrite w;
                 w.def = def;
                 w.index = i;
                 w.props = NormalizeProps(*def, (*inputs)[i].value("properties", json::object()),
                                          true, errors);
                 if (errors.empty())
                   if (auto conflict = FindConflict(im, w, seen))
                     return ConflictError(im, call, *def, *conflict);
                 w.fail = call.FailItem(i);
                 plan.push_back(std::move(w));
               }
               if (!errors.empty()) {
                 json details;
                 json message = PropErrorsMessage(errors, &details);
                 return im.Error(call, 400, "VALIDATION_ERROR", message, {{"errors", details}});
               }
               json results = json::array(), errs = json::array();
               im.store->Begin();
               for (auto& w : plan) {
                 if (w.fail) {
                   errs.push_back(injected_error({std::to_string(w.index)}));
                   continue;
                 }
                 StoredRecord r = ApplyWrite(im, w);
                 json rendered = im.Render(*def, r, nullptr, false, {});
                 if ((*inputs)[w.index].contains("objectWriteTraceId"))
                   rendered["objectWriteTraceId"] = (*inputs)[w.index]["objectWriteTraceId"];
                 results.push_back(rendered);
               }
               im.store->Commit();
               int status = errs.empty() ? 201 : 207;
               call.Json(status, envelope(std::move(results), std::move(errs), started));
             });

  router.Add("POST", "/crm/v3/objects/{t}/batch/update",
             [&im, batch_inputs, envelope, not_found_error, injected_error](Call& call) {
               const ObjectDef* def;
               json body;
               auto inputs = batch_inputs(call, def, body);
               if (!inputs) return;
               int64_t started = im.Now();
               std::vector<PlannedWrite> plan;
               std::vector<PropError> errors;
               std::vector<std::string> missing;
               std::set<std::string> ids_seen;
               std::map<std::string, std::string> seen;
               for (size_t i = 0; i < inputs->size(); ++i) {
                 const json& in = (*inputs)[i];
                 std::string id = ValueText(in.value("id", json("")));
                 std::string id_property = in.value("idProperty", "");
                 if (!ids_seen.insert(id).second)
                   return im.Error(call, 400, "VALIDATION_ERROR",
                                   "Duplicate IDs found in batch input: [" + id +
                                       "]. IDs must be "
                                       "unique");
                 PlannedWrite w;
                 w.def = def;
                 w.index = i;
                 if (!id_property.empty() && id_property != "hs_object_id") {
                   auto found = im.store->FindByIndex(def->name, id_property, id);
                   if (!found.empty()) w.existing = im.Live(*def, found.front());
                 } else {
                   w.existing = im.Live(*def, id);
                 }
                 w.props =
                     NormalizeProps(*def, in.value("properties", json::object()), false, errors);
                 if (!w.existing) {
                   missing.push_back(id);
                   continue;
                 }
                 if (errors.empty())
                   if (auto conflict = FindConflict(im, w, seen))
                     return ConflictError(im, call, *def, *conflict);
                 w.fail = call.FailItem(i);
                 plan.push_back(std::move(w));
               }
               if (!errors.empty()) {
                 json details;
                 json message = PropErrorsMessage(errors, &details);
                 return im.Error(call, 400, "VALIDATION_ERROR", message, {{"errors", details}});
               }
               json results = json::array(), errs = json::array();
               im.store->Begin();
               for (auto& w : plan) {
                 if (w.fail) {
                   errs.push_back(injected_error({w.existing->id}));
                   continue;
                 }
                 results.push_back(im.Render(*def, ApplyWrite(im, w), nullptr, false, {}));
               }
               im.store->Commit();
               if (!missing.empty()) errs.push_back(not_found_error(*def, missing));
               int status = errs.empty() ? 200 : 207;
               call.Json(status, envelope(std::move(results), std::move(errs), started));
             });

  router.Add(
      "POST", "/crm/v3/objects/{t}/batch/upsert",
      [&im, batch_inputs, envelope, injected_error](Call& call) {
        const ObjectDef* def;
        json body;
        auto inputs = batch_inputs(call, def, body);
        if (!inputs) return;
        int64_t started = im.Now();
        std::vector<PlannedWrite> plan;
        std::vector<PropError> errors;
        std::set<std::string> ids_seen;
        std::map<std::string, std::string> seen;
        for (size_t i = 0; i < inputs->size(); ++i) {
          json& in = (*inputs)[i];
          std::string id = ValueText(in.value("id", json("")));
          std::string id_property = in.value("idProperty", "");
          const FieldDef* key = def->Find(id_property);
          if (id_property.empty() || !key || !key->unique)
            return im.Error(
                call, 400, "VALIDATION_ERROR",
                "idProperty '" + id_property + "' must be a property with unique values");
          if (!ids_seen.insert(Lower(id)).second)
            return im.Error(call, 400, "VALIDATION_ERROR",
                            "Duplicate IDs found in batch input: [" + id + "]. IDs must be unique");
          PlannedWrite w;
          w.def = def;
          w.index = i;
          // The live record with this key, in one query (FindByIndex skips archived ones).
          auto found = im.store->FindRecordsByIndex(def->name, id_property, id);
          if (!found.empty()) w.existing = std::move(found.front());
          // Taken out of the input (only its id is read again).
          json props;
          if (auto it = in.is_object() ? in.find("properties") : in.end(); it != in.end()) {
            props = std::move(*it);
          } else {
            props = in.value("properties", json::object());
          }
          if (!w.existing && props.is_object()) props[id_property] = id;
          w.props = NormalizeProps(*def, props, !w.existing, errors);
          // A new record's key was just looked up and found nowhere.
          auto key_value = w.props.find(id_property);
          bool key_absent = !w.existing && key_value != w.props.end() && *key_value == id;
          if (errors.empty())
            if (auto conflict = FindConflict(im, w, seen, key_absent ? &id_property : nullptr))
              return ConflictError(im, call, *def, *conflict);
          w.fail = call.FailItem(i);
          plan.push_back(std::move(w));
        }
        if (!errors.empty()) {
          json details;
          json message = PropErrorsMessage(errors, &details);
          return im.Error(call, 400, "VALIDATION_ERROR", message, {{"errors", details}});
        }
        json results = json::array(), errs = json::array();
        im.store->Begin();
        for (auto& w : plan) {
          if (w.fail) {
            errs.push_back(injected_error({ValueText((*inputs)[w.index].value("id", json("")))}));
            continue;
          }
          bool is_new = !w.existing;
          json rendered = im.Render(*def, ApplyWrite(im, w), nullptr, false, {});
          rendered["new"] = is_new;
          results.push_back(rendered);
        }
        im.store->Commit();
        int status = errs.empty() ? 200 : 207;
        call.Json(status, envelope(std::move(results), std::move(errs), started));
      });

  router.Add("POST", "/crm/v3/objects/{t}/batch/archive", [&im, batch_inputs](Call& call) {
    const ObjectDef* def;
    json body;
    auto inputs = batch_inputs(call, def, body);
    if (!inputs) return;
    im.store->Begin();
    for (const auto& in : *inputs) {
      std::string id = in.is_object() ? ValueText(in.value("id", json(""))) : "";
      if (auto r = im.Live(*def, id)) {
        r->deleted = true;
        r->deleted_ms = im.Now();
        im.store->Put(*r, im.IndexedFields(*def), /*reindex=*/false, /*exists=*/true);
        im.OnRecordWritten(*def, *r);
        im.WriteEvents(*def, nullptr, *r);
      }
    }
    im.store->Commit();
    call.Empty(204);
  });

  // ---- search
  router.Add("POST", "/crm/v3/objects/{t}/search", [&im, object](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    auto parsed = ParseJsonBody(im, call);
    if (!parsed) return;
    const json& body = *parsed;
    if (!body.is_object()) return im.Error(call, 400, "VALIDATION_ERROR", "body must be an object");
    int limit = 10;
    if (body.contains("limit")) {
      if (!body["limit"].is_number_integer())
        return im.Error(call, 400, "VALIDATION_ERROR", "limit must be an integer");
      limit = body["limit"];
    }
    if (limit < 0 || limit > im.limits.search_limit_max)
      return im.Error(call, 400, "VALIDATION_ERROR",
                      "limit must be at most " + std::to_string(im.limits.search_limit_max));
    int64_t after = 0;
    if (body.contains("after") && !body["after"].is_null()) {
      std::string a = ValueText(body["after"]);
      if (!a.empty()) {
        if (!IsDigits(a) || a.size() > 9)
          return im.Error(call, 400, "VALIDATION_ERROR", "after must be a numeric offset");
        after = std::stoll(a);
      }
    }
    if (after + limit > im.limits.search_result_cap)
      return im.Error(call, 400, "VALIDATION_ERROR",
                      "The search API returns at most " +
                          std::to_string(im.limits.search_result_cap) +
                          " results; after + limit may not exceed it. Narrow the search with "
                          "filters.");
    // Filters.
    struct Filter {
      const FieldDef* field;
      std::string op, value, high;
      std::vector<std::string> values;
    };
    std::vector<std::vector<Filter>> groups;
    const json fg = body.value("filterGroups", json::array());
    if (!fg.is_array())
      return im.Error(call, 400, "VALIDATION_ERROR", "filterGroups must be an array");
    if (fg.size() > static_cast<size_t>(im.limits.max_filter_groups))
      return im.Error(
          call, 400, "VALIDATION_ERROR",
          "Too many filter groups (maximum " + std::to_string(im.limits.max_filter_groups) + ")");
    size_t total_filters = 0;
    static const std::set<std::string> ops = {"EQ",
                                              "NEQ",
                                              "LT",
                                              "LTE",
                                              "GT",
                                              "GTE",
                                              "BETWEEN",
                                              "IN",
                                              "NOT_IN",
                                              "HAS_PROPERTY",
                                              "NOT_HAS_PROPERTY",
                                              "CONTAINS_TOKEN",
                                              "NOT_CONTAINS_TOKEN"};
    for (const auto& g : fg) {
      std::vector<Filter> group;
      const json filters = g.value("filters", json::array());
      if (filters.size() > static_cast<size_t>(im.limits.max_filters_per_group))
        return im.Error(call, 400, "VALIDATION_ERROR",
                        "Too many filters in a group (maximum " +
                            std::to_string(im.limits.max_filters_per_group) + ")");
      total_filters += filters.size();
      for (const auto& f : filters) {
        Filter x;
        std::string prop = f.value("propertyName", "");
        x.field = def->Find(prop);
        x.op = f.value("operator", "EQ");
        if (!x.field)
          return im.Error(call, 400, "VALIDATION_ERROR",
                          "Property " + prop + " does not exist on " + def->name);
        if (!ops.count(x.op))
          return im.Error(call, 400, "VALIDATION_ERROR", "Unknown operator " + x.op);
        if (f.contains("value")) x.value = ValueText(f["value"]);
        if (f.contains("highValue")) x.high = ValueText(f["highValue"]);
        for (const auto& v : f.value("values", json::array())) x.values.push_back(ValueText(v));
        group.push_back(std::move(x));
      }
      groups.push_back(std::move(group));
    }
    if (total_filters > static_cast<size_t>(im.limits.max_filters_total))
      return im.Error(
          call, 400, "VALIDATION_ERROR",
          "Too many filters (maximum " + std::to_string(im.limits.max_filters_total) + ")");
    // Typed comparison of a stored value with a filter value.
    auto compare = [](const FieldDef& f, const std::string& a, const std::string& b) -> int {
      if (f.kind == FieldKind::kNumber || f.kind == FieldKind::kInteger) {
        if (IsNumeric(a) && IsNumeric(b)) {
          double x = std::stod(a), y = std::stod(b);
          return x < y ? -1 : x > y ? 1 : 0;
        }
      }
      if (f.kind == FieldKind::kDate || f.kind == FieldKind::kDateTime) {
        auto x = ParseTimeOrEpochMs(a), y = ParseTimeOrEpochMs(b);
        if (x && y) return *x < *y ? -1 : *x > *y ? 1 : 0;
      }
      std::string x = Lower(a), y = Lower(b);
      return x < y ? -1 : x > y ? 1 : 0;
    };
    auto match = [&](const StoredRecord& r, const Filter& f) {
      auto v = im.PropValue(*def, r, f.field->name);
      bool has = v && !v->empty();
      if (f.op == "HAS_PROPERTY") return has;
      if (f.op == "NOT_HAS_PROPERTY") return !has;
      auto eq = [&](const std::string& x) { return has && compare(*f.field, *v, x) == 0; };
      if (f.op == "EQ") return eq(f.value);
      if (f.op == "NEQ") return !eq(f.value);
      if (f.op == "IN") return std::any_of(f.values.begin(), f.values.end(), eq);
      if (f.op == "NOT_IN") return std::none_of(f.values.begin(), f.values.end(), eq);
      if (f.op == "CONTAINS_TOKEN" || f.op == "NOT_CONTAINS_TOKEN") {
        bool found = false;
        if (has) {
          std::string pattern =
              f.value.find('*') == std::string::npos ? "*" + f.value + "*" : f.value;
          found = Glob(pattern, *v);
        }
        return f.op == "CONTAINS_TOKEN" ? found : !found;
      }
      if (!has) return false;
      int c = compare(*f.field, *v, f.value);
      if (f.op == "LT") return c < 0;
      if (f.op == "LTE") return c <= 0;
      if (f.op == "GT") return c > 0;
      if (f.op == "GTE") return c >= 0;
      if (f.op == "BETWEEN") return c >= 0 && compare(*f.field, *v, f.high) <= 0;
      return false;
    };
    std::string query = Lower(body.value("query", ""));
    int64_t visible_before = im.Now() - im.limits.search_index_delay_ms;
    // Sorts.
    std::vector<std::pair<const FieldDef*, bool>> sorts;
    for (const auto& s : body.value("sorts", json::array())) {
      std::string name;
      bool desc = false;
      if (s.is_string()) {
        name = s.get<std::string>();
        if (!name.empty() && name[0] == '-') desc = true, name = name.substr(1);
      } else {
        name = s.value("propertyName", "");
        desc = s.value("direction", "ASCENDING") == "DESCENDING";
      }
      const FieldDef* f = def->Find(name);
      if (!f)
        return im.Error(call, 400, "VALIDATION_ERROR", "Cannot sort on unknown property " + name);
      sorts.emplace_back(f, desc);
    }
    auto props = JsonStrings(body.value("properties", json::array()));
    auto respond = [&](const std::vector<StoredRecord>& page, int64_t total) {
      json results = json::array();
      for (const auto& r : page)
        results.push_back(im.Render(*def, r, props.empty() ? nullptr : &props, false, {}));
      json out = {{"total", total}, {"results", results}};
      if (after + limit < total && limit > 0)
        out["paging"] = {{"next", {{"after", std::to_string(after + limit)}}}};
      call.Json(200, std::move(out));
    };

    // Fast path: filters and sorts on the record id and timestamps only (a change feed:
    // lastmodifieddate GTE x, sorted by it). Their values come from the record's columns, so
    // the store's indexes give the count and the page without reading any other record.
    auto column = [&](const FieldDef& f) -> std::optional<RecordColumn> {
      const std::string& n = f.name;
      bool numeric = f.kind == FieldKind::kNumber || f.kind == FieldKind::kInteger;
      bool time = f.kind == FieldKind::kDate || f.kind == FieldKind::kDateTime;
      if (n == "hs_object_id" && numeric) return RecordColumn::kSeq;
      if ((n == "createdate" || n == "hs_createdate") && time) return RecordColumn::kCreated;
      if ((n == "lastmodifieddate" || n == "hs_lastmodifieddate") && time)
        return RecordColumn::kUpdated;
      return std::nullopt;
    };
    auto column_value = [](RecordColumn c, const std::string& v) -> std::optional<int64_t> {
      if (c == RecordColumn::kSeq) {
        if (!IsDigits(v) || v.size() > 15) return std::nullopt;
        return std::stoll(v);
      }
      return ParseTimeOrEpochMs(v);
    };
    // A keyset continuation, (T GT v) OR (T EQ v AND hs_object_id NOT_IN [...]) on a timestamp
    // column T: the records after v and those at v not read yet. It is the range T >= v without
    // the listed records that are still at v (one written since moved past v and is kept).
    std::unordered_set<int64_t> read_at;  // the listed ids, in force at T == v only
    int64_t read_at_ms = 0;
    if (groups.size() == 2 && query.empty() && groups[0].size() == 1 && groups[1].size() == 2) {
      const Filter& gt = groups[0][0];
      const Filter* eq = &groups[1][0];
      const Filter* not_in = &groups[1][1];
      if (eq->op == "NOT_IN") std::swap(eq, not_in);
      auto c = column(*gt.field);
      auto id_column = column(*not_in->field);
      auto v = c ? column_value(*c, gt.value) : std::nullopt;
      bool ok = c && *c == RecordColumn::kUpdated && gt.op == "GT" && eq->op == "EQ" &&
                eq->field == gt.field && eq->value == gt.value && v && not_in->op == "NOT_IN" &&
                id_column && *id_column == RecordColumn::kSeq;
      for (const auto& id : ok ? not_in->values : std::vector<std::string>{}) {
        auto seq = column_value(RecordColumn::kSeq, id);
        if (!seq) {
          ok = false;
          break;
        }
        read_at.insert(*seq);
      }
      if (ok) {
        Filter gte = gt;
        gte.op = "GTE";
        groups = {{gte}};
        read_at_ms = *v;
      } else {
        read_at.clear();
      }
    }
    std::optional<RecordRange> range;
    if (groups.size() <= 1 && query.empty()) {
      RecordRange r;
      r.deleted = false;
      bool ok = true;
      for (const auto& f : groups.empty() ? std::vector<Filter>{} : groups[0]) {
        auto c = column(*f.field);
        if (!c) {
          ok = false;
          break;
        }
        int64_t *lo = &r.seq_lo, *hi = &r.seq_hi;
        if (*c == RecordColumn::kCreated) lo = &r.created_lo, hi = &r.created_hi;
        if (*c == RecordColumn::kUpdated) lo = &r.updated_lo, hi = &r.updated_hi;
        if (f.op == "HAS_PROPERTY") continue;  // these always have a value
        auto v = column_value(*c, f.value);
        if (!v) {
          ok = false;
          break;
        }
        if (f.op == "EQ") {
          *lo = std::max(*lo, *v), *hi = std::min(*hi, *v);
        } else if (f.op == "GT") {
          *lo = std::max(*lo, *v + 1);
        } else if (f.op == "GTE") {
          *lo = std::max(*lo, *v);
        } else if (f.op == "LT") {
          *hi = std::min(*hi, *v - 1);
        } else if (f.op == "LTE") {
          *hi = std::min(*hi, *v);
        } else if (f.op == "BETWEEN") {
          auto high = column_value(*c, f.high);
          if (!high) {
            ok = false;
            break;
          }
          *lo = std::max(*lo, *v), *hi = std::min(*hi, *high);
        } else {
          ok = false;
          break;
        }
      }
      std::vector<RecordOrder> order;
      for (const auto& [f, desc] : sorts) {
        auto c = column(*f);
        if (!c) {
          ok = false;
          break;
        }
        order.push_back({*c, desc});
      }
      if (ok) {
        // The search index lags behind writes by search_index_delay_ms.
        if (im.limits.search_index_delay_ms > 0)
          r.updated_hi = std::min(r.updated_hi, visible_before);
        int64_t total = im.store->CountRange(def->name, r);
        std::vector<StoredRecord> page;
        if (read_at.empty()) {
          for (const auto& id : im.store->IdsInRange(def->name, r, order, after, limit))
            if (auto rec = im.store->Get(def->name, id)) page.push_back(std::move(*rec));
          return respond(page, total);
        }
        // Without the listed records still at v (and in the range): the total leaves them out,
        // and the page reads past them.
        auto left_out = [&](const StoredRecord& rec) {
          return rec.updated_ms == read_at_ms && read_at.count(rec.seq) > 0;
        };
        int64_t listed_in_range = 0;
        for (int64_t seq : read_at) {
          auto rec = im.store->Get(def->name, std::to_string(seq));
          if (rec && !rec->deleted && left_out(*rec) && rec->updated_ms <= r.updated_hi)
            ++listed_in_range;
        }
        int64_t skip = after;
        for (const auto& id :
             im.store->IdsInRange(def->name, r, order, 0, after + limit + listed_in_range)) {
          auto rec = im.store->Get(def->name, id);
          if (!rec || left_out(*rec)) continue;
          if (skip > 0) {
            --skip;
            continue;
          }
          if (static_cast<int64_t>(page.size()) < limit) page.push_back(std::move(*rec));
        }
        return respond(page, total - listed_in_range);
      }
    }

    // Otherwise every record is matched, or, when each filter group has an EQ or IN filter on
    // a unique text property (email IN [...]), only the records with those values.
    std::vector<StoredRecord> hits;
    auto consider = [&](StoredRecord&& r) {
      // The search index lags behind writes by search_index_delay_ms.
      if (im.limits.search_index_delay_ms > 0 && r.updated_ms > visible_before) return;
      bool ok = groups.empty();
      for (const auto& g : groups) {
        if (std::all_of(g.begin(), g.end(), [&](const Filter& f) { return match(r, f); })) {
          ok = true;
          break;
        }
      }
      if (ok && !query.empty()) {
        bool found = false;
        for (auto& [k, v] : r.data.items())
          if (v.is_string() && Lower(v.get<std::string>()).find(query) != std::string::npos)
            found = true;
        ok = found;
      }
      if (ok) hits.push_back(std::move(r));
    };
    std::optional<std::vector<std::string>> candidates;
    if (!groups.empty()) {
      const auto& unique = im.IndexedFields(*def);
      std::vector<std::string> ids;
      bool all_groups = true;
      for (const auto& g : groups) {
        const Filter* key = nullptr;
        for (const auto& f : g) {
          FieldKind k = f.field->kind;
          bool text = k == FieldKind::kString || k == FieldKind::kText || k == FieldKind::kEmail ||
                      k == FieldKind::kPhone || k == FieldKind::kUrl;
          if ((f.op == "EQ" || f.op == "IN") && text &&
              std::find(unique.begin(), unique.end(), f.field->name) != unique.end()) {
            key = &f;
            break;
          }
        }
        if (!key) {
          all_groups = false;
          break;
        }
        std::vector<std::string> values =
            key->op == "EQ" ? std::vector<std::string>{key->value} : key->values;
        for (const auto& v : values)
          for (auto& id : im.store->FindByIndex(def->name, key->field->name, v))
            ids.push_back(std::move(id));
      }
      if (all_groups) candidates = std::move(ids);
    }
    if (candidates) {
      std::vector<std::pair<int64_t, std::string>> order;  // seq order, as a scan reads
      for (auto& id : *candidates)
        if (IsDigits(id) && id.size() < 16) order.emplace_back(std::stoll(id), std::move(id));
      std::sort(order.begin(), order.end());
      order.erase(std::unique(order.begin(), order.end()), order.end());
      for (const auto& [seq, id] : order)
        if (auto r = im.Live(*def, id)) consider(std::move(*r));
    } else {
      im.store->ForEach(def->name, false, consider);
    }
    // A total order (ties broken by id), so std::sort is as deterministic as a stable sort.
    std::sort(hits.begin(), hits.end(), [&](const StoredRecord& a, const StoredRecord& b) {
      for (const auto& [f, desc] : sorts) {
        auto x = im.PropValue(*def, a, f->name), y = im.PropValue(*def, b, f->name);
        if (!x && !y) continue;
        if (!x) return false;  // missing values last
        if (!y) return true;
        int c = compare(*f, *x, *y);
        if (c != 0) return desc ? c > 0 : c < 0;
      }
      return a.seq < b.seq;
    });
    std::vector<StoredRecord> page;
    for (int64_t i = after; i < static_cast<int64_t>(hits.size()) && i < after + limit; ++i)
      page.push_back(std::move(hits[static_cast<size_t>(i)]));
    respond(page, static_cast<int64_t>(hits.size()));
  });

  // ---- properties
  router.Add("GET", "/crm/v3/properties/{t}", [object](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    json results = json::array();
    int order = 0;
    for (const auto& f : def->fields) results.push_back(PropertyJson(f, order++));
    call.Json(200, {{"results", results}});
  });
  router.Add("GET", "/crm/v3/properties/{t}/{name}", [&im, object](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    for (size_t i = 0; i < def->fields.size(); ++i)
      if (def->fields[i].name == call.Param("name"))
        return call.Json(200, PropertyJson(def->fields[i], static_cast<int>(i)));
    im.Error(call, 404, "OBJECT_NOT_FOUND",
             "Unable to find property " + call.Param("name") + " on object " + def->name);
  });
  auto save_property = [&im](const ObjectDef& def, json body) {
    std::string key = "hs:props:" + def.name;
    json list = json::array();
    if (auto s = im.store->GetSetting(key)) list = json::parse(*s);
    json kept = json::array();
    for (const auto& p : list)
      if (p.value("name", "") != body.value("name", "")) kept.push_back(p);
    kept.push_back(body);
    im.store->SetSetting(key, kept.dump());
    im.LoadObjects();
  };
  router.Add("POST", "/crm/v3/properties/{t}", [&im, object, save_property](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    auto body = ParseJsonBody(im, call);
    if (!body) return;
    std::string err;
    auto f = FieldFromProperty(*body, &err);
    if (!f) return im.Error(call, 400, "VALIDATION_ERROR", err);
    if (def->Find(f->name) && def->Find(f->name)->name == f->name)
      return im.Error(call, 409, "CONFLICT", "A property named '" + f->name + "' already exists.");
    std::string name = def->name;
    save_property(*def, *body);
    const ObjectDef* now = im.FindObject(name);
    call.Json(201, PropertyJson(*now->Find(f->name), static_cast<int>(now->fields.size() - 1)));
  });
  router.Add("PATCH", "/crm/v3/properties/{t}/{name}", [&im, object, save_property](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    auto body = ParseJsonBody(im, call);
    if (!body) return;
    const FieldDef* f = def->Find(call.Param("name"));
    if (!f || f->name != call.Param("name"))
      return im.Error(call, 404, "OBJECT_NOT_FOUND",
                      "Unable to find property " + call.Param("name"));
    json merged = PropertyJson(*f, 0);
    for (auto& [k, v] : body->items()) merged[k] = v;
    merged["name"] = f->name;
    std::string err;
    if (!FieldFromProperty(merged, &err)) return im.Error(call, 400, "VALIDATION_ERROR", err);
    std::string name = def->name, prop = f->name;
    save_property(*def, merged);
    call.Json(200, PropertyJson(*im.FindObject(name)->Find(prop), 0));
  });
  router.Add("DELETE", "/crm/v3/properties/{t}/{name}", [&im, object, save_property](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    const FieldDef* f = def->Find(call.Param("name"));
    if (!f || f->name != call.Param("name"))
      return im.Error(call, 404, "OBJECT_NOT_FOUND",
                      "Unable to find property " + call.Param("name"));
    json body = PropertyJson(*f, 0);
    if (!body["modificationMetadata"]["archivable"].get<bool>())
      return im.Error(call, 400, "VALIDATION_ERROR",
                      "Property " + f->name + " is HubSpot-defined and cannot be archived");
    body["archived"] = true;
    save_property(*def, body);
    call.Empty(204);
  });

  // ---- custom object schemas
  auto schema_json = [&im](const ObjectDef& def) {
    json props = json::array();
    json required = json::array();
    int order = 0;
    for (const auto& f : def.fields) {
      props.push_back(PropertyJson(f, order++));
      if (f.required_on_create) required.push_back(f.name);
    }
    return json{{"id", def.object_type_id.substr(2)},
                {"objectTypeId", def.object_type_id},
                {"fullyQualifiedName", "p" + std::to_string(im.limits.portal_id) + "_" + def.name},
                {"name", def.name},
                {"labels", {{"singular", def.label}, {"plural", def.label + "s"}}},
                {"primaryDisplayProperty", def.primary_display_property},
                {"requiredProperties", required},
                {"properties", props},
                {"associations", json::array()},
                {"archived", false}};
  };
  router.Add("GET", "/crm/v3/schemas", [&im, schema_json](Call& call) {
    json results = json::array();
    for (const auto& [name, def] : im.objects)
      if (def.custom) results.push_back(schema_json(def));
    call.Json(200, {{"results", results}});
  });
  router.Add("GET", "/crm/v3/schemas/{t}", [&im, schema_json](Call& call) {
    const ObjectDef* def = im.FindObject(call.Param("t"));
    if (!def || !def->custom)
      return im.Error(call, 404, "OBJECT_NOT_FOUND", "Unable to find schema " + call.Param("t"));
    call.Json(200, schema_json(*def));
  });
  router.Add("POST", "/crm/v3/schemas", [&im, schema_json](Call& call) {
    auto body = ParseJsonBody(im, call);
    if (!body) return;
    std::string name = body->value("name", "");
    if (name.empty() || !body->contains("properties"))
      return im.Error(call, 400, "VALIDATION_ERROR", "name, labels and properties are required");
    if (im.FindObject(name))
      return im.Error(call, 409, "CONFLICT", "Object type " + name + " already exists");
    int64_t n = im.store->NextCounter("hs:schema", 2001);
    json schemas = json::array();
    if (auto s = im.store->GetSetting("hs:schemas")) schemas = json::parse(*s);
    schemas.push_back({{"name", name},
                       {"label", (*body)["labels"].value("singular", name)},
                       {"objectTypeId", "2-" + std::to_string(n)},
                       {"primaryDisplayProperty", body->value("primaryDisplayProperty", "")}});
    im.store->SetSetting("hs:schemas", schemas.dump());
    json props = json::array();
    auto required = JsonStrings(body->value("requiredProperties", json::array()));
    for (auto p : (*body)["properties"]) {
      if (p.contains("name") && std::find(required.begin(), required.end(),
                                          p["name"].get<std::string>()) != required.end())
        p["_required"] = true;
      if (p.contains("name") && p["name"] == body->value("primaryDisplayProperty", ""))
        p["hasUniqueValue"] = p.value("hasUniqueValue", false);
      props.push_back(p);
    }
    im.store->SetSetting("hs:props:" + name, props.dump());
    im.LoadObjects();
    im.BuildAssocTypes();
    call.Json(201, schema_json(*im.FindObject(name)));
  });

  // ---- OAuth (v1 token endpoint): any well-formed grant gets this sandbox's token, so that
  // a connector's refresh path runs unchanged.
  router.Add(
      "POST", "/oauth/v1/token",
      [this, &im](Call& call) {
        std::string grant = call.Query("grant_type");
        bool known = grant == "refresh_token" || grant == "authorization_code";
        bool has_secret = !call.Query("client_id").empty() && !call.Query("client_secret").empty();
        bool has_proof = grant == "refresh_token" ? !call.Query("refresh_token").empty()
                                                  : !call.Query("code").empty();
        if (!known || !has_secret || !has_proof)
          return im.Error(call, 400, "VALIDATION_ERROR",
                          known ? "missing or unknown client id, secret, code or refresh token"
                                : "grant_type must be authorization_code or refresh_token",
                          {{"status", known ? "BAD_REFRESH_TOKEN" : "BAD_GRANT_TYPE"}});
        call.Json(200, {{"access_token", options().token},
                        {"refresh_token", "sandbox-refresh-token"},
                        {"expires_in", 1800},
                        {"token_type", "bearer"}});
      },
      true);

  // ---- account usage
  router.Add("GET", "/account-info/v3/api-usage/daily/private-apps", [&im](Call& call) {
    int64_t now = im.Now();
    call.Json(200, {{"results",
                     {{{"name", "api-calls-daily"},
                       {"usageLimit", im.limits.daily},
                       {"currentUsage", im.daily_count},
                       {"collectedAt", FormatIsoMs(now)},
                       {"fetchStatus", "SUCCESS"},
                       {"resetsAt", FormatIsoMs((now / kDayMs + 1) * kDayMs)}}}}});
  });

  im.RegisterGraphRoutes(router);
  im.RegisterOwnerRoutes(router);
}

}  // namespace syncline::sandbox
