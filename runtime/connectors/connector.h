// The engine's view of a CRM: neutral records and per-record results, never URLs. One
// Connector per account (HubSpotConnector, SalesforceConnector) hides paging, batch sizes,
// sliding search windows, error shapes and retries. Every method is synchronous and may be
// called from one thread at a time per connector.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "connectors/error_category.h"
#include "schema/schema.h"

namespace syncline::connectors {

// A record in a neutral shape: values are JSON (strings, numbers, booleans, null) exactly as the
// CRM returned them (HubSpot: strings; Salesforce: typed JSON).
struct Record {
  std::string id;
  std::string object;  // "contacts", "Contact"
  nlohmann::json fields = nlohmann::json::object();
  int64_t last_modified_ms = 0;  // HubSpot updatedAt / Salesforce SystemModstamp
  bool deleted = false;
};

// Where a change feed stands, opaque to the engine: store it as text, hand it back.
using Watermark = std::string;

struct ChangePage {
  std::vector<Record> records;  // no id twice across the pages of one read
  Watermark watermark;          // valid once this page is processed: commit it with the page
};

// Return false from the callback to stop reading (the last watermark handed out stays valid).
using PageCallback = std::function<bool(ChangePage&)>;

struct Deletion {
  std::string id;
  int64_t deleted_ms = 0;
};

// One write. Create: fields. Update: id + fields. Upsert: key_field/key_value + fields.
struct WriteItem {
  std::string id;
  std::string key_field, key_value;
  nlohmann::json fields = nlohmann::json::object();
};

struct WriteResult {
  bool ok = false;
  std::string id;        // the record written (or, for a duplicate, the existing one if known)
  bool created = false;  // upsert: a new record was made
  Error error;           // category kNone when ok
  std::vector<std::string> error_fields;
};

enum class WriteKind : uint8_t { kCreate, kUpdate, kUpsert };

struct WriteOptions {
  // For creates: a unique field (HubSpot "email", a Salesforce external id or Email) used to
  // read back after a dropped connection, so a retried create never duplicates.
  std::string dedupe_field;
};

struct Association {
  std::string from_id, to_id;
  std::vector<int> type_ids;        // HubSpot association type ids
  std::vector<std::string> labels;  // HubSpot labels; Salesforce: the contact role
  bool primary = false;
};

// A user records can be assigned to (R114-R119): a HubSpot owner (GET /crm/v3/owners) or a
// Salesforce User. `active`: HubSpot: not archived; Salesforce: IsActive. `user_type`:
// Salesforce UserType (Standard, PowerPartner, Guest, CsnOnly, ...); "" for HubSpot.
struct Owner {
  std::string id;
  std::string email;
  std::string first, last;
  bool active = true;
  std::string user_type;
};

class Connector {
 public:
  virtual ~Connector() = default;

  // Schema of one object from the CRM's own describe/properties API.
  virtual std::variant<schema::Object, Error> Describe(const std::string& object) = 0;

  // Records changed since `since` (empty = from the beginning), oldest first, in pages.
  // `fields` empty = the connector's default fields.
  virtual Error ReadChanges(const std::string& object, const Watermark& since,
                            const std::vector<std::string>& fields,
                            const PageCallback& on_page) = 0;

  // Records deleted since `since`; *next is the watermark to store afterwards.
  virtual Error ReadDeletions(const std::string& object, const Watermark& since,
                              std::vector<Deletion>* out, Watermark* next) = 0;

  // By id; ids not found are absent from the result.
  virtual Error ReadByIds(const std::string& object, const std::vector<std::string>& ids,
                          const std::vector<std::string>& fields, std::vector<Record>* out) = 0;

  // Records whose `field` equals one of `values` (email lookups, journal read-back).
  // HubSpot compares case-insensitively; Salesforce as SOQL does (case-insensitive too).
  virtual Error FindByField(const std::string& object, const std::string& field,
                            const std::vector<std::string>& values,
                            const std::vector<std::string>& fields, std::vector<Record>* out) = 0;

  // One result per item, in input order, however the CRM batches and orders them. A whole-call
  // failure (limits, suspension) gives every item that error.
  virtual std::vector<WriteResult> Write(const std::string& object, WriteKind kind,
                                         const std::vector<WriteItem>& items,
                                         const WriteOptions& options = {}) = 0;

  // Deletes (HubSpot archive, Salesforce recycle bin). Not-found counts as done (ok).
  virtual std::vector<WriteResult> Delete(const std::string& object,
                                          const std::vector<std::string>& ids) = 0;

  // The id of the list (segment) with this name, for `in_segment("name")`. HubSpot lists v3;
  // other CRMs answer kOther ("segments are HubSpot lists").
  virtual Error FindListId(const std::string& object, const std::string& name, std::string* id) {
    (void)object, (void)name, (void)id;
    return Error{ErrorCategory::kOther, "UNSUPPORTED", "segments are HubSpot lists", 0};
  }
  // Segment membership: the member ids of a list (HubSpot lists v3; Salesforce: unsupported).
  virtual Error ListMembers(const std::string& list_id, std::vector<std::string>* out) = 0;
  virtual Error AddListMembers(const std::string& list_id, const std::vector<std::string>& ids) = 0;
  virtual Error RemoveListMembers(const std::string& list_id,
                                  const std::vector<std::string>& ids) = 0;

  // A property the engine itself writes (R34's "Salesforce Campaigns"): present afterwards.
  // HubSpot: read by name, created from `definition` (a properties v3 body) when it is missing;
  // *created tells which. Other CRMs answer kOther.
  virtual Error EnsureProperty(const std::string& object, const nlohmann::json& definition,
                               bool* created) {
    (void)object, (void)definition, (void)created;
    return Error{ErrorCategory::kOther, "UNSUPPORTED", "this CRM has no properties API", 0};
  }

  // Every owner records can be assigned to: HubSpot owners (archived ones too, inactive),
  // Salesforce users. Other CRMs answer kOther.
  virtual Error ReadOwners(std::vector<Owner>* out) {
    (void)out;
    return Error{ErrorCategory::kOther, "UNSUPPORTED", "this CRM has no owners API", 0};
  }

  // Associations from records of `from` to records of `to` (HubSpot v4; Salesforce
  // OpportunityContactRole for Opportunity<->Contact, else the lookup field `{to}Id`).
  virtual Error ReadAssociations(const std::string& from, const std::string& to,
                                 const std::vector<std::string>& from_ids,
                                 std::vector<Association>* out) = 0;
  // Adds links (HubSpot: default type, or type_ids[0] when given; Salesforce: a contact role
  // per pair with labels[0] as Role, or sets the lookup field).
  virtual std::vector<WriteResult> Associate(const std::string& from, const std::string& to,
                                             const std::vector<Association>& links) = 0;

  // R142: whether records with sync errors may be retried now (Salesforce: not once 75% of
  // the daily cap allocated to Syncline is used, or past 5,000 calls in a day without a cap).
  virtual bool AllowErrorRetries() { return true; }
  // API calls this connector made (retries included).
  virtual int64_t calls_made() const = 0;
  // Set when the account is suspended (daily limit, budget, auth): the run must stop.
  virtual Error suspended() const = 0;
};

}  // namespace syncline::connectors
