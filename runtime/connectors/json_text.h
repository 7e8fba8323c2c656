// Small text helpers both connectors use on API bodies.
#pragma once

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string>

namespace syncline::connectors::util {

// A JSON value as text: strings as they are, null as "", anything else as its JSON.
inline std::string Text(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "";
  return j.dump();
}

// Moves the array under `key` out of a parsed body (an empty array when absent or not an
// array), so records are taken from the page instead of deep-copied: copying each page's
// records twice (`value(key, default)` and then each record) was a visible share of a sync.
inline nlohmann::json TakeArray(nlohmann::json& body, const char* key) {
  if (!body.is_object()) return nlohmann::json::array();
  auto it = body.find(key);
  if (it == body.end() || !it->is_array()) return nlohmann::json::array();
  return std::move(*it);
}

inline std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace syncline::connectors::util
