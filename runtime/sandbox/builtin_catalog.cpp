// The built-in object definitions: enough of each vendor's standard objects for the sandboxes
// to validate, describe and derive fields, plus one custom object each. Field lists follow
// the API spec (Parts A8, A9, B9, B10); the full standard schemas live in schemas/ and can
// replace these through schema_adapter.h.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>

#include "sandbox/object_catalog.h"

namespace syncline::sandbox {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::vector<FieldOption> Opts(std::initializer_list<const char*> values) {
  std::vector<FieldOption> out;
  int order = 0;
  for (const char* v : values) out.push_back({v, v, {}, false, order++});
  return out;
}

// ---- HubSpot ------------------------------------------------------------------------------

FieldDef Hs(std::string name, FieldKind kind, std::vector<FieldOption> options = {}) {
  FieldDef f;
  f.name = std::move(name);
  f.label = f.name;
  f.kind = kind;
  f.options = std::move(options);
  switch (kind) {
    case FieldKind::kNumber:
    case FieldKind::kInteger:
      f.api_type = "number", f.field_type = "number";
      break;
    case FieldKind::kBool:
      f.api_type = "bool", f.field_type = "booleancheckbox";
      f.options = {{"true", "Yes", {}, false, 0}, {"false", "No", {}, false, 1}};
      break;
    case FieldKind::kDate:
      f.api_type = "date", f.field_type = "date";
      break;
    case FieldKind::kDateTime:
      f.api_type = "datetime", f.field_type = "date";
      break;
    case FieldKind::kEnum:
      f.api_type = "enumeration", f.field_type = "select", f.restricted = true;
      break;
    case FieldKind::kMultiEnum:
      f.api_type = "enumeration", f.field_type = "checkbox", f.restricted = true;
      break;
    case FieldKind::kText:
      f.api_type = "string", f.field_type = "textarea";
      break;
    case FieldKind::kPhone:
      f.api_type = "string", f.field_type = "phonenumber";
      break;
    default:
      f.api_type = "string", f.field_type = "text";
  }
  return f;
}

FieldDef HsReadOnly(std::string name, FieldKind kind) {
  FieldDef f = Hs(std::move(name), kind);
  f.read_only = true;
  return f;
}

ObjectDef HsObject(std::string name, std::string type_id, std::string label, bool contact_dates,
                   std::vector<FieldDef> fields, std::vector<std::string> defaults,
                   std::string display) {
  ObjectDef o;
  o.vendor = Vendor::kHubSpot;
  o.name = std::move(name);
  o.object_type_id = std::move(type_id);
  o.label = std::move(label);
  o.custom = o.object_type_id.rfind("2-", 0) == 0;
  o.fields = std::move(fields);
  o.fields.push_back(HsReadOnly("hs_object_id", FieldKind::kNumber));
  if (contact_dates) {
    o.fields.push_back(HsReadOnly("createdate", FieldKind::kDateTime));
    o.fields.push_back(HsReadOnly("lastmodifieddate", FieldKind::kDateTime));
  } else {
    o.fields.push_back(HsReadOnly(o.custom ? "hs_createdate" : "createdate", FieldKind::kDateTime));
    o.fields.push_back(HsReadOnly("hs_lastmodifieddate", FieldKind::kDateTime));
  }
  if (!o.custom && o.name != "contacts") o.fields.back().read_only = true;  // hs_lastmodifieddate
  o.fields.push_back(Hs("hubspot_owner_id", FieldKind::kString));
  o.default_properties = std::move(defaults);
  o.primary_display_property = std::move(display);
  return o;
}

std::vector<ObjectDef> HubSpotObjects() {
  using K = FieldKind;
  auto lifecycle = Opts({"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
                         "opportunity", "customer", "evangelist", "other"});
  std::vector<ObjectDef> out;
  {
    FieldDef email = Hs("email", K::kEmail);
    email.unique = true;
    out.push_back(HsObject(
        "contacts", "0-1", "Contact", true,
        {email,
         Hs("firstname", K::kString),
         Hs("lastname", K::kString),
         Hs("phone", K::kPhone),
         Hs("mobilephone", K::kPhone),
         Hs("company", K::kString),
         Hs("jobtitle", K::kString),
         Hs("website", K::kString),
         Hs("address", K::kString),
         Hs("city", K::kString),
         Hs("state", K::kString),
         Hs("zip", K::kString),
         Hs("country", K::kString),
         Hs("lifecyclestage", K::kEnum, lifecycle),
         Hs("hs_lead_status", K::kEnum,
            Opts({"NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT",
                  "CONNECTED", "BAD_TIMING"})),
         Hs("leadsource", K::kString),
         Hs("hs_email_optout", K::kBool),
         Hs("salesforceleadid", K::kString),
         Hs("salesforcecontactid", K::kString),
         Hs("date_of_birth", K::kDate),
         Hs("num_employees", K::kNumber),
         Hs("hs_interests", K::kMultiEnum, Opts({"product", "pricing", "support", "events"}))},
        {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"},
        "email"));
  }
  {
    FieldDef domain = Hs("domain", K::kString);
    out.push_back(HsObject(
        "companies", "0-2", "Company", false,
        {Hs("name", K::kString), domain, Hs("website", K::kString), Hs("phone", K::kPhone),
         Hs("industry", K::kString), Hs("description", K::kText), Hs("address", K::kString),
         Hs("city", K::kString), Hs("state", K::kString), Hs("zip", K::kString),
         Hs("country", K::kString), Hs("numberofemployees", K::kNumber),
         Hs("annualrevenue", K::kNumber), Hs("lifecyclestage", K::kEnum, lifecycle),
         Hs("type", K::kEnum, Opts({"PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER"})),
         Hs("salesforceaccountid", K::kString)},
        {"name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"}, "name"));
  }
  out.push_back(HsObject(
      "deals", "0-3", "Deal", false,
      {Hs("dealname", K::kString), Hs("amount", K::kNumber), Hs("closedate", K::kDateTime),
       Hs("pipeline", K::kEnum, Opts({"default"})),
       Hs("dealstage", K::kEnum,
          Opts({"appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
                "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"})),
       Hs("dealtype", K::kEnum, Opts({"newbusiness", "existingbusiness"})),
       Hs("description", K::kText), HsReadOnly("hs_is_closed", K::kBool),
       HsReadOnly("hs_is_closed_won", K::kBool), Hs("salesforceopportunityid", K::kString)},
      {"dealname", "amount", "closedate", "pipeline", "dealstage", "createdate",
       "hs_lastmodifieddate", "hs_object_id"},
      "dealname"));
  out.push_back(HsObject(
      "tickets", "0-5", "Ticket", false,
      {Hs("subject", K::kString), Hs("content", K::kText), Hs("hs_pipeline", K::kEnum, Opts({"0"})),
       Hs("hs_pipeline_stage", K::kEnum, Opts({"1", "2", "3", "4"})),
       Hs("hs_ticket_priority", K::kEnum, Opts({"LOW", "MEDIUM", "HIGH", "URGENT"})),
       Hs("hs_ticket_category", K::kEnum,
          Opts({"PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST", "GENERAL_INQUIRY"})),
       Hs("source_type", K::kEnum, Opts({"EMAIL", "CHAT", "PHONE", "FORM"})),
       Hs("salesforcecaseid", K::kString)},
      {"content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_priority",
       "subject", "createdate", "hs_lastmodifieddate", "hs_object_id"},
      "subject"));
  auto engagement = [&](std::string name, std::string id, std::string label,
                        std::vector<FieldDef> fields) {
    FieldDef ts = Hs("hs_timestamp", K::kDateTime);
    ts.required_on_create = true;
    fields.insert(fields.begin(), ts);
    out.push_back(HsObject(
        std::move(name), std::move(id), std::move(label), false, std::move(fields),
        {"hs_timestamp", "createdate", "hs_lastmodifieddate", "hs_object_id"}, "hs_timestamp"));
  };
  engagement("notes", "0-46", "Note",
             {Hs("hs_note_body", K::kText), Hs("hs_attachment_ids", K::kString)});
  engagement("calls", "0-48", "Call",
             {Hs("hs_call_title", K::kString), Hs("hs_call_body", K::kText),
              Hs("hs_call_direction", K::kEnum, Opts({"INBOUND", "OUTBOUND"})),
              Hs("hs_call_duration", K::kNumber),
              Hs("hs_call_status", K::kEnum,
                 Opts({"BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED", "CONNECTING", "FAILED",
                       "IN_PROGRESS", "NO_ANSWER", "QUEUED", "RINGING"})),
              Hs("hs_call_from_number", K::kPhone), Hs("hs_call_to_number", K::kPhone),
              Hs("hs_call_disposition", K::kString)});
  engagement(
      "emails", "0-49", "Email",
      {Hs("hs_email_direction", K::kEnum, Opts({"EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"})),
       Hs("hs_email_subject", K::kString), Hs("hs_email_text", K::kText),
       Hs("hs_email_html", K::kText),
       Hs("hs_email_status", K::kEnum, Opts({"BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT"})),
       Hs("hs_email_headers", K::kText)});
  engagement("meetings", "0-47", "Meeting",
             {Hs("hs_meeting_title", K::kString), Hs("hs_meeting_body", K::kText),
              Hs("hs_meeting_start_time", K::kDateTime), Hs("hs_meeting_end_time", K::kDateTime),
              Hs("hs_meeting_location", K::kString),
              Hs("hs_meeting_outcome", K::kEnum,
                 Opts({"SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"}))});
  engagement("tasks", "0-27", "Task",
             {Hs("hs_task_subject", K::kString), Hs("hs_task_body", K::kText),
              Hs("hs_task_status", K::kEnum, Opts({"NOT_STARTED", "COMPLETED"})),
              Hs("hs_task_priority", K::kEnum, Opts({"NONE", "LOW", "MEDIUM", "HIGH"})),
              Hs("hs_task_type", K::kEnum, Opts({"EMAIL", "CALL", "TODO"})),
              Hs("hs_task_reminders", K::kString)});
  {
    FieldDef vin = Hs("vin", K::kString);
    vin.unique = true;
    vin.required_on_create = true;
    out.push_back(
        HsObject("vehicles", "2-1001", "Vehicle", false,
                 {vin, Hs("make", K::kString), Hs("model", K::kString), Hs("year", K::kNumber),
                  Hs("condition", K::kEnum, Opts({"new", "used", "certified"}))},
                 {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"}, "vin"));
  }
  for (auto& o : out)
    for (auto& f : o.fields)
      if (f.group.empty()) f.group = o.name.substr(0, o.name.size() - 1) + "information";
  return out;
}

// ---- Salesforce ---------------------------------------------------------------------------

FieldDef Sf(std::string name, FieldKind kind, std::vector<FieldOption> options = {}) {
  FieldDef f;
  f.name = std::move(name);
  f.label = f.name;
  f.kind = kind;
  f.options = std::move(options);
  switch (kind) {
    case FieldKind::kText:
      f.api_type = "textarea", f.length = 32000;
      break;
    case FieldKind::kEmail:
      f.api_type = "email", f.length = 80;
      break;
    case FieldKind::kPhone:
      f.api_type = "phone", f.length = 40;
      break;
    case FieldKind::kUrl:
      f.api_type = "url";
      break;
    case FieldKind::kNumber:
      f.api_type = "double";
      break;
    case FieldKind::kInteger:
      f.api_type = "int";
      break;
    case FieldKind::kBool:
      f.api_type = "boolean";
      break;
    case FieldKind::kDate:
      f.api_type = "date";
      break;
    case FieldKind::kDateTime:
      f.api_type = "datetime";
      break;
    case FieldKind::kEnum:
      f.api_type = "picklist";
      break;
    case FieldKind::kMultiEnum:
      f.api_type = "multipicklist";
      break;
    case FieldKind::kReference:
      f.api_type = "reference", f.length = 18;
      break;
    case FieldKind::kId:
      f.api_type = "id", f.length = 18;
      break;
    default:
      f.api_type = "string";
  }
  return f;
}

FieldDef Req(FieldDef f) {
  f.required_on_create = true;
  return f;
}
FieldDef Ro(FieldDef f) {
  f.read_only = true;
  return f;
}
FieldDef Restricted(FieldDef f) {
  f.restricted = true;
  return f;
}
FieldDef Ref(std::string name, std::vector<std::string> to, std::string relationship) {
  FieldDef f = Sf(std::move(name), FieldKind::kReference);
  f.reference_to = std::move(to);
  f.relationship_name = std::move(relationship);
  return f;
}

// Text + code fields of one address (prefix "Billing", "Mailing", "" for Lead).
void AddAddress(std::vector<FieldDef>& fields, const std::string& prefix) {
  fields.push_back(Sf(prefix + "Street", FieldKind::kText));
  fields.push_back(Sf(prefix + "City", FieldKind::kString));
  fields.push_back(Sf(prefix + "State", FieldKind::kString));
  fields.push_back(Sf(prefix + "PostalCode", FieldKind::kString));
  fields.push_back(Sf(prefix + "Country", FieldKind::kString));
  FieldDef country = Restricted(Sf(prefix + "CountryCode", FieldKind::kEnum));
  FieldDef state = Restricted(Sf(prefix + "StateCode", FieldKind::kEnum));
  state.controller = country.name;
  for (const Country& c : Countries()) {
    country.options.push_back({c.code, c.name, {}, false, 0});
    for (const Subdivision& s : c.states) state.options.push_back({s.code, s.name, {c.code}});
  }
  fields.push_back(std::move(country));
  fields.push_back(std::move(state));
}

ObjectDef SfObject(std::string name, std::string prefix, std::vector<FieldDef> fields,
                   bool custom = false) {
  ObjectDef o;
  o.vendor = Vendor::kSalesforce;
  o.name = std::move(name);
  o.label = o.name;
  o.key_prefix = std::move(prefix);
  o.custom = custom;
  std::vector<FieldDef> all = {Ro(Sf("Id", FieldKind::kId)),
                               Ro(Sf("IsDeleted", FieldKind::kBool)),
                               Ro(Sf("CreatedDate", FieldKind::kDateTime)),
                               Ro(Ref("CreatedById", {"User"}, "CreatedBy")),
                               Ro(Sf("LastModifiedDate", FieldKind::kDateTime)),
                               Ro(Ref("LastModifiedById", {"User"}, "LastModifiedBy")),
                               Ro(Sf("SystemModstamp", FieldKind::kDateTime))};
  if (o.name != "User" && o.name != "OpportunityContactRole")
    all.push_back(Ref("OwnerId", {"User"}, "Owner"));
  for (auto& f : fields) all.push_back(std::move(f));
  o.fields = std::move(all);
  o.primary_display_property = "Name";
  return o;
}

std::vector<ObjectDef> SalesforceObjects() {
  using K = FieldKind;
  auto lead_source = Opts({"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"});
  std::vector<ObjectDef> out;
  out.push_back(SfObject(
      "User", "005",
      {Sf("Username", K::kString), Sf("FirstName", K::kString), Req(Sf("LastName", K::kString)),
       Sf("Name", K::kString), Sf("Email", K::kEmail), Sf("IsActive", K::kBool)}));
  {
    std::vector<FieldDef> f = {Req(Sf("Name", K::kString)),
                               Sf("Website", K::kUrl),
                               Sf("Phone", K::kPhone),
                               Sf("Industry", K::kEnum,
                                  Opts({"Agriculture",
                                        "Banking",
                                        "Chemicals",
                                        "Communications",
                                        "Construction",
                                        "Consulting",
                                        "Education",
                                        "Electronics",
                                        "Energy",
                                        "Engineering",
                                        "Finance",
                                        "Healthcare",
                                        "Hospitality",
                                        "Insurance",
                                        "Manufacturing",
                                        "Media",
                                        "Retail",
                                        "Technology",
                                        "Telecommunications",
                                        "Transportation",
                                        "Other"})),
                               Sf("Type", K::kEnum,
                                  Opts({"Prospect", "Customer - Direct", "Customer - Channel",
                                        "Channel Partner / Reseller", "Installation Partner",
                                        "Technology Partner", "Other"})),
                               Sf("Description", K::kText),
                               Sf("NumberOfEmployees", K::kInteger),
                               Sf("AnnualRevenue", K::kNumber),
                               Ref("ParentId", {"Account"}, "Parent"),
                               Sf("AccountSource", K::kEnum, lead_source),
                               [] {
                                 FieldDef ext = Sf("External_Id__c", K::kString);
                                 ext.external_id = true;
                                 ext.unique = true;
                                 return ext;
                               }(),
                               Sf("HubSpot_Company_Id__c", K::kString)};
    f.back().external_id = true;
    f[7].api_type = "currency";  // AnnualRevenue
    AddAddress(f, "Billing");
    AddAddress(f, "Shipping");
    out.push_back(SfObject("Account", "001", std::move(f)));
  }
  {
    std::vector<FieldDef> f = {Sf("FirstName", K::kString),
                               Req(Sf("LastName", K::kString)),
                               Ro(Sf("Name", K::kString)),
                               Sf("Email", K::kEmail),
                               Sf("Phone", K::kPhone),
                               Sf("MobilePhone", K::kPhone),
                               Sf("Title", K::kString),
                               Ref("AccountId", {"Account"}, "Account"),
                               Sf("LeadSource", K::kEnum, lead_source),
                               Sf("HasOptedOutOfEmail", K::kBool),
                               Sf("Birthdate", K::kDate),
                               Sf("Description", K::kText),
                               Sf("HubSpot_Contact_Id__c", K::kString)};
    f.back().external_id = true;
    AddAddress(f, "Mailing");
    AddAddress(f, "Other");
    out.push_back(SfObject("Contact", "003", std::move(f)));
  }
  {
    auto status = Opts({"Open - Not Contacted", "Working - Contacted", "Closed - Converted",
                        "Closed - Not Converted"});
    status[0].is_default = true;
    std::vector<FieldDef> f = {
        Sf("FirstName", K::kString),
        Req(Sf("LastName", K::kString)),
        Ro(Sf("Name", K::kString)),
        Req(Sf("Company", K::kString)),
        Sf("Email", K::kEmail),
        Sf("Phone", K::kPhone),
        Sf("Title", K::kString),
        Sf("LeadSource", K::kEnum, lead_source),
        Restricted(Sf("Status", K::kEnum, status)),
        Sf("Rating", K::kEnum, Opts({"Hot", "Warm", "Cold"})),
        Sf("Industry", K::kString),
        Sf("HasOptedOutOfEmail", K::kBool),
        Sf("Description", K::kText),
        Ro(Sf("IsConverted", K::kBool)),
        Ro(Sf("ConvertedDate", K::kDate)),
        Ro(Ref("ConvertedAccountId", {"Account"}, "ConvertedAccount")),
        Ro(Ref("ConvertedContactId", {"Contact"}, "ConvertedContact")),
        Ro(Ref("ConvertedOpportunityId", {"Opportunity"}, "ConvertedOpportunity")),
        Sf("HubSpot_Contact_Id__c", K::kString)};
    f.back().external_id = true;
    AddAddress(f, "");
    out.push_back(SfObject("Lead", "00Q", std::move(f)));
  }
  {
    std::vector<FieldDef> f = {
        Req(Sf("Name", K::kString)),
        Req(Restricted(
            Sf("StageName", K::kEnum,
               Opts({"Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
                     "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
                     "Negotiation/Review", "Closed Won", "Closed Lost"})))),
        Req(Sf("CloseDate", K::kDate)),
        Sf("Amount", K::kNumber),
        Sf("Probability", K::kNumber),
        Ref("AccountId", {"Account"}, "Account"),
        Sf("Type", K::kEnum,
           Opts(
               {"New Customer", "Existing Customer - Upgrade", "Existing Customer - Replacement"})),
        Sf("LeadSource", K::kEnum, lead_source),
        Sf("Description", K::kText),
        Ro(Sf("IsClosed", K::kBool)),
        Ro(Sf("IsWon", K::kBool)),
        Sf("ForecastCategoryName", K::kEnum,
           Opts({"Omitted", "Pipeline", "Best Case", "Commit", "Closed"})),
        Sf("HubSpot_Deal_Id__c", K::kString)};
    f.back().external_id = true;
    f[3].api_type = "currency";
    f[4].api_type = "percent";
    out.push_back(SfObject("Opportunity", "006", std::move(f)));
  }
  {
    FieldDef opp = Req(Ref("OpportunityId", {"Opportunity"}, "Opportunity"));
    opp.create_only = true;
    out.push_back(SfObject(
        "OpportunityContactRole", "00K",
        {opp, Req(Ref("ContactId", {"Contact"}, "Contact")),
         Sf("Role", K::kEnum,
            Opts({"Business User", "Decision Maker", "Economic Buyer", "Economic Decision Maker",
                  "Evaluator", "Executive Sponsor", "Influencer", "Technical Buyer", "Other"})),
         Sf("IsPrimary", K::kBool)}));
  }
  {
    FieldDef number = Ro(Sf("CaseNumber", K::kString));
    out.push_back(
        SfObject("Case", "500",
                 {number, Sf("Subject", K::kString), Sf("Description", K::kText),
                  Sf("Status", K::kEnum, Opts({"New", "Working", "Escalated", "Closed"})),
                  Sf("Priority", K::kEnum, Opts({"High", "Medium", "Low"})),
                  Sf("Origin", K::kEnum, Opts({"Phone", "Email", "Web"})),
                  Sf("Type", K::kEnum,
                     Opts({"Mechanical", "Electrical", "Electronic", "Structural", "Other"})),
                  Sf("Reason", K::kString), Ref("AccountId", {"Account"}, "Account"),
                  Ref("ContactId", {"Contact"}, "Contact"), Ro(Sf("IsClosed", K::kBool)),
                  Ro(Sf("ClosedDate", K::kDateTime)), [] {
                    FieldDef h = Sf("HubSpot_Ticket_Id__c", K::kString);
                    h.external_id = true;
                    return h;
                  }()}));
    out.back().primary_display_property = "CaseNumber";
  }
  {
    FieldDef subtype = Sf("TaskSubtype", K::kEnum,
                          Opts({"Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"}));
    subtype.create_only = true;
    FieldDef status = Req(Sf(
        "Status", K::kEnum,
        Opts({"Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"})));
    status.options[0].is_default = true;
    FieldDef priority = Req(Sf("Priority", K::kEnum, Opts({"High", "Normal", "Low"})));
    priority.options[1].is_default = true;
    out.push_back(
        SfObject("Task", "00T",
                 {Sf("Subject", K::kString), Ref("WhoId", {"Contact", "Lead"}, "Who"),
                  Ref("WhatId", {"Account", "Opportunity", "Case"}, "What"),
                  Sf("ActivityDate", K::kDate), status, priority, Sf("Description", K::kText),
                  subtype, Sf("CallType", K::kEnum, Opts({"Inbound", "Outbound", "Internal"})),
                  Sf("CallDurationInSeconds", K::kInteger), Sf("CallDisposition", K::kString),
                  Sf("CompletedDateTime", K::kDateTime), Ro(Sf("IsClosed", K::kBool)),
                  Ro(Sf("IsHighPriority", K::kBool)), Ro(Ref("AccountId", {"Account"}, "Account")),
                  Ro(Sf("IsArchived", K::kBool)), [] {
                    FieldDef h = Sf("HubSpot_Engagement_Id__c", K::kString);
                    h.external_id = true;
                    return h;
                  }()}));
    out.back().primary_display_property = "Subject";
  }
  out.push_back(SfObject("Event", "00U",
                         {Sf("Subject", K::kString), Ref("WhoId", {"Contact", "Lead"}, "Who"),
                          Ref("WhatId", {"Account", "Opportunity", "Case"}, "What"),
                          Req(Sf("StartDateTime", K::kDateTime)),
                          Req(Sf("EndDateTime", K::kDateTime)), Sf("Location", K::kString),
                          Sf("Description", K::kText), Sf("DurationInMinutes", K::kInteger)}));
  out.back().primary_display_property = "Subject";
  {
    FieldDef vin = Req(Sf("VIN__c", K::kString));
    vin.external_id = true;
    vin.unique = true;
    out.push_back(
        SfObject("Vehicle__c", "a01",
                 {Sf("Name", K::kString), vin, Sf("Make__c", K::kString),
                  Sf("Model__c", K::kString), Sf("Year__c", K::kInteger),
                  Restricted(Sf("Condition__c", K::kEnum, Opts({"New", "Used", "Certified"}))),
                  Ref("Account__c", {"Account"}, "Account__r")},
                 true));
  }
  return out;
}

class Builtin final : public ObjectCatalog {
 public:
  std::vector<ObjectDef> Objects(Vendor vendor) const override {
    return vendor == Vendor::kHubSpot ? HubSpotObjects() : SalesforceObjects();
  }
};

std::vector<Country> LoadCountries() {
  static const std::set<std::string> with_states = {"US", "CA", "AU", "BR", "CN",
                                                    "IN", "IE", "IT", "MX", "JP"};
  std::vector<Country> out;
  std::map<std::string, size_t> index;
  try {
    std::ifstream one("/usr/share/iso-codes/json/iso_3166-1.json");
    std::ifstream two("/usr/share/iso-codes/json/iso_3166-2.json");
    if (one && two) {
      auto j1 = nlohmann::json::parse(one);
      for (const auto& c : j1.at("3166-1")) {
        std::string name = c.value("common_name", c.at("name").get<std::string>());
        if (c.at("alpha_2") == "US") name = "United States";
        index[c.at("alpha_2")] = out.size();
        out.push_back({c.at("alpha_2"), name, {}});
      }
      auto j2 = nlohmann::json::parse(two);
      for (const auto& s : j2.at("3166-2")) {
        std::string code = s.at("code");
        std::string cc = code.substr(0, 2);
        if (!with_states.count(cc) || s.contains("parent")) continue;
        if (cc == "US" && s.value("type", "") == "Outlying area") continue;
        out[index[cc]].states.push_back({code.substr(3), s.at("name")});
      }
    }
  } catch (const std::exception&) {
    out.clear();
  }
  if (out.empty()) {
    out = {{"US",
            "United States",
            {{"CA", "California"},
             {"NY", "New York"},
             {"TX", "Texas"},
             {"WA", "Washington"},
             {"MA", "Massachusetts"},
             {"IL", "Illinois"},
             {"FL", "Florida"}}},
           {"CA", "Canada", {{"ON", "Ontario"}, {"QC", "Quebec"}, {"BC", "British Columbia"}}},
           {"AU", "Australia", {{"NSW", "New South Wales"}, {"VIC", "Victoria"}}},
           {"GB", "United Kingdom", {}},
           {"DE", "Germany", {}},
           {"FR", "France", {}},
           {"IE", "Ireland", {{"D", "Dublin"}}},
           {"NL", "Netherlands", {}},
           {"ES", "Spain", {}}};
  }
  return out;
}

}  // namespace

void ObjectDef::BuildIndex() {
  index.clear();
  for (size_t i = 0; i < fields.size(); ++i) index.emplace(fields[i].name, i);
}

const FieldDef* ObjectDef::Find(std::string_view field) const {
  if (index.size() == fields.size()) {
    auto it = index.find(std::string(field));
    if (it != index.end() && it->second < fields.size() && fields[it->second].name == field)
      return &fields[it->second];
  }
  for (const auto& f : fields)
    if (f.name == field) return &f;
  for (const auto& f : fields)
    if (IEquals(f.name, field)) return &f;
  return nullptr;
}

std::shared_ptr<const ObjectCatalog> BuiltinCatalog() {
  static auto catalog = std::make_shared<Builtin>();
  return catalog;
}

const std::vector<Country>& Countries() {
  static const std::vector<Country> countries = LoadCountries();
  return countries;
}

const Country* FindCountryByCode(std::string_view code) {
  for (const auto& c : Countries())
    if (IEquals(c.code, code)) return &c;
  return nullptr;
}

const Country* FindCountryByName(std::string_view name) {
  for (const auto& c : Countries())
    if (IEquals(c.name, name)) return &c;
  return nullptr;
}

}  // namespace syncline::sandbox
