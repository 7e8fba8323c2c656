#include "connectors/hubspot_connector.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

#include "connectors/json_text.h"
#include "connectors/read_back.h"
#include "connectors/time_util.h"
#include "connectors/window_cursor.h"

namespace syncline::connectors {

using nlohmann::json;

namespace {

using util::Lower;
using util::TakeArray;
using util::Text;

std::string NextAfter(const json& body) {
  if (!body.is_object() || !body.contains("paging")) return "";
  const json& p = body["paging"];
  if (!p.is_object() || !p.contains("next") || !p["next"].contains("after")) return "";
  return Text(p["next"]["after"]);
}

const std::set<std::string>& StandardObjects() {
  static const std::set<std::string> names = {"contacts", "companies", "deals",      "tickets",
                                              "tasks",    "notes",     "meetings",   "calls",
                                              "emails",   "products",  "line_items", "quotes"};
  return names;
}

Error ErrorFrom(const json& e, int status) {
  Error err;
  err.category = ClassifyHubSpotError(status, e);
  err.code = e.is_object() ? e.value("category", "") : "";
  err.message = e.is_object() ? e.value("message", "") : "";
  err.http_status = status;
  return err;
}

}  // namespace

HubSpotConnector::HubSpotConnector(HubSpotConfig config)
    : config_(std::move(config)), session_([this] {
        SessionOptions s = config_.session;
        s.vendor = Vendor::kHubSpot;
        return s;
      }()) {}

std::string HubSpotConnector::LastModifiedProperty(const std::string& object) {
  return object == "contacts" || object == "0-1" ? "lastmodifieddate" : "hs_lastmodifieddate";
}

Record HubSpotConnector::ToRecord(const std::string& object, json j) const {
  Record r;
  r.object = object;
  r.id = Text(j.value("id", json("")));
  if (auto p = j.find("properties"); p != j.end() && p->is_object()) r.fields = std::move(*p);
  r.deleted = j.value("archived", false);
  std::string lm = LastModifiedProperty(object);
  std::optional<int64_t> ts;
  if (r.fields.contains(lm) && r.fields[lm].is_string())
    ts = ParseTimeMs(r.fields[lm].get<std::string>());
  if (!ts && j.contains("updatedAt") && j["updatedAt"].is_string())
    ts = ParseTimeMs(j["updatedAt"].get<std::string>());
  r.last_modified_ms = ts.value_or(0);
  return r;
}

std::variant<schema::Object, Error> HubSpotConnector::Describe(const std::string& object) {
  bool standard = StandardObjects().count(object) > 0;
  ApiResult r = session_.Get(standard ? "/crm/v3/properties/" + object + "?archived=false"
                                      : "/crm/v3/schemas/" + object);
  if (!r.ok()) return r.error;
  auto parsed = standard ? schema::ParseHubSpotProperties(object, r.response.body)
                         : schema::ParseHubSpotObjectSchema(r.response.body);
  if (auto* message = std::get_if<std::string>(&parsed))
    return Error{ErrorCategory::kOther, "SCHEMA", *message, r.status()};
  return std::get<schema::Object>(std::move(parsed));
}

HubSpotConnector::SearchPage HubSpotConnector::SearchFrom(const std::string& object,
                                                          const std::vector<std::string>& props,
                                                          const WindowCursor& from) {
  const std::string lm = LastModifiedProperty(object);
  const std::string ms = std::to_string(from.ms);
  auto on = [](const std::string& prop, const char* op, const json& value) {
    return json{{"propertyName", prop},
                {"operator", op},
                {std::string_view(op) == "NOT_IN" ? "values" : "value", value}};
  };
  json groups;
  if (!from.gt && !from.ids.empty() &&
      from.ids.size() <= static_cast<size_t>(std::max(0, config_.search_exclude_max))) {
    // The records after the timestamp, or at it and not read yet. The exclusion must not reach
    // past the timestamp: a record read at it and written since is a change to read again.
    groups = {{{"filters", {on(lm, "GT", ms)}}},
              {{"filters", {on(lm, "EQ", ms), on("hs_object_id", "NOT_IN", json(from.ids))}}}};
  } else {
    groups = {{{"filters", {on(lm, from.gt ? "GT" : "GTE", ms)}}}};
  }
  json body = {{"filterGroups", std::move(groups)},
               {"sorts", {{{"propertyName", lm}, {"direction", "ASCENDING"}}}},
               {"limit", std::min(config_.search_page, config_.search_cap)},
               {"after", "0"}};
  if (!props.empty()) body["properties"] = props;
  SearchPage page;
  ApiResult r = session_.Send("POST", "/crm/v3/objects/" + object + "/search", body);
  if (!r.ok()) {
    page.error = r.error;
    return page;
  }
  for (auto& j : TakeArray(r.body, "results"))
    page.records.push_back(ToRecord(object, std::move(j)));
  page.last = NextAfter(r.body).empty();  // this search held the rest of the feed
  return page;
}

Error HubSpotConnector::ReadChanges(const std::string& object, const Watermark& since,
                                    const std::vector<std::string>& fields,
                                    const PageCallback& on_page) {
  const std::string lm = LastModifiedProperty(object);
  std::vector<std::string> props = fields;
  if (!props.empty() && std::find(props.begin(), props.end(), lm) == props.end())
    props.push_back(lm);
  WindowCursor cur = WindowCursor::Parse(since);  // what has been read
  WindowCursor handed = cur;                      // what has been handed out: the watermark
  const std::string path = "/crm/v3/objects/" + object + "/search";
  const size_t page_size = static_cast<size_t>(std::max(1, config_.search_page));
  auto emit = [&](ChangePage& page) {
    page.watermark = cur.Encode();
    handed = cur;
    return page.records.empty() || on_page(page);
  };
  // Read-ahead: the next search is sent before the pages of this one are handed out, so the
  // CRM answers it (and a second thread parses it) while the caller works on them. The caller
  // writes meanwhile, so a record may be handed out after one of this connector's writes to it
  // although it was read before (in a read-ahead search, or waiting in `pending`). Such records
  // (Write and Delete note them, with a sequence number) are read again by id just before they
  // are handed out, and left out if they were deleted: the engine would take the old values for
  // a change and undo its own write. They keep their place in the cursor: a record written after
  // its search was answered has a newer timestamp than anything in it, so a later search reads it
  // again too (as an echo).
  FeedWrites::Scope written(feed_writes_, object);
  Error refresh_error;
  // Records read but not handed out yet, each with the write sequence its search was sent at.
  // A keyset search (below) that re-reads the ids at its first timestamp (more of them than
  // `search_exclude_max`) brings fewer new records than its limit; the caller still gets pages of
  // `search_page` records, so that its writes go in full batches.
  std::deque<std::pair<Record, uint64_t>> pending;
  auto hand_out = [&](bool rest) {  // false when the caller stops the read or a re-read failed
    while (pending.size() >= page_size || (rest && !pending.empty())) {
      ChangePage page;
      std::vector<std::string> stale;
      const size_t n = std::min(page_size, pending.size());
      for (size_t i = 0; i < n; ++i) {
        auto& [rec, sent_at] = pending.front();
        handed.Take(rec.id, rec.last_modified_ms);
        if (written.WrittenSince(rec.id, sent_at)) stale.push_back(rec.id);
        page.records.push_back(std::move(rec));
        pending.pop_front();
      }
      refresh_error = RefreshStale(page.records, stale, [&](const auto& ids, auto* out) {
        return ReadByIds(object, ids, props, out);
      });
      if (!refresh_error.ok()) return false;
      page.watermark = handed.Encode();
      if (!page.records.empty() && !on_page(page)) return false;
    }
    return true;
  };
  WorkerFuture<SearchPage> ahead;
  uint64_t ahead_sent_at = 0;
  // One search per page, each from the newest timestamp read so far (GTE, leaving out the ids
  // already read at it, in the request or on arrival; GT once all of them were), never a numeric
  // `after` offset: a record written while the feed is read (the engine's own write-backs) gets a
  // new timestamp and moves to the end of the order, so an offset into the old order would skip as
  // many records as were written before it. Keyset pages also never reach the 10,000-result cap.
  for (;;) {
    const int64_t window_start = cur.ms;
    const uint64_t sent_at = ahead.valid() ? ahead_sent_at : written.Sequence();
    SearchPage found = ahead.valid() ? ahead.get() : SearchFrom(object, props, cur);
    if (!found.error.ok()) return found.error;
    for (Record& rec : found.records)
      if (cur.Take(rec.id, rec.last_modified_ms)) pending.emplace_back(std::move(rec), sent_at);
    const bool last = found.last;
    if (!last && cur.ms > window_start) {
      ahead_sent_at = written.Sequence();
      ahead = read_ahead_.Post(
          [this, object, props, from = cur] { return SearchFrom(object, props, from); });
    }
    if (!hand_out(last) || last) return refresh_error;
    if (cur.ms > window_start) continue;  // the next search starts at a later timestamp
    // Everything read is handed out before the tie pages, which hand out what they read.
    if (!hand_out(true)) return refresh_error;
    // A whole page shared one timestamp: page through it by id, then move strictly past it.
    std::string last_id = "0";
    for (;;) {
      json tie_body = {
          {"filterGroups",
           {{{"filters",
              {{{"propertyName", lm}, {"operator", "EQ"}, {"value", std::to_string(cur.ms)}},
               {{"propertyName", "hs_object_id"}, {"operator", "GT"}, {"value", last_id}}}}}}},
          {"sorts", {{{"propertyName", "hs_object_id"}, {"direction", "ASCENDING"}}}},
          {"limit", config_.search_page}};
      if (!props.empty()) tie_body["properties"] = props;
      ApiResult tie = session_.Send("POST", path, tie_body);
      if (!tie.ok()) return tie.error;
      ChangePage tie_page;
      json results = TakeArray(tie.body, "results");
      for (auto& j : results) {
        Record rec = ToRecord(object, std::move(j));
        last_id = rec.id;
        if (rec.last_modified_ms == cur.ms && !cur.ids.count(rec.id)) {
          cur.ids.insert(rec.id);
          tie_page.records.push_back(std::move(rec));
        }
      }
      if (results.empty() || NextAfter(tie.body).empty()) {
        cur.ids.clear();
        cur.gt = true;
      }
      if (!emit(tie_page)) return {};
      if (cur.gt) break;
    }
  }
}

Error HubSpotConnector::ReadDeletions(const std::string& object, const Watermark& since,
                                      std::vector<Deletion>* out, Watermark* next) {
  WindowCursor cur = WindowCursor::Parse(since);
  std::vector<std::pair<int64_t, std::string>> found;
  std::string after;
  for (;;) {
    std::string path = "/crm/v3/objects/" + object +
                       "?archived=true&limit=" + std::to_string(config_.list_page) +
                       "&properties=hs_object_id";
    if (!after.empty()) path += "&after=" + http::Client::Escape(after);
    ApiResult r = session_.Get(path);
    if (!r.ok()) return r.error;
    for (const auto& j : r.body.value("results", json::array())) {
      int64_t ts = 0;
      if (j.contains("archivedAt") && j["archivedAt"].is_string())
        ts = ParseTimeMs(j["archivedAt"].get<std::string>()).value_or(0);
      found.emplace_back(ts, Text(j.value("id", json(""))));
    }
    after = NextAfter(r.body);
    if (after.empty()) break;
  }
  std::sort(found.begin(), found.end());
  for (const auto& [ts, id] : found)
    if (cur.Take(id, ts)) out->push_back({id, ts});
  *next = cur.Encode();
  return {};
}

Error HubSpotConnector::ReadByIds(const std::string& object, const std::vector<std::string>& ids,
                                  const std::vector<std::string>& fields,
                                  std::vector<Record>* out) {
  return chunks_.Read(
      ids.size(), static_cast<size_t>(config_.batch_size), out,
      [&](size_t begin, size_t end, std::vector<Record>* part) -> Error {
        json inputs = json::array();
        for (size_t k = begin; k < end; ++k) inputs.push_back({{"id", ids[k]}});
        json body = {{"inputs", inputs}, {"properties", fields}};
        ApiResult r =
            session_.Send("POST", "/crm/v3/objects/" + object + "/batch/read?archived=false", body);
        if (!r.ok()) return r.error;
        for (auto& j : TakeArray(r.body, "results"))
          part->push_back(ToRecord(object, std::move(j)));
        return {};
      });
}

Error HubSpotConnector::FindByField(const std::string& object, const std::string& field,
                                    const std::vector<std::string>& values,
                                    const std::vector<std::string>& fields,
                                    std::vector<Record>* out) {
  std::vector<std::string> props = fields;
  if (std::find(props.begin(), props.end(), field) == props.end()) props.push_back(field);
  return chunks_.Read(
      values.size(), static_cast<size_t>(config_.batch_size), out,
      [&](size_t begin, size_t end, std::vector<Record>* part) -> Error {
        std::vector<std::string> chunk(values.begin() + begin, values.begin() + end);
        // A unique property reads through batch/read (not subject to the search index delay).
        json inputs = json::array();
        for (const auto& v : chunk) inputs.push_back({{"id", v}});
        ApiResult r =
            session_.Send("POST", "/crm/v3/objects/" + object + "/batch/read?archived=false",
                          {{"inputs", inputs}, {"properties", props}, {"idProperty", field}});
        if (r.ok()) {
          for (auto& j : TakeArray(r.body, "results"))
            part->push_back(ToRecord(object, std::move(j)));
          return {};
        }
        if (r.status() != 400) return r.error;
        std::string after = "0";
        for (;;) {
          json body = {
              {"filterGroups",
               {{{"filters", {{{"propertyName", field}, {"operator", "IN"}, {"values", chunk}}}}}}},
              {"properties", props},
              {"limit", config_.search_page},
              {"after", after}};
          ApiResult s = session_.Send("POST", "/crm/v3/objects/" + object + "/search", body);
          if (!s.ok()) return s.error;
          for (auto& j : TakeArray(s.body, "results"))
            part->push_back(ToRecord(object, std::move(j)));
          after = NextAfter(s.body);
          if (after.empty()) break;
        }
        return {};
      });
}

std::vector<WriteResult> HubSpotConnector::Write(const std::string& object, WriteKind kind,
                                                 const std::vector<WriteItem>& items,
                                                 const WriteOptions& options) {
  std::vector<WriteResult> out(items.size());
  const size_t batch = std::max<size_t>(1, config_.batch_size);
  chunks_.Write((items.size() + batch - 1) / batch, kind, items, options, [&](size_t b) {
    std::vector<size_t> which;
    for (size_t k = b * batch; k < std::min(items.size(), (b + 1) * batch); ++k) which.push_back(k);
    WriteChunk(object, kind, items, which, options, out, 0);
  });
  // Items of a 207 that failed with a server error were not applied: send them again.
  for (int round = 0; round < config_.transient_item_retries; ++round) {
    std::vector<size_t> again;
    for (size_t i = 0; i < out.size(); ++i)
      if (!out[i].ok && out[i].error.category == ErrorCategory::kServer &&
          out[i].error.http_status == 207 && session_.suspended().ok())
        again.push_back(i);
    if (again.empty()) break;
    for (size_t i = 0; i < again.size(); i += config_.batch_size)
      WriteChunk(
          object, kind, items,
          {again.begin() + i, again.begin() + std::min(again.size(), i + config_.batch_size)},
          options, out, 0);
  }
  feed_writes_.NoteWrites(object, kind, items, out);
  return out;
}

void HubSpotConnector::WriteChunk(const std::string& object, WriteKind kind,
                                  const std::vector<WriteItem>& items,
                                  const std::vector<size_t>& which, const WriteOptions& options,
                                  std::vector<WriteResult>& out, int depth) {
  if (which.empty()) return;
  json inputs = json::array();
  std::unordered_map<std::string, size_t> by_key;  // trace id / id / lower-cased key -> index
  for (size_t idx : which) {
    const WriteItem& it = items[idx];
    json in = {{"properties", it.fields}};
    switch (kind) {
      case WriteKind::kCreate:
        in["objectWriteTraceId"] = std::to_string(idx);
        by_key[std::to_string(idx)] = idx;
        break;
      case WriteKind::kUpdate:
        in["id"] = it.id;
        by_key[it.id] = idx;
        break;
      case WriteKind::kUpsert:
        in["id"] = it.key_value;
        in["idProperty"] = it.key_field;
        by_key[Lower(it.key_value)] = idx;
        break;
    }
    inputs.push_back(std::move(in));
  }
  static const char* kPaths[] = {"/batch/create", "/batch/update", "/batch/upsert"};
  CallOptions call;
  call.idempotent = kind != WriteKind::kCreate;
  ApiResult r = session_.Send("POST", "/crm/v3/objects/" + object + kPaths[static_cast<int>(kind)],
                              {{"inputs", inputs}}, call);
  auto fail_all = [&](const Error& e) {
    for (size_t idx : which) out[idx] = WriteResult{false, "", false, e, {}};
  };
  if (r.maybe_applied) {
    // The create may have happened: read back by the unique field before trying again.
    if (options.dedupe_field.empty() || depth > 2) {
      Error e = r.error;
      e.message = "connection lost during a create; it may have been applied: " + e.message;
      return fail_all(e);
    }
    auto rest = ReadBackCreated(*this, object, items, which, options.dedupe_field, out);
    if (auto* e = std::get_if<Error>(&rest)) return fail_all(*e);
    return WriteChunk(object, kind, items, std::get<std::vector<size_t>>(rest), options, out,
                      depth + 1);
  }
  if (!r.ok()) {
    // A whole-batch refusal names no input: halve until each failing input stands alone.
    if ((r.status() == 400 || r.status() == 409) && which.size() > 1) {
      size_t half = which.size() / 2;
      WriteChunk(object, kind, items, {which.begin(), which.begin() + half}, options, out, depth);
      WriteChunk(object, kind, items, {which.begin() + half, which.end()}, options, out, depth);
      return;
    }
    Error e = r.error;
    WriteResult res{false, "", false, e, {}};
    if (r.status() == 409) {
      auto pos = e.message.find("Existing ID: ");
      if (pos != std::string::npos) {
        std::string id = e.message.substr(pos + 13);
        id = id.substr(0, id.find_first_not_of("0123456789"));
        res.id = id;
      }
    }
    if (r.status() == 400 && r.body.is_object() && r.body.contains("errors")) {
      for (const auto& d : r.body["errors"])
        if (d.is_object() && d.contains("name")) res.error_fields.push_back(Text(d["name"]));
    }
    for (size_t idx : which) out[idx] = res;
    return;
  }
  std::set<size_t> answered;
  for (const auto& j : r.body.value("results", json::array())) {
    size_t idx = SIZE_MAX;
    std::string key;
    if (kind == WriteKind::kCreate)
      key = j.contains("objectWriteTraceId") ? Text(j["objectWriteTraceId"]) : "";
    else if (kind == WriteKind::kUpdate)
      key = Text(j.value("id", json("")));
    else {
      for (size_t k : which) {
        const std::string& field = items[k].key_field;
        if (j.contains("properties") && j["properties"].contains(field) &&
            Lower(Text(j["properties"][field])) == Lower(items[k].key_value)) {
          key = Lower(items[k].key_value);
          break;
        }
      }
    }
    auto it = by_key.find(key);
    if (it != by_key.end()) idx = it->second;
    if (idx == SIZE_MAX) continue;
    out[idx] = WriteResult{true,
                           Text(j.value("id", json(""))),
                           kind == WriteKind::kCreate || j.value("new", false),
                           {},
                           {}};
    answered.insert(idx);
  }
  for (const auto& e : r.body.value("errors", json::array())) {
    Error err = ErrorFrom(e, e.is_object() && e.contains("status") && e["status"].is_number()
                                 ? e["status"].get<int>()
                                 : 0);
    if (err.category == ErrorCategory::kOther) err.category = ErrorCategory::kServer;
    if (err.http_status == 0) err.http_status = r.status();
    json ids =
        e.contains("context") && e["context"].is_object()
            ? e["context"].value("ids", e["context"].value("objectWriteTraceId", json::array()))
            : json::array();
    if (!ids.is_array()) ids = json::array({ids});
    for (const auto& id : ids) {
      auto it = by_key.find(kind == WriteKind::kUpsert ? Lower(Text(id)) : Text(id));
      if (it == by_key.end()) continue;
      out[it->second] =
          WriteResult{false, kind == WriteKind::kUpdate ? Text(id) : "", false, err, {}};
      answered.insert(it->second);
    }
  }
  for (size_t idx : which)
    if (!answered.count(idx))
      out[idx] =
          WriteResult{false,
                      "",
                      false,
                      {ErrorCategory::kServer, "NO_RESULT", "no result for this input", r.status()},
                      {}};
}

std::vector<WriteResult> HubSpotConnector::Delete(const std::string& object,
                                                  const std::vector<std::string>& ids) {
  std::vector<WriteResult> out(ids.size());
  for (size_t i = 0; i < ids.size(); i += config_.batch_size) {
    json inputs = json::array();
    size_t end = std::min(ids.size(), i + config_.batch_size);
    for (size_t k = i; k < end; ++k) inputs.push_back({{"id", ids[k]}});
    ApiResult r =
        session_.Send("POST", "/crm/v3/objects/" + object + "/batch/archive", {{"inputs", inputs}});
    for (size_t k = i; k < end; ++k) out[k] = WriteResult{r.ok(), ids[k], false, r.error, {}};
  }
  feed_writes_.NoteDeletes(object, ids);
  return out;
}

std::string ListObjectTypeId(const std::string& object) {
  static const std::map<std::string, std::string> kTypeIds = {
      {"contacts", "0-1"}, {"companies", "0-2"}, {"deals", "0-3"}, {"tickets", "0-5"}};
  auto it = kTypeIds.find(object);
  return it == kTypeIds.end() ? object : it->second;
}

Error HubSpotConnector::ObjectTypeId(const std::string& object, std::string* id) {
  *id = ListObjectTypeId(object);
  const bool is_type_id = !id->empty() && id->find('-') != std::string::npos &&
                          std::all_of(id->begin(), id->end(),
                                      [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
  if (is_type_id) return {};
  if (auto it = custom_type_ids_.find(object); it != custom_type_ids_.end()) {
    *id = it->second;
    return {};
  }
  // A custom object by name ("vehicles", "p_vehicles"): the lists API takes only its type id.
  ApiResult r = session_.Get("/crm/v3/schemas/" + http::Client::Escape(object));
  if (!r.ok()) return r.error;
  *id = Text(r.body.value("objectTypeId", json("")));
  if (id->empty())
    return Error{ErrorCategory::kOther, "SCHEMA",
                 "the schema of " + object + " has no objectTypeId", r.status()};
  custom_type_ids_[object] = *id;
  return {};
}

Error HubSpotConnector::FindListId(const std::string& object, const std::string& name,
                                   std::string* id) {
  std::string type_id;
  if (Error e = ObjectTypeId(object, &type_id); !e.ok()) return e;
  ApiResult r = session_.Get("/crm/v3/lists/object-type-id/" + type_id + "/name/" +
                             http::Client::Escape(name));
  if (!r.ok()) return r.error;
  *id = Text(r.body.value("list", json::object()).value("listId", json("")));
  if (id->empty())
    return Error{ErrorCategory::kNotFound, "OBJECT_NOT_FOUND", "no list " + name, 404};
  return {};
}

Error HubSpotConnector::EnsureProperty(const std::string& object, const json& definition,
                                       bool* created) {
  *created = false;
  const std::string name = definition.value("name", "");
  ApiResult r = session_.Get("/crm/v3/properties/" + object + "/" + http::Client::Escape(name));
  if (r.ok()) return {};
  if (r.error.category != ErrorCategory::kNotFound) return r.error;
  r = session_.Send("POST", "/crm/v3/properties/" + object, definition);
  // 409: made in between (another writer), which is as good.
  if (!r.ok() && r.status() != 409) return r.error;
  *created = r.ok();
  return {};
}

Error HubSpotConnector::ReadOwners(std::vector<Owner>* out) {
  // Owners v3: active owners, then archived ones (an archived owner may still own records).
  for (const char* archived : {"false", "true"}) {
    std::string after;
    for (;;) {
      std::string path = std::string("/crm/v3/owners?limit=500&archived=") + archived;
      if (!after.empty()) path += "&after=" + http::Client::Escape(after);
      ApiResult r = session_.Get(path);
      if (!r.ok()) return r.error;
      for (const auto& o : r.body.value("results", json::array())) {
        if (!o.is_object()) continue;
        Owner owner;
        owner.id = Text(o.value("id", json("")));
        owner.email = Text(o.value("email", json("")));
        owner.first = Text(o.value("firstName", json("")));
        owner.last = Text(o.value("lastName", json("")));
        owner.active = !o.value("archived", false);
        if (!owner.id.empty()) out->push_back(std::move(owner));
      }
      after = NextAfter(r.body);
      if (after.empty()) break;
    }
  }
  return {};
}

Error HubSpotConnector::ListMembers(const std::string& list_id, std::vector<std::string>* out) {
  std::string after;
  for (;;) {
    std::string path = "/crm/v3/lists/" + list_id +
                       "/memberships?limit=" + std::to_string(config_.membership_page);
    if (!after.empty()) path += "&after=" + http::Client::Escape(after);
    ApiResult r = session_.Get(path);
    if (!r.ok()) return r.error;
    for (const auto& m : r.body.value("results", json::array()))
      out->push_back(m.is_object() ? Text(m.value("recordId", json(""))) : Text(m));
    after = NextAfter(r.body);
    if (after.empty()) return {};
  }
}

Error HubSpotConnector::AddListMembers(const std::string& list_id,
                                       const std::vector<std::string>& ids) {
  for (size_t i = 0; i < ids.size(); i += config_.membership_page) {
    json body(std::vector<std::string>(
        ids.begin() + i, ids.begin() + std::min(ids.size(), i + config_.membership_page)));
    ApiResult r = session_.Send("PUT", "/crm/v3/lists/" + list_id + "/memberships/add", body);
    if (!r.ok()) return r.error;
  }
  return {};
}

Error HubSpotConnector::RemoveListMembers(const std::string& list_id,
                                          const std::vector<std::string>& ids) {
  for (size_t i = 0; i < ids.size(); i += config_.membership_page) {
    json body(std::vector<std::string>(
        ids.begin() + i, ids.begin() + std::min(ids.size(), i + config_.membership_page)));
    ApiResult r = session_.Send("PUT", "/crm/v3/lists/" + list_id + "/memberships/remove", body);
    if (!r.ok()) return r.error;
  }
  return {};
}

Error HubSpotConnector::ReadAssociations(const std::string& from, const std::string& to,
                                         const std::vector<std::string>& from_ids,
                                         std::vector<Association>* out) {
  auto add = [](std::vector<Association>* part, const std::string& from_id, const json& t) {
    Association a;
    a.from_id = from_id;
    a.to_id = Text(t.value("toObjectId", json("")));
    for (const auto& type : t.value("associationTypes", json::array())) {
      a.type_ids.push_back(type.value("typeId", 0));
      if (type.contains("label") && type["label"].is_string()) {
        a.labels.push_back(type["label"].get<std::string>());
        if (type["label"] == "Primary") a.primary = true;
      }
    }
    part->push_back(std::move(a));
  };
  return chunks_.Read(
      from_ids.size(), static_cast<size_t>(config_.association_batch), out,
      [&](size_t begin, size_t end, std::vector<Association>* part) -> Error {
        json inputs = json::array();
        for (size_t k = begin; k < end; ++k) inputs.push_back({{"id", from_ids[k]}});
        ApiResult r =
            session_.Send("POST", "/crm/v4/associations/" + from + "/" + to + "/batch/read",
                          {{"inputs", inputs}});
        if (!r.ok()) return r.error;
        for (const auto& res : r.body.value("results", json::array())) {
          std::string from_id = Text(res["from"].value("id", json("")));
          for (const auto& t : res.value("to", json::array())) add(part, from_id, t);
          std::string after = NextAfter(res);
          while (!after.empty()) {  // this record has more links than one batch answer holds
            ApiResult p =
                session_.Get("/crm/v4/objects/" + from + "/" + from_id + "/associations/" + to +
                             "?limit=500&after=" + http::Client::Escape(after));
            if (!p.ok()) return p.error;
            for (const auto& t : p.body.value("results", json::array())) add(part, from_id, t);
            after = NextAfter(p.body);
          }
        }
        return {};
      });
}

std::vector<WriteResult> HubSpotConnector::Associate(const std::string& from, const std::string& to,
                                                     const std::vector<Association>& links) {
  std::vector<WriteResult> out(links.size());
  std::vector<size_t> plain, typed;
  for (size_t i = 0; i < links.size(); ++i)
    (links[i].type_ids.empty() ? plain : typed).push_back(i);
  for (int pass = 0; pass < 2; ++pass) {
    const auto& which = pass == 0 ? plain : typed;
    for (size_t i = 0; i < which.size(); i += config_.association_batch) {
      size_t end = std::min(which.size(), i + config_.association_batch);
      json inputs = json::array();
      for (size_t k = i; k < end; ++k) {
        const Association& a = links[which[k]];
        json in = {{"from", {{"id", a.from_id}}}, {"to", {{"id", a.to_id}}}};
        if (pass == 1) {
          json types = json::array();
          for (int t : a.type_ids)
            types.push_back(
                {{"associationCategory", a.labels.empty() ? "HUBSPOT_DEFINED" : "USER_DEFINED"},
                 {"associationTypeId", t}});
          in["types"] = types;
        }
        inputs.push_back(in);
      }
      ApiResult r = session_.Send("POST",
                                  "/crm/v4/associations/" + from + "/" + to +
                                      (pass == 0 ? "/batch/associate/default" : "/batch/create"),
                                  {{"inputs", inputs}});
      Error e = r.error;
      if (r.ok() && r.status() == 207 && !r.body.value("errors", json::array()).empty()) {
        // Per-input detail is not reliable across versions: report the batch error on all of
        // its inputs only when nothing succeeded.
        if (r.body.value("results", json::array()).empty()) e = ErrorFrom(r.body["errors"][0], 400);
      }
      for (size_t k = i; k < end; ++k)
        out[which[k]] = WriteResult{e.ok(), links[which[k]].from_id, false, e, {}};
    }
  }
  return out;
}

}  // namespace syncline::connectors
