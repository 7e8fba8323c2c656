// API response bodies into nlohmann::json through simdjson.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace syncline::connectors {

// The value nlohmann::json::parse(text, nullptr, false) gives, including a discarded value for
// malformed text, with the same number kinds (non-negative integers unsigned, as nlohmann reads
// them) and the last of repeated keys. simdjson does the lexing, which was most of the cost of
// reading a page of records with nlohmann's own parser; text simdjson refuses (numbers beyond
// 64 bits, invalid UTF-8, trailing content) is left to nlohmann. The one difference: "-0" is
// an unsigned 0 here and a signed one in nlohmann (equal values, written alike).
nlohmann::json ParseJson(std::string_view text);

}  // namespace syncline::connectors
