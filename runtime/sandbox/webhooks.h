// Webhook delivery of the HubSpot sandbox (API spec A14, Part C item 10): one registered target
// (an app's target URL, client secret and subscriptions), a queue of events and a delivery
// thread that POSTs JSON arrays of events to the target, signed with X-HubSpot-Signature-v3.
// Failed requests (non-2xx, refused connections, timeouts) are retried with attemptNumber + 1
// after an exponential backoff, up to max_retries times. Options can duplicate and reorder
// events so that a receiver's idempotency is exercised.
//
// The HubSpot sandbox decides which events a write produces (WebhookSettings::Matching) and
// hands them to the dispatcher while it holds its data lock; the dispatcher has its own lock and
// never takes the sandbox's, so delivery never blocks API requests.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "sandbox/clock.h"

namespace httplib {
class Client;
}

namespace syncline::sandbox {

// One subscription. Legacy types name the object ("contact.creation", "company.propertyChange",
// "deal.deletion", "ticket.associationChange"); generic ones ("object.creation", ...) name it
// with objectTypeId ("0-1", "2-1001"). propertyChange subscriptions watch one property.
struct WebhookSubscription {
  int64_t id = 0;                 // subscriptionId in events; assigned on registration
  std::string subscription_type;  // "contact.propertyChange"
  std::string property_name;      // propertyChange only
  std::string object_type_id;     // object.* only
  bool active = true;
};

struct WebhookSettings {
  std::string target_url;  // http://127.0.0.1:PORT/path (https works too)
  std::string client_secret;
  int64_t app_id = 0;
  std::string source_id = "sandbox";  // sourceId of events (changeSource is always "API")
  std::vector<WebhookSubscription> subscriptions;
  int max_events_per_request = 100;
  int max_retries = 10;          // retries after the first attempt; then the events are dropped
  int64_t retry_base_ms = 1000;  // backoff before retry n (1-based): base * 2^(n-1), capped
  int64_t retry_max_ms = 60'000;
  int64_t timeout_ms = 5'000;     // connect and read timeout of one delivery
  int64_t batch_window_ms = 10;   // how long fresh events wait for company in one request
  double duplicate_fraction = 0;  // probability that an event is delivered twice
  bool reorder = false;           // shuffle the queue before each request

  bool enabled() const { return !target_url.empty(); }
  // The active subscriptions an event of (object, action, property) matches. `singular` is the
  // legacy object name ("contact"), `action` "creation" / "deletion" / "propertyChange" /
  // "associationChange". An empty `property` matches every propertyChange subscription.
  std::vector<const WebhookSubscription*> Matching(std::string_view singular,
                                                   std::string_view object_type_id,
                                                   std::string_view action,
                                                   std::string_view property = {}) const;
};
void to_json(nlohmann::json& j, const WebhookSubscription& s);
void from_json(const nlohmann::json& j, WebhookSubscription& s);
void to_json(nlohmann::json& j, const WebhookSettings& s);
// Reads the control-API body; throws std::invalid_argument on a bad target or subscription.
void from_json(const nlohmann::json& j, WebhookSettings& s);

class WebhookDispatcher {
 public:
  explicit WebhookDispatcher(std::shared_ptr<Clock> clock, uint64_t seed = 1);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Replaces the target (dropping queued events when the target URL or secret changes).
  void Configure(const WebhookSettings& settings);
  // Forgets the target and every queued event; counters restart.
  void Clear();
  // Queues events (each a complete event object without attemptNumber).
  void Enqueue(std::vector<nlohmann::json> events);
  // Starts / stops the delivery thread. Stop() aborts an in-flight request and keeps the queue
  // (Start() resumes delivering it).
  void Start();
  void Stop();
  // Waits until nothing is queued, waiting for a retry or in flight; false on timeout.
  bool Flush(int64_t timeout_ms);
  // {"queued","retrying","in_flight","requests","delivered_events","failed_requests",
  //  "dropped_events","attempts":[last deliveries]}.
  nlohmann::json Stats() const;

 private:
  struct Batch {
    std::vector<nlohmann::json> events;
    int attempt = 0;
    std::chrono::steady_clock::time_point due;
  };
  void Run();
  bool Idle() const;  // with mu_ held
  // Sends one request; the HTTP status (0 when the connection failed) and an error text.
  int Send(const WebhookSettings& settings, const Batch& batch, std::string* error);

  std::shared_ptr<Clock> clock_;
  mutable std::mutex mu_;
  std::condition_variable wake_;  // new work, stop
  std::condition_variable idle_;  // a delivery finished
  WebhookSettings settings_;
  uint64_t generation_ = 0;  // bumped by Configure/Clear: in-flight results are then dropped
  std::deque<nlohmann::json> fresh_;
  std::chrono::steady_clock::time_point first_fresh_;
  std::vector<Batch> retries_;
  bool in_flight_ = false;
  bool stopping_ = false;
  httplib::Client* current_ = nullptr;  // the in-flight request's client (aborted by Stop)
  std::thread thread_;
  std::mt19937_64 rng_;
  int64_t requests_ = 0, delivered_events_ = 0, failed_requests_ = 0, dropped_events_ = 0;
  std::deque<nlohmann::json> attempts_;  // the last deliveries, newest last
};

}  // namespace syncline::sandbox
