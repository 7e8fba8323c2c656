#include "compiler/sema/types.h"

namespace syncline::sema {

std::string KindName(TypeKind kind) {
  switch (kind) {
    case TypeKind::kError:
      return "<error>";
    case TypeKind::kNever:
      return "nothing";
    case TypeKind::kBlank:
      return "blank";
    case TypeKind::kText:
      return "text";
    case TypeKind::kNumber:
      return "number";
    case TypeKind::kInteger:
      return "integer";
    case TypeKind::kBool:
      return "bool";
    case TypeKind::kDate:
      return "date";
    case TypeKind::kDateTime:
      return "datetime";
    case TypeKind::kEnum:
      return "picklist";
    case TypeKind::kMultiEnum:
      return "multi-select";
    case TypeKind::kReference:
      return "reference";
    case TypeKind::kList:
      return "list";
  }
  return "?";
}

std::string TypeName(const Type& type) {
  std::string name = KindName(type.kind);
  if (type.kind == TypeKind::kList) name = "list of " + KindName(type.element);
  if (type.may_be_blank && type.kind != TypeKind::kBlank) name += "?";
  if (type.fallible) name += " (may fail)";
  return name;
}

Type FieldType(const schema::Field& field) {
  using schema::ValueKind;
  Type t;
  t.may_be_blank = true;
  switch (field.kind) {
    case ValueKind::kText:
      t.kind = TypeKind::kText;
      break;
    case ValueKind::kNumber:
      t.kind = TypeKind::kNumber;
      break;
    case ValueKind::kInteger:
      t.kind = TypeKind::kInteger;
      break;
    case ValueKind::kBool:
      t.kind = TypeKind::kBool;
      break;
    case ValueKind::kDate:
      t.kind = TypeKind::kDate;
      break;
    case ValueKind::kDateTime:
      t.kind = TypeKind::kDateTime;
      break;
    case ValueKind::kEnum:
      t.kind = TypeKind::kEnum;
      t.field = &field;
      break;
    case ValueKind::kMultiEnum:
      t.kind = TypeKind::kMultiEnum;
      t.field = &field;
      break;
    case ValueKind::kReference:
    case ValueKind::kId:
      t.kind = TypeKind::kReference;
      break;
    case ValueKind::kOther:
      t.kind = TypeKind::kError;
      break;
  }
  return t;
}

}  // namespace syncline::sema
