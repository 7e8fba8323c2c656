#include "connectors/salesforce_connector.h"

#include <algorithm>
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

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// Id and SystemModstamp always, then the caller's fields (no repeats, case-insensitive).
std::vector<std::string> SelectList(const std::vector<std::string>& fields) {
  std::vector<std::string> out = {"Id", "SystemModstamp"};
  std::set<std::string> seen = {"id", "systemmodstamp"};
  for (const auto& f : fields)
    if (seen.insert(Lower(f)).second) out.push_back(f);
  return out;
}

// First error of a per-item result.
WriteResult ItemResult(const json& item, int status) {
  WriteResult r;
  r.ok = item.value("success", false);
  r.id = Text(item.value("id", json("")));
  r.created = item.value("created", false);
  if (!r.ok) {
    const json errors = item.value("errors", json::array());
    const json first = errors.empty() ? json::object() : errors[0];
    r.error.code = first.value("statusCode", first.value("errorCode", ""));
    r.error.message = first.value("message", "");
    r.error.category = ClassifySalesforceCode(r.error.code);
    r.error.http_status = status;
    for (const auto& f : first.value("fields", json::array())) r.error_fields.push_back(Text(f));
  }
  return r;
}

}  // namespace

SalesforceConnector::SalesforceConnector(SalesforceConfig config)
    : config_(std::move(config)), session_([this] {
        SessionOptions s = config_.session;
        s.vendor = Vendor::kSalesforce;
        return s;
      }()) {}

std::string SalesforceConnector::SoqlQuote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "'";
}

Record SalesforceConnector::ToRecord(const std::string& object, json row) const {
  Record r;
  r.object = object;
  r.id = Text(row.value("Id", json("")));
  if (auto m = row.find("SystemModstamp"); m != row.end() && m->is_string())
    r.last_modified_ms = ParseTimeMs(m->get<std::string>()).value_or(0);
  r.deleted = row.value("IsDeleted", false);
  r.fields = std::move(row);
  r.fields.erase("attributes");
  return r;
}

std::variant<schema::Object, Error> SalesforceConnector::Describe(const std::string& object) {
  ApiResult r = session_.Get(Data() + "/sobjects/" + object + "/describe");
  if (!r.ok()) return r.error;
  auto parsed = schema::ParseSalesforceDescribe(r.response.body);
  if (auto* message = std::get_if<std::string>(&parsed))
    return Error{ErrorCategory::kOther, "SCHEMA", *message, r.status()};
  return std::get<schema::Object>(std::move(parsed));
}

Error SalesforceConnector::Query(const std::string& soql, const std::function<bool(json&)>& on_row,
                                 bool all_rows) {
  std::string next =
      Data() + (all_rows ? "/queryAll?q=" : "/query?q=") + http::Client::Escape(soql);
  while (!next.empty()) {
    ApiResult r = session_.Get(next);
    if (!r.ok()) return r.error;
    for (auto& row : TakeArray(r.body, "records"))
      if (!on_row(row)) return {};
    next = r.body.value("done", true) ? "" : Text(r.body.value("nextRecordsUrl", json("")));
  }
  return {};
}

Error SalesforceConnector::ReadOwners(std::vector<Owner>* out) {
  return Query("SELECT Id, Email, FirstName, LastName, IsActive, UserType FROM User ORDER BY Id",
               [&](const json& row) {
                 Owner o;
                 o.id = Text(row.value("Id", json("")));
                 o.email = Text(row.value("Email", json("")));
                 o.first = Text(row.value("FirstName", json("")));
                 o.last = Text(row.value("LastName", json("")));
                 const json active = row.value("IsActive", json(false));
                 o.active = active.is_boolean() ? active.get<bool>() : Text(active) == "true";
                 o.user_type = Text(row.value("UserType", json("")));
                 if (!o.id.empty()) out->push_back(std::move(o));
                 return true;
               });
}

Error SalesforceConnector::ReadChanges(const std::string& object, const Watermark& since,
                                       const std::vector<std::string>& fields,
                                       const PageCallback& on_page) {
  WindowCursor cur = WindowCursor::Parse(since);
  const std::string select = Join(SelectList(fields), ",");
  for (int restarts = 0;; ++restarts) {
    // Seconds are the finest SOQL literal: start at the second of the cursor and skip what
    // was handed out already (the cursor drops records older than its timestamp).
    std::string soql = "SELECT " + select + " FROM " + object;
    if (cur.ms > 0) soql += " WHERE SystemModstamp >= " + FormatSoqlSeconds(cur.ms);
    soql += " ORDER BY SystemModstamp ASC, Id ASC";
    std::string next = Data() + "/query?q=" + http::Client::Escape(soql);
    // A query's later pages (its locator) hold records as they were when it ran: what this
    // connector writes from then on is read again by id before it is handed out, so the
    // caller never takes a value from before its own write for a change.
    FeedWrites::Scope written(feed_writes_, object);
    const uint64_t sent_at = written.Sequence();
    // Read-ahead: the next page is asked for before this one is handed out, so Salesforce
    // answers it (and a second thread parses it) while the caller works.
    WorkerFuture<ApiResult> ahead;
    bool locator_lost = false;
    while (!next.empty()) {
      ApiResult r = ahead.valid() ? ahead.get() : session_.Get(next);
      if (!r.ok()) {
        if (r.error.code == "INVALID_QUERY_LOCATOR" && restarts < 3) {
          locator_lost = true;  // the locator expired: query again from the cursor
          break;
        }
        return r.error;
      }
      next = r.body.value("done", true) ? "" : Text(r.body.value("nextRecordsUrl", json("")));
      if (!next.empty()) ahead = read_ahead_.Post([this, url = next] { return session_.Get(url); });
      ChangePage page;
      std::vector<std::string> stale;
      for (auto& row : TakeArray(r.body, "records")) {
        Record rec = ToRecord(object, std::move(row));
        if (!cur.Take(rec.id, rec.last_modified_ms)) continue;
        if (written.WrittenSince(rec.id, sent_at)) stale.push_back(rec.id);
        page.records.push_back(std::move(rec));
      }
      if (Error e = RefreshStale(
              page.records, stale,
              [&](const auto& ids, auto* out) { return ReadByIds(object, ids, fields, out); });
          !e.ok())
        return e;
      page.watermark = cur.Encode();
      if (!page.records.empty() && !on_page(page)) return {};
    }
    if (!locator_lost) return {};
  }
}

Error SalesforceConnector::ReadUpdatedIds(const std::string& object, int64_t start_ms,
                                          int64_t end_ms, std::vector<std::string>* ids,
                                          int64_t* latest_covered) {
  ApiResult r = session_.Get(Data() + "/sobjects/" + object + "/updated/?start=" +
                             http::Client::Escape(FormatSoqlSeconds(start_ms)) +
                             "&end=" + http::Client::Escape(FormatSoqlSeconds(end_ms)));
  if (!r.ok()) return r.error;
  for (const auto& id : r.body.value("ids", json::array())) ids->push_back(Text(id));
  *latest_covered = ParseTimeMs(Text(r.body.value("latestDateCovered", json("")))).value_or(end_ms);
  return {};
}

Error SalesforceConnector::ReadDeletions(const std::string& object, const Watermark& since,
                                         std::vector<Deletion>* out, Watermark* next) {
  // The watermark is the last latestDateCovered; the ids deleted in the minute before it are
  // kept so that the one-minute overlap of the next call reports nothing twice.
  auto j = json::parse(since, nullptr, false);
  int64_t covered = j.is_object() ? j.value("covered", int64_t{0}) : 0;
  std::set<std::string> seen;
  if (j.is_object())
    for (const auto& id : j.value("ids", json::array())) seen.insert(Text(id));
  int64_t now = session_.clock().NowMs();
  int64_t earliest = now - config_.deleted_window_days * 86'400'000 + 120'000;
  int64_t start = std::max(covered - 60'000, earliest);
  ApiResult r = session_.Get(Data() + "/sobjects/" + object +
                             "/deleted/?start=" + http::Client::Escape(FormatSoqlSeconds(start)) +
                             "&end=" + http::Client::Escape(FormatSoqlSeconds(now + 60'000)));
  if (!r.ok()) return r.error;
  int64_t latest = ParseTimeMs(Text(r.body.value("latestDateCovered", json("")))).value_or(covered);
  std::set<std::string> keep;
  for (const auto& d : r.body.value("deletedRecords", json::array())) {
    std::string id = Text(d.value("id", json("")));
    int64_t ts = ParseTimeMs(Text(d.value("deletedDate", json("")))).value_or(0);
    if (ts >= latest - 60'000) keep.insert(id);
    if (seen.count(id)) continue;
    out->push_back({id, ts});
  }
  *next = json{{"covered", std::max(latest, covered)}, {"ids", keep}}.dump();
  return {};
}

Error SalesforceConnector::ReadByIds(const std::string& object, const std::vector<std::string>& ids,
                                     const std::vector<std::string>& fields,
                                     std::vector<Record>* out) {
  const std::string select = Join(SelectList(fields), ",");
  return chunks_.Read(ids.size(), static_cast<size_t>(config_.collection_size), out,
                      [&](size_t begin, size_t end, std::vector<Record>* part) -> Error {
                        std::vector<std::string> chunk(ids.begin() + begin, ids.begin() + end);
                        ApiResult r = session_.Get(Data() + "/composite/sobjects/" + object +
                                                   "?ids=" + Join(chunk, ",") +
                                                   "&fields=" + http::Client::Escape(select));
                        if (!r.ok()) return r.error;
                        if (!r.body.is_array()) return {};
                        for (auto& row : r.body)
                          if (row.is_object()) part->push_back(ToRecord(object, std::move(row)));
                        return {};
                      });
}

Error SalesforceConnector::FindByField(const std::string& object, const std::string& field,
                                       const std::vector<std::string>& values,
                                       const std::vector<std::string>& fields,
                                       std::vector<Record>* out) {
  std::vector<std::string> list = fields;
  list.push_back(field);
  const std::string select = Join(SelectList(list), ",");
  return chunks_.Read(values.size(), static_cast<size_t>(config_.in_clause_size), out,
                      [&](size_t begin, size_t end, std::vector<Record>* part) {
                        std::vector<std::string> quoted;
                        for (size_t k = begin; k < end; ++k) quoted.push_back(SoqlQuote(values[k]));
                        std::string soql = "SELECT " + select + " FROM " + object + " WHERE " +
                                           field + " IN (" + Join(quoted, ",") + ")";
                        return Query(soql, [&](json& row) {
                          part->push_back(ToRecord(object, std::move(row)));
                          return true;
                        });
                      });
}

std::vector<WriteResult> SalesforceConnector::Write(const std::string& object, WriteKind kind,
                                                    const std::vector<WriteItem>& items,
                                                    const WriteOptions& options) {
  std::vector<WriteResult> out(items.size());
  auto run = [&](const std::vector<size_t>& all) {
    // Upserts name their key field in the path: one call per key field and chunk.
    std::map<std::string, std::vector<size_t>> groups;
    for (size_t i : all) groups[kind == WriteKind::kUpsert ? items[i].key_field : ""].push_back(i);
    const size_t size = std::max<size_t>(1, config_.collection_size);
    std::vector<std::vector<size_t>> calls;
    for (const auto& [key, which] : groups)
      for (size_t i = 0; i < which.size(); i += size)
        calls.emplace_back(which.begin() + i, which.begin() + std::min(which.size(), i + size));
    chunks_.Write(calls.size(), kind, items, options,
                  [&](size_t c) { WriteOnce(object, kind, items, calls[c], options, out, 0); });
  };
  std::vector<size_t> all(items.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  run(all);
  // Items that failed with a server error inside a successful call were not applied (the
  // call used allOrNone=false, so a rolled-back neighbour is also reported here): resend them.
  for (int round = 0; round < config_.transient_item_retries; ++round) {
    std::vector<size_t> again;
    for (size_t i = 0; i < out.size(); ++i)
      if (!out[i].ok && out[i].error.category == ErrorCategory::kServer &&
          out[i].error.http_status == 200 && session_.suspended().ok())
        again.push_back(i);
    if (again.empty()) break;
    run(again);
  }
  feed_writes_.NoteWrites(object, kind, items, out);
  return out;
}

void SalesforceConnector::WriteOnce(const std::string& object, WriteKind kind,
                                    const std::vector<WriteItem>& items,
                                    const std::vector<size_t>& which, const WriteOptions& options,
                                    std::vector<WriteResult>& out, int depth) {
  if (which.empty()) return;
  json records = json::array();
  for (size_t idx : which) {
    const WriteItem& it = items[idx];
    json rec = it.fields;
    if (!rec.is_object()) rec = json::object();
    rec["attributes"] = {{"type", object}};
    if (kind == WriteKind::kUpdate) rec["id"] = it.id;
    if (kind == WriteKind::kUpsert) rec[it.key_field] = it.key_value;
    records.push_back(std::move(rec));
  }
  json body = {{"allOrNone", false}, {"records", records}};
  CallOptions call;
  call.idempotent = kind != WriteKind::kCreate;
  ApiResult r;
  switch (kind) {
    case WriteKind::kCreate:
      r = session_.Send("POST", Data() + "/composite/sobjects", body, call);
      break;
    case WriteKind::kUpdate:
      r = session_.Send("PATCH", Data() + "/composite/sobjects", body, call);
      break;
    case WriteKind::kUpsert:
      r = session_.Send("PATCH",
                        Data() + "/composite/sobjects/" + object + "/" + items[which[0]].key_field,
                        body, call);
      break;
  }
  auto fail_all = [&](const Error& e) {
    for (size_t idx : which) out[idx] = WriteResult{false, "", false, e, {}};
  };
  if (r.maybe_applied) {
    if (options.dedupe_field.empty() || depth > 2) {
      Error e = r.error;
      e.message = "connection lost during a create; it may have been applied: " + e.message;
      return fail_all(e);
    }
    auto rest = ReadBackCreated(*this, object, items, which, options.dedupe_field, out);
    if (auto* e = std::get_if<Error>(&rest)) return fail_all(*e);
    return WriteOnce(object, kind, items, std::get<std::vector<size_t>>(rest), options, out,
                     depth + 1);
  }
  if (!r.ok()) return fail_all(r.error);
  if (!r.body.is_array() || r.body.size() != which.size())
    return fail_all({ErrorCategory::kServer, "BAD_RESPONSE",
                     "collection answer does not match the request", r.status()});
  // Collections answer in input order.
  for (size_t k = 0; k < which.size(); ++k) {
    WriteResult res = ItemResult(r.body[k], r.status());
    if (kind == WriteKind::kCreate && res.ok) res.created = true;
    if (kind == WriteKind::kUpdate && res.id.empty()) res.id = items[which[k]].id;
    out[which[k]] = std::move(res);
  }
}

std::vector<WriteResult> SalesforceConnector::Delete(const std::string& object,
                                                     const std::vector<std::string>& ids) {
  // The ids carry their object in the key prefix; `object` only serves the feeds' checks.
  feed_writes_.NoteDeletes(object, ids);
  std::vector<WriteResult> out(ids.size());
  for (size_t i = 0; i < ids.size(); i += config_.collection_size) {
    size_t end = std::min(ids.size(), i + config_.collection_size);
    std::vector<std::string> chunk(ids.begin() + i, ids.begin() + end);
    ApiResult r = session_.Call(
        "DELETE", Data() + "/composite/sobjects?allOrNone=false&ids=" + Join(chunk, ","));
    for (size_t k = i; k < end; ++k) {
      if (!r.ok()) {
        out[k] = WriteResult{false, ids[k], false, r.error, {}};
        continue;
      }
      WriteResult res = r.body.is_array() && r.body.size() == chunk.size()
                            ? ItemResult(r.body[k - i], r.status())
                            : WriteResult{true, ids[k], false, {}, {}};
      // Already gone is what a delete wants.
      if (!res.ok && res.error.category == ErrorCategory::kNotFound)
        res = WriteResult{true, ids[k], false, {}, {}};
      if (res.id.empty()) res.id = ids[k];
      out[k] = std::move(res);
    }
  }
  return out;
}

Error SalesforceConnector::ListMembers(const std::string&, std::vector<std::string>*) {
  return {ErrorCategory::kOther, "UNSUPPORTED", "Salesforce has no segment lists here", 0};
}
Error SalesforceConnector::AddListMembers(const std::string&, const std::vector<std::string>&) {
  return {ErrorCategory::kOther, "UNSUPPORTED", "Salesforce has no segment lists here", 0};
}
Error SalesforceConnector::RemoveListMembers(const std::string&, const std::vector<std::string>&) {
  return {ErrorCategory::kOther, "UNSUPPORTED", "Salesforce has no segment lists here", 0};
}

namespace {
bool IsContactRolePair(const std::string& from, const std::string& to) {
  return (Lower(from) == "opportunity" && Lower(to) == "contact") ||
         (Lower(from) == "contact" && Lower(to) == "opportunity");
}
}  // namespace

Error SalesforceConnector::ReadAssociations(const std::string& from, const std::string& to,
                                            const std::vector<std::string>& from_ids,
                                            std::vector<Association>* out) {
  const bool roles = IsContactRolePair(from, to);
  const bool from_opp = Lower(from) == "opportunity";
  return chunks_.Read(
      from_ids.size(), static_cast<size_t>(config_.in_clause_size), out,
      [&](size_t begin, size_t end, std::vector<Association>* part) {
        std::vector<std::string> quoted;
        for (size_t k = begin; k < end; ++k) quoted.push_back(SoqlQuote(from_ids[k]));
        std::string soql;
        if (roles) {
          soql = std::string(
                     "SELECT Id, OpportunityId, ContactId, Role, IsPrimary FROM "
                     "OpportunityContactRole WHERE ") +
                 (from_opp ? "OpportunityId" : "ContactId") + " IN (" + Join(quoted, ",") +
                 ") ORDER BY Id";
        } else {
          soql =
              "SELECT Id, " + to + "Id FROM " + from + " WHERE Id IN (" + Join(quoted, ",") + ")";
        }
        Error e = Query(soql, [&](const json& row) {
          Association a;
          if (roles) {
            a.from_id = Text(row.value(from_opp ? "OpportunityId" : "ContactId", json("")));
            a.to_id = Text(row.value(from_opp ? "ContactId" : "OpportunityId", json("")));
            if (row.contains("Role") && row["Role"].is_string()) a.labels.push_back(row["Role"]);
            a.primary = row.value("IsPrimary", false);
          } else {
            a.from_id = Text(row.value("Id", json("")));
            a.to_id = Text(row.value(to + "Id", json(nullptr)));
            if (a.to_id.empty()) return true;
          }
          part->push_back(std::move(a));
          return true;
        });
        return e;
      });
}

std::vector<WriteResult> SalesforceConnector::Associate(const std::string& from,
                                                        const std::string& to,
                                                        const std::vector<Association>& links) {
  std::vector<WriteItem> items;
  if (IsContactRolePair(from, to)) {
    const bool from_opp = Lower(from) == "opportunity";
    for (const auto& a : links) {
      WriteItem it;
      it.fields = {{"OpportunityId", from_opp ? a.from_id : a.to_id},
                   {"ContactId", from_opp ? a.to_id : a.from_id}};
      if (!a.labels.empty()) it.fields["Role"] = a.labels[0];
      if (a.primary) it.fields["IsPrimary"] = true;
      items.push_back(std::move(it));
    }
    return Write("OpportunityContactRole", WriteKind::kCreate, items);
  }
  for (const auto& a : links) {
    WriteItem it;
    it.id = a.from_id;
    it.fields = {{to + "Id", a.to_id}};
    items.push_back(std::move(it));
  }
  return Write(from, WriteKind::kUpdate, items);
}

}  // namespace syncline::connectors
