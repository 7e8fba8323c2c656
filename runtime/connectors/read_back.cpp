#include "connectors/read_back.h"

#include <set>
#include <unordered_map>

#include "connectors/json_text.h"

namespace syncline::connectors {

std::variant<std::vector<size_t>, Error> ReadBackCreated(Connector& connector,
                                                         const std::string& object,
                                                         const std::vector<WriteItem>& items,
                                                         const std::vector<size_t>& which,
                                                         const std::string& dedupe_field,
                                                         std::vector<WriteResult>& out) {
  std::vector<std::string> values;
  std::unordered_map<std::string, size_t> by_value;
  for (size_t idx : which) {
    const nlohmann::json& f = items[idx].fields;
    if (f.contains(dedupe_field)) {
      values.push_back(util::Text(f[dedupe_field]));
      by_value[util::Lower(values.back())] = idx;
    }
  }
  std::vector<Record> found;
  if (Error e = connector.FindByField(object, dedupe_field, values, {}, &found); !e.ok()) return e;
  std::set<size_t> done;
  for (const auto& rec : found) {
    auto it =
        by_value.find(util::Lower(util::Text(rec.fields.value(dedupe_field, nlohmann::json("")))));
    if (it == by_value.end()) continue;
    out[it->second] = WriteResult{true, rec.id, true, {}, {}};
    done.insert(it->second);
  }
  std::vector<size_t> rest;
  for (size_t idx : which) {
    if (!done.count(idx)) rest.push_back(idx);
  }
  return rest;
}

}  // namespace syncline::connectors
