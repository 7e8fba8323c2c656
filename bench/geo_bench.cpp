// Benchmark (not part of ctest): ns per country and subdivision lookup from messy text, and a
// count of heap allocations on the hot path (must be 0). Run with bench/geo_bench.sh.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "geo/country.h"
#include "geo/salesforce_picklists.h"
#include "geo/subdivision.h"

namespace {
std::size_t g_allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

using namespace syncline::stdlib;
using namespace syncline::stdlib::geo;

namespace {

// Thread CPU time: the machine is shared, so wall-clock time would measure the neighbours.
double cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// A messy variant of a name: random case, padding, punctuation, accents left as they are.
std::string messy(std::string_view s, std::mt19937& rng) {
  std::string out;
  const int style = static_cast<int>(rng() % 6);
  if (style == 0) out += "  ";
  for (char c : s) {
    char ch = c;
    if (style == 1 && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
    if (style == 2 && ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
    if (style == 3 && ch == ' ') {
      out += " - ";
      continue;
    }
    out += ch;
  }
  if (style == 4) out += ".";
  if (style == 0) out += "\t";
  return out;
}

}  // namespace

int main() {
  std::mt19937 rng(42);
  std::vector<std::string> countries;
  for (std::size_t i = 0; i < country_count(); ++i) {
    const Country c = country_at(i);
    countries.push_back(messy(c.alpha2, rng));
    countries.push_back(messy(c.alpha3, rng));
    countries.push_back(messy(c.name, rng));
    if (!c.official_name.empty()) countries.push_back(messy(c.official_name, rng));
  }
  for (const char* s : {"U.S.A.", "usa", "United Kingdom", "England", "Deutschland", "España",
                        "Österreich", "Schweiz", "日本", "Holland", "Ivory Coast", "Atlantis",
                        "South Korea", "Czech Republic", "Россия", "n/a", ""}) {
    for (int k = 0; k < 8; ++k) countries.push_back(messy(s, rng));
  }
  std::shuffle(countries.begin(), countries.end(), rng);

  struct SubQuery {
    Country country;
    std::string text;
  };
  std::vector<SubQuery> subs;
  for (const char* cc : {"US", "CA", "AU", "BR", "MX", "IN", "IT", "JP", "DE", "GB", "FR"}) {
    const Country c = country_by_alpha2(cc).value;
    for (std::size_t j = 0; j < subdivision_count(c); ++j) {
      const auto s = subdivision_at(c, j);
      subs.push_back({c, messy(s.code_part, rng)});
      subs.push_back({c, messy(s.name, rng)});
    }
  }
  std::shuffle(subs.begin(), subs.end(), rng);

  constexpr int kRounds = 200;
  std::size_t found = 0;
  g_allocations = 0;
  double t0 = cpu_ns();
  for (int r = 0; r < kRounds; ++r) {
    for (const auto& q : countries) found += find_country(q).ok();
  }
  double t1 = cpu_ns();
  const std::size_t country_allocs = g_allocations;
  const double country_ns = (t1 - t0) / static_cast<double>(kRounds * countries.size());

  g_allocations = 0;
  t0 = cpu_ns();
  for (int r = 0; r < kRounds; ++r) {
    for (const auto& q : subs) found += find_subdivision(q.country, q.text).ok();
  }
  t1 = cpu_ns();
  const std::size_t sub_allocs = g_allocations;
  const double sub_ns = (t1 - t0) / static_cast<double>(kRounds * subs.size());

  std::printf("country lookups:     %zu inputs x %d rounds, %.1f CPU ns/lookup, %zu allocations\n",
              countries.size(), kRounds, country_ns, country_allocs);
  std::printf("subdivision lookups: %zu inputs x %d rounds, %.1f CPU ns/lookup, %zu allocations\n",
              subs.size(), kRounds, sub_ns, sub_allocs);
  // HubSpot -> Salesforce address conversion (picklists enabled, lenient matching).
  PicklistSettings settings;
  const auto& defaults = PicklistTable::salesforce_defaults();
  (void)defaults;
  g_allocations = 0;
  t0 = cpu_ns();
  std::size_t converted = 0;
  for (int r = 0; r < kRounds; ++r) {
    for (const auto& q : subs) {
      converted += to_salesforce(settings, q.country.alpha3, q.text).status == Status::ok;
    }
  }
  t1 = cpu_ns();
  const std::size_t conv_allocs = g_allocations;
  std::printf("to_salesforce:       %zu inputs x %d rounds, %.1f CPU ns/address, %zu allocations\n",
              subs.size(), kRounds, (t1 - t0) / static_cast<double>(kRounds * subs.size()),
              conv_allocs);
  std::printf("(found %zu, converted %zu)\n", found, converted);
  return country_allocs == 0 && sub_allocs == 0 && conv_allocs == 0 ? 0 : 1;
}
