#include "compiler/frontend/std_imports.h"

#include "compiler/syntax/parse.h"
#include "stdlib/modules/std_modules.h"

namespace syncline::frontend {

sema::Imports StdImports::For(const syntax::Module& module) {
  sema::Imports imports;
  for (const auto& use : module.uses) {
    std::string path;
    for (const auto& n : use.path) path += (path.empty() ? "" : ".") + n.text;
    auto it = parsed_.find(path);
    if (it == parsed_.end()) {
      const stdlib::StdModule* std_module = stdlib::FindStdModule(path);
      if (!std_module) continue;
      const auto id =
          sources_.AddText(std::string(std_module->file), std::string(std_module->source));
      // A std module that fails to parse is our bug; its diagnostics name the std file.
      it = parsed_.emplace(path, syntax::Parse(sources_.Get(id), diags_)).first;
    }
    if (it->second) imports[path] = it->second.get();
  }
  return imports;
}

}  // namespace syncline::frontend
