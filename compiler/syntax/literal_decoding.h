// Decoding of literal spellings (text escapes, dates, datetimes) shared by the AST builder.
// Private to compiler/syntax.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace syncline::syntax {

// Days since 1970-01-01 of a proleptic Gregorian date; nullopt if the date does not exist.
std::optional<int32_t> DaysFromCivil(int year, int month, int day);
// `@2024-01-02` -> days since the epoch.
std::optional<int32_t> ParseDateLiteral(std::string_view spelling);
// `@2024-01-02T10:11:12.345Z` or with `+02:00` -> milliseconds since the epoch, UTC.
std::optional<int64_t> ParseDateTimeLiteral(std::string_view spelling);
// Appends the UTF-8 encoding of a code point.
void AppendUtf8(std::string& out, uint32_t code_point);

}  // namespace syncline::syntax
