// Companies <-> accounts are deduplicated through their contacts, never by domain (R56):
// a new record pairs with the counterpart that its synced contacts already point at, or with
// the one named by the stored Salesforce Account ID (R58). A new HubSpot company creates an
// account only when one of its contacts syncs to a Salesforce contact without an account
// (R69 b); with no associated contacts, or only leads, it creates none (R70). Every new
// account creates a company unless it pairs (R67).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/run_context.h"

namespace syncline::engine {

struct CompanyMatch {
  std::optional<connectors::Record> account;  // pair with this account
  bool may_create = false;                    // no pair: an account may be created (R69)
  std::string reason;                         // why (for counts and plans)
};

// For HubSpot companies without a link. `accounts` is the sync's Account program.
std::vector<CompanyMatch> MatchNewCompanies(
    RunContext& c, const ObjectProgram& accounts,
    const std::vector<const connectors::Record*>& companies);

// For Salesforce accounts without a link: the HubSpot company each pairs with, if any.
std::vector<std::optional<connectors::Record>> MatchNewAccounts(
    RunContext& c, const std::vector<const connectors::Record*>& accounts);

}  // namespace syncline::engine
