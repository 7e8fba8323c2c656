# The rules of transform_bench.sync written in jq (one record in, zero or one out).
def b: if . == null or . == "" then null else . end;
def trim: sub("^\\s+"; "") | sub("\\s+$"; "");
def state: {"california":"CA","ca":"CA","calif.":"CA","new york":"NY","ny":"NY","texas":"TX","tx":"TX","washington":"WA","wa":"WA"}[.];
def country: {"usa":"US","us":"US","united states":"US","united states of america":"US","germany":"DE","de":"DE","deutschland":"DE","uk":"GB","united kingdom":"GB","gb":"GB","great britain":"GB"}[.];
def rank: {"subscriber":0,"lead":1,"marketingqualifiedlead":2,"salesqualifiedlead":3,"opportunity":4,"customer":5,"evangelist":6}[.] // -1;
.properties as $p
| select((.segments // []) | index("Salesforce sync"))
| select(($p.email | b) != null)
| {attributes: {type: "Lead"},
   FirstName: ($p.firstname | b),
   LastName: (($p.lastname | b) // "[not provided]"),
   Company: (($p.company | b) // "[not provided]"),
   Email: ($p.email | b | if . == null then null else (trim | ascii_downcase | b) end),
   Phone: ($p.phone | b),
   Title: ($p.jobtitle | b),
   City: ($p.city | b),
   State: ($p.state | b | if . == null then null else (trim | ascii_downcase | state) end),
   Country: ($p.country | b | if . == null then null else (trim | ascii_downcase | country) end),
   AnnualRevenue: ($p.annualrevenue | b | if . == null then null else tonumber end),
   NumberOfEmployees: ({"1-5":5,"5-25":25,"25-50":50,"50-100":100}[$p.numemployees // ""] // 0),
   Rating: (if ($p.lifecyclestage | b) != null and (($p.lifecyclestage | rank) < ("opportunity" | rank)) then "Cold" else "Hot" end),
   Description: "born \($p.date_of_birth | b // ""), created \($p.createdate | b // "")"}
