// The shared server shell: one catch-all handler per method routes each request through
// control API -> routing -> counting -> auth -> faults -> vendor admission -> handler.
#include "sandbox/sandbox.h"

#include <httplib.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "sandbox/call.h"
#include "sandbox/time_format.h"

namespace syncline::sandbox {

// ---- Call, Router, helpers ----------------------------------------------------------------

const std::string& Call::Param(const std::string& name) const {
  static const std::string empty;
  auto it = params.find(name);
  return it == params.end() ? empty : it->second;
}

std::string Call::Query(const std::string& name, const std::string& fallback) const {
  return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : fallback;
}

std::string Call::FormQuery(const std::string& name) const {
  auto q = req.target.find('?');
  if (q == std::string::npos) return Query(name);
  std::string query = req.target.substr(q + 1);
  size_t i = 0;
  while (i <= query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(i, amp - i);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      std::string raw = eq == std::string::npos ? "" : pair.substr(eq + 1), out;
      for (size_t k = 0; k < raw.size(); ++k) {
        if (raw[k] == '+') {
          out.push_back(' ');
        } else if (raw[k] == '%' && k + 2 < raw.size() + 0 &&
                   std::isxdigit(static_cast<unsigned char>(raw[k + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(raw[k + 2]))) {
          out.push_back(static_cast<char>(std::stoi(raw.substr(k + 1, 2), nullptr, 16)));
          k += 2;
        } else {
          out.push_back(raw[k]);
        }
      }
      return out;
    }
    i = amp + 1;
  }
  return "";
}

bool LooksLikeEmail(const std::string& s) {
  auto at = s.find('@');
  if (at == 0 || at == std::string::npos || s.find('@', at + 1) != std::string::npos) return false;
  for (char c : s)
    if (std::isspace(static_cast<unsigned char>(c))) return false;
  auto dot = s.find('.', at + 2);
  return dot != std::string::npos && dot + 1 < s.size();
}

bool Call::FailItem(size_t index) {
  if (fail_items.count(index)) return true;
  if (fail_fraction > 0 && rng) {
    std::uniform_real_distribution<double> u(0, 1);
    return u(*rng) < fail_fraction;
  }
  return false;
}

nlohmann::json Call::ParseBody() {
  if (body_json) {
    nlohmann::json out = std::move(*body_json);
    body_json.reset();
    return out;
  }
  if (body_error) throw *body_error;
  return nlohmann::json::parse(req.body);
}

void Call::Json(int status, nlohmann::json body) {
  res.status = status;
  reply = std::move(body);
}

void Call::Empty(int status) {
  res.status = status;
  res.body.clear();
  reply.reset();
}

void Call::Finish() {
  if (!reply) return;
  // What set_content does, without copying the (possibly large) text once more.
  res.body = reply->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  reply.reset();
  res.headers.erase("Content-Type");
  res.set_header("Content-Type", "application/json;charset=UTF-8");
}

void Router::Add(std::string method, const std::string& pattern, Handler handler, bool open) {
  routes_.push_back({std::move(method), SplitPath(pattern), std::move(handler), open});
}

std::optional<Router::Match> Router::Find(const std::string& method,
                                          const std::vector<std::string>& segments) const {
  for (const auto& route : routes_) {
    if (route.method != method) continue;
    bool glob = !route.parts.empty() && route.parts.back() == "*";
    size_t fixed = glob ? route.parts.size() - 1 : route.parts.size();
    if (glob ? segments.size() < fixed : segments.size() != fixed) continue;
    Match m;
    bool ok = true;
    std::string key = method + " ";
    for (size_t i = 0; i < fixed && ok; ++i) {
      const std::string& part = route.parts[i];
      if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
        std::string name = part.substr(1, part.size() - 2);
        m.params[name] = segments[i];
        bool literal = name == "t" || name == "from" || name == "to" || name == "object";
        key += "/" + (literal ? segments[i] : part);
      } else if (part == segments[i]) {
        key += "/" + part;
      } else {
        ok = false;
      }
    }
    if (!ok) continue;
    if (glob) {
      std::string rest;
      for (size_t i = fixed; i < segments.size(); ++i) rest += (i > fixed ? "/" : "") + segments[i];
      m.params["*"] = rest;
      key += "/*";
    }
    if (fixed == 0 && !glob) key += "/";
    m.handler = &route.handler;
    m.endpoint = key;
    m.open = route.open;
    return m;
  }
  return std::nullopt;
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string> SplitList(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find(sep, i);
    if (j == std::string::npos) j = text.size();
    std::string item = text.substr(i, j - i);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    i = j + 1;
  }
  return out;
}

std::string NewUuid(std::mt19937_64& rng) {
  uint64_t a = rng(), b = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

// ---- FaultSpec JSON -------------------------------------------------------------------------

void to_json(nlohmann::json& j, const FaultSpec& f) {
  j = {{"endpoint", f.endpoint},
       {"status", f.status},
       {"on_call", f.on_call},
       {"times", f.times},
       {"fraction", f.fraction},
       {"latency_ms", f.latency_ms},
       {"drop_connection", f.drop_connection},
       {"fail_items", f.fail_items},
       {"fail_fraction", f.fail_fraction},
       {"retry_after_s", f.retry_after_s},
       {"seen", f.seen}};
}

void from_json(const nlohmann::json& j, FaultSpec& f) {
  f.endpoint = j.value("endpoint", "");
  f.status = j.value("status", 0);
  f.on_call = j.value("on_call", int64_t{0});
  f.times = j.value("times", int64_t{1});
  f.fraction = j.value("fraction", 0.0);
  f.latency_ms = j.value("latency_ms", 0);
  f.drop_connection = j.value("drop_connection", j.value("drop", false));
  f.fail_items = j.value("fail_items", std::vector<size_t>{});
  f.fail_fraction = j.value("fail_fraction", 0.0);
  f.retry_after_s = j.value("retry_after_s", 1);
}

// ---- Shell ----------------------------------------------------------------------------------

struct Sandbox::Shell {
  httplib::Server server;
  std::thread thread;
  Router router;
  bool routes_ready = false;
  bool store_ready = false;
  std::atomic<int> port{0};

  mutable std::mutex mu;  // counts, faults, rng
  std::map<std::string, int64_t> counts;
  std::vector<FaultSpec> faults;
  std::mt19937_64 rng;
  std::mutex data_mu;  // vendor state
};

Sandbox::Sandbox(SandboxOptions options)
    : options_(std::move(options)), shell_(std::make_unique<Shell>()) {
  clock_ = options_.clock ? options_.clock : std::make_shared<Clock>();
  if (!options_.catalog) options_.catalog = BuiltinCatalog();
  shell_->rng.seed(options_.seed);
}

Sandbox::~Sandbox() {
  if (shell_ && shell_->thread.joinable()) {
    shell_->server.stop();
    shell_->thread.join();
  }
}

void Sandbox::Log(std::string_view message) const {
  if (options_.log) options_.log(message);
}

bool Sandbox::Start(std::string* error) {
  Shell& s = *shell_;
  if (s.thread.joinable()) return true;
  {
    std::lock_guard lock(s.data_mu);
    if (!s.store_ready) {
      if (!OpenStore(error)) return false;
      s.store_ready = true;
    }
  }
  if (!s.routes_ready) {
    RegisterRoutes(s.router);
    s.routes_ready = true;
    auto handle = [this](Call& call) {
      Shell& sh = *shell_;
      const httplib::Request& req = call.req;
      httplib::Response& res = call.res;
      // The control API: separate from the vendor API, unauthenticated, uncounted.
      if (!call.segments.empty() && call.segments[0] == "_sandbox") {
        nlohmann::json body = nlohmann::json::object();
        if (!req.body.empty()) {
          body = nlohmann::json::parse(req.body, nullptr, false);
          if (body.is_discarded()) {
            call.Json(400, {{"error", "malformed JSON"}});
            return;
          }
        }
        int status = 200;
        auto out = Control(req.method, req.path, body, &status);
        call.Json(status, std::move(out));
        return;
      }
      auto match = sh.router.Find(req.method, call.segments);
      if (!match) {
        call.endpoint = req.method + " <unknown>";
      } else {
        call.endpoint = match->endpoint;
        call.params = std::move(match->params);
      }
      std::vector<FaultSpec> fired;
      {
        std::lock_guard lock(sh.mu);
        sh.counts[call.endpoint]++;
        for (auto& f : sh.faults) {
          if (!match || call.endpoint.find(f.endpoint) == std::string::npos) continue;
          ++f.seen;
          bool fire;
          if (f.on_call > 0) {
            fire = f.seen >= f.on_call && f.seen < f.on_call + std::max<int64_t>(1, f.times);
          } else if (f.fraction > 0) {
            fire = std::uniform_real_distribution<double>(0, 1)(sh.rng) < f.fraction;
          } else {
            fire = true;
          }
          if (fire) fired.push_back(f);
        }
      }
      // Latency is served outside every lock so that other calls proceed meanwhile.
      for (const auto& f : fired)
        if (f.latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(f.latency_ms));
      bool has_body = req.method == "POST" || req.method == "PATCH" || req.method == "PUT";
      // JSON bodies of API routes are parsed before the data lock (handlers take the result
      // through Call::ParseBody), so concurrent requests parse in parallel.
      if (match && !match->open && has_body && !req.body.empty() &&
          req.get_header_value("Content-Type").find("json") != std::string::npos) {
        try {
          call.body_json = nlohmann::json::parse(req.body);
        } catch (const nlohmann::json::parse_error& e) {
          call.body_error.emplace(e);
        }
      }
      std::lock_guard data_lock(sh.data_mu);
      try {
        if (!match) {
          WriteShellError(call, 404, "The requested resource does not exist", 0);
          return;
        }
        if (!match->open) {
          std::string auth = req.get_header_value("Authorization");
          if (auth != "Bearer " + options_.token) {
            WriteShellError(call, 401, auth.empty() ? "missing" : "invalid", 0);
            return;
          }
        }
        for (const auto& f : fired) {
          if (f.drop_connection) {
            // Send headers, then close without the promised body: the client sees the
            // connection drop mid-response.
            res.status = 200;
            res.set_content_provider(1024, "application/json",
                                     [](size_t, size_t, httplib::DataSink&) { return false; });
            return;
          }
          if (f.status >= 400) {
            WriteShellError(call, f.status, "injected", f.retry_after_s);
            Decorate(call);
            return;
          }
          for (size_t i : f.fail_items) call.fail_items.insert(i);
          call.fail_fraction = std::max(call.fail_fraction, f.fail_fraction);
        }
        // Open routes (OAuth token endpoints) take form bodies; every API route takes JSON.
        if (has_body && !req.body.empty() && !match->open) {
          std::string type = req.get_header_value("Content-Type");
          if (type.find("json") == std::string::npos) {
            WriteShellError(call, 415, type, 0);
            return;
          }
        }
        if (!match->open && !Admit(call)) return;
        (*match->handler)(call);
        if (!match->open) Decorate(call);
      } catch (const std::exception& e) {
        Log(std::string("sandbox: internal error on ") + call.endpoint + ": " + e.what());
        WriteShellError(call, 500, e.what(), 0);
      }
    };
    // The answer is serialised once every lock is released.
    auto dispatch = [this, handle](const httplib::Request& req, httplib::Response& res) {
      Call call{req, res, req.method, SplitPath(req.path), {}, {}, {}, 0, &shell_->rng, {}, {}, {}};
      handle(call);
      call.Finish();
    };
    s.server.Get(".*", dispatch);
    s.server.Post(".*", dispatch);
    s.server.Put(".*", dispatch);
    s.server.Patch(".*", dispatch);
    s.server.Delete(".*", dispatch);
    // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would let a second
    // sandbox bind a port that is already serving and split the traffic between the two.
    s.server.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<void*>(&yes), sizeof(yes));
    });
    // Without TCP_NODELAY, Nagle's algorithm and delayed ACKs add ~40 ms to every keep-alive
    // round trip, which would make the sandbox the bottleneck of any benchmark.
    s.server.set_tcp_nodelay(true);
    s.server.set_payload_max_length(64 << 20);
    s.server.set_keep_alive_max_count(100000);
  }
  int port =
      options_.port > 0
          ? (s.server.bind_to_port(options_.host.c_str(), options_.port) ? options_.port : -1)
          : s.server.bind_to_any_port(options_.host.c_str());
  if (port <= 0) {
    if (error) *error = "cannot bind " + options_.host + ":" + std::to_string(options_.port);
    return false;
  }
  s.port = port;
  s.thread = std::thread([this] { shell_->server.listen_after_bind(); });
  while (!s.server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  OnStarted();
  return true;
}

void Sandbox::Stop() {
  if (!shell_->thread.joinable()) return;
  shell_->server.stop();
  shell_->thread.join();
  OnStopped();
}

std::optional<nlohmann::json> Sandbox::UnlockedControl(std::string_view, std::string_view,
                                                       const nlohmann::json&, int*) {
  return std::nullopt;
}

bool Sandbox::running() const {
  return shell_->thread.joinable();
}
int Sandbox::port() const {
  return shell_->port;
}
std::string Sandbox::base_url() const {
  return "http://" + options_.host + ":" + std::to_string(shell_->port);
}
const std::string& Sandbox::token() const {
  return options_.token;
}
Clock& Sandbox::clock() {
  return *clock_;
}

std::map<std::string, int64_t> Sandbox::CallCounts() const {
  std::lock_guard lock(shell_->mu);
  return shell_->counts;
}

int64_t Sandbox::CallCount(std::string_view endpoint) const {
  std::lock_guard lock(shell_->mu);
  int64_t total = 0;
  for (const auto& [key, n] : shell_->counts)
    if (key.find(endpoint) != std::string::npos) total += n;
  return total;
}

void Sandbox::ResetCallCounts() {
  std::lock_guard lock(shell_->mu);
  shell_->counts.clear();
}

void Sandbox::AddFault(FaultSpec fault) {
  std::lock_guard lock(shell_->mu);
  fault.seen = 0;
  shell_->faults.push_back(std::move(fault));
}

void Sandbox::ClearFaults() {
  std::lock_guard lock(shell_->mu);
  shell_->faults.clear();
}

nlohmann::json Sandbox::Control(std::string_view method, std::string_view path,
                                const nlohmann::json& body, int* status) {
  int dummy;
  if (!status) status = &dummy;
  *status = 200;
  std::string p(path);
  if (p.size() > 1 && p.back() == '/') p.pop_back();
  try {
    if (p == "/_sandbox/health") return {{"ok", true}};
    if (p == "/_sandbox/calls") {
      if (method == "DELETE") {
        ResetCallCounts();
        return {{"reset", true}};
      }
      auto counts = CallCounts();
      int64_t total = 0;
      for (const auto& [k, n] : counts) total += n;
      return {{"total", total}, {"calls", counts}};
    }
    if (p == "/_sandbox/calls/reset") {
      ResetCallCounts();
      return {{"reset", true}};
    }
    if (p == "/_sandbox/faults") {
      if (method == "DELETE") {
        ClearFaults();
        return {{"cleared", true}};
      }
      if (method == "POST") {
        auto list = body.is_array() ? body : nlohmann::json::array({body});
        for (const auto& f : list) AddFault(f.get<FaultSpec>());
      }
      std::lock_guard lock(shell_->mu);
      return {{"faults", shell_->faults}};
    }
    if (p == "/_sandbox/clock") {
      if (method == "POST") {
        if (body.value("real", false)) clock_->UseReal();
        if (body.contains("fixed")) {
          const auto& v = body["fixed"];
          auto ms = v.is_number() ? std::optional<int64_t>(v.get<int64_t>())
                                  : ParseTimeOrEpochMs(v.get<std::string>());
          if (!ms) {
            *status = 400;
            return {{"error", "bad time"}};
          }
          clock_->SetFixed(*ms);
        }
        if (body.contains("advance_ms")) clock_->Advance(body["advance_ms"].get<int64_t>());
      }
      int64_t now = clock_->NowMs();
      return {{"now_ms", now}, {"now", FormatIsoMs(now)}, {"fixed", clock_->fixed()}};
    }
    if (auto out = UnlockedControl(method, p, body, status)) return *out;
    std::lock_guard data_lock(shell_->data_mu);
    if (p == "/_sandbox/reset") {
      ResetCallCounts();
      ClearFaults();
    }
    return VendorControl(method, p, body, status);
  } catch (const std::exception& e) {
    *status = 400;
    return {{"error", e.what()}};
  }
}

}  // namespace syncline::sandbox
