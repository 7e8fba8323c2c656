// The subset of SOQL a sync connector sends: SELECT field lists (with dotted relationship
// paths and COUNT()), FROM one object, WHERE with comparisons, AND/OR/NOT, parentheses, IN,
// LIKE, INCLUDES/EXCLUDES, null, booleans, unquoted date and datetime literals and the
// relative date literals, ORDER BY, LIMIT and OFFSET. Parsing only; the Salesforce sandbox
// checks names against the object definitions and evaluates.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace syncline::sandbox {

struct SoqlLiteral {
  enum class Kind { kNull, kString, kNumber, kBool, kDate, kDateTime, kRelativeDate };
  Kind kind = Kind::kNull;
  std::string text;  // string value, number text, relative literal name ("LAST_N_DAYS")
  double number = 0;
  bool boolean = false;
  int64_t ms = 0;  // date (midnight UTC) or datetime
  int n = 0;       // the N of LAST_N_DAYS:N
};

struct SoqlCondition {
  enum class Kind { kAnd, kOr, kNot, kCompare };
  Kind kind = Kind::kCompare;
  std::vector<std::unique_ptr<SoqlCondition>> children;
  std::vector<std::string> path;  // field path, e.g. {"Account", "Name"}
  std::string op;                 // = != < <= > >= LIKE IN NOT IN INCLUDES EXCLUDES
  std::vector<SoqlLiteral> values;
};

struct SoqlOrder {
  std::vector<std::string> path;
  bool descending = false;
  bool nulls_last = false;
};

struct SoqlQuery {
  std::vector<std::vector<std::string>> fields;  // paths in SELECT order
  bool count = false;                            // SELECT COUNT()
  std::string object;
  std::unique_ptr<SoqlCondition> where;
  std::vector<SoqlOrder> order_by;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
};

struct SoqlError {
  std::string message;  // Salesforce-style "unexpected token: 'X'"
};

std::variant<SoqlQuery, SoqlError> ParseSoql(std::string_view text);

}  // namespace syncline::sandbox
