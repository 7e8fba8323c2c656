// Strict UTF-8 decoding and validation shared by the native builtins. Everything here is
// allocation-free and total: any byte sequence gives an answer, never undefined behaviour.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace syncline::stdlib::text {

struct Decoded {
  char32_t code_point = 0;
  std::uint8_t length = 1;  // bytes consumed; 1 for an invalid sequence so callers can skip it
  bool valid = false;
};

// Decodes the code point starting at text[pos] (pos < text.size()). Rejects overlong forms,
// surrogates, values above U+10FFFF and truncated sequences (RFC 3629).
constexpr Decoded decode_utf8(std::string_view text, std::size_t pos) noexcept {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  if (b0 < 0x80) return {b0, 1, true};
  std::uint8_t n = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return {};
  }
  if (text.size() - pos < n) return {};
  for (std::uint8_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(text[pos + k]);
    if ((b & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, n, true};
}

// True when the whole string is well-formed UTF-8. ASCII runs are checked 8 bytes at a time.
bool is_valid_utf8(std::string_view text) noexcept;

// Number of code points in a valid UTF-8 string (invalid bytes count one each).
std::size_t count_code_points(std::string_view text) noexcept;

// Appends the UTF-8 encoding of a code point (must be a valid scalar value) to buf; returns
// the number of bytes written (1-4). buf must have room for 4 bytes.
std::size_t encode_utf8(char32_t cp, char* buf) noexcept;

}  // namespace syncline::stdlib::text
