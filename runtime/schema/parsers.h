// Internal entry points of the JSON parsers that the directory loader needs beyond the
// public ones: a HubSpot file may hold any of three shapes.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "schema/schema.h"

namespace syncline::schema::internal {

// A HubSpot schema file: a /crm/v3/properties/{object} body (the object is named after the
// file, `stem`), a /crm/v3/schemas object, or a /crm/v3/schemas list.
std::variant<std::vector<Object>, std::string> ParseHubSpotFile(std::string_view stem,
                                                                std::string_view json);

// Marks HubSpot fields named in the object's required_properties as required on create.
void ApplyHubSpotRequired(Object& object);

}  // namespace syncline::schema::internal
