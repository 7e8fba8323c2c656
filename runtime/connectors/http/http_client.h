// One HTTP client on libcurl for both CRMs: keeps connections alive by reusing easy handles
// (each keeps its connection cache), verifies TLS for real endpoints, applies timeouts and
// accepts gzip. It does one exchange per call; retries, auth and limits live in ApiSession.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace syncline::connectors::http {

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct Response {
  long status = 0;  // 0 when the exchange failed (see transport_error)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased; last value wins
  std::string transport_error;                 // curl's message: refused, reset, timeout
  bool timed_out = false;

  const std::string* Header(const std::string& lower_name) const;
};

struct ClientOptions {
  long connect_timeout_ms = 10'000;
  long timeout_ms = 120'000;
  bool verify_tls = true;  // never turned off for real endpoints; loopback is plain HTTP
  std::string user_agent = "syncline/0.1";
};

class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Thread-safe: concurrent calls take different handles from the pool.
  Response Perform(const Request& request);

  // Percent-encodes one query or form value.
  static std::string Escape(const std::string& text);

 private:
  void* TakeHandle();
  void ReturnHandle(void* handle);

  ClientOptions options_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* kept alive with their open connections
};

}  // namespace syncline::connectors::http
