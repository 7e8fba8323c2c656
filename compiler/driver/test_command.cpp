// `syncline test FILE...`: runs the `test` blocks of rule files. Each test gets fresh HubSpot
// and Salesforce sandboxes in this process (empty, on loopback, with a clock the test moves)
// and in-memory state; `given` creates its records through the real APIs, `after` acts and
// runs the file's syncs with the real engine, and `expect` reads the CRMs back. Reports each
// test by name and ends with `N passed, N failed`. Exit: 0 all passed, 1 a test failed,
// 2 rule or usage errors.
#include <iostream>
#include <map>
#include <sstream>

#include "command_registry.h"
#include "runtime/connectors/hubspot_connector.h"
#include "runtime/engine/values.h"
#include "runtime/state/sqlite_state_store.h"
#include "sync_setup.h"

namespace syncline::driver {
namespace {

using nlohmann::json;
using syntax::ExprKind;

struct TestOptions {
  std::vector<std::string> files;
  std::string filter;
  std::string engine = "jit";
  std::vector<std::string> schema_dirs;
};

struct TestFailure {
  std::string where, message;
};

// Where a record of a test lives.
struct Ref {
  syntax::Side side = syntax::Side::kHubSpot;
  std::string object, id;
};

class TestRun {
 public:
  TestRun(const pipeline::CompiledRules& rules, const pipeline::CompiledRules::TestCase& test)
      : rules_(rules), test_(test) {}

  // Empty when the test passed.
  std::optional<TestFailure> Run() {
    clock_->SetFixed(1'767'225'600'000);  // 2026-01-01T00:00:00Z
    Crms::SandboxSetup setup;
    setup.seed = "empty";
    setup.rate_limits = false;
    setup.clock = clock_;
    setup.schema_dirs = schema_dirs_;
    std::string error;
    crms_ = Crms::Sandboxes(setup, &error);
    if (!crms_) return TestFailure{"", "cannot start the sandboxes: " + error};
    store_ = std::make_unique<state::SqliteStateStore>(":memory:");
    for (const auto& step : test_.decl->steps) {
      where_ = rules_.Location(*test_.decl, step.range);
      std::optional<TestFailure> f;
      switch (step.kind) {
        case syntax::TestStepKind::kGiven:
          f = Given(step);
          break;
        case syntax::TestStepKind::kAfter:
          f = After(step);
          break;
        case syntax::TestStepKind::kExpect:
          f = Expect(step);
          break;
      }
      if (f) return f;
    }
    return std::nullopt;
  }

 private:
  TestFailure Fail(const std::string& message) const { return {where_, message}; }
  void Tick(int64_t ms) { clock_->Advance(ms); }

  // ---- values of literals in `given` and `expect`
  static std::optional<json> Literal(const syntax::Expr* e) {
    if (e->kind == ExprKind::kUnary) {
      const auto& u = static_cast<const syntax::UnaryExpr&>(*e);
      auto v = Literal(u.operand.get());
      if (v && u.op == syntax::UnaryOp::kNeg && v->is_number())
        return v->is_number_integer() ? json(-v->get<int64_t>()) : json(-v->get<double>());
      return std::nullopt;
    }
    if (e->kind != ExprKind::kLiteral) return std::nullopt;
    const auto& l = static_cast<const syntax::LiteralExpr&>(*e);
    switch (l.literal) {
      case syntax::LiteralKind::kText:
        return json(l.text);
      case syntax::LiteralKind::kInteger:
        return json(l.integer);
      case syntax::LiteralKind::kNumber:
        return json(l.number);
      case syntax::LiteralKind::kBool:
        return json(l.boolean);
      case syntax::LiteralKind::kBlank:
        return json(nullptr);
      case syntax::LiteralKind::kDate:
        return json(rt::Render(rt::Date(l.days)));
      case syntax::LiteralKind::kDateTime:
        return json(rt::Render(rt::DateTime(l.millis)));
    }
    return std::nullopt;
  }
  static json ForHubSpot(const json& v) {
    if (v.is_string()) return v;
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number()) return engine::Canonical(v, schema::ValueKind::kNumber);
    return "";
  }

  // ---- given
  std::optional<TestFailure> Given(const syntax::TestStep& step) {
    const bool hubspot = step.object.side == syntax::Side::kHubSpot;
    const std::string object = step.object.object.text;
    json fields = json::object();
    std::vector<std::string> segments;
    std::vector<const Ref*> companies;
    for (const auto& init : step.record) {
      // `companies: [acme, ...]`: the contact's companies, given before under these names
      // (the first one is its primary company).
      if (hubspot && object == "contacts" && init.name.text == "companies") {
        if (init.value->kind != ExprKind::kList)
          return Fail("`companies` must be a list of names of given hubspot.companies records");
        for (const auto& item : static_cast<const syntax::ListExpr&>(*init.value).items) {
          auto it = item->kind == ExprKind::kName
                        ? aliases_.find(static_cast<const syntax::NameExpr&>(*item).name.text)
                        : aliases_.end();
          if (it == aliases_.end() || it->second.object != "companies")
            return Fail(
                "`companies` lists names of given hubspot.companies records (`given "
                "hubspot.companies { ... } as acme`)");
          companies.push_back(&it->second);
        }
        continue;
      }
      if (hubspot && init.name.text == "segments") {
        if (init.value->kind != ExprKind::kList)
          return Fail("`segments` must be a list of segment names");
        for (const auto& item : static_cast<const syntax::ListExpr&>(*init.value).items) {
          auto v = Literal(item.get());
          if (!v || !v->is_string()) return Fail("segment names must be text");
          segments.push_back(v->get<std::string>());
        }
        continue;
      }
      auto v = Literal(init.value.get());
      if (!v) return Fail("`" + init.name.text + "`: a given value must be a literal");
      if (v->is_null()) continue;
      fields[init.name.text] = hubspot ? ForHubSpot(*v) : *v;
    }
    Tick(1000);
    if (!hubspot && object == "RecordType") {
      // Record types are set up by an admin (Setup, not the REST API): seeded.
      json out = crms_->salesforce_sandbox()->Seed(
          {{"records", {{{"type", "RecordType"}, {"fields", fields}}}}});
      if (!out.contains("ids") || !out["ids"].contains("RecordType"))
        return Fail("cannot create the given salesforce.RecordType record: " +
                    out.value("error", out.dump()));
      Ref ref{step.object.side, object, out["ids"]["RecordType"][0].get<std::string>()};
      given_.push_back(ref);
      if (step.alias) aliases_[step.alias->text] = ref;
      return std::nullopt;
    }
    connectors::Connector& c = hubspot ? crms_->hubspot() : crms_->salesforce();
    auto r = c.Write(object, connectors::WriteKind::kCreate, {{"", "", "", fields}});
    if (!r[0].ok)
      return Fail("cannot create the given " + std::string(hubspot ? "hubspot." : "salesforce.") +
                  object + " record: " + r[0].error.message);
    Ref ref{step.object.side, object, r[0].id};
    given_.push_back(ref);
    if (step.alias) aliases_[step.alias->text] = ref;
    for (const auto& name : segments)
      if (auto f = AddToSegment(name, ref.id, object)) return f;
    for (size_t k = 0; k < companies.size(); ++k) {
      connectors::Association a;
      a.from_id = ref.id;
      a.to_id = companies[k]->id;
      if (k == 0) a.type_ids = {1};  // HubSpot's "Primary" contact-to-company association
      auto w = crms_->hubspot().Associate("contacts", "companies", {a});
      if (!w[0].ok)
        return Fail("cannot associate the contact with its company: " + w[0].error.message);
    }
    return std::nullopt;
  }

  // Adds a HubSpot record to the manual list (segment) of that name for its object, made on
  // first use.
  std::optional<TestFailure> AddToSegment(const std::string& name, const std::string& id,
                                          const std::string& object) {
    auto& hubspot = static_cast<connectors::HubSpotConnector&>(crms_->hubspot());
    std::string type;
    if (connectors::Error e = hubspot.ObjectTypeId(object, &type); !e.ok())
      return Fail("hubspot." + object + " records have no segments: " + e.message);
    std::string& list_id = lists_[object + "/" + name];
    if (list_id.empty()) {
      auto& session = hubspot.session();
      auto r = session.Send("POST", "/crm/v3/lists",
                            {{"name", name}, {"objectTypeId", type}, {"processingType", "MANUAL"}});
      if (!r.ok()) return Fail("cannot create segment \"" + name + "\": " + r.error.message);
      list_id = r.body["list"].value("listId", "");
    }
    connectors::Error e = crms_->hubspot().AddListMembers(list_id, {id});
    if (!e.ok()) return Fail("cannot add a record to segment \"" + name + "\": " + e.message);
    return std::nullopt;
  }

  // ---- after
  std::optional<TestFailure> Sync() {
    Tick(61'000);
    engine::RunOptions o;
    o.now_ms = [c = clock_] { return c->NowMs(); };
    engine::RunReport r = RunSyncs(*rules_for_file_, *crms_, *store_, o);
    Tick(1000);
    if (r.status != "ok") return Fail("the sync stopped: " + r.message);
    return std::nullopt;
  }

  const Ref* Target(syntax::Side side, const std::string& object,
                    const std::optional<syntax::Name>& name) const {
    if (name) {
      auto it = aliases_.find(name->text);
      return it == aliases_.end() ? nullptr : &it->second;
    }
    for (auto it = given_.rbegin(); it != given_.rend(); ++it)
      if (it->side == side && (object.empty() || it->object == object)) return &*it;
    return nullptr;
  }

  std::optional<TestFailure> After(const syntax::TestStep& step) {
    using syntax::TestActionKind;
    if (step.action == TestActionKind::kSync) return Sync();
    if (step.action == TestActionKind::kDelete) {
      const Ref* ref = Target(step.action_side, "", step.action_argument);
      if (!ref) return Fail("no given record to delete");
      Tick(1000);
      connectors::Connector& c =
          ref->side == syntax::Side::kHubSpot ? crms_->hubspot() : crms_->salesforce();
      auto r = c.Delete(ref->object, {ref->id});
      if (!r[0].ok) return Fail("cannot delete: " + r[0].error.message);
      Tick(120'000);  // Salesforce's replication API works in whole minutes
      return Sync();
    }
    std::string words;
    for (const auto& w : step.action_words) words += (words.empty() ? "" : " ") + w.text;
    Tick(1000);
    if (words == "convert lead") {
      const Ref* lead = Target(syntax::Side::kSalesforce, "Lead", std::nullopt);
      std::string lead_id = lead ? lead->id : FirstId("Lead");
      if (lead_id.empty()) return Fail("`convert lead` needs a Salesforce lead");
      sandbox::LeadConversion conv;
      conv.lead_id = lead_id;
      json out = crms_->salesforce_sandbox()->ConvertLead(conv);
      if (!out.contains("contactId")) return Fail("lead conversion failed: " + out.dump());
      return Sync();
    }
    if (words == "opportunity record type") {
      // R78: the given opportunity gets the record type with this DeveloperName.
      const Ref* opp = Target(syntax::Side::kSalesforce, "Opportunity", std::nullopt);
      if (!opp) return Fail("`" + words + "` needs a given salesforce.Opportunity");
      if (!step.action_argument) return Fail("`" + words + "` needs the record type in quotes");
      std::vector<connectors::Record> found;
      connectors::Error e = crms_->salesforce().FindByField(
          "RecordType", "DeveloperName", {step.action_argument->text}, {"Id"}, &found);
      if (!e.ok() || found.empty())
        return Fail("no salesforce.RecordType named \"" + step.action_argument->text +
                    "\": give one first (`given salesforce.RecordType { ... }`)");
      auto r = crms_->salesforce().Write("Opportunity", connectors::WriteKind::kUpdate,
                                         {{opp->id, "", "", {{"RecordTypeId", found[0].id}}}});
      if (!r[0].ok) return Fail("cannot change the record type: " + r[0].error.message);
      return Sync();
    }
    if (words.rfind("opportunity ", 0) == 0) {
      const Ref* opp = Target(syntax::Side::kSalesforce, "Opportunity", std::nullopt);
      if (!opp) return Fail("`" + words + "` needs a given salesforce.Opportunity");
      if (words == "opportunity stage" && !step.action_argument)
        return Fail("`opportunity stage` needs the stage in quotes");
      const std::string stage = words == "opportunity stage"  ? step.action_argument->text
                                : words == "opportunity won"  ? "Closed Won"
                                : words == "opportunity lost" ? "Closed Lost"
                                                              : "Prospecting";
      auto r = crms_->salesforce().Write("Opportunity", connectors::WriteKind::kUpdate,
                                         {{opp->id, "", "", {{"StageName", stage}}}});
      if (!r[0].ok) return Fail("cannot change the opportunity: " + r[0].error.message);
      return Sync();
    }
    if (words == "enters segment" || words.rfind("set ", 0) == 0) {
      // Workflow triggers (R135): the last given HubSpot record joins a segment, or one of its
      // properties changes.
      const Ref* rec = Target(syntax::Side::kHubSpot, "", std::nullopt);
      if (!rec) return Fail("`" + words + "` needs a given hubspot record");
      if (!step.action_argument) return Fail("`" + words + "` needs a value in quotes");
      if (words == "enters segment") {
        if (auto f = AddToSegment(step.action_argument->text, rec->id, rec->object)) return f;
        return Sync();
      }
      const std::string property = words.substr(4);
      auto r =
          crms_->hubspot().Write(rec->object, connectors::WriteKind::kUpdate,
                                 {{rec->id, "", "", {{property, step.action_argument->text}}}});
      if (!r[0].ok) return Fail("cannot set " + property + ": " + r[0].error.message);
      return Sync();
    }
    if (words == "add contact role") {
      const Ref* opp = Target(syntax::Side::kSalesforce, "Opportunity", std::nullopt);
      const Ref* contact = Target(syntax::Side::kSalesforce, "Contact", std::nullopt);
      const std::string contact_id = contact ? contact->id : FirstId("Contact");
      if (!opp || contact_id.empty())
        return Fail("`add contact role` needs an opportunity and a Salesforce contact");
      connectors::Association a;
      a.from_id = opp->id;
      a.to_id = contact_id;
      a.labels = {"Decision Maker"};
      auto r = crms_->salesforce().Associate("Opportunity", "Contact", {a});
      if (!r[0].ok) return Fail("cannot add the contact role: " + r[0].error.message);
      return Sync();
    }
    return Fail("unknown action `" + words + "`");
  }

  // Every record of an object (the sandboxes are small).
  std::vector<connectors::Record> All(syntax::Side side, const std::string& object,
                                      const std::vector<std::string>& fields) {
    connectors::Connector& c =
        side == syntax::Side::kHubSpot ? crms_->hubspot() : crms_->salesforce();
    std::vector<connectors::Record> out;
    c.ReadChanges(object, "", fields, [&](connectors::ChangePage& page) {
      for (auto& r : page.records) out.push_back(std::move(r));
      return true;
    });
    return out;
  }
  std::string FirstId(const std::string& object) {
    auto all = All(syntax::Side::kSalesforce, object, {"Id"});
    return all.empty() ? "" : all.front().id;
  }

  // ---- expect
  struct Value {
    Value(json value) : v(std::move(value)) {}  // NOLINT: values convert implicitly
    Value(json value, bool good, std::string why)
        : v(std::move(value)), ok(good), error(std::move(why)) {}
    json v;
    bool ok = true;
    std::string error;
  };

  // `side.Object.Field` or `alias.Field`.
  Value Field(const syntax::Expr* e) {
    std::vector<std::string> path;
    while (e->kind == ExprKind::kMember) {
      const auto& m = static_cast<const syntax::MemberExpr&>(*e);
      path.insert(path.begin(), m.member.text);
      e = m.object.get();
    }
    if (e->kind != ExprKind::kName) return {nullptr, false, "not a record field"};
    path.insert(path.begin(), static_cast<const syntax::NameExpr&>(*e).name.text);
    Ref ref;
    std::string field;
    if (path.size() == 2 && aliases_.count(path[0])) {
      ref = aliases_[path[0]];
      field = path[1];
    } else if (path.size() == 3 && (path[0] == "hubspot" || path[0] == "salesforce")) {
      ref.side = path[0] == "hubspot" ? syntax::Side::kHubSpot : syntax::Side::kSalesforce;
      ref.object = path[1];
      field = path[2];
    } else {
      return {nullptr, false, "unknown record `" + path[0] + "`"};
    }
    auto all = All(ref.side, ref.object, {field});
    if (!ref.id.empty()) {
      for (const auto& r : all)
        if (r.id == ref.id) return {engine::FieldValue(r, field)};
      return {nullptr, false, "the record `" + path[0] + "` no longer exists"};
    }
    // No record at all: its fields are blank, so `expect salesforce.Account.Name is blank`
    // states that no account exists (R70) and a delete can be checked (R81).
    if (all.empty()) return {nullptr};
    if (all.size() > 1) {
      // Several: the one the test gave, if any.
      if (const Ref* g = Target(ref.side, ref.object, std::nullopt))
        for (const auto& r : all)
          if (r.id == g->id) return {engine::FieldValue(r, field)};
    }
    return {engine::FieldValue(all.front(), field)};
  }

  static std::string Canon(const json& v) { return engine::Canonical(v, schema::ValueKind::kText); }
  static bool Equal(const json& a, const json& b) {
    const std::string x = Canon(a), y = Canon(b);
    if (x == y) return true;
    char* e1 = nullptr;
    char* e2 = nullptr;
    const double dx = std::strtod(x.c_str(), &e1), dy = std::strtod(y.c_str(), &e2);
    if (!x.empty() && !y.empty() && *e1 == '\0' && *e2 == '\0') return dx == dy;
    return (x == "true" || x == "false") && x == engine::Canonical(b, schema::ValueKind::kBool);
  }

  Value Eval(const syntax::Expr* e) {
    if (auto lit = Literal(e)) return {*lit};
    switch (e->kind) {
      case ExprKind::kMember:
      case ExprKind::kName:
        return Field(e);
      case ExprKind::kIsBlank: {
        const auto& b = static_cast<const syntax::IsBlankExpr&>(*e);
        Value v = Eval(b.operand.get());
        if (!v.ok) return v;
        return {json(Canon(v.v).empty() != b.negated)};
      }
      case ExprKind::kUnary: {
        const auto& u = static_cast<const syntax::UnaryExpr&>(*e);
        Value v = Eval(u.operand.get());
        if (!v.ok) return v;
        return {json(!(v.v.is_boolean() && v.v.get<bool>()))};
      }
      case ExprKind::kIn: {
        const auto& in = static_cast<const syntax::InExpr&>(*e);
        Value v = Eval(in.value.get());
        if (!v.ok) return v;
        if (in.collection->kind != ExprKind::kList) return {nullptr, false, "`in` needs a list"};
        bool found = false;
        for (const auto& item : static_cast<const syntax::ListExpr&>(*in.collection).items) {
          Value x = Eval(item.get());
          if (!x.ok) return x;
          found = found || Equal(v.v, x.v);
        }
        return {json(found != in.negated)};
      }
      case ExprKind::kBinary: {
        const auto& b = static_cast<const syntax::BinaryExpr&>(*e);
        Value l = Eval(b.lhs.get());
        if (!l.ok) return l;
        Value r = Eval(b.rhs.get());
        if (!r.ok) return r;
        auto truth = [](const json& j) { return j.is_boolean() && j.get<bool>(); };
        switch (b.op) {
          case syntax::BinaryOp::kAnd:
            return {json(truth(l.v) && truth(r.v))};
          case syntax::BinaryOp::kOr:
            return {json(truth(l.v) || truth(r.v))};
          case syntax::BinaryOp::kEq:
            return {json(Equal(l.v, r.v))};
          case syntax::BinaryOp::kNe:
            return {json(!Equal(l.v, r.v))};
          case syntax::BinaryOp::kLt:
          case syntax::BinaryOp::kLe:
          case syntax::BinaryOp::kGt:
          case syntax::BinaryOp::kGe: {
            const double x = std::strtod(Canon(l.v).c_str(), nullptr);
            const double y = std::strtod(Canon(r.v).c_str(), nullptr);
            const bool res = b.op == syntax::BinaryOp::kLt   ? x < y
                             : b.op == syntax::BinaryOp::kLe ? x <= y
                             : b.op == syntax::BinaryOp::kGt ? x > y
                                                             : x >= y;
            return {json(res)};
          }
          default:
            return {nullptr, false, "arithmetic is not supported in `expect`"};
        }
      }
      default:
        return {nullptr, false, "this expression is not supported in `expect`"};
    }
  }

  // The values an expectation compared, for the failure message.
  std::string Explain(const syntax::Expr* e) {
    if (e->kind == ExprKind::kBinary) {
      const auto& b = static_cast<const syntax::BinaryExpr&>(*e);
      if (b.op != syntax::BinaryOp::kAnd && b.op != syntax::BinaryOp::kOr) {
        Value l = Eval(b.lhs.get()), r = Eval(b.rhs.get());
        return "found " + (l.v.is_null() ? std::string("blank") : l.v.dump()) + " " +
               syntax::BinaryOpSpelling(b.op) + " " +
               (r.v.is_null() ? std::string("blank") : r.v.dump());
      }
    }
    if (e->kind == ExprKind::kIsBlank) {
      Value v = Eval(static_cast<const syntax::IsBlankExpr&>(*e).operand.get());
      return "found " + (v.v.is_null() ? std::string("blank") : v.v.dump());
    }
    return "it is false";
  }

  std::optional<TestFailure> Expect(const syntax::TestStep& step) {
    Value v = Eval(step.expectation.get());
    if (!v.ok) return Fail("cannot evaluate the expectation: " + v.error);
    if (v.v.is_boolean() && v.v.get<bool>()) return std::nullopt;
    return Fail("expectation failed: " + Explain(step.expectation.get()));
  }

 public:
  const pipeline::CompiledRules* rules_for_file_ = nullptr;
  std::vector<std::string> schema_dirs_;  // --schemas: the sandboxes know these objects too

 private:
  const pipeline::CompiledRules& rules_;
  const pipeline::CompiledRules::TestCase& test_;
  std::shared_ptr<sandbox::Clock> clock_ = std::make_shared<sandbox::Clock>();
  std::unique_ptr<Crms> crms_;
  std::unique_ptr<state::SqliteStateStore> store_;
  std::vector<Ref> given_;
  std::map<std::string, Ref> aliases_;
  std::map<std::string, std::string> lists_;
  std::string where_;
};

int RunTests(const TestOptions& o) {
  pipeline::Options po;
  po.engine = o.engine == "interp" ? pipeline::EngineKind::kInterp : pipeline::EngineKind::kJit;
  po.schema_dirs = o.schema_dirs;
  int passed = 0, failed = 0;
  std::vector<std::string> missing;
  const auto files = pipeline::CollectRuleFiles(o.files, &missing);
  for (const auto& m : missing) {
    std::cerr << "syncline test: " << m << ": no such file or folder\n";
    return 2;
  }
  if (files.empty()) {
    std::cerr << "syncline test: no .sync files found in the given paths\n";
    return 2;
  }
  for (const auto& file : files) {
    // Each file's tests run that file's syncs only.
    int code = 0;
    auto rules = pipeline::CompiledRules::Compile({file}, po, std::cerr, &code);
    if (!rules) return 2;
    for (const auto& t : rules->tests()) {
      if (!o.filter.empty() && t.decl->title.find(o.filter) == std::string::npos) continue;
      TestRun run(*rules, t);
      run.rules_for_file_ = rules.get();
      run.schema_dirs_ = o.schema_dirs;
      auto failure = run.Run();
      if (!failure) {
        ++passed;
        std::cout << "ok    " << t.decl->title << "\n";
      } else {
        ++failed;
        std::cout << "FAIL  " << t.decl->title << "\n      " << failure->where << ": "
                  << failure->message << "\n";
      }
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

const CommandRegistration registration(320, [](CLI::App& app, CommandRunner& run) {
  auto* cmd = app.add_subcommand("test", "Run the `test` blocks of rule files");
  auto o = std::make_shared<TestOptions>();
  cmd->add_option("files", o->files, "Rule files or folders holding .sync files")->required();
  cmd->add_option("--filter", o->filter, "Only tests whose title contains this text");
  cmd->add_option("--engine", o->engine, "Rule engine")->check(CLI::IsMember({"jit", "interp"}));
  cmd->add_option("--schemas", o->schema_dirs, "Folders with custom object schemas");
  cmd->footer(
      "Each test runs against fresh in-process sandboxes and in-memory state.\n"
      "Exit status: 0 all passed, 1 a test failed, 2 rule or usage errors.\n"
      "Example:\n  syncline test examples/");
  cmd->callback([&run, o] { run = [o] { return RunTests(*o); }; });
});

}  // namespace
}  // namespace syncline::driver
