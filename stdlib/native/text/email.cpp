// Email normalisation; see email.h.
#include "text/email.h"

#include "text/text.h"
#include "text/utf8.h"

namespace syncline::stdlib::text {
namespace {

constexpr std::size_t kMaxEmail = 254;

bool is_atext(unsigned char c) {
  if (c >= 0x80) return true;  // UTF-8 (validated already): internationalised local parts
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+/=?^_`{|}~-").find(static_cast<char>(c)) !=
         std::string_view::npos;
}

bool valid_local(std::string_view local) {
  if (local.empty() || local.size() > 64) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  for (std::size_t i = 0; i < local.size(); ++i) {
    const auto c = static_cast<unsigned char>(local[i]);
    if (c == '.') {
      if (local[i + 1] == '.') return false;
      continue;
    }
    if (!is_atext(c)) return false;
  }
  return true;
}

bool valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t labels = 0;
  std::string_view last;
  std::size_t pos = 0;
  while (true) {
    const std::size_t dot = domain.find('.', pos);
    const std::string_view label =
        domain.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char ch : label) {
      const auto c = static_cast<unsigned char>(ch);
      const bool ok = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  if (labels < 2 || count_code_points(last) < 2) return false;
  bool all_digits = true;
  for (char c : last) all_digits &= (c >= '0' && c <= '9');
  return !all_digits;
}

}  // namespace

Status normalise_email(std::string_view text, std::string& out) noexcept {
  out.clear();
  std::string_view t = trim(text);
  if (t.empty()) return Status::blank;
  if (!is_valid_utf8(t)) return Status::invalid_utf8;
  if (t.size() >= 7) {
    std::string prefix;
    if (to_lower(t.substr(0, 7), prefix) == Status::ok && prefix == "mailto:")
      t = trim(t.substr(7));
  }
  if (t.size() > kMaxEmail) return Status::too_long;
  const Status s = to_lower(t, out);
  if (s != Status::ok) {
    out.clear();
    return s == Status::blank ? Status::invalid_format : s;
  }
  const std::size_t at = out.find('@');
  if (at == std::string::npos || out.find('@', at + 1) != std::string::npos ||
      out.size() > kMaxEmail || !valid_local(std::string_view(out).substr(0, at)) ||
      !valid_domain(std::string_view(out).substr(at + 1))) {
    out.clear();
    return Status::invalid_format;
  }
  return Status::ok;
}

}  // namespace syncline::stdlib::text
