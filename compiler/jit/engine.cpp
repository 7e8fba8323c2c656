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

#include <elf.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
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

void AppendHex(std::string& out, const uint8_t* bytes, size_t n) {
  static const char* digits = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
}

// The running program's GNU build id (hex), so that a rebuilt compiler never reads objects or
// transform manifests that an older build wrote under the same version string. Without a
// build id note, the executable's size and modification time stand in.
std::string ExecutableBuildId() {
  std::string id;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* out) -> int {
        auto& hex = *static_cast<std::string*>(out);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_NOTE) continue;
          const char* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
          const char* end = p + ph.p_memsz;
          while (p + sizeof(ElfW(Nhdr)) <= end) {
            const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
            const char* name = p + sizeof(ElfW(Nhdr));
            const char* desc = name + ((note->n_namesz + 3) & ~3u);
            if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
                std::memcmp(name, "GNU", 4) == 0 && desc + note->n_descsz <= end) {
              AppendHex(hex, reinterpret_cast<const uint8_t*>(desc), note->n_descsz);
              return 1;
            }
            p = desc + ((note->n_descsz + 3) & ~3u);
          }
        }
        return 1;  // the first object is the executable: never look further
      },
      &id);
  if (id.empty()) {
    struct stat st {};
    if (::stat("/proc/self/exe", &st) == 0)
      id = std::to_string(st.st_size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec);
  }
  return id;
}

std::string CacheKey(const ir::Module& module, int entry) {
  return CacheKeyOf({ir::Print(module), std::to_string(entry)});
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

std::string CacheKeyOf(const std::vector<std::string>& parts) {
  llvm::SHA256 h;
  auto add = [&](std::string_view s) {
    h.update(llvm::StringRef(s.data(), s.size()));
    h.update(llvm::StringRef("\0", 1));
  };
  // Neither changes while the process runs; both take system calls to find.
  static const std::string host = HostIdentity(), build_id = ExecutableBuildId();
  add(kCompilerVersion);
  add(LLVM_VERSION_STRING);
  add(host);
  add(build_id);
  for (const auto& part : parts) add(part);
  const auto digest = h.final();
  std::string key;
  AppendHex(key, digest.data(), digest.size());
  return key;
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

// An engine with its own JITDylib holding the explicit symbol list, ready for an object.
std::unique_ptr<Engine> Engine::Create(std::string& error) {
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
  return engine;
}

bool Engine::Attach(std::unique_ptr<llvm::MemoryBuffer> object, std::string& error) {
  auto& es = impl_->jit->getExecutionSession();
  if (auto e = impl_->jit->addObjectFile(impl_->tracker, std::move(object))) {
    error = ToString(std::move(e));
    return false;
  }
  auto sym = es.lookup({impl_->dylib}, es.intern(codegen::kBatchSymbol));
  if (!sym) {
    error = ToString(sym.takeError());
    return false;
  }
  batch_ = sym->getAddress().toPtr<sl_batch_fn>();
  return true;
}

std::unique_ptr<Engine> Engine::Load(const ir::Module& module, int entry, const Options& options,
                                     std::string& error) {
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Engine> engine = Create(error);
  if (!engine) return nullptr;

  // The object: from the cache, or compiled (and then cached).
  std::unique_ptr<llvm::MemoryBuffer> object;
  std::filesystem::path cache_file;
  if (!options.cache_dir.empty()) {
    engine->cache_key_ = CacheKey(module, entry);
    cache_file = std::filesystem::path(options.cache_dir) / (engine->cache_key_ + ".o");
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
    if (!cache_file.empty() &&
        !WriteFileAtomically(cache_file.string(), std::string_view(bytes.data(), bytes.size())))
      engine->cache_key_.clear();  // not stored: no manifest may point at it
  }
  if (!engine->Attach(std::move(object), error)) return nullptr;
  engine->compile_ms_ =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return engine;
}

std::unique_ptr<Engine> Engine::LoadCached(const std::string& key, const Options& options,
                                           std::string& error) {
  error.clear();
  if (options.cache_dir.empty() || key.empty()) return nullptr;
  const auto start = std::chrono::steady_clock::now();
  auto cached = llvm::MemoryBuffer::getFile(
      (std::filesystem::path(options.cache_dir) / (key + ".o")).string());
  if (!cached) return nullptr;  // not cached (or removed since): the caller compiles
  std::unique_ptr<Engine> engine = Create(error);
  if (!engine) return nullptr;
  if (!engine->Attach(std::move(*cached), error)) return nullptr;
  engine->from_cache_ = true;
  engine->cache_key_ = key;
  engine->compile_ms_ =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return engine;
}

bool WriteFileAtomically(const std::string& path, std::string_view bytes) {
  // Written to a temporary name and renamed, so a concurrent start never reads half a file.
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const auto tmp = path + ".tmp" + std::to_string(::getpid());
  std::ofstream f(tmp, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (f) std::filesystem::rename(tmp, path, ec);
  if (!f || ec) {
    std::filesystem::remove(tmp, ec);
    return false;
  }
  return true;
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
