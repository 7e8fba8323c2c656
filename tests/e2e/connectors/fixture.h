// Shared set-up of the connector end-to-end tests: both sandboxes on loopback with one frozen
// clock, and connectors whose clock is that same clock (a retry's sleep advances it, so rate
// limit buckets refill and tests never really wait). Every log line is captured so tests can
// assert that no secret is ever logged.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/hubspot_connector.h"
#include "connectors/salesforce_connector.h"
#include "sandbox/hubspot_sandbox.h"
#include "sandbox/salesforce_sandbox.h"

namespace syncline::test {

// The connectors' clock: reads the sandboxes' clock and advances it on sleep.
class SandboxClock final : public connectors::http::Clock {
 public:
  explicit SandboxClock(std::shared_ptr<sandbox::Clock> clock) : clock_(std::move(clock)) {}
  int64_t NowMs() override { return clock_->NowMs(); }
  void SleepMs(int64_t ms) override {
    slept_ms += ms;
    ++sleeps;
    clock_->Advance(ms);
  }
  // Atomic: the HubSpot connector's read-ahead search may sleep on a second thread.
  std::atomic<int64_t> slept_ms = 0;
  std::atomic<int> sleeps = 0;

 private:
  std::shared_ptr<sandbox::Clock> clock_;
};

struct Logs {
  std::mutex mu;
  std::vector<std::string> lines;
  std::function<void(std::string_view)> Sink() {
    return [this](std::string_view line) {
      std::lock_guard lock(mu);
      lines.emplace_back(line);
    };
  }
  bool Contains(const std::string& text) {
    std::lock_guard lock(mu);
    for (const auto& l : lines)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
};

inline constexpr int64_t kT0 = 1'750'000'000'000;  // 2025-06-15T15:06:40Z

struct Sandboxes {
  std::shared_ptr<sandbox::Clock> clock = std::make_shared<sandbox::Clock>();
  std::unique_ptr<sandbox::HubSpotSandbox> hubspot;
  std::unique_ptr<sandbox::SalesforceSandbox> salesforce;
  std::shared_ptr<SandboxClock> client_clock;
  Logs logs;

  explicit Sandboxes(bool rate_limits = false) {
    clock->SetFixed(kT0);
    sandbox::SandboxOptions o;
    o.clock = clock;
    o.token = "hs-secret-token-0123456789";
    hubspot = std::make_unique<sandbox::HubSpotSandbox>(o);
    o.token = "sf-secret-token-9876543210";
    salesforce = std::make_unique<sandbox::SalesforceSandbox>(o);
    std::string error;
    REQUIRE_MESSAGE(hubspot->Start(&error), error);
    REQUIRE_MESSAGE(salesforce->Start(&error), error);
    auto limits = hubspot->limits();
    limits.rate_limits = rate_limits;
    hubspot->SetLimits(limits);
    client_clock = std::make_shared<SandboxClock>(clock);
  }
  ~Sandboxes() {
    hubspot->Stop();
    salesforce->Stop();
  }

  connectors::SessionOptions Session(const std::string& base, const std::string& token) {
    connectors::SessionOptions s;
    s.base_url = base;
    s.auth = std::make_shared<connectors::StaticToken>(token);
    s.clock = client_clock;
    s.jitter_seed = 7;
    s.log = logs.Sink();
    s.http.timeout_ms = 20'000;
    return s;
  }
  connectors::HubSpotConfig HubSpotConfig() {
    connectors::HubSpotConfig c;
    c.session = Session(hubspot->base_url(), hubspot->token());
    return c;
  }
  connectors::SalesforceConfig SalesforceConfig() {
    connectors::SalesforceConfig c;
    c.session = Session(salesforce->base_url(), salesforce->token());
    return c;
  }
};

// Ids of a seed answer, whatever nesting the sandbox uses.
inline std::vector<std::string> SeededIds(const nlohmann::json& answer, const std::string& key) {
  std::vector<std::string> out;
  const nlohmann::json* j = &answer;
  if (j->contains("ids")) j = &(*j)["ids"];
  if (j->contains(key))
    for (const auto& id : (*j)[key])
      out.push_back(id.is_string() ? id.get<std::string>() : id.dump());
  return out;
}

// A fault that answers the matching calls from the `on_call`-th on, `times` of them, only after
// `latency_ms` (the timing tests of calls that are out at the same time).
inline sandbox::FaultSpec SlowCalls(const std::string& endpoint, int latency_ms, int64_t times = 1,
                                    int64_t on_call = 1) {
  sandbox::FaultSpec slow;
  slow.endpoint = endpoint;
  slow.latency_ms = latency_ms;
  slow.on_call = on_call;
  slow.times = times;
  return slow;
}

// How long `work` took, in milliseconds.
template <class F>
int64_t ElapsedMs(F&& work) {
  const auto t0 = std::chrono::steady_clock::now();
  std::forward<F>(work)();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t0)
      .count();
}

}  // namespace syncline::test
