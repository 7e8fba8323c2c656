// Diagnostics: the one way every phase reports problems in rule files. A phase records
// Diagnostic values here; only the CLI renders them (as text like the best compilers, or JSON).
// Codes are stable and grouped by phase; see diagnostic_codes.def and docs/diagnostics/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/source/source_buffer.h"

namespace syncline::diag {

enum class Severity { kError, kWarning, kNote };

enum class Code {
#define X(code, severity, title) code,
#include "compiler/diagnostics/diagnostic_codes.def"
#undef X
};

std::string_view CodeName(Code code);   // "E0304"
std::string_view CodeTitle(Code code);  // "operator cannot be used with these types"
Severity CodeSeverity(Code code);
std::optional<Code> CodeFromName(std::string_view name);
std::vector<Code> AllCodes();

// A secondary range with its own short message ("first mapped here").
struct Label {
  source::SourceRange range;
  std::string message;
};

struct Diagnostic {
  Code code;
  Severity severity;
  std::string message;
  std::optional<source::SourceRange> range;  // absent for whole-file or command-line problems
  std::string file_path;                     // used when `range` is absent
  std::string primary_label;                 // text under the ^~~~ of the primary range
  std::vector<Label> labels;
  std::vector<std::string> helps;  // "= help: ..." lines (fix hints, did-you-mean)
  std::vector<std::string> notes;  // "= note: ..." lines
};

// Collects diagnostics for one compilation. Builders below make the common shapes short.
class Diagnostics {
 public:
  Diagnostic& Report(Code code, source::SourceRange range, std::string message);
  Diagnostic& ReportFile(Code code, std::string path, std::string message);

  const std::vector<Diagnostic>& all() const { return diagnostics_; }
  size_t ErrorCount() const;
  size_t WarningCount() const;
  bool HasErrors() const { return ErrorCount() > 0; }
  // Sorted by file, position and code, so output never depends on checking order.
  std::vector<Diagnostic> Sorted() const;

 private:
  std::vector<Diagnostic> diagnostics_;
};

// Adds "did you mean `x`?" to `d` when one of `candidates` is close to `name`.
void SuggestName(Diagnostic& d, std::string_view name, const std::vector<std::string>& candidates);
// The closest candidate by edit distance (case-insensitive), if close enough to be a typo.
std::optional<std::string> ClosestName(std::string_view name,
                                       const std::vector<std::string>& candidates);

struct RenderOptions {
  bool color = false;
};
// `file:line:col: error[E0304]: message`, the source line, a ^~~~ underline, labels, helps.
std::string RenderText(const Diagnostic& d, const source::SourceManager& sources,
                       const RenderOptions& options = {});
// SARIF 2.1.0, for CI code scanning (GitHub and others read it): one run, one rule per code
// used, one result per diagnostic with its region, related locations and fix hints.
std::string RenderSarif(const std::vector<Diagnostic>& diagnostics,
                        const source::SourceManager& sources);
// One JSON object per diagnostic, with the same data as the text form.
std::string RenderJson(const std::vector<Diagnostic>& diagnostics,
                       const source::SourceManager& sources);

}  // namespace syncline::diag
