#include "engine/core.h"

#include "engine/owners.h"

namespace syncline::engine {

using nlohmann::json;

std::string_view FieldRuleName(FieldRule rule) {
  switch (rule) {
    case FieldRule::kTwoWay:
      return "two-way";
    case FieldRule::kPreferSalesforce:
      return "prefer salesforce unless blank";
    case FieldRule::kPreferHubSpot:
      return "prefer hubspot unless blank";
    case FieldRule::kAlwaysSalesforce:
      return "always salesforce";
    case FieldRule::kAlwaysHubSpot:
      return "always hubspot";
    case FieldRule::kDontSync:
      return "don't sync";
  }
  return "?";
}

std::string_view FieldRuleRefs(FieldRule rule) {
  switch (rule) {
    case FieldRule::kTwoWay:
      return "R8, R9";
    case FieldRule::kPreferSalesforce:
    case FieldRule::kPreferHubSpot:
      return "R1-R5";
    case FieldRule::kAlwaysSalesforce:
    case FieldRule::kAlwaysHubSpot:
      return "R6, R7";
    case FieldRule::kDontSync:
      return "R10";
  }
  return "";
}

const FieldMap* ObjectProgram::ByHubSpot(std::string_view property) const {
  for (const auto& f : fields)
    if (f.hubspot == property) return &f;
  return nullptr;
}

const FieldMap* ObjectProgram::BySalesforce(std::string_view field) const {
  for (const auto& f : fields)
    if (f.salesforce == field) return &f;
  return nullptr;
}

bool SyncProgram::HasRecordTypes() const {
  for (const auto& d : pipelines)
    if (!d.record_type.empty()) return true;
  return false;
}

const ObjectProgram* SyncProgram::Object(std::string_view salesforce_object) const {
  for (const auto& o : objects)
    if (o.object == salesforce_object) return &o;
  return nullptr;
}

namespace {

enum class Direction { kNone, kToSalesforce, kToHubSpot };

const std::string* Find(const state::BaseValues* base, const std::string& field) {
  if (!base) return nullptr;
  auto it = base->find(field);
  return it == base->end() ? nullptr : &it->second;
}

}  // namespace

PairDecision DecidePair(const PairInput& in) {
  PairDecision out;
  const connectors::Record& h_rec = *in.hubspot;
  const connectors::Record& s_rec = *in.salesforce;
  const bool hubspot_newer = h_rec.last_modified_ms >= s_rec.last_modified_ms;
  // Both sides changed: the declared winner (R131), else the more recent record (R8).
  const bool hubspot_wins = in.conflict == SyncProgram::Winner::kNewest
                                ? hubspot_newer
                                : in.conflict == SyncProgram::Winner::kHubSpot;
  const char* conflict_why =
      in.conflict == SyncProgram::Winner::kNewest    ? "the last change wins (R8)"
      : in.conflict == SyncProgram::Winner::kHubSpot ? "conflict: hubspot wins (R131)"
                                                     : "conflict: salesforce wins (R131)";
  for (const FieldMap& fm : in.object->fields) {
    const bool fold = fm.hubspot == in.match_hubspot;
    const json& h_raw = FieldValue(h_rec, fm.hubspot);
    const json& s_raw = FieldValue(s_rec, fm.salesforce);
    const std::string h = Canonical(h_raw, fm.hubspot_kind, fold);
    const std::string s = Canonical(s_raw, fm.salesforce_kind, fold);
    const std::string* bh = Find(in.base_hubspot, fm.hubspot);
    const std::string* bs = Find(in.base_salesforce, fm.salesforce);
    const bool has_base = bh && bs;
    const bool h_changed = !has_base || h != *bh;
    const bool s_changed = !has_base || s != *bs;

    Direction dir = Direction::kNone;
    std::string why;
    // Neither side changed since they last agreed: nothing to do, whatever the rule. The base
    // records agreement, not equality (a transform or a picklist may make the two texts
    // differ: "MX" in HubSpot, "Mexico" in Salesforce), so deciding again on the same values
    // writes nothing; a decision applied in parts (a crash between its writes) then ends as
    // one applied whole.
    const bool settled = has_base && !h_changed && !s_changed;
    // R11: HubSpot's owner mapping acts two-way whatever rule its UI shows ("prefer Salesforce
    // unless blank"), so a prefer rule on the owner line is read as two-way. The one-way rules
    // (always one side, don't sync) are the admin's explicit choice and stay as written.
    const bool prefer =
        fm.rule == FieldRule::kPreferSalesforce || fm.rule == FieldRule::kPreferHubSpot;
    const FieldRule rule = prefer && IsOwnerField(fm) ? FieldRule::kTwoWay : fm.rule;
    switch (settled ? FieldRule::kDontSync : rule) {
      case FieldRule::kTwoWay:
        if (h == s) break;
        if (!has_base) {
          if (h.empty()) {
            dir = Direction::kToHubSpot, why = "first sync: blank in HubSpot";
          } else if (s.empty()) {
            dir = Direction::kToSalesforce, why = "first sync: blank in Salesforce";
          } else if (IsOwnerField(fm)) {
            // R117: a record paired on its first sync keeps its Salesforce owner, which comes
            // into HubSpot (translated by OwnerSync; HubSpot keeps its own if none matches).
            dir = Direction::kToHubSpot, why = "first sync: the Salesforce owner is kept (R117)";
          } else {
            dir = hubspot_wins ? Direction::kToSalesforce : Direction::kToHubSpot;
            why = std::string("first sync, both set: ") + conflict_why;
          }
        } else if (h_changed && s_changed) {
          dir = hubspot_wins ? Direction::kToSalesforce : Direction::kToHubSpot;
          why = std::string("changed on both sides: ") + conflict_why;
        } else if (h_changed) {
          dir = Direction::kToSalesforce;
          why = h.empty() ? "cleared in HubSpot (R9)" : "changed in HubSpot (R8)";
        } else if (s_changed) {
          dir = Direction::kToHubSpot;
          why = s.empty() ? "cleared in Salesforce (R9)" : "changed in Salesforce (R8)";
        }
        break;
      case FieldRule::kPreferSalesforce:
        if (!s.empty()) {
          dir = Direction::kToHubSpot, why = "Salesforce has a value (R3, R5)";
        } else if (has_base && !bs->empty()) {
          dir = Direction::kToHubSpot, why = "cleared in Salesforce (R4)";
        } else if (!h.empty()) {
          dir = Direction::kToSalesforce, why = "blank in Salesforce (R1)";
        }
        break;
      case FieldRule::kPreferHubSpot:
        if (!h.empty()) {
          dir = Direction::kToSalesforce, why = "HubSpot has a value (prefer hubspot, R3 mirrored)";
        } else if (has_base && !bh->empty()) {
          dir = Direction::kToSalesforce, why = "cleared in HubSpot (R4 mirrored)";
        } else if (!s.empty()) {
          dir = Direction::kToHubSpot, why = "blank in HubSpot (R1 mirrored)";
        }
        break;
      case FieldRule::kAlwaysSalesforce:
        dir = Direction::kToHubSpot, why = "Salesforce always wins (R6, R7)";
        break;
      case FieldRule::kAlwaysHubSpot:
        dir = Direction::kToSalesforce, why = "HubSpot always wins (R6, R7 mirrored)";
        break;
      case FieldRule::kDontSync:
        break;
    }
    std::string final_h = h, final_s = s;
    bool agreed = dir == Direction::kNone;
    if (dir == Direction::kToSalesforce) {
      const Evaluation* e = in.to_salesforce;
      const bool have = fm.writes_salesforce && in.allow_salesforce_writes && e &&
                        e->status == Evaluation::kOk && e->fields.contains(fm.salesforce);
      if (have) {
        const json& v = e->fields[fm.salesforce];
        final_s = Canonical(v, fm.salesforce_kind, fold);
        if (final_s != s) {
          out.salesforce.fields[fm.salesforce] = v;
          out.salesforce.changes.push_back(
              {fm.salesforce, s_raw, v, std::string(FieldRuleName(fm.rule)) + ": " + why});
        }
        agreed = true;
      }
    } else if (dir == Direction::kToHubSpot) {
      const Evaluation* e = in.to_hubspot;
      const bool have = fm.writes_hubspot && in.allow_hubspot_writes && e &&
                        e->status == Evaluation::kOk && e->fields.contains(fm.hubspot);
      if (have) {
        const json& v = e->fields[fm.hubspot];
        final_h = Canonical(v, fm.hubspot_kind, fold);
        if (final_h != h) {
          out.hubspot.fields[fm.hubspot] = v;
          out.hubspot.changes.push_back(
              {fm.hubspot, h_raw, v, std::string(FieldRuleName(fm.rule)) + ": " + why});
        }
        agreed = true;
      }
    }
    // A write that could not happen (skipped by the rule, outside the segment, a failed
    // transform) keeps the old base, so the difference is still seen next time.
    if (agreed) {
      out.base_hubspot[fm.hubspot] = final_h;
      out.base_salesforce[fm.salesforce] = final_s;
    } else if (has_base) {
      out.base_hubspot[fm.hubspot] = *bh;
      out.base_salesforce[fm.salesforce] = *bs;
    }
  }
  return out;
}

bool HasMappedChange(const SyncProgram& program, const ObjectProgram* object,
                     const connectors::Record& record, bool hubspot_side,
                     const state::BaseValues& base) {
  auto check = [&](const ObjectProgram& o) {
    for (const FieldMap& fm : o.fields) {
      if (fm.rule == FieldRule::kDontSync) continue;
      const std::string& field = hubspot_side ? fm.hubspot : fm.salesforce;
      const auto kind = hubspot_side ? fm.hubspot_kind : fm.salesforce_kind;
      auto it = base.find(field);
      if (it == base.end()) return true;
      if (Canonical(FieldValue(record, field), kind, fm.hubspot == program.match_hubspot) !=
          it->second)
        return true;
    }
    return false;
  };
  if (object) return check(*object);
  for (const auto& o : program.objects)
    if (check(o)) return true;
  return false;
}

void BaseAfterCreate(const ObjectProgram& object, const connectors::Record& source,
                     bool source_is_hubspot, const json& written, const std::string& match_hubspot,
                     state::BaseValues* base_hubspot, state::BaseValues* base_salesforce) {
  for (const FieldMap& fm : object.fields) {
    const bool fold = fm.hubspot == match_hubspot;
    const std::string& src_field = source_is_hubspot ? fm.hubspot : fm.salesforce;
    const auto src_kind = source_is_hubspot ? fm.hubspot_kind : fm.salesforce_kind;
    const auto dst_kind = source_is_hubspot ? fm.salesforce_kind : fm.hubspot_kind;
    const std::string src = Canonical(FieldValue(source, src_field), src_kind, fold);
    const std::string& dst_field = source_is_hubspot ? fm.salesforce : fm.hubspot;
    // The created side's base is what the create wrote. A value the CRM keeps as written
    // (a transform's default such as `company ?? "[not provided]"` for a blank source) is
    // then no change when the record is read back, so it is not sent back to the source: a
    // blank HubSpot company would otherwise become "[not provided]". A value the CRM fills in
    // or normalises (defaults, picklist names from codes) still differs from the base when
    // read back, and that pass settles it. Journal recovery passes the journaled payload, so
    // a crash-recovered create ends with the same base.
    std::string dst;
    if (written.is_object()) {
      auto it = written.find(dst_field);
      if (it != written.end()) dst = Canonical(*it, dst_kind, fold);
    }
    // A Salesforce checkbox the create did not send: Salesforce stores false (checkboxes are
    // never blank), and a base saying so keeps the record's first read from sending that
    // default back to the blank source as a change: one more write per created record, which
    // an initial sync must not make (issue 6: writes at the batch minimum).
    if (source_is_hubspot && src.empty() && dst.empty() && dst_kind == schema::ValueKind::kBool)
      dst = Canonical(json(false), dst_kind, fold);
    (*base_hubspot)[fm.hubspot] = source_is_hubspot ? src : dst;
    (*base_salesforce)[fm.salesforce] = source_is_hubspot ? dst : src;
  }
}

}  // namespace syncline::engine
