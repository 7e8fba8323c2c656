// sl_ctx: the per-batch arena, the failure in flight and the portal's lifecycle stages.
#include <cstring>
#include <string>
#include <vector>

#include "lifecycle/lifecycle_stages.h"
#include "runtime/record/record.h"

struct sl_ctx {
  static constexpr size_t kBlock = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks;  // kBlock each; the last one is filling
  std::vector<std::unique_ptr<char[]>> big;     // strings too large for a block
  size_t used = kBlock;                         // of the last block; forces a first allocation
  sl_failure failure{0, -1, nullptr, 0};
  const syncline::stdlib::lifecycle::LifecycleStages* stages = nullptr;  // null: defaults

  char* Alloc(size_t n) {
    if (n > kBlock / 4) {
      big.push_back(std::make_unique<char[]>(n));
      return big.back().get();
    }
    if (blocks.empty() || used + n > kBlock) {
      blocks.push_back(std::make_unique<char[]>(kBlock));
      used = 0;
    }
    char* p = blocks.back().get() + used;
    used += n;
    return p;
  }
};

extern "C" {

char* sl_arena_alloc(sl_ctx* ctx, size_t n) noexcept {
  return ctx->Alloc(n == 0 ? 1 : n);
}

void sl_fail_at(sl_ctx* ctx, int32_t loc) noexcept {
  if (ctx->failure.loc < 0) ctx->failure.loc = loc;
}

void sl_fail(sl_ctx* ctx, int32_t code, const char* msg, uint32_t msg_len, int32_t loc) noexcept {
  char* copy = ctx->Alloc(msg_len);
  std::memcpy(copy, msg, msg_len);
  ctx->failure = {code, loc, copy, msg_len};
}

void sl_raise(sl_ctx* ctx, sl_value* out, int32_t code, const char* msg, uint32_t msg_len,
              const sl_value* detail, int32_t loc) noexcept {
  std::string text(msg, msg_len);
  if (detail) {
    text += detail->tag == SL_BLANK  ? "blank"
            : detail->tag == SL_TEXT ? "\"" + syncline::rt::Render(*detail) + "\""
                                     : syncline::rt::Render(*detail);
  }
  sl_fail(ctx, code, text.data(), static_cast<uint32_t>(text.size()), loc);
  *out = sl_value{};
  out->tag = SL_FAIL;
}

void sl_take_failure(sl_ctx* ctx, sl_failure* out) noexcept {
  *out = ctx->failure;
}

}  // extern "C"

namespace syncline::rt {

BatchContext::BatchContext() : ctx_(std::make_unique<sl_ctx>()) {}
BatchContext::~BatchContext() = default;

void BatchContext::Reset() {
  ctx_->big.clear();
  if (ctx_->blocks.size() > 1) ctx_->blocks.resize(1);
  ctx_->used = ctx_->blocks.empty() ? sl_ctx::kBlock : 0;
  ctx_->failure = {0, -1, nullptr, 0};
}

std::string_view BatchContext::Copy(std::string_view s) {
  char* p = ctx_->Alloc(s.size() == 0 ? 1 : s.size());
  std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

const sl_failure& BatchContext::failure() const {
  return ctx_->failure;
}

void BatchContext::SetLifecycleStages(const stdlib::lifecycle::LifecycleStages* stages) {
  ctx_->stages = stages;
}

const stdlib::lifecycle::LifecycleStages& LifecycleStagesOf(const sl_ctx* ctx) {
  return ctx && ctx->stages ? *ctx->stages : stdlib::lifecycle::LifecycleStages::hubspot_defaults();
}

bool HasPortalLifecycleStages(const sl_ctx* ctx) {
  return ctx && ctx->stages;
}

}  // namespace syncline::rt
