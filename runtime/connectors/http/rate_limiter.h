// Client-side API budgets (R139-R143, spec A13, B8): a rolling window (HubSpot's 10-second
// burst limit), a per-day call cap (HubSpot's daily budget; the calls allocated to Syncline out
// of the Salesforce org's daily allowance) and the org usage Salesforce reports in
// Sforce-Limit-Info. One ApiLimits is shared by every session that talks to one account.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "connectors/http/clock.h"

namespace syncline::connectors::http {

struct LimitOptions {
  // Rolling window: at most window_max calls in any window_ms (0 = no window). Keep it a little
  // under the vendor's number so other apps of the portal still get calls.
  int window_max = 0;
  int64_t window_ms = 10'000;
  // Calls Syncline may make per UTC day (0 = no cap of its own).
  int64_t daily_cap = 0;
  // R142: error retries stop past this fraction of daily_cap, or past no_cap_retry_stop calls
  // in a day when there is no cap.
  double retry_stop_fraction = 0.75;
  int64_t no_cap_retry_stop = 5'000;
};

class ApiLimits {
 public:
  explicit ApiLimits(LimitOptions options = {});

  // Before a call: waits (through `clock`) for a free slot of the window, then counts the call.
  // False when the daily cap is used up: the caller must not make the call (R139).
  bool Acquire(Clock& clock);
  // Milliseconds until the window has a free slot (0 = now).
  int64_t WindowWaitMs(int64_t now_ms);

  // Sforce-Limit-Info "api-usage=N/M" of the last response.
  void ObserveOrgUsage(int64_t used, int64_t max);
  std::optional<std::pair<int64_t, int64_t>> org_usage() const;

  // R142: whether failed records (and failed calls) may still be retried today.
  bool AllowErrorRetries(int64_t now_ms);
  int64_t used_today(int64_t now_ms);
  const LimitOptions& options() const { return options_; }

 private:
  void RollDay(int64_t now_ms);

  LimitOptions options_;
  mutable std::mutex mu_;
  std::deque<int64_t> window_;
  int64_t day_ = -1;
  int64_t used_ = 0;
  int64_t org_used_ = -1, org_max_ = -1;
};

// Parses "api-usage=10018/100000; api-bursts=1/750" into {10018, 100000}.
std::optional<std::pair<int64_t, int64_t>> ParseSforceLimitInfo(const std::string& header);

}  // namespace syncline::connectors::http
