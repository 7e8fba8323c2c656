// `activities from salesforce.Task { types ...; <property> = expr ... }` (R89, R90, R93):
// Salesforce tasks and events become HubSpot engagements. The runtime maps the usual fields itself
// (runtime/engine/salesforce_activity_runner.h); the block's assignments are optional and write
// HubSpot engagement properties. One block lists several types whose engagement objects have
// different properties (hs_task_subject, hs_call_title, ...), so an assignment is checked against
// every listed type's object: it must name a property of at least one of them, and it is written
// on the objects that have it (docs/language.md, "Activities").
#include <algorithm>
#include <map>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/sema/checker.h"

namespace syncline::sema {

using diag::Code;
using syntax::ActivitiesDecl;

namespace {

// The HubSpot property a created engagement carries "salesforce:Task:<id>" in, so a create
// interrupted by a crash is found again (engine::ActivityProgram::hubspot_marker).
constexpr const char* kMarkerProperty = "hs_unique_creation_key";

const std::vector<std::pair<std::string, Type>>& Fields() {
  static const std::vector<std::pair<std::string, Type>> fields = {
      {"type", Type::Of(TypeKind::kText)},  // tasks, emails, calls, meetings
      {"subject", Type::Of(TypeKind::kText, true)},
      {"description", Type::Of(TypeKind::kText, true)},
      {"status", Type::Of(TypeKind::kText, true)},     // Task Status; blank for meetings
      {"priority", Type::Of(TypeKind::kText, true)},   // Task Priority; blank for meetings
      {"due", Type::Of(TypeKind::kDate, true)},        // ActivityDate
      {"timestamp", Type::Of(TypeKind::kDateTime)},    // when it happened (never blank)
      {"start", Type::Of(TypeKind::kDateTime, true)},  // Event StartDateTime
      {"end", Type::Of(TypeKind::kDateTime, true)},    // Event EndDateTime
      {"location", Type::Of(TypeKind::kText, true)},   // Event Location
  };
  return fields;
}

}  // namespace

std::optional<Type> SalesforceActivityField(const std::string& name) {
  for (const auto& [n, t] : Fields())
    if (n == name) return t;
  return std::nullopt;
}

std::vector<std::string> SalesforceActivityFieldNames() {
  std::vector<std::string> names;
  for (const auto& f : Fields()) names.push_back(f.first);
  return names;
}

void Checker::CheckActivitiesFromSalesforce(const ActivitiesDecl& decl,
                                            const schema::Object& task) {
  CheckedActivities out;
  out.syntax = &decl;
  out.salesforce = &task;
  out.to_salesforce = false;
  // The engagement objects of the listed types (the type names are the objects' names; unknown
  // ones were reported by CheckActivities).
  std::vector<const schema::Object*> objects;
  for (const auto& t : decl.types) {
    const auto* o = schemas_.Find(schema::Crm::kHubSpot, t.text);
    if (!o ||
        (t.text != "tasks" && t.text != "emails" && t.text != "calls" && t.text != "meetings"))
      continue;
    if (std::find(objects.begin(), objects.end(), o) != objects.end()) continue;
    objects.push_back(o);
    out.types.push_back(t.text);
  }
  std::string listed;
  for (const auto* o : objects) listed += (listed.empty() ? "" : ", ") + o->name;

  Scope scope;
  scope.salesforce_activity = true;
  scope.allow_skip = true;
  std::map<std::string, const ActivitiesDecl::Field*> seen;
  for (const auto& f : decl.fields) {
    const Type t = CheckExpr(f.value.get(), scope);
    const std::string& name = f.name.text;
    if (auto [it, fresh] = seen.emplace(name, &f); !fresh) {
      auto& d = diags_.Report(Code::E0402, f.name.range,
                              "`" + name + "` is already assigned in this block");
      d.labels.push_back({it->second->name.range, "first assigned here"});
      continue;
    }
    CheckedActivities::Field cf;
    cf.value = f.value.get();
    for (const auto* o : objects) {
      if (const auto* p = o->FindField(name)) {
        if (!cf.field) cf.field = p;
        cf.hubspot_objects.push_back(o->name);
      }
    }
    if (!cf.field) {
      if (objects.empty()) continue;  // no valid type: reported already
      auto& d = diags_.Report(Code::E0502, f.name.range,
                              "`" + name + "` is not a property of " +
                                  (objects.size() == 1 ? "hubspot." + listed : "any of " + listed));
      std::vector<std::string> names;
      for (const auto* o : objects)
        for (const auto& p : o->fields) names.push_back(p.name);
      diag::SuggestName(d, name, names);
      d.notes.push_back(
          "the assignments of an `activities from salesforce.Task` block write properties of "
          "the HubSpot engagement objects of its types");
      continue;
    }
    // R93: owners do not sync. The engagement's owner stays unset (HubSpot: unassigned).
    if (cf.field->hubspot_user) {
      diags_
          .Report(Code::E0409, f.name.range,
                  "`" + name + "` is a HubSpot user property: activity owners do not sync (R93)")
          .helps.push_back("leave it out; HubSpot shows the engagement unassigned");
      continue;
    }
    if (cf.field->read_only || cf.field->calculated || name == kMarkerProperty) {
      auto& d = diags_.Report(Code::E0408, f.name.range,
                              "`" + name + "` is read-only in HubSpot" +
                                  (name == kMarkerProperty ? " here: Syncline writes it" : ""));
      if (name == kMarkerProperty)
        d.notes.push_back(
            "it holds \"salesforce:Task:<id>\", which finds an engagement again "
            "after a crash");
      continue;
    }
    // The same name is the same property on every engagement object (hs_timestamp).
    CheckAssignable(t, FieldType(*cf.field), f.value.get(), "`" + name + "`");
    out.fields.push_back(std::move(cf));
  }
  out_->activities.push_back(std::move(out));
}

}  // namespace syncline::sema
