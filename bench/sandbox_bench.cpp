// Sandbox throughput and memory benchmark (not part of ctest; run bench/sandbox_bench.sh).
// Batch upserts and paged reads over real HTTP on loopback with rate limits off, for both
// sandboxes, plus resident memory per stored record.
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sandbox/hubspot_sandbox.h"
#include "sandbox/salesforce_sandbox.h"

using nlohmann::json;
namespace sb = syncline::sandbox;

namespace {

// Process CPU seconds (server and client threads together): on a shared machine wall time
// mostly measures the neighbours, CPU time measures the sandbox.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void Report(const char* what, double records, double wall, double cpu) {
  std::printf("%-36s %12.0f %10.2f %16.0f\n", what, records / wall, wall, records / cpu);
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Resident memory after returning freed heap to the system, so that transient request buffers
// do not count as stored data.
long RssKb() {
  malloc_trim(0);
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

httplib::Headers Auth(const sb::Sandbox& s) {
  return {{"Authorization", "Bearer " + s.token()}};
}

// Runs `batches` calls of `make(batch_index)` on `threads` keep-alive clients.
double Run(const sb::Sandbox& s, int threads, int batches, const std::string& method,
           const std::string& path, const std::function<std::string(int)>& make) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  std::atomic<int> next{0}, failures{0};
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      httplib::Client c(s.base_url());
      c.set_keep_alive(true);
      c.set_tcp_nodelay(true);
      for (int b; (b = next++) < batches;) {
        std::string body = make(b);
        auto r = method == "POST" ? c.Post(path.c_str(), Auth(s), body, "application/json")
                                  : c.Patch(path.c_str(), Auth(s), body, "application/json");
        if (!r || r->status >= 300) ++failures;
      }
    });
  }
  for (auto& t : pool) t.join();
  if (failures) std::fprintf(stderr, "  %d failed calls\n", failures.load());
  return Seconds(t0);
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  std::printf("records: %d, client threads: %d\n\n", n, threads);
  std::printf("%-36s %12s %10s %16s\n", "measure", "records/s", "seconds", "records/cpu-s");

  {
    sb::HubSpotSandbox hs;
    hs.Start();
    sb::HubSpotLimits l;
    l.rate_limits = false;
    hs.SetLimits(l);
    long rss0 = RssKb();
    int batches = (n + 99) / 100;
    auto make = [&](int b) {
      json inputs = json::array();
      for (int i = b * 100; i < std::min(n, (b + 1) * 100); ++i)
        inputs.push_back({{"id", "user" + std::to_string(i) + "@bench.example"},
                          {"idProperty", "email"},
                          {"properties",
                           {{"firstname", "First" + std::to_string(i)},
                            {"lastname", "Last" + std::to_string(i)},
                            {"phone", "+1 555 010 " + std::to_string(i % 10000)},
                            {"lifecyclestage", "lead"},
                            {"city", "Springfield"}}}});
      return json{{"inputs", inputs}}.dump();
    };
    double c = CpuSeconds();
    double t = Run(hs, threads, batches, "POST", "/crm/v3/objects/contacts/batch/upsert", make);
    Report("HubSpot batch upsert (create)", n, t, CpuSeconds() - c);
    long rss1 = RssKb();
    c = CpuSeconds();
    t = Run(hs, threads, batches, "POST", "/crm/v3/objects/contacts/batch/upsert", make);
    Report("HubSpot batch upsert (update)", n, t, CpuSeconds() - c);
    c = CpuSeconds();
    auto t0 = std::chrono::steady_clock::now();
    httplib::Client client(hs.base_url());
    std::string after;
    int read = 0;
    for (;;) {
      auto r =
          client.Get(("/crm/v3/objects/contacts?limit=100&properties=email,firstname,lastname" +
                      (after.empty() ? "" : "&after=" + after))
                         .c_str(),
                     Auth(hs));
      json body = json::parse(r->body);
      read += static_cast<int>(body["results"].size());
      if (!body.contains("paging")) break;
      after = body["paging"]["next"]["after"];
    }
    t = Seconds(t0);
    Report("HubSpot paged list (100/page)", read, t, CpuSeconds() - c);
    std::printf("%-36s %12.0f bytes\n", "HubSpot memory per contact", (rss1 - rss0) * 1024.0 / n);
  }
  {
    sb::SalesforceSandbox sf;
    sf.Start();
    sb::SalesforceLimits l;
    l.daily_api_requests = 1'000'000'000;
    l.duplicate_rules = false;
    sf.SetLimits(l);
    long rss0 = RssKb();
    int batches = (n + 199) / 200;
    auto make = [&](int b) {
      json records = json::array();
      for (int i = b * 200; i < std::min(n, (b + 1) * 200); ++i)
        records.push_back({{"attributes", {{"type", "Account"}}},
                           {"External_Id__c", "EXT-" + std::to_string(i)},
                           {"Name", "Account " + std::to_string(i)},
                           {"Phone", "+1 555 010 " + std::to_string(i % 10000)},
                           {"Industry", "Banking"},
                           {"BillingCountryCode", "US"}});
      return json{{"allOrNone", false}, {"records", records}}.dump();
    };
    const std::string path = "/services/data/v60.0/composite/sobjects/Account/External_Id__c";
    double c = CpuSeconds();
    double t = Run(sf, threads, batches, "PATCH", path, make);
    Report("Salesforce collection upsert (new)", n, t, CpuSeconds() - c);
    long rss1 = RssKb();
    c = CpuSeconds();
    t = Run(sf, threads, batches, "PATCH", path, make);
    Report("Salesforce collection upsert (upd)", n, t, CpuSeconds() - c);
    c = CpuSeconds();
    auto t0 = std::chrono::steady_clock::now();
    httplib::Client client(sf.base_url());
    std::string url =
        "/services/data/v60.0/query?q=SELECT%20Id,Name,Phone,SystemModstamp%20FROM%20Account";
    int read = 0;
    for (;;) {
      auto r = client.Get(url.c_str(), Auth(sf));
      json body = json::parse(r->body);
      if (r->status != 200) {
        std::fprintf(stderr, "query failed: %s\n", r->body.c_str());
        return 1;
      }
      read += static_cast<int>(body["records"].size());
      if (body["done"] == true) break;
      url = body["nextRecordsUrl"];
    }
    t = Seconds(t0);
    Report("Salesforce query (2000/page)", read, t, CpuSeconds() - c);
    std::printf("%-36s %12.0f bytes\n", "Salesforce memory per account",
                (rss1 - rss0) * 1024.0 / n);
  }
  return 0;
}
