#include "engine/campaigns.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/values.h"

namespace syncline::engine {

using nlohmann::json;

bool CampaignSync::Covers(const std::string& salesforce_object) const {
  if (p_.campaigns_property.empty() || unavailable_) return false;
  if (salesforce_object != "Lead" && salesforce_object != "Contact") return false;
  const ObjectProgram* obj = p_.Object(salesforce_object);
  return obj && obj->to_hubspot.valid();
}

void CampaignSync::Unavailable(const std::string& what, const connectors::Error& e) {
  Unavailable(what + " (" + e.code + ": " + e.message + ")");
}

void CampaignSync::Unavailable(const std::string& why) {
  unavailable_ = true;
  report_.counts["campaigns.unavailable"] += 1;
  report_.message += why + ": the Salesforce Campaigns property is left as it is (R34); ";
}

std::optional<std::unordered_map<std::string, std::string>> CampaignSync::Names(
    const std::string& salesforce_object, const std::vector<std::string>& ids, int64_t* min_calls) {
  if (!Covers(salesforce_object)) return std::nullopt;
  const std::string lookup = salesforce_object == "Lead" ? "LeadId" : "ContactId";
  if (!AnyMembers(min_calls)) {
    if (unavailable_) return std::nullopt;
    // No record of the org is in a campaign: every value is "" without asking per record.
    std::unordered_map<std::string, std::string> none;
    for (const std::string& id : ids) none[id];
    report_.counts["campaigns.read"] += static_cast<int64_t>(ids.size());
    return none;
  }
  std::vector<connectors::Record> members;
  // Campaign.Name through the relationship: the names come with the members, one query.
  connectors::Error e = sf_.FindByField("CampaignMember", lookup, ids,
                                        {lookup, "CampaignId", "Campaign.Name"}, &members);
  const int64_t queries = (static_cast<int64_t>(ids.size()) + 99) / 100;
  *min_calls += queries;
  report_.counts["campaigns.queries"] += queries;
  if (!e.ok()) {
    Unavailable("Salesforce campaign members could not be read", e);
    return std::nullopt;
  }
  std::map<std::string, std::set<std::string>> names;  // record id -> campaign names
  for (const connectors::Record& m : members) {
    const std::string id = StringOf(FieldValue(m, lookup));
    const json& campaign = FieldValue(m, "Campaign");
    std::string name =
        campaign.is_object() ? StringOf(campaign.value("Name", json())) : std::string();
    // A campaign without a name (or one the user cannot see) still counts, by its id.
    if (name.empty()) name = StringOf(FieldValue(m, "CampaignId"));
    if (!id.empty() && !name.empty()) names[id].insert(name);
  }
  std::unordered_map<std::string, std::string> out;
  for (const std::string& id : ids) {
    std::string joined;
    for (const std::string& name : names[id]) joined += (joined.empty() ? "" : ";") + name;
    out[id] = std::move(joined);
  }
  report_.counts["campaigns.read"] += static_cast<int64_t>(ids.size());
  return out;
}

bool CampaignSync::AnyMembers(int64_t* min_calls) {
  if (any_members_) return *any_members_;
  // The first page of CampaignMember ids is enough to know; the read stops there.
  bool any = false;
  connectors::Error e =
      sf_.ReadChanges("CampaignMember", "", {"Id"}, [&](connectors::ChangePage& page) {
        any = !page.records.empty();
        return false;
      });
  ++*min_calls;
  report_.counts["campaigns.queries"] += 1;
  if (!e.ok()) {
    Unavailable("Salesforce campaign members could not be read", e);
    return *(any_members_ = false);
  }
  return *(any_members_ = any);
}

bool CampaignSync::Ready(bool dry_run, int64_t* min_calls) {
  if (unavailable_) return false;
  if (ready_) return *ready_;
  if (dry_run) return *(ready_ = true);
  bool created = false;
  connectors::Error e =
      hs_.EnsureProperty("contacts", PropertyDefinition(p_.campaigns_property), &created);
  ++*min_calls;
  if (!e.ok()) {
    Unavailable(
        "the HubSpot contact property " + p_.campaigns_property + " could not be read or created",
        e);
    return *(ready_ = false);
  }
  if (created) {
    ++*min_calls;
    report_.counts["campaigns.property_created"] += 1;
  }
  return *(ready_ = true);
}

json CampaignSync::PropertyDefinition(const std::string& name) {
  return json{{"name", name},
              {"label", "Salesforce Campaigns"},
              {"type", "string"},
              {"fieldType", "textarea"},
              {"groupName", "contactinformation"},
              {"description",
               "Names of the Salesforce campaigns the synced lead or contact is a member of, "
               "separated by semicolons. Written by Syncline whenever the contact syncs."},
              {"formField", false}};
}

}  // namespace syncline::engine
