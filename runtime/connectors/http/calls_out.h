// How long the process had no HTTP call out: the time the CRMs (or the sandboxes) waited for the
// engine, which worked alone. A run bound by the CRMs' HTTP has almost none; `syncline demo`
// reports it per run beside the engine's and the sandboxes' CPU. Every Client::Perform counts,
// on any thread (the lanes, the read-ahead, look-ups).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace syncline::connectors::http {

class CallsOut {
 public:
  static CallsOut& Get() {
    static CallsOut calls;
    return calls;
  }
  void Begin() {
    std::lock_guard lock(mu_);
    if (out_++ == 0) idle_ns_ += Now() - idle_since_;
  }
  void End() {
    std::lock_guard lock(mu_);
    if (--out_ == 0) idle_since_ = Now();
  }
  // Nanoseconds with no call out since the process started (up to now).
  int64_t IdleNs() {
    std::lock_guard lock(mu_);
    return idle_ns_ + (out_ == 0 ? Now() - idle_since_ : 0);
  }
  // Counts one call for its scope.
  struct Scope {
    explicit Scope(CallsOut& c) : calls(c) { calls.Begin(); }
    ~Scope() { calls.End(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    CallsOut& calls;
  };

  CallsOut() = default;  // tests make their own

 private:
  static int64_t Now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  std::mutex mu_;
  int out_ = 0;
  int64_t idle_ns_ = 0;
  int64_t idle_since_ = Now();
};

}  // namespace syncline::connectors::http
