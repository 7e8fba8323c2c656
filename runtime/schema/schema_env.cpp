// SchemaEnv: the builtin objects (parsed once from the embedded JSON) plus objects added or
// overridden from directories. Loading never throws and never stops at the first bad file:
// each problem is a LoadError naming its file.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <unordered_map>

#include "schema/builtin_schemas.h"
#include "schema/parsers.h"
#include "schema/schema.h"
#include "schema/text_util.h"

namespace syncline::schema {

namespace {

std::string Key(Crm crm, std::string_view name) {
  return crm == Crm::kHubSpot ? std::string(name) : internal::LowerAscii(name);
}

// Merges `over` into `base`: fields replace same-named ones in place, new ones are appended;
// object attributes the override states (non-empty) replace the builtin ones.
void Merge(Object& base, Object&& over) {
  auto set_if = [](std::string& to, std::string& from) {
    if (!from.empty()) to = std::move(from);
  };
  // A label equal to the name is the parsers' fallback, not something the file said.
  if (over.label != over.name) set_if(base.label, over.label);
  set_if(base.key_prefix, over.key_prefix);
  set_if(base.object_type_id, over.object_type_id);
  set_if(base.fully_qualified_name, over.fully_qualified_name);
  set_if(base.primary_display_property, over.primary_display_property);
  if (!over.required_properties.empty())
    base.required_properties = std::move(over.required_properties);
  if (!over.associations.empty()) base.associations = std::move(over.associations);
  // A describe listing the org's own record types replaces the builtin Master-only list.
  if (over.KnowsRecordTypes() || base.record_types.empty())
    base.record_types = std::move(over.record_types);
  base.custom = base.custom || over.custom;
  base.createable = over.createable;
  base.updateable = over.updateable;
  base.deletable = over.deletable;
  base.queryable = over.queryable;
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < base.fields.size(); ++i)
    index[Key(base.crm, base.fields[i].name)] = i;
  for (Field& field : over.fields) {
    auto [it, inserted] = index.try_emplace(Key(base.crm, field.name), base.fields.size());
    if (inserted) {
      base.fields.push_back(std::move(field));
    } else {
      base.fields[it->second] = std::move(field);
    }
  }
}

std::optional<std::string> ReadFile(const std::filesystem::path& path, std::string& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::string("is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot open the file";
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return "cannot read the file";
  out = std::move(buffer).str();
  return std::nullopt;
}

// The *.json files directly in `dir`, sorted so loading order (and so merge order) is stable.
std::vector<std::filesystem::path> JsonFiles(const std::filesystem::path& dir,
                                             std::vector<LoadError>& errors) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec), end;
  if (ec) {
    errors.push_back({dir.string(), "cannot list the directory: " + ec.message()});
    return files;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      errors.push_back({dir.string(), "cannot list the directory: " + ec.message()});
      break;
    }
    const auto& path = it->path();
    if (path.extension() == ".json") files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

SchemaEnv SchemaEnv::Builtin() {
  SchemaEnv env;
  const auto schemas = internal::BuiltinSchemas();
  for (std::size_t i = 0; i < schemas.size(); ++i) {
    auto& pending =
        schemas[i].crm == Crm::kHubSpot ? env.pending_hubspot_ : env.pending_salesforce_;
    pending.emplace(Key(schemas[i].crm, schemas[i].name), i);
  }
  return env;
}

void SchemaEnv::Materialize(Crm crm, const std::string& key) const {
  auto& pending = crm == Crm::kHubSpot ? pending_hubspot_ : pending_salesforce_;
  auto it = pending.find(key);
  if (it == pending.end()) return;
  const internal::BuiltinSchema& schema = internal::BuiltinSchemas()[it->second];
  pending.erase(it);
  std::variant<Object, std::string> parsed = schema.crm == Crm::kHubSpot
                                                 ? ParseHubSpotProperties(schema.name, schema.json)
                                                 : ParseSalesforceDescribe(schema.json);
  // The unit tests parse every builtin and fail on an error; a bad one is skipped here.
  if (auto* object = std::get_if<Object>(&parsed)) {
    auto& objects = crm == Crm::kHubSpot ? hubspot_ : salesforce_;
    auto existing = objects.find(key);
    if (existing == objects.end()) {
      objects.emplace(key, std::move(*object));
    } else {
      // A directory already overrode parts of it: the override wins over the builtin.
      Object overrides = std::move(existing->second);
      existing->second = std::move(*object);
      Merge(existing->second, std::move(overrides));
      if (crm == Crm::kHubSpot) internal::ApplyHubSpotRequired(existing->second);
    }
  }
}

void SchemaEnv::MaterializeAll(Crm crm) const {
  auto& pending = crm == Crm::kHubSpot ? pending_hubspot_ : pending_salesforce_;
  while (!pending.empty()) {
    const std::string key = pending.begin()->first;  // a copy: Materialize erases the node
    Materialize(crm, key);
  }
}

void SchemaEnv::Add(Object object) {
  std::lock_guard lock(*mutex_);
  const Crm crm = object.crm;
  std::string key = Key(crm, object.name);
  Materialize(crm, key);
  auto& objects = crm == Crm::kHubSpot ? hubspot_ : salesforce_;
  auto it = objects.find(key);
  if (it == objects.end()) {
    objects.emplace(std::move(key), std::move(object));
    return;
  }
  Merge(it->second, std::move(object));
  if (it->second.crm == Crm::kHubSpot) internal::ApplyHubSpotRequired(it->second);
}

std::vector<LoadError> SchemaEnv::LoadDirectory(const std::filesystem::path& dir) {
  std::vector<LoadError> errors;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    errors.push_back({dir.string(), std::filesystem::exists(dir, ec) ? "is not a directory"
                                                                     : "no such directory"});
    return errors;
  }
  bool any = false;
  for (Crm crm : {Crm::kHubSpot, Crm::kSalesforce}) {
    std::filesystem::path sub = dir / (crm == Crm::kHubSpot ? "hubspot" : "salesforce");
    if (!std::filesystem::is_directory(sub, ec)) continue;
    any = true;
    for (const std::filesystem::path& file : JsonFiles(sub, errors)) {
      std::string text;
      if (auto error = ReadFile(file, text)) {
        errors.push_back({file.string(), std::move(*error)});
        continue;
      }
      if (crm == Crm::kHubSpot) {
        auto parsed = internal::ParseHubSpotFile(file.stem().string(), text);
        if (auto* error = std::get_if<std::string>(&parsed)) {
          errors.push_back({file.string(), std::move(*error)});
          continue;
        }
        for (Object& object : std::get<std::vector<Object>>(parsed)) Add(std::move(object));
      } else {
        auto parsed = ParseSalesforceDescribe(text);
        if (auto* error = std::get_if<std::string>(&parsed)) {
          errors.push_back({file.string(), std::move(*error)});
          continue;
        }
        Add(std::move(std::get<Object>(parsed)));
      }
    }
  }
  if (!any) {
    errors.push_back({dir.string(), "holds neither a hubspot/ nor a salesforce/ folder"});
  }
  return errors;
}

const Object* SchemaEnv::Find(Crm crm, std::string_view name) const {
  std::lock_guard lock(*mutex_);
  const std::string key = Key(crm, name);
  Materialize(crm, key);
  const auto& objects = crm == Crm::kHubSpot ? hubspot_ : salesforce_;
  if (auto it = objects.find(key); it != objects.end()) return &it->second;
  if (crm == Crm::kSalesforce || name.empty()) return nullptr;
  // HubSpot also names objects by objectTypeId ("0-1", "2-3456789"), fully qualified name
  // ("p12345_vehicles") and the portal-less custom form "p_vehicles".
  MaterializeAll(crm);
  for (const auto& [object_key, object] : objects) {
    if (object.object_type_id == name || object.fully_qualified_name == name) return &object;
    if (name.starts_with("p_") && name.substr(2) == object.name && object.custom) return &object;
  }
  return nullptr;
}

std::vector<const Object*> SchemaEnv::Objects(Crm crm) const {
  std::lock_guard lock(*mutex_);
  MaterializeAll(crm);
  const auto& objects = crm == Crm::kHubSpot ? hubspot_ : salesforce_;
  std::vector<const Object*> out;
  out.reserve(objects.size());
  for (const auto& [key, object] : objects) out.push_back(&object);
  // Map order is by key (lower-cased for Salesforce); sort by the real name as promised.
  std::sort(out.begin(), out.end(),
            [](const Object* a, const Object* b) { return a->name < b->name; });
  return out;
}

}  // namespace syncline::schema
