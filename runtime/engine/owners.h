// Owner sync (R114-R119, R84). A mapping `hubspot_owner_id <-> OwnerId` moves owners, not
// ids: a HubSpot owner id means nothing to Salesforce and a User id nothing to HubSpot. After
// the rules are evaluated, OwnerSync translates the owner field of each evaluation:
//
// - Salesforce -> HubSpot (R114: any Salesforce owner can come into HubSpot): the user's
//   HubSpot owner is the non-archived owner with the same email (case-insensitive; several:
//   the one with the same name, then the smallest id). No such owner, a queue, or a user type
//   that is not recognised (R119): HubSpot's owner stays as it is (counted).
// - HubSpot -> Salesforce (R114): only to an *active* Standard, PowerPartner or Guest user
//   (R119) with the same email and the same first and last name (case-insensitive). Otherwise
//   nothing is sent and Salesforce keeps its owner (R115); the pair's base then records the
//   two owners as agreed, so the next pass writes nothing (no back-and-forth).
// - A record created from the other CRM without a valid owner gets none: a new Salesforce lead
//   is left to the lead assignment rules (R116), a new account or opportunity to the
//   integration user (R118, R84).
// - R117 (an existing record paired on its first sync keeps its Salesforce owner) is decided in
//   DecidePair (core.cpp), which asks IsOwnerField.
//
// Both owner lists are read once per run of a sync, and only when it maps the owner field.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "engine/program.h"
#include "engine/sync_runner.h"
#include "engine/values.h"

namespace syncline::engine {

// The owner mapping line: HubSpot `hubspot_owner_id` with Salesforce `OwnerId`.
bool IsOwnerField(const FieldMap& field);
const FieldMap* OwnerField(const ObjectProgram& object);

// R119: the Salesforce user types that can own synced records (queues are not User records).
bool IsRecognisedUserType(const std::string& user_type);

class OwnerSync {
 public:
  OwnerSync(connectors::Connector& hubspot, connectors::Connector& salesforce, RunReport& report)
      : hs_(hubspot), sf_(salesforce), report_(report) {}

  // `current`: the record the value would be written to (null when creating one).
  void ToSalesforce(const ObjectProgram& object, const connectors::Record* current,
                    Evaluation& evaluation);
  void ToHubSpot(const ObjectProgram& object, const connectors::Record* current,
                 Evaluation& evaluation);

  // The lists as read (for tests): loads them if needed; false when they could not be read.
  bool Load();
  // The Salesforce user a HubSpot owner id goes to, and the HubSpot owner a Salesforce owner id
  // comes in as; nullopt when there is none.
  std::optional<std::string> SalesforceUserFor(const std::string& hubspot_owner_id);
  std::optional<std::string> HubSpotOwnerFor(const std::string& salesforce_owner_id);

 private:
  connectors::Connector& hs_;
  connectors::Connector& sf_;
  RunReport& report_;
  bool loaded_ = false, available_ = false;
  std::map<std::string, connectors::Owner> hubspot_, salesforce_;   // by id
  std::set<std::string> unmatched_hubspot_, unmatched_salesforce_;  // counted once per run
};

}  // namespace syncline::engine
