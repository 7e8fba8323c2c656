// What the parts of one run share (sync_runner.cpp owns it): the program, both connectors, the
// state store, options, the report and the minimum-call counters. Object-specific passes
// (company matching, associations) take it instead of reaching into the runner.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "connectors/connector.h"
#include "connectors/worker_thread.h"
#include "engine/program.h"
#include "engine/sync_runner.h"
#include "state/state_store.h"

namespace syncline::engine {

struct RunContext {
  const SyncProgram& p;
  connectors::Connector& hs;
  connectors::Connector& sf;
  state::StateStore& store;
  const RunOptions& o;
  RunReport& report;
  int64_t& hs_min_calls;
  int64_t& sf_min_calls;
  // Ends the run (throws) on a read that failed.
  std::function<void(const connectors::Error&, const std::string&)> fail;
  // A record-level sync error (target side, source object and id, category, code, message).
  std::function<void(state::Side, const std::string&, const std::string&, const std::string&,
                     const std::string&, const std::string&)>
      record_error;
  std::function<int64_t()> now;
  // A thread of the run's for a call to one CRM while this thread calls the other, so that
  // both CRMs (or both sandboxes, on two cores) work at once instead of in turn. Post's
  // answer waits for the call when dropped, so a pass that throws leaves nothing running.
  connectors::WorkerThread& helper;

  void Count(const std::string& key, int64_t n = 1) { report.counts[key] += n; }
};

// Thrown inside a run to end it (suspended account, state or recovery failure); the runner's
// Run() turns it into the report's status and message.
struct StopRun {
  std::string status, message;
};

// Ends the run (throws StopRun) when either connector reports its account suspended (daily
// limit, budget, auth). Every runner asks after a batch of writes.
inline void CheckSuspended(connectors::Connector& hubspot, connectors::Connector& salesforce) {
  for (auto* c : {&hubspot, &salesforce}) {
    connectors::Error e = c->suspended();
    if (!e.ok())
      throw StopRun{"suspended",
                    std::string(c == &hubspot ? "HubSpot" : "Salesforce") + " stopped the run (" +
                        std::string(connectors::CategoryName(e.category)) + "): " + e.message};
  }
}

// Ends the run on a read that failed: "suspended" when the error suspends the account.
[[noreturn]] inline void FailRead(connectors::Connector& hubspot, connectors::Connector& salesforce,
                                  const connectors::Error& e, const std::string& what) {
  if (connectors::IsSuspending(e.category)) CheckSuspended(hubspot, salesforce);
  throw StopRun{connectors::IsSuspending(e.category) ? "suspended" : "failed",
                what + ": " + e.message};
}

// Runs a runner's passes: a StopRun or a state-store error ends them, as the report's status
// and message.
inline void RunPasses(RunReport& report, const std::function<void()>& passes) {
  try {
    passes();
  } catch (const StopRun& stop) {
    report.status = stop.status;
    report.message = stop.message;
  } catch (const state::StateError& e) {
    report.status = "failed";
    report.message = std::string("state store: ") + e.what();
  }
}

inline int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// HubSpot associations v4 batch size (the connector's default, crm-api-spec A10).
constexpr int64_t kHubSpotAssociationBatch = 1000;

inline int64_t Batches(int64_t n, int64_t size) {
  return size <= 0 ? n : (n + size - 1) / size;
}

}  // namespace syncline::engine
