// Batch writes sent on worker threads, at most one call in flight per lane (the engine gives
// each CRM its own lane and keeps its thread for the run, connectors/worker_thread.h), so that the
// engine's bookkeeping of one answer (journal, links, bases) overlaps the CRMs' work on the next
// call, and the two CRMs work at the same time. The caller (the engine's main thread) begins each
// call's journal intents before Send and settles its answer after Take; connectors are safe to call
// from one worker besides their feed's read-ahead (ApiSession and FeedWrites are thread-safe).
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
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

  using Lanes = std::array<connectors::WorkerThread, kLanes>;

  explicit WriteFlights(Lanes& lanes) : lanes_(lanes) {}
  WriteFlights(const WriteFlights&) = delete;
  WriteFlights& operator=(const WriteFlights&) = delete;
  // Waits for the calls still out (a caller that throws leaves them to finish: their intents
  // stay open in the journal for recovery, and the connectors they use must outlive them).
  // (Waited for here, before the members a call's last step uses are gone.)
  ~WriteFlights() {
    for (auto& f : flights_) f.wait();
  }

  bool Any() const {
    for (const auto& f : flights_)
      if (f.valid()) return true;
    return false;
  }

  // Starts `c.Write(object, kind, *items, options)` on the lane's thread. The lane must be idle.
  void Send(size_t lane, connectors::Connector& c, std::string object, connectors::WriteKind kind,
            std::shared_ptr<const std::vector<connectors::WriteItem>> items,
            connectors::WriteOptions options) {
    {
      std::lock_guard lock(mu_);
      answered_[lane] = false;
    }
    flights_[lane] = lanes_[lane].Post([this, lane, &c, object = std::move(object), kind,
                                        items = std::move(items), options = std::move(options)] {
      struct Answered {  // also when Write throws: Wait must not hang
        WriteFlights& self;
        size_t lane;
        ~Answered() {
          {
            std::lock_guard lock(self.mu_);
            self.answered_[lane] = true;
          }
          self.cv_.notify_one();
        }
      } answered{*this, lane};
      return c.Write(object, kind, *items, options);
    });
  }

  // Waits until a call in flight is answered and returns its lane (the lowest of those
  // answered). There must be one in flight.
  size_t Wait() {
    std::unique_lock lock(mu_);
    size_t lane = kLanes;
    cv_.wait(lock, [&] {
      for (size_t l = 0; l < kLanes; ++l)
        if (flights_[l].valid() && answered_[l]) {
          lane = l;
          return true;
        }
      return false;
    });
    return lane;
  }

  // The answer of the lane's call (rethrows what the worker threw); the lane is idle after.
  std::vector<connectors::WriteResult> Take(size_t lane) { return flights_[lane].get(); }

 private:
  Lanes& lanes_;
  std::array<connectors::WorkerFuture<std::vector<connectors::WriteResult>>, kLanes> flights_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::array<bool, kLanes> answered_{};
};

}  // namespace syncline::engine
