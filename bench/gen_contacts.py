#!/usr/bin/env python3
"""N realistic HubSpot contacts as JSON Lines (about 30 properties, messy states and
countries, blanks, segments) for bench/transform_bench.sh. Values are in the canonical forms
the API returns, so jq and the hand-written baseline can pass them through."""
import random
import sys

n = int(sys.argv[1])
rng = random.Random(42)
first = ["Ann", "Bob", "Zoë", "José", "Li", "Ngozi", "", None]
last = ["Lee", "Smith", "Müller", "O'Brien", "García", None]
states = ["California", " ca ", "CA", "Calif.", "new york", "NY", "Texas", "tx", "Bavaria", "", None]
countries = ["USA", "us", "United States", "Germany", "DE", "deutschland", "UK", "gb", "France", None]
stages = ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
          "customer", None]
sizes = ["1-5", "5-25", "25-50", "50-100", "1000+", None]
out = sys.stdout
for i in range(n):
    p = {
        "firstname": rng.choice(first), "lastname": rng.choice(last),
        "email": rng.choice([f"  User{i}@Example.com ", f"u{i}@x.io", "", None]),
        "company": rng.choice(["Acme", "Globex", "Initech", None]),
        "phone": rng.choice(["+1 555 0100", "030 1234567", None]),
        "jobtitle": rng.choice(["CEO", "Engineer", "", None]),
        "city": rng.choice(["Berlin", "Austin", "San José", None]),
        "state": rng.choice(states), "country": rng.choice(countries),
        "annualrevenue": rng.choice([str(rng.randrange(0, 10**9)), None]),
        "numemployees": rng.choice(sizes), "lifecyclestage": rng.choice(stages),
        "date_of_birth": rng.choice(["1980-02-03", "1999-12-31", None]),
        "createdate": rng.choice(["2024-01-02T10:11:12.345Z", "2023-06-30T00:00:00.000Z"]),
        "message": rng.choice(["hello", None]),
    }
    for k in range(15):  # properties the rules do not read
        p[f"hs_extra_{k}"] = rng.choice(["x" * rng.randrange(1, 40), None])
    import json
    seg = rng.choice([["Salesforce sync"], ["Newsletter"], ["Newsletter", "Salesforce sync"], []])
    out.write(json.dumps({"id": str(i), "properties": p, "segments": seg}, ensure_ascii=False) + "\n")
