// Timestamps as the two CRMs write them: HubSpot ISO-8601 with milliseconds and "Z",
// Salesforce "2013-05-20T20:49:32.000+0000"; both to and from epoch milliseconds (UTC).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace syncline::connectors {

// Accepts "YYYY-MM-DDThh:mm:ss[.fff](Z|+hhmm|+hh:mm)", "YYYY-MM-DD" and all-digit epoch ms.
std::optional<int64_t> ParseTimeMs(std::string_view text);
// "2024-05-06T10:11:12.345Z"
std::string FormatIsoMs(int64_t ms);
// SOQL datetime literal, whole seconds: "2024-05-06T10:11:12Z".
std::string FormatSoqlSeconds(int64_t ms);

}  // namespace syncline::connectors
