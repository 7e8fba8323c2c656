// SOQL evaluation over the Salesforce sandbox's records (name checks with Salesforce's error
// codes, typed comparisons in UTC, relationship paths, ORDER BY with null ordering, query
// locators) and the describe resources.
#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_set>

#include "sandbox/salesforce_impl.h"
#include "sandbox/soql.h"
#include "sandbox/time_format.h"

namespace syncline::sandbox {

using nlohmann::json;

namespace {

using Kind = SoqlLiteral::Kind;

// A resolved field path: the relationship fields walked, then the final field.
struct Resolved {
  std::vector<const FieldDef*> hops;   // reference fields, one per relationship step
  std::vector<std::string> hop_names;  // canonical relationship names
  const FieldDef* field = nullptr;
};

const char* TypeName(FieldKind k) {
  switch (k) {
    case FieldKind::kDateTime:
      return "dateTime";
    case FieldKind::kDate:
      return "date";
    case FieldKind::kNumber:
      return "double";
    case FieldKind::kInteger:
      return "int";
    case FieldKind::kBool:
      return "boolean";
    default:
      return "string";
  }
}

bool Like(const std::string& pattern, const std::string& text) {
  std::string p = Lower(pattern), t = Lower(text);
  size_t pi = 0, ti = 0, star = std::string::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '_' || p[pi] == t[ti])) {
      ++pi, ++ti;
    } else if (pi < p.size() && p[pi] == '%') {
      star = pi++, mark = ti;
    } else if (star != std::string::npos) {
      pi = star + 1, ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '%') ++pi;
  return pi == p.size();
}

int64_t MonthStart(int64_t ms, int delta) {
  std::string d = FormatDate(ms);
  int y = std::stoi(d.substr(0, 4)), m = std::stoi(d.substr(5, 2)) + delta;
  while (m < 1) m += 12, --y;
  while (m > 12) m -= 12, ++y;
  return DaysFromCivil(y, static_cast<unsigned>(m), 1) * kDayMs;
}

// [start, end) of a relative date literal.
std::pair<int64_t, int64_t> Range(const SoqlLiteral& v, int64_t now) {
  int64_t today = now / kDayMs * kDayMs;
  int64_t dow = (now / kDayMs + 4) % 7;  // 1970-01-01 was a Thursday; weeks start on Sunday
  int64_t week = today - dow * kDayMs;
  if (v.text == "TODAY") return {today, today + kDayMs};
  if (v.text == "YESTERDAY") return {today - kDayMs, today};
  if (v.text == "TOMORROW") return {today + kDayMs, today + 2 * kDayMs};
  if (v.text == "LAST_N_DAYS") return {today - v.n * kDayMs, today + kDayMs};
  if (v.text == "NEXT_N_DAYS") return {today + kDayMs, today + (v.n + 1) * kDayMs};
  if (v.text == "THIS_WEEK") return {week, week + 7 * kDayMs};
  if (v.text == "LAST_WEEK") return {week - 7 * kDayMs, week};
  if (v.text == "THIS_MONTH") return {MonthStart(now, 0), MonthStart(now, 1)};
  if (v.text == "LAST_MONTH") return {MonthStart(now, -1), MonthStart(now, 0)};
  return {0, 0};
}

class QueryRunner {
 public:
  QueryRunner(SalesforceSandbox::Impl& im, const ObjectDef& def) : im_(im), def_(def) {}

  std::optional<SfError> Resolve(const std::vector<std::string>& path, Resolved& out) const {
    const ObjectDef* def = &def_;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
      const FieldDef* hop = nullptr;
      for (const auto& f : def->fields)
        if (!f.relationship_name.empty() && Lower(f.relationship_name) == Lower(path[i])) hop = &f;
      if (!hop)
        return SfError{"INVALID_FIELD",
                       "Didn't understand relationship '" + path[i] +
                           "' in field path. If you are attempting to use a custom relationship, "
                           "be sure to append the '__r' after the custom relationship name.",
                       {},
                       nullptr};
      out.hops.push_back(hop);
      out.hop_names.push_back(hop->relationship_name);
      def = im_.FindObject(hop->reference_to.front());
      if (!def) return SfError{"INVALID_FIELD", "Unknown relationship target", {}, nullptr};
    }
    // Polymorphic lookups (WhoId, WhatId) accept a field of any of their targets.
    const FieldDef* f = def->Find(path.back());
    if (!f && !out.hops.empty()) {
      for (const auto& target : out.hops.back()->reference_to)
        if (const ObjectDef* t = im_.FindObject(target))
          if ((f = t->Find(path.back()))) break;
    }
    if (!f) {
      std::string joined;
      for (const auto& p : path) joined += (joined.empty() ? "" : ".") + p;
      return SfError{"INVALID_FIELD",
                     "No such column '" + path.back() + "' on entity '" + def->name +
                         "'. If you are attempting to use a custom field, be sure to append the "
                         "'__c' after the custom field name. Please reference your WSDL or the "
                         "describe call for the appropriate names.",
                     {},
                     nullptr};
    }
    out.field = f;
    return std::nullopt;
  }

  // The value at `r` along a resolved path (null when a lookup on the way is empty).
  json Value(const StoredRecord& r, const Resolved& p) {
    const StoredRecord* cur = &r;
    const ObjectDef* def = &def_;
    for (const auto* hop : p.hops) {
      json id = im_.FieldValue(*def, *cur, *hop);
      if (!id.is_string()) return nullptr;
      cur = Related(id.get<std::string>(), def);
      if (!cur) return nullptr;
    }
    const FieldDef* f = def->Find(p.field->name);
    if (!f) return nullptr;
    return im_.FieldValue(*def, *cur, *f);
  }

  // Follows one lookup; `def` becomes the related record's object.
  const StoredRecord* Related(const std::string& id, const ObjectDef*& def) {
    def = im_.ObjectOfId(id);
    if (!def) return nullptr;
    auto it = cache_.find(id);
    if (it == cache_.end()) it = cache_.emplace(id, im_.store->Get(def->name, id)).first;
    return it->second ? &*it->second : nullptr;
  }

  std::optional<SfError> Check(const SoqlCondition& c) {
    if (c.kind != SoqlCondition::Kind::kCompare) {
      for (const auto& child : c.children)
        if (auto e = Check(*child)) return e;
      return std::nullopt;
    }
    Resolved p;
    if (auto e = Resolve(c.path, p)) return e;
    resolved_[&c] = p;
    FieldKind k = p.field->kind;
    for (const auto& v : c.values) {
      if (v.kind == Kind::kNull) continue;
      bool ok;
      switch (k) {
        case FieldKind::kDateTime:
          ok = v.kind == Kind::kDateTime || v.kind == Kind::kRelativeDate;
          break;
        case FieldKind::kDate:
          ok = v.kind == Kind::kDate || v.kind == Kind::kRelativeDate;
          break;
        case FieldKind::kNumber:
        case FieldKind::kInteger:
          ok = v.kind == Kind::kNumber;
          break;
        case FieldKind::kBool:
          ok = v.kind == Kind::kBool;
          break;
        default:
          ok = v.kind == Kind::kString;
      }
      if (!ok) {
        bool quoted = k != FieldKind::kString && k != FieldKind::kText && k != FieldKind::kEmail &&
                      k != FieldKind::kPhone && k != FieldKind::kUrl && k != FieldKind::kEnum &&
                      k != FieldKind::kMultiEnum && k != FieldKind::kReference &&
                      k != FieldKind::kId;
        return SfError{"INVALID_FIELD",
                       "value of filter criterion for field '" + p.field->name +
                           "' must be of type " + TypeName(k) +
                           (quoted ? " and should not be enclosed in quotes"
                                   : " and should be enclosed in quotes"),
                       {},
                       nullptr};
      }
    }
    if (c.op == "LIKE" && k != FieldKind::kString && k != FieldKind::kText &&
        k != FieldKind::kEmail && k != FieldKind::kPhone && k != FieldKind::kUrl &&
        k != FieldKind::kEnum)
      return SfError{
          "INVALID_FIELD", "invalid operator on field '" + p.field->name + "'", {}, nullptr};
    return std::nullopt;
  }

  bool Eval(const SoqlCondition& c, const StoredRecord& r) {
    switch (c.kind) {
      case SoqlCondition::Kind::kAnd:
        return Eval(*c.children[0], r) && Eval(*c.children[1], r);
      case SoqlCondition::Kind::kOr:
        return Eval(*c.children[0], r) || Eval(*c.children[1], r);
      case SoqlCondition::Kind::kNot:
        return !Eval(*c.children[0], r);
      default:
        break;
    }
    const Resolved& p = resolved_.at(&c);
    json v = Value(r, p);
    FieldKind k = p.field->kind;
    bool is_null = v.is_null() || (v.is_string() && v.get<std::string>().empty());
    auto eq = [&](const SoqlLiteral& lit) -> bool {
      if (lit.kind == Kind::kNull) return is_null;
      if (is_null) return false;
      if (lit.kind == Kind::kRelativeDate) {
        auto [s, e] = Range(lit, im_.Now());
        auto ms = ParseIsoTime(v.get<std::string>());
        return ms && *ms >= s && *ms < e;
      }
      return Compare(v, lit, k) == 0;
    };
    const std::string& op = c.op;
    if (op == "=") return eq(c.values[0]);
    if (op == "!=") return !eq(c.values[0]);
    if (op == "IN" || op == "NOT IN") {
      // A sync's look-ups are `Email IN (100 values)` on each of 100 candidates: the values
      // compared as Compare does (lower-cased text, references in 18 characters), once.
      if (const auto* set = TextSet(c, k)) {
        const bool in =
            !is_null && set->count(Lower(v.is_string() ? v.get<std::string>() : v.dump())) > 0;
        return op == "IN" ? in : !in;
      }
      if (op == "IN") return std::any_of(c.values.begin(), c.values.end(), eq);
      return std::none_of(c.values.begin(), c.values.end(), eq);
    }
    if (op == "LIKE")
      return !is_null && v.is_string() && Like(c.values[0].text, v.get<std::string>());
    if (op == "INCLUDES" || op == "EXCLUDES") {
      std::vector<std::string> have =
          is_null ? std::vector<std::string>{} : SplitList(v.get<std::string>(), ';');
      for (auto& h : have) h = Lower(h);
      bool any = std::any_of(c.values.begin(), c.values.end(), [&](const SoqlLiteral& lit) {
        auto want = SplitList(lit.text, ';');
        return std::all_of(want.begin(), want.end(), [&](const std::string& w) {
          return std::find(have.begin(), have.end(), Lower(w)) != have.end();
        });
      });
      return op == "INCLUDES" ? any : !any;
    }
    const SoqlLiteral& lit = c.values[0];
    if (is_null || lit.kind == Kind::kNull) return false;
    if (lit.kind == Kind::kRelativeDate) {
      auto [s, e] = Range(lit, im_.Now());
      auto ms = ParseIsoTime(v.get<std::string>());
      if (!ms) return false;
      if (op == "<") return *ms < s;
      if (op == "<=") return *ms < e;
      if (op == ">") return *ms >= e;
      return *ms >= s;  // >=
    }
    int cmp = Compare(v, lit, k);
    if (op == "<") return cmp < 0;
    if (op == "<=") return cmp <= 0;
    if (op == ">") return cmp > 0;
    return cmp >= 0;
  }

  static int Compare(const json& v, const SoqlLiteral& lit, FieldKind k) {
    auto sign = [](auto a, auto b) { return a < b ? -1 : a > b ? 1 : 0; };
    switch (lit.kind) {
      case Kind::kNumber:
        return v.is_number() ? sign(v.get<double>(), lit.number) : 1;
      case Kind::kBool:
        return v.is_boolean() ? sign(v.get<bool>(), lit.boolean) : 1;
      case Kind::kDate:
      case Kind::kDateTime: {
        auto ms = v.is_string() ? ParseIsoTime(v.get<std::string>()) : std::nullopt;
        return ms ? sign(*ms, lit.ms) : 1;
      }
      default: {
        std::string a = v.is_string() ? v.get<std::string>() : v.dump(), b = lit.text;
        if ((k == FieldKind::kReference || k == FieldKind::kId) && b.size() == 15) b = SfTo18(b);
        return sign(Lower(a), Lower(b));
      }
    }
  }

  // The text values of an IN whose values are all text, as Compare sees them; null when one is
  // not text (null, a number, a date), which Eval then compares one by one.
  const std::unordered_set<std::string>* TextSet(const SoqlCondition& c, FieldKind k) {
    auto it = text_sets_.find(&c);
    if (it == text_sets_.end()) {
      std::optional<std::unordered_set<std::string>> set;
      if (std::all_of(c.values.begin(), c.values.end(),
                      [](const SoqlLiteral& v) { return v.kind == Kind::kString; })) {
        set.emplace();
        for (const auto& v : c.values) {
          std::string b = v.text;
          if ((k == FieldKind::kReference || k == FieldKind::kId) && b.size() == 15) b = SfTo18(b);
          set->insert(Lower(b));
        }
      }
      it = text_sets_.emplace(&c, std::move(set)).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  // The record as a query row: selected fields, nested objects for relationship paths.
  json Row(const StoredRecord& r, const std::vector<Resolved>& select) {
    json row = {
        {"attributes",
         {{"type", def_.name}, {"url", im_.Base() + "/sobjects/" + def_.name + "/" + r.id}}}};
    for (const auto& p : select) {
      json* node = &row;
      const StoredRecord* cur = &r;
      const ObjectDef* def = &def_;
      bool broken = false;
      for (size_t i = 0; i < p.hops.size(); ++i) {
        const std::string& key = p.hop_names[i];
        if (broken || !cur) {
          if (!node->contains(key)) (*node)[key] = nullptr;
          broken = true;
          break;
        }
        json id = im_.FieldValue(*def, *cur, *p.hops[i]);
        const StoredRecord* next = id.is_string() ? Related(id.get<std::string>(), def) : nullptr;
        if (!next) {
          if (!node->contains(key)) (*node)[key] = nullptr;
          broken = true;
          break;
        }
        if (!node->contains(key) || (*node)[key].is_null())
          (*node)[key] = {{"attributes",
                           {{"type", def->name},
                            {"url", im_.Base() + "/sobjects/" + def->name + "/" + next->id}}}};
        node = &(*node)[key];
        cur = next;
      }
      if (broken) continue;
      const FieldDef* f = def->Find(p.field->name);
      (*node)[p.field->name] = f ? im_.FieldValue(*def, *cur, *f) : json(nullptr);
    }
    return row;
  }

 private:
  SalesforceSandbox::Impl& im_;
  const ObjectDef& def_;
  std::map<const SoqlCondition*, Resolved> resolved_;
  std::map<std::string, std::optional<StoredRecord>> cache_;
  std::map<const SoqlCondition*, std::optional<std::unordered_set<std::string>>> text_sets_;
};

// An ORDER BY value, normalised once per row, so that the sort compares these without copying
// or lower-casing strings on every comparison.
struct SortKey {
  enum class Kind : uint8_t { kNull, kNumber, kBool, kText } kind = Kind::kNull;
  double number = 0;
  std::string text;  // lower-cased; numbers and booleans compared with text are dumped too
  static SortKey Of(const json& v) {
    SortKey k;
    if (v.is_null()) return k;
    if (v.is_number()) {
      k.kind = Kind::kNumber;
      k.number = v.get<double>();
    } else if (v.is_boolean()) {
      k.kind = Kind::kBool;
      k.number = v.get<bool>() ? 1 : 0;
    } else {
      k.kind = Kind::kText;
    }
    k.text = Lower(v.is_string() ? v.get<std::string>() : v.dump());
    return k;
  }
  // Numbers with numbers and booleans with booleans by value, anything else as lower-cased
  // text (numbers and booleans as their JSON).
  static int Compare(const SortKey& a, const SortKey& b) {
    auto sign = [](auto x, auto y) { return x < y ? -1 : x > y ? 1 : 0; };
    if (a.kind == b.kind && (a.kind == Kind::kNumber || a.kind == Kind::kBool))
      return sign(a.number, b.number);
    return a.text.compare(b.text) < 0 ? -1 : a.text == b.text ? 0 : 1;
  }
};

std::string NewLocator(std::mt19937_64& rng) {
  static const char* chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id = "01g";
  for (int i = 0; i < 12; ++i) id.push_back(chars[rng() % 62]);
  return SfTo18(id);
}

}  // namespace

void SalesforceSandbox::Impl::RunQuery(Call& call, bool all_rows) {
  std::string text = call.FormQuery("q");
  if (text.empty())
    return Errors(call, 400,
                  {{"MALFORMED_QUERY", "A query string has to be specified", {}, nullptr}});
  auto parsed = ParseSoql(text);
  if (auto* err = std::get_if<SoqlError>(&parsed))
    return Errors(
        call, 400,
        {{"MALFORMED_QUERY", text + "\n^\nERROR at Row:1:Column:1\n" + err->message, {}, nullptr}});
  SoqlQuery& q = std::get<SoqlQuery>(parsed);
  const ObjectDef* def = FindObject(q.object);
  if (!def)
    return Errors(call, 400,
                  {{"INVALID_TYPE",
                    "sObject type '" + q.object +
                        "' is not supported. If you are attempting to use a custom "
                        "object, be sure to append the '__c' after the entity name. "
                        "Please reference your WSDL or the describe call for the "
                        "appropriate names.",
                    {},
                    nullptr}});
  QueryRunner runner(*this, *def);
  std::vector<Resolved> select;
  for (const auto& path : q.fields) {
    Resolved p;
    if (auto e = runner.Resolve(path, p)) return Errors(call, 400, {*e});
    select.push_back(p);
  }
  std::vector<std::pair<Resolved, const SoqlOrder*>> order;
  for (const auto& o : q.order_by) {
    Resolved p;
    if (auto e = runner.Resolve(o.path, p)) return Errors(call, 400, {*e});
    order.emplace_back(p, &o);
  }
  if (q.where)
    if (auto e = runner.Check(*q.where)) return Errors(call, 400, {*e});
  if (q.offset && *q.offset > limits.max_offset)
    return Errors(call, 400,
                  {{"NUMBER_OUTSIDE_VALID_RANGE",
                    "Maximum SOQL offset allowed is " + std::to_string(limits.max_offset),
                    {},
                    nullptr}});

  std::vector<StoredRecord> rows;
  // `Field = 'v'` or `Field IN (...)` on Id or an indexed field (emails, external ids, unique
  // fields), alone or in a top-level AND, reads only the matching records (as Salesforce's
  // selective queries do); the whole WHERE is still evaluated on them. Without this, a sync's
  // look-ups by email scan every record and the sandbox does quadratic work.
  std::optional<std::vector<std::string>> candidates;
  // Otherwise, bounds on SystemModstamp, LastModifiedDate or CreatedDate in the top-level AND
  // (a change feed: `SystemModstamp >= X ORDER BY SystemModstamp`) read that time range from
  // the store's indexes. Both only narrow what is read: the WHERE decides.
  std::optional<RecordRange> range;
  if (q.where) {
    const std::vector<std::string>& indexed = Indexed(*def);
    auto indexed_name = [&](const std::string& f) -> const std::string* {
      for (const auto& name : indexed)
        if (Lower(name) == Lower(f)) return &name;
      return nullptr;
    };
    auto selective = [&](const SoqlCondition& c) -> const SoqlCondition* {
      if (c.kind != SoqlCondition::Kind::kCompare || c.path.size() != 1) return nullptr;
      if (c.op != "=" && c.op != "IN") return nullptr;
      for (const auto& v : c.values)
        if (v.kind != SoqlLiteral::Kind::kString) return nullptr;
      const std::string& f = c.path[0];
      if (Lower(f) == "id") {
        // 15-character ids (case-sensitive form) are matched by the scan.
        for (const auto& v : c.values)
          if (v.text.size() != 18) return nullptr;
        return &c;
      }
      return indexed_name(f) ? &c : nullptr;
    };
    // The conjuncts of the top-level AND (or the condition itself).
    std::vector<const SoqlCondition*> conjuncts;
    std::function<void(const SoqlCondition&)> flatten = [&](const SoqlCondition& c) {
      if (c.kind == SoqlCondition::Kind::kAnd) {
        for (const auto& child : c.children) flatten(*child);
      } else {
        conjuncts.push_back(&c);
      }
    };
    flatten(*q.where);
    const SoqlCondition* sel = nullptr;
    for (const auto* c : conjuncts)
      if ((sel = selective(*c))) break;
    if (sel) {
      std::vector<std::string> ids;
      const bool by_id = Lower(sel->path[0]) == "id";
      const std::string field = by_id ? std::string("Id") : *indexed_name(sel->path[0]);
      const FieldDef* fd = def->Find(field);
      const bool reference =
          fd && (fd->kind == FieldKind::kReference || fd->kind == FieldKind::kId);
      for (const auto& v : sel->values) {
        if (by_id) {
          ids.push_back(v.text);
        } else {
          // References are stored in the 18-character form (the comparison converts too).
          std::string value = reference && v.text.size() == 15 ? SfTo18(v.text) : v.text;
          for (auto& id : store->FindByIndex(def->name, field, value, all_rows))
            ids.push_back(std::move(id));
        }
      }
      candidates = std::move(ids);
    } else {
      RecordRange r;
      bool bounded = false;
      for (const auto* c : conjuncts) {
        if (c->kind != SoqlCondition::Kind::kCompare || c->path.size() != 1) continue;
        if (c->values.size() != 1 || c->values[0].kind != SoqlLiteral::Kind::kDateTime) continue;
        const std::string f = Lower(c->path[0]);
        int64_t *lo, *hi;
        if (f == "systemmodstamp") {
          lo = &r.modstamp_lo, hi = &r.modstamp_hi;
        } else if (f == "lastmodifieddate") {
          lo = &r.updated_lo, hi = &r.updated_hi;
        } else if (f == "createddate") {
          lo = &r.created_lo, hi = &r.created_hi;
        } else {
          continue;
        }
        const int64_t ms = c->values[0].ms;
        const std::string& op = c->op;
        if (op == "=" || op == ">=" || op == ">") *lo = std::max(*lo, ms);
        if (op == "=" || op == "<=" || op == "<") *hi = std::min(*hi, ms);
        bounded = bounded || op == "=" || op == ">=" || op == ">" || op == "<=" || op == "<";
      }
      if (bounded) {
        if (!all_rows) r.deleted = false;
        range = r;
      }
    }
  }
  if (candidates) {
    std::sort(candidates->begin(), candidates->end());
    candidates->erase(std::unique(candidates->begin(), candidates->end()), candidates->end());
    for (const auto& id : *candidates) {
      auto r = store->Get(def->name, id);
      if (!r || (r->deleted && !all_rows)) continue;
      if (runner.Eval(*q.where, *r)) rows.push_back(std::move(*r));
    }
    // The same order as a scan: insertion order.
    std::sort(rows.begin(), rows.end(),
              [](const StoredRecord& a, const StoredRecord& b) { return a.seq < b.seq; });
  } else if (range) {
    for (auto& r : store->RecordsInRange(def->name, *range))  // in insertion order
      if (runner.Eval(*q.where, r)) rows.push_back(std::move(r));
  } else {
    store->ForEach(def->name, all_rows ? std::nullopt : std::optional<bool>(false),
                   [&](StoredRecord&& r) {
                     if (!q.where || runner.Eval(*q.where, r)) rows.push_back(std::move(r));
                   });
  }
  if (!order.empty()) {
    std::vector<std::vector<SortKey>> keys(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      keys[i].reserve(order.size());
      for (const auto& [p, o] : order) keys[i].push_back(SortKey::Of(runner.Value(rows[i], p)));
    }
    std::vector<size_t> idx(rows.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    // Ties keep insertion order (the index breaks them), so std::sort is deterministic.
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      for (size_t k = 0; k < order.size(); ++k) {
        const SortKey &x = keys[a][k], &y = keys[b][k];
        const SoqlOrder& o = *order[k].second;
        bool xn = x.kind == SortKey::Kind::kNull, yn = y.kind == SortKey::Kind::kNull;
        if (xn && yn) continue;
        if (xn != yn) return o.nulls_last ? yn : xn;
        int c = SortKey::Compare(x, y);
        if (c != 0) return o.descending ? c > 0 : c < 0;
      }
      return a < b;
    });
    std::vector<StoredRecord> sorted;
    sorted.reserve(rows.size());
    for (size_t i : idx) sorted.push_back(std::move(rows[i]));
    rows = std::move(sorted);
  }
  size_t begin = q.offset ? std::min<size_t>(static_cast<size_t>(*q.offset), rows.size()) : 0;
  size_t end = rows.size();
  if (q.limit) end = std::min(end, begin + static_cast<size_t>(*q.limit));
  if (q.count) {
    call.Json(200, {{"totalSize", end - begin}, {"done", true}, {"records", json::array()}});
    return;
  }
  size_t batch = static_cast<size_t>(limits.query_batch_max);
  std::string options = call.req.get_header_value("Sforce-Query-Options");
  if (auto pos = options.find("batchSize="); pos != std::string::npos) {
    try {
      long long n = std::stoll(options.substr(pos + 10));
      batch = static_cast<size_t>(
          std::clamp<long long>(n, limits.query_batch_min, limits.query_batch_max));
    } catch (...) {
    }
  }
  const size_t total = end - begin;
  json out = {{"totalSize", total}, {"done", total <= batch}};
  json first = json::array();
  for (size_t i = begin; i < std::min(end, begin + batch); ++i)
    first.push_back(runner.Row(rows[i], select));
  if (total > batch) {
    Locator loc;
    loc.batch = loc.next = batch;
    loc.last_used_ms = Now();
    const bool follows = std::any_of(select.begin(), select.end(),
                                     [](const Resolved& p) { return !p.hops.empty(); });
    if (follows) {  // related records are read as they are now: render every row now
      loc.rows = first;
      for (size_t i = begin + batch; i < end; ++i) loc.rows.push_back(runner.Row(rows[i], select));
    } else {
      loc.rendered = false;
      loc.object = def->name;
      loc.fields = q.fields;
      // Offsets count from the query's first row, as the rendered rows' do.
      loc.records.assign(std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(begin)),
                         std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(end)));
    }
    std::string id = NewLocator(rng);
    out["nextRecordsUrl"] = Base() + "/query/" + id + "-" + std::to_string(batch);
    locators[id] = std::move(loc);
  }
  out["records"] = std::move(first);
  call.Json(200, std::move(out));
}

void SalesforceSandbox::Impl::NextPage(Call& call) {
  const std::string& token = call.Param("locator");
  auto dash = token.rfind('-');
  auto invalid = [&] {
    Errors(call, 400, {{"INVALID_QUERY_LOCATOR", "invalid query locator", {}, nullptr}});
  };
  if (dash == std::string::npos) return invalid();
  auto it = locators.find(token.substr(0, dash));
  if (it == locators.end()) return invalid();
  Locator& loc = it->second;
  if (Now() - loc.last_used_ms > limits.locator_ttl_ms) {
    locators.erase(it);
    return invalid();
  }
  size_t offset;
  try {
    offset = static_cast<size_t>(std::stoull(token.substr(dash + 1)));
  } catch (...) {
    return invalid();
  }
  if (offset > loc.size()) return invalid();
  loc.last_used_ms = Now();
  size_t end = std::min(loc.size(), offset + loc.batch);
  json records = json::array();
  if (loc.rendered) {
    for (size_t i = offset; i < end; ++i) records.push_back(loc.rows[i]);
  } else {
    // The paths are resolved again: the object's fields may have changed since (a field
    // deleted through the metadata API), which ends the locator as Salesforce would.
    const ObjectDef* def = FindObject(loc.object);
    if (!def) return invalid();
    QueryRunner runner(*this, *def);
    std::vector<Resolved> select;
    for (const auto& path : loc.fields) {
      Resolved p;
      if (runner.Resolve(path, p)) return invalid();
      select.push_back(p);
    }
    for (size_t i = offset; i < end; ++i) records.push_back(runner.Row(loc.records[i], select));
  }
  json out = {
      {"totalSize", loc.size()}, {"done", end == loc.size()}, {"records", std::move(records)}};
  if (end < loc.size()) {
    out["nextRecordsUrl"] = Base() + "/query/" + it->first + "-" + std::to_string(end);
  } else {
    locators.erase(it);
  }
  call.Json(200, std::move(out));
}

// ---- describe --------------------------------------------------------------------------------

namespace {

std::string Base64(const std::vector<unsigned char>& bytes) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint32_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= bytes[i + 2];
    out.push_back(t[(n >> 18) & 63]);
    out.push_back(t[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? t[(n >> 6) & 63] : '=');
    out.push_back(i + 2 < bytes.size() ? t[n & 63] : '=');
  }
  return out;
}

const char* SoapType(const std::string& type) {
  if (type == "id" || type == "reference") return "tns:ID";
  if (type == "boolean") return "xsd:boolean";
  if (type == "double" || type == "currency" || type == "percent") return "xsd:double";
  if (type == "int") return "xsd:int";
  if (type == "date") return "xsd:date";
  if (type == "datetime") return "xsd:dateTime";
  return "xsd:string";
}

}  // namespace

json SalesforceSandbox::Impl::AddressPicklist(const ObjectDef& def, const FieldDef& f) const {
  if (!IsAddressCodeField(f.name)) return nullptr;
  const bool is_state =
      f.name.size() >= 9 && f.name.compare(f.name.size() - 9, 9, "StateCode") == 0;
  const std::string country_field =
      is_state ? f.name.substr(0, f.name.size() - 9) + "CountryCode" : f.name;
  if (is_state && !def.Find(country_field)) return nullptr;
  const auto countries = address.DescribeOrder();
  json picklist = json::array();
  for (size_t i = 0; i < countries.size(); ++i) {
    const AddressCountry& c = *countries[i];
    if (!is_state) {
      picklist.push_back({{"active", c.active},
                          {"defaultValue", false},
                          {"label", c.label},
                          {"value", c.code},
                          {"validFor", nullptr}});
      continue;
    }
    // Grouped by country in the controller's order; bit i (most significant first) is set for
    // controller value number i.
    std::vector<unsigned char> bits((countries.size() + 7) / 8, 0);
    bits[i / 8] |= static_cast<unsigned char>(0x80 >> (i % 8));
    const std::string valid_for = Base64(bits);
    std::vector<const AddressState*> states;
    for (const auto& st : c.states) states.push_back(&st);
    std::sort(states.begin(), states.end(),
              [](const AddressState* a, const AddressState* b) { return a->label < b->label; });
    for (const auto* st : states)
      picklist.push_back({{"active", st->active},
                          {"defaultValue", false},
                          {"label", st->label},
                          {"value", st->code},
                          {"validFor", valid_for}});
  }
  return picklist;
}

json SalesforceSandbox::Impl::DescribeObject(const ObjectDef& def) const {
  json fields = json::array();
  for (const auto& f : def.fields) {
    json picklist = json::array();
    const FieldDef* controller = f.controller.empty() ? nullptr : def.Find(f.controller);
    static const std::vector<FieldOption> kNoOptions;
    json address_values = AddressPicklist(def, f);
    const bool address_field = !address_values.is_null();
    if (address_field) picklist = std::move(address_values);
    for (const auto& o : address_field ? kNoOptions : f.options) {
      json valid_for = nullptr;
      if (controller) {
        // Bit i (most significant first) is set when the option is valid for controller
        // value number i.
        std::vector<unsigned char> bits((controller->options.size() + 7) / 8, 0);
        for (size_t i = 0; i < controller->options.size(); ++i)
          if (std::find(o.valid_for.begin(), o.valid_for.end(), controller->options[i].value) !=
              o.valid_for.end())
            bits[i / 8] |= static_cast<unsigned char>(0x80 >> (i % 8));
        valid_for = Base64(bits);
      }
      picklist.push_back({{"active", true},
                          {"defaultValue", o.is_default},
                          {"label", o.label},
                          {"value", o.value},
                          {"validFor", valid_for}});
    }
    bool numeric = f.kind == FieldKind::kNumber || f.kind == FieldKind::kInteger;
    bool has_default = std::any_of(f.options.begin(), f.options.end(),
                                   [](const FieldOption& o) { return o.is_default; });
    fields.push_back(
        {{"name", f.name},
         {"label", f.label},
         {"type", f.api_type},
         {"soapType", SoapType(f.api_type)},
         {"length", numeric || f.kind == FieldKind::kBool || f.kind == FieldKind::kDate ||
                            f.kind == FieldKind::kDateTime
                        ? 0
                        : f.length},
         {"precision", numeric && f.kind != FieldKind::kInteger ? 18 : 0},
         {"scale", numeric && f.kind != FieldKind::kInteger ? 2 : 0},
         {"digits", f.kind == FieldKind::kInteger ? 9 : 0},
         {"nillable", !f.required_on_create && f.kind != FieldKind::kBool && f.name != "Id"},
         {"createable", !f.read_only},
         {"updateable", !f.read_only && !f.create_only},
         {"calculated", false},
         {"defaultedOnCreate",
          f.kind == FieldKind::kBool || f.name == "OwnerId" || has_default || f.read_only},
         {"externalId", f.external_id},
         {"unique", f.unique},
         {"idLookup", f.name == "Id" || f.external_id},
         {"custom", f.name.size() > 3 && f.name.substr(f.name.size() - 3) == "__c"},
         {"referenceTo", f.reference_to},
         {"relationshipName",
          f.relationship_name.empty() ? json(nullptr) : json(f.relationship_name)},
         {"restrictedPicklist", f.restricted},
         {"dependentPicklist", controller != nullptr},
         {"controllerName", controller ? json(controller->name) : json(nullptr)},
         {"defaultValue", nullptr},
         {"picklistValues", picklist}});
  }
  json children = json::array();
  for (const auto& [name, other] : objects)
    for (const auto& f : other.fields)
      if (std::find(f.reference_to.begin(), f.reference_to.end(), def.name) !=
              f.reference_to.end() &&
          f.name != "CreatedById" && f.name != "LastModifiedById")
        children.push_back({{"childSObject", name},
                            {"field", f.name},
                            {"cascadeDelete", false},
                            {"relationshipName", nullptr}});
  std::string b = Base() + "/sobjects/" + def.name;
  return {{"name", def.name},
          {"label", def.label},
          {"labelPlural", def.label + "s"},
          {"keyPrefix", def.key_prefix},
          {"custom", def.custom},
          {"createable", true},
          {"updateable", true},
          {"deletable", true},
          {"queryable", true},
          {"replicateable", true},
          {"fields", fields},
          {"childRelationships", children},
          {"recordTypeInfos", RecordTypeInfos(def)},
          {"urls", {{"sobject", b}, {"describe", b + "/describe"}, {"rowTemplate", b + "/{ID}"}}}};
}

json SalesforceSandbox::Impl::RecordTypeInfos(const ObjectDef& def) const {
  std::vector<StoredRecord> own;
  if (objects.count("RecordType"))
    store->ForEach("RecordType", false, [&](StoredRecord&& r) {
      if (r.data.value("SobjectType", "") == def.name) own.push_back(std::move(r));
    });
  std::sort(own.begin(), own.end(),
            [](const StoredRecord& a, const StoredRecord& b) { return a.seq < b.seq; });
  const bool any_active = std::any_of(own.begin(), own.end(), [](const StoredRecord& r) {
    return r.data.value("IsActive", false);
  });
  const std::string layouts = Base() + "/sobjects/" + def.name + "/describe/layouts/";
  auto info = [&](const std::string& id, const std::string& name, const std::string& developer,
                  bool active, bool available, bool is_default, bool master) {
    return json{{"active", active},
                {"available", available},
                {"defaultRecordTypeMapping", is_default},
                {"developerName", developer},
                {"master", master},
                {"name", name},
                {"recordTypeId", id},
                {"urls", {{"layout", layouts + id}}}};
  };
  // With record types of its own, the object's default is its first active one and the
  // Master is no longer offered to users.
  json out = json::array();
  out.push_back(
      info(kMasterRecordTypeId, "Master", "Master", true, !any_active, !any_active, true));
  bool defaulted = false;
  for (const auto& r : own) {
    const bool active = r.data.value("IsActive", false);
    out.push_back(info(r.id, r.data.value("Name", ""), r.data.value("DeveloperName", ""), active,
                       active, active && !defaulted, false));
    defaulted = defaulted || active;
  }
  return out;
}

json SalesforceSandbox::Impl::DescribeGlobal() const {
  json list = json::array();
  for (const auto& [name, def] : objects) {
    std::string b = Base() + "/sobjects/" + name;
    list.push_back(
        {{"name", name},
         {"label", def.label},
         {"labelPlural", def.label + "s"},
         {"keyPrefix", def.key_prefix},
         {"createable", true},
         {"updateable", true},
         {"deletable", true},
         {"queryable", true},
         {"replicateable", true},
         {"custom", def.custom},
         {"urls", {{"sobject", b}, {"describe", b + "/describe"}, {"rowTemplate", b + "/{ID}"}}}});
  }
  return {{"encoding", "UTF-8"}, {"maxBatchSize", 200}, {"sobjects", list}};
}

}  // namespace syncline::sandbox
