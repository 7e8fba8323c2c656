// `--emit=ir` printer and the IR verifier.
#include <set>

#include "compiler/ir/ir.h"

namespace syncline::ir {
namespace {

std::string ConstText(const Constant& c) {
  switch (c.tag) {
    case SL_BLANK:
      return "blank";
    case SL_TEXT: {
      std::string s;
      rt::AppendJsonString(s, c.text);
      return s;
    }
    case SL_NUMBER:
      return "number " + rt::Render(rt::Number(c.num));
    case SL_INTEGER:
      return "integer " + std::to_string(c.i);
    case SL_BOOL:
      return c.i ? "true" : "false";
    case SL_DATE:
      return "date " + rt::Render(rt::Date(static_cast<int32_t>(c.i)));
    case SL_DATETIME:
      return "datetime " + rt::Render(rt::DateTime(c.i));
  }
  return "?";
}

const char* KindText(FunctionKind k) {
  switch (k) {
    case FunctionKind::kUserFn:
      return "fn";
    case FunctionKind::kTable:
      return "table";
    case FunctionKind::kConst:
      return "const";
    case FunctionKind::kInclude:
      return "include";
    case FunctionKind::kMapping:
      return "mapping";
  }
  return "?";
}

std::string Regs(const std::vector<int>& args) {
  std::string s;
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", r" : "r") + std::to_string(args[i]);
  return s;
}

}  // namespace

std::string Print(const Module& m) {
  std::string out;
  for (const auto& e : m.entries) {
    out += "entry \"" + e.name + "\"" + (e.is_default ? " (default)" : "") + "\n";
    out += "  read " +
           std::string(e.layout.source == rt::Crm::kHubSpot ? "hubspot" : "salesforce") +
           ", write " + (e.layout.target == rt::Crm::kHubSpot ? "hubspot." : "salesforce.") +
           e.layout.target_object + "\n";
    for (size_t i = 0; i < e.layout.inputs.size(); ++i) {
      out += "  in " + std::to_string(i) + " " + e.layout.inputs[i] + " " +
             rt::KindName(e.input_kinds[i]) + "\n";
    }
    if (e.include >= 0) out += "  include fn" + std::to_string(e.include) + "\n";
    for (size_t i = 0; i < e.layout.outputs.size(); ++i) {
      out += "  out " + std::to_string(i) + " " + e.layout.outputs[i] + " " +
             rt::KindName(e.output_kinds[i]) + " = fn" + std::to_string(e.mappings[i]) + "\n";
    }
  }
  for (size_t fi = 0; fi < m.functions.size(); ++fi) {
    const Function& f = m.functions[fi];
    out += "\nfn" + std::to_string(fi) + " " + KindText(f.kind) + " " + f.name + "(" +
           std::to_string(f.params) + " params, " + std::to_string(f.regs) + " regs)\n";
    for (size_t bi = 0; bi < f.blocks.size(); ++bi) {
      out += "b" + std::to_string(bi) + ":\n";
      for (const Inst& in : f.blocks[bi].insts) {
        std::string line = "  ";
        if (in.dst >= 0) line += "r" + std::to_string(in.dst) + " = ";
        switch (in.op) {
          case Op::kConst:
            line += ConstText(m.constants[in.imm]);
            break;
          case Op::kInput:
            line += in.symbol + "(in " + std::to_string(in.imm) + ")";
            break;
          case Op::kParam:
            line += "param " + std::to_string(in.imm);
            break;
          case Op::kCopy:
            line += Regs(in.args);
            break;
          case Op::kNative:
            line += in.symbol + "(" + Regs(in.args) + ")";
            break;
          case Op::kCall:
            line += "call fn" + std::to_string(in.imm) + "(" + Regs(in.args) + ")";
            break;
          case Op::kJump:
            line += "jump b" + std::to_string(in.t1);
            break;
          case Op::kBranch:
            line += "branch " + Regs(in.args) + " b" + std::to_string(in.t1) + " b" +
                    std::to_string(in.t2);
            break;
          case Op::kBranchBlank:
            line += "branch_blank " + Regs(in.args) + " b" + std::to_string(in.t1) + " b" +
                    std::to_string(in.t2);
            break;
          case Op::kReturn:
            line += "return " + Regs(in.args);
            break;
          case Op::kSkip:
            line += "skip";
            break;
          case Op::kRaise: {
            std::string msg;
            rt::AppendJsonString(msg, m.strings[in.imm]);
            line += "raise E0" + std::to_string(in.code) + " " + msg +
                    (in.args.empty() ? "" : " " + Regs(in.args));
            break;
          }
          case Op::kFail:
            line += "fail";
            break;
        }
        if (in.on_fail >= 0) line += " else b" + std::to_string(in.on_fail);
        if (in.loc >= 0) line += "  @" + m.locations[in.loc];
        out += line + "\n";
      }
    }
  }
  return out;
}

std::vector<std::string> Verify(const Module& m) {
  std::vector<std::string> problems;
  for (size_t fi = 0; fi < m.functions.size(); ++fi) {
    const Function& f = m.functions[fi];
    const std::string where = "fn" + std::to_string(fi) + " " + f.name;
    const int nb = static_cast<int>(f.blocks.size());
    auto block_ok = [&](int b) { return b >= 0 && b < nb; };
    auto reg_ok = [&](int r) { return r >= 0 && r < f.regs; };
    if (f.blocks.empty()) problems.push_back(where + ": no blocks");
    for (int bi = 0; bi < nb; ++bi) {
      const auto& insts = f.blocks[bi].insts;
      const std::string at = where + " b" + std::to_string(bi);
      if (insts.empty() || !insts.back().IsTerminator()) {
        problems.push_back(at + ": does not end in a terminator");
        continue;
      }
      for (size_t ii = 0; ii < insts.size(); ++ii) {
        const Inst& in = insts[ii];
        if (in.IsTerminator() && ii + 1 != insts.size())
          problems.push_back(at + ": terminator before the end of the block");
        for (int r : in.args)
          if (!reg_ok(r)) problems.push_back(at + ": bad register r" + std::to_string(r));
        const bool has_dst = in.op <= Op::kCall;
        if (has_dst != (in.dst >= 0) || (has_dst && !reg_ok(in.dst)))
          problems.push_back(at + ": bad destination");
        switch (in.op) {
          case Op::kConst:
            if (in.imm < 0 || in.imm >= static_cast<int>(m.constants.size()))
              problems.push_back(at + ": bad constant");
            break;
          case Op::kInput:
          case Op::kNative: {
            const auto* n = rt::FindNative(in.symbol);
            if (!n) {
              problems.push_back(at + ": unknown native " + in.symbol);
            } else if (n->arity != static_cast<int>(in.op == Op::kInput ? 1 : in.args.size())) {
              problems.push_back(at + ": wrong number of arguments to " + in.symbol);
            }
            if (!block_ok(in.on_fail)) problems.push_back(at + ": bad failure block");
            break;
          }
          case Op::kParam:
            if (in.imm < 0 || in.imm >= f.params) problems.push_back(at + ": bad parameter");
            break;
          case Op::kCall:
            if (in.imm < 0 || in.imm >= static_cast<int>(m.functions.size()) ||
                m.functions[in.imm].params != static_cast<int>(in.args.size()))
              problems.push_back(at + ": bad call");
            if (!block_ok(in.on_fail)) problems.push_back(at + ": bad failure block");
            break;
          case Op::kJump:
            if (!block_ok(in.t1)) problems.push_back(at + ": bad jump target");
            break;
          case Op::kBranch:
          case Op::kBranchBlank:
            if (!block_ok(in.t1) || !block_ok(in.t2) || in.args.size() != 1)
              problems.push_back(at + ": bad branch");
            break;
          case Op::kReturn:
            if (in.args.size() != 1) problems.push_back(at + ": return needs one value");
            break;
          case Op::kRaise:
            if (in.imm < 0 || in.imm >= static_cast<int>(m.strings.size()) || in.args.size() > 1)
              problems.push_back(at + ": bad raise");
            break;
          default:
            break;
        }
      }
    }
  }
  for (const auto& e : m.entries) {
    const int nf = static_cast<int>(m.functions.size());
    if (e.include >= nf || e.mappings.size() != e.layout.outputs.size())
      problems.push_back("entry " + e.name + ": bad functions");
    for (int fi : e.mappings)
      if (fi < 0 || fi >= nf) problems.push_back("entry " + e.name + ": bad mapping function");
  }
  return problems;
}

}  // namespace syncline::ir
