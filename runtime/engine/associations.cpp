#include "engine/associations.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace syncline::engine {

using connectors::Association;
using connectors::Record;
using nlohmann::json;
using state::Side;
using Kind = AssociationSpec::Kind;

namespace {

using Pair = std::pair<std::string, std::string>;  // (this record, associated record)

// The links this pass looks at: this sync's links touched since `since`, and the links of
// records associated with newly linked records of the other object.
std::vector<state::Link> Touched(RunContext& c, int64_t since) {
  std::map<std::string, state::Link> by_hs;
  for (const state::Link& l : c.store.Links(c.p.hubspot_object))
    if (l.updated_ms >= since) by_hs[l.hubspot_id] = l;
  for (const AssociationSpec& spec : c.p.associations) {
    std::vector<std::string> fresh;
    for (const state::Link& l : c.store.Links(spec.hubspot_object))
      if (l.created_ms >= since && l.salesforce_object == spec.salesforce_object)
        fresh.push_back(l.hubspot_id);
    if (fresh.empty()) continue;
    std::vector<Association> assoc;
    connectors::Error e =
        c.hs.ReadAssociations(spec.hubspot_object, c.p.hubspot_object, fresh, &assoc);
    if (!e.ok()) c.fail(e, "reading HubSpot " + spec.hubspot_object + " associations");
    c.hs_min_calls += Batches(static_cast<int64_t>(fresh.size()), kHubSpotAssociationBatch);
    std::vector<std::string> ids;
    for (const Association& a : assoc)
      if (!by_hs.count(a.to_id)) ids.push_back(a.to_id);
    for (auto& [id, l] : c.store.FindLinks(Side::kHubSpot, c.p.hubspot_object, ids))
      by_hs[id] = std::move(l);
  }
  std::vector<state::Link> out;
  for (auto& [id, l] : by_hs) out.push_back(std::move(l));
  return out;
}

void SyncSpec(RunContext& c, const AssociationSpec& spec, const std::vector<state::Link>& links,
              bool* failed) {
  const ObjectProgram* obj = nullptr;
  std::vector<std::string> hs_ids, sf_ids;
  std::unordered_map<std::string, std::string> sf_of_hs, hs_of_sf;
  for (const state::Link& l : links) {
    if (!c.p.Object(l.salesforce_object)) continue;
    obj = c.p.Object(l.salesforce_object);
    hs_ids.push_back(l.hubspot_id);
    sf_ids.push_back(l.salesforce_id);
    sf_of_hs[l.hubspot_id] = l.salesforce_id;
    hs_of_sf[l.salesforce_id] = l.hubspot_id;
  }
  if (!obj || hs_ids.empty()) return;
  const std::string& sf_object = obj->object;

  // HubSpot's associations are read on the run's helper thread while this one reads
  // Salesforce's: the two CRMs answer at the same time. Failures are reported in the order the
  // reads used to go in, HubSpot's first.
  std::vector<Association> hs_assoc;
  auto hs_read = c.helper.Post([&] {
    return c.hs.ReadAssociations(c.p.hubspot_object, spec.hubspot_object, hs_ids, &hs_assoc);
  });
  std::vector<Record> sf_found;
  std::vector<Association> sf_roles;
  connectors::Error sf_error;
  if (spec.kind == Kind::kLookupOnRecord)
    sf_error = c.sf.ReadByIds(sf_object, sf_ids, {"Id", spec.lookup}, &sf_found);
  else if (spec.kind == Kind::kLookupOnOther)
    sf_error = c.sf.FindByField(spec.salesforce_object, spec.lookup, sf_ids, {"Id"}, &sf_found);
  else
    sf_error = c.sf.ReadAssociations(sf_object, spec.salesforce_object, sf_ids, &sf_roles);
  connectors::Error e = hs_read.get();

  // HubSpot's associations, as pairs of Salesforce ids where both ends are linked.
  if (!e.ok()) c.fail(e, "reading HubSpot " + c.p.hubspot_object + " associations");
  c.hs_min_calls += Batches(static_cast<int64_t>(hs_ids.size()), kHubSpotAssociationBatch);
  std::set<Pair> hs_pairs;  // in Salesforce ids
  std::unordered_map<std::string, std::string> other_sf_of_hs;
  // The associated records' links in a few statements (FindLinks), not one look-up each: those
  // were a fifth of this pass.
  std::vector<std::string> to_ids;
  to_ids.reserve(hs_assoc.size());
  for (const Association& a : hs_assoc) to_ids.push_back(a.to_id);
  const auto to_links = c.store.FindLinks(Side::kHubSpot, spec.hubspot_object, to_ids);
  for (const Association& a : hs_assoc) {
    auto l = to_links.find(a.to_id);
    if (l == to_links.end() || l->second.salesforce_object != spec.salesforce_object) continue;
    other_sf_of_hs[a.to_id] = l->second.salesforce_id;
    hs_pairs.insert({sf_of_hs[a.from_id], l->second.salesforce_id});
  }

  // Salesforce's, the same way; and each record's current lookup value.
  std::set<Pair> sf_pairs;
  std::unordered_map<std::string, std::string> lookup_of;  // record holding the lookup -> value
  if (spec.kind == Kind::kLookupOnRecord) {
    if (!sf_error.ok()) c.fail(sf_error, "reading Salesforce " + sf_object + "." + spec.lookup);
    c.sf_min_calls += Batches(static_cast<int64_t>(sf_ids.size()), c.o.salesforce_batch);
    for (const Record& r : sf_found) {
      const std::string v = StringOf(FieldValue(r, spec.lookup));
      lookup_of[r.id] = v;
      if (!v.empty()) sf_pairs.insert({r.id, v});
    }
  } else if (spec.kind == Kind::kLookupOnOther) {
    if (!sf_error.ok())
      c.fail(sf_error, "reading Salesforce " + spec.salesforce_object + "." + spec.lookup);
    c.sf_min_calls += Batches(static_cast<int64_t>(sf_ids.size()), c.o.salesforce_batch);
    for (const Record& r : sf_found) sf_pairs.insert({StringOf(FieldValue(r, spec.lookup)), r.id});
    // The other records HubSpot associates, with their current lookup.
    std::vector<std::string> others;
    for (const auto& [me, other] : hs_pairs)
      if (!sf_pairs.count({me, other})) others.push_back(other);
    if (!others.empty()) {
      std::vector<Record> cur;
      e = c.sf.ReadByIds(spec.salesforce_object, others, {"Id", spec.lookup}, &cur);
      if (!e.ok()) c.fail(e, "reading Salesforce " + spec.salesforce_object);
      c.sf_min_calls += Batches(static_cast<int64_t>(others.size()), c.o.salesforce_batch);
      for (const Record& r : cur) lookup_of[r.id] = StringOf(FieldValue(r, spec.lookup));
    }
  } else {
    if (!sf_error.ok()) c.fail(sf_error, "reading opportunity contact roles");
    c.sf_min_calls += Batches(static_cast<int64_t>(sf_ids.size()), c.o.salesforce_batch);
    for (const Association& a : sf_roles) sf_pairs.insert({a.from_id, a.to_id});
  }

  // Salesforce -> HubSpot: associations HubSpot lacks.
  std::vector<Association> to_hs;
  std::vector<PlanEntry> plan;
  const bool writes_hubspot = c.p.in_hubspot != CreateMode::kNothing;
  const bool writes_salesforce = c.p.in_salesforce != CreateMode::kNothing;
  if (writes_hubspot) {
    std::vector<std::string> others;
    for (const auto& [me, other] : sf_pairs)
      if (!hs_pairs.count({me, other}) && hs_of_sf.count(me)) others.push_back(other);
    const auto other_links = c.store.FindLinks(Side::kSalesforce, spec.salesforce_object, others);
    for (const auto& [me, other] : sf_pairs) {
      if (hs_pairs.count({me, other}) || !hs_of_sf.count(me)) continue;
      auto l = other_links.find(other);
      if (l == other_links.end() || l->second.hubspot_object != spec.hubspot_object) continue;
      Association a;
      a.from_id = hs_of_sf[me];
      a.to_id = l->second.hubspot_id;
      to_hs.push_back(a);
      plan.push_back(PlanEntry{"hubspot",
                               c.p.hubspot_object,
                               "associate",
                               a.from_id,
                               "salesforce " + sf_object + " " + me,
                               {{spec.hubspot_object, nullptr, a.to_id, ""}},
                               "associated in Salesforce"});
    }
  }
  // HubSpot -> Salesforce: associations Salesforce lacks.
  std::vector<connectors::WriteItem> lookups;  // kLookupOn*: record id + lookup value
  std::vector<Association> roles;
  if (writes_salesforce) {
    std::set<std::string> set_now;  // one lookup value per record
    for (const auto& [me, other] : hs_pairs) {
      if (sf_pairs.count({me, other})) continue;
      const std::string holder = spec.kind == Kind::kLookupOnOther ? other : me;
      const std::string value = spec.kind == Kind::kLookupOnOther ? me : other;
      if (spec.kind == Kind::kContactRoles) {
        Association a;
        a.from_id = me;
        a.to_id = other;
        roles.push_back(a);
      } else {
        auto cur = lookup_of.find(holder);
        if (cur == lookup_of.end() || !cur->second.empty()) continue;  // never overwritten
        if (!set_now.insert(holder).second) continue;
        connectors::WriteItem item;
        item.id = holder;
        item.fields[spec.lookup] = value;
        lookups.push_back(std::move(item));
      }
      plan.push_back(
          PlanEntry{"salesforce",
                    spec.kind == Kind::kLookupOnOther ? spec.salesforce_object : sf_object,
                    "associate",
                    holder,
                    "hubspot " + c.p.hubspot_object,
                    {{spec.kind == Kind::kContactRoles ? "OpportunityContactRole" : spec.lookup,
                      nullptr, value, ""}},
                    "associated in HubSpot"});
    }
  }
  const int64_t n_hs = static_cast<int64_t>(to_hs.size());
  const int64_t n_sf = static_cast<int64_t>(lookups.size() + roles.size());
  c.Count("associated.hubspot", n_hs);
  c.Count("associated.salesforce", n_sf);
  if (c.o.record_plan) c.report.plan.insert(c.report.plan.end(), plan.begin(), plan.end());
  if (c.o.dry_run) return;
  // A failed association is counted, and the pass does not move its watermark: the next run
  // compares the same links again and adds what is still missing (the writes are idempotent
  // by comparison, so nothing is added twice). No per-record sync error: there is no record
  // of this sync to retry.
  auto check = [&](const std::vector<connectors::WriteResult>& results) {
    for (const auto& r : results)
      if (!r.ok) {
        ++c.report.errors[std::string(connectors::CategoryName(r.error.category))];
        c.Count("associations.failed");
        *failed = true;
      }
  };
  // HubSpot's associations go out on the helper thread while this one writes Salesforce's.
  connectors::WorkerFuture<std::vector<connectors::WriteResult>> hs_written;
  if (!to_hs.empty())
    hs_written = c.helper.Post(
        [&] { return c.hs.Associate(c.p.hubspot_object, spec.hubspot_object, to_hs); });
  std::vector<connectors::WriteResult> sf_written;
  if (!lookups.empty()) {
    const std::string& holder_object =
        spec.kind == Kind::kLookupOnOther ? spec.salesforce_object : sf_object;
    sf_written = c.sf.Write(holder_object, connectors::WriteKind::kUpdate, lookups);
    c.sf_min_calls += Batches(static_cast<int64_t>(lookups.size()), c.o.salesforce_batch);
  }
  if (!roles.empty()) {
    std::vector<connectors::WriteResult> more =
        c.sf.Associate(sf_object, spec.salesforce_object, roles);
    sf_written.insert(sf_written.end(), more.begin(), more.end());
    c.sf_min_calls += Batches(static_cast<int64_t>(roles.size()), c.o.salesforce_batch);
  }
  if (hs_written.valid()) {
    check(hs_written.get());
    c.hs_min_calls += Batches(n_hs, kHubSpotAssociationBatch);
  }
  check(sf_written);
}

}  // namespace

void SyncAssociations(RunContext& c) {
  if (c.p.associations.empty()) return;
  const int64_t start = c.now();
  const std::string wm =
      c.store.GetWatermark(Side::kHubSpot, c.p.hubspot_object, "associations").value_or("");
  const int64_t since = wm.empty() ? 0 : std::stoll(wm);
  const std::vector<state::Link> links = Touched(c, since);
  bool failed = false;
  for (const AssociationSpec& spec : c.p.associations) SyncSpec(c, spec, links, &failed);
  // An import leaves the watermark to the run's pass.
  if (!c.o.dry_run && !failed && c.o.import_object.empty())
    c.store.SetWatermark(Side::kHubSpot, c.p.hubspot_object, "associations", std::to_string(start),
                         start);
}

}  // namespace syncline::engine
