// LLVM codegen: one ir::Entry -> a verified, O2-optimised LLVM module whose only external
// function is `sl_batch` (an sl_batch_fn). Rule functions become internal functions over
// sl_value slots; operators and builtins are calls to the natives of runtime/record by their
// symbol names, which the JIT binds from an explicit list. Only codegen and jit see LLVM.
#pragma once

#include <memory>
#include <string>

#include "compiler/ir/ir.h"

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace syncline::codegen {

// The symbol of the batch function in the emitted module.
inline constexpr const char* kBatchSymbol = "sl_batch";

// Emits and verifies; nullptr with `error` if verification fails (a compiler bug).
std::unique_ptr<llvm::Module> EmitLLVM(const ir::Module& module, int entry,
                                       llvm::LLVMContext& context, std::string& error);

// The new pass manager's O2 pipeline, tuned for `machine`.
void Optimize(llvm::Module& module, llvm::TargetMachine& machine);

}  // namespace syncline::codegen
