// Time for the HTTP layer: what "now" is and how to wait. Retries, rate limiters and token
// expiry read it, so tests inject a clock whose SleepMs only advances time (and can move a
// sandbox's clock along) instead of really sleeping.
#pragma once

#include <cstdint>

namespace syncline::connectors::http {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() = 0;  // Unix epoch milliseconds, UTC
  virtual void SleepMs(int64_t ms) = 0;
};

// Real time and real sleeps.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() override;
  void SleepMs(int64_t ms) override;
};

}  // namespace syncline::connectors::http
