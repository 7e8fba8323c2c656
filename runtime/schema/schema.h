// CRM object schemas: the fields, types, picklist values and create rules of HubSpot and
// Salesforce objects, read from the JSON the CRMs' own APIs return (HubSpot properties and
// custom-object schemas, Salesforce sObject describe). The type checker, the sandboxes and
// the connectors all read schemas through this one model. Builtin standard objects are
// embedded at build time; a directory can add or override objects (`--schemas DIR`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace syncline::schema {

enum class Crm : uint8_t { kHubSpot, kSalesforce };

// "HubSpot" / "Salesforce", for messages.
std::string_view CrmName(Crm crm);

// The value kinds the type checker reasons about (both CRMs' types map onto these).
// kOther covers API types no mapping can use (Salesforce address, location, time, base64,
// anyType, complexvalue).
enum class ValueKind : uint8_t {
  kText,
  kNumber,
  kInteger,
  kBool,
  kDate,
  kDateTime,
  kEnum,
  kMultiEnum,
  kReference,
  kId,
  kOther,
};

// "text", "number", ... for messages.
std::string_view ValueKindName(ValueKind kind);

struct Option {
  std::string value;  // the stored (internal) value: HubSpot option value, Salesforce API value
  std::string label;
  int display_order = 0;
  bool active = true;       // HubSpot: !hidden; Salesforce: active
  bool is_default = false;  // Salesforce defaultValue
  std::string valid_for;    // Salesforce dependent picklists: base64 bitmap over controller values
};

struct Field {
  std::string name, label;
  ValueKind kind = ValueKind::kText;
  // The API's own type name: HubSpot "string"/"enumeration"/..., Salesforce "picklist"/...
  std::string api_type;
  // HubSpot fieldType ("select", "radio", "checkbox", "booleancheckbox", "text", "textarea",
  // "number", "date", "phonenumber", ...); Salesforce: same as api_type.
  std::string field_type;
  // Salesforce: nillable:false && createable:true && defaultedOnCreate:false.
  // HubSpot: the documented create requirements (deals, tickets, engagements) or a custom
  // object's requiredProperties; the properties API itself has no such flag.
  bool required_on_create = false;
  bool createable = true;   // may be set when creating a record
  bool updateable = true;   // may be set when updating one
  bool read_only = false;   // neither createable nor updateable (includes calculated)
  bool calculated = false;  // derived by the CRM (formula, HubSpot calculated property)
  // Values outside `options` are rejected: Salesforce restrictedPicklist; HubSpot
  // enumerations with their own options (the API answers INVALID_OPTION).
  bool restricted = false;
  bool unique = false;       // Salesforce unique; HubSpot hasUniqueValue
  bool external_id = false;  // Salesforce externalId
  bool custom = false;       // Salesforce custom; HubSpot !hubspotDefined
  // HubSpot property referencing users/owners (referencedObjectType "OWNER"). R20 forbids
  // mapping custom ones (custom && hubspot_user); hubspot_owner_id syncs by owner sync (R114).
  bool hubspot_user = false;
  int length = 0;  // max characters for text (Salesforce length; HubSpot strings 65536)
  int precision = 0, scale = 0;           // Salesforce numbers
  std::vector<Option> options;            // in display order
  std::vector<std::string> reference_to;  // Salesforce referenceTo; HubSpot referencedObjectType
  std::string relationship_name;          // Salesforce relationshipName ("Owner")
  std::string controller;                 // Salesforce controllerName (StateCode -> CountryCode)
  std::string group;                      // HubSpot groupName ("contactinformation")

  // The first option with this stored value (exact match), or null. Values of a dependent
  // picklist can repeat (StateCode "WA" is Washington and Western Australia): look those up
  // with FindDependentOption.
  const Option* FindOption(std::string_view value) const;
};

// Salesforce record types of an object (describe `recordTypeInfos`).
struct RecordType {
  std::string id;              // recordTypeId, "012..."
  std::string name;            // the label ("Enterprise Deals")
  std::string developer_name;  // the API name ("Enterprise")
  bool active = true;
  bool master = false;  // the Master record type every object has (012000000000000AAA)
  bool default_mapping = false;
};

struct Object {
  Crm crm = Crm::kHubSpot;
  std::string name, label;
  std::string key_prefix;                        // Salesforce id prefix ("00Q")
  std::string object_type_id;                    // HubSpot "0-1", "2-3456789"
  std::string fully_qualified_name;              // HubSpot custom objects: "p12345_vehicles"
  std::string primary_display_property;          // HubSpot custom objects
  std::vector<std::string> required_properties;  // HubSpot
  std::vector<std::string> associations;         // HubSpot custom objects: toObjectTypeId of each
  bool custom = false;
  bool createable = true, updateable = true, deletable = true, queryable = true;
  std::vector<Field> fields;  // file order
  // Salesforce: the describe's recordTypeInfos, Master included; empty when it had none.
  std::vector<RecordType> record_types;

  // HubSpot: exact; Salesforce: case-insensitive (API names are).
  const Field* FindField(std::string_view name) const;
  // Whether the record types say more than the Master every object has: an org's own record
  // types, known from its describe (a `--schemas` file, a live describe).
  bool KnowsRecordTypes() const;
  // The record type with this developer name (exact) or id (15 or 18 characters), or null.
  const RecordType* FindRecordType(std::string_view developer_name_or_id) const;
};

struct LoadError {
  std::string path;
  std::string message;
};

// The set of objects the checker and runtime know: builtins, plus what directories add.
class SchemaEnv {
 public:
  // The standard objects, embedded in the library at build time (no files needed at run time).
  static SchemaEnv Builtin();

  // Reads DIR/hubspot/*.json (properties results, a /crm/v3/schemas object, or a
  // /crm/v3/schemas list) and DIR/salesforce/*.json (describe). A file for an object that
  // already exists is merged into it: its fields replace same-named fields and new ones are
  // appended, so a file may hold only custom fields. A missing dir, unreadable file,
  // malformed JSON or wrong shape is a LoadError naming the file; the other files still load.
  std::vector<LoadError> LoadDirectory(const std::filesystem::path& dir);

  // Adds an object, or merges it into an existing one as LoadDirectory does.
  void Add(Object object);

  // HubSpot: by name, objectTypeId, fullyQualifiedName and "p_<name>"; Salesforce:
  // case-insensitive name.
  const Object* Find(Crm crm, std::string_view name) const;

  // Sorted by name.
  std::vector<const Object*> Objects(Crm crm) const;

 private:
  // Builtin objects are parsed on first use: most runs touch a few of them, and parsing all
  // the embedded JSON (about 1 MB) would dominate a `syncline check` of a small file.
  void Materialize(Crm crm, const std::string& key) const;
  void MaterializeAll(Crm crm) const;

  // Keyed by HubSpot name / lower-cased Salesforce name; map nodes keep pointers stable.
  mutable std::map<std::string, Object, std::less<>> hubspot_, salesforce_;
  // Builtins not parsed yet, by the same keys: index into the embedded schema table.
  mutable std::map<std::string, std::size_t, std::less<>> pending_hubspot_, pending_salesforce_;
  // Lookups may parse, so they are serialised; copies share the lock, which is harmless.
  std::shared_ptr<std::mutex> mutex_ = std::make_shared<std::mutex>();
};

// Parsers used by the loader, the sandboxes and the connectors (they read the same shapes
// over HTTP). Each returns the object or a message saying what is wrong.
std::variant<Object, std::string> ParseHubSpotProperties(std::string_view object_name,
                                                         std::string_view json);
std::variant<Object, std::string> ParseHubSpotObjectSchema(std::string_view json);
std::variant<Object, std::string> ParseSalesforceDescribe(std::string_view json);

// The raw JSON of a builtin object exactly as the API would return it (the sandboxes serve
// it): HubSpot by object name ("contacts"), Salesforce by case-insensitive name ("Lead").
std::optional<std::string_view> BuiltinJson(Crm crm, std::string_view name);

// The names of the builtin objects of one CRM, sorted.
std::vector<std::string_view> BuiltinObjectNames(Crm crm);

// Dependent picklists (Salesforce validFor): whether controller value number `index` (its
// position in the controller's options) enables the option. Malformed base64 enables nothing.
bool ValidFor(std::string_view valid_for, std::size_t index);

// The option of `dependent` with this value that is valid for the controller value
// `controller_value` (e.g. StateCode "WA" under CountryCode "AU"), or null.
const Option* FindDependentOption(const Field& dependent, const Field& controller,
                                  std::string_view value, std::string_view controller_value);

}  // namespace syncline::schema
