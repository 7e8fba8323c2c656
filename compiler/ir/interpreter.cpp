// The IR interpreter: one static frame per function (rule functions never recurse: E0205),
// natives resolved once when the interpreter is built.
#include "compiler/ir/interpreter.h"

namespace syncline::ir {

struct Interpreter::Impl {
  const Module& m;
  const Entry& entry;
  std::vector<sl_value> constants;
  std::vector<std::vector<std::vector<sl_native_fn>>> natives;  // [fn][block][inst]
  std::vector<size_t> frame;                                    // register base per function
  std::vector<sl_value> regs;

  Impl(const Module& mod, int e) : m(mod), entry(mod.entries[e]) {
    for (const auto& c : m.constants) {
      sl_value v{};
      v.tag = c.tag;
      if (c.tag == SL_TEXT) v = rt::Text(c.text);
      if (c.tag == SL_NUMBER) v = rt::Number(c.num);
      if (c.tag == SL_INTEGER || c.tag == SL_BOOL || c.tag == SL_DATE || c.tag == SL_DATETIME)
        v.u.i = c.i;
      constants.push_back(v);
    }
    size_t total = 0;
    for (const auto& f : m.functions) {
      frame.push_back(total);
      total += static_cast<size_t>(f.regs);
      auto& fn = natives.emplace_back();
      for (const auto& b : f.blocks) {
        auto& blk = fn.emplace_back();
        for (const auto& in : b.insts) {
          const auto* n = in.symbol.empty() ? nullptr : rt::FindNative(in.symbol);
          blk.push_back(n ? n->fn : nullptr);
        }
      }
    }
    regs.resize(total + 1);
  }

  sl_value Call(int fi, sl_ctx* ctx, const sl_value* record, const sl_value* params) {
    const Function& f = m.functions[fi];
    sl_value* r = regs.data() + frame[fi];
    for (int i = 0; i < f.params; ++i) r[i] = params[i];
    int b = 0;
    sl_value out{};
    while (true) {
      const auto& insts = f.blocks[b].insts;
      const auto& fns = natives[fi][b];
      for (size_t ii = 0;; ++ii) {
        const Inst& in = insts[ii];
        switch (in.op) {
          case Op::kConst:
            r[in.dst] = constants[in.imm];
            continue;
          case Op::kParam:
            r[in.dst] = r[in.imm];
            continue;
          case Op::kCopy:
            r[in.dst] = r[in.args[0]];
            continue;
          case Op::kInput:
          case Op::kNative: {
            sl_value argv[2];
            const sl_value* a = argv;
            if (in.op == Op::kInput) {
              a = record + in.imm;
            } else {
              for (size_t k = 0; k < in.args.size(); ++k) argv[k] = r[in.args[k]];
            }
            fns[ii](ctx, &out, a);
            if (out.tag == SL_FAIL) {
              sl_fail_at(ctx, in.loc);
              b = in.on_fail;
              break;
            }
            r[in.dst] = out;
            continue;
          }
          case Op::kCall: {
            std::vector<sl_value> args;
            args.reserve(in.args.size());
            for (int k : in.args) args.push_back(r[k]);
            out = Call(in.imm, ctx, record, args.data());
            if (out.tag == SL_FAIL) {
              sl_fail_at(ctx, in.loc);
              b = in.on_fail;
              break;
            }
            r[in.dst] = out;
            continue;
          }
          case Op::kJump:
            b = in.t1;
            break;
          case Op::kBranch: {
            const sl_value& c = r[in.args[0]];
            b = (c.tag == SL_BOOL && c.u.i) ? in.t1 : in.t2;
            break;
          }
          case Op::kBranchBlank:
            b = r[in.args[0]].tag == SL_BLANK ? in.t1 : in.t2;
            break;
          case Op::kReturn:
            return r[in.args[0]];
          case Op::kSkip:
            out = sl_value{};
            out.tag = SL_SKIP;
            return out;
          case Op::kRaise: {
            const std::string& msg = m.strings[in.imm];
            sl_raise(ctx, &out, in.code, msg.data(), static_cast<uint32_t>(msg.size()),
                     in.args.empty() ? nullptr : &r[in.args[0]], in.loc);
            return out;
          }
          case Op::kFail:
            out = sl_value{};
            out.tag = SL_FAIL;
            return out;
        }
        break;  // a branch was taken
      }
    }
  }
};

Interpreter::Interpreter(const Module& module, int entry)
    : impl_(std::make_unique<Impl>(module, entry)) {}
Interpreter::~Interpreter() = default;

void Interpreter::RunBatch(sl_ctx* ctx, size_t n, const sl_value* in, sl_value* out,
                           sl_record_result* results) {
  const Entry& e = impl_->entry;
  const size_t ni = e.layout.inputs.size(), no = e.layout.outputs.size();
  for (size_t i = 0; i < n; ++i) {
    const sl_value* record = in + i * ni;
    sl_value* written = out + i * no;
    sl_record_result& res = results[i];
    res.status = SL_RECORD_OK;
    if (e.include >= 0) {
      const sl_value v = impl_->Call(e.include, ctx, record, nullptr);
      if (v.tag == SL_FAIL) {
        res.status = SL_RECORD_FAILED;
        sl_take_failure(ctx, &res.failure);
        continue;
      }
      if (!(v.tag == SL_BOOL && v.u.i)) {
        res.status = SL_RECORD_DROPPED;
        continue;
      }
    }
    for (size_t k = 0; k < no; ++k) {
      written[k] = impl_->Call(e.mappings[k], ctx, record, nullptr);
      if (written[k].tag == SL_FAIL) {
        res.status = SL_RECORD_FAILED;
        sl_take_failure(ctx, &res.failure);
        break;
      }
    }
  }
}

}  // namespace syncline::ir
