#include "sandbox/clock.h"

#include <chrono>

namespace syncline::sandbox {

int64_t Clock::NowMs() const {
  std::lock_guard lock(mu_);
  if (fixed_) return fixed_ms_;
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(now).count() + offset_ms_;
}

void Clock::SetFixed(int64_t ms) {
  std::lock_guard lock(mu_);
  fixed_ = true;
  fixed_ms_ = ms;
}

void Clock::Advance(int64_t delta_ms) {
  std::lock_guard lock(mu_);
  if (fixed_) {
    fixed_ms_ += delta_ms;
  } else {
    offset_ms_ += delta_ms;
  }
}

void Clock::UseReal() {
  std::lock_guard lock(mu_);
  fixed_ = false;
  offset_ms_ = 0;
}

bool Clock::fixed() const {
  std::lock_guard lock(mu_);
  return fixed_;
}

}  // namespace syncline::sandbox
