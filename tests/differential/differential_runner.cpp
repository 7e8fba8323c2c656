// Differential runner: for each CASE.sync + CASE.jsonl given, compiles the rules once, runs
// every record through the interpreter and the JIT in this process, and reports any
// difference in written records or failures. Exit 1 on a difference or a case that fails to
// compile (the generator only writes well-typed rules), 0 otherwise.
#include <fstream>
#include <iostream>
#include <sstream>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/frontend/std_imports.h"
#include "compiler/ir/interpreter.h"
#include "compiler/ir/ir.h"
#include "compiler/jit/engine.h"
#include "compiler/sema/check.h"
#include "compiler/syntax/parse.h"

using namespace syncline;

namespace {

std::string RunEngine(const ir::Module& module, int entry, const std::vector<std::string>& lines,
                      bool jit, std::string& error) {
  const auto& layout = module.entries[entry].layout;
  std::unique_ptr<ir::Interpreter> interp;
  std::unique_ptr<jit::Engine> engine;
  if (jit) {
    engine = jit::Engine::Load(module, entry, jit::Options{}, error);
    if (!engine) return "";
  } else {
    interp = std::make_unique<ir::Interpreter>(module, entry);
  }
  rt::RecordReader reader(layout);
  rt::BatchContext batch;
  std::vector<sl_value> in(lines.size() * layout.inputs.size() + 1);
  std::vector<sl_value> out(lines.size() * layout.outputs.size() + 1);
  std::vector<sl_record_result> results(lines.size());
  std::string text;
  size_t n = 0;
  for (const auto& line : lines) {
    std::string id, err;
    if (!reader.Read(line, batch, in.data() + n * layout.inputs.size(), id, err)) {
      text += "E0601 " + err + "\n";
      continue;
    }
    ++n;
  }
  if (jit) {
    engine->batch_fn()(batch.get(), n, in.data(), out.data(), results.data());
  } else {
    interp->RunBatch(batch.get(), n, in.data(), out.data(), results.data());
  }
  for (size_t i = 0; i < n; ++i) {
    const auto& r = results[i];
    if (r.status == SL_RECORD_OK) {
      rt::WriteRecord(text, layout, out.data() + i * layout.outputs.size());
    } else if (r.status == SL_RECORD_DROPPED) {
      text += "dropped\n";
    } else {
      rt::WriteFailure(text, "", static_cast<int>(i), r.failure,
                       r.failure.loc >= 0 ? module.locations[r.failure.loc] : "");
    }
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  const auto schemas = schema::SchemaEnv::Builtin();
  int failures = 0, cases = 0;
  size_t records = 0;
  bool verbose = false;
  for (int a = 1; a < argc; ++a) {
    std::string path = argv[a];
    if (path == "-v") {
      verbose = true;
      continue;
    }
    ++cases;
    source::SourceManager sources;
    diag::Diagnostics diags;
    std::string error;
    auto id = sources.AddFile(path, error);
    if (!id) {
      std::cerr << path << ": " << error << '\n';
      ++failures;
      continue;
    }
    frontend::StdImports imports(sources, diags);
    auto parsed = syntax::Parse(sources.Get(*id), diags);
    auto checked = parsed ? sema::Check(*parsed, schemas, diags, imports.For(*parsed)) : nullptr;
    if (!checked) {
      std::cerr << path << ": does not compile\n";
      for (const auto& d : diags.Sorted())
        std::cerr << diag::RenderText(d, sources, {false}) << '\n';
      ++failures;
      continue;
    }
    auto module = ir::Lower(*checked, sources);
    if (auto problems = ir::Verify(*module); !problems.empty()) {
      std::cerr << path << ": IR does not verify: " << problems[0] << '\n';
      ++failures;
      continue;
    }
    std::ifstream input(path.substr(0, path.size() - 5) + ".jsonl");
    std::vector<std::string> lines;
    for (std::string line; std::getline(input, line);) lines.push_back(line);
    records += lines.size();
    for (size_t e = 0; e < module->entries.size(); ++e) {
      const int entry = static_cast<int>(e);
      if (module->entries[e].to != rt::Crm::kSalesforce) continue;
      std::string jit_error;
      const std::string a_out = RunEngine(*module, entry, lines, false, jit_error);
      const std::string b_out = RunEngine(*module, entry, lines, true, jit_error);
      if (!jit_error.empty()) {
        std::cerr << path << ": JIT: " << jit_error << '\n';
        ++failures;
      } else if (a_out != b_out) {
        std::cerr << path << ": engines disagree on " << module->entries[e].name << "\n--- interp\n"
                  << a_out << "--- jit\n"
                  << b_out;
        ++failures;
      } else if (verbose) {
        std::cout << path << ":\n" << a_out;
      }
    }
  }
  std::cout << cases << " cases, " << records << " records, " << failures << " failures\n";
  return failures == 0 ? 0 : 1;
}
