#include "connectors/fast_json.h"

#include <simdjson.h>

#include <cstdint>
#include <string>

namespace syncline::connectors {
namespace {

using nlohmann::json;

json Convert(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      json out = json::object();
      auto& fields = out.get_ref<json::object_t&>();
      for (simdjson::dom::key_value_pair field : simdjson::dom::object(e))
        fields[std::string(field.key)] = Convert(field.value);  // the last repeat wins
      return out;
    }
    case element_type::ARRAY: {
      json out = json::array();
      auto& items = out.get_ref<json::array_t&>();
      for (simdjson::dom::element item : simdjson::dom::array(e)) items.push_back(Convert(item));
      return out;
    }
    case element_type::STRING:
      return json(std::string(std::string_view(e)));
    case element_type::INT64: {
      const int64_t v = int64_t(e);
      return v >= 0 ? json(static_cast<uint64_t>(v)) : json(v);
    }
    case element_type::UINT64:
      return json(uint64_t(e));
    case element_type::DOUBLE:
      return json(double(e));
    case element_type::BOOL:
      return json(bool(e));
    case element_type::NULL_VALUE:
      break;
  }
  return json(nullptr);
}

}  // namespace

json ParseJson(std::string_view text) {
  // One parser per thread: it keeps its buffers between bodies.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text.data(), text.size(), true).get(doc) != simdjson::SUCCESS)
    return json::parse(text, nullptr, false);
  return Convert(doc);
}

}  // namespace syncline::connectors
