// The typed rule IR: what the checked module means, as functions of blocks with explicit
// blank and failure paths. Lowered from sema's CheckedModule (ir::Lower); read by the
// reference interpreter (interpreter.h) and by LLVM codegen. No AST pointers survive here:
// source positions are indices into the module's location table.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/sema/check.h"
#include "runtime/record/record.h"

namespace syncline::ir {

// Registers are mutable slots of a function (not SSA): the arms of `if`, `match`, `??` and
// `otherwise` write the same register. Every native call may fail; `on_fail` is the block
// its failure goes to (an `otherwise` handler, or the function's propagating block).
enum class Op : uint8_t {
  kConst,   // dst = constants[imm]
  kInput,   // dst = symbol(record[imm]): a source slot converted from the API's shape
  kParam,   // dst = params[imm]
  kCopy,    // dst = args[0]
  kNative,  // dst = symbol(args...)
  kCall,    // dst = functions[imm](args...)
  // Terminators.
  kJump,         // -> t1
  kBranch,       // args[0] is true -> t1, else (false or blank) -> t2
  kBranchBlank,  // args[0] is blank -> t1, else -> t2
  kReturn,       // return args[0]
  kSkip,         // return "do not write this field"
  kRaise,        // fail with `code`, strings[imm] (+ the rendering of args[0], if any)
  kFail,         // propagate the failure in flight
};

struct Inst {
  Op op = Op::kJump;
  int dst = -1;
  std::vector<int> args;
  int imm = 0;
  int code = 0;        // kRaise: diagnostic number (603 for E0603)
  std::string symbol;  // kInput, kNative: the native (runtime/record NativeSymbols)
  int on_fail = -1;    // kInput, kNative, kCall
  int t1 = -1, t2 = -1;
  int loc = -1;  // index into Module::locations, -1 if none
  bool IsTerminator() const { return op >= Op::kJump; }
};

struct Block {
  std::vector<Inst> insts;
};

enum class FunctionKind { kUserFn, kTable, kConst, kInclude, kMapping };

// A function takes the source record (slots) and its parameters and returns one value:
// a result, SL_SKIP (kSkip) or SL_FAIL (kRaise / kFail). Block 0 is the entry.
struct Function {
  std::string name;
  FunctionKind kind = FunctionKind::kUserFn;
  int params = 0;
  int regs = 0;
  std::vector<Block> blocks;
};

struct Constant {
  uint8_t tag = SL_BLANK;  // SL_BLANK .. SL_DATETIME
  std::string text;
  int64_t i = 0;
  double num = 0;
};

// One transform: a sync in one direction for one Salesforce object. Its layout fixes the
// input and output slots; `outputs[k]` is written by function `mappings[k]`.
struct Entry {
  std::string name;  // "contacts to salesforce.Lead", "contacts to hubspot from salesforce.Lead"
  std::string sync;
  rt::Crm to = rt::Crm::kSalesforce;
  std::string salesforce_object;
  bool is_default = false;  // the sync's create target (to Salesforce) or first object
  rt::Layout layout;
  std::vector<rt::Kind> input_kinds;  // per input slot
  std::vector<rt::Kind> output_kinds;
  int include = -1;
  std::vector<int> mappings;
  // Per output slot: the index of its mapping line in the sync (sema::CheckedSync::mappings),
  // so the runtime can apply that line's sync rule to the value.
  std::vector<int> output_mappings;
};

struct Module {
  std::vector<Constant> constants;
  std::vector<std::string> strings;    // kRaise messages
  std::vector<std::string> locations;  // "contacts.sync:12:5"
  std::vector<Function> functions;
  std::vector<Entry> entries;
  // Segment names that `in_segment` is called with as a literal, and whether any call names a
  // segment by a computed value (then the runtime must read every list).
  std::vector<std::string> segment_names;
  bool dynamic_segments = false;
  // The entry for a sync, direction and Salesforce object (empty: the sync's create target
  // when writing to Salesforce, its first object when reading from it), or -1.
  int FindEntry(const std::string& sync, rt::Crm to, const std::string& salesforce_object) const;
};

// The `sync` name of the entry of the module's `index`-th `activities to salesforce.X` block
// (CheckedModule::activities): its inputs are the activity pseudo-fields (type, title, body,
// timestamp), its outputs the fields of X. Look it up with FindEntry(name, kSalesforce, X).
std::string ActivitiesEntryName(size_t index);

// The `sync` name of the entry of the module's `index`-th workflow (CheckedModule::workflows):
// its inputs are the enrolled contact's properties, its include function the workflow's `if`,
// its outputs the fields of the task it creates (none without a `create`). Look it up with
// FindEntry(name, kSalesforce, "Task").
std::string WorkflowEntryName(size_t index);
// A workflow's `set hubspot.X { ... }` (R135) has an entry of its own towards HubSpot, under the
// workflow's name: FindEntry(WorkflowEntryName(i), kHubSpot, WorkflowSetEntryObject("companies")).
// Its outputs are the properties it sets, in HubSpot's shape.
std::string WorkflowSetEntryObject(const std::string& hubspot_object);

// Lowers every sync of a checked module: both directions the sync allows, one entry per
// Salesforce object; then one entry per activities block. `sources` gives source locations (rules
// and imported std modules).
std::unique_ptr<Module> Lower(const sema::CheckedModule& module,
                              const source::SourceManager& sources);

// `--emit=ir`: deterministic text.
std::string Print(const Module& module);

// Structural checks (terminators, block and register indices, known natives, arities).
// Returns the problems found; empty when the module is well formed.
std::vector<std::string> Verify(const Module& module);

}  // namespace syncline::ir
