#include "compiler/pipeline/rule_programs.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/frontend/std_imports.h"
#include "compiler/ir/interpreter.h"
#include "compiler/ir/ir.h"
#include "compiler/jit/engine.h"
#include "compiler/syntax/parse.h"

namespace syncline::pipeline {

std::vector<std::string> CollectRuleFiles(const std::vector<std::string>& paths,
                                          std::vector<std::string>* missing) {
  std::vector<std::string> files;
  for (const auto& input : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(input, ec)) {
      std::vector<std::string> found;
      for (auto it = std::filesystem::recursive_directory_iterator(input, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".sync")
          found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (missing && !std::filesystem::exists(input, ec)) {
      missing->push_back(input);
    } else {
      files.push_back(input);
    }
  }
  return files;
}

struct CompiledRules::Impl {
  source::SourceManager sources;
  diag::Diagnostics diags;
  schema::SchemaEnv schemas = schema::SchemaEnv::Builtin();
  std::unique_ptr<frontend::StdImports> std_imports;
  struct File {
    std::string path;
    std::unique_ptr<syntax::Module> parsed;
    std::unique_ptr<sema::CheckedModule> checked;
    std::unique_ptr<ir::Module> lowered;
    std::shared_ptr<const std::vector<std::string>> locations;
  };
  std::vector<File> files;
  std::vector<std::unique_ptr<jit::Engine>> engines;
  std::vector<std::unique_ptr<ir::Interpreter>> interpreters;
  std::vector<engine::SyncProgram> syncs;
  std::vector<engine::ActivityProgram> activities;
  std::vector<engine::WorkflowProgram> workflows;
};

CompiledRules::CompiledRules() : impl_(std::make_unique<Impl>()) {}
CompiledRules::~CompiledRules() = default;
const std::vector<engine::SyncProgram>& CompiledRules::syncs() const {
  return impl_->syncs;
}
const std::vector<engine::ActivityProgram>& CompiledRules::activities() const {
  return impl_->activities;
}
const std::vector<engine::WorkflowProgram>& CompiledRules::workflows() const {
  return impl_->workflows;
}
const schema::SchemaEnv& CompiledRules::schemas() const {
  return impl_->schemas;
}

std::vector<CompiledRules::TestCase> CompiledRules::tests() const {
  std::vector<TestCase> out;
  for (const auto& f : impl_->files)
    for (const auto& d : f.parsed->decls)
      if (d->kind == syntax::DeclKind::kTest)
        out.push_back({f.path, static_cast<const syntax::TestDecl*>(d.get()), f.checked.get()});
  return out;
}

std::string CompiledRules::Location(const syntax::TestDecl&, const syntax::SourceRange& r) const {
  const auto& buf = impl_->sources.Get(r.file);
  const auto pos = buf.Position(r.begin);
  return buf.path() + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

namespace {

engine::FieldRule RuleOf(const sema::CheckedMapping& m) {
  using syntax::Side;
  using syntax::SyncRule;
  switch (m.rule) {
    case SyncRule::kPreferUnlessBlank:
      return m.rule_side == Side::kSalesforce ? engine::FieldRule::kPreferSalesforce
                                              : engine::FieldRule::kPreferHubSpot;
    case SyncRule::kAlways:
      return m.rule_side == Side::kSalesforce ? engine::FieldRule::kAlwaysSalesforce
                                              : engine::FieldRule::kAlwaysHubSpot;
    case SyncRule::kDontSync:
      return engine::FieldRule::kDontSync;
    default:
      return engine::FieldRule::kTwoWay;
  }
}

// The associations a sync keeps in step: those it declares (`associate ...`), or else the
// standard ones of its object (companies: contacts; deals: companies and contacts through
// contact roles; tickets: companies and contacts).
std::vector<engine::AssociationSpec> AssociationsOf(const sema::CheckedSync& cs) {
  using Kind = engine::AssociationSpec::Kind;
  static const std::map<std::string, std::string> kSalesforceOf = {{"contacts", "Contact"},
                                                                   {"companies", "Account"},
                                                                   {"deals", "Opportunity"},
                                                                   {"tickets", "Case"}};
  const std::string& me = cs.hubspot->name;
  auto standard = [&](const std::string& what) -> std::optional<engine::AssociationSpec> {
    if (me == "companies" && what == "contacts")
      return engine::AssociationSpec{what, "Contact", Kind::kLookupOnOther, "AccountId"};
    if ((me == "deals" || me == "tickets") && what == "companies")
      return engine::AssociationSpec{what, "Account", Kind::kLookupOnRecord, "AccountId"};
    if (me == "deals" && what == "contacts")
      return engine::AssociationSpec{what, "Contact", Kind::kContactRoles, ""};
    if (me == "tickets" && what == "contacts")
      return engine::AssociationSpec{what, "Contact", Kind::kLookupOnRecord, "ContactId"};
    return std::nullopt;
  };
  std::vector<engine::AssociationSpec> out;
  if (cs.associations.empty()) {
    for (const char* what : {"companies", "contacts"})
      if (auto s = standard(what)) out.push_back(*s);
    return out;
  }
  for (const auto& [what, via] : cs.associations) {
    if (via.empty()) {
      if (auto s = standard(what)) out.push_back(*s);
      continue;
    }
    auto it = kSalesforceOf.find(what);
    out.push_back(
        {what, it == kSalesforceOf.end() ? what : it->second, Kind::kLookupOnRecord, via});
  }
  return out;
}

engine::CreateMode ModeOf(syntax::CreateAction a) {
  switch (a) {
    case syntax::CreateAction::kUpdateOnly:
      return engine::CreateMode::kUpdateOnly;
    case syntax::CreateAction::kNothing:
      return engine::CreateMode::kNothing;
    default:
      return engine::CreateMode::kCreateOrUpdate;
  }
}

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (s.empty() || s[0] == '$') return;
  for (const auto& x : v)
    if (x == s) return;
  v.push_back(s);
}

// One ActivityProgram per `activities to salesforce.X` / `from salesforce.X` block of a file.
template <typename Load>
bool LoadActivities(const sema::CheckedModule& checked, const ir::Module& mod,
                    const source::SourceManager& sources, Load& load,
                    std::vector<engine::ActivityProgram>& out) {
  for (size_t k = 0; k < checked.activities.size(); ++k) {
    const sema::CheckedActivities& ca = checked.activities[k];
    engine::ActivityProgram ap;
    ap.from_salesforce = !ca.to_salesforce;
    ap.salesforce_object = ca.salesforce->name;
    ap.types = ca.types;
    const int entry = mod.FindEntry(ir::ActivitiesEntryName(k),
                                    ap.from_salesforce ? rt::Crm::kHubSpot : rt::Crm::kSalesforce,
                                    ap.salesforce_object);
    engine::Transform& t = ap.from_salesforce ? ap.to_hubspot : ap.to_salesforce;
    t = load(entry);
    if (entry < 0 || !t.valid()) return false;
    for (const auto& f : ca.fields)
      if (ap.from_salesforce && f.field) ap.hubspot_objects[f.field->name] = f.hubspot_objects;
    // A custom external id field wins over the standard text field the marker goes to.
    if (ca.salesforce->FindField("HubSpot_Activity_Id__c"))
      ap.marker_field = "HubSpot_Activity_Id__c";
    const auto& buf = sources.Get(ca.syntax->range.file);
    const auto pos = buf.Position(ca.syntax->range.begin);
    ap.location = std::filesystem::path(buf.path()).filename().string() + ":" +
                  std::to_string(pos.line) + ":" + std::to_string(pos.column);
    out.push_back(std::move(ap));
  }
  return true;
}

// One WorkflowProgram per `workflow` block of a file.
template <typename Load>
bool LoadWorkflows(const sema::CheckedModule& checked, const ir::Module& mod,
                   const source::SourceManager& sources, Load& load,
                   std::vector<engine::WorkflowProgram>& out) {
  using K = syntax::WorkflowAction::Kind;
  for (size_t k = 0; k < checked.workflows.size(); ++k) {
    const sema::CheckedWorkflow& cw = checked.workflows[k];
    engine::WorkflowProgram wp;
    wp.name = cw.syntax->name.text;
    wp.hubspot_object = cw.hubspot->name;
    for (const auto& t : cw.syntax->triggers) {
      engine::WorkflowTrigger trigger;
      trigger.kind = t.kind == syntax::WorkflowTrigger::Kind::kEntersSegment
                         ? engine::WorkflowTrigger::Kind::kEntersSegment
                     : t.kind == syntax::WorkflowTrigger::Kind::kEntersCampaign
                         ? engine::WorkflowTrigger::Kind::kEntersCampaign
                         : engine::WorkflowTrigger::Kind::kChanges;
      trigger.subject = t.subject.text;
      if (const auto* f = trigger.kind == engine::WorkflowTrigger::Kind::kChanges
                              ? cw.hubspot->FindField(t.subject.text)
                              : nullptr)
        trigger.subject = f->name;
      wp.triggers.push_back(std::move(trigger));
    }
    for (const auto& a : cw.syntax->actions) {
      engine::WorkflowAction action;
      switch (a.kind) {
        case K::kCreate:
          action.kind = engine::WorkflowAction::Kind::kCreateTask;
          if (a.owner) action.owner_email = a.owner->text;
          break;
        case K::kAddToCampaign:
          action.kind = engine::WorkflowAction::Kind::kAddToCampaign;
          action.campaign = a.campaign.text;
          action.status = a.status ? a.status->text : "Sent";
          break;
        case K::kSetOwner:
          action.kind = engine::WorkflowAction::Kind::kSetOwner;
          action.owner_email = a.owner->text;
          break;
        case K::kSyncToSalesforce:
          action.kind = engine::WorkflowAction::Kind::kSyncToSalesforce;
          break;
        case K::kSetRecord:
          action.kind = engine::WorkflowAction::Kind::kSetHubSpot;
          action.object = a.object.object.text;
          break;
      }
      wp.actions.push_back(std::move(action));
    }
    const int entry = mod.FindEntry(ir::WorkflowEntryName(k), rt::Crm::kSalesforce, "Task");
    wp.transform = load(entry);
    if (entry < 0 || !wp.transform.valid()) return false;
    for (const auto& in : wp.transform.layout.inputs) AddUnique(wp.read_fields, in);
    for (const auto& set : cw.sets) {
      const int e = mod.FindEntry(ir::WorkflowEntryName(k), rt::Crm::kHubSpot,
                                  ir::WorkflowSetEntryObject(set.object->name));
      engine::WorkflowSet ws{set.object->name, load(e)};
      if (e < 0 || !ws.transform.valid()) return false;
      for (const auto& in : ws.transform.layout.inputs) AddUnique(wp.read_fields, in);
      wp.sets.push_back(std::move(ws));
    }
    for (const auto& p : cw.trigger_properties) AddUnique(wp.read_fields, p);
    AddUnique(wp.read_fields, "email");
    if (cw.task && cw.task->FindField("HubSpot_Activity_Id__c"))
      wp.marker_field = "HubSpot_Activity_Id__c";
    const auto& buf = sources.Get(cw.syntax->range.file);
    const auto pos = buf.Position(cw.syntax->range.begin);
    wp.location = std::filesystem::path(buf.path()).filename().string() + ":" +
                  std::to_string(pos.line) + ":" + std::to_string(pos.column);
    out.push_back(std::move(wp));
  }
  return true;
}

}  // namespace

std::unique_ptr<CompiledRules> CompiledRules::Compile(const std::vector<std::string>& paths,
                                                      const Options& options,
                                                      std::ostream& diag_out, int* exit_code) {
  std::unique_ptr<CompiledRules> out(new CompiledRules());
  Impl& m = *out->impl_;
  *exit_code = 0;
  bool io_error = false;
  for (const auto& dir : options.schema_dirs) {
    for (const auto& error : m.schemas.LoadDirectory(dir)) {
      m.diags.ReportFile(diag::Code::E0503, error.path, error.message);
      io_error = true;
    }
  }
  std::vector<std::string> missing;
  const std::vector<std::string> files = CollectRuleFiles(paths, &missing);
  for (const auto& path : missing) {
    m.diags.ReportFile(diag::Code::E0101, path, "no such file or folder");
    io_error = true;
  }
  if (files.empty() && missing.empty()) {
    diag_out << "no .sync files found in the given paths\n";
    *exit_code = 2;
    return nullptr;
  }
  m.std_imports = std::make_unique<frontend::StdImports>(m.sources, m.diags);
  for (const auto& path : files) {
    std::string error;
    auto id = m.sources.AddFile(path, error);
    if (!id) {
      m.diags.ReportFile(diag::Code::E0101, path, error);
      io_error = true;
      continue;
    }
    Impl::File f;
    f.path = path;
    f.parsed = syntax::Parse(m.sources.Get(*id), m.diags);
    if (f.parsed)
      f.checked = sema::Check(*f.parsed, m.schemas, m.diags, m.std_imports->For(*f.parsed));
    m.files.push_back(std::move(f));
  }
  if (m.diags.HasErrors() || io_error) {
    for (const auto& d : m.diags.Sorted())
      diag_out << diag::RenderText(d, m.sources, {false}) << '\n';
    *exit_code = io_error ? 2 : 1;
    return nullptr;
  }

  std::set<std::string> names;
  for (auto& f : m.files) {
    if (!f.checked) continue;
    f.lowered = ir::Lower(*f.checked, m.sources);
    if (auto problems = ir::Verify(*f.lowered); !problems.empty()) {
      for (const auto& p : problems) diag_out << f.path << ": internal IR error: " << p << '\n';
      *exit_code = 2;
      return nullptr;
    }
    f.locations = std::make_shared<const std::vector<std::string>>(f.lowered->locations);
    const ir::Module& mod = *f.lowered;
    // std.lifecycle builtins rank by the portal's stages, which the runtime then reads.
    bool uses_lifecycle_stages = false;
    for (const ir::Function& fn : mod.functions)
      for (const ir::Block& b : fn.blocks)
        for (const ir::Inst& i : b.insts)
          uses_lifecycle_stages |=
              i.op == ir::Op::kNative && i.symbol.rfind("sl_std_lifecycle_", 0) == 0;

    auto load = [&](int entry_index) -> engine::Transform {
      engine::Transform t;
      if (entry_index < 0) return t;
      t.layout = mod.entries[entry_index].layout;
      t.locations = f.locations;
      t.uses_lifecycle_stages = uses_lifecycle_stages;
      if (options.engine == EngineKind::kInterp) {
        m.interpreters.push_back(std::make_unique<ir::Interpreter>(mod, entry_index));
        ir::Interpreter* interp = m.interpreters.back().get();
        t.run = [interp](sl_ctx* c, size_t n, const sl_value* in, sl_value* o,
                         sl_record_result* r) { interp->RunBatch(c, n, in, o, r); };
      } else {
        jit::Options jo;
        jo.cache_dir = options.cache_dir;
        std::string error;
        auto eng = jit::Engine::Load(mod, entry_index, jo, error);
        if (!eng) {
          diag_out << f.path << ": JIT: " << error << '\n';
          return engine::Transform{};
        }
        sl_batch_fn fn = eng->batch_fn();
        m.engines.push_back(std::move(eng));
        t.run = fn;
      }
      return t;
    };

    for (const sema::CheckedSync& cs : f.checked->syncs) {
      engine::SyncProgram sp;
      sp.name = cs.syntax->name.text;
      if (!names.insert(sp.name).second) {
        diag_out << f.path << ": a sync named `" << sp.name
                 << "` is defined in two rule files; sync names must be unique\n";
        *exit_code = 1;
        return nullptr;
      }
      sp.hubspot_object = cs.hubspot->name;
      const auto& st = cs.settings;
      sp.create_target = st.salesforce_create_target ? st.salesforce_create_target->name
                                                     : cs.salesforce.front()->name;
      sp.in_hubspot = ModeOf(st.in_hubspot);
      sp.in_salesforce = ModeOf(st.in_salesforce);
      if (cs.syntax->direction == syntax::SyncDirection::kToHubSpot)
        sp.in_salesforce = engine::CreateMode::kNothing;
      if (cs.syntax->direction == syntax::SyncDirection::kToSalesforce)
        sp.in_hubspot = engine::CreateMode::kNothing;
      sp.delete_from_salesforce = st.delete_from_salesforce;
      if (!cs.match_keys.empty()) {
        sp.match_hubspot = cs.match_keys.front().first;
        sp.match_salesforce = cs.match_keys.front().second;
      } else if (sp.hubspot_object == "contacts") {
        sp.match_hubspot = "email";  // contacts always match on email (R48)
        sp.match_salesforce = "Email";
      }
      sp.has_include = cs.include != nullptr;
      sp.segments = mod.segment_names;
      sp.dynamic_segments = mod.dynamic_segments;
      sp.picklists_salesforce = st.picklists_salesforce;
      sp.picklists_hubspot = st.picklists_hubspot;
      sp.lifecycle = st.lifecycle_enabled;
      sp.lifecycle_open_stage = st.lifecycle_open_stage;
      sp.lifecycle_won_stage = st.lifecycle_won_stage;
      for (const auto& [names, target] : st.lifecycle_stage_rules)
        for (const auto& name : names) sp.lifecycle_by_stage_name.emplace(name, target);
      sp.lifecycle_spread = st.lifecycle_spread_to_company_contacts;
      AddUnique(sp.hubspot_read_fields, sp.match_hubspot);

      for (size_t k = 0; k < cs.salesforce.size(); ++k) {
        const schema::Object* sfo = cs.salesforce[k];
        engine::ObjectProgram op;
        op.object = sfo->name;
        const int to_sf = mod.FindEntry(sp.name, rt::Crm::kSalesforce, sfo->name);
        const int to_hs = mod.FindEntry(sp.name, rt::Crm::kHubSpot, sfo->name);
        op.to_salesforce = load(to_sf);
        op.to_hubspot = load(to_hs);
        if ((to_sf >= 0 && !op.to_salesforce.valid()) || (to_hs >= 0 && !op.to_hubspot.valid())) {
          *exit_code = 2;
          return nullptr;
        }
        for (size_t mi = 0; mi < cs.mappings.size(); ++mi) {
          const sema::CheckedMapping& cm = cs.mappings[mi];
          const schema::Field* sff = k < cm.salesforce.size() ? cm.salesforce[k] : nullptr;
          if (!sff || !cm.hubspot) continue;
          engine::FieldMap fm;
          fm.hubspot = cm.hubspot->name;
          fm.salesforce = sff->name;
          fm.rule = RuleOf(cm);
          fm.writes_salesforce = cm.writes_salesforce && to_sf >= 0;
          fm.writes_hubspot = cm.writes_hubspot && to_hs >= 0;
          fm.hubspot_kind = cm.hubspot->kind;
          if (cm.syntax) {
            const auto& buf = m.sources.Get(cm.syntax->range.file);
            const auto pos = buf.Position(cm.syntax->range.begin);
            fm.location =
                buf.path() + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
          }
          fm.salesforce_kind = sff->kind;
          auto slot = [&](int entry) {
            if (entry < 0) return -1;
            const auto& om = mod.entries[entry].output_mappings;
            auto it = std::find(om.begin(), om.end(), static_cast<int>(mi));
            return it == om.end() ? -1 : static_cast<int>(it - om.begin());
          };
          fm.to_salesforce_slot = slot(to_sf);
          fm.to_hubspot_slot = slot(to_hs);
          AddUnique(op.read_fields, fm.salesforce);
          AddUnique(sp.hubspot_read_fields, fm.hubspot);
          op.fields.push_back(std::move(fm));
        }
        for (const auto& in : op.to_salesforce.layout.inputs) AddUnique(sp.hubspot_read_fields, in);
        for (const auto& in : op.to_hubspot.layout.inputs) AddUnique(op.read_fields, in);
        AddUnique(op.read_fields, sp.match_salesforce);
        if (sfo->FindField("IsConverted")) AddUnique(op.read_fields, "IsConverted");
        if (sp.picklists_salesforce != "disabled") {
          // Address code fields, read to convert them back (R110).
          for (const auto& fm : op.fields) {
            for (const char* suffix : {"Country", "State"}) {
              const std::string s(suffix);
              if (fm.salesforce.size() >= s.size() &&
                  fm.salesforce.compare(fm.salesforce.size() - s.size(), s.size(), s) == 0 &&
                  sfo->FindField(fm.salesforce + "Code"))
                AddUnique(op.read_fields, fm.salesforce + "Code");
            }
          }
        }
        sp.objects.push_back(std::move(op));
      }
      if (sp.lifecycle) AddUnique(sp.hubspot_read_fields, "lifecyclestage");
      if (st.conflict_winner)
        sp.conflict = *st.conflict_winner == syntax::Side::kHubSpot
                          ? engine::SyncProgram::Winner::kHubSpot
                          : engine::SyncProgram::Winner::kSalesforce;
      for (const auto& block : cs.stage_maps) {
        engine::DealPipeline d;
        d.pipeline = block.pipeline;
        d.record_type = block.record_type;
        d.stages = block.rows;
        if (block.syntax) {
          const auto& buf = m.sources.Get(block.syntax->range.file);
          const auto pos = buf.Position(block.syntax->range.begin);
          d.location =
              buf.path() + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
        }
        if (!d.pipeline.empty()) AddUnique(sp.hubspot_read_fields, "pipeline");
        sp.pipelines.push_back(std::move(d));
      }
      // R78: the opportunity's record type decides the deal's pipeline. A mapping of its own
      // (pipeline <- RecordTypeId, Salesforce always wins) reads both, notices a record type
      // change as a change of the pair and writes the pipeline the deal_stages code chose.
      if (sp.HasRecordTypes()) {
        for (size_t k = 0; k < sp.objects.size() && k < cs.salesforce.size(); ++k) {
          const schema::Field* rt = cs.salesforce[k]->FindField("RecordTypeId");
          const schema::Field* pipeline = cs.hubspot->FindField("pipeline");
          if (!rt || !pipeline) continue;
          engine::FieldMap fm;
          fm.hubspot = pipeline->name;
          fm.salesforce = rt->name;
          fm.rule = engine::FieldRule::kAlwaysSalesforce;
          fm.writes_hubspot = true;
          fm.hubspot_kind = pipeline->kind;
          fm.salesforce_kind = rt->kind;
          fm.location = sp.pipelines.front().location;
          AddUnique(sp.objects[k].read_fields, fm.salesforce);
          AddUnique(sp.hubspot_read_fields, fm.hubspot);
          sp.objects[k].fields.push_back(std::move(fm));
        }
      }
      // R34: HubSpot's integration writes a synced contact's Salesforce campaigns to the
      // contact whenever it syncs; its own property is read-only to apps, so Syncline keeps
      // the names in a property of its own (engine/campaigns.h).
      if (sp.IsContacts()) {
        bool into_hubspot = false, mapped = false;
        for (const auto& op : sp.objects) {
          into_hubspot = into_hubspot ||
                         ((op.object == "Lead" || op.object == "Contact") && op.to_hubspot.valid());
          for (const auto& fm : op.fields)
            mapped = mapped || fm.hubspot == engine::kCampaignsProperty;
        }
        if (into_hubspot && !mapped) {
          sp.campaigns_property = engine::kCampaignsProperty;
          AddUnique(sp.hubspot_read_fields, sp.campaigns_property);
        }
      }
      sp.associations = AssociationsOf(cs);
      if (sp.hubspot_object == "companies" && cs.hubspot->FindField("salesforceaccountid")) {
        sp.id_property = "salesforceaccountid";
        AddUnique(sp.hubspot_read_fields, sp.id_property);
      }
      m.syncs.push_back(std::move(sp));
    }
    if (!LoadActivities(*f.checked, mod, m.sources, load, m.activities) ||
        !LoadWorkflows(*f.checked, mod, m.sources, load, m.workflows)) {
      *exit_code = 2;
      return nullptr;
    }
  }
  // R73: contacts' lifecycle changes move their companies when companies sync too.
  bool companies = false;
  for (const auto& s : m.syncs) companies = companies || s.IsCompanies();
  for (auto& s : m.syncs) {
    s.lifecycle_to_companies = s.IsContacts() && companies;
    if (s.lifecycle_to_companies) AddUnique(s.hubspot_read_fields, "lifecyclestage");
  }
  return out;
}

}  // namespace syncline::pipeline
