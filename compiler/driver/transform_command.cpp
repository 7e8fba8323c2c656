// `syncline transform`: streams JSON Lines records in one API's shape through a sync's
// include filter and create mapping, and writes the other API's records, in input order.
// Per-record failures go to --errors; exit 0 unless usage, I/O or compile errors (1 for rule
// errors, 2 for usage and I/O).
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>

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
};

using BatchRunner =
    std::function<void(sl_ctx*, size_t, const sl_value*, sl_value*, sl_record_result*)>;

class Output {
 public:
  explicit Output(std::FILE* f) : f_(f) { buf_.reserve(1 << 20); }
  std::string& buf() { return buf_; }
  bool MaybeFlush() { return buf_.size() < (1 << 20) || Flush(); }
  bool Flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size()) return false;
    buf_.clear();
    return true;
  }

 private:
  std::FILE* f_;
  std::string buf_;
};

int RunTransform(const TransformOptions& o) {
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
  BatchRunner runner;
  std::unique_ptr<ir::Interpreter> interp;
  std::unique_ptr<jit::Engine> engine;
  if (o.engine == "interp" && o.emit.empty()) {
    interp = std::make_unique<ir::Interpreter>(*module, entry_index);
    runner = [&](sl_ctx* c, size_t n, const sl_value* in, sl_value* out, sl_record_result* r) {
      interp->RunBatch(c, n, in, out, r);
    };
  } else {
    jit::Options jo;
    jo.cache_dir = o.no_cache ? "" : (o.cache_dir.empty() ? jit::DefaultCacheDir() : o.cache_dir);
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
    runner = engine->batch_fn();
  }

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
  Output out_buf(out);
  Output err_buf(errs ? errs : stderr);

  const rt::Layout& layout = entry.layout;
  const size_t ni = layout.inputs.size(), no = layout.outputs.size();
  rt::RecordReader reader(layout);
  rt::BatchContext batch;
  // std.lifecycle ranks stages in the portal's order: its contacts' `lifecyclestage` options
  // by displayOrder, from --schema (the builtin schema has HubSpot's defaults).
  const stdlib::lifecycle::LifecycleStages stages =
      engine::LifecycleStagesOf(schemas.Find(schema::Crm::kHubSpot, "contacts"));
  batch.SetLifecycleStages(&stages);
  const size_t cap = o.batch == 0 ? 1 : o.batch;
  std::vector<sl_value> slots(cap * ni + 1), outputs(cap * no + 1);
  std::vector<sl_record_result> results(cap);
  // Per record of the batch, in input order: index into the compacted arrays, or -1 for a
  // malformed line (its failure is kept here).
  struct Pending {
    int line;
    std::string id;
    int index;
    std::string error;
  };
  std::vector<Pending> pending;
  pending.reserve(cap);
  size_t read = 0, written = 0, dropped = 0, failed = 0;

  auto flush_batch = [&]() {
    size_t valid = 0;
    for (const auto& p : pending) valid += p.index >= 0;
    if (valid > 0) runner(batch.get(), valid, slots.data(), outputs.data(), results.data());
    for (const auto& p : pending) {
      if (p.index < 0) {
        sl_failure f{SL_E_MALFORMED_INPUT, -1, p.error.data(),
                     static_cast<uint32_t>(p.error.size())};
        rt::WriteFailure(err_buf.buf(), p.id, p.line, f, "");
        ++failed;
        continue;
      }
      const auto& r = results[p.index];
      if (r.status == SL_RECORD_OK) {
        rt::WriteRecord(out_buf.buf(), layout, outputs.data() + p.index * no);
        ++written;
      } else if (r.status == SL_RECORD_DROPPED) {
        ++dropped;
      } else {
        const std::string_view loc =
            r.failure.loc >= 0 && r.failure.loc < static_cast<int>(module->locations.size())
                ? std::string_view(module->locations[r.failure.loc])
                : std::string_view();
        rt::WriteFailure(err_buf.buf(), p.id, p.line, r.failure, loc);
        ++failed;
      }
    }
    pending.clear();
    batch.Reset();
    return out_buf.MaybeFlush() && err_buf.MaybeFlush();
  };

  char* line = nullptr;
  size_t line_cap = 0;
  ssize_t len;
  int line_no = 0;
  size_t valid = 0;
  bool ok = true;
  while ((len = getline(&line, &line_cap, in)) >= 0) {
    ++line_no;
    std::string_view text(line, static_cast<size_t>(len));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++read;
    Pending p{line_no, "", static_cast<int>(valid), ""};
    if (!reader.Read(text, batch, slots.data() + valid * ni, p.id, p.error)) {
      p.index = -1;
    } else {
      ++valid;
    }
    pending.push_back(std::move(p));
    if (pending.size() == cap) {
      ok = flush_batch() && ok;
      valid = 0;
    }
  }
  std::free(line);
  const bool read_error = std::ferror(in);
  ok = flush_batch() && ok;
  ok = out_buf.Flush() && err_buf.Flush() && ok;
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
  cmd->callback([o, &run] { run = [o] { return RunTransform(*o); }; });
});

}  // namespace
}  // namespace syncline::driver
