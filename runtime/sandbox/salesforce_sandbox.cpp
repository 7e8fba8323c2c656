// Salesforce REST v60.0 records: ids, field validation and derivation, single-record CRUD,
// upsert by external id, sObject collections, updated/deleted replication, limits, lead
// conversion and the vendor control API. SOQL and describe are in salesforce_query.cpp.
#include "sandbox/salesforce_sandbox.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "sandbox/demo_data.h"
#include "sandbox/salesforce_impl.h"
#include "sandbox/time_format.h"

namespace syncline::sandbox {

using nlohmann::json;

void to_json(json& j, const SalesforceLimits& l) {
  j = {{"daily_api_requests", l.daily_api_requests},
       {"collection_max", l.collection_max},
       {"query_batch_max", l.query_batch_max},
       {"query_batch_min", l.query_batch_min},
       {"max_offset", l.max_offset},
       {"locator_ttl_ms", l.locator_ttl_ms},
       {"duplicate_rules", l.duplicate_rules},
       {"updated_window_days", l.updated_window_days},
       {"deleted_window_days", l.deleted_window_days},
       {"replication_id_limit", l.replication_id_limit},
       {"api_version", l.api_version}};
}

void from_json(const json& j, SalesforceLimits& l) {
  SalesforceLimits d = l;
  l.daily_api_requests = j.value("daily_api_requests", d.daily_api_requests);
  l.collection_max = j.value("collection_max", d.collection_max);
  l.query_batch_max = j.value("query_batch_max", d.query_batch_max);
  l.query_batch_min = j.value("query_batch_min", d.query_batch_min);
  l.max_offset = j.value("max_offset", d.max_offset);
  l.locator_ttl_ms = j.value("locator_ttl_ms", d.locator_ttl_ms);
  l.duplicate_rules = j.value("duplicate_rules", d.duplicate_rules);
  l.updated_window_days = j.value("updated_window_days", d.updated_window_days);
  l.deleted_window_days = j.value("deleted_window_days", d.deleted_window_days);
  l.replication_id_limit = j.value("replication_id_limit", d.replication_id_limit);
  l.api_version = j.value("api_version", d.api_version);
}

void from_json(const json& j, LeadConversion& c) {
  c.lead_id = j.value("leadId", "");
  c.account_id = j.value("accountId", "");
  c.contact_id = j.value("contactId", "");
  c.create_opportunity = !j.value("doNotCreateOpportunity", false);
  c.opportunity_name = j.value("opportunityName", "");
  c.converted_status = j.value("convertedStatus", "Closed - Converted");
}

// ---- ids -----------------------------------------------------------------------------------

std::string SfTo18(const std::string& id) {
  static const char* map = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  std::string id15 = id.substr(0, 15);
  std::string suffix;
  for (int chunk = 0; chunk < 3; ++chunk) {
    int bits = 0;
    for (int i = 0; i < 5; ++i) {
      char c = id15[static_cast<size_t>(chunk * 5 + i)];
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix.push_back(map[bits]);
  }
  return id15 + suffix;
}

std::string SalesforceSandbox::To18(const std::string& id15) {
  return id15.size() >= 15 ? SfTo18(id15) : id15;
}

json ItemError(const SfError& e) {
  json out = {{"statusCode", e.code}, {"message", e.message}, {"fields", e.fields}};
  if (e.extra.is_object())
    for (auto& [k, v] : e.extra.items()) out[k] = v;
  return out;
}

namespace {

bool IEq(const std::string& a, const std::string& b) {
  return Lower(a) == Lower(b);
}

bool ValidIdText(const std::string& id) {
  if (id.size() != 15 && id.size() != 18) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

const char* kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// Opportunity stage metadata: (IsClosed, IsWon, probability, forecast category).
struct Stage {
  const char* name;
  bool closed, won;
  int probability;
  const char* forecast;
};
const Stage kStages[] = {{"Prospecting", false, false, 10, "Pipeline"},
                         {"Qualification", false, false, 10, "Pipeline"},
                         {"Needs Analysis", false, false, 20, "Pipeline"},
                         {"Value Proposition", false, false, 50, "Pipeline"},
                         {"Id. Decision Makers", false, false, 60, "Pipeline"},
                         {"Perception Analysis", false, false, 70, "Pipeline"},
                         {"Proposal/Price Quote", false, false, 75, "Pipeline"},
                         {"Negotiation/Review", false, false, 90, "Commit"},
                         {"Closed Won", true, true, 100, "Closed"},
                         {"Closed Lost", true, false, 0, "Omitted"}};

const std::vector<std::string> kAddressPrefixes = {"Billing", "Shipping", "Mailing", "Other", ""};

}  // namespace

bool IsAddressCodeField(const std::string& name) {
  for (const auto& prefix : kAddressPrefixes)
    if (name == prefix + "CountryCode" || name == prefix + "StateCode") return true;
  return false;
}

namespace {

std::string Str(const json& v) {
  return v.is_string() ? v.get<std::string>() : std::string();
}

}  // namespace

// ---- Impl: objects and records ---------------------------------------------------------------

void SalesforceSandbox::Impl::LoadObjects() {
  objects.clear();
  prefix_to_object.clear();
  indexed.clear();
  for (auto& o : self->options().catalog->Objects(Vendor::kSalesforce)) {
    prefix_to_object[o.key_prefix] = o.name;
    o.BuildIndex();
    std::vector<std::string>& fields = indexed[o.name];
    fields.clear();
    for (const auto& f : o.fields) {
      bool user_ref =
          f.name == "OwnerId" || f.name == "CreatedById" || f.name == "LastModifiedById";
      if (f.external_id || f.unique || f.kind == FieldKind::kEmail ||
          (f.kind == FieldKind::kReference && !user_ref))
        fields.push_back(f.name);
    }
    objects[o.name] = std::move(o);
  }
}

const ObjectDef* SalesforceSandbox::Impl::FindObject(const std::string& name) const {
  auto it = objects.find(name);
  if (it != objects.end()) return &it->second;
  for (const auto& [n, def] : objects)
    if (IEq(n, name)) return &def;
  return nullptr;
}

std::string SalesforceSandbox::Impl::NewId(const ObjectDef& def) {
  int64_t n = store->NextCounter("sf:id:" + def.key_prefix, 1);
  std::string body(10, '0');
  for (int i = 9; i >= 0 && n > 0; --i) {
    body[static_cast<size_t>(i)] = kBase62[n % 62];
    n /= 62;
  }
  return SfTo18(def.key_prefix + "5g" + body);
}

std::optional<std::string> SalesforceSandbox::Impl::NormalizeId(const std::string& id) const {
  if (!ValidIdText(id)) return std::nullopt;
  return SfTo18(id);
}

const ObjectDef* SalesforceSandbox::Impl::ObjectOfId(const std::string& id18) const {
  auto it = prefix_to_object.find(id18.substr(0, 3));
  return it == prefix_to_object.end() ? nullptr : FindObject(it->second);
}

const std::vector<std::string>& SalesforceSandbox::Impl::Indexed(const ObjectDef& def) const {
  static const std::vector<std::string> none;
  auto it = indexed.find(def.name);
  return it == indexed.end() ? none : it->second;
}

namespace {
// Bumped whenever the choice of indexed fields changes.
constexpr const char* kIndexVersion = "2";
}  // namespace

void SalesforceSandbox::Impl::ReindexIfNeeded() {
  auto version = store->GetSetting("sf:index_version");
  if (version && *version == kIndexVersion) return;
  store->Begin();
  try {
    for (const auto& [name, def] : objects)
      store->ForEach(name, std::nullopt,
                     [&](StoredRecord&& r) { store->Put(r, Indexed(def), true, true); });
    store->SetSetting("sf:index_version", kIndexVersion);
    store->Commit();
  } catch (...) {
    store->Rollback();
    throw;
  }
}

json SalesforceSandbox::Impl::FieldValue(const ObjectDef& def, const StoredRecord& r,
                                         const FieldDef& f) const {
  (void)def;
  const std::string& n = f.name;
  if (n == "Id") return r.id;
  if (n == "IsDeleted") return r.deleted;
  if (n == "CreatedDate") return FormatSfDateTime(r.created_ms);
  if (n == "LastModifiedDate") return FormatSfDateTime(r.updated_ms);
  if (n == "SystemModstamp") return FormatSfDateTime(r.modstamp_ms);
  if (n == "CreatedById" || n == "LastModifiedById") return default_user_id;
  auto it = r.data.find(n);
  if (it == r.data.end() || it->is_null())
    return f.kind == FieldKind::kBool ? json(false) : json(nullptr);
  return *it;
}

json SalesforceSandbox::Impl::Render(const ObjectDef& def, const StoredRecord& r,
                                     const std::vector<const FieldDef*>* fields) const {
  json out = {
      {"attributes", {{"type", def.name}, {"url", Base() + "/sobjects/" + def.name + "/" + r.id}}}};
  if (fields) {
    for (const auto* f : *fields) out[f->name] = FieldValue(def, r, *f);
  } else {
    for (const auto& f : def.fields) out[f.name] = FieldValue(def, r, f);
  }
  return out;
}

std::optional<std::string> SalesforceSandbox::Impl::RecordTypeFor(const ObjectDef& def,
                                                                  const std::string& id) {
  auto norm = NormalizeId(id);
  if (!norm) return std::nullopt;
  // The Master record type: the object's default, stored as no record type.
  if (*norm == SfTo18(kMasterRecordTypeId)) return std::string();
  const ObjectDef* rt_def = FindObject("RecordType");
  if (!rt_def || norm->rfind(rt_def->key_prefix, 0) != 0) return std::nullopt;
  auto rt = Live(*rt_def, *norm);
  if (!rt || rt->data.value("SobjectType", "") != def.name || !rt->data.value("IsActive", false))
    return std::nullopt;
  return *norm;
}

std::optional<StoredRecord> SalesforceSandbox::Impl::Live(const ObjectDef& def,
                                                          const std::string& id) {
  auto norm = NormalizeId(id);
  if (!norm) return std::nullopt;
  auto r = store->Get(def.name, *norm);
  if (!r || r->deleted) return std::nullopt;
  return r;
}

void SalesforceSandbox::Impl::Errors(Call& call, int status, const std::vector<SfError>& errors) {
  json arr = json::array();
  for (const auto& e : errors) {
    json item = {{"message", e.message}, {"errorCode", e.code}};
    if (!e.fields.empty()) item["fields"] = e.fields;
    if (e.extra.is_object())
      for (auto& [k, v] : e.extra.items()) item[k] = v;
    arr.push_back(item);
  }
  call.Json(status, std::move(arr));
}

std::optional<SfError> SalesforceSandbox::Impl::Prepare(const ObjectDef& def, const json& input,
                                                        const StoredRecord* existing,
                                                        StoredRecord& out,
                                                        const SfWriteOptions& options) {
  if (!input.is_object())
    return SfError{
        "JSON_PARSER_ERROR",
        "Cannot deserialize instance of " + def.name + " from " + std::string(input.type_name()),
        {},
        nullptr};
  bool creating = existing == nullptr;
  if (existing) {
    out = *existing;
    if (def.name == "Lead" && existing->data.value("IsConverted", false))
      return SfError{
          "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", {}, nullptr};
  } else {
    out = StoredRecord();
    out.object = def.name;
  }
  json changes = json::object();
  for (auto& [key, value] : input.items()) {
    if (key == "attributes") continue;
    const FieldDef* f = def.Find(key);
    if (!f)
      return SfError{"INVALID_FIELD",
                     "No such column '" + key + "' on sobject of type " + def.name,
                     {key},
                     nullptr};
    if (f->name == "Id") {
      if (creating && !value.is_null() && !options.system)
        return SfError{"INVALID_FIELD_FOR_INSERT_UPDATE",
                       "cannot specify Id in an insert call",
                       {"Id"},
                       nullptr};
      continue;  // update: the id is the record's own
    }
    bool writable = options.system || (!f->read_only && (creating || !f->create_only));
    if (!writable)
      return SfError{"INVALID_FIELD_FOR_INSERT_UPDATE",
                     "Unable to " + std::string(creating ? "create" : "update") +
                         " fields: " + f->name +
                         ". Please check the security settings of this field and verify that it "
                         "is read/write for your profile or permission set.",
                     {f->name},
                     nullptr};
    if (value.is_null() || (value.is_string() && value.get<std::string>().empty() &&
                            f->kind != FieldKind::kString && f->kind != FieldKind::kText)) {
      changes[f->name] = nullptr;
      continue;
    }
    auto parse_error = [&](const std::string& type) {
      return SfError{"JSON_PARSER_ERROR",
                     "Cannot deserialize instance of " + type + " from " +
                         (value.is_string() ? "VALUE_STRING value " + value.get<std::string>()
                                            : std::string(value.type_name())) +
                         " or request may be missing a required field",
                     {f->name},
                     nullptr};
    };
    switch (f->kind) {
      case FieldKind::kBool:
        if (value.is_boolean()) {
          changes[f->name] = value;
        } else if (value.is_string() && (IEq(value, "true") || IEq(value, "false"))) {
          changes[f->name] = IEq(value, "true");
        } else {
          return parse_error("boolean");
        }
        break;
      case FieldKind::kInteger:
      case FieldKind::kNumber: {
        double d;
        if (value.is_number()) {
          d = value.get<double>();
        } else if (value.is_string()) {
          try {
            size_t used;
            d = std::stod(value.get<std::string>(), &used);
            if (used != value.get<std::string>().size()) return parse_error("double");
          } catch (...) {
            return parse_error(f->kind == FieldKind::kInteger ? "int" : "double");
          }
        } else {
          return parse_error("double");
        }
        if (f->kind == FieldKind::kInteger) {
          if (std::floor(d) != d) return parse_error("int");
          changes[f->name] = static_cast<int64_t>(d);
        } else {
          changes[f->name] = d;
        }
        break;
      }
      case FieldKind::kDate: {
        auto ms = value.is_string() ? ParseIsoTime(value.get<std::string>()) : std::nullopt;
        if (!ms) return parse_error("date");
        changes[f->name] = FormatDate(*ms);
        break;
      }
      case FieldKind::kDateTime: {
        std::optional<int64_t> ms;
        if (value.is_string()) ms = ParseIsoTime(value.get<std::string>());
        if (value.is_number_integer()) ms = value.get<int64_t>();
        if (!ms) return parse_error("datetime");
        changes[f->name] = FormatSfDateTime(*ms);
        break;
      }
      case FieldKind::kReference:
      case FieldKind::kId: {
        if (!value.is_string()) return parse_error("id");
        if (f->name == "RecordTypeId") {
          auto rt = RecordTypeFor(def, value.get<std::string>());
          if (!rt)
            return SfError{"INVALID_CROSS_REFERENCE_KEY",
                           "Record Type ID: this ID value isn't valid for the user: " +
                               value.get<std::string>(),
                           {f->name},
                           nullptr};
          changes[f->name] = rt->empty() ? json(nullptr) : json(*rt);
          break;
        }
        auto id = NormalizeId(value);
        const ObjectDef* target = id ? ObjectOfId(*id) : nullptr;
        bool type_ok = target && std::find(f->reference_to.begin(), f->reference_to.end(),
                                           target->name) != f->reference_to.end();
        if (!id || !type_ok)
          return SfError{"FIELD_INTEGRITY_EXCEPTION",
                         f->label + ": id value of incorrect type: " + value.get<std::string>(),
                         {f->name},
                         nullptr};
        if (!Live(*target, *id))
          return SfError{
              "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {f->name}, nullptr};
        changes[f->name] = *id;
        break;
      }
      default: {
        std::string s;
        if (value.is_string()) {
          s = value.get<std::string>();
        } else if (value.is_number()) {
          s = value.dump();
        } else {
          return parse_error("String");
        }
        if (static_cast<int>(s.size()) > f->length)
          return SfError{"STRING_TOO_LONG",
                         f->label + ": data value too large: " + s.substr(0, 40) +
                             " (max length=" + std::to_string(f->length) + ")",
                         {f->name},
                         nullptr};
        if (f->kind == FieldKind::kEmail && !s.empty()) {
          if (!LooksLikeEmail(s))
            return SfError{"INVALID_EMAIL_ADDRESS",
                           f->label + ": invalid email address: " + s,
                           {f->name},
                           nullptr};
        }
        if ((f->kind == FieldKind::kEnum || f->kind == FieldKind::kMultiEnum) && f->restricted &&
            f->controller.empty() && !IsAddressCodeField(f->name)) {
          auto parts =
              f->kind == FieldKind::kMultiEnum ? SplitList(s, ';') : std::vector<std::string>{s};
          for (const auto& p : parts) {
            bool ok = std::any_of(f->options.begin(), f->options.end(),
                                  [&](const FieldOption& o) { return o.value == p; });
            if (!ok)
              return SfError{"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                             f->label + ": bad value for restricted picklist field: " + p,
                             {f->name},
                             nullptr};
          }
        }
        changes[f->name] = s;
      }
    }
  }
  for (auto& [k, v] : changes.items()) out.data[k] = v;

  // Defaults on create.
  if (creating) {
    for (const auto& f : def.fields) {
      if (out.data.contains(f.name) && !out.data[f.name].is_null()) continue;
      for (const auto& o : f.options)
        if (o.is_default) out.data[f.name] = o.value;
    }
    if (def.Find("OwnerId") && !out.data.contains("OwnerId")) out.data["OwnerId"] = default_user_id;
    if (def.name == "User") {  // new users are active Standard users unless told otherwise
      if (!out.data.contains("IsActive") || out.data["IsActive"].is_null())
        out.data["IsActive"] = true;
      if (!out.data.contains("UserType") || out.data["UserType"].is_null())
        out.data["UserType"] = "Standard";
    }
  }

  // Required fields.
  std::vector<std::string> missing;
  for (const auto& f : def.fields) {
    if (!f.required_on_create) continue;
    auto it = out.data.find(f.name);
    bool empty = it == out.data.end() || it->is_null() ||
                 (it->is_string() && it->get<std::string>().empty());
    if (empty && (creating || changes.contains(f.name))) missing.push_back(f.name);
  }
  if (!missing.empty() && !options.system) {  // system writes fill what they need
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    return SfError{"REQUIRED_FIELD_MISSING", "Required fields are missing: [" + list + "]", missing,
                   nullptr};
  }

  // State and Country/Territory picklists (the org's address settings): code and text are kept
  // in step, the text holding the entry's integration value; each address needs a country
  // before a state; a code and a text that disagree are rejected, as are inactive values.
  for (const auto& prefix : kAddressPrefixes) {
    const FieldDef* cc = def.Find(prefix + "CountryCode");
    if (!cc || cc->name != prefix + "CountryCode") continue;
    std::string country_f = prefix + "Country", code_f = prefix + "CountryCode";
    std::string state_f = prefix + "State", scode_f = prefix + "StateCode";
    bool touched = changes.contains(country_f) || changes.contains(code_f) ||
                   changes.contains(state_f) || changes.contains(scode_f);
    if (!touched) continue;
    const auto inactive = [](const std::string& field, const std::string& value) {
      return SfError{"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                     field + ": bad value for restricted picklist field: " + value,
                     {field},
                     nullptr};
    };
    const AddressCountry* country = nullptr;
    std::string code = Str(out.data.value(code_f, json())),
                text = Str(out.data.value(country_f, json()));
    if (changes.contains(code_f) && !code.empty()) {
      country = address.CountryByCode(code);
      if (!country || !country->active) return inactive(code_f, code);
      if (changes.contains(country_f) && !text.empty() && !IEq(text, country->integration_value) &&
          !IEq(text, country->code))
        return SfError{"FIELD_INTEGRITY_EXCEPTION",
                       "The " + country_f + " (" + text + ") and " + code_f + " (" + code +
                           ") fields don't match. Specify either the code or the name, or values "
                           "that agree.",
                       {country_f, code_f},
                       nullptr};
    } else if (changes.contains(country_f) && !text.empty()) {
      country = address.CountryByIntegrationValue(text);
      if (!country) country = text.size() == 2 ? address.CountryByCode(text) : nullptr;
      if (!country)
        return SfError{"FIELD_INTEGRITY_EXCEPTION",
                       "There's a problem with this country, even though it may appear correct. "
                       "Please select a country/territory from the list of valid countries.",
                       {code_f},
                       nullptr};
      if (!country->active) return inactive(country_f, text);
    } else if (!code.empty()) {
      country = address.CountryByCode(code);
    }
    if (changes.contains(code_f) && code.empty() && !changes.contains(country_f))
      out.data[country_f] = nullptr;
    if (changes.contains(country_f) && text.empty() && !changes.contains(code_f))
      out.data[code_f] = nullptr;
    if (country) {
      out.data[code_f] = country->code;
      out.data[country_f] = country->integration_value;
    } else if (changes.contains(code_f) || changes.contains(country_f)) {
      out.data[code_f] = nullptr;
      out.data[country_f] = nullptr;
    }
    std::string scode = Str(out.data.value(scode_f, json())),
                stext = Str(out.data.value(state_f, json()));
    bool state_given = (changes.contains(scode_f) && !scode.empty()) ||
                       (changes.contains(state_f) && !stext.empty());
    if (state_given && !country)
      return SfError{"FIELD_INTEGRITY_EXCEPTION",
                     "A country/territory must be specified before specifying a state value for "
                     "field: " +
                         (changes.contains(scode_f) ? scode_f : state_f),
                     {changes.contains(scode_f) ? scode_f : state_f},
                     nullptr};
    if (!country) continue;
    const AddressState* state = nullptr;
    if (changes.contains(scode_f) && !scode.empty()) {
      state = AddressSettings::StateByCode(*country, scode);
      if (!state)
        return SfError{"FIELD_INTEGRITY_EXCEPTION",
                       "The " + scode_f + " field contains " + scode +
                           ", which isn't an available state. Your administrator can add it for "
                           "you.",
                       {scode_f},
                       nullptr};
      if (!state->active) return inactive(scode_f, scode);
      if (changes.contains(state_f) && !stext.empty() && !IEq(stext, state->integration_value) &&
          !IEq(stext, state->code))
        return SfError{"FIELD_INTEGRITY_EXCEPTION",
                       "The " + state_f + " (" + stext + ") and " + scode_f + " (" + scode +
                           ") fields don't match.",
                       {state_f, scode_f},
                       nullptr};
    } else if (!stext.empty() && (changes.contains(state_f) || changes.contains(code_f) ||
                                  changes.contains(country_f))) {
      state = AddressSettings::StateByIntegrationValue(*country, stext);
      if (!state) state = AddressSettings::StateByCode(*country, stext);
      if (!state)
        return SfError{"FIELD_INTEGRITY_EXCEPTION",
                       "There's a problem with this state, even though it may appear correct. "
                       "Please select a state from the list of valid states.",
                       {scode_f},
                       nullptr};
      if (!state->active) return inactive(state_f, stext);
    } else if (!scode.empty()) {
      state = AddressSettings::StateByCode(*country, scode);
    }
    if (state) {
      out.data[scode_f] = state->code;
      out.data[state_f] = state->integration_value;
    } else if ((changes.contains(state_f) && stext.empty()) ||
               (changes.contains(scode_f) && scode.empty())) {
      out.data[scode_f] = nullptr;
      out.data[state_f] = nullptr;
    }
  }

  // Derived, read-only fields.
  if (def.name == "Contact" || def.name == "Lead" || def.name == "User") {
    std::string first = Str(out.data.value("FirstName", json())),
                last = Str(out.data.value("LastName", json()));
    out.data["Name"] = first.empty() ? last : first + " " + last;
  }
  if (def.name == "Opportunity") {
    std::string stage = Str(out.data.value("StageName", json()));
    for (const auto& s : kStages) {
      if (stage != s.name) continue;
      out.data["IsClosed"] = s.closed;
      out.data["IsWon"] = s.won;
      if (changes.contains("StageName") && !changes.contains("Probability"))
        out.data["Probability"] = s.probability;
      if (changes.contains("StageName") && !changes.contains("ForecastCategoryName"))
        out.data["ForecastCategoryName"] = s.forecast;
    }
  }
  if (def.name == "Task") {
    std::string status = Str(out.data.value("Status", json()));
    out.data["IsClosed"] = status == "Completed";  // the default closed TaskStatus
    out.data["IsHighPriority"] = Str(out.data.value("Priority", json())) == "High";
    if (!out.data.contains("IsArchived")) out.data["IsArchived"] = false;
    if (out.data["IsClosed"].get<bool>() && !out.data.contains("CompletedDateTime"))
      out.data["CompletedDateTime"] = FormatSfDateTime(Now());
    // AccountId follows WhatId (an account, or an opportunity's or case's account) or WhoId.
    std::string account;
    std::string what = Str(out.data.value("WhatId", json())),
                who = Str(out.data.value("WhoId", json()));
    if (!what.empty()) {
      if (const ObjectDef* t = ObjectOfId(what)) {
        if (t->name == "Account")
          account = what;
        else if (auto r = Live(*t, what))
          account = Str(r->data.value("AccountId", json()));
      }
    }
    if (account.empty() && !who.empty())
      if (const ObjectDef* t = ObjectOfId(who); t && t->name == "Contact")
        if (auto r = Live(*t, who)) account = Str(r->data.value("AccountId", json()));
    out.data["AccountId"] = account.empty() ? json(nullptr) : json(account);
  }
  if (def.name == "Case") {
    bool closed = Str(out.data.value("Status", json())) == "Closed";
    bool was_closed = out.data.value("IsClosed", false);
    out.data["IsClosed"] = closed;
    if (closed && !was_closed) out.data["ClosedDate"] = FormatSfDateTime(Now());
    if (!closed) out.data["ClosedDate"] = nullptr;
    if (creating) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%08lld",
                    static_cast<long long>(store->NextCounter("sf:casenumber", 1001)));
      out.data["CaseNumber"] = buf;
    }
  }
  if (def.name == "Lead" && creating && !options.system) out.data["IsConverted"] = false;

  // Unique and external-id fields marked unique.
  for (const auto& f : def.fields) {
    if (!f.unique || !changes.contains(f.name) || changes[f.name].is_null()) continue;
    for (const auto& id : store->FindByIndex(def.name, f.name, Str(changes[f.name])))
      if (id != out.id)
        return SfError{
            "DUPLICATE_VALUE",
            "duplicate value found: " + f.name + " duplicates value on record with id: " + id,
            {f.name},
            nullptr};
  }

  // A lead or contact is a member of a campaign once: Salesforce refuses a second membership.
  if (def.name == "CampaignMember" && creating) {
    const std::string campaign = Str(out.data.value("CampaignId", json()));
    for (const char* who : {"LeadId", "ContactId"}) {
      const std::string id = Str(out.data.value(who, json()));
      if (id.empty() || campaign.empty()) continue;
      for (const auto& other : store->FindByIndex(def.name, who, id)) {
        const ObjectDef* cm = &def;
        if (auto r = Live(*cm, other);
            r && other != out.id && Str(r->data.value("CampaignId", json())) == campaign)
          return SfError{"DUPLICATE_VALUE", "Already a campaign member.", {}, nullptr};
      }
    }
  }

  // Duplicate rules: the standard Contact and Lead rules match on email within the object.
  if (limits.duplicate_rules && !options.allow_duplicates && !options.system &&
      (def.name == "Contact" || def.name == "Lead") && changes.contains("Email") &&
      !changes["Email"].is_null()) {
    for (const auto& id : store->FindByIndex(def.name, "Email", Str(changes["Email"]))) {
      if (id == out.id) continue;
      json match = {
          {"entityType", def.name},
          {"matchEngine", "ExactMatchEngine"},
          {"matchRecords", {{{"record", {{"attributes", {{"type", def.name}}}, {"Id", id}}}}}},
          {"rule", "Standard_" + def.name + "_Match_Rule_v1_1"},
          {"size", 1},
          {"success", true}};
      return SfError{"DUPLICATES_DETECTED",
                     "Use one of these records?",
                     {},
                     {{"duplicateResult",
                       {{"allowSave", true},
                        {"duplicateRule",
                         "Standard_Rule_for_" + def.name + "s_with_Duplicate_" + def.name + "s"},
                        {"duplicateRuleEntityType", def.name},
                        {"errorMessage",
                         "You're creating a duplicate record. We recommend you use an existing "
                         "record instead."},
                        {"matchResults", {match}}}}}};
    }
  }

  // Timestamps: LastModifiedDate and SystemModstamp bump on every write and never go back.
  int64_t now = Now();
  if (creating) {
    out.id = NewId(def);
    out.seq = store->NextCounter("sf:seq", 1);
    out.created_ms = now;
  }
  out.updated_ms = std::max(now, out.updated_ms);
  out.modstamp_ms = std::max(out.updated_ms, out.modstamp_ms);
  return std::nullopt;
}

void SalesforceSandbox::Impl::Persist(const ObjectDef& def, StoredRecord& r) {
  store->Put(r, Indexed(def));
  // At most one primary contact role per opportunity: a new primary demotes the others
  // (a system change: SystemModstamp moves, LastModifiedDate does not).
  if (def.name == "OpportunityContactRole" && r.data.value("IsPrimary", false) && !r.deleted) {
    std::string opp = Str(r.data.value("OpportunityId", json()));
    auto demote = [&](StoredRecord&& other) {
      if (other.id == r.id || Str(other.data.value("OpportunityId", json())) != opp ||
          !other.data.value("IsPrimary", false))
        return;
      other.data["IsPrimary"] = false;
      other.modstamp_ms = std::max(Now(), other.modstamp_ms);
      store->Put(other, Indexed(def));
    };
    const auto& keys = Indexed(def);
    if (!opp.empty() && std::find(keys.begin(), keys.end(), "OpportunityId") != keys.end()) {
      // The opportunity's roles only (through the lookup rows), in the same seq order.
      for (auto& other : store->FindRecordsByIndex(def.name, "OpportunityId", opp))
        demote(std::move(other));
    } else {
      store->ForEach(def.name, false, demote);
    }
  }
}

json SalesforceSandbox::Impl::Convert(const LeadConversion& c) {
  const ObjectDef* lead_def = FindObject("Lead");
  auto lead = Live(*lead_def, c.lead_id);
  if (!lead) return {{"error", "INVALID_CROSS_REFERENCE_KEY: lead not found: " + c.lead_id}};
  if (lead->data.value("IsConverted", false))
    return {{"error", "CANNOT_UPDATE_CONVERTED_LEAD: the lead is already converted"}};
  SfWriteOptions sys;
  sys.system = true;
  store->Begin();
  auto fail = [&](const SfError& e) {
    store->Rollback();
    return json{{"error", e.code + ": " + e.message}};
  };
  const json& d = lead->data;
  auto copy = [&](json& to, const char* from, const std::string& field) {
    if (d.contains(from) && !d[from].is_null()) to[field] = d[from];
  };
  std::string account_id = c.account_id, contact_id = c.contact_id, opp_id;
  const ObjectDef* account_def = FindObject("Account");
  if (account_id.empty()) {
    json a = {{"Name", d.value("Company", json("Unknown"))}};
    for (const char* f : {"Street", "City", "PostalCode", "CountryCode", "StateCode"})
      copy(a, f, std::string("Billing") + f);
    copy(a, "Phone", "Phone");
    copy(a, "LeadSource", "AccountSource");
    StoredRecord r;
    if (auto e = Prepare(*account_def, a, nullptr, r, sys)) return fail(*e);
    Persist(*account_def, r);
    account_id = r.id;
  } else if (auto n = NormalizeId(account_id); !n || !Live(*account_def, *n)) {
    return fail({"INVALID_CROSS_REFERENCE_KEY", "invalid account id", {}, nullptr});
  } else {
    account_id = *n;
  }
  const ObjectDef* contact_def = FindObject("Contact");
  if (contact_id.empty()) {
    json ct = {{"AccountId", account_id}};
    for (const char* f : {"FirstName", "LastName", "Email", "Phone", "Title", "LeadSource",
                          "HasOptedOutOfEmail", "Description"})
      copy(ct, f, f);
    for (const char* f : {"Street", "City", "PostalCode", "CountryCode", "StateCode"})
      copy(ct, f, std::string("Mailing") + f);
    StoredRecord r;
    if (auto e = Prepare(*contact_def, ct, nullptr, r, sys)) return fail(*e);
    Persist(*contact_def, r);
    contact_id = r.id;
  } else if (auto n = NormalizeId(contact_id); !n || !Live(*contact_def, *n)) {
    return fail({"INVALID_CROSS_REFERENCE_KEY", "invalid contact id", {}, nullptr});
  } else {
    contact_id = *n;
  }
  if (c.create_opportunity) {
    const ObjectDef* opp_def = FindObject("Opportunity");
    json o = {{"Name", c.opportunity_name.empty() ? d.value("Company", json("Converted lead"))
                                                  : json(c.opportunity_name)},
              {"StageName", "Prospecting"},
              {"CloseDate", FormatDate(Now() + 30 * kDayMs)},
              {"AccountId", account_id}};
    copy(o, "LeadSource", "LeadSource");
    StoredRecord r;
    if (auto e = Prepare(*opp_def, o, nullptr, r, sys)) return fail(*e);
    Persist(*opp_def, r);
    opp_id = r.id;
    const ObjectDef* ocr_def = FindObject("OpportunityContactRole");
    StoredRecord role;
    if (auto e = Prepare(
            *ocr_def, {{"OpportunityId", opp_id}, {"ContactId", contact_id}, {"IsPrimary", true}},
            nullptr, role, sys))
      return fail(*e);
    Persist(*ocr_def, role);
  }
  json update = {{"IsConverted", true},
                 {"ConvertedDate", FormatDate(Now())},
                 {"ConvertedAccountId", account_id},
                 {"ConvertedContactId", contact_id},
                 {"ConvertedOpportunityId", opp_id.empty() ? json(nullptr) : json(opp_id)},
                 {"Status", c.converted_status}};
  StoredRecord updated;
  if (auto e = Prepare(*lead_def, update, &*lead, updated, sys)) return fail(*e);
  Persist(*lead_def, updated);
  store->Commit();
  return {{"leadId", lead->id},
          {"accountId", account_id},
          {"contactId", contact_id},
          {"opportunityId", opp_id.empty() ? json(nullptr) : json(opp_id)},
          {"success", true}};
}

json SalesforceSandbox::Impl::Seed(const json& body) {
  std::map<std::string, std::string> refs;
  json ids = json::object();
  SfWriteOptions opts;
  opts.allow_duplicates = true;
  store->Begin();
  try {
    auto resolve = [&](json v) -> json {
      if (v.is_string()) {
        std::string s = v;
        if (s.size() > 1 && s[0] == '@') {
          auto it = refs.find(s.substr(1));
          if (it == refs.end()) throw std::runtime_error("unknown seed reference " + s);
          return it->second;
        }
      }
      return v;
    };
    for (const auto& item : body.value("records", json::array())) {
      const ObjectDef* def = FindObject(item.value("type", ""));
      if (!def) throw std::runtime_error("unknown sobject " + item.value("type", ""));
      json fields = json::object();
      const json given = item.value("fields", json::object());
      for (auto& [k, v] : given.items()) fields[k] = resolve(v);
      StoredRecord r;
      SfWriteOptions item_opts = opts;
      // Users and record types are set up by an admin, with fields the API does not let a
      // client set.
      item_opts.system = def->name == "User" || def->name == "RecordType";
      if (def->name == "RecordType" && !fields.contains("IsActive")) fields["IsActive"] = true;
      if (auto e = Prepare(*def, fields, nullptr, r, item_opts))
        throw std::runtime_error(def->name + " " + item.value("ref", "") + ": " + e->code + ": " +
                                 e->message);
      if (item.contains("createdDate")) {
        auto ms = ParseTimeOrEpochMs(item["createdDate"].is_string()
                                         ? item["createdDate"].get<std::string>()
                                         : std::to_string(item["createdDate"].get<int64_t>()));
        if (ms) r.created_ms = r.updated_ms = r.modstamp_ms = *ms;
      }
      Persist(*def, r);
      if (item.contains("ref")) refs[item["ref"]] = r.id;
      ids[def->name].push_back(r.id);
    }
    store->Commit();
  } catch (...) {
    store->Rollback();
    throw;
  }
  json converted = json::array();
  for (const auto& c : body.value("conversions", json::array())) {
    LeadConversion conv = c;
    if (conv.lead_id.size() > 1 && conv.lead_id[0] == '@')
      conv.lead_id = refs.at(conv.lead_id.substr(1));
    converted.push_back(Convert(conv));
  }
  if (!converted.empty()) ids["conversions"] = converted;
  return ids;
}

// ---- SalesforceSandbox ------------------------------------------------------------------------

SalesforceSandbox::SalesforceSandbox(SandboxOptions options)
    : Sandbox(std::move(options)), impl_(std::make_unique<Impl>()) {
  impl_->self = this;
  impl_->clock = clock_ptr();
  impl_->rng.seed(this->options().seed * 104729 + 3);
}

SalesforceSandbox::~SalesforceSandbox() {
  Stop();
}

SalesforceLimits SalesforceSandbox::limits() {
  int status;
  // Through the control API so that the read takes the data lock.
  return Control("GET", "/_sandbox/limits", json::object(), &status);
}

void SalesforceSandbox::SetLimits(const SalesforceLimits& limits) {
  int status;
  Control("POST", "/_sandbox/limits", json(limits), &status);
}

json SalesforceSandbox::Seed(const json& body) {
  int status;
  return Control("POST", "/_sandbox/seed", body, &status);
}

json SalesforceSandbox::ConvertLead(const LeadConversion& c) {
  int status;
  return Control("POST", "/_sandbox/convertLead",
                 {{"leadId", c.lead_id},
                  {"accountId", c.account_id},
                  {"contactId", c.contact_id},
                  {"doNotCreateOpportunity", !c.create_opportunity},
                  {"opportunityName", c.opportunity_name},
                  {"convertedStatus", c.converted_status}},
                 &status);
}

json SalesforceSandbox::SetAddressSettings(const json& body) {
  int status;
  return Control("POST", "/_sandbox/addressSettings", body, &status);
}

void SalesforceSandbox::Impl::LoadAddressSettings() {
  address = AddressSettings::Defaults();
  if (auto saved = store->GetSetting("sf:address_settings"))
    for (const auto& body : json::parse(*saved)) address.Apply(body);
}

bool SalesforceSandbox::OpenStore(std::string* error) {
  Impl& im = *impl_;
  im.store = Store::Open(options().db_path, error, {RecordColumn::kModstamp});
  if (!im.store) return false;
  try {
    if (auto l = im.store->GetSetting("sf:limits")) im.limits = json::parse(*l);
    im.LoadAddressSettings();
    im.LoadObjects();
    im.ReindexIfNeeded();
    if (auto u = im.store->GetSetting("sf:default_user")) {
      im.default_user_id = *u;
    } else {
      const ObjectDef* user = im.FindObject("User");
      StoredRecord r;
      SfWriteOptions sys;
      sys.system = true;
      if (auto e = im.Prepare(*user,
                              {{"Username", "admin@sandbox.example"},
                               {"FirstName", "Sandbox"},
                               {"LastName", "Admin"},
                               {"Email", "admin@sandbox.example"},
                               {"IsActive", true}},
                              nullptr, r, sys)) {
        if (error) *error = e->message;
        return false;
      }
      im.store->Put(r, im.Indexed(*user));
      im.default_user_id = r.id;
      im.store->SetSetting("sf:default_user", r.id);
    }
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return false;
  }
  return true;
}

void SalesforceSandbox::WriteShellError(Call& call, int status, std::string_view message, int) {
  Impl& im = *impl_;
  switch (status) {
    case 401:
      im.Errors(call, 401, {{"INVALID_SESSION_ID", "Session expired or invalid", {}, nullptr}});
      return;
    case 404:
      im.Errors(call, 404, {{"NOT_FOUND", "The requested resource does not exist", {}, nullptr}});
      return;
    case 415:
      im.Errors(call, 415,
                {{"UNSUPPORTED_MEDIA_TYPE",
                  "Content-Type header specified in HTTP request is not supported: " +
                      std::string(message),
                  {},
                  nullptr}});
      return;
    case 429:
    case 403:
      im.Errors(call, 403,
                {{"REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", {}, nullptr}});
      return;
    case 503:
      im.Errors(call, 503,
                {{"SERVER_UNAVAILABLE",
                  "Server is temporarily unavailable (injected by the sandbox)",
                  {},
                  nullptr}});
      return;
    default:
      im.Errors(call, status,
                {{"UNKNOWN_EXCEPTION",
                  message == "injected" ? "An unexpected error occurred (injected by the sandbox)"
                                        : "An unexpected error occurred: " + std::string(message),
                  {},
                  nullptr}});
  }
}

bool SalesforceSandbox::Admit(Call& call) {
  Impl& im = *impl_;
  int64_t day = im.Now() / kDayMs;
  if (day != im.api_day) {
    im.api_day = day;
    im.api_used = 0;
  }
  if (im.api_used >= im.limits.daily_api_requests) {
    im.Errors(call, 403,
              {{"REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", {}, nullptr}});
    return false;
  }
  ++im.api_used;
  return true;
}

void SalesforceSandbox::Decorate(Call& call) {
  Impl& im = *impl_;
  call.res.set_header("Sforce-Limit-Info", "api-usage=" + std::to_string(im.api_used) + "/" +
                                               std::to_string(im.limits.daily_api_requests));
}

json SalesforceSandbox::VendorControl(std::string_view method, std::string_view path,
                                      const json& body, int* status) {
  Impl& im = *impl_;
  if (path == "/_sandbox/limits") {
    if (method == "POST") {
      im.limits = body;
      im.store->SetSetting("sf:limits", json(im.limits).dump());
      if (body.contains("daily_used")) im.api_used = body["daily_used"];
    }
    json out = im.limits;
    out["daily_used"] = im.api_used;
    return out;
  }
  if (path == "/_sandbox/seed" && method == "POST") return {{"ids", im.Seed(body)}};
  if ((path == "/_sandbox/convertLead" || path == "/_sandbox/salesforce/convertLead") &&
      method == "POST") {
    json out = im.Convert(body.get<LeadConversion>());
    if (out.contains("error")) *status = 400;
    return out;
  }
  if (path == "/_sandbox/addressSettings") {
    if (method == "POST") {
      if (auto e = im.address.Apply(body)) {
        *status = 400;
        return {{"error", *e}};
      }
      json saved = json::array();
      if (auto s = im.store->GetSetting("sf:address_settings")) saved = json::parse(*s);
      saved.push_back(body);
      im.store->SetSetting("sf:address_settings", saved.dump());
    } else if (method != "GET") {
      *status = 405;
      return {{"error", "use GET or POST"}};
    }
    if (method == "GET") return im.address.ToJson();
    size_t states = 0;
    for (const auto& c : im.address.countries()) states += c.states.size();
    return {{"countries", im.address.countries().size()}, {"states", states}};
  }
  if (path == "/_sandbox/reset" && method == "POST") {
    im.store->Clear();
    im.address = AddressSettings::Defaults();
    im.limits = SalesforceLimits{};
    im.api_used = 0;
    im.locators.clear();
    std::string error;
    im.default_user_id.clear();
    // Recreate the default user.
    const ObjectDef* user = im.FindObject("User");
    StoredRecord r;
    SfWriteOptions sys;
    sys.system = true;
    im.Prepare(*user,
               {{"LastName", "Admin"},
                {"FirstName", "Sandbox"},
                {"Username", "admin@sandbox.example"},
                {"Email", "admin@sandbox.example"},
                {"IsActive", true}},
               nullptr, r, sys);
    im.store->Put(r, im.Indexed(*user));
    im.default_user_id = r.id;
    im.store->SetSetting("sf:default_user", r.id);
    return {{"reset", true}};
  }
  if (path == "/_sandbox/demo" && method == "POST") {
    if (im.store->GetSetting("demo:seeded") && !body.value("force", false))
      return {{"skipped", true}, {"reason", "demo data already loaded"}};
    json seed = SalesforceDemoSeed(DemoOptionsFromJson(body));
    // Object types the catalog lacks (e.g. the demo's custom object) are left out.
    json known = json::array();
    for (const auto& r : seed["records"])
      if (im.FindObject(r.value("type", ""))) known.push_back(r);
    seed["records"] = known;
    json ids = im.Seed(seed);
    json counts = json::object();
    for (auto& [k, v] : ids.items()) counts[k] = v.size();
    im.store->SetSetting("demo:seeded", "1");
    return {{"created", counts}};
  }
  if (path == "/_sandbox/locators" && method == "DELETE") {
    im.locators.clear();  // every outstanding query locator becomes invalid
    return {{"cleared", true}};
  }
  *status = 404;
  return {{"error", "unknown control endpoint"}, {"path", path}};
}

// ---- routes ------------------------------------------------------------------------------------

namespace {

std::optional<json> SfBody(SalesforceSandbox::Impl& im, Call& call) {
  if (call.req.body.empty()) {
    im.Errors(call, 400, {{"JSON_PARSER_ERROR", "The request body is empty", {}, nullptr}});
    return std::nullopt;
  }
  try {
    return call.ParseBody();
  } catch (const json::parse_error& e) {
    im.Errors(call, 400,
              {{"JSON_PARSER_ERROR",
                std::string("Unexpected character at [line:1, column:") + std::to_string(e.byte) +
                    "]: " + e.what(),
                {},
                nullptr}});
    return std::nullopt;
  }
}

SfWriteOptions HeaderOptions(const Call& call) {
  SfWriteOptions o;
  std::string h = Lower(call.req.get_header_value("Sforce-Duplicate-Rule-Header"));
  o.allow_duplicates = h.find("allowsave=true") != std::string::npos;
  return o;
}

}  // namespace

void SalesforceSandbox::RegisterRoutes(Router& router) {
  Impl& im = *impl_;
  const std::string v = "/services/data/{version}";
  auto object = [&im](Call& call) -> const ObjectDef* {
    const ObjectDef* def = im.FindObject(call.Param("object"));
    if (!def)
      im.Errors(call, 404, {{"NOT_FOUND", "The requested resource does not exist", {}, nullptr}});
    return def;
  };
  auto not_found = [&im](Call& call) {
    im.Errors(call, 404, {{"NOT_FOUND", "The requested resource does not exist", {}, nullptr}});
  };

  router.Add(
      "GET", "/services/data",
      [&im](Call& call) {
        call.Json(200, json::array({{{"label", "Spring '24"},
                                     {"url", im.Base()},
                                     {"version", im.limits.api_version.substr(1)}}}));
      },
      true);
  // OAuth: any supported, well-formed grant gets this sandbox's token and instance URL, so that
  // a connector's login and refresh paths run unchanged.
  router.Add(
      "POST", "/services/oauth2/token",
      [this](Call& call) {
        static const std::set<std::string> grants = {"authorization_code", "refresh_token",
                                                     "password", "client_credentials",
                                                     "urn:ietf:params:oauth:grant-type:jwt-bearer"};
        std::string grant = call.Query("grant_type");
        if (!grants.count(grant))
          return call.Json(400, {{"error", "unsupported_grant_type"},
                                 {"error_description", "grant type not supported"}});
        if (call.Query("client_id").empty() &&
            grant != "urn:ietf:params:oauth:grant-type:jwt-bearer")
          return call.Json(400, {{"error", "invalid_client_id"},
                                 {"error_description", "client identifier invalid"}});
        json out = {{"access_token", options().token},
                    {"instance_url", base_url()},
                    {"id", base_url() + "/id/00D5g000000SANDBOX/" + impl_->default_user_id},
                    {"token_type", "Bearer"},
                    {"issued_at", std::to_string(impl_->Now())},
                    {"signature", "c2FuZGJveA=="},
                    {"scope", "api refresh_token"}};
        if (grant == "authorization_code" || grant == "password")
          out["refresh_token"] = "sandbox-refresh-token";
        call.Json(200, std::move(out));
      },
      true);
  router.Add("GET", v, [&im](Call& call) {
    std::string b = im.Base();
    call.Json(200, {{"sobjects", b + "/sobjects"},
                    {"query", b + "/query"},
                    {"queryAll", b + "/queryAll"},
                    {"limits", b + "/limits"},
                    {"composite", b + "/composite"}});
  });
  router.Add("GET", v + "/limits", [&im](Call& call) {
    call.Json(
        200, {{"DailyApiRequests",
               {{"Max", im.limits.daily_api_requests},
                {"Remaining", std::max<int64_t>(0, im.limits.daily_api_requests - im.api_used)}}}});
  });
  router.Add("GET", v + "/sobjects", [&im](Call& call) { call.Json(200, im.DescribeGlobal()); });
  router.Add("GET", v + "/sobjects/{object}/describe", [&im, object](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    if (!call.req.get_header_value("If-Modified-Since").empty() &&
        im.RecordTypeInfos(*def).size() == 1) {
      // Definitions never change while the sandbox runs; record types seeded since may.
      call.Empty(304);
      return;
    }
    call.res.set_header("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT");
    call.Json(200, im.DescribeObject(*def));
  });
  router.Add("GET", v + "/sobjects/{object}", [&im, object](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    json describe = im.DescribeGlobal();
    for (const auto& s : describe["sobjects"])
      if (s["name"] == def->name)
        return call.Json(200, {{"objectDescribe", s}, {"recentItems", json::array()}});
  });
  router.Add("GET", v + "/query", [&im](Call& call) { im.RunQuery(call, false); });
  router.Add("GET", v + "/queryAll", [&im](Call& call) { im.RunQuery(call, true); });
  router.Add("GET", v + "/query/{locator}", [&im](Call& call) { im.NextPage(call); });
  router.Add("GET", v + "/queryAll/{locator}", [&im](Call& call) { im.NextPage(call); });

  // ---- replication
  auto window = [&im](Call& call, int days, int64_t& start, int64_t& end) {
    if (!call.HasQuery("start") || !call.HasQuery("end")) {
      im.Errors(call, 400, {{"MISSING_ARGUMENT", "start and end are required", {}, nullptr}});
      return false;
    }
    auto s = ParseIsoTime(call.Query("start")), e = ParseIsoTime(call.Query("end"));
    if (!s || !e) {
      im.Errors(call, 400,
                {{"INVALID_REPLICATION_DATE",
                  "start and end must be valid dateTime values",
                  {},
                  nullptr}});
      return false;
    }
    // Seconds are ignored: the window has minute granularity.
    start = *s / 60'000 * 60'000;
    end = *e / 60'000 * 60'000;
    int64_t now = im.Now();
    if (end <= start) {
      im.Errors(call, 400,
                {{"INVALID_REPLICATION_DATE", "end date must be after start date", {}, nullptr}});
      return false;
    }
    if (start < now - days * kDayMs) {
      im.Errors(call, 400,
                {{"INVALID_REPLICATION_DATE",
                  "startDate cannot be more than " + std::to_string(days) + " days ago",
                  {},
                  nullptr}});
      return false;
    }
    end = std::min(end, now / 60'000 * 60'000);
    return true;
  };
  router.Add("GET", v + "/sobjects/{object}/updated", [&im, object, window](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    int64_t start, end;
    if (!window(call, im.limits.updated_window_days, start, end)) return;
    json ids = json::array();
    RecordRange range;  // [start, end) from the SystemModstamp index, in insertion order
    range.deleted = false;
    range.modstamp_lo = start;
    range.modstamp_hi = end - 1;
    for (auto& id : im.store->IdsInRange(def->name, range, {})) ids.push_back(std::move(id));
    if (static_cast<int64_t>(ids.size()) > im.limits.replication_id_limit)
      return im.Errors(call, 400,
                       {{"EXCEEDED_ID_LIMIT", "The number of IDs exceeds the limit", {}, nullptr}});
    call.Json(200, {{"ids", ids}, {"latestDateCovered", FormatSfDateTime(std::max(start, end))}});
  });
  router.Add("GET", v + "/sobjects/{object}/deleted", [&im, object, window](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    int64_t start, end;
    if (!window(call, im.limits.deleted_window_days, start, end)) return;
    json deleted = json::array();
    int64_t earliest = (im.Now() - im.limits.deleted_window_days * kDayMs) / 60'000 * 60'000;
    RecordRange range;
    range.deleted = true;
    range.deleted_ms_lo = start;
    range.deleted_ms_hi = end - 1;
    for (const auto& r : im.store->RecordsInRange(def->name, range))
      deleted.push_back({{"id", r.id}, {"deletedDate", FormatSfDateTime(r.deleted_ms)}});
    if (static_cast<int64_t>(deleted.size()) > im.limits.replication_id_limit)
      return im.Errors(call, 400,
                       {{"EXCEEDED_ID_LIMIT", "The number of IDs exceeds the limit", {}, nullptr}});
    call.Json(200, {{"deletedRecords", deleted},
                    {"earliestDateAvailable", FormatSfDateTime(earliest)},
                    {"latestDateCovered", FormatSfDateTime(std::max(start, end))}});
  });

  // ---- single records
  auto field_list = [&im](Call& call, const ObjectDef& def,
                          std::vector<const FieldDef*>& out) -> bool {
    for (const auto& name : SplitList(call.Query("fields"))) {
      const FieldDef* f = def.Find(name);
      if (!f) {
        im.Errors(call, 400,
                  {{"INVALID_FIELD",
                    "No such column '" + name + "' on entity '" + def.name +
                        "'. If you are attempting to use a custom field, be sure to "
                        "append the '__c' after the custom field name.",
                    {},
                    nullptr}});
        return false;
      }
      out.push_back(f);
    }
    return true;
  };
  router.Add("POST", v + "/sobjects/{object}", [&im, object](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    auto body = SfBody(im, call);
    if (!body) return;
    StoredRecord r;
    im.store->Begin();
    if (auto e = im.Prepare(*def, *body, nullptr, r, HeaderOptions(call))) {
      im.store->Rollback();
      return im.Errors(call, 400, {*e});
    }
    im.Persist(*def, r);
    im.store->Commit();
    call.Json(201, {{"id", r.id}, {"success", true}, {"errors", json::array()}});
  });
  router.Add("GET", v + "/sobjects/{object}/{id}", [&im, object, field_list](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    auto id = im.NormalizeId(call.Param("id"));
    if (!id) {
      return im.Errors(
          call, 404,
          {{"NOT_FOUND",
            "Provided external ID field does not exist or is not accessible: " + call.Param("id"),
            {},
            nullptr}});
    }
    auto r = im.Live(*def, *id);
    if (!r || r->object != def->name)
      return im.Errors(call, 404,
                       {{"NOT_FOUND", "The requested resource does not exist", {}, nullptr}});
    std::vector<const FieldDef*> fields;
    if (!field_list(call, *def, fields)) return;
    call.Json(200, im.Render(*def, *r, fields.empty() ? nullptr : &fields));
  });
  router.Add("PATCH", v + "/sobjects/{object}/{id}", [&im, object, not_found](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    auto body = SfBody(im, call);
    if (!body) return;
    auto existing = im.Live(*def, call.Param("id"));
    if (!existing) {
      auto any = im.NormalizeId(call.Param("id"));
      auto r = any ? im.store->Get(def->name, *any) : std::nullopt;
      if (r && r->deleted)
        return im.Errors(call, 404, {{"ENTITY_IS_DELETED", "entity is deleted", {}, nullptr}});
      return not_found(call);
    }
    StoredRecord r;
    im.store->Begin();
    if (auto e = im.Prepare(*def, *body, &*existing, r, HeaderOptions(call))) {
      im.store->Rollback();
      return im.Errors(call, 400, {*e});
    }
    im.Persist(*def, r);
    im.store->Commit();
    call.Empty(204);
  });
  router.Add("DELETE", v + "/sobjects/{object}/{id}", [&im, object, not_found](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    auto id = im.NormalizeId(call.Param("id"));
    auto r = id ? im.store->Get(def->name, *id) : std::nullopt;
    if (!r) return not_found(call);
    if (r->deleted)
      return im.Errors(call, 404, {{"ENTITY_IS_DELETED", "entity is deleted", {}, nullptr}});
    r->deleted = true;
    r->deleted_ms = im.Now();
    r->modstamp_ms = std::max(r->deleted_ms, r->modstamp_ms);
    im.store->Put(*r, im.Indexed(*def));
    call.Empty(204);
  });

  // ---- external ids
  auto ext_field = [&im](Call& call, const ObjectDef& def) -> const FieldDef* {
    const FieldDef* f = def.Find(call.Param("field"));
    if (!f || !(f->external_id || f->name == "Id")) {
      im.Errors(call, 404,
                {{"NOT_FOUND",
                  "Provided external ID field does not exist or is not accessible: " +
                      call.Param("field"),
                  {},
                  nullptr}});
      return nullptr;
    }
    return f;
  };
  auto matches = [&im](const ObjectDef& def, const FieldDef& f, const std::string& value) {
    std::vector<std::string> ids;
    if (f.name == "Id") {
      if (auto r = im.Live(def, value)) ids.push_back(r->id);
    } else {
      ids = im.store->FindByIndex(def.name, f.name, value);
    }
    return ids;
  };
  auto multiple = [&im](Call& call, const ObjectDef& def, const std::vector<std::string>& ids) {
    json urls = json::array();
    for (const auto& id : ids) urls.push_back(im.Base() + "/sobjects/" + def.name + "/" + id);
    call.Json(300, std::move(urls));
  };
  router.Add(
      "GET", v + "/sobjects/{object}/{field}/{value}",
      [&im, object, ext_field, matches, multiple, field_list](Call& call) {
        const ObjectDef* def = object(call);
        if (!def) return;
        const FieldDef* f = ext_field(call, *def);
        if (!f) return;
        auto ids = matches(*def, *f, call.Param("value"));
        if (ids.empty())
          return im.Errors(call, 404,
                           {{"NOT_FOUND", "The requested resource does not exist", {}, nullptr}});
        if (ids.size() > 1) return multiple(call, *def, ids);
        std::vector<const FieldDef*> fields;
        if (!field_list(call, *def, fields)) return;
        call.Json(200, im.Render(*def, *im.Live(*def, ids[0]), fields.empty() ? nullptr : &fields));
      });
  router.Add(
      "PATCH", v + "/sobjects/{object}/{field}/{value}",
      [&im, object, ext_field, matches, multiple](Call& call) {
        const ObjectDef* def = object(call);
        if (!def) return;
        const FieldDef* f = ext_field(call, *def);
        if (!f) return;
        auto body = SfBody(im, call);
        if (!body) return;
        auto ids = matches(*def, *f, call.Param("value"));
        if (ids.size() > 1) return multiple(call, *def, ids);
        json input = *body;
        if (input.is_object() && f->name != "Id") input[f->name] = call.Param("value");
        std::optional<StoredRecord> existing;
        if (!ids.empty()) existing = im.Live(*def, ids[0]);
        if (!existing && (f->name == "Id" || call.Query("updateOnly") == "true"))
          return im.Errors(call, 404,
                           {{"NOT_FOUND", "The requested resource does not exist", {}, nullptr}});
        StoredRecord r;
        im.store->Begin();
        if (auto e =
                im.Prepare(*def, input, existing ? &*existing : nullptr, r, HeaderOptions(call))) {
          im.store->Rollback();
          return im.Errors(call, 400, {*e});
        }
        im.Persist(*def, r);
        im.store->Commit();
        call.Json(
            existing ? 200 : 201,
            {{"id", r.id}, {"success", true}, {"errors", json::array()}, {"created", !existing}});
      });
  router.Add("POST", v + "/sobjects/{object}/{field}", [&im, object](Call& call) {
    const ObjectDef* def = object(call);
    if (!def) return;
    if (call.Param("field") != "Id")
      return im.Errors(call, 404,
                       {{"NOT_FOUND", "The requested resource does not exist", {}, nullptr}});
    auto body = SfBody(im, call);
    if (!body) return;
    StoredRecord r;
    im.store->Begin();
    if (auto e = im.Prepare(*def, *body, nullptr, r, HeaderOptions(call))) {
      im.store->Rollback();
      return im.Errors(call, 400, {*e});
    }
    im.Persist(*def, r);
    im.store->Commit();
    call.Json(201, {{"id", r.id}, {"success", true}, {"errors", json::array()}, {"created", true}});
  });

  // ---- sObject collections
  auto too_many = [&im](Call& call, size_t n) {
    if (n <= static_cast<size_t>(im.limits.collection_max)) return false;
    im.Errors(call, 400,
              {{"EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than " +
                    std::to_string(im.limits.collection_max) + " records into this call",
                {},
                nullptr}});
    return true;
  };
  // Runs `step` for each item in input order; with allOrNone a single failure rolls every item
  // back and the others report ALL_OR_NONE_OPERATION_ROLLED_BACK.
  auto run_items = [&im](Call& call, size_t n, bool all_or_none,
                         const std::function<json(size_t, std::optional<SfError>&)>& step) {
    std::vector<json> results(n);
    std::vector<std::optional<SfError>> errors(n);
    bool any_failed = false;
    im.store->Begin();
    for (size_t i = 0; i < n; ++i) {
      if (call.FailItem(i)) {
        errors[i] = SfError{"UNKNOWN_EXCEPTION",
                            "An unexpected error occurred (injected by the sandbox)",
                            {},
                            nullptr};
      } else {
        results[i] = step(i, errors[i]);
      }
      any_failed = any_failed || errors[i].has_value();
      if (any_failed && all_or_none) break;
    }
    json out = json::array();
    if (any_failed && all_or_none) {
      im.store->Rollback();
      for (size_t i = 0; i < n; ++i) {
        SfError e = errors[i] ? *errors[i]
                              : SfError{"ALL_OR_NONE_OPERATION_ROLLED_BACK",
                                        "Record rolled back because not all records were valid and "
                                        "the request was using AllOrNone header",
                                        {},
                                        nullptr};
        out.push_back({{"success", false}, {"errors", {ItemError(e)}}});
      }
    } else {
      im.store->Commit();
      for (size_t i = 0; i < n; ++i) {
        if (errors[i]) {
          json item = {{"success", false}, {"errors", {ItemError(*errors[i])}}};
          if (results[i].is_object() && results[i].contains("id")) item["id"] = results[i]["id"];
          out.push_back(item);
        } else {
          out.push_back(results[i]);
        }
      }
    }
    call.Json(200, std::move(out));
  };
  auto write_collection = [&im, too_many, run_items](Call& call, bool update) {
    auto body = SfBody(im, call);
    if (!body) return;
    if (!body->is_object() || !(*body)["records"].is_array())
      return im.Errors(
          call, 400,
          {{"JSON_PARSER_ERROR", "records is required and must be an array", {}, nullptr}});
    const json& records = (*body)["records"];
    if (too_many(call, records.size())) return;
    for (const auto& rec : records) {
      if (!rec.is_object() || !rec.contains("attributes") || !rec["attributes"].contains("type") ||
          !im.FindObject(rec["attributes"].value("type", "")))
        return im.Errors(call, 400,
                         {{"INVALID_TYPE",
                           "Each record needs attributes.type naming a valid sObject type",
                           {},
                           nullptr}});
    }
    bool all_or_none = body->value("allOrNone", false);
    SfWriteOptions opts = HeaderOptions(call);
    run_items(
        call, records.size(), all_or_none, [&](size_t i, std::optional<SfError>& err) -> json {
          const json& rec = records[i];
          const ObjectDef* def = im.FindObject(rec["attributes"]["type"]);
          std::optional<StoredRecord> existing;
          if (update) {
            std::string id = rec.contains("id") ? Str(rec["id"]) : Str(rec.value("Id", json()));
            if (id.empty()) {
              err = SfError{"MISSING_ARGUMENT", "Id not specified in an update call", {}, nullptr};
              return nullptr;
            }
            auto norm = im.NormalizeId(id);
            if (!norm) {
              err = SfError{"MALFORMED_ID", "malformed id " + id, {"Id"}, nullptr};
              return nullptr;
            }
            auto r = im.store->Get(def->name, *norm);
            if (!r || r->deleted) {
              err =
                  r ? SfError{"ENTITY_IS_DELETED", "entity is deleted", {}, nullptr}
                    : SfError{
                          "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {}, nullptr};
              return {{"id", *norm}};
            }
            existing = r;
          } else if (rec.contains("id") || (rec.contains("Id") && !rec["Id"].is_null())) {
            err = SfError{"INVALID_FIELD", "cannot specify Id in an insert call", {"Id"}, nullptr};
            return nullptr;
          }
          json input = rec;
          input.erase("id");
          input.erase("Id");
          StoredRecord r;
          if (auto e = im.Prepare(*def, input, existing ? &*existing : nullptr, r, opts)) {
            err = e;
            return existing ? json{{"id", existing->id}} : json(nullptr);
          }
          im.Persist(*def, r);
          return {{"id", r.id}, {"success", true}, {"errors", json::array()}};
        });
  };
  router.Add("POST", v + "/composite/sobjects",
             [write_collection](Call& call) { write_collection(call, false); });
  router.Add("PATCH", v + "/composite/sobjects",
             [write_collection](Call& call) { write_collection(call, true); });
  router.Add("DELETE", v + "/composite/sobjects", [&im, too_many, run_items](Call& call) {
    auto ids = SplitList(call.Query("ids"));
    if (ids.empty())
      return im.Errors(call, 400, {{"MISSING_ARGUMENT", "ids is required", {}, nullptr}});
    if (too_many(call, ids.size())) return;
    run_items(
        call, ids.size(), call.Query("allOrNone") == "true",
        [&](size_t i, std::optional<SfError>& err) -> json {
          auto id = im.NormalizeId(ids[i]);
          const ObjectDef* def = id ? im.ObjectOfId(*id) : nullptr;
          if (!id || !def) {
            err = SfError{"MALFORMED_ID", "malformed id " + ids[i], {}, nullptr};
            return nullptr;
          }
          auto r = im.store->Get(def->name, *id);
          if (!r || r->deleted) {
            err = r ? SfError{"ENTITY_IS_DELETED", "entity is deleted", {}, nullptr}
                    : SfError{
                          "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {}, nullptr};
            return {{"id", *id}};
          }
          r->deleted = true;
          r->deleted_ms = im.Now();
          r->modstamp_ms = std::max(r->deleted_ms, r->modstamp_ms);
          im.store->Put(*r, im.Indexed(*def));
          return {{"id", r->id}, {"success", true}, {"errors", json::array()}};
        });
  });
  auto retrieve = [&im, object, too_many](Call& call, const std::vector<std::string>& ids,
                                          const std::vector<std::string>& names) {
    const ObjectDef* def = object(call);
    if (!def) return;
    if (ids.empty() || names.empty())
      return im.Errors(call, 400,
                       {{"MISSING_ARGUMENT", "ids and fields are required", {}, nullptr}});
    if (too_many(call, ids.size())) return;
    std::vector<const FieldDef*> fields;
    for (const auto& n : names) {
      const FieldDef* f = def->Find(n);
      if (!f)
        return im.Errors(call, 400,
                         {{"INVALID_FIELD",
                           "No such column '" + n + "' on entity '" + def->name + "'",
                           {},
                           nullptr}});
      fields.push_back(f);
    }
    json out = json::array();
    for (const auto& id : ids) {
      auto r = im.Live(*def, id);
      out.push_back(r ? im.Render(*def, *r, &fields) : json(nullptr));
    }
    call.Json(200, std::move(out));
  };
  router.Add("GET", v + "/composite/sobjects/{object}", [retrieve](Call& call) {
    retrieve(call, SplitList(call.Query("ids")), SplitList(call.Query("fields")));
  });
  router.Add("POST", v + "/composite/sobjects/{object}", [&im, retrieve](Call& call) {
    auto body = SfBody(im, call);
    if (!body) return;
    std::vector<std::string> ids, fields;
    for (const auto& x : body->value("ids", json::array())) ids.push_back(Str(x));
    for (const auto& x : body->value("fields", json::array())) fields.push_back(Str(x));
    retrieve(call, ids, fields);
  });
  router.Add(
      "PATCH", v + "/composite/sobjects/{object}/{field}",
      [&im, object, too_many, run_items](Call& call) {
        const ObjectDef* def = object(call);
        if (!def) return;
        const FieldDef* key = def->Find(call.Param("field"));
        if (!key || !key->external_id)
          return im.Errors(
              call, 400,
              {{"INVALID_FIELD",
                "Field " + call.Param("field") + " is not an external id field on " + def->name,
                {},
                nullptr}});
        auto body = SfBody(im, call);
        if (!body) return;
        if (!body->is_object() || !(*body)["records"].is_array())
          return im.Errors(
              call, 400,
              {{"JSON_PARSER_ERROR", "records is required and must be an array", {}, nullptr}});
        const json& records = (*body)["records"];
        if (too_many(call, records.size())) return;
        SfWriteOptions opts = HeaderOptions(call);
        run_items(
            call, records.size(), body->value("allOrNone", false),
            [&](size_t i, std::optional<SfError>& err) -> json {
              const json& rec = records[i];
              if (!rec.is_object() ||
                  Lower(rec.value("attributes", json::object()).value("type", def->name)) !=
                      Lower(def->name)) {
                err = SfError{
                    "INVALID_TYPE", "all records must be of type " + def->name, {}, nullptr};
                return nullptr;
              }
              std::string value;
              for (auto& [k, x] : rec.items())
                if (Lower(k) == Lower(key->name))
                  value = x.is_string() ? x.get<std::string>() : x.dump();
              if (value.empty()) {
                err =
                    SfError{"MISSING_ARGUMENT", key->name + " not specified", {key->name}, nullptr};
                return nullptr;
              }
              auto ids = im.store->FindByIndex(def->name, key->name, value);
              if (ids.size() > 1) {
                err = SfError{"DUPLICATE_EXTERNAL_ID",
                              key->name + ": more than one record found for external id field: [" +
                                  ids[0] + ", " + ids[1] + "]",
                              {key->name},
                              nullptr};
                return nullptr;
              }
              std::optional<StoredRecord> existing;
              if (!ids.empty()) existing = im.Live(*def, ids[0]);
              StoredRecord r;
              if (auto e = im.Prepare(*def, rec, existing ? &*existing : nullptr, r, opts)) {
                err = e;
                return nullptr;
              }
              im.Persist(*def, r);
              return {{"id", r.id},
                      {"success", true},
                      {"errors", json::array()},
                      {"created", !existing}};
            });
      });
}

}  // namespace syncline::sandbox
