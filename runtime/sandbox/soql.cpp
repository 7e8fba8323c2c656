#include "sandbox/soql.h"

#include <cctype>

#include "sandbox/time_format.h"

namespace syncline::sandbox {
namespace {

struct Token {
  enum class Kind { kEnd, kIdent, kString, kNumber, kDateTime, kDate, kSymbol };
  Kind kind = Kind::kEnd;
  std::string text;
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::optional<SoqlError> Run(std::vector<Token>& out) {
    while (true) {
      while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ >= s_.size()) break;
      char c = s_[pos_];
      if (c == '\'') {
        std::string value;
        ++pos_;
        bool closed = false;
        while (pos_ < s_.size()) {
          char d = s_[pos_++];
          if (d == '\\' && pos_ < s_.size()) {
            char e = s_[pos_++];
            value.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
          } else if (d == '\'') {
            closed = true;
            break;
          } else {
            value.push_back(d);
          }
        }
        if (!closed) return SoqlError{"unterminated string literal"};
        out.push_back({Token::Kind::kString, value});
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '-' && pos_ + 1 < s_.size() &&
                  std::isdigit(static_cast<unsigned char>(s_[pos_ + 1])))) {
        size_t start = pos_;
        ++pos_;
        while (pos_ < s_.size() &&
               (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.' ||
                s_[pos_] == ':' || s_[pos_] == '-' || (s_[pos_] == '+' && pos_ > start + 10)))
          ++pos_;
        std::string text(s_.substr(start, pos_ - start));
        if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
          out.push_back({text.size() == 10 ? Token::Kind::kDate : Token::Kind::kDateTime, text});
        } else {
          out.push_back({Token::Kind::kNumber, text});
        }
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t start = pos_;
        while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                    s_[pos_] == '_' || s_[pos_] == '.'))
          ++pos_;
        std::string text(s_.substr(start, pos_ - start));
        // Relative date literals with an argument: LAST_N_DAYS:30.
        if (pos_ < s_.size() && s_[pos_] == ':') {
          size_t q = pos_ + 1;
          while (q < s_.size() && std::isdigit(static_cast<unsigned char>(s_[q]))) ++q;
          if (q > pos_ + 1) {
            text += std::string(s_.substr(pos_, q - pos_));
            pos_ = q;
          }
        }
        out.push_back({Token::Kind::kIdent, text});
      } else {
        std::string sym(1, c);
        if ((c == '!' || c == '<' || c == '>') && pos_ + 1 < s_.size() &&
            (s_[pos_ + 1] == '=' || (c == '<' && s_[pos_ + 1] == '>')))
          sym.push_back(s_[pos_ + 1]);
        if (sym == "!") return SoqlError{"unexpected token: '!'"};
        static const std::string allowed = "=<>(),*";
        if (sym.size() == 1 && allowed.find(c) == std::string::npos)
          return SoqlError{"unexpected token: '" + sym + "'"};
        pos_ += sym.size();
        out.push_back({Token::Kind::kSymbol, sym});
      }
    }
    out.push_back({Token::Kind::kEnd, ""});
    return std::nullopt;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  std::variant<SoqlQuery, SoqlError> Run() {
    SoqlQuery q;
    if (!Keyword("SELECT")) return Fail();
    if (Upper(Peek().text) == "COUNT" && t_[i_ + 1].text == "(") {
      i_ += 2;
      if (!Symbol(")")) return Fail();
      q.count = true;
    } else {
      do {
        if (Peek().kind != Token::Kind::kIdent || IsKeyword(Peek().text)) return Fail();
        q.fields.push_back(Path(Next().text));
      } while (Symbol(","));
    }
    if (!Keyword("FROM")) return Fail();
    if (Peek().kind != Token::Kind::kIdent) return Fail();
    q.object = Next().text;
    if (Keyword("WHERE")) {
      auto cond = Or();
      if (!cond) return Fail();
      q.where = std::move(cond);
    }
    if (Keyword("ORDER")) {
      if (!Keyword("BY")) return Fail();
      do {
        if (Peek().kind != Token::Kind::kIdent || IsKeyword(Peek().text)) return Fail();
        SoqlOrder o;
        o.path = Path(Next().text);
        if (Keyword("DESC")) {
          o.descending = true;
          o.nulls_last = true;
        } else {
          Keyword("ASC");
        }
        if (Keyword("NULLS")) {
          if (Keyword("LAST")) {
            o.nulls_last = true;
          } else if (Keyword("FIRST")) {
            o.nulls_last = false;
          } else {
            return Fail();
          }
        }
        q.order_by.push_back(std::move(o));
      } while (Symbol(","));
    }
    if (Keyword("LIMIT")) {
      if (Peek().kind != Token::Kind::kNumber) return Fail();
      q.limit = std::stoll(Next().text);
    }
    if (Keyword("OFFSET")) {
      if (Peek().kind != Token::Kind::kNumber) return Fail();
      q.offset = std::stoll(Next().text);
    }
    if (Peek().kind != Token::Kind::kEnd) return Fail();
    return q;
  }

 private:
  static bool IsKeyword(const std::string& s) {
    static const char* words[] = {"SELECT", "FROM", "WHERE", "AND",    "OR",   "NOT",
                                  "ORDER",  "BY",   "LIMIT", "OFFSET", "LIKE", "IN",
                                  "ASC",    "DESC", "NULLS", "NULL",   "TRUE", "FALSE"};
    std::string u = Upper(s);
    for (const char* w : words)
      if (u == w) return true;
    return false;
  }
  static std::vector<std::string> Path(const std::string& text) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i <= text.size()) {
      size_t j = text.find('.', i);
      if (j == std::string::npos) j = text.size();
      out.push_back(text.substr(i, j - i));
      i = j + 1;
    }
    return out;
  }
  const Token& Peek() const { return t_[i_]; }
  const Token& Next() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }
  bool Keyword(const char* word) {
    if (Peek().kind == Token::Kind::kIdent && Upper(Peek().text) == word) {
      ++i_;
      return true;
    }
    return false;
  }
  bool Symbol(const char* sym) {
    if (Peek().kind == Token::Kind::kSymbol && Peek().text == sym) {
      ++i_;
      return true;
    }
    return false;
  }
  SoqlError Fail() const {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kEnd) return {"unexpected end of query"};
    return {"unexpected token: '" + t.text + "'"};
  }

  std::unique_ptr<SoqlCondition> Or() {
    auto left = And();
    if (!left) return nullptr;
    while (Keyword("OR")) {
      auto right = And();
      if (!right) return nullptr;
      auto node = std::make_unique<SoqlCondition>();
      node->kind = SoqlCondition::Kind::kOr;
      node->children.push_back(std::move(left));
      node->children.push_back(std::move(right));
      left = std::move(node);
    }
    return left;
  }
  std::unique_ptr<SoqlCondition> And() {
    auto left = Unary();
    if (!left) return nullptr;
    while (Keyword("AND")) {
      auto right = Unary();
      if (!right) return nullptr;
      auto node = std::make_unique<SoqlCondition>();
      node->kind = SoqlCondition::Kind::kAnd;
      node->children.push_back(std::move(left));
      node->children.push_back(std::move(right));
      left = std::move(node);
    }
    return left;
  }
  std::unique_ptr<SoqlCondition> Unary() {
    if (Keyword("NOT")) {
      auto inner = Unary();
      if (!inner) return nullptr;
      auto node = std::make_unique<SoqlCondition>();
      node->kind = SoqlCondition::Kind::kNot;
      node->children.push_back(std::move(inner));
      return node;
    }
    if (Symbol("(")) {
      auto inner = Or();
      if (!inner || !Symbol(")")) return nullptr;
      return inner;
    }
    return Comparison();
  }
  std::unique_ptr<SoqlCondition> Comparison() {
    if (Peek().kind != Token::Kind::kIdent || IsKeyword(Peek().text)) return nullptr;
    auto node = std::make_unique<SoqlCondition>();
    node->path = Path(Next().text);
    const Token& op = Peek();
    if (op.kind == Token::Kind::kSymbol &&
        (op.text == "=" || op.text == "!=" || op.text == "<>" || op.text == "<" ||
         op.text == "<=" || op.text == ">" || op.text == ">=")) {
      node->op = op.text == "<>" ? "!=" : op.text;
      ++i_;
      auto v = Literal();
      if (!v) return nullptr;
      node->values.push_back(*v);
      return node;
    }
    if (Keyword("LIKE")) {
      node->op = "LIKE";
      auto v = Literal();
      if (!v || v->kind != SoqlLiteral::Kind::kString) return nullptr;
      node->values.push_back(*v);
      return node;
    }
    bool negated = false;
    if (Keyword("NOT")) negated = true;
    std::string list_op;
    if (Keyword("IN")) {
      list_op = negated ? "NOT IN" : "IN";
    } else if (!negated && Keyword("INCLUDES")) {
      list_op = "INCLUDES";
    } else if (!negated && Keyword("EXCLUDES")) {
      list_op = "EXCLUDES";
    } else {
      return nullptr;
    }
    node->op = list_op;
    if (!Symbol("(")) return nullptr;
    do {
      auto v = Literal();
      if (!v) return nullptr;
      node->values.push_back(*v);
    } while (Symbol(","));
    if (!Symbol(")")) return nullptr;
    return node;
  }
  std::optional<SoqlLiteral> Literal() {
    const Token& t = Peek();
    SoqlLiteral v;
    switch (t.kind) {
      case Token::Kind::kString:
        v.kind = SoqlLiteral::Kind::kString;
        v.text = t.text;
        break;
      case Token::Kind::kNumber:
        try {
          v.number = std::stod(t.text);
        } catch (...) {
          return std::nullopt;
        }
        v.kind = SoqlLiteral::Kind::kNumber;
        v.text = t.text;
        break;
      case Token::Kind::kDate:
      case Token::Kind::kDateTime: {
        auto ms = ParseIsoTime(t.text);
        // SOQL datetimes need a zone (Z or an offset); dates are plain YYYY-MM-DD.
        bool zoned = t.kind == Token::Kind::kDate || t.text.back() == 'Z' ||
                     t.text.find('+', 10) != std::string::npos ||
                     t.text.find('-', 10) != std::string::npos;
        if (!ms || !zoned) return std::nullopt;
        v.kind =
            t.kind == Token::Kind::kDate ? SoqlLiteral::Kind::kDate : SoqlLiteral::Kind::kDateTime;
        v.ms = *ms;
        v.text = t.text;
        break;
      }
      case Token::Kind::kIdent: {
        std::string u = Upper(t.text);
        if (u == "NULL") {
          v.kind = SoqlLiteral::Kind::kNull;
        } else if (u == "TRUE" || u == "FALSE") {
          v.kind = SoqlLiteral::Kind::kBool;
          v.boolean = u == "TRUE";
        } else {
          static const char* relative[] = {"TODAY",       "YESTERDAY",   "TOMORROW",
                                           "LAST_N_DAYS", "NEXT_N_DAYS", "LAST_WEEK",
                                           "THIS_WEEK",   "LAST_MONTH",  "THIS_MONTH"};
          std::string name = u.substr(0, u.find(':'));
          bool known = false;
          for (const char* r : relative) known = known || name == r;
          if (!known) return std::nullopt;
          bool takes_n = name == "LAST_N_DAYS" || name == "NEXT_N_DAYS";
          if (takes_n != (u.find(':') != std::string::npos)) return std::nullopt;
          v.kind = SoqlLiteral::Kind::kRelativeDate;
          v.text = name;
          if (takes_n) v.n = std::stoi(u.substr(u.find(':') + 1));
        }
        break;
      }
      default:
        return std::nullopt;
    }
    ++i_;
    return v;
  }

  std::vector<Token> t_;
  size_t i_ = 0;
};

}  // namespace

std::variant<SoqlQuery, SoqlError> ParseSoql(std::string_view text) {
  std::vector<Token> tokens;
  Lexer lexer(text);
  if (auto err = lexer.Run(tokens)) return *err;
  Parser parser(std::move(tokens));
  return parser.Run();
}

}  // namespace syncline::sandbox
