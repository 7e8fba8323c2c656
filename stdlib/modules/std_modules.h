// The standard library's modules written in the language (std.defaults.*), embedded at build
// time. The front end parses one when a rule file `use`s it; the native builtins live in
// stdlib/native.
#pragma once

#include <span>
#include <string_view>

namespace syncline::stdlib {

struct StdModule {
  std::string_view path;  // "std.defaults.contacts"
  std::string_view file;  // "std/defaults/contacts.sync", the name diagnostics show
  std::string_view source;
};

std::span<const StdModule> StdModules();
const StdModule* FindStdModule(std::string_view path);

}  // namespace syncline::stdlib
