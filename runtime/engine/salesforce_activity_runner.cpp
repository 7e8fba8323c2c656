#include "engine/salesforce_activity_runner.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "connectors/time_util.h"
#include "connectors/window_cursor.h"
#include "engine/portal_stages.h"
#include "engine/run_context.h"
#include "engine/values.h"
#include "state/journal_recovery.h"

namespace syncline::engine {

using connectors::Record;
using nlohmann::json;
using state::Side;

std::string SalesforceActivityType(const std::string& salesforce_object,
                                   const std::string& task_subtype) {
  if (salesforce_object == "Event") return "meetings";
  if (task_subtype == "Call") return "calls";
  if (task_subtype == "Email" || task_subtype == "ListEmail") return "emails";
  return "tasks";
}

namespace {

// Journal keys of engagement creates: "activity|create|hubspot|calls|salesforce:Task:00T...".
// No "|from:" part, so the sync runners' recovery handlers complete them without linking, and
// no payload hash, so one task always has one key (a done intent is never repeated).
constexpr std::string_view kKeyPrefix = "activity|create|hubspot|";
// Tasks waiting for their contact to be synced, per Salesforce object; the lowest ids are
// dropped past this many.
constexpr size_t kMaxWaiting = 10'000;
// The base values of a link this runner made carry this key: a linked task without it was made
// by the other direction (ActivityRunner) from a HubSpot engagement and is never sent back.
constexpr const char* kSourceKey = "$source";
constexpr const char* kCountPrefix = "skipped.salesforce_activities.";

// WhoId and WhatId point at records of these objects; their links name the HubSpot records.
const char* const kWhoObjects[] = {"Contact", "Lead"};
const char* const kWhatObjects[] = {"Opportunity", "Account", "Case"};

std::string SourceObject(const std::string& type) {
  return type == "meetings" ? "Event" : "Task";
}

std::optional<int64_t> Ms(const json& v) {
  if (!v.is_string() || v.get<std::string>().empty()) return std::nullopt;
  return connectors::ParseTimeMs(v.get<std::string>());
}

bool IsTrue(const json& v) {
  return (v.is_boolean() && v.get<bool>()) || (v.is_string() && v.get<std::string>() == "true");
}

// "2024-05-06T10:11:12.000+0000", what the `timestamp` pseudo-field reads as Salesforce does.
std::string SalesforceDateTime(int64_t ms) {
  std::string s = connectors::FormatIsoMs(ms);
  if (!s.empty() && s.back() == 'Z') {
    s.pop_back();
    s += "+0000";
  }
  return s;
}

// When the activity happened: an event's start; a task's due date (R90 "Due Date"); a call's or
// email's completion, else its date; the creation time when none is set.
int64_t When(const Record& r, const std::string& type) {
  std::vector<const char*> order;
  if (type == "meetings")
    order = {"StartDateTime", "ActivityDateTime", "ActivityDate", "CreatedDate"};
  else if (type == "tasks")
    order = {"ActivityDate", "CreatedDate"};
  else
    order = {"CompletedDateTime", "ActivityDate", "CreatedDate"};
  for (const char* f : order)
    if (auto ms = Ms(FieldValue(r, f))) return *ms;
  return r.last_modified_ms;
}

std::string Mapped(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

// The properties every engagement gets without any assignment (docs/runtime.md). "" is blank:
// left out of a create, clears the property on an update.
json Defaults(const Record& r, const std::string& type, int64_t when) {
  static const std::map<std::string, std::string> kStatus = {{"Not Started", "NOT_STARTED"},
                                                             {"In Progress", "IN_PROGRESS"},
                                                             {"Completed", "COMPLETED"},
                                                             {"Waiting on someone else", "WAITING"},
                                                             {"Deferred", "DEFERRED"}};
  static const std::map<std::string, std::string> kPriority = {
      {"High", "HIGH"}, {"Normal", "MEDIUM"}, {"Low", "LOW"}};
  static const std::map<std::string, std::string> kDirection = {{"Inbound", "INBOUND"},
                                                                {"Outbound", "OUTBOUND"}};
  const std::string subject = StringOf(FieldValue(r, "Subject"));
  const std::string body = StringOf(FieldValue(r, "Description"));
  const bool closed = IsTrue(FieldValue(r, "IsClosed"));
  json p = json::object();
  p["hs_timestamp"] = connectors::FormatIsoMs(when);
  if (type == "tasks") {
    p["hs_task_subject"] = subject;
    p["hs_task_body"] = body;
    std::string status = Mapped(kStatus, StringOf(FieldValue(r, "Status")));
    if (status.empty()) status = closed ? "COMPLETED" : "NOT_STARTED";  // a custom status
    p["hs_task_status"] = status;
    const std::string priority = Mapped(kPriority, StringOf(FieldValue(r, "Priority")));
    p["hs_task_priority"] = priority.empty() ? "NONE" : priority;
    p["hs_task_type"] = "TODO";
  } else if (type == "calls") {
    p["hs_call_title"] = subject;
    p["hs_call_body"] = body;
    if (closed) p["hs_call_status"] = "COMPLETED";
    const std::string direction = Mapped(kDirection, StringOf(FieldValue(r, "CallType")));
    if (!direction.empty()) p["hs_call_direction"] = direction;
    const json& seconds = FieldValue(r, "CallDurationInSeconds");
    if (seconds.is_number())
      p["hs_call_duration"] = std::to_string(static_cast<int64_t>(seconds.get<double>() * 1000));
  } else if (type == "emails") {
    p["hs_email_subject"] = subject;
    p["hs_email_text"] = body;
    p["hs_email_direction"] = "EMAIL";
    p["hs_email_status"] = "SENT";
  } else if (type == "meetings") {
    p["hs_meeting_title"] = subject;
    p["hs_meeting_body"] = body;
    p["hs_meeting_start_time"] = connectors::FormatIsoMs(when);
    if (auto end = Ms(FieldValue(r, "EndDateTime")))
      p["hs_meeting_end_time"] = connectors::FormatIsoMs(*end);
    p["hs_meeting_location"] = StringOf(FieldValue(r, "Location"));
  }
  return p;
}

std::string BaseText(const state::BaseValues& base, const std::string& key) {
  auto it = base.find(key);
  return it == base.end() ? json("").dump() : it->second;
}

// A task or event ready to become (or update) an engagement.
struct Item {
  std::string type;               // the HubSpot object: tasks, calls, emails, meetings
  std::string source_object, id;  // the Salesforce record
  json properties;                // the wanted properties ("" = blank)
  std::vector<std::pair<std::string, std::string>> associate;  // HubSpot object, id
  std::optional<state::Link> link;                             // an engagement exists: update it
  state::BaseValues base;                                      // of the link
  bool reassociate = false;                                    // a retried error of a linked task
};

}  // namespace

struct SalesforceActivityRunner::Impl {
  const ActivityProgram& p;
  connectors::Connector& hs;
  connectors::Connector& sf;
  state::StateStore& store;
  RunOptions o;
  RunReport report;
  int64_t hs_calls0 = 0, sf_calls0 = 0, hs_min = 0, sf_min = 0;
  std::map<std::string, int64_t> start_ms;               // per type
  std::map<std::string, std::set<std::string>> waiting;  // Salesforce object -> ids
  std::set<std::string> errored;                         // ids retried for an open error
  // The portal's lifecycle stages, read on first use by a transform that calls std.lifecycle.
  PortalStagesCache stages;
  const stdlib::lifecycle::LifecycleStages* StagesFor(const Transform& t) {
    return stages.For(t, hs, sf, &hs_min);
  }

  Impl(const ActivityProgram& program, connectors::Connector& h, connectors::Connector& s,
       state::StateStore& st, RunOptions options)
      : p(program), hs(h), sf(s), store(st), o(std::move(options)) {
    if (!o.now_ms) o.now_ms = SystemNowMs;
  }

  int64_t Now() { return o.now_ms(); }
  void Count(const std::string& key, int64_t n = 1) {
    if (n) report.counts[key] += n;
  }
  void Skip(const std::string& why) { Count(kCountPrefix + why); }
  // `syncline import --object Task|Event` (R125): every record of that object, whatever its
  // age; no watermark, start time or waiting list moves.
  bool Importing() const { return !o.import_object.empty(); }
  bool Listed(const std::string& type) const {
    return std::find(p.types.begin(), p.types.end(), type) != p.types.end();
  }
  void CheckSuspended() { engine::CheckSuspended(hs, sf); }
  [[noreturn]] void Fail(const connectors::Error& e, const std::string& what) {
    FailRead(hs, sf, e, what);
  }

  static std::string Marker(const std::string& object, const std::string& id) {
    return "salesforce:" + object + ":" + id;
  }
  static std::string Key(const std::string& type, const std::string& object,
                         const std::string& id) {
    return std::string(kKeyPrefix) + type + "|" + Marker(object, id);
  }
  // The engagement type and the Salesforce record of one of our journal keys.
  static bool ParseKey(const std::string& key, std::string* type, std::string* object,
                       std::string* id) {
    if (key.rfind(kKeyPrefix, 0) != 0) return false;
    const std::string rest = key.substr(kKeyPrefix.size());
    const auto bar = rest.find("|salesforce:");
    if (bar == std::string::npos) return false;
    const std::string marker = rest.substr(bar + 12);
    const auto colon = marker.find(':');
    if (colon == std::string::npos) return false;
    *type = rest.substr(0, bar);
    *object = marker.substr(0, colon);
    *id = marker.substr(colon + 1);
    return true;
  }

  std::vector<std::string> ReadFields(const std::string& object) const {
    if (object == "Event")
      return {"Subject",      "Description",      "Location", "StartDateTime", "EndDateTime",
              "ActivityDate", "ActivityDateTime", "WhoId",    "WhatId",        "CreatedDate"};
    std::vector<std::string> f = {"Subject",     "Description",      "Status",
                                  "Priority",    "IsClosed",         "ActivityDate",
                                  "TaskSubtype", "CallObject",       "WhoId",
                                  "WhatId",      "CallType",         "CallDurationInSeconds",
                                  "CreatedDate", "CompletedDateTime"};
    if (!p.marker_field.empty() && p.marker_field != "CallObject") f.push_back(p.marker_field);
    return f;
  }

  // A task Syncline made from a HubSpot engagement (ActivityRunner's marker, R91): never sent
  // back, even when its link was lost.
  bool FromHubSpot(const Record& r) const {
    for (const std::string& f : {p.marker_field, std::string("CallObject")})
      if (StringOf(FieldValue(r, f)).rfind("hubspot:", 0) == 0) return true;
    return false;
  }

  void RecordError(const std::string& object, const std::string& id, const std::string& category,
                   const std::string& code, const std::string& message) {
    if (o.dry_run) {
      report.errors[category] += 1;
      return;
    }
    state::SyncError e;
    e.side = Side::kHubSpot;
    e.object = object;
    e.record_id = id;
    e.category = category;
    e.code = code;
    e.message = message;
    store.RecordError(e, Now(), o.retry_interval_ms);
    report.errors[category] += 1;
  }

  // The link and base values of an engagement made from a Salesforce record.
  void PutEngagementLink(const std::string& type, const std::string& hubspot_id,
                         const std::string& object, const std::string& id, const json& props) {
    state::Link link;
    if (auto existing = store.FindLink(Side::kSalesforce, object, id)) link = *existing;
    link.hubspot_object = type;
    link.hubspot_id = hubspot_id;
    link.salesforce_object = object;
    link.salesforce_id = id;
    if (!link.created_ms) link.created_ms = Now();
    link.updated_ms = Now();
    link.id = store.PutLink(link);
    state::BaseValues base;
    for (auto it = props.begin(); it != props.end(); ++it)
      if (it.key() != p.hubspot_marker) base[it.key()] = it.value().dump();
    base[kSourceKey] = json("salesforce").dump();
    store.SetBase(link.id, Side::kHubSpot, base, Now());
  }

  // Adds the associations of engagements (idempotent). Returns the failure of each engagement,
  // by index into `items`, empty when all went through.
  std::map<size_t, connectors::Error> Associate(
      const std::string& type,
      const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>&
          items) {
    std::map<std::string, std::vector<std::pair<size_t, connectors::Association>>> by_to;
    for (size_t i = 0; i < items.size(); ++i)
      for (const auto& [to, to_id] : items[i].second) {
        connectors::Association a;
        a.from_id = items[i].first;
        a.to_id = to_id;
        by_to[to].push_back({i, a});
      }
    std::map<size_t, connectors::Error> failed;
    for (auto& [to, links] : by_to) {
      std::vector<connectors::Association> batch;
      for (const auto& l : links) batch.push_back(l.second);
      hs_min += Batches(static_cast<int64_t>(batch.size()), kHubSpotAssociationBatch);
      const auto results = hs.Associate(type, to, batch);
      for (size_t k = 0; k < links.size() && k < results.size(); ++k)
        if (!results[k].ok) failed[links[k].first] = results[k].error;
    }
    return failed;
  }
  static std::vector<std::pair<std::string, std::string>> AssociationsOf(const json& payload) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& a : payload.value("associations", json::array()))
      if (a.is_array() && a.size() == 2 && a[0].is_string() && a[1].is_string())
        out.push_back({a[0].get<std::string>(), a[1].get<std::string>()});
    return out;
  }

  // ---- journal recovery: our own pending creates (the sync runners complete the ones they
  // see first without linking; BeginIntent then returns them done and Execute links them).
  void Recover() {
    if (o.dry_run) return;
    int unknown = 0;
    for (const state::Intent& intent : store.PendingIntents()) {
      std::string type, object, id;
      if (!ParseKey(intent.key, &type, &object, &id)) continue;
      const state::IntentOutcome out = state::ResolveWithConnector(hs, intent);
      if (out.kind == state::IntentOutcome::kUnknown) {
        ++unknown;
        continue;
      }
      json payload = json::parse(intent.payload, nullptr, false);
      if (!payload.is_object()) payload = json::object();
      if (out.kind == state::IntentOutcome::kApplied)
        Associate(type, {{out.result_id, AssociationsOf(payload)}});
      state::Transaction tx(store);
      if (out.kind == state::IntentOutcome::kApplied) {
        if (!store.FindLink(Side::kHubSpot, type, out.result_id))
          PutEngagementLink(type, out.result_id, object, id,
                            payload.value("properties", json::object()));
        store.CompleteIntent(intent.key, out.result_id, Now());
        Count("recovered");
      } else {
        store.AbandonIntent(intent.key, "not applied before a crash", Now());
        Count("recovered.not_applied");
      }
      tx.Commit();
    }
    if (unknown > 0)
      throw StopRun{"failed", std::to_string(unknown) +
                                  " interrupted engagement creates could not be checked (is "
                                  "HubSpot reachable?); nothing was written"};
  }

  // R89: a type's activities sync from its first run on (no backfill); the start is kept per
  // type, so a type listed later starts when it is added.
  int64_t StartTime(const std::string& object, const std::string& type) {
    const std::string kind = "activities.start." + type;
    if (auto s = store.GetWatermark(Side::kSalesforce, object, kind)) {
      try {
        return start_ms[type] = std::stoll(*s);
      } catch (...) {
      }
    }
    start_ms[type] = Now();
    if (!o.dry_run)
      store.SetWatermark(Side::kSalesforce, object, kind, std::to_string(start_ms[type]), Now());
    return start_ms[type];
  }

  void LoadWaiting(const std::string& object) {
    auto s = store.GetWatermark(Side::kSalesforce, object, "activities.waiting");
    if (!s) return;
    json j = json::parse(*s, nullptr, false);
    if (!j.is_array()) return;
    for (const auto& id : j)
      if (id.is_string()) waiting[object].insert(id.get<std::string>());
  }
  void SaveWaiting(const std::string& object) {
    if (o.dry_run) return;
    auto& ids = waiting[object];
    while (ids.size() > kMaxWaiting) {
      ids.erase(ids.begin());
      Count("dropped.salesforce_activities.waiting");
    }
    store.SetWatermark(Side::kSalesforce, object, "activities.waiting", json(ids).dump(), Now());
  }

  // The HubSpot records of WhoId and WhatId; false when the task must wait (its contact is not
  // synced, or it names no synced record at all).
  bool Targets(const Record& r, std::vector<std::pair<std::string, std::string>>* out) {
    const std::string who = StringOf(FieldValue(r, "WhoId"));
    const std::string what = StringOf(FieldValue(r, "WhatId"));
    auto linked = [&](const std::string& id, const char* const* objects, size_t n) {
      for (size_t i = 0; i < n; ++i)
        if (auto l = store.FindLink(Side::kSalesforce, objects[i], id);
            l && !l->hubspot_id.empty()) {
          out->push_back({l->hubspot_object, l->hubspot_id});
          return true;
        }
      return false;
    };
    const bool who_ok = !who.empty() && linked(who, kWhoObjects, std::size(kWhoObjects));
    const bool what_ok = !what.empty() && linked(what, kWhatObjects, std::size(kWhatObjects));
    return who.empty() ? what_ok : who_ok;
  }

  // Settles a page of tasks or events: new ones with a synced contact become engagements,
  // changed ones we made update theirs.
  void Process(const std::string& object, std::vector<Record>& records, bool retry) {
    std::vector<Item> items;
    std::vector<const Record*> sources;
    for (const Record& r : records) {
      if (r.deleted) {
        waiting[object].erase(r.id);
        continue;
      }
      const std::string type =
          SalesforceActivityType(object, StringOf(FieldValue(r, "TaskSubtype")));
      if (!Listed(type)) {  // R89: its toggle is off
        waiting[object].erase(r.id);
        Skip("type");
        continue;
      }
      if (!retry && !Importing() && r.last_modified_ms < start_ms[type]) {  // R89: no backfill
        Skip("before_start");
        continue;
      }
      if (FromHubSpot(r)) {  // made by the other direction: no echo
        waiting[object].erase(r.id);
        Skip("from_hubspot");
        continue;
      }
      Item item;
      item.type = type;
      item.source_object = object;
      item.id = r.id;
      if (auto link = store.FindLink(Side::kSalesforce, object, r.id)) {
        item.base = store.GetBase(link->id, Side::kHubSpot);
        if (!item.base.count(kSourceKey) || link->hubspot_object != type) {
          waiting[object].erase(r.id);
          Skip("from_hubspot");
          continue;
        }
        item.link = link;
        item.reassociate = retry && errored.count(r.id);
        if (item.reassociate) Targets(r, &item.associate);
      } else if (!Targets(r, &item.associate)) {
        Skip("unsynced");
        // An import does not queue them: import their contacts first, then import again.
        if (!Importing()) waiting[object].insert(r.id);  // saved only by real runs
        continue;
      }
      waiting[object].erase(r.id);
      items.push_back(std::move(item));
      sources.push_back(&r);
    }
    if (items.empty()) return;

    // The block's assignments over the pseudo-fields (docs/language.md).
    std::vector<Record> inputs(items.size());
    std::vector<const Record*> ptrs;
    std::vector<int64_t> when(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      const Record& r = *sources[i];
      when[i] = When(r, items[i].type);
      Record& in = inputs[i];
      in.id = r.id;
      in.object = object;
      in.fields = {{"type", items[i].type},
                   {"subject", FieldValue(r, "Subject")},
                   {"description", FieldValue(r, "Description")},
                   {"status", FieldValue(r, "Status")},
                   {"priority", FieldValue(r, "Priority")},
                   {"due", FieldValue(r, "ActivityDate")},
                   {"timestamp", SalesforceDateTime(when[i])},
                   {"start", FieldValue(r, "StartDateTime")},
                   {"end", FieldValue(r, "EndDateTime")},
                   {"location", FieldValue(r, "Location")}};
      ptrs.push_back(&in);
    }
    std::vector<Evaluation> evals = Evaluate(p.to_hubspot, ptrs, nullptr, StagesFor(p.to_hubspot));

    std::vector<Item> creates, updates;
    for (size_t i = 0; i < items.size(); ++i) {
      Item& item = items[i];
      Evaluation& ev = evals[i];
      if (ev.status == Evaluation::kFailed) {
        RecordError(object, item.id, ev.category, ev.code,
                    ev.message + (ev.location.empty() ? "" : " (" + ev.location + ")"));
        continue;
      }
      if (ev.status == Evaluation::kDropped) continue;
      item.properties = Defaults(*sources[i], item.type, when[i]);
      for (auto f = ev.fields.begin(); f != ev.fields.end(); ++f) {
        auto on = p.hubspot_objects.find(f.key());
        if (on != p.hubspot_objects.end() &&
            std::find(on->second.begin(), on->second.end(), item.type) == on->second.end())
          continue;  // a property of another engagement object
        item.properties[f.key()] = f.value().is_null() ? json("") : f.value();
      }
      (item.link ? updates : creates).push_back(std::move(item));
    }
    Create(creates);
    Update(updates);
  }

  // Creates engagements in batches under the journal, then associates them.
  void Create(std::vector<Item>& items) {
    std::map<std::string, std::vector<Item*>> by_type;
    for (Item& it : items) {
      json clean = json::object();  // blanks are left out of a create
      for (auto f = it.properties.begin(); f != it.properties.end(); ++f)
        if (!(f.value().is_string() && f.value().get<std::string>().empty()))
          clean[f.key()] = f.value();
      clean[p.hubspot_marker] = Marker(it.source_object, it.id);
      it.properties = std::move(clean);
      by_type[it.type].push_back(&it);
    }
    const int batch = std::max(1, o.hubspot_batch);
    for (auto& [type, list] : by_type) {
      const std::string created = "created.hubspot." + type;
      if (o.record_plan) {
        for (const Item* it : list) {
          std::vector<FieldChange> changes;
          for (auto f = it->properties.begin(); f != it->properties.end(); ++f)
            changes.push_back({f.key(), nullptr, f.value(), "activity"});
          for (const auto& [to, id] : it->associate)
            changes.push_back({"associated " + to, nullptr, id, "activity"});
          report.plan.push_back(PlanEntry{"hubspot", type, "create", "",
                                          "salesforce " + it->source_object + " " + it->id,
                                          std::move(changes), "new Salesforce activity (R89)"});
        }
      }
      if (o.dry_run) {
        Count(created, static_cast<int64_t>(list.size()));
        hs_min += Batches(static_cast<int64_t>(list.size()), batch);
        continue;
      }
      for (size_t start = 0; start < list.size(); start += batch) {
        const size_t end = std::min(list.size(), start + static_cast<size_t>(batch));
        std::vector<connectors::WriteItem> chunk;
        std::vector<Item*> written;
        std::vector<std::pair<Item*, std::string>> done_before;  // created by an earlier run
        {
          state::Transaction tx(store);
          for (size_t k = start; k < end; ++k) {
            Item& it = *list[k];
            state::Intent intent;
            intent.key = Key(type, it.source_object, it.id);
            intent.side = Side::kHubSpot;
            intent.object = type;
            intent.op = "create";
            json assoc = json::array();
            for (const auto& [to, id] : it.associate) assoc.push_back(json::array({to, id}));
            intent.payload = json{{"properties", it.properties}, {"associations", assoc}}.dump();
            intent.lookup_field = p.hubspot_marker;
            intent.lookup_value = Marker(it.source_object, it.id);
            const state::Intent got = store.BeginIntent(intent, Now());
            if (got.state == state::IntentState::kDone) {
              if (!got.result_id.empty()) done_before.push_back({&it, got.result_id});
              continue;
            }
            chunk.push_back({"", "", "", it.properties});
            written.push_back(&it);
          }
          tx.Commit();
        }
        std::vector<connectors::WriteResult> results;
        if (!chunk.empty()) {
          ++hs_min;
          connectors::WriteOptions wo;
          wo.dedupe_field = p.hubspot_marker;
          results = hs.Write(type, connectors::WriteKind::kCreate, chunk, wo);
        }
        // Associations before the commit: a crash in between leaves the intent pending, and
        // recovery associates what it finds.
        std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> assoc;
        std::vector<Item*> assoc_items;
        for (size_t c = 0; c < written.size(); ++c)
          if (c < results.size() && results[c].ok) {
            assoc.push_back({results[c].id, written[c]->associate});
            assoc_items.push_back(written[c]);
          }
        for (const auto& [it, id] : done_before) {
          assoc.push_back({id, it->associate});
          assoc_items.push_back(it);
        }
        const auto assoc_failed = Associate(type, assoc);
        {
          state::Transaction tx(store);
          for (size_t c = 0; c < written.size(); ++c) {
            const Item& it = *written[c];
            const connectors::WriteResult& r = results[c];
            const std::string key = Key(type, it.source_object, it.id);
            if (r.ok) {
              store.CompleteIntent(key, r.id, Now());
              PutEngagementLink(type, r.id, it.source_object, it.id, it.properties);
              store.ResolveError(Side::kHubSpot, it.source_object, it.id, Now());
              Count(created);
            } else {
              store.FailIntent(key, r.error.message, Now());
              RecordError(it.source_object, it.id,
                          std::string(connectors::CategoryName(r.error.category)), r.error.code,
                          r.error.message);
            }
          }
          for (const auto& [it, id] : done_before) {
            if (!store.FindLink(Side::kHubSpot, type, id))
              PutEngagementLink(type, id, it->source_object, it->id, it->properties);
            Count("recovered");
          }
          for (const auto& [i, e] : assoc_failed)
            RecordError(assoc_items[i]->source_object, assoc_items[i]->id,
                        std::string(connectors::CategoryName(e.category)), e.code,
                        "associating the engagement: " + e.message);
          tx.Commit();
        }
        CheckSuspended();
      }
    }
  }

  // A synced task changed in Salesforce: the properties whose wanted value differs from what
  // was last written (the base) are written again. Updates are idempotent: no journal.
  void Update(std::vector<Item>& items) {
    std::map<std::string, std::vector<std::pair<Item*, json>>> by_type;
    for (Item& it : items) {
      json changed = json::object();
      for (auto f = it.properties.begin(); f != it.properties.end(); ++f)
        if (BaseText(it.base, f.key()) != f.value().dump()) changed[f.key()] = f.value();
      if (changed.empty() && !it.reassociate) {
        Skip("unchanged");
        continue;
      }
      by_type[it.type].push_back({&it, std::move(changed)});
    }
    const int batch = std::max(1, o.hubspot_batch);
    for (auto& [type, list] : by_type) {
      const std::string updated = "updated.hubspot." + type;
      std::vector<std::pair<Item*, json>> writes;
      for (auto& entry : list)
        if (!entry.second.empty()) writes.push_back(entry);
      if (o.record_plan) {
        for (const auto& [it, changed] : writes) {
          std::vector<FieldChange> changes;
          for (auto f = changed.begin(); f != changed.end(); ++f) {
            const json before = json::parse(BaseText(it->base, f.key()), nullptr, false);
            changes.push_back({f.key(), before, f.value(), "changed in Salesforce"});
          }
          report.plan.push_back(PlanEntry{"hubspot", type, "update", it->link->hubspot_id,
                                          "salesforce " + it->source_object + " " + it->id,
                                          std::move(changes), "Salesforce activity changed"});
        }
      }
      if (o.dry_run) {
        Count(updated, static_cast<int64_t>(writes.size()));
        hs_min += Batches(static_cast<int64_t>(writes.size()), batch);
        continue;
      }
      for (size_t start = 0; start < writes.size(); start += batch) {
        const size_t end = std::min(writes.size(), start + static_cast<size_t>(batch));
        std::vector<connectors::WriteItem> chunk;
        for (size_t k = start; k < end; ++k)
          chunk.push_back({writes[k].first->link->hubspot_id, "", "", writes[k].second});
        ++hs_min;
        const auto results = hs.Write(type, connectors::WriteKind::kUpdate, chunk);
        state::Transaction tx(store);
        for (size_t k = start; k < end; ++k) {
          Item& it = *writes[k].first;
          const connectors::WriteResult& r = results[k - start];
          if (r.ok) {
            state::BaseValues base = it.base;
            for (auto f = it.properties.begin(); f != it.properties.end(); ++f)
              base[f.key()] = f.value().dump();
            store.SetBase(it.link->id, Side::kHubSpot, base, Now());
            if (!it.reassociate) store.ResolveError(Side::kHubSpot, it.source_object, it.id, Now());
            Count(updated);
          } else {
            RecordError(it.source_object, it.id,
                        std::string(connectors::CategoryName(r.error.category)), r.error.code,
                        r.error.message);
            it.reassociate = false;  // still failing: the error stays open
          }
        }
        tx.Commit();
        CheckSuspended();
      }
      // Retried association failures.
      std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> assoc;
      std::vector<Item*> assoc_items;
      for (auto& [it, changed] : list)
        if (it->reassociate) {
          assoc.push_back({it->link->hubspot_id, it->associate});
          assoc_items.push_back(it);
        }
      if (assoc.empty()) continue;
      const auto failed = Associate(type, assoc);
      state::Transaction tx(store);
      for (size_t i = 0; i < assoc_items.size(); ++i) {
        const Item& it = *assoc_items[i];
        if (auto f = failed.find(i); f != failed.end())
          RecordError(it.source_object, it.id,
                      std::string(connectors::CategoryName(f->second.category)), f->second.code,
                      "associating the engagement: " + f->second.message);
        else
          store.ResolveError(Side::kHubSpot, it.source_object, it.id, Now());
      }
      tx.Commit();
    }
  }

  // Tasks waiting for their contact, and failed ones whose retry is due.
  void Retries(const std::string& object) {
    std::set<std::string> ids = waiting[object];
    waiting[object].clear();
    errored.clear();
    for (const state::SyncError& e : store.DueErrors(Now()))
      if (e.side == Side::kHubSpot && e.object == object) errored.insert(e.record_id);
    ids.insert(errored.begin(), errored.end());
    if (ids.empty()) return;
    Count("retried.salesforce_activities", static_cast<int64_t>(ids.size()));
    std::vector<Record> found;
    connectors::Error e =
        sf.ReadByIds(object, {ids.begin(), ids.end()}, ReadFields(object), &found);
    if (!e.ok()) Fail(e, "reading Salesforce " + object + " to retry");
    sf_min += Batches(static_cast<int64_t>(ids.size()), 200);
    std::set<std::string> present;
    for (const auto& r : found) present.insert(r.id);
    Process(object, found, /*retry=*/true);
    if (!o.dry_run) {
      state::Transaction tx(store);
      for (const auto& id : errored)  // deleted since: the error is moot
        if (!present.count(id)) store.ResolveError(Side::kHubSpot, object, id, Now());
      SaveWaiting(object);
      tx.Commit();
    }
    errored.clear();
  }

  // Reads the object's feed from `since` and settles each page. A run keeps its watermark
  // and waiting list per page; an import (everything from the beginning) moves neither.
  void ReadFeed(const std::string& object, const connectors::Watermark& since) {
    const bool keep = !o.dry_run && !Importing();
    const std::string stage = Importing() ? "import: " : "activities: ";
    int64_t read = 0;
    connectors::Error e =
        sf.ReadChanges(object, since, ReadFields(object), [&](connectors::ChangePage& page) {
          ++sf_min;
          read += static_cast<int64_t>(page.records.size());
          Count("read.salesforce.activities", static_cast<int64_t>(page.records.size()));
          Process(object, page.records, /*retry=*/false);
          if (keep) {
            state::Transaction tx(store);
            store.SetWatermark(Side::kSalesforce, object, "activities", page.watermark, Now());
            SaveWaiting(object);
            tx.Commit();
          }
          if (o.progress) o.progress(stage + "Salesforce " + object + " read", read);
          CheckSuspended();
          return true;
        });
    if (!e.ok()) Fail(e, "reading Salesforce " + object);
  }

  void ReadObject(const std::string& object) {
    int64_t from_ms = 0;
    bool first = true;
    for (const std::string& type : p.types) {
      if (SourceObject(type) != object) continue;
      const int64_t s = StartTime(object, type);
      from_ms = first ? s : std::min(from_ms, s);
      first = false;
    }
    LoadWaiting(object);
    Retries(object);
    const auto wm = store.GetWatermark(Side::kSalesforce, object, "activities");
    connectors::WindowCursor from;
    from.ms = from_ms;  // R89: nothing older than the first run
    ReadFeed(object, wm ? *wm : from.Encode());
    Count("waiting.salesforce_activities", static_cast<int64_t>(waiting[object].size()));
  }
};

SalesforceActivityRunner::SalesforceActivityRunner(const ActivityProgram& program,
                                                   connectors::Connector& hubspot,
                                                   connectors::Connector& salesforce,
                                                   state::StateStore& store, RunOptions options)
    : impl_(std::make_unique<Impl>(program, hubspot, salesforce, store, std::move(options))) {}
SalesforceActivityRunner::~SalesforceActivityRunner() = default;

RunReport SalesforceActivityRunner::Run() {
  Impl& m = *impl_;
  m.hs_calls0 = m.hs.calls_made();
  m.sf_calls0 = m.sf.calls_made();
  RunPasses(m.report, [&] {
    m.Recover();
    if (m.Importing()) {
      m.ReadFeed(m.o.import_object, "");  // the import: everything, from the beginning
      return;
    }
    std::set<std::string> objects;
    for (const std::string& type : m.p.types) objects.insert(SourceObject(type));
    for (const char* object : {"Task", "Event"})
      if (objects.count(object)) m.ReadObject(object);
  });
  m.report.hubspot_calls = m.hs.calls_made() - m.hs_calls0;
  m.report.salesforce_calls = m.sf.calls_made() - m.sf_calls0;
  m.report.hubspot_min_calls = m.hs_min;
  m.report.salesforce_min_calls = m.sf_min;
  return m.report;
}

}  // namespace syncline::engine
