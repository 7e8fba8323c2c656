// Expression typing: names, calls, operators, match, blank and fallible handling.
#include <algorithm>

#include "compiler/sema/checker.h"

namespace syncline::sema {

using diag::Code;
using namespace syntax;

namespace {

const char* kHandleHelp =
    "handle the failure with `otherwise <default>`, `otherwise skip` (leave the field alone) or "
    "`otherwise error \"message\"` (record a sync error for this record)";

// Flattens `a.b.c` (names joined by members) into its segments; empty if not a pure path.
std::vector<const Name*> PathOf(const Expr& e) {
  if (e.kind == ExprKind::kName) return {&static_cast<const NameExpr&>(e).name};
  if (e.kind == ExprKind::kMember) {
    const auto& m = static_cast<const MemberExpr&>(e);
    auto head = PathOf(*m.object);
    if (head.empty()) return {};
    head.push_back(&m.member);
    return head;
  }
  return {};
}

std::string Join(const std::vector<const Name*>& path) {
  std::string s;
  for (const auto* n : path) s += (s.empty() ? "" : ".") + n->text;
  return s;
}

SourceRange Span(const std::vector<const Name*>& path) {
  SourceRange r = path.front()->range;
  r.end = path.back()->range.end;
  return r;
}

}  // namespace

Type Checker::Record(const Expr* expr, Type type) {
  out_->types[expr] = type;
  return type;
}

std::optional<Type> Checker::TypeFromRef(const TypeRef& ref, bool report) {
  static const std::map<std::string, TypeKind> kinds = {
      {"text", TypeKind::kText}, {"number", TypeKind::kNumber}, {"integer", TypeKind::kInteger},
      {"bool", TypeKind::kBool}, {"date", TypeKind::kDate},     {"datetime", TypeKind::kDateTime}};
  auto it = kinds.find(ref.name.text);
  if (it == kinds.end()) {
    if (!report) return std::nullopt;
    auto& d = diags_.Report(Code::E0206, ref.name.range, "unknown type `" + ref.name.text + "`");
    std::vector<std::string> names;
    for (const auto& [n, k] : kinds) names.push_back(n);
    diag::SuggestName(d, ref.name.text, names);
    d.notes.push_back(
        "types are text, number, integer, bool, date and datetime; add `?` when "
        "the value may be blank");
    return std::nullopt;
  }
  return Type::Of(it->second, ref.may_be_blank);
}

Type Checker::LiteralType(const LiteralExpr& lit) {
  switch (lit.literal) {
    case LiteralKind::kText:
      return Type::Of(TypeKind::kText);
    case LiteralKind::kInteger:
      return Type::Of(TypeKind::kInteger);
    case LiteralKind::kNumber:
      return Type::Of(TypeKind::kNumber);
    case LiteralKind::kBool:
      return Type::Of(TypeKind::kBool);
    case LiteralKind::kBlank:
      return Type::Of(TypeKind::kBlank, true);
    case LiteralKind::kDate:
      return Type::Of(TypeKind::kDate);
    case LiteralKind::kDateTime:
      return Type::Of(TypeKind::kDateTime);
  }
  return Type::Of(TypeKind::kError);
}

std::optional<Type> Checker::Unify(const Type& a, const Type& b) {
  if (a.IsError() || b.IsError()) return Type::Of(TypeKind::kError);
  Type out;
  if (a.kind == TypeKind::kNever) {
    out = b;
  } else if (b.kind == TypeKind::kNever) {
    out = a;
  } else if (a.kind == TypeKind::kBlank) {
    out = b;
    out.may_be_blank = true;
  } else if (b.kind == TypeKind::kBlank) {
    out = a;
    out.may_be_blank = true;
  } else if (a.kind == b.kind) {
    out = a;
    if (a.field != b.field) out.field = a.field ? a.field : b.field;
    out.may_be_blank = a.may_be_blank || b.may_be_blank;
  } else if (a.IsNumeric() && b.IsNumeric()) {
    out = Type::Of(TypeKind::kNumber, a.may_be_blank || b.may_be_blank);
  } else if (a.IsTextLike() && b.IsTextLike()) {
    out = a.kind == TypeKind::kEnum ? a : b;
    out.may_be_blank = a.may_be_blank || b.may_be_blank;
  } else {
    return std::nullopt;
  }
  out.fallible = a.fallible || b.fallible;
  return out;
}

std::vector<std::string> Checker::FieldNames(const Scope& scope, std::optional<Side> side) {
  std::vector<std::string> names;
  if ((!side || *side == Side::kHubSpot) && scope.hubspot) {
    for (const auto& f : scope.hubspot->fields) names.push_back(f.name);
  }
  if (!side || *side == Side::kSalesforce) {
    for (const auto* o : scope.salesforce) {
      for (const auto& f : o->fields) names.push_back(f.name);
    }
  }
  return names;
}

Type Checker::CheckName(const NameExpr& e, const Scope& scope) {
  const std::string& name = e.name.text;
  if (scope.fn) {
    for (size_t i = 0; i < scope.fn->params.size(); ++i) {
      if (scope.fn->params[i].name.text == name) {
        NameTarget target;
        target.kind = NameTarget::Kind::kParam;
        target.param_index = i;
        out_->names[&e] = target;
        auto t = TypeFromRef(scope.fn->params[i].type, /*report=*/false);
        return Record(&e, t ? *t : Type::Of(TypeKind::kError));
      }
    }
  }
  if (auto it = consts_.find(name); it != consts_.end()) {
    used_definitions_.insert(name);
    NameTarget target;
    target.kind = NameTarget::Kind::kConst;
    target.constant = it->second;
    out_->names[&e] = target;
    auto value_type = out_->types.find(it->second->value.get());
    Type t = value_type != out_->types.end() ? value_type->second : Type::Of(TypeKind::kError);
    return Record(&e, t);
  }
  if (scope.activity) {
    static const std::map<std::string, TypeKind> activity_fields = {
        {"type", TypeKind::kText},
        {"title", TypeKind::kText},
        {"body", TypeKind::kText},
        {"timestamp", TypeKind::kDateTime}};
    if (auto it = activity_fields.find(name); it != activity_fields.end()) {
      return Record(&e, Type::Of(it->second, name == "title" || name == "body"));
    }
  }
  if (scope.salesforce_activity) {
    if (auto t = SalesforceActivityField(name)) return Record(&e, *t);
  }
  if (scope.bare_names == Side::kHubSpot && scope.hubspot) {
    if (const auto* f = scope.hubspot->FindField(name)) {
      NameTarget target;
      target.side = Side::kHubSpot;
      target.field = f;
      out_->names[&e] = target;
      return Record(&e, FieldType(*f));
    }
  }
  if (scope.bare_names == Side::kSalesforce) {
    for (const auto* o : scope.salesforce) {
      if (const auto* f = o->FindField(name)) {
        NameTarget target;
        target.side = Side::kSalesforce;
        target.field = f;
        out_->names[&e] = target;
        return Record(&e, FieldType(*f));
      }
    }
  }
  std::vector<std::string> candidates = FieldNames(scope, scope.bare_names);
  for (const auto& [n, c] : consts_) candidates.push_back(n);
  if (scope.salesforce_activity)
    for (const auto& n : SalesforceActivityFieldNames()) candidates.push_back(n);
  if (scope.fn) {
    for (const auto& p : scope.fn->params) candidates.push_back(p.name.text);
  }
  std::string where;
  if (scope.bare_names == Side::kHubSpot && scope.hubspot) {
    where = " (names here are fields of hubspot." + scope.hubspot->name + ")";
  } else if (scope.bare_names == Side::kSalesforce && !scope.salesforce.empty()) {
    where = " (names here are fields of salesforce." + scope.salesforce.front()->name + ")";
  } else if (scope.salesforce_activity) {
    std::string list;
    for (const auto& n : SalesforceActivityFieldNames()) list += (list.empty() ? "" : ", ") + n;
    where = " (names here are the Salesforce activity's: " + list + ")";
  }
  auto& d = diags_.Report(Code::E0201, e.name.range, "unknown name `" + name + "`" + where);
  diag::SuggestName(d, name, candidates);
  return Record(&e, Type::Of(TypeKind::kError));
}

// `hubspot.email`, `salesforce.Email`, `salesforce.Lead.Email`, `Lead.Email`.
Type Checker::CheckMemberPath(const Expr& e, const Scope& scope) {
  auto path = PathOf(e);
  if (path.empty()) {
    diags_.Report(Code::E0201, e.range, "only fields can be read with `.`");
    return Record(&e, Type::Of(TypeKind::kError));
  }
  const std::string& head = path[0]->text;
  const schema::Object* object = nullptr;
  size_t field_index = 1;
  Side side = Side::kHubSpot;
  if (head == "hubspot" || head == "salesforce") {
    side = head == "hubspot" ? Side::kHubSpot : Side::kSalesforce;
    if (path.size() == 3) {
      object = schemas_.Find(
          side == Side::kHubSpot ? schema::Crm::kHubSpot : schema::Crm::kSalesforce, path[1]->text);
      if (!object) {
        auto& d =
            diags_.Report(Code::E0501, path[1]->range,
                          "unknown " + std::string(head == "hubspot" ? "HubSpot" : "Salesforce") +
                              " object `" + path[1]->text + "`");
        std::vector<std::string> names;
        for (const auto* o : schemas_.Objects(side == Side::kHubSpot ? schema::Crm::kHubSpot
                                                                     : schema::Crm::kSalesforce))
          names.push_back(o->name);
        diag::SuggestName(d, path[1]->text, names);
        return Record(&e, Type::Of(TypeKind::kError));
      }
      field_index = 2;
    } else if (path.size() == 2) {
      if (side == Side::kHubSpot) {
        object = scope.hubspot;
      } else {
        for (const auto* o : scope.salesforce) {
          if (o->FindField(path[1]->text)) {
            object = o;
            break;
          }
        }
        if (!object && !scope.salesforce.empty()) object = scope.salesforce.front();
      }
    }
  } else if (path.size() == 2) {
    for (const auto* o : scope.salesforce) {
      if (o->name == head) {
        object = o;
        side = Side::kSalesforce;
      }
    }
    if (!object && scope.hubspot && scope.hubspot->name == head) {
      object = scope.hubspot;
      side = Side::kHubSpot;
    }
  }
  if (!object || field_index >= path.size() || path.size() > field_index + 1) {
    diags_.Report(Code::E0201, Span(path), "unknown name `" + Join(path) + "`")
        .helps.push_back(
            "read a field as `hubspot.<property>`, `salesforce.<Field>` or "
            "`salesforce.<Object>.<Field>`");
    return Record(&e, Type::Of(TypeKind::kError));
  }
  const Name& field_name = *path[field_index];
  const schema::Field* field = object->FindField(field_name.text);
  if (!field) {
    auto& d = diags_.Report(Code::E0502, field_name.range,
                            "unknown field `" + field_name.text + "` on `" +
                                (side == Side::kHubSpot ? "hubspot." : "salesforce.") +
                                object->name + "`");
    std::vector<std::string> names;
    for (const auto& f : object->fields) names.push_back(f.name);
    diag::SuggestName(d, field_name.text, names);
    return Record(&e, Type::Of(TypeKind::kError));
  }
  NameTarget target;
  target.side = side;
  target.field = field;
  out_->names[&e] = target;
  return Record(&e, FieldType(*field));
}

Type Checker::CheckCall(const CallExpr& e, const Scope& scope) {
  auto path = PathOf(*e.callee);
  std::vector<Type> args;
  bool arg_error = false;
  bool arg_fallible = false;
  for (const auto& a : e.args) {
    args.push_back(CheckExpr(a.get(), scope));
    arg_error |= args.back().IsError();
    arg_fallible |= args.back().fallible;
  }
  if (path.empty()) {
    diags_.Report(Code::E0202, e.callee->range, "only named functions can be called");
    return Record(&e, Type::Of(TypeKind::kError));
  }
  const std::string name = Join(path);
  const SourceRange name_range = Span(path);

  auto check_args = [&](const std::vector<Type>& params, const std::string& display) -> bool {
    if (params.size() != args.size()) {
      auto& d = diags_.Report(Code::E0302, e.range,
                              "`" + display + "` takes " + std::to_string(params.size()) +
                                  (params.size() == 1 ? " argument" : " arguments") + " but " +
                                  std::to_string(args.size()) +
                                  (args.size() == 1 ? " was" : " were") + " given");
      std::string sig;
      for (const auto& p : params) sig += (sig.empty() ? "" : ", ") + TypeName(p);
      d.notes.push_back("`" + display + "(" + sig + ")`");
      return false;
    }
    if (arg_error) return false;
    bool ok = true;
    for (size_t i = 0; i < params.size(); ++i) {
      Type arg = args[i];
      arg.fallible = false;  // a failing argument makes the call fail; reported at the sink
      Type param = params[i];
      auto u = Unify(arg, param);
      const bool fits =
          u && !(arg.may_be_blank && !param.may_be_blank && arg.kind != TypeKind::kNever) &&
          !(param.kind == TypeKind::kInteger && arg.kind == TypeKind::kNumber);
      if (!fits) {
        auto& d =
            diags_.Report(Code::E0301, e.args[i]->range,
                          "argument " + std::to_string(i + 1) + " of `" + display + "` must be " +
                              TypeName(param) + ", found " + TypeName(args[i]));
        if (arg.may_be_blank && !param.may_be_blank) {
          d.helps.push_back("the value may be blank; give a default with `?? <value>`");
        }
        ok = false;
      }
    }
    return ok;
  };

  // User functions and tables first: they shadow nothing in std (std names are qualified).
  if (auto it = fns_.find(name); it != fns_.end()) {
    used_definitions_.insert(name);
    if (current_fn_) fn_calls_[current_fn_].insert(it->second);
    CallTarget target;
    target.kind = CallTarget::Kind::kUserFn;
    target.fn = it->second;
    out_->calls[&e] = target;
    std::vector<Type> params;
    for (const auto& p : it->second->params) {
      auto t = TypeFromRef(p.type, /*report=*/false);
      params.push_back(t ? *t : Type::Of(TypeKind::kError));
    }
    if (!check_args(params, name)) return Record(&e, Type::Of(TypeKind::kError));
    auto result = TypeFromRef(it->second->result, /*report=*/false);
    if (!result) return Record(&e, Type::Of(TypeKind::kError));
    result->fallible = arg_fallible;
    return Record(&e, *result);
  }
  if (auto it = tables_.find(name); it != tables_.end()) {
    used_definitions_.insert(name);
    CallTarget target;
    target.kind = CallTarget::Kind::kTable;
    target.table = it->second;
    out_->calls[&e] = target;
    auto key = TypeFromRef(it->second->key_type, /*report=*/false);
    auto value = TypeFromRef(it->second->value_type, /*report=*/false);
    if (!key || !value) return Record(&e, Type::Of(TypeKind::kError));
    key->may_be_blank = true;  // a blank key finds no row
    if (!check_args({*key}, name)) return Record(&e, Type::Of(TypeKind::kError));
    const bool has_default = std::any_of(it->second->rows.begin(), it->second->rows.end(),
                                         [](const TableRow& r) { return r.is_default; });
    value->fallible = !has_default || arg_fallible;  // a key with no row fails
    return Record(&e, *value);
  }
  // Builtins: fully qualified, through a `use` alias, or bare when their module is used.
  const BuiltinSignature* found = nullptr;
  for (const auto& b : Builtins()) {
    if (b.name == name) found = &b;
  }
  if (!found && path.size() >= 2) {
    const std::string head = path[0]->text;
    if (auto alias = module_aliases_.find(head); alias != module_aliases_.end()) {
      std::string rest;
      for (size_t i = 1; i < path.size(); ++i) rest += "." + path[i]->text;
      for (const auto& b : Builtins()) {
        if (b.name == alias->second + rest) found = &b;
      }
    }
  }
  if (!found && path.size() == 1) {
    for (const auto& b : Builtins()) {
      const bool visible = b.module.empty() || std::find(out_->uses.begin(), out_->uses.end(),
                                                         b.module) != out_->uses.end();
      if (visible && b.name.substr(b.name.rfind('.') + 1) == name) found = &b;
    }
  }
  if (!found) {
    auto& d = diags_.Report(Code::E0202, name_range, "unknown function `" + name + "`");
    std::vector<std::string> candidates;
    for (const auto& [n, f] : fns_) candidates.push_back(n);
    for (const auto& [n, t] : tables_) candidates.push_back(n);
    for (const auto& b : Builtins()) {
      candidates.push_back(b.name);
      candidates.push_back(b.name.substr(b.name.rfind('.') + 1));
    }
    auto best = diag::ClosestName(name, candidates);
    if (best) {
      d.helps.push_back("did you mean `" + *best + "`?");
    }
    // A std function whose module was not imported.
    for (const auto& b : Builtins()) {
      if (!b.module.empty() && b.name.substr(b.name.rfind('.') + 1) == name) {
        d.helps.push_back("`" + b.name + "` is in `" + b.module + "`: add `use " + b.module + "`");
        break;
      }
    }
    return Record(&e, Type::Of(TypeKind::kError));
  }
  if (found->include_only && !scope.in_include) {
    diags_
        .Report(Code::E0202, name_range,
                "`" + found->name + "` can only be used in an `include if` filter")
        .notes.push_back(
            "segment membership is known when deciding what syncs, not inside a field transform");
    return Record(&e, Type::Of(TypeKind::kError));
  }
  CallTarget target;
  target.builtin = found->name;
  out_->calls[&e] = target;
  if (!check_args(found->params, found->name)) return Record(&e, Type::Of(TypeKind::kError));
  Type result = found->result;
  result.fallible = result.fallible || arg_fallible;
  // Lifecycle helpers return the stage type of their arguments.
  if (result.kind == TypeKind::kEnum && !args.empty()) result.field = args[0].field;
  return Record(&e, result);
}

Type Checker::CheckBinary(const BinaryExpr& e, const Scope& scope) {
  Type a = CheckExpr(e.lhs.get(), scope);
  Type b = CheckExpr(e.rhs.get(), scope);
  if (a.IsError() || b.IsError()) return Record(&e, Type::Of(TypeKind::kError));
  const bool fallible = a.fallible || b.fallible;
  auto bad = [&](const std::string& help) {
    auto& d = diags_.Report(Code::E0304, e.op_range,
                            std::string("`") + BinaryOpSpelling(e.op) + "` cannot be used with " +
                                TypeName(a) + " and " + TypeName(b));
    d.labels.push_back({e.lhs->range, TypeName(a)});
    d.labels.push_back({e.rhs->range, TypeName(b)});
    if (!help.empty()) d.helps.push_back(help);
    return Record(&e, Type::Of(TypeKind::kError));
  };
  auto result = [&](TypeKind k, bool blank) {
    Type t = Type::Of(k, blank);
    t.fallible = fallible;
    return Record(&e, t);
  };
  switch (e.op) {
    case BinaryOp::kAnd:
    case BinaryOp::kOr:
      if (a.kind != TypeKind::kBool || b.kind != TypeKind::kBool) {
        return bad("`and` and `or` combine true/false conditions");
      }
      return result(TypeKind::kBool, false);
    case BinaryOp::kEq:
    case BinaryOp::kNe:
      if (!Unify(a, b)) return bad("compare values of the same type");
      return result(TypeKind::kBool, false);
    case BinaryOp::kLt:
    case BinaryOp::kLe:
    case BinaryOp::kGt:
    case BinaryOp::kGe: {
      auto u = Unify(a, b);
      if (!u || u->kind == TypeKind::kBool || u->kind == TypeKind::kMultiEnum ||
          u->kind == TypeKind::kBlank || u->kind == TypeKind::kList) {
        return bad(
            "order comparisons work on numbers, dates, datetimes and text; for lifecycle "
            "stages use std.lifecycle.is_before");
      }
      return result(TypeKind::kBool, false);
    }
    case BinaryOp::kAdd:
      if (a.IsNumeric() && b.IsNumeric()) {
        return result(a.kind == TypeKind::kInteger && b.kind == TypeKind::kInteger
                          ? TypeKind::kInteger
                          : TypeKind::kNumber,
                      a.may_be_blank || b.may_be_blank);
      }
      if (a.IsTextLike() && b.IsTextLike()) return result(TypeKind::kText, false);
      if (a.kind == TypeKind::kDate && b.kind == TypeKind::kInteger) {
        return result(TypeKind::kDate, a.may_be_blank || b.may_be_blank);
      }
      return bad(
          "`+` adds numbers, joins text, or adds days to a date; to put values into text "
          "write \"${a} ${b}\"");
    case BinaryOp::kSub:
      if (a.IsNumeric() && b.IsNumeric()) {
        return result(a.kind == TypeKind::kInteger && b.kind == TypeKind::kInteger
                          ? TypeKind::kInteger
                          : TypeKind::kNumber,
                      a.may_be_blank || b.may_be_blank);
      }
      if (a.kind == TypeKind::kDate && b.kind == TypeKind::kDate) {
        return result(TypeKind::kInteger, a.may_be_blank || b.may_be_blank);
      }
      if (a.kind == TypeKind::kDate && b.kind == TypeKind::kInteger) {
        return result(TypeKind::kDate, a.may_be_blank || b.may_be_blank);
      }
      return bad("`-` subtracts numbers, days from a date, or two dates");
    case BinaryOp::kMul:
    case BinaryOp::kMod:
      if (a.IsNumeric() && b.IsNumeric()) {
        return result(a.kind == TypeKind::kInteger && b.kind == TypeKind::kInteger
                          ? TypeKind::kInteger
                          : TypeKind::kNumber,
                      a.may_be_blank || b.may_be_blank);
      }
      return bad("");
    case BinaryOp::kDiv:
      if (a.IsNumeric() && b.IsNumeric()) {
        // Division by zero gives blank rather than failing: a missing ratio is not an error.
        return result(TypeKind::kNumber, true);
      }
      return bad("");
  }
  return Record(&e, Type::Of(TypeKind::kError));
}

Type Checker::CheckMatch(const MatchExpr& e, const Scope& scope) {
  Type subject = CheckExpr(e.subject.get(), scope);
  std::optional<Type> result;
  bool error = subject.IsError();
  bool has_wildcard = false;
  bool has_blank = false;
  std::set<std::string> covered;
  for (const auto& arm : e.arms) {
    for (const auto& p : arm.patterns) {
      if (p.kind == PatternKind::kWildcard) has_wildcard = true;
      if (p.kind == PatternKind::kBlank) has_blank = true;
      if (p.kind == PatternKind::kLiteral) {
        Type pt = LiteralType(*p.literal);
        out_->types[p.literal.get()] = pt;
        covered.insert(p.literal->text);
        if (!subject.IsError() && !Unify(pt, subject)) {
          diags_.Report(
              Code::E0301, p.range,
              "pattern is " + TypeName(pt) + " but the value matched is " + TypeName(subject));
          error = true;
        } else if (subject.kind == TypeKind::kEnum && subject.field && pt.kind == TypeKind::kText &&
                   !subject.field->options.empty() && !subject.field->FindOption(p.literal->text)) {
          auto& d = diags_.Report(
              Code::E0306, p.range,
              "\"" + p.literal->text + "\" is not a value of `" + subject.field->name + "`");
          std::vector<std::string> values;
          for (const auto& o : subject.field->options) values.push_back(o.value);
          diag::SuggestName(d, p.literal->text, values);
          error = true;
        }
      }
    }
    Type value = CheckExpr(arm.value.get(), scope);
    if (value.IsError()) {
      error = true;
      continue;
    }
    if (!result) {
      result = value;
    } else if (auto u = Unify(*result, value)) {
      result = u;
    } else {
      auto& d = diags_.Report(
          Code::E0307, arm.value->range,
          "this arm gives " + TypeName(value) + " but earlier arms give " + TypeName(*result));
      d.helps.push_back("every arm of a match must give the same type");
      error = true;
    }
  }
  if (error) return Record(&e, Type::Of(TypeKind::kError));
  if (!has_wildcard) {
    bool exhaustive = false;
    if (subject.kind == TypeKind::kBool)
      exhaustive = covered.count("true") && covered.count("false");
    if (subject.kind == TypeKind::kEnum && subject.field && !subject.field->options.empty()) {
      exhaustive = std::all_of(subject.field->options.begin(), subject.field->options.end(),
                               [&](const schema::Option& o) { return covered.count(o.value) > 0; });
    }
    if (exhaustive && subject.may_be_blank && !has_blank) exhaustive = false;
    if (!exhaustive) {
      auto& d = diags_.Report(Code::E0308, e.range,
                              "match does not cover every value of " + TypeName(subject));
      d.helps.push_back("add a last arm `_ => <value>` for every other value" +
                        std::string(subject.may_be_blank ? " (blank included)" : ""));
      return Record(&e, Type::Of(TypeKind::kError));
    }
  }
  if (!result) result = Type::Of(TypeKind::kNever);
  result->fallible = result->fallible || subject.fallible;
  return Record(&e, *result);
}

Type Checker::CheckExpr(const Expr* expr, const Scope& scope) {
  if (expr == nullptr) return Type::Of(TypeKind::kError);
  switch (expr->kind) {
    case ExprKind::kLiteral:
      return Record(expr, LiteralType(static_cast<const LiteralExpr&>(*expr)));
    case ExprKind::kName:
      return CheckName(static_cast<const NameExpr&>(*expr), scope);
    case ExprKind::kMember:
      return CheckMemberPath(*expr, scope);
    case ExprKind::kCall:
      return CheckCall(static_cast<const CallExpr&>(*expr), scope);
    case ExprKind::kUnary: {
      const auto& e = static_cast<const UnaryExpr&>(*expr);
      Type t = CheckExpr(e.operand.get(), scope);
      if (t.IsError()) return Record(expr, t);
      if (e.op == UnaryOp::kNot && t.kind != TypeKind::kBool) {
        diags_.Report(Code::E0304, expr->range,
                      "`not` needs a true/false value, found " + TypeName(t));
        return Record(expr, Type::Of(TypeKind::kError));
      }
      if (e.op == UnaryOp::kNeg && !t.IsNumeric()) {
        diags_.Report(Code::E0304, expr->range, "`-` needs a number, found " + TypeName(t));
        return Record(expr, Type::Of(TypeKind::kError));
      }
      if (e.op == UnaryOp::kNot) t.may_be_blank = false;
      return Record(expr, t);
    }
    case ExprKind::kBinary:
      return CheckBinary(static_cast<const BinaryExpr&>(*expr), scope);
    case ExprKind::kIsBlank: {
      const auto& e = static_cast<const IsBlankExpr&>(*expr);
      Type t = CheckExpr(e.operand.get(), scope);
      if (t.IsError()) return Record(expr, t);
      Type b = Type::Of(TypeKind::kBool);
      b.fallible = t.fallible;
      return Record(expr, b);
    }
    case ExprKind::kIn: {
      const auto& e = static_cast<const InExpr&>(*expr);
      Type v = CheckExpr(e.value.get(), scope);
      Type c = CheckExpr(e.collection.get(), scope);
      if (v.IsError() || c.IsError()) return Record(expr, Type::Of(TypeKind::kError));
      if (c.kind != TypeKind::kList && c.kind != TypeKind::kMultiEnum) {
        diags_.Report(
            Code::E0304, e.collection->range,
            "`in` needs a list like [\"a\", \"b\"] or a multi-select, found " + TypeName(c));
        return Record(expr, Type::Of(TypeKind::kError));
      }
      if (c.kind == TypeKind::kList && !Unify(v, Type::Of(c.element))) {
        diags_.Report(Code::E0301, e.value->range,
                      TypeName(v) + " cannot be in a list of " + KindName(c.element));
        return Record(expr, Type::Of(TypeKind::kError));
      }
      Type b = Type::Of(TypeKind::kBool);
      b.fallible = v.fallible || c.fallible;
      return Record(expr, b);
    }
    case ExprKind::kCoalesce: {
      const auto& e = static_cast<const CoalesceExpr&>(*expr);
      Type a = CheckExpr(e.value.get(), scope);
      Type b = CheckExpr(e.fallback.get(), scope);
      if (a.IsError() || b.IsError()) return Record(expr, Type::Of(TypeKind::kError));
      auto u = Unify(a, b);
      if (!u) {
        diags_.Report(Code::E0301, e.fallback->range,
                      "the default is " + TypeName(b) + " but the value is " + TypeName(a));
        return Record(expr, Type::Of(TypeKind::kError));
      }
      u->may_be_blank = b.may_be_blank;
      if (a.kind != TypeKind::kBlank && a.kind != TypeKind::kNever) {
        u->kind = a.kind == TypeKind::kInteger && b.kind == TypeKind::kNumber ? TypeKind::kNumber
                                                                              : u->kind;
      }
      return Record(expr, *u);
    }
    case ExprKind::kOtherwise: {
      const auto& e = static_cast<const OtherwiseExpr&>(*expr);
      Type a = CheckExpr(e.value.get(), scope);
      if (a.IsError()) return Record(expr, a);
      if (!a.fallible) {
        auto& d = diags_.Report(Code::E0309, e.handler_range,
                                "`otherwise` is not needed: " + TypeName(a) + " cannot fail");
        d.helps.push_back("remove `otherwise ...`; to give a default for a blank value use `??`");
        return Record(expr, Type::Of(TypeKind::kError));
      }
      a.fallible = false;
      if (e.handler != HandlerKind::kValue) {
        if (!scope.allow_skip) {
          diags_
              .Report(Code::E0310, e.handler_range,
                      std::string("`otherwise ") +
                          (e.handler == HandlerKind::kSkip ? "skip" : "error") +
                          "` can only be used where a field is written")
              .helps.push_back("give a value instead: `otherwise <default>`");
          return Record(expr, Type::Of(TypeKind::kError));
        }
        return Record(expr, a);
      }
      Type b = CheckExpr(e.fallback.get(), scope);
      if (b.IsError()) return Record(expr, b);
      auto u = Unify(a, b);
      if (!u) {
        diags_.Report(Code::E0301, e.fallback->range,
                      "the fallback is " + TypeName(b) + " but the value is " + TypeName(a));
        return Record(expr, Type::Of(TypeKind::kError));
      }
      return Record(expr, *u);
    }
    case ExprKind::kIf: {
      const auto& e = static_cast<const IfExpr&>(*expr);
      Type c = CheckExpr(e.condition.get(), scope);
      Type a = CheckExpr(e.then_value.get(), scope);
      Type b = CheckExpr(e.else_value.get(), scope);
      if (c.IsError() || a.IsError() || b.IsError())
        return Record(expr, Type::Of(TypeKind::kError));
      if (c.kind != TypeKind::kBool) {
        diags_.Report(Code::E0305, e.condition->range,
                      "the condition of `if` must be true/false, found " + TypeName(c));
        return Record(expr, Type::Of(TypeKind::kError));
      }
      auto u = Unify(a, b);
      if (!u) {
        auto& d = diags_.Report(Code::E0301, e.else_value->range,
                                "`else` gives " + TypeName(b) + " but `then` gives " + TypeName(a));
        d.labels.push_back({e.then_value->range, TypeName(a)});
        return Record(expr, Type::Of(TypeKind::kError));
      }
      u->fallible = u->fallible || c.fallible;
      return Record(expr, *u);
    }
    case ExprKind::kMatch:
      return CheckMatch(static_cast<const MatchExpr&>(*expr), scope);
    case ExprKind::kList: {
      const auto& e = static_cast<const ListExpr&>(*expr);
      std::optional<Type> element;
      for (const auto& item : e.items) {
        Type t = CheckExpr(item.get(), scope);
        if (t.IsError()) return Record(expr, t);
        if (!element) {
          element = t;
        } else if (auto u = Unify(*element, t)) {
          element = u;
        } else {
          diags_.Report(
              Code::E0301, item->range,
              "list items must have one type: " + TypeName(t) + " after " + TypeName(*element));
          return Record(expr, Type::Of(TypeKind::kError));
        }
      }
      Type list = Type::Of(TypeKind::kList);
      list.element = element ? element->kind : TypeKind::kText;
      return Record(expr, list);
    }
    case ExprKind::kInterpolated: {
      const auto& e = static_cast<const InterpolatedExpr&>(*expr);
      bool fallible = false;
      for (const auto& part : e.parts) {
        Type t = CheckExpr(part.get(), scope);
        if (t.IsError()) return Record(expr, t);
        if (t.kind == TypeKind::kList || t.kind == TypeKind::kNever) {
          diags_.Report(Code::E0304, part->range, TypeName(t) + " cannot be put into text");
          return Record(expr, Type::Of(TypeKind::kError));
        }
        fallible |= t.fallible;
      }
      Type t = Type::Of(TypeKind::kText);
      t.fallible = fallible;
      return Record(expr, t);
    }
    case ExprKind::kSkip:
    case ExprKind::kError:
      if (!scope.allow_skip) {
        diags_.Report(Code::E0310, expr->range,
                      std::string("`") + (expr->kind == ExprKind::kSkip ? "skip" : "error") +
                          "` can only be used where a field is written");
        return Record(expr, Type::Of(TypeKind::kError));
      }
      return Record(expr, Type::Of(TypeKind::kNever));
  }
  return Record(expr, Type::Of(TypeKind::kError));
}

bool Checker::RequireHandled(const Type& type, const Expr* expr) {
  if (!type.fallible) return true;
  auto& d =
      diags_.Report(Code::E0303, expr->range, "this value may fail and the failure is not handled");
  d.primary_label = TypeName(type);
  d.helps.push_back(kHandleHelp);
  return false;
}

void Checker::CheckPicklistValues(const Expr* expr, const schema::Field& field) {
  if (expr == nullptr || field.options.empty() || !field.restricted) return;
  switch (expr->kind) {
    case ExprKind::kLiteral: {
      const auto& lit = static_cast<const LiteralExpr&>(*expr);
      if (lit.literal != LiteralKind::kText) return;
      if (!field.FindOption(lit.text)) {
        auto& d = diags_.Report(
            Code::E0306, expr->range,
            "\"" + lit.text + "\" is not a value of the picklist `" + field.name + "`");
        std::vector<std::string> values;
        for (const auto& o : field.options) values.push_back(o.value);
        diag::SuggestName(d, lit.text, values);
        std::string list;
        for (size_t i = 0; i < values.size() && i < 8; ++i)
          list += (i ? ", " : "") + ("\"" + values[i] + "\"");
        if (values.size() > 8) list += ", ...";
        d.notes.push_back("`" + field.name + "` accepts " + list);
      }
      return;
    }
    case ExprKind::kMatch:
      for (const auto& arm : static_cast<const MatchExpr&>(*expr).arms)
        CheckPicklistValues(arm.value.get(), field);
      return;
    case ExprKind::kIf: {
      const auto& e = static_cast<const IfExpr&>(*expr);
      CheckPicklistValues(e.then_value.get(), field);
      CheckPicklistValues(e.else_value.get(), field);
      return;
    }
    case ExprKind::kCoalesce: {
      const auto& e = static_cast<const CoalesceExpr&>(*expr);
      CheckPicklistValues(e.value.get(), field);
      CheckPicklistValues(e.fallback.get(), field);
      return;
    }
    case ExprKind::kOtherwise: {
      const auto& e = static_cast<const OtherwiseExpr&>(*expr);
      CheckPicklistValues(e.value.get(), field);
      CheckPicklistValues(e.fallback.get(), field);
      return;
    }
    case ExprKind::kCall: {
      // Values from a user table land in the field too.
      auto it = out_->calls.find(expr);
      if (it != out_->calls.end() && it->second.kind == CallTarget::Kind::kTable) {
        for (const auto& row : it->second.table->rows) CheckPicklistValues(row.value.get(), field);
      }
      return;
    }
    default:
      return;
  }
}

void Checker::CheckAssignable(const Type& actual, const Type& target, const Expr* expr,
                              const std::string& what) {
  if (actual.IsError() || target.IsError()) return;
  if (!RequireHandled(actual, expr)) return;
  if (actual.kind == TypeKind::kNever || actual.kind == TypeKind::kBlank) return;
  bool ok = false;
  std::string help;
  switch (target.kind) {
    case TypeKind::kText:
      ok = actual.IsTextLike();
      if (actual.IsNumeric() || actual.kind == TypeKind::kDate || actual.kind == TypeKind::kBool) {
        help = "put the value into text with interpolation: \"${...}\"";
      }
      break;
    case TypeKind::kEnum:
    case TypeKind::kMultiEnum:
      ok = actual.IsTextLike() || actual.kind == TypeKind::kMultiEnum;
      break;
    case TypeKind::kNumber:
      ok = actual.IsNumeric();
      if (actual.IsTextLike()) help = "convert text with `std.num.parse(...) otherwise ...`";
      break;
    case TypeKind::kInteger:
      ok = actual.kind == TypeKind::kInteger;
      if (actual.kind == TypeKind::kNumber)
        help = "convert with `std.num.to_integer(...) otherwise ...`";
      if (actual.IsTextLike())
        help = "convert text with `std.num.to_integer(std.num.parse(...)) otherwise ...`";
      break;
    case TypeKind::kBool:
      ok = actual.kind == TypeKind::kBool;
      break;
    case TypeKind::kDate:
      ok = actual.kind == TypeKind::kDate;
      if (actual.kind == TypeKind::kDateTime)
        help = "take the date with `std.time.date_of(value, \"UTC\")`";
      if (actual.IsTextLike()) help = "parse text with `std.time.parse_date(...) otherwise ...`";
      break;
    case TypeKind::kDateTime:
      ok = actual.kind == TypeKind::kDateTime || actual.kind == TypeKind::kDate;
      if (actual.IsTextLike())
        help = "parse text with `std.time.parse_datetime(...) otherwise ...`";
      break;
    case TypeKind::kReference:
      ok = actual.kind == TypeKind::kReference || actual.IsTextLike();
      break;
    default:
      ok = false;
  }
  if (!ok) {
    auto& d = diags_.Report(
        Code::E0301, expr->range,
        what + " needs " + TypeName(Type::Of(target.kind)) + ", but this is " + TypeName(actual));
    if (!help.empty()) d.helps.push_back(help);
    return;
  }
  if (target.field && (target.kind == TypeKind::kEnum || target.kind == TypeKind::kMultiEnum)) {
    CheckPicklistValues(expr, *target.field);
  }
}

}  // namespace syncline::sema
