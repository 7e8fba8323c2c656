// The records a connector wrote while one of its change feeds was being read. A feed that
// holds values from before such a write (a read-ahead search sent before the write, or a
// Salesforce query whose locator pages were fixed when it ran) reads those records again by
// id before handing them out: the engine would take the old values for a change and undo
// its own write.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "connectors/connector.h"
#include "connectors/worker_cpu.h"

namespace syncline::connectors {

class FeedWrites {
 public:
  // The writes to `object` while it lives, each with its sequence number.
  class Scope {
   public:
    Scope(FeedWrites& owner, std::string object) : owner_(owner), object_(std::move(object)) {
      std::lock_guard lock(owner_.mu_);
      owner_.scopes_.push_back(this);
    }
    ~Scope() {
      std::lock_guard lock(owner_.mu_);
      std::erase(owner_.scopes_, this);
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

    // The sequence number of the newest write: a read sent now reflects every write up to it.
    uint64_t Sequence() const {
      std::lock_guard lock(owner_.mu_);
      return owner_.sequence_;
    }
    // Whether `id` was written after a read sent at `sequence` (it may hold older values).
    bool WrittenSince(const std::string& id, uint64_t sequence) const {
      std::lock_guard lock(owner_.mu_);
      auto it = written_.find(id);
      return it != written_.end() && it->second > sequence;
    }

   private:
    friend class FeedWrites;
    FeedWrites& owner_;
    std::string object_;
    std::unordered_map<std::string, uint64_t> written_;  // id -> sequence of its last write
  };

  // Called by the connector's Write after the calls (on the thread that sends them: the engine
  // may send writes from worker threads while a feed's read-ahead thread reads). A create makes a
  // record no earlier read can hold; an update or upsert changes one, a failed one too, maybe (it
  // may have been applied before the connection dropped).
  void NoteWrites(const std::string& object, WriteKind kind, const std::vector<WriteItem>& items,
                  const std::vector<WriteResult>& results) {
    if (kind == WriteKind::kCreate) return;
    std::lock_guard lock(mu_);
    if (scopes_.empty()) return;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].id.empty()) Note(object, items[i].id);
      if (results[i].ok && !results[i].id.empty()) Note(object, results[i].id);
    }
  }
  // Called by the connector's Delete: every id, failed ones too (maybe applied).
  void NoteDeletes(const std::string& object, const std::vector<std::string>& ids) {
    std::lock_guard lock(mu_);
    if (scopes_.empty()) return;
    for (const std::string& id : ids) Note(object, id);
  }

 private:
  void Note(const std::string& object, const std::string& id) {  // under mu_
    ++sequence_;
    for (Scope* s : scopes_)
      if (s->object_ == object) s->written_[id] = sequence_;
  }

  mutable std::mutex mu_;
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

}  // namespace syncline::connectors
