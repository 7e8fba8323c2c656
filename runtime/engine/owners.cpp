#include "engine/owners.h"

#include <algorithm>
#include <cctype>

namespace syncline::engine {

using nlohmann::json;

namespace {

constexpr char kHubSpotOwner[] = "hubspot_owner_id";
constexpr char kSalesforceOwner[] = "OwnerId";

std::string Folded(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  std::string out = s.substr(b, e - b);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool SameName(const connectors::Owner& a, const connectors::Owner& b) {
  return Folded(a.first) == Folded(b.first) && Folded(a.last) == Folded(b.last);
}

std::string Text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return "";
}

}  // namespace

bool IsOwnerField(const FieldMap& fm) {
  return fm.hubspot == kHubSpotOwner && fm.salesforce == kSalesforceOwner;
}

const FieldMap* OwnerField(const ObjectProgram& object) {
  for (const auto& f : object.fields)
    if (IsOwnerField(f)) return &f;
  return nullptr;
}

bool IsRecognisedUserType(const std::string& t) {
  return t == "Standard" || t == "PowerPartner" || t == "Guest";
}

bool OwnerSync::Load() {
  if (loaded_) return available_;
  loaded_ = true;
  std::vector<connectors::Owner> hs, sf;
  connectors::Error e = hs_.ReadOwners(&hs);
  if (e.ok()) e = sf_.ReadOwners(&sf);
  if (!e.ok()) {
    // Nothing is translated: owner fields are left out of this run's writes and their base
    // stays, so the next run moves them.
    report_.message += "owners could not be read (" + e.message + "): owners were not synced; ";
    ++report_.counts["owners.unavailable"];
    return false;
  }
  for (auto& o : hs) hubspot_[o.id] = std::move(o);
  for (auto& o : sf) salesforce_[o.id] = std::move(o);
  available_ = true;
  return true;
}

std::optional<std::string> OwnerSync::SalesforceUserFor(const std::string& hubspot_owner_id) {
  if (!Load()) return std::nullopt;
  auto valid = [](const connectors::Owner& u) {
    return u.active && IsRecognisedUserType(u.user_type);
  };
  // A transform may already give a Salesforce user id.
  if (auto it = salesforce_.find(hubspot_owner_id); it != salesforce_.end())
    return valid(it->second) ? std::optional<std::string>(it->first) : std::nullopt;
  auto h = hubspot_.find(hubspot_owner_id);
  if (h == hubspot_.end() || Folded(h->second.email).empty()) return std::nullopt;
  const std::string email = Folded(h->second.email);
  // salesforce_ is ordered by id: the first match is the smallest id.
  for (const auto& [id, u] : salesforce_)
    if (valid(u) && Folded(u.email) == email && SameName(u, h->second)) return id;
  return std::nullopt;
}

std::optional<std::string> OwnerSync::HubSpotOwnerFor(const std::string& salesforce_owner_id) {
  if (!Load()) return std::nullopt;
  if (auto it = hubspot_.find(salesforce_owner_id); it != hubspot_.end())
    return it->second.active ? std::optional<std::string>(it->first) : std::nullopt;
  auto u = salesforce_.find(salesforce_owner_id);  // a queue (00G...) is not a user
  if (u == salesforce_.end() || !IsRecognisedUserType(u->second.user_type)) return std::nullopt;
  const std::string email = Folded(u->second.email);
  if (email.empty()) return std::nullopt;
  const connectors::Owner* best = nullptr;
  for (const auto& [id, o] : hubspot_) {
    if (!o.active || Folded(o.email) != email) continue;
    if (!best || (SameName(o, u->second) && !SameName(*best, u->second))) best = &o;
  }
  if (!best) return std::nullopt;
  return best->id;
}

// The owner value cannot move: an existing record keeps the owner it has (the evaluation
// agrees with it, so the pair's base settles and no write follows); a new record gets none.
// When the lists could not be read the field is left out instead, so the base does not move.
namespace {
void Keep(Evaluation& e, const std::string& field, const connectors::Record* current,
          bool available) {
  if (current && available)
    e.fields[field] = FieldValue(*current, field);
  else
    e.fields.erase(field);
}
}  // namespace

void OwnerSync::ToSalesforce(const ObjectProgram& object, const connectors::Record* current,
                             Evaluation& e) {
  const FieldMap* fm = OwnerField(object);
  if (!fm || e.status != Evaluation::kOk) return;
  auto it = e.fields.find(fm->salesforce);
  if (it == e.fields.end()) return;
  const bool available = Load();
  const std::string value = Text(*it);
  std::optional<std::string> user;
  if (!value.empty()) user = SalesforceUserFor(value);
  if (user) {
    *it = *user;
    return;
  }
  // Blank (OwnerId is required in Salesforce) or no active user with that name and email.
  if (!value.empty() && available && unmatched_hubspot_.insert(value).second)
    ++report_.counts["owners.not_sent"];
  Keep(e, fm->salesforce, current, available);
}

void OwnerSync::ToHubSpot(const ObjectProgram& object, const connectors::Record* current,
                          Evaluation& e) {
  const FieldMap* fm = OwnerField(object);
  if (!fm || e.status != Evaluation::kOk) return;
  auto it = e.fields.find(fm->hubspot);
  if (it == e.fields.end()) return;
  const bool available = Load();
  const std::string value = Text(*it);
  std::optional<std::string> owner;
  if (!value.empty()) owner = HubSpotOwnerFor(value);
  if (owner) {
    *it = *owner;
    return;
  }
  if (!value.empty() && available && unmatched_salesforce_.insert(value).second)
    ++report_.counts["owners.no_hubspot_owner"];
  Keep(e, fm->hubspot, current, available);
}

}  // namespace syncline::engine
