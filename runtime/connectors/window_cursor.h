// The position of a change feed read oldest-first by a last-modified timestamp: the newest
// timestamp handed out and the ids already handed out at it. Restarting a read with ">= ms" and
// skipping those ids gives neither gaps nor duplicates, however many records share one
// timestamp. Serialised as the connectors' opaque Watermark text.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <set>
#include <string>

namespace syncline::connectors {

struct WindowCursor {
  int64_t ms = 0;
  std::set<std::string> ids;
  bool gt = false;  // every record at `ms` was read: continue strictly after it

  static WindowCursor Parse(const std::string& text) {
    WindowCursor c;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_object()) {
      c.ms = j.value("ms", int64_t{0});
      c.gt = j.value("gt", false);
      for (const auto& id : j.value("ids", nlohmann::json::array()))
        if (id.is_string()) c.ids.insert(id.get<std::string>());
    }
    return c;
  }
  std::string Encode() const {
    nlohmann::json j = {{"ms", ms}, {"ids", ids}};
    if (gt) j["gt"] = true;
    return j.dump();
  }
  // True when the record is new to this feed (and moves the cursor). Records must come in
  // ascending timestamp order.
  bool Take(const std::string& id, int64_t ts) {
    if (ts < ms || (ts == ms && (gt || ids.count(id)))) return false;
    if (ts > ms) {
      ms = ts;
      ids.clear();
      gt = false;
    }
    ids.insert(id);
    return true;
  }
};

}  // namespace syncline::connectors
