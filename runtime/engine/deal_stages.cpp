#include "engine/deal_stages.h"

namespace syncline::engine {

using nlohmann::json;

namespace {

void Fail(Evaluation& e, const std::string& message, const std::string& location,
          const char* code) {
  e.status = Evaluation::kFailed;
  e.category = "mapping";
  e.code = code;
  e.message = message;
  e.location = location;
}

std::string Text(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// Salesforce ids compare on their 15 case-sensitive characters.
bool SameId(const std::string& a, const std::string& b) {
  return a.size() >= 15 && b.size() >= 15 && a.compare(0, 15, b, 0, 15) == 0;
}

bool LooksLikeId(const std::string& s) {
  return s.size() == 15 || s.size() == 18;
}

}  // namespace

connectors::Error LoadRecordTypeIds(const SyncProgram& p, connectors::Connector& sf,
                                    const std::string& object, RecordTypeIds* out) {
  out->clear();
  std::vector<connectors::Record> found;
  connectors::Error e =
      sf.FindByField("RecordType", "SobjectType", {object}, {"Id", "DeveloperName"}, &found);
  if (!e.ok()) return e;
  for (const auto& block : p.pipelines) {
    if (block.record_type.empty()) continue;
    for (const auto& r : found) {
      const json& name = FieldValue(r, "DeveloperName");
      if ((name.is_string() && name.get<std::string>() == block.record_type) ||
          (LooksLikeId(block.record_type) && SameId(r.id, block.record_type))) {
        (*out)[block.record_type] = r.id;
        break;
      }
    }
  }
  return {};
}

const FieldMap* StageField(const SyncProgram& p, const ObjectProgram& object) {
  if (p.pipelines.empty()) return nullptr;
  return object.ByHubSpot("dealstage");
}

const DealPipeline* PipelineOfDeal(const SyncProgram& p, const connectors::Record& hubspot) {
  const json& v = FieldValue(hubspot, "pipeline");
  // HubSpot puts a deal without a pipeline into the default pipeline.
  const std::string pipeline = IsBlank(v) ? "default" : Text(v);
  for (const auto& block : p.pipelines)
    if (block.pipeline.empty() || block.pipeline == pipeline) return &block;
  return nullptr;
}

const DealPipeline* PipelineOfOpportunity(const SyncProgram& p, const RecordTypeIds& ids,
                                          const connectors::Record& salesforce) {
  const json& v = FieldValue(salesforce, "RecordTypeId");
  const std::string record_type = IsBlank(v) ? "" : Text(v);
  const DealPipeline* others = nullptr;
  for (const auto& block : p.pipelines) {
    if (block.record_type.empty()) {
      if (!others) others = &block;
      continue;
    }
    auto it = ids.find(block.record_type);
    if (it != ids.end() && SameId(it->second, record_type)) return &block;
  }
  return others;
}

void ApplyStagesToSalesforce(const SyncProgram& p, const ObjectProgram& object,
                             const connectors::Record& hubspot, const connectors::Record* current,
                             const RecordTypeIds& ids, Evaluation& e) {
  if (p.pipelines.empty() || e.status != Evaluation::kOk) return;
  const DealPipeline* block = PipelineOfDeal(p, hubspot);
  if (!block) return;  // outside the synced pipelines: not synced (R80)
  if (!current && !block->record_type.empty()) {
    auto it = ids.find(block->record_type);
    if (it == ids.end())
      return Fail(e,
                  "pipeline \"" + block->pipeline + "\" is for record type \"" +
                      block->record_type + "\", which salesforce." + object.object +
                      " does not have (R78)",
                  block->location, "E0420");
    e.fields["RecordTypeId"] = it->second;
  }
  const FieldMap* fm = StageField(p, object);
  if (!fm || block->stages.empty()) return;
  auto it = e.fields.find(fm->salesforce);
  if (it == e.fields.end() || IsBlank(*it)) return;
  const std::string v = Text(*it);
  for (const auto& [hs, sf] : block->stages) {
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
  for (const auto& [hs, sf] : block->stages)
    for (const auto& s : sf)
      if (s == v) return;
  Fail(e,
       "deal stage `" + v + "` has no opportunity stage in the stage map" +
           (p.pipelines.size() > 1 ? " of pipeline \"" + block->pipeline + "\"" : "") + " (R82)",
       fm->location, "E0411");
}

void ApplyStagesToHubSpot(const SyncProgram& p, const ObjectProgram& object,
                          const connectors::Record& salesforce, const RecordTypeIds& ids,
                          Evaluation& e) {
  if (p.pipelines.empty() || e.status != Evaluation::kOk) return;
  const DealPipeline* block = PipelineOfOpportunity(p, ids, salesforce);
  if (!block) {
    const json& v = FieldValue(salesforce, "RecordTypeId");
    return Fail(e,
                "opportunity record type " + (IsBlank(v) ? std::string("(none)") : Text(v)) +
                    " has no pipeline in the rules, and no stage map without a record type "
                    "takes the others (R78)",
                p.pipelines.front().location, "E0420");
  }
  // Deals land in the pipeline of their record type (R78: the rules name it).
  if (!block->pipeline.empty()) e.fields["pipeline"] = block->pipeline;
  const FieldMap* fm = StageField(p, object);
  if (!fm || block->stages.empty()) return;
  auto it = e.fields.find(fm->hubspot);
  if (it == e.fields.end() || IsBlank(*it)) return;
  const std::string v = Text(*it);
  for (const auto& [hs, sf] : block->stages)
    for (const auto& s : sf)
      if (s == v) {
        *it = hs;
        return;
      }
  for (const auto& [hs, sf] : block->stages)
    if (hs == v) return;
  Fail(e,
       "opportunity stage \"" + v + "\" has no deal stage in the stage map" +
           (p.pipelines.size() > 1 ? " of pipeline \"" + block->pipeline + "\"" : "") + " (R82)",
       fm->location, "E0411");
}

void FollowPipelineMove(const SyncProgram& p, const ObjectProgram& object,
                        const connectors::Record& hubspot, const Evaluation& e, PairDecision& d) {
  if (!p.HasRecordTypes() || !d.hubspot.fields.contains("pipeline")) return;
  const FieldMap* fm = StageField(p, object);
  if (!fm || !fm->writes_hubspot || e.status != Evaluation::kOk) return;
  auto it = e.fields.find(fm->hubspot);
  if (it == e.fields.end() || IsBlank(*it) || d.hubspot.fields.contains(fm->hubspot)) return;
  const json& now = FieldValue(hubspot, fm->hubspot);
  const std::string next = Canonical(*it, fm->hubspot_kind, false);
  if (Canonical(now, fm->hubspot_kind, false) == next) return;
  d.hubspot.fields[fm->hubspot] = *it;
  d.hubspot.changes.push_back({fm->hubspot, now, *it,
                               "the deal moves to pipeline " + d.hubspot.fields["pipeline"].dump() +
                                   ", whose stage map reads the opportunity's stage (R78)"});
  d.base_hubspot[fm->hubspot] = next;
}

bool InSyncedPipeline(const SyncProgram& p, const connectors::Record& hubspot) {
  if (p.pipelines.empty()) return true;
  return PipelineOfDeal(p, hubspot) != nullptr;
}

}  // namespace syncline::engine
