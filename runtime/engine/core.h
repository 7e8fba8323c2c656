// The engine's pure core: given the HubSpot record, the Salesforce record, the base (the
// values both sides agreed on at the last sync) and what the compiled rules compute in each
// direction, decide the field writes on each side. No I/O: `plan`, `test` and the driver all
// call this, and unit tests pin every rule (R1-R16) here.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "connectors/connector.h"
#include "engine/program.h"
#include "engine/values.h"
#include "state/state_store.h"

namespace syncline::engine {

// One field that changes, for plans and explanations.
struct FieldChange {
  std::string field;
  nlohmann::json before, after;
  std::string reason;  // "two-way: changed in HubSpot, last change wins (R8)"
};

// The writes to one side.
struct SideWrite {
  nlohmann::json fields = nlohmann::json::object();
  std::vector<FieldChange> changes;
  bool empty() const { return fields.empty(); }
};

struct PairInput {
  const ObjectProgram* object = nullptr;
  const connectors::Record* hubspot = nullptr;
  const connectors::Record* salesforce = nullptr;
  // The base of an existing link (empty maps on a first pairing).
  const state::BaseValues* base_hubspot = nullptr;
  const state::BaseValues* base_salesforce = nullptr;
  const Evaluation* to_salesforce = nullptr;  // from the HubSpot record, if evaluated
  const Evaluation* to_hubspot = nullptr;     // from the Salesforce record
  bool allow_salesforce_writes = true;        // false outside the inclusion segment (R42)
  bool allow_hubspot_writes = true;
  std::string match_hubspot;  // key fields compare case-insensitively (R48)
  SyncProgram::Winner conflict = SyncProgram::Winner::kNewest;  // R131
};

struct PairDecision {
  SideWrite hubspot, salesforce;
  // The base to store once the writes succeed: canonical values of every mapped field.
  state::BaseValues base_hubspot, base_salesforce;
};

// Decides the writes for a pair of records that both exist (linked or just matched).
PairDecision DecidePair(const PairInput& input);

// Whether a record changed in a mapped field since the base (R15: changes to unmapped fields
// trigger nothing). `hubspot_side` selects which field of each mapping is read.
bool HasMappedChange(const SyncProgram& program, const ObjectProgram* object,
                     const connectors::Record& record, bool hubspot_side,
                     const state::BaseValues& base);

// The base after creating a record with `written` from `source`.
void BaseAfterCreate(const ObjectProgram& object, const connectors::Record& source,
                     bool source_is_hubspot, const nlohmann::json& written,
                     const std::string& match_hubspot, state::BaseValues* base_hubspot,
                     state::BaseValues* base_salesforce);

}  // namespace syncline::engine
