// Webhook subscriptions and the delivery thread of the HubSpot sandbox (see webhooks.h).
#include "sandbox/webhooks.h"

#include <httplib.h>

#include <algorithm>
#include <stdexcept>

#include "sandbox/webhook_signature.h"

namespace syncline::sandbox {

using nlohmann::json;

namespace {

const char* const kActions[] = {"creation", "deletion", "propertyChange", "associationChange",
                                "merge",    "restore",  "privacyDeletion"};

// "http://host:port/path?q" -> {"http://host:port", "/path?q"}; empty base when malformed.
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {};
  std::string s = url.substr(0, scheme);
  if (s != "http" && s != "https") return {};
  auto slash = url.find_first_of("/?", scheme + 3);
  if (slash == std::string::npos) return {url, "/"};
  std::string path = url.substr(slash);
  if (path[0] == '?') path = "/" + path;
  return {url.substr(0, slash), path};
}

}  // namespace

std::vector<const WebhookSubscription*> WebhookSettings::Matching(std::string_view singular,
                                                                  std::string_view object_type_id,
                                                                  std::string_view action,
                                                                  std::string_view property) const {
  std::vector<const WebhookSubscription*> out;
  for (const auto& s : subscriptions) {
    if (!s.active) continue;
    std::string_view type = s.subscription_type;
    auto dot = type.find('.');
    if (dot == std::string_view::npos || type.substr(dot + 1) != action) continue;
    std::string_view object = type.substr(0, dot);
    bool fits = object == "object" ? s.object_type_id == object_type_id : object == singular;
    if (!fits) continue;
    if (!property.empty() && s.property_name != property) continue;
    out.push_back(&s);
  }
  return out;
}

void to_json(json& j, const WebhookSubscription& s) {
  j = {{"id", s.id}, {"subscriptionType", s.subscription_type}, {"active", s.active}};
  if (!s.property_name.empty()) j["propertyName"] = s.property_name;
  if (!s.object_type_id.empty()) j["objectTypeId"] = s.object_type_id;
}

void from_json(const json& j, WebhookSubscription& s) {
  if (j.is_string()) {  // shorthand: "contact.creation"
    s.subscription_type = j.get<std::string>();
  } else {
    s.id = j.value("id", int64_t{0});
    s.subscription_type = j.value("subscriptionType", j.value("eventType", ""));
    s.property_name = j.value("propertyName", "");
    s.object_type_id = j.value("objectTypeId", "");
    s.active = j.value("active", true);
  }
  auto dot = s.subscription_type.find('.');
  std::string action = dot == std::string::npos ? "" : s.subscription_type.substr(dot + 1);
  if (dot == 0 || std::find(std::begin(kActions), std::end(kActions), action) == std::end(kActions))
    throw std::invalid_argument("unknown subscriptionType: " + s.subscription_type);
  if (action == "propertyChange" && s.property_name.empty())
    throw std::invalid_argument(s.subscription_type + " needs a propertyName");
  if (s.subscription_type.rfind("object.", 0) == 0 && s.object_type_id.empty())
    throw std::invalid_argument(s.subscription_type + " needs an objectTypeId");
}

void to_json(json& j, const WebhookSettings& s) {
  j = {{"target_url", s.target_url},
       {"client_secret", s.client_secret},
       {"app_id", s.app_id},
       {"source_id", s.source_id},
       {"subscriptions", s.subscriptions},
       {"max_events_per_request", s.max_events_per_request},
       {"max_retries", s.max_retries},
       {"retry_base_ms", s.retry_base_ms},
       {"retry_max_ms", s.retry_max_ms},
       {"timeout_ms", s.timeout_ms},
       {"batch_window_ms", s.batch_window_ms},
       {"duplicate_fraction", s.duplicate_fraction},
       {"reorder", s.reorder}};
}

void from_json(const json& j, WebhookSettings& s) {
  WebhookSettings d;
  s.target_url = j.value("target_url", j.value("targetUrl", d.target_url));
  s.client_secret = j.value("client_secret", j.value("clientSecret", d.client_secret));
  s.app_id = j.value("app_id", j.value("appId", d.app_id));
  s.source_id = j.value("source_id", d.source_id);
  s.max_events_per_request = j.value("max_events_per_request", d.max_events_per_request);
  s.max_retries = j.value("max_retries", d.max_retries);
  s.retry_base_ms = j.value("retry_base_ms", d.retry_base_ms);
  s.retry_max_ms = j.value("retry_max_ms", d.retry_max_ms);
  s.timeout_ms = j.value("timeout_ms", d.timeout_ms);
  s.batch_window_ms = j.value("batch_window_ms", d.batch_window_ms);
  s.duplicate_fraction = j.value("duplicate_fraction", d.duplicate_fraction);
  if (j.value("duplicates", false)) s.duplicate_fraction = 1;
  s.reorder = j.value("reorder", d.reorder);
  s.subscriptions.clear();
  for (const auto& sub : j.value("subscriptions", json::array()))
    s.subscriptions.push_back(sub.get<WebhookSubscription>());
  // Ids HubSpot would assign; kept when given so that a re-registration keeps them stable.
  int64_t next = 100'000;
  for (const auto& sub : s.subscriptions) next = std::max(next, sub.id);
  for (auto& sub : s.subscriptions)
    if (sub.id == 0) sub.id = ++next;
  if (s.target_url.empty() || SplitUrl(s.target_url).first.empty())
    throw std::invalid_argument("target_url must be an http:// or https:// URL");
  if (s.max_events_per_request < 1 || s.max_retries < 0 || s.retry_base_ms < 0 ||
      s.timeout_ms < 1 || s.batch_window_ms < 0 || s.duplicate_fraction < 0 ||
      s.duplicate_fraction > 1)
    throw std::invalid_argument("webhook option out of range");
}

// ---- WebhookDispatcher ----------------------------------------------------------------------

WebhookDispatcher::WebhookDispatcher(std::shared_ptr<Clock> clock, uint64_t seed)
    : clock_(std::move(clock)), rng_(seed) {}

WebhookDispatcher::~WebhookDispatcher() {
  Stop();
}

void WebhookDispatcher::Configure(const WebhookSettings& settings) {
  {
    std::lock_guard lock(mu_);
    if (settings.target_url != settings_.target_url ||
        settings.client_secret != settings_.client_secret) {
      fresh_.clear();
      retries_.clear();
      ++generation_;
    }
    settings_ = settings;
  }
  wake_.notify_all();
  idle_.notify_all();
}

void WebhookDispatcher::Clear() {
  {
    std::lock_guard lock(mu_);
    settings_ = WebhookSettings{};
    fresh_.clear();
    retries_.clear();
    attempts_.clear();
    ++generation_;
    requests_ = delivered_events_ = failed_requests_ = dropped_events_ = 0;
  }
  wake_.notify_all();
  idle_.notify_all();
}

void WebhookDispatcher::Enqueue(std::vector<json> events) {
  if (events.empty()) return;
  {
    std::lock_guard lock(mu_);
    if (!settings_.enabled()) return;
    auto now = std::chrono::steady_clock::now();
    if (fresh_.empty()) first_fresh_ = now;
    Batch duplicates;
    std::uniform_real_distribution<double> u(0, 1);
    for (auto& e : events) {
      if (settings_.duplicate_fraction > 0 && u(rng_) < settings_.duplicate_fraction)
        duplicates.events.push_back(e);
      fresh_.push_back(std::move(e));
    }
    // At-least-once delivery: the copies come again in a later request, like a redelivery.
    if (!duplicates.events.empty()) {
      duplicates.due = now + std::chrono::milliseconds(settings_.batch_window_ms + 1);
      retries_.push_back(std::move(duplicates));
    }
  }
  wake_.notify_all();
}

void WebhookDispatcher::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void WebhookDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
    if (current_) current_->stop();
  }
  wake_.notify_all();
  idle_.notify_all();
  thread_.join();
}

bool WebhookDispatcher::Idle() const {
  return fresh_.empty() && retries_.empty() && !in_flight_;
}

bool WebhookDispatcher::Flush(int64_t timeout_ms) {
  std::unique_lock lock(mu_);
  if (!thread_.joinable()) return Idle();
  idle_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(0, timeout_ms)),
                 [this] { return Idle() || stopping_; });
  return Idle();
}

json WebhookDispatcher::Stats() const {
  std::lock_guard lock(mu_);
  size_t retrying = 0;
  for (const auto& b : retries_) retrying += b.events.size();
  return {{"queued", fresh_.size()},
          {"retrying", retrying},
          {"in_flight", in_flight_},
          {"requests", requests_},
          {"delivered_events", delivered_events_},
          {"failed_requests", failed_requests_},
          {"dropped_events", dropped_events_},
          {"attempts", attempts_}};
}

void WebhookDispatcher::Run() {
  using std::chrono::milliseconds;
  using std::chrono::steady_clock;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto now = steady_clock::now();
    Batch batch;
    bool have = false;
    auto wake_at = steady_clock::time_point::max();
    auto due = std::min_element(retries_.begin(), retries_.end(),
                                [](const Batch& a, const Batch& b) { return a.due < b.due; });
    if (due != retries_.end()) {
      if (due->due <= now) {
        batch = std::move(*due);
        retries_.erase(due);
        have = true;
      } else {
        wake_at = due->due;
      }
    }
    if (!have && !fresh_.empty()) {
      size_t max = static_cast<size_t>(settings_.max_events_per_request);
      auto ready_at = first_fresh_ + milliseconds(settings_.batch_window_ms);
      if (ready_at <= now || fresh_.size() >= max) {
        if (settings_.reorder) std::shuffle(fresh_.begin(), fresh_.end(), rng_);
        size_t n = std::min(max, fresh_.size());
        batch.events.assign(std::make_move_iterator(fresh_.begin()),
                            std::make_move_iterator(fresh_.begin() + static_cast<long>(n)));
        fresh_.erase(fresh_.begin(), fresh_.begin() + static_cast<long>(n));
        first_fresh_ = steady_clock::time_point{};  // what is left is ready at once
        have = true;
      } else {
        wake_at = std::min(wake_at, ready_at);
      }
    }
    if (!have) {
      if (wake_at == steady_clock::time_point::max()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, wake_at);
      }
      continue;
    }
    if (settings_.reorder) std::shuffle(batch.events.begin(), batch.events.end(), rng_);
    in_flight_ = true;
    WebhookSettings settings = settings_;
    uint64_t generation = generation_;
    lock.unlock();
    std::string error;
    int status = Send(settings, batch, &error);
    lock.lock();
    in_flight_ = false;
    if (generation == generation_) {
      bool ok = status >= 200 && status < 300;
      if (!ok && stopping_) {
        // Aborted by Stop(): not an attempt; delivered again after the next Start().
        batch.due = steady_clock::now();
        retries_.push_back(std::move(batch));
      } else {
        ++requests_;
        attempts_.push_back({{"attempt", batch.attempt},
                             {"events", batch.events.size()},
                             {"status", status},
                             {"error", error},
                             {"at_ms", clock_->NowMs()}});
        if (attempts_.size() > 100) attempts_.pop_front();
        if (ok) {
          delivered_events_ += static_cast<int64_t>(batch.events.size());
        } else if (batch.attempt < settings.max_retries) {
          ++failed_requests_;
          ++batch.attempt;
          int64_t delay = settings.retry_base_ms;
          for (int i = 1; i < batch.attempt && delay < settings.retry_max_ms; ++i) delay *= 2;
          delay = std::min(delay, std::max(settings.retry_max_ms, settings.retry_base_ms));
          batch.due = steady_clock::now() + milliseconds(delay);
          retries_.push_back(std::move(batch));
        } else {
          ++failed_requests_;
          dropped_events_ += static_cast<int64_t>(batch.events.size());
        }
      }
    }
    idle_.notify_all();
  }
}

int WebhookDispatcher::Send(const WebhookSettings& settings, const Batch& batch,
                            std::string* error) {
  auto [base, path] = SplitUrl(settings.target_url);
  json body = json::array();
  for (const auto& e : batch.events) {
    json event = e;
    event["attemptNumber"] = batch.attempt;
    body.push_back(std::move(event));
  }
  std::string text = body.dump();
  std::string timestamp = std::to_string(clock_->NowMs());
  httplib::Headers headers = {
      {"X-HubSpot-Signature-v3",
       HubSpotSignatureV3(settings.client_secret, "POST", settings.target_url, text, timestamp)},
      {"X-HubSpot-Signature-Version", "v3"},
      {"X-HubSpot-Request-Timestamp", timestamp},
      {"X-HubSpot-Timeout-Millis", std::to_string(settings.timeout_ms)},
      {"User-Agent", "HubSpot Connect 2.0 (http://dev.hubspot.com/) (syncline sandbox)"}};
  httplib::Client client(base);
  time_t sec = static_cast<time_t>(settings.timeout_ms / 1000);
  time_t usec = static_cast<time_t>((settings.timeout_ms % 1000) * 1000);
  client.set_connection_timeout(sec, usec);
  client.set_read_timeout(sec, usec);
  client.set_write_timeout(sec, usec);
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      *error = "stopping";
      return 0;
    }
    current_ = &client;
  }
  auto result = client.Post(path, headers, text, "application/json");
  {
    std::lock_guard lock(mu_);
    current_ = nullptr;
  }
  if (!result) {
    *error = httplib::to_string(result.error());
    return 0;
  }
  return result->status;
}

}  // namespace syncline::sandbox
