// What the engine runs for a `workflow NAME: hubspot.contacts { ... }` block (R135-R138):
// triggers on HubSpot contacts, an optional condition and the actions an enrolled contact gets
// (in Salesforce, and HubSpot property values), built by the compiler pipeline (compiler/pipeline)
// like a SyncProgram. The transform's include function is the workflow's `if`; its outputs are the
// fields of the task the workflow creates (none without a `create`).
#pragma once

#include <string>
#include <vector>

#include "engine/program.h"

namespace syncline::engine {

struct WorkflowTrigger {
  enum class Kind : uint8_t {
    kEntersSegment,  // the contact is in the list now and was not at the previous run
    kChanges,        // the property's value differs from the one the previous run saw
    // The contact's Salesforce lead or contact joined the campaign since the previous run: the
    // Salesforce-side enrolment of R136, without HubSpot's Visualforce page.
    kEntersCampaign,
  } kind = Kind::kEntersSegment;
  std::string subject;  // the segment name, or the property
  // The key the trigger's memory is kept under in the state store: "segment:Hot leads",
  // "changes:lifecyclestage".
  std::string Key() const {
    return (kind == Kind::kEntersSegment    ? "segment:"
            : kind == Kind::kEntersCampaign ? "campaign:"
                                            : "changes:") +
           subject;
  }
};

struct WorkflowAction {
  enum class Kind : uint8_t {
    kCreateTask,
    kAddToCampaign,
    kSetOwner,
    kSyncToSalesforce,
    kSetHubSpot  // property values on the contact or its primary company (R135)
  } kind = Kind::kCreateTask;
  std::string owner_email;  // kCreateTask (empty: the record's owner), kSetOwner
  std::string campaign;     // kAddToCampaign: the campaign's name
  std::string status;       // kAddToCampaign: the member status ("Sent" unless written)
  std::string object;       // kSetHubSpot: "contacts" (the contact) or "companies" (its company)
};

// A `set hubspot.X { ... }`: the transform whose outputs are the property values (HubSpot's
// shape), evaluated on the contact at enrolment.
struct WorkflowSet {
  std::string object;  // "contacts" or "companies"
  Transform transform;
};

struct WorkflowProgram {
  std::string name;  // the workflow's name
  std::string hubspot_object = "contacts";
  std::vector<WorkflowTrigger> triggers;  // any of them enrols
  std::vector<WorkflowAction> actions;    // in the order written
  Transform transform;                    // include: `if`; outputs: the task's fields
  std::vector<WorkflowSet> sets;          // one per `set hubspot.X`
  std::vector<std::string> read_fields;   // contact properties the triggers and rules read
  // The Task text field that carries "syncline:workflow:<name>:<enrolment>", so a create
  // interrupted by a crash is found again (as activities do).
  std::string marker_field = "CallObject";
  std::string location;  // "workflows.sync:3:1"
};

}  // namespace syncline::engine
