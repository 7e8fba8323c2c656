// Values between the CRMs' JSON and the compiled transforms: filling input slots from a
// connector record, turning output values into API JSON, and the canonical text two values
// are compared by (so "1000" from HubSpot equals 1000.0 from Salesforce, and an email equals
// itself in any case). Comparisons by canonical text are what make echo suppression work.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.h"
#include "engine/program.h"

namespace syncline::engine {

// The JSON an API expects for a transform's output (HubSpot: strings; Salesforce: typed).
nlohmann::json ApiValue(const sl_value& value, rt::Crm target);

// Canonical text of a field value of this kind: blank (null, "", whitespace) is "", numbers
// shortest round-trip, booleans true/false, dates YYYY-MM-DD, datetimes epoch ms, multi-select
// values sorted; `fold_case` lower-cases (matching keys such as email, R48).
std::string Canonical(const nlohmann::json& value, schema::ValueKind kind, bool fold_case = false);
inline bool IsBlank(const nlohmann::json& value) {
  return Canonical(value, schema::ValueKind::kText).empty();
}
// The text of a string value; "" for anything else (ids and lookups are strings).
inline std::string StringOf(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : std::string();
}
// The value of `field` in a record (null when absent).
const nlohmann::json& FieldValue(const connectors::Record& record, const std::string& field);

// What a transform made of one record.
struct Evaluation {
  enum Status : uint8_t { kOk, kDropped, kFailed } status = kOk;
  nlohmann::json fields = nlohmann::json::object();  // target field -> API JSON (skips absent)
  std::string code, message, location;               // kFailed: "E0603", text, rule location
  std::string category = "rule";                     // kFailed: the sync error category
  // Fields written under another name: with State/Country picklists on, the text fields
  // (integration values, compared with what Salesforce reads back) are sent as their code
  // fields (B10: send one of the two). field -> {code field, code value}.
  std::map<std::string, std::pair<std::string, nlohmann::json>> send_as;
  // kFailed by a check of some fields only (the State and Country picklists, R109-R111): those
  // target fields, still holding their unconverted values, while `fields` keeps the record's
  // other values converted. The failure is the record's only if its writes would send one of
  // them: a pair whose decision writes none (Salesforce keeps its own state under "prefer
  // Salesforce unless blank") sends the rest, and Salesforce has nothing to reject. Empty: the
  // whole record failed.
  std::vector<std::string> held;
};

// Runs `transform` on records (in one batch). `segments[i]` lists the segment names record i
// belongs to (HubSpot records, for in_segment); may be null. `stages`: the portal's lifecycle
// stages the std.lifecycle builtins rank by (portal_stages.h); null: HubSpot's defaults.
std::vector<Evaluation> Evaluate(const Transform& transform,
                                 const std::vector<const connectors::Record*>& records,
                                 const std::vector<std::string>* segments = nullptr,
                                 const stdlib::lifecycle::LifecycleStages* stages = nullptr);

}  // namespace syncline::engine
