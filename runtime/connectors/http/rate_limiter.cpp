#include "connectors/http/rate_limiter.h"

#include <chrono>
#include <thread>

namespace syncline::connectors::http {

int64_t SystemClock::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SystemClock::SleepMs(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

ApiLimits::ApiLimits(LimitOptions options) : options_(options) {}

void ApiLimits::RollDay(int64_t now_ms) {
  int64_t day = now_ms / 86'400'000;
  if (day != day_) {
    day_ = day;
    used_ = 0;
  }
}

int64_t ApiLimits::WindowWaitMs(int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (options_.window_max <= 0) return 0;
  while (!window_.empty() && window_.front() <= now_ms - options_.window_ms) window_.pop_front();
  if (static_cast<int>(window_.size()) < options_.window_max) return 0;
  return window_.front() + options_.window_ms - now_ms;
}

bool ApiLimits::Acquire(Clock& clock) {
  for (;;) {
    int64_t now = clock.NowMs();
    int64_t wait = WindowWaitMs(now);
    if (wait > 0) {
      clock.SleepMs(wait);
      continue;
    }
    std::lock_guard lock(mu_);
    RollDay(now);
    if (options_.daily_cap > 0 && used_ >= options_.daily_cap) return false;
    ++used_;
    if (options_.window_max > 0) window_.push_back(now);
    return true;
  }
}

void ApiLimits::ObserveOrgUsage(int64_t used, int64_t max) {
  std::lock_guard lock(mu_);
  org_used_ = used;
  org_max_ = max;
}

std::optional<std::pair<int64_t, int64_t>> ApiLimits::org_usage() const {
  std::lock_guard lock(mu_);
  if (org_max_ < 0) return std::nullopt;
  return std::make_pair(org_used_, org_max_);
}

bool ApiLimits::AllowErrorRetries(int64_t now_ms) {
  std::lock_guard lock(mu_);
  RollDay(now_ms);
  if (options_.daily_cap > 0)
    return static_cast<double>(used_) <
           options_.retry_stop_fraction * static_cast<double>(options_.daily_cap);
  return used_ < options_.no_cap_retry_stop;
}

int64_t ApiLimits::used_today(int64_t now_ms) {
  std::lock_guard lock(mu_);
  RollDay(now_ms);
  return used_;
}

std::optional<std::pair<int64_t, int64_t>> ParseSforceLimitInfo(const std::string& header) {
  auto pos = header.find("api-usage=");
  if (pos == std::string::npos) return std::nullopt;
  pos += 10;
  auto slash = header.find('/', pos);
  if (slash == std::string::npos) return std::nullopt;
  auto end = header.find_first_not_of("0123456789", slash + 1);
  try {
    int64_t used = std::stoll(header.substr(pos, slash - pos));
    int64_t max =
        std::stoll(header.substr(slash + 1, end == std::string::npos ? end : end - slash - 1));
    return std::make_pair(used, max);
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace syncline::connectors::http
