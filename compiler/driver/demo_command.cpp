// `syncline demo`, the main job: starts both sandboxes in this process with the demo data
// (a messy portal and org), runs the example rules (examples/demo) with SQLite state, and
// prints what happened: records read, created, updated, skipped by segment, errors by
// category, and API calls on each side against the minimum possible.
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "command_registry.h"
#include "runtime/connectors/http/calls_out.h"
#include "runtime/connectors/worker_cpu.h"
#include "runtime/state/sqlite_state_store.h"
#include "sync_setup.h"

#ifndef SYNCLINE_EXAMPLES_DIR
#define SYNCLINE_EXAMPLES_DIR "examples"
#endif

namespace syncline::driver {
namespace {

struct DemoOptions {
  std::vector<std::string> rules;
  int contacts = 2000;
  std::string state = ":memory:";
  std::string engine = "jit";
  std::string format = "text";
  bool quiet = false;
  bool rate_limits = true;
  int runs = 2;
  int latency_ms = 0;
};

// CPU seconds (user + system) of this thread or of the whole process.
double CpuSeconds(int who) {
  rusage u{};
  getrusage(who, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

double WorkerCpuSeconds() {
  return static_cast<double>(connectors::WorkerCpuNs().load()) / 1e9;
}

int Demo(const DemoOptions& o) {
  std::vector<std::string> rules = o.rules;
  if (rules.empty()) rules.push_back(std::string(SYNCLINE_EXAMPLES_DIR) + "/demo");
  pipeline::Options po;
  po.engine = o.engine == "interp" ? pipeline::EngineKind::kInterp : pipeline::EngineKind::kJit;
  int code = 0;
  auto compiled = pipeline::CompiledRules::Compile(rules, po, std::cerr, &code);
  if (!compiled) return 2;
  Crms::SandboxSetup setup;
  setup.contacts = o.contacts;
  setup.rate_limits = o.rate_limits;
  std::string error;
  const auto t0 = std::chrono::steady_clock::now();
  auto crms = Crms::Sandboxes(setup, &error);
  if (!crms) {
    std::cerr << "syncline demo: " << error << "\n";
    return 2;
  }
  if (o.latency_ms > 0) {
    // Every call of the sync answered this much later, as by a CRM across the internet (the
    // sandboxes sleep outside their locks, so calls out at once wait at once).
    sandbox::FaultSpec slow;
    slow.latency_ms = o.latency_ms;
    crms->hubspot_sandbox()->AddFault(slow);
    crms->salesforce_sandbox()->AddFault(slow);
  }
  std::unique_ptr<state::SqliteStateStore> store;
  try {
    store = std::make_unique<state::SqliteStateStore>(o.state);
  } catch (const state::StateError& e) {
    std::cerr << "syncline demo: state " << o.state << ": " << e.what() << "\n";
    return 2;
  }
  if (!o.quiet && o.format == "text")
    std::cout << "Sandboxes: HubSpot " << crms->hubspot_sandbox()->base_url() << ", Salesforce "
              << crms->salesforce_sandbox()->base_url() << " (demo data, " << o.contacts
              << " contacts)\nRules: ";
  if (!o.quiet && o.format == "text") {
    for (const auto& s : compiled->syncs()) std::cout << s.name << " ";
    std::cout << "\nState: " << (o.state == ":memory:" ? "SQLite in memory" : o.state) << "\n\n";
  }
  engine::RunOptions ro;
  ro.progress = TerminalProgress(o.quiet || o.format == "json");
  nlohmann::json runs = nlohmann::json::array();
  int exit_code = 0;
  for (int i = 0; i < o.runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    // The engine (rules, connectors, state store) runs on this thread; the sandboxes serve
    // HTTP on their own threads. Their CPU split says which side bounds the run.
    // The connectors' read-ahead threads count as the engine's.
    // And the time with no call out says how long the sandboxes waited for the engine: near
    // none when the run is bound by their HTTP.
    auto& calls_out = connectors::http::CallsOut::Get();
    const double engine_cpu0 = CpuSeconds(RUSAGE_THREAD) + WorkerCpuSeconds(),
                 all_cpu0 = CpuSeconds(RUSAGE_SELF);
    const int64_t idle0 = calls_out.IdleNs();
    engine::RunReport report = RunSyncs(*compiled, *crms, *store, ro);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double engine_cpu = CpuSeconds(RUSAGE_THREAD) + WorkerCpuSeconds() - engine_cpu0;
    const double sandbox_cpu = CpuSeconds(RUSAGE_SELF) - all_cpu0 - engine_cpu;
    const double no_call_out = static_cast<double>(calls_out.IdleNs() - idle0) / 1e9;
    if (ro.progress) std::cerr << "\r\033[K";
    if (o.format == "json") {
      auto j = ReportJson(report, false);
      j["seconds"] = secs;
      j["cpu_seconds"] = {{"engine", engine_cpu}, {"sandboxes", sandbox_cpu}};
      j["no_call_out_seconds"] = no_call_out;
      runs.push_back(j);
    } else {
      std::cout << (i == 0 ? "First run (initial sync)"
                           : "Run " + std::to_string(i + 1) +
                                 " (a second pass: only what the first changed is read again)")
                << ", " << secs << " s (CPU: engine " << std::fixed << std::setprecision(2)
                << engine_cpu << " s, sandboxes " << sandbox_cpu << " s; no call out "
                << no_call_out << " s)\n"
                << std::defaultfloat << std::setprecision(6);
      PrintReportText(std::cout, report, false);
      std::cout << "\n";
    }
    if (report.status != "ok") {
      exit_code = 3;
      break;
    }
  }
  if (o.format == "json") std::cout << nlohmann::json{{"runs", runs}}.dump(2) << std::endl;
  const auto open_errors = store->OpenErrors();
  if (o.format == "text" && !o.quiet) {
    std::cout << "Open sync errors kept for retry: " << open_errors.size() << "\n";
    int shown = 0;
    for (const auto& e : open_errors) {
      if (shown++ == 5) break;
      std::cout << "  " << e.category << ": " << e.object << " " << e.record_id << ": " << e.message
                << "\n";
    }
    std::cout << "Total "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
              << " s\n";
  }
  return exit_code;
}

const CommandRegistration registration(50, [](CLI::App& app, CommandRunner& run) {
  auto* cmd = app.add_subcommand(
      "demo", "The main job: a full sync between in-process sandboxes with demo data");
  auto o = std::make_shared<DemoOptions>();
  cmd->add_option("--rules", o->rules, "Rule files or folders (default: the examples/demo rules)");
  cmd->add_option("--contacts", o->contacts, "HubSpot contacts in the demo data");
  cmd->add_option("--state", o->state, "SQLite state file (default: in memory)");
  cmd->add_option("--engine", o->engine, "Rule engine")->check(CLI::IsMember({"jit", "interp"}));
  cmd->add_option("--runs", o->runs, "Sync passes (the second shows a pass with no changes)");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_flag("--quiet,-q", o->quiet, "Summary only");
  cmd->add_flag("!--no-rate-limits", o->rate_limits,
                "Turn off the HubSpot sandbox's rate limits (for benchmarks)");
  cmd->add_option("--latency", o->latency_ms,
                  "Answer every API call this many milliseconds later, as a CRM across the "
                  "internet does (default 0)")
      ->check(CLI::Range(0, 10000));
  cmd->footer(
      "Example:\n  syncline demo --contacts 500\n  syncline demo --contacts 2000 --latency 40");
  cmd->callback([&run, o] { run = [o] { return Demo(*o); }; });
});

}  // namespace
}  // namespace syncline::driver
