#!/usr/bin/env python3
"""Writes a realistic rule file of about N lines to stdout: functions, tables and contact
sync blocks with transforms, repeated under fresh names. Used by check_bench.sh."""
import sys

target = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
out = ["use std.text", "use std.num", ""]
i = 0
while len(out) < target:
    out += [
        f"fn label_{i}(n: number?) -> text =",
        f"  if n is blank then \"none\" else if n > {i} * 1000 then \"big\" else \"small\"",
        "",
        f"table status_{i}: text -> text {{",
        '  "NEW" => "Open - Not Contacted"',
        '  "OPEN", "IN_PROGRESS" => "Working - Contacted"',
        '  "UNQUALIFIED" => "Closed - Not Converted"',
        '  _ => "Open - Not Contacted"',
        "}",
        "",
        f"sync contacts_{i}: hubspot.contacts <-> salesforce.Lead | salesforce.Contact {{",
        "  match email",
        "  from salesforce: create or update",
        "  to salesforce: create or update Lead",
        "  on salesforce delete: delete",
        f'  include if in_segment("Segment {i}") and email is not blank and lifecyclestage != "subscriber"',
        "  picklists { salesforce: enabled  hubspot: match_defaults }",
        "  map {",
        "    firstname <-> FirstName prefer salesforce unless blank",
        "    lastname <-> LastName prefer salesforce unless blank",
        '      to salesforce = lastname ?? "[not provided]"',
        "    email <-> Email two-way",
        "    phone <-> Phone two-way",
        "      to salesforce = e164(phone, country) otherwise skip",
        "    mobilephone <-> MobilePhone prefer salesforce unless blank",
        "    jobtitle <-> Title prefer salesforce unless blank",
        "      to salesforce = truncate(trim(jobtitle), 128)",
        "    company <-> Lead.Company prefer salesforce unless blank",
        '      to salesforce = company ?? "Unknown"',
        f"    hs_lead_status -> Lead.Status = status_{i}(hs_lead_status ?? \"NEW\")",
        f"    annualrevenue -> Lead.Description = \"revenue: ${{label_{i}(annualrevenue)}}\"",
        "    city <-> Lead.City two-way",
        "    state <-> Lead.State two-way",
        "    country <-> Lead.Country two-way",
        "    zip <-> Lead.PostalCode two-way",
        "    website <-> Lead.Website two-way",
        "  }",
        "}",
        "",
    ]
    i += 1
print("\n".join(out[:max(target, 1)]).rstrip() + "\n}\n" if False else "\n".join(out))
