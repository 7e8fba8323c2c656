// The sandboxes' notion of "now": real time by default, or frozen/shifted by tests so that
// timestamps, replication windows, rate-limit buckets and search-index delays are
// deterministic. One Clock may be shared by both sandboxes. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>

namespace syncline::sandbox {

class Clock {
 public:
  // Milliseconds since the Unix epoch, UTC.
  int64_t NowMs() const;
  // Freezes the clock at `ms`; it only moves through Advance() afterwards.
  void SetFixed(int64_t ms);
  // Moves the clock forward (or back, if negative), frozen or not.
  void Advance(int64_t delta_ms);
  // Back to real time (drops any offset).
  void UseReal();
  bool fixed() const;

 private:
  mutable std::mutex mu_;
  bool fixed_ = false;
  int64_t fixed_ms_ = 0;
  int64_t offset_ms_ = 0;
};

}  // namespace syncline::sandbox
