// Place-key normalisation; see place_key.h for the rules and gen_geo_tables.py for the twin.
#include "geo/place_key.h"

#include <cstdint>
#include <cstring>

#include "geo/geo_tables.h"
#include "text/utf8.h"

namespace syncline::stdlib::geo {
namespace {

const detail::FoldEntry* fold_entry(char32_t cp) noexcept {
  for (const auto& r : detail::kFoldRanges) {
    if (cp >= r.first && cp < r.last) return &detail::kFold[r.offset + (cp - r.first)];
  }
  return nullptr;
}

// Appends words to the buffer, collapsing separators. Fails (returns false) on overflow.
class KeyWriter {
 public:
  explicit KeyWriter(PlaceKeyBuffer& out) : out_(out) { out_.size = 0; }

  void separate() noexcept { pending_space_ = out_.size > 0; }
  bool put(const char* bytes, std::size_t n) noexcept {
    if (pending_space_) {
      if (out_.size + 1 > kPlaceKeyCapacity) return false;
      out_.data[out_.size++] = ' ';
      pending_space_ = false;
    }
    if (out_.size + n > kPlaceKeyCapacity) return false;
    std::memcpy(out_.data + out_.size, bytes, n);
    out_.size += n;
    return true;
  }

 private:
  PlaceKeyBuffer& out_;
  bool pending_space_ = false;
};

// Post-pass on the joined words: drop a leading "the", rewrite the word "st" to "saint".
bool rewrite_key_words(PlaceKeyBuffer& key) noexcept {
  std::string_view v = key.view();
  if (v.find(' ') == std::string_view::npos) return true;
  if (v.starts_with("the ")) {
    std::memmove(key.data, key.data + 4, key.size - 4);
    key.size -= 4;
    key.rewritten = true;
    v = key.view();
    if (v.find(' ') == std::string_view::npos) return true;
  }
  // Scan for whole words "st"; each rewrite grows the key by 3 bytes.
  std::size_t i = 0;
  while (i < key.size) {
    std::size_t end = i;
    while (end < key.size && key.data[end] != ' ') ++end;
    if (end - i == 2 && key.data[i] == 's' && key.data[i + 1] == 't') {
      if (key.size + 3 > kPlaceKeyCapacity) return false;
      std::memmove(key.data + end + 3, key.data + end, key.size - end);
      std::memcpy(key.data + i, "saint", 5);
      key.size += 3;
      end += 3;
      key.rewritten = true;
    }
    i = end + 1;
  }
  return true;
}

}  // namespace

Status normalise_place_key(std::string_view text, PlaceKeyBuffer& out,
                           bool rewrite_words) noexcept {
  out.size = 0;
  out.rewritten = false;
  if (text.size() > kMaxPlaceInput) return Status::too_long;
  KeyWriter w(out);
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      if (c >= 'A' && c <= 'Z') {
        const char lower = static_cast<char>(c - 'A' + 'a');
        if (!w.put(&lower, 1)) return Status::too_long;
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        if (!w.put(&text[i - 1], 1)) return Status::too_long;
      } else if (c == '\'' || c == '`' || c == '.') {
        // vanish: "U.S.A." -> "usa", "d'Ivoire" -> "divoire"
      } else if (c == '&') {
        w.separate();
        if (!w.put("and", 3)) return Status::too_long;
        w.separate();
      } else {
        w.separate();
      }
      continue;
    }
    const auto d = text::decode_utf8(text, i);
    if (!d.valid) return Status::invalid_utf8;
    const auto* f = fold_entry(d.code_point);
    if (f == nullptr || f->kind == detail::kFoldPass) {
      if (!w.put(text.data() + i, d.length)) return Status::too_long;
    } else if (f->kind == detail::kFoldSep) {
      w.separate();
    } else if (f->kind != detail::kFoldDrop) {
      if (!w.put(f->bytes, f->kind)) return Status::too_long;
    }
    i += d.length;
  }
  if (out.size == 0) return Status::blank;
  if (rewrite_words && !rewrite_key_words(out)) return Status::too_long;
  return Status::ok;
}

}  // namespace syncline::stdlib::geo
