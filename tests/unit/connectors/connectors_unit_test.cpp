// Pure parts of the connectors: no network.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "connectors/api_session.h"
#include "connectors/chunked_calls.h"
#include "connectors/error_category.h"
#include "connectors/fast_json.h"
#include "connectors/http/calls_out.h"
#include "connectors/http/rate_limiter.h"
#include "connectors/salesforce_connector.h"
#include "connectors/time_util.h"
#include "connectors/window_cursor.h"
#include "connectors/worker_thread.h"

using namespace syncline::connectors;

namespace {
class FakeClock final : public http::Clock {
 public:
  int64_t now = 1'700'000'000'000;
  int64_t slept = 0;
  int64_t NowMs() override { return now; }
  void SleepMs(int64_t ms) override {
    slept += ms;
    now += ms;
  }
};
}  // namespace

TEST_CASE("time: both CRMs' formats round-trip through epoch ms") {
  CHECK(ParseTimeMs("2019-10-30T03:30:17.883Z") == 1572406217883);
  CHECK(ParseTimeMs("2013-05-20T20:49:32.000+0000") == 1369082972000);
  CHECK(ParseTimeMs("2019-10-30T04:30:17.883+01:00") == 1572406217883);
  CHECK(ParseTimeMs("2019-10-30") == 1572393600000);
  CHECK(ParseTimeMs("1572406217883") == 1572406217883);
  CHECK_FALSE(ParseTimeMs("yesterday"));
  CHECK_FALSE(ParseTimeMs(""));
  CHECK(FormatIsoMs(1572406217883) == "2019-10-30T03:30:17.883Z");
  CHECK(FormatSoqlSeconds(1572406217883) == "2019-10-30T03:30:17Z");
  CHECK(FormatIsoMs(0) == "1970-01-01T00:00:00.000Z");
}

// The demo's "no call out": time counts only while no call is out, however many overlap.
TEST_CASE("calls out: idle time stops while any call is out") {
  using namespace std::chrono_literals;
  using syncline::connectors::http::CallsOut;
  CallsOut calls;
  auto ms = [&] { return calls.IdleNs() / 1'000'000; };
  std::this_thread::sleep_for(30ms);
  const int64_t idle = ms();
  CHECK(idle >= 30);
  {
    CallsOut::Scope a(calls);
    {
      CallsOut::Scope b(calls);  // two out at once: still not idle
      std::this_thread::sleep_for(30ms);
    }
    std::this_thread::sleep_for(30ms);  // one still out
    CHECK(ms() - idle < 20);
  }
  std::this_thread::sleep_for(30ms);
  CHECK(ms() - idle >= 30);
}

TEST_CASE("window cursor: skips what was handed out, survives a round trip") {
  WindowCursor c;
  CHECK(c.Take("1", 10));
  CHECK(c.Take("2", 10));
  CHECK_FALSE(c.Take("1", 10));  // a restart at >= 10 sees 1 again
  CHECK_FALSE(c.Take("0", 9));   // older than the cursor
  WindowCursor d = WindowCursor::Parse(c.Encode());
  CHECK(d.ms == 10);
  CHECK(d.ids.size() == 2);
  CHECK(d.Take("3", 10));
  CHECK(d.Take("1", 11));  // changed again later: a new change
  CHECK(d.ids.size() == 1);
  d.gt = true;
  CHECK_FALSE(d.Take("9", 11));
  CHECK(WindowCursor::Parse("").ms == 0);
  CHECK(WindowCursor::Parse("not json").ids.empty());
}

TEST_CASE("limits: the rolling window waits for a free slot") {
  http::LimitOptions o;
  o.window_max = 3;
  o.window_ms = 10'000;
  http::ApiLimits limits(o);
  FakeClock clock;
  for (int i = 0; i < 3; ++i) CHECK(limits.Acquire(clock));
  CHECK(clock.slept == 0);
  CHECK(limits.Acquire(clock));
  CHECK(clock.slept == 10'000);
  CHECK(limits.Acquire(clock));
  CHECK(limits.Acquire(clock));
  CHECK(clock.slept == 10'000);  // the first three left the window together
  CHECK(limits.WindowWaitMs(clock.now) == 10'000);
}

TEST_CASE("limits: the daily cap, the 75% retry stop and the new day (R139, R142)") {
  http::LimitOptions o;
  o.daily_cap = 4;
  http::ApiLimits limits(o);
  FakeClock clock;
  CHECK(limits.Acquire(clock));
  CHECK(limits.Acquire(clock));
  CHECK(limits.AllowErrorRetries(clock.now));  // 2 of 4
  CHECK(limits.Acquire(clock));
  CHECK_FALSE(limits.AllowErrorRetries(clock.now));  // 3 of 4 = 75%
  CHECK(limits.Acquire(clock));
  CHECK_FALSE(limits.Acquire(clock));
  clock.now += 86'400'000;
  CHECK(limits.Acquire(clock));
  CHECK(limits.used_today(clock.now) == 1);
  http::ApiLimits no_cap;  // no cap: retries stop after 5,000 calls in a day
  FakeClock c2;
  for (int i = 0; i < 4999; ++i) no_cap.Acquire(c2);
  CHECK(no_cap.AllowErrorRetries(c2.now));
  no_cap.Acquire(c2);
  CHECK_FALSE(no_cap.AllowErrorRetries(c2.now));
}

TEST_CASE("limits: Sforce-Limit-Info") {
  auto u = http::ParseSforceLimitInfo("api-usage=10018/100000");
  REQUIRE(u);
  CHECK(u->first == 10018);
  CHECK(u->second == 100000);
  u = http::ParseSforceLimitInfo("api-usage=5/15000; api-bursts=1/750");
  REQUIRE(u);
  CHECK(u->second == 15000);
  CHECK_FALSE(http::ParseSforceLimitInfo("per-app-api-usage=1"));
}

TEST_CASE("errors: vendor codes map onto categories") {
  CHECK(ClassifySalesforceCode("REQUIRED_FIELD_MISSING") == ErrorCategory::kRequired);
  CHECK(ClassifySalesforceCode("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST") ==
        ErrorCategory::kPicklist);
  CHECK(ClassifySalesforceCode("FIELD_INTEGRITY_EXCEPTION") == ErrorCategory::kPicklist);
  CHECK(ClassifySalesforceCode("DUPLICATES_DETECTED") == ErrorCategory::kDuplicate);
  CHECK(ClassifySalesforceCode("INSUFFICIENT_ACCESS_OR_READONLY") == ErrorCategory::kPermission);
  CHECK(ClassifySalesforceCode("ENTITY_IS_DELETED") == ErrorCategory::kNotFound);
  CHECK(ClassifySalesforceCode("REQUEST_LIMIT_EXCEEDED") == ErrorCategory::kDailyLimit);
  CHECK(ClassifySalesforceCode("UNKNOWN_EXCEPTION") == ErrorCategory::kServer);
  CHECK(ClassifySalesforceCode("STRING_TOO_LONG") == ErrorCategory::kValidation);
  using nlohmann::json;
  CHECK(ClassifyHubSpotError(409, json{{"category", "CONFLICT"}}) == ErrorCategory::kDuplicate);
  CHECK(ClassifyHubSpotError(
            400, json{{"message",
                       "Property values were not valid: [{\"error\":\"INVALID_OPTION\"}]"}}) ==
        ErrorCategory::kPicklist);
  CHECK(ClassifyHubSpotError(400, json{{"category", "VALIDATION_ERROR"}, {"message", "x"}}) ==
        ErrorCategory::kValidation);
  CHECK(ClassifyHubSpotError(403, json{{"category", "MISSING_SCOPES"}}) ==
        ErrorCategory::kPermission);
  CHECK(ClassifyHubSpotError(404, json::object()) == ErrorCategory::kNotFound);
  CHECK(ClassifyHubSpotError(502, json::object()) == ErrorCategory::kServer);
  for (auto c : {ErrorCategory::kPicklist, ErrorCategory::kNotFound, ErrorCategory::kDailyLimit})
    CHECK(CategoryFromName(CategoryName(c)) == c);
  CHECK(IsSuspending(ErrorCategory::kBudget));
  CHECK(IsTransient(ErrorCategory::kServer));
  CHECK_FALSE(IsTransient(ErrorCategory::kDuplicate));
}

TEST_CASE("soql: quoting") {
  CHECK(SalesforceConnector::SoqlQuote("o'brien\\x") == "'o\\'brien\\\\x'");
}

TEST_CASE("session: a refused connection is a server error after bounded attempts") {
  SessionOptions o;
  o.base_url = "http://127.0.0.1:1";  // nothing listens on port 1
  auto clock = std::make_shared<FakeClock>();
  o.clock = clock;
  o.retry.max_attempts = 3;
  ApiSession session(o);
  ApiResult r = session.Get("/x");
  CHECK(r.error.category == ErrorCategory::kServer);
  CHECK(r.attempts == 3);
  CHECK(clock->slept > 0);
  // A create is not repeated: it may have been applied.
  ApiResult c = session.Call("POST", "/x", "{}", CallOptions{false, "application/json"});
  CHECK(c.maybe_applied);
  CHECK(c.attempts == 1);
}

// ParseJson (simdjson) must give exactly what nlohmann's parser gives: the connectors read every
// API body through it.
TEST_CASE("ParseJson equals nlohmann::json::parse on API bodies and odd input") {
  using nlohmann::json;
  const std::vector<std::string> bodies = {
      R"({"results":[{"id":"101","properties":{"email":"a@x.io","n":null,"createdate":)"
      R"("2024-01-02T10:11:12.000Z"},"archived":false}],"paging":{"next":{"after":"2"}}})",
      R"({"totalSize":2,"done":false,"nextRecordsUrl":"/services/data/v59.0/query/01g-200",)"
      R"("records":[{"attributes":{"type":"Lead","url":"/x"},"Id":"00Q000000000001AAA",)"
      R"("AnnualRevenue":1250000.5,"NumberOfEmployees":12,"IsDeleted":false}]})",
      R"([{"errorCode":"INVALID_FIELD","message":"No such column 'Foo'","fields":[]}])",
      R"({"a":1,"a":2})",                           // repeated key: the last wins
      R"({"b":1,"a":2,"b":3,"c":4,"a":5,"aa":6})",  // unsorted, repeats before the end
      R"({"neg":-5,"zero":0,"big":18446744073709551615,"i64":-9223372036854775808})",
      R"({"huge":123456789012345678901234567890,"exp":1e400,"tiny":5e-324,"d":0.1,"e":1E3})",
      R"({"s":"Zo\u00eb \"q\" \\ \/ \ud83d\ude00 東京","empty":"","nested":[[[]],{}]})",
      R"(  {"ws" : [ 1 , 2 ] }  )",
      "",
      "not json",
      R"({"a":1} trailing)",
      std::string("{\"a\":\"") + '\xff' + "\"}",  // invalid UTF-8
      R"({"unterminated":)",
      "123",
      "\"text\"",
      "null",
      "true"};
  std::function<void(const json&, const json&)> same_kinds = [&](const json& a, const json& b) {
    REQUIRE(a.type() == b.type());
    if (a.is_object())
      for (auto it = a.begin(); it != a.end(); ++it) same_kinds(*it, b.at(it.key()));
    if (a.is_array())
      for (size_t i = 0; i < a.size(); ++i) same_kinds(a[i], b[i]);
  };
  for (const std::string& text : bodies) {
    CAPTURE(text);
    const json want = json::parse(text, nullptr, false);
    const json got = syncline::connectors::ParseJson(text);
    CHECK(got.is_discarded() == want.is_discarded());
    if (want.is_discarded()) continue;
    CHECK(got == want);
    CHECK(got.dump() == want.dump());
    same_kinds(got, want);  // number kinds too (nlohmann reads non-negative integers unsigned)
  }
  // The one difference: "-0" is nlohmann's signed 0 and ParseJson's unsigned 0 (simdjson does
  // not tell it from "0"): equal, and written the same.
  CHECK(syncline::connectors::ParseJson("[-0]") == json::parse("[-0]"));
  CHECK(syncline::connectors::ParseJson("[-0]").dump() == "[0]");
}

// worker_thread.h: the read-ahead's and the writes' long-lived threads.
TEST_CASE("worker thread: tasks run in order on one thread, answers and throws reach the caller") {
  WorkerThread worker;
  std::vector<int> order;  // written by the worker only, read after its tasks are answered
  std::vector<WorkerFuture<std::thread::id>> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(worker.Post([&order, i] {
      order.push_back(i);
      return std::this_thread::get_id();
    }));
  const std::thread::id first = ids[0].get();
  CHECK(first != std::this_thread::get_id());
  for (size_t i = 1; i < ids.size(); ++i) CHECK(ids[i].get() == first);  // no thread per task
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});

  auto thrown = worker.Post([]() -> int { throw std::runtime_error("page lost"); });
  CHECK_THROWS_WITH(thrown.get(), "page lost");
  // The thread survives a task that threw.
  CHECK(worker.Post([] { return 7; }).get() == 7);
}

TEST_CASE(
    "worker thread: an answer dropped unread is waited for, its CPU counted as the engine's") {
  WorkerThread worker;
  std::atomic<bool> done{false};
  const int64_t cpu_before = WorkerCpuNs().load();
  {
    auto dropped = worker.Post([&done] {
      // Busy, not sleeping: CPU time to count.
      const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(30);
      volatile uint64_t spin = 0;
      while (std::chrono::steady_clock::now() < until) spin = spin + 1;
      done = true;
    });
  }  // like std::async's future, the dropped answer waits for its task
  CHECK(done.load());
  CHECK(WorkerCpuNs().load() - cpu_before >= 10'000'000);  // >= 10 ms of the 30 spun
}

// chunked_calls.h: a read's chunks out up to four at once, joined in chunk order.
TEST_CASE("chunked reads: four chunks at once, parts joined in chunk order") {
  ChunkedCalls chunks;
  std::atomic<int> out_now{0}, most_out{0};
  std::vector<int> out;
  const auto start = std::chrono::steady_clock::now();
  // 10 items in chunks of 3: [0,3) [3,6) [6,9) [9,10), each read taking 200 ms.
  Error e = chunks.Read(10, 3, &out, [&](size_t begin, size_t end, std::vector<int>* part) {
    const int now = ++out_now;
    for (int m = most_out; now > m && !most_out.compare_exchange_weak(m, now);) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (size_t i = begin; i < end; ++i) part->push_back(static_cast<int>(i));
    --out_now;
    return Error{};
  });
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  CHECK(e.ok());
  CHECK(out == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(most_out.load() == 4);
  CHECK_MESSAGE(ms < 400,
                "four chunks of 200 ms took " << ms << " ms");  // one after the other: 800
}

TEST_CASE("chunked reads: the first failure in chunk order, and the parts up to it") {
  ChunkedCalls chunks;
  std::vector<int> out;
  Error e = chunks.Read(8, 2, &out, [&](size_t begin, size_t, std::vector<int>* part) {
    part->push_back(static_cast<int>(begin));
    Error fail;
    if (begin == 2 || begin == 6) {
      fail.category = ErrorCategory::kServer;
      fail.message = "chunk " + std::to_string(begin);
    }
    // The later failure answers first: the earlier one is still the read's.
    if (begin == 2) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return fail;
  });
  CHECK_FALSE(e.ok());
  CHECK(e.message == "chunk 2");
  CHECK(out == std::vector<int>{0, 2});  // as read one by one: chunk 0, then the failing chunk
  // A chunk that throws: the read rethrows it once every chunk is done.
  CHECK_THROWS_WITH(chunks.Read(4, 1, &out,
                                [](size_t begin, size_t, std::vector<int>*) -> Error {
                                  if (begin == 1) throw std::runtime_error("lost");
                                  return {};
                                }),
                    "lost");
  // One chunk runs on the caller's thread.
  std::thread::id where;
  CHECK(chunks
            .Read(3, 5, &out,
                  [&](size_t, size_t, std::vector<int>*) {
                    where = std::this_thread::get_id();
                    return Error{};
                  })
            .ok());
  CHECK(where == std::this_thread::get_id());
}

TEST_CASE("chunked reads: callers on several threads share the helpers") {
  ChunkedCalls chunks;
  std::vector<std::thread> callers;
  std::vector<std::vector<int>> outs(4);
  for (int c = 0; c < 4; ++c)
    callers.emplace_back([&, c] {
      for (int round = 0; round < 20; ++round) {
        std::vector<int> out;
        CHECK(chunks
                  .Read(12, 2, &out,
                        [&](size_t begin, size_t end, std::vector<int>* part) {
                          for (size_t i = begin; i < end; ++i)
                            part->push_back(static_cast<int>(i) + c);
                          std::this_thread::sleep_for(std::chrono::milliseconds(1));
                          return Error{};
                        })
                  .ok());
        outs[c] = out;
      }
    });
  for (auto& t : callers) t.join();
  for (int c = 0; c < 4; ++c) {
    REQUIRE(outs[c].size() == 12);
    for (int i = 0; i < 12; ++i) CHECK(outs[c][i] == i + c);
  }
}

// chunked_calls.h: which writes may send their batches at once.
TEST_CASE("independent batches: distinct records, keys and deduplicated values") {
  auto update = [](std::vector<std::string> ids) {
    std::vector<WriteItem> items;
    for (auto& id : ids) items.push_back({id, "", "", nlohmann::json::object()});
    return items;
  };
  CHECK(IndependentBatches(WriteKind::kUpdate, update({"1", "2", "3"}), {}));
  CHECK(!IndependentBatches(WriteKind::kUpdate, update({"1", "2", "1"}), {}));
  std::vector<WriteItem> upserts = {{"", "ext", "A", nlohmann::json::object()},
                                    {"", "ext", "B", nlohmann::json::object()}};
  CHECK(IndependentBatches(WriteKind::kUpsert, upserts, {}));
  upserts[1].key_value = "A";
  CHECK(!IndependentBatches(WriteKind::kUpsert, upserts, {}));
  upserts[1].key_field = "other";  // another key field: another record
  CHECK(IndependentBatches(WriteKind::kUpsert, upserts, {}));
  // Creates: only with a deduplicating field, compared without case; items without it never
  // collide.
  std::vector<WriteItem> creates(3);
  creates[0].fields = {{"email", "Ann@x.io"}};
  creates[1].fields = {{"email", "bob@x.io"}};
  creates[2].fields = {{"firstname", "No email"}};
  CHECK(!IndependentBatches(WriteKind::kCreate, creates, {}));
  WriteOptions by_email;
  by_email.dedupe_field = "email";
  CHECK(IndependentBatches(WriteKind::kCreate, creates, by_email));
  creates[2].fields = {{"email", "ann@X.IO"}};
  CHECK(!IndependentBatches(WriteKind::kCreate, creates, by_email));
}
