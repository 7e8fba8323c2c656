// ir::Entry -> LLVM IR. Registers are one alloca'd array of sl_value per function (mem2reg
// and SROA clean them up at O2); every native call writes its destination register directly
// and is followed by a tag test that branches to the instruction's failure path.
#include "compiler/codegen/codegen.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <cstring>
#include <map>

namespace syncline::codegen {
namespace {

class Emitter {
 public:
  Emitter(const ir::Module& m, int entry, llvm::LLVMContext& c)
      : m_(m),
        entry_(m.entries[entry]),
        c_(c),
        mod_(std::make_unique<llvm::Module>("syncline_rules", c)),
        b_(c) {
    ptr_ = llvm::PointerType::get(c, 0);
    i8_ = llvm::Type::getInt8Ty(c);
    i32_ = llvm::Type::getInt32Ty(c);
    i64_ = llvm::Type::getInt64Ty(c);
    value_ =
        llvm::StructType::create(c, {i8_, llvm::ArrayType::get(i8_, 3), i32_, i64_}, "sl_value");
    failure_ = llvm::StructType::create(c, {i32_, i32_, ptr_, i32_}, "sl_failure");
    result_ = llvm::StructType::create(c, {i32_, failure_}, "sl_record_result");
    native_ty_ = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_, ptr_}, false);
    rule_ty_ = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_, ptr_, ptr_}, false);
  }

  std::unique_ptr<llvm::Module> Run() {
    EmitConstants();
    // Only the functions this entry reaches (its include, its mappings, and what they call).
    std::vector<int> work;
    if (entry_.include >= 0) work.push_back(entry_.include);
    for (int f : entry_.mappings) work.push_back(f);
    while (!work.empty()) {
      const int f = work.back();
      work.pop_back();
      if (fns_.count(f)) continue;
      fns_[f] = llvm::Function::Create(rule_ty_, llvm::Function::InternalLinkage,
                                       "fn" + std::to_string(f), *mod_);
      for (const auto& blk : m_.functions[f].blocks)
        for (const auto& in : blk.insts)
          if (in.op == ir::Op::kCall) work.push_back(in.imm);
    }
    for (const auto& [index, fn] : fns_) EmitFunction(index, fn);
    EmitBatch();
    return std::move(mod_);
  }

 private:
  llvm::FunctionCallee Native(const std::string& symbol) {
    return mod_->getOrInsertFunction(symbol, native_ty_);
  }

  void EmitConstants() {
    std::vector<llvm::Constant*> values;
    for (const auto& k : m_.constants) {
      uint64_t bits = 0;
      llvm::Constant* payload = nullptr;
      if (k.tag == SL_TEXT) {
        auto* str = b_.CreateGlobalString(k.text, "str", 0, mod_.get());
        payload = llvm::ConstantExpr::getPtrToInt(str, i64_);
      } else if (k.tag == SL_NUMBER) {
        double d = k.num == 0 ? 0.0 : k.num;
        std::memcpy(&bits, &d, sizeof bits);
      } else {
        bits = static_cast<uint64_t>(k.i);
      }
      if (!payload) payload = llvm::ConstantInt::get(i64_, bits);
      const uint32_t len = k.tag == SL_TEXT ? static_cast<uint32_t>(k.text.size()) : 0;
      values.push_back(llvm::ConstantStruct::get(
          value_, {llvm::ConstantInt::get(i8_, k.tag),
                   llvm::ConstantAggregateZero::get(llvm::ArrayType::get(i8_, 3)),
                   llvm::ConstantInt::get(i32_, len), payload}));
    }
    auto* type = llvm::ArrayType::get(value_, values.size());
    consts_ = new llvm::GlobalVariable(*mod_, type, true, llvm::GlobalValue::PrivateLinkage,
                                       llvm::ConstantArray::get(type, values), "constants");
  }

  llvm::Value* Reg(llvm::Value* regs, int r) {
    return b_.CreateConstInBoundsGEP1_32(value_, regs, static_cast<unsigned>(r));
  }
  void Copy(llvm::Value* dst, llvm::Value* src) { b_.CreateStore(b_.CreateLoad(value_, src), dst); }
  llvm::Value* Tag(llvm::Value* v) { return b_.CreateLoad(i8_, v); }
  llvm::Value* Payload(llvm::Value* v) {
    return b_.CreateLoad(i64_, b_.CreateStructGEP(value_, v, 3));
  }
  void StoreTag(llvm::Value* out, uint8_t tag) {
    b_.CreateStore(llvm::ConstantAggregateZero::get(value_), out);
    b_.CreateStore(llvm::ConstantInt::get(i8_, tag), out);
  }
  // After a call that wrote `dst`: a failure goes to `fail` (after noting `loc`).
  void CheckFail(llvm::Function* fn, llvm::Value* ctx, llvm::Value* dst, int loc,
                 llvm::BasicBlock* on_fail) {
    auto* failed = b_.CreateICmpEQ(Tag(dst), llvm::ConstantInt::get(i8_, SL_FAIL));
    auto* fail_bb = llvm::BasicBlock::Create(c_, "failed", fn);
    auto* ok_bb = llvm::BasicBlock::Create(c_, "ok", fn);
    b_.CreateCondBr(failed, fail_bb, ok_bb);
    b_.SetInsertPoint(fail_bb);
    b_.CreateCall(
        mod_->getOrInsertFunction("sl_fail_at",
                                  llvm::FunctionType::get(b_.getVoidTy(), {ptr_, i32_}, false)),
        {ctx, llvm::ConstantInt::get(i32_, static_cast<uint64_t>(static_cast<int64_t>(loc)))});
    b_.CreateBr(on_fail);
    b_.SetInsertPoint(ok_bb);
  }

  void EmitFunction(int index, llvm::Function* fn) {
    const ir::Function& f = m_.functions[index];
    llvm::Value* ctx = fn->getArg(0);
    llvm::Value* out = fn->getArg(1);
    llvm::Value* record = fn->getArg(2);
    llvm::Value* params = fn->getArg(3);
    auto* entry = llvm::BasicBlock::Create(c_, "entry", fn);
    b_.SetInsertPoint(entry);
    llvm::Value* regs =
        b_.CreateAlloca(value_, b_.getInt32(static_cast<uint32_t>(f.regs + 1)), "regs");
    size_t max_args = 2;
    for (const auto& blk : f.blocks)
      for (const auto& in : blk.insts) max_args = std::max(max_args, in.args.size());
    llvm::Value* argv =
        b_.CreateAlloca(value_, b_.getInt32(static_cast<uint32_t>(max_args)), "argv");
    // Parameters are the first registers (as in the interpreter).
    for (int p = 0; p < f.params; ++p)
      Copy(Reg(regs, p), b_.CreateConstInBoundsGEP1_32(value_, params, static_cast<unsigned>(p)));
    std::vector<llvm::BasicBlock*> blocks;
    for (size_t i = 0; i < f.blocks.size(); ++i)
      blocks.push_back(llvm::BasicBlock::Create(c_, "b" + std::to_string(i), fn));
    b_.CreateBr(blocks[0]);
    for (size_t bi = 0; bi < f.blocks.size(); ++bi) {
      b_.SetInsertPoint(blocks[bi]);
      for (const auto& in : f.blocks[bi].insts) {
        switch (in.op) {
          case ir::Op::kConst:
            Copy(Reg(regs, in.dst),
                 b_.CreateConstInBoundsGEP2_32(consts_->getValueType(), consts_, 0,
                                               static_cast<unsigned>(in.imm)));
            break;
          case ir::Op::kParam:
            Copy(Reg(regs, in.dst),
                 b_.CreateConstInBoundsGEP1_32(value_, params, static_cast<unsigned>(in.imm)));
            break;
          case ir::Op::kCopy:
            Copy(Reg(regs, in.dst), Reg(regs, in.args[0]));
            break;
          case ir::Op::kInput:
          case ir::Op::kNative: {
            llvm::Value* a = argv;
            if (in.op == ir::Op::kInput) {
              a = b_.CreateConstInBoundsGEP1_32(value_, record, static_cast<unsigned>(in.imm));
            } else {
              for (size_t k = 0; k < in.args.size(); ++k)
                Copy(b_.CreateConstInBoundsGEP1_32(value_, argv, static_cast<unsigned>(k)),
                     Reg(regs, in.args[k]));
            }
            b_.CreateCall(Native(in.symbol), {ctx, Reg(regs, in.dst), a});
            CheckFail(fn, ctx, Reg(regs, in.dst), in.loc, blocks[in.on_fail]);
            break;
          }
          case ir::Op::kCall: {
            for (size_t k = 0; k < in.args.size(); ++k)
              Copy(b_.CreateConstInBoundsGEP1_32(value_, argv, static_cast<unsigned>(k)),
                   Reg(regs, in.args[k]));
            b_.CreateCall(rule_ty_, fns_.at(in.imm), {ctx, Reg(regs, in.dst), record, argv});
            CheckFail(fn, ctx, Reg(regs, in.dst), in.loc, blocks[in.on_fail]);
            break;
          }
          case ir::Op::kJump:
            b_.CreateBr(blocks[in.t1]);
            break;
          case ir::Op::kBranch: {
            llvm::Value* r = Reg(regs, in.args[0]);
            auto* is_bool = b_.CreateICmpEQ(Tag(r), llvm::ConstantInt::get(i8_, SL_BOOL));
            auto* is_true = b_.CreateICmpNE(Payload(r), llvm::ConstantInt::get(i64_, 0));
            b_.CreateCondBr(b_.CreateAnd(is_bool, is_true), blocks[in.t1], blocks[in.t2]);
            break;
          }
          case ir::Op::kBranchBlank: {
            auto* blank =
                b_.CreateICmpEQ(Tag(Reg(regs, in.args[0])), llvm::ConstantInt::get(i8_, SL_BLANK));
            b_.CreateCondBr(blank, blocks[in.t1], blocks[in.t2]);
            break;
          }
          case ir::Op::kReturn:
            Copy(out, Reg(regs, in.args[0]));
            b_.CreateRetVoid();
            break;
          case ir::Op::kSkip:
            StoreTag(out, SL_SKIP);
            b_.CreateRetVoid();
            break;
          case ir::Op::kFail:
            StoreTag(out, SL_FAIL);
            b_.CreateRetVoid();
            break;
          case ir::Op::kRaise: {
            const std::string& msg = m_.strings[in.imm];
            auto* str = b_.CreateGlobalString(msg, "msg", 0, mod_.get());
            llvm::Value* detail =
                in.args.empty() ? static_cast<llvm::Value*>(llvm::ConstantPointerNull::get(ptr_))
                                : Reg(regs, in.args[0]);
            auto raise = mod_->getOrInsertFunction(
                "sl_raise", llvm::FunctionType::get(
                                b_.getVoidTy(), {ptr_, ptr_, i32_, ptr_, i32_, ptr_, i32_}, false));
            b_.CreateCall(raise, {ctx, out, b_.getInt32(static_cast<uint32_t>(in.code)), str,
                                  b_.getInt32(static_cast<uint32_t>(msg.size())), detail,
                                  b_.getInt32(static_cast<uint32_t>(in.loc))});
            b_.CreateRetVoid();
            break;
          }
        }
      }
    }
  }

  // void sl_batch(ctx, n, in, out, results): the loop of Interpreter::RunBatch.
  void EmitBatch() {
    auto* type = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, i64_, ptr_, ptr_, ptr_}, false);
    auto* fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, kBatchSymbol, *mod_);
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    llvm::Value* ctx = fn->getArg(0);
    llvm::Value* n = fn->getArg(1);
    llvm::Value* in = fn->getArg(2);
    llvm::Value* out = fn->getArg(3);
    llvm::Value* results = fn->getArg(4);
    const uint64_t ni = entry_.layout.inputs.size(), no = entry_.layout.outputs.size();
    auto* entry = llvm::BasicBlock::Create(c_, "entry", fn);
    auto* head = llvm::BasicBlock::Create(c_, "head", fn);
    auto* body = llvm::BasicBlock::Create(c_, "body", fn);
    auto* next = llvm::BasicBlock::Create(c_, "next", fn);
    auto* failed = llvm::BasicBlock::Create(c_, "failed", fn);
    auto* done = llvm::BasicBlock::Create(c_, "done", fn);
    b_.SetInsertPoint(entry);
    llvm::Value* tmp = b_.CreateAlloca(value_, nullptr, "tmp");
    b_.CreateBr(head);
    b_.SetInsertPoint(head);
    auto* i = b_.CreatePHI(i64_, 2, "i");
    i->addIncoming(b_.getInt64(0), entry);
    b_.CreateCondBr(b_.CreateICmpULT(i, n), body, done);

    b_.SetInsertPoint(body);
    llvm::Value* rec = b_.CreateInBoundsGEP(value_, in, b_.CreateMul(i, b_.getInt64(ni)));
    llvm::Value* dst = b_.CreateInBoundsGEP(value_, out, b_.CreateMul(i, b_.getInt64(no)));
    llvm::Value* res = b_.CreateInBoundsGEP(result_, results, i);
    llvm::Value* status = b_.CreateStructGEP(result_, res, 0);
    b_.CreateStore(b_.getInt32(SL_RECORD_OK), status);
    llvm::Value* null = llvm::ConstantPointerNull::get(ptr_);
    if (entry_.include >= 0) {
      b_.CreateCall(rule_ty_, fns_.at(entry_.include), {ctx, tmp, rec, null});
      auto* is_fail = b_.CreateICmpEQ(Tag(tmp), llvm::ConstantInt::get(i8_, SL_FAIL));
      auto* not_fail = llvm::BasicBlock::Create(c_, "include_ok", fn);
      b_.CreateCondBr(is_fail, failed, not_fail);
      b_.SetInsertPoint(not_fail);
      auto* is_true = b_.CreateAnd(b_.CreateICmpEQ(Tag(tmp), llvm::ConstantInt::get(i8_, SL_BOOL)),
                                   b_.CreateICmpNE(Payload(tmp), b_.getInt64(0)));
      auto* keep = llvm::BasicBlock::Create(c_, "keep", fn);
      auto* drop = llvm::BasicBlock::Create(c_, "drop", fn);
      b_.CreateCondBr(is_true, keep, drop);
      b_.SetInsertPoint(drop);
      b_.CreateStore(b_.getInt32(SL_RECORD_DROPPED), status);
      b_.CreateBr(next);
      b_.SetInsertPoint(keep);
    }
    for (size_t k = 0; k < entry_.mappings.size(); ++k) {
      llvm::Value* slot = b_.CreateConstInBoundsGEP1_64(value_, dst, k);
      b_.CreateCall(rule_ty_, fns_.at(entry_.mappings[k]), {ctx, slot, rec, null});
      auto* is_fail = b_.CreateICmpEQ(Tag(slot), llvm::ConstantInt::get(i8_, SL_FAIL));
      auto* cont = llvm::BasicBlock::Create(c_, "mapped", fn);
      b_.CreateCondBr(is_fail, failed, cont);
      b_.SetInsertPoint(cont);
    }
    b_.CreateBr(next);

    b_.SetInsertPoint(failed);
    b_.CreateStore(b_.getInt32(SL_RECORD_FAILED), status);
    b_.CreateCall(
        mod_->getOrInsertFunction("sl_take_failure",
                                  llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_}, false)),
        {ctx, b_.CreateStructGEP(result_, res, 1)});
    b_.CreateBr(next);

    b_.SetInsertPoint(next);
    auto* i_next = b_.CreateAdd(i, b_.getInt64(1));
    i->addIncoming(i_next, next);
    b_.CreateBr(head);

    b_.SetInsertPoint(done);
    b_.CreateRetVoid();
  }

  const ir::Module& m_;
  const ir::Entry& entry_;
  llvm::LLVMContext& c_;
  std::unique_ptr<llvm::Module> mod_;
  llvm::IRBuilder<> b_;
  llvm::PointerType* ptr_;
  llvm::Type *i8_, *i32_, *i64_;
  llvm::StructType *value_, *failure_, *result_;
  llvm::FunctionType *native_ty_, *rule_ty_;
  llvm::GlobalVariable* consts_ = nullptr;
  std::map<int, llvm::Function*> fns_;
};

}  // namespace

std::unique_ptr<llvm::Module> EmitLLVM(const ir::Module& module, int entry,
                                       llvm::LLVMContext& context, std::string& error) {
  auto m = Emitter(module, entry, context).Run();
  // Natives never throw (they are noexcept) and rule code has no landing pads.
  for (auto& f : *m) f.addFnAttr(llvm::Attribute::NoUnwind);
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*m, &os)) {
    error = "LLVM module does not verify: " + os.str();
    return nullptr;
  }
  return m;
}

void Optimize(llvm::Module& module, llvm::TargetMachine& machine) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&machine);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(module, mam);
}

}  // namespace syncline::codegen
