#include "compiler/syntax/ast_builder.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "compiler/syntax/literal_decoding.h"
#include "compiler/syntax/parse_internal.h"

namespace syncline::syntax {

using P = gen::SyncParser;
using diag::Code;

AstBuilder::AstBuilder(const source::SourceBuffer& buffer, diag::Diagnostics& diags,
                       OffsetMap offsets)
    : buffer_(buffer), diags_(diags), offsets_(std::move(offsets)) {}

SourceRange AstBuilder::Range(antlr4::Token* token) const {
  const size_t start = token->getStartIndex();
  const size_t stop = token->getStopIndex();
  return {buffer_.id(), offsets_(start), offsets_(stop + 1)};
}

SourceRange AstBuilder::Range(antlr4::ParserRuleContext* ctx) const {
  SourceRange a = Range(ctx->getStart());
  antlr4::Token* stop = ctx->getStop();
  if (stop == nullptr || stop->getStopIndex() + 1 < ctx->getStart()->getStartIndex()) return a;
  a.end = offsets_(stop->getStopIndex() + 1);
  return a;
}

Name AstBuilder::MakeName(P::NameContext* ctx) const {
  return {ctx->getText(), Range(ctx)};
}
Name AstBuilder::MakeName(antlr4::Token* token) const {
  return {token->getText(), Range(token)};
}
Name AstBuilder::StringName(antlr4::Token* token) {
  return {DecodeText(token), Range(token)};
}

std::unique_ptr<Module> AstBuilder::BuildFile(P::FileContext* ctx) {
  auto module = std::make_unique<Module>();
  module->file = buffer_.id();
  for (auto* use : ctx->useDecl()) module->uses.push_back(BuildUse(use));
  for (auto* decl : ctx->decl()) {
    if (auto built = BuildDecl(decl)) module->decls.push_back(std::move(built));
  }
  return module;
}

UseDecl AstBuilder::BuildUse(P::UseDeclContext* ctx) {
  UseDecl use;
  use.range = Range(ctx);
  for (auto* n : ctx->modulePath()->name()) use.path.push_back(MakeName(n));
  if (ctx->name()) use.alias = MakeName(ctx->name());
  return use;
}

DeclPtr AstBuilder::BuildDecl(P::DeclContext* ctx) {
  if (auto* c = dynamic_cast<P::SyncDeclarationContext*>(ctx)) return BuildSync(c->syncDecl());
  if (auto* c = dynamic_cast<P::FnDeclarationContext*>(ctx)) return BuildFn(c->fnDecl());
  if (auto* c = dynamic_cast<P::TableDeclarationContext*>(ctx)) return BuildTable(c->tableDecl());
  if (auto* c = dynamic_cast<P::ConstDeclarationContext*>(ctx)) return BuildConst(c->constDecl());
  if (auto* c = dynamic_cast<P::TestDeclarationContext*>(ctx)) return BuildTest(c->testDecl());
  if (auto* c = dynamic_cast<P::ActivitiesDeclarationContext*>(ctx)) {
    return BuildActivities(c->activitiesDecl());
  }
  if (auto* c = dynamic_cast<P::MappingsDeclarationContext*>(ctx)) {
    return BuildMappings(c->mappingsDecl());
  }
  if (auto* c = dynamic_cast<P::WorkflowDeclarationContext*>(ctx)) {
    return BuildWorkflow(c->workflowDecl());
  }
  return nullptr;
}

TypeRef AstBuilder::BuildType(P::TypeRefContext* ctx) {
  return {MakeName(ctx->name()), ctx->QUESTION() != nullptr, Range(ctx)};
}

DeclPtr AstBuilder::BuildConst(P::ConstDeclContext* ctx) {
  auto decl = std::make_unique<ConstDecl>(Range(ctx));
  decl->name = MakeName(ctx->name());
  if (ctx->typeRef()) decl->type = BuildType(ctx->typeRef());
  decl->value = BuildExpr(ctx->expr());
  return decl;
}

DeclPtr AstBuilder::BuildFn(P::FnDeclContext* ctx) {
  auto decl = std::make_unique<FnDecl>(Range(ctx));
  decl->name = MakeName(ctx->name());
  for (auto* p : ctx->param())
    decl->params.push_back({MakeName(p->name()), BuildType(p->typeRef())});
  decl->result = BuildType(ctx->typeRef());
  decl->body = BuildExpr(ctx->expr());
  return decl;
}

DeclPtr AstBuilder::BuildTable(P::TableDeclContext* ctx) {
  auto decl = std::make_unique<TableDecl>(Range(ctx));
  decl->name = MakeName(ctx->name());
  decl->key_type = BuildType(ctx->typeRef(0));
  decl->value_type = BuildType(ctx->typeRef(1));
  for (auto* row_ctx : ctx->tableRow()) {
    TableRow row;
    row.range = Range(row_ctx);
    if (auto* keyed = dynamic_cast<P::KeyedRowContext*>(row_ctx)) {
      for (auto* lit : keyed->literal()) row.keys.push_back(BuildLiteral(lit));
      row.value = BuildExpr(keyed->expr());
    } else if (auto* def = dynamic_cast<P::DefaultRowContext*>(row_ctx)) {
      row.is_default = true;
      row.value = BuildExpr(def->expr());
    }
    decl->rows.push_back(std::move(row));
  }
  return decl;
}

Side AstBuilder::BuildSide(P::SideContext* ctx) {
  return ctx->HUBSPOT() ? Side::kHubSpot : Side::kSalesforce;
}

ObjectRef AstBuilder::BuildObjectRef(P::ObjectRefContext* ctx) {
  return {BuildSide(ctx->side()), MakeName(ctx->name()), Range(ctx)};
}

DeclPtr AstBuilder::BuildSync(P::SyncDeclContext* ctx) {
  auto decl = std::make_unique<SyncDecl>(Range(ctx));
  decl->name = MakeName(ctx->name());
  auto refs = ctx->objectRef();
  decl->left = BuildObjectRef(refs[0]);
  for (size_t i = 1; i < refs.size(); ++i) decl->right.push_back(BuildObjectRef(refs[i]));
  auto* dir = ctx->direction();
  decl->direction_range = Range(dir);
  if (dynamic_cast<P::ToSalesforceOnlyContext*>(dir)) {
    decl->direction = SyncDirection::kToSalesforce;
  } else if (dynamic_cast<P::ToHubSpotOnlyContext*>(dir)) {
    decl->direction = SyncDirection::kToHubSpot;
  }
  for (auto* item : ctx->syncItem()) {
    if (auto built = BuildSyncItem(item)) decl->items.push_back(std::move(built));
  }
  return decl;
}

CreateAction AstBuilder::BuildCreateAction(P::CreateActionContext* ctx,
                                           std::optional<Name>& object) {
  if (auto* c = dynamic_cast<P::CreateOrUpdateContext*>(ctx)) {
    if (c->name()) object = MakeName(c->name());
    return CreateAction::kCreateOrUpdate;
  }
  if (dynamic_cast<P::UpdateOnlyContext*>(ctx)) return CreateAction::kUpdateOnly;
  return CreateAction::kNothing;
}

LifecycleRule AstBuilder::BuildLifecycleRule(P::LifecycleRuleContext* ctx) {
  LifecycleRule rule;
  rule.range = Range(ctx);
  if (auto* c = dynamic_cast<P::StageToLifecycleContext*>(ctx)) {
    rule.target = MakeName(c->name());
    auto* group = c->stageGroup();
    if (auto* named = dynamic_cast<P::NamedStageGroupContext*>(group)) {
      rule.kind = LifecycleRule::Kind::kStageGroup;
      rule.group = MakeName(named->name());
    } else if (auto* listed = dynamic_cast<P::ListedStagesContext*>(group)) {
      rule.kind = LifecycleRule::Kind::kStageList;
      for (auto* s : listed->STRING()) rule.stages.push_back(StringName(s->getSymbol()));
    }
  } else if (auto* c = dynamic_cast<P::SpreadRuleContext*>(ctx)) {
    rule.kind = LifecycleRule::Kind::kSpread;
    for (auto* n : c->name()) rule.spread_words.push_back(MakeName(n));
  }
  return rule;
}

SyncItemPtr AstBuilder::BuildSyncItem(P::SyncItemContext* ctx) {
  const SourceRange range = Range(ctx);
  if (auto* c = dynamic_cast<P::MatchItemContext*>(ctx)) {
    auto item = std::make_unique<MatchItem>(range);
    for (auto* key : c->matchKey()) {
      MatchKey k;
      k.range = Range(key);
      if (auto* same = dynamic_cast<P::SameNameKeyContext*>(key)) {
        k.hubspot = MakeName(same->name());
      } else if (auto* paired = dynamic_cast<P::PairedKeyContext*>(key)) {
        k.hubspot = MakeName(paired->name(0));
        k.salesforce = MakeName(paired->name(1));
      }
      item->keys.push_back(std::move(k));
    }
    return item;
  }
  auto create_item = [&](Side written, P::CreateActionContext* action) {
    auto item = std::make_unique<CreateItem>(range);
    item->written = written;
    item->action = BuildCreateAction(action, item->object);
    item->action_range = Range(action);
    return item;
  };
  if (auto* c = dynamic_cast<P::FromSalesforceItemContext*>(ctx)) {
    return create_item(Side::kHubSpot, c->createAction());
  }
  if (auto* c = dynamic_cast<P::ToSalesforceItemContext*>(ctx)) {
    return create_item(Side::kSalesforce, c->createAction());
  }
  if (auto* c = dynamic_cast<P::FromHubSpotItemContext*>(ctx)) {
    return create_item(Side::kSalesforce, c->createAction());
  }
  if (auto* c = dynamic_cast<P::ToHubSpotItemContext*>(ctx)) {
    return create_item(Side::kHubSpot, c->createAction());
  }
  if (auto* c = dynamic_cast<P::OnDeleteItemContext*>(ctx)) {
    auto item = std::make_unique<DeleteItem>(range);
    item->deleted = BuildSide(c->side());
    item->propagate = dynamic_cast<P::DeleteRecordContext*>(c->deleteAction()) != nullptr;
    item->action_range = Range(c->deleteAction());
    return item;
  }
  if (auto* c = dynamic_cast<P::IncludeItemContext*>(ctx)) {
    auto item = std::make_unique<IncludeItem>(range);
    item->condition = BuildExpr(c->expr());
    return item;
  }
  if (auto* c = dynamic_cast<P::PicklistsItemContext*>(ctx)) {
    auto item = std::make_unique<PicklistsItem>(range);
    for (auto* s : c->picklistSetting()) {
      item->settings.push_back({BuildSide(s->side()), MakeName(s->name()), Range(s)});
    }
    return item;
  }
  if (auto* c = dynamic_cast<P::LifecycleItemContext*>(ctx)) {
    auto item = std::make_unique<LifecycleItem>(range);
    for (auto* n : c->name()) item->source_words.push_back(MakeName(n));
    if (auto* rules = dynamic_cast<P::LifecycleRulesContext*>(c->lifecycleBody())) {
      for (auto* rule : rules->lifecycleRule()) item->rules.push_back(BuildLifecycleRule(rule));
    } else {
      item->off = true;
    }
    return item;
  }
  if (auto* c = dynamic_cast<P::AutoCreateItemContext*>(ctx)) {
    auto item = std::make_unique<AutoCreateItem>(range);
    item->what = MakeName(c->name());
    return item;
  }
  if (auto* c = dynamic_cast<P::StagesItemContext*>(ctx)) {
    auto item = std::make_unique<StagesItem>(range);
    auto strings = c->STRING();
    if (!strings.empty()) item->pipeline = StringName(strings[0]->getSymbol());
    if (strings.size() > 1) item->record_type = StringName(strings[1]->getSymbol());
    for (auto* row_ctx : c->stageRow()) {
      StageRow row;
      row.range = Range(row_ctx);
      auto strings = row_ctx->STRING();
      size_t first_sf = 0;
      if (row_ctx->name()) {
        row.hubspot_stage = MakeName(row_ctx->name());
      } else {
        row.hubspot_stage = StringName(strings[0]->getSymbol());
        first_sf = 1;
      }
      for (size_t i = first_sf; i < strings.size(); ++i) {
        row.salesforce_stages.push_back(StringName(strings[i]->getSymbol()));
      }
      item->rows.push_back(std::move(row));
    }
    return item;
  }
  if (auto* c = dynamic_cast<P::AssociateItemContext*>(ctx)) {
    auto item = std::make_unique<AssociateItem>(range);
    auto names = c->name();
    item->what = MakeName(names[0]);
    for (size_t i = 1; i < names.size(); ++i) item->via.push_back(MakeName(names[i]));
    return item;
  }
  if (auto* c = dynamic_cast<P::ConflictItemContext*>(ctx)) {
    auto item = std::make_unique<ConflictItem>(range);
    item->winner = BuildSide(c->side());
    return item;
  }
  if (auto* c = dynamic_cast<P::MapFromItemContext*>(ctx)) {
    auto item = std::make_unique<MapFromItem>(range);
    for (auto* n : c->modulePath()->name()) item->path.push_back(MakeName(n));
    return item;
  }
  if (auto* c = dynamic_cast<P::MapItemContext*>(ctx)) {
    auto item = std::make_unique<MapItem>(range);
    for (auto* m : c->mapping()) item->mappings.push_back(BuildMapping(m));
    return item;
  }
  return nullptr;
}

FieldRef AstBuilder::BuildFieldRef(P::FieldRefContext* ctx) {
  FieldRef ref;
  ref.range = Range(ctx);
  auto names = ctx->name();
  if (names.size() == 2) {
    ref.qualifier = MakeName(names[0]);
    ref.field = MakeName(names[1]);
  } else {
    ref.field = MakeName(names[0]);
  }
  return ref;
}

Mapping AstBuilder::BuildMapping(P::MappingContext* ctx) {
  Mapping m;
  m.range = Range(ctx);
  m.hubspot = BuildFieldRef(ctx->fieldRef(0));
  m.salesforce = BuildFieldRef(ctx->fieldRef(1));
  auto* arrow = ctx->mapArrow();
  m.arrow_range = Range(arrow);
  if (dynamic_cast<P::MapToSalesforceContext*>(arrow)) {
    m.arrow = MapArrow::kToSalesforce;
  } else if (dynamic_cast<P::MapToHubSpotContext*>(arrow)) {
    m.arrow = MapArrow::kToHubSpot;
  } else if (dynamic_cast<P::MapNeverContext*>(arrow)) {
    m.arrow = MapArrow::kNever;
  }
  if (auto* rule = ctx->syncRule()) {
    m.rule_range = Range(rule);
    if (auto* c = dynamic_cast<P::PreferUnlessBlankContext*>(rule)) {
      m.rule = SyncRule::kPreferUnlessBlank;
      m.rule_side = BuildSide(c->side());
    } else if (auto* c = dynamic_cast<P::AlwaysSideContext*>(rule)) {
      m.rule = SyncRule::kAlways;
      m.rule_side = BuildSide(c->side());
    } else if (dynamic_cast<P::TwoWayContext*>(rule)) {
      m.rule = SyncRule::kTwoWay;
    } else {
      m.rule = SyncRule::kDontSync;
    }
  }
  for (auto* t : ctx->mapTransform()) {
    Transform transform;
    transform.range = Range(t);
    if (auto* directed = dynamic_cast<P::DirectedTransformContext*>(t)) {
      transform.to = BuildSide(directed->side());
      transform.value = BuildExpr(directed->expr());
    } else if (auto* plain = dynamic_cast<P::PlainTransformContext*>(t)) {
      transform.value = BuildExpr(plain->expr());
    }
    m.transforms.push_back(std::move(transform));
  }
  return m;
}

DeclPtr AstBuilder::BuildMappings(P::MappingsDeclContext* ctx) {
  auto decl = std::make_unique<MappingsDecl>(Range(ctx));
  decl->name = MakeName(ctx->name());
  auto refs = ctx->objectRef();
  decl->left = BuildObjectRef(refs[0]);
  for (size_t i = 1; i < refs.size(); ++i) decl->right.push_back(BuildObjectRef(refs[i]));
  for (auto* m : ctx->mapping()) decl->mappings.push_back(BuildMapping(m));
  return decl;
}

DeclPtr AstBuilder::BuildActivities(P::ActivitiesDeclContext* ctx) {
  auto decl = std::make_unique<ActivitiesDecl>(Range(ctx));
  decl->to_salesforce = ctx->TO() != nullptr;
  decl->object = BuildObjectRef(ctx->objectRef());
  for (auto* item : ctx->activityItem()) {
    if (auto* types = dynamic_cast<P::ActivityTypesContext*>(item)) {
      for (auto* n : types->name()) decl->types.push_back(MakeName(n));
    } else if (auto* field = dynamic_cast<P::ActivityFieldContext*>(item)) {
      decl->fields.push_back({MakeName(field->name()), BuildExpr(field->expr())});
    }
  }
  return decl;
}

DeclPtr AstBuilder::BuildWorkflow(P::WorkflowDeclContext* ctx) {
  auto decl = std::make_unique<WorkflowDecl>(Range(ctx));
  decl->name = MakeName(ctx->name());
  decl->object = BuildObjectRef(ctx->objectRef());
  for (auto* item : ctx->workflowItem()) {
    if (auto* seg = dynamic_cast<P::WorkflowWhenEntersContext*>(item)) {
      decl->triggers.push_back({WorkflowTrigger::Kind::kEntersSegment,
                                StringName(seg->STRING()->getSymbol()), Range(item)});
    } else if (auto* camp = dynamic_cast<P::WorkflowWhenEntersCampaignContext*>(item)) {
      decl->triggers.push_back({WorkflowTrigger::Kind::kEntersCampaign,
                                StringName(camp->STRING()->getSymbol()), Range(item)});
    } else if (auto* ch = dynamic_cast<P::WorkflowWhenChangesContext*>(item)) {
      decl->triggers.push_back(
          {WorkflowTrigger::Kind::kChanges, MakeName(ch->name()), Range(item)});
    } else if (auto* cond = dynamic_cast<P::WorkflowIfContext*>(item)) {
      decl->conditions.push_back(BuildExpr(cond->expr()));
    } else if (auto* create = dynamic_cast<P::WorkflowCreateContext*>(item)) {
      WorkflowAction a;
      a.kind = WorkflowAction::Kind::kCreate;
      a.range = Range(item);
      a.object = BuildObjectRef(create->objectRef());
      for (auto* t : create->workflowTaskItem()) {
        if (auto* owner = dynamic_cast<P::TaskOwnerContext*>(t)) {
          a.owner = StringName(owner->STRING()->getSymbol());
        } else if (auto* field = dynamic_cast<P::TaskFieldContext*>(t)) {
          a.fields.push_back({MakeName(field->name()), BuildExpr(field->expr())});
        }
      }
      decl->actions.push_back(std::move(a));
    } else if (auto* camp = dynamic_cast<P::WorkflowAddToCampaignContext*>(item)) {
      WorkflowAction a;
      a.kind = WorkflowAction::Kind::kAddToCampaign;
      a.range = Range(item);
      auto strings = camp->STRING();
      a.campaign = StringName(strings[0]->getSymbol());
      if (strings.size() > 1) a.status = StringName(strings[1]->getSymbol());
      decl->actions.push_back(std::move(a));
    } else if (auto* owner = dynamic_cast<P::WorkflowSetOwnerContext*>(item)) {
      WorkflowAction a;
      a.kind = WorkflowAction::Kind::kSetOwner;
      a.range = Range(item);
      a.owner = StringName(owner->STRING()->getSymbol());
      decl->actions.push_back(std::move(a));
    } else if (auto* set = dynamic_cast<P::WorkflowSetRecordContext*>(item)) {
      WorkflowAction a;
      a.kind = WorkflowAction::Kind::kSetRecord;
      a.range = Range(item);
      a.object = BuildObjectRef(set->objectRef());
      for (auto* t : set->workflowTaskItem()) {
        if (auto* owner = dynamic_cast<P::TaskOwnerContext*>(t)) {
          a.owner = StringName(owner->STRING()->getSymbol());  // the checker refuses it here
        } else if (auto* field = dynamic_cast<P::TaskFieldContext*>(t)) {
          a.fields.push_back({MakeName(field->name()), BuildExpr(field->expr())});
        }
      }
      decl->actions.push_back(std::move(a));
    } else if (dynamic_cast<P::WorkflowSyncToSalesforceContext*>(item)) {
      WorkflowAction a;
      a.kind = WorkflowAction::Kind::kSyncToSalesforce;
      a.range = Range(item);
      decl->actions.push_back(std::move(a));
    }
  }
  return decl;
}

DeclPtr AstBuilder::BuildTest(P::TestDeclContext* ctx) {
  auto decl = std::make_unique<TestDecl>(Range(ctx));
  decl->title = DecodeText(ctx->STRING()->getSymbol());
  decl->title_range = Range(ctx->STRING());
  for (auto* step : ctx->testStep()) decl->steps.push_back(BuildTestStep(step));
  return decl;
}

TestStep AstBuilder::BuildTestStep(P::TestStepContext* ctx) {
  TestStep step;
  step.range = Range(ctx);
  if (auto* given = dynamic_cast<P::GivenStepContext*>(ctx)) {
    step.kind = TestStepKind::kGiven;
    step.object = BuildObjectRef(given->objectRef());
    for (auto* init : given->recordLiteral()->fieldInit()) {
      step.record.push_back({MakeName(init->name()), BuildExpr(init->expr())});
    }
    if (given->name()) step.alias = MakeName(given->name());
  } else if (auto* after = dynamic_cast<P::AfterStepContext*>(ctx)) {
    step.kind = TestStepKind::kAfter;
    auto* action = after->testAction();
    if (dynamic_cast<P::SyncActionContext*>(action)) {
      step.action = TestActionKind::kSync;
    } else if (auto* del = dynamic_cast<P::DeleteAction_Context*>(action)) {
      step.action = TestActionKind::kDelete;
      step.action_side = BuildSide(del->side());
      if (del->name()) step.action_argument = MakeName(del->name());
    } else if (auto* named = dynamic_cast<P::NamedActionContext*>(action)) {
      step.action = TestActionKind::kNamed;
      for (auto* n : named->name()) step.action_words.push_back(MakeName(n));
      if (named->STRING()) step.action_argument = StringName(named->STRING()->getSymbol());
    }
  } else if (auto* expect = dynamic_cast<P::ExpectStepContext*>(ctx)) {
    step.kind = TestStepKind::kExpect;
    step.expectation = BuildExpr(expect->expr());
  }
  return step;
}

// ------------------------------------------------------------------------ expressions

namespace {

BinaryOp BinaryOpOf(size_t token_type) {
  switch (token_type) {
    case P::EQ:
      return BinaryOp::kEq;
    case P::NEQ:
      return BinaryOp::kNe;
    case P::LT:
      return BinaryOp::kLt;
    case P::LE:
      return BinaryOp::kLe;
    case P::GT:
      return BinaryOp::kGt;
    case P::GE:
      return BinaryOp::kGe;
    case P::PLUS:
      return BinaryOp::kAdd;
    case P::MINUS:
      return BinaryOp::kSub;
    case P::STAR:
      return BinaryOp::kMul;
    case P::SLASH:
      return BinaryOp::kDiv;
    default:
      return BinaryOp::kMod;
  }
}

// The integer literal token of an expression that is nothing but one, else null.
antlr4::tree::TerminalNode* NegatedIntegerLiteral(P::ExprContext* ctx) {
  auto* postfix = dynamic_cast<P::PostfixExprContext*>(ctx);
  if (postfix == nullptr) return nullptr;
  auto* primary = dynamic_cast<P::PrimaryPostfixContext*>(postfix->postfix());
  if (primary == nullptr) return nullptr;
  auto* literal = dynamic_cast<P::LiteralPrimaryContext*>(primary->primary());
  if (literal == nullptr) return nullptr;
  auto* integer = dynamic_cast<P::IntegerLiteralContext*>(literal->literal());
  return integer != nullptr ? integer->INTEGER() : nullptr;
}

}  // namespace

ExprPtr AstBuilder::BuildExpr(P::ExprContext* ctx) {
  const SourceRange range = Range(ctx);
  auto binary = [&](BinaryOp op, P::ExprContext* lhs, P::ExprContext* rhs, antlr4::Token* tok) {
    auto e = std::make_unique<BinaryExpr>(range);
    e->op = op;
    e->op_range = Range(tok);
    e->lhs = BuildExpr(lhs);
    e->rhs = BuildExpr(rhs);
    return e;
  };
  if (auto* c = dynamic_cast<P::PostfixExprContext*>(ctx)) return BuildPostfix(c->postfix());
  if (auto* c = dynamic_cast<P::CompareExprContext*>(ctx)) {
    return binary(BinaryOpOf(c->op->getType()), c->expr(0), c->expr(1), c->op);
  }
  if (auto* c = dynamic_cast<P::AddExprContext*>(ctx)) {
    return binary(BinaryOpOf(c->op->getType()), c->expr(0), c->expr(1), c->op);
  }
  if (auto* c = dynamic_cast<P::MulExprContext*>(ctx)) {
    return binary(BinaryOpOf(c->op->getType()), c->expr(0), c->expr(1), c->op);
  }
  if (auto* c = dynamic_cast<P::AndExprContext*>(ctx)) {
    return binary(BinaryOp::kAnd, c->expr(0), c->expr(1), c->AND()->getSymbol());
  }
  if (auto* c = dynamic_cast<P::OrExprContext*>(ctx)) {
    return binary(BinaryOp::kOr, c->expr(0), c->expr(1), c->OR()->getSymbol());
  }
  if (auto* c = dynamic_cast<P::NotExprContext*>(ctx)) {
    auto e = std::make_unique<UnaryExpr>(range);
    e->op = UnaryOp::kNot;
    e->operand = BuildExpr(c->expr());
    return e;
  }
  if (auto* c = dynamic_cast<P::NegExprContext*>(ctx)) {
    // `-9223372036854775808`: the digits alone exceed int64, their negation does not. The
    // literal is range-checked with its sign (any other negated literal stays a negation).
    if (auto* lit = NegatedIntegerLiteral(c->expr())) {
      const std::string text = "-" + lit->getText();
      int64_t value = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (value == std::numeric_limits<int64_t>::min() && ec == std::errc() &&
          ptr == text.data() + text.size()) {
        auto e = std::make_unique<LiteralExpr>(range);
        e->literal = LiteralKind::kInteger;
        e->text = text;
        e->integer = value;
        return e;
      }
    }
    auto e = std::make_unique<UnaryExpr>(range);
    e->op = UnaryOp::kNeg;
    e->operand = BuildExpr(c->expr());
    return e;
  }
  if (auto* c = dynamic_cast<P::IsBlankExprContext*>(ctx)) {
    auto e = std::make_unique<IsBlankExpr>(range);
    e->operand = BuildExpr(c->expr());
    e->negated = c->NOT() != nullptr;
    return e;
  }
  if (auto* c = dynamic_cast<P::InExprContext*>(ctx)) {
    auto e = std::make_unique<InExpr>(range);
    e->value = BuildExpr(c->expr(0));
    e->collection = BuildExpr(c->expr(1));
    e->negated = c->NOT() != nullptr;
    return e;
  }
  if (auto* c = dynamic_cast<P::CoalesceExprContext*>(ctx)) {
    auto e = std::make_unique<CoalesceExpr>(range);
    e->value = BuildExpr(c->expr(0));
    e->fallback = BuildExpr(c->expr(1));
    return e;
  }
  if (auto* c = dynamic_cast<P::OtherwiseExprContext*>(ctx)) {
    auto e = std::make_unique<OtherwiseExpr>(range);
    e->value = BuildExpr(c->expr());
    auto* handler = c->handler();
    e->handler_range = Range(handler);
    if (dynamic_cast<P::SkipHandlerContext*>(handler)) {
      e->handler = HandlerKind::kSkip;
    } else if (auto* err = dynamic_cast<P::ErrorHandlerContext*>(handler)) {
      e->handler = HandlerKind::kError;
      e->error_message = DecodeText(err->STRING()->getSymbol());
    } else if (auto* value = dynamic_cast<P::ValueHandlerContext*>(handler)) {
      e->handler = HandlerKind::kValue;
      e->fallback = BuildExpr(value->expr());
    }
    return e;
  }
  return nullptr;
}

ExprPtr AstBuilder::BuildPostfix(P::PostfixContext* ctx) {
  if (auto* c = dynamic_cast<P::PrimaryPostfixContext*>(ctx)) return BuildPrimary(c->primary());
  const SourceRange range = Range(ctx);
  if (auto* c = dynamic_cast<P::MemberPostfixContext*>(ctx)) {
    auto e = std::make_unique<MemberExpr>(range);
    e->object = BuildPostfix(c->postfix());
    e->member = MakeName(c->name());
    return e;
  }
  if (auto* c = dynamic_cast<P::CallPostfixContext*>(ctx)) {
    auto e = std::make_unique<CallExpr>(range);
    e->callee = BuildPostfix(c->postfix());
    for (auto* arg : c->expr()) e->args.push_back(BuildExpr(arg));
    return e;
  }
  return nullptr;
}

ExprPtr AstBuilder::BuildPrimary(P::PrimaryContext* ctx) {
  const SourceRange range = Range(ctx);
  if (auto* c = dynamic_cast<P::LiteralPrimaryContext*>(ctx)) {
    if (auto* s = dynamic_cast<P::StringLiteralContext*>(c->literal())) {
      return BuildString(s->STRING()->getSymbol());
    }
    return BuildLiteral(c->literal());
  }
  if (auto* c = dynamic_cast<P::NamePrimaryContext*>(ctx)) {
    auto e = std::make_unique<NameExpr>(range);
    e->name = MakeName(c->name());
    return e;
  }
  if (auto* c = dynamic_cast<P::ParenPrimaryContext*>(ctx)) return BuildExpr(c->expr());
  if (auto* c = dynamic_cast<P::ListPrimaryContext*>(ctx)) {
    auto e = std::make_unique<ListExpr>(range);
    for (auto* item : c->expr()) e->items.push_back(BuildExpr(item));
    return e;
  }
  if (auto* c = dynamic_cast<P::IfPrimaryContext*>(ctx)) {
    auto e = std::make_unique<IfExpr>(range);
    e->condition = BuildExpr(c->expr(0));
    e->then_value = BuildExpr(c->expr(1));
    e->else_value = BuildExpr(c->expr(2));
    return e;
  }
  if (auto* c = dynamic_cast<P::MatchPrimaryContext*>(ctx)) {
    auto e = std::make_unique<MatchExpr>(range);
    e->subject = BuildExpr(c->expr());
    for (auto* arm_ctx : c->matchArm()) {
      MatchArm arm;
      arm.range = Range(arm_ctx);
      for (auto* pattern_ctx : arm_ctx->pattern()) {
        Pattern pattern;
        pattern.range = Range(pattern_ctx);
        if (auto* lit = dynamic_cast<P::LiteralPatternContext*>(pattern_ctx)) {
          pattern.literal = BuildLiteral(lit->literal());
          // `blank` is also a literal, and the grammar's first alternative takes it.
          pattern.kind = pattern.literal->literal == LiteralKind::kBlank ? PatternKind::kBlank
                                                                         : PatternKind::kLiteral;
          if (pattern.kind == PatternKind::kBlank) pattern.literal.reset();
        } else if (dynamic_cast<P::BlankPatternContext*>(pattern_ctx)) {
          pattern.kind = PatternKind::kBlank;
        }
        arm.patterns.push_back(std::move(pattern));
      }
      arm.value = BuildExpr(arm_ctx->expr());
      e->arms.push_back(std::move(arm));
    }
    return e;
  }
  if (dynamic_cast<P::SkipPrimaryContext*>(ctx)) return std::make_unique<SkipExpr>(range);
  if (auto* c = dynamic_cast<P::ErrorPrimaryContext*>(ctx)) {
    auto e = std::make_unique<ErrorExpr>(range);
    e->message = DecodeText(c->STRING()->getSymbol());
    return e;
  }
  return nullptr;
}

std::unique_ptr<LiteralExpr> AstBuilder::BuildLiteral(P::LiteralContext* ctx) {
  auto lit = std::make_unique<LiteralExpr>(Range(ctx));
  const std::string text = ctx->getText();
  lit->text = text;
  if (auto* s = dynamic_cast<P::StringLiteralContext*>(ctx)) {
    lit->literal = LiteralKind::kText;
    lit->text = DecodeText(s->STRING()->getSymbol());
  } else if (dynamic_cast<P::IntegerLiteralContext*>(ctx)) {
    lit->literal = LiteralKind::kInteger;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), lit->integer);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      diags_.Report(Code::E0110, lit->range, "integer `" + text + "` is too large")
          .helps.push_back("integers range from -9223372036854775808 to 9223372036854775807");
      ok_ = false;
    }
  } else if (dynamic_cast<P::NumberLiteralContext*>(ctx)) {
    lit->literal = LiteralKind::kNumber;
    lit->number = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(lit->number)) {
      diags_.Report(Code::E0110, lit->range, "number `" + text + "` is too large");
      ok_ = false;
    }
  } else if (dynamic_cast<P::TrueLiteralContext*>(ctx)) {
    lit->literal = LiteralKind::kBool;
    lit->boolean = true;
  } else if (dynamic_cast<P::FalseLiteralContext*>(ctx)) {
    lit->literal = LiteralKind::kBool;
  } else if (dynamic_cast<P::BlankLiteralContext*>(ctx)) {
    lit->literal = LiteralKind::kBlank;
  } else if (dynamic_cast<P::DateLiteralContext*>(ctx)) {
    lit->literal = LiteralKind::kDate;
    if (auto days = ParseDateLiteral(text)) {
      lit->days = *days;
    } else {
      diags_.Report(Code::E0109, lit->range, "`" + text + "` is not a date that exists")
          .helps.push_back("dates are written @YYYY-MM-DD, for example @2024-02-29");
      ok_ = false;
    }
  } else if (dynamic_cast<P::DatetimeLiteralContext*>(ctx)) {
    lit->literal = LiteralKind::kDateTime;
    if (auto ms = ParseDateTimeLiteral(text)) {
      lit->millis = *ms;
    } else {
      diags_.Report(Code::E0109, lit->range, "`" + text + "` is not a valid datetime")
          .helps.push_back(
              "datetimes are written @YYYY-MM-DDTHH:MM:SSZ or with an offset like +02:00");
      ok_ = false;
    }
  }
  return lit;
}

std::string AstBuilder::DecodeText(antlr4::Token* token) {
  // Decodes escapes; `${...}` is kept verbatim (callers that allow interpolation split first).
  const std::string raw = token->getText();
  std::string out;
  const SourceRange range = Range(token);
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    const char e = raw[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        const uint32_t cp = static_cast<uint32_t>(std::stoul(raw.substr(i + 1, 4), nullptr, 16));
        if (cp >= 0xD800 && cp <= 0xDFFF) {
          diags_
              .Report(diag::Code::E0108, range,
                      "`\\u" + raw.substr(i + 1, 4) + "` is not a character")
              .helps.push_back("write the character itself; rule files are UTF-8");
          ok_ = false;
        } else {
          AppendUtf8(out, cp);
        }
        i += 4;
        break;
      }
      default:
        out += e;  // \" \\ \/ \$
    }
  }
  return out;
}

ExprPtr AstBuilder::BuildString(antlr4::Token* token) {
  const std::string raw = token->getText();
  if (raw.find("${") == std::string::npos) {
    auto lit = std::make_unique<LiteralExpr>(Range(token));
    lit->literal = LiteralKind::kText;
    lit->text = DecodeText(token);
    return lit;
  }
  // Split into text pieces and `${...}` parts, tracking byte offsets in the file so that
  // diagnostics inside an interpolation point at the right column.
  const SourceRange range = Range(token);
  auto e = std::make_unique<InterpolatedExpr>(range);
  std::string current;
  size_t i = 1;
  while (i + 1 < raw.size()) {
    if (raw[i] == '\\') {
      // Re-use the escape decoder on the two- or six-character escape.
      const size_t len = raw[i + 1] == 'u' ? 6 : 2;
      antlr4::CommonToken piece(token);
      piece.setText("\"" + raw.substr(i, len) + "\"");
      current += DecodeText(&piece);
      i += len;
      continue;
    }
    if (raw[i] == '$' && raw[i + 1] == '{') {
      // The closing brace is the first one outside a quoted string inside the braces.
      size_t close = i + 2;
      for (bool quoted = false; close < raw.size(); ++close) {
        if (quoted && raw[close] == '\\') {
          ++close;
        } else if (raw[close] == '"') {
          quoted = !quoted;
        } else if (!quoted && raw[close] == '}') {
          break;
        }
      }
      const std::string inner = raw.substr(i + 2, close - i - 2);
      // Byte offset of `inner` in the file: the token's start plus the bytes before it.
      const uint32_t inner_offset = range.begin + static_cast<uint32_t>(i + 2);
      e->texts.push_back(std::move(current));
      current.clear();
      auto part = ParseInterpolation(inner, inner_offset);
      if (!part) {
        ok_ = false;
        return nullptr;
      }
      e->parts.push_back(std::move(part));
      i = close + 1;
      continue;
    }
    current += raw[i++];
  }
  e->texts.push_back(std::move(current));
  return e;
}

ExprPtr AstBuilder::ParseInterpolation(std::string_view text, uint32_t byte_offset) {
  if (text.find_first_not_of(" \t") == std::string_view::npos) {
    diags_
        .Report(
            diag::Code::E0108,
            {buffer_.id(), byte_offset - 2, byte_offset + static_cast<uint32_t>(text.size()) + 1},
            "empty `${}` in a text value")
        .helps.push_back(
            "put a field or expression inside, like `${firstname}`, or write `\\$` for a dollar "
            "sign");
    return nullptr;
  }
  return ParseEmbeddedExpr(buffer_, diags_, text, byte_offset);
}

}  // namespace syncline::syntax
