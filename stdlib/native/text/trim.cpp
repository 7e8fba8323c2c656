// Whitespace trimming; see trim.h.
#include "text/trim.h"

#include "text/utf8.h"

namespace syncline::stdlib::text {
namespace {

bool is_unicode_space(char32_t c) noexcept {
  switch (c) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

}  // namespace

std::size_t whitespace_length(std::string_view text, std::size_t pos) noexcept {
  const auto b = static_cast<unsigned char>(text[pos]);
  if (b < 0x80) return (b == ' ' || (b >= 0x09 && b <= 0x0D)) ? 1 : 0;
  const auto d = decode_utf8(text, pos);
  return d.valid && is_unicode_space(d.code_point) ? d.length : 0;
}

std::string_view trim(std::string_view text) noexcept {
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t n = whitespace_length(text, begin);
    if (n == 0) break;
    begin += n;
  }
  std::size_t end = text.size();
  while (end > begin) {
    // Step back to the start of the last code point (at most 3 continuation bytes).
    std::size_t start = end - 1;
    while (start > begin && end - start < 4 &&
           (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
      --start;
    }
    const std::size_t n = whitespace_length(text, start);
    if (n == 0 || start + n != end) break;
    end = start;
  }
  return text.substr(begin, end - begin);
}

}  // namespace syncline::stdlib::text
