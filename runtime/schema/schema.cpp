// The schema model's small helpers: names for messages, field and option lookup, Salesforce
// dependent-picklist bitmaps, and lookup in the embedded builtin table.
#include "schema/schema.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "schema/builtin_schemas.h"
#include "schema/text_util.h"

namespace syncline::schema {

std::string_view CrmName(Crm crm) {
  return crm == Crm::kHubSpot ? "HubSpot" : "Salesforce";
}

std::string_view ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kText:
      return "text";
    case ValueKind::kNumber:
      return "number";
    case ValueKind::kInteger:
      return "integer";
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kDate:
      return "date";
    case ValueKind::kDateTime:
      return "datetime";
    case ValueKind::kEnum:
      return "enumeration";
    case ValueKind::kMultiEnum:
      return "multi-select";
    case ValueKind::kReference:
      return "reference";
    case ValueKind::kId:
      return "id";
    case ValueKind::kOther:
      return "other";
  }
  return "other";
}

const Option* Field::FindOption(std::string_view value) const {
  for (const Option& option : options) {
    if (option.value == value) return &option;
  }
  return nullptr;
}

const Field* Object::FindField(std::string_view field_name) const {
  for (const Field& field : fields) {
    if (crm == Crm::kHubSpot ? field.name == field_name
                             : internal::EqualsIgnoreCase(field.name, field_name)) {
      return &field;
    }
  }
  return nullptr;
}

bool Object::KnowsRecordTypes() const {
  return std::any_of(record_types.begin(), record_types.end(),
                     [](const RecordType& rt) { return !rt.master; });
}

const RecordType* Object::FindRecordType(std::string_view key) const {
  for (const RecordType& rt : record_types)
    if (rt.developer_name == key) return &rt;
  // Ids: 15 characters are the case-sensitive form of the 18.
  if (key.size() == 15 || key.size() == 18)
    for (const RecordType& rt : record_types)
      if (rt.id.size() >= 15 && key.substr(0, 15) == std::string_view(rt.id).substr(0, 15))
        return &rt;
  return nullptr;
}

namespace {

// The 6-bit value of a base64 character, or -1.
int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

bool ValidFor(std::string_view valid_for, std::size_t index) {
  // Decode only the byte that holds bit `index`: 4 characters carry 3 bytes.
  const std::size_t byte = index / 8;
  const std::size_t group = byte / 3;
  if (group * 4 + 4 > valid_for.size()) return false;
  uint32_t bits = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    char c = valid_for[group * 4 + i];
    int digit = c == '=' ? 0 : Base64Digit(c);
    if (digit < 0) return false;
    bits = (bits << 6) | static_cast<uint32_t>(digit);
  }
  const uint32_t value = (bits >> (8 * (2 - byte % 3))) & 0xFF;
  // Most significant bit first within each byte.
  return (value & (0x80u >> (index % 8))) != 0;
}

const Option* FindDependentOption(const Field& dependent, const Field& controller,
                                  std::string_view value, std::string_view controller_value) {
  for (std::size_t i = 0; i < controller.options.size(); ++i) {
    if (controller.options[i].value != controller_value) continue;
    for (const Option& option : dependent.options) {
      if (option.value == value && ValidFor(option.valid_for, i)) return &option;
    }
    return nullptr;
  }
  return nullptr;
}

std::optional<std::string_view> BuiltinJson(Crm crm, std::string_view name) {
  for (const internal::BuiltinSchema& schema : internal::BuiltinSchemas()) {
    if (schema.crm != crm) continue;
    if (crm == Crm::kHubSpot ? schema.name == name
                             : internal::EqualsIgnoreCase(schema.name, name)) {
      return schema.json;
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> BuiltinObjectNames(Crm crm) {
  std::vector<std::string_view> names;
  for (const internal::BuiltinSchema& schema : internal::BuiltinSchemas()) {
    if (schema.crm == crm) names.push_back(schema.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace syncline::schema
