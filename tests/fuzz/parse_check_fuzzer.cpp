// libFuzzer target: any bytes through Parse and Check. The property under test is that
// nothing crashes, hangs or trips ASan/UBSan; every input ends in a module or diagnostics.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/sema/check.h"
#include "compiler/syntax/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto schemas = syncline::schema::SchemaEnv::Builtin();
  syncline::source::SourceManager sources;
  syncline::diag::Diagnostics diags;
  const auto id =
      sources.AddText("fuzz.sync", std::string(reinterpret_cast<const char*>(data), size));
  auto module = syncline::syntax::Parse(sources.Get(id), diags);
  if (module) {
    auto checked = syncline::sema::Check(*module, schemas, diags);
    if (checked) (void)syncline::sema::PrintChecked(*checked, sources.Get(id));
    (void)syncline::syntax::PrintAst(*module, sources.Get(id));
  }
  for (const auto& d : diags.all()) (void)syncline::diag::RenderText(d, sources);
  return 0;
}
