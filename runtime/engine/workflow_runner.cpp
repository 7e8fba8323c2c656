#include "engine/workflow_runner.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "engine/owners.h"
#include "engine/portal_stages.h"
#include "engine/run_context.h"
#include "engine/values.h"
#include "state/journal_recovery.h"

namespace syncline::engine {

using connectors::Record;
using nlohmann::json;
using state::Enrollment;
using state::EnrollmentState;
using state::Side;
using Kind = WorkflowAction::Kind;

namespace {

// Journal keys of task creates: "workflow|create|salesforce|Task|<workflow>|<enrolment id>".
// No "|from:" part, so the sync runners' recovery leaves them alone.
constexpr std::string_view kKeyPrefix = "workflow|create|salesforce|Task|";

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* ActionName(Kind k) {
  switch (k) {
    case Kind::kCreateTask:
      return "create task";
    case Kind::kAddToCampaign:
      return "add to campaign";
    case Kind::kSetOwner:
      return "set owner";
    case Kind::kSyncToSalesforce:
      return "sync to salesforce";
    case Kind::kSetHubSpot:
      return "set hubspot";
  }
  return "";
}

// The key under which an enrolment's payload (the task's fields) keeps the values of its
// `set hubspot.X` actions: {"$set": {"companies": {...}}}. No Salesforce field starts with `$`,
// and payloads stored before `set` existed read the same.
constexpr const char* kSetKey = "$set";

// "contact" for "contacts": the enrolled record in messages.
std::string Singular(const std::string& object) {
  return object == "companies" ? "company" : object.substr(0, object.size() - 1);
}

// Actions that need the record in Salesforce (R137); `set hubspot.X` does not.
bool NeedsSalesforce(Kind k) {
  return k != Kind::kSetHubSpot;
}

}  // namespace

struct WorkflowRunner::Impl {
  const WorkflowProgram& p;
  connectors::Connector& hs;
  connectors::Connector& sf;
  state::StateStore& store;
  RunOptions o;
  SyncHubSpot sync_hubspot;
  RunReport report;
  int64_t hs_calls0 = 0, sf_calls0 = 0, hs_min = 0, sf_min = 0;
  // The state store's "object" for this workflow's watermarks.
  std::string state_object;
  std::vector<Enrollment> planned;  // dry runs: the enrolments a real run would make
  // The portal's lifecycle stages, read on first use by a transform that calls std.lifecycle.
  PortalStagesCache stages;
  const stdlib::lifecycle::LifecycleStages* StagesFor(const Transform& t) {
    return stages.For(t, hs, sf, &hs_min);
  }

  Impl(const WorkflowProgram& program, connectors::Connector& h, connectors::Connector& s,
       state::StateStore& st, RunOptions options, SyncHubSpot sync)
      : p(program),
        hs(h),
        sf(s),
        store(st),
        o(std::move(options)),
        sync_hubspot(std::move(sync)),
        state_object("workflow:" + program.name) {
    if (!o.now_ms) o.now_ms = SystemNowMs;
  }

  int64_t Now() { return o.now_ms(); }
  void Count(const std::string& key, int64_t n = 1) {
    if (n) report.counts[key] += n;
  }
  void CheckSuspended() { engine::CheckSuspended(hs, sf); }
  [[noreturn]] void Fail(const connectors::Error& e, const std::string& what) {
    FailRead(hs, sf, e, "workflow " + p.name + ": " + what);
  }
  void Plan(const std::string& side, const std::string& object, const std::string& action,
            const std::string& id, const std::string& contact, std::vector<FieldChange> changes,
            const std::string& reason) {
    if (!o.record_plan) return;
    report.plan.push_back(PlanEntry{side, object, action, id,
                                    "hubspot " + p.hubspot_object + " " + contact,
                                    std::move(changes), reason});
  }

  std::string Key(int64_t enrollment) const {
    return std::string(kKeyPrefix) + p.name + "|" + std::to_string(enrollment);
  }
  std::string Marker(int64_t enrollment) const {
    return "syncline:workflow:" + p.name + ":" + std::to_string(enrollment);
  }

  // ---- journal recovery: our own pending task creates. A create that happened is completed
  // here and found done when its action runs again; one that did not is abandoned and redone.
  void Recover() {
    if (o.dry_run) return;
    const std::string prefix = std::string(kKeyPrefix) + p.name + "|";
    int unknown = 0;
    for (const state::Intent& intent : store.PendingIntents()) {
      if (intent.key.rfind(prefix, 0) != 0) continue;
      const state::IntentOutcome out = state::ResolveWithConnector(sf, intent);
      if (out.kind == state::IntentOutcome::kUnknown) {
        ++unknown;
        continue;
      }
      if (out.kind == state::IntentOutcome::kApplied) {
        store.CompleteIntent(intent.key, out.result_id, Now());
        Count("recovered");
      } else {
        store.AbandonIntent(intent.key, "not applied before a crash", Now());
        Count("recovered.not_applied");
      }
    }
    if (unknown > 0)
      throw StopRun{"failed", "workflow " + p.name + ": " + std::to_string(unknown) +
                                  " interrupted task creates could not be checked (is "
                                  "Salesforce reachable?); nothing was written"};
  }

  // ---- triggers and enrolment
  bool Started(const WorkflowTrigger& t) {
    return store.GetWatermark(Side::kHubSpot, state_object, t.Key()).has_value();
  }

  // Evaluates the `if` and the task's fields on `records` whose trigger fired, and enrols
  // those that meet it. Inside the caller's transaction.
  void Enroll(const std::vector<Record>& records, const std::string& trigger, int64_t* enrolled) {
    if (records.empty()) return;
    std::vector<const Record*> ptrs;
    for (const Record& r : records) ptrs.push_back(&r);
    std::vector<Evaluation> evals = Evaluate(p.transform, ptrs, nullptr, StagesFor(p.transform));
    std::vector<std::vector<Evaluation>> set_evals;
    for (const WorkflowSet& set : p.sets)
      set_evals.push_back(Evaluate(set.transform, ptrs, nullptr, StagesFor(set.transform)));
    for (size_t i = 0; i < records.size(); ++i) {
      const Record& r = records[i];
      Evaluation& ev = evals[i];
      if (ev.status == Evaluation::kDropped) {
        Count("workflow.not_met");
        continue;
      }
      // The `set` values join the task's fields; the first rule error fails the enrolment.
      for (size_t k = 0; k < p.sets.size() && ev.status == Evaluation::kOk; ++k) {
        Evaluation& sv = set_evals[k][i];
        if (sv.status == Evaluation::kFailed) {
          ev.status = Evaluation::kFailed;
          ev.code = sv.code;
          ev.message = sv.message;
          ev.location = sv.location;
          ev.category = sv.category;
        } else {
          ev.fields[kSetKey][p.sets[k].object] = std::move(sv.fields);
        }
      }
      Enrollment e;
      e.workflow = p.name;
      e.hubspot_id = r.id;
      e.trigger = trigger;
      e.enrolled_ms = e.updated_ms = Now();
      if (ev.status == Evaluation::kFailed) {
        // A rule error: the enrolment is kept, failed, with the rule's location, so that
        // `syncline status`-style inspection and the report show why no action ran.
        e.state = EnrollmentState::kFailed;
        e.message =
            ev.code + ": " + ev.message + (ev.location.empty() ? "" : " (at " + ev.location + ")");
        report.errors[ev.category] += 1;
        Count("workflow.failed");
      } else {
        e.payload = ev.fields.dump();
      }
      ++*enrolled;
      Count("workflow.enrolled");
      std::vector<FieldChange> changes;
      for (auto f = ev.fields.begin(); f != ev.fields.end(); ++f)
        if (f.key() != kSetKey) changes.push_back({f.key(), nullptr, f.value(), "workflow"});
      Plan("hubspot", p.hubspot_object, "enrol", r.id, r.id, std::move(changes),
           "workflow " + p.name + ": " + trigger);
      if (!o.dry_run) {
        store.AddEnrollment(e);
      } else if (e.state == EnrollmentState::kOpen) {
        e.id = -static_cast<int64_t>(planned.size()) - 1;  // not stored: planned actions only
        planned.push_back(std::move(e));
      }
    }
  }

  void SegmentTrigger(const WorkflowTrigger& t) {
    const std::string key = t.Key();
    std::string list_id;
    connectors::Error e = hs.FindListId(p.hubspot_object, t.subject, &list_id);
    ++hs_min;
    std::vector<std::string> members;
    if (e.ok() && !list_id.empty()) {
      e = hs.ListMembers(list_id, &members);
      if (!e.ok()) Fail(e, "reading the members of segment \"" + t.subject + "\"");
      hs_min += Batches(static_cast<int64_t>(members.size()), 250);
    } else if (e.ok() || e.category == connectors::ErrorCategory::kNotFound) {
      Count("workflow.segment_missing");  // no such list: nobody is in it
    } else {
      Fail(e, "finding segment \"" + t.subject + "\"");
    }
    const bool started = Started(t);
    std::map<std::string, std::string> before = store.TriggerValues(p.name, key);
    std::vector<std::string> entered;
    std::set<std::string> now(members.begin(), members.end());
    for (const auto& id : now)
      if (!before.count(id)) entered.push_back(id);
    std::vector<std::string> left;
    for (const auto& [id, v] : before)
      if (!now.count(id)) left.push_back(id);
    if (o.dry_run && !started) return;
    int64_t enrolled = 0;
    state::Transaction tx(store);
    if (started) {
      const size_t chunk = 100;
      for (size_t s = 0; s < entered.size(); s += chunk) {
        std::vector<std::string> part(entered.begin() + s,
                                      entered.begin() + std::min(entered.size(), s + chunk));
        std::vector<Record> found;
        connectors::Error re = hs.ReadByIds(p.hubspot_object, part, p.read_fields, &found);
        if (!re.ok())
          Fail(re, "reading the " + p.hubspot_object + " that entered \"" + t.subject + "\"");
        ++hs_min;
        Enroll(found, key, &enrolled);
      }
    } else {
      Count("workflow.started");
    }
    if (!o.dry_run) {
      for (const auto& id : entered) store.SetTriggerValue(p.name, key, id, "1");
      for (const auto& id : left) store.SetTriggerValue(p.name, key, id, std::nullopt);
      store.SetWatermark(Side::kHubSpot, state_object, key, std::to_string(Now()), Now());
      tx.Commit();
    }
  }

  void ChangeTrigger(const WorkflowTrigger& t) {
    const std::string key = t.Key();
    const bool started = Started(t);
    if (o.dry_run && !started) return;
    // The first run reads every contact once to learn the values (the baseline); later runs
    // read the contacts changed since.
    const std::string since =
        started ? *store.GetWatermark(Side::kHubSpot, state_object, key) : std::string();
    const bool baseline = !started;
    if (baseline) Count("workflow.started");
    int64_t enrolled = 0;
    connectors::Error e =
        hs.ReadChanges(p.hubspot_object, since, p.read_fields, [&](connectors::ChangePage& page) {
          ++hs_min;
          state::Transaction tx(store);
          std::vector<Record> fired;
          for (Record& r : page.records) {
            const std::string value = Canonical(FieldValue(r, t.subject), schema::ValueKind::kText);
            const std::optional<std::string> before = store.TriggerValue(p.name, key, r.id);
            if (r.deleted) {
              if (!o.dry_run) store.SetTriggerValue(p.name, key, r.id, std::nullopt);
              continue;
            }
            if (value == before.value_or("")) continue;
            if (!o.dry_run)
              store.SetTriggerValue(p.name, key, r.id,
                                    value.empty() ? std::nullopt : std::optional(value));
            if (!baseline) fired.push_back(std::move(r));
          }
          Enroll(fired, key, &enrolled);
          if (!o.dry_run) {
            store.SetWatermark(Side::kHubSpot, state_object, key, page.watermark, Now());
            tx.Commit();
          }
          CheckSuspended();
          return true;
        });
    if (!e.ok()) Fail(e, "reading HubSpot " + p.hubspot_object + " changed since the last run");
    if (baseline && !o.dry_run && !store.GetWatermark(Side::kHubSpot, state_object, key)) {
      // No contacts at all yet: start from now.
      store.SetWatermark(Side::kHubSpot, state_object, key, "", Now());
    }
  }

  // `when enters campaign "C"` (R136's enrolment from Salesforce, as a trigger): campaign members
  // changed since the trigger's watermark whose campaign is C and that this trigger has not seen
  // enrol the HubSpot contact paired with their lead or contact. The first run only learns the
  // members (as HubSpot does not enrol what already meets a new workflow). A member whose lead
  // or contact has no HubSpot contact yet is remembered and skipped
  // (`workflow.not_in_hubspot`).
  void CampaignTrigger(const WorkflowTrigger& t) {
    const std::string key = t.Key();
    const bool started = Started(t);
    if (o.dry_run && !started) return;
    const std::optional<std::string> campaign = CampaignId(t.subject);
    if (!campaign) {
      Count("workflow.campaign_missing");  // nobody is in a campaign that does not exist
      if (!o.dry_run && !started) store.SetWatermark(Side::kHubSpot, state_object, key, "", Now());
      return;
    }
    const std::string since =
        started ? *store.GetWatermark(Side::kHubSpot, state_object, key) : std::string();
    if (!started) Count("workflow.started");
    int64_t enrolled = 0;
    connectors::Error e = sf.ReadChanges(
        "CampaignMember", since, {"Id", "CampaignId", "LeadId", "ContactId"},
        [&](connectors::ChangePage& page) {
          ++sf_min;
          state::Transaction tx(store);
          std::vector<std::string> ids;
          for (const Record& r : page.records) {
            if (r.deleted || StringOf(FieldValue(r, "CampaignId")) != *campaign) continue;
            if (store.TriggerValue(p.name, key, r.id)) continue;  // seen: enrolled once
            if (!o.dry_run) store.SetTriggerValue(p.name, key, r.id, "1");
            if (!started) continue;
            const std::string contact = StringOf(FieldValue(r, "ContactId"));
            const std::string lead = StringOf(FieldValue(r, "LeadId"));
            auto link = !contact.empty() ? store.FindLink(Side::kSalesforce, "Contact", contact)
                                         : store.FindLink(Side::kSalesforce, "Lead", lead);
            if (!link || link->hubspot_id.empty()) {
              Count("workflow.not_in_hubspot");
              continue;
            }
            ids.push_back(link->hubspot_id);
          }
          std::sort(ids.begin(), ids.end());
          ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
          const size_t chunk = 100;
          for (size_t s = 0; s < ids.size(); s += chunk) {
            std::vector<std::string> part(ids.begin() + s,
                                          ids.begin() + std::min(ids.size(), s + chunk));
            std::vector<Record> found;
            connectors::Error re = hs.ReadByIds(p.hubspot_object, part, p.read_fields, &found);
            if (!re.ok()) Fail(re, "reading the contacts that entered \"" + t.subject + "\"");
            ++hs_min;
            Enroll(found, key, &enrolled);
          }
          if (!o.dry_run) {
            store.SetWatermark(Side::kHubSpot, state_object, key, page.watermark, Now());
            tx.Commit();
          }
          CheckSuspended();
          return true;
        });
    if (!e.ok()) Fail(e, "reading Salesforce campaign members");
    if (!started && !o.dry_run && !store.GetWatermark(Side::kHubSpot, state_object, key))
      store.SetWatermark(Side::kHubSpot, state_object, key, "", Now());
  }

  // ---- actions
  struct Target {
    Enrollment* e = nullptr;
    state::Link link;  // the contact's Salesforce lead or contact
  };

  void Wait(Enrollment& e, const std::string& why) {
    e.attempts += 1;
    e.message = why;
    e.updated_ms = Now();
    if (Now() - e.enrolled_ms > kWorkflowWaitMs) {
      e.state = EnrollmentState::kFailed;
      e.message = why + " (gave up after 7 days)";
      Count("workflow.failed");
    } else {
      Count("waiting.workflow");
    }
    if (!o.dry_run) store.UpdateEnrollment(e);
  }
  void Advance(Enrollment& e) {
    e.next_action += 1;
    e.message.clear();
    e.updated_ms = Now();
    if (e.next_action >= static_cast<int>(p.actions.size())) {
      e.state = EnrollmentState::kDone;
      Count("workflow.done");
    }
    if (!o.dry_run) store.UpdateEnrollment(e);
  }
  void ActionFailed(Enrollment& e, const connectors::Error& error) {
    report.errors[std::string(connectors::CategoryName(error.category))] += 1;
    Wait(e, std::string(ActionName(p.actions[e.next_action].kind)) + ": " + error.message);
  }

  // Salesforce users by lower-cased email: active users of a type that can own records (R119).
  std::optional<std::map<std::string, std::string>> users;
  const std::map<std::string, std::string>& Users() {
    if (users) return *users;
    users.emplace();
    std::vector<connectors::Owner> all;
    connectors::Error e = sf.ReadOwners(&all);
    if (!e.ok()) Fail(e, "reading Salesforce users");
    ++sf_min;
    for (const auto& u : all)
      if (u.active && IsRecognisedUserType(u.user_type) && !u.email.empty())
        users->emplace(Lower(u.email), u.id);
    return *users;
  }
  std::map<std::string, std::optional<std::string>> campaigns;  // name -> id
  std::optional<std::string> CampaignId(const std::string& name) {
    auto it = campaigns.find(name);
    if (it != campaigns.end()) return it->second;
    std::vector<Record> found;
    connectors::Error e = sf.FindByField("Campaign", "Name", {name}, {"Id", "Name"}, &found);
    if (!e.ok()) Fail(e, "finding Salesforce campaign \"" + name + "\"");
    ++sf_min;
    std::optional<std::string> id;
    for (const auto& r : found)
      if (!id || r.id < *id) id = r.id;  // several: the oldest
    campaigns[name] = id;
    return id;
  }

  void CreateTasks(const WorkflowAction& a, std::vector<Target>& targets) {
    // Owners: the named user, or else the lead's or contact's own owner.
    std::map<std::string, std::string> record_owner;  // Salesforce id -> OwnerId
    std::optional<std::string> named;
    if (!a.owner_email.empty()) {
      auto it = Users().find(Lower(a.owner_email));
      if (it == Users().end()) {
        for (Target& t : targets)
          Wait(*t.e, "create task: no active Salesforce user has the email " + a.owner_email);
        return;
      }
      named = it->second;
    } else {
      std::map<std::string, std::vector<std::string>> by_object;
      for (const Target& t : targets)
        by_object[t.link.salesforce_object].push_back(t.link.salesforce_id);
      for (auto& [object, ids] : by_object) {
        std::vector<Record> found;
        connectors::Error e = sf.ReadByIds(object, ids, {"Id", "OwnerId"}, &found);
        if (!e.ok()) Fail(e, "reading the owners of Salesforce " + object + " records");
        sf_min += Batches(static_cast<int64_t>(ids.size()), 200);
        for (const auto& r : found) record_owner[r.id] = StringOf(FieldValue(r, "OwnerId"));
      }
    }
    struct Item {
      Target* t;
      json fields;
    };
    std::vector<Item> items;
    for (Target& t : targets) {
      json fields = json::parse(t.e->payload.empty() ? "{}" : t.e->payload, nullptr, false);
      if (!fields.is_object()) fields = json::object();
      fields.erase(kSetKey);
      // A contact's lead or contact is the task's "who"; an account or opportunity its "what".
      fields[p.hubspot_object == "contacts" ? "WhoId" : "WhatId"] = t.link.salesforce_id;
      const std::string owner = named ? *named : record_owner[t.link.salesforce_id];
      if (!owner.empty()) fields["OwnerId"] = owner;
      fields[p.marker_field] = Marker(t.e->id);
      items.push_back({&t, std::move(fields)});
    }
    if (o.dry_run) {
      for (const Item& it : items) {
        std::vector<FieldChange> changes;
        for (auto f = it.fields.begin(); f != it.fields.end(); ++f)
          changes.push_back({f.key(), nullptr, f.value(), "workflow"});
        Plan("salesforce", "Task", "create", "", it.t->e->hubspot_id, std::move(changes),
             "workflow " + p.name + " (R135)");
      }
      Count("workflow.created.Task", static_cast<int64_t>(items.size()));
      return;
    }
    const size_t batch = static_cast<size_t>(std::max(1, o.salesforce_batch));
    for (size_t start = 0; start < items.size(); start += batch) {
      const size_t end = std::min(items.size(), start + batch);
      std::vector<connectors::WriteItem> chunk;
      std::vector<size_t> index;
      {
        state::Transaction tx(store);
        for (size_t k = start; k < end; ++k) {
          Item& it = items[k];
          state::Intent intent;
          intent.key = Key(it.t->e->id);
          intent.side = Side::kSalesforce;
          intent.object = "Task";
          intent.op = "create";
          intent.payload = it.fields.dump();
          intent.lookup_field = p.marker_field;
          intent.lookup_value = Marker(it.t->e->id);
          const state::Intent got = store.BeginIntent(intent, Now());
          if (got.state == state::IntentState::kDone) {  // made before a crash (Recover)
            Count("workflow.created.Task");
            Advance(*it.t->e);
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
          sf.Write("Task", connectors::WriteKind::kCreate, chunk, wo);
      state::Transaction tx(store);
      for (size_t c = 0; c < chunk.size(); ++c) {
        Item& it = items[index[c]];
        const connectors::WriteResult& r = results[c];
        if (r.ok) {
          store.CompleteIntent(Key(it.t->e->id), r.id, Now());
          Count("workflow.created.Task");
          Advance(*it.t->e);
        } else {
          store.FailIntent(Key(it.t->e->id), r.error.message, Now());
          ActionFailed(*it.t->e, r.error);
        }
      }
      tx.Commit();
      CheckSuspended();
    }
  }

  void AddToCampaign(const WorkflowAction& a, std::vector<Target>& targets) {
    const std::optional<std::string> campaign = CampaignId(a.campaign);
    if (!campaign) {
      for (Target& t : targets)
        Wait(*t.e, "add to campaign: Salesforce has no campaign named \"" + a.campaign + "\"");
      return;
    }
    std::vector<connectors::WriteItem> items;
    for (const Target& t : targets) {
      json fields = {{"CampaignId", *campaign}, {"Status", a.status}};
      fields[t.link.salesforce_object == "Lead" ? "LeadId" : "ContactId"] = t.link.salesforce_id;
      if (o.dry_run) {
        std::vector<FieldChange> changes;
        for (auto f = fields.begin(); f != fields.end(); ++f)
          changes.push_back({f.key(), nullptr, f.value(), "workflow"});
        Plan("salesforce", "CampaignMember", "create", "", t.e->hubspot_id, std::move(changes),
             "workflow " + p.name + ": add to campaign \"" + a.campaign + "\" (R135)");
      }
      items.push_back({"", "", "", std::move(fields)});
    }
    if (o.dry_run) {
      Count("workflow.campaign_members", static_cast<int64_t>(items.size()));
      return;
    }
    const size_t batch = static_cast<size_t>(std::max(1, o.salesforce_batch));
    for (size_t start = 0; start < items.size(); start += batch) {
      std::vector<connectors::WriteItem> chunk(
          items.begin() + start, items.begin() + std::min(items.size(), start + batch));
      ++sf_min;
      auto results = sf.Write("CampaignMember", connectors::WriteKind::kCreate, chunk);
      state::Transaction tx(store);
      for (size_t c = 0; c < chunk.size(); ++c) {
        Target& t = targets[start + c];
        const connectors::WriteResult& r = results[c];
        // Salesforce refuses a second membership (DUPLICATE_VALUE, "Already a campaign
        // member"): a repeat after a crash is therefore harmless, and counts as done.
        if (r.ok || r.error.code == "DUPLICATE_VALUE") {
          Count(r.ok ? "workflow.campaign_members" : "workflow.campaign_members.already");
          Advance(*t.e);
        } else {
          ActionFailed(*t.e, r.error);
        }
      }
      tx.Commit();
      CheckSuspended();
    }
  }

  void SetOwner(const WorkflowAction& a, std::vector<Target>& targets) {
    auto it = Users().find(Lower(a.owner_email));
    if (it == Users().end()) {
      for (Target& t : targets)
        Wait(*t.e, "set owner: no active Salesforce user has the email " + a.owner_email);
      return;
    }
    const std::string user = it->second;
    std::map<std::string, std::vector<Target*>> by_object;
    for (Target& t : targets) by_object[t.link.salesforce_object].push_back(&t);
    for (auto& [object, group] : by_object) {
      if (o.dry_run) {
        for (Target* t : group)
          Plan("salesforce", object, "update", t->link.salesforce_id, t->e->hubspot_id,
               {{"OwnerId", nullptr, user, "workflow"}},
               "workflow " + p.name + ": set salesforce owner " + a.owner_email + " (R138)");
        Count("workflow.owners_set", static_cast<int64_t>(group.size()));
        continue;
      }
      const size_t batch = static_cast<size_t>(std::max(1, o.salesforce_batch));
      for (size_t start = 0; start < group.size(); start += batch) {
        const size_t end = std::min(group.size(), start + batch);
        std::vector<connectors::WriteItem> chunk;
        for (size_t k = start; k < end; ++k)
          chunk.push_back({group[k]->link.salesforce_id, "", "", {{"OwnerId", user}}});
        ++sf_min;
        auto results = sf.Write(object, connectors::WriteKind::kUpdate, chunk);
        state::Transaction tx(store);
        for (size_t c = 0; c < chunk.size(); ++c) {
          Target& t = *group[start + c];
          if (results[c].ok) {
            Count("workflow.owners_set");
            Advance(*t.e);
          } else {
            ActionFailed(*t.e, results[c].error);
          }
        }
        tx.Commit();
        CheckSuspended();
      }
    }
  }

  // `set hubspot.contacts|companies { ... }` (R135): the values evaluated at enrolment are
  // written on the contact, or on its primary company (the first associated one when none is
  // primary; a contact without a company is skipped, as HubSpot skips it), in batch updates;
  // then the records written go through their object's sync so the values reach Salesforce in
  // this run. Updates repeat harmlessly, so a crash before the enrolment moves on only writes
  // the same values again.
  void SetHubSpot(const WorkflowAction& a, std::vector<Target>& targets) {
    // A contact workflow's `set hubspot.companies` writes the contact's company; any other
    // `set` writes the enrolled record itself.
    const bool via_company = a.object == "companies" && p.hubspot_object == "contacts";
    std::map<std::string, std::string> company;  // contact -> company
    if (via_company) {
      std::vector<std::string> contacts;
      for (const Target& t : targets) contacts.push_back(t.e->hubspot_id);
      std::vector<connectors::Association> assoc;
      const size_t chunk = static_cast<size_t>(std::max(1, o.hubspot_batch));
      for (size_t start = 0; start < contacts.size(); start += chunk) {
        std::vector<std::string> part(contacts.begin() + start,
                                      contacts.begin() + std::min(contacts.size(), start + chunk));
        connectors::Error e = hs.ReadAssociations("contacts", "companies", part, &assoc);
        if (!e.ok()) Fail(e, "reading the companies of enrolled contacts");
        ++hs_min;
      }
      std::map<std::string, std::pair<bool, std::string>> best;  // contact -> (primary, id)
      for (const auto& l : assoc) {
        auto it = best.find(l.from_id);
        const std::pair<bool, std::string> cand{l.primary, l.to_id};
        auto better = [](const std::pair<bool, std::string>& x,
                         const std::pair<bool, std::string>& y) {
          if (x.first != y.first) return x.first;
          return x.second.size() != y.second.size() ? x.second.size() < y.second.size()
                                                    : x.second < y.second;  // oldest id
        };
        if (it == best.end() || better(cand, it->second)) best[l.from_id] = cand;
      }
      for (const auto& [contact, c] : best) company[contact] = c.second;
    }
    // One write per record; of several enrolments on one record, the latest values win.
    std::map<std::string, json> writes;
    std::map<std::string, std::vector<Target*>> by_record;
    std::vector<std::string> order;
    std::vector<Target*> no_company;
    for (Target& t : targets) {
      std::string id = t.e->hubspot_id;
      if (via_company) {
        auto it = company.find(id);
        if (it == company.end()) {
          no_company.push_back(&t);
          continue;
        }
        id = it->second;
      }
      json payload = json::parse(t.e->payload.empty() ? "{}" : t.e->payload, nullptr, false);
      json values = payload.is_object() && payload.contains(kSetKey)
                        ? payload[kSetKey].value(a.object, json::object())
                        : json::object();
      if (!writes.count(id)) order.push_back(id);
      json& w = writes[id];
      if (!w.is_object()) w = json::object();
      for (auto f = values.begin(); f != values.end(); ++f) w[f.key()] = f.value();
      by_record[id].push_back(&t);
    }
    Count("workflow.no_company", static_cast<int64_t>(no_company.size()));
    if (!o.dry_run && !no_company.empty()) {
      state::Transaction tx(store);
      for (Target* t : no_company) Advance(*t->e);
      tx.Commit();
    }
    if (o.dry_run) {
      for (const auto& id : order) {
        std::vector<FieldChange> changes;
        for (auto f = writes[id].begin(); f != writes[id].end(); ++f)
          changes.push_back({f.key(), nullptr, f.value(), "workflow"});
        Plan("hubspot", a.object, "update", id, by_record[id].front()->e->hubspot_id,
             std::move(changes), "workflow " + p.name + ": set hubspot." + a.object + " (R135)");
      }
      Count("workflow.set." + a.object, static_cast<int64_t>(order.size()));
      return;
    }
    std::vector<std::string> written;
    const size_t batch = static_cast<size_t>(std::max(1, o.hubspot_batch));
    for (size_t start = 0; start < order.size(); start += batch) {
      const size_t end = std::min(order.size(), start + batch);
      std::vector<connectors::WriteItem> chunk;
      for (size_t k = start; k < end; ++k) chunk.push_back({order[k], "", "", writes[order[k]]});
      ++hs_min;
      auto results = hs.Write(a.object, connectors::WriteKind::kUpdate, chunk);
      state::Transaction tx(store);
      for (size_t c = 0; c < chunk.size(); ++c) {
        const std::string& id = order[start + c];
        if (results[c].ok) {
          Count("workflow.set." + a.object);
          written.push_back(id);
          for (Target* t : by_record[id]) Advance(*t->e);
        } else {
          for (Target* t : by_record[id]) ActionFailed(*t->e, results[c].error);
        }
      }
      tx.Commit();
      CheckSuspended();
    }
    if (!written.empty()) SyncNow(a.object, written);
  }

  // Runs `object`'s sync for these HubSpot records now (R135, R137); false when the rules have
  // no sync of that object.
  bool SyncNow(const std::string& object, const std::vector<std::string>& ids) {
    if (!sync_hubspot || o.dry_run) return false;
    std::optional<RunReport> r = sync_hubspot(object, ids);
    if (!r) return false;
    Count(object == p.hubspot_object ? "workflow.synced" : "workflow.synced." + object,
          static_cast<int64_t>(ids.size()));
    for (const auto& [key, n] : r->counts)  // the writes it made count in the run's totals
      if (key.rfind("created.", 0) == 0 || key.rfind("updated.", 0) == 0) Count(key, n);
    report.hubspot_min_calls += r->hubspot_min_calls;
    report.salesforce_min_calls += r->salesforce_min_calls;
    for (const auto& [k, v] : r->errors) report.errors[k] += v;
    if (r->status != "ok") throw StopRun{r->status, r->message};
    return true;
  }

  void Act() {
    std::vector<Enrollment> open = store.OpenEnrollments(p.name);
    for (Enrollment& e : planned) open.push_back(std::move(e));
    if (open.empty() || p.actions.empty()) return;
    // R137: contacts not yet in Salesforce, and those a `sync to salesforce` action waits for,
    // go through the contacts sync first.
    std::vector<std::string> to_sync;
    std::set<std::string> listed;
    bool has_sync = true;
    for (const Enrollment& e : open) {
      bool needs_salesforce = false, wants_sync = false;
      for (size_t k = static_cast<size_t>(e.next_action); k < p.actions.size(); ++k) {
        needs_salesforce = needs_salesforce || NeedsSalesforce(p.actions[k].kind);
        wants_sync = wants_sync || p.actions[k].kind == Kind::kSyncToSalesforce;
      }
      wants_sync = wants_sync || (needs_salesforce &&
                                  !store.FindLink(Side::kHubSpot, p.hubspot_object, e.hubspot_id));
      if (wants_sync && listed.insert(e.hubspot_id).second) to_sync.push_back(e.hubspot_id);
    }
    if (!to_sync.empty() && !o.dry_run) has_sync = SyncNow(p.hubspot_object, to_sync);
    // The actions, in rounds by position so that each round is batched; an enrolment that
    // finishes action k joins round k + 1.
    for (size_t k = 0; k < p.actions.size(); ++k) {
      const WorkflowAction& a = p.actions[k];
      std::vector<Target> targets;
      for (Enrollment& e : open) {
        if (e.state != EnrollmentState::kOpen || e.next_action != static_cast<int>(k)) continue;
        if (!NeedsSalesforce(a.kind)) {
          targets.push_back({&e, {}});
          continue;
        }
        auto link = store.FindLink(Side::kHubSpot, p.hubspot_object, e.hubspot_id);
        if (!link || link->salesforce_id.empty()) {
          const std::string what = Singular(p.hubspot_object);
          Wait(e, has_sync ? "the " + what + " is not in Salesforce (the " + p.hubspot_object +
                                 " sync's include filter or create settings keep it out, or it has "
                                 "a sync error)"
                           : "the " + what + " is not in Salesforce and the rules have no " +
                                 p.hubspot_object + " sync");
          continue;
        }
        targets.push_back({&e, *link});
      }
      if (targets.empty()) continue;
      if (o.dry_run && a.kind == Kind::kSyncToSalesforce) {
        for (Target& t : targets)
          Plan("salesforce", t.link.salesforce_object, "sync", t.link.salesforce_id,
               t.e->hubspot_id, {}, "workflow " + p.name + ": sync to salesforce (R138)");
      }
      switch (a.kind) {
        case Kind::kCreateTask:
          CreateTasks(a, targets);
          break;
        case Kind::kAddToCampaign:
          AddToCampaign(a, targets);
          break;
        case Kind::kSetOwner:
          SetOwner(a, targets);
          break;
        case Kind::kSetHubSpot:
          SetHubSpot(a, targets);
          break;
        case Kind::kSyncToSalesforce: {
          if (o.dry_run) break;
          state::Transaction tx(store);
          for (Target& t : targets) Advance(*t.e);  // synced above
          tx.Commit();
          break;
        }
      }
      // In a dry run nothing advances: the later actions of these enrolments are planned too.
      if (o.dry_run)
        for (Target& t : targets) t.e->next_action += 1;
    }
  }
};

WorkflowRunner::WorkflowRunner(const WorkflowProgram& program, connectors::Connector& hubspot,
                               connectors::Connector& salesforce, state::StateStore& store,
                               RunOptions options, SyncHubSpot sync_hubspot)
    : impl_(std::make_unique<Impl>(program, hubspot, salesforce, store, std::move(options),
                                   std::move(sync_hubspot))) {}
WorkflowRunner::~WorkflowRunner() = default;

RunReport WorkflowRunner::Run() {
  Impl& m = *impl_;
  m.hs_calls0 = m.hs.calls_made();
  m.sf_calls0 = m.sf.calls_made();
  RunPasses(m.report, [&] {
    m.Recover();
    for (const WorkflowTrigger& t : m.p.triggers) {
      if (t.kind == WorkflowTrigger::Kind::kEntersSegment)
        m.SegmentTrigger(t);
      else if (t.kind == WorkflowTrigger::Kind::kEntersCampaign)
        m.CampaignTrigger(t);
      else
        m.ChangeTrigger(t);
    }
    m.Act();
  });
  m.report.by_sync["workflow " + m.p.name] = m.report.counts;
  m.report.hubspot_calls = m.hs.calls_made() - m.hs_calls0;
  m.report.salesforce_calls = m.sf.calls_made() - m.sf_calls0;
  m.report.hubspot_min_calls += m.hs_min;
  m.report.salesforce_min_calls += m.sf_min;
  return m.report;
}

}  // namespace syncline::engine
