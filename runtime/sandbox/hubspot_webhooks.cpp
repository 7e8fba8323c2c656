// HubSpot webhooks (API spec A14): which events a write raises, and the control API of the
// registered target (/_sandbox/webhooks). Delivery itself is WebhookDispatcher's (webhooks.cpp).
#include <algorithm>

#include "sandbox/hubspot_impl.h"

namespace syncline::sandbox {

using nlohmann::json;

namespace {

std::string UpperName(const std::string& object) {
  std::string s = SingularName(object);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

void HubSpotSandbox::Impl::LoadWebhooks() {
  webhooks = WebhookSettings{};
  if (auto saved = store->GetSetting("hs:webhooks")) {
    json j = json::parse(*saved);
    if (!j.value("target_url", "").empty()) webhooks = j.get<WebhookSettings>();
  }
  if (auto seq = store->GetSetting("hs:webhook_event_seq"))
    next_event_id = reserved_event_id = std::stoll(*seq);
  if (webhooks.enabled()) {
    dispatcher->Configure(webhooks);
  } else {
    dispatcher->Clear();
  }
}

int64_t HubSpotSandbox::Impl::NextEventId() {
  // Ids are reserved in blocks so that a persistent sandbox never repeats one after a restart
  // without writing a setting per event.
  if (next_event_id >= reserved_event_id) {
    reserved_event_id = next_event_id + 10'000;
    store->SetSetting("hs:webhook_event_seq", std::to_string(reserved_event_id));
  }
  return next_event_id++;
}

void HubSpotSandbox::Impl::WriteEvents(const ObjectDef& def, const StoredRecord* before,
                                       const StoredRecord& after) {
  if (!webhooks.enabled() || quiet) return;
  std::string singular = SingularName(def.name);
  std::vector<json> events;
  auto event = [&](const WebhookSubscription& sub, int64_t when) {
    json e = {{"eventId", NextEventId()},
              {"subscriptionId", sub.id},
              {"portalId", limits.portal_id},
              {"appId", webhooks.app_id},
              {"occurredAt", when},
              {"subscriptionType", sub.subscription_type},
              {"objectId", after.seq},
              {"changeSource", "API"},
              {"sourceId", webhooks.source_id}};
    if (sub.subscription_type.rfind("object.", 0) == 0) e["objectTypeId"] = def.object_type_id;
    return e;
  };
  if (after.deleted) {
    if (before && before->deleted) return;
    for (const auto* sub : webhooks.Matching(singular, def.object_type_id, "deletion")) {
      json e = event(*sub, after.deleted_ms);
      e["changeFlag"] = "DELETED";
      events.push_back(std::move(e));
    }
  } else {
    if (!before) {
      for (const auto* sub : webhooks.Matching(singular, def.object_type_id, "creation")) {
        json e = event(*sub, after.created_ms);
        e["changeFlag"] = "CREATED";
        events.push_back(std::move(e));
      }
    }
    // Every subscribed property whose value changed, including on creation (a value set by
    // the create is a change from nothing); clearing a value sends "".
    for (const auto* sub : webhooks.Matching(singular, def.object_type_id, "propertyChange")) {
      auto now_value = PropValue(def, after, sub->property_name).value_or("");
      auto old_value =
          before ? PropValue(def, *before, sub->property_name).value_or("") : std::string();
      if (now_value == old_value) continue;
      json e = event(*sub, after.updated_ms);
      e["propertyName"] = sub->property_name;
      e["propertyValue"] = now_value;
      events.push_back(std::move(e));
    }
  }
  dispatcher->Enqueue(std::move(events));
}

void HubSpotSandbox::Impl::AssociationEvent(const std::string& from, int64_t from_id,
                                            const std::string& to, int64_t to_id, int type_id,
                                            bool removed) {
  if (!webhooks.enabled() || quiet) return;
  const ObjectDef* def = FindObject(from);
  if (!def) return;
  const HubSpotAssocType* type = AssocType(from, to, type_id);
  std::vector<json> events;
  for (const auto* sub :
       webhooks.Matching(SingularName(from), def->object_type_id, "associationChange")) {
    json e = {{"eventId", NextEventId()},
              {"subscriptionId", sub->id},
              {"portalId", limits.portal_id},
              {"appId", webhooks.app_id},
              {"occurredAt", Now()},
              {"subscriptionType", sub->subscription_type},
              {"changeSource", "API"},
              {"sourceId", webhooks.source_id},
              {"associationType", UpperName(from) + "_TO_" + UpperName(to)},
              {"associationTypeId", type_id},
              {"associationCategory", type ? type->category : "HUBSPOT_DEFINED"},
              {"fromObjectId", from_id},
              {"toObjectId", to_id},
              {"associationRemoved", removed},
              {"isPrimaryAssociation", type && type->label == "Primary"}};
    if (sub->subscription_type.rfind("object.", 0) == 0) e["objectTypeId"] = def->object_type_id;
    events.push_back(std::move(e));
  }
  dispatcher->Enqueue(std::move(events));
}

json HubSpotSandbox::Impl::WebhookControl(std::string_view method, std::string_view path,
                                          const json& body, int* status) {
  (void)path;
  if (method == "POST" || method == "PUT") {
    WebhookSettings settings = body.get<WebhookSettings>();
    webhooks = settings;
    store->SetSetting("hs:webhooks", json(webhooks).dump());
    dispatcher->Configure(webhooks);
  } else if (method == "DELETE") {
    webhooks = WebhookSettings{};
    store->SetSetting("hs:webhooks", "{}");
    dispatcher->Clear();
    return {{"cleared", true}};
  } else if (method != "GET") {
    *status = 405;
    return {{"error", "use GET, POST or DELETE"}};
  }
  if (!webhooks.enabled()) return {{"registered", false}, {"stats", dispatcher->Stats()}};
  json out = webhooks;
  out["registered"] = true;
  out["stats"] = dispatcher->Stats();
  return out;
}

}  // namespace syncline::sandbox
