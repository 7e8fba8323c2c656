// The syntax tree of one rule file: our own types, with a source range on every node.
// Produced by syntax::Parse (parse.h); read by sema, which never mutates it. No ANTLR type
// appears here or in any header outside compiler/syntax's private sources.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/source/source_buffer.h"

namespace syncline::syntax {

using source::SourceRange;

struct Name {
  std::string text;
  SourceRange range;
};

enum class Side { kHubSpot, kSalesforce };
const char* SideName(Side side);  // "hubspot" / "salesforce"

// ------------------------------------------------------------------------ expressions

enum class ExprKind {
  kLiteral,
  kName,
  kMember,
  kCall,
  kUnary,
  kBinary,
  kIsBlank,
  kIn,
  kCoalesce,
  kOtherwise,
  kIf,
  kMatch,
  kList,
  kInterpolated,
  kSkip,
  kError,
};

struct Expr {
  explicit Expr(ExprKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Expr() = default;
  ExprKind kind;
  SourceRange range;
};
using ExprPtr = std::unique_ptr<Expr>;

enum class LiteralKind { kText, kInteger, kNumber, kBool, kBlank, kDate, kDateTime };

struct LiteralExpr : Expr {
  explicit LiteralExpr(SourceRange r) : Expr(ExprKind::kLiteral, r) {}
  LiteralKind literal = LiteralKind::kBlank;
  std::string text;      // kText: the decoded value; others: the source spelling
  int64_t integer = 0;   // kInteger
  double number = 0;     // kNumber
  bool boolean = false;  // kBool
  int32_t days = 0;      // kDate: days since 1970-01-01
  int64_t millis = 0;    // kDateTime: milliseconds since the epoch, UTC
};

struct NameExpr : Expr {
  explicit NameExpr(SourceRange r) : Expr(ExprKind::kName, r) {}
  Name name;
};

struct MemberExpr : Expr {
  explicit MemberExpr(SourceRange r) : Expr(ExprKind::kMember, r) {}
  ExprPtr object;
  Name member;
};

struct CallExpr : Expr {
  explicit CallExpr(SourceRange r) : Expr(ExprKind::kCall, r) {}
  ExprPtr callee;
  std::vector<ExprPtr> args;
};

enum class UnaryOp { kNot, kNeg };
struct UnaryExpr : Expr {
  explicit UnaryExpr(SourceRange r) : Expr(ExprKind::kUnary, r) {}
  UnaryOp op = UnaryOp::kNot;
  ExprPtr operand;
};

enum class BinaryOp { kAnd, kOr, kEq, kNe, kLt, kLe, kGt, kGe, kAdd, kSub, kMul, kDiv, kMod };
const char* BinaryOpSpelling(BinaryOp op);
struct BinaryExpr : Expr {
  explicit BinaryExpr(SourceRange r) : Expr(ExprKind::kBinary, r) {}
  BinaryOp op = BinaryOp::kAdd;
  SourceRange op_range;
  ExprPtr lhs, rhs;
};

struct IsBlankExpr : Expr {
  explicit IsBlankExpr(SourceRange r) : Expr(ExprKind::kIsBlank, r) {}
  ExprPtr operand;
  bool negated = false;  // `is not blank`
};

struct InExpr : Expr {
  explicit InExpr(SourceRange r) : Expr(ExprKind::kIn, r) {}
  ExprPtr value, collection;
  bool negated = false;  // `not in`
};

struct CoalesceExpr : Expr {
  explicit CoalesceExpr(SourceRange r) : Expr(ExprKind::kCoalesce, r) {}
  ExprPtr value, fallback;
};

// `value otherwise <fallback | skip | error "message">`: handles a fallible value.
enum class HandlerKind { kValue, kSkip, kError };
struct OtherwiseExpr : Expr {
  explicit OtherwiseExpr(SourceRange r) : Expr(ExprKind::kOtherwise, r) {}
  ExprPtr value;
  HandlerKind handler = HandlerKind::kValue;
  ExprPtr fallback;           // kValue
  std::string error_message;  // kError
  SourceRange handler_range;
};

struct IfExpr : Expr {
  explicit IfExpr(SourceRange r) : Expr(ExprKind::kIf, r) {}
  ExprPtr condition, then_value, else_value;
};

enum class PatternKind { kLiteral, kBlank, kWildcard };
struct Pattern {
  PatternKind kind = PatternKind::kWildcard;
  std::unique_ptr<LiteralExpr> literal;
  SourceRange range;
};
struct MatchArm {
  std::vector<Pattern> patterns;
  ExprPtr value;
  SourceRange range;
};
struct MatchExpr : Expr {
  explicit MatchExpr(SourceRange r) : Expr(ExprKind::kMatch, r) {}
  ExprPtr subject;
  std::vector<MatchArm> arms;
};

struct ListExpr : Expr {
  explicit ListExpr(SourceRange r) : Expr(ExprKind::kList, r) {}
  std::vector<ExprPtr> items;
};

// "Hello ${firstname}!" = texts {"Hello ", "!"} and parts {firstname}; texts.size() ==
// parts.size() + 1.
struct InterpolatedExpr : Expr {
  explicit InterpolatedExpr(SourceRange r) : Expr(ExprKind::kInterpolated, r) {}
  std::vector<std::string> texts;
  std::vector<ExprPtr> parts;
};

// `skip` (do not write this field) and `error "message"` (record a sync error): they produce
// no value, so they may stand wherever a value of any type is expected.
struct SkipExpr : Expr {
  explicit SkipExpr(SourceRange r) : Expr(ExprKind::kSkip, r) {}
};
struct ErrorExpr : Expr {
  explicit ErrorExpr(SourceRange r) : Expr(ExprKind::kError, r) {}
  std::string message;
};

// ------------------------------------------------------------------------ declarations

struct TypeRef {
  Name name;
  bool may_be_blank = false;  // `text?`
  SourceRange range;
};

enum class DeclKind { kSync, kFn, kTable, kConst, kTest, kActivities, kMappings, kWorkflow };
struct Decl {
  explicit Decl(DeclKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Decl() = default;
  DeclKind kind;
  SourceRange range;
};
using DeclPtr = std::unique_ptr<Decl>;

struct ConstDecl : Decl {
  explicit ConstDecl(SourceRange r) : Decl(DeclKind::kConst, r) {}
  Name name;
  std::optional<TypeRef> type;
  ExprPtr value;
};

struct Param {
  Name name;
  TypeRef type;
};
struct FnDecl : Decl {
  explicit FnDecl(SourceRange r) : Decl(DeclKind::kFn, r) {}
  Name name;
  std::vector<Param> params;
  TypeRef result;
  ExprPtr body;
};

struct TableRow {
  std::vector<std::unique_ptr<LiteralExpr>> keys;  // empty for the default row `_ => ...`
  bool is_default = false;
  ExprPtr value;
  SourceRange range;
};
struct TableDecl : Decl {
  explicit TableDecl(SourceRange r) : Decl(DeclKind::kTable, r) {}
  Name name;
  TypeRef key_type, value_type;
  std::vector<TableRow> rows;
};

struct ObjectRef {
  Side side = Side::kHubSpot;
  Name object;
  SourceRange range;
};

enum class SyncDirection { kBoth, kToSalesforce, kToHubSpot };

// ---- sync items: one per setting line of a sync block

enum class SyncItemKind {
  kMatch,
  kCreate,
  kDelete,
  kInclude,
  kPicklists,
  kLifecycle,
  kAutoCreate,
  kStages,
  kAssociate,
  kConflict,
  kMap,
  kMapFrom,
};
struct SyncItem {
  explicit SyncItem(SyncItemKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~SyncItem() = default;
  SyncItemKind kind;
  SourceRange range;
};
using SyncItemPtr = std::unique_ptr<SyncItem>;

struct MatchKey {
  Name hubspot;
  std::optional<Name> salesforce;  // absent: the same name on both sides (`match email`)
  SourceRange range;
};
struct MatchItem : SyncItem {
  explicit MatchItem(SourceRange r) : SyncItem(SyncItemKind::kMatch, r) {}
  std::vector<MatchKey> keys;
};

enum class CreateAction { kCreateOrUpdate, kUpdateOnly, kNothing };
// `from salesforce: ...` and `to hubspot: ...` say what happens in HubSpot; `to salesforce: ...`
// and `from hubspot: ...` say what happens in Salesforce. `written` is that side.
struct CreateItem : SyncItem {
  explicit CreateItem(SourceRange r) : SyncItem(SyncItemKind::kCreate, r) {}
  Side written = Side::kHubSpot;
  CreateAction action = CreateAction::kCreateOrUpdate;
  std::optional<Name> object;  // `create or update Lead`
  SourceRange action_range;
};

// `on salesforce delete: delete | nothing`
struct DeleteItem : SyncItem {
  explicit DeleteItem(SourceRange r) : SyncItem(SyncItemKind::kDelete, r) {}
  Side deleted = Side::kSalesforce;
  bool propagate = false;
  SourceRange action_range;
};

struct IncludeItem : SyncItem {
  explicit IncludeItem(SourceRange r) : SyncItem(SyncItemKind::kInclude, r) {}
  ExprPtr condition;
};

struct PicklistSetting {
  Side side = Side::kSalesforce;
  Name value;
  SourceRange range;
};
struct PicklistsItem : SyncItem {
  explicit PicklistsItem(SourceRange r) : SyncItem(SyncItemKind::kPicklists, r) {}
  std::vector<PicklistSetting> settings;
};

struct LifecycleRule {
  enum class Kind { kStageGroup, kStageList, kSpread } kind = Kind::kStageGroup;
  Name group;                      // kStageGroup: `open`, `won`, `lost`
  std::vector<Name> stages;        // kStageList: "Closed Won", ... (quoted stage names)
  Name target;                     // the lifecycle stage
  std::vector<Name> spread_words;  // kSpread: `company contacts`
  SourceRange range;
};
struct LifecycleItem : SyncItem {
  explicit LifecycleItem(SourceRange r) : SyncItem(SyncItemKind::kLifecycle, r) {}
  std::vector<Name> source_words;  // `opportunity contact roles`
  bool off = false;                // `lifecycle from opportunity contact roles: nothing`
  std::vector<LifecycleRule> rules;
};

// `auto create companies`: HubSpot's "create and associate companies with contacts" setting.
struct AutoCreateItem : SyncItem {
  explicit AutoCreateItem(SourceRange r) : SyncItem(SyncItemKind::kAutoCreate, r) {}
  Name what;
};

struct StageRow {
  Name hubspot_stage;
  std::vector<Name> salesforce_stages;  // the first is written to Salesforce
  SourceRange range;
};
struct StagesItem : SyncItem {
  explicit StagesItem(SourceRange r) : SyncItem(SyncItemKind::kStages, r) {}
  std::optional<Name> pipeline;
  // `record type "Enterprise"`: the opportunities of that Salesforce record type (its
  // DeveloperName, or its id) land in this pipeline (R78).
  std::optional<Name> record_type;
  std::vector<StageRow> rows;
};

struct AssociateItem : SyncItem {
  explicit AssociateItem(SourceRange r) : SyncItem(SyncItemKind::kAssociate, r) {}
  Name what;
  std::vector<Name> via;
};

struct ConflictItem : SyncItem {
  explicit ConflictItem(SourceRange r) : SyncItem(SyncItemKind::kConflict, r) {}
  Side winner = Side::kSalesforce;
};

enum class MapArrow { kBoth, kToSalesforce, kToHubSpot, kNever };
enum class SyncRule { kUnspecified, kPreferUnlessBlank, kAlways, kTwoWay, kDontSync };

struct FieldRef {
  std::optional<Name> qualifier;  // `Lead.Street`: only for that Salesforce object
  Name field;
  SourceRange range;
};
struct Transform {
  std::optional<Side> to;  // absent: `= expr`, the direction of a one-way arrow
  ExprPtr value;
  SourceRange range;
};
struct Mapping {
  FieldRef hubspot, salesforce;
  MapArrow arrow = MapArrow::kBoth;
  SourceRange arrow_range;
  SyncRule rule = SyncRule::kUnspecified;
  Side rule_side = Side::kSalesforce;  // for kPreferUnlessBlank and kAlways
  SourceRange rule_range;
  std::vector<Transform> transforms;
  SourceRange range;
};
struct MapItem : SyncItem {
  explicit MapItem(SourceRange r) : SyncItem(SyncItemKind::kMap, r) {}
  std::vector<Mapping> mappings;
};

// `map from std.defaults.contacts`: the mappings of a named set, which this sync's own
// mappings override field by field.
struct MapFromItem : SyncItem {
  explicit MapFromItem(SourceRange r) : SyncItem(SyncItemKind::kMapFrom, r) {}
  std::vector<Name> path;
};

// `mappings NAME: hubspot.X <-> salesforce.Y | ... { mapping... }`
struct MappingsDecl : Decl {
  explicit MappingsDecl(SourceRange r) : Decl(DeclKind::kMappings, r) {}
  Name name;
  ObjectRef left;
  std::vector<ObjectRef> right;
  std::vector<Mapping> mappings;
};

struct SyncDecl : Decl {
  explicit SyncDecl(SourceRange r) : Decl(DeclKind::kSync, r) {}
  Name name;
  ObjectRef left;
  SyncDirection direction = SyncDirection::kBoth;
  SourceRange direction_range;
  std::vector<ObjectRef> right;
  std::vector<SyncItemPtr> items;
};

struct ActivitiesDecl : Decl {
  explicit ActivitiesDecl(SourceRange r) : Decl(DeclKind::kActivities, r) {}
  bool to_salesforce = true;  // `activities to salesforce.Task` / `activities from salesforce.Task`
  ObjectRef object;
  std::vector<Name> types;
  struct Field {
    Name name;
    ExprPtr value;
  };
  std::vector<Field> fields;
};

// `workflow NAME: hubspot.contacts { when ...; if ...; actions }` (R135-R138).
struct WorkflowTrigger {
  // kEntersCampaign: a lead or contact joins a Salesforce campaign (the Salesforce-side
  // enrolment R136 describes, without its Visualforce page).
  enum class Kind { kEntersSegment, kChanges, kEntersCampaign } kind = Kind::kEntersSegment;
  Name subject;  // the segment or campaign name (a string) or the property that changes
  SourceRange range;
};
struct WorkflowAction {
  enum class Kind {
    kCreate,
    kAddToCampaign,
    kSetOwner,
    kSyncToSalesforce,
    kSetRecord  // `set hubspot.companies { P = expr }`: property values in HubSpot (R135)
  } kind = Kind::kCreate;
  SourceRange range;
  ObjectRef object;           // kCreate: salesforce.Task; kSetRecord: hubspot.companies
  std::optional<Name> owner;  // kCreate: `owner "email"`; kSetOwner: the user's email
  std::vector<ActivitiesDecl::Field> fields;  // kCreate, kSetRecord
  Name campaign;                              // kAddToCampaign
  std::optional<Name> status;                 // kAddToCampaign: `status "Responded"`
};
struct WorkflowDecl : Decl {
  explicit WorkflowDecl(SourceRange r) : Decl(DeclKind::kWorkflow, r) {}
  Name name;
  ObjectRef object;
  std::vector<WorkflowTrigger> triggers;
  std::vector<ExprPtr> conditions;  // `if expr` (the checker allows one)
  std::vector<WorkflowAction> actions;
};

struct FieldInit {
  Name name;
  ExprPtr value;
};
enum class TestStepKind { kGiven, kAfter, kExpect };
enum class TestActionKind { kSync, kDelete, kNamed };
struct TestStep {
  TestStepKind kind = TestStepKind::kGiven;
  SourceRange range;
  // kGiven
  ObjectRef object;
  std::vector<FieldInit> record;
  std::optional<Name> alias;
  // kAfter
  TestActionKind action = TestActionKind::kSync;
  Side action_side = Side::kSalesforce;
  std::vector<Name> action_words;
  std::optional<Name> action_argument;
  // kExpect
  ExprPtr expectation;
};
struct TestDecl : Decl {
  explicit TestDecl(SourceRange r) : Decl(DeclKind::kTest, r) {}
  std::string title;
  SourceRange title_range;
  std::vector<TestStep> steps;
};

struct UseDecl {
  std::vector<Name> path;  // std.geo
  std::optional<Name> alias;
  SourceRange range;
};

struct Module {
  source::FileId file = 0;
  std::vector<UseDecl> uses;
  std::vector<DeclPtr> decls;  // in source order
};

}  // namespace syncline::syntax
