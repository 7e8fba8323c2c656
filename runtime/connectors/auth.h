// Access tokens for the two CRMs. A token comes from a private-app token (HubSpot) held in an
// environment variable, or from an OAuth refresh-token flow (HubSpot POST /oauth/v1/token,
// Salesforce /services/oauth2/token, which also names the instance URL). Secrets are read only
// from environment variables named in config and never appear in errors or logs.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "connectors/error_category.h"
#include "connectors/http/clock.h"
#include "connectors/http/http_client.h"

namespace syncline::connectors {

class TokenProvider {
 public:
  virtual ~TokenProvider() = default;
  // The current access token (fetching or refreshing it when missing or about to expire).
  virtual Error Token(std::string* token) = 0;
  // Discards the current token and gets a new one (after a 401). kAuth when impossible.
  virtual Error Refresh() = 0;
  // Salesforce: the instance URL the token endpoint named ("" when unknown).
  virtual std::string instance_url() { return ""; }
};

// A fixed token: a HubSpot private-app token, or a test token. Refresh always fails (kAuth).
class StaticToken final : public TokenProvider {
 public:
  explicit StaticToken(std::string token) : token_(std::move(token)) {}
  // Reads the variable once; kAuth naming the variable (not its value) when unset or empty.
  static Error FromEnv(const std::string& variable, std::shared_ptr<TokenProvider>* out);
  Error Token(std::string* token) override;
  Error Refresh() override;

 private:
  std::string token_;
};

struct OAuthOptions {
  std::string token_url;  // HubSpot https://api.hubapi.com/oauth/v1/token;
                          // Salesforce https://login.salesforce.com/services/oauth2/token
  // Names of the environment variables holding the secrets.
  std::string client_id_env, client_secret_env, refresh_token_env;
  // Refresh this long before expires_in runs out (HubSpot: refresh on expiry, not on 401).
  int64_t refresh_margin_ms = 60'000;
};

// The OAuth refresh-token grant. Thread-safe.
class OAuthRefreshToken final : public TokenProvider {
 public:
  // kAuth naming any missing variable.
  static Error Create(const OAuthOptions& options, std::shared_ptr<http::Clock> clock,
                      std::shared_ptr<TokenProvider>* out);
  Error Token(std::string* token) override;
  Error Refresh() override;
  std::string instance_url() override;

 private:
  OAuthRefreshToken() = default;
  Error FetchLocked();

  OAuthOptions options_;
  std::shared_ptr<http::Clock> clock_;
  std::string client_id_, client_secret_, refresh_token_;
  std::mutex mu_;
  std::string access_token_, instance_url_;
  int64_t expires_at_ms_ = 0;  // 0: no expiry given
  http::Client client_;
};

}  // namespace syncline::connectors
