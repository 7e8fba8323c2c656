#include "sandbox/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

namespace syncline::sandbox {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
}

void Statement::Run() {
  while (Step()) {
  }
}

int64_t Statement::Int(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

std::string Statement::Text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

bool Statement::IsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::unique_ptr<Store> Store::Open(const std::string& path, std::string* error,
                                   const std::vector<RecordColumn>& time_indexes) {
  sqlite3* db = nullptr;
  // SQLite's memory statistics take a process-wide mutex around every allocation, which the
  // stores of one process (both sandboxes, the runtime's state) would contend for; nothing
  // reads them. Effective only before SQLite's first use, refused harmlessly after it.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    if (error) *error = db ? sqlite3_errmsg(db) : "cannot open database";
    sqlite3_close(db);
    return nullptr;
  }
  std::unique_ptr<Store> store(new Store(db));
  try {
    store->Exec("PRAGMA journal_mode=WAL");
    store->Exec("PRAGMA synchronous=NORMAL");
    store->Exec(
        "CREATE TABLE IF NOT EXISTS records(obj TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER "
        "NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, modstamp_ms INTEGER "
        "NOT NULL, deleted INTEGER NOT NULL, deleted_ms INTEGER NOT NULL, data TEXT NOT NULL, "
        "PRIMARY KEY(obj, id)) WITHOUT ROWID");
    store->Exec("CREATE INDEX IF NOT EXISTS records_seq ON records(obj, deleted, seq)");
    // Change feeds (HubSpot search on lastmodifieddate, SOQL on SystemModstamp, replication)
    // read a time range in time order from these instead of every record.
    for (RecordColumn c : time_indexes) {
      const char* column = c == RecordColumn::kCreated    ? "created_ms"
                           : c == RecordColumn::kUpdated  ? "updated_ms"
                           : c == RecordColumn::kModstamp ? "modstamp_ms"
                                                          : nullptr;
      if (!column) continue;
      store->Exec(std::string("CREATE INDEX IF NOT EXISTS records_") + column +
                  " ON records(obj, deleted, " + column + ", seq)");
      if (c == RecordColumn::kUpdated) store->rank_updated_ = true;
    }
    store->Exec(
        "CREATE TABLE IF NOT EXISTS lookup(obj TEXT NOT NULL, field TEXT NOT NULL, val TEXT NOT "
        "NULL, id TEXT NOT NULL, PRIMARY KEY(obj, field, val, id)) WITHOUT ROWID");
    store->Exec("CREATE INDEX IF NOT EXISTS lookup_id ON lookup(obj, id)");
    store->Exec("CREATE TABLE IF NOT EXISTS settings(k TEXT PRIMARY KEY, v TEXT NOT NULL)");
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return nullptr;
  }
  return store;
}

Store::~Store() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

sqlite3_stmt* Store::Cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
    it = cache_.emplace(sql, stmt).first;
  }
  return it->second;
}

Statement Store::Prepare(const std::string& sql) {
  return Statement(db_, Cached(sql));
}

Statement Store::Prepare(const char* sql) {
  auto it = by_address_.find(sql);
  if (it != by_address_.end() && std::strcmp(sqlite3_sql(it->second), sql) == 0)
    return Statement(db_, it->second);
  sqlite3_stmt* stmt = Cached(sql);
  by_address_[sql] = stmt;
  return Statement(db_, stmt);
}

void Store::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "sqlite error";
    sqlite3_free(err);
    throw std::runtime_error("sqlite: " + msg);
  }
}

int64_t Store::Changes() const {
  return sqlite3_changes(db_);
}

void Store::Begin() {
  Prepare("BEGIN").Run();
  in_transaction_ = true;
}
void Store::Commit() {
  for (const auto& [key, value] : dirty_counters_) SetSetting(key, std::to_string(value));
  dirty_counters_.clear();
  Prepare("COMMIT").Run();
  in_transaction_ = false;
}
void Store::Rollback() {
  in_transaction_ = false;
  ranks_valid_ = false;  // rebuilt from the table when next asked
  ForgetCounters();
  Prepare("ROLLBACK").Run();
}

void Store::ForgetCounters() {
  counters_.clear();
  dirty_counters_.clear();
}

StoredRecord Store::Row(const Statement& st) {
  StoredRecord r;
  r.object = st.Text(0);
  r.id = st.Text(1);
  r.seq = st.Int(2);
  r.created_ms = st.Int(3);
  r.updated_ms = st.Int(4);
  r.modstamp_ms = st.Int(5);
  r.deleted = st.Int(6) != 0;
  r.deleted_ms = st.Int(7);
  r.data = nlohmann::json::parse(st.Text(8), nullptr, false);
  if (!r.data.is_object()) r.data = nlohmann::json::object();
  return r;
}

#define SYNCLINE_RECORD_COLS "obj,id,seq,created_ms,updated_ms,modstamp_ms,deleted,deleted_ms,data"

std::optional<StoredRecord> Store::Get(std::string_view object, std::string_view id) {
  auto st = Prepare("SELECT " SYNCLINE_RECORD_COLS " FROM records WHERE obj=? AND id=?");
  st.Bind(1, object).Bind(2, id);
  if (!st.Step()) return std::nullopt;
  return Row(st);
}

bool Store::IsLive(std::string_view object, std::string_view id) {
  auto st = Prepare("SELECT deleted FROM records WHERE obj=? AND id=?");
  st.Bind(1, object).Bind(2, id);
  return st.Step() && st.Int(0) == 0;
}

void Store::Put(const StoredRecord& r, const std::vector<std::string>& indexed, bool reindex,
                bool exists) {
  bool updated = false;
  if (exists) {
    auto st = Prepare(
        "UPDATE records SET seq=?,created_ms=?,updated_ms=?,modstamp_ms=?,deleted=?,deleted_ms=?,"
        "data=? WHERE obj=? AND id=?");
    st.Bind(1, r.seq).Bind(2, r.created_ms).Bind(3, r.updated_ms).Bind(4, r.modstamp_ms);
    st.Bind(5, int64_t{r.deleted}).Bind(6, r.deleted_ms).Bind(7, r.data.dump());
    st.Bind(8, r.object).Bind(9, r.id);
    st.Run();
    updated = Changes() > 0;
  }
  if (!updated) {
    auto st = Prepare("INSERT OR REPLACE INTO records(" SYNCLINE_RECORD_COLS
                      ") VALUES(?,?,?,?,?,?,?,?,?)");
    st.Bind(1, r.object).Bind(2, r.id).Bind(3, r.seq).Bind(4, r.created_ms).Bind(5, r.updated_ms);
    st.Bind(6, r.modstamp_ms).Bind(7, int64_t{r.deleted}).Bind(8, r.deleted_ms);
    st.Bind(9, r.data.dump());
    st.Run();
  }
  RankPut(r);
  // The lookup rows depend on the indexed values only (deleted records keep theirs).
  if (!reindex) return;
  Prepare("DELETE FROM lookup WHERE obj=? AND id=?").Bind(1, r.object).Bind(2, r.id).Run();
  for (const auto& field : indexed) {
    auto it = r.data.find(field);
    if (it == r.data.end() || it->is_null()) continue;
    std::string value = it->is_string() ? it->get<std::string>() : it->dump();
    if (value.empty()) continue;
    auto st = Prepare("INSERT OR IGNORE INTO lookup(obj,field,val,id) VALUES(?,?,?,?)");
    st.Bind(1, r.object).Bind(2, field).Bind(3, Lower(value)).Bind(4, r.id).Run();
  }
}

void Store::Erase(std::string_view object, std::string_view id) {
  RankErase(object, std::string(id));
  Prepare("DELETE FROM records WHERE obj=? AND id=?").Bind(1, object).Bind(2, id).Run();
  Prepare("DELETE FROM lookup WHERE obj=? AND id=?").Bind(1, object).Bind(2, id).Run();
}

std::vector<StoredRecord> Store::Scan(std::string_view object, std::optional<bool> deleted,
                                      int64_t after_seq, int limit) {
  std::vector<StoredRecord> out;
  if (deleted) {
    auto st = Prepare("SELECT " SYNCLINE_RECORD_COLS
                      " FROM records WHERE obj=? AND deleted=? AND seq>? ORDER BY seq LIMIT ?");
    st.Bind(1, object).Bind(2, int64_t{*deleted}).Bind(3, after_seq).Bind(4, int64_t{limit});
    while (st.Step()) out.push_back(Row(st));
  } else {
    auto st = Prepare("SELECT " SYNCLINE_RECORD_COLS
                      " FROM records WHERE obj=? AND seq>? ORDER BY seq LIMIT ?");
    st.Bind(1, object).Bind(2, after_seq).Bind(3, int64_t{limit});
    while (st.Step()) out.push_back(Row(st));
  }
  return out;
}

void Store::ForEach(std::string_view object, std::optional<bool> deleted,
                    const std::function<void(StoredRecord&&)>& fn) {
  // Collect first: callbacks may write to the store.
  std::vector<StoredRecord> all;
  int64_t after = -1;
  for (;;) {
    auto page = Scan(object, deleted, after, 5000);
    if (page.empty()) break;
    after = page.back().seq;
    for (auto& r : page) all.push_back(std::move(r));
  }
  for (auto& r : all) fn(std::move(r));
}

int64_t Store::Count(std::string_view object, std::optional<bool> deleted) {
  if (deleted) {
    auto st = Prepare("SELECT COUNT(*) FROM records WHERE obj=? AND deleted=?");
    st.Bind(1, object).Bind(2, int64_t{*deleted});
    st.Step();
    return st.Int(0);
  }
  auto st = Prepare("SELECT COUNT(*) FROM records WHERE obj=?");
  st.Bind(1, object);
  st.Step();
  return st.Int(0);
}

bool RecordRange::Empty() const {
  return seq_lo > seq_hi || created_lo > created_hi || updated_lo > updated_hi ||
         modstamp_lo > modstamp_hi || deleted_ms_lo > deleted_ms_hi;
}

std::string Store::RangeSql(const RecordRange& range, const std::vector<RecordOrder>* order,
                            std::vector<int64_t>* binds) {
  std::string sql = " FROM records WHERE obj=?";
  if (range.deleted) {
    sql += " AND deleted=?";
    binds->push_back(*range.deleted ? 1 : 0);
  } else {
    sql += " AND deleted IN (0,1)";  // lets the (obj, deleted, ...) indexes serve
  }
  auto bound = [&](const char* column, int64_t lo, int64_t hi) {
    if (lo != INT64_MIN) {
      sql += std::string(" AND ") + column + ">=?";
      binds->push_back(lo);
    }
    if (hi != INT64_MAX) {
      sql += std::string(" AND ") + column + "<=?";
      binds->push_back(hi);
    }
  };
  bound("seq", range.seq_lo, range.seq_hi);
  bound("created_ms", range.created_lo, range.created_hi);
  bound("updated_ms", range.updated_lo, range.updated_hi);
  bound("modstamp_ms", range.modstamp_lo, range.modstamp_hi);
  bound("deleted_ms", range.deleted_ms_lo, range.deleted_ms_hi);
  if (order) {
    sql += " ORDER BY ";
    for (const auto& o : *order) {
      switch (o.column) {
        case RecordColumn::kSeq:
          sql += "seq";
          break;
        case RecordColumn::kCreated:
          sql += "created_ms";
          break;
        case RecordColumn::kUpdated:
          sql += "updated_ms";
          break;
        case RecordColumn::kModstamp:
          sql += "modstamp_ms";
          break;
      }
      sql += o.descending ? " DESC, " : ", ";
    }
    sql += "seq";
  }
  return sql;
}

void Store::RankErase(std::string_view object, const std::string& id) {
  if (!ranks_valid_) return;
  auto o = ranks_.find(object);
  if (o == ranks_.end()) return;
  auto it = o->second.of_id.find(id);
  if (it == o->second.of_id.end()) return;
  o->second.keys.erase(it->second);
  o->second.of_id.erase(it);
}

void Store::RankPut(const StoredRecord& r) {
  if (!ranks_valid_) return;
  RankErase(r.object, r.id);
  if (r.deleted) return;
  auto o = ranks_.find(r.object);
  if (o == ranks_.end()) o = ranks_.emplace(r.object, UpdatedRank{}).first;
  const std::pair<int64_t, int64_t> key{r.updated_ms, r.seq};
  o->second.keys.insert(key);
  o->second.of_id[r.id] = key;
}

std::optional<int64_t> Store::CountUpdated(std::string_view object, const RecordRange& range) {
  if (!rank_updated_ || range.deleted != std::optional<bool>(false)) return std::nullopt;
  if (range.seq_lo != INT64_MIN || range.seq_hi != INT64_MAX || range.created_lo != INT64_MIN ||
      range.created_hi != INT64_MAX || range.modstamp_lo != INT64_MIN ||
      range.modstamp_hi != INT64_MAX || range.deleted_ms_lo != INT64_MIN ||
      range.deleted_ms_hi != INT64_MAX)
    return std::nullopt;
  if (!ranks_valid_) {
    ranks_.clear();
    auto st = Prepare("SELECT obj, id, updated_ms, seq FROM records WHERE deleted=0");
    while (st.Step()) {
      UpdatedRank& rank = ranks_[st.Text(0)];
      const std::pair<int64_t, int64_t> key{st.Int(2), st.Int(3)};
      rank.keys.insert(key);
      rank.of_id[st.Text(1)] = key;
    }
    ranks_valid_ = true;
  }
  auto o = ranks_.find(object);
  if (o == ranks_.end()) return 0;
  const RankTree& keys = o->second.keys;
  // order_of_key: how many keys are below; seq never reaches the sentinels.
  const int64_t below_hi =
      range.updated_hi == INT64_MAX
          ? static_cast<int64_t>(keys.size())
          : static_cast<int64_t>(keys.order_of_key({range.updated_hi, INT64_MAX}));
  const int64_t below_lo = static_cast<int64_t>(keys.order_of_key({range.updated_lo, INT64_MIN}));
  return below_hi - below_lo;
}

int64_t Store::CountRange(std::string_view object, const RecordRange& range) {
  if (range.Empty()) return 0;
  if (auto n = CountUpdated(object, range)) return *n;
  std::vector<int64_t> binds;
  std::string sql = "SELECT COUNT(*)" + RangeSql(range, nullptr, &binds);
  auto st = Prepare(sql);
  st.Bind(1, object);
  for (size_t i = 0; i < binds.size(); ++i) st.Bind(static_cast<int>(i) + 2, binds[i]);
  st.Step();
  return st.Int(0);
}

std::vector<std::string> Store::IdsInRange(std::string_view object, const RecordRange& range,
                                           const std::vector<RecordOrder>& order, int64_t offset,
                                           int64_t limit) {
  std::vector<std::string> out;
  if (range.Empty() || limit == 0) return out;
  std::vector<int64_t> binds;
  std::string sql = "SELECT id" + RangeSql(range, &order, &binds) + " LIMIT ? OFFSET ?";
  auto st = Prepare(sql);
  st.Bind(1, object);
  int i = 2;
  for (int64_t b : binds) st.Bind(i++, b);
  st.Bind(i, limit < 0 ? int64_t{-1} : limit);
  st.Bind(i + 1, std::max<int64_t>(offset, 0));
  while (st.Step()) out.push_back(st.Text(0));
  return out;
}

std::vector<StoredRecord> Store::RecordsInRange(std::string_view object, const RecordRange& range,
                                                const std::vector<RecordOrder>& order,
                                                int64_t offset, int64_t limit) {
  std::vector<StoredRecord> out;
  if (range.Empty() || limit == 0) return out;
  std::vector<int64_t> binds;
  std::string sql =
      "SELECT " SYNCLINE_RECORD_COLS + RangeSql(range, &order, &binds) + " LIMIT ? OFFSET ?";
  auto st = Prepare(sql);
  st.Bind(1, object);
  int i = 2;
  for (int64_t b : binds) st.Bind(i++, b);
  st.Bind(i, limit < 0 ? int64_t{-1} : limit);
  st.Bind(i + 1, std::max<int64_t>(offset, 0));
  while (st.Step()) out.push_back(Row(st));
  return out;
}

std::vector<std::string> Store::FindByIndex(std::string_view object, std::string_view field,
                                            std::string_view value, bool include_deleted) {
  // Sorted here rather than with ORDER BY: the match is nearly always one row, and SQLite
  // would build a temporary b-tree for every lookup.
  std::vector<std::pair<int64_t, std::string>> rows;
  auto st = Prepare(
      "SELECT r.seq, l.id FROM lookup l JOIN records r ON r.obj=l.obj AND r.id=l.id WHERE "
      "l.obj=? AND l.field=? AND l.val=? AND (?=1 OR r.deleted=0)");
  st.Bind(1, object).Bind(2, field).Bind(3, Lower(value)).Bind(4, int64_t{include_deleted});
  while (st.Step()) rows.emplace_back(st.Int(0), st.Text(1));
  std::sort(rows.begin(), rows.end());
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (auto& [seq, id] : rows) out.push_back(std::move(id));
  return out;
}

std::vector<StoredRecord> Store::FindRecordsByIndex(std::string_view object, std::string_view field,
                                                    std::string_view value, bool include_deleted) {
  std::vector<StoredRecord> out;
  auto st = Prepare(
      "SELECT r.obj,r.id,r.seq,r.created_ms,r.updated_ms,r.modstamp_ms,r.deleted,r.deleted_ms,"
      "r.data FROM lookup l JOIN records r ON r.obj=l.obj AND r.id=l.id WHERE l.obj=? AND "
      "l.field=? AND l.val=? AND (?=1 OR r.deleted=0)");
  st.Bind(1, object).Bind(2, field).Bind(3, Lower(value)).Bind(4, int64_t{include_deleted});
  while (st.Step()) out.push_back(Row(st));
  std::sort(out.begin(), out.end(),
            [](const StoredRecord& a, const StoredRecord& b) { return a.seq < b.seq; });
  return out;
}

std::optional<std::string> Store::GetSetting(std::string_view key) {
  auto st = Prepare("SELECT v FROM settings WHERE k=?");
  st.Bind(1, key);
  if (!st.Step()) return std::nullopt;
  return st.Text(0);
}

void Store::SetSetting(std::string_view key, std::string_view value) {
  Prepare("INSERT OR REPLACE INTO settings(k,v) VALUES(?,?)").Bind(1, key).Bind(2, value).Run();
}

int64_t Store::NextCounter(std::string_view name, int64_t first) {
  std::string key = "counter:" + std::string(name);
  auto cached = counters_.find(key);
  if (cached == counters_.end()) {
    auto current = GetSetting(key);
    cached = counters_.emplace(key, current ? std::stoll(*current) : first - 1).first;
  }
  int64_t next = ++cached->second;
  if (in_transaction_) {
    dirty_counters_[key] = next;
  } else {
    SetSetting(key, std::to_string(next));
  }
  return next;
}

void Store::Clear() {
  ForgetCounters();
  ranks_.clear();
  ranks_valid_ = rank_updated_;  // nothing is stored (a store without the tree keeps none)
  Exec("DELETE FROM records; DELETE FROM lookup; DELETE FROM settings;");
}

}  // namespace syncline::sandbox
