// The records a connector wrote while one of its change feeds was being read. A feed that
// holds values from before such a write (a read-ahead search sent before the write, or a
// Salesforce query whose locator pages were fixed when it ran) reads those records again by
// id before handing them out: the engine would take the old values for a change and undo
// its own write.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "connectors/connector.h"

namespace syncline::connectors {

class FeedWrites {
 public:
  // The writes to `object` while it lives, each with its sequence number.
  class Scope {
   public:
    Scope(FeedWrites& owner, std::string object) : owner_(owner), object_(std::move(object)) {
      owner_.scopes_.push_back(this);
    }
    ~Scope() { std::erase(owner_.scopes_, this); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

    // The sequence number of the newest write: a read sent now reflects every write up to it.
    uint64_t Sequence() const { return owner_.sequence_; }
    // Whether `id` was written after a read sent at `sequence` (it may hold older values).
    bool WrittenSince(const std::string& id, uint64_t sequence) const {
      auto it = written_.find(id);
      return it != written_.end() && it->second > sequence;
    }

   private:
    friend class FeedWrites;
    FeedWrites& owner_;
    std::string object_;
    std::unordered_map<std::string, uint64_t> written_;  // id -> sequence of its last write
  };

  // Called by the connector's Write after the calls (on the caller's thread, like the feed's
  // own checks). A create makes a record no earlier read can hold; an update or upsert changes
  // one, a failed one too, maybe (it may have been applied before the connection dropped).
  void NoteWrites(const std::string& object, WriteKind kind, const std::vector<WriteItem>& items,
                  const std::vector<WriteResult>& results) {
    if (kind == WriteKind::kCreate || scopes_.empty()) return;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].id.empty()) Note(object, items[i].id);
      if (results[i].ok && !results[i].id.empty()) Note(object, results[i].id);
    }
  }
  // Called by the connector's Delete: every id, failed ones too (maybe applied).
  void NoteDeletes(const std::string& object, const std::vector<std::string>& ids) {
    if (scopes_.empty()) return;
    for (const std::string& id : ids) Note(object, id);
  }

 private:
  void Note(const std::string& object, const std::string& id) {
    ++sequence_;
    for (Scope* s : scopes_)
      if (s->object_ == object) s->written_[id] = sequence_;
  }

  std::vector<Scope*> scopes_;
  uint64_t sequence_ = 0;
};

// Replaces the records whose ids are in `stale` by fresh copies from `read_by_ids` (a
// connector's ReadByIds for those ids), leaving out those gone (the deletion feed reports
// them); the others keep their order.
template <class ReadByIds>
Error RefreshStale(std::vector<Record>& records, const std::vector<std::string>& stale,
                   ReadByIds&& read_by_ids) {
  if (stale.empty()) return {};
  std::vector<Record> fresh;
  if (Error e = read_by_ids(stale, &fresh); !e.ok()) return e;
  std::unordered_map<std::string, Record> by_id;
  for (Record& r : fresh) by_id.emplace(r.id, std::move(r));
  const std::unordered_set<std::string> is_stale(stale.begin(), stale.end());
  std::vector<Record> kept;
  kept.reserve(records.size());
  for (Record& rec : records) {
    if (!is_stale.count(rec.id)) {
      kept.push_back(std::move(rec));
    } else if (auto it = by_id.find(rec.id); it != by_id.end()) {
      kept.push_back(std::move(it->second));
    }
  }
  records = std::move(kept);
  return {};
}

// CPU time of the feeds' read-ahead threads, so that a report splitting a run's CPU between
// the engine and the CRMs (`syncline demo`) counts it as the engine's.
inline std::atomic<int64_t>& ReadAheadCpuNs() {
  static std::atomic<int64_t> ns{0};
  return ns;
}

// Runs `read` (on a read-ahead thread) and adds the thread's CPU time to ReadAheadCpuNs().
template <class Read>
auto CountReadAheadCpu(Read&& read) {
  auto now = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
  };
  const int64_t start = now();
  auto result = std::forward<Read>(read)();
  ReadAheadCpuNs() += now() - start;
  return result;
}

}  // namespace syncline::connectors
