// What the engine runs: one SyncProgram per `sync` block, built by the compiler pipeline
// (compiler/pipeline) from checked rules. It holds the compiled transforms as C-ABI batch
// functions (JIT code or the reference interpreter) and, per mapping line, the sync rule the
// engine applies to the values they compute. The runtime never sees the AST or LLVM.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "abi/syncline_abi.h"
#include "record/record.h"
#include "schema/schema.h"

namespace syncline::engine {

// The integration's four sync rules (R1-R16), with the side a one-sided rule favours.
enum class FieldRule : uint8_t {
  kTwoWay,            // last change wins, per field (R8, R9)
  kPreferSalesforce,  // Salesforce wins unless its value is blank (R1-R5)
  kPreferHubSpot,     // the mirror image
  kAlwaysSalesforce,  // Salesforce always wins; HubSpot never writes (R6, R7)
  kAlwaysHubSpot,     // the mirror image
  kDontSync,          // nothing moves (R10)
};
// "two-way", "prefer salesforce unless blank", ... (as written in rule files).
std::string_view FieldRuleName(FieldRule rule);
// The behaviour rules that define it: "R8, R9".
std::string_view FieldRuleRefs(FieldRule rule);

// `from salesforce:` / `to salesforce:` (R27-R29).
enum class CreateMode : uint8_t { kCreateOrUpdate, kUpdateOnly, kNothing };

using BatchFn = std::function<void(sl_ctx*, size_t, const sl_value*, sl_value*, sl_record_result*)>;

// One compiled direction of one object pair: slots fixed by `layout`.
struct Transform {
  rt::Layout layout;
  BatchFn run;
  // Rule source locations ("contacts.sync:12:5") by failure location index.
  std::shared_ptr<const std::vector<std::string>> locations;
  // Whether the rules call std.lifecycle builtins, which rank stages in the portal's own
  // order: the runtime then reads the portal's lifecycle stages (portal_stages.h).
  bool uses_lifecycle_stages = false;
  bool valid() const { return static_cast<bool>(run); }
};

// One mapping line between a HubSpot property and a field of one Salesforce object.
struct FieldMap {
  std::string hubspot, salesforce;
  FieldRule rule = FieldRule::kTwoWay;
  bool writes_salesforce = false, writes_hubspot = false;
  schema::ValueKind hubspot_kind = schema::ValueKind::kText;
  schema::ValueKind salesforce_kind = schema::ValueKind::kText;
  int to_salesforce_slot = -1;  // output slot in ObjectProgram::to_salesforce, -1: none
  int to_hubspot_slot = -1;
  std::string location;  // of the mapping line
};

// A sync's pairing with one Salesforce object (contacts: Lead, and Contact).
struct ObjectProgram {
  std::string object;  // "Lead"
  std::vector<FieldMap> fields;
  Transform to_salesforce;  // from the HubSpot record (include filter + create/update values)
  Transform to_hubspot;     // from this object's record
  std::vector<std::string> read_fields;  // Salesforce fields the engine reads
  const FieldMap* ByHubSpot(std::string_view property) const;
  const FieldMap* BySalesforce(std::string_view field) const;
};

// Associations kept in step between synced records (R69, R82, R87, R133): the HubSpot
// association to another synced object, and how Salesforce holds the same link.
struct AssociationSpec {
  enum class Kind : uint8_t {
    kLookupOnRecord,  // a lookup field on this sync's record: Opportunity.AccountId
    kLookupOnOther,   // a lookup on the other record pointing here: Contact.AccountId
    kContactRoles,    // OpportunityContactRole rows
  };
  std::string hubspot_object;     // "contacts"
  std::string salesforce_object;  // "Contact"
  Kind kind = Kind::kLookupOnRecord;
  std::string lookup;  // the lookup field ("AccountId"); empty for contact roles
};

// A deal pipeline of the rules (`stages pipeline "P" record type "R" { ... }`).
struct DealPipeline {
  std::string pipeline;  // the HubSpot pipeline ("" = every pipeline: a lone `stages { }`)
  // The opportunities' Salesforce record type: its DeveloperName or id ("" = opportunities of
  // no listed record type).
  std::string record_type;
  // HubSpot stage -> Salesforce stages (the first is written; any reads back).
  std::vector<std::pair<std::string, std::vector<std::string>>> stages;
  std::string location;  // of the block
};

// R34: the HubSpot contact property Syncline writes a synced contact's Salesforce campaign
// names to (HubSpot's own `salesforcecampaignids` is read-only to apps).
inline constexpr char kCampaignsProperty[] = "salesforce_campaigns";

struct SyncProgram {
  std::string name;            // the sync block's name
  std::string hubspot_object;  // "contacts"
  std::vector<ObjectProgram> objects;
  std::string create_target;  // the Salesforce object new HubSpot records become (R29)
  CreateMode in_hubspot = CreateMode::kCreateOrUpdate;
  CreateMode in_salesforce = CreateMode::kCreateOrUpdate;
  bool delete_from_salesforce = false;  // a Salesforce delete deletes in HubSpot (R151)
  // The matching key (R48): HubSpot property and Salesforce field, compared case-insensitively.
  std::string match_hubspot, match_salesforce;
  bool has_include = false;
  std::vector<std::string> segments;  // list names the include filter asks about
  bool dynamic_segments = false;
  std::string picklists_salesforce = "disabled";  // R112
  std::string picklists_hubspot = "as_is";        // R113
  bool lifecycle = false;                         // R96-R106
  std::string lifecycle_open_stage, lifecycle_won_stage;
  // R106: Opportunity StageName -> lifecycle stage, before the open/won groups.
  std::map<std::string, std::string> lifecycle_by_stage_name;
  bool lifecycle_spread = false;  // R103
  // R73: the rules also sync companies, so contacts' lifecycle changes (the lifecycle pass's,
  // and any the HubSpot change feed shows) move their companies, forward only.
  bool lifecycle_to_companies = false;
  std::vector<std::string> hubspot_read_fields;
  // Deals (R78-R82): one entry per `stages` block. A deal syncs while it is in one of their
  // pipelines (R80); an opportunity lands in the pipeline of its record type, else in the
  // block without one (R78).
  std::vector<DealPipeline> pipelines;
  bool HasRecordTypes() const;  // some block names a record type (R78)
  std::vector<AssociationSpec> associations;
  // The HubSpot property holding a Salesforce id that matching uses (companies:
  // salesforceaccountid, R58). HubSpot's own integration writes it and it is read-only to
  // apps, so Syncline reads it (a portal moving from the native integration pairs through it)
  // and never writes it. Empty: none.
  std::string id_property;
  // R34: the HubSpot contact property that gets the names of the Salesforce campaigns of the
  // lead or contact a HubSpot contact syncs with, whenever the pair syncs (campaigns.h). Empty:
  // not written (not a contacts sync, no Salesforce -> HubSpot direction, or the rules map the
  // property themselves).
  std::string campaigns_property;
  // `conflict: salesforce wins` / `hubspot wins` (R131): which side a two-way field takes when
  // both changed since the last sync (or both hold values at a first pairing). Unset: the
  // more recently modified record wins (R8).
  enum class Winner : uint8_t { kNewest, kHubSpot, kSalesforce } conflict = Winner::kNewest;

  const ObjectProgram* Object(std::string_view salesforce_object) const;
  bool IsContacts() const { return hubspot_object == "contacts"; }
  bool IsCompanies() const { return hubspot_object == "companies"; }
};

}  // namespace syncline::engine
