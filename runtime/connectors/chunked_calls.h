// The chunks of one read (ids or values beyond what one call takes: HubSpot's batch reads of
// 100, Salesforce's composite reads of 200 and `IN` lists of 100) sent up to four at a time
// instead of one after the other. Against a live CRM each call costs its round trip, and a
// Salesforce page of 2,000 records reads 20 chunks of its counterparts and 20 of its emails.
// The chunks are independent reads, so their answers are what they would be one by one; the
// caller keeps each chunk's records apart and joins them in chunk order, and the first failure
// in chunk order is the read's failure (the chunks after it have been read too, which is all
// that differs).
// A write of more batches than one call takes (R73's lifecycle moves of companies, say) sends
// its batches the same way when they are independent: no record, and no value of the field
// creates are deduplicated by, in two batches (IndependentBatches, below), so that
// the order in which the CRM applies them cannot change what it ends with.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "connectors/connector.h"
#include "connectors/worker_thread.h"

namespace syncline::connectors {

class ChunkedCalls {
 public:
  static constexpr size_t kHelpers = 3;  // and the calling thread: four chunks out at once

  // Runs read(i) for every chunk i in [0, n): on this thread and on up to kHelpers helper
  // threads, each taking the next chunk not yet taken. Returns when every chunk is read, with
  // the first failure in chunk order, whose index goes to *failed (n when none); rethrows the
  // first exception instead. Several threads may call it at once: they share the helpers, and
  // each also reads its own chunks, so none waits for another's.
  Error Run(size_t n, const std::function<Error(size_t)>& read, size_t* failed = nullptr) {
    if (failed) *failed = n;
    if (n == 0) return {};
    if (n == 1) {
      Error e = read(0);
      if (failed && !e.ok()) *failed = 0;
      return e;
    }
    auto state = std::make_shared<State>();
    state->n = n;
    state->read = &read;
    state->errors.resize(n);
    auto take = [state] {
      for (size_t i; (i = state->next++) < state->n;) {
        Error e;
        std::exception_ptr thrown;
        try {
          e = (*state->read)(i);
        } catch (...) {
          thrown = std::current_exception();
        }
        std::lock_guard lock(state->mu);
        state->errors[i] = std::move(e);
        if (thrown && !state->thrown) state->thrown = thrown;
        if (++state->done == state->n) state->cv.notify_all();
      }
    };
    // A helper that starts after every chunk was taken returns at once; it never calls `read`
    // once this returns (every chunk taken has been read by then).
    for (size_t h = 0; h < std::min(kHelpers, n - 1); ++h) helpers_[h].PostDetached(take);
    take();
    std::unique_lock lock(state->mu);
    state->cv.wait(lock, [&] { return state->done == state->n; });
    if (state->thrown) std::rethrow_exception(state->thrown);
    for (size_t i = 0; i < n; ++i)
      if (!state->errors[i].ok()) {
        if (failed) *failed = i;
        return state->errors[i];
      }
    return {};
  }

  // Runs write(b) for each of a write's n batches: at once (Run) when they are independent
  // (IndependentBatches, below), else one after the other. Each batch fills in its own items'
  // results.
  void Write(size_t n, WriteKind kind, const std::vector<WriteItem>& items,
             const WriteOptions& options, const std::function<void(size_t)>& write);

  // Reads `total` items (ids, values) in chunks of `size`: read(begin, end, part) for each
  // chunk [begin, end), up to four at once (Run). Appends the chunks' parts to *out in chunk
  // order, up to and with the first that failed, as reading them one by one would have.
  template <class T, class F>
  Error Read(size_t total, size_t size, std::vector<T>* out, F&& read) {
    if (total == 0) return {};
    size = std::max<size_t>(1, size);
    const size_t n = (total + size - 1) / size;
    std::vector<std::vector<T>> parts(n);
    size_t failed = n;
    const Error e = Run(
        n, [&](size_t i) { return read(i * size, std::min(total, (i + 1) * size), &parts[i]); },
        &failed);
    for (size_t i = 0; i < n && i <= failed; ++i)
      for (T& t : parts[i]) out->push_back(std::move(t));
    return e;
  }

 private:
  struct State {
    std::atomic<size_t> next{0};
    size_t n = 0, done = 0;
    const std::function<Error(size_t)>* read = nullptr;
    std::vector<Error> errors;
    std::exception_ptr thrown;
    std::mutex mu;
    std::condition_variable cv;
  };
  std::array<WorkerThread, kHelpers> helpers_;
};

// Whether the batches of a write may be sent at once: updates name distinct records, upserts
// distinct keys, and creates distinct values of the field they are deduplicated by (HubSpot's
// unique email: of two creates of one email, the first applied wins). Creates without such a
// field go one batch after the other: a unique rule the connector does not know of (a campaign
// member's lead, say) could make their order matter.
inline bool IndependentBatches(WriteKind kind, const std::vector<WriteItem>& items,
                               const WriteOptions& options) {
  if (kind == WriteKind::kCreate && options.dedupe_field.empty()) return false;
  std::unordered_set<std::string> seen;
  seen.reserve(items.size());
  for (const WriteItem& it : items) {
    std::string key;
    switch (kind) {
      case WriteKind::kUpdate:
        key = it.id;
        break;
      case WriteKind::kUpsert:
        key = it.key_field + "\n" + it.key_value;
        break;
      case WriteKind::kCreate: {
        auto v = it.fields.find(options.dedupe_field);
        if (v == it.fields.end() || v->is_null()) continue;  // nothing to collide on
        key = v->is_string() ? v->get<std::string>() : v->dump();
        for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        break;
      }
    }
    if (!seen.insert(std::move(key)).second) return false;
  }
  return true;
}

inline void ChunkedCalls::Write(size_t n, WriteKind kind, const std::vector<WriteItem>& items,
                                const WriteOptions& options,
                                const std::function<void(size_t)>& write) {
  if (n > 1 && IndependentBatches(kind, items, options)) {
    Run(n, [&](size_t b) {
      write(b);
      return Error{};
    });
    return;
  }
  for (size_t b = 0; b < n; ++b) write(b);
}

}  // namespace syncline::connectors
