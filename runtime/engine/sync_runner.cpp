#include "engine/sync_runner.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "connectors/window_cursor.h"
#include "engine/addresses.h"
#include "engine/associations.h"
#include "engine/campaigns.h"
#include "engine/company_matching.h"
#include "engine/deal_stages.h"
#include "engine/owners.h"
#include "engine/portal_stages.h"
#include "engine/run_context.h"
#include "engine/write_flights.h"
#include "lifecycle/lifecycle_stages.h"
#include "state/journal_recovery.h"

namespace syncline::engine {

using connectors::ErrorCategory;
using connectors::Record;
using nlohmann::json;
using state::Side;

void RunReport::Merge(const RunReport& o) {
  for (const auto& [k, v] : o.counts) counts[k] += v;
  for (const auto& [k, v] : o.errors) errors[k] += v;
  for (const auto& [name, c] : o.by_sync)
    for (const auto& [k, v] : c) by_sync[name][k] += v;
  plan.insert(plan.end(), o.plan.begin(), o.plan.end());
  if (status == "ok" && o.status != "ok") {
    status = o.status;
    message = o.message;
  }
  hubspot_calls += o.hubspot_calls;
  salesforce_calls += o.salesforce_calls;
  hubspot_min_calls += o.hubspot_min_calls;
  salesforce_min_calls += o.salesforce_min_calls;
}

namespace {

std::string Hash(const std::string& text) {
  // FNV-1a 64: the journal key only has to be stable for the same write of the same data.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool IsTrue(const json& v) {
  return v.is_boolean() ? v.get<bool>() : v == "true";
}

// One pair of records to settle.
struct Work {
  std::optional<Record> hubspot, salesforce;
  const ObjectProgram* object = nullptr;  // the Salesforce object of the pair or create
  std::optional<state::Link> link;
  std::optional<state::Link> replaces;  // R50/R62: the link this pairing takes over
  Evaluation to_salesforce, to_hubspot;
  bool included = true;
  bool writes_hubspot = false;                // the pair's decision may write HubSpot
  bool failed_sf = false, failed_hs = false;  // a write of this pair failed
  // The link's stored bases as read when the pair was decided (`link` only), so that
  // committing a pair does not rewrite bases it leaves as they are.
  std::optional<state::BaseValues> stored_hubspot, stored_salesforce;
};

// True when storing `values` over `stored` would change nothing.
bool BaseUnchanged(const std::optional<state::BaseValues>& stored,
                   const state::BaseValues& values) {
  if (!stored) return values.empty();
  for (const auto& [field, value] : values) {
    auto it = stored->find(field);
    if (it == stored->end() || it->second != value) return false;
  }
  return true;
}

// A write waiting for its batch.
struct Pending {
  size_t work;  // index into the works of the page
  connectors::WriteItem item;
  std::vector<FieldChange> changes;
  // An update of a pair: the base it settles (PartialBase), stored as soon as it succeeds
  // and kept in its intent for recovery.

  state::BaseValues base_hubspot, base_salesforce;
};

// Removes from a pair's bases to store both sides' entries of every mapping whose write on one
// side (`written`) has not happened: those fields keep their stored base, so the difference is
// still seen next time and the write is made again. (Keeping only the unwritten side's old base
// while moving the other side's would make the pair look agreed, and the write would be lost.)
void DropUnapplied(const ObjectProgram& obj, const json& written, bool salesforce_written,
                   state::BaseValues& base_hubspot, state::BaseValues& base_salesforce) {
  for (const FieldMap& fm : obj.fields) {
    if (!written.contains(salesforce_written ? fm.salesforce : fm.hubspot)) continue;
    base_hubspot.erase(fm.hubspot);
    base_salesforce.erase(fm.salesforce);
  }
}

// The base one side's write settles when it succeeds: the pair's decided base, except the
// mappings the other side's write still has to apply (DropUnapplied). Stored when the write
// succeeds and kept in its intent for journal recovery, so that a crash before the pair's
// commit leaves the base an uninterrupted run would have for these fields (otherwise the next
// run sees this write, or fields whose base was never stored, as changes and may undo it).
void PartialBase(const ObjectProgram& obj, const PairDecision& d, bool salesforce_written,
                 Pending* out) {
  out->base_hubspot = d.base_hubspot;
  out->base_salesforce = d.base_salesforce;
  DropUnapplied(obj, salesforce_written ? d.hubspot.fields : d.salesforce.fields,
                !salesforce_written, out->base_hubspot, out->base_salesforce);
}

std::string BasesJson(const Pending& pd) {
  if (pd.base_hubspot.empty() && pd.base_salesforce.empty()) return "";
  return json{{"hubspot", pd.base_hubspot}, {"salesforce", pd.base_salesforce}}.dump();
}

}  // namespace

struct SyncRunner::Impl {
  const SyncProgram& p;
  connectors::Connector& hs;
  connectors::Connector& sf;
  state::StateStore& store;
  RunOptions o;
  RunReport report;
  int64_t hs_calls0 = 0, sf_calls0 = 0;
  // Members per segment name, and each HubSpot id's segment names joined by '\n'.
  std::unordered_map<std::string, std::string> segments_of;
  std::map<std::string, std::vector<std::string>> segment_members;  // by segment name
  // Records settled in this run, by id, with the modification time seen (so the other
  // side's feed does not settle them twice from older data, and a plan does not repeat).
  std::unordered_map<std::string, int64_t> settled_hs, settled_sf;
  int64_t hs_min_items = 0;

  Impl(const SyncProgram& program, connectors::Connector& h, connectors::Connector& s,
       state::StateStore& st, RunOptions options)
      : p(program), hs(h), sf(s), store(st), o(std::move(options)) {
    if (!o.now_ms) o.now_ms = SystemNowMs;
  }

  int64_t Now() { return o.now_ms(); }
  int64_t run_started_ms = 0;
  void Count(const std::string& key, int64_t n = 1) { report.counts[key] += n; }
  void Progress(const std::string& stage, int64_t done) {
    if (o.progress) o.progress(p.name + ": " + stage, done);
  }
  void CheckSuspended() { engine::CheckSuspended(hs, sf); }
  [[noreturn]] void Fail(const connectors::Error& e, const std::string& what) {
    FailRead(hs, sf, e, what);
  }

  // What the object-specific passes (company matching, associations) share with the runner.
  RunContext Context(const SyncProgram* program = nullptr) {
    return RunContext{
        program ? *program : p,
        hs,
        sf,
        store,
        o,
        report,
        hs_min_items,
        sf_min_,
        [this](const connectors::Error& e, const std::string& what) { Fail(e, what); },
        [this](Side target, const std::string& object, const std::string& id,
               const std::string& category, const std::string& code, const std::string& message) {
          RecordError(target, object, id, category, code, message);
        },
        [this] { return Now(); },
        lookups_};
  }

  // An import (RunOptions::import_object) writes HubSpot only and creates there whatever
  // `from salesforce:` says: importing is the explicit way to bring records in (R125-R129).
  bool Importing() const { return !o.import_object.empty(); }
  CreateMode InHubSpot() const { return Importing() ? CreateMode::kCreateOrUpdate : p.in_hubspot; }

  const ObjectProgram* CreateTarget() const {
    const ObjectProgram* t = p.Object(p.create_target);
    return t ? t : (p.objects.empty() ? nullptr : &p.objects.front());
  }

  std::string KeyOf(const Record& r, bool hubspot_side) const {
    const std::string& field = hubspot_side ? p.match_hubspot : p.match_salesforce;
    if (field.empty()) return "";
    return Canonical(FieldValue(r, field), schema::ValueKind::kText, true);
  }

  // ---- segments
  void LoadSegments() {
    if (!p.has_include || p.segments.empty()) return;
    for (const std::string& name : p.segments) {
      std::string id;
      connectors::Error e = hs.FindListId(p.hubspot_object, name, &id);
      if (e.category == ErrorCategory::kNotFound) {
        report.message +=
            "segment \"" + name + "\" does not exist in HubSpot: no record is in it; ";
        // Known to be empty: whoever is in it once the list exists has entered it (R39).
        segment_members[name];
        continue;
      }
      if (!e.ok()) Fail(e, "reading segment \"" + name + "\"");
      std::vector<std::string> members;
      e = hs.ListMembers(id, &members);
      if (!e.ok()) Fail(e, "reading members of segment \"" + name + "\"");
      ++hs_min_items;  // at least one page per list
      for (const auto& m : members) {
        std::string& s = segments_of[m];
        if (!s.empty()) s += '\n';
        s += name;
      }
      segment_members[name] = std::move(members);
    }
  }
  // R39: a contact entering the segment is itself a sync trigger, even when nothing else about
  // it changed (adding it to a manual list does not move its lastmodifieddate). The members
  // each run saw are kept in the state store (under "sync:<name>"); those new since the last
  // run and not settled by this run's change feed are read and settled now.
  // R38: choosing a segment syncs nothing at once. So the first run that meets a segment (a new
  // `in_segment` name in the rules) only learns its members; entering it is a trigger from the
  // next run on, and a segment resync (RunOptions::resync_segment) syncs the members now.
  struct SegmentMoves {
    std::vector<std::string> added, removed;
    bool learned = false;  // the segment's members were stored by an earlier run
  };
  std::string SegmentMemory() const { return "sync:" + p.name; }
  SegmentMoves SegmentDiff(const std::string& name, const std::vector<std::string>& members) {
    SegmentMoves m;
    const std::map<std::string, std::string> before =
        store.TriggerValues(SegmentMemory(), "segment:" + name);
    // A learned segment that was empty has no members stored, only its marker. Stores from
    // before the marker existed have members.
    m.learned = !before.empty() ||
                store.GetWatermark(Side::kHubSpot, SegmentMemory(), "segment:" + name).has_value();
    std::set<std::string> now(members.begin(), members.end());
    for (const auto& id : now)
      if (!before.count(id)) m.added.push_back(id);
    for (const auto& [id, v] : before)
      if (!now.count(id)) m.removed.push_back(id);
    return m;
  }
  // After the members settled: a crash before this only means they are read again next run.
  void RememberSegments(const std::map<std::string, SegmentMoves>& moves) {
    if (o.dry_run) return;
    state::Transaction tx(store);
    for (const auto& [name, m] : moves) {
      const std::string key = "segment:" + name;
      for (const auto& id : m.added) store.SetTriggerValue(SegmentMemory(), key, id, "1");
      for (const auto& id : m.removed)
        store.SetTriggerValue(SegmentMemory(), key, id, std::nullopt);
      if (!m.learned) store.SetWatermark(Side::kHubSpot, SegmentMemory(), key, "learned", Now());
    }
    tx.Commit();
  }
  void SegmentEntries() {
    if (segment_members.empty()) return;
    std::vector<std::string> entered;
    std::set<std::string> listed;
    std::map<std::string, SegmentMoves> moves;
    for (const auto& [name, members] : segment_members) {
      SegmentMoves& m = moves[name] = SegmentDiff(name, members);
      if (!m.learned) {
        Count("segment.learned", static_cast<int64_t>(m.added.size()));
        continue;
      }
      for (const auto& id : m.added)
        if (!settled_hs.count(id) && listed.insert(id).second) entered.push_back(id);
    }
    Count("segment.entered", static_cast<int64_t>(entered.size()));
    SyncHubSpotIds(entered, "reading HubSpot records that entered a segment");
    RememberSegments(moves);
  }
  // R38: a manual segment resync: the list's members are settled now as changed records (the
  // include filter and create settings still apply). When the include filter names the list,
  // the segment trigger then takes its members as seen.
  void ResyncSegment(const std::string& name) {
    std::vector<std::string> members;
    auto known = segment_members.find(name);
    if (known != segment_members.end()) {
      members = known->second;
    } else {
      std::string id;
      connectors::Error e = hs.FindListId(p.hubspot_object, name, &id);
      if (e.category == ErrorCategory::kNotFound)
        throw StopRun{"failed",
                      "segment \"" + name + "\" does not exist in HubSpot: nothing to resync"};
      if (!e.ok()) Fail(e, "reading segment \"" + name + "\"");
      e = hs.ListMembers(id, &members);
      if (!e.ok()) Fail(e, "reading members of segment \"" + name + "\"");
      ++hs_min_items;
    }
    Count("segment.resynced", static_cast<int64_t>(members.size()));
    SyncHubSpotIds(members, "reading HubSpot records of a segment to resync");
    if (known != segment_members.end()) RememberSegments({{name, SegmentDiff(name, members)}});
  }

  std::string SegmentsOf(const std::string& id) const {
    auto it = segments_of.find(id);
    return it == segments_of.end() ? "" : it->second;
  }

  // ---- the org's State and Country picklists (`salesforce: customized`, R112)
  std::optional<stdlib::geo::PicklistTable> org_picklists_;
  const stdlib::geo::PicklistTable* OrgPicklists() const {
    return org_picklists_ ? &*org_picklists_ : nullptr;
  }
  // Reads them from the describe of the first synced object with an address: picklists are
  // org-wide, so one describe per run serves every object and address.
  void LoadOrgPicklists() {
    if (p.picklists_salesforce != "customized") return;
    for (const ObjectProgram& obj : p.objects) {
      const std::vector<AddressFields> addresses = FindAddresses(obj);
      if (addresses.empty()) continue;
      auto described = sf.Describe(obj.object);
      if (auto* e = std::get_if<connectors::Error>(&described))
        Fail(*e, "reading the describe of salesforce." + obj.object + " for its picklists");
      ++sf_min_;
      const auto& object = std::get<schema::Object>(described);
      org_picklists_ = PicklistsFromDescribe(object, addresses.front().prefix);
      if (!org_picklists_)
        throw StopRun{"failed",
                      "the rules say `picklists { salesforce: customized }`, but "
                      "salesforce." +
                          obj.object + " has no " + addresses.front().prefix +
                          "CountryCode field: State and Country picklists are not "
                          "enabled in this org (R112); use `salesforce: disabled`"};
      Count("picklists.org_countries", static_cast<int64_t>(org_picklists_->countries().size()));
      return;
    }
  }

  // ---- the opportunities' record types (R78), read once per run
  RecordTypeIds record_type_ids_;
  bool record_types_loaded_ = false;
  void LoadRecordTypes() {
    if (record_types_loaded_ || !p.HasRecordTypes() || p.objects.empty()) return;
    const std::string& object = p.objects.front().object;
    connectors::Error e = LoadRecordTypeIds(p, sf, object, &record_type_ids_);
    if (!e.ok()) Fail(e, "reading the record types of salesforce." + object + " (R78)");
    ++sf_min_;
    record_types_loaded_ = true;
    Count("record_types", static_cast<int64_t>(record_type_ids_.size()));
  }

  // ---- evaluation
  void EvaluateWorks(std::vector<Work>& works) {
    std::map<const ObjectProgram*, std::vector<size_t>> to_sf, to_hs;
    for (size_t i = 0; i < works.size(); ++i) {
      if (works[i].hubspot) to_sf[works[i].object].push_back(i);
      if (works[i].salesforce) to_hs[works[i].object].push_back(i);
    }
    for (auto& [obj, idx] : to_sf) {
      std::vector<const Record*> recs;
      std::vector<std::string> segs;
      for (size_t i : idx) {
        recs.push_back(&*works[i].hubspot);
        segs.push_back(SegmentsOf(works[i].hubspot->id));
      }
      auto evals = Evaluate(obj->to_salesforce, recs, &segs, StagesFor(obj->to_salesforce));
      for (size_t k = 0; k < idx.size(); ++k) {
        Work& w = works[idx[k]];
        w.to_salesforce = std::move(evals[k]);
        w.included = w.to_salesforce.status != Evaluation::kDropped;
        if (!obj->to_salesforce.valid()) {
          // A one-way sync into HubSpot: no include filter, nothing to write to Salesforce.
          w.to_salesforce.status = Evaluation::kOk;
          w.included = true;
        }
        ApplyPicklistsToSalesforce(p, *obj, w.to_salesforce, OrgPicklists());
        WhileHeld(w.to_salesforce, [&] {
          ApplyStagesToSalesforce(p, *obj, *w.hubspot, w.salesforce ? &*w.salesforce : nullptr,
                                  record_type_ids_, w.to_salesforce);
          owners_.ToSalesforce(*obj, w.salesforce ? &*w.salesforce : nullptr, w.to_salesforce);
        });
      }
    }
    for (auto& [obj, idx] : to_hs) {
      std::vector<const Record*> recs;
      for (size_t i : idx) recs.push_back(&*works[i].salesforce);
      auto evals = Evaluate(obj->to_hubspot, recs, nullptr, StagesFor(obj->to_hubspot));
      for (size_t k = 0; k < idx.size(); ++k) {
        Work& w = works[idx[k]];
        w.to_hubspot = std::move(evals[k]);
        ApplyPicklistsToHubSpot(p, *obj, *w.salesforce, w.to_hubspot, OrgPicklists());
        WhileHeld(w.to_hubspot, [&] {
          ApplyStagesToHubSpot(p, *obj, *w.salesforce, record_type_ids_, w.to_hubspot);
          owners_.ToHubSpot(*obj, w.hubspot ? &*w.hubspot : nullptr, w.to_hubspot);
        });
      }
    }
  }
  // A failure that holds some fields only (the picklists) may be lifted when the pair is
  // decided (LiftHeldFailures), so the record's later conversions run as for a record that did
  // not fail; one of them failing fails the whole record.
  template <class F>
  static void WhileHeld(Evaluation& e, F&& convert) {
    const bool held = e.status == Evaluation::kFailed && !e.held.empty();
    if (held) e.status = Evaluation::kOk;
    std::forward<F>(convert)();
    if (!held) return;
    if (e.status == Evaluation::kOk) {
      e.status = Evaluation::kFailed;
    } else {
      e.held.clear();
    }
  }
  // R109-R111: a picklist failure holds only its address's fields. A pair whose decision writes
  // none of them (Salesforce keeps its own state under "prefer Salesforce unless blank", or the
  // two sides agree) never sends the value Salesforce would reject, so the rest of the record
  // syncs: the failure is lifted. One that writes a held field fails as a whole, as Salesforce
  // rejects the whole record.
  void LiftHeldFailures(PairInput in, Work& w) {
    auto held = [](const Evaluation& e) {
      return e.status == Evaluation::kFailed && !e.held.empty();
    };
    const bool sf = held(w.to_salesforce), hs = held(w.to_hubspot);
    if (!sf && !hs) return;
    Evaluation to_sf = w.to_salesforce, to_hs = w.to_hubspot;
    if (sf) to_sf.status = Evaluation::kOk;
    if (hs) to_hs.status = Evaluation::kOk;
    in.to_salesforce = &to_sf;
    in.to_hubspot = &to_hs;
    const PairDecision d = DecidePair(in);
    auto writes_held = [](const SideWrite& side, const Evaluation& e) {
      for (const std::string& f : e.held)
        if (side.fields.contains(f)) return true;
      return false;
    };
    auto lift = [](Evaluation& e) {
      e.status = Evaluation::kOk;
      e.held.clear();
      e.code.clear();
      e.message.clear();
    };
    if (sf && (!writes_held(d.salesforce, to_sf) || RecheckWithSalesforceCountry(w, d)))
      lift(w.to_salesforce);
    if (hs && !writes_held(d.hubspot, to_hs)) lift(w.to_hubspot);
  }
  // HubSpot's state was checked against HubSpot's country, but a decision that keeps
  // Salesforce's country sends the state alone (SendFields), and Salesforce checks it against
  // its own country: a Jalisco without a country in HubSpot is Mexico's Jalisco when the lead
  // says Mexico. Checks each held address's state again with Salesforce's country where the
  // decision does not send a country; true when every one passes, its state now converted.
  bool RecheckWithSalesforceCountry(Work& w, const PairDecision& d) {
    Evaluation& e = w.to_salesforce;
    std::vector<std::pair<std::string, json>> converted;  // state field -> value
    std::vector<std::pair<std::string, std::pair<std::string, json>>> codes;
    for (const AddressFields& a : FindAddresses(*w.object)) {
      auto is_held = [&e](const FieldMap* fm) {
        return fm && std::find(e.held.begin(), e.held.end(), fm->salesforce) != e.held.end();
      };
      if (!is_held(a.country) && !is_held(a.state)) continue;
      if (!a.country || !a.state || d.salesforce.fields.contains(a.country->salesforce) ||
          !d.salesforce.fields.contains(a.state->salesforce))
        return false;
      Evaluation probe;
      probe.fields[a.country->salesforce] = FieldValue(*w.salesforce, a.country->salesforce);
      probe.fields[a.state->salesforce] = e.fields[a.state->salesforce];
      ApplyPicklistsToSalesforce(p, *w.object, probe, OrgPicklists());
      if (probe.status != Evaluation::kOk) return false;
      converted.emplace_back(a.state->salesforce, probe.fields[a.state->salesforce]);
      auto code = probe.send_as.find(a.state->salesforce);
      if (code != probe.send_as.end()) codes.emplace_back(code->first, code->second);
    }
    for (auto& [field, value] : converted) e.fields[field] = std::move(value);
    for (auto& [field, code] : codes) e.send_as[field] = std::move(code);
    return true;
  }

  // ---- errors
  void RecordError(Side target, const std::string& source_object, const std::string& source_id,
                   const std::string& category, const std::string& code,
                   const std::string& message) {
    // One count per record and side in a run, however many passes meet the failure.
    if (!errors_seen_
             .insert(std::string(state::SideName(target)) + "|" + source_object + "|" + source_id)
             .second)
      return;
    ++report.errors[category];
    if (o.record_plan)
      report.plan.push_back(PlanEntry{std::string(state::SideName(target)),
                                      "",
                                      "error",
                                      "",
                                      source_object + " " + source_id,
                                      {},
                                      category + ": " + message});
    if (o.dry_run) return;
    state::SyncError e;
    e.side = target;
    e.object = source_object;
    e.record_id = source_id;
    e.category = category;
    e.code = code;
    e.message = message;
    // An error met again (a retry, or a record read again) is not a new one: summaries say how
    // many of the run's errors were open before it.
    if (store.RecordError(e, Now(), o.retry_interval_ms).attempts > 1) Count("errors.open_before");
  }
  void RecordEvalError(Side target, const std::string& source_object, const std::string& id,
                       const Evaluation& e) {
    RecordError(target, source_object, id, e.category, e.code,
                e.message + (e.location.empty() ? "" : " (at " + e.location + ")"));
  }

  // ---- settle: decide and write a page of pairs
  void Settle(std::vector<Work>& works) {
    if (works.empty()) return;
    EvaluateWorks(works);
    std::map<std::string, std::vector<Pending>> sf_updates, sf_creates;
    std::vector<Pending> hs_updates, hs_creates;
    std::vector<PairDecision> decisions(works.size());
    std::vector<bool> has_decision(works.size(), false);

    // What deciding the page stores (pre-links, unchanged pairs, rule failures) commits once,
    // before any write of the page, instead of a commit per pair.
    std::optional<state::Transaction> decided;
    if (!o.dry_run) decided.emplace(store);
    for (size_t i = 0; i < works.size(); ++i) {
      Work& w = works[i];
      const ObjectProgram& obj = *w.object;
      if (w.hubspot) settled_hs[w.hubspot->id] = w.hubspot->last_modified_ms;
      if (w.salesforce) settled_sf[w.salesforce->id] = w.salesforce->last_modified_ms;
      if (w.hubspot && w.salesforce) {
        // R42: a linked record outside the segment gets no updates either way. R41: a first
        // pairing from a new Salesforce record still happens, with HubSpot writes only.
        const bool first_from_sf = !w.link && settled_from_salesforce_.count(w.salesforce->id);
        if (!w.included && !first_from_sf) {
          Count("skipped.segment");
          continue;
        }
        PairInput in;
        in.object = &obj;
        in.hubspot = &*w.hubspot;
        in.salesforce = &*w.salesforce;
        state::BaseValues base_h, base_s;
        if (w.link) {
          if (!w.stored_hubspot) w.stored_hubspot = store.GetBase(w.link->id, Side::kHubSpot);
          if (!w.stored_salesforce)
            w.stored_salesforce = store.GetBase(w.link->id, Side::kSalesforce);
          base_h = *w.stored_hubspot;
          base_s = *w.stored_salesforce;
        } else if (w.replaces) {
          base_h = store.GetBase(w.replaces->id, Side::kHubSpot);
        }
        in.base_hubspot = &base_h;
        in.base_salesforce = &base_s;
        in.to_salesforce = &w.to_salesforce;
        in.to_hubspot = &w.to_hubspot;
        in.allow_salesforce_writes =
            w.included && p.in_salesforce != CreateMode::kNothing && !Importing();
        in.allow_hubspot_writes = InHubSpot() != CreateMode::kNothing || w.link.has_value();
        in.match_hubspot = p.match_hubspot;
        in.conflict = p.conflict;
        LiftHeldFailures(in, w);
        // A side whose rules failed keeps its error open (CommitPair resolves only on success).
        if (w.to_salesforce.status == Evaluation::kFailed) {
          // An import writes no Salesforce value, so it has no Salesforce error to record.
          if (!Importing())
            RecordEvalError(Side::kSalesforce, p.hubspot_object, w.hubspot->id, w.to_salesforce);
          in.allow_salesforce_writes = false;
          w.failed_sf = true;
        }
        if (w.to_hubspot.status == Evaluation::kFailed) {
          RecordEvalError(Side::kHubSpot, obj.object, w.salesforce->id, w.to_hubspot);
          in.allow_hubspot_writes = false;
          w.failed_hs = true;
        }
        w.writes_hubspot = in.allow_hubspot_writes;
        decisions[i] = DecidePair(in);
        FollowPipelineMove(p, obj, *w.hubspot, w.to_hubspot, decisions[i]);
        has_decision[i] = true;
        const PairDecision& d = decisions[i];
        if (!w.link) {
          Count("linked");
          // The pair is linked before any write: a crash after a write then resumes with the
          // same partner instead of matching again by timestamps that write just moved.
          if (!o.dry_run) PreLink(w);
        }
        if (d.salesforce.empty() && d.hubspot.empty()) {
          if (w.link) Count("unchanged");
        }
        if (!d.salesforce.empty()) {
          connectors::WriteItem item;
          item.id = w.salesforce->id;
          item.fields = SendFields(d.salesforce.fields, w.to_salesforce, d.hubspot.fields, &obj);
          Pending pd{i, std::move(item), d.salesforce.changes, {}, {}};
          PartialBase(obj, d, true, &pd);
          sf_updates[obj.object].push_back(std::move(pd));
        }
        if (!d.hubspot.empty()) {
          connectors::WriteItem item;
          item.id = w.hubspot->id;
          item.fields = d.hubspot.fields;
          Pending pd{i, std::move(item), d.hubspot.changes, {}, {}};
          PartialBase(obj, d, false, &pd);
          hs_updates.push_back(std::move(pd));
        }
        if (d.salesforce.empty() && d.hubspot.empty() && !o.dry_run)
          CommitPair(w, d, !w.failed_sf, !w.failed_hs);
      } else if (w.hubspot) {
        if (!w.included) {
          Count("skipped.segment");
          continue;
        }
        if (w.to_salesforce.status == Evaluation::kFailed) {
          RecordEvalError(Side::kSalesforce, p.hubspot_object, w.hubspot->id, w.to_salesforce);
          continue;
        }
        connectors::WriteItem item;
        item.fields = WithoutBlanks(SendFields(w.to_salesforce.fields, w.to_salesforce));
        auto changes = Changes(item.fields);
        sf_creates[obj.object].push_back({i, std::move(item), std::move(changes), {}, {}});
      } else if (w.salesforce) {
        if (w.to_hubspot.status == Evaluation::kFailed) {
          RecordEvalError(Side::kHubSpot, obj.object, w.salesforce->id, w.to_hubspot);
          continue;
        }
        connectors::WriteItem item;
        item.fields = WithoutBlanks(w.to_hubspot.fields);
        auto changes = Changes(item.fields);
        hs_creates.push_back({i, std::move(item), std::move(changes), {}, {}});
      }
    }
    if (decided) decided->Commit();
    AddCampaigns(works, has_decision, hs_updates, hs_creates);
    LogKeysWritten(works, hs_updates, hs_creates);

    std::vector<WriteJob> jobs;
    for (auto& [object, items] : sf_creates)
      jobs.push_back({Side::kSalesforce, object, connectors::WriteKind::kCreate, &items});
    for (auto& [object, items] : sf_updates)
      jobs.push_back({Side::kSalesforce, object, connectors::WriteKind::kUpdate, &items});
    jobs.push_back({Side::kHubSpot, p.hubspot_object, connectors::WriteKind::kCreate, &hs_creates});
    jobs.push_back({Side::kHubSpot, p.hubspot_object, connectors::WriteKind::kUpdate, &hs_updates});
    Execute(works, jobs);
    // Pairs whose writes all succeeded commit their link and base (a pair writing both sides
    // commits once both are done).
    if (!o.dry_run) {
      state::Transaction tx(store);
      for (size_t i = 0; i < works.size(); ++i) {
        if (!has_decision[i]) continue;
        const PairDecision& d = decisions[i];
        if (d.salesforce.empty() && d.hubspot.empty()) continue;
        CommitPair(works[i], d, !works[i].failed_sf, !works[i].failed_hs);
      }
      tx.Commit();
    }
    Discard(std::move(decisions), std::move(sf_updates), std::move(sf_creates),
            std::move(hs_updates), std::move(hs_creates));
  }
  // Notes the match keys the page's HubSpot writes give or take away (FinishSalesforcePage).
  void LogKeysWritten(const std::vector<Work>& works, const std::vector<Pending>& updates,
                      const std::vector<Pending>& creates) {
    if (p.match_hubspot.empty()) return;
    auto key = [](const json& v) { return Canonical(v, schema::ValueKind::kText, true); };
    for (const Pending& pd : creates)
      if (auto it = pd.item.fields.find(p.match_hubspot); it != pd.item.fields.end())
        hs_keys_written_.push_back(key(*it));
    for (const Pending& pd : updates)
      if (auto it = pd.item.fields.find(p.match_hubspot); it != pd.item.fields.end()) {
        hs_keys_written_.push_back(key(*it));
        hs_keys_written_.push_back(KeyOf(*works[pd.work].hubspot, true));
      }
  }
  // Frees a page's records, decisions and writes on `reaper_`: freeing their JSON trees took
  // the engine's thread about 3 % of a 20,000-contact demo, with the CRMs idle meanwhile. One
  // page's garbage at a time: the next call waits for the previous one to be freed.
  template <class... T>
  void Discard(T&&... garbage) {
    reaped_ = reaper_.Post(
        [g = std::make_tuple(std::move(garbage)...)]() mutable { auto dropped = std::move(g); });
  }
  connectors::WorkerThread reaper_;
  connectors::WorkerFuture<void> reaped_;  // after reaper_: destroyed (waited for) first
  std::unordered_set<std::string> settled_from_salesforce_;
  std::unordered_set<std::string> errors_seen_;
  OwnerSync owners_{hs, sf, report};  // R114-R119: owner ids translated after the rules

  // ---- R34: the Salesforce campaigns of the page's pairs, into HubSpot (campaigns.h)
  CampaignSync campaigns_{p, hs, sf, report};
  // Adds the "Salesforce Campaigns" value to the HubSpot creates and updates of the page where
  // it differs from the contact's, and an update of its own for a pair that writes nothing else.
  void AddCampaigns(std::vector<Work>& works, const std::vector<bool>& decided,
                    std::vector<Pending>& hs_updates, std::vector<Pending>& hs_creates) {
    if (p.campaigns_property.empty()) return;
    const std::string& prop = p.campaigns_property;
    std::map<std::string, std::vector<std::string>> ids;  // Salesforce object -> record ids
    std::vector<size_t> pairs;
    for (size_t i = 0; i < works.size(); ++i) {
      const Work& w = works[i];
      if (!decided[i] || !w.writes_hubspot || w.failed_hs || !campaigns_.Covers(w.object->object))
        continue;
      pairs.push_back(i);
      ids[w.object->object].push_back(w.salesforce->id);
    }
    for (const Pending& pd : hs_creates) {
      const Work& w = works[pd.work];
      if (campaigns_.Covers(w.object->object)) ids[w.object->object].push_back(w.salesforce->id);
    }
    std::unordered_map<std::string, std::string> names;  // Salesforce ids are unique across objects
    for (const auto& [object, list] : ids) {
      auto found = campaigns_.Names(object, list, &sf_min_);
      if (!found) return;
      names.merge(*found);
    }
    auto wanted = [&](const Work& w) {
      auto it = names.find(w.salesforce->id);
      return it == names.end() ? std::string() : it->second;
    };
    // Only values that differ from the contact's are written, and only then is the property
    // looked up (or created).
    std::vector<std::pair<size_t, std::string>> updates;  // work, value
    for (size_t i : pairs) {
      const Work& w = works[i];
      if (!names.count(w.salesforce->id)) continue;
      std::string want = wanted(w);
      if (want != StringOf(FieldValue(*w.hubspot, prop))) updates.emplace_back(i, std::move(want));
    }
    std::vector<Pending*> creates;
    for (Pending& pd : hs_creates)
      if (!wanted(works[pd.work]).empty()) creates.push_back(&pd);
    if (updates.empty() && creates.empty()) return;
    if (!campaigns_.Ready(o.dry_run, &hs_min_items)) return;
    const std::string why = "the Salesforce campaigns of the lead or contact (R34)";
    for (Pending* pd : creates) {
      const std::string want = wanted(works[pd->work]);
      pd->item.fields[prop] = want;
      pd->changes.push_back({prop, nullptr, want, "create"});
    }
    std::unordered_map<size_t, size_t> update_of;  // work -> its entry in hs_updates
    for (size_t k = 0; k < hs_updates.size(); ++k) update_of[hs_updates[k].work] = k;
    for (auto& [i, want] : updates) {
      const json& before = FieldValue(*works[i].hubspot, prop);
      FieldChange change{prop, before, want, why};
      auto it = update_of.find(i);
      if (it != update_of.end()) {  // with the pair's own update: no call of its own
        hs_updates[it->second].item.fields[prop] = want;
        hs_updates[it->second].changes.push_back(std::move(change));
        continue;
      }
      // An update of this property only: it settles no mapped field, so it carries no base.
      connectors::WriteItem item;
      item.id = works[i].hubspot->id;
      item.fields[prop] = want;
      hs_updates.push_back(Pending{i, std::move(item), {std::move(change)}, {}, {}});
    }
    Count("campaigns.written", static_cast<int64_t>(updates.size() + creates.size()));
  }

  // Fields as sent: picklist text fields become their code fields (send_as).
  // A state code is checked against the country of the same write, so a changed state is
  // sent with its country code (R109, R111), unless the pair's decision keeps Salesforce's
  // country (it writes it to HubSpot, `to_hubspot`): sending HubSpot's would overwrite the very
  // value the decision chose, and the state is then checked against Salesforce's own country.
  static json SendFields(const json& fields, const Evaluation& e,
                         const json& to_hubspot = json::object(),
                         const ObjectProgram* obj = nullptr) {
    if (e.send_as.empty()) return fields;
    json out = json::object();
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      auto s = e.send_as.find(it.key());
      if (s == e.send_as.end()) {
        out[it.key()] = it.value();
        continue;
      }
      out[s->second.first] = s->second.second;
      const std::string& code_field = s->second.first;
      const std::string suffix = "StateCode";
      if (code_field.size() >= suffix.size() &&
          code_field.compare(code_field.size() - suffix.size(), suffix.size(), suffix) == 0) {
        const std::string prefix = code_field.substr(0, code_field.size() - suffix.size());
        auto c = e.send_as.find(prefix + "Country");
        if (c != e.send_as.end() && !c->second.second.is_null() &&
            !KeepsSalesforceValue(obj, prefix + "Country", to_hubspot))
          out[c->second.first] = c->second.second;
      }
    }
    return out;
  }
  // Whether the decision writes Salesforce's `salesforce_field` into HubSpot (its value is kept).
  static bool KeepsSalesforceValue(const ObjectProgram* obj, const std::string& salesforce_field,
                                   const json& to_hubspot) {
    if (!obj) return false;
    for (const FieldMap& fm : obj->fields)
      if (fm.salesforce == salesforce_field && to_hubspot.contains(fm.hubspot)) return true;
    return false;
  }
  // A create sends only values: a blank field is the CRM's default anyway, and Salesforce
  // refuses null for some types (booleans).
  static json WithoutBlanks(const json& fields) {
    json out = json::object();
    for (auto it = fields.begin(); it != fields.end(); ++it)
      if (!IsBlank(it.value())) out[it.key()] = it.value();
    return out;
  }
  static std::vector<FieldChange> Changes(const json& fields) {
    std::vector<FieldChange> out;
    for (auto it = fields.begin(); it != fields.end(); ++it)
      out.push_back({it.key(), nullptr, it.value(), "create"});
    return out;
  }

  // Stores a new link of this sync's HubSpot object.
  state::Link PutNewLink(const std::string& hubspot_id, const std::string& salesforce_object,
                         const std::string& salesforce_id) {
    state::Link link;
    link.hubspot_object = p.hubspot_object;
    link.hubspot_id = hubspot_id;
    link.salesforce_object = salesforce_object;
    link.salesforce_id = salesforce_id;
    link.created_ms = link.updated_ms = Now();
    link.id = store.PutLink(link);
    return link;
  }

  void PreLink(Work& w) {
    state::Transaction tx(store);
    if (w.replaces) {
      store.DeleteLink(w.replaces->id);
      relinked_away_.push_back(w.replaces->salesforce_id);  // FinishSalesforcePage
    }
    w.replaces.reset();
    w.link = PutNewLink(w.hubspot->id, w.object->object, w.salesforce->id);
    // A new link has no base yet (a deleted link's rows went with it), so its stores compare
    // with an empty one and the pair's commit does not store again what its write stored.
    w.stored_hubspot.emplace();
    w.stored_salesforce.emplace();
    tx.Commit();
  }

  // Links the pair and stores its base. On a partly failed pair, the fields of the failed
  // side keep their old base so the difference is seen again.
  // The pair is linked already (PreLink).
  void CommitPair(Work& w, const PairDecision& d, bool sf_ok, bool hs_ok) {
    state::Transaction tx(store);
    state::Link& link = *w.link;
    // Marks the link touched in this run, which is what the association pass looks at; a link
    // made or touched earlier in this run already is.
    if (link.updated_ms < run_started_ms) {
      link.updated_ms = Now();
      store.TouchLink(link.id, link.updated_ms);
    }
    state::BaseValues bh = d.base_hubspot, bs = d.base_salesforce;
    // A failed write keeps both sides' stored base of its fields (SetBase leaves fields it is
    // not given as they are).
    if (!sf_ok) DropUnapplied(*w.object, d.salesforce.fields, true, bh, bs);
    if (!hs_ok) DropUnapplied(*w.object, d.hubspot.fields, false, bh, bs);
    // An unchanged pair (most of a quiet run) leaves its bases as they are, and so does a pair
    // whose write stored them already (SettleCall): no rewrite.
    StoreBase(w, Side::kHubSpot, bh);
    StoreBase(w, Side::kSalesforce, bs);
    // Each side's error is its own: a HubSpot write that failed once and succeeded now is
    // resolved even while the Salesforce side still fails (a picklist value, say), and the
    // reverse.
    if (sf_ok) store.ResolveError(Side::kSalesforce, p.hubspot_object, w.hubspot->id, Now());
    if (hs_ok) store.ResolveError(Side::kHubSpot, w.object->object, w.salesforce->id, Now());
    tx.Commit();
  }

  // Stores `values` over the linked pair's base of `side` unless that would change nothing,
  // and keeps the pair's copy of its stored base current (SetBase merges: fields not given keep
  // their base), so that its next store of the same values is skipped.
  void StoreBase(Work& w, Side side, const state::BaseValues& values) {
    auto& stored = side == Side::kHubSpot ? w.stored_hubspot : w.stored_salesforce;
    if (BaseUnchanged(stored, values)) return;
    store.SetBase(w.link->id, side, values, Now());
    if (!stored) return;  // not read: compared with nothing, so always stored
    for (const auto& [field, value] : values) (*stored)[field] = value;
  }

  // One kind of item to write to one object.
  struct WriteJob {
    Side side;
    std::string object;
    connectors::WriteKind kind;
    std::vector<Pending>* items;
  };
  // One batch call: items [start, end) of a job; once begun, its journal row and the items
  // (moved out of the job's, shared with the lane's thread while the call is out: copying each
  // record's fields for the call was 4 % of the engine's thread).
  struct WriteCall {
    const WriteJob* job;
    size_t start, end;
    int64_t journal = 0;
    std::shared_ptr<const std::vector<connectors::WriteItem>> items;
  };

  // Writes the jobs in batches, under the journal. Each side's jobs go in their order, up to
  // `o.*_write_calls` calls out at a time (WriteFlights): a side's next call is sent as soon as one
  // of its calls is answered, before that answer is settled here, and the two sides' calls are
  // out at the same time. The calls of one Execute are independent of each other (a record is in
  // one job per side, created or updated), so their order of arrival does not matter; answers
  // are settled in the order the calls were sent. A lane's next call is begun (its intents
  // journaled) while the lane's calls are out, so that the CRM does not wait for the journal
  // between two calls. A call begun and not sent (the run was suspended) is abandoned in the
  // journal; after a crash, recovery finds it not applied, as it finds a call the crash stopped
  // between its journal and its send.
  void Execute(std::vector<Work>& works, const std::vector<WriteJob>& jobs) {
    std::array<std::deque<WriteCall>, WriteFlights::kLanes> queued;
    auto lane_of = [](Side side) { return side == Side::kSalesforce ? size_t{0} : size_t{1}; };
    for (const WriteJob& job : jobs) {
      PlanJob(works, job);
      if (o.dry_run) continue;
      const size_t batch = static_cast<size_t>(Batch(job.side));
      for (size_t start = 0; start < job.items->size(); start += batch)
        queued[lane_of(job.side)].push_back(
            {&job, start, std::min(job.items->size(), start + batch), 0, nullptr});
    }
    if (o.dry_run) return;
    std::array<std::optional<WriteCall>, WriteFlights::kLanes> ready;
    // After a suspension nothing more is begun or sent; the calls out are settled first.
    auto begin_next = [&](size_t lane) {
      if (ready[lane] || queued[lane].empty() || Suspended()) return;
      WriteCall call = std::move(queued[lane].front());
      queued[lane].pop_front();
      BeginCall(works, call);
      ready[lane] = std::move(call);
    };
    WriteFlights flights(write_lanes_, {static_cast<size_t>(o.salesforce_write_calls),
                                        static_cast<size_t>(o.hubspot_write_calls)});
    std::array<std::deque<WriteCall>, WriteFlights::kLanes> out;  // oldest first, as flights
    auto send_one = [&](size_t lane) {
      if (!flights.HasRoom(lane)) return false;
      begin_next(lane);
      if (!ready[lane] || Suspended()) return false;
      const WriteJob& job = *ready[lane]->job;
      connectors::WriteOptions wo;
      if (job.kind == connectors::WriteKind::kCreate) wo.dedupe_field = KeyField(job.side);
      flights.Send(lane, job.side == Side::kHubSpot ? hs : sf, job.object, job.kind,
                   ready[lane]->items, std::move(wo));
      out[lane].push_back(std::move(*ready[lane]));
      ready[lane].reset();
      return true;
    };
    // The first calls of both sides go out in turns, so that neither waits for the other's
    // journal rows.
    for (bool sent = true; sent;) {
      sent = false;
      for (size_t lane = 0; lane < WriteFlights::kLanes; ++lane) sent |= send_one(lane);
    }
    for (size_t lane = 0; lane < WriteFlights::kLanes; ++lane) begin_next(lane);
    while (flights.Any()) {
      const size_t lane = flights.Wait();
      std::vector<connectors::WriteResult> results = flights.Take(lane);
      WriteCall call = std::move(out[lane].front());
      out[lane].pop_front();
      send_one(lane);
      SettleCall(works, call, results);
      begin_next(lane);
      while (send_one(lane)) {  // room left by a call settled while others were answered
      }
    }
    for (auto& begun : ready)
      if (begun) store.EndCallIntents(begun->journal);  // not sent: nothing to recover
    CheckSuspended();
  }
  WriteFlights::Lanes write_lanes_;  // their threads live for the run (started when first used)
  // Look-ups sent beside the engine's thread (StartLookups, with `lookahead_`; RunContext::helper).
  connectors::WorkerThread lookups_;
  bool Suspended() const { return !hs.suspended().ok() || !sf.suspended().ok(); }
  int Batch(Side side) const {
    return side == Side::kHubSpot ? o.hubspot_batch : o.salesforce_batch;
  }
  const std::string& KeyField(Side side) const {
    return side == Side::kHubSpot ? p.match_hubspot : p.match_salesforce;
  }
  // The record a write to `side` comes from (the other side's; null for a write of its own
  // side, which a plan shows without a source), and its object.
  const Record* SourceOf(Side side, const Work& w) const {
    const auto& src = side == Side::kHubSpot ? w.salesforce : w.hubspot;
    return src ? &*src : nullptr;
  }
  const std::string& SourceObject(Side side, const Work& w) const {
    return side == Side::kHubSpot ? w.object->object : p.hubspot_object;
  }

  // Counts a job's items and calls, and puts them in the plan when one is recorded.
  void PlanJob(const std::vector<Work>& works, const WriteJob& job) {
    const std::vector<Pending>& items = *job.items;
    if (items.empty()) return;
    const bool create = job.kind == connectors::WriteKind::kCreate;
    const std::string side_name(state::SideName(job.side));
    Count(std::string(create ? "created." : "updated.") + side_name,
          static_cast<int64_t>(items.size()));
    if (job.side == Side::kHubSpot)
      hs_min_items += Batches(static_cast<int64_t>(items.size()), Batch(job.side));
    else
      sf_min_ += Batches(static_cast<int64_t>(items.size()), Batch(job.side));
    if (!o.record_plan) return;
    for (const Pending& pd : items) {
      const Work& w = works[pd.work];
      const Record* src = SourceOf(job.side, w);
      std::string source;
      if (src)
        source = std::string(job.side == Side::kHubSpot ? "salesforce " : "hubspot ") +
                 SourceObject(job.side, w) + " " + src->id;
      report.plan.push_back(PlanEntry{side_name, job.object, create ? "create" : "update",
                                      pd.item.id, source, pd.changes, create ? "new record" : ""});
    }
  }

  // Journals the intents of a call's items (one row, committed before the call) and moves the
  // items into the call.
  void BeginCall(const std::vector<Work>& works, WriteCall& call) {
    const WriteJob& job = *call.job;
    const bool create = job.kind == connectors::WriteKind::kCreate;
    const std::string op = create ? "create" : "update";
    const std::string side_name(state::SideName(job.side));
    const std::string& key_field = KeyField(job.side);
    std::vector<connectors::WriteItem> chunk;
    chunk.reserve(call.end - call.start);
    std::vector<state::Intent> intents(call.end - call.start);
    for (size_t k = call.start; k < call.end; ++k) {
      Pending& pd = (*job.items)[k];
      const Work& w = works[pd.work];
      state::Intent& intent = intents[k - call.start];
      std::string payload = pd.item.fields.dump();
      intent.key = op + "|" + side_name + "|" + job.object + "|" +
                   (create ? "from:" + SourceObject(job.side, w) + ":" + SourceOf(job.side, w)->id
                           : pd.item.id) +
                   "|" + Hash(payload);
      intent.side = job.side;
      intent.object = job.object;
      intent.op = op;
      intent.record_id = pd.item.id;
      intent.link_id = w.link ? w.link->id : 0;
      intent.payload = std::move(payload);
      if (!create && w.link) intent.bases = BasesJson(pd);
      if (create && !key_field.empty() && pd.item.fields.contains(key_field)) {
        intent.lookup_field = key_field;
        const json& v = pd.item.fields[key_field];
        intent.lookup_value = v.is_string() ? v.get<std::string>() : v.dump();
      }
      chunk.push_back(std::move(pd.item));
    }
    call.journal = store.BeginCallIntents(intents, Now());
    call.items = std::make_shared<const std::vector<connectors::WriteItem>>(std::move(chunk));
  }

  // Settles a call's answer: ends its journal row, links what it created, stores the bases of
  // what it updated, records errors (one transaction).
  void SettleCall(std::vector<Work>& works, const WriteCall& call,
                  const std::vector<connectors::WriteResult>& results) {
    const WriteJob& job = *call.job;
    const Side side = job.side;
    const bool create = job.kind == connectors::WriteKind::kCreate;
    const std::vector<Pending>& items = *job.items;
    state::Transaction tx(store);
    store.EndCallIntents(call.journal);
    for (size_t k = call.start; k < call.end; ++k) {
      const connectors::WriteResult& r = results[k - call.start];
      Work& w = works[items[k].work];
      if (r.ok) {
        // A record written now is settled again when its side's feed shows it (its values
        // are compared with the base; a timestamp of one-second resolution cannot tell
        // this write from the read before it).
        (side == Side::kHubSpot ? settled_hs : settled_sf).erase(r.id);
        if (create) LinkCreated(w, side, job.object, r.id, (*call.items)[k - call.start].fields);
        if (!create && w.link) {
          StoreBase(w, Side::kHubSpot, items[k].base_hubspot);
          StoreBase(w, Side::kSalesforce, items[k].base_salesforce);
        }
      } else {
        (side == Side::kHubSpot ? w.failed_hs : w.failed_sf) = true;
        // A HubSpot 409 on create names the contact that holds the email (R53).
        if (create && r.error.category == ErrorCategory::kDuplicate && !r.id.empty() &&
            side == Side::kHubSpot) {
          Count("linked");
          LinkExisting(w, r.id);
          continue;
        }
        RecordError(side, SourceObject(side, w), SourceOf(side, w)->id,
                    std::string(connectors::CategoryName(r.error.category)), r.error.code,
                    r.error.message);
      }
    }
    tx.Commit();
  }
  int64_t sf_min_ = 0;

  void LinkCreated(Work& w, Side side, const std::string& object, const std::string& id,
                   const json& written) {
    const state::Link link = PutNewLink(side == Side::kHubSpot ? id : w.hubspot->id,
                                        side == Side::kSalesforce ? object : w.object->object,
                                        side == Side::kSalesforce ? id : w.salesforce->id);
    state::BaseValues bh, bs;
    const Record& src = side == Side::kSalesforce ? *w.hubspot : *w.salesforce;
    BaseAfterCreate(*w.object, src, side == Side::kSalesforce, written, p.match_hubspot, &bh, &bs);
    store.SetBase(link.id, Side::kHubSpot, bh, Now());
    store.SetBase(link.id, Side::kSalesforce, bs, Now());
    store.ResolveError(side, side == Side::kSalesforce ? p.hubspot_object : w.object->object,
                       src.id, Now());
  }

  // The contact exists already (a race with another writer): link without a base, so the
  // next change settles the pair field by field.
  void LinkExisting(Work& w, const std::string& hubspot_id) {
    PutNewLink(hubspot_id, w.object->object, w.salesforce->id);
  }

  // The links of a page's records, read in one statement per 100 records before the page is
  // looked at (nothing links or unlinks in between).
  std::unordered_map<std::string, state::Link> PageLinks(Side side, const std::string& object,
                                                         const std::vector<Record>& page) {
    std::vector<std::string> ids;
    ids.reserve(page.size());
    for (const Record& r : page) ids.push_back(r.id);
    return store.FindLinks(side, object, ids);
  }

  // One read-only look-up of a page (records by id or by key) and its answer.
  struct Lookup {
    using Call = std::function<connectors::Error(std::vector<Record>*)>;
    explicit Lookup(Call c) : call(std::move(c)) {}
    Call call;
    std::vector<Record> found;
    connectors::Error error;
  };
  // Sends a page's look-ups, two at a time, and waits for their answers (StartLookups).
  void SendLookups(std::vector<Lookup>& lookups) {
    LookupsOut out;
    StartLookups(lookups, out);
    AwaitLookups(out);
  }

  // Sends a page's look-ups two at a time: the look-up thread and `lookahead_` each take the
  // next one not yet sent, so two calls are out at once (to one CRM, whose sandbox parses and
  // answers them on two cores, or to both), while this thread goes on; AwaitLookups waits for
  // the answers. Nothing is written in between, so each answer is what it would be one by one;
  // the caller uses them in their order, and the first failure in that order fails the run as
  // before (a call after a failed one has been made, which is all that differs).
  struct LookupsOut {
    std::atomic<size_t> next{0};
    connectors::WorkerFuture<void> first, second;
  };
  void StartLookups(std::vector<Lookup>& lookups, LookupsOut& out) {
    auto take = [&lookups, &out] {
      for (size_t i; (i = out.next++) < lookups.size();)
        lookups[i].error = lookups[i].call(&lookups[i].found);
    };
    if (lookups.empty()) return;
    out.first = lookups_.Post(take);
    if (lookups.size() > 1) out.second = lookahead_.Post(take);
  }
  static void AwaitLookups(LookupsOut& out) {
    if (out.first.valid()) out.first.get();
    if (out.second.valid()) out.second.get();
  }
  connectors::WorkerThread lookahead_;

  // ---- HubSpot changes
  // A HubSpot page between its look-ups and its sync. The HubSpot feed sends a page's look-ups
  // when the page is handed out, then syncs the page before it (ReadHubSpot), so the CRMs
  // answer them while the engine decides and writes that page. Nothing that page writes can
  // change their answers: it writes the Salesforce records linked to its own HubSpot records
  // (links pair one record with one) and creates records for its own emails (HubSpot's emails
  // are unique), and every record it writes is linked by then, which is what the email
  // look-up's answers are checked against when the page is synced (FindLink, not before).
  struct CompaniesFollowing;
  struct HubSpotPageWork {
    std::vector<Work> works;
    std::map<const ObjectProgram*, std::vector<std::string>> fetch;
    std::vector<size_t> unlinked;
    std::vector<std::string> keys;
    bool by_email = false;
    std::vector<Lookup> lookups;
    std::unique_ptr<CompaniesFollowing> following;  // R73 (ChangedStages), started at hand-out
    std::string watermark;
    LookupsOut out;  // last: its tasks, which use the members above, end first
  };
  void HubSpotPage(std::vector<Record>& page, bool forced) {
    auto w = PrepareHubSpotPage(page, forced);
    FinishHubSpotPage(*w);
  }
  // Picks the page's records to sync and sends its look-ups.
  std::unique_ptr<HubSpotPageWork> PrepareHubSpotPage(std::vector<Record>& page, bool forced) {
    auto pw = std::make_unique<HubSpotPageWork>();
    std::vector<Work>& works = pw->works;
    auto& fetch = pw->fetch;
    std::vector<size_t>& unlinked = pw->unlinked;
    std::set<std::string> keys_in_page;
    const auto links = PageLinks(Side::kHubSpot, p.hubspot_object, page);
    for (Record& h : page) {
      Count("read.hubspot");
      auto seen = settled_hs.find(h.id);
      if (!forced && seen != settled_hs.end() && h.last_modified_ms <= seen->second) continue;
      if (!InSyncedPipeline(p, h)) {
        Count("skipped.pipeline");  // R80: a deal outside the synced pipeline does not sync
        continue;
      }
      if (auto found = links.find(h.id); found != links.end()) {
        const state::Link& link = found->second;
        const ObjectProgram* obj = p.Object(link.salesforce_object);
        if (!obj) continue;
        state::BaseValues base = store.GetBase(link.id, Side::kHubSpot);
        if (!forced && !HasMappedChange(p, obj, h, true, base)) {
          Count("unchanged");
          continue;
        }
        Work w;
        w.hubspot = std::move(h);
        w.object = obj;
        w.link = link;
        w.stored_hubspot = std::move(base);  // Settle uses it instead of reading it again
        fetch[obj].push_back(link.salesforce_id);
        works.push_back(std::move(w));
        continue;
      }
      const std::string key = KeyOf(h, true);
      if (!p.match_hubspot.empty() && key.empty()) {
        Count("skipped.no_key");  // R31(a): no email, no sync
        continue;
      }
      if (p.in_salesforce == CreateMode::kNothing || !CreateTarget()) continue;
      if (!key.empty() && !keys_in_page.insert(key).second) {
        Count("skipped.duplicate_key");  // one record per key and page; the next run pairs it
        continue;
      }
      Work w;
      w.hubspot = std::move(h);
      w.object = CreateTarget();
      unlinked.push_back(works.size());
      works.push_back(std::move(w));
    }
    // Inclusion first: records outside the segment cost no look-ups (R40).
    if (p.has_include && !unlinked.empty()) {
      std::vector<const Record*> recs;
      std::vector<std::string> segs;
      for (size_t i : unlinked) {
        recs.push_back(&*works[i].hubspot);
        segs.push_back(SegmentsOf(works[i].hubspot->id));
      }
      auto evals = Evaluate(CreateTarget()->to_salesforce, recs, &segs,
                            StagesFor(CreateTarget()->to_salesforce));
      std::vector<size_t> kept;
      for (size_t k = 0; k < unlinked.size(); ++k) {
        if (evals[k].status == Evaluation::kDropped) {
          Count("skipped.segment");
          works[unlinked[k]].object = nullptr;
        } else {
          kept.push_back(unlinked[k]);
        }
      }
      unlinked = kept;
    }
    // The page's look-ups: counterparts of linked records, then (R49) the Salesforce records
    // with the emails of new ones, per object. None depends on another's answer.
    std::vector<std::string>& keys = pw->keys;
    const bool by_email = pw->by_email = !unlinked.empty() && !p.match_salesforce.empty();
    if (by_email)
      for (size_t i : unlinked)
        keys.push_back(FieldValue(*works[i].hubspot, p.match_hubspot).is_string()
                           ? works[i].hubspot->fields[p.match_hubspot].get<std::string>()
                           : "");
    std::vector<Lookup>& lookups = pw->lookups;
    for (auto& [obj, ids] : fetch)
      lookups.emplace_back([this, obj = obj, &ids = ids](std::vector<Record>* out) {
        return sf.ReadByIds(obj->object, ids, obj->read_fields, out);
      });
    if (by_email)
      for (const ObjectProgram& obj : p.objects)
        lookups.emplace_back([this, &obj, &keys](std::vector<Record>* out) {
          return sf.FindByField(obj.object, p.match_salesforce, keys, obj.read_fields, out);
        });
    StartLookups(lookups, pw->out);
    return pw;
  }
  // Takes the page's look-up answers, decides and writes (Settle).
  void FinishHubSpotPage(HubSpotPageWork& pw) {
    AwaitLookups(pw.out);
    std::vector<Work>& works = pw.works;
    const auto& fetch = pw.fetch;
    const std::vector<size_t>& unlinked = pw.unlinked;
    const std::vector<std::string>& keys = pw.keys;
    const bool by_email = pw.by_email;
    std::vector<Lookup>& lookups = pw.lookups;
    size_t next_lookup = 0;
    // Counterparts of linked records.
    for (auto& [obj, ids] : fetch) {
      Lookup& l = lookups[next_lookup++];
      if (!l.error.ok()) Fail(l.error, "reading Salesforce " + obj->object);
      sf_min_ += Batches(static_cast<int64_t>(ids.size()), o.salesforce_batch);
      std::unordered_map<std::string, Record> by_id;
      for (auto& r : l.found) by_id[r.id] = std::move(r);
      for (Work& w : works) {
        if (w.object != obj || !w.link) continue;
        auto it = by_id.find(w.link->salesforce_id);
        if (it == by_id.end()) {
          Count("skipped.missing");  // deleted in Salesforce: the deletion pass handles it
          w.object = nullptr;
          continue;
        }
        w.salesforce = it->second;
      }
    }
    if (p.IsCompanies() && !unlinked.empty()) MatchCompanies(works, unlinked);
    // R49: a new HubSpot record pairs with an existing lead or contact with its email.
    if (by_email) {
      std::unordered_map<std::string, std::pair<const ObjectProgram*, Record>> candidates;
      for (const ObjectProgram& obj : p.objects) {
        Lookup& l = lookups[next_lookup++];
        if (!l.error.ok())
          Fail(l.error, "looking up Salesforce " + obj.object + " by " + p.match_salesforce);
        sf_min_ += Batches(static_cast<int64_t>(keys.size()), 100);
        for (Record& r : l.found) {
          if (obj.object == "Lead" && IsTrue(FieldValue(r, "IsConverted"))) continue;  // R62
          if (store.FindLink(Side::kSalesforce, obj.object, r.id)) continue;  // paired already
          const std::string key = KeyOf(r, false);
          auto it = candidates.find(key);
          // Several matches (R49: "the first one returned, usually the oldest"): a contact
          // before a lead (a lead may have been converted into it), then the oldest, by id
          // (Salesforce ids grow with creation). Never by modification time: Syncline's own
          // writes move it, and a re-match after a crash must choose the same record.
          auto rank = [](const ObjectProgram* o, const Record& rec) {
            return std::make_pair(o->object == "Contact" ? 0 : 1, rec.id);
          };
          if (it == candidates.end() || rank(&obj, r) < rank(it->second.first, it->second.second))
            candidates[key] = {&obj, std::move(r)};
        }
      }
      for (size_t i : unlinked) {
        Work& w = works[i];
        auto it = candidates.find(KeyOf(*w.hubspot, true));
        if (it == candidates.end()) {
          if (p.in_salesforce != CreateMode::kCreateOrUpdate) {
            w.object = nullptr;  // `update only`: no new Salesforce records (R29)
          }
          continue;
        }
        w.object = it->second.first;
        w.salesforce = it->second.second;
        candidates.erase(it);
      }
    }
    std::vector<Work> live;
    for (Work& w : works)
      if (w.object) live.push_back(std::move(w));
    Settle(live);
    Discard(std::move(works), std::move(live));
  }

  // ---- Salesforce changes
  // A Salesforce page between its look-ups and its sync. ReadSalesforce prepares each page as
  // it is handed out (picks its records and sends its look-ups) and then syncs the page before
  // it, as ReadHubSpot does. Two things that page writes can change the answers of, which
  // FinishSalesforcePage checks against the logs below and mends:
  // - a HubSpot record it creates, or whose email it changes, is missing from (or stale in)
  //   an email look-up sent before: the keys it wrote are looked up again (R50);
  // - a pairing of its own may take over the HubSpot record linked to one of this page's
  //   records (R50, R62: `replaces`): that record is settled as a new one, as it would be
  //   had its link been read after.
  // A page's counterparts by id are other records: a link pairs one record with one, and every
  // record the page before writes is its own or linked to one of its own.
  struct SalesforcePageWork {
    const ObjectProgram* obj = nullptr;
    std::vector<Record> page;       // as handed out; a record in `works` is moved from
    std::vector<size_t> unchanged;  // indices in `page` of linked records skipped as unchanged
    std::vector<Work> works;
    std::vector<std::string> fetch;
    std::map<std::string, size_t> unlinked_by_key;  // newest record per key (R50)
    std::vector<std::string> keys;
    bool by_email = false;
    size_t keys_mark = 0, relinks_mark = 0;  // hs_keys_written_, relinked_away_ when sent
    std::string watermark;
    std::vector<Lookup> lookups;
    LookupsOut out;  // last: its tasks, which use the members above, end first
  };
  // The match keys of the HubSpot records written (created, or updated with a new key, with
  // the key they had), and the Salesforce records whose link a pairing took over, in order.
  std::vector<std::string> hs_keys_written_;
  std::vector<std::string> relinked_away_;

  void SalesforcePage(const ObjectProgram& obj, std::vector<Record>& page, bool forced) {
    auto pw = PrepareSalesforcePage(obj, page, forced);
    FinishSalesforcePage(*pw);
  }

  // A new Salesforce record of the page: one per key, the most recently updated (R50).
  void AddUnlinked(SalesforcePageWork& pw, Record&& s) {
    const std::string key = KeyOf(s, false);
    if (!p.match_salesforce.empty() && key.empty()) {
      Count("skipped.no_key");  // R33: no email, never created in HubSpot
      return;
    }
    if (InHubSpot() == CreateMode::kNothing) return;  // R28
    auto it = pw.unlinked_by_key.find(key);
    if (it != pw.unlinked_by_key.end()) {
      Count("skipped.duplicate_key");
      Work& kept = pw.works[it->second];
      if (kept.salesforce->last_modified_ms >= s.last_modified_ms) return;
      kept.salesforce = std::move(s);  // the most recently updated wins (R50)
      return;
    }
    Work w;
    w.salesforce = std::move(s);
    w.object = pw.obj;
    if (!key.empty()) pw.unlinked_by_key[key] = pw.works.size();
    pw.works.push_back(std::move(w));
  }
  // The value to look a new record's key up by (its field as written, else the key).
  std::string LookupKey(const Work& w, const std::string& key) {
    const json& v = FieldValue(*w.salesforce, p.match_salesforce);
    return v.is_string() ? v.get<std::string>() : key;
  }

  // Picks the page's records to sync and sends its look-ups.
  std::unique_ptr<SalesforcePageWork> PrepareSalesforcePage(const ObjectProgram& obj,
                                                            std::vector<Record>& page,
                                                            bool forced) {
    auto pw = std::make_unique<SalesforcePageWork>();
    pw->obj = &obj;
    pw->page = std::move(page);
    pw->keys_mark = hs_keys_written_.size();
    pw->relinks_mark = relinked_away_.size();
    std::vector<Work>& works = pw->works;
    const auto links = PageLinks(Side::kSalesforce, obj.object, pw->page);
    for (size_t i = 0; i < pw->page.size(); ++i) {
      Record& s = pw->page[i];
      Count("read.salesforce");
      auto seen = settled_sf.find(s.id);
      if (!forced && seen != settled_sf.end() && s.last_modified_ms <= seen->second) continue;
      if (obj.object == "Lead" && IsTrue(FieldValue(s, "IsConverted"))) {
        Count("skipped.converted");  // R62: the converted contact syncs from now on
        continue;
      }
      if (auto found = links.find(s.id); found != links.end()) {
        const state::Link& link = found->second;
        state::BaseValues base = store.GetBase(link.id, Side::kSalesforce);
        if (!forced && !HasMappedChange(p, &obj, s, false, base)) {
          Count("unchanged");
          pw->unchanged.push_back(i);
          continue;
        }
        Work w;
        w.salesforce = std::move(s);
        w.object = &obj;
        w.link = link;
        w.stored_salesforce = std::move(base);  // Settle uses it instead of reading it again
        pw->fetch.push_back(link.hubspot_id);
        works.push_back(std::move(w));
        continue;
      }
      AddUnlinked(*pw, std::move(s));
    }
    // The page's look-ups: counterparts of linked records, and the HubSpot records with the
    // emails of new ones (neither depends on the other's answer).
    pw->by_email = !pw->unlinked_by_key.empty() && !p.match_hubspot.empty();
    if (pw->by_email)
      for (auto& [key, i] : pw->unlinked_by_key) pw->keys.push_back(LookupKey(works[i], key));
    std::vector<Lookup>& lookups = pw->lookups;
    if (!pw->fetch.empty())
      lookups.emplace_back([this, &fetch = pw->fetch](std::vector<Record>* out) {
        return hs.ReadByIds(p.hubspot_object, fetch, p.hubspot_read_fields, out);
      });
    if (pw->by_email)
      lookups.emplace_back([this, &keys = pw->keys](std::vector<Record>* out) {
        return hs.FindByField(p.hubspot_object, p.match_hubspot, keys, p.hubspot_read_fields, out);
      });
    StartLookups(lookups, pw->out);
    return pw;
  }

  // Takes the page's look-up answers, mends what the pages synced since made stale (see
  // SalesforcePageWork), decides and writes (Settle).
  void FinishSalesforcePage(SalesforcePageWork& pw) {
    AwaitLookups(pw.out);
    const ObjectProgram& obj = *pw.obj;
    std::vector<Work>& works = pw.works;
    auto& unlinked_by_key = pw.unlinked_by_key;
    // Keys whose look-up answer may be stale, and the records that lost their link since.
    std::set<std::string> stale_keys;
    const std::set<std::string> written(hs_keys_written_.begin() + pw.keys_mark,
                                        hs_keys_written_.end());
    const std::unordered_set<std::string> lost(relinked_away_.begin() + pw.relinks_mark,
                                               relinked_away_.end());
    if (!lost.empty()) {
      std::set<std::string> had;
      for (const auto& [key, i] : unlinked_by_key) had.insert(key);
      std::vector<Record> unlinked_now;  // AddUnlinked appends to `works`: collected first
      for (Work& w : works)
        if (w.link && w.object && lost.count(w.salesforce->id)) {
          w.object = nullptr;  // settled instead as the new record it now is
          unlinked_now.push_back(std::move(*w.salesforce));
        }
      for (Record& s : unlinked_now) AddUnlinked(pw, std::move(s));
      for (size_t i : pw.unchanged)
        if (lost.count(pw.page[i].id)) {
          --report.counts["unchanged"];
          AddUnlinked(pw, std::move(pw.page[i]));
        }
      for (const auto& [key, i] : unlinked_by_key)
        if (!had.count(key)) stale_keys.insert(key);
    }
    for (const auto& [key, i] : unlinked_by_key)
      if (written.count(key)) stale_keys.insert(key);
    if (!pw.fetch.empty()) {
      Lookup& l = pw.lookups.front();
      if (!l.error.ok()) Fail(l.error, "reading HubSpot " + p.hubspot_object);
      hs_min_items += Batches(static_cast<int64_t>(pw.fetch.size()), o.hubspot_batch);
      std::unordered_map<std::string, Record> by_id;
      for (auto& r : l.found) by_id[r.id] = std::move(r);
      for (Work& w : works) {
        if (!w.link || !w.object) continue;
        auto it = by_id.find(w.link->hubspot_id);
        if (it == by_id.end()) {
          Count("skipped.missing");
          w.object = nullptr;
          continue;
        }
        w.hubspot = it->second;
      }
    }
    const bool by_email = !unlinked_by_key.empty() && !p.match_hubspot.empty();
    if (by_email) {
      std::unordered_map<std::string, Record> by_key;
      if (pw.by_email) {
        Lookup& l = pw.lookups.back();
        if (!l.error.ok())
          Fail(l.error, "looking up HubSpot " + p.hubspot_object + " by " + p.match_hubspot);
        hs_min_items += Batches(static_cast<int64_t>(pw.keys.size()), o.hubspot_batch);
        for (auto& r : l.found) by_key[KeyOf(r, true)] = std::move(r);
      }
      if (!stale_keys.empty()) {
        // Asked again now that the page before is written: what it created or re-keyed.
        std::vector<std::string> relook;
        for (const std::string& key : stale_keys) {
          by_key.erase(key);
          relook.push_back(LookupKey(works[unlinked_by_key.at(key)], key));
        }
        std::vector<Record> found;
        connectors::Error e = hs.FindByField(p.hubspot_object, p.match_hubspot, relook,
                                             p.hubspot_read_fields, &found);
        if (!e.ok()) Fail(e, "looking up HubSpot " + p.hubspot_object + " by " + p.match_hubspot);
        hs_min_items += Batches(static_cast<int64_t>(relook.size()), o.hubspot_batch);
        for (auto& r : found)
          if (const std::string key = KeyOf(r, true); stale_keys.count(key))
            by_key[key] = std::move(r);
      }
      // The HubSpot records found, and the links they have: R50 compares each new record with
      // the Salesforce record such a HubSpot record is paired with, read as it is now, all of
      // a page's in one read per object (one call per record before: 209 of a 2,000-contact
      // demo's 337 Salesforce calls).
      struct Found {
        size_t work;
        Record* hubspot;
        std::optional<state::Link> other;
      };
      std::vector<Found> found;
      std::map<std::string, std::vector<std::string>> paired_ids;  // Salesforce object -> ids
      for (auto& [key, i] : unlinked_by_key) {
        Work& w = works[i];
        settled_from_salesforce_.insert(w.salesforce->id);
        auto it = by_key.find(key);
        if (it == by_key.end()) {
          if (InHubSpot() != CreateMode::kCreateOrUpdate) w.object = nullptr;
          continue;  // a new HubSpot record (R41: whatever the segment says)
        }
        Found f{i, &it->second, store.FindLink(Side::kHubSpot, p.hubspot_object, it->second.id)};
        if (f.other) paired_ids[f.other->salesforce_object].push_back(f.other->salesforce_id);
        found.push_back(std::move(f));
      }
      std::unordered_map<std::string, Record> paired;  // Salesforce id -> record now
      for (const auto& [object, ids] : paired_ids) {
        std::vector<Record> current;
        const bool lead = object == "Lead";
        connectors::Error e2 = sf.ReadByIds(
            object, ids,
            lead ? std::vector<std::string>{"Id", "IsConverted"} : std::vector<std::string>{"Id"},
            &current);
        if (!e2.ok()) Fail(e2, "reading Salesforce " + object);
        sf_min_ += Batches(static_cast<int64_t>(ids.size()), o.salesforce_batch);
        for (Record& r : current) paired[r.id] = std::move(r);
      }
      for (Found& f : found) {
        Work& w = works[f.work];
        if (const auto& other = f.other) {
          // R50, R62: the HubSpot record syncs with the most recently updated Salesforce
          // record carrying its email (after a lead conversion: the new contact).
          auto now = paired.find(other->salesforce_id);
          const Record* current = now == paired.end() ? nullptr : &now->second;
          const bool lead = other->salesforce_object == "Lead";
          // R62: a converted lead hands over to its contact. A lead that is not converted and
          // a contact sharing its email are two records of one email: R50 decides.
          const bool converted_or_gone = !current || (lead && obj.object == "Contact" &&
                                                      IsTrue(FieldValue(*current, "IsConverted")));
          if (!converted_or_gone && current->last_modified_ms > w.salesforce->last_modified_ms) {
            Count("skipped.duplicate_key");
            w.object = nullptr;
            continue;
          }
          // R128: an import adds net-new records; a HubSpot record paired with another
          // Salesforce record of its email stays paired (unless that record is gone).
          if (Importing() && current) {
            Count("skipped.already_paired");
            w.object = nullptr;
            continue;
          }
          Count("relinked");
          w.replaces = other;
        }
        w.hubspot = std::move(*f.hubspot);
      }
    }
    if (p.IsCompanies()) MatchAccounts(works);
    std::vector<Work> live;
    for (Work& w : works)
      if (w.object) live.push_back(std::move(w));
    Settle(live);
    Discard(std::move(works), std::move(live), std::move(pw.page));
  }

  // ---- companies <-> accounts (R56, R58, R67-R70)
  void MatchCompanies(std::vector<Work>& works, const std::vector<size_t>& unlinked) {
    const ObjectProgram* account = CreateTarget();
    std::vector<const Record*> recs;
    std::vector<size_t> idx;
    for (size_t i : unlinked) {
      if (!works[i].object) continue;
      recs.push_back(&*works[i].hubspot);
      idx.push_back(i);
    }
    RunContext c = Context();
    const std::vector<CompanyMatch> m = MatchNewCompanies(c, *account, recs);
    for (size_t k = 0; k < idx.size(); ++k) {
      Work& w = works[idx[k]];
      const bool forced = !m[k].may_create && o.force_create;  // R71
      const bool may_create = m[k].may_create || forced;
      if (m[k].account) {
        w.salesforce = *m[k].account;
        Count("matched.contacts");
      } else if (!may_create || p.in_salesforce != CreateMode::kCreateOrUpdate) {
        if (!may_create) Count("skipped.company." + m[k].reason);  // R70
        w.object = nullptr;
      } else if (forced) {
        Count("forced.company");
      }
    }
  }
  void MatchAccounts(std::vector<Work>& works) {
    std::vector<const Record*> recs;
    std::vector<size_t> idx;
    for (size_t i = 0; i < works.size(); ++i) {
      if (!works[i].object || works[i].link || works[i].hubspot) continue;
      recs.push_back(&*works[i].salesforce);
      idx.push_back(i);
    }
    if (recs.empty()) return;
    RunContext c = Context();
    auto m = MatchNewAccounts(c, recs);
    for (size_t k = 0; k < idx.size(); ++k) {
      Work& w = works[idx[k]];
      settled_from_salesforce_.insert(w.salesforce->id);
      if (m[k]) {
        w.hubspot = std::move(*m[k]);
        Count("matched.contacts");
      } else if (InHubSpot() != CreateMode::kCreateOrUpdate) {
        w.object = nullptr;
      }
    }
  }

  // ---- feeds
  void ReadHubSpot() {
    pending_page_.reset();  // one a failed pass left: nothing of it is synced
    const auto wm = store.GetWatermark(Side::kHubSpot, p.hubspot_object).value_or("");
    int64_t pages = 0;
    connectors::Error e = hs.ReadChanges(
        p.hubspot_object, wm, p.hubspot_read_fields, [&](connectors::ChangePage& page) {
          ++pages;
          // R73's stage changes are read before Prepare moves the records into the page's work.
          std::unique_ptr<CompaniesFollowing> following;
          if (p.lifecycle_to_companies) {
            auto stages = ChangedStages(page.records);
            if (!stages.empty())
              following = std::make_unique<CompaniesFollowing>(StartCompaniesFollow(
                  std::make_shared<const std::unordered_map<std::string, std::string>>(
                      std::move(stages))));
          }
          std::unique_ptr<HubSpotPageWork> next = PrepareHubSpotPage(page.records, false);
          next->following = std::move(following);
          next->watermark = page.watermark;
          FinishPage();  // the page before, while this one's look-ups are out
          pending_page_ = std::move(next);
          return true;
        });
    hs_min_items += std::max<int64_t>(1, pages);
    // A failed read leaves the last page unsynced, and its watermark unstored: the next run
    // reads it again.
    if (!e.ok()) Fail(e, "reading HubSpot " + p.hubspot_object + " changes");
    FinishPage();
  }

  // Syncs the HubSpot page handed out last (ReadHubSpot), takes its companies' moves (R73,
  // started when it was handed out), then stores its watermark.
  void FinishPage() {
    if (!pending_page_) return;
    std::unique_ptr<HubSpotPageWork> pw = std::move(pending_page_);
    if (pw->following) pw->following->plan_at = report.plan.size();
    FinishHubSpotPage(*pw);
    if (pw->following) FinishCompaniesFollow(*pw->following);
    if (!o.dry_run)
      store.SetWatermark(Side::kHubSpot, p.hubspot_object, "changes", pw->watermark, Now());
    Progress("HubSpot " + p.hubspot_object + " read", report.counts["read.hubspot"]);
  }
  std::unique_ptr<HubSpotPageWork> pending_page_;

  void ReadSalesforce(const ObjectProgram& obj) {
    pending_sf_page_.reset();  // one a failed pass left: nothing of it is synced
    hs_keys_written_.clear();  // only what is written while a page is prepared matters
    relinked_away_.clear();
    const auto wm = store.GetWatermark(Side::kSalesforce, obj.object).value_or("");
    int64_t pages = 0;
    connectors::Error e =
        sf.ReadChanges(obj.object, wm, obj.read_fields, [&](connectors::ChangePage& page) {
          ++pages;
          std::unique_ptr<SalesforcePageWork> next =
              PrepareSalesforcePage(obj, page.records, false);
          next->watermark = page.watermark;
          FinishSalesforcePage();  // the page before, while this one's look-ups are out
          pending_sf_page_ = std::move(next);
          return true;
        });
    sf_min_ += std::max<int64_t>(1, pages);
    // As in ReadHubSpot: a failed read leaves the last page unsynced and its watermark
    // unstored, so the next run reads it again.
    if (!e.ok()) Fail(e, "reading Salesforce " + obj.object + " changes");
    FinishSalesforcePage();
  }
  // Syncs the Salesforce page handed out last (ReadSalesforce), then stores its watermark.
  void FinishSalesforcePage() {
    if (!pending_sf_page_) return;
    std::unique_ptr<SalesforcePageWork> pw = std::move(pending_sf_page_);
    FinishSalesforcePage(*pw);
    if (!o.dry_run)
      store.SetWatermark(Side::kSalesforce, pw->obj->object, "changes", pw->watermark, Now());
    Progress("Salesforce " + pw->obj->object + " read", report.counts["read.salesforce"]);
  }
  std::unique_ptr<SalesforcePageWork> pending_sf_page_;

  // ---- import (R125-R129): one Salesforce object from the beginning, or the given ids
  void Import() {
    const ObjectProgram* obj = p.Object(o.import_object);
    if (!obj)
      throw StopRun{"failed", "sync " + p.name + " does not pair salesforce." + o.import_object};
    auto page = [&](std::vector<Record>& records) {
      // Forced: every record is settled as new or changed, whatever its watermark and base
      // (R129: an import pulls the values of a mapping added since the last sync).
      SalesforcePage(*obj, records, true);
      Progress("Salesforce " + obj->object + " import", report.counts["read.salesforce"]);
    };
    if (o.import_ids) {
      const std::vector<std::string>& ids = *o.import_ids;
      const size_t chunk = static_cast<size_t>(std::max(1, o.salesforce_batch));
      for (size_t start = 0; start < ids.size(); start += chunk) {
        std::vector<std::string> part(ids.begin() + start,
                                      ids.begin() + std::min(ids.size(), start + chunk));
        std::vector<Record> found;
        connectors::Error e = sf.ReadByIds(obj->object, part, obj->read_fields, &found);
        if (!e.ok()) Fail(e, "reading Salesforce " + obj->object + " to import");
        ++sf_min_;
        Count("import.not_found", static_cast<int64_t>(part.size() - found.size()));
        page(found);
      }
      return;
    }
    // A capped import (R72) stops after `import_limit` records and keeps where it stopped, so
    // the next import of the object continues from there; a complete one clears it.
    const int64_t limit = o.import_limit;
    const std::string since =
        store.GetWatermark(Side::kSalesforce, obj->object, "import").value_or("");
    if (!since.empty()) Count("import.resumed");
    connectors::WindowCursor cursor = connectors::WindowCursor::Parse(since);
    int64_t pages = 0, taken = 0;
    bool capped = false;
    connectors::Error e =
        sf.ReadChanges(obj->object, since, obj->read_fields, [&](connectors::ChangePage& cp) {
          ++pages;
          if (limit > 0 && taken + static_cast<int64_t>(cp.records.size()) > limit) {
            cp.records.resize(static_cast<size_t>(limit - taken));
            capped = true;
          }
          // The feed's own cursor, replayed over the records taken: exact within a page.
          for (const Record& r : cp.records) cursor.Take(r.id, r.last_modified_ms);
          taken += static_cast<int64_t>(cp.records.size());
          page(cp.records);
          if (!o.dry_run && limit > 0)
            store.SetWatermark(Side::kSalesforce, obj->object, "import", cursor.Encode(), Now());
          if (limit > 0 && taken >= limit) capped = true;
          return !capped;
        });
    sf_min_ += std::max<int64_t>(1, pages);
    if (!e.ok()) Fail(e, "reading Salesforce " + obj->object + " to import");
    if (capped) {
      Count("import.capped");
      report.message =
          "We couldn't sync all your updates for this mapping: the import stopped "
          "after " +
          std::to_string(taken) + " " + obj->object + " records (the cap of " +
          std::to_string(limit) +
          (obj->object == "Account" ? " per bulk company resync, R72" : "") +
          "); import again to continue where it stopped";
    } else if (!o.dry_run && (limit > 0 || !since.empty())) {  // complete: start over next time
      store.SetWatermark(Side::kSalesforce, obj->object, "import", "", Now());
    }
  }

  // ---- these HubSpot records now, as changed ones (workflows, R137; `push`; segments, R38-R39)
  void SyncHubSpotIds(const std::vector<std::string>& ids, const std::string& what) {
    const size_t chunk = static_cast<size_t>(std::max(1, o.hubspot_batch));
    for (size_t start = 0; start < ids.size(); start += chunk) {
      std::vector<std::string> part(ids.begin() + start,
                                    ids.begin() + std::min(ids.size(), start + chunk));
      std::vector<Record> found;
      connectors::Error e = hs.ReadByIds(p.hubspot_object, part, p.hubspot_read_fields, &found);
      if (!e.ok()) Fail(e, what);
      ++hs_min_items;
      HubSpotPage(found, true);
    }
  }

  // ---- deletions (R151-R153, R46)
  void Deletions() {
    for (const ObjectProgram& obj : p.objects) {
      const auto wm = store.GetWatermark(Side::kSalesforce, obj.object, "deletions").value_or("");
      std::vector<connectors::Deletion> gone;
      connectors::Watermark next;
      connectors::Error e = sf.ReadDeletions(obj.object, wm, &gone, &next);
      if (!e.ok()) Fail(e, "reading Salesforce " + obj.object + " deletions");
      ++sf_min_;
      std::vector<std::pair<state::Link, Record>> to_delete;
      std::vector<state::Link> to_unlink;
      std::vector<std::string> hs_ids;
      std::vector<state::Link> links;
      for (const auto& d : gone) {
        auto link = store.FindLink(Side::kSalesforce, obj.object, d.id);
        if (!link) continue;
        links.push_back(*link);
        hs_ids.push_back(link->hubspot_id);
      }
      std::unordered_map<std::string, Record> by_id;
      if (p.delete_from_salesforce && !hs_ids.empty()) {
        std::vector<Record> found;
        connectors::Error e2 =
            hs.ReadByIds(p.hubspot_object, hs_ids, p.hubspot_read_fields, &found);
        if (!e2.ok()) Fail(e2, "reading HubSpot " + p.hubspot_object);
        for (auto& r : found) by_id[r.id] = std::move(r);
      }
      std::vector<std::string> delete_ids;
      for (const state::Link& link : links) {
        auto it = by_id.find(link.hubspot_id);
        bool remove = p.delete_from_salesforce && it != by_id.end();
        if (remove && p.has_include) {
          // R46: a contact outside the segment never hears of the delete.
          std::vector<const Record*> one{&it->second};
          std::vector<std::string> segs{SegmentsOf(it->second.id)};
          remove =
              Evaluate(obj.to_salesforce, one, &segs, StagesFor(obj.to_salesforce))[0].status !=
              Evaluation::kDropped;
        }
        if (remove) {
          delete_ids.push_back(link.hubspot_id);
          if (o.record_plan)
            report.plan.push_back(PlanEntry{"hubspot",
                                            p.hubspot_object,
                                            "delete",
                                            link.hubspot_id,
                                            "salesforce " + obj.object + " " + link.salesforce_id,
                                            {},
                                            "deleted in Salesforce (R151)"});
        } else {
          Count("unlinked");
        }
      }
      Count("deleted.hubspot", static_cast<int64_t>(delete_ids.size()));
      if (o.dry_run) continue;
      if (!delete_ids.empty()) {
        auto results = hs.Delete(p.hubspot_object, delete_ids);
        hs_min_items += Batches(static_cast<int64_t>(delete_ids.size()), o.hubspot_batch);
        for (size_t k = 0; k < results.size(); ++k)
          if (!results[k].ok)
            RecordError(Side::kHubSpot, obj.object, delete_ids[k],
                        std::string(connectors::CategoryName(results[k].error.category)),
                        results[k].error.code, results[k].error.message);
      }
      state::Transaction tx(store);
      for (const state::Link& link : links) store.DeleteLink(link.id);
      store.SetWatermark(Side::kSalesforce, obj.object, "deletions", next, Now());
      tx.Commit();
    }
    // R152: a HubSpot delete never deletes in Salesforce; the link goes.
    const auto wm = store.GetWatermark(Side::kHubSpot, p.hubspot_object, "deletions").value_or("");
    std::vector<connectors::Deletion> gone;
    connectors::Watermark next;
    connectors::Error e = hs.ReadDeletions(p.hubspot_object, wm, &gone, &next);
    if (!e.ok()) Fail(e, "reading HubSpot " + p.hubspot_object + " deletions");
    ++hs_min_items;
    if (o.dry_run) return;
    state::Transaction tx(store);
    for (const auto& d : gone) {
      if (auto link = store.FindLink(Side::kHubSpot, p.hubspot_object, d.id)) {
        store.DeleteLink(link->id);
        Count("unlinked");
      }
    }
    store.SetWatermark(Side::kHubSpot, p.hubspot_object, "deletions", next, Now());
    tx.Commit();
  }

  // ---- retries of records with sync errors (R142, R150)
  void Retries() {
    if (o.dry_run) return;
    if (!sf.AllowErrorRetries()) {
      // R142: the day's Salesforce calls are past 75% of the cap: errors wait for tomorrow.
      Count("retries.paused", static_cast<int64_t>(store.DueErrors(Now()).size()));
      return;
    }
    std::map<std::pair<Side, std::string>, std::vector<std::string>> due;
    for (const state::SyncError& e : store.DueErrors(Now())) {
      const bool from_hubspot = e.side == Side::kSalesforce;
      if (from_hubspot ? e.object != p.hubspot_object : !p.Object(e.object)) continue;
      due[{e.side, e.object}].push_back(e.record_id);
    }
    for (auto& [key, ids] : due) {
      Count("retried", static_cast<int64_t>(ids.size()));
      std::vector<Record> found;
      // Ids read back, taken before the pages move the records out of `found`.
      std::set<std::string> present;
      if (key.first == Side::kSalesforce) {  // the source is HubSpot
        connectors::Error e = hs.ReadByIds(p.hubspot_object, ids, p.hubspot_read_fields, &found);
        if (!e.ok()) Fail(e, "reading HubSpot records to retry");
        for (const auto& r : found) present.insert(r.id);
        HubSpotPage(found, true);
      } else {
        const ObjectProgram* obj = p.Object(key.second);
        connectors::Error e = sf.ReadByIds(obj->object, ids, obj->read_fields, &found);
        if (!e.ok()) Fail(e, "reading Salesforce records to retry");
        for (const auto& r : found) present.insert(r.id);
        SalesforcePage(*obj, found, true);
      }
      // Records gone since: their errors are moot.
      for (const auto& id : ids)
        if (!present.count(id)) store.ResolveError(key.first, key.second, id, Now());
    }
  }

  // ---- lifecycle stages from opportunity contact roles (R96-R106)
  void Lifecycle();
  // The portal's stage order, read once per run.
  PortalStagesCache stages_;
  const stdlib::lifecycle::LifecycleStages& Stages() { return stages_.Get(hs, sf, &hs_min_items); }
  const stdlib::lifecycle::LifecycleStages* StagesFor(const Transform& t) {
    return stages_.For(t, hs, sf, &hs_min_items);
  }
  // Moves these HubSpot records' lifecycle stages forward to the wanted ones (R99); returns the
  // ids that moved.
  std::vector<std::string> AdvanceStages(std::unordered_map<std::string, std::string>& want,
                                         const std::string& why,
                                         const std::string& object = "contacts") {
    return TakeStageMoves(MoveStages(Stages(), want, why, object));
  }
  // What moving stages forward read, decided and wrote. MoveStages and FollowCompanies only
  // call HubSpot, so they may run on another thread; the engine's thread then counts and records
  // the outcome (TakeStageMoves), as AdvanceStages does at once.
  struct StageMoves {
    std::string object;
    int64_t min_calls = 0;  // what a minimal sync would have called for the same work
    std::vector<PlanEntry> entries;
    std::vector<connectors::WriteItem> items;
    std::vector<connectors::WriteResult> results;  // one per item, when sent
    std::vector<std::string> moved;
  };
  StageMoves MoveStages(const stdlib::lifecycle::LifecycleStages& stages,
                        std::unordered_map<std::string, std::string>& want, const std::string& why,
                        const std::string& object);
  std::vector<std::string> TakeStageMoves(StageMoves moves);
  // Companies of contacts whose stage changed move to the latest of those stages (R73).
  void CompaniesFollow(const std::unordered_map<std::string, std::string>& contact_stage,
                       const std::string& why) {
    if (!contact_stage.empty()) TakeStageMoves(FollowCompanies(Stages(), contact_stage, why));
  }
  StageMoves FollowCompanies(const stdlib::lifecycle::LifecycleStages& stages,
                             const std::unordered_map<std::string, std::string>& contact_stage,
                             const std::string& why);
  // The companies of the contacts (R73's first step), sorted by contact.
  struct ContactCompanies {
    connectors::Error error;
    std::vector<connectors::Association> to_company;
  };
  ContactCompanies ReadContactCompanies(
      const std::unordered_map<std::string, std::string>& contact_stage);
  // Moves each company to the latest stage of its contacts (forward only, R99).
  StageMoves MoveCompanies(const stdlib::lifecycle::LifecycleStages& stages,
                           const std::unordered_map<std::string, std::string>& contact_stage,
                           const ContactCompanies& companies, const std::string& why);
  // R73 for every stage change the HubSpot feed shows (edits in HubSpot, values synced from
  // Salesforce, workflows), not only the lifecycle pass's own moves. A page's companies move
  // beside the engine's thread while it syncs the page's contacts: the two touch different
  // records. The page's association read starts when the page is handed out, on
  // `follow_reads_`; the companies' read and update go on `follow_`, one page after the other,
  // so that two pages never move one company out of order (a later stage overwritten by an
  // earlier one, R99). The chain of moves then waits two round trips per page, not three.
  struct CompaniesFollowing {
    std::shared_ptr<const std::unordered_map<std::string, std::string>> changed;
    size_t plan_at = 0;  // where the moves go in the plan: before the page's own writes
    connectors::WorkerFuture<StageMoves> moves;
  };
  std::unordered_map<std::string, std::string> ChangedStages(const std::vector<Record>& page);
  CompaniesFollowing StartCompaniesFollow(
      std::shared_ptr<const std::unordered_map<std::string, std::string>> changed);
  void FinishCompaniesFollow(CompaniesFollowing& following);
  connectors::WorkerThread follow_reads_, follow_;
  std::string LifecycleRulesText() const {
    std::string text = "opportunity contact role: ";
    if (!p.lifecycle_open_stage.empty()) text += "open -> " + p.lifecycle_open_stage + ", ";
    if (!p.lifecycle_won_stage.empty()) text += "won -> " + p.lifecycle_won_stage + ", ";
    for (const auto& [name, stage] : p.lifecycle_by_stage_name)
      text += "\"" + name + "\" -> " + stage + ", ";
    text.resize(text.size() - 2);
    return text;
  }

  // ---- journal recovery
  void Recover() {
    if (o.dry_run) return;
    auto resolve = [&](const state::Intent& intent) {
      // A record already linked was not made by this write (creates found by content).
      auto taken = [&](const std::string& id) {
        return store.FindLink(intent.side, intent.object, id).has_value();
      };
      return state::ResolveWithConnector(intent.side == Side::kHubSpot ? hs : sf, intent, taken);
    };
    auto applied = [&](const state::Intent& intent, const std::string& result_id) {
      // An update of a pair: the base it settles, as the run would have stored it.
      if (intent.op == "update" && intent.link_id != 0 && !intent.bases.empty()) {
        const json b = json::parse(intent.bases, nullptr, false);
        if (!b.is_object() || !store.GetLink(intent.link_id)) return;
        for (const auto& [name, side] :
             {std::pair{"hubspot", Side::kHubSpot}, std::pair{"salesforce", Side::kSalesforce}}) {
          state::BaseValues values;
          const json part = b.value(name, json::object());
          for (auto it = part.begin(); it != part.end(); ++it)
            if (it.value().is_string()) values[it.key()] = it.value().get<std::string>();
          store.SetBase(intent.link_id, side, values, Now());
        }
        Count("recovered.updates");
        return;
      }
      // create|side|object|from:SOURCE_OBJECT:SOURCE_ID|hash: link what the create made.
      if (intent.op != "create" || result_id.empty()) return;
      const auto from = intent.key.find("|from:");
      if (from == std::string::npos) return;
      const auto colon = intent.key.find(':', from + 6);
      const auto bar = intent.key.find('|', colon);
      if (colon == std::string::npos || bar == std::string::npos) return;
      const std::string src_object = intent.key.substr(from + 6, colon - from - 6);
      const std::string src_id = intent.key.substr(colon + 1, bar - colon - 1);
      const bool from_hubspot = intent.side == Side::kSalesforce;
      const std::string& sf_object = from_hubspot ? intent.object : src_object;
      const std::string& hs_object = from_hubspot ? src_object : intent.object;
      if (hs_object != p.hubspot_object || !p.Object(sf_object)) return;
      const std::string& hubspot_id = from_hubspot ? src_id : result_id;
      if (store.FindLink(Side::kHubSpot, p.hubspot_object, hubspot_id)) return;
      const state::Link link = PutNewLink(hubspot_id, sf_object, from_hubspot ? result_id : src_id);
      // The base an uninterrupted run would have stored (BaseAfterCreate): the source's
      // values as read now, the created side's as the journaled create wrote them.
      const ObjectProgram* obj = p.Object(link.salesforce_object);
      std::vector<Record> src;
      connectors::Error e =
          from_hubspot ? hs.ReadByIds(p.hubspot_object, {src_id}, p.hubspot_read_fields, &src)
                       : sf.ReadByIds(obj->object, {src_id}, obj->read_fields, &src);
      if (e.ok() && !src.empty()) {
        state::BaseValues bh, bs;
        const json written = json::parse(intent.payload, nullptr, /*allow_exceptions=*/false);
        BaseAfterCreate(*obj, src.front(), from_hubspot, written, p.match_hubspot, &bh, &bs);
        store.SetBase(link.id, Side::kHubSpot, bh, Now());
        store.SetBase(link.id, Side::kSalesforce, bs, Now());
      }
      Count("recovered");
    };
    const state::RecoveryReport r = state::RecoverJournal(store, resolve, applied, Now());
    Count("recovered.not_applied", r.not_applied);
    if (r.unknown > 0)
      throw StopRun{"failed", std::to_string(r.unknown) +
                                  " interrupted writes could not be checked (is the CRM "
                                  "reachable?); nothing was written"};
  }
};

SyncRunner::Impl::StageMoves SyncRunner::Impl::MoveStages(
    const stdlib::lifecycle::LifecycleStages& stages,
    std::unordered_map<std::string, std::string>& want, const std::string& why,
    const std::string& object) {
  StageMoves m;
  m.object = object;
  std::vector<std::string> ids;
  for (const auto& [id, s] : want) ids.push_back(id);
  if (ids.empty()) return m;
  std::sort(ids.begin(), ids.end());  // a stable order of writes and plan entries
  std::vector<Record> found;
  connectors::Error e2 = hs.ReadByIds(object, ids, {"lifecyclestage"}, &found);
  if (!e2.ok()) Fail(e2, "reading lifecycle stages");
  m.min_calls += Batches(static_cast<int64_t>(ids.size()), o.hubspot_batch);
  for (const Record& r : found) {
    const json& cur = FieldValue(r, "lifecyclestage");
    const std::string current = cur.is_string() ? cur.get<std::string>() : "";
    auto next = stages.advance_only_forward(current, want[r.id]);  // R99
    if (!next.ok() || std::string(next.value) == current) continue;
    connectors::WriteItem item;
    item.id = r.id;
    item.fields["lifecyclestage"] = std::string(next.value);
    m.entries.push_back(PlanEntry{"hubspot",
                                  object,
                                  "update",
                                  r.id,
                                  "",
                                  {{"lifecyclestage", cur, item.fields["lifecyclestage"], why}},
                                  why});
    m.items.push_back(std::move(item));
    m.moved.push_back(r.id);
  }
  if (o.dry_run || m.items.empty()) return m;
  m.min_calls += Batches(static_cast<int64_t>(m.items.size()), o.hubspot_batch);
  m.results = hs.Write(object, connectors::WriteKind::kUpdate, m.items);
  return m;
}

std::vector<std::string> SyncRunner::Impl::TakeStageMoves(StageMoves m) {
  hs_min_items += m.min_calls;
  Count(m.object == "contacts" ? "lifecycle.updated" : "lifecycle.updated." + m.object,
        static_cast<int64_t>(m.items.size()));
  if (o.record_plan) report.plan.insert(report.plan.end(), m.entries.begin(), m.entries.end());
  for (size_t k = 0; k < m.results.size(); ++k)
    if (!m.results[k].ok)
      RecordError(Side::kHubSpot, m.object == "contacts" ? "Contact" : "Account", m.items[k].id,
                  std::string(connectors::CategoryName(m.results[k].error.category)),
                  m.results[k].error.code, m.results[k].error.message);
  return std::move(m.moved);
}

SyncRunner::Impl::StageMoves SyncRunner::Impl::FollowCompanies(
    const stdlib::lifecycle::LifecycleStages& stages,
    const std::unordered_map<std::string, std::string>& contact_stage, const std::string& why) {
  return MoveCompanies(stages, contact_stage, ReadContactCompanies(contact_stage), why);
}

SyncRunner::Impl::ContactCompanies SyncRunner::Impl::ReadContactCompanies(
    const std::unordered_map<std::string, std::string>& contact_stage) {
  std::vector<std::string> contacts;
  for (const auto& [id, st] : contact_stage) contacts.push_back(id);
  std::sort(contacts.begin(), contacts.end());
  ContactCompanies c;
  c.error = hs.ReadAssociations("contacts", "companies", contacts, &c.to_company);
  return c;
}

SyncRunner::Impl::StageMoves SyncRunner::Impl::MoveCompanies(
    const stdlib::lifecycle::LifecycleStages& stages,
    const std::unordered_map<std::string, std::string>& contact_stage,
    const ContactCompanies& companies, const std::string& why) {
  if (!companies.error.ok()) Fail(companies.error, "reading contact companies");
  std::unordered_map<std::string, std::string> company_stage;
  for (const auto& a : companies.to_company) {
    auto it = contact_stage.find(a.from_id);
    if (it == contact_stage.end()) continue;
    auto& st = company_stage[a.to_id];
    auto later = stages.later_of(st, it->second);
    st = later.ok() ? std::string(later.value) : it->second;
  }
  StageMoves m = MoveStages(stages, company_stage, why, "companies");
  m.min_calls += Batches(static_cast<int64_t>(contact_stage.size()), kHubSpotAssociationBatch);
  return m;
}

namespace {
// Where the stage each contact had when last seen is kept (StartCompaniesFollow).
const std::string kStageMemory = "$lifecycle", kStageKey = "lifecyclestage";
}  // namespace

std::unordered_map<std::string, std::string> SyncRunner::Impl::ChangedStages(
    const std::vector<Record>& page) {
  // The stage each contact had when last seen is kept in the state store (as workflows keep
  // trigger values), so only real changes cost association reads, and the echo of a value
  // Syncline wrote does not move anything twice. A crash before the memory is stored repeats
  // the (forward-only, so harmless) company moves.
  std::unordered_map<std::string, std::string> changed;
  for (const Record& r : page) {
    if (r.deleted) continue;
    const std::string stage = Canonical(FieldValue(r, "lifecyclestage"), schema::ValueKind::kText);
    if (stage.empty()) continue;
    if (store.TriggerValue(kStageMemory, kStageKey, r.id).value_or("") == stage) continue;
    changed[r.id] = stage;
  }
  if (!changed.empty()) Count("lifecycle.contacts_changed", static_cast<int64_t>(changed.size()));
  return changed;
}

SyncRunner::Impl::CompaniesFollowing SyncRunner::Impl::StartCompaniesFollow(
    std::shared_ptr<const std::unordered_map<std::string, std::string>> changed) {
  CompaniesFollowing f;
  f.changed = changed;
  const stdlib::lifecycle::LifecycleStages& stages = Stages();  // read here: it caches
  // The association read needs no page before it; the moves wait for the page before's.
  auto companies = std::make_shared<connectors::WorkerFuture<ContactCompanies>>(
      follow_reads_.Post([this, changed] { return ReadContactCompanies(*changed); }));
  f.moves = follow_.Post([this, &stages, changed, companies] {
    return MoveCompanies(stages, *changed, companies->get(),
                         "a contact's lifecycle stage changed, with companies syncing (R73)");
  });
  return f;
}

void SyncRunner::Impl::FinishCompaniesFollow(CompaniesFollowing& f) {
  const size_t plan_end = report.plan.size();
  TakeStageMoves(f.moves.get());  // rethrows the task's StopRun
  // The moves' plan entries go where they went when the moves came before the page's writes.
  std::rotate(report.plan.begin() + static_cast<std::ptrdiff_t>(f.plan_at),
              report.plan.begin() + static_cast<std::ptrdiff_t>(plan_end), report.plan.end());
  if (o.dry_run) return;
  state::Transaction tx(store);
  for (const auto& [id, stage] : *f.changed)
    store.SetTriggerValue(kStageMemory, kStageKey, id, stage);
  tx.Commit();
}

void SyncRunner::Impl::Lifecycle() {
  if (!p.lifecycle || !p.IsContacts()) return;
  const stdlib::lifecycle::LifecycleStages& stages = Stages();
  std::unordered_map<std::string, std::string> proposed;  // Salesforce contact id -> stage
  auto propose = [&](const std::string& contact, const json& opp) {
    auto flag = [&opp](const char* field) {
      auto it = opp.find(field);
      return it != opp.end() && IsTrue(*it);
    };
    const bool closed = flag("IsClosed");
    const bool won = flag("IsWon");
    // R106: a stage chosen by name comes first; otherwise the open/won groups.
    std::string stage = won ? p.lifecycle_won_stage : closed ? "" : p.lifecycle_open_stage;
    if (!p.lifecycle_by_stage_name.empty()) {
      auto name = opp.find("StageName");
      if (name != opp.end() && name->is_string()) {
        auto chosen = p.lifecycle_by_stage_name.find(name->get<std::string>());
        if (chosen != p.lifecycle_by_stage_name.end()) stage = chosen->second;
      }
    }
    if (stage.empty()) return;
    auto [it, fresh] = proposed.emplace(contact, stage);
    if (!fresh) {
      auto later = stages.later_of(it->second, stage);
      if (later.ok()) it->second = std::string(later.value);
    }
  };
  // Opportunities that changed (stage, won) and contact roles that were added (R101).
  std::unordered_map<std::string, json> opps;
  std::vector<std::pair<std::string, std::string>> roles;  // opportunity, contact
  const std::vector<std::string> opp_fields = {"Id", "IsClosed", "IsWon", "StageName"};
  auto wm_opp = store.GetWatermark(Side::kSalesforce, "Opportunity", "lifecycle").value_or("");
  auto wm_role =
      store.GetWatermark(Side::kSalesforce, "OpportunityContactRole", "lifecycle").value_or("");
  std::string next_opp = wm_opp, next_role = wm_role;
  connectors::Error e =
      sf.ReadChanges("Opportunity", wm_opp, opp_fields, [&](connectors::ChangePage& page) {
        for (auto& r : page.records) opps[r.id] = r.fields;
        next_opp = page.watermark;
        ++sf_min_;
        return true;
      });
  if (!e.ok()) Fail(e, "reading Salesforce opportunities");
  e = sf.ReadChanges("OpportunityContactRole", wm_role, {"Id", "OpportunityId", "ContactId"},
                     [&](connectors::ChangePage& page) {
                       for (auto& r : page.records) {
                         const json& o_id = FieldValue(r, "OpportunityId");
                         const json& c_id = FieldValue(r, "ContactId");
                         if (o_id.is_string() && c_id.is_string())
                           roles.emplace_back(o_id.get<std::string>(), c_id.get<std::string>());
                       }
                       next_role = page.watermark;
                       ++sf_min_;
                       return true;
                     });
  if (!e.ok()) Fail(e, "reading Salesforce opportunity contact roles");
  if (!opps.empty()) {
    std::vector<std::string> ids;
    for (const auto& [id, f] : opps) ids.push_back(id);
    std::vector<connectors::Association> assoc;
    e = sf.ReadAssociations("Opportunity", "Contact", ids, &assoc);
    if (!e.ok()) Fail(e, "reading opportunity contact roles");
    ++sf_min_;
    for (const auto& a : assoc) roles.emplace_back(a.from_id, a.to_id);
  }
  std::vector<std::string> missing;
  for (const auto& [opp, contact] : roles)
    if (!opps.count(opp)) missing.push_back(opp);
  if (!missing.empty()) {
    std::sort(missing.begin(), missing.end());
    missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
    std::vector<Record> found;
    e = sf.ReadByIds("Opportunity", missing, opp_fields, &found);
    if (!e.ok()) Fail(e, "reading opportunities");
    ++sf_min_;
    for (auto& r : found) opps[r.id] = r.fields;
  }
  for (const auto& [opp, contact] : roles) {
    auto it = opps.find(opp);
    if (it != opps.end()) propose(contact, it->second);
  }
  // Only contact roles of synced contacts count (R97, R100).
  std::unordered_map<std::string, std::string> target;  // HubSpot id -> proposed stage
  for (const auto& [contact, stage] : proposed)
    if (auto link = store.FindLink(Side::kSalesforce, "Contact", contact))
      target[link->hubspot_id] = stage;
  std::vector<std::string> moved =
      AdvanceStages(target, LifecycleRulesText() + " (R97-R101, R106)");
  if (p.lifecycle_spread && !moved.empty()) {
    // R103: the transition spreads to the other contacts of the same company, forward only.
    std::vector<connectors::Association> to_company;
    e = hs.ReadAssociations("contacts", "companies", moved, &to_company);
    if (!e.ok()) Fail(e, "reading contact companies");
    std::vector<std::string> companies;
    std::unordered_map<std::string, std::string> company_stage;
    for (const auto& a : to_company) {
      companies.push_back(a.to_id);
      auto& s = company_stage[a.to_id];
      auto later = stages.later_of(s, target[a.from_id]);
      s = later.ok() ? std::string(later.value) : target[a.from_id];
    }
    std::vector<connectors::Association> to_contacts;
    if (!companies.empty()) {
      e = hs.ReadAssociations("companies", "contacts", companies, &to_contacts);
      if (!e.ok()) Fail(e, "reading company contacts");
    }
    std::unordered_map<std::string, std::string> spread;
    std::set<std::string> done(moved.begin(), moved.end());
    for (const auto& a : to_contacts)
      if (!done.count(a.to_id)) spread[a.to_id] = company_stage[a.from_id];
    AdvanceStages(spread, "a contact of the same company moved (R103)");
  }
  if (p.lifecycle_to_companies && !moved.empty()) {
    // R73: with companies syncing, a contact's new stage also moves its companies, forward
    // only (R99), to the latest stage among their contacts that moved.
    std::unordered_map<std::string, std::string> moved_stage;
    for (const auto& id : moved) moved_stage[id] = target[id];
    CompaniesFollow(moved_stage, "a contact's lifecycle stage moved, with companies syncing (R73)");
  }
  if (!o.dry_run) {
    state::Transaction tx(store);
    store.SetWatermark(Side::kSalesforce, "Opportunity", "lifecycle", next_opp, Now());
    store.SetWatermark(Side::kSalesforce, "OpportunityContactRole", "lifecycle", next_role, Now());
    tx.Commit();
  }
}

SyncRunner::SyncRunner(const SyncProgram& program, connectors::Connector& hubspot,
                       connectors::Connector& salesforce, state::StateStore& store,
                       RunOptions options)
    : impl_(std::make_unique<Impl>(program, hubspot, salesforce, store, std::move(options))) {}
SyncRunner::~SyncRunner() = default;

RunReport SyncRunner::Run() {
  Impl& m = *impl_;
  m.hs_calls0 = m.hs.calls_made();
  m.sf_calls0 = m.sf.calls_made();
  m.run_started_ms = m.Now();
  RunPasses(m.report, [&] {
    if (m.o.lifecycle_pass == RunOptions::LifecyclePass::kOnly) {
      m.Lifecycle();  // the sync's own run has recovered the journal already
      return;
    }
    m.Recover();
    m.LoadSegments();
    m.LoadOrgPicklists();
    m.LoadRecordTypes();
    if (m.o.resync_segment) {
      m.ResyncSegment(*m.o.resync_segment);
    } else if (m.o.hubspot_ids) {
      m.SyncHubSpotIds(*m.o.hubspot_ids, "reading HubSpot " + m.p.hubspot_object + " to sync");
    } else if (m.Importing()) {
      m.Import();
      // The imported records' associations, into HubSpot only (Salesforce is not written).
      SyncProgram hubspot_only = m.p;
      hubspot_only.in_salesforce = CreateMode::kNothing;
      hubspot_only.in_hubspot = CreateMode::kCreateOrUpdate;
      RunContext c = m.Context(&hubspot_only);
      SyncAssociations(c);
    } else {
      m.Retries();
      if (m.p.objects.front().to_salesforce.valid() || m.p.has_include) {
        m.ReadHubSpot();
        m.SegmentEntries();
      }
      for (const ObjectProgram& obj : m.p.objects) m.ReadSalesforce(obj);
      m.Deletions();
      RunContext c = m.Context();
      SyncAssociations(c);
      if (m.o.lifecycle_pass == RunOptions::LifecyclePass::kWithRun) m.Lifecycle();
    }
  });
  m.report.by_sync[m.p.name] = m.report.counts;
  m.report.hubspot_calls = m.hs.calls_made() - m.hs_calls0;
  m.report.salesforce_calls = m.sf.calls_made() - m.sf_calls0;
  m.report.hubspot_min_calls = m.hs_min_items;
  m.report.salesforce_min_calls = m.sf_min_;
  return m.report;
}

}  // namespace syncline::engine
