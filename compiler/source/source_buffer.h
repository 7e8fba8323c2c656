// Source text of one rule file, with the line table that turns byte offsets into the
// line:column positions every diagnostic shows. First phase of the pipeline: everything
// after it refers to text only through SourceRange.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::source {

using FileId = uint32_t;

// A half-open byte range [begin, end) in one file.
struct SourceRange {
  FileId file = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool valid() const { return end >= begin && (begin != 0 || end != 0 || file != 0); }
};

struct LineCol {
  uint32_t line = 1;    // 1-based
  uint32_t column = 1;  // 1-based, in Unicode code points (what an editor shows)
};

class SourceBuffer {
 public:
  SourceBuffer(FileId id, std::string path, std::string text);

  FileId id() const { return id_; }
  const std::string& path() const { return path_; }
  std::string_view text() const { return text_; }

  LineCol Position(uint32_t byte_offset) const;
  // The text of a 1-based line, without its line break.
  std::string_view LineText(uint32_t line) const;
  uint32_t LineCount() const { return static_cast<uint32_t>(line_starts_.size()); }
  // Byte offset of the n-th code point (ANTLR counts code points; diagnostics count bytes).
  uint32_t ByteOffsetOfCodePoint(size_t code_point_index) const;

 private:
  FileId id_;
  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
  // Empty when the text is pure ASCII (byte offset == code point index).
  std::vector<uint32_t> code_point_offsets_;
};

// Owns every buffer of a compilation, so that ranges stay valid for the whole run.
class SourceManager {
 public:
  // Reads a file. On failure returns nullopt and sets `error` to a message for the user.
  std::optional<FileId> AddFile(const std::filesystem::path& path, std::string& error);
  FileId AddText(std::string path, std::string text);
  const SourceBuffer& Get(FileId id) const { return *buffers_.at(id); }
  size_t size() const { return buffers_.size(); }

 private:
  std::vector<std::unique_ptr<SourceBuffer>> buffers_;
};

// Returns the byte offset of the first invalid UTF-8 sequence (or NUL byte), or nullopt.
std::optional<size_t> FindInvalidUtf8(std::string_view text);

}  // namespace syncline::source
