// Entry point of the semantic phase and the checks of top-level declarations.
#include "compiler/sema/check.h"

#include <algorithm>
#include <sstream>

#include "compiler/sema/checker.h"

namespace syncline::sema {

using diag::Code;
using namespace syntax;

Checker::Checker(const Module& module, const schema::SchemaEnv& schemas, diag::Diagnostics& diags,
                 const Imports& imports)
    : module_(module),
      schemas_(schemas),
      diags_(diags),
      out_(std::make_unique<CheckedModule>()),
      imports_(imports) {
  out_->syntax = &module;
}

std::unique_ptr<CheckedModule> Checker::Run() {
  const size_t errors_before = diags_.ErrorCount();
  CheckUses();
  CollectDeclarations();
  // Constants first (in order), so later code sees their types; then everything else.
  for (const auto& decl : module_.decls) {
    if (decl->kind == DeclKind::kConst) CheckConst(static_cast<const ConstDecl&>(*decl));
  }
  for (const auto& decl : module_.decls) {
    switch (decl->kind) {
      case DeclKind::kTable:
        CheckTable(static_cast<const TableDecl&>(*decl));
        break;
      case DeclKind::kFn:
        CheckFn(static_cast<const FnDecl&>(*decl));
        break;
      default:
        break;
    }
  }
  CheckRecursion();
  for (const auto& decl : module_.decls) {
    switch (decl->kind) {
      case DeclKind::kSync:
        CheckSync(static_cast<const SyncDecl&>(*decl));
        break;
      case DeclKind::kActivities:
        CheckActivities(static_cast<const ActivitiesDecl&>(*decl));
        break;
      case DeclKind::kWorkflow:
        CheckWorkflow(static_cast<const WorkflowDecl&>(*decl));
        break;
      case DeclKind::kTest:
        CheckTest(static_cast<const TestDecl&>(*decl));
        break;
      default:
        break;
    }
  }
  ReportUnused();
  if (diags_.ErrorCount() > errors_before) return nullptr;
  return std::move(out_);
}

void Checker::CheckUses() {
  for (const auto& use : module_.uses) {
    std::string path;
    for (const auto& n : use.path) path += (path.empty() ? "" : ".") + n.text;
    const auto& modules = StdModules();
    if (std::find(modules.begin(), modules.end(), path) == modules.end()) {
      SourceRange range = use.path.front().range;
      range.end = use.path.back().range.end;
      auto& d = diags_.Report(Code::E0204, range, "unknown module `" + path + "`");
      diag::SuggestName(d, path, modules);
      std::string list;
      for (const auto& m : modules) list += (list.empty() ? "" : ", ") + m;
      d.notes.push_back("the standard modules are " + list);
      continue;
    }
    out_->uses.push_back(path);
    const std::string alias = use.alias ? use.alias->text : use.path.back().text;
    module_aliases_[alias] = path;
  }
}

void Checker::CollectDeclarations() {
  std::map<std::string, SourceRange> defined;
  auto define = [&](const Name& name) {
    auto [it, inserted] = defined.emplace(name.text, name.range);
    if (!inserted) {
      auto& d = diags_.Report(Code::E0203, name.range, "`" + name.text + "` is defined twice");
      d.labels.push_back({it->second, "first defined here"});
      return false;
    }
    return true;
  };
  for (const auto& decl : module_.decls) {
    if (decl->kind == DeclKind::kFn) {
      const auto& fn = static_cast<const FnDecl&>(*decl);
      if (define(fn.name)) fns_[fn.name.text] = &fn;
    } else if (decl->kind == DeclKind::kTable) {
      const auto& t = static_cast<const TableDecl&>(*decl);
      if (define(t.name)) tables_[t.name.text] = &t;
    } else if (decl->kind == DeclKind::kConst) {
      const auto& c = static_cast<const ConstDecl&>(*decl);
      if (define(c.name)) consts_[c.name.text] = &c;
    } else if (decl->kind == DeclKind::kMappings) {
      const auto& m = static_cast<const MappingsDecl&>(*decl);
      if (define(m.name)) mapping_sets_[m.name.text] = &m;
    }
  }
}

void Checker::CheckConst(const ConstDecl& decl) {
  Scope scope;
  Type t = CheckExpr(decl.value.get(), scope);
  if (t.IsError()) return;
  RequireHandled(t, decl.value.get());
  if (decl.type) {
    if (auto declared = TypeFromRef(*decl.type))
      CheckAssignable(t, *declared, decl.value.get(), "`" + decl.name.text + "`");
  }
}

void Checker::CheckTable(const TableDecl& table) {
  auto key = TypeFromRef(table.key_type);
  auto value = TypeFromRef(table.value_type);
  bool seen_default = false;
  std::map<std::string, SourceRange> keys;
  for (const auto& row : table.rows) {
    if (row.is_default) {
      if (seen_default)
        diags_.Report(Code::E0203, row.range, "the table already has a default row `_ => ...`");
      seen_default = true;
    }
    for (const auto& k : row.keys) {
      Type kt = CheckExpr(k.get(), Scope{});
      if (key && !kt.IsError() && !Unify(kt, *key).has_value()) {
        diags_.Report(Code::E0301, k->range,
                      "table keys are " + TypeName(*key) + ", found " + TypeName(kt));
      }
      auto [it, inserted] = keys.emplace(k->text, k->range);
      if (!inserted) {
        diags_.Report(Code::E0203, k->range, "key " + k->text + " appears twice in the table")
            .labels.push_back({it->second, "first here"});
      }
    }
    Type vt = CheckExpr(row.value.get(), Scope{});
    if (value) CheckAssignable(vt, *value, row.value.get(), "the table's values");
  }
}

void Checker::CheckFn(const FnDecl& fn) {
  for (const auto& p : fn.params) TypeFromRef(p.type);
  auto result = TypeFromRef(fn.result);
  Scope scope;
  scope.fn = &fn;
  current_fn_ = &fn;
  Type body = CheckExpr(fn.body.get(), scope);
  current_fn_ = nullptr;
  if (result) CheckAssignable(body, *result, fn.body.get(), "the result of `" + fn.name.text + "`");
}

void Checker::CheckRecursion() {
  // Rules must terminate: no function may reach itself through calls (E0205).
  for (const auto& [name, fn] : fns_) {
    std::vector<const FnDecl*> stack(fn_calls_[fn].begin(), fn_calls_[fn].end());
    std::set<const FnDecl*> seen;
    while (!stack.empty()) {
      const FnDecl* next = stack.back();
      stack.pop_back();
      if (next == fn) {
        diags_.Report(Code::E0205, fn->name.range, "`" + name + "` calls itself")
            .notes.push_back("rules must always finish, so functions cannot be recursive");
        break;
      }
      if (!seen.insert(next).second) continue;
      for (const auto* callee : fn_calls_[next]) stack.push_back(callee);
    }
  }
}

void Checker::CheckActivities(const ActivitiesDecl& decl) {
  const auto* object = ResolveObject(decl.object);
  static const std::vector<std::string> to_types = {
      "form_submission", "marketing_email",  "sales_email", "meeting", "call", "note", "task",
      "document_view",   "integration_event"};
  static const std::vector<std::string> from_types = {"tasks", "emails", "calls", "meetings"};
  const auto& allowed = decl.to_salesforce ? to_types : from_types;
  for (const auto& t : decl.types) {
    if (std::find(allowed.begin(), allowed.end(), t.text) == allowed.end()) {
      auto& d = diags_.Report(Code::E0417, t.range, "`" + t.text + "` is not an activity type");
      diag::SuggestName(d, t.text, allowed);
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      d.notes.push_back("activity types here: " + list);
    }
  }
  if (!object) return;
  if (!decl.to_salesforce) return CheckActivitiesFromSalesforce(decl, *object);
  Scope scope;
  scope.activity = true;
  scope.allow_skip = true;
  CheckedActivities out;
  out.syntax = &decl;
  out.salesforce = object;
  for (const auto& t : decl.types) out.types.push_back(t.text);
  for (const auto& f : decl.fields) {
    const auto* field = ResolveField(*object, f.name);
    Type t = CheckExpr(f.value.get(), scope);
    if (field) CheckAssignable(t, FieldType(*field), f.value.get(), "`" + field->name + "`");
    if (field) out.fields.push_back({field, f.value.get(), {}});
  }
  if (decl.to_salesforce) out_->activities.push_back(std::move(out));
}

void Checker::CheckTest(const TestDecl& test) {
  bool has_action = false;
  for (const auto& step : test.steps) {
    switch (step.kind) {
      case TestStepKind::kGiven: {
        const auto* object = ResolveObject(step.object);
        for (const auto& init : step.record) {
          // `companies: [acme]` names companies given earlier in the test (as acme): names of
          // records, not values, so `syncline test` resolves them.
          if (step.object.side == Side::kHubSpot && step.object.object.text == "contacts" &&
              init.name.text == "companies")
            continue;
          Type t = CheckExpr(init.value.get(), Scope{});
          if (!object) continue;
          if (step.object.side == Side::kHubSpot && init.name.text == "segments") continue;
          if (const auto* field = ResolveField(*object, init.name)) {
            CheckAssignable(t, FieldType(*field), init.value.get(), "`" + field->name + "`");
          }
        }
        break;
      }
      case TestStepKind::kAfter: {
        has_action = true;
        if (step.action == TestActionKind::kNamed) {
          std::string words;
          for (const auto& w : step.action_words) words += (words.empty() ? "" : " ") + w.text;
          static const std::vector<std::string> known = {"convert lead", "opportunity won",
                                                         "opportunity lost", "opportunity open",
                                                         "add contact role"};
          // Workflow triggers (R135): `after enters segment "Name"`, `after set <property>
          // "value"` on the last given HubSpot record.
          // `after opportunity stage "Name"`: the given opportunity moves to that stage (R106).
          // `after opportunity record type "DeveloperName"`: it changes record type (R78).
          const bool trigger =
              (words == "enters segment" || words.rfind("set ", 0) == 0 ||
               words == "opportunity stage" || words == "opportunity record type") &&
              step.action_argument.has_value();
          if (!trigger && std::find(known.begin(), known.end(), words) == known.end()) {
            auto& d = diags_.Report(Code::E0416, step.range,
                                    "`after " + words + "` is not a test action");
            diag::SuggestName(d, words, known);
            d.notes.push_back(
                "actions: sync, salesforce delete, hubspot delete, convert lead, "
                "opportunity won|lost|open, opportunity stage \"Name\", opportunity record "
                "type \"Name\", add contact role, enters segment \"Name\", set <property> "
                "\"value\"");
          }
        }
        break;
      }
      case TestStepKind::kExpect: {
        Scope scope;
        Type t = CheckExpr(step.expectation.get(), scope);
        if (!t.IsError() && t.kind != TypeKind::kBool) {
          diags_.Report(Code::E0305, step.expectation->range,
                        "`expect` needs a true/false condition, found " + TypeName(t));
        }
        break;
      }
    }
  }
  if (!has_action) {
    diags_.Report(Code::E0416, test.title_range, "this test never runs anything")
        .helps.push_back("add a step such as `after sync`");
  }
}

void Checker::ReportUnused() {
  auto unused = [&](const Name& name, const char* what) {
    if (used_definitions_.count(name.text)) return;
    diags_.Report(Code::W0002, name.range,
                  std::string(what) + " `" + name.text + "` is never used");
  };
  for (const auto& [name, fn] : fns_) unused(fn->name, "function");
  for (const auto& [name, t] : tables_) unused(t->name, "table");
  for (const auto& [name, c] : consts_) unused(c->name, "constant");
  for (const auto& [name, m] : mapping_sets_) unused(m->name, "mapping set");
}

std::unique_ptr<CheckedModule> Check(const Module& module, const schema::SchemaEnv& schemas,
                                     diag::Diagnostics& diags, const Imports& imports) {
  return Checker(module, schemas, diags, imports).Run();
}

namespace {

const char* CreateName(CreateAction a) {
  switch (a) {
    case CreateAction::kCreateOrUpdate:
      return "create or update";
    case CreateAction::kUpdateOnly:
      return "update only";
    case CreateAction::kNothing:
      return "nothing";
  }
  return "?";
}

const char* RuleName(SyncRule r, Side side) {
  switch (r) {
    case SyncRule::kPreferUnlessBlank:
      return side == Side::kSalesforce ? "prefer salesforce unless blank"
                                       : "prefer hubspot unless blank";
    case SyncRule::kAlways:
      return side == Side::kSalesforce ? "always salesforce" : "always hubspot";
    case SyncRule::kTwoWay:
      return "two-way";
    case SyncRule::kDontSync:
      return "don't sync";
    case SyncRule::kUnspecified:
      break;
  }
  return "?";
}

}  // namespace

std::string PrintChecked(const CheckedModule& module, const source::SourceBuffer& buffer) {
  std::ostringstream out;
  for (const auto& use : module.uses) out << "use " << use << '\n';
  for (const auto& sync : module.syncs) {
    out << "sync " << sync.syntax->name.text << ": hubspot." << sync.hubspot->name << " <-> ";
    for (size_t i = 0; i < sync.salesforce.size(); ++i)
      out << (i ? " | " : "") << "salesforce." << sync.salesforce[i]->name;
    out << '\n';
    const auto& s = sync.settings;
    out << "  in hubspot: " << CreateName(s.in_hubspot) << '\n';
    out << "  in salesforce: " << CreateName(s.in_salesforce);
    if (s.salesforce_create_target) out << " (creates " << s.salesforce_create_target->name << ")";
    out << '\n';
    out << "  on salesforce delete: " << (s.delete_from_salesforce ? "delete" : "nothing") << '\n';
    out << "  picklists: salesforce " << s.picklists_salesforce << ", hubspot "
        << s.picklists_hubspot << '\n';
    if (s.lifecycle_enabled) {
      out << "  lifecycle: open -> "
          << (s.lifecycle_open_stage.empty() ? "(none)" : s.lifecycle_open_stage) << ", won -> "
          << (s.lifecycle_won_stage.empty() ? "(none)" : s.lifecycle_won_stage);
      for (const auto& [names, target] : s.lifecycle_stage_rules) {
        out << ", ";
        for (size_t k = 0; k < names.size(); ++k) out << (k ? " | " : "") << '"' << names[k] << '"';
        out << " -> " << target;
      }
      out << (s.lifecycle_spread_to_company_contacts ? ", spread to company contacts" : "") << '\n';
    }
    if (s.auto_create_companies) out << "  auto create companies\n";
    if (sync.include)
      out << "  include if: " << TypeName(module.types.at(sync.include)) << " @"
          << buffer.Position(sync.include->range.begin).line << '\n';
    for (const auto& [hs, sf] : sync.match_keys) out << "  match " << hs << " <-> " << sf << '\n';
    // One stage map without a record type: its pipeline, then its rows after the
    // associations; several (R78): each block's header with its rows under it.
    const bool one_map = sync.stage_maps.size() == 1 && sync.stage_maps.front().record_type.empty();
    if (one_map && !sync.stage_maps.front().pipeline.empty())
      out << "  stages pipeline \"" << sync.stage_maps.front().pipeline << "\"\n";
    for (const auto& [what, via] : sync.associations)
      out << "  associate " << what << (via.empty() ? "" : " via " + via) << '\n';
    for (const auto& block : sync.stage_maps) {
      if (!one_map) {
        out << "  stages pipeline \"" << block.pipeline << "\"";
        if (block.record_type.empty()) {
          out << " (opportunities of no listed record type)\n";
        } else {
          out << " record type \"" << block.record_type << "\"\n";
        }
      }
      for (const auto& [hs, sf] : block.rows) {
        out << (one_map ? "  stage " : "    stage ") << hs << " <->";
        for (const auto& st : sf) out << " \"" << st << "\"";
        out << '\n';
      }
    }
    for (const auto& m : sync.mappings) {
      out << "  map " << m.hubspot->name << ": " << TypeName(FieldType(*m.hubspot)) << " <-> ";
      bool first = true;
      for (size_t i = 0; i < sync.salesforce.size(); ++i) {
        if (!m.salesforce[i]) continue;
        out << (first ? "" : ", ") << sync.salesforce[i]->name << "." << m.salesforce[i]->name
            << ": " << TypeName(FieldType(*m.salesforce[i]));
        first = false;
      }
      out << " [" << RuleName(m.rule, m.rule_side) << "]";
      if (m.writes_salesforce) out << " writes salesforce";
      if (m.writes_hubspot) out << " writes hubspot";
      if (m.to_salesforce)
        out << " | to salesforce: " << TypeName(module.types.at(m.to_salesforce));
      if (m.to_hubspot) out << " | to hubspot: " << TypeName(module.types.at(m.to_hubspot));
      out << '\n';
    }
  }
  for (const auto& w : module.workflows) {
    out << "workflow " << w.syntax->name.text << ": hubspot." << w.hubspot->name << '\n';
    for (const auto& t : w.syntax->triggers)
      out << "  when "
          << (t.kind == syntax::WorkflowTrigger::Kind::kEntersSegment
                  ? "enters segment \"" + t.subject.text + "\""
              : t.kind == syntax::WorkflowTrigger::Kind::kEntersCampaign
                  ? "enters campaign \"" + t.subject.text + "\""
                  : t.subject.text + " changes")
          << '\n';
    if (w.condition)
      out << "  if: " << TypeName(module.types.at(w.condition)) << " @"
          << buffer.Position(w.condition->range.begin).line << '\n';
    for (const auto& a : w.syntax->actions) {
      using K = syntax::WorkflowAction::Kind;
      if (a.kind == K::kCreate && w.task) {
        out << "  create salesforce.Task owner "
            << (a.owner ? "\"" + a.owner->text + "\"" : "(the record's owner)") << '\n';
        for (const auto& f : w.task_fields)
          out << "    " << f.field->name << ": " << TypeName(FieldType(*f.field)) << " = "
              << TypeName(module.types.at(f.value)) << '\n';
      }
      if (a.kind == K::kAddToCampaign)
        out << "  add to campaign \"" << a.campaign.text << "\" status \""
            << (a.status ? a.status->text : "Sent") << "\"\n";
      if (a.kind == K::kSetOwner) out << "  set salesforce owner \"" << a.owner->text << "\"\n";
      if (a.kind == K::kSyncToSalesforce) out << "  sync to salesforce\n";
      if (a.kind == K::kSetRecord) {
        for (const auto& set : w.sets) {
          if (set.object->name != a.object.object.text) continue;
          out << "  set hubspot." << set.object->name
              << (set.object->name == "companies" ? " (the contact's primary company)" : "")
              << '\n';
          for (const auto& f : set.fields)
            out << "    " << f.field->name << ": " << TypeName(FieldType(*f.field)) << " = "
                << TypeName(module.types.at(f.value)) << '\n';
        }
      }
    }
  }
  return out.str();
}

}  // namespace syncline::sema
