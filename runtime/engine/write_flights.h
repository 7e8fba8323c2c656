// Batch writes sent on worker threads, up to `depth` calls in flight per lane (the engine gives
// each CRM its own lane and keeps its threads for the run, connectors/worker_thread.h), so that
// the engine's bookkeeping of one answer (journal, links, bases) overlaps the CRMs' work on the
// next calls, and the two CRMs work at the same time. Against a live CRM each call waits a
// network round trip; with several out at once a side's writes wait for one round trip per
// `depth` calls instead of one per call. The caller (the engine's main thread) begins each
// call's journal intents before Send and settles the answers in the order the calls were sent
// (Wait, Take); connectors are safe to call from several threads (ApiSession, the HTTP client's
// handle pool and FeedWrites are thread-safe).
#pragma once

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "connectors/connector.h"
#include "connectors/worker_thread.h"

namespace syncline::engine {

class WriteFlights {
 public:
  static constexpr size_t kLanes = 2;
  static constexpr size_t kMaxDepth = 4;

  // A thread per call a lane may have out.
  using Lanes = std::array<std::array<connectors::WorkerThread, kMaxDepth>, kLanes>;

  // depth[lane]: the calls the lane may have out at once (1 to kMaxDepth).
  WriteFlights(Lanes& lanes, std::array<size_t, kLanes> depth) : lanes_(lanes) {
    for (size_t l = 0; l < kLanes; ++l) depth_[l] = std::clamp<size_t>(depth[l], 1, kMaxDepth);
  }
  WriteFlights(const WriteFlights&) = delete;
  WriteFlights& operator=(const WriteFlights&) = delete;
  // Waits for the calls still out (a caller that throws leaves them to finish: their intents
  // stay open in the journal for recovery, and the connectors they use must outlive them).
  // (Waited for here, before the members a call's last step uses are gone.)
  ~WriteFlights() {
    for (auto& lane : out_)
      for (auto& f : lane) f.answer.wait();
  }

  bool Any() const {
    for (const auto& lane : out_)
      if (!lane.empty()) return true;
    return false;
  }
  // Whether the lane may send another call now.
  bool HasRoom(size_t lane) const { return out_[lane].size() < depth_[lane]; }

  // Starts `c.Write(object, kind, *items, options)` on one of the lane's threads. The lane must
  // have room (HasRoom).
  void Send(size_t lane, connectors::Connector& c, std::string object, connectors::WriteKind kind,
            std::shared_ptr<const std::vector<connectors::WriteItem>> items,
            connectors::WriteOptions options) {
    // Answers are taken in the order sent, so the thread of the call `depth` calls back is
    // idle: that call has been taken.
    connectors::WorkerThread& thread = lanes_[lane][sent_[lane]++ % depth_[lane]];
    Flight& f = out_[lane].emplace_back();  // a deque's elements stay put as it grows
    bool* answered = &f.answered;
    f.answer = thread.Post([this, answered, &c, object = std::move(object), kind,
                            items = std::move(items), options = std::move(options)] {
      struct Answered {  // also when Write throws: Wait must not hang
        WriteFlights& self;
        bool* answered;
        ~Answered() {
          {
            std::lock_guard lock(self.mu_);
            *answered = true;
          }
          self.cv_.notify_one();
        }
      } done{*this, answered};
      return c.Write(object, kind, *items, options);
    });
  }

  // Waits until the oldest call out of some lane is answered and returns that lane (the lowest
  // of those whose oldest call is answered). There must be a call out.
  size_t Wait() {
    std::unique_lock lock(mu_);
    size_t lane = kLanes;
    cv_.wait(lock, [&] {
      for (size_t l = 0; l < kLanes; ++l)
        if (!out_[l].empty() && out_[l].front().answered) {
          lane = l;
          return true;
        }
      return false;
    });
    return lane;
  }

  // The answer of the lane's oldest call out (rethrows what the worker threw), which leaves the
  // lane's calls out.
  std::vector<connectors::WriteResult> Take(size_t lane) {
    Flight f;
    {
      std::lock_guard lock(mu_);
      f.answer = std::move(out_[lane].front().answer);
      out_[lane].pop_front();
    }
    return f.answer.get();
  }

 private:
  struct Flight {
    connectors::WorkerFuture<std::vector<connectors::WriteResult>> answer;
    bool answered = false;  // under mu_
  };
  Lanes& lanes_;
  std::array<size_t, kLanes> depth_{};
  std::array<std::deque<Flight>, kLanes> out_;  // oldest first
  std::array<size_t, kLanes> sent_{};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace syncline::engine
