#include "compiler/syntax/parse.h"

#include <pthread.h>

#include <algorithm>
#include <functional>
#include <set>

#include "SyncLexer.h"
#include "SyncParser.h"
#include "antlr4-runtime.h"
#include "compiler/syntax/ast_builder.h"
#include "compiler/syntax/parse_internal.h"

namespace syncline::syntax {
namespace {

using diag::Code;
using gen::SyncLexer;
using gen::SyncParser;

// How an admin should read each token the parser may expect.
std::string Describe(size_t type, const antlr4::dfa::Vocabulary& vocabulary) {
  switch (type) {
    case antlr4::Token::EOF:
      return "the end of the file";
    case SyncLexer::IDENT:
      return "a name";
    case SyncLexer::STRING:
      return "a text value in quotes";
    case SyncLexer::INTEGER:
    case SyncLexer::NUMBER:
      return "a number";
    case SyncLexer::DATE:
      return "a date like @2024-01-31";
    case SyncLexer::DATETIME:
      return "a datetime like @2024-01-31T09:00:00Z";
    case SyncLexer::RBRACE:
      return "`}`";
    default:
      break;
  }
  std::string literal = vocabulary.getLiteralName(type);
  if (literal.size() >= 2 && literal.front() == '\'')
    literal = literal.substr(1, literal.size() - 2);
  if (literal == "don\\'t") literal = "don't";
  return "`" + literal + "`";
}

std::string DescribeFound(antlr4::Token* token) {
  if (token == nullptr || token->getType() == antlr4::Token::EOF) return "end of file";
  switch (token->getType()) {
    case SyncLexer::STRING:
      return "text value";
    case SyncLexer::INTEGER:
    case SyncLexer::NUMBER:
      return "the number `" + token->getText() + "`";
    default:
      return "`" + token->getText() + "`";
  }
}

// Tokens that are keywords but may also be names: when a name is expected they are noise.
bool IsSoftKeyword(size_t type) {
  return type != SyncLexer::IDENT && type >= SyncLexer::USE && type <= SyncLexer::OTHERWISE &&
         type != SyncLexer::IF && type != SyncLexer::THEN && type != SyncLexer::ELSE &&
         type != SyncLexer::MATCH && type != SyncLexer::FN && type != SyncLexer::CONST &&
         type != SyncLexer::TRUE && type != SyncLexer::FALSE && type != SyncLexer::AND &&
         type != SyncLexer::OR && type != SyncLexer::NOT && type != SyncLexer::IS &&
         type != SyncLexer::IN && type != SyncLexer::BLANK && type != SyncLexer::SKIP_ &&
         type != SyncLexer::ERROR && type != SyncLexer::OTHERWISE && type != SyncLexer::TWO_WAY &&
         type != SyncLexer::DONT;
}

bool CanStartExpression(const antlr4::misc::IntervalSet& expected) {
  return expected.contains(size_t{SyncLexer::IDENT}) &&
         expected.contains(size_t{SyncLexer::STRING}) &&
         expected.contains(size_t{SyncLexer::LPAREN});
}

// Context words for the message ("in a mapping") from the rule being parsed.
std::string Where(SyncParser* parser) {
  for (const auto& rule : parser->getRuleInvocationStack()) {
    if (rule == "mapping" || rule == "syncRule" || rule == "mapTransform")
      return " in this mapping";
    if (rule == "picklistSetting") return " in the picklists settings";
    if (rule == "lifecycleRule" || rule == "lifecycleBody") return " in the lifecycle rules";
    if (rule == "createAction") return " in this create/update setting";
    if (rule == "deleteAction") return " in this delete setting";
    if (rule == "stageRow") return " in this stage mapping";
    if (rule == "testStep" || rule == "testAction") return " in this test";
    if (rule == "syncItem") return " in this sync setting";
    if (rule == "syncDecl") return " in this sync block";
    if (rule == "fnDecl") return " in this function";
    if (rule == "tableDecl" || rule == "tableRow") return " in this table";
  }
  return "";
}

// Reports the first syntax error only: after one, ANTLR's recovery guesses, and the
// errors that follow are mostly echoes of the first.
class FirstErrorListener : public antlr4::BaseErrorListener {
 public:
  FirstErrorListener(const source::SourceBuffer& buffer, diag::Diagnostics& diags,
                     OffsetMap offsets)
      : buffer_(buffer), diags_(diags), offsets_(std::move(offsets)) {}

  bool failed() const { return failed_; }

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t, size_t,
                   const std::string& antlr_message, std::exception_ptr) override {
    if (failed_) return;
    failed_ = true;
    auto* parser = dynamic_cast<SyncParser*>(recognizer);
    if (parser == nullptr || offending == nullptr) {
      diags_.Report(Code::E0105, {buffer_.id(), 0, 0}, antlr_message);
      return;
    }
    const size_t start = offending->getStartIndex();
    const size_t stop =
        offending->getType() == antlr4::Token::EOF ? start : offending->getStopIndex() + 1;
    source::SourceRange range{buffer_.id(), offsets_(std::min(start, stop)), offsets_(stop)};
    if (offending->getType() == antlr4::Token::EOF) {
      // Point just past the last character rather than at nothing.
      range.begin = range.end = static_cast<uint32_t>(offsets_(start));
    }
    antlr4::misc::IntervalSet expected;
    try {
      expected = parser->getExpectedTokens();
    } catch (...) {
      // getExpectedTokens can throw on a corrupt state; the message below still helps.
    }
    std::vector<std::string> words;
    const bool expression = CanStartExpression(expected);
    const bool name = expected.contains(size_t{SyncLexer::IDENT});
    if (expression) words.push_back("an expression");
    for (size_t type : expected.toList()) {
      if (expression &&
          (type == SyncLexer::STRING || type == SyncLexer::INTEGER || type == SyncLexer::NUMBER ||
           type == SyncLexer::IDENT || type == SyncLexer::LPAREN || type == SyncLexer::LBRACK ||
           type == SyncLexer::DATE || type == SyncLexer::DATETIME || type == SyncLexer::TRUE ||
           type == SyncLexer::FALSE || type == SyncLexer::BLANK || type == SyncLexer::IF ||
           type == SyncLexer::MATCH || type == SyncLexer::MINUS || type == SyncLexer::NOT ||
           type == SyncLexer::SKIP_ || type == SyncLexer::ERROR)) {
        continue;
      }
      if (name && IsSoftKeyword(type)) continue;
      std::string word = Describe(type, parser->getVocabulary());
      if (std::find(words.begin(), words.end(), word) == words.end()) words.push_back(word);
    }
    std::string list;
    const size_t shown = std::min<size_t>(words.size(), 8);
    for (size_t i = 0; i < shown; ++i) {
      if (i > 0) list += i + 1 == shown ? " or " : ", ";
      list += words[i];
    }
    if (words.size() > shown) list += ", ...";
    std::string message = "unexpected " + DescribeFound(offending) + Where(parser);
    auto& d = diags_.Report(Code::E0105, range, message);
    if (!list.empty()) d.primary_label = "expected " + list;
    // A few common slips deserve a direct hint.
    const std::string text = offending->getText();
    if (text == "=" && expected.contains(size_t{SyncLexer::EQ})) {
      d.helps.push_back("to compare two values write `==`");
    } else if (offending->getType() == SyncLexer::RBRACE &&
               expected.contains(size_t{SyncLexer::RBRACE})) {
      // nothing to add
    } else if (expected.contains(size_t{SyncLexer::RBRACE}) &&
               offending->getType() == antlr4::Token::EOF) {
      d.helps.push_back("a block opened with `{` is not closed");
    }
  }

 private:
  const source::SourceBuffer& buffer_;
  diag::Diagnostics& diags_;
  OffsetMap offsets_;
  bool failed_ = false;
};

// Lexical problems the grammar encodes as tokens, plus size and nesting caps. Returns false
// after reporting the first problem.
bool CheckTokens(antlr4::CommonTokenStream& tokens, const source::SourceBuffer& buffer,
                 diag::Diagnostics& diags, const OffsetMap& offsets, const ParseLimits& limits) {
  size_t depth = 0;
  size_t chain = 0;
  for (auto* token : tokens.getTokens()) {
    const size_t type = token->getType();
    auto range = [&] {
      return source::SourceRange{buffer.id(), offsets(token->getStartIndex()),
                                 offsets(token->getStopIndex() + 1)};
    };
    switch (type) {
      case SyncLexer::BAD_CHAR: {
        auto& d =
            diags.Report(Code::E0107, range(), "unexpected character `" + token->getText() + "`");
        if (token->getText() == "'") {
          d.helps.push_back("text values are written in double quotes: \"like this\"");
        } else if (token->getText() == "&") {
          d.helps.push_back("write `and` to combine conditions");
        } else if (token->getText() == "!") {
          d.helps.push_back("write `not` to negate a condition, or `!=` to compare");
        }
        return false;
      }
      case SyncLexer::UNTERMINATED_STRING: {
        auto& d = diags.Report(Code::E0106, range(), "text value has no closing quote");
        d.primary_label = "this text starts here";
        d.helps.push_back("add `\"` at the end of the text; text values cannot span lines");
        return false;
      }
      case SyncLexer::LPAREN:
      case SyncLexer::LBRACK:
      case SyncLexer::LBRACE:
        if (++depth > limits.max_depth) {
          auto& d = diags.Report(
              Code::E0103, range(),
              "brackets nested more than " + std::to_string(limits.max_depth) + " deep");
          d.helps.push_back("split the expression into smaller named functions or constants");
          return false;
        }
        break;
      case SyncLexer::RPAREN:
      case SyncLexer::RBRACK:
      case SyncLexer::RBRACE:
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
    // Chains of prefix operators and right-nested forms (`not not x`, `a ?? b ?? c`, else-if
    // ladders) recurse in the parser as brackets do; a statement boundary ends a chain.
    switch (type) {
      case SyncLexer::NOT:
      case SyncLexer::MINUS:
      case SyncLexer::IF:
      case SyncLexer::COALESCE:
      case SyncLexer::OTHERWISE:
        if (++chain > limits.max_depth) {
          auto& d = diags.Report(
              Code::E0103, range(),
              "operators nested more than " + std::to_string(limits.max_depth) + " deep");
          d.helps.push_back("split the expression into smaller named functions or constants");
          return false;
        }
        break;
      case SyncLexer::RBRACE:
      case SyncLexer::FATARROW:
      case SyncLexer::COMMA:
      case SyncLexer::BIARROW:
      case SyncLexer::ARROW:
      case SyncLexer::LARROW:
      case SyncLexer::NOSYNC:
      case SyncLexer::ASSIGN:
      case SyncLexer::COLON:
        chain = 0;
        break;
      default:
        break;
    }
  }
  return true;
}

// Runs `fn` on a thread with a large stack: ANTLR's parser is recursive, and the nesting
// caps above are set so that the deepest accepted input fits comfortably in this stack.
void RunWithLargeStack(const std::function<void()>& fn) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t{256} << 20);
  pthread_t thread;
  auto* task = new std::function<void()>(fn);
  auto trampoline = [](void* arg) -> void* {
    auto* f = static_cast<std::function<void()>*>(arg);
    (*f)();
    return nullptr;
  };
  if (pthread_create(&thread, &attr, trampoline, task) != 0) {
    fn();  // could not make a thread: the caps still keep the default stack safe enough
  } else {
    pthread_join(thread, nullptr);
  }
  delete task;
  pthread_attr_destroy(&attr);
}

struct Parsed {
  std::unique_ptr<antlr4::ANTLRInputStream> input;
  std::unique_ptr<SyncLexer> lexer;
  std::unique_ptr<antlr4::CommonTokenStream> tokens;
  std::unique_ptr<SyncParser> parser;
};

Parsed MakeParser(std::string_view text) {
  Parsed p;
  p.input = std::make_unique<antlr4::ANTLRInputStream>(std::string(text));
  p.lexer = std::make_unique<SyncLexer>(p.input.get());
  p.lexer->removeErrorListeners();
  p.tokens = std::make_unique<antlr4::CommonTokenStream>(p.lexer.get());
  p.tokens->fill();
  p.parser = std::make_unique<SyncParser>(p.tokens.get());
  p.parser->removeErrorListeners();
  return p;
}

// Two-stage parse: the fast SLL mode bails out on the first problem, and only then does the
// full LL mode run again with error reporting (ANTLR's recommended pattern).
template <typename Rule>
auto ParseTwoStage(Parsed& p, FirstErrorListener& listener, Rule rule)
    -> decltype(rule(*p.parser)) {
  p.parser->setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  p.parser->getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  try {
    return rule(*p.parser);
  } catch (const antlr4::ParseCancellationException&) {
  } catch (const antlr4::RecognitionException&) {
  }
  p.tokens->seek(0);
  p.parser->reset();
  p.parser->setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
  p.parser->getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::LL);
  p.parser->addErrorListener(&listener);
  auto* result = rule(*p.parser);
  p.parser->removeErrorListeners();
  return result;
}

bool CheckInput(const source::SourceBuffer& buffer, diag::Diagnostics& diags,
                const ParseLimits& limits) {
  const auto text = buffer.text();
  if (text.size() > limits.max_bytes) {
    diags
        .ReportFile(Code::E0104, buffer.path(),
                    "rule file is " + std::to_string(text.size()) + " bytes; the limit is " +
                        std::to_string(limits.max_bytes))
        .helps.push_back("split the rules into several files with `use`");
    return false;
  }
  if (auto bad = source::FindInvalidUtf8(text)) {
    const auto offset = static_cast<uint32_t>(*bad);
    auto& d = diags.Report(Code::E0102, {buffer.id(), offset, offset + 1},
                           text[*bad] == '\0' ? "rule file contains a NUL byte (is it binary?)"
                                              : "rule file is not valid UTF-8 text");
    d.helps.push_back("save the file as UTF-8 text");
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<Module> Parse(const source::SourceBuffer& buffer, diag::Diagnostics& diags,
                              const ParseLimits& limits) {
  if (!CheckInput(buffer, diags, limits)) return nullptr;
  std::unique_ptr<Module> module;
  RunWithLargeStack([&] {
    try {
      Parsed p = MakeParser(buffer.text());
      OffsetMap offsets = [&buffer](size_t i) { return buffer.ByteOffsetOfCodePoint(i); };
      if (!CheckTokens(*p.tokens, buffer, diags, offsets, limits)) return;
      FirstErrorListener listener(buffer, diags, offsets);
      auto* tree = ParseTwoStage(p, listener, [](SyncParser& parser) { return parser.file(); });
      if (listener.failed() || tree == nullptr) return;
      AstBuilder builder(buffer, diags, offsets);
      auto built = builder.BuildFile(tree);
      if (builder.ok()) module = std::move(built);
    } catch (const std::exception& e) {
      // No ANTLR exception may cross Parse(); this is a bug in our grammar or builder.
      diags.ReportFile(Code::E0105, buffer.path(),
                       std::string("internal parser error: ") + e.what());
    }
  });
  return module;
}

ExprPtr ParseEmbeddedExpr(const source::SourceBuffer& buffer, diag::Diagnostics& diags,
                          std::string_view text, uint32_t byte_offset) {
  Parsed p = MakeParser(text);
  // Code point index within `text` -> byte offset in the file.
  std::vector<uint32_t> starts;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
      starts.push_back(static_cast<uint32_t>(i));
  }
  starts.push_back(static_cast<uint32_t>(text.size()));
  OffsetMap offsets = [starts, byte_offset](size_t i) {
    return byte_offset + starts[std::min(i, starts.size() - 1)];
  };
  if (!CheckTokens(*p.tokens, buffer, diags, offsets, ParseLimits{})) return nullptr;
  FirstErrorListener listener(buffer, diags, offsets);
  auto* tree =
      ParseTwoStage(p, listener, [](SyncParser& parser) { return parser.interpolation(); });
  if (listener.failed() || tree == nullptr) return nullptr;
  AstBuilder builder(buffer, diags, offsets);
  auto expr = builder.BuildExpr(tree->expr());
  return builder.ok() ? std::move(expr) : nullptr;
}

std::vector<Token> Tokenize(const source::SourceBuffer& buffer, diag::Diagnostics& diags,
                            const ParseLimits& limits) {
  std::vector<Token> out;
  if (!CheckInput(buffer, diags, limits)) return out;
  Parsed p = MakeParser(buffer.text());
  OffsetMap offsets = [&buffer](size_t i) { return buffer.ByteOffsetOfCodePoint(i); };
  CheckTokens(*p.tokens, buffer, diags, offsets, limits);
  const auto& vocabulary = p.lexer->getVocabulary();
  for (auto* token : p.tokens->getTokens()) {
    if (token->getType() == antlr4::Token::EOF) break;
    Token t;
    t.kind = vocabulary.getSymbolicName(token->getType());
    t.text = token->getText();
    t.range = {buffer.id(), offsets(token->getStartIndex()), offsets(token->getStopIndex() + 1)};
    t.hidden = token->getChannel() == antlr4::Token::HIDDEN_CHANNEL;
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace syncline::syntax
