#include "engine/company_matching.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace syncline::engine {

using connectors::Record;
using nlohmann::json;
using state::Side;

namespace {

// The candidate named most often, then the smallest id: deterministic, so a re-run after a
// crash pairs the same way.
std::string Best(const std::map<std::string, int>& votes) {
  std::string best;
  int n = 0;
  for (const auto& [id, v] : votes)
    if (v > n) best = id, n = v;
  return best;
}

}  // namespace

std::vector<CompanyMatch> MatchNewCompanies(RunContext& c, const ObjectProgram& accounts,
                                            const std::vector<const Record*>& companies) {
  std::vector<CompanyMatch> out(companies.size());
  if (companies.empty()) return out;
  std::vector<std::string> ids;
  for (const Record* r : companies) ids.push_back(r->id);

  // Associated contacts, and the Salesforce contacts they sync with.
  std::vector<connectors::Association> assoc;
  connectors::Error e = c.hs.ReadAssociations("companies", "contacts", ids, &assoc);
  if (!e.ok()) c.fail(e, "reading the contacts of HubSpot companies");
  c.hs_min_calls += Batches(static_cast<int64_t>(ids.size()), kHubSpotAssociationBatch);
  std::unordered_map<std::string, std::vector<std::string>> sf_contacts_of;  // company -> ids
  std::unordered_map<std::string, int> contacts_of, leads_of;
  std::vector<std::string> sf_contacts;
  // The contacts' links in a few statements, not one look-up each.
  std::vector<std::string> contact_ids;
  for (const auto& a : assoc) contact_ids.push_back(a.to_id);
  const auto contact_links = c.store.FindLinks(Side::kHubSpot, "contacts", contact_ids);
  for (const auto& a : assoc) {
    ++contacts_of[a.from_id];
    auto found_link = contact_links.find(a.to_id);
    if (found_link == contact_links.end()) continue;
    const state::Link* link = &found_link->second;
    if (link->salesforce_object == "Contact") {
      sf_contacts_of[a.from_id].push_back(link->salesforce_id);
      sf_contacts.push_back(link->salesforce_id);
    } else {
      ++leads_of[a.from_id];
    }
  }
  std::unordered_map<std::string, std::string> account_of;  // Salesforce contact -> AccountId
  if (!sf_contacts.empty()) {
    std::sort(sf_contacts.begin(), sf_contacts.end());
    sf_contacts.erase(std::unique(sf_contacts.begin(), sf_contacts.end()), sf_contacts.end());
    std::vector<Record> found;
    e = c.sf.ReadByIds("Contact", sf_contacts, {"Id", "AccountId"}, &found);
    if (!e.ok()) c.fail(e, "reading the accounts of Salesforce contacts");
    c.sf_min_calls += Batches(static_cast<int64_t>(sf_contacts.size()), c.o.salesforce_batch);
    for (const Record& r : found) account_of[r.id] = StringOf(FieldValue(r, "AccountId"));
  }

  // Candidates: the stored account id (R58) first, then the accounts of the contacts (R56).
  std::vector<std::string> chosen(companies.size());
  std::set<std::string> wanted;
  for (size_t i = 0; i < companies.size(); ++i) {
    const Record& co = *companies[i];
    if (!c.p.id_property.empty()) {
      const std::string stored = StringOf(FieldValue(co, c.p.id_property));
      if (!stored.empty() && !c.store.FindLink(Side::kSalesforce, "Account", stored)) {
        chosen[i] = stored;
        out[i].reason = "stored Salesforce account id (R58)";
      }
    }
    if (chosen[i].empty()) {
      std::map<std::string, int> votes;
      for (const auto& sc : sf_contacts_of[co.id]) {
        const std::string& acc = account_of[sc];
        if (!acc.empty() && !c.store.FindLink(Side::kSalesforce, "Account", acc)) ++votes[acc];
      }
      chosen[i] = Best(votes);
      if (!chosen[i].empty()) out[i].reason = "the account of its contacts (R56)";
    }
    if (!chosen[i].empty()) wanted.insert(chosen[i]);
  }
  std::unordered_map<std::string, Record> found_accounts;
  if (!wanted.empty()) {
    std::vector<Record> found;
    e = c.sf.ReadByIds(accounts.object, {wanted.begin(), wanted.end()}, accounts.read_fields,
                       &found);
    if (!e.ok()) c.fail(e, "reading Salesforce accounts");
    c.sf_min_calls += Batches(static_cast<int64_t>(wanted.size()), c.o.salesforce_batch);
    for (Record& r : found) found_accounts[r.id] = std::move(r);
  }
  std::set<std::string> claimed;
  for (size_t i = 0; i < companies.size(); ++i) {
    const Record& co = *companies[i];
    auto it = found_accounts.find(chosen[i]);
    if (it != found_accounts.end() && claimed.insert(chosen[i]).second) {
      out[i].account = it->second;
      continue;
    }
    bool private_contact = false;
    for (const auto& sc : sf_contacts_of[co.id])
      if (account_of.count(sc) && account_of[sc].empty()) private_contact = true;
    if (private_contact) {
      out[i].may_create = true;
      out[i].reason = "a contact syncs to a Salesforce contact without an account (R69)";
    } else if (contacts_of[co.id] == 0) {
      out[i].reason = "no_contacts";  // R70
    } else if (leads_of[co.id] > 0 && sf_contacts_of[co.id].empty()) {
      out[i].reason = "contacts_are_leads";  // R70
    } else {
      out[i].reason = "no_synced_contacts";  // R70
    }
  }
  return out;
}

std::vector<std::optional<Record>> MatchNewAccounts(RunContext& c,
                                                    const std::vector<const Record*>& accounts) {
  std::vector<std::optional<Record>> out(accounts.size());
  if (accounts.empty()) return out;
  std::vector<std::string> ids;
  for (const Record* r : accounts) ids.push_back(r->id);
  std::unordered_map<std::string, std::string> company_of;  // account -> HubSpot company
  std::unordered_map<std::string, Record> companies;

  // R58: a company that stores the account's id.
  if (!c.p.id_property.empty()) {
    std::vector<Record> found;
    connectors::Error e =
        c.hs.FindByField("companies", c.p.id_property, ids, c.p.hubspot_read_fields, &found);
    if (!e.ok()) c.fail(e, "looking up HubSpot companies by " + c.p.id_property);
    c.hs_min_calls += Batches(static_cast<int64_t>(ids.size()), c.o.hubspot_batch);
    for (Record& r : found) {
      const std::string acc = StringOf(FieldValue(r, c.p.id_property));
      if (acc.empty() || company_of.count(acc)) continue;
      if (c.store.FindLink(Side::kHubSpot, "companies", r.id)) continue;
      company_of[acc] = r.id;
      companies[r.id] = std::move(r);
    }
  }
  // R56: the company of the account's synced contacts.
  std::vector<std::string> rest;
  for (const auto& id : ids)
    if (!company_of.count(id)) rest.push_back(id);
  if (!rest.empty()) {
    std::vector<Record> contacts;
    connectors::Error e = c.sf.FindByField("Contact", "AccountId", rest, {"Id"}, &contacts);
    if (!e.ok()) c.fail(e, "reading the contacts of Salesforce accounts");
    c.sf_min_calls += Batches(static_cast<int64_t>(rest.size()), c.o.salesforce_batch);
    std::unordered_map<std::string, std::string> account_of_hs;  // HubSpot contact -> account
    std::vector<std::string> hs_contacts;
    for (const Record& r : contacts) {
      auto link = c.store.FindLink(Side::kSalesforce, "Contact", r.id);
      if (!link) continue;
      account_of_hs[link->hubspot_id] = StringOf(FieldValue(r, "AccountId"));
      hs_contacts.push_back(link->hubspot_id);
    }
    if (!hs_contacts.empty()) {
      std::vector<connectors::Association> assoc;
      e = c.hs.ReadAssociations("contacts", "companies", hs_contacts, &assoc);
      if (!e.ok()) c.fail(e, "reading the companies of HubSpot contacts");
      c.hs_min_calls += Batches(static_cast<int64_t>(hs_contacts.size()), kHubSpotAssociationBatch);
      std::unordered_map<std::string, std::map<std::string, int>> votes;  // account -> company
      for (const auto& a : assoc) {
        if (c.store.FindLink(Side::kHubSpot, "companies", a.to_id)) continue;
        ++votes[account_of_hs[a.from_id]][a.to_id];
      }
      std::set<std::string> taken;
      for (const auto& [acc, cos] : company_of) taken.insert(cos);
      std::vector<std::string> fetch;
      for (const auto& id : rest) {
        auto v = votes.find(id);
        if (v == votes.end()) continue;
        for (const auto& t : taken) v->second.erase(t);
        const std::string best = Best(v->second);
        if (best.empty()) continue;
        taken.insert(best);
        company_of[id] = best;
        fetch.push_back(best);
      }
      if (!fetch.empty()) {
        std::vector<Record> found;
        e = c.hs.ReadByIds("companies", fetch, c.p.hubspot_read_fields, &found);
        if (!e.ok()) c.fail(e, "reading HubSpot companies");
        c.hs_min_calls += Batches(static_cast<int64_t>(fetch.size()), c.o.hubspot_batch);
        for (Record& r : found) companies[r.id] = std::move(r);
      }
    }
  }
  for (size_t i = 0; i < accounts.size(); ++i) {
    auto co = company_of.find(accounts[i]->id);
    if (co == company_of.end()) continue;
    auto rec = companies.find(co->second);
    if (rec != companies.end()) out[i] = rec->second;
  }
  return out;
}

}  // namespace syncline::engine
