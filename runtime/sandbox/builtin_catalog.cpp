// The sandboxes' default catalog. Standard objects come from the project's builtin schemas
// (runtime/schema: schemas/hubspot/*.json and schemas/salesforce/*.json, the same files the
// type checker reads) through schema_adapter; nothing about them is restated here.
//
// What is left is the test portal's and test org's own customisation, written in the vendors'
// API shapes (a /crm/v3/schemas object, properties bodies, describe fragments) and merged with
// SchemaEnv::Add exactly as a `--schemas DIR` folder would be. It is not standard data, so it
// cannot live in schemas/, and the conformance tests, the demo data, the connector tests and
// the benchmark are written against it:
//   - one custom object per vendor (HubSpot `vehicles` 2-1001, Salesforce `Vehicle__c` a01),
//     for custom-object behaviour;
//   - the id fields a HubSpot <-> Salesforce sync installs (external ids on the Salesforce side,
//     `salesforcecaseid` on tickets) plus Account `External_Id__c` (unique) for upserts;
//   - three contact properties the validation tests use (a number, a multi-select checkbox and
//     a free-text lead source) and Account `AccountSource`, which the describe in schemas/
//     leaves out.
#include <string_view>
#include <variant>

#include "sandbox/object_catalog.h"
#include "sandbox/schema_adapter.h"
#include "schema/schema.h"

namespace syncline::sandbox {
namespace {

namespace sc = schema;

constexpr std::string_view kVehicles = R"({
  "name": "vehicles", "objectTypeId": "2-1001", "fullyQualifiedName": "p1234567_vehicles",
  "labels": {"singular": "Vehicle", "plural": "Vehicles"},
  "primaryDisplayProperty": "vin", "requiredProperties": ["vin"],
  "properties": [
    {"name": "vin", "label": "VIN", "type": "string", "fieldType": "text",
     "groupName": "vehicleinformation", "hasUniqueValue": true},
    {"name": "make", "label": "Make", "type": "string", "fieldType": "text",
     "groupName": "vehicleinformation"},
    {"name": "model", "label": "Model", "type": "string", "fieldType": "text",
     "groupName": "vehicleinformation"},
    {"name": "year", "label": "Year", "type": "number", "fieldType": "number",
     "groupName": "vehicleinformation"},
    {"name": "condition", "label": "Condition", "type": "enumeration", "fieldType": "select",
     "groupName": "vehicleinformation", "options": [
       {"label": "new", "value": "new", "displayOrder": 0},
       {"label": "used", "value": "used", "displayOrder": 1},
       {"label": "certified", "value": "certified", "displayOrder": 2}]},
    {"name": "hs_object_id", "label": "Record ID", "type": "number", "fieldType": "number",
     "groupName": "vehicleinformation", "hubspotDefined": true,
     "modificationMetadata": {"readOnlyValue": true}},
    {"name": "hs_createdate", "label": "Create date", "type": "datetime", "fieldType": "date",
     "groupName": "vehicleinformation", "hubspotDefined": true,
     "modificationMetadata": {"readOnlyValue": true}},
    {"name": "hs_lastmodifieddate", "label": "Last modified date", "type": "datetime",
     "fieldType": "date", "groupName": "vehicleinformation", "hubspotDefined": true,
     "modificationMetadata": {"readOnlyValue": true}},
    {"name": "hubspot_owner_id", "label": "Owner", "type": "enumeration", "fieldType": "select",
     "groupName": "vehicleinformation", "hubspotDefined": true, "externalOptions": true,
     "referencedObjectType": "OWNER", "options": []}]})";

constexpr std::string_view kContactProperties = R"({"results": [
  {"name": "num_employees", "label": "Employees", "type": "number", "fieldType": "number",
   "groupName": "contactinformation"},
  {"name": "hs_interests", "label": "Interests", "type": "enumeration", "fieldType": "checkbox",
   "groupName": "contactinformation", "options": [
     {"label": "product", "value": "product", "displayOrder": 0},
     {"label": "pricing", "value": "pricing", "displayOrder": 1},
     {"label": "support", "value": "support", "displayOrder": 2},
     {"label": "events", "value": "events", "displayOrder": 3}]},
  {"name": "leadsource", "label": "Lead source", "type": "string", "fieldType": "text",
   "groupName": "contactinformation"}]})";

constexpr std::string_view kTicketProperties = R"({"results": [
  {"name": "salesforcecaseid", "label": "Salesforce case ID", "type": "string",
   "fieldType": "text", "groupName": "ticketinformation"}]})";

// Describe fragments: only the attributes that differ from an ordinary editable field.
constexpr std::string_view kSalesforceFields[] = {
    R"({"name": "Account", "fields": [
      {"name": "AccountSource", "label": "Account Source", "type": "picklist", "picklistValues": [
        {"value": "Web", "label": "Web"}, {"value": "Phone Inquiry", "label": "Phone Inquiry"},
        {"value": "Partner Referral", "label": "Partner Referral"},
        {"value": "Purchased List", "label": "Purchased List"},
        {"value": "Other", "label": "Other"}]},
      {"name": "External_Id__c", "label": "External Id", "type": "string", "length": 255,
       "externalId": true, "unique": true, "custom": true},
      {"name": "HubSpot_Company_Id__c", "label": "HubSpot Company Id", "type": "string",
       "length": 255, "externalId": true, "custom": true}]})",
    R"({"name": "Contact", "fields": [
      {"name": "HubSpot_Contact_Id__c", "label": "HubSpot Contact Id", "type": "string",
       "length": 255, "externalId": true, "custom": true}]})",
    R"({"name": "Lead", "fields": [
      {"name": "HubSpot_Contact_Id__c", "label": "HubSpot Contact Id", "type": "string",
       "length": 255, "externalId": true, "custom": true}]})",
    R"({"name": "Opportunity", "fields": [
      {"name": "HubSpot_Deal_Id__c", "label": "HubSpot Deal Id", "type": "string",
       "length": 255, "externalId": true, "custom": true}]})",
    R"({"name": "Case", "fields": [
      {"name": "HubSpot_Ticket_Id__c", "label": "HubSpot Ticket Id", "type": "string",
       "length": 255, "externalId": true, "custom": true}]})",
    R"({"name": "Task", "fields": [
      {"name": "HubSpot_Engagement_Id__c", "label": "HubSpot Engagement Id", "type": "string",
       "length": 255, "externalId": true, "custom": true}]})",
    R"({"name": "Vehicle__c", "label": "Vehicle", "keyPrefix": "a01", "custom": true, "fields": [
      {"name": "Id", "label": "Record ID", "type": "id", "length": 18, "nillable": false,
       "createable": false, "updateable": false, "defaultedOnCreate": true},
      {"name": "IsDeleted", "label": "Deleted", "type": "boolean", "nillable": false,
       "createable": false, "updateable": false, "defaultedOnCreate": true},
      {"name": "CreatedDate", "label": "Created Date", "type": "datetime", "nillable": false,
       "createable": false, "updateable": false, "defaultedOnCreate": true},
      {"name": "CreatedById", "label": "Created By ID", "type": "reference", "length": 18,
       "referenceTo": ["User"], "relationshipName": "CreatedBy", "nillable": false,
       "createable": false, "updateable": false, "defaultedOnCreate": true},
      {"name": "LastModifiedDate", "label": "Last Modified Date", "type": "datetime",
       "nillable": false, "createable": false, "updateable": false, "defaultedOnCreate": true},
      {"name": "LastModifiedById", "label": "Last Modified By ID", "type": "reference",
       "length": 18, "referenceTo": ["User"], "relationshipName": "LastModifiedBy",
       "nillable": false, "createable": false, "updateable": false, "defaultedOnCreate": true},
      {"name": "SystemModstamp", "label": "System Modstamp", "type": "datetime",
       "nillable": false, "createable": false, "updateable": false, "defaultedOnCreate": true},
      {"name": "OwnerId", "label": "Owner ID", "type": "reference", "length": 18,
       "referenceTo": ["User"], "relationshipName": "Owner", "nillable": false,
       "defaultedOnCreate": true},
      {"name": "Name", "label": "Vehicle Name", "type": "string", "length": 80},
      {"name": "VIN__c", "label": "VIN", "type": "string", "length": 255, "nillable": false,
       "externalId": true, "unique": true, "custom": true},
      {"name": "Make__c", "label": "Make", "type": "string", "length": 255, "custom": true},
      {"name": "Model__c", "label": "Model", "type": "string", "length": 255, "custom": true},
      {"name": "Year__c", "label": "Year", "type": "int", "custom": true},
      {"name": "Condition__c", "label": "Condition", "type": "picklist", "custom": true,
       "restrictedPicklist": true, "picklistValues": [
         {"value": "New", "label": "New"}, {"value": "Used", "label": "Used"},
         {"value": "Certified", "label": "Certified"}]},
      {"name": "Account__c", "label": "Account", "type": "reference", "length": 18,
       "referenceTo": ["Account"], "relationshipName": "Account__r", "custom": true}]})",
};

sc::Object Take(std::variant<sc::Object, std::string> parsed) {
  // The texts above are fixed: a parse failure is a bug in this file, caught by every test.
  if (auto* error = std::get_if<std::string>(&parsed))
    throw std::logic_error("sandbox builtin catalog: " + *error);
  return std::move(std::get<sc::Object>(parsed));
}

sc::SchemaEnv BuiltinEnv() {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  env.Add(Take(sc::ParseHubSpotObjectSchema(kVehicles)));
  env.Add(Take(sc::ParseHubSpotProperties("contacts", kContactProperties)));
  env.Add(Take(sc::ParseHubSpotProperties("tickets", kTicketProperties)));
  for (std::string_view describe : kSalesforceFields)
    env.Add(Take(sc::ParseSalesforceDescribe(describe)));
  return env;
}

}  // namespace

std::shared_ptr<const ObjectCatalog> BuiltinCatalog() {
  static const auto catalog = SchemaCatalog(BuiltinEnv());
  return catalog;
}

}  // namespace syncline::sandbox
