// Semantic phase: a parsed module + CRM schemas -> CheckedModule. Resolves every name
// (fields, functions, tables, constants, stdlib), assigns types, and checks the sync rules
// that would otherwise fail at sync time (R17-R26 type table, required fields, picklists,
// settings). The AST is not mutated: results live in side tables keyed by node.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/sema/types.h"
#include "compiler/syntax/ast.h"
#include "runtime/schema/schema.h"

namespace syncline::sema {

// The integration's settings of one sync block, with defaults filled in.
struct SyncSettings {
  // What happens in HubSpot when a Salesforce record is created or updated (R27).
  syntax::CreateAction in_hubspot = syntax::CreateAction::kCreateOrUpdate;
  // What happens in Salesforce when a HubSpot record is created or updated (R29).
  syntax::CreateAction in_salesforce = syntax::CreateAction::kCreateOrUpdate;
  const schema::Object* salesforce_create_target = nullptr;  // Lead or Contact for contacts
  bool delete_from_salesforce = false;                       // on salesforce delete: delete (R151)
  bool delete_from_hubspot = false;                          // always false for contacts (R152)
  std::string picklists_salesforce = "disabled";  // disabled | enabled | customized (R112)
  std::string picklists_hubspot = "as_is";        // match_defaults | as_is (R113)
  bool lifecycle_enabled = false;
  std::string lifecycle_open_stage;  // lifecycle stage for open opportunities (R97)
  std::string lifecycle_won_stage;   // for closed-won opportunities (R98)
  // R106: opportunity stages chosen by name, each list with its lifecycle stage. A named stage
  // takes precedence over the `open`/`won` groups.
  std::vector<std::pair<std::vector<std::string>, std::string>> lifecycle_stage_rules;
  bool lifecycle_spread_to_company_contacts = false;  // R103
  bool auto_create_companies = false;
  std::optional<syntax::Side> conflict_winner;
};

// One mapping line with its fields resolved.
struct CheckedMapping {
  const syntax::Mapping* syntax = nullptr;
  const schema::Field* hubspot = nullptr;
  // One per Salesforce object of the sync that has the field (R14: one mapping may write Lead
  // and Contact); nullptr where that object lacks it.
  std::vector<const schema::Field*> salesforce;
  syntax::SyncRule rule = syntax::SyncRule::kTwoWay;  // the effective rule
  syntax::Side rule_side = syntax::Side::kSalesforce;
  const syntax::Expr* to_salesforce = nullptr;  // transform, if any
  const syntax::Expr* to_hubspot = nullptr;
  bool writes_salesforce = false;
  bool writes_hubspot = false;
};

// A `stages pipeline "P" record type "R" { ... }` block of a deals sync.
struct CheckedStages {
  const syntax::StagesItem* syntax = nullptr;
  std::string pipeline;     // the HubSpot pipeline ("" = every pipeline: a lone `stages { }`)
  std::string record_type;  // the opportunities' record type, as written ("" = the others)
  // HubSpot stage -> Salesforce stages (the first is written to Salesforce).
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
};

struct CheckedSync {
  const syntax::SyncDecl* syntax = nullptr;
  const schema::Object* hubspot = nullptr;
  std::vector<const schema::Object*> salesforce;
  SyncSettings settings;
  std::vector<CheckedMapping> mappings;
  const syntax::Expr* include = nullptr;
  std::vector<std::pair<std::string, std::string>> match_keys;  // hubspot, salesforce field
  // Deals: the `stages` blocks, one per HubSpot pipeline that syncs (R78, R80, R82).
  std::vector<CheckedStages> stage_maps;
  // `associate contacts via Contact__c`: HubSpot object and Salesforce lookup field ("" = the
  // standard link between the two objects).
  std::vector<std::pair<std::string, std::string>> associations;
};

// An `activities to salesforce.Task` block with its object and fields resolved (R89-R95), or
// an `activities from salesforce.Task` block (R89, R90): then `to_salesforce` is false, the
// fields are HubSpot engagement properties and each names the engagement objects of the listed
// types that have it (checker_activities.cpp).
struct CheckedActivities {
  const syntax::ActivitiesDecl* syntax = nullptr;
  const schema::Object* salesforce = nullptr;  // the Task object
  std::vector<std::string> types;              // as written: note, call, ... / tasks, calls, ...
  bool to_salesforce = true;
  struct Field {
    const schema::Field* field = nullptr;
    const syntax::Expr* value = nullptr;
    std::vector<std::string> hubspot_objects;  // from-blocks: "tasks", "calls", ...
  };
  std::vector<Field> fields;
};

// A `workflow NAME: hubspot.contacts { ... }` block with its objects and fields resolved
// (R135-R138). The condition and the task fields read the enrolled contact's properties.
struct CheckedWorkflow {
  const syntax::WorkflowDecl* syntax = nullptr;
  const schema::Object* hubspot = nullptr;  // contacts
  const schema::Object* task = nullptr;     // salesforce.Task when there is a `create`
  const syntax::Expr* condition = nullptr;  // `if`, or null
  std::vector<CheckedActivities::Field> task_fields;
  std::vector<std::string> trigger_properties;  // `when P changes`, as the schema spells them
  // `set hubspot.contacts|companies { P = expr }` (R135), in the order written: property values
  // for the enrolled contact or its primary company, evaluated at enrolment like the task's.
  struct SetRecord {
    const schema::Object* object = nullptr;
    std::vector<CheckedActivities::Field> fields;
  };
  std::vector<SetRecord> sets;
};

// What a call resolves to.
struct CallTarget {
  enum class Kind { kBuiltin, kUserFn, kTable } kind = Kind::kBuiltin;
  std::string builtin;  // "std.text.trim"
  const syntax::FnDecl* fn = nullptr;
  const syntax::TableDecl* table = nullptr;
};

// What a name or member path resolves to.
struct NameTarget {
  enum class Kind { kField, kParam, kConst } kind = Kind::kField;
  syntax::Side side = syntax::Side::kHubSpot;
  const schema::Field* field = nullptr;
  size_t param_index = 0;
  const syntax::ConstDecl* constant = nullptr;
};

struct CheckedModule {
  const syntax::Module* syntax = nullptr;
  std::vector<CheckedSync> syncs;
  std::vector<CheckedActivities> activities;  // `activities to/from salesforce.X` blocks
  std::vector<CheckedWorkflow> workflows;
  std::unordered_map<const syntax::Expr*, Type> types;
  std::unordered_map<const syntax::Expr*, CallTarget> calls;
  std::unordered_map<const syntax::Expr*, NameTarget> names;
  std::vector<std::string> uses;  // "std.geo", ...
};

// Standard-library modules written in the language, parsed, by path ("std.defaults.contacts").
// They must outlive the CheckedModule, which points into them.
using Imports = std::map<std::string, const syntax::Module*>;

// Checks one module. Returns nullptr if it has errors (they are in `diags`).
std::unique_ptr<CheckedModule> Check(const syntax::Module& module, const schema::SchemaEnv& schemas,
                                     diag::Diagnostics& diags, const Imports& imports = {});

// `--emit=checked`: the syncs with resolved settings, fields and types, deterministically.
std::string PrintChecked(const CheckedModule& module, const source::SourceBuffer& buffer);

}  // namespace syncline::sema
