// The demo data generator. A splitmix64 stream (not <random> distributions, whose output differs
// between standard libraries) makes the data identical on every machine for one seed.
#include "sandbox/demo_data.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "sandbox/time_format.h"

namespace syncline::sandbox {

using nlohmann::json;

DemoOptions DemoOptionsFromJson(const json& j) {
  DemoOptions o;
  o.seed = j.value("seed", o.seed);
  o.contacts = j.value("contacts", o.contacts);
  o.companies = j.value("companies", std::max(10, o.contacts / 7));
  o.now_ms = j.value("now_ms", o.now_ms);
  return o;
}

namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }
  bool Chance(int percent) { return static_cast<int>(Below(100)) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t state_;
};

const std::vector<std::string> kFirst = {
    "James", "Mary",   "Robert", "Patricia", "John",   "Jennifer", "Michael", "Linda",
    "David", "Elena",  "Wei",    "Priya",    "Ahmed",  "Sofia",    "Lukas",   "Chloé",
    "Hiro",  "Fatima", "Olivia", "Noah",     "Mateo",  "Aisha",    "Sven",    "Ana",
    "Raj",   "Zoe",    "Liam",   "Emma",     "Jürgen", "Siobhán",  "Kwame",   "Mei",
    "Diego", "Ingrid", "Tom",    "Grace",    "Yusuf",  "Nora",     "Pavel",   "Leah"};
const std::vector<std::string> kLast = {
    "Smith",  "Johnson",  "Williams", "Brown",  "Jones",  "Garcia", "Miller", "Davis",
    "Chen",   "Patel",    "Müller",   "Dubois", "Tanaka", "Kim",    "Nguyen", "Rossi",
    "Silva",  "Kowalski", "O'Brien",  "Novak",  "Hansen", "Ali",    "Okafor", "Schmidt",
    "Lopez",  "Wilson",   "Anderson", "Taylor", "Thomas", "Moore",  "Martin", "Lee",
    "Walker", "Hall",     "Young",    "King",   "Wright", "Scott",  "Green",  "Baker"};
const std::vector<std::string> kCompanyA = {
    "Acme",     "Globex",   "Initech",   "Umbrella", "Stark",      "Wayne",     "Hooli",
    "Vandelay", "Soylent",  "Cyberdyne", "Tyrell",   "Wonka",      "Gringotts", "Oscorp",
    "Aperture", "Blue Sun", "Monarch",   "Nakatomi", "Pied Piper", "Zorg"};
const std::vector<std::string> kCompanyB = {
    "Industries", "Labs",  "Systems", "Logistics", "Foods",    "Consulting", "Holdings", "Robotics",
    "Health",     "Media", "Energy",  "Analytics", "Partners", "Works",      "Group"};
const std::vector<std::string> kIndustries = {"Banking",       "Technology", "Healthcare", "Retail",
                                              "Manufacturing", "Education",  "Energy",     "Media",
                                              "Consulting",    "Insurance"};
// Free-text spellings as people type them into HubSpot forms.
const std::vector<std::vector<std::string>> kMessyCountries = {
    {"United States", "USA", "U.S.A.", "US", "united states", "America", "U.S.",
     "United States of America"},
    {"Canada", "CA", "canada", "CANADA"},
    {"United Kingdom", "UK", "U.K.", "Great Britain", "England", "GB"},
    {"Germany", "Deutschland", "DE", "germany"},
    {"France", "FR", "france"},
    {"Australia", "AU", "Aus", "australia"},
    {"Ireland", "IE", "Éire"},
    {"Mexico", "MX", "México"}};
const std::vector<std::string> kCountryCodes = {"US", "CA", "GB", "DE", "FR", "AU", "IE", "MX"};
struct State {
  const char* country;
  const char* code;
  std::vector<std::string> spellings;
};
const std::vector<State> kStates = {
    {"US", "CA", {"California", "CA", "Calif.", "ca", "california"}},
    {"US", "NY", {"New York", "NY", "N.Y.", "new york"}},
    {"US", "TX", {"Texas", "TX", "Tex.", "texas"}},
    {"US", "MA", {"Massachusetts", "MA", "Mass.", "mass"}},
    {"US", "WA", {"Washington", "WA", "Wash."}},
    {"CA", "ON", {"Ontario", "ON", "Ont."}},
    {"CA", "QC", {"Quebec", "QC", "Québec"}},
    {"AU", "NSW", {"New South Wales", "NSW"}},
    {"MX", "JA", {"Jalisco", "JAL"}}};  // Salesforce keeps ISO's older two-letter code
const std::vector<std::string> kCities = {"Springfield", "Boston",     "Austin", "Toronto",
                                          "London",      "Berlin",     "Paris",  "Sydney",
                                          "Dublin",      "Guadalajara"};
const std::vector<std::string> kDealStages = {"appointmentscheduled",
                                              "qualifiedtobuy",
                                              "presentationscheduled",
                                              "decisionmakerboughtin",
                                              "contractsent",
                                              "closedwon",
                                              "closedlost"};
const std::vector<std::string> kSfStages = {
    "Prospecting",         "Qualification",       "Needs Analysis",       "Value Proposition",
    "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review",
    "Closed Won",          "Closed Lost"};
const std::vector<std::string> kLifecycle = {
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer",
    "evangelist", "other"};

struct Person {
  std::string first, last, email, phone, title;
  size_t company;
};

std::string Slug(std::string s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

// Phone numbers in the many formats real data has.
std::string Phone(Rng& r) {
  int a = 200 + static_cast<int>(r.Below(700)), b = 100 + static_cast<int>(r.Below(900)),
      c = 1000 + static_cast<int>(r.Below(9000));
  switch (r.Below(5)) {
    case 0:
      return "(" + std::to_string(a) + ") " + std::to_string(b) + "-" + std::to_string(c);
    case 1:
      return "+1 " + std::to_string(a) + " " + std::to_string(b) + " " + std::to_string(c);
    case 2:
      return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c);
    case 3:
      return std::to_string(a) + std::to_string(b) + std::to_string(c);
    default:
      return "";
  }
}

// The shared cast of both systems: companies and people, so that the portal and the org
// overlap the way two CRMs of one business do.
struct World {
  std::vector<std::string> companies;
  std::vector<Person> people;
  int64_t now;
};

World MakeWorld(const DemoOptions& o) {
  Rng r(o.seed);
  World w;
  w.now = o.now_ms ? o.now_ms : DaysFromCivil(2026, 1, 1) * kDayMs;
  for (int i = 0; i < o.companies; ++i) {
    std::string name = r.Pick(kCompanyA) + " " + r.Pick(kCompanyB);
    if (i >= static_cast<int>(kCompanyA.size() * kCompanyB.size()) / 2 || r.Chance(30))
      name += " " + std::to_string(i);
    w.companies.push_back(name);
  }
  int people = o.contacts * 13 / 10;
  for (int i = 0; i < people; ++i) {
    Person p;
    p.first = r.Pick(kFirst);
    p.last = r.Pick(kLast);
    p.company = r.Below(w.companies.size());
    std::string domain = Slug(w.companies[p.company]) + (r.Chance(20) ? ".io" : ".com");
    p.email = Slug(p.first) + "." + Slug(p.last) + std::to_string(i) + "@" + domain;
    p.phone = Phone(r);
    p.title = r.Pick(
        std::vector<std::string>{"CEO", "CTO", "VP Sales", "Engineer", "Buyer", "", "Head of Ops"});
    w.people.push_back(p);
  }
  return w;
}

int64_t Past(Rng& r, int64_t now, int days) {
  return now - static_cast<int64_t>(r.Below(static_cast<size_t>(days) * 86400)) * 1000;
}

}  // namespace

// Owners (R114-R119). HubSpot owners and Salesforce users overlap the way real portals do:
// one matches by name and email, one by email only (its Salesforce name differs), one whose
// Salesforce user is inactive, one with no Salesforce user, one archived, a partner user, and
// a Chatter-only user (a type owner sync does not recognise). Records get owners by index,
// outside the random stream, so the rest of the data is the same as without owners.
namespace {
struct DemoOwner {
  const char* hubspot_id;  // "" = no HubSpot owner
  const char* first;
  const char* last;
  const char* email;
  bool archived;
};
const DemoOwner kHubSpotOwners[] = {
    {"70000001", "Alice", "Martin", "alice.martin@demo.example", false},
    {"70000002", "Bob", "Chen", "bob.chen@demo.example", false},
    {"70000003", "Carla", "Diaz", "carla.diaz@demo.example", false},
    {"70000004", "Dan", "Evans", "dan.evans@demo.example", false},
    {"70000005", "Erin", "Fox", "erin.fox@demo.example", true},
    {"70000006", "Paula", "Reyes", "paula.reyes@partner.example", false},
    {"70000007", "Gus", "Hill", "gus.hill@demo.example", false},
};
struct DemoUser {
  const char* ref;
  const char* first;
  const char* last;
  const char* email;
  bool active;
  const char* type;
};
const DemoUser kSalesforceUsers[] = {
    {"u_alice", "Alice", "Martin", "Alice.Martin@demo.example", true, "Standard"},
    {"u_bob", "Robert", "Chen", "bob.chen@demo.example", true, "Standard"},
    {"u_carla", "Carla", "Diaz", "carla.diaz@demo.example", false, "Standard"},
    {"u_erin", "Erin", "Fox", "erin.fox@demo.example", true, "Standard"},
    {"u_frank", "Frank", "Green", "frank.green@demo.example", true, "Standard"},
    {"u_paula", "Paula", "Reyes", "paula.reyes@partner.example", true, "PowerPartner"},
    {"u_gus", "Gus", "Hill", "gus.hill@demo.example", true, "CsnOnly"},
};

// Every `every`-th record (from `first`) gets the next owner in turn.
template <typename F>
void AssignOwners(json& items, size_t first, size_t every, size_t owners, const F& set) {
  size_t k = 0;
  for (size_t i = first; i < items.size(); i += every) set(items[i], k++ % owners);
}
}  // namespace

json HubSpotDemoSeed(const DemoOptions& o) {
  World w = MakeWorld(o);
  Rng r(o.seed * 31 + 7);
  json objects = json::object();
  json assoc = json::array();
  json& companies = objects["companies"] = json::array();
  for (size_t i = 0; i < w.companies.size(); ++i) {
    size_t ci = r.Below(kMessyCountries.size());
    json props = {{"name", w.companies[i]},
                  {"domain", Slug(w.companies[i]) + ".com"},
                  {"industry", r.Chance(80) ? r.Pick(kIndustries) : ""},
                  {"city", r.Pick(kCities)},
                  {"country", r.Chance(85) ? r.Pick(kMessyCountries[ci]) : ""},
                  {"numberofemployees", std::to_string(5 + r.Below(5000))}};
    companies.push_back({{"properties", props}, {"createdAt", Past(r, w.now, 720)}});
  }
  json& contacts = objects["contacts"] = json::array();
  for (int i = 0; i < o.contacts; ++i) {
    const Person& p = w.people[static_cast<size_t>(i)];
    json props = {{"firstname", r.Chance(95) ? p.first : ""}, {"lastname", p.last}};
    if (r.Chance(94)) {
      // Some emails are upper-cased: the same person as the Salesforce record, typed differently.
      std::string email = p.email;
      if (r.Chance(10))
        for (auto& c : email) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      props["email"] = email;
    }
    if (!p.phone.empty()) props["phone"] = p.phone;
    if (!p.title.empty()) props["jobtitle"] = p.title;
    props["company"] = w.companies[p.company];
    props["lifecyclestage"] = r.Pick(kLifecycle);
    if (r.Chance(70)) {
      size_t ci = r.Below(kMessyCountries.size());
      props["country"] = r.Pick(kMessyCountries[ci]);
      for (const auto& s : kStates)
        if (kCountryCodes[ci] == s.country && r.Chance(60)) {
          props["state"] = r.Pick(s.spellings);
          break;
        }
      props["city"] = r.Pick(kCities);
    } else if (r.Chance(30)) {
      props["state"] = r.Pick(r.Pick(kStates).spellings);  // a state with no country at all
    }
    if (r.Chance(20))
      props["hs_lead_status"] = r.Pick(
          std::vector<std::string>{"NEW", "OPEN", "IN_PROGRESS", "UNQUALIFIED", "CONNECTED"});
    contacts.push_back({{"properties", props}, {"createdAt", Past(r, w.now, 720)}});
    if (r.Chance(85))
      assoc.push_back(
          {{"from", "contacts"}, {"from_index", i}, {"to", "companies"}, {"to_index", p.company}});
  }
  json& deals = objects["deals"] = json::array();
  for (int i = 0; i < o.contacts / 5; ++i) {
    size_t stage = static_cast<size_t>(i) % kDealStages.size();  // every stage is represented
    size_t contact = r.Below(static_cast<size_t>(o.contacts));
    deals.push_back(
        {{"properties",
          {{"dealname", w.companies[w.people[contact].company] + " deal " + std::to_string(i)},
           {"amount", r.Chance(90) ? std::to_string(500 + r.Below(200000)) : ""},
           {"pipeline", "default"},
           {"dealstage", kDealStages[stage]},
           {"closedate", FormatIsoMs(Past(r, w.now + 90LL * kDayMs, 400))}}},
         {"createdAt", Past(r, w.now, 500)}});
    assoc.push_back(
        {{"from", "deals"}, {"from_index", i}, {"to", "contacts"}, {"to_index", contact}});
    assoc.push_back({{"from", "deals"},
                     {"from_index", i},
                     {"to", "companies"},
                     {"to_index", w.people[contact].company}});
  }
  json& tickets = objects["tickets"] = json::array();
  for (int i = 0; i < o.contacts / 10; ++i) {
    size_t contact = r.Below(static_cast<size_t>(o.contacts));
    tickets.push_back({{"properties",
                        {{"subject", r.Pick(std::vector<std::string>{
                                         "Cannot log in", "Invoice wrong",
                                         "Feature request: export", "Outage?", "Password reset"})},
                         {"content", "Reported by " + w.people[contact].first},
                         {"hs_pipeline", "0"},
                         {"hs_pipeline_stage", std::to_string(1 + r.Below(4))},
                         {"hs_ticket_priority",
                          r.Pick(std::vector<std::string>{"LOW", "MEDIUM", "HIGH", "URGENT"})}}},
                       {"createdAt", Past(r, w.now, 365)}});
    assoc.push_back(
        {{"from", "tickets"}, {"from_index", i}, {"to", "contacts"}, {"to_index", contact}});
  }
  const std::vector<std::string> kinds = {"notes", "calls", "emails", "meetings", "tasks"};
  std::map<std::string, int> counts;
  for (int i = 0; i < o.contacts / 2; ++i) {
    const std::string& kind = kinds[static_cast<size_t>(i) % kinds.size()];
    int64_t ts = Past(r, w.now, 365);
    json props = {{"hs_timestamp", FormatIsoMs(ts)}};
    if (kind == "notes") props["hs_note_body"] = "Spoke about renewal";
    if (kind == "calls") {
      props["hs_call_title"] = "Discovery call";
      props["hs_call_direction"] = r.Chance(50) ? "INBOUND" : "OUTBOUND";
      props["hs_call_status"] = "COMPLETED";
      props["hs_call_duration"] = std::to_string(60000 + r.Below(1800000));
    }
    if (kind == "emails") {
      props["hs_email_direction"] = "EMAIL";
      props["hs_email_subject"] = "Following up";
      props["hs_email_status"] = "SENT";
    }
    if (kind == "meetings") {
      props["hs_meeting_title"] = "Demo";
      props["hs_meeting_start_time"] = FormatIsoMs(ts);
      props["hs_meeting_end_time"] = FormatIsoMs(ts + 1800000);
      props["hs_meeting_outcome"] =
          r.Pick(std::vector<std::string>{"SCHEDULED", "COMPLETED", "NO_SHOW"});
    }
    if (kind == "tasks") {
      props["hs_task_subject"] = "Send proposal";
      props["hs_task_status"] = r.Chance(50) ? "COMPLETED" : "NOT_STARTED";
      props["hs_task_priority"] = r.Pick(std::vector<std::string>{"LOW", "MEDIUM", "HIGH"});
      props["hs_task_type"] = "TODO";
    }
    objects[kind].push_back({{"properties", props}, {"createdAt", ts}});
    assoc.push_back({{"from", kind},
                     {"from_index", counts[kind]++},
                     {"to", "contacts"},
                     {"to_index", r.Below(static_cast<size_t>(o.contacts))}});
  }
  json& vehicles = objects["vehicles"] = json::array();
  for (int i = 0; i < std::max(1, o.contacts / 20); ++i)
    vehicles.push_back(
        {{"properties",
          {{"vin", "VIN" + std::to_string(100000 + i)},
           {"make", r.Pick(std::vector<std::string>{"Volvo", "Ford", "Toyota", "Tesla"})},
           {"model", "M" + std::to_string(r.Below(9))},
           {"year", std::to_string(2005 + r.Below(20))},
           {"condition", r.Pick(std::vector<std::string>{"new", "used", "certified"})}}}});
  json owners = json::array();
  for (const auto& d : kHubSpotOwners)
    owners.push_back({{"id", d.hubspot_id},
                      {"firstName", d.first},
                      {"lastName", d.last},
                      {"email", d.email},
                      {"archived", d.archived}});
  const size_t n_owners = std::size(kHubSpotOwners);
  auto set_owner = [](json& item, size_t k) {
    item["properties"]["hubspot_owner_id"] = kHubSpotOwners[k].hubspot_id;
  };
  AssignOwners(objects["contacts"], 1, 4, n_owners, set_owner);
  AssignOwners(objects["companies"], 0, 3, n_owners, set_owner);
  AssignOwners(objects["deals"], 0, 2, n_owners, set_owner);
  return {{"objects", objects}, {"associations", assoc}, {"owners", owners}};
}

json SalesforceDemoSeed(const DemoOptions& o) {
  World w = MakeWorld(o);
  Rng r(o.seed * 131 + 3);
  json records = json::array();
  json conversions = json::array();
  auto add = [&](const char* type, const std::string& ref, json fields, int64_t created) {
    json item = {{"type", type}, {"fields", std::move(fields)}, {"createdDate", created}};
    if (!ref.empty()) item["ref"] = ref;
    records.push_back(std::move(item));
  };
  auto address = [&](json& f, const std::string& prefix) {
    if (!r.Chance(75)) return;
    size_t ci = r.Below(kCountryCodes.size());
    // Half the records set the code, half the integration value (the full name, any case).
    if (r.Chance(50)) {
      f[prefix + "CountryCode"] = kCountryCodes[ci];
    } else {
      std::string name = kMessyCountries[ci][0];
      if (r.Chance(30))
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      f[prefix + "Country"] = name;
    }
    for (const auto& s : kStates)
      if (kCountryCodes[ci] == s.country && r.Chance(70)) {
        f[prefix + "StateCode"] = s.code;
        break;
      }
    f[prefix + "City"] = r.Pick(kCities);
  };
  for (size_t i = 0; i < w.companies.size(); ++i) {
    json f = {{"Name", w.companies[i]}, {"Website", "https://" + Slug(w.companies[i]) + ".com"}};
    if (r.Chance(70)) f["Industry"] = r.Pick(kIndustries);
    if (r.Chance(60)) f["NumberOfEmployees"] = static_cast<int>(5 + r.Below(5000));
    address(f, "Billing");
    add("Account", "a" + std::to_string(i), f, Past(r, w.now, 720));
  }
  // Contacts: people 0.4n..1.0n (overlapping the HubSpot contacts 0..n), a few with the
  // same email twice in different case.
  int contact_count = 0;
  std::vector<std::vector<int>> contacts_of(w.companies.size());
  for (int i = o.contacts * 4 / 10; i < o.contacts; ++i) {
    const Person& p = w.people[static_cast<size_t>(i)];
    json f = {{"LastName", p.last}, {"AccountId", "@a" + std::to_string(p.company)}};
    if (r.Chance(95)) f["FirstName"] = p.first;
    if (r.Chance(90)) f["Email"] = p.email;
    if (!p.phone.empty()) f["Phone"] = p.phone;
    if (!p.title.empty()) f["Title"] = p.title;
    address(f, "Mailing");
    contacts_of[p.company].push_back(contact_count);
    add("Contact", "c" + std::to_string(contact_count++), f, Past(r, w.now, 700));
    if (r.Chance(3)) {  // a duplicate contact, email in another case
      std::string upper = p.email;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      contacts_of[p.company].push_back(contact_count);
      add("Contact", "c" + std::to_string(contact_count++),
          {{"LastName", p.last},
           {"FirstName", p.first},
           {"Email", upper},
           {"AccountId", "@a" + std::to_string(p.company)}},
          Past(r, w.now, 300));
    }
  }
  // Leads: people 0..0.5n plus the extra people; many share an email with a contact.
  int lead_count = 0;
  std::vector<int> lead_people;
  for (int i = 0; i < o.contacts / 2; ++i) lead_people.push_back(i);
  for (size_t i = static_cast<size_t>(o.contacts); i < w.people.size(); ++i)
    lead_people.push_back(static_cast<int>(i));
  for (int i : lead_people) {
    const Person& p = w.people[static_cast<size_t>(i)];
    json f = {
        {"LastName", p.last},
        {"Company", r.Chance(90) ? w.companies[p.company] : "[not provided]"},
        {"Status", r.Pick(std::vector<std::string>{"Open - Not Contacted", "Working - Contacted",
                                                   "Closed - Not Converted"})}};
    if (r.Chance(95)) f["FirstName"] = p.first;
    if (r.Chance(92)) f["Email"] = p.email;
    if (!p.phone.empty()) f["Phone"] = p.phone;
    f["LeadSource"] = r.Pick(std::vector<std::string>{"Web", "Phone Inquiry", "Partner Referral",
                                                      "Purchased List", "Other"});
    address(f, "");
    std::string ref = "l" + std::to_string(lead_count++);
    add("Lead", ref, f, Past(r, w.now, 600));
    if (r.Chance(10))
      conversions.push_back({{"leadId", "@" + ref}, {"doNotCreateOpportunity", r.Chance(40)}});
  }
  // Opportunities at every stage, each with contact roles (the first one primary).
  for (int i = 0; i < o.contacts / 5; ++i) {
    size_t account = r.Below(w.companies.size());
    const std::string& stage = kSfStages[static_cast<size_t>(i) % kSfStages.size()];
    json f = {{"Name", w.companies[account] + " - " + std::to_string(i)},
              {"StageName", stage},
              {"CloseDate", FormatDate(Past(r, w.now + 120LL * kDayMs, 400))},
              {"AccountId", "@a" + std::to_string(account)}};
    if (r.Chance(90)) f["Amount"] = static_cast<double>(500 + r.Below(200000));
    add("Opportunity", "o" + std::to_string(i), f, Past(r, w.now, 500));
    const auto& cs = contacts_of[account];
    for (size_t k = 0; k < cs.size() && k < 2; ++k)
      add("OpportunityContactRole", "",
          {{"OpportunityId", "@o" + std::to_string(i)},
           {"ContactId", "@c" + std::to_string(cs[k])},
           {"IsPrimary", k == 0},
           {"Role", r.Pick(std::vector<std::string>{"Decision Maker", "Economic Buyer",
                                                    "Influencer", "Evaluator"})}},
          Past(r, w.now, 400));
  }
  for (int i = 0; i < o.contacts / 10 && contact_count > 0; ++i) {
    add("Case", "",
        {{"Subject", r.Pick(std::vector<std::string>{"Cannot log in", "Invoice wrong", "Outage?",
                                                     "Shipping delay"})},
         {"Status", r.Pick(std::vector<std::string>{"New", "Working", "Escalated", "Closed"})},
         {"Priority", r.Pick(std::vector<std::string>{"High", "Medium", "Low"})},
         {"Origin", r.Pick(std::vector<std::string>{"Phone", "Email", "Web"})},
         {"ContactId", "@c" + std::to_string(r.Below(static_cast<size_t>(contact_count)))}},
        Past(r, w.now, 365));
  }
  for (int i = 0; i < o.contacts / 3 && contact_count > 0; ++i) {
    bool lead = r.Chance(30) && lead_count > 0;
    json f = {
        {"Subject", r.Pick(std::vector<std::string>{"Call", "Email", "Send quote", "Follow up"})},
        {"Status", r.Pick(std::vector<std::string>{"Not Started", "In Progress", "Completed"})},
        {"Priority", r.Pick(std::vector<std::string>{"High", "Normal", "Low"})},
        {"ActivityDate", FormatDate(Past(r, w.now + 30LL * kDayMs, 200))},
        {"WhoId", lead ? "@l" + std::to_string(r.Below(static_cast<size_t>(lead_count)))
                       : "@c" + std::to_string(r.Below(static_cast<size_t>(contact_count)))}};
    if (r.Chance(30)) f["TaskSubtype"] = "Call";
    add("Task", "", f, Past(r, w.now, 300));
  }
  for (int i = 0; i < o.contacts / 20 && contact_count > 0; ++i) {
    int64_t start = Past(r, w.now + 30LL * kDayMs, 200);
    add("Event", "",
        {{"Subject", "Meeting"},
         {"StartDateTime", FormatIsoMs(start)},
         {"EndDateTime", FormatIsoMs(start + 3600000)},
         {"WhoId", "@c" + std::to_string(r.Below(static_cast<size_t>(contact_count)))}},
        Past(r, w.now, 300));
  }
  for (int i = 0; i < std::max(1, o.contacts / 20); ++i)
    add("Vehicle__c", "",
        {{"Name", "Vehicle " + std::to_string(i)},
         {"VIN__c", "VIN" + std::to_string(100000 + i)},
         {"Make__c", r.Pick(std::vector<std::string>{"Volvo", "Ford", "Toyota", "Tesla"})},
         {"Year__c", static_cast<int>(2005 + r.Below(20))},
         {"Condition__c", r.Pick(std::vector<std::string>{"New", "Used", "Certified"})},
         {"Account__c", "@a" + std::to_string(r.Below(w.companies.size()))}},
        Past(r, w.now, 300));
  // Users first (records refer to them), then owners on a share of each object.
  json users = json::array();
  for (const auto& u : kSalesforceUsers)
    users.push_back({{"type", "User"},
                     {"ref", u.ref},
                     {"fields",
                      {{"FirstName", u.first},
                       {"LastName", u.last},
                       {"Email", u.email},
                       {"Username", std::string(u.email) + ".sandbox"},
                       {"IsActive", u.active},
                       {"UserType", u.type}}}});
  const size_t n_users = std::size(kSalesforceUsers);
  size_t lead_k = 0, contact_k = 0, account_k = 0, opp_k = 0;
  for (auto& item : records) {
    const std::string type = item.value("type", "");
    size_t* k = type == "Lead"          ? &lead_k
                : type == "Contact"     ? &contact_k
                : type == "Account"     ? &account_k
                : type == "Opportunity" ? &opp_k
                                        : nullptr;
    if (!k) continue;
    if ((*k)++ % 3 == 0)
      item["fields"]["OwnerId"] = std::string("@") + kSalesforceUsers[(*k / 3) % n_users].ref;
  }
  records.insert(records.begin(), users.begin(), users.end());
  return {{"records", records}, {"conversions", conversions}};
}

}  // namespace syncline::sandbox
