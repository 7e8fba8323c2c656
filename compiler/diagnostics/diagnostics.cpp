#include "compiler/diagnostics/diagnostics.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

namespace syncline::diag {
namespace {

struct CodeInfo {
  Code code;
  std::string_view name;
  Severity severity;
  std::string_view title;
};

constexpr Severity Error = Severity::kError;
constexpr Severity Warning = Severity::kWarning;

const CodeInfo kCodes[] = {
#define X(code, severity, title) {Code::code, #code, severity, title},
#include "compiler/diagnostics/diagnostic_codes.def"
#undef X
};

const CodeInfo& Info(Code code) {
  return kCodes[static_cast<size_t>(code)];
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions, which are the
// commonest typo: `nmae` for `name`), case-insensitive.
size_t EditDistance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string_view SeverityWord(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kNote:
      return "note";
  }
  return "error";
}

}  // namespace

std::string_view CodeName(Code code) {
  return Info(code).name;
}
std::string_view CodeTitle(Code code) {
  return Info(code).title;
}
Severity CodeSeverity(Code code) {
  return Info(code).severity;
}

std::optional<Code> CodeFromName(std::string_view name) {
  for (const auto& info : kCodes) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

std::vector<Code> AllCodes() {
  std::vector<Code> codes;
  for (const auto& info : kCodes) codes.push_back(info.code);
  return codes;
}

Diagnostic& Diagnostics::Report(Code code, source::SourceRange range, std::string message) {
  Diagnostic d{code, CodeSeverity(code), std::move(message), range, {}, {}, {}, {}, {}};
  diagnostics_.push_back(std::move(d));
  return diagnostics_.back();
}

Diagnostic& Diagnostics::ReportFile(Code code, std::string path, std::string message) {
  Diagnostic d{
      code, CodeSeverity(code), std::move(message), std::nullopt, std::move(path), {}, {}, {}, {}};
  diagnostics_.push_back(std::move(d));
  return diagnostics_.back();
}

size_t Diagnostics::ErrorCount() const {
  return static_cast<size_t>(std::count_if(diagnostics_.begin(), diagnostics_.end(),
                                           [](const auto& d) { return d.severity == Error; }));
}

size_t Diagnostics::WarningCount() const {
  return static_cast<size_t>(std::count_if(diagnostics_.begin(), diagnostics_.end(),
                                           [](const auto& d) { return d.severity == Warning; }));
}

std::vector<Diagnostic> Diagnostics::Sorted() const {
  std::vector<Diagnostic> sorted = diagnostics_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    auto key = [](const Diagnostic& d) {
      return std::make_tuple(d.range ? d.range->file : 0u, d.range ? d.range->begin : 0u,
                             static_cast<int>(d.code));
    };
    return key(a) < key(b);
  });
  return sorted;
}

std::optional<std::string> ClosestName(std::string_view name,
                                       const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = 0;
  // A typo is at most a third of the word (and at least one edit for short names).
  const size_t limit = std::max<size_t>(1, name.size() / 3);
  for (const auto& candidate : candidates) {
    const size_t d = EditDistance(name, candidate);
    if (d <= limit && (!best || d < best_distance || (d == best_distance && candidate < *best))) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

void SuggestName(Diagnostic& d, std::string_view name, const std::vector<std::string>& candidates) {
  if (auto best = ClosestName(name, candidates)) {
    d.helps.push_back("did you mean `" + *best + "`?");
  }
}

std::string RenderText(const Diagnostic& d, const source::SourceManager& sources,
                       const RenderOptions& options) {
  const char* bold = options.color ? "\x1b[1m" : "";
  const char* reset = options.color ? "\x1b[0m" : "";
  const char* sev_color = options.color ? (d.severity == Error ? "\x1b[1;31m" : "\x1b[1;33m") : "";
  const char* blue = options.color ? "\x1b[1;34m" : "";
  std::ostringstream out;
  if (d.range) {
    const auto& buffer = sources.Get(d.range->file);
    const auto pos = buffer.Position(d.range->begin);
    out << bold << buffer.path() << ':' << pos.line << ':' << pos.column << ": " << reset;
  } else if (!d.file_path.empty()) {
    out << bold << d.file_path << ": " << reset;
  }
  out << sev_color << SeverityWord(d.severity) << '[' << CodeName(d.code) << "]" << reset << bold
      << ": " << d.message << reset << '\n';

  auto underline = [&](const source::SourceRange& range, char mark, const std::string& label) {
    const auto& buffer = sources.Get(range.file);
    const auto start = buffer.Position(range.begin);
    const auto stop = buffer.Position(std::max(range.begin, range.end));
    const std::string_view line = buffer.LineText(start.line);
    const std::string gutter = std::to_string(start.line);
    const std::string pad(gutter.size(), ' ');
    out << blue << pad << " |" << reset << '\n';
    out << blue << gutter << " |" << reset << ' ' << line << '\n';
    // Width in code points; a range that spans lines is underlined to the end of its first line.
    size_t line_width = 0;
    for (unsigned char c : line) line_width += (c & 0xC0) != 0x80;
    size_t width = stop.line == start.line ? stop.column - start.column : 0;
    if (stop.line != start.line) width = line_width + 1 - start.column;
    if (width == 0) width = 1;
    out << blue << pad << " |" << reset << ' ' << std::string(start.column - 1, ' ') << sev_color
        << mark << std::string(width - 1, mark == '^' ? '~' : '-');
    if (!label.empty()) out << ' ' << label;
    out << reset << '\n';
  };
  if (d.range) underline(*d.range, '^', d.primary_label);
  for (const auto& label : d.labels) {
    if (label.range.file >= sources.size()) continue;
    const auto& buffer = sources.Get(label.range.file);
    const auto pos = buffer.Position(label.range.begin);
    out << blue << "  --> " << reset << buffer.path() << ':' << pos.line << ':' << pos.column
        << '\n';
    underline(label.range, '-', label.message);
  }
  for (const auto& note : d.notes)
    out << blue << "  = " << reset << bold << "note" << reset << ": " << note << '\n';
  for (const auto& help : d.helps)
    out << blue << "  = " << reset << bold << "help" << reset << ": " << help << '\n';
  return out.str();
}

std::string RenderJson(const std::vector<Diagnostic>& diagnostics,
                       const source::SourceManager& sources) {
  auto range_json = [&](const source::SourceRange& r) {
    const auto& buffer = sources.Get(r.file);
    const auto a = buffer.Position(r.begin);
    const auto b = buffer.Position(r.end);
    return nlohmann::ordered_json{{"file", buffer.path()},
                                  {"line", a.line},
                                  {"column", a.column},
                                  {"end_line", b.line},
                                  {"end_column", b.column}};
  };
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& d : diagnostics) {
    nlohmann::ordered_json j;
    j["code"] = CodeName(d.code);
    j["severity"] = SeverityWord(d.severity);
    j["message"] = d.message;
    if (d.range) {
      j["location"] = range_json(*d.range);
      if (!d.primary_label.empty()) j["label"] = d.primary_label;
    } else {
      j["location"] = {{"file", d.file_path}};
    }
    auto labels = nlohmann::ordered_json::array();
    for (const auto& l : d.labels) {
      labels.push_back({{"location", range_json(l.range)}, {"message", l.message}});
    }
    j["labels"] = labels;
    j["help"] = d.helps;
    j["notes"] = d.notes;
    list.push_back(std::move(j));
  }
  return list.dump(2) + "\n";
}

std::string RenderSarif(const std::vector<Diagnostic>& diagnostics,
                        const source::SourceManager& sources) {
  using json = nlohmann::ordered_json;
  auto region = [&](const source::SourceRange& r) {
    const auto& buffer = sources.Get(r.file);
    const auto a = buffer.Position(r.begin);
    const auto b = buffer.Position(r.end);
    return json{{"startLine", a.line},
                {"startColumn", a.column},
                {"endLine", b.line},
                {"endColumn", b.column}};
  };
  auto location = [&](const source::SourceRange& r, const std::string& message) {
    json loc{
        {"physicalLocation",
         {{"artifactLocation", {{"uri", sources.Get(r.file).path()}}}, {"region", region(r)}}}};
    if (!message.empty()) loc["message"] = {{"text", message}};
    return loc;
  };
  json rules = json::array();
  std::vector<Code> seen;
  json results = json::array();
  for (const auto& d : diagnostics) {
    if (std::find(seen.begin(), seen.end(), d.code) == seen.end()) {
      seen.push_back(d.code);
      rules.push_back({{"id", CodeName(d.code)},
                       {"shortDescription", {{"text", CodeTitle(d.code)}}},
                       {"helpUri", "docs/diagnostics/" + std::string(CodeName(d.code)) + ".md"}});
    }
    std::string text = d.message;
    for (const auto& help : d.helps) text += "\nhelp: " + help;
    for (const auto& note : d.notes) text += "\nnote: " + note;
    json result{{"ruleId", CodeName(d.code)},
                {"level", d.severity == Severity::kError ? "error" : "warning"},
                {"message", {{"text", text}}}};
    if (d.range) {
      result["locations"] = json::array({location(*d.range, d.primary_label)});
    } else {
      result["locations"] =
          json::array({{{"physicalLocation", {{"artifactLocation", {{"uri", d.file_path}}}}}}});
    }
    if (!d.labels.empty()) {
      json related = json::array();
      for (size_t i = 0; i < d.labels.size(); ++i) {
        json loc = location(d.labels[i].range, d.labels[i].message);
        loc["id"] = i + 1;
        related.push_back(std::move(loc));
      }
      result["relatedLocations"] = std::move(related);
    }
    results.push_back(std::move(result));
  }
  json sarif{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       json::array(
           {{{"tool", {{"driver", {{"name", "syncline"}, {"version", "0.1.0"}, {"rules", rules}}}}},
             {"results", results}}})}};
  return sarif.dump(2) + "\n";
}

}  // namespace syncline::diag
