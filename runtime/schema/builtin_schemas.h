// The builtin schema table: the standard objects' complete JSON, generated at build time by
// schemas/generate_schemas.py into builtin_schemas.cpp (in the build tree). Internal to
// syncline_schema; the public face is SchemaEnv::Builtin() and BuiltinJson().
#pragma once

#include <span>
#include <string_view>

#include "schema/schema.h"

namespace syncline::schema::internal {

struct BuiltinSchema {
  Crm crm;
  std::string_view name;  // HubSpot object name or Salesforce sObject name
  std::string_view json;  // compact, exactly as the API returns it
};

std::span<const BuiltinSchema> BuiltinSchemas();

}  // namespace syncline::schema::internal
