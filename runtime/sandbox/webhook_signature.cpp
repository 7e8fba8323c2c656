// HMAC-SHA256 and base64 come from OpenSSL (libssl-dev); nothing here is hand-written crypto.
#include "sandbox/webhook_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <string>
#include <vector>

namespace syncline::sandbox {

std::string HubSpotSignatureV3(std::string_view client_secret, std::string_view method,
                               std::string_view uri, std::string_view body,
                               std::string_view timestamp) {
  std::string message;
  message.reserve(method.size() + uri.size() + body.size() + timestamp.size());
  message.append(method).append(uri).append(body).append(timestamp);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (!HMAC(EVP_sha256(), client_secret.data(), static_cast<int>(client_secret.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_len))
    return "";
  // EVP_EncodeBlock writes 4 characters per 3 input bytes plus a terminating NUL.
  std::vector<unsigned char> out(4 * ((mac_len + 2) / 3) + 1);
  int n = EVP_EncodeBlock(out.data(), mac, static_cast<int>(mac_len));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<size_t>(n));
}

const char* ToString(SignatureCheck check) {
  switch (check) {
    case SignatureCheck::kValid:
      return "valid";
    case SignatureCheck::kMissing:
      return "missing signature or timestamp";
    case SignatureCheck::kBadTimestamp:
      return "malformed timestamp";
    case SignatureCheck::kStale:
      return "timestamp outside the allowed window";
    case SignatureCheck::kMismatch:
      return "signature mismatch";
  }
  return "?";
}

SignatureCheck VerifyHubSpotSignatureV3(std::string_view client_secret, std::string_view method,
                                        std::string_view uri, std::string_view body,
                                        std::string_view timestamp, std::string_view signature,
                                        int64_t now_ms, int64_t max_age_ms) {
  if (signature.empty() || timestamp.empty()) return SignatureCheck::kMissing;
  int64_t ts = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (ec != std::errc() || end != timestamp.data() + timestamp.size())
    return SignatureCheck::kBadTimestamp;
  int64_t age = now_ms - ts;
  if (age > max_age_ms || age < -max_age_ms) return SignatureCheck::kStale;
  std::string expected = HubSpotSignatureV3(client_secret, method, uri, body, timestamp);
  if (expected.empty() || expected.size() != signature.size() ||
      CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) != 0)
    return SignatureCheck::kMismatch;
  return SignatureCheck::kValid;
}

}  // namespace syncline::sandbox
