#include "state/journal_recovery.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace syncline::state {

using nlohmann::json;

namespace {

// Values compare as text, case-insensitively for emails and the like, and numbers as numbers:
// HubSpot returns every value as a string, Salesforce typed JSON.
std::string Norm(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  try {
    size_t used = 0;
    double d = std::stod(s, &used);
    if (used == s.size() && !s.empty()) return json(d).dump();
  } catch (...) {
  }
  return s;
}

// A create of a record without a unique field, found again by a text field's value (see the
// header). The name fields come first: they are what such records are looked up by.
IntentOutcome ResolveByContent(connectors::Connector& connector, const Intent& intent,
                               const json& payload,
                               const std::function<bool(const std::string& id)>& taken) {
  IntentOutcome out;
  std::string probe;
  for (const char* name : {"Name", "name", "dealname", "Subject", "subject", "LastName"})
    if (payload.contains(name) && payload[name].is_string() &&
        !payload[name].get<std::string>().empty()) {
      probe = name;
      break;
    }
  for (auto it = payload.begin(); probe.empty() && it != payload.end(); ++it)
    if (it.value().is_string() && !it.value().get<std::string>().empty()) probe = it.key();
  if (probe.empty()) {
    out.message = "no field to read a create back by";
    return out;  // unknown: an admin must look
  }
  std::vector<connectors::Record> found;
  connectors::Error e = connector.FindByField(intent.object, probe,
                                              {payload[probe].get<std::string>()}, {probe}, &found);
  if (!e.ok()) {
    out.message = e.message;
    return out;
  }
  // Clocks of the CRM and of this machine may differ: a generous window.
  const int64_t earliest = intent.created_ms > 0 ? intent.created_ms - 300'000 : 0;
  std::vector<std::string> ids;
  for (const auto& r : found) {
    if (r.last_modified_ms > 0 && r.last_modified_ms < earliest) continue;
    if (taken && taken(r.id)) continue;
    ids.push_back(r.id);
  }
  if (ids.empty()) {
    out.kind = IntentOutcome::kNotApplied;
    return out;
  }
  std::sort(ids.begin(), ids.end());
  out.kind = IntentOutcome::kApplied;
  out.result_id = ids.front();
  return out;
}

}  // namespace

RecoveryReport RecoverJournal(StateStore& store,
                              const std::function<IntentOutcome(const Intent&)>& resolve,
                              const AppliedHandler& on_applied, int64_t now_ms) {
  RecoveryReport report;
  for (const Intent& intent : store.PendingIntents()) {
    IntentOutcome outcome = resolve(intent);
    if (outcome.kind == IntentOutcome::kUnknown) {
      ++report.unknown;
      continue;
    }
    Transaction tx(store);
    if (outcome.kind == IntentOutcome::kApplied) {
      if (on_applied) on_applied(intent, outcome.result_id);
      store.CompleteIntent(intent.key, outcome.result_id, now_ms);
      ++report.applied;
    } else {
      store.AbandonIntent(intent.key,
                          outcome.message.empty() ? "not applied before a crash" : outcome.message,
                          now_ms);
      ++report.not_applied;
    }
    tx.Commit();
  }
  return report;
}

IntentOutcome ResolveWithConnector(connectors::Connector& connector, const Intent& intent,
                                   const std::function<bool(const std::string& id)>& taken) {
  IntentOutcome out;
  json payload = json::parse(intent.payload, nullptr, false);
  if (!payload.is_object()) payload = json::object();
  if (intent.op == "create" || intent.op == "upsert") {
    if (intent.lookup_field.empty()) return ResolveByContent(connector, intent, payload, taken);
    std::vector<connectors::Record> found;
    connectors::Error e = connector.FindByField(intent.object, intent.lookup_field,
                                                {intent.lookup_value}, {}, &found);
    if (!e.ok()) {
      out.message = e.message;
      return out;
    }
    if (found.empty()) {
      out.kind = IntentOutcome::kNotApplied;
      return out;
    }
    out.kind = IntentOutcome::kApplied;
    out.result_id = found.front().id;
    return out;
  }
  if (intent.op == "update" || intent.op == "delete") {
    std::vector<std::string> fields;
    for (auto it = payload.begin(); it != payload.end(); ++it) fields.push_back(it.key());
    std::vector<connectors::Record> found;
    connectors::Error e = connector.ReadByIds(intent.object, {intent.record_id}, fields, &found);
    if (!e.ok()) {
      out.message = e.message;
      return out;
    }
    if (intent.op == "delete") {
      out.kind = found.empty() ? IntentOutcome::kApplied : IntentOutcome::kNotApplied;
      out.result_id = intent.record_id;
      return out;
    }
    if (found.empty()) {
      out.kind = IntentOutcome::kNotApplied;
      out.message = "the record no longer exists";
      return out;
    }
    bool all = true;
    for (auto it = payload.begin(); it != payload.end(); ++it) {
      const json& have =
          found.front().fields.contains(it.key()) ? found.front().fields[it.key()] : json();
      if (Norm(have) != Norm(it.value())) all = false;
    }
    out.kind = all ? IntentOutcome::kApplied : IntentOutcome::kNotApplied;
    out.result_id = intent.record_id;
    return out;
  }
  out.kind = IntentOutcome::kNotApplied;  // associations and others are idempotent: redo them
  return out;
}

}  // namespace syncline::state
