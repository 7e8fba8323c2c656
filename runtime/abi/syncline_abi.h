/* The plain C ABI between compiled rule sets (JIT code or the IR interpreter) and the
 * runtime. Records are arrays of tagged values in field slots fixed at compile time; strings
 * are views into a per-batch arena; a rule set is called on batches; per-record failures come
 * back as values (code, message, rule location), never as C++ exceptions. */
#ifndef SYNCLINE_RUNTIME_ABI_SYNCLINE_ABI_H_
#define SYNCLINE_RUNTIME_ABI_SYNCLINE_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
/* Nothing may unwind through compiled rule code: the runtime's ABI functions never throw. */
#define SL_NOEXCEPT noexcept
extern "C" {
#else
#define SL_NOEXCEPT
#endif

/* Value tags. SL_FAIL marks a failed computation (details in the context); SL_SKIP marks a
 * field the rule chose not to write. Neither ever reaches a CRM. */
enum {
  SL_BLANK = 0,
  SL_TEXT = 1,
  SL_NUMBER = 2,
  SL_INTEGER = 3,
  SL_BOOL = 4,
  SL_DATE = 5,
  SL_DATETIME = 6,
  SL_FAIL = 7,
  SL_SKIP = 8
};

/* 16 bytes. TEXT: `str`/`len` (UTF-8, not NUL-terminated, owned by the batch arena or by
 * the compiled module's constants). NUMBER: `num`. INTEGER/DATETIME (ms since the epoch,
 * UTC)/BOOL (0/1): `i`. DATE: `i` holds days since 1970-01-01. */
typedef struct sl_value {
  uint8_t tag;
  uint8_t pad[3];
  uint32_t len;
  union {
    const char* str;
    double num;
    int64_t i;
  } u;
} sl_value;

/* The failure of one record: a diagnostic code number (603 for E0603), a message in the
 * arena, and the index of the rule's source location in the rule set's location table
 * (-1: none). */
typedef struct sl_failure {
  int32_t code;
  int32_t loc;
  const char* msg;
  uint32_t msg_len;
} sl_failure;

/* Per-batch state: an arena for strings made while transforming, and the failure being
 * propagated. Opaque to compiled code except through the functions below. */
typedef struct sl_ctx sl_ctx;

/* Every operation and builtin has this one shape, so compiled code and the interpreter call
 * the very same native functions: `args` is an array of the operands. A failing operation
 * sets out->tag = SL_FAIL and records the failure in `ctx`. */
typedef void (*sl_native_fn)(sl_ctx* ctx, sl_value* out, const sl_value* args) SL_NOEXCEPT;

/* Marks the current failure with a rule location if it has none yet. */
void sl_fail_at(sl_ctx* ctx, int32_t loc) SL_NOEXCEPT;
/* Sets the current failure (used by `error "message"`). */
void sl_fail(sl_ctx* ctx, int32_t code, const char* msg, uint32_t msg_len, int32_t loc) SL_NOEXCEPT;
/* Fails with `msg` followed by the rendering of `detail` (if not null), at `loc`; sets
 * out->tag = SL_FAIL. Used by `error "..."`, tables without a row and matches without an arm. */
void sl_raise(sl_ctx* ctx, sl_value* out, int32_t code, const char* msg, uint32_t msg_len,
              const sl_value* detail, int32_t loc) SL_NOEXCEPT;
/* Copies the current failure out (to a record's result). */
void sl_take_failure(sl_ctx* ctx, sl_failure* out) SL_NOEXCEPT;
/* Copies bytes into the batch arena. */
char* sl_arena_alloc(sl_ctx* ctx, size_t n) SL_NOEXCEPT;

/* Record results of a batch. */
enum { SL_RECORD_OK = 0, SL_RECORD_DROPPED = 1, SL_RECORD_FAILED = 2 };
typedef struct sl_record_result {
  int32_t status;
  sl_failure failure;
} sl_record_result;

/* A compiled transform: `in` holds n * n_inputs source values (raw, in the source API's
 * shape: HubSpot text, Salesforce JSON types), `out` receives n * n_outputs typed values
 * (SL_SKIP where the rule does not write). */
typedef void (*sl_batch_fn)(sl_ctx* ctx, size_t n, const sl_value* in, sl_value* out,
                            sl_record_result* results);

/* Diagnostic code numbers of record failures (E06xx; see docs/diagnostics/). */
enum {
  SL_E_MALFORMED_INPUT = 601,
  SL_E_BAD_VALUE = 602,
  SL_E_RULE_ERROR = 603,
  SL_E_OVERFLOW = 604,
  SL_E_NO_ROW = 605,
  SL_E_BUILTIN_FAILED = 606,
  SL_E_NOT_BOUND = 607,
  SL_E_CANNOT_WRITE = 608
};

#ifdef __cplusplus
}
#endif

#endif /* SYNCLINE_RUNTIME_ABI_SYNCLINE_ABI_H_ */
