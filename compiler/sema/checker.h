// The checker's state and its passes; private to compiler/sema. check.cpp holds the entry
// point, checker_expr.cpp the expression rules, checker_sync.cpp the sync-block rules.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/sema/builtins.h"
#include "compiler/sema/check.h"

namespace syncline::sema {

// The pseudo-fields of an `activities from salesforce.Task` block (checker_activities.cpp):
// the type of `name`, or nullopt; and all their names.
std::optional<Type> SalesforceActivityField(const std::string& name);
std::vector<std::string> SalesforceActivityFieldNames();

// Where an expression is evaluated: which record's fields bare names mean.
struct Scope {
  const schema::Object* hubspot = nullptr;
  std::vector<const schema::Object*> salesforce;
  std::optional<syntax::Side> bare_names;  // side whose fields bare names refer to
  const syntax::FnDecl* fn = nullptr;      // parameters in scope
  bool allow_skip = false;                 // inside a mapping transform: skip/error allowed
  bool in_include = false;                 // in_segment(...) allowed
  bool activity = false;                   // activity fields: type, title, body, timestamp
  // `activities from salesforce.Task`: subject, description, status, ... (checker_activities.cpp)
  bool salesforce_activity = false;
};

class Checker {
 public:
  Checker(const syntax::Module& module, const schema::SchemaEnv& schemas, diag::Diagnostics& diags,
          const Imports& imports);
  std::unique_ptr<CheckedModule> Run();

  // expressions (checker_expr.cpp)
  Type CheckExpr(const syntax::Expr* expr, const Scope& scope);
  // Checks that a value of type `actual` may be written to `target`; reports at `range`.
  void CheckAssignable(const Type& actual, const Type& target, const syntax::Expr* expr,
                       const std::string& what);
  // Reports E0303 if `type` may fail.
  bool RequireHandled(const Type& type, const syntax::Expr* expr);
  std::optional<Type> TypeFromRef(const syntax::TypeRef& ref, bool report = true);

 private:
  friend class ExprChecker;
  Type Record(const syntax::Expr* expr, Type type);
  Type CheckName(const syntax::NameExpr& e, const Scope& scope);
  Type CheckMemberPath(const syntax::Expr& e, const Scope& scope);
  Type CheckCall(const syntax::CallExpr& e, const Scope& scope);
  Type CheckBinary(const syntax::BinaryExpr& e, const Scope& scope);
  Type CheckMatch(const syntax::MatchExpr& e, const Scope& scope);
  Type LiteralType(const syntax::LiteralExpr& lit);
  std::optional<Type> Unify(const Type& a, const Type& b);
  void CheckPicklistValues(const syntax::Expr* expr, const schema::Field& field);
  std::vector<std::string> FieldNames(const Scope& scope, std::optional<syntax::Side> side);

  // declarations (check.cpp)
  void CollectDeclarations();
  void CheckUses();
  void CheckFn(const syntax::FnDecl& fn);
  void CheckTable(const syntax::TableDecl& table);
  void CheckConst(const syntax::ConstDecl& decl);
  void CheckRecursion();
  void CheckTest(const syntax::TestDecl& test);
  void CheckActivities(const syntax::ActivitiesDecl& decl);
  void CheckWorkflow(const syntax::WorkflowDecl& decl);  // checker_workflow.cpp
  void CheckSetRecord(const syntax::WorkflowAction& a, const Scope& scope, CheckedWorkflow& out);
  // activities from Salesforce (checker_activities.cpp)
  void CheckActivitiesFromSalesforce(const syntax::ActivitiesDecl& decl,
                                     const schema::Object& task);
  void ReportUnused();

  // sync blocks (checker_sync.cpp)
  void CheckSync(const syntax::SyncDecl& sync);
  void CheckSettings(const syntax::SyncDecl& sync, CheckedSync& out);
  void CheckMapping(const syntax::Mapping& m, CheckedSync& out,
                    std::map<std::string, const syntax::Mapping*>& hubspot_seen,
                    std::map<std::string, const syntax::Mapping*>& salesforce_seen);
  // `map from NAME`: the named set, or null after reporting why not.
  const syntax::MappingsDecl* ResolveMappingSet(const syntax::MapFromItem& item, bool& from_std);
  // Whether a mapping of a set is overridden by one of the sync's own mappings.
  bool Overridden(const syntax::Mapping& m, const CheckedSync& out);
  void CheckStages(const syntax::StagesItem& s, CheckedSync& out);
  void CheckAssociation(const syntax::AssociateItem& a, CheckedSync& out);
  void CheckDirectionTable(const syntax::Mapping& m, const schema::Field& hs,
                           const schema::Field& sf);
  void CheckRequiredFields(const syntax::SyncDecl& sync, CheckedSync& out);
  const schema::Object* ResolveObject(const syntax::ObjectRef& ref);
  const schema::Field* ResolveField(const schema::Object& object, const syntax::Name& name);

 public:
  const syntax::Module& module_;
  const schema::SchemaEnv& schemas_;
  diag::Diagnostics& diags_;
  std::unique_ptr<CheckedModule> out_;
  std::map<std::string, const syntax::FnDecl*> fns_;
  std::map<std::string, const syntax::TableDecl*> tables_;
  std::map<std::string, const syntax::ConstDecl*> consts_;
  std::map<std::string, std::string> module_aliases_;  // "geo" -> "std.geo"
  std::set<std::string> used_definitions_;
  std::map<const syntax::FnDecl*, std::set<const syntax::FnDecl*>> fn_calls_;
  const syntax::FnDecl* current_fn_ = nullptr;
  std::set<std::string> sync_names_;
  std::set<std::string> workflow_names_;
  const Imports& imports_;
  std::map<std::string, const syntax::MappingsDecl*> mapping_sets_;
  // Warnings about the standard library's own mappings are not the admin's to fix.
  bool suppress_warnings_ = false;
  bool has_stage_map_ = false;
};

}  // namespace syncline::sema
