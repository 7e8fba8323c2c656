// std.text builtins; see text.h. ICU does the Unicode work (case mapping, folding, NFC);
// everything else is hand-written over UTF-8 so it can stay allocation-free.
#include "text/text.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <new>

#include "text/utf8.h"

namespace syncline::stdlib::text {
namespace {

Status check(std::string_view text) noexcept {
  if (text.size() > kMaxTextInput) return Status::too_long;
  if (!is_valid_utf8(text)) return Status::invalid_utf8;
  return Status::ok;
}

icu::UnicodeString to_icu(std::string_view s) {
  return icu::UnicodeString::fromUTF8(
      icu::StringPiece(s.data(), static_cast<std::int32_t>(s.size())));
}

template <typename F>
Status map_case(std::string_view text, std::string& out, F f) noexcept {
  out.clear();
  if (const Status s = check(text); s != Status::ok) return s;
  if (text.empty()) return Status::blank;
  try {
    icu::UnicodeString u = to_icu(text);
    f(u);
    u.toUTF8String(out);
  } catch (const std::bad_alloc&) {
    out.clear();
    return Status::too_long;
  }
  if (is_blank(out)) {
    out.clear();
    return Status::blank;
  }
  return Status::ok;
}

}  // namespace

Status to_upper(std::string_view text, std::string& out) noexcept {
  return map_case(text, out, [](icu::UnicodeString& u) { u.toUpper(icu::Locale::getRoot()); });
}

Status to_lower(std::string_view text, std::string& out) noexcept {
  return map_case(text, out, [](icu::UnicodeString& u) { u.toLower(icu::Locale::getRoot()); });
}

Status normalise_whitespace(std::string_view text, std::string& out) noexcept {
  out.clear();
  if (const Status s = check(text); s != Status::ok) return s;
  const std::string_view t = trim(text);
  if (t.empty()) return Status::blank;
  try {
    out.reserve(t.size());
    bool space = false;
    for (std::size_t i = 0; i < t.size();) {
      const std::size_t ws = whitespace_length(t, i);
      if (ws > 0) {
        space = true;
        i += ws;
        continue;
      }
      if (space) out.push_back(' ');
      space = false;
      const std::size_t n = decode_utf8(t, i).length;
      out.append(t.substr(i, n));
      i += n;
    }
  } catch (const std::bad_alloc&) {
    out.clear();
    return Status::too_long;
  }
  return Status::ok;
}

Result<bool> equals_ignore_case(std::string_view a, std::string_view b) noexcept {
  for (auto s : {check(a), check(b)}) {
    if (s != Status::ok) return {s, false};
  }
  if (a == b) return {Status::ok, true};
  try {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(err);
    if (U_FAILURE(err)) return {Status::invalid_format, false};
    icu::UnicodeString ua = nfc->normalize(to_icu(a), err);
    icu::UnicodeString ub = nfc->normalize(to_icu(b), err);
    if (U_FAILURE(err)) return {Status::invalid_format, false};
    ua.foldCase(U_FOLD_CASE_DEFAULT);
    ub.foldCase(U_FOLD_CASE_DEFAULT);
    // Folding can create new compositions' decomposed forms; normalise once more.
    ua = nfc->normalize(ua, err);
    ub = nfc->normalize(ub, err);
    if (U_FAILURE(err)) return {Status::invalid_format, false};
    return {Status::ok, ua == ub};
  } catch (const std::bad_alloc&) {
    return {Status::too_long, false};
  }
}

Result<std::string_view> truncate(std::string_view text, std::size_t max_chars) noexcept {
  if (text.empty()) return {Status::blank, {}};
  std::size_t i = 0, chars = 0;
  while (i < text.size() && chars < max_chars) {
    const auto d = decode_utf8(text, i);
    if (!d.valid) return {Status::invalid_utf8, {}};
    i += d.length;
    ++chars;
  }
  // Validate the rest too: a string with invalid bytes fails whatever the cut.
  if (!is_valid_utf8(text.substr(i))) return {Status::invalid_utf8, {}};
  return {Status::ok, text.substr(0, i)};
}

Result<std::string_view> next_multi_select_item(std::string_view text, std::size_t& pos) noexcept {
  while (pos < text.size()) {
    std::size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = trim(text.substr(pos, end - pos));
    pos = end < text.size() ? end + 1 : end;
    if (!item.empty()) return {Status::ok, item};
  }
  return {Status::blank, {}};
}

std::size_t count_multi_select_items(std::string_view text) noexcept {
  std::size_t pos = 0, n = 0;
  while (next_multi_select_item(text, pos)) ++n;
  return n;
}

Status join_multi_select(std::span<const std::string_view> items, std::string& out) noexcept {
  out.clear();
  try {
    std::size_t count = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string_view item = trim(items[i]);
      if (item.empty()) continue;
      if (!is_valid_utf8(item)) return out.clear(), Status::invalid_utf8;
      if (item.find(';') != std::string_view::npos) return out.clear(), Status::invalid_format;
      bool duplicate = false;
      for (std::size_t j = 0; j < i && !duplicate; ++j) duplicate = trim(items[j]) == item;
      if (duplicate) continue;
      if (count++ > 0) out.push_back(';');
      out.append(item);
    }
    return count == 0 ? Status::blank : Status::ok;
  } catch (const std::bad_alloc&) {
    out.clear();
    return Status::too_long;
  }
}

bool multi_select_contains(std::string_view text, std::string_view item) noexcept {
  item = trim(item);
  std::size_t pos = 0;
  for (auto r = next_multi_select_item(text, pos); r; r = next_multi_select_item(text, pos)) {
    if (r.value == item) return true;
  }
  return false;
}

}  // namespace syncline::stdlib::text
