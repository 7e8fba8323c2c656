// CheckedModule -> ir::Module. Each expression lowers to a register; control flow (`if`,
// `match`, `and`/`or`, `??`, `otherwise`, `in [...]`) becomes blocks; failures go to the
// innermost `otherwise` handler or propagate out of the function.
#include <algorithm>
#include <filesystem>
#include <map>

#include "compiler/ir/ir.h"
#include "compiler/sema/builtins.h"

namespace syncline::ir {
namespace {

using namespace syntax;
using sema::TypeKind;

rt::Kind KindOf(schema::ValueKind k) {
  switch (k) {
    case schema::ValueKind::kNumber:
      return rt::Kind::kNumber;
    case schema::ValueKind::kInteger:
      return rt::Kind::kInteger;
    case schema::ValueKind::kBool:
      return rt::Kind::kBool;
    case schema::ValueKind::kDate:
      return rt::Kind::kDate;
    case schema::ValueKind::kDateTime:
      return rt::Kind::kDateTime;
    default:
      return rt::Kind::kText;
  }
}

// Lowers one function body.
class FnBuilder {
 public:
  // By index: lowering a call may add functions (imported definitions) and move the vector.
  FnBuilder(std::vector<Function>& fns, int index) : fns_(fns), index_(index) {
    if (f().blocks.empty()) f().blocks.emplace_back();  // block 0: the entry
    fail_block_ = NewBlock();
    f().blocks[fail_block_].insts.push_back(Inst{.op = Op::kFail});
  }

  Function& f() { return fns_[index_]; }
  int NewReg() { return f().regs++; }
  int NewBlock() {
    f().blocks.emplace_back();
    return static_cast<int>(f().blocks.size()) - 1;
  }
  void SetBlock(int b) { cur_ = b; }
  int cur() const { return cur_; }
  void Emit(Inst inst) { f().blocks[cur_].insts.push_back(std::move(inst)); }
  int handler() const { return handlers_.empty() ? fail_block_ : handlers_.back(); }
  void PushHandler(int b) { handlers_.push_back(b); }
  void PopHandler() { handlers_.pop_back(); }

  // After a terminator: code that follows is unreachable but still needs a block.
  void Terminate(Inst inst) {
    Emit(std::move(inst));
    SetBlock(NewBlock());
  }
  void Jump(int target) { Terminate(Inst{.op = Op::kJump, .t1 = target}); }

  int fail_block_ = -1;
  std::vector<Function>& fns_;
  int index_;
  int cur_ = 0;
  std::vector<int> handlers_;
};

class Lowerer {
 public:
  Lowerer(const sema::CheckedModule& m, const source::SourceManager& sources, Module& out)
      : m_(m), sources_(sources), out_(out) {}

  void Run();

  // Per-entry context for field reads.
  const schema::Object* source_object_ = nullptr;
  Entry* entry_ = nullptr;

  int Loc(SourceRange r) {
    const auto& buffer = sources_.Get(r.file);
    const auto pos = buffer.Position(r.begin);
    // The file name only: dumps and error records stay the same wherever the rules live.
    std::string s = std::filesystem::path(buffer.path()).filename().string() + ":" +
                    std::to_string(pos.line) + ":" + std::to_string(pos.column);
    auto it = loc_index_.find(s);
    if (it != loc_index_.end()) return it->second;
    out_.locations.push_back(s);
    return loc_index_[s] = static_cast<int>(out_.locations.size()) - 1;
  }
  int Const(Constant c) {
    if (c.tag == SL_TEXT && c.text.empty()) c.tag = SL_BLANK;  // empty text is blank
    for (size_t i = 0; i < out_.constants.size(); ++i) {
      const auto& k = out_.constants[i];
      if (k.tag == c.tag && k.text == c.text && k.i == c.i &&
          (k.num == c.num || (k.num != k.num && c.num != c.num)))
        return static_cast<int>(i);
    }
    out_.constants.push_back(std::move(c));
    return static_cast<int>(out_.constants.size()) - 1;
  }
  int String(const std::string& s) {
    for (size_t i = 0; i < out_.strings.size(); ++i)
      if (out_.strings[i] == s) return static_cast<int>(i);
    out_.strings.push_back(s);
    return static_cast<int>(out_.strings.size()) - 1;
  }
  // Records the segment an `in_segment(...)` call asks about, for the runtime to read.
  void NoteSegment(const CallExpr& call) {
    if (call.args.empty() || call.args[0]->kind != ExprKind::kLiteral ||
        static_cast<const LiteralExpr&>(*call.args[0]).literal != LiteralKind::kText) {
      out_.dynamic_segments = true;
      return;
    }
    const std::string& name = static_cast<const LiteralExpr&>(*call.args[0]).text;
    auto& names = out_.segment_names;
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }

  int InputSlot(const std::string& name, rt::Kind kind) {
    auto& inputs = entry_->layout.inputs;
    for (size_t i = 0; i < inputs.size(); ++i)
      if (inputs[i] == name) return static_cast<int>(i);
    inputs.push_back(name);
    entry_->input_kinds.push_back(kind);
    return static_cast<int>(inputs.size()) - 1;
  }

  sema::Type TypeOf(const Expr* e) const {
    auto it = m_.types.find(e);
    return it == m_.types.end() ? sema::Type::Of(TypeKind::kError) : it->second;
  }

  int LowerExpr(FnBuilder& b, const Expr* e);
  int Native(FnBuilder& b, const std::string& symbol, std::vector<int> args, SourceRange r) {
    const int dst = b.NewReg();
    b.Emit(Inst{.op = Op::kNative,
                .dst = dst,
                .args = std::move(args),
                .symbol = symbol,
                .on_fail = b.handler(),
                .loc = Loc(r)});
    return dst;
  }
  int ConstReg(FnBuilder& b, Constant c) {
    const int dst = b.NewReg();
    b.Emit(Inst{.op = Op::kConst, .dst = dst, .imm = Const(std::move(c))});
    return dst;
  }
  int BoolReg(FnBuilder& b, bool v) { return ConstReg(b, Constant{.tag = SL_BOOL, .i = v}); }
  int LiteralReg(FnBuilder& b, const LiteralExpr& lit) {
    switch (lit.literal) {
      case LiteralKind::kText:
        return ConstReg(b, Constant{.tag = SL_TEXT, .text = lit.text});
      case LiteralKind::kInteger:
        return ConstReg(b, Constant{.tag = SL_INTEGER, .i = lit.integer});
      case LiteralKind::kNumber:
        return ConstReg(b, Constant{.tag = SL_NUMBER, .num = lit.number});
      case LiteralKind::kBool:
        return BoolReg(b, lit.boolean);
      case LiteralKind::kBlank:
        return ConstReg(b, Constant{});
      case LiteralKind::kDate:
        return ConstReg(b, Constant{.tag = SL_DATE, .i = lit.days});
      case LiteralKind::kDateTime:
        return ConstReg(b, Constant{.tag = SL_DATETIME, .i = lit.millis});
    }
    return ConstReg(b, Constant{});
  }
  // Reads a source field of the entry's object; a field the object lacks reads as blank.
  int FieldReg(FnBuilder& b, const sema::NameTarget& t, SourceRange r);

  // Normalises a condition into a true/false register (blank is false).
  int Truthy(FnBuilder& b, int value) {
    const int r = b.NewReg();
    const int yes = b.NewBlock(), no = b.NewBlock(), join = b.NewBlock();
    b.Emit(Inst{.op = Op::kBranch, .args = {value}, .t1 = yes, .t2 = no});
    b.SetBlock(yes);
    b.Emit(Inst{.op = Op::kConst, .dst = r, .imm = Const(Constant{.tag = SL_BOOL, .i = 1})});
    b.Emit(Inst{.op = Op::kJump, .t1 = join});
    b.SetBlock(no);
    b.Emit(Inst{.op = Op::kConst, .dst = r, .imm = Const(Constant{.tag = SL_BOOL, .i = 0})});
    b.Emit(Inst{.op = Op::kJump, .t1 = join});
    b.SetBlock(join);
    return r;
  }

  int AddFunction(std::string name, FunctionKind kind, int params) {
    Function f;
    f.name = std::move(name);
    f.kind = kind;
    f.params = params;
    f.regs = params;
    out_.functions.push_back(std::move(f));
    return static_cast<int>(out_.functions.size()) - 1;
  }

  // Definitions of imported std modules are lowered when first called.
  int FnIndex(const FnDecl* fn) {
    if (auto it = fn_index_.find(fn); it != fn_index_.end()) return it->second;
    const int i =
        AddFunction(fn->name.text, FunctionKind::kUserFn, static_cast<int>(fn->params.size()));
    fn_index_[fn] = i;
    LowerUserFn(i, *fn);
    return i;
  }
  int TableIndex(const TableDecl* t) {
    if (auto it = table_index_.find(t); it != table_index_.end()) return it->second;
    const int i = AddFunction(t->name.text, FunctionKind::kTable, 1);
    table_index_[t] = i;
    LowerTable(i, *t);
    return i;
  }
  int ConstIndex(const ConstDecl* c) {
    if (auto it = const_index_.find(c); it != const_index_.end()) return it->second;
    const int i = AddFunction(c->name.text, FunctionKind::kConst, 0);
    const_index_[c] = i;
    LowerConst(i, *c);
    return i;
  }
  void LowerUserFn(int index, const FnDecl& fn);
  void LowerTable(int index, const TableDecl& table);
  void LowerConst(int index, const ConstDecl& c);
  void LowerEntry(const sema::CheckedSync& sync, rt::Crm to, size_t object_index);
  void LowerActivities(const sema::CheckedActivities& acts, size_t index);
  void LowerWorkflow(const sema::CheckedWorkflow& w, size_t index);
  // One mapping function per field, each an output of the current entry (activities' and
  // workflows' task fields, workflows' `set hubspot.X` values).
  void LowerOutputFields(const std::string& prefix,
                         const std::vector<sema::CheckedActivities::Field>& fields);
  // An activity pseudo-field (the checker's activity scopes: type, title, body, timestamp of a
  // HubSpot engagement; subject, due, ... of a Salesforce task), read from an input slot of that
  // name the runtime fills from the source record's values.
  int ActivityReg(FnBuilder& b, const NameExpr& e) {
    const std::string& name = e.name.text;
    const TypeKind type = TypeOf(&e).kind;
    const rt::Kind kind = type == TypeKind::kDateTime ? rt::Kind::kDateTime
                          : type == TypeKind::kDate   ? rt::Kind::kDate
                                                      : rt::Kind::kText;
    const int slot = InputSlot(name, kind);
    const int dst = b.NewReg();
    b.Emit(Inst{.op = Op::kInput,
                .dst = dst,
                .imm = slot,
                .symbol = rt::InputSymbol(entry_->layout.source, kind),
                .on_fail = b.handler(),
                .loc = Loc(e.range)});
    return dst;
  }
  bool activity_ = false;  // lowering an activities block

  const sema::CheckedModule& m_;
  const source::SourceManager& sources_;
  Module& out_;
  std::map<std::string, int> loc_index_;
  std::map<const FnDecl*, int> fn_index_;
  std::map<const TableDecl*, int> table_index_;
  std::map<const ConstDecl*, int> const_index_;
};

int Lowerer::FieldReg(FnBuilder& b, const sema::NameTarget& t, SourceRange r) {
  // The record the entry reads: the other side for a sync's entries, the contact itself for a
  // workflow's `set hubspot.X` (source and target both HubSpot).
  const bool source_side =
      (entry_->layout.source == rt::Crm::kHubSpot) == (t.side == Side::kHubSpot);
  const schema::Field* f =
      source_side && source_object_ ? source_object_->FindField(t.field->name) : nullptr;
  if (!f) return ConstReg(b, Constant{});  // the other side is not known on a create
  const rt::Kind kind = KindOf(f->kind);
  const int slot = InputSlot(f->name, kind);
  const int dst = b.NewReg();
  b.Emit(Inst{.op = Op::kInput,
              .dst = dst,
              .imm = slot,
              .symbol = rt::InputSymbol(entry_->layout.source, kind),
              .on_fail = b.handler(),
              .loc = Loc(r)});
  return dst;
}

int Lowerer::LowerExpr(FnBuilder& b, const Expr* e) {
  switch (e->kind) {
    case ExprKind::kLiteral:
      return LiteralReg(b, static_cast<const LiteralExpr&>(*e));
    case ExprKind::kName:
    case ExprKind::kMember: {
      auto it = m_.names.find(e);
      if (it == m_.names.end() && activity_ && e->kind == ExprKind::kName)
        return ActivityReg(b, static_cast<const NameExpr&>(*e));
      if (it == m_.names.end()) return ConstReg(b, Constant{});
      const auto& t = it->second;
      if (t.kind == sema::NameTarget::Kind::kParam) {
        const int dst = b.NewReg();
        b.Emit(Inst{.op = Op::kParam, .dst = dst, .imm = static_cast<int>(t.param_index)});
        return dst;
      }
      if (t.kind == sema::NameTarget::Kind::kConst) {
        const int dst = b.NewReg();
        b.Emit(Inst{.op = Op::kCall,
                    .dst = dst,
                    .imm = ConstIndex(t.constant),
                    .on_fail = b.handler(),
                    .loc = Loc(e->range)});
        return dst;
      }
      return FieldReg(b, t, e->range);
    }
    case ExprKind::kCall: {
      const auto& c = static_cast<const CallExpr&>(*e);
      std::vector<int> args;
      for (const auto& a : c.args) args.push_back(LowerExpr(b, a.get()));
      const auto& target = m_.calls.at(e);
      if (target.kind == sema::CallTarget::Kind::kBuiltin) {
        if (target.builtin == "in_segment") {
          const int slot = InputSlot("$segments", rt::Kind::kText);
          entry_->layout.segments_slot = slot;
          NoteSegment(c);
          const int seg = b.NewReg();
          b.Emit(Inst{.op = Op::kInput,
                      .dst = seg,
                      .imm = slot,
                      .symbol = rt::InputSymbol(rt::Crm::kHubSpot, rt::Kind::kText),
                      .on_fail = b.handler(),
                      .loc = Loc(e->range)});
          args.push_back(seg);
        }
        return Native(b, rt::BuiltinSymbol(target.builtin), std::move(args), e->range);
      }
      const int fn = target.kind == sema::CallTarget::Kind::kUserFn ? FnIndex(target.fn)
                                                                    : TableIndex(target.table);
      const int dst = b.NewReg();
      b.Emit(Inst{.op = Op::kCall,
                  .dst = dst,
                  .args = std::move(args),
                  .imm = fn,
                  .on_fail = b.handler(),
                  .loc = Loc(e->range)});
      return dst;
    }
    case ExprKind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(*e);
      const int a = LowerExpr(b, u.operand.get());
      if (u.op == UnaryOp::kNot) return Native(b, "sl_op_not", {a}, e->range);
      const bool integer = TypeOf(e).kind == TypeKind::kInteger;
      return Native(b, integer ? "sl_op_neg_int" : "sl_op_neg_num", {a}, e->range);
    }
    case ExprKind::kBinary: {
      const auto& x = static_cast<const BinaryExpr&>(*e);
      if (x.op == BinaryOp::kAnd || x.op == BinaryOp::kOr) {
        // Short-circuit; a blank condition counts as false.
        const int r = b.NewReg();
        const int a = LowerExpr(b, x.lhs.get());
        const int rhs = b.NewBlock(), done = b.NewBlock(), join = b.NewBlock();
        if (x.op == BinaryOp::kAnd) {
          b.Emit(Inst{.op = Op::kBranch, .args = {a}, .t1 = rhs, .t2 = done});
        } else {
          b.Emit(Inst{.op = Op::kBranch, .args = {a}, .t1 = done, .t2 = rhs});
        }
        b.SetBlock(done);
        b.Emit(Inst{.op = Op::kConst,
                    .dst = r,
                    .imm = Const(Constant{.tag = SL_BOOL, .i = x.op == BinaryOp::kOr})});
        b.Emit(Inst{.op = Op::kJump, .t1 = join});
        b.SetBlock(rhs);
        const int v = Truthy(b, LowerExpr(b, x.rhs.get()));
        b.Emit(Inst{.op = Op::kCopy, .dst = r, .args = {v}});
        b.Emit(Inst{.op = Op::kJump, .t1 = join});
        b.SetBlock(join);
        return r;
      }
      const int a = LowerExpr(b, x.lhs.get());
      const int c = LowerExpr(b, x.rhs.get());
      const sema::Type ta = TypeOf(x.lhs.get()), tc = TypeOf(x.rhs.get());
      const bool ints = ta.kind == TypeKind::kInteger && tc.kind == TypeKind::kInteger;
      const char* sym = "sl_op_eq";
      switch (x.op) {
        case BinaryOp::kEq:
          sym = "sl_op_eq";
          break;
        case BinaryOp::kNe:
          sym = "sl_op_ne";
          break;
        case BinaryOp::kLt:
          sym = "sl_op_lt";
          break;
        case BinaryOp::kLe:
          sym = "sl_op_le";
          break;
        case BinaryOp::kGt:
          sym = "sl_op_gt";
          break;
        case BinaryOp::kGe:
          sym = "sl_op_ge";
          break;
        case BinaryOp::kAdd:
          if (ta.kind == TypeKind::kDate) {
            sym = "sl_op_date_add";
          } else if (ta.IsTextLike() || tc.IsTextLike()) {
            sym = "sl_op_concat";
          } else {
            sym = ints ? "sl_op_add_int" : "sl_op_add_num";
          }
          break;
        case BinaryOp::kSub:
          if (ta.kind == TypeKind::kDate && tc.kind == TypeKind::kDate) {
            sym = "sl_op_date_diff";
          } else if (ta.kind == TypeKind::kDate) {
            sym = "sl_op_date_sub";
          } else {
            sym = ints ? "sl_op_sub_int" : "sl_op_sub_num";
          }
          break;
        case BinaryOp::kMul:
          sym = ints ? "sl_op_mul_int" : "sl_op_mul_num";
          break;
        case BinaryOp::kMod:
          sym = ints ? "sl_op_mod_int" : "sl_op_mod_num";
          break;
        case BinaryOp::kDiv:
          sym = "sl_op_div";
          break;
        default:
          break;
      }
      return Native(b, sym, {a, c}, x.op_range.end > 0 ? x.op_range : e->range);
    }
    case ExprKind::kIsBlank: {
      const auto& x = static_cast<const IsBlankExpr&>(*e);
      const int r = Native(b, "sl_op_is_blank", {LowerExpr(b, x.operand.get())}, e->range);
      return x.negated ? Native(b, "sl_op_not", {r}, e->range) : r;
    }
    case ExprKind::kIn: {
      const auto& x = static_cast<const InExpr&>(*e);
      const int v = LowerExpr(b, x.value.get());
      int r;
      if (x.collection->kind == ExprKind::kList) {
        // Each item in order until one equals the value.
        r = b.NewReg();
        const int yes = b.NewBlock(), join = b.NewBlock();
        for (const auto& item : static_cast<const ListExpr&>(*x.collection).items) {
          const int eq = Native(b, "sl_op_eq", {v, LowerExpr(b, item.get())}, item->range);
          const int next = b.NewBlock();
          b.Emit(Inst{.op = Op::kBranch, .args = {eq}, .t1 = yes, .t2 = next});
          b.SetBlock(next);
        }
        b.Emit(Inst{.op = Op::kConst, .dst = r, .imm = Const(Constant{.tag = SL_BOOL, .i = 0})});
        b.Emit(Inst{.op = Op::kJump, .t1 = join});
        b.SetBlock(yes);
        b.Emit(Inst{.op = Op::kConst, .dst = r, .imm = Const(Constant{.tag = SL_BOOL, .i = 1})});
        b.Emit(Inst{.op = Op::kJump, .t1 = join});
        b.SetBlock(join);
      } else {
        r = Native(b, "sl_op_in_multi", {v, LowerExpr(b, x.collection.get())}, e->range);
      }
      return x.negated ? Native(b, "sl_op_not", {r}, e->range) : r;
    }
    case ExprKind::kCoalesce: {
      const auto& x = static_cast<const CoalesceExpr&>(*e);
      const int r = b.NewReg();
      b.Emit(Inst{.op = Op::kCopy, .dst = r, .args = {LowerExpr(b, x.value.get())}});
      const int fallback = b.NewBlock(), join = b.NewBlock();
      b.Emit(Inst{.op = Op::kBranchBlank, .args = {r}, .t1 = fallback, .t2 = join});
      b.SetBlock(fallback);
      b.Emit(Inst{.op = Op::kCopy, .dst = r, .args = {LowerExpr(b, x.fallback.get())}});
      b.Emit(Inst{.op = Op::kJump, .t1 = join});
      b.SetBlock(join);
      return r;
    }
    case ExprKind::kOtherwise: {
      const auto& x = static_cast<const OtherwiseExpr&>(*e);
      const int r = b.NewReg();
      const int handler = b.NewBlock(), join = b.NewBlock();
      b.PushHandler(handler);
      const int v = LowerExpr(b, x.value.get());
      b.PopHandler();
      b.Emit(Inst{.op = Op::kCopy, .dst = r, .args = {v}});
      b.Emit(Inst{.op = Op::kJump, .t1 = join});
      b.SetBlock(handler);
      switch (x.handler) {
        case HandlerKind::kValue:
          b.Emit(Inst{.op = Op::kCopy, .dst = r, .args = {LowerExpr(b, x.fallback.get())}});
          b.Emit(Inst{.op = Op::kJump, .t1 = join});
          break;
        case HandlerKind::kSkip:
          b.Emit(Inst{.op = Op::kSkip});
          break;
        case HandlerKind::kError:
          b.Emit(Inst{.op = Op::kRaise,
                      .imm = String(x.error_message),
                      .code = SL_E_RULE_ERROR,
                      .loc = Loc(x.handler_range)});
          break;
      }
      b.SetBlock(join);
      return r;
    }
    case ExprKind::kIf: {
      const auto& x = static_cast<const IfExpr&>(*e);
      const int r = b.NewReg();
      const int c = LowerExpr(b, x.condition.get());
      const int yes = b.NewBlock(), no = b.NewBlock(), join = b.NewBlock();
      b.Emit(Inst{.op = Op::kBranch, .args = {c}, .t1 = yes, .t2 = no});
      b.SetBlock(yes);
      b.Emit(Inst{.op = Op::kCopy, .dst = r, .args = {LowerExpr(b, x.then_value.get())}});
      b.Emit(Inst{.op = Op::kJump, .t1 = join});
      b.SetBlock(no);
      b.Emit(Inst{.op = Op::kCopy, .dst = r, .args = {LowerExpr(b, x.else_value.get())}});
      b.Emit(Inst{.op = Op::kJump, .t1 = join});
      b.SetBlock(join);
      return r;
    }
    case ExprKind::kMatch: {
      const auto& x = static_cast<const MatchExpr&>(*e);
      const int r = b.NewReg();
      const int s = LowerExpr(b, x.subject.get());
      const int join = b.NewBlock();
      for (const auto& arm : x.arms) {
        const int body = b.NewBlock();
        for (const auto& p : arm.patterns) {
          const int next = b.NewBlock();
          if (p.kind == PatternKind::kWildcard) {
            b.Emit(Inst{.op = Op::kJump, .t1 = body});
          } else if (p.kind == PatternKind::kBlank) {
            b.Emit(Inst{.op = Op::kBranchBlank, .args = {s}, .t1 = body, .t2 = next});
          } else {
            const int eq = Native(b, "sl_op_eq", {s, LiteralReg(b, *p.literal)}, p.range);
            b.Emit(Inst{.op = Op::kBranch, .args = {eq}, .t1 = body, .t2 = next});
          }
          b.SetBlock(next);
        }
        const int after = b.cur();
        b.SetBlock(body);
        b.Emit(Inst{.op = Op::kCopy, .dst = r, .args = {LowerExpr(b, arm.value.get())}});
        b.Emit(Inst{.op = Op::kJump, .t1 = join});
        b.SetBlock(after);
      }
      // A value no arm covers (a picklist value the schema does not list).
      b.Emit(Inst{.op = Op::kRaise,
                  .args = {s},
                  .imm = String("no match arm for "),
                  .code = SL_E_NO_ROW,
                  .loc = Loc(e->range)});
      b.SetBlock(join);
      return r;
    }
    case ExprKind::kInterpolated: {
      const auto& x = static_cast<const InterpolatedExpr&>(*e);
      int r = ConstReg(b, Constant{.tag = SL_TEXT, .text = x.texts[0]});
      for (size_t i = 0; i < x.parts.size(); ++i) {
        const int part = LowerExpr(b, x.parts[i].get());
        const int text = Native(b, "sl_op_to_text", {part}, x.parts[i]->range);
        r = Native(b, "sl_op_concat", {r, text}, x.parts[i]->range);
        if (!x.texts[i + 1].empty()) {
          r = Native(b, "sl_op_concat",
                     {r, ConstReg(b, Constant{.tag = SL_TEXT, .text = x.texts[i + 1]})},
                     x.parts[i]->range);
        }
      }
      return r;
    }
    case ExprKind::kSkip:
      b.Terminate(Inst{.op = Op::kSkip});
      return b.NewReg();
    case ExprKind::kError:
      b.Terminate(Inst{.op = Op::kRaise,
                       .imm = String(static_cast<const ErrorExpr&>(*e).message),
                       .code = SL_E_RULE_ERROR,
                       .loc = Loc(e->range)});
      return b.NewReg();
    case ExprKind::kList:
      return ConstReg(b, Constant{});  // lists only appear after `in`
  }
  return ConstReg(b, Constant{});
}

void Lowerer::LowerUserFn(int index, const FnDecl& fn) {
  FnBuilder b(out_.functions, index);
  const int v = LowerExpr(b, fn.body.get());
  b.Emit(Inst{.op = Op::kReturn, .args = {v}});
}

void Lowerer::LowerTable(int index, const TableDecl& table) {
  FnBuilder b(out_.functions, index);
  const int key = 0;  // parameter register
  const int r = b.NewReg();
  const int join = b.NewBlock();
  for (const auto& row : table.rows) {
    const int body = b.NewBlock();
    if (row.is_default) {
      b.Emit(Inst{.op = Op::kJump, .t1 = body});
      b.SetBlock(b.NewBlock());
    }
    for (const auto& k : row.keys) {
      const int eq = Native(b, "sl_op_eq", {key, LiteralReg(b, *k)}, k->range);
      const int next = b.NewBlock();
      b.Emit(Inst{.op = Op::kBranch, .args = {eq}, .t1 = body, .t2 = next});
      b.SetBlock(next);
    }
    const int after = b.cur();
    b.SetBlock(body);
    b.Emit(Inst{.op = Op::kCopy, .dst = r, .args = {LowerExpr(b, row.value.get())}});
    b.Emit(Inst{.op = Op::kJump, .t1 = join});
    b.SetBlock(after);
  }
  b.Emit(Inst{.op = Op::kRaise,
              .args = {key},
              .imm = String("no row in table `" + table.name.text + "` for "),
              .code = SL_E_NO_ROW,
              .loc = Loc(table.name.range)});
  b.SetBlock(join);
  b.Emit(Inst{.op = Op::kReturn, .args = {r}});
}

void Lowerer::LowerConst(int index, const ConstDecl& c) {
  FnBuilder b(out_.functions, index);
  b.Emit(Inst{.op = Op::kReturn, .args = {LowerExpr(b, c.value.get())}});
}

void Lowerer::LowerEntry(const sema::CheckedSync& sync, rt::Crm to, size_t k) {
  const schema::Object* sf = sync.salesforce[k];
  Entry entry;
  entry.sync = sync.syntax->name.text;
  entry.to = to;
  entry.salesforce_object = sf->name;
  entry.is_default =
      to == rt::Crm::kSalesforce ? sf == sync.settings.salesforce_create_target : k == 0;
  entry.name =
      entry.sync + (to == rt::Crm::kSalesforce ? " to salesforce." + sf->name
                                               : " to hubspot from salesforce." + sf->name);
  entry.layout.source = to == rt::Crm::kSalesforce ? rt::Crm::kHubSpot : rt::Crm::kSalesforce;
  entry.layout.target = to;
  entry.layout.target_object = to == rt::Crm::kSalesforce ? sf->name : sync.hubspot->name;
  out_.entries.push_back(std::move(entry));
  entry_ = &out_.entries.back();
  source_object_ = to == rt::Crm::kSalesforce ? sync.hubspot : sf;
  const std::string prefix =
      entry_->sync +
      (to == rt::Crm::kSalesforce ? ".to_salesforce." + sf->name : ".to_hubspot." + sf->name);

  if (to == rt::Crm::kSalesforce && sync.include) {
    const int fi = AddFunction(prefix + ".include", FunctionKind::kInclude, 0);
    FnBuilder b(out_.functions, fi);
    const int v = LowerExpr(b, sync.include);
    b.Emit(Inst{.op = Op::kReturn, .args = {v}});
    entry_ = &out_.entries.back();
    entry_->include = fi;
  }
  for (size_t mi = 0; mi < sync.mappings.size(); ++mi) {
    const auto& cm = sync.mappings[mi];
    const schema::Field* sf_field = k < cm.salesforce.size() ? cm.salesforce[k] : nullptr;
    if (!sf_field || !cm.hubspot) continue;
    const bool writes = to == rt::Crm::kSalesforce ? cm.writes_salesforce : cm.writes_hubspot;
    if (!writes) continue;
    const schema::Field* target = to == rt::Crm::kSalesforce ? sf_field : cm.hubspot;
    const schema::Field* source = to == rt::Crm::kSalesforce ? cm.hubspot : sf_field;
    const Expr* transform = to == rt::Crm::kSalesforce ? cm.to_salesforce : cm.to_hubspot;
    const rt::Kind kind = KindOf(target->kind);
    const int fi = AddFunction(prefix + "." + target->name, FunctionKind::kMapping, 0);
    FnBuilder b(out_.functions, fi);
    int v;
    if (transform) {
      v = LowerExpr(b, transform);
    } else {
      sema::NameTarget t;
      t.side = to == rt::Crm::kSalesforce ? Side::kHubSpot : Side::kSalesforce;
      t.field = source;
      v = FieldReg(
          b, t,
          to == rt::Crm::kSalesforce ? cm.syntax->hubspot.range : cm.syntax->salesforce.range);
    }
    const int w = Native(b, rt::OutputSymbol(kind), {v}, cm.syntax->range);
    b.Emit(Inst{.op = Op::kReturn, .args = {w}});
    entry_->layout.outputs.push_back(target->name);
    entry_->output_kinds.push_back(kind);
    entry_->mappings.push_back(fi);
    entry_->output_mappings.push_back(static_cast<int>(mi));
  }
}

void Lowerer::LowerActivities(const sema::CheckedActivities& acts, size_t index) {
  // `activities from salesforce.Task`: Salesforce task values in, HubSpot properties out.
  const bool to_sf = acts.to_salesforce;
  Entry entry;
  entry.sync = ActivitiesEntryName(index);
  entry.to = to_sf ? rt::Crm::kSalesforce : rt::Crm::kHubSpot;
  entry.salesforce_object = acts.salesforce->name;
  entry.is_default = true;
  entry.name =
      std::string("activities ") + (to_sf ? "to" : "from") + " salesforce." + acts.salesforce->name;
  entry.layout.source = to_sf ? rt::Crm::kHubSpot : rt::Crm::kSalesforce;
  entry.layout.target = entry.to;
  entry.layout.target_object = to_sf ? acts.salesforce->name : "engagements";
  out_.entries.push_back(std::move(entry));
  entry_ = &out_.entries.back();
  source_object_ = nullptr;  // only the activity pseudo-fields are in scope
  activity_ = true;
  const std::string prefix =
      entry_->sync + (to_sf ? ".to_salesforce." + acts.salesforce->name : ".to_hubspot");
  LowerOutputFields(prefix, acts.fields);
  activity_ = false;
}

void Lowerer::LowerOutputFields(const std::string& prefix,
                                const std::vector<sema::CheckedActivities::Field>& fields) {
  for (size_t k = 0; k < fields.size(); ++k) {
    const auto& f = fields[k];
    const rt::Kind kind = KindOf(f.field->kind);
    const int fi = AddFunction(prefix + "." + f.field->name, FunctionKind::kMapping, 0);
    FnBuilder b(out_.functions, fi);
    const int v = LowerExpr(b, f.value);
    const int out = Native(b, rt::OutputSymbol(kind), {v}, f.value->range);
    b.Emit(Inst{.op = Op::kReturn, .args = {out}});
    entry_ = &out_.entries.back();
    entry_->layout.outputs.push_back(f.field->name);
    entry_->output_kinds.push_back(kind);
    entry_->mappings.push_back(fi);
    entry_->output_mappings.push_back(static_cast<int>(k));
  }
}

void Lowerer::LowerWorkflow(const sema::CheckedWorkflow& w, size_t index) {
  Entry entry;
  entry.sync = WorkflowEntryName(index);
  entry.to = rt::Crm::kSalesforce;
  entry.salesforce_object = "Task";
  entry.is_default = true;
  entry.name = "workflow " + w.syntax->name.text;
  entry.layout.source = rt::Crm::kHubSpot;
  entry.layout.target = rt::Crm::kSalesforce;
  entry.layout.target_object = "Task";
  out_.entries.push_back(std::move(entry));
  entry_ = &out_.entries.back();
  source_object_ = w.hubspot;
  const std::string prefix = entry_->sync + ".to_salesforce.Task";
  if (w.condition) {
    const int fi = AddFunction(prefix + ".include", FunctionKind::kInclude, 0);
    FnBuilder b(out_.functions, fi);
    const int v = LowerExpr(b, w.condition);
    b.Emit(Inst{.op = Op::kReturn, .args = {v}});
    entry_ = &out_.entries.back();
    entry_->include = fi;
  }
  LowerOutputFields(prefix, w.task_fields);
  // One more entry per `set hubspot.X { ... }`, towards HubSpot, so that its values come out in
  // HubSpot's shape (WorkflowSetEntryObject).
  for (const auto& set : w.sets) {
    Entry e;
    e.sync = WorkflowEntryName(index);
    e.to = rt::Crm::kHubSpot;
    e.salesforce_object = WorkflowSetEntryObject(set.object->name);
    e.name = "workflow " + w.syntax->name.text + " set " + set.object->name;
    e.layout.source = rt::Crm::kHubSpot;
    e.layout.target = rt::Crm::kHubSpot;
    e.layout.target_object = set.object->name;
    out_.entries.push_back(std::move(e));
    entry_ = &out_.entries.back();
    LowerOutputFields(entry_->sync + ".set." + set.object->name, set.fields);
  }
}

void Lowerer::Run() {
  const syntax::Module& mod = *m_.syntax;
  // Declarations first (so calls have indices), then their bodies.
  for (const auto& d : mod.decls) {
    if (d->kind == DeclKind::kFn) {
      const auto& fn = static_cast<const FnDecl&>(*d);
      fn_index_[&fn] =
          AddFunction(fn.name.text, FunctionKind::kUserFn, static_cast<int>(fn.params.size()));
    } else if (d->kind == DeclKind::kTable) {
      const auto& t = static_cast<const TableDecl&>(*d);
      table_index_[&t] = AddFunction(t.name.text, FunctionKind::kTable, 1);
    } else if (d->kind == DeclKind::kConst) {
      const auto& c = static_cast<const ConstDecl&>(*d);
      const_index_[&c] = AddFunction(c.name.text, FunctionKind::kConst, 0);
    }
  }
  // User functions, tables and constants read no fields: a dummy entry keeps FieldReg safe.
  Entry none;
  out_.entries.push_back(none);
  entry_ = &out_.entries.back();
  source_object_ = nullptr;
  for (const auto& d : mod.decls) {  // source order keeps the printed IR deterministic
    if (d->kind == DeclKind::kFn) {
      const auto& fn = static_cast<const FnDecl&>(*d);
      LowerUserFn(fn_index_.at(&fn), fn);
    } else if (d->kind == DeclKind::kTable) {
      const auto& t = static_cast<const TableDecl&>(*d);
      LowerTable(table_index_.at(&t), t);
    } else if (d->kind == DeclKind::kConst) {
      const auto& c = static_cast<const ConstDecl&>(*d);
      LowerConst(const_index_.at(&c), c);
    }
  }
  out_.entries.pop_back();

  for (const auto& sync : m_.syncs) {
    const auto dir = sync.syntax->direction;
    if (dir != SyncDirection::kToHubSpot) {
      for (size_t k = 0; k < sync.salesforce.size(); ++k) LowerEntry(sync, rt::Crm::kSalesforce, k);
    }
    if (dir != SyncDirection::kToSalesforce) {
      for (size_t k = 0; k < sync.salesforce.size(); ++k) LowerEntry(sync, rt::Crm::kHubSpot, k);
    }
  }
  for (size_t k = 0; k < m_.activities.size(); ++k) LowerActivities(m_.activities[k], k);
  for (size_t k = 0; k < m_.workflows.size(); ++k) LowerWorkflow(m_.workflows[k], k);
}

}  // namespace

std::string ActivitiesEntryName(size_t index) {
  return "$activities" + std::to_string(index);
}

std::string WorkflowSetEntryObject(const std::string& hubspot_object) {
  return "hubspot." + hubspot_object;
}

std::string WorkflowEntryName(size_t index) {
  return "$workflow" + std::to_string(index);
}

int Module::FindEntry(const std::string& sync, rt::Crm to, const std::string& object) const {
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (e.sync != sync || e.to != to) continue;
    if (object.empty() ? e.is_default : e.salesforce_object == object) return static_cast<int>(i);
  }
  return -1;
}

std::unique_ptr<Module> Lower(const sema::CheckedModule& module,
                              const source::SourceManager& sources) {
  auto out = std::make_unique<Module>();
  Lowerer(module, sources, *out).Run();
  return out;
}

}  // namespace syncline::ir
