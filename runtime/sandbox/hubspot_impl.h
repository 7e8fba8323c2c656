// Internal state of the HubSpot sandbox shared by its translation units (objects and search in
// hubspot_sandbox.cpp, associations and lists in hubspot_graph.cpp). Everything here runs with
// the sandbox's data lock held.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "sandbox/call.h"
#include "sandbox/hubspot_sandbox.h"
#include "sandbox/store.h"
#include "sandbox/webhooks.h"

namespace syncline::sandbox {

struct HubSpotAssocType {
  std::string from, to;  // object names
  int id = 0;
  int inverse = 0;
  std::string label;  // empty: the unlabeled type (label null)
  std::string category = "HUBSPOT_DEFINED";
};

struct HubSpotSandbox::Impl {
  HubSpotSandbox* self = nullptr;
  std::shared_ptr<Clock> clock;
  std::unique_ptr<Store> store;
  HubSpotLimits limits;
  std::map<std::string, ObjectDef> objects;  // by name
  std::vector<HubSpotAssocType> assoc_types;
  std::mt19937_64 rng{42};
  std::deque<int64_t> burst;   // admitted call times, last 10 s
  std::deque<int64_t> search;  // admitted search times, last 1 s
  int64_t daily_count = 0;
  // Caches: unique fields per object (rebuilt by LoadObjects) and DYNAMIC lists per object
  // type id (dropped whenever lists change), both consulted on every record write.
  std::map<std::string, std::vector<std::string>> indexed;
  std::optional<std::map<std::string, std::vector<std::pair<int64_t, nlohmann::json>>>>
      dynamic_lists;
  int64_t daily_day = -1;
  // Webhooks: the registered target (read when deciding which events a write raises) and the
  // delivery thread. Seeds and demo data (`quiet`) raise none.
  WebhookSettings webhooks;
  std::unique_ptr<WebhookDispatcher> dispatcher;
  int64_t next_event_id = 1, reserved_event_id = 0;
  bool quiet = false;

  int64_t Now() const { return clock->NowMs(); }

  // ---- objects and records (hubspot_sandbox.cpp)
  void LoadObjects();
  const ObjectDef* FindObject(const std::string& name_or_id) const;
  const std::vector<std::string>& IndexedFields(const ObjectDef& def) const;
  std::optional<std::string> PropValue(const ObjectDef& def, const StoredRecord& r,
                                       const std::string& name) const;
  nlohmann::json Render(const ObjectDef& def, const StoredRecord& r,
                        const std::vector<std::string>* props, bool history,
                        const std::vector<std::string>& assoc_to) const;
  std::optional<StoredRecord> Live(const ObjectDef& def, const std::string& id);
  // The same question when the record itself is not needed: its data is not parsed (the
  // association reads ask it of every id of a batch).
  bool IsLive(const ObjectDef& def, const std::string& id) { return store->IsLive(def.name, id); }
  void Error(Call& call, int status, const std::string& category, const std::string& message,
             nlohmann::json extra = nullptr);
  nlohmann::json Seed(const nlohmann::json& objects);

  // ---- associations and lists (hubspot_graph.cpp)
  void BuildAssocTypes();
  const HubSpotAssocType* AssocType(const std::string& from, const std::string& to, int id) const;
  const HubSpotAssocType* DefaultAssocType(const std::string& from, const std::string& to) const;
  void Associate(const std::string& from, int64_t from_id, const std::string& to, int64_t to_id,
                 const HubSpotAssocType& type);
  void Unassociate(const std::string& from, int64_t from_id, const std::string& to, int64_t to_id);
  // {to_id: [types]} for one record, live targets only, ascending id.
  std::vector<std::pair<int64_t, std::vector<const HubSpotAssocType*>>> Associations(
      const std::string& from, int64_t from_id, const std::string& to);
  void RegisterGraphRoutes(Router& router);
  void OnRecordWritten(const ObjectDef& def, const StoredRecord& r);
  bool EvaluateListFilter(const nlohmann::json& branch, const ObjectDef& def,
                          const StoredRecord& r) const;
  void CreateGraphTables();

  // ---- owners (hubspot_owners.cpp): seeded, read-only in the API
  nlohmann::json Owners();
  nlohmann::json SeedOwners(const nlohmann::json& owners);  // the new owners' ids
  void RegisterOwnerRoutes(Router& router);

  // ---- webhooks (hubspot_webhooks.cpp)
  void LoadWebhooks();
  nlohmann::json WebhookControl(std::string_view method, std::string_view path,
                                const nlohmann::json& body, int* status);
  // Events of one record write: creation (before == null), propertyChange of subscribed
  // properties whose value changed, deletion (after.deleted and before live).
  void WriteEvents(const ObjectDef& def, const StoredRecord* before, const StoredRecord& after);
  // associationChange for one stored association row (from's side only).
  void AssociationEvent(const std::string& from, int64_t from_id, const std::string& to,
                        int64_t to_id, int type_id, bool removed);
  int64_t NextEventId();
};

std::string EncodeCursor(int64_t seq);
std::optional<int64_t> DecodeCursor(const std::string& cursor);
std::string SingularName(const std::string& object);

}  // namespace syncline::sandbox
