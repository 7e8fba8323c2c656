// `syncline sandbox serve`: runs the HubSpot and Salesforce sandboxes (runtime/sandbox) in the
// foreground for demos and manual testing, prints where to point a connector, and shuts down
// cleanly on SIGINT/SIGTERM.
#include <csignal>
#include <filesystem>
#include <iostream>
#include <random>

#include "command_registry.h"
#include "sandbox/hubspot_sandbox.h"
#include "sandbox/salesforce_sandbox.h"
#if defined(SYNCLINE_SANDBOX_HAS_SCHEMA)
#include "sandbox/schema_adapter.h"
#endif

namespace syncline::driver {
namespace {

struct ServeOptions {
  int hubspot_port = 0;
  int salesforce_port = 0;
  std::string data_dir;
  std::string seed = "empty";
  std::string token;
  int demo_contacts = 2000;
};

// A fresh token for this run only, so that nothing real is ever printed.
std::string GenerateToken(const char* prefix) {
  std::random_device rd;
  std::string out = prefix;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) out.push_back(hex[rd() % 16]);
  return out;
}

int Serve(const ServeOptions& o) {
  namespace sb = syncline::sandbox;
  // Block the signals before any server thread starts so that only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto clock = std::make_shared<sb::Clock>();
  auto options = [&](int port, const char* file, const char* prefix) {
    sb::SandboxOptions so;
    so.port = port;
    so.clock = clock;
    so.token = o.token.empty() ? GenerateToken(prefix) : o.token;
    so.db_path =
        o.data_dir.empty() ? ":memory:" : (std::filesystem::path(o.data_dir) / file).string();
    so.log = [](std::string_view line) { std::cerr << line << "\n"; };
#if defined(SYNCLINE_SANDBOX_HAS_SCHEMA)
    so.catalog = sb::BuiltinSchemaCatalog();  // the objects the type checker knows
#endif
    return so;
  };
  if (!o.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.data_dir, ec);
    if (ec) {
      std::cerr << "syncline sandbox: cannot create " << o.data_dir << ": " << ec.message() << "\n";
      return 2;
    }
  }
  sb::HubSpotSandbox hubspot(options(o.hubspot_port, "hubspot.db", "pat-sandbox-"));
  sb::SalesforceSandbox salesforce(options(o.salesforce_port, "salesforce.db", "00Dsandbox!"));
  std::string error;
  if (!hubspot.Start(&error) || !salesforce.Start(&error)) {
    std::cerr << "syncline sandbox: " << error << "\n";
    return 2;
  }
  if (o.seed == "demo") {
    nlohmann::json demo = {{"contacts", o.demo_contacts}};
    int status = 0;
    auto hs = hubspot.Control("POST", "/_sandbox/demo", demo, &status);
    if (status != 200) std::cerr << "syncline sandbox: HubSpot demo data: " << hs.dump() << "\n";
    auto sf = salesforce.Control("POST", "/_sandbox/demo", demo, &status);
    if (status != 200) std::cerr << "syncline sandbox: Salesforce demo data: " << sf.dump() << "\n";
  }
  std::cout << "HubSpot sandbox\n"
            << "  base URL:     " << hubspot.base_url() << "\n"
            << "  token:        " << hubspot.token() << "\n"
            << "  control API:  " << hubspot.base_url() << "/_sandbox/\n"
            << "Salesforce sandbox\n"
            << "  instance URL: " << salesforce.base_url() << "\n"
            << "  REST base:    " << salesforce.base_url() << "/services/data/v60.0\n"
            << "  token:        " << salesforce.token() << "\n"
            << "  control API:  " << salesforce.base_url() << "/_sandbox/\n"
            << "Data: " << (o.data_dir.empty() ? "in memory (lost on exit)" : o.data_dir) << "\n"
            << "Press Ctrl-C to stop." << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "\nStopping sandboxes..." << std::endl;
  hubspot.Stop();
  salesforce.Stop();
  return 0;
}

const CommandRegistration registration(600, [](CLI::App& app, CommandRunner& run) {
  auto* cmd = app.add_subcommand("sandbox", "Local HubSpot and Salesforce sandboxes");
  cmd->require_subcommand(1);
  auto* serve = cmd->add_subcommand("serve", "Serve both sandboxes until interrupted");
  auto opts = std::make_shared<ServeOptions>();
  serve->add_option("--hubspot-port", opts->hubspot_port, "HubSpot port (default: any free port)");
  serve->add_option("--salesforce-port", opts->salesforce_port,
                    "Salesforce port (default: any free port)");
  serve->add_option("--data", opts->data_dir, "Keep the data in this folder across restarts");
  serve->add_option("--seed", opts->seed, "Initial data: demo or empty")
      ->check(CLI::IsMember({"demo", "empty"}));
  serve->add_option("--token", opts->token,
                    "Bearer token both sandboxes accept (default: a fresh random token each)");
  serve->add_option("--demo-size", opts->demo_contacts, "Contacts in the demo data set");
  serve->callback([&run, opts] { run = [opts] { return Serve(*opts); }; });
});

}  // namespace
}  // namespace syncline::driver
