// Checks of `workflow` blocks (R135-R138): triggers on HubSpot contacts, companies or deals and
// the actions they take in Salesforce and HubSpot. What runs them is
// runtime/engine/workflow_runner.h.
#include <algorithm>

#include "compiler/sema/checker.h"

namespace syncline::sema {

using diag::Code;
using namespace syntax;

namespace {

// Fields the runtime sets on a workflow's task: the enrolled contact's lead or contact (WhoId),
// or the enrolled company's account or deal's opportunity (WhatId), and the marker that finds a
// task again after a crash.
bool RuntimeTaskField(const std::string& name, const std::string& enrolled) {
  return name == "CallObject" || name == (enrolled == "contacts" ? "WhoId" : "WhatId");
}

// The HubSpot objects a workflow can enrol: those whose records sync to a Salesforce record a
// task can name (contacts: WhoId; companies and deals: WhatId).
bool Enrollable(const std::string& object) {
  return object == "contacts" || object == "companies" || object == "deals";
}

}  // namespace

// `set hubspot.contacts { ... }` sets the enrolled contact's properties, `set hubspot.companies
// { ... }` its primary company's (R135: "set company property values that then sync to
// Salesforce"). The values are expressions over the contact, like a task's fields.
void Checker::CheckSetRecord(const WorkflowAction& a, const Scope& scope, CheckedWorkflow& out) {
  const std::string& object = a.object.object.text;
  const std::string& enrolled = out.hubspot->name;
  const bool ok = a.object.side == Side::kHubSpot &&
                  (object == enrolled || (enrolled == "contacts" && object == "companies"));
  if (!ok) {
    auto& d = diags_.Report(Code::E0419, a.object.range,
                            enrolled == "contacts"
                                ? "a workflow sets properties of the enrolled contact or of its "
                                  "company"
                                : "a workflow sets properties of the enrolled record");
    d.helps.push_back(enrolled == "contacts"
                          ? "write `set hubspot.companies { property = value }` or `set "
                            "hubspot.contacts { ... }`; Salesforce fields follow through the syncs"
                          : "write `set hubspot." + enrolled +
                                " { property = value }`; Salesforce fields follow through the "
                                "syncs");
    return;
  }
  for (const auto& s : out.sets) {
    if (s.object && s.object->name == object) {
      diags_.Report(Code::E0419, a.range, "this workflow already sets `hubspot." + object + "`")
          .helps.push_back("set every property in one `set hubspot." + object + " { ... }`");
      return;
    }
  }
  if (a.owner)
    diags_.Report(Code::E0419, a.owner->range, "`owner` assigns tasks only")
        .helps.push_back("set the owner property: `hubspot_owner_id = \"...\"`");
  if (a.fields.empty())
    diags_.Report(Code::E0419, a.range, "`set hubspot." + object + "` sets no property")
        .helps.push_back("write `set hubspot." + object + " { property = value }`");
  CheckedWorkflow::SetRecord set;
  set.object = ResolveObject(a.object);
  if (!set.object) return;
  Scope fields = scope;
  fields.allow_skip = true;
  std::set<std::string> assigned;
  for (const auto& f : a.fields) {
    const auto* field = ResolveField(*set.object, f.name);
    Type t = CheckExpr(f.value.get(), fields);
    if (!field) continue;
    if (field->read_only || field->calculated) {
      diags_.Report(Code::E0408, f.name.range, "`" + field->name + "` is read-only in HubSpot");
      continue;
    }
    if (!assigned.insert(field->name).second) {
      diags_.Report(Code::E0402, f.name.range, "`" + field->name + "` is set twice");
      continue;
    }
    CheckAssignable(t, FieldType(*field), f.value.get(), "`" + field->name + "`");
    set.fields.push_back({field, f.value.get(), {}});
  }
  out.sets.push_back(std::move(set));
}

void Checker::CheckWorkflow(const WorkflowDecl& decl) {
  CheckedWorkflow out;
  out.syntax = &decl;
  if (!workflow_names_.insert(decl.name.text).second)
    diags_.Report(Code::E0419, decl.name.range,
                  "a workflow named `" + decl.name.text + "` is already defined");
  if (decl.object.side != Side::kHubSpot || !Enrollable(decl.object.object.text)) {
    diags_
        .Report(Code::E0419, decl.object.range,
                "workflows enrol HubSpot contacts, companies or deals")
        .helps.push_back("write `workflow " + decl.name.text + ": hubspot.contacts { ... }`");
    return;
  }
  out.hubspot = ResolveObject(decl.object);
  if (!out.hubspot) return;

  // Triggers: at least one; each `when P changes` names a contact property.
  if (decl.triggers.empty())
    diags_.Report(Code::E0419, decl.name.range, "workflow `" + decl.name.text + "` has no trigger")
        .helps.push_back("add `when enters segment \"List name\"` or `when <property> changes`");
  std::set<std::string> seen;
  for (const auto& t : decl.triggers) {
    const std::string key = (t.kind == WorkflowTrigger::Kind::kEntersSegment    ? "segment:"
                             : t.kind == WorkflowTrigger::Kind::kEntersCampaign ? "campaign:"
                                                                                : "changes:") +
                            t.subject.text;
    if (!seen.insert(key).second) {
      diags_.Report(Code::E0419, t.range, "this trigger is listed twice");
      continue;
    }
    if (t.kind == WorkflowTrigger::Kind::kEntersSegment) {
      if (t.subject.text.empty())
        diags_.Report(Code::E0419, t.subject.range, "a segment needs a name");
      continue;
    }
    if (t.kind == WorkflowTrigger::Kind::kEntersCampaign) {
      if (out.hubspot->name != "contacts")
        diags_.Report(Code::E0419, t.range, "only contacts enter campaigns")
            .notes.push_back("a campaign member is a Salesforce lead or contact");
      else if (t.subject.text.empty())
        diags_.Report(Code::E0419, t.subject.range, "a campaign needs a name");
      continue;
    }
    if (const auto* f = ResolveField(*out.hubspot, t.subject))
      out.trigger_properties.push_back(f->name);
  }

  // The condition: true/false over the contact's properties, evaluated at enrolment.
  Scope scope;
  scope.hubspot = out.hubspot;
  scope.bare_names = Side::kHubSpot;
  for (size_t i = 0; i < decl.conditions.size(); ++i) {
    const Expr* c = decl.conditions[i].get();
    if (i > 0) {
      diags_.Report(Code::E0419, c->range, "a workflow has one `if`")
          .helps.push_back("join the conditions with `and`");
      continue;
    }
    Type t = CheckExpr(c, scope);
    if (!t.IsError()) {
      if (t.kind != TypeKind::kBool)
        diags_.Report(Code::E0305, c->range,
                      "a workflow's `if` needs a true/false condition, found " + TypeName(t));
      else
        RequireHandled(t, c);
    }
    out.condition = c;
  }

  if (decl.actions.empty())
    diags_.Report(Code::E0419, decl.name.range, "workflow `" + decl.name.text + "` has no action")
        .helps.push_back(
            "add `create salesforce.Task { ... }`, `add to campaign \"...\"`, `set salesforce "
            "owner \"user@example.com\"`, `set hubspot.companies { ... }` or `sync to "
            "salesforce`");
  bool created = false;
  for (const auto& a : decl.actions) {
    switch (a.kind) {
      case WorkflowAction::Kind::kCreate: {
        if (a.object.side != Side::kSalesforce || a.object.object.text != "Task") {
          diags_.Report(Code::E0419, a.object.range, "a workflow creates Salesforce tasks only")
              .helps.push_back("write `create salesforce.Task { Subject = \"...\" }`");
          break;
        }
        if (created) {
          diags_.Report(Code::E0419, a.range, "a workflow creates one task")
              .helps.push_back("write a second workflow with the same trigger for another task");
          break;
        }
        created = true;
        out.task = ResolveObject(a.object);
        if (!out.task) break;
        Scope fields = scope;
        fields.allow_skip = true;
        std::set<std::string> assigned;
        for (const auto& f : a.fields) {
          const auto* field = ResolveField(*out.task, f.name);
          Type t = CheckExpr(f.value.get(), fields);
          if (!field) continue;
          if (RuntimeTaskField(field->name, out.hubspot->name)) {
            diags_.Report(Code::E0419, f.name.range, "`" + field->name + "` is set by the workflow")
                .notes.push_back(field->name == "WhoId"
                                     ? "a workflow's task names the enrolled contact's Salesforce "
                                       "lead or contact (R137)"
                                 : field->name == "WhatId"
                                     ? "a workflow's task names the enrolled record's Salesforce "
                                       "account or opportunity"
                                     : "it carries the marker that finds the task again after a "
                                       "crash");
            continue;
          }
          if (field->name == "OwnerId") {
            diags_.Report(Code::E0419, f.name.range, "`OwnerId` is set by the workflow")
                .helps.push_back("assign the task with `owner \"user@example.com\"`");
            continue;
          }
          if (!assigned.insert(field->name).second) {
            diags_.Report(Code::E0402, f.name.range, "`" + field->name + "` is set twice");
            continue;
          }
          CheckAssignable(t, FieldType(*field), f.value.get(), "`" + field->name + "`");
          out.task_fields.push_back({field, f.value.get(), {}});
        }
        if (a.owner && a.owner->text.find('@') == std::string::npos)
          diags_.Report(Code::E0419, a.owner->range,
                        "`owner` names a Salesforce user by email address");
        break;
      }
      case WorkflowAction::Kind::kAddToCampaign:
        if (out.hubspot->name != "contacts") {
          diags_.Report(Code::E0419, a.range, "only contacts join campaigns")
              .notes.push_back("a campaign member is a Salesforce lead or contact");
          break;
        }
        if (a.campaign.text.empty())
          diags_.Report(Code::E0419, a.campaign.range, "a campaign needs a name");
        break;
      case WorkflowAction::Kind::kSetOwner:
        if (a.owner->text.find('@') == std::string::npos)
          diags_.Report(Code::E0419, a.owner->range,
                        "`set salesforce owner` names a Salesforce user by email address");
        break;
      case WorkflowAction::Kind::kSyncToSalesforce:
        break;
      case WorkflowAction::Kind::kSetRecord:
        CheckSetRecord(a, scope, out);
        break;
    }
  }
  out_->workflows.push_back(std::move(out));
}

}  // namespace syncline::sema
