// Internal state of the Salesforce sandbox shared by its translation units (records and
// collections in salesforce_sandbox.cpp; SOQL evaluation and describe in salesforce_query.cpp).
// Everything here runs with the sandbox's data lock held.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "sandbox/address_settings.h"
#include "sandbox/call.h"
#include "sandbox/salesforce_sandbox.h"
#include "sandbox/store.h"

namespace syncline::sandbox {

// One Salesforce error: request-level bodies render it with errorCode, per-item results with
// statusCode.
struct SfError {
  std::string code;
  std::string message;
  std::vector<std::string> fields;
  nlohmann::json extra;  // e.g. duplicateResult
};

struct SfWriteOptions {
  bool allow_duplicates = false;  // Sforce-Duplicate-Rule-Header: allowSave=true
  bool system = false;            // seeding and conversion: read-only fields may be set
};

struct SalesforceSandbox::Impl {
  SalesforceSandbox* self = nullptr;
  std::shared_ptr<Clock> clock;
  std::unique_ptr<Store> store;
  SalesforceLimits limits;
  std::map<std::string, ObjectDef> objects;
  std::map<std::string, std::string> prefix_to_object;
  std::string default_user_id;
  int64_t api_used = 0;
  int64_t api_day = -1;
  std::mt19937_64 rng{7};
  // A query's later pages. Rows that follow a relationship are rendered when the query runs;
  // otherwise the records are kept as they were then and each page is rendered when it is
  // asked for: the same answer, but the first page comes back without rendering the rest.
  struct Locator {
    nlohmann::json rows;
    std::vector<StoredRecord> records;             // when not rendered at once
    std::string object;                            // of `records`
    std::vector<std::vector<std::string>> fields;  // the SELECT's paths, for `records`
    bool rendered = true;
    size_t size() const { return rendered ? rows.size() : records.size(); }
    size_t next = 0;
    size_t batch = 2000;
    int64_t last_used_ms = 0;
  };
  std::map<std::string, Locator> locators;
  // This org's State and Country/Territory picklists (POST /_sandbox/addressSettings); the
  // bodies applied since the last reset are kept in the store ("sf:address_settings").
  AddressSettings address = AddressSettings::Defaults();
  void LoadAddressSettings();

  int64_t Now() const { return clock->NowMs(); }
  std::string Base() const { return "/services/data/" + limits.api_version; }

  // ---- records (salesforce_sandbox.cpp)
  void LoadObjects();
  const ObjectDef* FindObject(const std::string& name) const;
  std::string NewId(const ObjectDef& def);
  std::optional<std::string> NormalizeId(const std::string& id) const;
  const ObjectDef* ObjectOfId(const std::string& id18) const;
  // Fields with lookup rows: unique, external-id and email fields (uniqueness, duplicate
  // rules, upserts) and lookups to other records other than the owner/audit user fields
  // (selective SOQL such as `AccountId IN (...)`). Built by LoadObjects.
  const std::vector<std::string>& Indexed(const ObjectDef& def) const;
  std::map<std::string, std::vector<std::string>> indexed;
  // Rewrites the lookup rows of every record when they were written by a version that indexed
  // other fields (a store from before reference fields were indexed).
  void ReindexIfNeeded();
  nlohmann::json FieldValue(const ObjectDef& def, const StoredRecord& r,
                            const FieldDef& field) const;
  nlohmann::json Render(const ObjectDef& def, const StoredRecord& r,
                        const std::vector<const FieldDef*>* fields) const;
  std::optional<StoredRecord> Live(const ObjectDef& def, const std::string& id);
  // A RecordTypeId written to a record of `def`: the 18-character id of an active record type
  // of that object, "" for the Master record type, nullopt when the user may not use it.
  std::optional<std::string> RecordTypeFor(const ObjectDef& def, const std::string& id);
  // {recordTypeId, name, developerName, active, available, defaultRecordTypeMapping, master,
  // urls}: the Master plus the org's record types of the object (RecordType records).
  nlohmann::json RecordTypeInfos(const ObjectDef& def) const;
  // Validates one write and computes the resulting record (nothing is stored).
  std::optional<SfError> Prepare(const ObjectDef& def, const nlohmann::json& input,
                                 const StoredRecord* existing, StoredRecord& out,
                                 const SfWriteOptions& options);
  void Persist(const ObjectDef& def, StoredRecord& r);
  void Errors(Call& call, int status, const std::vector<SfError>& errors);
  nlohmann::json Seed(const nlohmann::json& body);
  nlohmann::json Convert(const LeadConversion& c);

  // ---- queries and describe (salesforce_query.cpp)
  void RunQuery(Call& call, bool all_rows);
  void NextPage(Call& call);
  nlohmann::json DescribeObject(const ObjectDef& def) const;
  // picklistValues of an address CountryCode / StateCode field from `address`; null for other
  // fields.
  nlohmann::json AddressPicklist(const ObjectDef& def, const FieldDef& f) const;
  nlohmann::json DescribeGlobal() const;
};

// Every object's Master record type (describe recordTypeInfos).
inline constexpr const char* kMasterRecordTypeId = "012000000000000AAA";

std::string SfTo18(const std::string& id15);
// "BillingCountryCode", "MailingStateCode", "CountryCode" (Lead)...: the code fields of the
// State and Country/Territory picklists, checked against the org's address settings rather
// than the field's own options.
bool IsAddressCodeField(const std::string& name);
nlohmann::json ItemError(const SfError& e);  // {statusCode, message, fields}

}  // namespace syncline::sandbox
