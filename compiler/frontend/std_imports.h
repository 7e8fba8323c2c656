// Resolves the standard-library rule modules a file `use`s (std.defaults.*): parses each
// embedded source once, so that sema::Check can read their mapping sets. Shared by every
// command that compiles rule files.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/sema/check.h"
#include "compiler/source/source_buffer.h"
#include "compiler/syntax/ast.h"

namespace syncline::frontend {

class StdImports {
 public:
  StdImports(source::SourceManager& sources, diag::Diagnostics& diags)
      : sources_(sources), diags_(diags) {}

  // The parsed std modules that `module` uses (modules with no rule source, such as the
  // native-only std.text, are simply absent). Keeps them alive as long as this object.
  sema::Imports For(const syntax::Module& module);

 private:
  source::SourceManager& sources_;
  diag::Diagnostics& diags_;
  std::map<std::string, std::unique_ptr<syntax::Module>> parsed_;
};

}  // namespace syncline::frontend
