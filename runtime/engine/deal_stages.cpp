#include "engine/deal_stages.h"

namespace syncline::engine {

using nlohmann::json;

const FieldMap* StageField(const SyncProgram& p, const ObjectProgram& object) {
  if (p.stages.empty()) return nullptr;
  return object.ByHubSpot("dealstage");
}

namespace {

void Fail(Evaluation& e, const std::string& message, const FieldMap& fm) {
  e.status = Evaluation::kFailed;
  e.category = "mapping";
  e.code = "E0411";
  e.message = message;
  e.location = fm.location;
}

}  // namespace

void ApplyStagesToSalesforce(const SyncProgram& p, const ObjectProgram& object,
                             const connectors::Record* current, Evaluation& e) {
  const FieldMap* fm = StageField(p, object);
  if (!fm || e.status != Evaluation::kOk) return;
  auto it = e.fields.find(fm->salesforce);
  if (it == e.fields.end() || IsBlank(*it)) return;
  const std::string v = it->is_string() ? it->get<std::string>() : it->dump();
  for (const auto& [hs, sf] : p.stages) {
    if (hs == v && !sf.empty()) {
      *it = sf.front();
      if (current) {
        const json& now = FieldValue(*current, fm->salesforce);
        for (const auto& s : sf)
          if (now.is_string() && now.get<std::string>() == s) *it = s;
      }
      return;
    }
  }
  // A transform may already have produced a Salesforce stage.
  for (const auto& [hs, sf] : p.stages)
    for (const auto& s : sf)
      if (s == v) return;
  Fail(e, "deal stage `" + v + "` has no opportunity stage in the stage map (R82)", *fm);
}

void ApplyStagesToHubSpot(const SyncProgram& p, const ObjectProgram& object, Evaluation& e) {
  const FieldMap* fm = StageField(p, object);
  if (!fm || e.status != Evaluation::kOk) return;
  // New deals land in the stage map's pipeline (R78: the rules name it).
  if (!p.pipeline.empty()) e.fields["pipeline"] = p.pipeline;
  auto it = e.fields.find(fm->hubspot);
  if (it == e.fields.end() || IsBlank(*it)) return;
  const std::string v = it->is_string() ? it->get<std::string>() : it->dump();
  for (const auto& [hs, sf] : p.stages)
    for (const auto& s : sf)
      if (s == v) {
        *it = hs;
        return;
      }
  for (const auto& [hs, sf] : p.stages)
    if (hs == v) return;
  Fail(e, "opportunity stage \"" + v + "\" has no deal stage in the stage map (R82)", *fm);
}

bool InSyncedPipeline(const SyncProgram& p, const connectors::Record& hubspot) {
  if (p.pipeline.empty()) return true;
  const json& v = FieldValue(hubspot, "pipeline");
  // HubSpot puts a deal without a pipeline into the default pipeline.
  if (IsBlank(v)) return p.pipeline == "default";
  return v.is_string() && v.get<std::string>() == p.pipeline;
}

}  // namespace syncline::engine
