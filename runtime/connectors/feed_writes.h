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
#include <unordered_set>
#include <utility>
#include <vector>

namespace syncline::connectors {

class FeedWrites {
 public:
  // The writes to `object` from its construction (or the last Clear) on, while it lives.
  class Scope {
   public:
    Scope(FeedWrites& owner, std::string object) : owner_(owner), object_(std::move(object)) {
      owner_.scopes_.push_back(this);
    }
    ~Scope() { std::erase(owner_.scopes_, this); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

    bool Written(const std::string& id) const { return ids_.count(id) > 0; }
    bool empty() const { return ids_.empty(); }
    void Clear() { ids_.clear(); }

   private:
    friend class FeedWrites;
    FeedWrites& owner_;
    std::string object_;
    std::unordered_set<std::string> ids_;
  };

  // Called by the connector's updates, upserts and deletes (on the caller's thread, like the
  // feed's own checks).
  void Note(const std::string& object, const std::string& id) {
    for (Scope* s : scopes_)
      if (s->object_ == object) s->ids_.insert(id);
  }
  bool reading() const { return !scopes_.empty(); }

 private:
  std::vector<Scope*> scopes_;
};

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
