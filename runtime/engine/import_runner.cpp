#include "engine/import_runner.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "engine/run_all.h"
#include "engine/salesforce_activity_runner.h"
#include "engine/values.h"

namespace syncline::engine {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A Salesforce id of the object with this key prefix: 15 or 18 letters and digits.
bool LooksLikeId(const std::string& s, const std::string& prefix) {
  if (s.size() != 15 && s.size() != 18) return false;
  if (s.compare(0, prefix.size(), prefix) != 0) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c); });
}

// Why an object cannot be imported when no sync pairs it.
std::string NoSync(const std::string& object) {
  const std::string head = "no sync block pairs salesforce." + object + ": ";
  if (object == "Account")
    return head +
           "importing accounts needs a company sync (R66: an import made while company sync is "
           "off creates no companies); add `sync companies: hubspot.companies <-> "
           "salesforce.Account { ... }` and import again";
  if (object == "Opportunity")
    return head +
           "importing opportunities needs a deal sync (R77: without it no deals are created); "
           "add `sync deals: hubspot.deals <-> salesforce.Opportunity { ... }` (and a company "
           "sync with its accounts imported first, R74) and import again";
  if (object == "Case")
    return head +
           "importing cases needs a ticket sync (R85-R88); add `sync tickets: hubspot.tickets "
           "<- salesforce.Case { ... }` and import again";
  if (object == "Lead" || object == "Contact")
    return head +
           "importing leads and contacts needs a contact sync (R61); add `sync contacts: "
           "hubspot.contacts <-> salesforce.Lead | salesforce.Contact { match email ... }`";
  if (object == "Task" || object == "Event")
    return "no `activities from salesforce.Task` block lists " +
           std::string(object == "Task" ? "tasks, calls or emails" : "meetings") +
           ": importing salesforce." + object +
           " makes HubSpot engagements through that block (R89, R90); add `activities from "
           "salesforce.Task { " +
           (object == "Task" ? "tasks calls emails" : "meetings") + " }` and import again";
  return head + "an import reads an object through the sync that pairs it (R125); add a sync " +
         "block for it";
}

// The sync pairing `object`, matched case-insensitively; `*canonical` gets its spelling.
const SyncProgram* SyncOf(const std::vector<const SyncProgram*>& order, const std::string& object,
                          std::string* canonical) {
  for (const SyncProgram* s : order)
    for (const ObjectProgram& o : s->objects)
      if (Lower(o.object) == Lower(object)) {
        *canonical = o.object;
        return s;
      }
  return nullptr;
}

std::string StandardSpelling(const std::string& object) {
  for (const char* name : {"Lead", "Contact", "Account", "Opportunity", "Case", "Task", "Event",
                           "Campaign", "CampaignMember"})
    if (Lower(name) == Lower(object)) return name;
  return object;
}

void PlanCampaign(const std::vector<const SyncProgram*>& order, connectors::Connector& sf,
                  const ImportRequest& r, ImportPlan* plan) {
  std::string wanted;
  if (!r.object.empty()) {
    wanted = StandardSpelling(r.object);
    if (wanted != "Lead" && wanted != "Contact") {
      plan->error =
          "a campaign import brings the campaign's leads and contacts (R125): "
          "--object must be Lead or Contact, not " +
          r.object;
      return;
    }
  }
  // The campaign, by id or else by name.
  const std::vector<std::string> fields = {"Id", "Name", "IsActive", "Status"};
  std::vector<connectors::Record> found;
  connectors::Error e;
  if (LooksLikeId(r.campaign, "701")) {
    e = sf.FindByField("Campaign", "Id", {r.campaign}, fields, &found);
    if (!e.ok()) {
      plan->error = "reading Salesforce campaigns: " + e.message;
      return;
    }
  }
  if (found.empty()) {
    e = sf.FindByField("Campaign", "Name", {r.campaign}, fields, &found);
    if (!e.ok()) {
      plan->error = "reading Salesforce campaigns: " + e.message;
      return;
    }
  }
  if (found.empty()) {
    plan->error = "no Salesforce campaign has the id or name \"" + r.campaign + "\"";
    return;
  }
  if (found.size() > 1) {
    plan->error = std::to_string(found.size()) + " Salesforce campaigns are named \"" + r.campaign +
                  "\": give the id of the one to import (";
    for (size_t i = 0; i < found.size(); ++i) plan->error += (i ? ", " : "") + found[i].id;
    plan->error += ")";
    return;
  }
  const connectors::Record& campaign = found.front();
  plan->campaign_id = campaign.id;
  plan->campaign_name = StringOf(FieldValue(campaign, "Name"));
  const nlohmann::json& active = FieldValue(campaign, "IsActive");
  if (!(active.is_boolean() ? active.get<bool>() : active == "true")) {
    plan->error = "campaign \"" + plan->campaign_name + "\" (" + campaign.id +
                  ") is not active: only active Salesforce campaigns can be imported (R126)";
    return;
  }
  // Its members: a lead or a contact each (a member with both is the converted lead's contact).
  std::vector<connectors::Record> members;
  e = sf.FindByField("CampaignMember", "CampaignId", {campaign.id},
                     {"Id", "CampaignId", "LeadId", "ContactId"}, &members);
  if (!e.ok()) {
    plan->error = "reading the members of campaign \"" + plan->campaign_name + "\": " + e.message;
    return;
  }
  std::set<std::string> leads, contacts;
  for (const auto& m : members) {
    const std::string contact = StringOf(FieldValue(m, "ContactId"));
    const std::string lead = StringOf(FieldValue(m, "LeadId"));
    if (!contact.empty())
      contacts.insert(contact);
    else if (!lead.empty())
      leads.insert(lead);
  }
  plan->campaign_leads = static_cast<int64_t>(leads.size());
  plan->campaign_contacts = static_cast<int64_t>(contacts.size());
  for (const auto& [object, ids] :
       {std::pair<std::string, const std::set<std::string>*>{"Lead", &leads},
        {"Contact", &contacts}}) {
    if (!wanted.empty() && wanted != object) continue;
    std::string canonical;
    const SyncProgram* s = SyncOf(order, object, &canonical);
    if (!s) {
      if (ids->empty()) continue;
      plan->error = NoSync(object);
      plan->steps.clear();
      return;
    }
    plan->steps.push_back({s, canonical, std::vector<std::string>(ids->begin(), ids->end())});
  }
  if (plan->steps.empty() && plan->error.empty())
    plan->error = NoSync(wanted.empty() ? "Contact" : wanted);
}

// The `activities from salesforce.Task` block that imports this Salesforce object (Task or
// Event): one listing a type made from it.
const ActivityProgram* ActivitiesOf(const std::vector<ActivityProgram>& activities,
                                    const std::string& object) {
  for (const ActivityProgram& a : activities) {
    if (!a.from_salesforce) continue;
    for (const std::string& type : a.types)
      if ((type == "meetings") == (object == "Event")) return &a;
  }
  return nullptr;
}

}  // namespace

ImportPlan PlanImport(const std::vector<SyncProgram>& syncs, connectors::Connector& salesforce,
                      const ImportRequest& r, const std::vector<ActivityProgram>& activities) {
  ImportPlan plan;
  plan.limit = r.limit;
  const std::vector<const SyncProgram*> order = RunOrder(syncs);
  if (!r.campaign.empty()) {
    PlanCampaign(order, salesforce, r, &plan);
    return plan;
  }
  if (r.object.empty()) {
    for (const SyncProgram* s : order)
      for (const ObjectProgram& o : s->objects) plan.steps.push_back({s, o.object, std::nullopt});
    // Activities last: their contacts and related records are linked by then (R90).
    for (const char* object : {"Task", "Event"})
      if (const ActivityProgram* a = ActivitiesOf(activities, object))
        plan.steps.push_back({nullptr, object, std::nullopt, a});
    if (plan.steps.empty()) plan.error = "the rules have no sync block: nothing to import";
    return plan;
  }
  if (const std::string object = StandardSpelling(r.object);
      object == "Task" || object == "Event") {
    if (const ActivityProgram* a = ActivitiesOf(activities, object))
      plan.steps.push_back({nullptr, object, std::nullopt, a});
    else
      plan.error = NoSync(object);
    return plan;
  }
  std::string canonical;
  const SyncProgram* s = SyncOf(order, r.object, &canonical);
  if (!s) {
    plan.error = NoSync(StandardSpelling(r.object));
    return plan;
  }
  plan.steps.push_back({s, canonical, std::nullopt});
  return plan;
}

ImportResult RunImport(const ImportPlan& plan, connectors::Connector& hubspot,
                       connectors::Connector& salesforce, state::StateStore& store,
                       const RunOptions& options) {
  ImportResult out;
  for (const ImportStep& step : plan.steps) {
    RunOptions o = options;
    o.import_object = step.object;
    o.import_ids = step.ids;
    o.import_limit = plan.limit                 ? *plan.limit
                     : step.object == "Account" ? kBulkCompanyResyncCap
                                                : 0;
    RunReport r;
    if (step.activity) {
      SalesforceActivityRunner runner(*step.activity, hubspot, salesforce, store, o);
      r = runner.Run();
    } else {
      SyncRunner runner(*step.sync, hubspot, salesforce, store, o);
      r = runner.Run();
    }
    out.total.Merge(r);
    out.by_object.emplace_back(step.object, std::move(r));
    if (out.total.status != "ok") break;
  }
  return out;
}

}  // namespace syncline::engine
