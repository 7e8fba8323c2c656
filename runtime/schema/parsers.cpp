// Parsers from the CRMs' JSON (HubSpot properties and custom-object schemas, Salesforce
// describe) to the schema model. They never throw: every problem becomes a message that says
// which property or field is wrong, so a loader can name the file and carry on.
#include "schema/parsers.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <unordered_set>
#include <utility>

#include "schema/text_util.h"

namespace syncline::schema {

using nlohmann::json;

namespace {

// Lenient accessors: a missing key or null gives the default, as the APIs omit or null out
// many attributes. Keys whose type is wrong count as missing; required keys are checked
// explicitly by the callers.
std::string Str(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Bool(const json& object, const char* key, bool fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

int Int(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return 0;
  double value = it->get<double>();
  // Clamp so absurd numbers in a user file cannot overflow the conversion.
  return static_cast<int>(std::clamp(value, -1e9, 1e9));
}

const json* Member(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::variant<json, std::string> ParseJson(std::string_view text) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 3, column 5: ..." -> the part an
    // admin can use.
    std::string message = e.what();
    if (auto end = message.find("] "); message.starts_with("[json.") && end != std::string::npos) {
      message.erase(0, end + 2);
    }
    return "malformed JSON: " + message;
  }
}

std::string Quote(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// ---- HubSpot --------------------------------------------------------------------------------

struct HubSpotStandard {
  std::string_view name, object_type_id, label;
  std::array<std::string_view, 3> required;
};

// A2's object type ids; the create requirements are HubSpot's documented ones (deals need a
// name, pipeline and stage; tickets a subject, pipeline and status; engagements hs_timestamp,
// A9). The properties API does not carry them, so they live here.
constexpr std::array<HubSpotStandard, 9> kHubSpotStandard{{
    {"contacts", "0-1", "Contact", {}},
    {"companies", "0-2", "Company", {}},
    {"deals", "0-3", "Deal", {"dealname", "pipeline", "dealstage"}},
    {"tickets", "0-5", "Ticket", {"subject", "hs_pipeline", "hs_pipeline_stage"}},
    {"tasks", "0-27", "Task", {"hs_timestamp"}},
    {"notes", "0-46", "Note", {"hs_timestamp"}},
    {"meetings", "0-47", "Meeting", {"hs_timestamp"}},
    {"calls", "0-48", "Call", {"hs_timestamp"}},
    {"emails", "0-49", "Email", {"hs_timestamp"}},
}};

std::optional<ValueKind> HubSpotKind(std::string_view type, std::string_view field_type) {
  if (type == "string" || type == "phone_number" || type == "json") return ValueKind::kText;
  if (type == "number") return ValueKind::kNumber;
  if (type == "bool") return ValueKind::kBool;
  if (type == "date") return ValueKind::kDate;
  if (type == "datetime" || type == "dateTime") return ValueKind::kDateTime;
  if (type == "object_coordinates") return ValueKind::kOther;
  if (type == "enumeration") {
    if (field_type == "checkbox") return ValueKind::kMultiEnum;
    if (field_type == "booleancheckbox") return ValueKind::kBool;
    return ValueKind::kEnum;
  }
  return std::nullopt;
}

// One property, or a message. Archived properties give an empty name (the caller skips them).
std::variant<Field, std::string> ParseHubSpotProperty(const json& property, std::size_t index) {
  if (!property.is_object()) {
    return "property #" + std::to_string(index + 1) + " is not a JSON object";
  }
  Field field;
  field.name = Str(property, "name");
  if (field.name.empty()) {
    return "property #" + std::to_string(index + 1) + " has no \"name\"";
  }
  field.api_type = Str(property, "type");
  field.field_type = Str(property, "fieldType");
  if (field.api_type.empty()) return "property " + field.name + " has no \"type\"";
  std::optional<ValueKind> kind = HubSpotKind(field.api_type, field.field_type);
  if (!kind) return "property " + field.name + " has unknown type " + Quote(field.api_type);
  field.kind = *kind;
  field.label = Str(property, "label");
  field.group = Str(property, "groupName");
  field.calculated = Bool(property, "calculated", false);
  bool read_only_value = false;
  if (const json* meta = Member(property, "modificationMetadata"); meta && meta->is_object()) {
    read_only_value = Bool(*meta, "readOnlyValue", false);
  }
  field.read_only = read_only_value || field.calculated;
  field.createable = field.updateable = !field.read_only;
  field.unique = Bool(property, "hasUniqueValue", false);
  field.custom = !Bool(property, "hubspotDefined", false);
  const bool external_options = Bool(property, "externalOptions", false);
  std::string referenced = Str(property, "referencedObjectType");
  if (!referenced.empty()) field.reference_to.push_back(referenced);
  field.hubspot_user = referenced == "OWNER";
  field.restricted =
      (field.kind == ValueKind::kEnum || field.kind == ValueKind::kMultiEnum) && !external_options;
  if (field.kind == ValueKind::kText) field.length = 65536;

  if (const json* options = Member(property, "options"); options && !options->is_null()) {
    if (!options->is_array())
      return "property " + field.name + " has \"options\" that is not a list";
    for (const json& option : *options) {
      if (!option.is_object() || !option.contains("value")) {
        return "property " + field.name + " has an option without a \"value\"";
      }
      Option parsed;
      parsed.value = Str(option, "value");
      parsed.label = Str(option, "label");
      parsed.display_order = Int(option, "displayOrder");
      parsed.active = !Bool(option, "hidden", false);
      field.options.push_back(std::move(parsed));
    }
    // Stable by display order (ties keep file order). Not std::stable_sort: with clang 19 and
    // libstdc++ 12 it trips a deprecation warning (get_temporary_buffer).
    std::vector<std::size_t> order(field.options.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      int da = field.options[a].display_order, db = field.options[b].display_order;
      return da != db ? da < db : a < b;
    });
    std::vector<Option> sorted;
    sorted.reserve(order.size());
    for (std::size_t i : order) sorted.push_back(std::move(field.options[i]));
    field.options = std::move(sorted);
  }
  if (Bool(property, "archived", false)) field.name.clear();
  return field;
}

std::optional<std::string> ParseHubSpotPropertyList(const json& list, Object& object) {
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto parsed = ParseHubSpotProperty(list[i], i);
    if (auto* error = std::get_if<std::string>(&parsed)) return std::move(*error);
    Field& field = std::get<Field>(parsed);
    if (field.name.empty()) continue;
    if (!seen.insert(field.name).second) return "property " + field.name + " is listed twice";
    object.fields.push_back(std::move(field));
  }
  return std::nullopt;
}

std::variant<Object, std::string> PropertiesToObject(std::string_view object_name,
                                                     const json& body) {
  const json* results = body.is_object() ? Member(body, "results") : nullptr;
  if (!results || !results->is_array()) {
    return std::string("expected a HubSpot properties body {\"results\": [property...]}");
  }
  Object object;
  object.crm = Crm::kHubSpot;
  object.name = std::string(object_name);
  object.label = object.name;
  // Not a standard object: the properties of a custom object named by its file.
  object.custom = true;
  for (const HubSpotStandard& standard : kHubSpotStandard) {
    if (standard.name != object_name) continue;
    object.custom = false;
    object.object_type_id = std::string(standard.object_type_id);
    object.label = std::string(standard.label);
    for (std::string_view name : standard.required) {
      if (!name.empty()) object.required_properties.emplace_back(name);
    }
  }
  if (auto error = ParseHubSpotPropertyList(*results, object)) return std::move(*error);
  internal::ApplyHubSpotRequired(object);
  return object;
}

std::variant<Object, std::string> SchemaToObject(const json& schema) {
  if (!schema.is_object()) return std::string("expected a HubSpot object schema (a JSON object)");
  Object object;
  object.crm = Crm::kHubSpot;
  object.name = Str(schema, "name");
  if (object.name.empty()) return std::string("the object schema has no \"name\"");
  object.object_type_id = Str(schema, "objectTypeId");
  object.fully_qualified_name = Str(schema, "fullyQualifiedName");
  object.primary_display_property = Str(schema, "primaryDisplayProperty");
  object.custom = object.object_type_id.starts_with("2-");
  object.label = object.name;
  if (const json* labels = Member(schema, "labels"); labels && labels->is_object()) {
    if (std::string singular = Str(*labels, "singular"); !singular.empty()) object.label = singular;
  }
  if (const json* required = Member(schema, "requiredProperties");
      required && required->is_array()) {
    for (const json& name : *required) {
      if (name.is_string()) object.required_properties.push_back(name.get<std::string>());
    }
  }
  if (const json* associations = Member(schema, "associations");
      associations && associations->is_array()) {
    for (const json& association : *associations) {
      if (!association.is_object()) continue;
      if (std::string to = Str(association, "toObjectTypeId"); !to.empty()) {
        object.associations.push_back(std::move(to));
      }
    }
  }
  const json* properties = Member(schema, "properties");
  if (!properties || !properties->is_array()) {
    return "object schema " + object.name + " has no \"properties\" list";
  }
  if (auto error = ParseHubSpotPropertyList(*properties, object)) {
    return "object schema " + object.name + ": " + *error;
  }
  internal::ApplyHubSpotRequired(object);
  return object;
}

// ---- Salesforce -----------------------------------------------------------------------------

std::optional<ValueKind> SalesforceKind(std::string_view type) {
  static constexpr std::array<std::pair<std::string_view, ValueKind>, 25> kKinds{{
      {"string", ValueKind::kText},
      {"textarea", ValueKind::kText},
      {"email", ValueKind::kText},
      {"phone", ValueKind::kText},
      {"url", ValueKind::kText},
      {"combobox", ValueKind::kText},
      {"encryptedstring", ValueKind::kText},
      {"int", ValueKind::kInteger},
      {"long", ValueKind::kInteger},
      {"double", ValueKind::kNumber},
      {"currency", ValueKind::kNumber},
      {"percent", ValueKind::kNumber},
      {"boolean", ValueKind::kBool},
      {"date", ValueKind::kDate},
      {"datetime", ValueKind::kDateTime},
      {"picklist", ValueKind::kEnum},
      {"multipicklist", ValueKind::kMultiEnum},
      {"reference", ValueKind::kReference},
      {"id", ValueKind::kId},
      {"time", ValueKind::kOther},
      {"base64", ValueKind::kOther},
      {"address", ValueKind::kOther},
      {"location", ValueKind::kOther},
      {"anyType", ValueKind::kOther},
      {"complexvalue", ValueKind::kOther},
  }};
  for (const auto& [name, kind] : kKinds) {
    if (name == type) return kind;
  }
  return std::nullopt;
}

std::variant<Field, std::string> ParseSalesforceField(const json& entry, std::size_t index) {
  if (!entry.is_object()) return "field #" + std::to_string(index + 1) + " is not a JSON object";
  Field field;
  field.name = Str(entry, "name");
  if (field.name.empty()) return "field #" + std::to_string(index + 1) + " has no \"name\"";
  field.api_type = Str(entry, "type");
  if (field.api_type.empty()) return "field " + field.name + " has no \"type\"";
  std::optional<ValueKind> kind = SalesforceKind(field.api_type);
  if (!kind) return "field " + field.name + " has unknown type " + Quote(field.api_type);
  field.kind = *kind;
  field.field_type = field.api_type;
  field.label = Str(entry, "label");
  // Attributes a partial override file leaves out default to an ordinary editable field.
  field.createable = Bool(entry, "createable", true);
  field.updateable = Bool(entry, "updateable", true);
  field.read_only = !field.createable && !field.updateable;
  field.calculated = Bool(entry, "calculated", false);
  field.required_on_create = !Bool(entry, "nillable", true) && field.createable &&
                             !Bool(entry, "defaultedOnCreate", false);
  field.restricted = (field.kind == ValueKind::kEnum || field.kind == ValueKind::kMultiEnum) &&
                     Bool(entry, "restrictedPicklist", false);
  field.unique = Bool(entry, "unique", false);
  field.external_id = Bool(entry, "externalId", false);
  field.custom = Bool(entry, "custom", false);
  field.length = Int(entry, "length");
  field.precision = Int(entry, "precision");
  field.scale = Int(entry, "scale");
  field.relationship_name = Str(entry, "relationshipName");
  field.controller = Str(entry, "controllerName");
  if (const json* targets = Member(entry, "referenceTo"); targets && targets->is_array()) {
    for (const json& target : *targets) {
      if (target.is_string()) field.reference_to.push_back(target.get<std::string>());
    }
  }
  if (const json* values = Member(entry, "picklistValues"); values && !values->is_null()) {
    if (!values->is_array())
      return "field " + field.name + " has \"picklistValues\" that is not a list";
    int order = 0;
    for (const json& value : *values) {
      if (!value.is_object() || !value.contains("value")) {
        return "field " + field.name + " has a picklist value without a \"value\"";
      }
      Option option;
      option.value = Str(value, "value");
      option.label = Str(value, "label");
      option.display_order = order++;
      option.active = Bool(value, "active", true);
      option.is_default = Bool(value, "defaultValue", false);
      option.valid_for = Str(value, "validFor");
      field.options.push_back(std::move(option));
    }
  }
  return field;
}

}  // namespace

namespace internal {

void ApplyHubSpotRequired(Object& object) {
  for (Field& field : object.fields) {
    field.required_on_create =
        std::find(object.required_properties.begin(), object.required_properties.end(),
                  field.name) != object.required_properties.end();
  }
}

std::variant<std::vector<Object>, std::string> ParseHubSpotFile(std::string_view stem,
                                                                std::string_view text) {
  auto parsed = ParseJson(text);
  if (auto* error = std::get_if<std::string>(&parsed)) return std::move(*error);
  const json& body = std::get<json>(parsed);
  std::vector<Object> objects;
  auto take = [&objects](std::variant<Object, std::string>&& result) -> std::optional<std::string> {
    if (auto* error = std::get_if<std::string>(&result)) return std::move(*error);
    objects.push_back(std::move(std::get<Object>(result)));
    return std::nullopt;
  };
  std::optional<std::string> error;
  if (body.is_object() && body.contains("objectTypeId")) {
    error = take(SchemaToObject(body));  // one /crm/v3/schemas object
  } else if (const json* results = body.is_object() ? Member(body, "results") : nullptr;
             results && results->is_array() && !results->empty() && (*results)[0].is_object() &&
             (*results)[0].contains("objectTypeId")) {
    for (const json& schema : *results) {  // the /crm/v3/schemas list
      if ((error = take(SchemaToObject(schema)))) break;
    }
  } else {
    error = take(PropertiesToObject(stem, body));
  }
  if (error) return std::move(*error);
  return objects;
}

}  // namespace internal

std::variant<Object, std::string> ParseHubSpotProperties(std::string_view object_name,
                                                         std::string_view text) {
  auto parsed = ParseJson(text);
  if (auto* error = std::get_if<std::string>(&parsed)) return std::move(*error);
  return PropertiesToObject(object_name, std::get<json>(parsed));
}

std::variant<Object, std::string> ParseHubSpotObjectSchema(std::string_view text) {
  auto parsed = ParseJson(text);
  if (auto* error = std::get_if<std::string>(&parsed)) return std::move(*error);
  return SchemaToObject(std::get<json>(parsed));
}

std::variant<Object, std::string> ParseSalesforceDescribe(std::string_view text) {
  auto parsed = ParseJson(text);
  if (auto* error = std::get_if<std::string>(&parsed)) return std::move(*error);
  const json& body = std::get<json>(parsed);
  if (!body.is_object()) return std::string("expected a Salesforce describe (a JSON object)");
  Object object;
  object.crm = Crm::kSalesforce;
  object.name = Str(body, "name");
  if (object.name.empty()) return std::string("the describe has no \"name\"");
  object.label = Str(body, "label");
  if (object.label.empty()) object.label = object.name;
  object.key_prefix = Str(body, "keyPrefix");
  object.custom = Bool(body, "custom", object.name.ends_with("__c"));
  object.createable = Bool(body, "createable", true);
  object.updateable = Bool(body, "updateable", true);
  object.deletable = Bool(body, "deletable", true);
  object.queryable = Bool(body, "queryable", true);
  const json* fields = Member(body, "fields");
  if (!fields || !fields->is_array())
    return "describe of " + object.name + " has no \"fields\" list";
  std::unordered_set<std::string> seen;  // lower-cased: API names are case-insensitive
  for (std::size_t i = 0; i < fields->size(); ++i) {
    auto field = ParseSalesforceField((*fields)[i], i);
    if (auto* error = std::get_if<std::string>(&field)) return std::move(*error);
    if (!seen.insert(internal::LowerAscii(std::get<Field>(field).name)).second) {
      return "field " + std::get<Field>(field).name + " is listed twice";
    }
    object.fields.push_back(std::move(std::get<Field>(field)));
  }
  if (const json* infos = Member(body, "recordTypeInfos"); infos && infos->is_array()) {
    for (const json& info : *infos) {
      if (!info.is_object()) continue;
      RecordType rt;
      rt.id = Str(info, "recordTypeId");
      rt.name = Str(info, "name");
      rt.developer_name = Str(info, "developerName");
      rt.active = Bool(info, "active", true);
      rt.master = Bool(info, "master", false);
      rt.default_mapping = Bool(info, "defaultRecordTypeMapping", false);
      object.record_types.push_back(std::move(rt));
    }
  }
  return object;
}

}  // namespace syncline::schema
