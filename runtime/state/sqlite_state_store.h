// The embedded StateStore: one SQLite file in WAL mode (readers never block the writer, a crash
// loses at most the transaction in flight), versioned schema migrations applied on open.
// One instance per process; calls are serialised by an internal mutex.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "state/state_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace syncline::state {

class SqliteStateStore final : public StateStore {
 public:
  // Opens (creating when missing) and migrates. ":memory:" works for tests. Throws StateError.
  explicit SqliteStateStore(const std::string& path);
  ~SqliteStateStore() override;
  SqliteStateStore(const SqliteStateStore&) = delete;
  SqliteStateStore& operator=(const SqliteStateStore&) = delete;

  // The schema version this build writes; a file from a newer build is refused.
  static constexpr int kSchemaVersion = 4;
  int schema_version();
  std::string journal_mode();  // "wal" for files

  void Begin() override;
  void Commit() override;
  void Rollback() override;

  int64_t PutLink(const Link& link) override;
  void TouchLink(int64_t id, int64_t now_ms) override;
  std::optional<Link> GetLink(int64_t id) override;
  std::optional<Link> FindLink(Side side, const std::string& object,
                               const std::string& id) override;
  std::unordered_map<std::string, Link> FindLinks(Side side, const std::string& object,
                                                  const std::vector<std::string>& ids) override;
  void DeleteLink(int64_t id) override;
  std::vector<Link> Links(const std::string& hubspot_object = "") override;

  void SetBase(int64_t link_id, Side side, const BaseValues& values, int64_t now_ms) override;
  BaseValues GetBase(int64_t link_id, Side side) override;
  void ClearBase(int64_t link_id, Side side, const std::vector<std::string>& fields) override;

  std::optional<std::string> GetWatermark(Side side, const std::string& object,
                                          const std::string& kind = "changes") override;
  void SetWatermark(Side side, const std::string& object, const std::string& kind,
                    const std::string& value, int64_t now_ms) override;

  Intent BeginIntent(const Intent& intent, int64_t now_ms) override;
  void CompleteIntent(const std::string& key, const std::string& result_id,
                      int64_t now_ms) override;
  void FailIntent(const std::string& key, const std::string& message, int64_t now_ms) override;
  void AbandonIntent(const std::string& key, const std::string& message, int64_t now_ms) override;
  int64_t BeginCallIntents(const std::vector<Intent>& intents, int64_t now_ms) override;
  void EndCallIntents(int64_t call_id) override;
  std::optional<Intent> GetIntent(const std::string& key) override;
  std::vector<Intent> PendingIntents() override;
  int64_t PruneIntents(int64_t before_ms) override;

  SyncError RecordError(const SyncError& error, int64_t now_ms,
                        int64_t retry_interval_ms = 30 * 60'000) override;
  void ResolveError(Side side, const std::string& object, const std::string& record_id,
                    int64_t now_ms) override;
  std::vector<SyncError> DueErrors(int64_t now_ms) override;
  std::vector<SyncError> OpenErrors() override;

  std::map<std::string, std::string> TriggerValues(const std::string& workflow,
                                                   const std::string& trigger) override;
  std::optional<std::string> TriggerValue(const std::string& workflow, const std::string& trigger,
                                          const std::string& hubspot_id) override;
  void SetTriggerValue(const std::string& workflow, const std::string& trigger,
                       const std::string& hubspot_id,
                       const std::optional<std::string>& value) override;
  int64_t AddEnrollment(const Enrollment& enrollment) override;
  void UpdateEnrollment(const Enrollment& enrollment) override;
  std::vector<Enrollment> OpenEnrollments(const std::string& workflow) override;
  std::vector<Enrollment> Enrollments(const std::string& workflow, int limit = 100) override;

  int64_t BeginRun(int64_t now_ms) override;
  void EndRun(const Run& run) override;
  std::vector<Run> Runs(int limit = 20) override;

 private:
  class Stmt;
  struct CachedStmt {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  void FinalizeStatements();
  std::unordered_map<std::string, CachedStmt> stmts_;  // prepared once per SQL text
  void Exec(const char* sql);
  void Migrate();
  void MigrateBaseRows();
  void ExpandCallIntents();
  void SetIntentState(const std::string& key, IntentState state, const std::string& result_id,
                      const std::string& message, int64_t now_ms);
  std::vector<SyncError> SelectErrors(const char* where, int64_t now_ms);

  sqlite3* db_ = nullptr;
  std::recursive_mutex mu_;
  int depth_ = 0;
};

}  // namespace syncline::state
