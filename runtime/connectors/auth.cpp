#include "connectors/auth.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace syncline::connectors {

namespace {

Error AuthError(std::string message, int status = 0) {
  return Error{ErrorCategory::kAuth, "AUTH", std::move(message), status};
}

bool ReadEnv(const std::string& name, std::string* value) {
  const char* v = name.empty() ? nullptr : std::getenv(name.c_str());
  if (!v || !*v) return false;
  *value = v;
  return true;
}

}  // namespace

Error StaticToken::FromEnv(const std::string& variable, std::shared_ptr<TokenProvider>* out) {
  std::string token;
  if (!ReadEnv(variable, &token))
    return AuthError("environment variable " + variable + " is not set");
  *out = std::make_shared<StaticToken>(std::move(token));
  return {};
}

Error StaticToken::Token(std::string* token) {
  *token = token_;
  return {};
}

Error StaticToken::Refresh() {
  return AuthError("the token was refused and a static token cannot be refreshed");
}

Error OAuthRefreshToken::Create(const OAuthOptions& options, std::shared_ptr<http::Clock> clock,
                                std::shared_ptr<TokenProvider>* out) {
  std::shared_ptr<OAuthRefreshToken> p(new OAuthRefreshToken());
  p->options_ = options;
  p->clock_ = clock ? std::move(clock) : std::make_shared<http::SystemClock>();
  for (auto [name, target] : {std::pair{&options.client_id_env, &p->client_id_},
                              std::pair{&options.client_secret_env, &p->client_secret_},
                              std::pair{&options.refresh_token_env, &p->refresh_token_}}) {
    if (!ReadEnv(*name, target)) return AuthError("environment variable " + *name + " is not set");
  }
  *out = p;
  return {};
}

Error OAuthRefreshToken::FetchLocked() {
  http::Request req;
  req.method = "POST";
  req.url = options_.token_url;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Accept", "application/json"}};
  req.body = "grant_type=refresh_token&client_id=" + http::Client::Escape(client_id_) +
             "&client_secret=" + http::Client::Escape(client_secret_) +
             "&refresh_token=" + http::Client::Escape(refresh_token_);
  http::Response res = client_.Perform(req);
  if (res.status == 0) return AuthError("token endpoint unreachable: " + res.transport_error);
  auto body = nlohmann::json::parse(res.body, nullptr, false);
  if (res.status != 200 || !body.is_object() || !body.contains("access_token") ||
      !body["access_token"].is_string()) {
    // Only the OAuth error code is kept: descriptions may echo parts of the request.
    std::string code = body.is_object() && body.contains("error") && body["error"].is_string()
                           ? body["error"].get<std::string>()
                           : "unexpected response";
    return AuthError("token refresh failed (HTTP " + std::to_string(res.status) + ", " + code + ")",
                     static_cast<int>(res.status));
  }
  access_token_ = body["access_token"].get<std::string>();
  if (body.contains("instance_url") && body["instance_url"].is_string())
    instance_url_ = body["instance_url"].get<std::string>();
  // Some servers rotate the refresh token.
  if (body.contains("refresh_token") && body["refresh_token"].is_string())
    refresh_token_ = body["refresh_token"].get<std::string>();
  expires_at_ms_ = 0;
  if (body.contains("expires_in") && body["expires_in"].is_number())
    expires_at_ms_ = clock_->NowMs() + body["expires_in"].get<int64_t>() * 1000;
  return {};
}

Error OAuthRefreshToken::Token(std::string* token) {
  std::lock_guard lock(mu_);
  if (access_token_.empty() ||
      (expires_at_ms_ > 0 && clock_->NowMs() + options_.refresh_margin_ms >= expires_at_ms_)) {
    if (Error e = FetchLocked(); !e.ok()) return e;
  }
  *token = access_token_;
  return {};
}

Error OAuthRefreshToken::Refresh() {
  std::lock_guard lock(mu_);
  access_token_.clear();
  return FetchLocked();
}

std::string OAuthRefreshToken::instance_url() {
  std::lock_guard lock(mu_);
  if (access_token_.empty()) FetchLocked();
  return instance_url_;
}

}  // namespace syncline::connectors
