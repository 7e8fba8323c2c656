// `syncline check`: parse and type-check rule files against the CRM schemas, printing
// diagnostics. Exit 0 clean (warnings allowed unless --deny-warnings), 1 errors, 2 usage/I/O.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "command_registry.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/frontend/std_imports.h"
#include "compiler/ir/ir.h"
#include "compiler/pipeline/rule_programs.h"
#include "compiler/sema/check.h"
#include "compiler/syntax/parse.h"
#include "runtime/schema/schema.h"

namespace syncline::driver {
namespace {

struct CheckOptions {
  std::vector<std::string> files;
  std::string format = "text";
  std::string emit;
  std::vector<std::string> schema_dirs;
  bool deny_warnings = false;
  bool quiet = false;
  std::string color = "auto";
};

int RunCheck(const CheckOptions& options) {
  const std::vector<std::string> files = pipeline::CollectRuleFiles(options.files, nullptr);
  if (files.empty()) {
    std::cerr << "syncline check: no .sync files found in the given paths\n";
    return 2;
  }
  source::SourceManager sources;
  diag::Diagnostics diags;
  bool io_error = false;

  schema::SchemaEnv schemas = schema::SchemaEnv::Builtin();
  for (const auto& dir : options.schema_dirs) {
    for (const auto& error : schemas.LoadDirectory(dir)) {
      diags.ReportFile(diag::Code::E0503, error.path, error.message)
          .helps.push_back(
              "schema files are API responses saved as JSON: hubspot/<object>.json "
              "from /crm/v3/properties/<object>, salesforce/<Object>.json from "
              "sobjects/<Object>/describe");
      io_error = true;
    }
  }

  std::vector<std::unique_ptr<syntax::Module>> modules;
  for (const auto& path : files) {
    std::string error;
    auto id = sources.AddFile(path, error);
    if (!id) {
      diags.ReportFile(diag::Code::E0101, path, error);
      io_error = true;
      continue;
    }
    const auto& buffer = sources.Get(*id);
    if (options.emit == "tokens") {
      for (const auto& token : syntax::Tokenize(buffer, diags)) {
        const auto pos = buffer.Position(token.range.begin);
        std::cout << pos.line << ':' << pos.column << ' ' << token.kind << ' '
                  << (token.hidden ? "(hidden) " : "") << token.text << '\n';
      }
      continue;
    }
    auto module = syntax::Parse(buffer, diags);
    if (module && options.emit == "ast") std::cout << syntax::PrintAst(*module, buffer);
    if (module) modules.push_back(std::move(module));
  }

  if (options.emit.empty() || options.emit == "checked" || options.emit == "ir") {
    frontend::StdImports std_imports(sources, diags);
    for (const auto& module : modules) {
      auto checked = sema::Check(*module, schemas, diags, std_imports.For(*module));
      if (options.emit == "checked" && checked) {
        std::cout << sema::PrintChecked(*checked, sources.Get(module->file));
      }
      if (options.emit == "ir" && checked) {
        std::cout << ir::Print(*ir::Lower(*checked, sources));
      }
    }
  }

  const auto sorted = diags.Sorted();
  if (options.format == "json") {
    std::cout << diag::RenderJson(sorted, sources);
  } else if (options.format == "sarif") {
    std::cout << diag::RenderSarif(sorted, sources);
  } else {
    const bool color = options.color == "always" || (options.color == "auto" && isatty(2));
    for (const auto& d : sorted) std::cerr << diag::RenderText(d, sources, {color}) << '\n';
    const size_t errors = diags.ErrorCount();
    const size_t warnings = diags.WarningCount();
    if (errors == 0 && warnings == 0 && !options.quiet && options.emit.empty()) {
      std::cerr << "checked " << files.size() << (files.size() == 1 ? " file" : " files")
                << ": no errors, no warnings\n";
    } else if (errors > 0 || warnings > 0) {
      std::cerr << errors << (errors == 1 ? " error" : " errors") << ", " << warnings
                << (warnings == 1 ? " warning" : " warnings") << " in " << files.size()
                << (files.size() == 1 ? " file" : " files") << '\n';
    }
  }
  if (io_error) return 2;
  if (diags.HasErrors()) return 1;
  if (options.deny_warnings && diags.WarningCount() > 0) return 1;
  return 0;
}

const CommandRegistration registration(10, [](CLI::App& app, CommandRunner& run) {
  auto options = std::make_shared<CheckOptions>();
  auto* cmd =
      app.add_subcommand("check", "Parse and type-check rule files against the CRM schemas");
  cmd->footer(
      "Exit status: 0 no errors (warnings allowed unless --deny-warnings), 1 errors found,\n"
      "2 usage or I/O errors.\n\nExample:\n  syncline check examples/\n"
      "  syncline check --format=json --schemas my-org/ rules/contacts.sync");
  cmd->add_option("files", options->files, "Rule files or folders holding .sync files")->required();
  cmd->add_option("--format", options->format,
                  "Diagnostics as `text` (default), `json`, or `sarif` (for CI code scanning)")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  cmd->add_option("--emit", options->emit, "Print a stage: tokens, ast, checked or ir")
      ->check(CLI::IsMember({"tokens", "ast", "checked", "ir"}));
  cmd->add_option("--schemas", options->schema_dirs,
                  "Folder with hubspot/*.json and salesforce/*.json schemas that add to or "
                  "override the standard objects");
  cmd->add_flag("--deny-warnings", options->deny_warnings, "Exit 1 when there are warnings");
  cmd->add_flag("-q,--quiet", options->quiet, "Print nothing when there is nothing to report");
  cmd->add_option("--color", options->color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->callback([options, &run] { run = [options] { return RunCheck(*options); }; });
});

}  // namespace
}  // namespace syncline::driver
