// A small JSON-over-HTTP client for the sandbox conformance tests: real sockets on loopback,
// the bearer token set, bodies parsed when they are JSON.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <string>

#include "sandbox/sandbox.h"

namespace syncline::sandbox::test {

inline std::string UrlEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

struct Reply {
  int status = 0;  // 0: the connection failed
  nlohmann::json body;
  std::string raw;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool HasHeader(const std::string& name) const { return headers.count(name) > 0; }
};

class Http {
 public:
  explicit Http(const Sandbox& sandbox, std::string token = "")
      : client_(sandbox.base_url()), token_(token.empty() ? sandbox.token() : token) {
    client_.set_read_timeout(10, 0);
    client_.set_connection_timeout(5, 0);
    client_.set_tcp_nodelay(true);
  }
  void set_token(std::string token) { token_ = std::move(token); }

  Reply Get(const std::string& path, httplib::Headers extra = {}) {
    return Wrap(client_.Get(path.c_str(), Headers(extra)));
  }
  Reply Delete(const std::string& path) { return Wrap(client_.Delete(path.c_str(), Headers({}))); }
  Reply Post(const std::string& path, const nlohmann::json& body, httplib::Headers extra = {}) {
    return Wrap(client_.Post(path.c_str(), Headers(extra), body.dump(), "application/json"));
  }
  Reply Patch(const std::string& path, const nlohmann::json& body, httplib::Headers extra = {}) {
    return Wrap(client_.Patch(path.c_str(), Headers(extra), body.dump(), "application/json"));
  }
  Reply Put(const std::string& path, const nlohmann::json& body) {
    return Wrap(client_.Put(path.c_str(), Headers({}), body.dump(), "application/json"));
  }
  Reply Raw(const std::string& method, const std::string& path, const std::string& body,
            const std::string& content_type) {
    if (method == "POST")
      return Wrap(client_.Post(path.c_str(), Headers({}), body, content_type.c_str()));
    if (method == "PATCH")
      return Wrap(client_.Patch(path.c_str(), Headers({}), body, content_type.c_str()));
    return Wrap(client_.Put(path.c_str(), Headers({}), body, content_type.c_str()));
  }
  Reply DeleteWithBody(const std::string& path, const nlohmann::json& body) {
    return Wrap(client_.Delete(path.c_str(), Headers({}), body.dump(), "application/json"));
  }

 private:
  httplib::Headers Headers(httplib::Headers extra) const {
    if (!token_.empty() && token_ != "-") extra.emplace("Authorization", "Bearer " + token_);
    return extra;
  }
  static Reply Wrap(const httplib::Result& result) {
    Reply r;
    if (!result) return r;
    r.status = result->status;
    r.raw = result->body;
    r.headers = result->headers;
    r.body = nlohmann::json::parse(r.raw, nullptr, false);
    if (r.body.is_discarded()) r.body = nullptr;
    return r;
  }
  httplib::Client client_;
  std::string token_;
};

}  // namespace syncline::sandbox::test
