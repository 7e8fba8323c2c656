// LLJIT with one JITDylib + ResourceTracker per loaded rule set and an on-disk object cache.
#include "compiler/jit/engine.h"

#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SHA256.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "compiler/codegen/codegen.h"
#include "runtime/record/record.h"

namespace syncline::jit {
namespace {

constexpr const char* kCompilerVersion = "syncline-0.1.0-codegen-1";

std::string ToString(llvm::Error e) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << e;
  return s;
}

// One LLJIT per process; rule sets live in their own JITDylibs.
llvm::orc::LLJIT* Jit(std::string& error) {
  static std::once_flag once;
  static std::unique_ptr<llvm::orc::LLJIT> jit;
  static std::string init_error;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    auto j = llvm::orc::LLJITBuilder().create();
    if (!j) {
      init_error = ToString(j.takeError());
      return;
    }
    jit = std::move(*j);
  });
  error = init_error;
  return jit.get();
}

std::unique_ptr<llvm::TargetMachine> HostMachine(std::string& error) {
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    error = ToString(jtmb.takeError());
    return nullptr;
  }
  jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
  auto tm = jtmb->createTargetMachine();
  if (!tm) {
    error = ToString(tm.takeError());
    return nullptr;
  }
  return std::move(*tm);
}

std::unique_ptr<llvm::Module> Build(const ir::Module& module, int entry, llvm::LLVMContext& context,
                                    llvm::TargetMachine& tm, std::string& error) {
  auto m = codegen::EmitLLVM(module, entry, context, error);
  if (!m) return nullptr;
  m->setDataLayout(tm.createDataLayout());
  m->setTargetTriple(tm.getTargetTriple().str());
  codegen::Optimize(*m, tm);
  return m;
}

// The host's identity without building a TargetMachine (which a warm start never needs).
std::string HostIdentity() {
  std::string s = llvm::sys::getProcessTriple() + "/" + llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  std::vector<std::string> on;
  for (const auto& f : features)
    if (f.getValue()) on.push_back(f.getKey().str());
  std::sort(on.begin(), on.end());
  for (const auto& f : on) s += "," + f;
  return s;
}

std::string CacheKey(const ir::Module& module, int entry) {
  llvm::SHA256 h;
  auto add = [&](std::string_view s) {
    h.update(llvm::StringRef(s.data(), s.size()));
    h.update(llvm::StringRef("\0", 1));
  };
  add(kCompilerVersion);
  add(LLVM_VERSION_STRING);
  add(HostIdentity());
  add(ir::Print(module));
  add(std::to_string(entry));
  auto digest = h.final();
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (uint8_t b : digest) {
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

std::atomic<int> dylib_counter{0};

}  // namespace

std::string DefaultCacheDir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return (std::filesystem::path(x) / "syncline").string();
  if (const char* home = std::getenv("HOME"); home && *home)
    return (std::filesystem::path(home) / ".cache" / "syncline").string();
  return "";
}

struct Engine::Impl {
  llvm::orc::LLJIT* jit = nullptr;
  llvm::orc::JITDylib* dylib = nullptr;
  llvm::orc::ResourceTrackerSP tracker;
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}

Engine::~Engine() {
  if (impl_->tracker) llvm::consumeError(impl_->tracker->remove());
  if (impl_->dylib)
    llvm::consumeError(impl_->jit->getExecutionSession().removeJITDylib(*impl_->dylib));
}

std::unique_ptr<Engine> Engine::Load(const ir::Module& module, int entry, const Options& options,
                                     std::string& error) {
  const auto start = std::chrono::steady_clock::now();
  llvm::orc::LLJIT* jit = Jit(error);
  if (!jit) return nullptr;

  std::unique_ptr<Engine> engine(new Engine());
  engine->impl_->jit = jit;
  auto& es = jit->getExecutionSession();
  auto dylib = es.createJITDylib("rules" + std::to_string(dylib_counter++));
  if (!dylib) {
    error = ToString(dylib.takeError());
    return nullptr;
  }
  engine->impl_->dylib = &*dylib;
  // The explicit symbol list: the natives and the ABI helpers, nothing else of the process.
  llvm::orc::SymbolMap symbols;
  auto bind = [&](std::string_view name, const void* address) {
    symbols[es.intern(llvm::StringRef(name.data(), name.size()))] = {
        llvm::orc::ExecutorAddr::fromPtr(address), llvm::JITSymbolFlags::Exported};
  };
  for (const auto& n : rt::NativeSymbols()) bind(n.symbol, reinterpret_cast<const void*>(n.fn));
  bind("sl_fail_at", reinterpret_cast<const void*>(&sl_fail_at));
  bind("sl_raise", reinterpret_cast<const void*>(&sl_raise));
  bind("sl_take_failure", reinterpret_cast<const void*>(&sl_take_failure));
  bind("memcpy", reinterpret_cast<const void*>(&std::memcpy));
  bind("memset", reinterpret_cast<const void*>(&std::memset));
  if (auto e = dylib->define(llvm::orc::absoluteSymbols(std::move(symbols)))) {
    error = ToString(std::move(e));
    return nullptr;
  }
  engine->impl_->tracker = dylib->createResourceTracker();

  // The object: from the cache, or compiled (and then cached).
  std::unique_ptr<llvm::MemoryBuffer> object;
  std::filesystem::path cache_file;
  if (!options.cache_dir.empty()) {
    cache_file = std::filesystem::path(options.cache_dir) / (CacheKey(module, entry) + ".o");
    auto cached = llvm::MemoryBuffer::getFile(cache_file.string());
    if (cached) {
      object = std::move(*cached);
      engine->from_cache_ = true;
    }
  }
  if (!object) {
    auto tm = HostMachine(error);
    if (!tm) return nullptr;
    llvm::LLVMContext context;
    auto m = Build(module, entry, context, *tm, error);
    if (!m) return nullptr;
    llvm::SmallVector<char, 0> bytes;
    llvm::raw_svector_ostream os(bytes);
    llvm::legacy::PassManager pm;
    if (tm->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile)) {
      error = "the target cannot emit object files";
      return nullptr;
    }
    pm.run(*m);
    object = llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(bytes.data(), bytes.size()),
                                                  "syncline_rules.o");
    if (!cache_file.empty()) {
      // Written to a temporary name and renamed, so a concurrent start never reads half a file.
      std::error_code ec;
      std::filesystem::create_directories(cache_file.parent_path(), ec);
      const auto tmp = cache_file.string() + ".tmp" + std::to_string(::getpid());
      std::ofstream f(tmp, std::ios::binary);
      f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      f.close();
      if (f) std::filesystem::rename(tmp, cache_file, ec);
      if (!f || ec) std::filesystem::remove(tmp, ec);
    }
  }
  if (auto e = jit->addObjectFile(engine->impl_->tracker, std::move(object))) {
    error = ToString(std::move(e));
    return nullptr;
  }
  auto sym = es.lookup({&*dylib}, es.intern(codegen::kBatchSymbol));
  if (!sym) {
    error = ToString(sym.takeError());
    return nullptr;
  }
  engine->batch_ = sym->getAddress().toPtr<sl_batch_fn>();
  engine->compile_ms_ =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return engine;
}

bool PrintLLVM(const ir::Module& module, int entry, std::string& out, std::string& error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  auto tm = HostMachine(error);
  if (!tm) return false;
  llvm::LLVMContext context;
  auto m = Build(module, entry, context, *tm, error);
  if (!m) return false;
  llvm::raw_string_ostream os(out);
  m->print(os, nullptr);
  return true;
}

}  // namespace syncline::jit
