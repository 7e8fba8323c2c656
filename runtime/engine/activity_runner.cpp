#include "engine/activity_runner.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "connectors/window_cursor.h"
#include "engine/portal_stages.h"
#include "engine/run_context.h"
#include "engine/values.h"
#include "state/journal_recovery.h"

namespace syncline::engine {

using connectors::Record;
using nlohmann::json;
using state::Side;

namespace {

// The engagement properties behind the `title` and `body` pseudo-fields, per object.
const char* TitleProperty(const std::string& object) {
  if (object == "calls") return "hs_call_title";
  if (object == "meetings") return "hs_meeting_title";
  if (object == "tasks") return "hs_task_subject";
  if (object == "emails") return "hs_email_subject";
  return "";  // notes have no title
}
const char* BodyProperty(const std::string& object) {
  if (object == "notes") return "hs_note_body";
  if (object == "calls") return "hs_call_body";
  if (object == "meetings") return "hs_meeting_body";
  if (object == "tasks") return "hs_task_body";
  if (object == "emails") return "hs_email_text";
  return "";
}

// Journal keys of task creates: "activity|create|salesforce|Task|hubspot:notes:123". No
// "|from:" part, so the sync runners' recovery handlers leave them alone, and no payload hash,
// so the same engagement always has the same key (a done intent is never repeated).
constexpr std::string_view kKeyPrefix = "activity|create|salesforce|";
// The engagement property SalesforceActivityRunner marks its engagements with.
constexpr const char* kFromSalesforceMarker = "hs_unique_creation_key";
// Engagements waiting for their contact to be synced, per object; the oldest are dropped past
// this many.
constexpr size_t kMaxWaiting = 10'000;

// An engagement ready to become a task.
struct Item {
  std::string object, id;  // the HubSpot engagement
  json fields;             // the task's fields
};

}  // namespace

struct ActivityRunner::Impl {
  const ActivityProgram& p;
  connectors::Connector& hs;
  connectors::Connector& sf;
  state::StateStore& store;
  RunOptions o;
  RunReport report;
  int64_t hs_calls0 = 0, sf_calls0 = 0, hs_min = 0, sf_min = 0;
  int64_t start_ms = 0;                                  // of the type being read
  std::map<std::string, std::set<std::string>> waiting;  // object -> engagement ids
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
  void Progress(const std::string& stage, int64_t done) {
    if (o.progress) o.progress("activities: " + stage, done);
  }
  void CheckSuspended() { engine::CheckSuspended(hs, sf); }
  [[noreturn]] void Fail(const connectors::Error& e, const std::string& what) {
    FailRead(hs, sf, e, what);
  }

  static std::string Marker(const std::string& object, const std::string& id) {
    return "hubspot:" + object + ":" + id;
  }
  std::string Key(const std::string& object, const std::string& id) const {
    return std::string(kKeyPrefix) + p.salesforce_object + "|" + Marker(object, id);
  }
  // The engagement of one of our journal keys.
  bool ParseKey(const std::string& key, std::string* object, std::string* id) const {
    const std::string prefix = std::string(kKeyPrefix) + p.salesforce_object + "|hubspot:";
    if (key.rfind(prefix, 0) != 0) return false;
    const std::string rest = key.substr(prefix.size());
    const auto colon = rest.find(':');
    if (colon == std::string::npos) return false;
    *object = rest.substr(0, colon);
    *id = rest.substr(colon + 1);
    return true;
  }

  void PutTaskLink(const std::string& object, const std::string& id, const std::string& task_id) {
    state::Link link;
    link.hubspot_object = object;
    link.hubspot_id = id;
    link.salesforce_object = p.salesforce_object;
    link.salesforce_id = task_id;
    link.created_ms = link.updated_ms = Now();
    store.PutLink(link);
  }

  void RecordError(const std::string& object, const std::string& id, const std::string& category,
                   const std::string& code, const std::string& message) {
    state::SyncError e;
    e.side = Side::kSalesforce;
    e.object = object;
    e.record_id = id;
    e.category = category;
    e.code = code;
    e.message = message;
    store.RecordError(e, Now(), o.retry_interval_ms);
    report.errors[category] += 1;
  }

  // ---- journal recovery: our own pending creates only (the sync runners resolve theirs; an
  // intent of ours they completed is found done by BeginIntent and linked in Execute).
  void Recover() {
    if (o.dry_run) return;
    int unknown = 0;
    for (const state::Intent& intent : store.PendingIntents()) {
      std::string object, id;
      if (!ParseKey(intent.key, &object, &id)) continue;
      const state::IntentOutcome out = state::ResolveWithConnector(sf, intent);
      if (out.kind == state::IntentOutcome::kUnknown) {
        ++unknown;
        continue;
      }
      state::Transaction tx(store);
      if (out.kind == state::IntentOutcome::kApplied) {
        if (!store.FindLink(Side::kHubSpot, object, id)) PutTaskLink(object, id, out.result_id);
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
                                  " interrupted task creates could not be checked (is Salesforce "
                                  "reachable?); nothing was written"};
  }

  // R89: a type's activities sync from its first run on (no backfill); the start is kept in
  // the state per engagement object, so a type listed later starts when it is added.
  void StartTime(const std::string& object) {
    if (auto s = store.GetWatermark(Side::kHubSpot, object, "activities.start")) {
      try {
        start_ms = std::stoll(*s);
        return;
      } catch (...) {
      }
    }
    start_ms = Now();
    if (!o.dry_run)
      store.SetWatermark(Side::kHubSpot, object, "activities.start", std::to_string(start_ms),
                         Now());
  }

  void LoadWaiting(const std::string& object) {
    auto s = store.GetWatermark(Side::kHubSpot, object, "activities.waiting");
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
      Count("dropped.activities.waiting");
    }
    store.SetWatermark(Side::kHubSpot, object, "activities.waiting", json(ids).dump(), Now());
  }

  std::vector<std::string> ReadFields(const std::string& object) const {
    std::vector<std::string> f = {"hs_timestamp", "hs_createdate", "hs_lastmodifieddate",
                                  kFromSalesforceMarker};
    for (const char* prop : {TitleProperty(object), BodyProperty(object)})
      if (*prop) f.push_back(prop);
    return f;
  }

  // Engagement id -> associated record ids of `to`.
  std::map<std::string, std::vector<std::string>> Associated(const std::string& object,
                                                             const std::string& to,
                                                             const std::vector<std::string>& ids) {
    std::map<std::string, std::vector<std::string>> out;
    if (ids.empty()) return out;
    std::vector<connectors::Association> links;
    connectors::Error e = hs.ReadAssociations(object, to, ids, &links);
    if (!e.ok()) Fail(e, "reading associations of HubSpot " + object + " to " + to);
    hs_min += Batches(static_cast<int64_t>(ids.size()), 1000);
    for (const auto& a : links) out[a.from_id].push_back(a.to_id);
    return out;
  }

  // The first associated record of `hubspot_object` that is linked to a `salesforce_object`
  // (any Salesforce object when empty).
  std::optional<state::Link> LinkedOf(const std::vector<std::string>& ids,
                                      const std::string& hubspot_object,
                                      const std::string& salesforce_object) {
    std::optional<state::Link> best;
    for (const auto& id : ids) {
      auto link = store.FindLink(Side::kHubSpot, hubspot_object, id);
      if (!link || link->salesforce_id.empty()) continue;
      if (!salesforce_object.empty() && link->salesforce_object != salesforce_object) continue;
      // A contact before a lead (a task on a contact can also name its account or deal).
      if (!best || (best->salesforce_object != "Contact" && link->salesforce_object == "Contact"))
        best = link;
    }
    return best;
  }

  // Settles a page of engagements of one type: the ones with a synced contact become tasks.
  void Process(const std::string& type, const std::string& object, std::vector<Record>& records,
               bool retry) {
    std::vector<const Record*> fresh;
    for (const Record& r : records) {
      if (r.deleted) continue;
      if (!retry && r.last_modified_ms < start_ms) {  // R89: no backfill
        Count("skipped.activities.before_start");
        continue;
      }
      // Made by SalesforceActivityRunner from a Salesforce task: never sent back, even before
      // its link is committed.
      if (StringOf(FieldValue(r, kFromSalesforceMarker)).rfind("salesforce:", 0) == 0) {
        waiting[object].erase(r.id);
        Count("skipped.activities.from_salesforce");
        continue;
      }
      if (store.FindLink(Side::kHubSpot, object, r.id)) {  // a task exists already
        waiting[object].erase(r.id);
        Count("skipped.activities.linked");
        continue;
      }
      fresh.push_back(&r);
    }
    if (fresh.empty()) return;
    std::vector<std::string> ids;
    for (const Record* r : fresh) ids.push_back(r->id);
    auto contacts = Associated(object, "contacts", ids);

    // WhoId (R95): the synced lead or contact. Engagements without one wait for it.
    std::vector<const Record*> ready;
    std::vector<state::Link> whos;
    std::vector<std::string> with_contact;
    for (const Record* r : fresh) {
      auto who = LinkedOf(contacts[r->id], "contacts", "");
      if (!who) {
        Count("skipped.activities.unsynced");
        waiting[object].insert(r->id);  // saved only by real runs
        continue;
      }
      waiting[object].erase(r->id);
      ready.push_back(r);
      whos.push_back(*who);
      if (who->salesforce_object == "Contact") with_contact.push_back(r->id);
    }
    if (ready.empty()) return;
    // WhatId: a synced deal (opportunity), else a synced company (account). Salesforce allows
    // it only with a contact as WhoId.
    std::map<std::string, std::vector<std::string>> deals, companies;
    if (!with_contact.empty()) {
      deals = Associated(object, "deals", with_contact);
      companies = Associated(object, "companies", with_contact);
    }

    std::vector<Record> inputs(ready.size());
    std::vector<const Record*> ptrs;
    for (size_t i = 0; i < ready.size(); ++i) {
      const Record& r = *ready[i];
      Record& in = inputs[i];
      in.id = r.id;
      in.object = object;
      in.fields = {
          {"type", type},
          {"title", *TitleProperty(object) ? FieldValue(r, TitleProperty(object)) : json()},
          {"body", FieldValue(r, BodyProperty(object))},
          {"timestamp", FieldValue(r, "hs_timestamp")}};
      ptrs.push_back(&in);
    }
    std::vector<Evaluation> evals =
        Evaluate(p.to_salesforce, ptrs, nullptr, StagesFor(p.to_salesforce));

    std::vector<Item> items;
    for (size_t i = 0; i < ready.size(); ++i) {
      const Record& r = *ready[i];
      Evaluation& ev = evals[i];
      if (ev.status == Evaluation::kFailed) {
        if (!o.dry_run)
          RecordError(object, r.id, ev.category, ev.code,
                      ev.message + (ev.location.empty() ? "" : " (" + ev.location + ")"));
        else
          report.errors[ev.category] += 1;
        continue;
      }
      if (ev.status == Evaluation::kDropped) continue;
      Item item{object, r.id, std::move(ev.fields)};
      const state::Link& who = whos[i];
      if (!item.fields.contains("WhoId")) item.fields["WhoId"] = who.salesforce_id;
      if (who.salesforce_object == "Contact" && !item.fields.contains("WhatId")) {
        if (auto opp = LinkedOf(deals[r.id], "deals", "Opportunity"))
          item.fields["WhatId"] = opp->salesforce_id;
        else if (auto acc = LinkedOf(companies[r.id], "companies", "Account"))
          item.fields["WhatId"] = acc->salesforce_id;
      }
      item.fields[p.marker_field] = Marker(object, r.id);
      items.push_back(std::move(item));
    }
    Execute(items);
  }

  // Creates the tasks in batches under the journal.
  void Execute(std::vector<Item>& items) {
    if (items.empty()) return;
    const std::string created = "created.salesforce." + p.salesforce_object;
    const int batch = std::max(1, o.salesforce_batch);
    if (o.record_plan) {
      for (const Item& it : items) {
        std::vector<FieldChange> changes;
        for (auto f = it.fields.begin(); f != it.fields.end(); ++f)
          changes.push_back({f.key(), nullptr, f.value(), "activity"});
        report.plan.push_back(PlanEntry{"salesforce", p.salesforce_object, "create", "",
                                        "hubspot " + it.object + " " + it.id, std::move(changes),
                                        "new activity (R91)"});
      }
    }
    if (o.dry_run) {
      Count(created, static_cast<int64_t>(items.size()));
      sf_min += Batches(static_cast<int64_t>(items.size()), batch);
      return;
    }
    for (size_t start = 0; start < items.size(); start += batch) {
      const size_t end = std::min(items.size(), start + static_cast<size_t>(batch));
      std::vector<connectors::WriteItem> chunk;
      std::vector<size_t> index;  // into items, per chunk entry
      {
        state::Transaction tx(store);
        for (size_t k = start; k < end; ++k) {
          const Item& it = items[k];
          state::Intent intent;
          intent.key = Key(it.object, it.id);
          intent.side = Side::kSalesforce;
          intent.object = p.salesforce_object;
          intent.op = "create";
          intent.payload = it.fields.dump();
          intent.lookup_field = p.marker_field;
          intent.lookup_value = Marker(it.object, it.id);
          const state::Intent got = store.BeginIntent(intent, Now());
          if (got.state == state::IntentState::kDone) {
            // Created before (a crash before the link, resolved by another runner's recovery).
            if (!got.result_id.empty()) PutTaskLink(it.object, it.id, got.result_id);
            Count("recovered");
            continue;
          }
          chunk.push_back({"", "", "", it.fields});
          index.push_back(k);
        }
        tx.Commit();
      }
      if (chunk.empty()) continue;
      ++sf_min;
      connectors::WriteOptions wo;
      wo.dedupe_field = p.marker_field;
      std::vector<connectors::WriteResult> results =
          sf.Write(p.salesforce_object, connectors::WriteKind::kCreate, chunk, wo);
      {
        state::Transaction tx(store);
        for (size_t c = 0; c < chunk.size(); ++c) {
          const Item& it = items[index[c]];
          const connectors::WriteResult& r = results[c];
          const std::string key = Key(it.object, it.id);
          if (r.ok) {
            store.CompleteIntent(key, r.id, Now());
            PutTaskLink(it.object, it.id, r.id);
            store.ResolveError(Side::kSalesforce, it.object, it.id, Now());
            Count(created);
          } else {
            store.FailIntent(key, r.error.message, Now());
            RecordError(it.object, it.id, std::string(connectors::CategoryName(r.error.category)),
                        r.error.code, r.error.message);
          }
        }
        tx.Commit();
      }
      CheckSuspended();
    }
  }

  // Engagements waiting for their contact, and failed ones whose retry is due.
  void Retries(const std::string& type, const std::string& object) {
    std::set<std::string> ids = waiting[object];
    waiting[object].clear();
    std::set<std::string> errored;
    for (const state::SyncError& e : store.DueErrors(Now()))
      if (e.side == Side::kSalesforce && e.object == object) errored.insert(e.record_id);
    ids.insert(errored.begin(), errored.end());
    if (ids.empty()) return;
    Count("retried.activities", static_cast<int64_t>(ids.size()));
    std::vector<Record> found;
    connectors::Error e =
        hs.ReadByIds(object, {ids.begin(), ids.end()}, ReadFields(object), &found);
    if (!e.ok()) Fail(e, "reading HubSpot " + object + " to retry");
    hs_min += Batches(static_cast<int64_t>(ids.size()), 100);
    std::set<std::string> present;
    for (const auto& r : found) present.insert(r.id);
    Process(type, object, found, /*retry=*/true);
    if (!o.dry_run) {
      state::Transaction tx(store);
      for (const auto& id : errored)  // deleted since: the error is moot
        if (!present.count(id)) store.ResolveError(Side::kSalesforce, object, id, Now());
      SaveWaiting(object);
      tx.Commit();
    }
  }

  void ReadType(const std::string& type) {
    const std::string object(ActivityObject(type));
    if (object.empty()) {  // not a CRM object: not read (docs/runtime.md)
      Count("unsupported.activities." + type);
      return;
    }
    StartTime(object);
    LoadWaiting(object);
    Retries(type, object);
    const auto wm = store.GetWatermark(Side::kHubSpot, object, "activities");
    connectors::WindowCursor from;
    from.ms = start_ms;  // R89: nothing older than the first run
    const connectors::Watermark since = wm ? *wm : from.Encode();
    int64_t read = 0;
    connectors::Error e =
        hs.ReadChanges(object, since, ReadFields(object), [&](connectors::ChangePage& page) {
          ++hs_min;
          read += static_cast<int64_t>(page.records.size());
          Count("read.hubspot.activities", static_cast<int64_t>(page.records.size()));
          Process(type, object, page.records, /*retry=*/false);
          if (!o.dry_run) {
            state::Transaction tx(store);
            store.SetWatermark(Side::kHubSpot, object, "activities", page.watermark, Now());
            SaveWaiting(object);
            tx.Commit();
          }
          Progress("HubSpot " + object + " read", read);
          CheckSuspended();
          return true;
        });
    if (!e.ok()) Fail(e, "reading HubSpot " + object);
    Count("waiting.activities", static_cast<int64_t>(waiting[object].size()));
  }
};

ActivityRunner::ActivityRunner(const ActivityProgram& program, connectors::Connector& hubspot,
                               connectors::Connector& salesforce, state::StateStore& store,
                               RunOptions options)
    : impl_(std::make_unique<Impl>(program, hubspot, salesforce, store, std::move(options))) {}
ActivityRunner::~ActivityRunner() = default;

RunReport ActivityRunner::Run() {
  Impl& m = *impl_;
  m.hs_calls0 = m.hs.calls_made();
  m.sf_calls0 = m.sf.calls_made();
  RunPasses(m.report, [&] {
    m.Recover();
    std::set<std::string> seen;
    for (const std::string& type : m.p.types)
      if (seen.insert(type).second) m.ReadType(type);
  });
  m.report.hubspot_calls = m.hs.calls_made() - m.hs_calls0;
  m.report.salesforce_calls = m.sf.calls_made() - m.sf_calls0;
  m.report.hubspot_min_calls = m.hs_min;
  m.report.salesforce_min_calls = m.sf_min;
  return m.report;
}

}  // namespace syncline::engine
