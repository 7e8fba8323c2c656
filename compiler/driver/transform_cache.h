// `transform`'s warm start. A run needs little of the checked rules: the slot layout of the
// chosen entry, the rules' source locations (for failures), the portal's lifecycle stages and
// the compiled object. These are kept beside the object cache in a small manifest, keyed by the
// run's inputs (the rule file, the schema folders, the sync, target and object) together with
// the compiler build and host (jit::CacheKeyOf), so that a second start with the same inputs
// skips parsing, checking, the schemas and lowering as well as compiling.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/engine/portal_stages.h"
#include "runtime/record/record.h"

namespace syncline::driver {

struct TransformInputs {
  std::string rules;
  std::vector<std::string> schema_dirs;
  std::string sync, to, object;
};

struct TransformManifest {
  rt::Layout layout;
  std::vector<std::string> locations;
  engine::StageOptions stages;
  std::string object_key;  // jit::Engine::cache_key() of the compiled entry
};

// The manifest's key: a hash of the inputs' names and contents. Empty when one cannot be read;
// the full compile then reports it.
std::string TransformCacheKey(const TransformInputs& inputs);

// nullopt when there is no manifest or it cannot be read (a damaged one counts as none).
std::optional<TransformManifest> LoadTransformManifest(const std::string& cache_dir,
                                                       const std::string& key);
// Best effort: a manifest that cannot be written only costs the next start a compile.
void SaveTransformManifest(const std::string& cache_dir, const std::string& key,
                           const TransformManifest& manifest);

}  // namespace syncline::driver
