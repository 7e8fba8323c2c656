// The JIT: loads one compiled rule entry into LLVM's LLJIT and hands back its C-ABI batch
// function. Each Engine owns a JITDylib and its ResourceTracker, so rule sets can be loaded
// and dropped (reloaded) independently. Natives are bound from runtime/record's explicit
// symbol list only. Compiled objects are cached on disk, keyed by a hash of the lowered rules
// (which fixes rule text, schemas and slot layout), the compiler version and the target.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"

namespace llvm {
class MemoryBuffer;
}

namespace syncline::jit {

struct Options {
  std::string cache_dir;  // empty: no object cache
};

// $XDG_CACHE_HOME/syncline, else ~/.cache/syncline, else "" (no cache).
std::string DefaultCacheDir();

// A hex SHA-256 cache key over `parts` and everything a compiled object depends on besides
// them: the compiler version and build, the LLVM version and the host CPU. The object cache
// uses it over the printed IR; `transform` over its inputs (rule and schema files).
std::string CacheKeyOf(const std::vector<std::string>& parts);

// Writes to a temporary name and renames it, so a concurrent reader never sees half a file.
bool WriteFileAtomically(const std::string& path, std::string_view bytes);

class Engine {
 public:
  // nullptr with `error` on failure.
  static std::unique_ptr<Engine> Load(const ir::Module& module, int entry, const Options& options,
                                      std::string& error);
  // The object cached under `key` (a cache_key() of an earlier Load), without the module:
  // nullptr with an empty `error` when it is not in the cache.
  static std::unique_ptr<Engine> LoadCached(const std::string& key, const Options& options,
                                            std::string& error);
  ~Engine();  // removes the rule set's code from the JIT
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  sl_batch_fn batch_fn() const { return batch_; }
  bool from_cache() const { return from_cache_; }
  double compile_ms() const { return compile_ms_; }
  // The object's key in the cache; empty when there is no cache or the object was not stored.
  const std::string& cache_key() const { return cache_key_; }

 private:
  struct Impl;
  Engine();
  static std::unique_ptr<Engine> Create(std::string& error);
  bool Attach(std::unique_ptr<llvm::MemoryBuffer> object, std::string& error);
  std::unique_ptr<Impl> impl_;
  sl_batch_fn batch_ = nullptr;
  bool from_cache_ = false;
  double compile_ms_ = 0;
  std::string cache_key_;
};

// `--emit=llvm`: the optimised module as text.
bool PrintLLVM(const ir::Module& module, int entry, std::string& out, std::string& error);

}  // namespace syncline::jit
