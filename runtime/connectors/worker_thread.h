// One long-lived thread that runs the tasks posted to it in order: the feeds' read-ahead and the
// engine's writes in flight. A thread per task (std::async) was costly: each new thread faulted
// in fresh memory, and its exit flushed the allocator's thread cache with madvise, whose TLB
// shootdowns interrupted both cores (a 10,000-contact demo spent about 30 % of its worker CPU
// there; docs/runtime.md, Performance).
// Each task's CPU is counted as the engine's (CountWorkerCpu).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

#include "connectors/worker_cpu.h"

namespace syncline::connectors {

// The answer of a posted task. Like the future of std::async, and unlike a plain std::future,
// it waits for the task when dropped unanswered: a caller that leaves early (an error, an
// exception) never has a task of its still running on what it owns.
template <class R>
class WorkerFuture {
 public:
  WorkerFuture() = default;
  explicit WorkerFuture(std::future<R> f) : f_(std::move(f)) {}
  WorkerFuture(WorkerFuture&&) noexcept = default;
  WorkerFuture& operator=(WorkerFuture&& o) noexcept {
    if (this != &o) {
      wait();
      f_ = std::move(o.f_);
    }
    return *this;
  }
  ~WorkerFuture() { wait(); }

  bool valid() const { return f_.valid(); }
  R get() { return f_.get(); }  // rethrows what the task threw
  // Until answered, if a task is out.
  void wait() {
    if (f_.valid()) f_.wait();
  }

 private:
  std::future<R> f_;
};

class WorkerThread {
 public:
  WorkerThread() = default;
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;
  // Runs the tasks still queued, then joins.
  ~WorkerThread() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  // Queues `task` with no answer to wait for: for tasks that own what they use (ChunkedCalls).
  template <class F>
  void PostDetached(F task) {
    Enqueue([task = std::move(task)]() mutable { CountWorkerCpu([&task] { task(); }); });
  }
  // Queues `task` (started on the first post) and returns its answer.
  template <class F>
  WorkerFuture<std::invoke_result_t<F&>> Post(F task) {
    using R = std::invoke_result_t<F&>;
    auto job = std::make_shared<std::packaged_task<R()>>(
        [task = std::move(task)]() mutable { return CountWorkerCpu(task); });
    std::future<R> answer = job->get_future();
    Enqueue([job] { (*job)(); });
    return WorkerFuture<R>(std::move(answer));
  }

 private:
  void Enqueue(std::function<void()> job) {
    {
      std::lock_guard lock(mu_);
      tasks_.emplace_back(std::move(job));
      if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
    }
    cv_.notify_one();
  }
  void Loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // stopped with nothing left
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();  // a packaged_task keeps what it throws for its future
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace syncline::connectors
