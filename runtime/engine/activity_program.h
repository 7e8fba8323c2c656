// What the engine runs for an `activities to salesforce.Task` block (timeline sync, R89-R95):
// the enabled HubSpot activity types and the compiled field expressions, built by the compiler
// pipeline (compiler/pipeline) like a SyncProgram. The transform reads the activity
// pseudo-fields (input slots named `type`, `title`, `body`, `timestamp`) and writes the fields
// of the Salesforce object.
//
// An `activities from salesforce.Task` block (R89, R90) has `from_salesforce` set and runs with
// SalesforceActivityRunner: `to_hubspot` reads the Salesforce pseudo-fields (`type`, `subject`,
// `description`, `status`, `priority`, `due`, `timestamp`, `start`, `end`, `location`) and
// writes HubSpot engagement properties, each on the objects `hubspot_objects` lists for it.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/program.h"

namespace syncline::engine {

struct ActivityProgram {
  bool from_salesforce = false;  // `activities from salesforce.Task`
  std::string salesforce_object = "Task";
  // The activity types listed in the block, as written: note, call, meeting, task,
  // sales_email, form_submission, marketing_email, document_view, integration_event; from
  // Salesforce: tasks, emails, calls, meetings (the HubSpot objects they become).
  std::vector<std::string> types;
  Transform to_salesforce;
  // From Salesforce: the block's assignments, and per output property the engagement objects
  // that have it (an assignment is written only there).
  Transform to_hubspot;
  std::map<std::string, std::vector<std::string>> hubspot_objects;
  // From Salesforce: the engagement property that carries "salesforce:Task:<id>" of the task an
  // engagement was made from (a unique property: journal read-back, no duplicate creates).
  std::string hubspot_marker = "hs_unique_creation_key";
  // A Task text field that carries "hubspot:<object>:<id>" of the engagement a task was made
  // from, so a create interrupted by a crash is found again (journal read-back).
  std::string marker_field = "CallObject";
  std::string location;  // "activities.sync:2:1"
};

// The HubSpot CRM object holding engagements of an activity type ("note" -> "notes"); empty
// for types that are not CRM objects (form submissions, marketing emails, document views,
// integration events), which the runner cannot read yet.
inline std::string_view ActivityObject(std::string_view type) {
  if (type == "note") return "notes";
  if (type == "call") return "calls";
  if (type == "meeting") return "meetings";
  if (type == "task") return "tasks";
  if (type == "sales_email") return "emails";
  return "";
}

}  // namespace syncline::engine
