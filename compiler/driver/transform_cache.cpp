#include "transform_cache.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "compiler/jit/engine.h"

namespace syncline::driver {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr int kManifestVersion = 1;

bool ReadFile(const fs::path& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return !f.bad();
}

fs::path ManifestPath(const std::string& cache_dir, const std::string& key) {
  return fs::path(cache_dir) / (key + ".transform.json");
}

}  // namespace

std::string TransformCacheKey(const TransformInputs& inputs) {
  std::vector<std::string> parts = {"transform", inputs.sync, inputs.to, inputs.object,
                                    inputs.rules};
  std::string text;
  if (!ReadFile(inputs.rules, text)) return "";
  parts.push_back(std::move(text));
  // Every file under each schema folder, in a fixed order, by name and content: a folder the
  // loader reads differently (new, removed or edited files) makes another key.
  for (const auto& dir : inputs.schema_dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return "";
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file(ec)) files.push_back(it->path());
    if (ec) return "";
    std::sort(files.begin(), files.end());
    parts.push_back("schemas:" + dir);
    for (const auto& file : files) {
      if (!ReadFile(file, text)) return "";
      parts.push_back(file.string());
      parts.push_back(std::move(text));
    }
  }
  return jit::CacheKeyOf(parts);
}

std::optional<TransformManifest> LoadTransformManifest(const std::string& cache_dir,
                                                       const std::string& key) {
  std::string text;
  if (cache_dir.empty() || key.empty() || !ReadFile(ManifestPath(cache_dir, key), text))
    return std::nullopt;
  try {
    const json j = json::parse(text);
    if (j.at("version").get<int>() != kManifestVersion) return std::nullopt;
    TransformManifest m;
    const json& l = j.at("layout");
    m.layout.source =
        l.at("source").get<std::string>() == "hubspot" ? rt::Crm::kHubSpot : rt::Crm::kSalesforce;
    m.layout.target =
        l.at("target").get<std::string>() == "hubspot" ? rt::Crm::kHubSpot : rt::Crm::kSalesforce;
    m.layout.target_object = l.at("target_object").get<std::string>();
    m.layout.inputs = l.at("inputs").get<std::vector<std::string>>();
    m.layout.segments_slot = l.at("segments_slot").get<int>();
    m.layout.outputs = l.at("outputs").get<std::vector<std::string>>();
    if (m.layout.segments_slot < -1 ||
        m.layout.segments_slot >= static_cast<int>(m.layout.inputs.size()))
      return std::nullopt;
    m.locations = j.at("locations").get<std::vector<std::string>>();
    m.stages.values = j.at("stages").at("values").get<std::vector<std::string>>();
    m.stages.labels = j.at("stages").at("labels").get<std::vector<std::string>>();
    m.object_key = j.at("object").get<std::string>();
    if (m.object_key.empty()) return std::nullopt;
    return m;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

void SaveTransformManifest(const std::string& cache_dir, const std::string& key,
                           const TransformManifest& m) {
  if (cache_dir.empty() || key.empty() || m.object_key.empty()) return;
  auto crm = [](rt::Crm c) { return c == rt::Crm::kHubSpot ? "hubspot" : "salesforce"; };
  const json j = {{"version", kManifestVersion},
                  {"layout",
                   {{"source", crm(m.layout.source)},
                    {"target", crm(m.layout.target)},
                    {"target_object", m.layout.target_object},
                    {"inputs", m.layout.inputs},
                    {"segments_slot", m.layout.segments_slot},
                    {"outputs", m.layout.outputs}}},
                  {"locations", m.locations},
                  {"stages", {{"values", m.stages.values}, {"labels", m.stages.labels}}},
                  {"object", m.object_key}};
  std::string text;
  try {
    text = j.dump();
  } catch (const json::exception&) {
    return;  // a name that is not UTF-8: nothing is cached, every start compiles
  }
  jit::WriteFileAtomically(ManifestPath(cache_dir, key).string(), text);
}

}  // namespace syncline::driver
