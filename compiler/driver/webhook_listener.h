// HubSpot webhooks for `syncline run --watch` (API spec A14): a small HTTP receiver that checks
// each request's v3 signature (client secret from the environment, 5-minute timestamp window)
// and wakes the watch loop, so a pass starts seconds after a change in HubSpot instead of at
// the next poll. The events only say *when* to run: a pass reads the change feeds from its
// watermarks as always, so lost, repeated or reordered events cannot lose or repeat a write,
// and Salesforce (no webhooks) is still polled on the interval.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace syncline::driver {

struct WebhookOptions {
  std::string listen = "127.0.0.1:8090";  // host:port to bind
  std::string path = "/hubspot/webhooks";
  // The target URL as registered in the HubSpot app (signatures cover it); "" = http://listen+path.
  std::string url;
  std::string client_secret_env;  // variable holding the app's client secret
  int debounce_ms = 2000;         // after the first event, wait this long for more
};

class WebhookListener {
 public:
  // Binds and starts serving; false with a message when the secret is missing or the address
  // cannot be bound.
  static std::unique_ptr<WebhookListener> Start(const WebhookOptions& options, std::string* error);
  ~WebhookListener();

  // Waits until `deadline`, or until events arrived and the debounce passed, or until
  // `stop()` says so (checked every 200 ms). Returns the events received since the last call.
  int64_t Wait(std::chrono::steady_clock::time_point deadline, bool (*stop)());

  std::string url() const;  // the URL requests are verified against
  int port() const;         // the bound port (useful with port 0)
  int64_t refused() const;  // requests refused (bad or missing signature, not JSON)

 private:
  struct Impl;
  explicit WebhookListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace syncline::driver
