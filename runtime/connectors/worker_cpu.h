// CPU time the engine spends on threads of its own besides the main one: the feeds' read-ahead
// and the writes sent while the engine settles the answers of others. A report that splits a
// run's CPU between the engine and the CRMs (`syncline demo`, whose sandboxes run in-process)
// counts it as the engine's.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>
#include <utility>

namespace syncline::connectors {

inline std::atomic<int64_t>& WorkerCpuNs() {
  static std::atomic<int64_t> ns{0};
  return ns;
}

// Runs `work` (on a worker thread) and adds the thread's CPU time to WorkerCpuNs(), also when
// `work` throws.
template <class Work>
auto CountWorkerCpu(Work&& work) {
  auto now = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
  };
  struct Add {
    int64_t start;
    decltype(now)& clock;
    ~Add() { WorkerCpuNs() += clock() - start; }
  } add{now(), now};
  return std::forward<Work>(work)();
}

}  // namespace syncline::connectors
