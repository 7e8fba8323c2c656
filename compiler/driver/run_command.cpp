// `syncline run --config FILE [--once | --watch]`: syncs HubSpot and Salesforce as the rules
// say, against the endpoints of the config (live, or in-process sandboxes), with durable state.
// Exit status: 0 ok, 1 some records failed (their sync errors are recorded and retried),
// 2 usage, config or rule errors, 3 the run stopped (suspended, unreachable, state failure).
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include "command_registry.h"
#include "runtime/state/sqlite_state_store.h"
#include "sync_setup.h"

namespace syncline::driver {
namespace {

struct RunOptions {
  std::string config;
  bool once = false, watch = false;
  int interval_s = 0;
  bool quiet = false;
  std::string format = "text";
  std::string engine;
};

volatile std::sig_atomic_t g_stop = 0;

int Run(const RunOptions& o) {
  SyncConfig config;
  std::string error;
  if (!LoadConfig(o.config, &config, &error)) {
    std::cerr << "syncline run: " << error << "\n";
    return 2;
  }
  Configured c;
  if (!OpenConfigured(config, o.engine, "syncline run", &c)) return 2;
  std::unique_ptr<state::SqliteStateStore> store =
      OpenStateStore(config.state, false, "syncline run");
  if (!store) return 2;
  engine::RunOptions ro = c.options;
  ro.progress = TerminalProgress(o.quiet);
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  const int interval = o.interval_s > 0 ? o.interval_s : config.watch_interval_s;
  std::unique_ptr<WebhookListener> hooks;
  if (o.watch && config.webhooks) {
    hooks = WebhookListener::Start(*config.webhooks, &error);
    if (!hooks) {
      std::cerr << "syncline run: " << config.path << ": " << error << "\n";
      return 2;
    }
    if (!o.quiet) std::cerr << "Listening for HubSpot webhooks at " << hooks->url() << "\n";
  }
  int exit_code = 0;
  do {
    engine::RunReport report = RunSyncs(*c.rules, *c.crms, *store, ro);
    if (ro.progress) std::cerr << "\r\033[K";
    if (o.format == "json") {
      std::cout << ReportJson(report, false).dump() << std::endl;
    } else if (!o.quiet || report.status != "ok") {
      PrintReportText(std::cout, report, false);
    }
    std::cout.flush();  // with --watch into a pipe or log, each pass's summary shows at once
    exit_code = RunExitCode(report);
    if (!o.watch) break;
    if (hooks) {
      // The next pass at the interval, or sooner when HubSpot reports changes.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(interval);
      const int64_t events = hooks->Wait(deadline, [] { return g_stop != 0; });
      if (events > 0 && !o.quiet && !g_stop)
        std::cerr << "HubSpot webhooks: " << events << " events; syncing now\n";
      continue;
    }
    for (int waited = 0; waited < interval && !g_stop; ++waited)
      std::this_thread::sleep_for(std::chrono::seconds(1));
  } while (!g_stop);
  return exit_code;
}

const CommandRegistration registration(300, [](CLI::App& app, CommandRunner& run) {
  auto* cmd = app.add_subcommand("run", "Sync HubSpot and Salesforce as the rules say");
  auto o = std::make_shared<RunOptions>();
  cmd->add_option("--config", o->config, "The syncline.toml to use")->required();
  auto* once = cmd->add_flag("--once", o->once, "One pass, then exit (the default)");
  cmd->add_flag("--watch", o->watch, "Keep syncing, one pass per interval, until interrupted")
      ->excludes(once);
  cmd->add_option("--interval", o->interval_s,
                  "Seconds between passes with --watch (default: the config's "
                  "watch_interval_seconds, 900)");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress and no summary unless the run stops");
  cmd->add_option("--format", o->format, "Summary format")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--engine", o->engine, "Override the config's engine")
      ->check(CLI::IsMember({"jit", "interp"}));
  cmd->footer(
      "With --watch and a [webhooks] table in the config, a pass also starts a moment after\n"
      "HubSpot webhook events arrive (signed requests only); Salesforce is polled.\n"
      "Exit status: 0 ok, 1 some records failed (sync errors recorded, retried later), 2 usage,\n"
      "config or rule errors, 3 the run stopped (suspended, unreachable, state failure).\n"
      "Example:\n  syncline run --config syncline.toml --once");
  cmd->callback([&run, o] { run = [o] { return Run(*o); }; });
});

}  // namespace
}  // namespace syncline::driver
