// HubSpot webhook request signatures, version 3 (API spec A14): the header
// `X-HubSpot-Signature-v3` carries base64(HMAC-SHA256(client secret, method + URI + raw body +
// timestamp)), where the timestamp is `X-HubSpot-Request-Timestamp` (epoch ms, as sent) and the
// URI is the full target URL the request was sent to (scheme, host, port, path and query).
// The HubSpot sandbox signs its webhook deliveries with HubSpotSignatureV3(); a receiver (the
// connector, a test) checks them with VerifyHubSpotSignatureV3(). Crypto is OpenSSL's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace syncline::sandbox {

// The v3 signature (base64 text) of one request.
std::string HubSpotSignatureV3(std::string_view client_secret, std::string_view method,
                               std::string_view uri, std::string_view body,
                               std::string_view timestamp);

enum class SignatureCheck {
  kValid,
  kMissing,       // no signature or no timestamp header
  kBadTimestamp,  // the timestamp is not a number of milliseconds
  kStale,         // more than max_age_ms away from now (older, or that far in the future)
  kMismatch,      // the signature does not match the request
};
const char* ToString(SignatureCheck check);

inline constexpr int64_t kHubSpotSignatureMaxAgeMs = 5 * 60 * 1000;

// Checks one received request. `timestamp` and `signature` are the raw header values;
// `now_ms` is the receiver's clock. Requests whose timestamp is more than `max_age_ms` from
// `now_ms` are refused (HubSpot: reject anything older than 5 minutes), so a captured request
// cannot be replayed later. The comparison runs in constant time.
SignatureCheck VerifyHubSpotSignatureV3(std::string_view client_secret, std::string_view method,
                                        std::string_view uri, std::string_view body,
                                        std::string_view timestamp, std::string_view signature,
                                        int64_t now_ms,
                                        int64_t max_age_ms = kHubSpotSignatureMaxAgeMs);

}  // namespace syncline::sandbox
