#include "webhook_listener.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "runtime/sandbox/webhook_signature.h"

namespace syncline::driver {

struct WebhookListener::Impl {
  WebhookOptions options;
  std::string secret, url;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  std::condition_variable cv;
  int64_t events = 0;  // since the last Wait()
  std::chrono::steady_clock::time_point first_event{};
  std::atomic<int64_t> refused{0};

  void Handle(const httplib::Request& req, httplib::Response& res) {
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const auto check = sandbox::VerifyHubSpotSignatureV3(
        secret, req.method, url, req.body, req.get_header_value("X-HubSpot-Request-Timestamp"),
        req.get_header_value("X-HubSpot-Signature-v3"), now);
    if (check != sandbox::SignatureCheck::kValid) {
      ++refused;
      res.status = 401;
      res.set_content(std::string("{\"error\":\"") + sandbox::ToString(check) + "\"}",
                      "application/json");
      return;
    }
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (!body.is_array()) {
      ++refused;
      res.status = 400;
      res.set_content("{\"error\":\"expected a JSON array of events\"}", "application/json");
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      if (events == 0) first_event = std::chrono::steady_clock::now();
      events += static_cast<int64_t>(body.size());
    }
    cv.notify_all();
    res.status = 204;
  }
};

WebhookListener::WebhookListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebhookListener::~WebhookListener() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::unique_ptr<WebhookListener> WebhookListener::Start(const WebhookOptions& o,
                                                        std::string* error) {
  auto impl = std::make_unique<Impl>();
  impl->options = o;
  const char* secret =
      o.client_secret_env.empty() ? nullptr : std::getenv(o.client_secret_env.c_str());
  if (!secret || !*secret) {
    *error = "[webhooks] client_secret_env: set " +
             (o.client_secret_env.empty() ? std::string("it") : o.client_secret_env) +
             " to the HubSpot app's client secret (unsigned requests are refused)";
    return nullptr;
  }
  impl->secret = secret;
  const auto colon = o.listen.rfind(':');
  if (colon == std::string::npos) {
    *error = "[webhooks] listen must be host:port, not \"" + o.listen + "\"";
    return nullptr;
  }
  const std::string host = o.listen.substr(0, colon);
  int port = 0;
  try {
    port = std::stoi(o.listen.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    *error = "[webhooks] listen must be host:port, not \"" + o.listen + "\"";
    return nullptr;
  }
  Impl* m = impl.get();
  m->server.Post(o.path,
                 [m](const httplib::Request& req, httplib::Response& res) { m->Handle(req, res); });
  m->port = port == 0 ? m->server.bind_to_any_port(host)
                      : (m->server.bind_to_port(host, port) ? port : -1);
  if (m->port <= 0) {
    *error = "[webhooks] cannot listen on " + o.listen;
    return nullptr;
  }
  m->url = !o.url.empty() ? o.url : "http://" + host + ":" + std::to_string(m->port) + o.path;
  m->thread = std::thread([m] { m->server.listen_after_bind(); });
  return std::unique_ptr<WebhookListener>(new WebhookListener(std::move(impl)));
}

int64_t WebhookListener::Wait(std::chrono::steady_clock::time_point deadline, bool (*stop)()) {
  Impl& m = *impl_;
  std::unique_lock<std::mutex> lock(m.mu);
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (stop() || now >= deadline) break;
    if (m.events > 0 && now >= m.first_event + std::chrono::milliseconds(m.options.debounce_ms))
      break;
    m.cv.wait_for(lock, std::chrono::milliseconds(200));
  }
  const int64_t n = m.events;
  m.events = 0;
  return n;
}

std::string WebhookListener::url() const {
  return impl_->url;
}
int WebhookListener::port() const {
  return impl_->port;
}
int64_t WebhookListener::refused() const {
  return impl_->refused;
}

}  // namespace syncline::driver
