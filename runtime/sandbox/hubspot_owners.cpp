// HubSpot owners v3 (GET /crm/v3/owners, GET /crm/v3/owners/{ownerId}): the users records can
// be assigned to through `hubspot_owner_id`. Owners are read-only in the API; they come from
// /_sandbox/seed {"owners": [...]} and the demo data, and are kept as one JSON array in the
// store's settings (cleared by /_sandbox/reset).
#include <algorithm>
#include <cctype>

#include "sandbox/hubspot_impl.h"
#include "sandbox/time_format.h"

namespace syncline::sandbox {

using nlohmann::json;

namespace {

constexpr char kKey[] = "hs:owners";
constexpr int64_t kFirstOwnerId = 70000001;  // owner ids are numeric strings
constexpr int64_t kFirstUserId = 9000001;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return "";
}

bool Digits(const std::string& s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

json HubSpotSandbox::Impl::Owners() {
  auto text = store->GetSetting(kKey);
  return text ? json::parse(*text) : json::array();
}

json HubSpotSandbox::Impl::SeedOwners(const json& items) {
  json owners = Owners();
  int64_t next_id = kFirstOwnerId, next_user = kFirstUserId;
  for (const auto& o : owners) {
    next_id = std::max<int64_t>(next_id, std::stoll(o.value("id", "0")) + 1);
    next_user = std::max(next_user, o.value("userId", int64_t{0}) + 1);
  }
  json ids = json::array();
  const std::string now = FormatIsoMs(Now());
  for (const auto& item : items) {
    if (!item.is_object()) throw std::runtime_error("an owner must be an object");
    std::string id = Text(item.value("id", json()));
    if (id.empty()) id = std::to_string(next_id++);
    if (!Digits(id)) throw std::runtime_error("owner id must be numeric: " + id);
    next_id = std::max<int64_t>(next_id, std::stoll(id) + 1);
    for (const auto& o : owners)
      if (o.value("id", "") == id) throw std::runtime_error("owner id " + id + " exists");
    json owner = {{"id", id},
                  {"email", item.value("email", "")},
                  {"type", "PERSON"},
                  {"firstName", item.value("firstName", "")},
                  {"lastName", item.value("lastName", "")},
                  {"userId", item.value("userId", next_user++)},
                  {"userIdIncludingInactive", nullptr},
                  {"createdAt", item.value("createdAt", now)},
                  {"updatedAt", item.value("updatedAt", now)},
                  {"archived", item.value("archived", false)},
                  {"teams", json::array()}};
    owner["userIdIncludingInactive"] = owner["userId"];
    owners.push_back(std::move(owner));
    ids.push_back(id);
  }
  store->SetSetting(kKey, owners.dump());
  return ids;
}

void HubSpotSandbox::Impl::RegisterOwnerRoutes(Router& router) {
  // GET /crm/v3/owners?email=&after=&limit=&archived=: ascending id, `after` is an offset.
  router.Add("GET", "/crm/v3/owners", [this](Call& call) {
    std::string limit_text = call.Query("limit", "100");
    int limit = 0;
    if (!Digits(limit_text) || (limit = std::stoi(limit_text)) < 1 || limit > 500) {
      Error(call, 400, "VALIDATION_ERROR", "limit must be between 1 and 500");
      return;
    }
    size_t offset = 0;
    if (!call.Query("after").empty()) {
      if (!Digits(call.Query("after"))) {
        Error(call, 400, "VALIDATION_ERROR", "Invalid 'after': " + call.Query("after"));
        return;
      }
      offset = std::stoul(call.Query("after"));
    }
    const bool archived = call.Query("archived", "false") == "true";
    const std::string email = Lower(call.Query("email"));
    std::vector<json> match;
    for (const auto& o : Owners())
      if (o.value("archived", false) == archived &&
          (email.empty() || Lower(o.value("email", "")) == email))
        match.push_back(o);
    std::sort(match.begin(), match.end(), [](const json& a, const json& b) {
      return std::stoll(a.value("id", "0")) < std::stoll(b.value("id", "0"));
    });
    json out = {{"results", json::array()}};
    for (size_t i = offset; i < match.size() && i < offset + static_cast<size_t>(limit); ++i)
      out["results"].push_back(match[i]);
    if (offset + static_cast<size_t>(limit) < match.size()) {
      const std::string after = std::to_string(offset + limit);
      out["paging"] = {
          {"next",
           {{"after", after},
            {"link", "/crm/v3/owners/?after=" + after + "&limit=" + std::to_string(limit)}}}};
    }
    call.Json(200, std::move(out));
  });
  // GET /crm/v3/owners/{ownerId}?idProperty=id|userId&archived=
  router.Add("GET", "/crm/v3/owners/{ownerId}", [this](Call& call) {
    const std::string id = call.Param("ownerId");
    const std::string by = call.Query("idProperty", "id");
    if (by != "id" && by != "userId") {
      Error(call, 400, "VALIDATION_ERROR", "idProperty must be id or userId");
      return;
    }
    const bool archived = call.Query("archived", "false") == "true";
    for (const auto& o : Owners()) {
      const std::string key = by == "id" ? o.value("id", "") : Text(o.value("userId", json()));
      if (key == id && o.value("archived", false) == archived) {
        call.Json(200, o);
        return;
      }
    }
    Error(call, 404, "OBJECT_NOT_FOUND", "Owner " + id + " not found");
  });
}

}  // namespace syncline::sandbox
