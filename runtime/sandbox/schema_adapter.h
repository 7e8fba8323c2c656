// Maps the project's CRM schemas (runtime/schema, `syncline_schema`) onto the sandboxes'
// ObjectCatalog, so that a sandbox validates and describes exactly the objects the type
// checker knows. Compiled only when runtime/schema exists (SYNCLINE_SANDBOX_HAS_SCHEMA).
#pragma once

#include <memory>

#include "sandbox/object_catalog.h"

#if defined(SYNCLINE_SANDBOX_HAS_SCHEMA)
#include "schema/schema.h"

namespace syncline::sandbox {

// A catalog over `env` (copied). Pass it as SandboxOptions::catalog.
std::shared_ptr<const ObjectCatalog> SchemaCatalog(const schema::SchemaEnv& env);
// SchemaCatalog(schema::SchemaEnv::Builtin()).
std::shared_ptr<const ObjectCatalog> BuiltinSchemaCatalog();

}  // namespace syncline::sandbox
#endif
