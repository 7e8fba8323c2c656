// `syncline transform`: streams JSON Lines records in one API's shape through a sync's
// include filter and create mapping, and writes the other API's records, in input order.
// Per-record failures go to --errors; exit 0 unless usage, I/O or compile errors (1 for rule
// errors, 2 for usage and I/O).
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <condition_variable>

#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "command_registry.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/frontend/std_imports.h"
#include "compiler/ir/interpreter.h"
#include "compiler/ir/ir.h"
#include "compiler/jit/engine.h"
#include "compiler/sema/check.h"
#include "compiler/syntax/parse.h"
#include "runtime/engine/portal_stages.h"
#include "runtime/record/record.h"
#include "runtime/schema/schema.h"
#include "transform_cache.h"

namespace syncline::driver {
namespace {

struct TransformOptions {
  std::string rules;
  std::string sync;
  std::string to;
  std::string object;
  std::string engine = "jit";
  std::string in, out, errors;
  std::vector<std::string> schema_dirs;
  std::string emit;
  std::string cache_dir;
  bool no_cache = false;
  size_t batch = 1024;
  unsigned threads = 0;  // 0: one per core
};

using BatchRunner =
    std::function<void(sl_ctx*, size_t, const sl_value*, sl_value*, sl_record_result*)>;

// A piece of the input, whole lines only, parsed where it lies (strings without escapes stay
// views into it until the piece is done), and what its records became.
struct Chunk {
  const char* data = nullptr;  // the lines: into the mapped input, or `text`
  size_t size = 0;             // bytes of lines
  size_t readable = 0;         // bytes readable from `data`: size + RecordReader::kPadding or more
  std::vector<char> text;      // the lines when they were read rather than mapped
  // Results. Failures keep their line number within the chunk: the chunk's first line number
  // is known once the chunks before it are done, so nobody counts lines twice.
  struct Failure {
    int line;  // 1 = the chunk's first line
    std::string id;
    int code;
    std::string message, location;
  };
  std::string out;
  std::vector<Failure> failures;
  int lines = 0;
  size_t read = 0, written = 0, dropped = 0;
  bool done = false;
};

// Hands out the input in chunks of about kChunkBytes, cut after a newline; a line longer than
// that makes its chunk larger. A regular file is mapped and chunks are views into it (pages
// are given back once their chunks are written, so memory stays flat); a pipe is read into
// each chunk's own buffer.
class ChunkSource {
 public:
  static constexpr size_t kChunkBytes = 1 << 20;
  explicit ChunkSource(std::FILE* in) : in_(in) {
    const int fd = fileno(in);
    struct stat st;
    const off_t start = lseek(fd, 0, SEEK_CUR);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || start < 0 || st.st_size <= start)
      return;
    void* map = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) return;  // read it instead
    map_ = static_cast<const char*>(map);
    map_size_ = static_cast<size_t>(st.st_size);
    pos_ = static_cast<size_t>(start);
    released_ = pos_ / page_ * page_;
    madvise(map, map_size_, MADV_SEQUENTIAL);
  }
  ~ChunkSource() {
    if (map_) munmap(const_cast<char*>(map_), map_size_);
  }
  ChunkSource(const ChunkSource&) = delete;
  ChunkSource& operator=(const ChunkSource&) = delete;

  // False at the end of the input (or on a read error: see error()).
  bool Next(Chunk& c) { return map_ ? NextMapped(c) : NextRead(c); }
  // The chunk is written: its pages may go (whole pages before its end only: the page holding
  // the end may start the next chunk).
  void Done(const Chunk& c) {
    if (!map_ || c.data < map_ || c.data >= map_ + map_size_) return;
    const size_t upto = static_cast<size_t>(c.data + c.size - map_) / page_ * page_;
    if (upto <= released_) return;
    madvise(const_cast<char*>(map_) + released_, upto - released_, MADV_DONTNEED);
    released_ = upto;
  }
  bool error() const { return !map_ && std::ferror(in_) != 0; }

 private:
  bool NextMapped(Chunk& c) {
    if (pos_ >= map_size_) return false;
    const char* begin = map_ + pos_;
    const size_t left = map_size_ - pos_;
    size_t size = left;
    if (left > kChunkBytes) {
      if (const void* nl = memrchr(begin, '\n', kChunkBytes)) {
        size = static_cast<size_t>(static_cast<const char*>(nl) - begin) + 1;
      } else if (const void* next = std::memchr(begin + kChunkBytes, '\n', left - kChunkBytes)) {
        size = static_cast<size_t>(static_cast<const char*>(next) - begin) + 1;  // a long line
      }
    }
    pos_ += size;
    if (left - size >= rt::RecordReader::kPadding) {
      c.data = begin;
      c.readable = left;
    } else {
      // The end of the file has no padding after it: this last chunk is copied.
      c.text.assign(begin, begin + size);
      c.text.resize(size + rt::RecordReader::kPadding);
      c.data = c.text.data();
      c.readable = c.text.size();
    }
    c.size = size;
    return true;
  }

  bool NextRead(Chunk& c) {
    c.text.resize(std::max(kChunkBytes, carry_.size() * 2) + rt::RecordReader::kPadding);
    std::copy(carry_.begin(), carry_.end(), c.text.begin());
    size_t have = carry_.size();
    carry_.clear();
    size_t cut = 0;  // bytes up to and including the last newline
    for (;;) {
      const size_t room = c.text.size() - rt::RecordReader::kPadding - have;
      const size_t got = eof_ ? 0 : std::fread(c.text.data() + have, 1, room, in_);
      if (got < room) eof_ = true;
      have += got;
      if (const void* nl = memrchr(c.text.data(), '\n', have)) {
        cut = static_cast<size_t>(static_cast<const char*>(nl) - c.text.data()) + 1;
        break;
      }
      if (eof_) break;
      // One line fills the chunk: make it larger and read on.
      c.text.resize(c.text.size() * 2);
    }
    if (eof_) cut = have;  // what follows the last newline is the last line
    carry_.assign(c.text.begin() + static_cast<std::ptrdiff_t>(cut),
                  c.text.begin() + static_cast<std::ptrdiff_t>(have));
    c.data = c.text.data();
    c.size = cut;
    c.readable = c.text.size();
    return c.size > 0;
  }

  std::FILE* in_;
  const char* map_ = nullptr;
  size_t map_size_ = 0, pos_ = 0;
  size_t released_ = 0;  // page-aligned: pages before it are given back
  const size_t page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::vector<char> carry_;
  bool eof_ = false;
};

// One worker's state: it turns a chunk's lines into target records and failures, in order,
// calling the rules a batch at a time.
class ChunkTransformer {
 public:
  ChunkTransformer(const rt::Layout& layout, BatchRunner runner,
                   const stdlib::lifecycle::LifecycleStages* stages, size_t batch,
                   const std::vector<std::string>& locations)
      : layout_(layout),
        runner_(std::move(runner)),
        locations_(locations),
        reader_(layout),
        cap_(batch == 0 ? 1 : batch),
        ni_(layout.inputs.size()),
        no_(layout.outputs.size()),
        slots_(cap_ * ni_ + 1),
        outputs_(cap_ * no_ + 1),
        results_(cap_) {
    batch_.SetLifecycleStages(stages);
    pending_.reserve(cap_);
  }

  void Run(Chunk& c) {
    c.out.clear();
    c.failures.clear();
    c.read = c.written = c.dropped = 0;
    const char* const base = c.data;
    const char* const end = base + c.size;
    const size_t capacity_end = c.readable;
    int line_no = 0;
    size_t valid = 0;
    for (const char* p = base; p < end;) {
      const auto* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      const char* line_end = nl ? nl : end;
      ++line_no;
      std::string_view text(p, line_end - p);
      const size_t capacity = capacity_end - (p - base);
      p = nl ? nl + 1 : end;
      while (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
      ++c.read;
      Pending pend{line_no, "", static_cast<int>(valid), ""};
      if (!reader_.ReadInPlace(text, capacity, batch_, slots_.data() + valid * ni_, pend.id,
                               pend.error)) {
        pend.index = -1;
      } else {
        ++valid;
      }
      pending_.push_back(std::move(pend));
      if (pending_.size() == cap_) {
        Flush(c);
        valid = 0;
      }
    }
    Flush(c);
    c.lines = line_no;
  }

 private:
  // Per record of the batch, in input order: index into the compacted arrays, or -1 for a
  // malformed line (its failure is kept here).
  struct Pending {
    int line;
    std::string id;
    int index;
    std::string error;
  };

  void Flush(Chunk& c) {
    size_t valid = 0;
    for (const auto& p : pending_) valid += p.index >= 0;
    if (valid > 0) runner_(batch_.get(), valid, slots_.data(), outputs_.data(), results_.data());
    for (const auto& p : pending_) {
      if (p.index < 0) {
        c.failures.push_back({p.line, p.id, SL_E_MALFORMED_INPUT, p.error, ""});
        continue;
      }
      const auto& r = results_[p.index];
      if (r.status == SL_RECORD_OK) {
        rt::WriteRecord(c.out, layout_, outputs_.data() + p.index * no_);
        ++c.written;
      } else if (r.status == SL_RECORD_DROPPED) {
        ++c.dropped;
      } else {
        const std::string_view loc =
            r.failure.loc >= 0 && r.failure.loc < static_cast<int>(locations_.size())
                ? std::string_view(locations_[r.failure.loc])
                : std::string_view();
        c.failures.push_back({p.line, p.id, r.failure.code,
                              std::string(r.failure.msg ? r.failure.msg : "", r.failure.msg_len),
                              std::string(loc)});
      }
    }
    pending_.clear();
    batch_.Reset();
  }

  const rt::Layout& layout_;
  BatchRunner runner_;
  const std::vector<std::string>& locations_;
  rt::RecordReader reader_;
  rt::BatchContext batch_;
  size_t cap_, ni_, no_;
  std::vector<sl_value> slots_, outputs_;
  std::vector<sl_record_result> results_;
  std::vector<Pending> pending_;
};

// Runs chunks on `threads` workers and hands them back in input order, so output order is
// input order whatever finishes first. At most 2 chunks per worker are in flight.
class OrderedWorkers {
 public:
  explicit OrderedWorkers(std::vector<std::unique_ptr<ChunkTransformer>> transformers)
      : transformers_(std::move(transformers)) {
    for (auto& t : transformers_) threads_.emplace_back([this, w = t.get()] { Work(*w); });
  }
  ~OrderedWorkers() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  size_t max_in_flight() const { return 2 * transformers_.size(); }
  void Submit(Chunk* c) {
    {
      std::lock_guard lock(mu_);
      c->done = false;
      todo_.push_back(c);
    }
    work_cv_.notify_one();
  }
  void Wait(Chunk* c) {
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [c] { return c->done; });
  }

 private:
  void Work(ChunkTransformer& t) {
    for (;;) {
      Chunk* c;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [this] { return closing_ || !todo_.empty(); });
        if (todo_.empty()) return;
        c = todo_.front();
        todo_.pop_front();
      }
      t.Run(*c);
      {
        std::lock_guard lock(mu_);
        c->done = true;
      }
      done_cv_.notify_all();
    }
  }

  std::vector<std::unique_ptr<ChunkTransformer>> transformers_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<Chunk*> todo_;
  bool closing_ = false;
};

int Stream(const TransformOptions& o, const rt::Layout& layout,
           const std::vector<std::string>& locations,
           const stdlib::lifecycle::LifecycleStages& stages,
           const std::function<BatchRunner()>& make_runner);

int RunTransform(const TransformOptions& o) {
  // Warm start: the manifest of an earlier run with the same inputs and its cached object.
  jit::Options jo;
  jo.cache_dir = o.no_cache ? "" : (o.cache_dir.empty() ? jit::DefaultCacheDir() : o.cache_dir);
  std::string transform_key;
  if (o.engine == "jit" && o.emit.empty() && !jo.cache_dir.empty()) {
    transform_key = TransformCacheKey({o.rules, o.schema_dirs, o.sync, o.to, o.object});
    if (auto m = LoadTransformManifest(jo.cache_dir, transform_key)) {
      std::string jit_error;
      if (auto cached = jit::Engine::LoadCached(m->object_key, jo, jit_error)) {
        const sl_batch_fn fn = cached->batch_fn();
        return Stream(o, m->layout, m->locations, engine::LifecycleStagesFrom(m->stages),
                      [fn]() -> BatchRunner { return fn; });
      }
      if (!jit_error.empty()) {
        std::cerr << "syncline transform: JIT: " << jit_error << '\n';
        return 2;
      }
    }
  }

  source::SourceManager sources;
  diag::Diagnostics diags;
  schema::SchemaEnv schemas = schema::SchemaEnv::Builtin();
  bool io_error = false;
  for (const auto& dir : o.schema_dirs) {
    for (const auto& error : schemas.LoadDirectory(dir)) {
      diags.ReportFile(diag::Code::E0503, error.path, error.message);
      io_error = true;
    }
  }
  std::string error;
  auto id = sources.AddFile(o.rules, error);
  if (!id) {
    diags.ReportFile(diag::Code::E0101, o.rules, error);
    io_error = true;
  }
  frontend::StdImports std_imports(sources, diags);
  std::unique_ptr<syntax::Module> parsed;
  std::unique_ptr<sema::CheckedModule> checked;
  if (id) {
    parsed = syntax::Parse(sources.Get(*id), diags);
    if (parsed) checked = sema::Check(*parsed, schemas, diags, std_imports.For(*parsed));
  }
  if (diags.HasErrors() || io_error) {
    for (const auto& d : diags.Sorted()) std::cerr << diag::RenderText(d, sources, {false}) << '\n';
    return io_error ? 2 : 1;
  }
  auto module = ir::Lower(*checked, sources);
  if (auto problems = ir::Verify(*module); !problems.empty()) {
    for (const auto& p : problems)
      std::cerr << "syncline transform: internal IR error: " << p << '\n';
    return 2;
  }
  const rt::Crm to = o.to == "hubspot" ? rt::Crm::kHubSpot : rt::Crm::kSalesforce;
  const int entry_index = module->FindEntry(o.sync, to, o.object);
  if (entry_index < 0) {
    std::cerr << "syncline transform: no transform for sync `" << o.sync << "` to " << o.to
              << (o.object.empty() ? "" : " with object " + o.object) << "; available:\n";
    for (const auto& e : module->entries) std::cerr << "  " << e.name << '\n';
    return 2;
  }
  const ir::Entry& entry = module->entries[entry_index];

  if (o.emit == "ir") {
    std::cout << ir::Print(*module);
    return 0;
  }
  // A runner per worker: the interpreter keeps state per call, the JIT's function is pure.
  std::function<BatchRunner()> make_runner;
  std::unique_ptr<jit::Engine> engine;
  if (o.engine == "interp" && o.emit.empty()) {
    make_runner = [&]() -> BatchRunner {
      auto interp = std::make_shared<ir::Interpreter>(*module, entry_index);
      return [interp](sl_ctx* c, size_t n, const sl_value* in, sl_value* out, sl_record_result* r) {
        interp->RunBatch(c, n, in, out, r);
      };
    };
  } else {
    std::string jit_error;
    if (o.emit == "llvm") {
      std::string text;
      if (!jit::PrintLLVM(*module, entry_index, text, jit_error)) {
        std::cerr << "syncline transform: " << jit_error << '\n';
        return 2;
      }
      std::cout << text;
      return 0;
    }
    engine = jit::Engine::Load(*module, entry_index, jo, jit_error);
    if (!engine) {
      std::cerr << "syncline transform: JIT: " << jit_error << '\n';
      return 2;
    }
    make_runner = [fn = engine->batch_fn()]() -> BatchRunner { return fn; };
  }
  // std.lifecycle ranks stages in the portal's order: its contacts' `lifecyclestage` options
  // by displayOrder, from --schema (the builtin schema has HubSpot's defaults).
  const engine::StageOptions stage_options =
      engine::LifecycleOptionsOf(schemas.Find(schema::Crm::kHubSpot, "contacts"));
  if (engine && !transform_key.empty())
    SaveTransformManifest(jo.cache_dir, transform_key,
                          {entry.layout, module->locations, stage_options, engine->cache_key()});
  return Stream(o, entry.layout, module->locations, engine::LifecycleStagesFrom(stage_options),
                make_runner);
}

// Streams the input through the rules: everything after the rules are loaded.
int Stream(const TransformOptions& o, const rt::Layout& layout,
           const std::vector<std::string>& locations,
           const stdlib::lifecycle::LifecycleStages& stages,
           const std::function<BatchRunner()>& make_runner) {
  std::FILE* in = stdin;
  std::FILE* out = stdout;
  std::FILE* errs = nullptr;
  auto open = [&](const std::string& path, const char* mode, std::FILE*& f) {
    if (path.empty() || path == "-") return true;
    f = std::fopen(path.c_str(), mode);
    if (!f) std::cerr << "syncline transform: cannot open " << path << '\n';
    return f != nullptr;
  };
  if (!open(o.in, "rb", in) || !open(o.out, "wb", out) || !open(o.errors, "wb", errs)) return 2;
  const unsigned threads =
      o.threads > 0 ? o.threads : std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  std::vector<std::unique_ptr<ChunkTransformer>> transformers;
  for (unsigned i = 0; i < threads; ++i)
    transformers.push_back(
        std::make_unique<ChunkTransformer>(layout, make_runner(), &stages, o.batch, locations));
  size_t read = 0, written = 0, dropped = 0, failed = 0;
  bool ok = true;
  std::FILE* const err_out = errs ? errs : stderr;
  ChunkSource source(in);
  {
    OrderedWorkers workers(std::move(transformers));
    std::deque<std::unique_ptr<Chunk>> in_flight;
    std::vector<std::unique_ptr<Chunk>> spare;
    int first_line = 1;  // of the oldest chunk in flight
    // Writes the oldest chunk's results once its worker is done, and keeps its buffers.
    auto finish_oldest = [&] {
      std::unique_ptr<Chunk> c = std::move(in_flight.front());
      in_flight.pop_front();
      workers.Wait(c.get());
      if (!c->out.empty())
        ok = std::fwrite(c->out.data(), 1, c->out.size(), out) == c->out.size() && ok;
      if (!c->failures.empty()) {
        std::string errors;
        for (const auto& f : c->failures) {
          const sl_failure failure{f.code, -1, f.message.data(),
                                   static_cast<uint32_t>(f.message.size())};
          rt::WriteFailure(errors, f.id, first_line + f.line - 1, failure, f.location);
        }
        ok = std::fwrite(errors.data(), 1, errors.size(), err_out) == errors.size() && ok;
      }
      first_line += c->lines;
      failed += c->failures.size();
      source.Done(*c);
      read += c->read;
      written += c->written;
      dropped += c->dropped;
      spare.push_back(std::move(c));
    };
    for (;;) {
      std::unique_ptr<Chunk> c;
      if (spare.empty()) {
        c = std::make_unique<Chunk>();
      } else {
        c = std::move(spare.back());
        spare.pop_back();
      }
      if (!source.Next(*c)) break;
      workers.Submit(c.get());
      in_flight.push_back(std::move(c));
      if (in_flight.size() >= workers.max_in_flight()) finish_oldest();
    }
    while (!in_flight.empty()) finish_oldest();
  }
  const bool read_error = source.error();
  if (out != stdout)
    ok = std::fclose(out) == 0 && ok;
  else
    ok = std::fflush(out) == 0 && ok;
  if (errs) ok = std::fclose(errs) == 0 && ok;
  if (in != stdin) std::fclose(in);
  std::cerr << "syncline transform: " << read << " read, " << written << " written, " << dropped
            << " dropped by the include filter, " << failed << " failed\n";
  if (read_error || !ok) {
    std::cerr << "syncline transform: I/O error\n";
    return 2;
  }
  return 0;
}

const CommandRegistration registration(20, [](CLI::App& app, CommandRunner& run) {
  auto o = std::make_shared<TransformOptions>();
  auto* cmd = app.add_subcommand(
      "transform", "Map JSON Lines records of one CRM to the other's through a sync's rules");
  cmd->footer(
      "Input: one record per line in the source API's shape (HubSpot {\"id\",\"properties\"}, "
      "optionally \"segments\"; Salesforce records with attributes and fields). Output: the "
      "target API's records in input order; records the include filter drops are not "
      "written; failures go to --errors as JSON Lines.\n"
      "Exit status: 0 done (even if records failed), 1 rule errors, 2 usage or I/O errors.\n\n"
      "Example:\n  syncline transform examples/leads-only/contacts.sync --sync contacts "
      "--to salesforce --in contacts.jsonl --out leads.jsonl --errors failed.jsonl");
  cmd->add_option("rules", o->rules, "Rule file")->required();
  cmd->add_option("--sync", o->sync, "Name of the sync block")->required();
  cmd->add_option("--to", o->to, "Target CRM: salesforce or hubspot")
      ->required()
      ->check(CLI::IsMember({"salesforce", "hubspot"}));
  cmd->add_option("--object", o->object,
                  "Salesforce object written (to salesforce) or read (to hubspot); default: "
                  "the sync's create target / first object");
  cmd->add_option("--engine", o->engine, "jit (default) or interp")
      ->check(CLI::IsMember({"jit", "interp"}));
  cmd->add_option("--in", o->in, "Input JSON Lines (default stdin)");
  cmd->add_option("--out", o->out, "Output JSON Lines (default stdout)");
  cmd->add_option("--errors", o->errors, "Failed records as JSON Lines (default stderr)");
  cmd->add_option("--schemas", o->schema_dirs, "Extra schema folders (as for `check`)");
  cmd->add_option("--emit", o->emit, "Print ir or llvm instead of transforming")
      ->check(CLI::IsMember({"ir", "llvm"}));
  cmd->add_option("--cache-dir", o->cache_dir,
                  "Compiled object cache (default $XDG_CACHE_HOME/syncline or ~/.cache/syncline)");
  cmd->add_flag("--no-cache", o->no_cache, "Neither read nor write the object cache");
  cmd->add_option("--batch", o->batch, "Records per batch (default 1024)");
  cmd->add_option("--threads", o->threads,
                  "Worker threads (default: one per core, at most 8); output order is input "
                  "order either way")
      ->check(CLI::Range(1u, 64u));
  cmd->callback([o, &run] { run = [o] { return RunTransform(*o); }; });
});

}  // namespace
}  // namespace syncline::driver
