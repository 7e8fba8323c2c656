// Turns ANTLR's parse tree into our AST (ast.h), one typed method per grammar rule.
// Private to compiler/syntax: the only file besides parse.cpp that sees generated code.
#pragma once

#include <functional>
#include <memory>

#include "SyncParser.h"
#include "compiler/diagnostics/diagnostics.h"
#include "compiler/source/source_buffer.h"
#include "compiler/syntax/ast.h"

namespace syncline::syntax {

// Maps a code point index of the parsed character stream to a byte offset in the file.
using OffsetMap = std::function<uint32_t(size_t)>;

class AstBuilder {
 public:
  AstBuilder(const source::SourceBuffer& buffer, diag::Diagnostics& diags, OffsetMap offsets);

  std::unique_ptr<Module> BuildFile(gen::SyncParser::FileContext* ctx);
  ExprPtr BuildExpr(gen::SyncParser::ExprContext* ctx);
  // False once a literal could not be decoded (the error is already reported).
  bool ok() const { return ok_; }

 private:
  SourceRange Range(antlr4::ParserRuleContext* ctx) const;
  SourceRange Range(antlr4::Token* token) const;
  SourceRange Range(antlr4::tree::TerminalNode* node) const { return Range(node->getSymbol()); }
  Name MakeName(gen::SyncParser::NameContext* ctx) const;
  Name MakeName(antlr4::Token* token) const;
  Name StringName(antlr4::Token* token);  // a quoted stage name: the decoded text

  UseDecl BuildUse(gen::SyncParser::UseDeclContext* ctx);
  DeclPtr BuildDecl(gen::SyncParser::DeclContext* ctx);
  DeclPtr BuildConst(gen::SyncParser::ConstDeclContext* ctx);
  DeclPtr BuildFn(gen::SyncParser::FnDeclContext* ctx);
  DeclPtr BuildTable(gen::SyncParser::TableDeclContext* ctx);
  DeclPtr BuildSync(gen::SyncParser::SyncDeclContext* ctx);
  DeclPtr BuildActivities(gen::SyncParser::ActivitiesDeclContext* ctx);
  DeclPtr BuildWorkflow(gen::SyncParser::WorkflowDeclContext* ctx);
  DeclPtr BuildMappings(gen::SyncParser::MappingsDeclContext* ctx);
  DeclPtr BuildTest(gen::SyncParser::TestDeclContext* ctx);
  TypeRef BuildType(gen::SyncParser::TypeRefContext* ctx);
  ObjectRef BuildObjectRef(gen::SyncParser::ObjectRefContext* ctx);
  Side BuildSide(gen::SyncParser::SideContext* ctx);
  SyncItemPtr BuildSyncItem(gen::SyncParser::SyncItemContext* ctx);
  CreateAction BuildCreateAction(gen::SyncParser::CreateActionContext* ctx,
                                 std::optional<Name>& object);
  LifecycleRule BuildLifecycleRule(gen::SyncParser::LifecycleRuleContext* ctx);
  Mapping BuildMapping(gen::SyncParser::MappingContext* ctx);
  FieldRef BuildFieldRef(gen::SyncParser::FieldRefContext* ctx);
  TestStep BuildTestStep(gen::SyncParser::TestStepContext* ctx);
  ExprPtr BuildPostfix(gen::SyncParser::PostfixContext* ctx);
  ExprPtr BuildPrimary(gen::SyncParser::PrimaryContext* ctx);
  std::unique_ptr<LiteralExpr> BuildLiteral(gen::SyncParser::LiteralContext* ctx);
  // A STRING token: a plain text literal, or an interpolation when it holds `${...}`.
  ExprPtr BuildString(antlr4::Token* token);
  std::string DecodeText(antlr4::Token* token);
  ExprPtr ParseInterpolation(std::string_view text, uint32_t byte_offset);

  const source::SourceBuffer& buffer_;
  diag::Diagnostics& diags_;
  OffsetMap offsets_;
  bool ok_ = true;
};

}  // namespace syncline::syntax
