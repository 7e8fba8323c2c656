// Signatures of the standard library's native builtins, as the checker sees them. The
// runtime binds each name to a native symbol (stdlib/native) through the ABI.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/sema/types.h"

namespace syncline::sema {

struct BuiltinSignature {
  std::string name;    // fully qualified: "std.text.trim"
  std::string module;  // "std.text"; empty for the prelude (always available)
  std::vector<Type> params;
  Type result;  // result.fallible: the call may fail and must be handled
  std::string summary;
  bool include_only = false;  // only meaningful in an `include if` filter (segment membership)
};

const std::vector<BuiltinSignature>& Builtins();
// Standard modules a file may `use`.
const std::vector<std::string>& StdModules();

}  // namespace syncline::sema
