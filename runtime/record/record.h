// Records and values at run time, below the compiler: the per-batch arena and failure state
// (`sl_ctx`), the explicit list of native symbols compiled rules may call (operators, input
// and output conversions, std builtins), and the JSON Lines reader and writer that turn API
// records into slot arrays and back. Both engines call these same natives, so they agree by
// construction on everything but control flow.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/abi/syncline_abi.h"

namespace syncline::stdlib::lifecycle {
class LifecycleStages;
}

namespace syncline::rt {

// Which API's shapes a record is read or written in.
enum class Crm : uint8_t { kHubSpot, kSalesforce };

// The kinds a slot holds after conversion; also the kinds of target fields.
enum class Kind : uint8_t { kText, kNumber, kInteger, kBool, kDate, kDateTime };
const char* KindName(Kind kind);

// A native function compiled code may call, by symbol. This list is the only way natives
// reach JIT code (no process-wide symbol search).
struct NativeSymbol {
  std::string_view symbol;  // "sl_op_add_int", "sl_std_text_trim"
  sl_native_fn fn;
  int arity;
};
const std::vector<NativeSymbol>& NativeSymbols();
// nullptr if unknown.
const NativeSymbol* FindNative(std::string_view symbol);
// The symbol implementing a std builtin ("std.text.trim" -> "sl_std_text_trim").
std::string BuiltinSymbol(std::string_view builtin_name);
// The symbols of input conversion (raw API value -> kind) and of conversion for writing.
std::string InputSymbol(Crm crm, Kind kind);
std::string OutputSymbol(Kind kind);

// The state of one batch: the arena (strings made while transforming live until Reset), the
// failure being propagated, and the portal's lifecycle stages the std.lifecycle builtins rank
// by (HubSpot's defaults unless set).
class BatchContext {
 public:
  BatchContext();
  ~BatchContext();
  BatchContext(const BatchContext&) = delete;
  BatchContext& operator=(const BatchContext&) = delete;
  sl_ctx* get() { return ctx_.get(); }
  // Frees the batch's strings (keeps the first block, so steady state allocates nothing).
  void Reset();
  std::string_view Copy(std::string_view s);
  const sl_failure& failure() const;
  // The stage list of the portal the records come from or go to (its `lifecyclestage` options
  // by displayOrder); null: HubSpot's defaults. Not owned: it must outlive the batches and the
  // values they produce. Kept across Reset.
  void SetLifecycleStages(const stdlib::lifecycle::LifecycleStages* stages);

 private:
  std::unique_ptr<sl_ctx> ctx_;
};

// The stage list a batch ranks lifecycle stages by: the one set on its BatchContext, else
// HubSpot's defaults.
const stdlib::lifecycle::LifecycleStages& LifecycleStagesOf(const sl_ctx* ctx);
// Whether that list is a portal's own (set on the BatchContext) rather than the defaults.
bool HasPortalLifecycleStages(const sl_ctx* ctx);

// Value helpers shared by the interpreter, the writer and tests.
sl_value Blank();
sl_value Text(std::string_view s);  // empty text is blank
sl_value Number(double d);
sl_value Integer(int64_t i);
sl_value Bool(bool b);
sl_value Date(int32_t days);
sl_value DateTime(int64_t ms);
// Days since 1970-01-01 <-> civil date.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d);
// Interpolation's rendering: blank "", numbers shortest round-trip, dates ISO.
std::string Render(const sl_value& v);

// What the transform reads and writes: slots fixed at compile time.
struct Layout {
  Crm source = Crm::kHubSpot;
  Crm target = Crm::kSalesforce;
  std::string target_object;         // Salesforce `attributes.type`
  std::vector<std::string> inputs;   // source field per input slot
  int segments_slot = -1;            // HubSpot `segments` (joined by '\n'), if read
  std::vector<std::string> outputs;  // target field per output slot
};

// Reads one JSON Lines record into its slots. Raw values keep the API's JSON type (strings
// as TEXT, numbers as INTEGER/NUMBER, booleans, null as BLANK). Returns false with `error` on
// a malformed line or shape.
class RecordReader {
 public:
  explicit RecordReader(const Layout& layout);
  ~RecordReader();
  // Copies the line first, and its strings into the batch arena: `line` may die at return.
  bool Read(std::string_view line, BatchContext& batch, sl_value* slots, std::string& id,
            std::string& error);
  // Parses `line` where it lies, and its strings without escapes stay views into it: the
  // caller keeps the text alive and unchanged until the batch is reset. `capacity` bytes from
  // line.data() are readable, at least line.size() + simdjson's padding (64).
  bool ReadInPlace(std::string_view line, size_t capacity, BatchContext& batch, sl_value* slots,
                   std::string& id, std::string& error);
  // The padding ReadInPlace needs after a line.
  static constexpr size_t kPadding = 64;

 private:
  bool Parse(std::string_view line, size_t capacity, bool borrow, BatchContext& batch,
             sl_value* slots, std::string& id, std::string& error);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Appends one target record as a JSON line ("...}\n").
void WriteRecord(std::string& out, const Layout& layout, const sl_value* outputs);
// Appends one failure as a JSON line.
void WriteFailure(std::string& out, std::string_view id, int line, const sl_failure& failure,
                  std::string_view location);
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace syncline::rt
