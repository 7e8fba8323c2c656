// From rule files to what the runtime runs: parses, checks, lowers and loads (JIT or the
// reference interpreter) every sync of the given files, and describes each as an
// engine::SyncProgram. Shared by `run`, `plan`, `test` and `demo`: one entry point, so every
// command compiles rules the same way.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/sema/check.h"
#include "compiler/syntax/ast.h"
#include "runtime/engine/activity_program.h"
#include "runtime/engine/program.h"
#include "runtime/engine/workflow_program.h"
#include "runtime/schema/schema.h"

namespace syncline::pipeline {

enum class EngineKind { kJit, kInterp };

struct Options {
  std::vector<std::string> schema_dirs;  // --schemas: custom objects and fields
  EngineKind engine = EngineKind::kJit;
  std::string cache_dir;  // JIT object cache; empty: none
};

class CompiledRules {
 public:
  // Compiles `paths` (files, or folders holding .sync files). Diagnostics go to `diag_out`
  // (rendered as text); nullptr with `*exit_code` 1 for rule errors, 2 for I/O errors.
  static std::unique_ptr<CompiledRules> Compile(const std::vector<std::string>& paths,
                                                const Options& options, std::ostream& diag_out,
                                                int* exit_code);
  ~CompiledRules();

  const std::vector<engine::SyncProgram>& syncs() const;
  // `activities to/from salesforce.Task` blocks (ActivityProgram::from_salesforce), in file
  // order (run after the syncs).
  const std::vector<engine::ActivityProgram>& activities() const;
  // `workflow` blocks, in file order (run after the syncs and activities).
  const std::vector<engine::WorkflowProgram>& workflows() const;
  const schema::SchemaEnv& schemas() const;

  struct TestCase {
    std::string file;  // the rule file holding it
    const syntax::TestDecl* decl = nullptr;
    const sema::CheckedModule* module = nullptr;
  };
  std::vector<TestCase> tests() const;
  // "file:line:col" of a source range of a rule file.
  std::string Location(const syntax::TestDecl& test, const syntax::SourceRange& range) const;

 private:
  struct Impl;
  CompiledRules();
  std::unique_ptr<Impl> impl_;
};

// Expands folders into the .sync files below them, sorted. Paths that do not exist go to
// `missing`, or stay in the list in place when `missing` is null (the caller reports them).
std::vector<std::string> CollectRuleFiles(const std::vector<std::string>& paths,
                                          std::vector<std::string>* missing);

}  // namespace syncline::pipeline
