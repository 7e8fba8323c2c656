// Unit tests of the syntax phase where golden files do not fit: input limits, hostile input
// that must never crash or hang, and the token stream keeping comments.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "compiler/syntax/parse.h"

using namespace syncline;

namespace {

struct Result {
  std::unique_ptr<syntax::Module> module;
  diag::Diagnostics diags;
};

Result ParseText(std::string text, const syntax::ParseLimits& limits = {}) {
  static source::SourceManager sources;  // buffers outlive the modules that point into them
  Result r;
  const auto id = sources.AddText("test.sync", std::move(text));
  r.module = syntax::Parse(sources.Get(id), r.diags, limits);
  return r;
}

bool HasCode(const diag::Diagnostics& diags, diag::Code code) {
  for (const auto& d : diags.all()) {
    if (d.code == code) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a file over the size limit is refused with E0104") {
  syntax::ParseLimits limits;
  limits.max_bytes = 64;
  auto r = ParseText(std::string(100, ' '), limits);
  CHECK(r.module == nullptr);
  CHECK(HasCode(r.diags, diag::Code::E0104));
}

TEST_CASE("a valid file parses into declarations with source ranges") {
  auto r = ParseText("const a = 1 + 2 * 3\nfn f(x: text?) -> text = x ?? \"none\"\n");
  REQUIRE(r.module != nullptr);
  CHECK_FALSE(r.diags.HasErrors());
  REQUIRE(r.module->decls.size() == 2);
  CHECK(r.module->decls[0]->range.begin == 0);
  const auto& c = static_cast<const syntax::ConstDecl&>(*r.module->decls[0]);
  // `*` binds tighter than `+`.
  REQUIRE(c.value->kind == syntax::ExprKind::kBinary);
  CHECK(static_cast<const syntax::BinaryExpr&>(*c.value).op == syntax::BinaryOp::kAdd);
}

TEST_CASE("`and` binds looser than `is not blank` and comparisons") {
  auto r = ParseText("const a = x == 1 and y is not blank\n");
  REQUIRE(r.module != nullptr);
  const auto& c = static_cast<const syntax::ConstDecl&>(*r.module->decls[0]);
  REQUIRE(c.value->kind == syntax::ExprKind::kBinary);
  CHECK(static_cast<const syntax::BinaryExpr&>(*c.value).op == syntax::BinaryOp::kAnd);
}

TEST_CASE("comments survive in the token stream") {
  source::SourceManager sources;
  diag::Diagnostics diags;
  const auto id = sources.AddText("t.sync", "// hello\nconst a = 1 /* inline */\n");
  auto tokens = syntax::Tokenize(sources.Get(id), diags);
  int hidden = 0;
  for (const auto& t : tokens) hidden += t.hidden;
  CHECK(hidden == 2);
  CHECK(tokens.front().kind == "LINE_COMMENT");
}

TEST_CASE("10,000 nested parentheses give E0103, not a crash") {
  auto r = ParseText("const a = " + std::string(10000, '(') + "1" + std::string(10000, ')') + "\n");
  CHECK(r.module == nullptr);
  CHECK(HasCode(r.diags, diag::Code::E0103));
}

TEST_CASE("unterminated strings and invalid UTF-8 are diagnosed") {
  CHECK(HasCode(ParseText("const a = \"abc").diags, diag::Code::E0106));
  CHECK(HasCode(ParseText("const a = \"\xff\"").diags, diag::Code::E0102));
  CHECK(HasCode(ParseText(std::string("const a = 1\0", 12)).diags, diag::Code::E0102));
}

TEST_CASE("interpolation positions point into the file") {
  auto r = ParseText("const a = \"x ${nme + }\"\n");
  CHECK(r.module == nullptr);
  REQUIRE(r.diags.all().size() == 1);
  // The error is inside the interpolation, after `nme + `.
  CHECK(r.diags.all()[0].range->begin == 21);
}

TEST_CASE("random garbage never crashes the parser") {
  std::mt19937 rng(1234);
  const std::string alphabet = "sync map {}()[]<->?:=\"$@ab_01.,|/*\n\t\\'";
  for (int i = 0; i < 2000; ++i) {
    std::string text;
    const int len = static_cast<int>(rng() % 200);
    for (int k = 0; k < len; ++k) text += alphabet[rng() % alphabet.size()];
    auto r = ParseText(text);
    CHECK((r.module != nullptr || r.diags.HasErrors()));
  }
}
