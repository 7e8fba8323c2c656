// One API call as the vendor handlers see it (internal to the sandbox library): the request,
// the path parameters, the endpoint key used for call counts, the batch-item failures a fault
// rule asked for, and helpers to answer with JSON. Router maps method + path pattern to a
// handler; `{t}`, `{from}`, `{to}` and `{object}` parameters stay literal in the endpoint key,
// others become `{name}`.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace syncline::sandbox {

struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  std::string method;
  std::vector<std::string> segments;
  std::map<std::string, std::string> params;
  std::string endpoint;  // "GET /crm/v3/objects/contacts/{id}"
  std::set<size_t> fail_items;
  double fail_fraction = 0;
  std::mt19937_64* rng = nullptr;
  // The JSON request body, parsed before the data lock was taken (API routes with a JSON
  // body), and the answer, serialised after it was released: requests parse and serialise
  // in parallel and only the vendor logic is serialised.
  std::optional<nlohmann::json> body_json;
  std::optional<nlohmann::json::parse_error> body_error;
  std::optional<nlohmann::json> reply;

  const std::string& Param(const std::string& name) const;
  std::string Query(const std::string& name, const std::string& fallback = "") const;
  bool HasQuery(const std::string& name) const { return req.has_param(name.c_str()); }
  // A query parameter decoded as a form value ('+' is a space), read from the raw target:
  // clients send SOQL as `q=SELECT+Id+FROM+Account`.
  std::string FormQuery(const std::string& name) const;
  // True when an injected partial-batch fault fails input `index`.
  bool FailItem(size_t index);
  // req.body as JSON: the pre-parsed value (taken once) or a fresh parse; throws
  // json::parse_error exactly as json::parse(req.body) would.
  nlohmann::json ParseBody();
  // Answers `status` with `body`; the text is produced by Finish().
  void Json(int status, nlohmann::json body);
  void Empty(int status);
  // Serialises a pending JSON answer into res (no lock needed).
  void Finish();
};

using Handler = std::function<void(Call&)>;

class Router {
 public:
  // `pattern` like "/crm/v3/objects/{t}/{id}"; a trailing "/*" matches any rest.
  // `open`: no auth, not counted against limits (Salesforce's /services/data/).
  void Add(std::string method, const std::string& pattern, Handler handler, bool open = false);
  struct Match {
    const Handler* handler = nullptr;
    std::map<std::string, std::string> params;
    std::string endpoint;
    bool open = false;
  };
  std::optional<Match> Find(const std::string& method,
                            const std::vector<std::string>& segments) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> parts;
    Handler handler;
    bool open;
  };
  std::vector<Route> routes_;
};

std::vector<std::string> SplitPath(const std::string& path);
std::vector<std::string> SplitList(const std::string& text, char sep = ',');
std::string NewUuid(std::mt19937_64& rng);
// Syntax check of an email address: one '@', a non-empty local part, a dotted domain.
bool LooksLikeEmail(const std::string& s);

}  // namespace syncline::sandbox
