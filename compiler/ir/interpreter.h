// The reference interpreter: runs an ir::Entry over batches of records. It defines what rules
// mean (docs/semantics.md); the JIT must agree with it byte for byte. It calls the same
// natives (runtime/record) as compiled code, so only control flow is its own.
#pragma once

#include <memory>

#include "compiler/ir/ir.h"

namespace syncline::ir {

class Interpreter {
 public:
  // `module` must outlive the interpreter and pass Verify.
  Interpreter(const Module& module, int entry);
  ~Interpreter();
  // Same contract as sl_batch_fn.
  void RunBatch(sl_ctx* ctx, size_t n, const sl_value* in, sl_value* out,
                sl_record_result* results);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace syncline::ir
