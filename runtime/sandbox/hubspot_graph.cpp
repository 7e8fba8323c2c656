// HubSpot associations v4 (directional types, inverse pairs, labels, batch endpoints) and
// lists v3 (MANUAL / DYNAMIC / SNAPSHOT lists and their memberships; a DYNAMIC list's filter is
// re-evaluated on every write of a record of its object type).
#include <algorithm>

#include "sandbox/hubspot_impl.h"
#include "sandbox/time_format.h"

namespace syncline::sandbox {

using nlohmann::json;

namespace {

struct KnownPair {
  const char* from;
  const char* to;
  int id, inverse;
  const char* label;
};

// HubSpot-defined type ids (spec A10); the pair's inverse is listed alongside.
const KnownPair kKnown[] = {
    {"contacts", "companies", 279, 280, ""}, {"contacts", "companies", 1, 2, "Primary"},
    {"deals", "contacts", 3, 4, ""},         {"deals", "companies", 341, 342, ""},
    {"deals", "companies", 5, 6, "Primary"}, {"tickets", "contacts", 16, 15, ""},
    {"tickets", "companies", 339, 340, ""},  {"tickets", "deals", 28, 27, ""},
    {"notes", "contacts", 202, 201, ""},     {"tasks", "contacts", 204, 203, ""},
    {"calls", "contacts", 194, 193, ""},     {"emails", "contacts", 198, 197, ""},
    {"meetings", "contacts", 200, 199, ""},  {"notes", "companies", 190, 189, ""},
    {"tasks", "companies", 192, 191, ""},    {"calls", "companies", 182, 181, ""},
    {"emails", "companies", 186, 185, ""},   {"meetings", "companies", 188, 187, ""},
    {"notes", "deals", 214, 213, ""},        {"tasks", "deals", 216, 215, ""},
    {"calls", "deals", 206, 205, ""},        {"emails", "deals", 210, 209, ""},
    {"meetings", "deals", 212, 211, ""},     {"notes", "tickets", 228, 227, ""},
    {"tasks", "tickets", 230, 229, ""},      {"calls", "tickets", 220, 219, ""},
    {"emails", "tickets", 224, 223, ""},     {"meetings", "tickets", 226, 225, ""},
};

// "0-1", "2-3456789": what the lists API takes where it names an object.
bool IsObjectTypeId(const std::string& s) {
  const auto dash = s.find('-');
  auto digits = [](std::string_view d) {
    return !d.empty() &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return dash != std::string::npos && digits(std::string_view(s).substr(0, dash)) &&
         digits(std::string_view(s).substr(dash + 1));
}

}  // namespace

void HubSpotSandbox::Impl::CreateGraphTables() {
  store->Exec(
      "CREATE TABLE IF NOT EXISTS hs_assoc(from_obj TEXT, from_id INTEGER, to_obj TEXT, to_id "
      "INTEGER, type_id INTEGER, PRIMARY KEY(from_obj, from_id, to_obj, to_id, type_id)) WITHOUT "
      "ROWID");
  store->Exec(
      "CREATE TABLE IF NOT EXISTS hs_lists(id INTEGER PRIMARY KEY, object_type_id TEXT, data "
      "TEXT)");
  store->Exec(
      "CREATE TABLE IF NOT EXISTS hs_members(list_id INTEGER, record_id INTEGER, ts INTEGER, "
      "PRIMARY KEY(list_id, record_id)) WITHOUT ROWID");
  // A record's list memberships (lists/records/memberships/batch/read) without a full scan.
  store->Exec("CREATE INDEX IF NOT EXISTS hs_members_record ON hs_members(record_id)");
}

void HubSpotSandbox::Impl::BuildAssocTypes() {
  assoc_types.clear();
  auto add_pair = [&](const std::string& a, const std::string& b, int id, int inv,
                      const std::string& label, const std::string& category) {
    assoc_types.push_back({a, b, id, inv, label, category});
    assoc_types.push_back({b, a, inv, id, label, category});
  };
  for (const auto& k : kKnown) add_pair(k.from, k.to, k.id, k.inverse, k.label, "HUBSPOT_DEFINED");
  // Every other pair of known objects gets a generated unlabeled pair, stable across restarts
  // because the object order is.
  int next = 1000;
  std::vector<std::string> names;
  for (const auto& [name, def] : objects) names.push_back(name);
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t j = i; j < names.size(); ++j) {
      next += 2;
      if (!DefaultAssocType(names[i], names[j])) {
        if (i == j) {
          assoc_types.push_back({names[i], names[j], next, next, "", "HUBSPOT_DEFINED"});
        } else {
          add_pair(names[i], names[j], next, next + 1, "", "HUBSPOT_DEFINED");
        }
      }
    }
  }
  if (auto s = store->GetSetting("hs:labels")) {
    for (const auto& l : json::parse(*s))
      add_pair(l["from"], l["to"], l["id"], l["inverse"], l["label"], "USER_DEFINED");
  }
}

const HubSpotAssocType* HubSpotSandbox::Impl::AssocType(const std::string& from,
                                                        const std::string& to, int id) const {
  for (const auto& t : assoc_types)
    if (t.from == from && t.to == to && t.id == id) return &t;
  return nullptr;
}

const HubSpotAssocType* HubSpotSandbox::Impl::DefaultAssocType(const std::string& from,
                                                               const std::string& to) const {
  for (const auto& t : assoc_types)
    if (t.from == from && t.to == to && t.label.empty()) return &t;
  return nullptr;
}

void HubSpotSandbox::Impl::Associate(const std::string& from, int64_t from_id,
                                     const std::string& to, int64_t to_id,
                                     const HubSpotAssocType& type) {
  auto insert = [&](const std::string& a, int64_t a_id, const std::string& b, int64_t b_id, int t) {
    store->Prepare("INSERT OR IGNORE INTO hs_assoc VALUES(?,?,?,?,?)")
        .Bind(1, a)
        .Bind(2, a_id)
        .Bind(3, b)
        .Bind(4, b_id)
        .Bind(5, int64_t{t})
        .Run();
    if (store->Changes() > 0) AssociationEvent(a, a_id, b, b_id, t, false);
  };
  insert(from, from_id, to, to_id, type.id);
  insert(to, to_id, from, from_id, type.inverse);
  // A labeled association always carries the unlabeled one too.
  if (!type.label.empty())
    if (const auto* plain = DefaultAssocType(from, to)) {
      insert(from, from_id, to, to_id, plain->id);
      insert(to, to_id, from, from_id, plain->inverse);
    }
}

void HubSpotSandbox::Impl::Unassociate(const std::string& from, int64_t from_id,
                                       const std::string& to, int64_t to_id) {
  auto erase = [&](const std::string& a, int64_t a_id, const std::string& b, int64_t b_id) {
    if (webhooks.enabled() && !quiet) {
      std::vector<int> removed;
      auto st = store->Prepare(
          "SELECT type_id FROM hs_assoc WHERE from_obj=? AND from_id=? AND to_obj=? AND to_id=?");
      st.Bind(1, a).Bind(2, a_id).Bind(3, b).Bind(4, b_id);
      while (st.Step()) removed.push_back(static_cast<int>(st.Int(0)));
      for (int t : removed) AssociationEvent(a, a_id, b, b_id, t, true);
    }
    store->Prepare("DELETE FROM hs_assoc WHERE from_obj=? AND from_id=? AND to_obj=? AND to_id=?")
        .Bind(1, a)
        .Bind(2, a_id)
        .Bind(3, b)
        .Bind(4, b_id)
        .Run();
  };
  erase(from, from_id, to, to_id);
  erase(to, to_id, from, from_id);
}

std::vector<std::pair<int64_t, std::vector<const HubSpotAssocType*>>>
HubSpotSandbox::Impl::Associations(const std::string& from, int64_t from_id,
                                   const std::string& to) {
  std::vector<std::pair<int64_t, int>> rows;
  {
    auto st = store->Prepare(
        "SELECT a.to_id, a.type_id FROM hs_assoc a JOIN records r ON r.obj=a.to_obj AND "
        "r.id=CAST(a.to_id AS TEXT) WHERE a.from_obj=? AND a.from_id=? AND a.to_obj=? AND "
        "r.deleted=0 ORDER BY a.to_id, a.type_id");
    st.Bind(1, from).Bind(2, from_id).Bind(3, to);
    while (st.Step()) rows.emplace_back(st.Int(0), static_cast<int>(st.Int(1)));
  }
  std::vector<std::pair<int64_t, std::vector<const HubSpotAssocType*>>> out;
  for (const auto& [id, type_id] : rows) {
    const HubSpotAssocType* t = AssocType(from, to, type_id);
    if (!t) continue;
    if (out.empty() || out.back().first != id) out.push_back({id, {}});
    out.back().second.push_back(t);
  }
  return out;
}

namespace {

json TypeJson(const HubSpotAssocType& t) {
  return {{"category", t.category},
          {"typeId", t.id},
          {"label", t.label.empty() ? json(nullptr) : json(t.label)}};
}

std::optional<json> Body(HubSpotSandbox::Impl& im, Call& call) {
  try {
    return call.ParseBody();
  } catch (const json::parse_error& e) {
    im.Error(call, 400, "VALIDATION_ERROR", std::string("Invalid input JSON: ") + e.what());
    return std::nullopt;
  }
}

std::string IdText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return "";
}

bool Digits(const std::string& s) {
  return !s.empty() && s.size() < 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// HubSpot list filter operators (a practical subset of the lists v3 filterBranch language).
bool PropertyOperation(const json& op, const std::optional<std::string>& value) {
  std::string oper = op.value("operator", "IS_EQUAL_TO");
  std::vector<std::string> values;
  if (op.contains("value"))
    values.push_back(op["value"].is_string() ? op["value"].get<std::string>() : op["value"].dump());
  for (const auto& v : op.value("values", json::array()))
    values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  bool has = value && !value->empty();
  std::string v = has ? Lower(*value) : "";
  auto any = [&](auto pred) {
    return std::any_of(values.begin(), values.end(),
                       [&](const std::string& x) { return pred(Lower(x)); });
  };
  if (oper == "IS_KNOWN" || oper == "HAS_PROPERTY") return has;
  if (oper == "IS_UNKNOWN" || oper == "NOT_HAS_PROPERTY") return !has;
  if (oper == "IS_EQUAL_TO" || oper == "IS_ANY_OF" || oper == "EQ")
    return has && any([&](const std::string& x) { return v == x; });
  if (oper == "IS_NOT_EQUAL_TO" || oper == "IS_NONE_OF" || oper == "NEQ")
    return !has || !any([&](const std::string& x) { return v == x; });
  if (oper == "CONTAINS")
    return has && any([&](const std::string& x) { return v.find(x) != std::string::npos; });
  if (oper == "DOES_NOT_CONTAIN")
    return !has || !any([&](const std::string& x) { return v.find(x) != std::string::npos; });
  if (oper == "STARTS_WITH")
    return has && any([&](const std::string& x) { return v.rfind(x, 0) == 0; });
  if (oper == "ENDS_WITH")
    return has && any([&](const std::string& x) {
             return v.size() >= x.size() && v.compare(v.size() - x.size(), x.size(), x) == 0;
           });
  auto num = [](const std::string& s) -> std::optional<double> {
    try {
      size_t n;
      double d = std::stod(s, &n);
      return n == s.size() ? std::optional<double>(d) : std::nullopt;
    } catch (...) {
      return std::nullopt;
    }
  };
  if (!has || values.empty()) return false;
  auto a = num(*value), b = num(values[0]);
  if (!a || !b) return false;
  if (oper == "IS_GREATER_THAN") return *a > *b;
  if (oper == "IS_GREATER_THAN_OR_EQUAL_TO") return *a >= *b;
  if (oper == "IS_LESS_THAN") return *a < *b;
  if (oper == "IS_LESS_THAN_OR_EQUAL_TO") return *a <= *b;
  return false;
}

}  // namespace

bool HubSpotSandbox::Impl::EvaluateListFilter(const json& branch, const ObjectDef& def,
                                              const StoredRecord& r) const {
  if (!branch.is_object()) return false;
  std::string type = branch.value("filterBranchType", "AND");
  std::vector<bool> parts;
  for (const auto& f : branch.value("filters", json::array())) {
    if (f.value("filterType", "PROPERTY") != "PROPERTY") {
      parts.push_back(false);
      continue;
    }
    parts.push_back(PropertyOperation(f.value("operation", json::object()),
                                      PropValue(def, r, f.value("property", ""))));
  }
  for (const auto& b : branch.value("filterBranches", json::array()))
    parts.push_back(EvaluateListFilter(b, def, r));
  if (parts.empty()) return type != "OR";
  if (type == "OR") return std::any_of(parts.begin(), parts.end(), [](bool b) { return b; });
  if (type == "NOT_ALL") return !std::all_of(parts.begin(), parts.end(), [](bool b) { return b; });
  if (type == "NOT_ANY") return std::none_of(parts.begin(), parts.end(), [](bool b) { return b; });
  return std::all_of(parts.begin(), parts.end(), [](bool b) { return b; });
}

void HubSpotSandbox::Impl::OnRecordWritten(const ObjectDef& def, const StoredRecord& r) {
  if (!dynamic_lists) {
    dynamic_lists.emplace();
    auto st = store->Prepare("SELECT id, object_type_id, data FROM hs_lists");
    while (st.Step()) {
      json list = json::parse(st.Text(2));
      if (list.value("processingType", "") == "DYNAMIC")
        (*dynamic_lists)[st.Text(1)].emplace_back(st.Int(0), std::move(list));
    }
  }
  auto found = dynamic_lists->find(def.object_type_id);
  if (found == dynamic_lists->end()) return;
  const auto& dynamic = found->second;
  for (const auto& [id, list] : dynamic) {
    bool member =
        !r.deleted && EvaluateListFilter(list.value("filterBranch", json::object()), def, r);
    if (member) {
      store->Prepare("INSERT OR IGNORE INTO hs_members VALUES(?,?,?)")
          .Bind(1, id)
          .Bind(2, r.seq)
          .Bind(3, Now())
          .Run();
    } else {
      store->Prepare("DELETE FROM hs_members WHERE list_id=? AND record_id=?")
          .Bind(1, id)
          .Bind(2, r.seq)
          .Run();
    }
  }
}

void HubSpotSandbox::Impl::RegisterGraphRoutes(Router& router) {
  Impl& im = *this;
  auto pair = [&im](Call& call, const ObjectDef*& from, const ObjectDef*& to) {
    from = im.FindObject(call.Param("from"));
    to = im.FindObject(call.Param("to"));
    if (!from || !to) {
      im.Error(
          call, 400, "VALIDATION_ERROR",
          "Unable to infer object type from: " + (from ? call.Param("to") : call.Param("from")));
      return false;
    }
    return true;
  };
  auto live = [&im](const ObjectDef& def, const std::string& id) {
    return Digits(id) && im.IsLive(def, id);
  };
  auto link_result = [](const ObjectDef& from, const std::string& from_id, const ObjectDef& to,
                        const std::string& to_id, const HubSpotAssocType& t) {
    return json{
        {"from", {{"id", from_id}}},
        {"to", {{"id", to_id}}},
        {"associationSpec", {{"associationCategory", t.category}, {"associationTypeId", t.id}}},
        {"fromObjectTypeId", from.object_type_id},
        {"toObjectTypeId", to.object_type_id}};
  };

  router.Add("PUT", "/crm/v4/objects/{from}/{fromId}/associations/default/{to}/{toId}",
             [&im, pair, live, link_result](Call& call) {
               const ObjectDef *from, *to;
               if (!pair(call, from, to)) return;
               const std::string &a = call.Param("fromId"), &b = call.Param("toId");
               if (!live(*from, a) || !live(*to, b))
                 return im.Error(call, 404, "OBJECT_NOT_FOUND",
                                 "No " + SingularName(live(*from, a) ? to->name : from->name) +
                                     " with id " + (live(*from, a) ? b : a) + " exists");
               const HubSpotAssocType* t = im.DefaultAssocType(from->name, to->name);
               im.store->Begin();
               im.Associate(from->name, std::stoll(a), to->name, std::stoll(b), *t);
               im.store->Commit();
               call.Json(200, {{"status", "COMPLETE"},
                               {"results", {link_result(*from, a, *to, b, *t)}},
                               {"startedAt", FormatIsoMs(im.Now())},
                               {"completedAt", FormatIsoMs(im.Now())}});
             });

  router.Add(
      "PUT", "/crm/v4/objects/{from}/{fromId}/associations/{to}/{toId}",
      [&im, pair, live](Call& call) {
        const ObjectDef *from, *to;
        if (!pair(call, from, to)) return;
        auto body = Body(im, call);
        if (!body) return;
        const std::string &a = call.Param("fromId"), &b = call.Param("toId");
        if (!live(*from, a) || !live(*to, b))
          return im.Error(call, 404, "OBJECT_NOT_FOUND", "One of the records does not exist");
        if (!body->is_array() || body->empty())
          return im.Error(call, 400, "VALIDATION_ERROR",
                          "Body must be a non-empty array of association types");
        std::vector<const HubSpotAssocType*> types;
        for (const auto& t : *body) {
          const auto* type = im.AssocType(from->name, to->name, t.value("associationTypeId", -1));
          if (!type)
            return im.Error(
                call, 400, "VALIDATION_ERROR",
                "Invalid association type " + t.dump() + " for " + from->name + " to " + to->name);
          types.push_back(type);
        }
        im.store->Begin();
        for (const auto* t : types)
          im.Associate(from->name, std::stoll(a), to->name, std::stoll(b), *t);
        im.store->Commit();
        json labels = json::array();
        for (const auto& [id, ts] : im.Associations(from->name, std::stoll(a), to->name))
          if (std::to_string(id) == b)
            for (const auto* t : ts)
              if (!t->label.empty()) labels.push_back(t->label);
        call.Json(200, {{"fromObjectTypeId", from->object_type_id},
                        {"fromObjectId", std::stoll(a)},
                        {"toObjectTypeId", to->object_type_id},
                        {"toObjectId", std::stoll(b)},
                        {"labels", labels}});
      });

  router.Add("GET", "/crm/v4/objects/{from}/{fromId}/associations/{to}", [&im, pair](Call& call) {
    const ObjectDef *from, *to;
    if (!pair(call, from, to)) return;
    const std::string& a = call.Param("fromId");
    int limit = 500;
    std::string l = call.Query("limit", "500");
    if (!Digits(l) || (limit = std::stoi(l)) < 1 || limit > im.limits.association_limit_max)
      return im.Error(
          call, 400, "VALIDATION_ERROR",
          "limit must be between 1 and " + std::to_string(im.limits.association_limit_max));
    int64_t after = 0;
    if (!call.Query("after").empty()) {
      auto d = DecodeCursor(call.Query("after"));
      if (!d) return im.Error(call, 400, "VALIDATION_ERROR", "Invalid after cursor");
      after = *d;
    }
    if (!Digits(a) || !im.IsLive(*from, a))
      return im.Error(call, 404, "OBJECT_NOT_FOUND",
                      "No " + SingularName(from->name) + " with id " + a + " exists");
    json results = json::array();
    std::optional<int64_t> next;
    for (const auto& [id, types] : im.Associations(from->name, std::stoll(a), to->name)) {
      if (id <= after) continue;
      if (static_cast<int>(results.size()) == limit) {
        next = results.back()["toObjectId"].get<int64_t>();
        break;
      }
      json ts = json::array();
      for (const auto* t : types) ts.push_back(TypeJson(*t));
      results.push_back({{"toObjectId", id}, {"associationTypes", ts}});
    }
    json out = {{"results", results}};
    if (next) out["paging"] = {{"next", {{"after", EncodeCursor(*next)}}}};
    call.Json(200, std::move(out));
  });

  router.Add("DELETE", "/crm/v4/objects/{from}/{fromId}/associations/{to}/{toId}",
             [&im, pair](Call& call) {
               const ObjectDef *from, *to;
               if (!pair(call, from, to)) return;
               const std::string &a = call.Param("fromId"), &b = call.Param("toId");
               if (Digits(a) && Digits(b)) {
                 im.store->Begin();
                 im.Unassociate(from->name, std::stoll(a), to->name, std::stoll(b));
                 im.store->Commit();
               }
               call.Empty(204);
             });

  auto batch_body = [&im, pair](Call& call, const ObjectDef*& from,
                                const ObjectDef*& to) -> std::optional<json> {
    if (!pair(call, from, to)) return std::nullopt;
    auto body = Body(im, call);
    if (!body) return std::nullopt;
    if (!body->is_object() || !(*body)["inputs"].is_array()) {
      im.Error(call, 400, "VALIDATION_ERROR", "inputs is required and must be an array");
      return std::nullopt;
    }
    if ((*body)["inputs"].size() > static_cast<size_t>(im.limits.association_batch_max)) {
      im.Error(call, 400, "VALIDATION_ERROR",
               "Batch input limit exceeded (maximum " +
                   std::to_string(im.limits.association_batch_max) + ")");
      return std::nullopt;
    }
    return (*body)["inputs"];
  };
  auto batch_link = [&im, batch_body, live, link_result](Call& call, bool labeled) {
    const ObjectDef *from, *to;
    auto inputs = batch_body(call, from, to);
    if (!inputs) return;
    int64_t started = im.Now();
    json results = json::array(), errors = json::array();
    im.store->Begin();
    for (size_t i = 0; i < inputs->size(); ++i) {
      const json& in = (*inputs)[i];
      std::string a = IdText(in.value("from", json::object()).value("id", json(""))),
                  b = IdText(in.value("to", json::object()).value("id", json("")));
      if (!live(*from, a) || !live(*to, b) || call.FailItem(i)) {
        errors.push_back({{"status", "error"},
                          {"category", "VALIDATION_ERROR"},
                          {"subCategory", "crm.associations.INVALID_OBJECT_IDS"},
                          {"message", "One or more of the object ids do not exist"},
                          {"context", {{"fromObjectId", {a}}, {"toObjectId", {b}}}}});
        continue;
      }
      std::vector<const HubSpotAssocType*> types;
      if (labeled) {
        for (const auto& t : in.value("types", json::array()))
          if (const auto* type =
                  im.AssocType(from->name, to->name, t.value("associationTypeId", -1)))
            types.push_back(type);
        if (types.empty()) {
          errors.push_back({{"status", "error"},
                            {"category", "VALIDATION_ERROR"},
                            {"message", "Invalid association types"},
                            {"context", {{"fromObjectId", {a}}}}});
          continue;
        }
      } else {
        types.push_back(im.DefaultAssocType(from->name, to->name));
      }
      for (const auto* t : types) {
        im.Associate(from->name, std::stoll(a), to->name, std::stoll(b), *t);
        results.push_back(link_result(*from, a, *to, b, *t));
      }
    }
    im.store->Commit();
    json out = {{"status", "COMPLETE"},
                {"results", results},
                {"startedAt", FormatIsoMs(started)},
                {"completedAt", FormatIsoMs(im.Now())}};
    if (!errors.empty()) out["numErrors"] = errors.size(), out["errors"] = errors;
    call.Json(errors.empty() ? 200 : 207, std::move(out));
  };
  router.Add("POST", "/crm/v4/associations/{from}/{to}/batch/associate/default",
             [batch_link](Call& call) { batch_link(call, false); });
  router.Add("POST", "/crm/v4/associations/{from}/{to}/batch/create",
             [batch_link](Call& call) { batch_link(call, true); });

  router.Add("POST", "/crm/v4/associations/{from}/{to}/batch/read", [&im, batch_body](Call& call) {
    const ObjectDef *from, *to;
    auto inputs = batch_body(call, from, to);
    if (!inputs) return;
    int64_t started = im.Now();
    json results = json::array(), errors = json::array();
    const size_t page = static_cast<size_t>(im.limits.association_limit_max);
    for (const auto& in : *inputs) {
      std::string a = IdText(in.value("id", json("")));
      int64_t after = 0;
      if (in.contains("after") && in["after"].is_string())
        after = DecodeCursor(in["after"]).value_or(0);
      if (!Digits(a) || !im.IsLive(*from, a)) {
        errors.push_back(
            {{"status", "error"},
             {"category", "OBJECT_NOT_FOUND"},
             {"message", "No " + SingularName(from->name) + " is associated with id " + a},
             {"context", {{"fromObjectId", {a}}}}});
        continue;
      }
      json to_list = json::array();
      std::optional<int64_t> next;
      for (const auto& [id, types] : im.Associations(from->name, std::stoll(a), to->name)) {
        if (id <= after) continue;
        if (to_list.size() == page) {
          next = to_list.back()["toObjectId"].get<int64_t>();
          break;
        }
        json ts = json::array();
        for (const auto* t : types) ts.push_back(TypeJson(*t));
        to_list.push_back({{"toObjectId", id}, {"associationTypes", ts}});
      }
      if (to_list.empty()) {
        // HubSpot reports a record without associations as an error, not an empty result.
        errors.push_back({{"status", "error"},
                          {"category", "OBJECT_NOT_FOUND"},
                          {"message", "No " + SingularName(to->name) + " is associated with " +
                                          SingularName(from->name) + " " + a + "."},
                          {"context", {{"fromObjectId", {a}}}}});
        continue;
      }
      json item = {{"from", {{"id", a}}}, {"to", to_list}};
      if (next) item["paging"] = {{"next", {{"after", EncodeCursor(*next)}}}};
      results.push_back(item);
    }
    json out = {{"status", "COMPLETE"},
                {"results", results},
                {"startedAt", FormatIsoMs(started)},
                {"completedAt", FormatIsoMs(im.Now())}};
    if (!errors.empty()) out["numErrors"] = errors.size(), out["errors"] = errors;
    call.Json(errors.empty() ? 200 : 207, std::move(out));
  });

  router.Add("POST", "/crm/v4/associations/{from}/{to}/batch/archive",
             [&im, batch_body](Call& call) {
               const ObjectDef *from, *to;
               auto inputs = batch_body(call, from, to);
               if (!inputs) return;
               im.store->Begin();
               for (const auto& in : *inputs) {
                 std::string a = IdText(in.value("from", json::object()).value("id", json("")));
                 for (const auto& t : in.value("to", json::array())) {
                   std::string b = IdText(t.value("id", json("")));
                   if (Digits(a) && Digits(b))
                     im.Unassociate(from->name, std::stoll(a), to->name, std::stoll(b));
                 }
               }
               im.store->Commit();
               call.Empty(204);
             });

  router.Add("GET", "/crm/v4/associations/{from}/{to}/labels", [&im, pair](Call& call) {
    const ObjectDef *from, *to;
    if (!pair(call, from, to)) return;
    json results = json::array();
    for (const auto& t : im.assoc_types)
      if (t.from == from->name && t.to == to->name) results.push_back(TypeJson(t));
    call.Json(200, {{"results", results}});
  });

  router.Add("POST", "/crm/v4/associations/{from}/{to}/labels", [&im, pair](Call& call) {
    const ObjectDef *from, *to;
    if (!pair(call, from, to)) return;
    auto body = Body(im, call);
    if (!body) return;
    std::string label = body->value("label", "");
    if (label.empty()) return im.Error(call, 400, "VALIDATION_ERROR", "label is required");
    json labels = json::array();
    if (auto s = im.store->GetSetting("hs:labels")) labels = json::parse(*s);
    int count = 0;
    for (const auto& l : labels)
      if (l["from"] == from->name && l["to"] == to->name) ++count;
    if (count >= 10)
      return im.Error(call, 400, "VALIDATION_ERROR", "At most 10 labels per object pair");
    int id = static_cast<int>(im.store->NextCounter("hs:label", 5001));
    int inverse = static_cast<int>(im.store->NextCounter("hs:label", 5001));
    labels.push_back({{"from", from->name},
                      {"to", to->name},
                      {"id", id},
                      {"inverse", inverse},
                      {"label", label}});
    im.store->SetSetting("hs:labels", labels.dump());
    im.BuildAssocTypes();
    call.Json(200, {{"results",
                     {{{"category", "USER_DEFINED"}, {"typeId", id}, {"label", label}},
                      {{"category", "USER_DEFINED"}, {"typeId", inverse}, {"label", label}}}}});
  });

  // ---- lists v3
  auto load_list = [&im](int64_t id) -> std::optional<json> {
    auto st = im.store->Prepare("SELECT data FROM hs_lists WHERE id=?");
    st.Bind(1, id);
    if (!st.Step()) return std::nullopt;
    return json::parse(st.Text(0));
  };
  auto list_size = [&im](int64_t id) {
    auto st = im.store->Prepare(
        "SELECT COUNT(*) FROM hs_members m JOIN hs_lists l ON l.id=m.list_id WHERE m.list_id=?");
    st.Bind(1, id);
    st.Step();
    return st.Int(0);
  };
  auto list_json = [list_size](json list) {
    list["size"] = list_size(std::stoll(list["listId"].get<std::string>()));
    return list;
  };
  auto list_param = [&im, load_list](Call& call, json& list) {
    const std::string& id = call.Param("listId");
    auto l = Digits(id) ? load_list(std::stoll(id)) : std::nullopt;
    if (!l) {
      im.Error(call, 404, "OBJECT_NOT_FOUND", "List " + id + " does not exist.");
      return false;
    }
    list = *l;
    return true;
  };
  // Members whose records are live, in ascending record id.
  auto members = [&im](int64_t list_id, const std::string& object) {
    std::vector<std::pair<int64_t, int64_t>> out;
    auto st = im.store->Prepare(
        "SELECT m.record_id, m.ts FROM hs_members m JOIN records r ON r.obj=? AND "
        "r.id=CAST(m.record_id AS TEXT) WHERE m.list_id=? AND r.deleted=0 ORDER BY m.record_id");
    st.Bind(1, object).Bind(2, list_id);
    while (st.Step()) out.emplace_back(st.Int(0), st.Int(1));
    return out;
  };
  auto save_list = [&im](const json& list) {
    im.store->Prepare("INSERT OR REPLACE INTO hs_lists VALUES(?,?,?)")
        .Bind(1, std::stoll(list["listId"].get<std::string>()))
        .Bind(2, list["objectTypeId"].get<std::string>())
        .Bind(3, list.dump())
        .Run();
  };

  router.Add("POST", "/crm/v3/lists", [&im, list_json, save_list](Call& call) {
    auto body = Body(im, call);
    if (!body) return;
    std::string name = body->value("name", "");
    std::string type_id = body->value("objectTypeId", "");
    std::string processing = body->value("processingType", "");
    const ObjectDef* def = IsObjectTypeId(type_id) ? im.FindObject(type_id) : nullptr;
    if (name.empty() || !def)
      return im.Error(call, 400, "VALIDATION_ERROR", "name and a valid objectTypeId are required");
    if (processing != "MANUAL" && processing != "DYNAMIC" && processing != "SNAPSHOT")
      return im.Error(call, 400, "VALIDATION_ERROR",
                      "processingType must be MANUAL, DYNAMIC or SNAPSHOT");
    if (processing != "MANUAL" && !body->contains("filterBranch"))
      return im.Error(call, 400, "VALIDATION_ERROR",
                      "filterBranch is required for " + processing + " lists");
    {
      auto st = im.store->Prepare("SELECT data FROM hs_lists WHERE object_type_id=?");
      st.Bind(1, def->object_type_id);
      while (st.Step())
        if (Lower(json::parse(st.Text(0)).value("name", "")) == Lower(name))
          return im.Error(call, 400, "VALIDATION_ERROR",
                          "A list named '" + name + "' already exists.");
    }
    int64_t id = im.store->NextCounter("hs:list", 1);
    int64_t now = im.Now();
    json list = {{"listId", std::to_string(id)},
                 {"listVersion", 1},
                 {"name", name},
                 {"objectTypeId", def->object_type_id},
                 {"processingType", processing},
                 {"processingStatus", "COMPLETE"},
                 {"createdAt", FormatIsoMs(now)},
                 {"updatedAt", FormatIsoMs(now)},
                 {"filtersUpdatedAt", FormatIsoMs(now)}};
    if (body->contains("filterBranch")) list["filterBranch"] = (*body)["filterBranch"];
    im.store->Begin();
    save_list(list);
    im.dynamic_lists.reset();
    if (processing != "MANUAL") {
      im.store->ForEach(def->name, false, [&](StoredRecord&& r) {
        if (im.EvaluateListFilter(list["filterBranch"], *def, r))
          im.store->Prepare("INSERT OR IGNORE INTO hs_members VALUES(?,?,?)")
              .Bind(1, id)
              .Bind(2, r.seq)
              .Bind(3, now)
              .Run();
      });
    }
    im.store->Commit();
    call.Json(200, {{"list", list_json(list)}});
  });

  router.Add("GET", "/crm/v3/lists/{listId}", [list_param, list_json](Call& call) {
    json list;
    if (!list_param(call, list)) return;
    call.Json(200, {{"list", list_json(list)}});
  });

  router.Add("DELETE", "/crm/v3/lists/{listId}", [&im, list_param](Call& call) {
    json list;
    if (!list_param(call, list)) return;
    int64_t id = std::stoll(call.Param("listId"));
    im.store->Prepare("DELETE FROM hs_lists WHERE id=?").Bind(1, id).Run();
    im.dynamic_lists.reset();
    im.store->Prepare("DELETE FROM hs_members WHERE list_id=?").Bind(1, id).Run();
    call.Empty(204);
  });

  router.Add("GET", "/crm/v3/lists/object-type-id/{objectTypeId}/name/{name}",
             [&im, list_json](Call& call) {
               // Like HubSpot, only a type id (0-1, 2-…): not an object's name.
               if (!IsObjectTypeId(call.Param("objectTypeId")))
                 return im.Error(call, 400, "VALIDATION_ERROR",
                                 "Unable to infer object type from: " + call.Param("objectTypeId"));
               const ObjectDef* def = im.FindObject(call.Param("objectTypeId"));
               if (def) {
                 auto st = im.store->Prepare("SELECT data FROM hs_lists WHERE object_type_id=?");
                 st.Bind(1, def->object_type_id);
                 std::optional<json> found;
                 while (st.Step()) {
                   json l = json::parse(st.Text(0));
                   if (Lower(l.value("name", "")) == Lower(call.Param("name"))) found = l;
                 }
                 if (found) return call.Json(200, {{"list", list_json(*found)}});
               }
               im.Error(call, 404, "OBJECT_NOT_FOUND",
                        "List " + call.Param("name") + " does not exist.");
             });

  router.Add("POST", "/crm/v3/lists/search", [&im, list_json](Call& call) {
    auto body = Body(im, call);
    if (!body) return;
    std::string query = Lower(body->value("query", ""));
    auto types = body->value("processingTypes", json::array());
    int64_t offset = body->value("offset", 0), count = body->value("count", 20);
    std::vector<json> all;
    {
      auto st = im.store->Prepare("SELECT data FROM hs_lists ORDER BY id");
      while (st.Step()) all.push_back(json::parse(st.Text(0)));
    }
    json lists = json::array();
    int64_t total = 0;
    for (auto& l : all) {
      if (!query.empty() && Lower(l.value("name", "")).find(query) == std::string::npos) continue;
      if (!types.empty() &&
          std::find(types.begin(), types.end(), l["processingType"]) == types.end())
        continue;
      if (total >= offset && static_cast<int64_t>(lists.size()) < count)
        lists.push_back(list_json(l));
      ++total;
    }
    call.Json(200, {{"lists", lists},
                    {"total", total},
                    {"offset", offset + static_cast<int64_t>(lists.size())},
                    {"hasMore", offset + static_cast<int64_t>(lists.size()) < total}});
  });

  router.Add("GET", "/crm/v3/lists/{listId}/memberships", [&im, list_param, members](Call& call) {
    json list;
    if (!list_param(call, list)) return;
    int limit = 100;
    std::string l = call.Query("limit", "100");
    if (!Digits(l) || (limit = std::stoi(l)) < 1 || limit > im.limits.membership_limit_max)
      return im.Error(
          call, 400, "VALIDATION_ERROR",
          "limit must be between 1 and " + std::to_string(im.limits.membership_limit_max));
    const ObjectDef* def = im.FindObject(list["objectTypeId"]);
    auto all = members(std::stoll(call.Param("listId")), def ? def->name : "");
    json results = json::array();
    json out = json::object();
    bool descending = call.HasQuery("before") && !call.HasQuery("after");
    if (!descending) {
      int64_t after = 0;
      if (!call.Query("after").empty()) {
        auto d = DecodeCursor(call.Query("after"));
        if (!d) return im.Error(call, 400, "VALIDATION_ERROR", "Invalid after cursor");
        after = *d;
      }
      for (const auto& [id, ts] : all) {
        if (id <= after) continue;
        if (static_cast<int>(results.size()) == limit) {
          out["paging"] = {{"next",
                            {{"after", EncodeCursor(std::stoll(
                                           results.back()["recordId"].get<std::string>()))}}}};
          break;
        }
        results.push_back(
            {{"recordId", std::to_string(id)}, {"membershipTimestamp", FormatIsoMs(ts)}});
      }
    } else {
      auto d = DecodeCursor(call.Query("before"));
      if (!d) return im.Error(call, 400, "VALIDATION_ERROR", "Invalid before cursor");
      for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if (it->first >= *d) continue;
        if (static_cast<int>(results.size()) == limit) {
          out["paging"] = {{"prev",
                            {{"before", EncodeCursor(std::stoll(
                                            results.back()["recordId"].get<std::string>()))}}}};
          break;
        }
        results.push_back({{"recordId", std::to_string(it->first)},
                           {"membershipTimestamp", FormatIsoMs(it->second)}});
      }
    }
    out["results"] = results;
    call.Json(200, std::move(out));
  });

  // Adds/removes members of a MANUAL or SNAPSHOT list; ids that do not exist are reported
  // missing, ids already in (or already out) are ignored.
  auto edit = [&im](Call& call, const json& list, const std::vector<std::string>& add,
                    const std::vector<std::string>& remove) {
    if (list.value("processingType", "") == "DYNAMIC")
      return im.Error(call, 400, "VALIDATION_ERROR",
                      "List " + list["listId"].get<std::string>() +
                          " is a DYNAMIC list; its memberships cannot be edited.");
    const ObjectDef* def = im.FindObject(list["objectTypeId"]);
    int64_t id = std::stoll(list["listId"].get<std::string>());
    json added = json::array(), removed = json::array(), missing = json::array();
    im.store->Begin();
    for (const auto& r : add) {
      if (!def || !Digits(r) || !im.IsLive(*def, r)) {
        missing.push_back(r);
        continue;
      }
      auto st = im.store->Prepare("INSERT OR IGNORE INTO hs_members VALUES(?,?,?)");
      st.Bind(1, id).Bind(2, std::stoll(r)).Bind(3, im.Now()).Run();
      if (im.store->Changes() > 0) added.push_back(r);
    }
    for (const auto& r : remove) {
      if (!Digits(r)) {
        missing.push_back(r);
        continue;
      }
      im.store->Prepare("DELETE FROM hs_members WHERE list_id=? AND record_id=?")
          .Bind(1, id)
          .Bind(2, std::stoll(r))
          .Run();
      if (im.store->Changes() > 0) removed.push_back(r);
    }
    im.store->Commit();
    call.Json(
        200,
        {{"recordsIdsAdded", added}, {"recordIdsRemoved", removed}, {"recordIdsMissing", missing}});
  };
  auto ids_of = [](const json& j) {
    std::vector<std::string> out;
    if (j.is_array())
      for (const auto& v : j) out.push_back(IdText(v));
    return out;
  };
  router.Add(
      "PUT", "/crm/v3/lists/{listId}/memberships/add", [&im, list_param, edit, ids_of](Call& call) {
        json list;
        if (!list_param(call, list)) return;
        auto body = Body(im, call);
        if (!body) return;
        if (!body->is_array())
          return im.Error(call, 400, "VALIDATION_ERROR", "Body must be an array of record ids");
        edit(call, list, ids_of(*body), {});
      });
  router.Add("PUT", "/crm/v3/lists/{listId}/memberships/remove",
             [&im, list_param, edit, ids_of](Call& call) {
               json list;
               if (!list_param(call, list)) return;
               auto body = Body(im, call);
               if (!body) return;
               if (!body->is_array())
                 return im.Error(call, 400, "VALIDATION_ERROR",
                                 "Body must be an array of record ids");
               edit(call, list, {}, ids_of(*body));
             });
  router.Add("PUT", "/crm/v3/lists/{listId}/memberships/add-and-remove",
             [&im, list_param, edit, ids_of](Call& call) {
               json list;
               if (!list_param(call, list)) return;
               auto body = Body(im, call);
               if (!body) return;
               edit(call, list, ids_of(body->value("recordIdsToAdd", json::array())),
                    ids_of(body->value("recordIdsToRemove", json::array())));
             });
  router.Add("PUT", "/crm/v3/lists/{listId}/memberships/add-from/{sourceListId}",
             [&im, list_param, edit, members, load_list](Call& call) {
               json list;
               if (!list_param(call, list)) return;
               const std::string& src = call.Param("sourceListId");
               auto source = Digits(src) ? load_list(std::stoll(src)) : std::nullopt;
               if (!source)
                 return im.Error(call, 404, "OBJECT_NOT_FOUND", "List " + src + " does not exist.");
               const ObjectDef* def = im.FindObject((*source)["objectTypeId"]);
               std::vector<std::string> ids;
               for (const auto& [id, ts] : members(std::stoll(src), def ? def->name : ""))
                 ids.push_back(std::to_string(id));
               edit(call, list, ids, {});
             });
  router.Add("DELETE", "/crm/v3/lists/{listId}/memberships", [&im, list_param](Call& call) {
    json list;
    if (!list_param(call, list)) return;
    if (list.value("processingType", "") == "DYNAMIC")
      return im.Error(call, 400, "VALIDATION_ERROR", "DYNAMIC list memberships cannot be edited.");
    im.store->Prepare("DELETE FROM hs_members WHERE list_id=?")
        .Bind(1, std::stoll(call.Param("listId")))
        .Run();
    call.Empty(204);
  });
  router.Add("POST", "/crm/v3/lists/records/memberships/batch/read", [&im](Call& call) {
    auto body = Body(im, call);
    if (!body) return;
    json results = json::array();
    for (const auto& in : body->value("inputs", json::array())) {
      std::string type = in.value("objectTypeId", "");
      std::string record = IdText(in.value("recordId", json("")));
      json lists = json::array();
      if (Digits(record)) {
        auto st = im.store->Prepare(
            "SELECT l.id, m.ts FROM hs_members m JOIN hs_lists l ON l.id=m.list_id WHERE "
            "m.record_id=? AND l.object_type_id=? ORDER BY l.id");
        st.Bind(1, std::stoll(record)).Bind(2, type);
        while (st.Step())
          lists.push_back({{"listId", std::to_string(st.Int(0))},
                           {"firstAddedTimestamp", FormatIsoMs(st.Int(1))},
                           {"lastAddedTimestamp", FormatIsoMs(st.Int(1))}});
      }
      results.push_back({{"objectTypeId", type}, {"recordId", record}, {"listMemberships", lists}});
    }
    call.Json(200, {{"results", results}});
  });
}

}  // namespace syncline::sandbox
