// The common shell of the HubSpot and Salesforce sandboxes: an in-process HTTP server on a
// loopback port with bearer-token auth, per-endpoint call counts, fault injection and a control
// API under /_sandbox/ (never counted, never authenticated, never rate limited). Tests and the
// CLI start a sandbox, point a connector at base_url() with token(), and read CallCounts().
// Vendor behaviour lives in HubSpotSandbox and SalesforceSandbox.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/clock.h"
#include "sandbox/object_catalog.h"

namespace syncline::sandbox {

struct SandboxOptions {
  std::string host = "127.0.0.1";
  int port = 0;                      // 0: an ephemeral port; read it back with port()
  std::string db_path = ":memory:";  // a file makes the sandbox survive a restart
  std::string token = "sandbox-token";
  std::shared_ptr<Clock> clock;                  // null: a private real-time clock
  std::shared_ptr<const ObjectCatalog> catalog;  // null: BuiltinCatalog()
  std::function<void(std::string_view)> log;     // diagnostics; the library never prints
  uint64_t seed = 1;                             // PRNG seed for fractional faults
};

// One fault rule. A rule matches calls whose endpoint key (e.g.
// "POST /crm/v3/objects/contacts/batch/upsert") contains `endpoint` ("" matches every call).
// It fires on matching calls on_call .. on_call+times-1 (1-based), or with probability
// `fraction`, or on every matching call when both are 0. When it fires it adds latency, then
// drops the connection, or answers `status` in the vendor's shape, or fails the batch items
// listed in fail_items / a fail_fraction of them.
struct FaultSpec {
  std::string endpoint;
  int status = 0;  // 429, 500, 503, ...; 0: no error status
  int64_t on_call = 0;
  int64_t times = 1;
  double fraction = 0;
  int latency_ms = 0;
  bool drop_connection = false;
  std::vector<size_t> fail_items;
  double fail_fraction = 0;
  int retry_after_s = 1;  // Retry-After on injected 429s
  int64_t seen = 0;       // matching calls so far (maintained by the sandbox)
};
void to_json(nlohmann::json& j, const FaultSpec& f);
void from_json(const nlohmann::json& j, FaultSpec& f);

struct Call;
class Router;

class Sandbox {
 public:
  virtual ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Binds and starts serving on a background thread. False (with `error`) if the port is
  // taken or the store cannot be opened.
  bool Start(std::string* error = nullptr);
  // Stops serving and joins the thread; the store stays open (Start() again to resume).
  void Stop();
  bool running() const;
  int port() const;
  std::string base_url() const;  // http://127.0.0.1:PORT
  const std::string& token() const;
  Clock& clock();

  // Calls received per endpoint key, including rejected ones (401, 429, faults).
  std::map<std::string, int64_t> CallCounts() const;
  // Sum of the counts whose key contains `endpoint` ("" = all API calls).
  int64_t CallCount(std::string_view endpoint = "") const;
  void ResetCallCounts();
  void AddFault(FaultSpec fault);
  void ClearFaults();
  // The HTTP control API, in process: Control("POST", "/_sandbox/limits", {...}).
  nlohmann::json Control(std::string_view method, std::string_view path, const nlohmann::json& body,
                         int* status = nullptr);

 protected:
  explicit Sandbox(SandboxOptions options);
  const SandboxOptions& options() const { return options_; }
  std::shared_ptr<Clock> clock_ptr() const { return clock_; }
  void Log(std::string_view message) const;

  // Vendor hooks. All but the first are called with the data lock held.
  virtual bool OpenStore(std::string* error) = 0;
  virtual void RegisterRoutes(Router& router) = 0;
  // Writes an error in the vendor's shape for shell-level failures: 400 bad JSON, 401, 404
  // unknown route, 415, injected 429/5xx, 500 internal.
  virtual void WriteShellError(Call& call, int status, std::string_view message,
                               int retry_after_s) = 0;
  // Rate limits and usage accounting; false when the call was refused (response written).
  virtual bool Admit(Call& call) = 0;
  // Headers every vendor response carries (Sforce-Limit-Info, rate-limit headers).
  virtual void Decorate(Call& call) = 0;
  // Vendor part of the control API; sets *status (404 when the path is unknown).
  virtual nlohmann::json VendorControl(std::string_view method, std::string_view path,
                                       const nlohmann::json& body, int* status) = 0;
  // Vendor control paths served without the data lock (waits such as a webhook flush);
  // nullopt when `path` is not one of them.
  virtual std::optional<nlohmann::json> UnlockedControl(std::string_view method,
                                                        std::string_view path,
                                                        const nlohmann::json& body, int* status);
  // Called without any lock once serving has started, and once it has stopped (background
  // work such as webhook delivery follows the server's lifetime).
  virtual void OnStarted() {}
  virtual void OnStopped() {}

 private:
  struct Shell;
  SandboxOptions options_;
  std::shared_ptr<Clock> clock_;
  std::unique_ptr<Shell> shell_;
};

}  // namespace syncline::sandbox
