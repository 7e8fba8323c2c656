#include "engine/addresses.h"

#include "geo/salesforce_picklists.h"

namespace syncline::engine {

using nlohmann::json;
namespace geo = stdlib::geo;

std::vector<AddressFields> FindAddresses(const ObjectProgram& object) {
  std::vector<AddressFields> out;
  auto ends_with = [](const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) == 0;
  };
  for (const FieldMap& fm : object.fields) {
    if (!ends_with(fm.salesforce, "Country")) continue;
    AddressFields a;
    a.prefix = fm.salesforce.substr(0, fm.salesforce.size() - 7);
    a.country = &fm;
    a.state = object.BySalesforce(a.prefix + "State");
    out.push_back(a);
  }
  for (const FieldMap& fm : object.fields) {  // a mapped state without a mapped country
    if (!ends_with(fm.salesforce, "State")) continue;
    const std::string prefix = fm.salesforce.substr(0, fm.salesforce.size() - 5);
    if (object.BySalesforce(prefix + "Country")) continue;
    out.push_back(AddressFields{prefix, nullptr, &fm});
  }
  return out;
}

namespace {

geo::PicklistSettings Settings(const SyncProgram& p, const geo::PicklistTable* org_table) {
  geo::PicklistSettings s;
  s.table = org_table;
  s.salesforce = p.picklists_salesforce == "enabled"      ? geo::SalesforcePicklistMode::enabled
                 : p.picklists_salesforce == "customized" ? geo::SalesforcePicklistMode::customized
                                                          : geo::SalesforcePicklistMode::disabled;
  s.hubspot = p.picklists_hubspot == "match_defaults"
                  ? geo::HubSpotPlaceMode::match_salesforce_defaults
                  : geo::HubSpotPlaceMode::sync_as_is;
  return s;
}

std::string Text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// Fails the record for one address's value, holding that address's target fields (both, since
// Salesforce checks a state against the country of the same record): their values stay
// unconverted, the record's other values are still converted, and the first failure names it.
void Hold(Evaluation& e, stdlib::Status status, geo::PlaceField field, const std::string& value,
          std::initializer_list<const std::string*> address_fields) {
  if (e.status != Evaluation::kFailed) {
    e.status = Evaluation::kFailed;
    e.category = "picklist";
    e.code = "E0602";
    const char* which = field == geo::PlaceField::state ? "state" : "country";
    e.message = std::string("the ") + which + " `" + value + "` is not accepted by Salesforce's " +
                "State and Country picklists (" + std::string(stdlib::status_name(status)) +
                "; R109-R111)";
  }
  for (const std::string* f : address_fields)
    if (f && e.fields.contains(*f)) e.held.push_back(*f);
}

}  // namespace

void ApplyPicklistsToSalesforce(const SyncProgram& program, const ObjectProgram& object,
                                Evaluation& e, const geo::PicklistTable* org_table) {
  if (e.status != Evaluation::kOk) return;
  if (program.picklists_salesforce == "disabled" && program.picklists_hubspot == "as_is") return;
  const geo::PicklistSettings settings = Settings(program, org_table);
  for (const AddressFields& a : FindAddresses(object)) {
    const bool has_country = a.country && e.fields.contains(a.country->salesforce);
    const bool has_state = a.state && e.fields.contains(a.state->salesforce);
    if (!has_country && !has_state) continue;
    const std::string country = has_country ? Text(e.fields[a.country->salesforce]) : "";
    const std::string state = has_state ? Text(e.fields[a.state->salesforce]) : "";
    const geo::SalesforceAddress r = geo::to_salesforce(settings, country, state);
    if (r.status == stdlib::Status::blank) continue;
    if (r.status != stdlib::Status::ok) {
      Hold(
          e, r.status, r.failed_field, r.failed_field == geo::PlaceField::state ? state : country,
          {a.country ? &a.country->salesforce : nullptr, a.state ? &a.state->salesforce : nullptr});
      continue;
    }
    auto put = [&](const FieldMap* fm, std::string_view text, std::string_view code,
                   const std::string& code_field) {
      if (!fm || !e.fields.contains(fm->salesforce)) return;
      e.fields[fm->salesforce] = text.empty() ? json(nullptr) : json(std::string(text));
      if (r.write_codes)
        e.send_as[fm->salesforce] = {code_field,
                                     code.empty() ? json(nullptr) : json(std::string(code))};
    };
    put(a.country, r.country, r.country_code, a.prefix + "CountryCode");
    put(a.state, r.state, r.state_code, a.prefix + "StateCode");
  }
}

void ApplyPicklistsToHubSpot(const SyncProgram& program, const ObjectProgram& object,
                             const connectors::Record& sf, Evaluation& e,
                             const geo::PicklistTable* org_table) {
  if (e.status != Evaluation::kOk) return;
  if (program.picklists_salesforce == "disabled" && program.picklists_hubspot == "as_is") return;
  const geo::PicklistSettings settings = Settings(program, org_table);
  for (const AddressFields& a : FindAddresses(object)) {
    const bool has_country = a.country && e.fields.contains(a.country->hubspot);
    const bool has_state = a.state && e.fields.contains(a.state->hubspot);
    if (!has_country && !has_state) continue;
    const std::string country = Text(FieldValue(sf, a.prefix + "Country"));
    const std::string country_code = Text(FieldValue(sf, a.prefix + "CountryCode"));
    const std::string state = Text(FieldValue(sf, a.prefix + "State"));
    const std::string state_code = Text(FieldValue(sf, a.prefix + "StateCode"));
    const geo::HubSpotAddress r =
        geo::to_hubspot(settings, country, country_code, state, state_code);
    if (r.status == stdlib::Status::blank) continue;
    if (r.status != stdlib::Status::ok) {
      Hold(e, r.status, r.failed_field, r.failed_field == geo::PlaceField::state ? state : country,
           {a.country ? &a.country->hubspot : nullptr, a.state ? &a.state->hubspot : nullptr});
      continue;
    }
    if (has_country) e.fields[a.country->hubspot] = std::string(r.country);
    if (has_state) e.fields[a.state->hubspot] = std::string(r.state);
  }
}

std::optional<geo::PicklistTable> PicklistsFromDescribe(const schema::Object& described,
                                                        const std::string& prefix) {
  const schema::Field* countries = described.FindField(prefix + "CountryCode");
  if (!countries || countries->name != prefix + "CountryCode") return std::nullopt;
  auto values = [](const schema::Field* f) {
    std::vector<geo::PicklistTable::DescribeValue> out;
    if (!f) return out;
    for (const schema::Option& o : f->options)
      out.push_back({o.value, o.label, o.valid_for, o.active});
    return out;
  };
  const auto c = values(countries);
  const auto s = values(described.FindField(prefix + "StateCode"));
  return geo::PicklistTable::from_describe(c, s);
}

}  // namespace syncline::engine
