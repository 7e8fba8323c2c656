#include "connectors/api_session.h"

#include <algorithm>
#include <cmath>

#include "connectors/fast_json.h"

namespace syncline::connectors {

using nlohmann::json;

namespace {

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string JsonText(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

// Path and status only: query strings can be long (SOQL) but hold no secret; headers are never
// logged.
std::string Describe(std::string_view method, const std::string& url) {
  auto scheme = url.find("://");
  auto path = scheme == std::string::npos ? 0 : url.find('/', scheme + 3);
  std::string p = path == std::string::npos ? "/" : url.substr(path);
  if (p.size() > 160) p = p.substr(0, 160) + "...";
  return std::string(method) + " " + p;
}

}  // namespace

ErrorCategory ClassifyHubSpotError(int http_status, const json& error) {
  std::string category = JsonText(error, "category");
  std::string message = JsonText(error, "message");
  if (http_status == 409 || category == "CONFLICT") return ErrorCategory::kDuplicate;
  if (http_status == 404 || category == "OBJECT_NOT_FOUND") return ErrorCategory::kNotFound;
  if (http_status == 401 || category == "INVALID_AUTHENTICATION") return ErrorCategory::kAuth;
  if (http_status == 403 || category == "MISSING_SCOPES") return ErrorCategory::kPermission;
  if (http_status == 429 || category == "RATE_LIMITS") return ErrorCategory::kRateLimit;
  if (http_status >= 500 || category == "INTERNAL_ERROR") return ErrorCategory::kServer;
  if (Contains(message, "INVALID_OPTION")) return ErrorCategory::kPicklist;
  if (Contains(message, "REQUIRED") || Contains(message, "required"))
    return ErrorCategory::kRequired;
  if (Contains(message, "ASSOCIATION") || Contains(message, "association"))
    return ErrorCategory::kAssociation;
  if (http_status == 400 || category == "VALIDATION_ERROR") return ErrorCategory::kValidation;
  return ErrorCategory::kOther;
}

ErrorCategory ClassifySalesforceCode(std::string_view code) {
  if (code == "REQUIRED_FIELD_MISSING") return ErrorCategory::kRequired;
  if (code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" || code == "FIELD_INTEGRITY_EXCEPTION" ||
      code == "INVALID_STATE_OR_COUNTRY")
    return ErrorCategory::kPicklist;
  if (code == "DUPLICATE_VALUE" || code == "DUPLICATES_DETECTED" || code == "DUPLICATE_EXTERNAL_ID")
    return ErrorCategory::kDuplicate;
  if (Contains(code, "INSUFFICIENT_ACCESS") || code == "API_DISABLED_FOR_ORG" ||
      code == "API_CURRENTLY_DISABLED" || code == "INVALID_TYPE_FOR_OPERATION")
    return ErrorCategory::kPermission;
  if (code == "NOT_FOUND" || code == "ENTITY_IS_DELETED") return ErrorCategory::kNotFound;
  if (code == "INVALID_CROSS_REFERENCE_KEY") return ErrorCategory::kAssociation;
  if (code == "REQUEST_LIMIT_EXCEEDED") return ErrorCategory::kDailyLimit;
  if (code == "INVALID_SESSION_ID") return ErrorCategory::kAuth;
  if (code == "UNKNOWN_EXCEPTION" || code == "ALL_OR_NONE_OPERATION_ROLLED_BACK" ||
      code == "SERVER_UNAVAILABLE" || code == "UNABLE_TO_LOCK_ROW")
    return ErrorCategory::kServer;
  if (code.empty()) return ErrorCategory::kOther;
  return ErrorCategory::kValidation;
}

ApiSession::ApiSession(SessionOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? options_.clock : std::make_shared<http::SystemClock>()),
      client_(options_.http),
      rng_(options_.jitter_seed ? options_.jitter_seed : std::random_device{}()) {}

void ApiSession::Log(const std::string& line) {
  std::lock_guard lock(log_mu_);  // the callback need not be thread-safe
  if (options_.log) options_.log(line);
}

std::string ApiSession::base_url() {
  if (!options_.base_url.empty()) return options_.base_url;
  return options_.auth ? options_.auth->instance_url() : "";
}

int64_t ApiSession::Backoff(int attempt) {
  double wait = static_cast<double>(options_.retry.base_backoff_ms) * std::pow(2.0, attempt - 1);
  wait = std::min(wait, static_cast<double>(options_.retry.max_backoff_ms));
  std::lock_guard lock(rng_mu_);
  std::uniform_real_distribution<double> d(1 - options_.retry.jitter, 1 + options_.retry.jitter);
  return static_cast<int64_t>(wait * d(rng_));
}

Error ApiSession::Classify(const http::Response& r, const json& body) const {
  Error e;
  e.http_status = static_cast<int>(r.status);
  if (r.status == 0) {
    e.category = ErrorCategory::kServer;
    e.code = r.timed_out ? "TIMEOUT" : "CONNECTION";
    e.message = r.transport_error;
    return e;
  }
  if (options_.vendor == Vendor::kHubSpot) {
    e.category = ClassifyHubSpotError(e.http_status, body);
    e.code = JsonText(body, "category");
    e.message = JsonText(body, "message");
    if (r.status == 429 && JsonText(body, "policyName") == "DAILY") {
      e.category = ErrorCategory::kDailyLimit;
      e.code = "DAILY";
    }
  } else {
    const json first = body.is_array() && !body.empty() ? body[0] : body;
    e.code = JsonText(first, "errorCode");
    e.message = JsonText(first, "message");
    e.category = ClassifySalesforceCode(e.code);
    // Too many concurrent long requests is short-lived, unlike the daily allowance.
    if (e.code == "REQUEST_LIMIT_EXCEEDED" && Contains(e.message, "ConcurrentPerOrgLongTxn"))
      e.category = ErrorCategory::kRateLimit;
    if (r.status >= 500) e.category = ErrorCategory::kServer;
    if (r.status == 404 && e.code.empty()) e.category = ErrorCategory::kNotFound;
    if (r.status == 401) e.category = ErrorCategory::kAuth;
  }
  if (e.message.empty()) e.message = "HTTP " + std::to_string(r.status);
  return e;
}

ApiResult ApiSession::Call(std::string_view method, std::string_view path, const std::string& body,
                           const CallOptions& call) {
  ApiResult result;
  if (Error e = suspended(); !e.ok()) {
    result.error = e;
    return result;
  }
  std::string url(path);
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) url = base_url() + url;
  const std::string what = Describe(method, url);
  bool refreshed = false;
  int transient_failures = 0;
  for (;;) {
    std::string token;
    if (options_.auth) {
      if (Error e = options_.auth->Token(&token); !e.ok()) {
        result.error = e;
        Suspend(e);
        return result;
      }
    }
    if (options_.limits && !options_.limits->Acquire(*clock_)) {
      result.error = {ErrorCategory::kBudget, "BUDGET",
                      "the daily API calls allocated to Syncline are used up", 0};
      Suspend(result.error);
      return result;
    }
    http::Request req;
    req.method = std::string(method);
    req.url = url;
    req.headers.emplace_back("Accept", "application/json");
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty()) {
      req.headers.emplace_back("Content-Type", call.content_type);
      req.body = body;
    }
    result.response = client_.Perform(req);
    ++result.attempts;
    ++calls_made_;
    const http::Response& r = result.response;
    if (const std::string* info = r.Header("sforce-limit-info"); info && options_.limits) {
      if (auto usage = http::ParseSforceLimitInfo(*info))
        options_.limits->ObserveOrgUsage(usage->first, usage->second);
    }
    result.body = ParseJson(r.body);
    if (result.body.is_discarded()) result.body = json();
    if (r.status >= 200 && r.status < 400) {
      result.error = {};
      return result;
    }
    result.error = Classify(r, result.body);
    if (r.status == 401 && options_.auth && !refreshed) {
      refreshed = true;
      Log(what + ": 401, refreshing the token once");
      if (Error e = options_.auth->Refresh(); !e.ok()) {
        result.error = e;
        Suspend(e);
        return result;
      }
      continue;
    }
    if (r.status == 401) {
      Suspend(result.error);
      return result;
    }
    if (result.error.category == ErrorCategory::kDailyLimit) {
      Log(what + ": daily API limit reached; suspending");
      Suspend(result.error);
      return result;
    }
    // What may succeed later, and how long to wait first.
    int64_t wait = -1;
    bool transport = r.status == 0;
    if (r.status == 429 || (r.status == 403 && result.error.code == "REQUEST_LIMIT_EXCEEDED")) {
      std::string policy = JsonText(result.body, "policyName");
      wait = policy == "SECONDLY" ? options_.retry.secondly_wait_ms
                                  : options_.retry.ten_secondly_wait_ms;
    } else if (r.status >= 500 || r.status == 423 || transport) {
      if (transport && !call.idempotent) {
        // The request may have been applied; only the caller can tell by reading back.
        result.maybe_applied = true;
        return result;
      }
      ++transient_failures;
      wait = Backoff(transient_failures);
      if (r.status == 423) wait = std::max<int64_t>(wait, 2'000);
    }
    if (wait < 0) return result;  // a permanent error: the caller reports it
    if (const std::string* ra = r.Header("retry-after")) {
      try {
        wait = std::max<int64_t>(0, static_cast<int64_t>(std::stod(*ra) * 1000));
      } catch (...) {
      }
    }
    if (result.attempts >= options_.retry.max_attempts ||
        wait > options_.retry.max_retry_after_ms) {
      Log(what + ": giving up after " + std::to_string(result.attempts) + " attempts (" +
          std::string(CategoryName(result.error.category)) + ")");
      return result;
    }
    // R142: past 75% of the cap, failed calls are not retried any more.
    if (options_.limits && result.error.category == ErrorCategory::kServer &&
        !options_.limits->AllowErrorRetries(clock_->NowMs())) {
      Log(what + ": not retrying, 75% of the daily cap is used (R142)");
      return result;
    }
    Log(what + ": HTTP " + std::to_string(r.status) + ", retrying in " + std::to_string(wait) +
        " ms");
    clock_->SleepMs(wait);
  }
}

}  // namespace syncline::connectors
