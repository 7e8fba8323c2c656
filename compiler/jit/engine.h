// The JIT: loads one compiled rule entry into LLVM's LLJIT and hands back its C-ABI batch
// function. Each Engine owns a JITDylib and its ResourceTracker, so rule sets can be loaded
// and dropped (reloaded) independently. Natives are bound from runtime/record's explicit
// symbol list only. Compiled objects are cached on disk, keyed by a hash of the lowered rules
// (which fixes rule text, schemas and slot layout), the compiler version and the target.
#pragma once

#include <memory>
#include <string>

#include "compiler/ir/ir.h"

namespace syncline::jit {

struct Options {
  std::string cache_dir;  // empty: no object cache
};

// $XDG_CACHE_HOME/syncline, else ~/.cache/syncline, else "" (no cache).
std::string DefaultCacheDir();

class Engine {
 public:
  // nullptr with `error` on failure.
  static std::unique_ptr<Engine> Load(const ir::Module& module, int entry, const Options& options,
                                      std::string& error);
  ~Engine();  // removes the rule set's code from the JIT
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  sl_batch_fn batch_fn() const { return batch_; }
  bool from_cache() const { return from_cache_; }
  double compile_ms() const { return compile_ms_; }

 private:
  struct Impl;
  Engine();
  std::unique_ptr<Impl> impl_;
  sl_batch_fn batch_ = nullptr;
  bool from_cache_ = false;
  double compile_ms_ = 0;
};

// `--emit=llvm`: the optimised module as text.
bool PrintLLVM(const ir::Module& module, int entry, std::string& out, std::string& error);

}  // namespace syncline::jit
