// SQLite storage shared by both sandboxes: records (one JSON document of field values per row,
// plus the timestamps and deletion state the APIs expose), a lookup index for unique and
// external-id fields, persisted counters and settings. A path gives a sandbox that survives a
// restart; ":memory:" gives a throwaway one. Not thread-safe: the owning sandbox serialises.
#pragma once

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace syncline::sandbox {

struct StoredRecord {
  std::string object;
  std::string id;
  int64_t seq = 0;  // insertion order; HubSpot ids are this number
  int64_t created_ms = 0;
  int64_t updated_ms = 0;   // LastModifiedDate / updatedAt
  int64_t modstamp_ms = 0;  // SystemModstamp (>= updated_ms)
  bool deleted = false;
  int64_t deleted_ms = 0;
  nlohmann::json data = nlohmann::json::object();
};

// A prepared statement with positional binding, reset on destruction.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& BindNull(int index);
  bool Step();  // true while a row is available
  void Run();   // steps to completion
  int64_t Int(int col) const;
  std::string Text(int col) const;
  bool IsNull(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// A conjunction of inclusive bounds on the record columns, answered from SQLite indexes
// (records_seq and the time indexes asked for at Open) without reading the other records.
struct RecordRange {
  std::optional<bool> deleted;  // nullopt: both
  int64_t seq_lo = INT64_MIN, seq_hi = INT64_MAX;
  int64_t created_lo = INT64_MIN, created_hi = INT64_MAX;
  int64_t updated_lo = INT64_MIN, updated_hi = INT64_MAX;
  int64_t modstamp_lo = INT64_MIN, modstamp_hi = INT64_MAX;
  int64_t deleted_ms_lo = INT64_MIN, deleted_ms_hi = INT64_MAX;
  bool Empty() const;  // some lower bound is above its upper bound
};
enum class RecordColumn { kSeq, kCreated, kUpdated, kModstamp };
struct RecordOrder {
  RecordColumn column = RecordColumn::kSeq;
  bool descending = false;
};

class Store {
 public:
  // Opens (creating if needed) the database. Returns null and sets `error` on failure.
  // `time_indexes`: the timestamp columns (kCreated, kUpdated, kModstamp) to keep an index
  // on, (obj, deleted, column, seq), for the range reads below; each costs every write an
  // index entry, so a sandbox asks only for those its change feeds read.
  static std::unique_ptr<Store> Open(const std::string& path, std::string* error,
                                     const std::vector<RecordColumn>& time_indexes = {});
  ~Store();

  void Begin();
  void Commit();
  void Rollback();

  Statement Prepare(const std::string& sql);  // cached per SQL text
  // The same for a string literal: found by its address first (checked against the text),
  // so the hot statements cost no string building or text comparison per call.
  Statement Prepare(const char* sql);
  void Exec(const std::string& sql);
  int64_t Changes() const;  // rows changed by the last statement

  std::optional<StoredRecord> Get(std::string_view object, std::string_view id);
  // Whether the record is stored and not deleted, without reading (parsing) its data.
  bool IsLive(std::string_view object, std::string_view id);
  // Inserts or replaces; rewrites the lookup rows of the `indexed` fields (values lower-cased).
  // `reindex` false: the caller knows no indexed value changed (an update that does not touch
  // them), so the lookup rows stay as they are.
  // `exists`: the record is known to be stored already, so its row is updated in place
  // (cheaper than a replace, which deletes and reinserts the row and its seq index entry).
  void Put(const StoredRecord& record, const std::vector<std::string>& indexed, bool reindex = true,
           bool exists = false);
  void Erase(std::string_view object, std::string_view id);
  // Records with seq > after_seq in seq order. deleted: nullopt = both.
  std::vector<StoredRecord> Scan(std::string_view object, std::optional<bool> deleted,
                                 int64_t after_seq, int limit);
  void ForEach(std::string_view object, std::optional<bool> deleted,
               const std::function<void(StoredRecord&&)>& fn);
  int64_t Count(std::string_view object, std::optional<bool> deleted);
  // Records in `range`: how many, and the ids in `order` (then ascending seq) after skipping
  // `offset`, at most `limit` of them (< 0: all). Index-only: no record is parsed.
  int64_t CountRange(std::string_view object, const RecordRange& range);
  std::vector<std::string> IdsInRange(std::string_view object, const RecordRange& range,
                                      const std::vector<RecordOrder>& order, int64_t offset = 0,
                                      int64_t limit = -1);
  // The same, returning the records (in ascending seq unless ordered otherwise).
  std::vector<StoredRecord> RecordsInRange(std::string_view object, const RecordRange& range,
                                           const std::vector<RecordOrder>& order = {},
                                           int64_t offset = 0, int64_t limit = -1);
  // Ids whose indexed field equals `value` (case-insensitive), live records only unless asked.
  std::vector<std::string> FindByIndex(std::string_view object, std::string_view field,
                                       std::string_view value, bool include_deleted = false);
  // The same lookup returning the records themselves (one query instead of FindByIndex + Get).
  std::vector<StoredRecord> FindRecordsByIndex(std::string_view object, std::string_view field,
                                               std::string_view value,
                                               bool include_deleted = false);

  std::optional<std::string> GetSetting(std::string_view key);
  void SetSetting(std::string_view key, std::string_view value);
  // Counters are cached in memory; inside a transaction the new value is written once, at
  // Commit() (a Rollback() forgets it), so a batch of inserts costs no statement per id.
  int64_t NextCounter(std::string_view name, int64_t first = 1);
  // Drops every record, index row and setting (keeps the schema).
  void Clear();

 private:
  // The live records' (updated_ms, seq) per object, in an order-statistics tree, when the store
  // keeps the updated_ms index (the HubSpot sandbox). HubSpot's search answers an exact `total`
  // on every page; counting the rest of a time range in SQLite cost each page of a change feed
  // O(records), and reading N records through it O(N^2): 6 % of a 100,000-contact demo's CPU.
  // Kept in step by Put and Erase; rebuilt from the table after a Rollback or on first use.
  using RankTree = __gnu_pbds::tree<std::pair<int64_t, int64_t>, __gnu_pbds::null_type,
                                    std::less<std::pair<int64_t, int64_t>>, __gnu_pbds::rb_tree_tag,
                                    __gnu_pbds::tree_order_statistics_node_update>;
  struct UpdatedRank {
    RankTree keys;
    std::unordered_map<std::string, std::pair<int64_t, int64_t>> of_id;  // live records only
  };
  // The fast count, or nullopt when the range is not a time range of live records alone.
  std::optional<int64_t> CountUpdated(std::string_view object, const RecordRange& range);
  void RankPut(const StoredRecord& r);
  void RankErase(std::string_view object, const std::string& id);
  bool rank_updated_ = false;  // the store keeps the updated_ms index
  bool ranks_valid_ = false;   // `ranks_` mirrors the table
  std::map<std::string, UpdatedRank, std::less<>> ranks_;

  explicit Store(sqlite3* db) : db_(db) {}
  static StoredRecord Row(const Statement& st);
  // "FROM records WHERE ..." for `range` (with an ORDER BY for `order`) and the values to bind
  // after the object name.
  static std::string RangeSql(const RecordRange& range, const std::vector<RecordOrder>* order,
                              std::vector<int64_t>* binds);
  void ForgetCounters();
  sqlite3* db_;
  sqlite3_stmt* Cached(const std::string& sql);
  std::map<std::string, sqlite3_stmt*> cache_;
  std::unordered_map<const char*, sqlite3_stmt*> by_address_;
  std::map<std::string, int64_t, std::less<>> counters_;  // settings key -> last value
  std::map<std::string, int64_t, std::less<>> dirty_counters_;
  bool in_transaction_ = false;
};

std::string Lower(std::string_view s);

}  // namespace syncline::sandbox
