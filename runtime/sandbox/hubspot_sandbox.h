// The HubSpot sandbox: CRM objects v3 (records, batch, search, properties, custom object
// schemas), associations v4 and lists v3 over real HTTP, with HubSpot's error bodies,
// rate-limit headers and buckets, and webhook deliveries to a registered target. Its vendor
// control endpoints (see docs/sandboxes.md) are /_sandbox/limits, /_sandbox/seed,
// /_sandbox/demo, /_sandbox/reset, /_sandbox/webhooks and /_sandbox/webhooks/flush.
#pragma once

#include <memory>

#include "sandbox/sandbox.h"
#include "sandbox/webhooks.h"

namespace syncline::sandbox {

// Knobs with HubSpot's documented defaults (Professional tier, private app); all settable
// through /_sandbox/limits with the same names.
struct HubSpotLimits {
  bool rate_limits = true;
  int burst_per_10s = 190;
  int64_t daily = 650'000;
  int search_per_second = 5;
  int batch_max = 100;
  int list_limit_max = 100;
  int search_limit_max = 200;
  int search_result_cap = 10'000;
  int max_filter_groups = 5;
  int max_filters_per_group = 10;
  int max_filters_total = 25;
  int association_batch_max = 1'000;
  int membership_limit_max = 250;
  int association_limit_max = 500;
  int64_t search_index_delay_ms = 0;  // writes show up in search only after this delay
  int64_t portal_id = 1234567;
};
void to_json(nlohmann::json& j, const HubSpotLimits& l);
void from_json(const nlohmann::json& j, HubSpotLimits& l);

class HubSpotSandbox final : public Sandbox {
 public:
  explicit HubSpotSandbox(SandboxOptions options = {});
  ~HubSpotSandbox() override;

  HubSpotLimits limits();  // a copy, read under the data lock
  void SetLimits(const HubSpotLimits& limits);
  // Creates records directly (no validation, no counting): {"contacts":[{props}, ...], ...}.
  // Returns {"contacts":["1","2"], ...}.
  nlohmann::json Seed(const nlohmann::json& objects);
  // Creates owners (GET /crm/v3/owners): [{"email", "firstName", "lastName", "archived",
  // optional "id" and "userId"}, ...]. Returns their ids (numeric strings).
  nlohmann::json SeedOwners(const nlohmann::json& owners);

  // Webhooks (docs/sandboxes.md, "Webhooks"): registers the one target with its
  // subscriptions (returned with their ids), forgets it, waits for pending deliveries
  // (false on timeout), and reads the delivery counters.
  nlohmann::json SetWebhooks(const WebhookSettings& settings);
  void ClearWebhooks();
  bool FlushWebhooks(int64_t timeout_ms = 10'000);
  nlohmann::json WebhookStats() const;

  struct Impl;

 protected:
  bool OpenStore(std::string* error) override;
  void RegisterRoutes(Router& router) override;
  void WriteShellError(Call& call, int status, std::string_view message,
                       int retry_after_s) override;
  bool Admit(Call& call) override;
  void Decorate(Call& call) override;
  nlohmann::json VendorControl(std::string_view method, std::string_view path,
                               const nlohmann::json& body, int* status) override;
  std::optional<nlohmann::json> UnlockedControl(std::string_view method, std::string_view path,
                                                const nlohmann::json& body, int* status) override;
  void OnStarted() override;
  void OnStopped() override;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace syncline::sandbox
