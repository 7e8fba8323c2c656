// Object definitions the sandboxes validate against: fields, types, picklist options, required
// and read-only flags, key prefixes. The sandboxes only see this interface; schema_adapter.h
// maps the project's `syncline_schema` definitions onto it, and the default catalog
// (builtin_catalog.cpp) is the builtin schemas plus the test portal's customisation.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace syncline::sandbox {

enum class Vendor { kHubSpot, kSalesforce };

// One storage-level kind per field; `api_type` keeps the vendor's own type name for describe
// and property bodies (e.g. "picklist", "enumeration", "currency").
enum class FieldKind {
  kString,
  kText,
  kEmail,
  kPhone,
  kUrl,
  kNumber,
  kInteger,
  kBool,
  kDate,
  kDateTime,
  kEnum,
  kMultiEnum,
  kReference,
  kId,
};

struct FieldOption {
  std::string value;
  std::string label;
  // For dependent picklists: the controlling values this option is valid for.
  std::vector<std::string> valid_for;
  bool is_default = false;
  int display_order = 0;
};

struct FieldDef {
  std::string name;
  std::string label;
  FieldKind kind = FieldKind::kString;
  std::string api_type;    // vendor type name ("string", "picklist", "enumeration", ...)
  std::string field_type;  // HubSpot fieldType ("text", "select", ...); empty for Salesforce
  bool required_on_create = false;
  bool read_only = false;    // never writable by API clients
  bool create_only = false;  // writable on create, not on update
  bool restricted = false;   // picklist values are enforced
  bool unique = false;       // HubSpot hasUniqueValue / Salesforce unique
  bool external_id = false;  // Salesforce externalId (upsert key)
  std::vector<FieldOption> options;
  std::string controller;                 // controlling field of a dependent picklist
  std::vector<std::string> reference_to;  // target objects of a reference
  std::string relationship_name;          // e.g. "Account" for AccountId
  std::string group = "";                 // HubSpot groupName
  int length = 255;
};

struct ObjectDef {
  Vendor vendor = Vendor::kHubSpot;
  std::string name;  // "contacts", "Account"
  std::string label;
  std::string object_type_id;  // HubSpot "0-1"; empty for Salesforce
  std::string key_prefix;      // Salesforce "001"; empty for HubSpot
  bool custom = false;
  std::vector<std::string> default_properties;  // HubSpot: returned when none are requested
  std::string primary_display_property;
  std::vector<FieldDef> fields;

  const FieldDef* Find(std::string_view field) const;  // exact, then case-insensitive
  // Builds the name index Find uses; call after the field list is final (Find falls back to
  // a scan while the index is missing or stale).
  void BuildIndex();

  std::unordered_map<std::string, size_t> index;  // field name -> position in `fields`
};

class ObjectCatalog {
 public:
  virtual ~ObjectCatalog() = default;
  virtual std::vector<ObjectDef> Objects(Vendor vendor) const = 0;
};

// The builtin schemas (standard objects) plus one custom object per vendor and the test
// portal's and org's custom fields (see builtin_catalog.cpp).
std::shared_ptr<const ObjectCatalog> BuiltinCatalog();

}  // namespace syncline::sandbox
