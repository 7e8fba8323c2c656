// The one place where syncline_schema's model meets the sandboxes' ObjectDef.
#include "sandbox/schema_adapter.h"

#include <map>

namespace syncline::sandbox {
namespace {

FieldKind KindOf(const schema::Field& f) {
  using V = schema::ValueKind;
  switch (f.kind) {
    case V::kNumber:
      return FieldKind::kNumber;
    case V::kInteger:
      return FieldKind::kInteger;
    case V::kBool:
      return FieldKind::kBool;
    case V::kDate:
      return FieldKind::kDate;
    case V::kDateTime:
      return FieldKind::kDateTime;
    case V::kEnum:
      return FieldKind::kEnum;
    case V::kMultiEnum:
      return FieldKind::kMultiEnum;
    case V::kReference:
      return FieldKind::kReference;
    case V::kId:
      return FieldKind::kId;
    default:
      break;
  }
  if (f.api_type == "email") return FieldKind::kEmail;
  if (f.api_type == "phone" || f.field_type == "phonenumber") return FieldKind::kPhone;
  if (f.api_type == "url") return FieldKind::kUrl;
  if (f.api_type == "textarea" || f.field_type == "textarea") return FieldKind::kText;
  return FieldKind::kString;
}

// HubSpot's documented default properties (API spec A6).
std::vector<std::string> HubSpotDefaults(const schema::Object& o) {
  if (o.name == "contacts")
    return {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"};
  if (o.name == "companies")
    return {"name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"};
  if (o.name == "deals")
    return {"dealname",  "amount",     "closedate",           "pipeline",
            "dealstage", "createdate", "hs_lastmodifieddate", "hs_object_id"};
  if (o.name == "tickets")
    return {
        "content", "hs_pipeline", "hs_pipeline_stage",   "hs_ticket_category", "hs_ticket_priority",
        "subject", "createdate",  "hs_lastmodifieddate", "hs_object_id"};
  if (o.custom) return {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"};
  return {"hs_timestamp", "hs_createdate", "hs_lastmodifieddate", "hs_object_id"};
}

ObjectDef Convert(const schema::Object& o) {
  ObjectDef d;
  d.vendor = o.crm == schema::Crm::kHubSpot ? Vendor::kHubSpot : Vendor::kSalesforce;
  d.name = o.name;
  d.label = o.label;
  d.object_type_id = o.object_type_id;
  d.key_prefix = o.key_prefix;
  d.custom = o.custom;
  d.primary_display_property = o.primary_display_property;
  if (d.vendor == Vendor::kHubSpot) d.default_properties = HubSpotDefaults(o);
  std::map<std::string, const schema::Field*> by_name;
  for (const auto& f : o.fields) by_name[f.name] = &f;
  for (const auto& f : o.fields) {
    FieldDef x;
    x.name = f.name;
    x.label = f.label;
    x.kind = KindOf(f);
    x.api_type = f.api_type == "dateTime" ? "datetime" : f.api_type;
    x.field_type = d.vendor == Vendor::kHubSpot ? f.field_type : "";
    x.required_on_create = f.required_on_create;
    x.read_only = f.read_only || f.calculated || (!f.createable && !f.updateable);
    x.create_only = f.createable && !f.updateable;
    x.restricted = f.restricted;
    x.unique = f.unique;
    // HubSpot keeps contact emails unique (409 "Contact already exists") although the
    // property's metadata says hasUniqueValue false; the built-in catalog does the same.
    if (d.vendor == Vendor::kHubSpot && d.name == "contacts" && f.name == "email") x.unique = true;
    x.external_id = f.external_id;
    x.controller = f.controller;
    x.reference_to = f.reference_to;
    x.relationship_name = f.relationship_name;
    x.group = f.group;
    if (f.length > 0) x.length = f.length;
    if (d.vendor == Vendor::kHubSpot) x.length = 65536;
    const schema::Field* controller =
        f.controller.empty() ? nullptr
                             : (by_name.count(f.controller) ? by_name[f.controller] : nullptr);
    for (const auto& opt : f.options) {
      if (!opt.active) continue;
      FieldOption y{opt.value, opt.label, {}, opt.is_default, opt.display_order};
      if (controller)
        for (size_t i = 0; i < controller->options.size(); ++i)
          if (schema::ValidFor(opt.valid_for, i))
            y.valid_for.push_back(controller->options[i].value);
      x.options.push_back(std::move(y));
    }
    // HubSpot keeps contact emails unique (409 CONFLICT, also used as an upsert key) and
    // syntax-checks them, although the properties API reports a plain string with
    // hasUniqueValue false: behaviour the schema files cannot carry.
    if (d.vendor == Vendor::kHubSpot && d.name == "contacts" && x.name == "email") {
      x.kind = FieldKind::kEmail;
      x.unique = true;
    }
    d.fields.push_back(std::move(x));
  }
  return d;
}

class SchemaBacked final : public ObjectCatalog {
 public:
  explicit SchemaBacked(const schema::SchemaEnv& env) {
    for (const auto* o : env.Objects(schema::Crm::kHubSpot)) hubspot_.push_back(Convert(*o));
    for (const auto* o : env.Objects(schema::Crm::kSalesforce)) salesforce_.push_back(Convert(*o));
  }
  std::vector<ObjectDef> Objects(Vendor vendor) const override {
    return vendor == Vendor::kHubSpot ? hubspot_ : salesforce_;
  }

 private:
  std::vector<ObjectDef> hubspot_, salesforce_;
};

}  // namespace

std::shared_ptr<const ObjectCatalog> SchemaCatalog(const schema::SchemaEnv& env) {
  return std::make_shared<SchemaBacked>(env);
}

std::shared_ptr<const ObjectCatalog> BuiltinSchemaCatalog() {
  static auto catalog = SchemaCatalog(schema::SchemaEnv::Builtin());
  return catalog;
}

}  // namespace syncline::sandbox
