// The types the checker assigns to expressions. Every CRM value may be blank, so "may be
// blank" is part of a type; so is "may fail" (a fallible conversion not yet handled).
#pragma once

#include <string>

#include "runtime/schema/schema.h"

namespace syncline::sema {

enum class TypeKind {
  kError,  // an expression already reported as wrong: checks that depend on it stay silent
  kNever,  // `skip` and `error "..."`: no value, fits wherever a value is expected
  kBlank,  // the `blank` literal: fits any type
  kText,
  kNumber,
  kInteger,
  kBool,
  kDate,
  kDateTime,
  kEnum,       // a picklist value: text restricted to `field`'s options
  kMultiEnum,  // `;`-joined picklist values
  kReference,  // a record id
  kList,       // a list literal (of `element` kind) for `in`
};

struct Type {
  TypeKind kind = TypeKind::kError;
  bool may_be_blank = false;
  bool fallible = false;
  // For kEnum/kMultiEnum from a schema field: the field whose options are the value set.
  const schema::Field* field = nullptr;
  TypeKind element = TypeKind::kError;  // kList

  static Type Of(TypeKind k, bool blank = false) {
    Type t;
    t.kind = k;
    t.may_be_blank = blank;
    return t;
  }
  bool IsError() const { return kind == TypeKind::kError; }
  bool IsTextLike() const { return kind == TypeKind::kText || kind == TypeKind::kEnum; }
  bool IsNumeric() const { return kind == TypeKind::kNumber || kind == TypeKind::kInteger; }
};

std::string TypeName(const Type& type);  // "text?", "number (may fail)"
std::string KindName(TypeKind kind);
// The type of a schema field as the checker sees it (every CRM value may be blank).
Type FieldType(const schema::Field& field);

}  // namespace syncline::sema
