// Timestamp formats of the two vendors: HubSpot's ISO-8601 `...T..:..:...sssZ`, Salesforce's
// `...T..:..:...sss+0000` and `YYYY-MM-DD` dates, plus a lenient parser for what clients send
// (ISO with Z or an offset, dates, epoch milliseconds).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace syncline::sandbox {

std::string FormatIsoMs(int64_t ms);       // 2019-10-30T03:30:17.883Z
std::string FormatSfDateTime(int64_t ms);  // 2019-10-30T03:30:17.883+0000
std::string FormatDate(int64_t ms);        // 2019-10-30
// ISO date or datetime (Z, +HH:MM, +HHMM or no zone = UTC), fractional seconds optional.
std::optional<int64_t> ParseIsoTime(std::string_view text);
// As ParseIsoTime, but also accepts an all-digit string as epoch milliseconds.
std::optional<int64_t> ParseTimeOrEpochMs(std::string_view text);
int64_t DaysFromCivil(int y, unsigned m, unsigned d);
constexpr int64_t kDayMs = 86'400'000;

}  // namespace syncline::sandbox
