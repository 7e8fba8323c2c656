// Private helpers shared by parse.cpp and ast_builder.cpp.
#pragma once

#include <string_view>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/source/source_buffer.h"
#include "compiler/syntax/ast.h"

namespace syncline::syntax {

// Parses the expression inside `${...}` of a text value. `byte_offset` is where `text`
// starts in `buffer`. Returns nullptr after reporting a syntax error.
ExprPtr ParseEmbeddedExpr(const source::SourceBuffer& buffer, diag::Diagnostics& diags,
                          std::string_view text, uint32_t byte_offset);

}  // namespace syncline::syntax
