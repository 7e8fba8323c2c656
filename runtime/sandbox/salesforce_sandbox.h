// The Salesforce sandbox: REST API v60.0 describe, SOQL query/queryAll with locator paging,
// single-record CRUD, upsert by external id, sObject collections, updated/deleted replication,
// lead conversion (control API), with Salesforce's error arrays, 18-character ids,
// Sforce-Limit-Info and the daily request allowance. Vendor control endpoints:
// /_sandbox/limits, /_sandbox/seed, /_sandbox/demo, /_sandbox/reset, /_sandbox/convertLead,
// /_sandbox/addressSettings.
#pragma once

#include <memory>
#include <string>

#include "sandbox/sandbox.h"

namespace syncline::sandbox {

struct SalesforceLimits {
  int64_t daily_api_requests = 100'000;
  int collection_max = 200;
  int query_batch_max = 2'000;
  int query_batch_min = 200;
  int max_offset = 2'000;
  int64_t locator_ttl_ms = 15 * 60'000;  // idle time before INVALID_QUERY_LOCATOR
  bool duplicate_rules = true;           // Email on Contact and on Lead (same object)
  int updated_window_days = 30;
  int deleted_window_days = 15;
  int64_t replication_id_limit = 600'000;
  std::string api_version = "v60.0";
};
void to_json(nlohmann::json& j, const SalesforceLimits& l);
void from_json(const nlohmann::json& j, SalesforceLimits& l);

// Lead conversion, as Database.convertLead would do it.
struct LeadConversion {
  std::string lead_id;
  std::string account_id;  // merge into this account instead of creating one
  std::string contact_id;  // merge into this contact instead of creating one
  bool create_opportunity = true;
  std::string opportunity_name;  // default: the lead's Company
  std::string converted_status = "Closed - Converted";
};
void from_json(const nlohmann::json& j, LeadConversion& c);

class SalesforceSandbox final : public Sandbox {
 public:
  explicit SalesforceSandbox(SandboxOptions options = {});
  ~SalesforceSandbox() override;

  SalesforceLimits limits();  // a copy, read under the data lock
  void SetLimits(const SalesforceLimits& limits);
  // Creates records directly (no API accounting, no duplicate rules), see /_sandbox/seed.
  nlohmann::json Seed(const nlohmann::json& body);
  // {"leadId","accountId","contactId","opportunityId"} or {"error": ...}.
  nlohmann::json ConvertLead(const LeadConversion& conversion);
  // Customises the State and Country/Territory picklists, see /_sandbox/addressSettings
  // ({"countries": [...]}). Returns the reply ({"countries": N, "states": N} or {"error"}).
  nlohmann::json SetAddressSettings(const nlohmann::json& body);
  // Computes the 18-character form of a 15-character id (identity on valid 18-char ids).
  static std::string To18(const std::string& id15);

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

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace syncline::sandbox
