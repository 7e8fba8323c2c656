// ObjectDef's field index.
#include <algorithm>
#include <cctype>

#include "sandbox/object_catalog.h"

namespace syncline::sandbox {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
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

}  // namespace syncline::sandbox
