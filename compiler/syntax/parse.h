// Syntax phase: rule-file text -> syntax::Module (ast.h). The only public entry points of
// compiler/syntax; ANTLR stays inside this folder's private sources, and no ANTLR exception
// crosses these functions. Syntax errors become diagnostics (E01xx) and yield no module.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/source/source_buffer.h"
#include "compiler/syntax/ast.h"

namespace syncline::syntax {

struct ParseLimits {
  size_t max_bytes = 8u << 20;  // rule files are hand-written; 8 MiB is far past any real one
  size_t max_depth = 256;       // nesting of ( [ { ; keeps the recursive parser's stack bounded
};

// Parses one file. Returns nullptr when the file has a syntax error (reported in `diags`).
std::unique_ptr<Module> Parse(const source::SourceBuffer& buffer, diag::Diagnostics& diags,
                              const ParseLimits& limits = {});

struct Token {
  std::string kind;  // the lexer's token name: IDENT, STRING, LINE_COMMENT, ...
  std::string text;
  source::SourceRange range;
  bool hidden = false;  // comments: kept in the stream for tools such as a formatter
};
// Every token including comments (for `--emit=tokens`). Lexical errors go to `diags`.
std::vector<Token> Tokenize(const source::SourceBuffer& buffer, diag::Diagnostics& diags,
                            const ParseLimits& limits = {});

// A deterministic, indented dump of the tree with line:column positions (`--emit=ast`).
std::string PrintAst(const Module& module, const source::SourceBuffer& buffer);

}  // namespace syncline::syntax
