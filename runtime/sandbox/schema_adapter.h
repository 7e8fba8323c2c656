// Maps the project's CRM schemas (runtime/schema, `syncline_schema`) onto the sandboxes'
// ObjectCatalog, so that a sandbox validates and describes exactly the objects the type
// checker knows. BuiltinCatalog() is built on it too (builtin_catalog.cpp).
#pragma once

#include <memory>

#include "sandbox/object_catalog.h"
#include "schema/schema.h"

namespace syncline::sandbox {

// A catalog over `env` (copied). Pass it as SandboxOptions::catalog.
std::shared_ptr<const ObjectCatalog> SchemaCatalog(const schema::SchemaEnv& env);
// SchemaCatalog(schema::SchemaEnv::Builtin()).
std::shared_ptr<const ObjectCatalog> BuiltinSchemaCatalog();

}  // namespace syncline::sandbox
