// Loading schemas from directories (`--schemas DIR`): overrides of builtin objects, custom
// objects, and every kind of bad input, which must give a LoadError naming the file and never
// throw. Also the parsers on hostile text.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "schema/schema.h"

namespace sc = syncline::schema;
using sc::Crm;
using sc::ValueKind;

namespace {

const std::filesystem::path kData = SYNCLINE_SCHEMA_TEST_DATA;

std::vector<sc::LoadError> Load(sc::SchemaEnv& env, const std::filesystem::path& dir) {
  std::vector<sc::LoadError> errors;
  CHECK_NOTHROW(errors = env.LoadDirectory(dir));
  return errors;
}

std::string Describe(const std::vector<sc::LoadError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.path + ": " + e.message + "\n";
  return out;
}

template <typename Parse>
std::string ErrorOf(Parse parse) {
  std::variant<sc::Object, std::string> result;
  CHECK_NOTHROW(result = parse());
  auto* error = std::get_if<std::string>(&result);
  REQUIRE(error != nullptr);
  return *error;
}

}  // namespace

TEST_CASE("overrides add custom fields and replace existing ones") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  const std::size_t lead_fields = env.Find(Crm::kSalesforce, "Lead")->fields.size();
  auto errors = Load(env, kData / "overrides");
  CHECK_MESSAGE(errors.empty(), Describe(errors));

  const sc::Object* lead = env.Find(Crm::kSalesforce, "Lead");
  REQUIRE(lead != nullptr);
  CHECK(lead->fields.size() == lead_fields + 2);  // Favorite_Color__c and Region__c
  CHECK(lead->key_prefix == "00Q");               // kept: the override does not state it
  const sc::Field* color = lead->FindField("favorite_color__c");
  REQUIRE(color != nullptr);
  CHECK(color->custom);
  CHECK(color->restricted);
  CHECK(color->kind == ValueKind::kEnum);
  CHECK(color->options.size() == 2);
  const sc::Field* rating = lead->FindField("Rating");
  REQUIRE(rating != nullptr);
  CHECK(rating->options.size() == 4);
  CHECK(rating->FindOption("Frozen") != nullptr);
  // The replaced field keeps its place; the new ones come last.
  CHECK(lead->fields.back().name == "Region__c");
  std::vector<std::string> required;
  for (const auto& f : lead->fields) {
    if (f.required_on_create) required.push_back(f.name);
  }
  CHECK(required == std::vector<std::string>{"LastName", "Company", "Region__c"});
  // The builtin env is untouched by the copy's overrides.
  CHECK(sc::SchemaEnv::Builtin().Find(Crm::kSalesforce, "Lead")->FindField("Region__c") == nullptr);

  const sc::Object* contacts = env.Find(Crm::kHubSpot, "contacts");
  REQUIRE(contacts != nullptr);
  CHECK(contacts->object_type_id == "0-1");
  const sc::Field* favorite = contacts->FindField("favorite_color");
  REQUIRE(favorite != nullptr);
  CHECK(favorite->custom);
  CHECK(favorite->field_type == "radio");
  // Options come in display order; hidden ones are inactive.
  REQUIRE(favorite->options.size() == 3);
  CHECK(favorite->options[0].value == "red");
  CHECK(favorite->options[2].value == "green");
  CHECK_FALSE(favorite->options[2].active);
  const sc::Field* manager = contacts->FindField("account_manager");
  REQUIRE(manager != nullptr);
  CHECK(manager->hubspot_user);
  CHECK(manager->custom);
  CHECK(contacts->FindField("old_score") == nullptr);  // archived
  CHECK(contacts->FindField("email") != nullptr);
}

TEST_CASE("a custom object pair loads from the example") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  auto errors = Load(env, std::filesystem::path(SYNCLINE_EXAMPLES_DIR) / "custom-object/schemas");
  CHECK_MESSAGE(errors.empty(), Describe(errors));

  const sc::Object* vehicles = env.Find(Crm::kHubSpot, "vehicles");
  REQUIRE(vehicles != nullptr);
  CHECK(env.Find(Crm::kHubSpot, "2-3456789") == vehicles);
  CHECK(env.Find(Crm::kHubSpot, "p12345_vehicles") == vehicles);
  CHECK(env.Find(Crm::kHubSpot, "p_vehicles") == vehicles);
  CHECK(vehicles->custom);
  CHECK(vehicles->label == "Vehicle");
  CHECK(vehicles->primary_display_property == "vin");
  CHECK(vehicles->required_properties == std::vector<std::string>{"vin"});
  CHECK(vehicles->associations == std::vector<std::string>{"0-1", "0-2"});
  REQUIRE(vehicles->FindField("vin") != nullptr);
  CHECK(vehicles->FindField("vin")->required_on_create);
  CHECK(vehicles->FindField("vin")->unique);
  CHECK(vehicles->FindField("year")->kind == ValueKind::kNumber);

  const sc::Object* vehicle = env.Find(Crm::kSalesforce, "vehicle__c");
  REQUIRE(vehicle != nullptr);
  CHECK(vehicle->name == "Vehicle__c");
  CHECK(vehicle->custom);
  CHECK(vehicle->key_prefix == "a0V");
  const sc::Field* vin = vehicle->FindField("VIN__c");
  REQUIRE(vin != nullptr);
  CHECK(vin->external_id);
  CHECK(vin->unique);
  CHECK(vehicle->FindField("Year__c")->kind == ValueKind::kNumber);
  CHECK(vehicle->FindField("Year__c")->api_type == "double");
  CHECK(vehicle->FindField("Contact__c")->reference_to == std::vector<std::string>{"Contact"});
  CHECK(vehicle->FindField("Account__c")->reference_to == std::vector<std::string>{"Account"});
  CHECK(env.Objects(Crm::kSalesforce).size() == 13);
}

TEST_CASE("a properties file adds fields to a custom object loaded before it") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  auto errors = Load(env, std::filesystem::path(SYNCLINE_EXAMPLES_DIR) / "custom-object/schemas");
  CHECK_MESSAGE(errors.empty(), Describe(errors));
  errors = Load(env, kData / "custom_fields");
  CHECK_MESSAGE(errors.empty(), Describe(errors));
  const sc::Object* vehicles = env.Find(Crm::kHubSpot, "vehicles");
  REQUIRE(vehicles != nullptr);
  CHECK(vehicles->label == "Vehicle");  // not replaced by the file name
  CHECK(vehicles->object_type_id == "2-3456789");
  CHECK(vehicles->custom);
  CHECK(vehicles->FindField("color") != nullptr);
  CHECK(vehicles->FindField("vin")->required_on_create);

  // On its own, a properties file for an unknown object makes a custom object.
  auto widgets = sc::ParseHubSpotProperties("widgets", R"({"results":[]})");
  REQUIRE(std::holds_alternative<sc::Object>(widgets));
  CHECK(std::get<sc::Object>(widgets).custom);
  auto contacts = sc::ParseHubSpotProperties("contacts", R"({"results":[]})");
  REQUIRE(std::holds_alternative<sc::Object>(contacts));
  CHECK_FALSE(std::get<sc::Object>(contacts).custom);
}

TEST_CASE("a /crm/v3/schemas list loads every object in it") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  auto errors = Load(env, kData / "schema_list");
  CHECK_MESSAGE(errors.empty(), Describe(errors));
  REQUIRE(env.Find(Crm::kHubSpot, "vehicles") != nullptr);
  const sc::Object* boats = env.Find(Crm::kHubSpot, "p_boats");
  REQUIRE(boats != nullptr);
  CHECK(boats->object_type_id == "2-4567890");
  CHECK(boats->FindField("make")->required_on_create);
}

TEST_CASE("a missing or wrong directory is a LoadError") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  auto missing = Load(env, kData / "does-not-exist");
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].path == (kData / "does-not-exist").string());
  CHECK(missing[0].message == "no such directory");

  auto file = Load(env, kData / "overrides/salesforce/Lead.json");
  REQUIRE(file.size() == 1);
  CHECK(file[0].message == "is not a directory");

  // The data folder holds neither hubspot/ nor salesforce/: almost surely the wrong folder.
  auto empty = Load(env, kData);
  REQUIRE(empty.size() == 1);
  CHECK(empty[0].message.find("neither") != std::string::npos);
  CHECK(env.Objects(Crm::kSalesforce).size() == 12);
}

TEST_CASE("malformed JSON names the file and the line; other files still load") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  auto errors = Load(env, kData / "malformed");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == (kData / "malformed/salesforce/Broken__c.json").string());
  CHECK(errors[0].message.starts_with("malformed JSON: "));
  CHECK(errors[0].message.find("line 4") != std::string::npos);
  CHECK(env.Find(Crm::kSalesforce, "Broken__c") == nullptr);
  CHECK(env.Find(Crm::kSalesforce, "Fine__c") != nullptr);
}

TEST_CASE("a file of the wrong shape is a LoadError") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  auto errors = Load(env, kData / "wrong_shape");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].path == (kData / "wrong_shape/hubspot/things.json").string());
  CHECK(errors[0].message.find("results") != std::string::npos);
  CHECK(errors[1].path == (kData / "wrong_shape/salesforce/Thing__c.json").string());
  CHECK(errors[1].message.find("fields") != std::string::npos);
}

TEST_CASE("an unknown field type is a LoadError naming the field and the type") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  auto errors = Load(env, kData / "unknown_type");
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].path == (kData / "unknown_type/hubspot/gadgets.json").string());
  CHECK(errors[0].message == "property shade has unknown type \"colour\"");
  CHECK(errors[1].path == (kData / "unknown_type/salesforce/Weird__c.json").string());
  CHECK(errors[1].message == "field Spin__c has unknown type \"quantum\"");
  CHECK(env.Find(Crm::kSalesforce, "Weird__c") == nullptr);
}

TEST_CASE("an entry that is not a regular file is a LoadError") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  auto errors = Load(env, kData / "not_a_file");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == (kData / "not_a_file/hubspot/folder.json").string());
  CHECK(errors[0].message == "is not a regular file");
}

TEST_CASE("parsers reject hostile text with a message") {
  CHECK(ErrorOf([] { return sc::ParseSalesforceDescribe(""); }).starts_with("malformed JSON"));
  CHECK(ErrorOf([] { return sc::ParseSalesforceDescribe("null"); }).find("describe") !=
        std::string::npos);
  CHECK(ErrorOf([] { return sc::ParseSalesforceDescribe(R"({"name":"X","fields":[7]})"); }) ==
        "field #1 is not a JSON object");
  CHECK(ErrorOf([] {
          return sc::ParseSalesforceDescribe(R"({"name":"X","fields":[{"type":"id"}]})");
        }) == "field #1 has no \"name\"");
  CHECK(ErrorOf([] {
          return sc::ParseSalesforceDescribe(
              R"({"name":"X","fields":[{"name":"A","type":"id"},{"name":"a","type":"id"}]})");
        }) == "field a is listed twice");
  CHECK(ErrorOf([] {
          return sc::ParseSalesforceDescribe(
              R"({"name":"X","fields":[{"name":"P","type":"picklist","picklistValues":{}}]})");
        }).find("picklistValues") != std::string::npos);
  CHECK(ErrorOf([] { return sc::ParseHubSpotProperties("x", R"({"results":[{"name":5}]})"); }) ==
        "property #1 has no \"name\"");
  CHECK(ErrorOf([] {
          return sc::ParseHubSpotProperties("x", R"({"results":[{"name":"a","type":"string"},)"
                                                 R"({"name":"a","type":"string"}]})");
        }) == "property a is listed twice");
  CHECK(ErrorOf([] {
          return sc::ParseHubSpotObjectSchema(R"({"name":"boats"})");
        }).find("properties") != std::string::npos);
  CHECK(ErrorOf([] { return sc::ParseHubSpotObjectSchema("[]"); }).find("schema") !=
        std::string::npos);
  // Invalid UTF-8, binary garbage, deep nesting and a truncated body.
  CHECK(ErrorOf([] {
          return sc::ParseSalesforceDescribe("{\"name\":\"\xff\xfe\"}");
        }).starts_with("malformed JSON"));
  CHECK(ErrorOf([] {
          return sc::ParseHubSpotProperties("x", std::string("\0\x01\x02", 3));
        }).starts_with("malformed JSON"));
  std::string deep(100000, '[');
  CHECK(ErrorOf([&] { return sc::ParseSalesforceDescribe(deep); }).starts_with("malformed JSON"));
  deep += std::string(100000, ']');
  CHECK(ErrorOf([&] { return sc::ParseSalesforceDescribe(deep); }).find("describe") !=
        std::string::npos);
  std::string lead(*sc::BuiltinJson(Crm::kSalesforce, "Lead"));
  CHECK(ErrorOf([&] {
          return sc::ParseSalesforceDescribe(lead.substr(0, lead.size() / 2));
        }).starts_with("malformed JSON"));
}

TEST_CASE("wrong attribute types are tolerated where the APIs are lenient") {
  // Optional attributes of the wrong type are treated as absent, not as errors.
  auto result = sc::ParseSalesforceDescribe(
      R"({"name":"X__c","keyPrefix":null,"fields":[{"name":"A__c","type":"string",)"
      R"("length":"long","nillable":"no","referenceTo":null,"picklistValues":null}]})");
  REQUIRE(std::holds_alternative<sc::Object>(result));
  const sc::Object& object = std::get<sc::Object>(result);
  CHECK(object.custom);
  CHECK(object.FindField("a__c")->length == 0);
  CHECK_FALSE(object.FindField("A__c")->required_on_create);
}
