// `--emit=ast`: an indented dump of the tree, one node a line with its line:column.
#include <cstdio>
#include <sstream>

#include "compiler/syntax/parse.h"

namespace syncline::syntax {

const char* SideName(Side side) {
  return side == Side::kHubSpot ? "hubspot" : "salesforce";
}

const char* BinaryOpSpelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kEq:
      return "==";
    case BinaryOp::kNe:
      return "!=";
    case BinaryOp::kLt:
      return "<";
    case BinaryOp::kLe:
      return "<=";
    case BinaryOp::kGt:
      return ">";
    case BinaryOp::kGe:
      return ">=";
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
  }
  return "?";
}

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

class Printer {
 public:
  explicit Printer(const source::SourceBuffer& buffer) : buffer_(buffer) {}

  std::string Print(const Module& m) {
    for (const auto& use : m.uses) {
      std::string path;
      for (const auto& n : use.path) path += (path.empty() ? "" : ".") + n.text;
      Line(0, use.range, "use " + path + (use.alias ? " as " + use.alias->text : ""));
    }
    for (const auto& decl : m.decls) PrintDecl(*decl);
    return out_.str();
  }

 private:
  void Line(int depth, const SourceRange& r, const std::string& text) {
    const auto pos = buffer_.Position(r.begin);
    out_ << std::string(static_cast<size_t>(depth) * 2, ' ') << text << " @" << pos.line << ':'
         << pos.column << '\n';
  }

  static std::string Type(const TypeRef& t) { return t.name.text + (t.may_be_blank ? "?" : ""); }

  void PrintDecl(const Decl& decl) {
    switch (decl.kind) {
      case DeclKind::kConst: {
        const auto& d = static_cast<const ConstDecl&>(decl);
        Line(0, d.range, "const " + d.name.text + (d.type ? ": " + Type(*d.type) : ""));
        PrintExpr(1, d.value.get());
        break;
      }
      case DeclKind::kFn: {
        const auto& d = static_cast<const FnDecl&>(decl);
        std::string sig;
        for (const auto& p : d.params)
          sig += (sig.empty() ? "" : ", ") + p.name.text + ": " + Type(p.type);
        Line(0, d.range, "fn " + d.name.text + "(" + sig + ") -> " + Type(d.result));
        PrintExpr(1, d.body.get());
        break;
      }
      case DeclKind::kTable: {
        const auto& d = static_cast<const TableDecl&>(decl);
        Line(0, d.range,
             "table " + d.name.text + ": " + Type(d.key_type) + " -> " + Type(d.value_type));
        for (const auto& row : d.rows) {
          Line(1, row.range, row.is_default ? "default-row" : "row");
          for (const auto& k : row.keys) PrintExpr(2, k.get());
          PrintExpr(2, row.value.get());
        }
        break;
      }
      case DeclKind::kSync:
        PrintSync(static_cast<const SyncDecl&>(decl));
        break;
      case DeclKind::kActivities: {
        const auto& d = static_cast<const ActivitiesDecl&>(decl);
        Line(0, d.range,
             std::string("activities ") + (d.to_salesforce ? "to " : "from ") +
                 SideName(d.object.side) + "." + d.object.object.text);
        for (const auto& t : d.types) Line(1, t.range, "type " + t.text);
        for (const auto& f : d.fields) {
          Line(1, f.name.range, "field " + f.name.text);
          PrintExpr(2, f.value.get());
        }
        break;
      }
      case DeclKind::kWorkflow: {
        const auto& d = static_cast<const WorkflowDecl&>(decl);
        Line(0, d.range,
             "workflow " + d.name.text + ": " + SideName(d.object.side) + "." +
                 d.object.object.text);
        for (const auto& t : d.triggers)
          Line(1, t.range,
               t.kind == WorkflowTrigger::Kind::kEntersSegment
                   ? "when enters segment " + Quote(t.subject.text)
               : t.kind == WorkflowTrigger::Kind::kEntersCampaign
                   ? "when enters campaign " + Quote(t.subject.text)
                   : "when " + t.subject.text + " changes");
        for (const auto& c : d.conditions) {
          Line(1, c->range, "if");
          PrintExpr(2, c.get());
        }
        for (const auto& a : d.actions) {
          switch (a.kind) {
            case WorkflowAction::Kind::kCreate:
            case WorkflowAction::Kind::kSetRecord:
              Line(1, a.range,
                   (a.kind == WorkflowAction::Kind::kCreate ? "create " : "set ") +
                       std::string(SideName(a.object.side)) + "." + a.object.object.text +
                       (a.owner ? " owner " + Quote(a.owner->text) : ""));
              for (const auto& f : a.fields) {
                Line(2, f.name.range, "field " + f.name.text);
                PrintExpr(3, f.value.get());
              }
              break;
            case WorkflowAction::Kind::kAddToCampaign:
              Line(1, a.range,
                   "add to campaign " + Quote(a.campaign.text) +
                       (a.status ? " status " + Quote(a.status->text) : ""));
              break;
            case WorkflowAction::Kind::kSetOwner:
              Line(1, a.range, "set salesforce owner " + Quote(a.owner->text));
              break;
            case WorkflowAction::Kind::kSyncToSalesforce:
              Line(1, a.range, "sync to salesforce");
              break;
          }
        }
        break;
      }
      case DeclKind::kMappings: {
        const auto& d = static_cast<const MappingsDecl&>(decl);
        std::string right;
        for (const auto& r : d.right)
          right +=
              (right.empty() ? "" : " | ") + std::string(SideName(r.side)) + "." + r.object.text;
        Line(0, d.range,
             "mappings " + d.name.text + ": " + SideName(d.left.side) + "." + d.left.object.text +
                 " <-> " + right);
        for (const auto& m : d.mappings) PrintMapping(m);
        break;
      }
      case DeclKind::kTest: {
        const auto& d = static_cast<const TestDecl&>(decl);
        Line(0, d.range, "test " + Quote(d.title));
        for (const auto& step : d.steps) PrintStep(step);
        break;
      }
    }
  }

  void PrintStep(const TestStep& s) {
    switch (s.kind) {
      case TestStepKind::kGiven:
        Line(1, s.range,
             std::string("given ") + SideName(s.object.side) + "." + s.object.object.text +
                 (s.alias ? " as " + s.alias->text : ""));
        for (const auto& f : s.record) {
          Line(2, f.name.range, f.name.text + ":");
          PrintExpr(3, f.value.get());
        }
        break;
      case TestStepKind::kAfter: {
        std::string action;
        if (s.action == TestActionKind::kSync) action = "sync";
        if (s.action == TestActionKind::kDelete)
          action = std::string(SideName(s.action_side)) + " delete";
        for (const auto& w : s.action_words) action += (action.empty() ? "" : " ") + w.text;
        if (s.action_argument) action += " " + Quote(s.action_argument->text);
        Line(1, s.range, "after " + action);
        break;
      }
      case TestStepKind::kExpect:
        Line(1, s.range, "expect");
        PrintExpr(2, s.expectation.get());
        break;
    }
  }

  void PrintSync(const SyncDecl& d) {
    std::string right;
    for (const auto& r : d.right)
      right += (right.empty() ? "" : " | ") + std::string(SideName(r.side)) + "." + r.object.text;
    const char* dir = d.direction == SyncDirection::kBoth           ? "<->"
                      : d.direction == SyncDirection::kToSalesforce ? "->"
                                                                    : "<-";
    Line(0, d.range,
         "sync " + d.name.text + ": " + SideName(d.left.side) + "." + d.left.object.text + " " +
             dir + " " + right);
    for (const auto& item : d.items) PrintItem(*item);
  }

  void PrintItem(const SyncItem& item) {
    switch (item.kind) {
      case SyncItemKind::kMatch: {
        const auto& i = static_cast<const MatchItem&>(item);
        std::string keys;
        for (const auto& k : i.keys)
          keys += (keys.empty() ? "" : ", ") + k.hubspot.text +
                  (k.salesforce ? " <-> " + k.salesforce->text : "");
        Line(1, i.range, "match " + keys);
        break;
      }
      case SyncItemKind::kCreate: {
        const auto& i = static_cast<const CreateItem&>(item);
        const char* action = i.action == CreateAction::kCreateOrUpdate ? "create-or-update"
                             : i.action == CreateAction::kUpdateOnly   ? "update-only"
                                                                       : "nothing";
        Line(1, i.range,
             std::string("in ") + SideName(i.written) + ": " + action +
                 (i.object ? " " + i.object->text : ""));
        break;
      }
      case SyncItemKind::kDelete: {
        const auto& i = static_cast<const DeleteItem&>(item);
        Line(1, i.range,
             std::string("on ") + SideName(i.deleted) +
                 " delete: " + (i.propagate ? "delete" : "nothing"));
        break;
      }
      case SyncItemKind::kInclude: {
        const auto& i = static_cast<const IncludeItem&>(item);
        Line(1, i.range, "include if");
        PrintExpr(2, i.condition.get());
        break;
      }
      case SyncItemKind::kPicklists: {
        const auto& i = static_cast<const PicklistsItem&>(item);
        Line(1, i.range, "picklists");
        for (const auto& s : i.settings)
          Line(2, s.range, std::string(SideName(s.side)) + ": " + s.value.text);
        break;
      }
      case SyncItemKind::kLifecycle: {
        const auto& i = static_cast<const LifecycleItem&>(item);
        std::string words;
        for (const auto& w : i.source_words) words += " " + w.text;
        Line(1, i.range, "lifecycle from" + words + (i.off ? ": nothing" : ""));
        for (const auto& r : i.rules) {
          if (r.kind == LifecycleRule::Kind::kSpread) {
            std::string spread;
            for (const auto& w : r.spread_words) spread += " " + w.text;
            Line(2, r.range, "spread to" + spread);
          } else if (r.kind == LifecycleRule::Kind::kStageGroup) {
            Line(2, r.range, r.group.text + " -> " + r.target.text);
          } else {
            std::string stages;
            for (const auto& s : r.stages) stages += (stages.empty() ? "" : ", ") + Quote(s.text);
            Line(2, r.range, stages + " -> " + r.target.text);
          }
        }
        break;
      }
      case SyncItemKind::kAutoCreate: {
        const auto& i = static_cast<const AutoCreateItem&>(item);
        Line(1, i.range, "auto create " + i.what.text);
        break;
      }
      case SyncItemKind::kStages: {
        const auto& i = static_cast<const StagesItem&>(item);
        Line(1, i.range,
             "stages" + (i.pipeline ? " pipeline " + Quote(i.pipeline->text) : std::string()) +
                 (i.record_type ? " record type " + Quote(i.record_type->text) : std::string()));
        for (const auto& row : i.rows) {
          std::string sf;
          for (const auto& s : row.salesforce_stages)
            sf += (sf.empty() ? "" : ", ") + Quote(s.text);
          Line(2, row.range, row.hubspot_stage.text + " <-> " + sf);
        }
        break;
      }
      case SyncItemKind::kAssociate: {
        const auto& i = static_cast<const AssociateItem&>(item);
        std::string via;
        for (const auto& v : i.via) via += " " + v.text;
        Line(1, i.range, "associate " + i.what.text + (via.empty() ? "" : " via" + via));
        break;
      }
      case SyncItemKind::kConflict: {
        const auto& i = static_cast<const ConflictItem&>(item);
        Line(1, i.range, std::string("conflict: ") + SideName(i.winner) + " wins");
        break;
      }
      case SyncItemKind::kMapFrom: {
        const auto& i = static_cast<const MapFromItem&>(item);
        std::string path;
        for (const auto& n : i.path) path += (path.empty() ? "" : ".") + n.text;
        Line(1, i.range, "map from " + path);
        break;
      }
      case SyncItemKind::kMap: {
        const auto& i = static_cast<const MapItem&>(item);
        Line(1, i.range, "map");
        for (const auto& m : i.mappings) PrintMapping(m);
        break;
      }
    }
  }

  static std::string Field(const FieldRef& f) {
    return (f.qualifier ? f.qualifier->text + "." : "") + f.field.text;
  }

  void PrintMapping(const Mapping& m) {
    const char* arrow = m.arrow == MapArrow::kBoth           ? "<->"
                        : m.arrow == MapArrow::kToSalesforce ? "->"
                        : m.arrow == MapArrow::kToHubSpot    ? "<-"
                                                             : "--";
    std::string rule;
    switch (m.rule) {
      case SyncRule::kUnspecified:
        break;
      case SyncRule::kPreferUnlessBlank:
        rule = std::string(" prefer ") + SideName(m.rule_side) + " unless blank";
        break;
      case SyncRule::kAlways:
        rule = std::string(" always ") + SideName(m.rule_side);
        break;
      case SyncRule::kTwoWay:
        rule = " two-way";
        break;
      case SyncRule::kDontSync:
        rule = " don't sync";
        break;
    }
    Line(2, m.range, Field(m.hubspot) + " " + arrow + " " + Field(m.salesforce) + rule);
    for (const auto& t : m.transforms) {
      Line(3, t.range, t.to ? std::string("to ") + SideName(*t.to) + " =" : "=");
      PrintExpr(4, t.value.get());
    }
  }

  void PrintLiteral(int depth, const LiteralExpr& e) {
    switch (e.literal) {
      case LiteralKind::kText:
        Line(depth, e.range, "text " + Quote(e.text));
        break;
      case LiteralKind::kInteger:
        Line(depth, e.range, "integer " + std::to_string(e.integer));
        break;
      case LiteralKind::kNumber: {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", e.number);
        Line(depth, e.range, std::string("number ") + buf);
        break;
      }
      case LiteralKind::kBool:
        Line(depth, e.range, e.boolean ? "bool true" : "bool false");
        break;
      case LiteralKind::kBlank:
        Line(depth, e.range, "blank");
        break;
      case LiteralKind::kDate:
        Line(depth, e.range, "date " + e.text + " (day " + std::to_string(e.days) + ")");
        break;
      case LiteralKind::kDateTime:
        Line(depth, e.range, "datetime " + e.text + " (ms " + std::to_string(e.millis) + ")");
        break;
    }
  }

  void PrintExpr(int depth, const Expr* expr) {
    if (expr == nullptr) return;
    switch (expr->kind) {
      case ExprKind::kLiteral:
        PrintLiteral(depth, static_cast<const LiteralExpr&>(*expr));
        break;
      case ExprKind::kName:
        Line(depth, expr->range, "name " + static_cast<const NameExpr&>(*expr).name.text);
        break;
      case ExprKind::kMember: {
        const auto& e = static_cast<const MemberExpr&>(*expr);
        Line(depth, e.range, "member ." + e.member.text);
        PrintExpr(depth + 1, e.object.get());
        break;
      }
      case ExprKind::kCall: {
        const auto& e = static_cast<const CallExpr&>(*expr);
        Line(depth, e.range, "call");
        PrintExpr(depth + 1, e.callee.get());
        for (const auto& a : e.args) PrintExpr(depth + 1, a.get());
        break;
      }
      case ExprKind::kUnary: {
        const auto& e = static_cast<const UnaryExpr&>(*expr);
        Line(depth, e.range, e.op == UnaryOp::kNot ? "not" : "negate");
        PrintExpr(depth + 1, e.operand.get());
        break;
      }
      case ExprKind::kBinary: {
        const auto& e = static_cast<const BinaryExpr&>(*expr);
        Line(depth, e.range, std::string("binary ") + BinaryOpSpelling(e.op));
        PrintExpr(depth + 1, e.lhs.get());
        PrintExpr(depth + 1, e.rhs.get());
        break;
      }
      case ExprKind::kIsBlank: {
        const auto& e = static_cast<const IsBlankExpr&>(*expr);
        Line(depth, e.range, e.negated ? "is-not-blank" : "is-blank");
        PrintExpr(depth + 1, e.operand.get());
        break;
      }
      case ExprKind::kIn: {
        const auto& e = static_cast<const InExpr&>(*expr);
        Line(depth, e.range, e.negated ? "not-in" : "in");
        PrintExpr(depth + 1, e.value.get());
        PrintExpr(depth + 1, e.collection.get());
        break;
      }
      case ExprKind::kCoalesce: {
        const auto& e = static_cast<const CoalesceExpr&>(*expr);
        Line(depth, e.range, "??");
        PrintExpr(depth + 1, e.value.get());
        PrintExpr(depth + 1, e.fallback.get());
        break;
      }
      case ExprKind::kOtherwise: {
        const auto& e = static_cast<const OtherwiseExpr&>(*expr);
        const std::string handler = e.handler == HandlerKind::kSkip ? "skip"
                                    : e.handler == HandlerKind::kError
                                        ? "error " + Quote(e.error_message)
                                        : "value";
        Line(depth, e.range, "otherwise " + handler);
        PrintExpr(depth + 1, e.value.get());
        PrintExpr(depth + 1, e.fallback.get());
        break;
      }
      case ExprKind::kIf: {
        const auto& e = static_cast<const IfExpr&>(*expr);
        Line(depth, e.range, "if");
        PrintExpr(depth + 1, e.condition.get());
        PrintExpr(depth + 1, e.then_value.get());
        PrintExpr(depth + 1, e.else_value.get());
        break;
      }
      case ExprKind::kMatch: {
        const auto& e = static_cast<const MatchExpr&>(*expr);
        Line(depth, e.range, "match");
        PrintExpr(depth + 1, e.subject.get());
        for (const auto& arm : e.arms) {
          Line(depth + 1, arm.range, "arm");
          for (const auto& p : arm.patterns) {
            if (p.kind == PatternKind::kLiteral) {
              PrintExpr(depth + 2, p.literal.get());
            } else {
              Line(depth + 2, p.range,
                   p.kind == PatternKind::kBlank ? "pattern blank" : "pattern _");
            }
          }
          PrintExpr(depth + 2, arm.value.get());
        }
        break;
      }
      case ExprKind::kList: {
        const auto& e = static_cast<const ListExpr&>(*expr);
        Line(depth, e.range, "list");
        for (const auto& item : e.items) PrintExpr(depth + 1, item.get());
        break;
      }
      case ExprKind::kInterpolated: {
        const auto& e = static_cast<const InterpolatedExpr&>(*expr);
        Line(depth, e.range, "interpolate");
        for (size_t i = 0; i < e.texts.size(); ++i) {
          out_ << std::string(static_cast<size_t>(depth + 1) * 2, ' ') << "text "
               << Quote(e.texts[i]) << '\n';
          if (i < e.parts.size()) PrintExpr(depth + 1, e.parts[i].get());
        }
        break;
      }
      case ExprKind::kSkip:
        Line(depth, expr->range, "skip");
        break;
      case ExprKind::kError:
        Line(depth, expr->range, "error " + Quote(static_cast<const ErrorExpr&>(*expr).message));
        break;
    }
  }

  const source::SourceBuffer& buffer_;
  std::ostringstream out_;
};

}  // namespace

std::string PrintAst(const Module& module, const source::SourceBuffer& buffer) {
  return Printer(buffer).Print(module);
}

}  // namespace syncline::syntax
