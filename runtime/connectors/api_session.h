// One authenticated conversation with one CRM account: adds the bearer token, keeps under the
// rate limits, retries what may succeed later, and classifies what failed. Policy (R139-R143,
// spec A13, B1, B8): honour Retry-After; HubSpot 429 by policyName (TEN_SECONDLY_ROLLING ~10 s,
// SECONDLY ~1 s, DAILY stops with kDailyLimit); 5xx, 423 and dropped connections back off
// exponentially with jitter for a bounded number of attempts; exactly one token refresh on 401;
// Salesforce 403 REQUEST_LIMIT_EXCEEDED suspends with kDailyLimit.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

#include "connectors/auth.h"
#include "connectors/error_category.h"
#include "connectors/http/clock.h"
#include "connectors/http/http_client.h"
#include "connectors/http/rate_limiter.h"

namespace syncline::connectors {

enum class Vendor : uint8_t { kHubSpot, kSalesforce };

struct RetryPolicy {
  int max_attempts = 6;  // all attempts of one request, the first included
  int64_t base_backoff_ms = 500;
  int64_t max_backoff_ms = 30'000;
  double jitter = 0.25;  // each wait is multiplied by 1 +- jitter
  int64_t ten_secondly_wait_ms = 10'000;
  int64_t secondly_wait_ms = 1'000;
  int64_t max_retry_after_ms = 120'000;  // longer Retry-After values give up instead
};

struct SessionOptions {
  Vendor vendor = Vendor::kHubSpot;
  std::string base_url;  // HubSpot API root; Salesforce: empty = the token's instance_url
  std::shared_ptr<TokenProvider> auth;
  std::shared_ptr<http::ApiLimits> limits;  // null: no client-side limits
  std::shared_ptr<http::Clock> clock;       // null: SystemClock
  RetryPolicy retry;
  http::ClientOptions http;
  uint64_t jitter_seed = 0;  // 0: random
  // Diagnostics (one line per retry/failure: method, path, status). Never sees headers.
  std::function<void(std::string_view)> log;
};

struct ApiResult {
  http::Response response;
  nlohmann::json body;  // parsed JSON (discarded when not JSON)
  Error error;          // kNone for 2xx, 207, 300, 304
  int attempts = 0;
  // A non-idempotent request failed after it may have reached the server (dropped connection):
  // the caller must read back before trying again.
  bool maybe_applied = false;

  bool ok() const { return error.ok(); }
  int status() const { return static_cast<int>(response.status); }
};

struct CallOptions {
  // False for creates: a dropped connection is not retried blindly (see maybe_applied).
  bool idempotent = true;
  std::string content_type = "application/json";
};

class ApiSession {
 public:
  explicit ApiSession(SessionOptions options);

  // `path` is appended to the base URL unless it already starts with http(s)://.
  ApiResult Call(std::string_view method, std::string_view path, const std::string& body = {},
                 const CallOptions& call = {});
  ApiResult Get(std::string_view path) { return Call("GET", path); }
  ApiResult Send(std::string_view method, std::string_view path, const nlohmann::json& body,
                 const CallOptions& call = {}) {
    return Call(method, path, body.dump(), call);
  }

  // Set once a suspending error happened (kDailyLimit, kBudget, kAuth): every later call fails
  // at once with it, without touching the network (R140, R143).
  // Thread-safe, like Call: a connector may read ahead on a second thread.
  Error suspended() const {
    std::lock_guard lock(suspended_mu_);
    return suspended_;
  }
  void ClearSuspension() { Suspend({}); }
  Vendor vendor() const { return options_.vendor; }
  http::Clock& clock() { return *clock_; }
  const std::shared_ptr<http::ApiLimits>& limits() const { return options_.limits; }
  // The base URL in use (Salesforce: the instance URL once known).
  std::string base_url();
  int64_t calls_made() const { return calls_made_.load(); }

 private:
  int64_t Backoff(int attempt);
  void Log(const std::string& line);
  Error Classify(const http::Response& response, const nlohmann::json& body) const;
  void Suspend(const Error& e) {
    std::lock_guard lock(suspended_mu_);
    suspended_ = e;
  }

  SessionOptions options_;
  std::shared_ptr<http::Clock> clock_;
  http::Client client_;
  std::mt19937_64 rng_;
  std::mutex rng_mu_;
  mutable std::mutex suspended_mu_;
  std::mutex log_mu_;
  Error suspended_;
  std::atomic<int64_t> calls_made_{0};
};

// Classifies one vendor error (a HubSpot error object or a Salesforce error array item) by its
// code and message, for per-record results too.
ErrorCategory ClassifyHubSpotError(int http_status, const nlohmann::json& error);
ErrorCategory ClassifySalesforceCode(std::string_view code);

}  // namespace syncline::connectors
