// Durable sync state (issue 6 item 2): record links between the CRMs, the last-synced value of
// every mapped field per link (the base of two-way merges and echo suppression), watermarks per
// object and side, the journal of intended writes (crash recovery without duplicates or lost
// updates), sync errors with their retry schedule (R142, R150) and run history. StateStore is
// the interface the engine uses; SqliteStateStore (sqlite_state_store.h) the embedded default.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace syncline::state {

enum class Side : uint8_t { kHubSpot, kSalesforce };
std::string_view SideName(Side side);  // "hubspot" / "salesforce"

// A storage failure (disk full, corrupt file, schema from a newer version). The engine stops
// the run; nothing half-written is committed.
class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Link {
  int64_t id = 0;  // assigned by the store
  std::string hubspot_object, hubspot_id;
  std::string salesforce_object, salesforce_id;
  int64_t created_ms = 0, updated_ms = 0;
};

// field -> JSON text of the value last written to / read from both sides in agreement.
using BaseValues = std::map<std::string, std::string>;

enum class IntentState : uint8_t { kPending, kDone, kFailed, kAbandoned };
std::string_view IntentStateName(IntentState state);

// One intended write, recorded before the API call (see docs/runtime.md, "journal protocol").
struct Intent {
  int64_t id = 0;
  std::string key;  // idempotency key: deterministic for the same write of the same data
  Side side = Side::kHubSpot;
  std::string object;
  std::string op;         // "create", "update", "upsert", "delete", "associate"
  std::string record_id;  // the target record (empty for a create)
  int64_t link_id = 0;    // the link this write serves (0: none yet)
  std::string payload;    // JSON of the fields written
  // A unique field whose value identifies the record created (email, external id): read back
  // by it after a crash.
  std::string lookup_field, lookup_value;
  // An update of a linked pair: the base values it settles once applied, as JSON
  // {"hubspot": {field: value}, "salesforce": {...}} (the fields it writes and their
  // counterparts on the other side), so that recovery stores what the run would have; "" none.
  std::string bases;
  IntentState state = IntentState::kPending;
  std::string result_id;  // the id the write produced or touched
  std::string message;    // why it failed or was abandoned
  int64_t run_id = 0;
  int64_t created_ms = 0, completed_ms = 0;
};

struct SyncError {
  int64_t id = 0;
  Side side = Side::kHubSpot;     // the side the failing write went to
  std::string object, record_id;  // record_id: the source record whose sync failed
  std::string category;           // connectors::CategoryName: "picklist", "server", ...
  std::string code, message;
  int attempts = 0;
  int64_t first_ms = 0, last_ms = 0, next_retry_ms = 0;
  bool resolved = false;
};

struct Run {
  int64_t id = 0;
  int64_t started_ms = 0, ended_ms = 0;
  std::string status;  // "running", "ok", "failed", "suspended"
  std::string counts;  // JSON object: read/created/updated/skipped/errors...
  int64_t hubspot_calls = 0, salesforce_calls = 0;
};

// One contact's enrolment in a workflow (R135-R138) and how far its actions got.
enum class EnrollmentState : uint8_t { kOpen, kDone, kFailed };
std::string_view EnrollmentStateName(EnrollmentState state);
struct Enrollment {
  int64_t id = 0;
  std::string workflow, hubspot_id;
  std::string trigger;  // the key of the trigger that enrolled it ("segment:Hot leads")
  std::string payload;  // JSON: the task's fields, evaluated at enrolment
  int next_action = 0;  // the actions before it are done
  EnrollmentState state = EnrollmentState::kOpen;
  int attempts = 0;     // runs that tried the next action and could not finish it
  std::string message;  // why it waits or failed
  int64_t enrolled_ms = 0, updated_ms = 0;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Transactions nest: only the outermost Commit writes. Every batch commit of the engine
  // (links, bases, intent completions, watermark of one page) goes in one transaction.
  virtual void Begin() = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;

  // ---- links
  // Inserts, or updates the link with this id (id != 0). Returns the id.
  virtual int64_t PutLink(const Link& link) = 0;
  // Sets a link's updated_ms only (the engine marks each pair it touches in a run): PutLink
  // rewrites every column and both unique indexes.
  virtual void TouchLink(int64_t id, int64_t now_ms) = 0;
  virtual std::optional<Link> GetLink(int64_t id) = 0;
  virtual std::optional<Link> FindLink(Side side, const std::string& object,
                                       const std::string& id) = 0;
  // The links of these records of one side, by record id (records without one are absent): a
  // page's look-ups in a few statements instead of one each. `ids` may repeat an id.
  virtual std::unordered_map<std::string, Link> FindLinks(Side side, const std::string& object,
                                                          const std::vector<std::string>& ids) = 0;
  virtual void DeleteLink(int64_t id) = 0;  // with its base values
  virtual std::vector<Link> Links(const std::string& hubspot_object = "") = 0;

  // ---- base values (per link and side)
  virtual void SetBase(int64_t link_id, Side side, const BaseValues& values, int64_t now_ms) = 0;
  virtual BaseValues GetBase(int64_t link_id, Side side) = 0;
  virtual void ClearBase(int64_t link_id, Side side, const std::vector<std::string>& fields) = 0;

  // ---- watermarks: `kind` separates feeds of one object ("changes", "deletions")
  virtual std::optional<std::string> GetWatermark(Side side, const std::string& object,
                                                  const std::string& kind = "changes") = 0;
  virtual void SetWatermark(Side side, const std::string& object, const std::string& kind,
                            const std::string& value, int64_t now_ms) = 0;

  // ---- journal
  // Records the intent (state pending). An intent with the same key that is still pending is
  // returned instead (the write was interrupted: reconcile it first); a done one is returned
  // as is (the write already happened).
  virtual Intent BeginIntent(const Intent& intent, int64_t now_ms) = 0;
  virtual void CompleteIntent(const std::string& key, const std::string& result_id,
                              int64_t now_ms) = 0;
  virtual void FailIntent(const std::string& key, const std::string& message, int64_t now_ms) = 0;
  virtual void AbandonIntent(const std::string& key, const std::string& message,
                             int64_t now_ms) = 0;
  // The intents of one batch call in one row, pending until EndCallIntents (in the transaction
  // that settles the call's answer) removes them: one statement per call instead of an insert
  // and an update per record, which were an eighth of the engine's CPU in a sync. They all
  // share the first intent's side, object, op and run. A crash leaves the row; PendingIntents
  // then returns its intents as if each had been begun alone (and from then on they are). The
  // row's state is not kept per record: a finished call leaves nothing (the journal is not
  // history; sync errors are). Returns the row's id.
  virtual int64_t BeginCallIntents(const std::vector<Intent>& intents, int64_t now_ms) = 0;
  virtual void EndCallIntents(int64_t call_id) = 0;
  virtual std::optional<Intent> GetIntent(const std::string& key) = 0;
  virtual std::vector<Intent> PendingIntents() = 0;
  // Drops finished intents older than `before_ms` (the journal is not history).
  virtual int64_t PruneIntents(int64_t before_ms) = 0;

  // ---- sync errors (one open error per side/object/record)
  // Records a failure: attempts + 1, next retry at now + retry_interval_ms (R142: 30 min).
  virtual SyncError RecordError(const SyncError& error, int64_t now_ms,
                                int64_t retry_interval_ms = 30 * 60'000) = 0;
  virtual void ResolveError(Side side, const std::string& object, const std::string& record_id,
                            int64_t now_ms) = 0;
  // Open errors whose next retry is due.
  virtual std::vector<SyncError> DueErrors(int64_t now_ms) = 0;
  virtual std::vector<SyncError> OpenErrors() = 0;

  // ---- workflows (R135-R138)
  // What a trigger saw at the last run, per HubSpot record: a property's value, "1" for a
  // segment member. Absent: blank, or not a member.
  virtual std::map<std::string, std::string> TriggerValues(const std::string& workflow,
                                                           const std::string& trigger) = 0;
  virtual std::optional<std::string> TriggerValue(const std::string& workflow,
                                                  const std::string& trigger,
                                                  const std::string& hubspot_id) = 0;
  // nullopt removes the record's value.
  virtual void SetTriggerValue(const std::string& workflow, const std::string& trigger,
                               const std::string& hubspot_id,
                               const std::optional<std::string>& value) = 0;
  virtual int64_t AddEnrollment(const Enrollment& enrollment) = 0;  // returns the id
  virtual void UpdateEnrollment(const Enrollment& enrollment) = 0;  // by id
  // Open enrolments of a workflow, oldest first.
  virtual std::vector<Enrollment> OpenEnrollments(const std::string& workflow) = 0;
  // Every enrolment of a workflow, newest first (status, tests).
  virtual std::vector<Enrollment> Enrollments(const std::string& workflow, int limit = 100) = 0;

  // ---- runs
  virtual int64_t BeginRun(int64_t now_ms) = 0;
  virtual void EndRun(const Run& run) = 0;
  virtual std::vector<Run> Runs(int limit = 20) = 0;
};

// Commits on success, rolls back when left by an exception.
class Transaction {
 public:
  explicit Transaction(StateStore& store) : store_(store) { store_.Begin(); }
  ~Transaction() {
    if (!done_) store_.Rollback();
  }
  void Commit() {
    store_.Commit();
    done_ = true;
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  StateStore& store_;
  bool done_ = false;
};

}  // namespace syncline::state
