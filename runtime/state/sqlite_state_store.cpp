#include "state/sqlite_state_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string_view>
#include <utility>

namespace syncline::state {

std::string_view SideName(Side side) {
  return side == Side::kHubSpot ? "hubspot" : "salesforce";
}

std::string_view IntentStateName(IntentState state) {
  switch (state) {
    case IntentState::kPending:
      return "pending";
    case IntentState::kDone:
      return "done";
    case IntentState::kFailed:
      return "failed";
    case IntentState::kAbandoned:
      return "abandoned";
  }
  return "pending";
}

std::string_view EnrollmentStateName(EnrollmentState state) {
  switch (state) {
    case EnrollmentState::kOpen:
      return "open";
    case EnrollmentState::kDone:
      return "done";
    case EnrollmentState::kFailed:
      return "failed";
  }
  return "open";
}

namespace {

EnrollmentState EnrollmentStateFrom(std::string_view name) {
  if (name == "done") return EnrollmentState::kDone;
  if (name == "failed") return EnrollmentState::kFailed;
  return EnrollmentState::kOpen;
}

IntentState IntentStateFrom(std::string_view name) {
  if (name == "done") return IntentState::kDone;
  if (name == "failed") return IntentState::kFailed;
  if (name == "abandoned") return IntentState::kAbandoned;
  return IntentState::kPending;
}

int SideInt(Side s) {
  return s == Side::kHubSpot ? 0 : 1;
}
Side SideFrom(int64_t v) {
  return v == 0 ? Side::kHubSpot : Side::kSalesforce;
}

// Each entry migrates from version i to i + 1. Never edit a shipped entry: append.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE links (
  id INTEGER PRIMARY KEY,
  hubspot_object TEXT NOT NULL, hubspot_id TEXT NOT NULL,
  salesforce_object TEXT NOT NULL, salesforce_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
CREATE UNIQUE INDEX links_hubspot ON links(hubspot_object, hubspot_id) WHERE hubspot_id != '';
CREATE UNIQUE INDEX links_salesforce ON links(salesforce_object, salesforce_id) WHERE salesforce_id != '';
CREATE TABLE base_values (
  link_id INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  side INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, synced_ms INTEGER NOT NULL,
  PRIMARY KEY (link_id, side, field)) WITHOUT ROWID;
CREATE TABLE watermarks (
  side INTEGER NOT NULL, object TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
  updated_ms INTEGER NOT NULL, PRIMARY KEY (side, object, kind)) WITHOUT ROWID;
CREATE TABLE intents (
  id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, side INTEGER NOT NULL, object TEXT NOT NULL,
  op TEXT NOT NULL, record_id TEXT NOT NULL, link_id INTEGER NOT NULL, payload TEXT NOT NULL,
  lookup_field TEXT NOT NULL, lookup_value TEXT NOT NULL, state TEXT NOT NULL,
  result_id TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '', run_id INTEGER NOT NULL,
  created_ms INTEGER NOT NULL, completed_ms INTEGER NOT NULL DEFAULT 0);
CREATE INDEX intents_state ON intents(state);
CREATE TABLE sync_errors (
  id INTEGER PRIMARY KEY, side INTEGER NOT NULL, object TEXT NOT NULL, record_id TEXT NOT NULL,
  category TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, attempts INTEGER NOT NULL,
  first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, next_retry_ms INTEGER NOT NULL,
  resolved INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX sync_errors_open ON sync_errors(side, object, record_id) WHERE resolved = 0;
CREATE TABLE runs (
  id INTEGER PRIMARY KEY, started_ms INTEGER NOT NULL, ended_ms INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL, counts TEXT NOT NULL DEFAULT '{}',
  hubspot_calls INTEGER NOT NULL DEFAULT 0, salesforce_calls INTEGER NOT NULL DEFAULT 0);
)sql",
    // 2: workflows (R135-R138); the bases an applied update settles (journal recovery).
    R"sql(
CREATE TABLE workflow_seen (
  workflow TEXT NOT NULL, trigger TEXT NOT NULL, hubspot_id TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (workflow, trigger, hubspot_id)) WITHOUT ROWID;
CREATE TABLE workflow_enrollments (
  id INTEGER PRIMARY KEY, workflow TEXT NOT NULL, hubspot_id TEXT NOT NULL,
  trigger TEXT NOT NULL, payload TEXT NOT NULL, next_action INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',
  enrolled_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
CREATE INDEX workflow_enrollments_open ON workflow_enrollments(workflow, state, id);
ALTER TABLE intents ADD COLUMN bases TEXT NOT NULL DEFAULT '';
)sql",
    // 3: one row of base values per link and side (field\0value\0... in a blob) instead of a row
    // per field: storing a record's bases was one upsert per mapped field, a third of a sync's
    // CPU. MigrateBaseRows() copies the old rows, then base_values is dropped.
    R"sql(
CREATE TABLE bases (
  link_id INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
  side INTEGER NOT NULL, fields BLOB NOT NULL, synced_ms INTEGER NOT NULL,
  PRIMARY KEY (link_id, side)) WITHOUT ROWID;
)sql",
    // 4: a batch call's intents in one row (BeginCallIntents): items are "key\0record_id\0
    // link_id\0payload\0lookup_field\0lookup_value\0bases\0" one after the other.
    R"sql(
CREATE TABLE intent_calls (
  id INTEGER PRIMARY KEY, side INTEGER NOT NULL, object TEXT NOT NULL, op TEXT NOT NULL,
  run_id INTEGER NOT NULL, created_ms INTEGER NOT NULL, items BLOB NOT NULL);
)sql",
};

// Base values in one blob: "field\0value\0" per field, in field order. Fields are property names
// and values canonical JSON text, neither of which holds a NUL byte.
std::string EncodeBase(const BaseValues& values) {
  std::string out;
  for (const auto& [field, value] : values) {
    out += field;
    out += '\0';
    out += value;
    out += '\0';
  }
  return out;
}
// The NUL-terminated fields at the front of `blob` (the encoding of bases and of call rows):
// fills `out[0..n)` and advances `blob` past them. False at the end, or on a truncated group
// (then `blob` is left as it was).
bool NextFields(std::string_view& blob, std::string_view* out, int n) {
  std::string_view rest = blob;
  for (int i = 0; i < n; ++i) {
    const size_t end = rest.find('\0');
    if (end == std::string_view::npos) return false;
    out[i] = rest.substr(0, end);
    rest.remove_prefix(end + 1);
  }
  blob = rest;
  return true;
}
// One pair of an encoded base blob: the field and value at the front of `blob`.
bool NextBasePair(std::string_view& blob, std::string_view* field, std::string_view* value) {
  std::string_view pair[2];
  if (!NextFields(blob, pair, 2)) return false;
  *field = pair[0];
  *value = pair[1];
  return true;
}

// The stored blob with `update`'s fields laid over it. Both are in field order, so this is
// one merge pass without decoding either into a map.
std::string MergeBaseBlobs(std::string_view stored, std::string_view update) {
  std::string out;
  out.reserve(stored.size() + update.size());
  auto put = [&out](std::string_view f, std::string_view v) {
    out.append(f);
    out += '\0';
    out.append(v);
    out += '\0';
  };
  std::string_view sf, sv, uf, uv;
  bool has_s = NextBasePair(stored, &sf, &sv), has_u = NextBasePair(update, &uf, &uv);
  while (has_s || has_u) {
    const int c = !has_s ? 1 : !has_u ? -1 : sf.compare(uf);
    if (c < 0) {
      put(sf, sv);
      has_s = NextBasePair(stored, &sf, &sv);
    } else {
      put(uf, uv);
      if (c == 0) has_s = NextBasePair(stored, &sf, &sv);
      has_u = NextBasePair(update, &uf, &uv);
    }
  }
  return out;
}

// SQL: syncline_merge_bases(stored, update), so SetBase is one upsert instead of a read and a
// write.
void MergeBasesSql(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto view = [](sqlite3_value* v) {
    const void* b = sqlite3_value_blob(v);
    return b ? std::string_view(static_cast<const char*>(b),
                                static_cast<size_t>(sqlite3_value_bytes(v)))
             : std::string_view();
  };
  const std::string merged = MergeBaseBlobs(view(argv[0]), view(argv[1]));
  sqlite3_result_blob(ctx, merged.data(), static_cast<int>(merged.size()), SQLITE_TRANSIENT);
}

BaseValues DecodeBase(std::string_view blob) {
  BaseValues out;
  std::string_view f, v;
  while (NextBasePair(blob, &f, &v)) out.emplace_hint(out.end(), std::string(f), std::string(v));
  return out;
}

}  // namespace

// A prepared statement with positional binding and typed column reads. Statements are
// prepared once per store and SQL text and reused (reset on release): preparing took a fifth of
// a sync's CPU. A statement already in use (the same SQL twice at once) gets a fresh one.
class SqliteStateStore::Stmt {
 public:
  Stmt(SqliteStateStore* store, const std::string& sql) : db_(store->db_) {
    auto it = store->stmts_.find(sql);
    if (it != store->stmts_.end() && !it->second.in_use) {
      slot_ = &it->second;
      stmt_ = slot_->stmt;
      slot_->in_use = true;
      return;
    }
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
        SQLITE_OK) {
      sqlite3_finalize(stmt_);
      throw StateError(std::string("state store: ") + sqlite3_errmsg(db_));
    }
    if (it == store->stmts_.end()) {
      slot_ = &store->stmts_[sql];  // element references survive rehashing
      slot_->stmt = stmt_;
      slot_->in_use = true;
    }
  }
  ~Stmt() {
    if (!slot_) {
      sqlite3_finalize(stmt_);
      return;
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    slot_->in_use = false;
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& Bind(const std::string& v) {
    sqlite3_bind_text(stmt_, ++n_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(const char* v) { return Bind(std::string(v)); }
  Stmt& BindBlob(const std::string& v) {
    sqlite3_bind_blob(stmt_, ++n_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int64_t v) {
    sqlite3_bind_int64(stmt_, ++n_, v);
    return *this;
  }
  Stmt& Bind(int v) { return Bind(static_cast<int64_t>(v)); }
  // True while there is a row.
  bool Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StateError(std::string("state store: ") + sqlite3_errmsg(db_));
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    n_ = 0;
  }
  void Run() {
    while (Step()) {
    }
  }
  std::string Text(int col) {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }
  std::string_view Blob(int col) {
    const void* b = sqlite3_column_blob(stmt_, col);
    return b ? std::string_view(static_cast<const char*>(b),
                                static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string_view();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  CachedStmt* slot_ = nullptr;  // null: not cached, finalized on release
  int n_ = 0;
};

void SqliteStateStore::FinalizeStatements() {
  for (auto& [sql, c] : stmts_) sqlite3_finalize(c.stmt);
  stmts_.clear();
}

SqliteStateStore::SqliteStateStore(const std::string& path) {
  // SQLite's memory statistics take a process-wide mutex around every allocation, shared
  // with the in-process sandboxes' stores; nothing here reads them. The call only takes
  // effect before SQLite's first use in the process, and is refused harmlessly after it.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  // No connection mutex: every use of `db_` holds `mu_` already, so SQLite's own lock per
  // API call (several per statement) would only repeat it.
  if (sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    FinalizeStatements();
    sqlite3_close(db_);
    db_ = nullptr;
    throw StateError("cannot open state store " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    Exec("PRAGMA journal_mode=WAL");
    // NORMAL is durable across application crashes in WAL mode (only a power loss may drop
    // the last commits), which is the failure the journal protocol is about.
    Exec("PRAGMA synchronous=NORMAL");
    Exec("PRAGMA foreign_keys=ON");
    if (sqlite3_create_function_v2(db_, "syncline_merge_bases", 2,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr,
                                   MergeBasesSql, nullptr, nullptr, nullptr) != SQLITE_OK)
      throw StateError(std::string("state store: ") + sqlite3_errmsg(db_));
    Migrate();
  } catch (...) {
    // A throwing constructor runs no destructor: close the connection here (a file from a
    // newer version, a corrupt file) so nothing leaks and the file is not held open.
    FinalizeStatements();
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

SqliteStateStore::~SqliteStateStore() {
  FinalizeStatements();
  if (db_) sqlite3_close(db_);
}

void SqliteStateStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "unknown error";
    sqlite3_free(err);
    throw StateError("state store: " + message);
  }
}

int SqliteStateStore::schema_version() {
  std::lock_guard lock(mu_);
  Stmt s(this, "PRAGMA user_version");
  return s.Step() ? static_cast<int>(s.Int(0)) : 0;
}

std::string SqliteStateStore::journal_mode() {
  std::lock_guard lock(mu_);
  Stmt s(this, "PRAGMA journal_mode");
  return s.Step() ? s.Text(0) : "";
}

void SqliteStateStore::Migrate() {
  int version = schema_version();
  constexpr int kCount = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
  static_assert(kCount == kSchemaVersion);
  if (version > kCount)
    throw StateError("the state store was written by a newer Syncline (schema version " +
                     std::to_string(version) + ")");
  for (int v = version; v < kCount; ++v) {
    Exec("BEGIN IMMEDIATE");
    try {
      Exec(kMigrations[v]);
      if (v == 2) MigrateBaseRows();
      Exec(("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
      Exec("COMMIT");
    } catch (...) {
      Exec("ROLLBACK");
      throw;
    }
  }
}

void SqliteStateStore::MigrateBaseRows() {
  // Inside Migrate's transaction: version 2's rows, one per field, become one blob per link and
  // side (the latest synced_ms of its fields).
  std::map<std::pair<int64_t, int64_t>, std::pair<BaseValues, int64_t>> rows;
  {
    Stmt s(this, "SELECT link_id, side, field, value, synced_ms FROM base_values");
    while (s.Step()) {
      auto& row = rows[{s.Int(0), s.Int(1)}];
      row.first[s.Text(2)] = s.Text(3);
      row.second = std::max(row.second, s.Int(4));
    }
  }
  for (const auto& [key, row] : rows)
    Stmt(this, "INSERT INTO bases (link_id, side, fields, synced_ms) VALUES (?,?,?,?)")
        .Bind(key.first)
        .Bind(key.second)
        .BindBlob(EncodeBase(row.first))
        .Bind(row.second)
        .Run();
  FinalizeStatements();  // nothing may still read base_values when it is dropped
  Exec("DROP TABLE base_values");
}

// Begin and Commit run as prepared statements from the cache: the engine opens a transaction
// (or a savepoint inside one) per page, per call and per pair, and sqlite3_exec compiles the
// SQL text every time (Exec, commits' own work included, was about 5 % of the engine's thread
// in a 10,000-contact demo).
void SqliteStateStore::Begin() {
  std::lock_guard lock(mu_);
  Stmt(this, depth_ == 0 ? std::string("BEGIN IMMEDIATE") : "SAVEPOINT s" + std::to_string(depth_))
      .Run();
  ++depth_;
}

void SqliteStateStore::Commit() {
  std::lock_guard lock(mu_);
  if (depth_ == 0) throw StateError("state store: commit without a transaction");
  --depth_;
  Stmt(this, depth_ == 0 ? std::string("COMMIT") : "RELEASE s" + std::to_string(depth_)).Run();
}

void SqliteStateStore::Rollback() {
  std::lock_guard lock(mu_);
  if (depth_ == 0) return;
  --depth_;
  if (depth_ == 0) {
    Exec("ROLLBACK");
  } else {
    std::string name = "s" + std::to_string(depth_);
    Exec(("ROLLBACK TO " + name).c_str());
    Exec(("RELEASE " + name).c_str());
  }
}

// ---- links

namespace {
constexpr const char* kLinkCols =
    "id, hubspot_object, hubspot_id, salesforce_object, salesforce_id, created_ms, updated_ms";
}

int64_t SqliteStateStore::PutLink(const Link& link) {
  std::lock_guard lock(mu_);
  if (link.id != 0) {
    Stmt s(this,
           "UPDATE links SET hubspot_object=?, hubspot_id=?, salesforce_object=?, salesforce_id=?, "
           "updated_ms=? WHERE id=?");
    s.Bind(link.hubspot_object)
        .Bind(link.hubspot_id)
        .Bind(link.salesforce_object)
        .Bind(link.salesforce_id)
        .Bind(link.updated_ms)
        .Bind(link.id)
        .Run();
    return link.id;
  }
  Stmt s(this,
         "INSERT INTO links (hubspot_object, hubspot_id, salesforce_object, salesforce_id, "
         "created_ms, updated_ms) VALUES (?,?,?,?,?,?)");
  s.Bind(link.hubspot_object)
      .Bind(link.hubspot_id)
      .Bind(link.salesforce_object)
      .Bind(link.salesforce_id)
      .Bind(link.created_ms)
      .Bind(link.updated_ms ? link.updated_ms : link.created_ms)
      .Run();
  return sqlite3_last_insert_rowid(db_);
}

void SqliteStateStore::TouchLink(int64_t id, int64_t now_ms) {
  std::lock_guard lock(mu_);
  static const std::string kSql = "UPDATE links SET updated_ms=? WHERE id=?";
  Stmt(this, kSql).Bind(now_ms).Bind(id).Run();
}

namespace {
template <typename S>
Link ReadLink(S& s) {
  Link l;
  l.id = s.Int(0);
  l.hubspot_object = s.Text(1);
  l.hubspot_id = s.Text(2);
  l.salesforce_object = s.Text(3);
  l.salesforce_id = s.Text(4);
  l.created_ms = s.Int(5);
  l.updated_ms = s.Int(6);
  return l;
}
}  // namespace

std::optional<Link> SqliteStateStore::GetLink(int64_t id) {
  std::lock_guard lock(mu_);
  Stmt s(this, (std::string("SELECT ") + kLinkCols + " FROM links WHERE id=?").c_str());
  s.Bind(id);
  if (!s.Step()) return std::nullopt;
  return ReadLink(s);
}

std::optional<Link> SqliteStateStore::FindLink(Side side, const std::string& object,
                                               const std::string& id) {
  std::lock_guard lock(mu_);
  std::string sql =
      std::string("SELECT ") + kLinkCols + " FROM links WHERE " +
      // `!= ''` lets SQLite use the partial unique indexes (links_hubspot,
      // links_salesforce); without it every look-up scanned the table.
      (side == Side::kHubSpot ? "hubspot_object=? AND hubspot_id=? AND hubspot_id != ''"
                              : "salesforce_object=? AND salesforce_id=? AND salesforce_id != ''");
  Stmt s(this, sql.c_str());
  s.Bind(object).Bind(id);
  if (!s.Step()) return std::nullopt;
  return ReadLink(s);
}

std::unordered_map<std::string, Link> SqliteStateStore::FindLinks(
    Side side, const std::string& object, const std::vector<std::string>& given) {
  // Each id once: callers pass the ends of associations, which repeat.
  std::vector<std::string> ids = given;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::lock_guard lock(mu_);
  // One statement text for every chunk (unused slots bound to '', which no link has), so it is
  // prepared once.
  constexpr size_t kChunk = 100;
  static const std::string marks = [] {
    std::string m = "?";
    for (size_t i = 1; i < kChunk; ++i) m += ",?";
    return m;
  }();
  const bool hs = side == Side::kHubSpot;
  const std::string sql =
      std::string("SELECT ") + kLinkCols + " FROM links WHERE " +
      (hs ? "hubspot_object=? AND hubspot_id IN (" + marks + ") AND hubspot_id != ''"
          : "salesforce_object=? AND salesforce_id IN (" + marks + ") AND salesforce_id != ''");
  std::unordered_map<std::string, Link> out;
  for (size_t start = 0; start < ids.size(); start += kChunk) {
    Stmt s(this, sql);
    s.Bind(object);
    for (size_t k = 0; k < kChunk; ++k)
      s.Bind(start + k < ids.size() ? ids[start + k] : std::string());
    while (s.Step()) {
      Link l = ReadLink(s);
      std::string key = hs ? l.hubspot_id : l.salesforce_id;
      out.emplace(std::move(key), std::move(l));
    }
  }
  return out;
}

void SqliteStateStore::DeleteLink(int64_t id) {
  std::lock_guard lock(mu_);
  Stmt(this, "DELETE FROM links WHERE id=?").Bind(id).Run();
}

std::vector<Link> SqliteStateStore::Links(const std::string& hubspot_object) {
  std::lock_guard lock(mu_);
  std::string sql = std::string("SELECT ") + kLinkCols + " FROM links" +
                    (hubspot_object.empty() ? "" : " WHERE hubspot_object=?") + " ORDER BY id";
  Stmt s(this, sql.c_str());
  if (!hubspot_object.empty()) s.Bind(hubspot_object);
  std::vector<Link> out;
  while (s.Step()) out.push_back(ReadLink(s));
  return out;
}

// ---- base values

void SqliteStateStore::SetBase(int64_t link_id, Side side, const BaseValues& values,
                               int64_t now_ms) {
  if (values.empty()) return;
  std::lock_guard lock(mu_);
  // Fields not in `values` keep their stored base: merged with the row inside the upsert.
  Stmt(this,
       "INSERT INTO bases (link_id, side, fields, synced_ms) VALUES (?,?,?,?) "
       "ON CONFLICT(link_id, side) DO UPDATE SET "
       "fields=syncline_merge_bases(fields, excluded.fields), synced_ms=excluded.synced_ms")
      .Bind(link_id)
      .Bind(SideInt(side))
      .BindBlob(EncodeBase(values))
      .Bind(now_ms)
      .Run();
}

BaseValues SqliteStateStore::GetBase(int64_t link_id, Side side) {
  std::lock_guard lock(mu_);
  Stmt s(this, "SELECT fields FROM bases WHERE link_id=? AND side=?");
  s.Bind(link_id).Bind(SideInt(side));
  return s.Step() ? DecodeBase(s.Blob(0)) : BaseValues();
}

void SqliteStateStore::ClearBase(int64_t link_id, Side side,
                                 const std::vector<std::string>& fields) {
  std::lock_guard lock(mu_);
  BaseValues kept;
  if (!fields.empty()) {
    kept = GetBase(link_id, side);
    for (const auto& f : fields) kept.erase(f);
  }
  if (kept.empty()) {
    Stmt(this, "DELETE FROM bases WHERE link_id=? AND side=?")
        .Bind(link_id)
        .Bind(SideInt(side))
        .Run();
    return;
  }
  Stmt(this, "UPDATE bases SET fields=? WHERE link_id=? AND side=?")
      .BindBlob(EncodeBase(kept))
      .Bind(link_id)
      .Bind(SideInt(side))
      .Run();
}

// ---- watermarks

std::optional<std::string> SqliteStateStore::GetWatermark(Side side, const std::string& object,
                                                          const std::string& kind) {
  std::lock_guard lock(mu_);
  Stmt s(this, "SELECT value FROM watermarks WHERE side=? AND object=? AND kind=?");
  s.Bind(SideInt(side)).Bind(object).Bind(kind);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

void SqliteStateStore::SetWatermark(Side side, const std::string& object, const std::string& kind,
                                    const std::string& value, int64_t now_ms) {
  std::lock_guard lock(mu_);
  Stmt(this,
       "INSERT INTO watermarks (side, object, kind, value, updated_ms) VALUES (?,?,?,?,?) "
       "ON CONFLICT(side, object, kind) DO UPDATE SET value=excluded.value, "
       "updated_ms=excluded.updated_ms")
      .Bind(SideInt(side))
      .Bind(object)
      .Bind(kind)
      .Bind(value)
      .Bind(now_ms)
      .Run();
}

// ---- journal

namespace {
constexpr const char* kIntentCols =
    "id, key, side, object, op, record_id, link_id, payload, lookup_field, lookup_value, state, "
    "result_id, message, run_id, created_ms, completed_ms, bases";
template <typename S>
Intent ReadIntent(S& s) {
  Intent i;
  i.id = s.Int(0);
  i.key = s.Text(1);
  i.side = SideFrom(s.Int(2));
  i.object = s.Text(3);
  i.op = s.Text(4);
  i.record_id = s.Text(5);
  i.link_id = s.Int(6);
  i.payload = s.Text(7);
  i.lookup_field = s.Text(8);
  i.lookup_value = s.Text(9);
  i.state = IntentStateFrom(s.Text(10));
  i.result_id = s.Text(11);
  i.message = s.Text(12);
  i.run_id = s.Int(13);
  i.created_ms = s.Int(14);
  i.completed_ms = s.Int(15);
  i.bases = s.Text(16);
  return i;
}
}  // namespace

Intent SqliteStateStore::BeginIntent(const Intent& intent, int64_t now_ms) {
  std::lock_guard lock(mu_);
  // A new key (the common case) is one statement; only a key seen before is read back. The
  // read, delete, insert and re-read this used to be were a tenth of a sync's CPU.
  auto insert = [&](const std::string& sql) {
    Stmt(this, sql)
        .Bind(intent.key)
        .Bind(SideInt(intent.side))
        .Bind(intent.object)
        .Bind(intent.op)
        .Bind(intent.record_id)
        .Bind(intent.link_id)
        .Bind(intent.payload)
        .Bind(intent.lookup_field)
        .Bind(intent.lookup_value)
        .Bind(intent.run_id)
        .Bind(now_ms)
        .Bind(intent.bases)
        .Run();
  };
  auto inserted = [&] {
    Intent out = intent;
    out.id = sqlite3_last_insert_rowid(db_);
    out.state = IntentState::kPending;
    out.result_id.clear();
    out.message.clear();
    out.created_ms = now_ms;
    out.completed_ms = 0;
    return out;
  };
  static const std::string kInsert =
      "INSERT INTO intents (key, side, object, op, record_id, link_id, payload, lookup_field, "
      "lookup_value, state, run_id, created_ms, bases) VALUES "
      "(?,?,?,?,?,?,?,?,?,'pending',?,?,?)";
  static const std::string kInsertNew = kInsert + " ON CONFLICT(key) DO NOTHING";
  insert(kInsertNew);
  if (sqlite3_changes(db_) == 1) return inserted();
  if (auto existing = GetIntent(intent.key);
      existing &&
      (existing->state == IntentState::kPending || existing->state == IntentState::kDone))
    return *existing;
  // A failed or abandoned intent with this key is replaced by the new attempt.
  Stmt(this, "DELETE FROM intents WHERE key=?").Bind(intent.key).Run();
  insert(kInsert);
  return inserted();
}

void SqliteStateStore::SetIntentState(const std::string& key, IntentState state,
                                      const std::string& result_id, const std::string& message,
                                      int64_t now_ms) {
  std::lock_guard lock(mu_);
  Stmt(this, "UPDATE intents SET state=?, result_id=?, message=?, completed_ms=? WHERE key=?")
      .Bind(std::string(IntentStateName(state)))
      .Bind(result_id)
      .Bind(message)
      .Bind(now_ms)
      .Bind(key)
      .Run();
}

void SqliteStateStore::CompleteIntent(const std::string& key, const std::string& result_id,
                                      int64_t now_ms) {
  SetIntentState(key, IntentState::kDone, result_id, "", now_ms);
}

void SqliteStateStore::FailIntent(const std::string& key, const std::string& message,
                                  int64_t now_ms) {
  SetIntentState(key, IntentState::kFailed, "", message, now_ms);
}

void SqliteStateStore::AbandonIntent(const std::string& key, const std::string& message,
                                     int64_t now_ms) {
  SetIntentState(key, IntentState::kAbandoned, "", message, now_ms);
}

// The items of a call row: NUL-terminated fields, kCallItemFields per intent. Keys, ids and
// JSON text (control characters escaped) hold no NUL byte.
constexpr int kCallItemFields = 7;

int64_t SqliteStateStore::BeginCallIntents(const std::vector<Intent>& intents, int64_t now_ms) {
  if (intents.empty()) throw StateError("state store: a call without intents");
  std::string items;
  for (const Intent& i : intents) {
    for (const std::string* f : {&i.key, &i.record_id}) items.append(*f).push_back('\0');
    items.append(std::to_string(i.link_id)).push_back('\0');
    for (const std::string* f : {&i.payload, &i.lookup_field, &i.lookup_value, &i.bases})
      items.append(*f).push_back('\0');
  }
  const Intent& first = intents.front();
  std::lock_guard lock(mu_);
  Stmt(this,
       "INSERT INTO intent_calls (side, object, op, run_id, created_ms, items) "
       "VALUES (?,?,?,?,?,?)")
      .Bind(SideInt(first.side))
      .Bind(first.object)
      .Bind(first.op)
      .Bind(first.run_id)
      .Bind(now_ms)
      .BindBlob(items)
      .Run();
  return sqlite3_last_insert_rowid(db_);
}

void SqliteStateStore::EndCallIntents(int64_t call_id) {
  std::lock_guard lock(mu_);
  Stmt(this, "DELETE FROM intent_calls WHERE id=?").Bind(call_id).Run();
}

// A call row left by a crash becomes one pending intent per item, so that recovery completes
// or abandons each by its key as it does an intent begun alone. An older intent with the same
// key (the same write done in an earlier run) is replaced: this one's outcome is the unknown one.
void SqliteStateStore::ExpandCallIntents() {
  std::lock_guard lock(mu_);
  std::vector<std::pair<Intent, std::string>> calls;  // the shared fields, the items
  {
    Stmt s(this, "SELECT id, side, object, op, run_id, created_ms, items FROM intent_calls");
    while (s.Step()) {
      Intent shared;
      shared.id = s.Int(0);
      shared.side = SideFrom(s.Int(1));
      shared.object = s.Text(2);
      shared.op = s.Text(3);
      shared.run_id = s.Int(4);
      shared.created_ms = s.Int(5);
      calls.emplace_back(std::move(shared), std::string(s.Blob(6)));
    }
  }
  if (calls.empty()) return;
  Transaction tx(*this);
  for (const auto& [shared, items] : calls) {
    std::string_view rest = items;
    std::string_view f[kCallItemFields];
    while (NextFields(rest, f, kCallItemFields)) {
      Stmt(this,
           "INSERT OR REPLACE INTO intents (key, side, object, op, record_id, link_id, payload, "
           "lookup_field, lookup_value, state, run_id, created_ms, bases) VALUES "
           "(?,?,?,?,?,?,?,?,?,'pending',?,?,?)")
          .Bind(std::string(f[0]))
          .Bind(SideInt(shared.side))
          .Bind(shared.object)
          .Bind(shared.op)
          .Bind(std::string(f[1]))
          .Bind(static_cast<int64_t>(std::strtoll(std::string(f[2]).c_str(), nullptr, 10)))
          .Bind(std::string(f[3]))
          .Bind(std::string(f[4]))
          .Bind(std::string(f[5]))
          .Bind(shared.run_id)
          .Bind(shared.created_ms)
          .Bind(std::string(f[6]))
          .Run();
    }
    Stmt(this, "DELETE FROM intent_calls WHERE id=?").Bind(shared.id).Run();
  }
  tx.Commit();
}

std::optional<Intent> SqliteStateStore::GetIntent(const std::string& key) {
  std::lock_guard lock(mu_);
  Stmt s(this, (std::string("SELECT ") + kIntentCols + " FROM intents WHERE key=?").c_str());
  s.Bind(key);
  if (!s.Step()) return std::nullopt;
  return ReadIntent(s);
}

std::vector<Intent> SqliteStateStore::PendingIntents() {
  std::lock_guard lock(mu_);
  ExpandCallIntents();
  Stmt s(this,
         (std::string("SELECT ") + kIntentCols + " FROM intents WHERE state='pending' ORDER BY id")
             .c_str());
  std::vector<Intent> out;
  while (s.Step()) out.push_back(ReadIntent(s));
  return out;
}

int64_t SqliteStateStore::PruneIntents(int64_t before_ms) {
  std::lock_guard lock(mu_);
  Stmt(this, "DELETE FROM intents WHERE state != 'pending' AND completed_ms < ?")
      .Bind(before_ms)
      .Run();
  return sqlite3_changes(db_);
}

// ---- sync errors

namespace {
constexpr const char* kErrorCols =
    "id, side, object, record_id, category, code, message, attempts, first_ms, last_ms, "
    "next_retry_ms, resolved";
}

std::vector<SyncError> SqliteStateStore::SelectErrors(const char* where, int64_t now_ms) {
  std::lock_guard lock(mu_);
  std::string sql = std::string("SELECT ") + kErrorCols + " FROM sync_errors WHERE " + where +
                    " ORDER BY next_retry_ms, id";
  Stmt s(this, sql.c_str());
  if (std::string(where).find('?') != std::string::npos) s.Bind(now_ms);
  std::vector<SyncError> out;
  while (s.Step()) {
    SyncError e;
    e.id = s.Int(0);
    e.side = SideFrom(s.Int(1));
    e.object = s.Text(2);
    e.record_id = s.Text(3);
    e.category = s.Text(4);
    e.code = s.Text(5);
    e.message = s.Text(6);
    e.attempts = static_cast<int>(s.Int(7));
    e.first_ms = s.Int(8);
    e.last_ms = s.Int(9);
    e.next_retry_ms = s.Int(10);
    e.resolved = s.Int(11) != 0;
    out.push_back(std::move(e));
  }
  return out;
}

SyncError SqliteStateStore::RecordError(const SyncError& error, int64_t now_ms,
                                        int64_t retry_interval_ms) {
  std::lock_guard lock(mu_);
  Stmt(this,
       "INSERT INTO sync_errors (side, object, record_id, category, code, message, attempts, "
       "first_ms, last_ms, next_retry_ms) VALUES (?,?,?,?,?,?,1,?,?,?) "
       "ON CONFLICT(side, object, record_id) WHERE resolved = 0 DO UPDATE SET "
       "category=excluded.category, code=excluded.code, message=excluded.message, "
       "attempts=attempts+1, last_ms=excluded.last_ms, next_retry_ms=excluded.next_retry_ms")
      .Bind(SideInt(error.side))
      .Bind(error.object)
      .Bind(error.record_id)
      .Bind(error.category)
      .Bind(error.code)
      .Bind(error.message)
      .Bind(now_ms)
      .Bind(now_ms)
      .Bind(now_ms + retry_interval_ms)
      .Run();
  Stmt s(this, (std::string("SELECT ") + kErrorCols +
                " FROM sync_errors WHERE side=? AND object=? AND record_id=? AND resolved=0")
                   .c_str());
  s.Bind(SideInt(error.side)).Bind(error.object).Bind(error.record_id);
  SyncError out = error;
  if (s.Step()) {
    out.id = s.Int(0);
    out.attempts = static_cast<int>(s.Int(7));
    out.first_ms = s.Int(8);
    out.last_ms = s.Int(9);
    out.next_retry_ms = s.Int(10);
  }
  return out;
}

void SqliteStateStore::ResolveError(Side side, const std::string& object,
                                    const std::string& record_id, int64_t now_ms) {
  std::lock_guard lock(mu_);
  Stmt(this,
       "UPDATE sync_errors SET resolved=1, last_ms=? WHERE side=? AND object=? AND record_id=? AND "
       "resolved=0")
      .Bind(now_ms)
      .Bind(SideInt(side))
      .Bind(object)
      .Bind(record_id)
      .Run();
}

std::vector<SyncError> SqliteStateStore::DueErrors(int64_t now_ms) {
  return SelectErrors("resolved = 0 AND next_retry_ms <= ?", now_ms);
}

std::vector<SyncError> SqliteStateStore::OpenErrors() {
  return SelectErrors("resolved = 0", 0);
}

// ---- runs

int64_t SqliteStateStore::BeginRun(int64_t now_ms) {
  std::lock_guard lock(mu_);
  Stmt(this, "INSERT INTO runs (started_ms, status) VALUES (?, 'running')").Bind(now_ms).Run();
  return sqlite3_last_insert_rowid(db_);
}

void SqliteStateStore::EndRun(const Run& run) {
  std::lock_guard lock(mu_);
  Stmt(this,
       "UPDATE runs SET ended_ms=?, status=?, counts=?, hubspot_calls=?, salesforce_calls=? "
       "WHERE id=?")
      .Bind(run.ended_ms)
      .Bind(run.status)
      .Bind(run.counts.empty() ? std::string("{}") : run.counts)
      .Bind(run.hubspot_calls)
      .Bind(run.salesforce_calls)
      .Bind(run.id)
      .Run();
}

std::map<std::string, std::string> SqliteStateStore::TriggerValues(const std::string& workflow,
                                                                   const std::string& trigger) {
  std::lock_guard lock(mu_);
  Stmt s(this, "SELECT hubspot_id, value FROM workflow_seen WHERE workflow = ? AND trigger = ?");
  s.Bind(workflow).Bind(trigger);
  std::map<std::string, std::string> out;
  while (s.Step()) out.emplace(s.Text(0), s.Text(1));
  return out;
}

std::optional<std::string> SqliteStateStore::TriggerValue(const std::string& workflow,
                                                          const std::string& trigger,
                                                          const std::string& hubspot_id) {
  std::lock_guard lock(mu_);
  Stmt s(this,
         "SELECT value FROM workflow_seen WHERE workflow = ? AND trigger = ? AND hubspot_id = ?");
  s.Bind(workflow).Bind(trigger).Bind(hubspot_id);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

void SqliteStateStore::SetTriggerValue(const std::string& workflow, const std::string& trigger,
                                       const std::string& hubspot_id,
                                       const std::optional<std::string>& value) {
  std::lock_guard lock(mu_);
  if (!value) {
    Stmt s(this, "DELETE FROM workflow_seen WHERE workflow = ? AND trigger = ? AND hubspot_id = ?");
    s.Bind(workflow).Bind(trigger).Bind(hubspot_id).Run();
    return;
  }
  Stmt s(this,
         "INSERT INTO workflow_seen (workflow, trigger, hubspot_id, value) VALUES (?, ?, ?, ?) "
         "ON CONFLICT (workflow, trigger, hubspot_id) DO UPDATE SET value = excluded.value");
  s.Bind(workflow).Bind(trigger).Bind(hubspot_id).Bind(*value).Run();
}

int64_t SqliteStateStore::AddEnrollment(const Enrollment& e) {
  std::lock_guard lock(mu_);
  Stmt s(this,
         "INSERT INTO workflow_enrollments (workflow, hubspot_id, trigger, payload, next_action, "
         "state, attempts, message, enrolled_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
         "?)");
  s.Bind(e.workflow)
      .Bind(e.hubspot_id)
      .Bind(e.trigger)
      .Bind(e.payload)
      .Bind(e.next_action)
      .Bind(std::string(EnrollmentStateName(e.state)))
      .Bind(e.attempts)
      .Bind(e.message)
      .Bind(e.enrolled_ms)
      .Bind(e.updated_ms)
      .Run();
  return sqlite3_last_insert_rowid(db_);
}

void SqliteStateStore::UpdateEnrollment(const Enrollment& e) {
  std::lock_guard lock(mu_);
  Stmt s(this,
         "UPDATE workflow_enrollments SET payload = ?, next_action = ?, state = ?, attempts = ?, "
         "message = ?, updated_ms = ? WHERE id = ?");
  s.Bind(e.payload)
      .Bind(e.next_action)
      .Bind(std::string(EnrollmentStateName(e.state)))
      .Bind(e.attempts)
      .Bind(e.message)
      .Bind(e.updated_ms)
      .Bind(e.id)
      .Run();
}

namespace {
constexpr const char* kEnrollmentColumns =
    "SELECT id, workflow, hubspot_id, trigger, payload, next_action, state, attempts, message, "
    "enrolled_ms, updated_ms FROM workflow_enrollments ";
}  // namespace

template <typename S>
static Enrollment ReadEnrollment(S& s) {
  Enrollment e;
  e.id = s.Int(0);
  e.workflow = s.Text(1);
  e.hubspot_id = s.Text(2);
  e.trigger = s.Text(3);
  e.payload = s.Text(4);
  e.next_action = static_cast<int>(s.Int(5));
  e.state = EnrollmentStateFrom(s.Text(6));
  e.attempts = static_cast<int>(s.Int(7));
  e.message = s.Text(8);
  e.enrolled_ms = s.Int(9);
  e.updated_ms = s.Int(10);
  return e;
}

std::vector<Enrollment> SqliteStateStore::OpenEnrollments(const std::string& workflow) {
  std::lock_guard lock(mu_);
  Stmt s(this,
         std::string(kEnrollmentColumns) + "WHERE workflow = ? AND state = 'open' ORDER BY id");
  s.Bind(workflow);
  std::vector<Enrollment> out;
  while (s.Step()) out.push_back(ReadEnrollment(s));
  return out;
}

std::vector<Enrollment> SqliteStateStore::Enrollments(const std::string& workflow, int limit) {
  std::lock_guard lock(mu_);
  Stmt s(this, std::string(kEnrollmentColumns) + "WHERE workflow = ? ORDER BY id DESC LIMIT ?");
  s.Bind(workflow).Bind(limit);
  std::vector<Enrollment> out;
  while (s.Step()) out.push_back(ReadEnrollment(s));
  return out;
}

std::vector<Run> SqliteStateStore::Runs(int limit) {
  std::lock_guard lock(mu_);
  Stmt s(this,
         "SELECT id, started_ms, ended_ms, status, counts, hubspot_calls, salesforce_calls FROM "
         "runs ORDER BY id DESC LIMIT ?");
  s.Bind(limit);
  std::vector<Run> out;
  while (s.Step()) {
    Run r;
    r.id = s.Int(0);
    r.started_ms = s.Int(1);
    r.ended_ms = s.Int(2);
    r.status = s.Text(3);
    r.counts = s.Text(4);
    r.hubspot_calls = s.Int(5);
    r.salesforce_calls = s.Int(6);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace syncline::state
