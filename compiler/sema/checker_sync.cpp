// Sync-block rules: objects, settings, mappings (R17-R26), required fields, lifecycle and
// stage maps. Each check names the integration rule it enforces.
#include <algorithm>
#include <cctype>
#include <map>

#include "compiler/sema/checker.h"

namespace syncline::sema {

using diag::Code;
using namespace syntax;

namespace {

schema::Crm CrmOf(Side side) {
  return side == Side::kHubSpot ? schema::Crm::kHubSpot : schema::Crm::kSalesforce;
}

// The HubSpot object a standard Salesforce object syncs with, for R16's help; "" if none.
std::string HubSpotCounterpart(const std::string& salesforce_object) {
  static const std::map<std::string, std::string> kStandard = {{"Account", "companies"},
                                                               {"Opportunity", "deals"},
                                                               {"Case", "tickets"},
                                                               {"Lead", "contacts"},
                                                               {"Contact", "contacts"}};
  auto it = kStandard.find(salesforce_object);
  return it == kStandard.end() ? "" : it->second;
}

// The text fields of a Salesforce address that State and Country picklists fill: `State` and
// `Country` with an optional prefix (Lead's `State`, Contact's `MailingState`, Account's
// `BillingCountry`, ...).
bool IsAddressStateOrCountry(const std::string& name) {
  for (const char* prefix : {"", "Mailing", "Other", "Billing", "Shipping"}) {
    for (const char* part : {"State", "Country"}) {
      if (name == std::string(prefix) + part) return true;
    }
  }
  return false;
}

// R17: the HubSpot field types (by fieldType) and the Salesforce types each may map to.
// R23 calls currency/percent and phone/email/url unverified; the integration's own default
// mappings (S14: email <-> Email, phone <-> Phone, annualrevenue <-> AnnualRevenue) use them,
// so they are accepted. Multi-line text into a one-line `string` is accepted with a warning.
enum class Compat { kYes, kUnverified, kNo };
Compat MappingCompat(const schema::Field& hs, const schema::Field& sf) {
  const std::string& ft = hs.field_type;
  const std::string& st = sf.api_type;
  auto in = [&](std::initializer_list<const char*> types) {
    return std::any_of(types.begin(), types.end(), [&](const char* t) { return st == t; });
  };
  if (hs.api_type == "enumeration" && (ft == "select" || ft == "radio")) {
    // R108: the integration's recommended setup makes HubSpot's state and country dropdowns
    // (loaded with HubSpot's built-in options) and maps them to Salesforce's State/Country
    // text fields, which hold the integration values of the org's picklists. The runtime
    // converts those values per the sync's `picklists` setting (R107-R113), as it does free
    // text, so a dropdown may map to an address's State or Country field.
    if (st == "string" && IsAddressStateOrCountry(sf.name)) return Compat::kYes;
    return in({"picklist", "reference"}) ? Compat::kYes : Compat::kNo;
  }
  if (hs.api_type == "enumeration" && ft == "checkbox")
    return in({"multipicklist"}) ? Compat::kYes : Compat::kNo;
  if (hs.api_type == "bool" || ft == "booleancheckbox")
    return in({"boolean"}) ? Compat::kYes : Compat::kNo;
  if (hs.api_type == "number") {
    return in({"double", "int", "currency", "percent"}) ? Compat::kYes : Compat::kNo;
  }
  if (hs.api_type == "date" || hs.api_type == "datetime" || hs.api_type == "dateTime") {
    return in({"date", "datetime"}) ? Compat::kYes : Compat::kNo;
  }
  if (hs.api_type == "string") {
    if (ft == "textarea") {
      if (in({"textarea"})) return Compat::kYes;
      return in({"string"}) ? Compat::kUnverified : Compat::kNo;
    }
    if (in({"string", "textarea", "phone", "email", "url", "combobox", "reference", "id"})) {
      return Compat::kYes;
    }
    // Free text into a picklist: the integration's own defaults do it (Salutation, Industry),
    // and values outside the picklist fail per record (R25).
    return in({"picklist"}) ? Compat::kUnverified : Compat::kNo;
  }
  return Compat::kNo;
}

std::string UiTypeName(const schema::Field& hs) {
  const std::string& ft = hs.field_type;
  if (ft == "select") return "dropdown select";
  if (ft == "radio") return "radio select";
  if (ft == "checkbox") return "multiple checkboxes";
  if (ft == "booleancheckbox") return "single checkbox";
  if (ft == "number") return "number";
  if (ft == "textarea") return "multi-line text";
  if (ft == "text" || ft == "phonenumber") return "single-line text";
  if (ft == "date") return "date picker";
  return hs.api_type;
}

std::string AllowedFor(const schema::Field& hs) {
  const std::string& ft = hs.field_type;
  if (hs.api_type == "enumeration" && (ft == "select" || ft == "radio"))
    return "picklist or reference";
  if (ft == "checkbox") return "multipicklist";
  if (hs.api_type == "bool" || ft == "booleancheckbox") return "boolean";
  if (hs.api_type == "number") return "double or int";
  if (hs.api_type == "date" || hs.api_type == "datetime") return "date or datetime";
  if (ft == "textarea") return "textarea";
  return "string or textarea";
}

}  // namespace

const schema::Object* Checker::ResolveObject(const ObjectRef& ref) {
  const auto* object = schemas_.Find(CrmOf(ref.side), ref.object.text);
  if (!object) {
    auto& d = diags_.Report(Code::E0501, ref.object.range,
                            std::string("unknown ") +
                                (ref.side == Side::kHubSpot ? "HubSpot" : "Salesforce") +
                                " object `" + ref.object.text + "`");
    std::vector<std::string> names;
    for (const auto* o : schemas_.Objects(CrmOf(ref.side))) names.push_back(o->name);
    diag::SuggestName(d, ref.object.text, names);
    d.helps.push_back("custom objects need their schema: pass `--schemas DIR` with " +
                      std::string(ref.side == Side::kHubSpot ? "hubspot/" : "salesforce/") +
                      ref.object.text + ".json");
  }
  return object;
}

const schema::Field* Checker::ResolveField(const schema::Object& object, const Name& name) {
  const auto* field = object.FindField(name.text);
  if (!field) {
    auto& d = diags_.Report(Code::E0502, name.range,
                            "unknown field `" + name.text + "` on `" +
                                (object.crm == schema::Crm::kHubSpot ? "hubspot." : "salesforce.") +
                                object.name + "`");
    std::vector<std::string> names;
    for (const auto& f : object.fields) names.push_back(f.name);
    diag::SuggestName(d, name.text, names);
  }
  return field;
}

void Checker::CheckSync(const SyncDecl& sync) {
  CheckedSync out;
  out.syntax = &sync;
  if (!sync_names_.insert(sync.name.text).second) {
    diags_.Report(Code::E0415, sync.name.range,
                  "a sync named `" + sync.name.text + "` is already defined");
  }
  bool objects_ok = true;
  if (sync.left.side != Side::kHubSpot) {
    diags_.Report(Code::E0504, sync.left.range, "the left side of a sync must be a HubSpot object")
        .helps.push_back("write `sync name: hubspot.<object> <-> salesforce.<Object>`");
    objects_ok = false;
  } else {
    out.hubspot = ResolveObject(sync.left);
    objects_ok &= out.hubspot != nullptr;
  }
  for (const auto& ref : sync.right) {
    if (ref.side != Side::kSalesforce) {
      diags_.Report(Code::E0504, ref.range, "the right side of a sync must be Salesforce objects")
          .helps.push_back("write `sync name: hubspot.<object> <-> salesforce.<Object>`");
      objects_ok = false;
      continue;
    }
    if (const auto* o = ResolveObject(ref)) {
      out.salesforce.push_back(o);
    } else {
      objects_ok = false;
    }
  }
  if (!objects_ok) return;  // every later check needs the objects: stay silent (no cascade)
  CheckSettings(sync, out);
  has_stage_map_ = std::any_of(out.stage_maps.begin(), out.stage_maps.end(),
                               [](const CheckedStages& s) { return !s.rows.empty(); });
  std::map<std::string, const Mapping*> hubspot_seen;
  std::map<std::string, const Mapping*> salesforce_seen;
  bool mappings_unknown = false;
  for (const auto& item : sync.items) {
    if (item->kind != SyncItemKind::kMap) continue;
    for (const auto& m : static_cast<const MapItem&>(*item).mappings) {
      CheckMapping(m, out, hubspot_seen, salesforce_seen);
    }
  }
  // Mapping sets come after the sync's own mappings, which override them field by field.
  for (const auto& item : sync.items) {
    if (item->kind != SyncItemKind::kMapFrom) continue;
    bool from_std = false;
    const MappingsDecl* set = ResolveMappingSet(static_cast<const MapFromItem&>(*item), from_std);
    if (!set) {
      mappings_unknown = true;  // what the set would have mapped is unknown: no E0403 guesses
      continue;
    }
    if (set->left.object.text != out.hubspot->name) {
      diags_
          .Report(Code::E0410, item->range,
                  "mapping set `" + set->name.text + "` is for hubspot." + set->left.object.text +
                      ", not hubspot." + out.hubspot->name)
          .helps.push_back("use it in a sync of hubspot." + set->left.object.text +
                           ": an object's mappings need its own sync (R16)");
      continue;
    }
    suppress_warnings_ = from_std;
    for (const auto& m : set->mappings) {
      // A mapping for a Salesforce object this sync does not pair with does not apply.
      if (m.salesforce.qualifier &&
          std::none_of(out.salesforce.begin(), out.salesforce.end(), [&](const schema::Object* o) {
            return o->name == m.salesforce.qualifier->text;
          })) {
        continue;
      }
      if (Overridden(m, out)) continue;
      CheckMapping(m, out, hubspot_seen, salesforce_seen);
    }
    suppress_warnings_ = false;
  }
  if (!mappings_unknown) CheckRequiredFields(sync, out);
  out_->syncs.push_back(std::move(out));
}

void Checker::CheckSettings(const SyncDecl& sync, CheckedSync& out) {
  std::map<std::string, const SyncItem*> seen;
  auto once = [&](const std::string& key, const SyncItem& item) {
    auto [it, inserted] = seen.emplace(key, &item);
    if (!inserted) {
      auto& d =
          diags_.Report(Code::E0405, item.range, "this setting is already given in this sync");
      d.labels.push_back({it->second->range, "first given here"});
      return false;
    }
    return true;
  };
  const bool is_contacts = out.hubspot->name == "contacts";
  const bool is_deals = out.hubspot->name == "deals";
  const auto& lifecycle_field_owner = schemas_.Find(schema::Crm::kHubSpot, "contacts");
  const schema::Field* lifecycle_field =
      lifecycle_field_owner ? lifecycle_field_owner->FindField("lifecyclestage") : nullptr;
  bool creates_leads = false;
  const AutoCreateItem* auto_create = nullptr;
  const CreateItem* lead_target = nullptr;
  // Default creation target: the first Salesforce object of the sync.
  out.settings.salesforce_create_target = out.salesforce.empty() ? nullptr : out.salesforce.front();

  for (const auto& item_ptr : sync.items) {
    const SyncItem& item = *item_ptr;
    switch (item.kind) {
      case SyncItemKind::kMatch: {
        if (!once("match", item)) break;
        for (const auto& key : static_cast<const MatchItem&>(item).keys) {
          const auto* hs = ResolveField(*out.hubspot, key.hubspot);
          const Name& sf_name = key.salesforce ? *key.salesforce : key.hubspot;
          const schema::Field* sf = nullptr;
          for (const auto* o : out.salesforce) {
            if ((sf = o->FindField(sf_name.text))) break;
          }
          if (!sf && !out.salesforce.empty()) {
            if (key.salesforce) {
              ResolveField(*out.salesforce.front(), sf_name);
            } else if (hs) {
              auto& d = diags_.Report(Code::E0502, key.hubspot.range,
                                      "`" + sf_name.text + "` is not a field of salesforce." +
                                          out.salesforce.front()->name);
              d.helps.push_back("name both fields: `match " + key.hubspot.text +
                                " <-> <SalesforceField>`");
            }
          }
          if (hs && sf) {
            const bool text_like =
                hs->kind == schema::ValueKind::kText && sf->kind == schema::ValueKind::kText;
            if (!text_like && !(sf->external_id || sf->unique)) {
              diags_
                  .Report(Code::E0414, key.range,
                          "records cannot be matched on `" + key.hubspot.text + "`")
                  .helps.push_back(
                      "match keys are text fields such as email, or a Salesforce external id "
                      "field");
            }
            out.match_keys.emplace_back(hs->name, sf->name);
          }
        }
        break;
      }
      case SyncItemKind::kCreate: {
        const auto& c = static_cast<const CreateItem&>(item);
        if (!once(std::string("create:") + SideName(c.written), item)) break;
        if (c.written == Side::kHubSpot) {
          out.settings.in_hubspot = c.action;
          if (c.object) {
            diags_
                .Report(Code::E0410, c.object->range,
                        "records are created in HubSpot as hubspot." + out.hubspot->name)
                .helps.push_back("remove `" + c.object->text + "`");
          }
        } else {
          out.settings.in_salesforce = c.action;
          if (c.object) {
            const schema::Object* target = nullptr;
            for (const auto* o : out.salesforce) {
              if (o->name == c.object->text) target = o;
            }
            if (!target) {
              auto& d = diags_.Report(
                  Code::E0410, c.object->range,
                  "`" + c.object->text + "` is not one of this sync's Salesforce objects");
              std::vector<std::string> names;
              for (const auto* o : out.salesforce) names.push_back(o->name);
              diag::SuggestName(d, c.object->text, names);
            } else {
              out.settings.salesforce_create_target = target;
              if (target->name == "Lead") {
                creates_leads = true;
                lead_target = &c;
              }
            }
          } else if (out.settings.salesforce_create_target &&
                     out.settings.salesforce_create_target->name == "Lead" &&
                     c.action == CreateAction::kCreateOrUpdate) {
            creates_leads = true;
            lead_target = &c;
          }
        }
        break;
      }
      case SyncItemKind::kDelete: {
        const auto& d = static_cast<const DeleteItem&>(item);
        if (!once(std::string("delete:") + SideName(d.deleted), item)) break;
        if (d.deleted == Side::kHubSpot && d.propagate) {
          auto& diag =
              diags_.Report(Code::E0410, d.action_range,
                            "a HubSpot delete never deletes the Salesforce record (R152, R81)");
          diag.helps.push_back("write `on hubspot delete: nothing` or remove the line");
        }
        if (d.deleted == Side::kSalesforce) out.settings.delete_from_salesforce = d.propagate;
        break;
      }
      case SyncItemKind::kInclude: {
        if (!once("include", item)) break;
        const auto& inc = static_cast<const IncludeItem&>(item);
        Scope scope;
        scope.hubspot = out.hubspot;
        scope.salesforce = out.salesforce;
        scope.bare_names = Side::kHubSpot;
        scope.in_include = true;
        Type t = CheckExpr(inc.condition.get(), scope);
        if (!t.IsError()) {
          if (t.kind != TypeKind::kBool) {
            diags_.Report(Code::E0305, inc.condition->range,
                          "`include if` needs a true/false condition, found " + TypeName(t));
          } else {
            RequireHandled(t, inc.condition.get());
          }
        }
        out.include = inc.condition.get();
        // The filter chooses the HubSpot records that go to Salesforce (R37); a sync that only
        // writes HubSpot never evaluates it, and a filter that silently does nothing is worse
        // than none.
        if (out.syntax->direction == SyncDirection::kToHubSpot) {
          auto& d = diags_.Report(Code::E0422, item.range,
                                  "`include if` has no effect in a sync into HubSpot only");
          d.notes.push_back(
              "an include filter chooses which HubSpot records sync to Salesforce (R37); this "
              "sync only writes HubSpot, so no record is ever filtered");
          d.notes.push_back(
              "in a two-way sync (`<->`) the filter also stops Salesforce updates to the records "
              "outside it (R42)");
          d.helps.push_back("remove the filter");
        }
        break;
      }
      case SyncItemKind::kPicklists: {
        if (!once("picklists", item)) break;
        if (out.hubspot->name != "contacts" && out.hubspot->name != "companies") {
          diags_.Report(Code::E0410, item.range,
                        "state and country picklist settings apply to contacts and companies only");
        }
        std::set<Side> sides;
        for (const auto& s : static_cast<const PicklistsItem&>(item).settings) {
          if (!sides.insert(s.side).second) {
            diags_.Report(
                Code::E0405, s.range,
                std::string("the ") + SideName(s.side) + " picklist mode is already given");
            continue;
          }
          const std::vector<std::string> allowed =
              s.side == Side::kSalesforce
                  ? std::vector<std::string>{"disabled", "enabled", "customized"}
                  : std::vector<std::string>{"match_defaults", "as_is"};
          if (std::find(allowed.begin(), allowed.end(), s.value.text) == allowed.end()) {
            auto& d = diags_.Report(
                Code::E0406, s.value.range,
                "`" + s.value.text + "` is not a " + SideName(s.side) + " picklist mode");
            diag::SuggestName(d, s.value.text, allowed);
            d.notes.push_back(std::string(SideName(s.side)) + ": " +
                              (s.side == Side::kSalesforce ? "disabled | enabled | customized"
                                                           : "match_defaults | as_is"));
            continue;
          }
          (s.side == Side::kSalesforce ? out.settings.picklists_salesforce
                                       : out.settings.picklists_hubspot) = s.value.text;
        }
        break;
      }
      case SyncItemKind::kLifecycle: {
        if (!once("lifecycle", item)) break;
        const auto& l = static_cast<const LifecycleItem&>(item);
        std::string words;
        for (const auto& w : l.source_words) words += (words.empty() ? "" : " ") + w.text;
        if (words != "opportunity contact roles") {
          diags_
              .Report(Code::E0406, item.range,
                      "lifecycle stages can only follow `opportunity contact roles` (R100)")
              .helps.push_back("write `lifecycle from opportunity contact roles { ... }`");
          break;
        }
        if (!is_contacts) {
          diags_.Report(Code::E0410, item.range, "lifecycle rules apply to the contacts sync only");
          break;
        }
        if (l.off) break;
        out.settings.lifecycle_enabled = true;
        const schema::Option* open_option = nullptr;
        const schema::Option* won_option = nullptr;
        SourceRange open_range{}, won_range{};
        std::map<std::string, SourceRange> listed_stages;  // R106 stage names seen so far
        for (const auto& rule : l.rules) {
          if (rule.kind == LifecycleRule::Kind::kSpread) {
            std::string spread;
            for (const auto& w : rule.spread_words) spread += (spread.empty() ? "" : " ") + w.text;
            if (spread != "company contacts") {
              diags_.Report(Code::E0406, rule.range,
                            "lifecycle stages spread only to `company contacts` (R103)");
            } else {
              out.settings.lifecycle_spread_to_company_contacts = true;
            }
            continue;
          }
          const schema::Option* target =
              lifecycle_field ? lifecycle_field->FindOption(rule.target.text) : nullptr;
          if (!target) {
            auto& d = diags_.Report(Code::E0406, rule.target.range,
                                    "`" + rule.target.text + "` is not a lifecycle stage");
            std::vector<std::string> values;
            if (lifecycle_field) {
              for (const auto& o : lifecycle_field->options) values.push_back(o.value);
            }
            diag::SuggestName(d, rule.target.text, values);
            continue;
          }
          if (rule.kind == LifecycleRule::Kind::kStageGroup) {
            if (rule.group.text == "open") {
              open_option = target;
              open_range = rule.range;
              out.settings.lifecycle_open_stage = target->value;
            } else if (rule.group.text == "won") {
              won_option = target;
              won_range = rule.range;
              out.settings.lifecycle_won_stage = target->value;
            } else {
              auto& d =
                  diags_.Report(Code::E0406, rule.group.range,
                                "`" + rule.group.text + "` is not an opportunity stage group");
              diag::SuggestName(d, rule.group.text, {"open", "won"});
              d.notes.push_back(
                  "groups are `open` (any open stage) and `won` (Closed Won); or list stages in "
                  "quotes");
            }
          } else {
            const auto* opportunity = schemas_.Find(schema::Crm::kSalesforce, "Opportunity");
            const auto* stage = opportunity ? opportunity->FindField("StageName") : nullptr;
            std::vector<std::string> names;
            for (const auto& s : rule.stages) {
              if (stage && !stage->FindOption(s.text)) {
                auto& d = diags_.Report(Code::E0412, s.range,
                                        "\"" + s.text + "\" is not an opportunity stage");
                std::vector<std::string> values;
                for (const auto& o : stage->options) values.push_back(o.value);
                diag::SuggestName(d, s.text, values);
                continue;
              }
              // One stage, one lifecycle stage (R106): a second rule for it would be ambiguous.
              if (auto first = listed_stages.find(s.text); first != listed_stages.end()) {
                auto& d = diags_.Report(Code::E0405, s.range,
                                        "\"" + s.text + "\" is already given a lifecycle stage");
                d.labels.push_back({first->second, "first given here"});
                continue;
              }
              listed_stages.emplace(s.text, s.range);
              names.push_back(s.text);
            }
            if (!names.empty())
              out.settings.lifecycle_stage_rules.emplace_back(std::move(names), target->value);
          }
        }
        // R99: transitions never go backwards, so "won" must not come before "open".
        if (open_option && won_option && won_option->display_order < open_option->display_order) {
          auto& d =
              diags_.Report(Code::E0407, won_range,
                            "closed-won opportunities would set `" + won_option->value +
                                "`, which comes before `" + open_option->value + "` for open ones");
          d.labels.push_back({open_range, "open opportunities set this later stage"});
          d.notes.push_back(
              "lifecycle stages only move forward (R99), so a won deal could never reach its "
              "stage");
        }
        break;
      }
      case SyncItemKind::kAutoCreate: {
        if (!once("auto-create", item)) break;
        const auto& a = static_cast<const AutoCreateItem&>(item);
        if (a.what.text != "companies") {
          auto& d = diags_.Report(Code::E0406, a.what.range,
                                  "only companies can be created automatically");
          diag::SuggestName(d, a.what.text, {"companies"});
          break;
        }
        if (!is_contacts) {
          diags_.Report(Code::E0410, item.range,
                        "`auto create companies` belongs to the contacts sync");
          break;
        }
        out.settings.auto_create_companies = true;
        auto_create = &a;
        break;
      }
      case SyncItemKind::kStages: {
        const auto& s = static_cast<const StagesItem&>(item);
        if (!is_deals) {
          diags_.Report(Code::E0410, item.range,
                        "stage maps belong to a deals <-> Opportunity sync");
          break;
        }
        CheckStages(s, out);
        break;
      }
      case SyncItemKind::kAssociate:
        CheckAssociation(static_cast<const AssociateItem&>(item), out);
        break;
      case SyncItemKind::kConflict:
        if (!once("conflict", item)) break;
        out.settings.conflict_winner = static_cast<const ConflictItem&>(item).winner;
        break;
      case SyncItemKind::kMap:
      case SyncItemKind::kMapFrom:
        break;
    }
  }
  // The seed's warning: leads have no account, and companies are deduplicated through their
  // contacts, so converting such a lead later makes a second HubSpot company (R57, R65).
  if (creates_leads && auto_create) {
    auto& d =
        diags_.Report(diag::Code::W0001, auto_create->range,
                      "creating Salesforce leads while companies are created automatically will "
                      "make duplicate companies");
    d.labels.push_back({lead_target->range, "HubSpot contacts become Salesforce leads here"});
    d.notes.push_back(
        "leads have no account; when a lead is converted or an account is created by hand, "
        "HubSpot creates a second company for it (R57, R65)");
    d.helps.push_back(
        "sync contacts as Salesforce contacts (`to salesforce: create or update Contact`), "
        "or remove `auto create companies`");
  }
}

// A `stages` block of a deals sync: its rows against both stage picklists (E0411, E0412), its
// pipeline (E0411) and record type (E0420, R78), and how it fits with the sync's other blocks:
// each pipeline and record type once, one block for the opportunities of no listed record type
// (E0405), and with several blocks every block names its pipeline (E0421).
void Checker::CheckStages(const syntax::StagesItem& s, CheckedSync& out) {
  CheckedStages block;
  block.syntax = &s;
  const auto* dealstage = out.hubspot->FindField("dealstage");
  const schema::Field* stage_name = nullptr;
  const schema::Object* opportunity = nullptr;
  for (const auto* o : out.salesforce) {
    if (const auto* f = o->FindField("StageName")) {
      stage_name = f;
      opportunity = o;
    }
  }
  for (const auto& row : s.rows) {
    if (dealstage && !dealstage->options.empty() &&
        !dealstage->FindOption(row.hubspot_stage.text)) {
      auto& d =
          diags_.Report(Code::E0411, row.hubspot_stage.range,
                        "`" + row.hubspot_stage.text + "` is not a stage of the deal pipeline");
      std::vector<std::string> values;
      for (const auto& o : dealstage->options) values.push_back(o.value);
      diag::SuggestName(d, row.hubspot_stage.text, values);
    }
    std::vector<std::string> sf_stages;
    for (const auto& sf : row.salesforce_stages) {
      if (stage_name && !stage_name->FindOption(sf.text)) {
        auto& d =
            diags_.Report(Code::E0412, sf.range, "\"" + sf.text + "\" is not an opportunity stage");
        std::vector<std::string> values;
        for (const auto& o : stage_name->options) values.push_back(o.value);
        diag::SuggestName(d, sf.text, values);
      }
      sf_stages.push_back(sf.text);
    }
    block.rows.emplace_back(row.hubspot_stage.text, sf_stages);
  }
  if (s.pipeline) {
    block.pipeline = s.pipeline->text;
    const auto* pipeline = out.hubspot->FindField("pipeline");
    if (pipeline && !pipeline->options.empty() && !pipeline->FindOption(s.pipeline->text)) {
      auto& d = diags_.Report(Code::E0411, s.pipeline->range,
                              "\"" + s.pipeline->text + "\" is not a deal pipeline");
      std::vector<std::string> values;
      for (const auto& o : pipeline->options) values.push_back(o.value);
      diag::SuggestName(d, s.pipeline->text, values);
    }
  }
  if (s.record_type) {
    block.record_type = s.record_type->text;
    // Checked when the schema lists the org's record types (a saved describe, `--schemas`);
    // the builtin describe knows the Master only.
    if (opportunity && opportunity->KnowsRecordTypes()) {
      const schema::RecordType* rt = opportunity->FindRecordType(s.record_type->text);
      if (!rt || rt->master) {
        auto& d = diags_.Report(Code::E0420, s.record_type->range,
                                "\"" + s.record_type->text +
                                    "\" is not a record type of salesforce." + opportunity->name);
        std::vector<std::string> values;
        for (const auto& r : opportunity->record_types)
          if (!r.master) values.push_back(r.developer_name);
        diag::SuggestName(d, s.record_type->text, values);
        d.notes.push_back("record types are named by their API name (DeveloperName) or their id");
      } else if (!rt->active) {
        diags_
            .Report(Code::E0420, s.record_type->range,
                    "record type \"" + s.record_type->text + "\" of salesforce." +
                        opportunity->name + " is inactive")
            .notes.push_back("Salesforce refuses opportunities of an inactive record type");
      }
    }
  }
  for (const auto& other : out.stage_maps) {
    if (!block.pipeline.empty() && other.pipeline == block.pipeline) {
      auto& d = diags_.Report(Code::E0405, s.pipeline->range,
                              "pipeline \"" + block.pipeline + "\" already has a stage map");
      d.labels.push_back({other.syntax->pipeline->range, "first given here"});
      return;
    }
    if (!block.record_type.empty() && other.record_type == block.record_type) {
      auto& d = diags_.Report(Code::E0405, s.record_type->range,
                              "record type \"" + block.record_type + "\" already has a stage map");
      d.labels.push_back({other.syntax->record_type->range, "first given here"});
      return;
    }
    if (block.record_type.empty() && other.record_type.empty()) {
      auto& d =
          diags_.Report(Code::E0405, s.range, "a stage map without a record type is already given");
      d.labels.push_back({other.syntax->range, "first given here"});
      d.notes.push_back(
          "the stage map without a record type serves the opportunities of no listed record "
          "type; give each other block `record type \"<DeveloperName>\"` (R78)");
      return;
    }
  }
  if (!out.stage_maps.empty()) {
    const CheckedStages* unnamed = block.pipeline.empty() ? &block : nullptr;
    for (const auto& other : out.stage_maps)
      if (!unnamed && other.pipeline.empty()) unnamed = &other;
    if (unnamed) {
      auto& d = diags_.Report(Code::E0421, unnamed->syntax->range,
                              "this stage map names no pipeline, but the sync has several");
      d.helps.push_back("write `stages pipeline \"<pipeline>\" { ... }`");
      d.notes.push_back(
          "with several stage maps, each holds the deals of one HubSpot pipeline (R78, R80)");
      return;
    }
  }
  out.stage_maps.push_back(std::move(block));
}

// `associate OBJECT (via FIELD)`: associations sync only between objects that sync (R133), by a
// Salesforce lookup (on this record, or Contact.AccountId for an account's contacts) or by
// opportunity contact roles. Without `via`, the standard link between the two objects is used.
void Checker::CheckAssociation(const syntax::AssociateItem& a, CheckedSync& out) {
  static const std::map<std::string, std::string> kSalesforceOf = {{"contacts", "Contact"},
                                                                   {"companies", "Account"},
                                                                   {"deals", "Opportunity"},
                                                                   {"tickets", "Case"}};
  const std::string& what = a.what.text;
  const schema::Object* other = schemas_.Find(schema::Crm::kHubSpot, what);
  if (!other) {
    auto& d = diags_.Report(Code::E0418, a.what.range,
                            "`" + what + "` is not a HubSpot object to associate with");
    std::vector<std::string> names;
    for (const auto& [n, sf] : kSalesforceOf) names.push_back(n);
    diag::SuggestName(d, what, names);
    return;
  }
  if (what == out.hubspot->name) {
    diags_.Report(Code::E0418, a.what.range, "a record cannot be associated with its own object");
    return;
  }
  for (const auto& [name, via] : out.associations) {
    if (name == what) {
      diags_.Report(Code::E0405, a.range, "`" + what + "` is associated twice in this sync");
      return;
    }
  }
  std::string via;
  if (!a.via.empty()) {
    if (a.via.size() > 1) {
      diags_.Report(Code::E0418, a.via[1].range, "an association goes through one lookup field");
      return;
    }
    const schema::Field* f = nullptr;
    for (const auto* o : out.salesforce)
      if ((f = o->FindField(a.via.front().text))) break;
    if (!f) {
      if (!out.salesforce.empty()) ResolveField(*out.salesforce.front(), a.via.front());
      return;
    }
    if (f->api_type != "reference" && f->api_type != "id") {
      auto& d = diags_.Report(Code::E0418, a.via.front().range,
                              "`" + f->name + "` is a `" + f->api_type +
                                  "` field, not a lookup; associations go through lookups");
      d.helps.push_back("name a lookup (reference) field of salesforce." +
                        out.salesforce.front()->name);
      return;
    }
    via = f->name;
  } else {
    const std::string me = out.hubspot->name;
    const bool standard =
        (me == "companies" && what == "contacts") || (me == "deals" && what == "companies") ||
        (me == "deals" && what == "contacts") || (me == "tickets" && what == "companies") ||
        (me == "tickets" && what == "contacts");
    if (!standard) {
      auto& d =
          diags_.Report(Code::E0418, a.what.range,
                        "there is no standard Salesforce link between " + me + " and " + what);
      d.helps.push_back("name the Salesforce lookup field: `associate " + what +
                        " via <LookupField>`");
      return;
    }
  }
  out.associations.emplace_back(what, via);
}

void Checker::CheckDirectionTable(const Mapping& m, const schema::Field& hs,
                                  const schema::Field& sf) {
  switch (MappingCompat(hs, sf)) {
    case Compat::kYes:
      break;
    case Compat::kUnverified: {
      if (suppress_warnings_) break;
      auto& d =
          diags_.Report(Code::W0004, m.arrow_range,
                        "mapping a HubSpot " + UiTypeName(hs) + " property to a Salesforce `" +
                            sf.api_type + "` field is not in the integration's documented table");
      d.notes.push_back("HubSpot documents " + UiTypeName(hs) + " -> " + AllowedFor(hs) +
                        " (R17, R23)");
      break;
    }
    case Compat::kNo: {
      auto& d = diags_.Report(Code::E0401, m.arrow_range,
                              "`" + hs.name + "` (" + UiTypeName(hs) + ") cannot be mapped to `" +
                                  sf.name + "` (" + sf.api_type + ")");
      d.labels.push_back({m.hubspot.range, UiTypeName(hs)});
      d.labels.push_back({m.salesforce.range, sf.api_type});
      d.notes.push_back("a HubSpot " + UiTypeName(hs) + " property maps to Salesforce " +
                        AllowedFor(hs) + " (R17)");
      d.helps.push_back(
          "convert the value with a transform (`to salesforce = ...`, `to hubspot = ...`), "
          "or map a field of a compatible type");
      return;
    }
  }
  // R22: compatible types whose option values differ. Deal stages go through the stage map.
  if (hs.name == "dealstage" && has_stage_map_) return;
  if (suppress_warnings_) return;
  if (!hs.options.empty() && !sf.options.empty() && sf.restricted) {
    std::vector<std::string> missing;
    for (const auto& o : hs.options) {
      if (!sf.FindOption(o.value)) missing.push_back(o.value);
    }
    if (!missing.empty()) {
      auto& d = diags_.Report(Code::W0003, m.arrow_range,
                              std::to_string(missing.size()) + " option" +
                                  (missing.size() == 1 ? "" : "s") + " of `" + hs.name +
                                  "` are not values of `" + sf.name + "`");
      std::string list;
      for (size_t i = 0; i < missing.size() && i < 5; ++i)
        list += (i ? ", " : "") + ("\"" + missing[i] + "\"");
      d.notes.push_back("records with " + list + (missing.size() > 5 ? ", ..." : "") +
                        " will fail with a picklist error (R25)");
      d.helps.push_back("translate the values with a transform, e.g. `to salesforce = match " +
                        hs.name + " { ... }`");
    }
  }
}

void Checker::CheckMapping(const Mapping& m, CheckedSync& out,
                           std::map<std::string, const Mapping*>& hubspot_seen,
                           std::map<std::string, const Mapping*>& salesforce_seen) {
  CheckedMapping cm;
  cm.syntax = &m;
  // R (arrow vs rule): each rule has one arrow it fits.
  SyncRule rule = m.rule;
  Side rule_side = m.rule_side;
  bool rule_ok = true;
  auto contradiction = [&](const std::string& arrow_help) {
    auto& d = diags_.Report(Code::E0404, m.rule_range, "this sync rule contradicts the arrow");
    d.labels.push_back({m.arrow_range, "the arrow says which way values move"});
    d.helps.push_back(arrow_help);
    rule_ok = false;
  };
  switch (m.arrow) {
    case MapArrow::kBoth:
      if (rule == SyncRule::kUnspecified) rule = SyncRule::kTwoWay;
      if (rule == SyncRule::kAlways) {
        contradiction(std::string("`always ") + SideName(rule_side) +
                      "` moves values one way: write `" +
                      (rule_side == Side::kSalesforce ? "<-" : "->") + "`");
      }
      if (rule == SyncRule::kDontSync) contradiction("`don't sync` moves nothing: write `--`");
      break;
    case MapArrow::kToSalesforce:
      if (rule == SyncRule::kUnspecified) {
        rule = SyncRule::kAlways;
        rule_side = Side::kHubSpot;
      } else if (!(rule == SyncRule::kAlways && rule_side == Side::kHubSpot)) {
        contradiction("`->` means HubSpot always wins; for two-way rules write `<->`");
      }
      break;
    case MapArrow::kToHubSpot:
      if (rule == SyncRule::kUnspecified) {
        rule = SyncRule::kAlways;
        rule_side = Side::kSalesforce;
      } else if (!(rule == SyncRule::kAlways && rule_side == Side::kSalesforce)) {
        contradiction("`<-` means Salesforce always wins (R6, R7); for two-way rules write `<->`");
      }
      break;
    case MapArrow::kNever:
      if (rule == SyncRule::kUnspecified) rule = SyncRule::kDontSync;
      if (rule != SyncRule::kDontSync) contradiction("`--` means the values never sync (R10)");
      break;
  }
  cm.rule = rule;
  cm.rule_side = rule_side;
  cm.writes_salesforce = rule_ok && rule != SyncRule::kDontSync &&
                         !(rule == SyncRule::kAlways && rule_side == Side::kSalesforce) &&
                         out.syntax->direction != SyncDirection::kToHubSpot;
  cm.writes_hubspot = rule_ok && rule != SyncRule::kDontSync &&
                      !(rule == SyncRule::kAlways && rule_side == Side::kHubSpot) &&
                      out.syntax->direction != SyncDirection::kToSalesforce;

  // Fields.
  if (m.hubspot.qualifier) {
    diags_.Report(Code::E0502, m.hubspot.range, "HubSpot fields are written without an object name")
        .helps.push_back("write `" + m.hubspot.field.text + "`");
    return;
  }
  cm.hubspot = ResolveField(*out.hubspot, m.hubspot.field);
  const schema::Object* only = nullptr;
  if (m.salesforce.qualifier) {
    for (const auto* o : out.salesforce) {
      if (o->name == m.salesforce.qualifier->text) only = o;
    }
    if (!only) {
      auto& d = diags_.Report(
          Code::E0501, m.salesforce.qualifier->range,
          "`" + m.salesforce.qualifier->text + "` is not one of this sync's Salesforce objects");
      std::vector<std::string> names;
      for (const auto* o : out.salesforce) names.push_back(o->name);
      diag::SuggestName(d, m.salesforce.qualifier->text, names);
      // R16: the integration edits an object's mappings only once its sync is on; here an
      // object's mappings live in a sync of that object, so say which one.
      const std::string& object = m.salesforce.qualifier->text;
      const std::string hs = HubSpotCounterpart(object);
      if (hs == out.hubspot->name) {
        d.helps.push_back("add `salesforce." + object + "` to this sync's Salesforce objects");
      } else if (schemas_.Find(schema::Crm::kSalesforce, object)) {
        d.helps.push_back("map `" + object + "` fields in a sync of it, `sync " +
                          (hs.empty() ? "name" : hs) + ": hubspot." +
                          (hs.empty() ? "<object>" : hs) + " <-> salesforce." + object +
                          " { ... }`: an object's mappings need its own sync (R16)");
      }
      return;
    }
  }
  bool any_sf = false;
  for (const auto* o : out.salesforce) {
    const schema::Field* f =
        (only == nullptr || only == o) ? o->FindField(m.salesforce.field.text) : nullptr;
    cm.salesforce.push_back(f);
    any_sf |= f != nullptr;
  }
  if (!any_sf) {
    ResolveField(only ? *only : *out.salesforce.front(), m.salesforce.field);
    return;
  }
  if (!cm.hubspot) return;

  // R19: a property or field may be in one mapping only. A HubSpot property may still map to
  // one field of each Salesforce object (the defaults map `city` to Lead.City and to
  // Contact.MailingCity).
  for (size_t i = 0; i < out.salesforce.size(); ++i) {
    if (!cm.salesforce[i]) continue;
    const std::string key = out.salesforce[i]->name + ":" + cm.hubspot->name;
    auto [it, inserted] = hubspot_seen.emplace(key, &m);
    if (!inserted && it->second != &m) {
      auto& d = diags_.Report(Code::E0402, m.hubspot.range,
                              "`" + cm.hubspot->name + "` is already mapped to a " +
                                  out.salesforce[i]->name + " field in this sync (R19)");
      d.labels.push_back({it->second->hubspot.range, "first mapped here"});
      d.helps.push_back(
          "each HubSpot property and Salesforce field can be in one mapping; remove one of them");
      break;
    }
  }
  for (size_t i = 0; i < out.salesforce.size(); ++i) {
    if (!cm.salesforce[i]) continue;
    const std::string key = out.salesforce[i]->name + "." + cm.salesforce[i]->name;
    auto [it, inserted] = salesforce_seen.emplace(key, &m);
    if (!inserted && it->second != &m) {
      auto& d = diags_.Report(Code::E0402, m.salesforce.range,
                              "`" + key + "` is already mapped in this sync (R19)");
      d.labels.push_back({it->second->salesforce.range, "first mapped here"});
      break;
    }
  }
  // R20 is about custom properties of the HubSpot-user type; the standard owner property maps
  // to OwnerId (R11).
  if (cm.hubspot->hubspot_user && cm.hubspot->custom) {
    diags_
        .Report(
            Code::E0409, m.hubspot.range,
            "`" + cm.hubspot->name + "` is a HubSpot user property, which cannot be mapped (R20)")
        .helps.push_back("map the owner with `hubspot_owner_id <-> OwnerId` instead");
    return;
  }
  if (!rule_ok) return;

  // Transforms: which direction each writes.
  for (const auto& t : m.transforms) {
    std::optional<Side> to = t.to;
    if (!to) {
      if (m.arrow == MapArrow::kToSalesforce) to = Side::kSalesforce;
      if (m.arrow == MapArrow::kToHubSpot) to = Side::kHubSpot;
    }
    if (!to) {
      diags_.Report(Code::E0413, t.range, "say which way this transform goes")
          .helps.push_back("write `to salesforce = ...` or `to hubspot = ...`");
      continue;
    }
    const bool writes = *to == Side::kSalesforce ? cm.writes_salesforce : cm.writes_hubspot;
    if (!writes) {
      diags_
          .Report(Code::E0413, t.range,
                  std::string("this mapping never writes to ") + SideName(*to))
          .labels.push_back(
              {m.rule_range.end > 0 ? m.rule_range : m.arrow_range, "because of this"});
      continue;
    }
    const Expr*& slot = *to == Side::kSalesforce ? cm.to_salesforce : cm.to_hubspot;
    if (slot) {
      diags_.Report(Code::E0405, t.range,
                    std::string("a transform to ") + SideName(*to) + " is already given");
      continue;
    }
    slot = t.value.get();
    Scope scope;
    scope.hubspot = out.hubspot;
    scope.salesforce = out.salesforce;
    scope.bare_names = *to == Side::kSalesforce ? Side::kHubSpot : Side::kSalesforce;
    scope.allow_skip = true;
    Type actual = CheckExpr(t.value.get(), scope);
    if (*to == Side::kSalesforce) {
      for (const auto* f : cm.salesforce) {
        if (f) {
          CheckAssignable(actual, FieldType(*f), t.value.get(), "`" + f->name + "`");
          break;
        }
      }
    } else {
      CheckAssignable(actual, FieldType(*cm.hubspot), t.value.get(), "`" + cm.hubspot->name + "`");
    }
  }

  // R17: directions without a transform copy the value as it is, so the types must fit.
  for (size_t i = 0; i < out.salesforce.size(); ++i) {
    const schema::Field* sf = cm.salesforce[i];
    if (!sf) continue;
    const bool raw_to_sf = cm.writes_salesforce && !cm.to_salesforce;
    const bool raw_to_hs = cm.writes_hubspot && !cm.to_hubspot;
    if (raw_to_sf || raw_to_hs) {
      CheckDirectionTable(m, *cm.hubspot, *sf);
      break;  // one report per mapping; R14 fields share one API name and type
    }
  }
  // Read-only targets.
  for (const auto* sf : cm.salesforce) {
    if (sf && cm.writes_salesforce && (sf->read_only || sf->calculated)) {
      diags_
          .Report(Code::E0408, m.salesforce.range, "`" + sf->name + "` is read-only in Salesforce")
          .helps.push_back("map it one way into HubSpot: `" + m.hubspot.field.text + " <- " +
                           sf->name + "`");
      break;
    }
  }
  if (cm.writes_hubspot && (cm.hubspot->read_only || cm.hubspot->calculated)) {
    diags_
        .Report(Code::E0408, m.hubspot.range, "`" + cm.hubspot->name + "` is read-only in HubSpot")
        .helps.push_back("map it one way into Salesforce: `" + cm.hubspot->name + " -> " +
                         m.salesforce.field.text + "`");
  }
  out.mappings.push_back(std::move(cm));
}

const MappingsDecl* Checker::ResolveMappingSet(const MapFromItem& item, bool& from_std) {
  std::string path;
  for (const auto& n : item.path) path += (path.empty() ? "" : ".") + n.text;
  SourceRange range = item.path.front().range;
  range.end = item.path.back().range.end;
  if (item.path.size() == 1) {
    if (auto it = mapping_sets_.find(path); it != mapping_sets_.end()) {
      used_definitions_.insert(path);
      return it->second;
    }
  }
  // A module, by full path or by its `use` alias; the set is the module's `mappings` whose
  // name is the module's last segment.
  std::string module_path = path;
  if (auto alias = module_aliases_.find(path); alias != module_aliases_.end()) {
    module_path = alias->second;
  }
  const bool used =
      std::find(out_->uses.begin(), out_->uses.end(), module_path) != out_->uses.end();
  auto imported = imports_.find(module_path);
  if (!used || imported == imports_.end()) {
    auto& d = diags_.Report(Code::E0201, range, "no mapping set named `" + path + "`");
    const auto& std_modules = StdModules();
    if (!used && std::find(std_modules.begin(), std_modules.end(), path) != std_modules.end()) {
      d.helps.push_back("add `use " + path + "` at the top of the file");
      return nullptr;
    }
    std::vector<std::string> names;
    for (const auto& [n, m] : mapping_sets_) names.push_back(n);
    for (const auto& [p, m] : imports_) names.push_back(p);
    diag::SuggestName(d, path, names);
    return nullptr;
  }
  const std::string last = module_path.substr(module_path.rfind('.') + 1);
  for (const auto& decl : imported->second->decls) {
    if (decl->kind == DeclKind::kMappings &&
        static_cast<const MappingsDecl&>(*decl).name.text == last) {
      from_std = true;
      return static_cast<const MappingsDecl*>(decl.get());
    }
  }
  diags_.Report(Code::E0201, range,
                "module `" + module_path + "` has no mapping set `" + last + "`");
  return nullptr;
}

bool Checker::Overridden(const Mapping& m, const CheckedSync& out) {
  for (const auto& own : out.mappings) {
    if (own.syntax->hubspot.field.text == m.hubspot.field.text) {
      // The same HubSpot property overrides when it pairs with the same Salesforce object.
      if (!m.salesforce.qualifier || !own.syntax->salesforce.qualifier ||
          own.syntax->salesforce.qualifier->text == m.salesforce.qualifier->text) {
        return true;
      }
    }
    for (size_t i = 0; i < out.salesforce.size(); ++i) {
      if (own.salesforce[i] == nullptr) continue;
      const bool same_object =
          !m.salesforce.qualifier || m.salesforce.qualifier->text == out.salesforce[i]->name;
      if (same_object && own.salesforce[i]->name == m.salesforce.field.text) return true;
    }
  }
  return false;
}

void Checker::CheckRequiredFields(const SyncDecl& sync, CheckedSync& out) {
  if (sync.direction == SyncDirection::kToHubSpot) return;
  if (out.settings.in_salesforce != CreateAction::kCreateOrUpdate) return;
  const schema::Object* target = out.settings.salesforce_create_target;
  if (!target) return;
  size_t index = 0;
  for (size_t i = 0; i < out.salesforce.size(); ++i) {
    if (out.salesforce[i] == target) index = i;
  }
  std::vector<std::string> missing;
  for (const auto& field : target->fields) {
    if (!field.required_on_create) continue;
    const bool mapped =
        std::any_of(out.mappings.begin(), out.mappings.end(), [&](const CheckedMapping& m) {
          return m.writes_salesforce && index < m.salesforce.size() &&
                 m.salesforce[index] == &field;
        });
    if (!mapped) missing.push_back(field.name);
  }
  if (missing.empty()) return;
  std::string list;
  for (size_t i = 0; i < missing.size(); ++i) list += (i ? ", " : "") + ("`" + missing[i] + "`");
  auto& d =
      diags_.Report(Code::E0403, sync.name.range,
                    "creating Salesforce " + target->name + " records needs " + list + ", which " +
                        (missing.size() == 1 ? "is" : "are") + " not mapped to Salesforce");
  d.notes.push_back("Salesforce rejects a new " + target->name + " without " +
                    (missing.size() == 1 ? "it" : "them") + " (REQUIRED_FIELD_MISSING)");
  // A concrete example only from a HubSpot property of the same name (lastname -> LastName):
  // any other guess (a contact's `company` for a deal's StageName) would mislead.
  std::string example = missing.front();
  std::transform(example.begin(), example.end(), example.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (out.hubspot && out.hubspot->FindField(example)) {
    d.helps.push_back("add a mapping that writes it, e.g. `" + example + " -> " + missing.front() +
                      " = " + example + " ?? \"Unknown\"`, or set `to salesforce: update only`");
  } else {
    d.helps.push_back("add a mapping from a hubspot." +
                      (out.hubspot ? out.hubspot->name : std::string("<object>")) +
                      " property that writes it (`PROPERTY -> " + missing.front() +
                      " = PROPERTY ?? \"...\"` when it may be blank), or set `to salesforce: "
                      "update only`");
  }
}

}  // namespace syncline::sema
