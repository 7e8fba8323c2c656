// The builtin schemas: every object loads, create rules, types, picklists (including the
// generated State and Country picklists), lookups, and the raw JSON served to sandboxes.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "schema/schema.h"

namespace sc = syncline::schema;
using sc::Crm;
using sc::ValueKind;

namespace {

const sc::Object& Get(const sc::SchemaEnv& env, Crm crm, std::string_view name) {
  const sc::Object* object = env.Find(crm, name);
  REQUIRE_MESSAGE(object != nullptr, name);
  return *object;
}

const sc::Field& GetField(const sc::Object& object, std::string_view name) {
  const sc::Field* field = object.FindField(name);
  REQUIRE_MESSAGE(field != nullptr, object.name, ".", name);
  return *field;
}

std::vector<std::string> RequiredOnCreate(const sc::Object& object) {
  std::vector<std::string> names;
  for (const sc::Field& field : object.fields) {
    if (field.required_on_create) names.push_back(field.name);
  }
  return names;
}

std::vector<std::string> Values(const sc::Field& field) {
  std::vector<std::string> values;
  for (const sc::Option& option : field.options) values.push_back(option.value);
  return values;
}

nlohmann::json ReadIso(const char* file) {
  std::ifstream in(std::string(SYNCLINE_ISO_CODES_DIR) + "/" + file);
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

// Indices of the controller values an option is valid for.
std::vector<std::size_t> ValidIndices(const sc::Option& option, std::size_t controller_count) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < controller_count; ++i) {
    if (sc::ValidFor(option.valid_for, i)) out.push_back(i);
  }
  return out;
}

}  // namespace

TEST_CASE("every builtin object parses and is in the builtin env") {
  const std::vector<std::string_view> hubspot = {
      "calls", "companies", "contacts", "deals", "emails", "meetings", "notes", "tasks", "tickets"};
  const std::vector<std::string_view> salesforce = {
      "Account", "Campaign",    "CampaignMember",         "Case",       "Contact", "Event",
      "Lead",    "Opportunity", "OpportunityContactRole", "RecordType", "Task",    "User"};
  CHECK(sc::BuiltinObjectNames(Crm::kHubSpot) == hubspot);
  CHECK(sc::BuiltinObjectNames(Crm::kSalesforce) == salesforce);

  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  for (Crm crm : {Crm::kHubSpot, Crm::kSalesforce}) {
    for (std::string_view name : sc::BuiltinObjectNames(crm)) {
      CAPTURE(name);
      std::optional<std::string_view> json = sc::BuiltinJson(crm, name);
      REQUIRE(json.has_value());
      auto parsed = crm == Crm::kHubSpot ? sc::ParseHubSpotProperties(name, *json)
                                         : sc::ParseSalesforceDescribe(*json);
      if (auto* error = std::get_if<std::string>(&parsed)) FAIL(*error);
      const sc::Object& object = std::get<sc::Object>(parsed);
      CHECK(object.name == name);
      CHECK(object.crm == crm);
      CHECK(object.fields.size() > 5);
      CHECK(env.Find(crm, name) != nullptr);
    }
    CHECK(env.Objects(crm).size() == sc::BuiltinObjectNames(crm).size());
  }
}

TEST_CASE("builtin JSON is the compact API body") {
  auto lead = sc::BuiltinJson(Crm::kSalesforce, "lead");
  REQUIRE(lead);
  CHECK(lead->starts_with(R"({"name":"Lead","label":"Lead")"));
  auto contacts = sc::BuiltinJson(Crm::kHubSpot, "contacts");
  REQUIRE(contacts);
  CHECK(contacts->starts_with(R"({"results":[{"name":"email")"));
  CHECK_FALSE(sc::BuiltinJson(Crm::kHubSpot, "Contacts"));
  CHECK_FALSE(sc::BuiltinJson(Crm::kSalesforce, "Vehicle__c"));
  // Every builtin is valid JSON of the right shape.
  for (std::string_view name : sc::BuiltinObjectNames(Crm::kSalesforce)) {
    auto body = nlohmann::json::parse(*sc::BuiltinJson(Crm::kSalesforce, name));
    CHECK(body["name"] == name);
    CHECK(body["fields"].is_array());
    CHECK(body["urls"]["describe"] ==
          "/services/data/v60.0/sobjects/" + std::string(name) + "/describe");
  }
}

TEST_CASE("Salesforce required-on-create fields") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  CHECK(RequiredOnCreate(Get(env, Crm::kSalesforce, "Lead")) ==
        std::vector<std::string>{"LastName", "Company"});
  CHECK(RequiredOnCreate(Get(env, Crm::kSalesforce, "Contact")) ==
        std::vector<std::string>{"LastName"});
  CHECK(RequiredOnCreate(Get(env, Crm::kSalesforce, "Account")) ==
        std::vector<std::string>{"Name"});
  CHECK(RequiredOnCreate(Get(env, Crm::kSalesforce, "Opportunity")) ==
        std::vector<std::string>{"Name", "StageName", "CloseDate"});
  CHECK(RequiredOnCreate(Get(env, Crm::kSalesforce, "OpportunityContactRole")) ==
        std::vector<std::string>{"OpportunityId", "ContactId"});
  CHECK(RequiredOnCreate(Get(env, Crm::kSalesforce, "Task")).empty());
  CHECK(RequiredOnCreate(Get(env, Crm::kSalesforce, "Case")).empty());
}

TEST_CASE("HubSpot required-on-create properties") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  CHECK(RequiredOnCreate(Get(env, Crm::kHubSpot, "contacts")).empty());
  CHECK(RequiredOnCreate(Get(env, Crm::kHubSpot, "deals")) ==
        std::vector<std::string>{"dealname", "pipeline", "dealstage"});
  CHECK(RequiredOnCreate(Get(env, Crm::kHubSpot, "tickets")) ==
        std::vector<std::string>{"subject", "hs_pipeline", "hs_pipeline_stage"});
  for (std::string_view engagement : {"notes", "calls", "emails", "meetings", "tasks"}) {
    CAPTURE(engagement);
    CHECK(RequiredOnCreate(Get(env, Crm::kHubSpot, engagement)) ==
          std::vector<std::string>{"hs_timestamp"});
  }
}

TEST_CASE("Lead status and conversion fields") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  const sc::Object& lead = Get(env, Crm::kSalesforce, "Lead");
  CHECK(lead.key_prefix == "00Q");
  const sc::Field& status = GetField(lead, "Status");
  CHECK(status.kind == ValueKind::kEnum);
  CHECK(status.restricted);
  CHECK(Values(status) == std::vector<std::string>{"Open - Not Contacted", "Working - Contacted",
                                                   "Closed - Converted", "Closed - Not Converted"});
  CHECK(status.options[0].is_default);
  CHECK_FALSE(status.required_on_create);  // defaultedOnCreate
  for (std::string_view name : {"IsConverted", "ConvertedDate", "ConvertedAccountId",
                                "ConvertedContactId", "ConvertedOpportunityId"}) {
    CAPTURE(name);
    CHECK(GetField(lead, name).read_only);
  }
  CHECK(GetField(lead, "ConvertedDate").kind == ValueKind::kDate);
  CHECK(GetField(lead, "ConvertedAccountId").reference_to == std::vector<std::string>{"Account"});
  CHECK(GetField(lead, "OwnerId").reference_to == std::vector<std::string>{"Group", "User"});
}

TEST_CASE("Salesforce type mapping") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  const sc::Object& lead = Get(env, Crm::kSalesforce, "Lead");
  const sc::Object& opportunity = Get(env, Crm::kSalesforce, "Opportunity");
  const sc::Object& task = Get(env, Crm::kSalesforce, "Task");
  struct Case {
    const sc::Object* object;
    std::string_view field, api_type;
    ValueKind kind;
  };
  const Case cases[] = {
      {&lead, "Id", "id", ValueKind::kId},
      {&lead, "LastName", "string", ValueKind::kText},
      {&lead, "Email", "email", ValueKind::kText},
      {&lead, "Phone", "phone", ValueKind::kText},
      {&lead, "Website", "url", ValueKind::kText},
      {&lead, "Description", "textarea", ValueKind::kText},
      {&lead, "AnnualRevenue", "currency", ValueKind::kNumber},
      {&lead, "NumberOfEmployees", "int", ValueKind::kInteger},
      {&lead, "HasOptedOutOfEmail", "boolean", ValueKind::kBool},
      {&lead, "CreatedDate", "datetime", ValueKind::kDateTime},
      {&lead, "Address", "address", ValueKind::kOther},
      {&lead, "Industry", "picklist", ValueKind::kEnum},
      {&opportunity, "Probability", "percent", ValueKind::kNumber},
      {&opportunity, "CloseDate", "date", ValueKind::kDate},
      {&opportunity, "TotalOpportunityQuantity", "double", ValueKind::kNumber},
      {&task, "Subject", "combobox", ValueKind::kText},
      {&task, "WhoId", "reference", ValueKind::kReference},
  };
  for (const Case& c : cases) {
    CAPTURE(c.field);
    const sc::Field& field = GetField(*c.object, c.field);
    CHECK(field.api_type == c.api_type);
    CHECK(field.field_type == c.api_type);
    CHECK(field.kind == c.kind);
  }
  CHECK(GetField(lead, "LastName").length == 80);
  CHECK(GetField(lead, "AnnualRevenue").scale == 2);
  CHECK(GetField(task, "WhoId").reference_to == std::vector<std::string>{"Contact", "Lead"});
  CHECK(GetField(task, "WhatId").reference_to.size() > 3);
  CHECK(GetField(task, "TaskSubtype").createable);
  CHECK_FALSE(GetField(task, "TaskSubtype").updateable);
  CHECK_FALSE(GetField(task, "TaskSubtype").read_only);
  const sc::Field& is_won = GetField(opportunity, "IsWon");
  CHECK(is_won.calculated);
  CHECK(is_won.read_only);
  CHECK(GetField(opportunity, "StageName").options.size() == 10);
  CHECK(GetField(opportunity, "StageName").restricted);
  CHECK_FALSE(GetField(lead, "Industry").restricted);
}

TEST_CASE("HubSpot type mapping") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  const sc::Object& contacts = Get(env, Crm::kHubSpot, "contacts");
  CHECK(contacts.object_type_id == "0-1");
  struct Case {
    std::string_view name, api_type, field_type;
    ValueKind kind;
  };
  const Case cases[] = {
      {"email", "string", "text", ValueKind::kText},
      {"country", "string", "text", ValueKind::kText},
      {"message", "string", "textarea", ValueKind::kText},
      {"lifecyclestage", "enumeration", "select", ValueKind::kEnum},
      {"hs_lead_status", "enumeration", "radio", ValueKind::kEnum},
      {"hs_buying_role", "enumeration", "checkbox", ValueKind::kMultiEnum},
      {"hs_email_optout", "bool", "booleancheckbox", ValueKind::kBool},
      {"date_of_birth", "date", "date", ValueKind::kDate},
      {"createdate", "datetime", "date", ValueKind::kDateTime},
      {"hs_analytics_num_visits", "number", "number", ValueKind::kNumber},
      {"annualrevenue", "number", "number", ValueKind::kNumber},
      {"hubspot_owner_id", "enumeration", "select", ValueKind::kEnum},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const sc::Field& field = GetField(contacts, c.name);
    CHECK(field.api_type == c.api_type);
    CHECK(field.field_type == c.field_type);
    CHECK(field.kind == c.kind);
  }
  CHECK(GetField(contacts, "email").length == 65536);
  CHECK(GetField(contacts, "createdate").read_only);
  CHECK(GetField(contacts, "hs_analytics_num_visits").read_only);
  CHECK(GetField(contacts, "hs_analytics_num_visits").calculated);
  CHECK_FALSE(GetField(contacts, "annualrevenue").read_only);
  const sc::Field& owner = GetField(contacts, "hubspot_owner_id");
  CHECK(owner.hubspot_user);
  CHECK_FALSE(owner.restricted);  // external options: owners are not listed in the schema
  CHECK(owner.reference_to == std::vector<std::string>{"OWNER"});
  CHECK_FALSE(owner.custom);
  CHECK(GetField(contacts, "hs_lead_status").restricted);
  CHECK(Values(GetField(contacts, "hs_lead_status")) ==
        std::vector<std::string>{"NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED",
                                 "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING"});
  for (std::string_view name :
       {"salesforceleadid", "salesforcecontactid", "salesforceaccountid", "salesforceownerid",
        "salesforcecampaignids", "salesforcelastsynctime", "hs_object_id", "lastmodifieddate"}) {
    CAPTURE(name);
    CHECK(GetField(contacts, name).read_only);
  }
  const sc::Object& deals = Get(env, Crm::kHubSpot, "deals");
  CHECK(Values(GetField(deals, "dealstage")) ==
        std::vector<std::string>{"appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
                                 "decisionmakerboughtin", "contractsent", "closedwon",
                                 "closedlost"});
  CHECK(Values(GetField(deals, "pipeline")) == std::vector<std::string>{"default"});
  CHECK(GetField(deals, "hs_is_closed_won").kind == ValueKind::kBool);
  CHECK(GetField(deals, "hs_is_closed_won").read_only);
  const sc::Object& tickets = Get(env, Crm::kHubSpot, "tickets");
  CHECK(Values(GetField(tickets, "hs_pipeline_stage")) ==
        std::vector<std::string>{"1", "2", "3", "4"});
  CHECK(Values(GetField(tickets, "hs_ticket_priority")) ==
        std::vector<std::string>{"LOW", "MEDIUM", "HIGH", "URGENT"});
}

TEST_CASE("lifecyclestage options are in funnel order") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  const std::vector<std::string> funnel = {
      "subscriber",         "lead",        "marketingqualifiedlead",
      "salesqualifiedlead", "opportunity", "customer",
      "evangelist",         "other"};
  for (std::string_view object : {"contacts", "companies"}) {
    CAPTURE(object);
    const sc::Field& stage = GetField(Get(env, Crm::kHubSpot, object), "lifecyclestage");
    CHECK(Values(stage) == funnel);
    for (std::size_t i = 1; i < stage.options.size(); ++i) {
      CHECK(stage.options[i - 1].display_order < stage.options[i].display_order);
    }
    CHECK(stage.FindOption("customer")->label == "Customer");
    CHECK(stage.FindOption("Customer") == nullptr);
  }
}

TEST_CASE("country picklists hold the countries Salesforce ships") {
  // ISO 3166-1 plus stdlib/native/geo/salesforce_defaults.tsv (docs/stdlib/geo.md).
  const nlohmann::json countries = ReadIso("iso_3166-1.json")["3166-1"];
  const std::set<std::string> dropped = {"AS", "CU", "FM", "GU", "HK", "IR", "KP", "MH",
                                         "MP", "PR", "PW", "SD", "SY", "UM", "VI"};
  const std::map<std::string, std::string> relabelled = {
      {"AX", "Aland Islands"}, {"CD", "Congo, the Democratic Republic of the"},
      {"CI", "Cote d'Ivoire"}, {"CV", "Cape Verde"},
      {"PS", "Palestine"},     {"RE", "Reunion"},
      {"TW", "Taiwan"},        {"VN", "Vietnam"}};
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  const std::pair<std::string_view, std::string_view> fields[] = {
      {"Lead", "CountryCode"},
      {"Contact", "MailingCountryCode"},
      {"Contact", "OtherCountryCode"},
      {"Account", "BillingCountryCode"},
      {"Account", "ShippingCountryCode"}};
  for (const auto& [object, name] : fields) {
    CAPTURE(name);
    const sc::Field& field = GetField(Get(env, Crm::kSalesforce, object), name);
    CHECK(field.kind == ValueKind::kEnum);
    CHECK(field.restricted);
    CHECK(field.options.size() == 235);
    for (const auto& country : countries) {
      const std::string code = country["alpha_2"].get<std::string>();
      CAPTURE(code);
      const sc::Option* option = field.FindOption(code);
      if (dropped.count(code)) {
        CHECK(option == nullptr);
        continue;
      }
      REQUIRE(option != nullptr);
      const auto it = relabelled.find(code);
      CHECK(option->label ==
            (it != relabelled.end() ? it->second : country["name"].get<std::string>()));
    }
    REQUIRE(field.FindOption("XK") != nullptr);
    CHECK(field.FindOption("XK")->label == "Kosovo");
  }
  const sc::Field& country = GetField(Get(env, Crm::kSalesforce, "Lead"), "CountryCode");
  CHECK(country.FindOption("US")->label == "United States");
  CHECK(country.FindOption("DE")->label == "Germany");
  CHECK(country.options[1].label == "Aland Islands");  // by label, accents ignored
}

TEST_CASE("state picklists depend on the country picklist") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  const std::pair<std::string_view, std::string_view> fields[] = {{"Lead", ""},
                                                                  {"Contact", "Mailing"},
                                                                  {"Contact", "Other"},
                                                                  {"Account", "Billing"},
                                                                  {"Account", "Shipping"}};
  for (const auto& [object_name, prefix] : fields) {
    const sc::Object& object = Get(env, Crm::kSalesforce, object_name);
    const sc::Field& state = GetField(object, std::string(prefix) + "StateCode");
    const sc::Field& country = GetField(object, std::string(prefix) + "CountryCode");
    CAPTURE(state.name);
    CHECK(state.controller == country.name);
    CHECK(state.restricted);
    REQUIRE(state.options.size() > 300);
    // Each state is valid for exactly one country, and only for the ten enabled ones.
    for (const sc::Option& option : state.options) {
      std::vector<std::size_t> valid = ValidIndices(option, country.options.size());
      REQUIRE(valid.size() == 1);
      const std::string& code = country.options[valid[0]].value;
      CHECK(std::string("US CA AU BR CN IN IE IT MX JP").find(code) != std::string::npos);
    }
    struct Expect {
      std::string_view state, country, label;
    };
    for (const Expect& e :
         {Expect{"WA", "US", "Washington"}, Expect{"WA", "AU", "Western Australia"},
          Expect{"NSW", "AU", "New South Wales"}, Expect{"ON", "CA", "Ontario"},
          Expect{"DC", "US", "District of Columbia"}, Expect{"PR", "US", "Puerto Rico"},
          Expect{"MI", "IT", "Milan"}, Expect{"13", "JP", "Tokyo"}, Expect{"23", "JP", "Aomori"},
          Expect{"11", "CN", "Beijing"}, Expect{"BR", "IN", "Bihar"}, Expect{"D", "IE", "Dublin"},
          Expect{"DF", "MX", "Federal District"}, Expect{"SP", "BR", "São Paulo"},
          Expect{"YT", "CA", "Yukon Territories"}}) {
      CAPTURE(e.state);
      CAPTURE(e.country);
      const sc::Option* option = sc::FindDependentOption(state, country, e.state, e.country);
      REQUIRE(option != nullptr);
      CHECK(option->label == e.label);
    }
    // The US territories are listed but inactive.
    CHECK_FALSE(sc::FindDependentOption(state, country, "PR", "US")->active);
    CHECK(sc::FindDependentOption(state, country, "CA", "US")->active);
    CHECK(sc::FindDependentOption(state, country, "BJ", "CN") == nullptr);
    CHECK(sc::FindDependentOption(state, country, "ON", "US") == nullptr);
    CHECK(sc::FindDependentOption(state, country, "NSW", "GB") == nullptr);
    CHECK(sc::FindDependentOption(state, country, "WA", "XX") == nullptr);
  }
}

TEST_CASE("state picklists hold the states Salesforce ships") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  const sc::Object& lead = Get(env, Crm::kSalesforce, "Lead");
  const sc::Field& state = GetField(lead, "StateCode");
  const sc::Field& country = GetField(lead, "CountryCode");
  auto count = [&](std::string_view code) {
    std::size_t index = 0;
    while (country.options[index].value != code) ++index;
    return std::count_if(state.options.begin(), state.options.end(),
                         [&](const sc::Option& o) { return sc::ValidFor(o.valid_for, index); });
  };
  CHECK(count("US") == 63);  // 50 states, DC, 12 inactive territories and military codes
  CHECK(count("CA") == 13);
  CHECK(count("AU") == 8);
  CHECK(count("BR") == 27);
  CHECK(count("IE") == 26);  // counties, not provinces
  CHECK(count("JP") == 47);
  CHECK(count("MX") == 32);
  CHECK(count("IN") == 36);
  CHECK(count("CN") == 34);
  CHECK(count("IT") == 110);  // provinces, not regions
  CHECK(count("DE") == 0);
}

TEST_CASE("ValidFor decodes base64 bitmaps most significant bit first") {
  CHECK(sc::ValidFor("gA==", 0));  // 0x80
  CHECK_FALSE(sc::ValidFor("gA==", 1));
  CHECK(sc::ValidFor("AAE=", 15));  // 0x00 0x01
  CHECK_FALSE(sc::ValidFor("AAE=", 14));
  CHECK(sc::ValidFor("AAAAAQ==", 31));    // fourth byte, in the second base64 group
  CHECK_FALSE(sc::ValidFor("gA==", 40));  // past the end
  CHECK_FALSE(sc::ValidFor("", 0));
  CHECK_FALSE(sc::ValidFor("!!!!", 0));
}

TEST_CASE("lookups: Salesforce case-insensitive, HubSpot exact or by id") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  const sc::Object* lead = env.Find(Crm::kSalesforce, "Lead");
  REQUIRE(lead != nullptr);
  CHECK(env.Find(Crm::kSalesforce, "lead") == lead);
  CHECK(env.Find(Crm::kSalesforce, "LEAD") == lead);
  CHECK(lead->FindField("lastname") == lead->FindField("LastName"));
  CHECK(lead->FindField("LASTNAME") != nullptr);
  CHECK(lead->FindField("LastNam") == nullptr);
  CHECK(env.Find(Crm::kSalesforce, "Leads") == nullptr);
  CHECK(env.Find(Crm::kSalesforce, "") == nullptr);

  const sc::Object* contacts = env.Find(Crm::kHubSpot, "contacts");
  REQUIRE(contacts != nullptr);
  CHECK(env.Find(Crm::kHubSpot, "0-1") == contacts);
  CHECK(env.Find(Crm::kHubSpot, "0-3") == env.Find(Crm::kHubSpot, "deals"));
  CHECK(env.Find(Crm::kHubSpot, "0-49") == env.Find(Crm::kHubSpot, "emails"));
  CHECK(env.Find(Crm::kHubSpot, "Contacts") == nullptr);
  CHECK(env.Find(Crm::kHubSpot, "p_contacts") == nullptr);  // standard objects have no p_ form
  CHECK(env.Find(Crm::kHubSpot, "") == nullptr);
  CHECK(contacts->FindField("email") != nullptr);
  CHECK(contacts->FindField("Email") == nullptr);
  CHECK(env.Find(Crm::kSalesforce, "contacts") == nullptr);

  auto objects = env.Objects(Crm::kSalesforce);
  CHECK(std::is_sorted(objects.begin(), objects.end(),
                       [](auto* a, auto* b) { return a->name < b->name; }));
  CHECK(objects.front()->name == "Account");
}

TEST_CASE("names for messages") {
  CHECK(sc::CrmName(Crm::kHubSpot) == "HubSpot");
  CHECK(sc::CrmName(Crm::kSalesforce) == "Salesforce");
  CHECK(sc::ValueKindName(ValueKind::kMultiEnum) == "multi-select");
  CHECK(sc::ValueKindName(ValueKind::kDateTime) == "datetime");
}

TEST_CASE(
    "record types: describe recordTypeInfos, lookups, and a --schemas file's replace the Master") {
  sc::SchemaEnv env = sc::SchemaEnv::Builtin();
  const sc::Object* opp = env.Find(Crm::kSalesforce, "Opportunity");
  REQUIRE(opp);
  REQUIRE(opp->record_types.size() == 1);
  CHECK(opp->record_types[0].master);
  CHECK_FALSE(opp->KnowsRecordTypes());
  CHECK(opp->FindField("RecordTypeId")->reference_to == std::vector<std::string>{"RecordType"});
  CHECK(env.Find(Crm::kSalesforce, "RecordType")->key_prefix == "012");
  auto parsed = sc::ParseSalesforceDescribe(R"({"name": "Opportunity", "fields": [],
    "recordTypeInfos": [
      {"recordTypeId": "0125g000000Ent1AAC", "name": "Enterprise Deals",
       "developerName": "Enterprise", "active": true, "available": true,
       "defaultRecordTypeMapping": true, "master": false},
      {"recordTypeId": "0125g000000Old1AAC", "name": "Legacy", "developerName": "Legacy",
       "active": false, "master": false},
      {"recordTypeId": "012000000000000AAA", "name": "Master", "developerName": "Master",
       "active": true, "master": true}]})");
  REQUIRE(std::holds_alternative<sc::Object>(parsed));
  env.Add(std::get<sc::Object>(std::move(parsed)));
  opp = env.Find(Crm::kSalesforce, "Opportunity");
  CHECK(opp->KnowsRecordTypes());
  REQUIRE(opp->record_types.size() == 3);
  CHECK(opp->FindField("StageName"));  // the fields stay
  const sc::RecordType* ent = opp->FindRecordType("Enterprise");
  REQUIRE(ent);
  CHECK(ent->name == "Enterprise Deals");
  CHECK(ent->default_mapping);
  CHECK(opp->FindRecordType("0125g000000Ent1") == ent);
  CHECK(opp->FindRecordType("0125g000000Ent1AAC") == ent);
  CHECK_FALSE(opp->FindRecordType("Legacy")->active);
  CHECK(opp->FindRecordType("enterprise") == nullptr);  // developer names are exact
  // A fragment without record types keeps the ones known.
  env.Add(std::get<sc::Object>(sc::ParseSalesforceDescribe(R"({"name": "Opportunity",
    "fields": [{"name": "Extra__c", "type": "string", "custom": true}]})")));
  CHECK(env.Find(Crm::kSalesforce, "Opportunity")->record_types.size() == 3);
}
