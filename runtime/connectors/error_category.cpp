#include "connectors/error_category.h"

#include <array>
#include <utility>

namespace syncline::connectors {

namespace {
constexpr std::array<std::pair<ErrorCategory, std::string_view>, 14> kNames = {{
    {ErrorCategory::kNone, "none"},
    {ErrorCategory::kValidation, "validation"},
    {ErrorCategory::kPicklist, "picklist"},
    {ErrorCategory::kRequired, "required"},
    {ErrorCategory::kDuplicate, "duplicate"},
    {ErrorCategory::kPermission, "permission"},
    {ErrorCategory::kNotFound, "not-found"},
    {ErrorCategory::kRateLimit, "rate-limit"},
    {ErrorCategory::kServer, "server"},
    {ErrorCategory::kAuth, "auth"},
    {ErrorCategory::kDailyLimit, "daily-limit"},
    {ErrorCategory::kBudget, "budget"},
    {ErrorCategory::kAssociation, "association"},
    {ErrorCategory::kOther, "other"},
}};
}  // namespace

std::string_view CategoryName(ErrorCategory category) {
  for (const auto& [c, name] : kNames)
    if (c == category) return name;
  return "other";
}

ErrorCategory CategoryFromName(std::string_view name) {
  for (const auto& [c, n] : kNames)
    if (n == name) return c;
  return ErrorCategory::kOther;
}

bool IsTransient(ErrorCategory category) {
  return category == ErrorCategory::kServer || category == ErrorCategory::kRateLimit;
}

bool IsSuspending(ErrorCategory category) {
  return category == ErrorCategory::kDailyLimit || category == ErrorCategory::kBudget ||
         category == ErrorCategory::kAuth;
}

}  // namespace syncline::connectors
