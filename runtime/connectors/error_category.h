// Categories of connector and per-record errors. The engine files sync errors under these (R146,
// R147), decides what to retry, and stops a run on the suspending ones (R143, R149). Both the
// HTTP layer and the connectors classify vendor errors into this one list.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace syncline::connectors {

enum class ErrorCategory : uint8_t {
  kNone,
  kValidation,   // bad value format, too long, unknown field (R147 property-value errors)
  kPicklist,     // value absent from a (restricted) picklist (R147)
  kRequired,     // a required field is missing (R147)
  kDuplicate,    // duplicate rules / unique values, HubSpot 409 (R146)
  kPermission,   // missing scope / field or object access (R146, R148)
  kNotFound,     // the record does not exist or was deleted
  kRateLimit,    // a short-term limit was hit and retries ran out (HubSpot 10 s / secondly)
  kServer,       // 5xx or a dropped connection after every retry
  kAuth,         // 401 after one refresh, or the token endpoint refused
  kDailyLimit,   // HubSpot DAILY, Salesforce REQUEST_LIMIT_EXCEEDED: suspend (R140, R143)
  kBudget,       // Syncline's own allocated cap is used up (R139, R142)
  kAssociation,  // association limits, waiting for a parent record (R146)
  kOther,
};

// "validation", "picklist", ... (stable: stored in the state store and shown to users).
std::string_view CategoryName(ErrorCategory category);
ErrorCategory CategoryFromName(std::string_view name);

// Whether a later retry of the same request may succeed (server, rate limit).
bool IsTransient(ErrorCategory category);
// Whether the whole integration must stop until limits reset or an admin acts (R143, R149).
bool IsSuspending(ErrorCategory category);

// An error of one call or one record: category plus the vendor's code and message.
struct Error {
  ErrorCategory category = ErrorCategory::kNone;
  std::string code;     // vendor code: "INVALID_OPTION", "REQUIRED_FIELD_MISSING", "CONFLICT"
  std::string message;  // vendor message (never holds a secret)
  int http_status = 0;

  bool ok() const { return category == ErrorCategory::kNone; }
};

}  // namespace syncline::connectors
