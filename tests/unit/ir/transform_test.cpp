// Record semantics under both engines: every E06xx record failure, blank and failure rules.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/frontend/std_imports.h"
#include "compiler/ir/interpreter.h"
#include "compiler/ir/ir.h"
#include "compiler/jit/engine.h"
#include "compiler/sema/check.h"
#include "compiler/syntax/parse.h"

namespace syncline {
namespace {

struct Result {
  std::vector<std::string> lines;  // output record or "E0603 message @location"
};

// Runs `input` lines through the sync `contacts` to Salesforce under one engine.
Result Run(const std::string& rules, const std::vector<std::string>& input, bool jit) {
  source::SourceManager sources;
  diag::Diagnostics diags;
  auto schemas = schema::SchemaEnv::Builtin();
  auto id = sources.AddText("t.sync", rules);
  auto parsed = syntax::Parse(sources.Get(id), diags);
  REQUIRE(parsed);
  frontend::StdImports imports(sources, diags);
  auto checked = sema::Check(*parsed, schemas, diags, imports.For(*parsed));
  std::string messages;
  for (const auto& d : diags.Sorted()) messages += diag::RenderText(d, sources, {false});
  INFO(messages);
  REQUIRE(checked);
  auto module = ir::Lower(*checked, sources);
  REQUIRE(ir::Verify(*module).empty());
  const int entry = module->FindEntry("contacts", rt::Crm::kSalesforce, "");
  REQUIRE(entry >= 0);
  const auto& layout = module->entries[entry].layout;
  std::unique_ptr<ir::Interpreter> interp;
  std::unique_ptr<jit::Engine> engine;
  if (jit) {
    std::string error;
    engine = jit::Engine::Load(*module, entry, jit::Options{}, error);
    REQUIRE_MESSAGE(engine, error);
  } else {
    interp = std::make_unique<ir::Interpreter>(*module, entry);
  }
  rt::RecordReader reader(layout);
  rt::BatchContext batch;
  Result result;
  for (const auto& line : input) {
    std::vector<sl_value> in(layout.inputs.size() + 1), out(layout.outputs.size() + 1);
    sl_record_result r{};
    std::string rid, error;
    if (!reader.Read(line, batch, in.data(), rid, error)) {
      result.lines.push_back("E0601 " + error);
      continue;
    }
    if (jit) {
      engine->batch_fn()(batch.get(), 1, in.data(), out.data(), &r);
    } else {
      interp->RunBatch(batch.get(), 1, in.data(), out.data(), &r);
    }
    if (r.status == SL_RECORD_DROPPED) {
      result.lines.push_back("dropped");
    } else if (r.status == SL_RECORD_FAILED) {
      result.lines.push_back("E0" + std::to_string(r.failure.code) + " " +
                             std::string(r.failure.msg, r.failure.msg_len) + " @" +
                             (r.failure.loc >= 0 ? module->locations[r.failure.loc] : "-"));
    } else {
      std::string s;
      rt::WriteRecord(s, layout, out.data());
      s.pop_back();
      result.lines.push_back(s);
    }
  }
  return result;
}

// Both engines, which must agree; returns their common result.
std::vector<std::string> Both(const std::string& mapping, const std::vector<std::string>& input,
                              const std::string& extra = "") {
  const std::string rules = "use std.text\nuse std.num\nuse std.time\nuse std.geo\n" + extra +
                            "sync contacts: hubspot.contacts -> salesforce.Lead {\n"
                            "  map {\n"
                            "    lastname -> LastName = lastname ?? \"x\"\n"
                            "    company -> Company = company ?? \"x\"\n" +
                            mapping + "\n  }\n}\n";
  auto a = Run(rules, input, false);
  auto b = Run(rules, input, true);
  CHECK(a.lines == b.lines);
  return a.lines;
}

std::string Code(diag::Code c) {
  return std::string(diag::CodeName(c));
}

TEST_CASE("record failures carry their E06xx code and the rule location") {
  auto r = Both("    email -> Email = std.text.email(email) otherwise error \"bad email\"",
                {"not json", R"({"id":"1","properties":{"email":"nope"}})",
                 R"({"id":"2","properties":{"email":"A@B.CO"}})"});
  REQUIRE(r.size() == 3);
  CHECK(r[0].rfind(Code(diag::Code::E0601), 0) == 0);
  CHECK(r[1] == Code(diag::Code::E0603) + " bad email @t.sync:9:54");
  CHECK(r[2].find("\"Email\":\"a@b.co\"") != std::string::npos);
}

TEST_CASE("a source value of the wrong type fails the record (E0602)") {
  auto r = Both("    annualrevenue -> AnnualRevenue",
                {R"({"id":"1","properties":{"annualrevenue":"12.5"}})",
                 R"({"id":"2","properties":{"annualrevenue":"lots"}})",
                 R"({"id":"3","properties":{"annualrevenue":12}})"});
  CHECK(r[0].find("\"AnnualRevenue\":12.5") != std::string::npos);
  CHECK(r[1].rfind(Code(diag::Code::E0602), 0) == 0);
  CHECK(r[2].rfind(Code(diag::Code::E0602), 0) == 0);  // HubSpot sends strings
}

TEST_CASE("integer overflow fails the record; division by zero is blank (E0604)") {
  auto r = Both(
      "    numemployees -> NumberOfEmployees = 9223372036854775807 + len(numemployees)\n"
      "    annualrevenue -> AnnualRevenue = annualrevenue / 0 ?? 7",
      {R"({"id":"1","properties":{"numemployees":"1-5","annualrevenue":"3"}})",
       R"({"id":"2","properties":{"annualrevenue":"3"}})"});
  CHECK(r[0].rfind(Code(diag::Code::E0604), 0) == 0);
  CHECK(r[1].find("\"NumberOfEmployees\":9223372036854775807,\"AnnualRevenue\":7") !=
        std::string::npos);
}

TEST_CASE("a missing table row is a failure; an unlisted picklist value fails a match (E0605)") {
  auto r = Both("    country -> Country = region(country) otherwise skip\n",
                {R"({"id":"1","properties":{"country":"DE"}})",
                 R"({"id":"2","properties":{"country":"US"}})"},
                "table region: text -> text {\n  \"DE\" => \"EMEA\"\n}\n");
  CHECK(r[0].find("\"Country\":\"EMEA\"") != std::string::npos);
  CHECK(r[1].find("Country") == std::string::npos);
}

// The checker makes table failures be handled, so E0605 reaches a record only through a
// `match` that meets a picklist value its schema does not list; this builds that IR directly.
TEST_CASE("a value no match arm covers fails the record (E0605)") {
  ir::Module m;
  m.strings.push_back("no match arm for ");
  m.locations.push_back("t.sync:1:1");
  ir::Function f;
  f.name = "contacts.to_salesforce.Lead.Status";
  f.kind = ir::FunctionKind::kMapping;
  f.regs = 1;
  f.blocks.resize(2);
  f.blocks[0].insts.push_back(ir::Inst{ir::Op::kInput, 0, {}, 0, 0, "sl_in_hubspot_text", 1});
  ir::Inst raise;
  raise.op = ir::Op::kRaise;
  raise.args = {0};
  raise.code = SL_E_NO_ROW;
  raise.loc = 0;
  f.blocks[0].insts.push_back(raise);
  f.blocks[1].insts.push_back(ir::Inst{ir::Op::kFail});
  m.functions.push_back(f);
  ir::Entry e;
  e.sync = "contacts";
  e.layout.inputs = {"hs_lead_status"};
  e.input_kinds = {rt::Kind::kText};
  e.layout.outputs = {"Status"};
  e.output_kinds = {rt::Kind::kText};
  e.mappings = {0};
  m.entries.push_back(e);
  REQUIRE(ir::Verify(m).empty());
  sl_value in = rt::Text("MADE_UP"), out[2];
  sl_record_result a{}, b{};
  rt::BatchContext batch;
  ir::Interpreter(m, 0).RunBatch(batch.get(), 1, &in, out, &a);
  std::string error;
  auto engine = jit::Engine::Load(m, 0, jit::Options{}, error);
  REQUIRE(engine);
  engine->batch_fn()(batch.get(), 1, &in, out, &b);
  CHECK(a.status == SL_RECORD_FAILED);
  CHECK(b.status == SL_RECORD_FAILED);
  CHECK("E0" + std::to_string(a.failure.code) == Code(diag::Code::E0605));
  CHECK(std::string(a.failure.msg, a.failure.msg_len) == "no match arm for \"MADE_UP\"");
  CHECK(std::string(b.failure.msg, b.failure.msg_len) == "no match arm for \"MADE_UP\"");
  CHECK(a.failure.loc == 0);
  CHECK(b.failure.loc == 0);
}

TEST_CASE("a failing builtin, an unbound one, and an unwritable value (E0606-E0608)") {
  auto r = Both(
      "    email -> Email = \"${std.num.to_integer(std.num.parse(email) otherwise 1.5) "
      "otherwise 0}\"",
      {R"({"id":"1","properties":{"email":"2"}})"});
  CHECK(r[0].find("\"Email\":\"2\"") != std::string::npos);
  // The failure inside a user function propagates to its caller's handler.
  auto f = Both("    email -> Email = \"${whole(email)}\"",
                {R"({"id":"1","properties":{"email":"2.5"}})"},
                "fn whole(t: text?) -> integer? = "
                "std.num.to_integer(std.num.parse(t) otherwise 1.5) otherwise 3\n");
  CHECK(f[0].find("\"Email\":\"3\"") != std::string::npos);
  CHECK(Code(diag::Code::E0606) == "E0606");
  auto g = Both("    country -> Country = std.geo.country_code(country) otherwise error \"x\"",
                {R"({"id":"1","properties":{"country":"Germany"}})"});
  CHECK(g[0].find("\"Country\":\"DE\"") != std::string::npos);  // stdlib/native geo tables
  // E0607 (builtin not bound) cannot arise while every builtin has a native; its code stays.
  CHECK(Code(diag::Code::E0607) == "E0607");
  // A failing builtin without a value handler: the rule's own error wins (E0603).
  auto h = Both("    country -> Country = std.geo.country_code(country) otherwise error \"x\"",
                {R"({"id":"1","properties":{"country":"Atlantis"}})"});
  CHECK(h[0] == Code(diag::Code::E0603) + " x @t.sync:9:66");
  CHECK(Code(diag::Code::E0608) == "E0608");
}

TEST_CASE("blank rules: ==, ordering, and/or, interpolation, ??") {
  auto r = Both(
      "    firstname -> FirstName = \"${firstname == blank}|${firstname < b}|"
      "${firstname is blank and true}|${firstname ?? d}|${len(firstname)}\"",
      {R"({"id":"1","properties":{}})", R"({"id":"2","properties":{"firstname":"a"}})"},
      "const b = \"b\"\nconst d = \"d\"\n");
  CHECK(r[0].find("\"FirstName\":\"true|false|true|d|0\"") != std::string::npos);
  CHECK(r[1].find("\"FirstName\":\"false|true|false|a|1\"") != std::string::npos);
}

}  // namespace
}  // namespace syncline
