#!/usr/bin/env python3
"""Random program generator for differential testing: writes well-typed rule files (a sync of
HubSpot contacts to Salesforce leads whose mappings are random typed expressions) and random
HubSpot records (blanks, nulls, unicode, huge and tiny numbers, malformed dates and numbers,
wrong JSON types), then runs differential_runner on them: the interpreter and the JIT must
agree on every record.

  run_differential.py RUNNER --cases N [--seed S] [--chunk 100] [--keep DIR] [--first K]

--first K resumes a long run: the generator makes (and discards) cases 0..K-1 of the seed's
stream, then runs cases K..N-1, so split runs of one seed cover exactly the cases of one run.
"""
import argparse
import pathlib
import random
import subprocess
import sys
import tempfile
import time

TEXT_FIELDS = ["firstname", "lastname", "email", "company", "city", "jobtitle", "country",
               "state", "phone", "website", "address", "zip", "message"]
NUMBER_FIELDS = ["annualrevenue"]
DATE_FIELDS = ["date_of_birth"]
BOOL_FIELDS = ["hs_email_optout"]
DATETIME_FIELDS = ["createdate"]
# Salesforce Lead fields by kind (targets); LastName and Company are required on create.
TEXT_TARGETS = ["FirstName", "Email", "City", "Title", "Phone", "Website", "Street",
                "PostalCode", "State", "Country", "Description", "Industry", "LeadSource"]
NUMBER_TARGETS = ["AnnualRevenue"]
INTEGER_TARGETS = ["NumberOfEmployees"]
BOOL_TARGETS = ["DoNotCall", "HasOptedOutOfEmail"]

WORDS = ["a", "b", "Ann", "Zoë", "東京", "x y", "NEW", "  pad  ", "1,234.5", "12", "-3",
         "2024-01-02", "e@x.io", "ÄÖÜ", "🙂", "true", "0"]


class Gen:
    def __init__(self, rng):
        self.r = rng

    def text_lit(self):
        return '"' + self.r.choice(WORDS).replace('"', "") + '"'

    def num_lit(self):
        return self.r.choice(["0", "1", "2.5", "-7", "1000000", "0.1", "1e300", "1e-300",
                              "123456789.125", "3"])

    def int_lit(self):
        return self.r.choice(["0", "1", "-1", "2", "7", "100", "9223372036854775807",
                              "-9223372036854775807", "4611686018427387904"])

    # Parts of interpolations may not contain text literals (no nested quotes).
    def text(self, d, lits=True):
        r = self.r.randrange(14 if d > 0 else 3)
        if r == 0 and lits:
            return self.text_lit()
        if r <= 2:
            return self.r.choice(TEXT_FIELDS)
        if r == 3:
            return f"({self.text(d-1, lits)} ?? {self.text(d-1, lits)})"
        if r == 4 and lits:  # an interpolation is itself a text literal
            parts = [self.any_part(d-1) for _ in range(self.r.randrange(1, 3))]
            seps = [self.r.choice(["", "-", " ", "é", "|"]) for _ in range(len(parts) + 1)]
            s = seps[0]
            for p, sep in zip(parts, seps[1:]):
                s += "${" + p + "}" + sep
            return '"' + s + '"'
        if r == 5:
            return f"(if {self.boolean(d-1, lits)} then {self.text(d-1, lits)} else {self.text(d-1, lits)})"
        if r == 6:
            return f"{self.r.choice(['trim', 'upper', 'lower', 'normalize_space'])}({self.text(d-1, lits)})"
        if r == 7:
            return f"truncate({self.text(d-1, lits)}, {self.r.choice(['0', '1', '3', '-2'])})"
        if r == 8:
            return f"({self.text(d-1, lits)} + {self.text(d-1, lits)})"
        if r == 9 and lits:
            return (f"(match {self.text(d-1, lits)} {{ {self.text_lit()} => {self.text(d-1, lits)} "
                    f"blank => {self.text(d-1, lits)} _ => {self.text(d-1, lits)} }})")
        if r == 10:
            return f"(std.text.email({self.text(d-1, lits)}) otherwise {self.text(d-1, lits)})"
        if r == 11:
            return f"region({self.text(d-1, lits)})"
        if r == 12:
            return "greeting"
        return self.r.choice(TEXT_FIELDS)

    def any_part(self, d):
        k = self.r.randrange(6)
        if k == 0:
            return self.text(d, lits=False)
        if k == 1:
            return self.number(d, lits=False)
        if k == 2:
            return self.integer(d)
        if k == 3:
            return self.r.choice(DATE_FIELDS + DATETIME_FIELDS + BOOL_FIELDS)
        if k == 4:
            return self.date(d)
        return self.r.choice(TEXT_FIELDS)

    def number(self, d, lits=True):
        r = self.r.randrange(12 if d > 0 else 3)
        if r == 0:
            return self.num_lit()
        if r <= 2:
            return self.r.choice(NUMBER_FIELDS)
        if r <= 6:
            op = self.r.choice(["+", "-", "*", "/", "%"])
            return f"({self.number(d-1, lits)} {op} {self.number(d-1, lits)})"
        if r == 7:
            return f"({self.number(d-1, lits)} ?? {self.num_lit()})"
        if r == 8:
            return f"std.num.round({self.number(d-1, lits)}, {self.r.choice(['0', '2', '-1'])})"
        if r == 9 and lits:
            return f"(std.num.parse({self.text(d-1, lits)}) otherwise {self.num_lit()})"
        if r == 10:
            return f"(-({self.number(d-1, lits)}))"
        return f"(if {self.boolean(d-1, lits)} then {self.number(d-1, lits)} else {self.integer(d-1)})"

    def integer(self, d):
        r = self.r.randrange(10 if d > 0 else 2)
        if r == 0:
            return self.int_lit()
        if r == 1:
            return f"len({self.r.choice(TEXT_FIELDS)})"
        if r <= 5:
            op = self.r.choice(["+", "-", "*", "%"])
            return f"({self.integer(d-1)} {op} {self.integer(d-1)})"
        if r == 6:
            return f"(std.num.to_integer({self.number(d-1, False)}) otherwise {self.int_lit()})"
        if r == 7:
            return f"size({self.text(d-1, False)})"
        if r == 8:
            return f"({self.date(d-1)} - {self.date(d-1)} ?? 0)"
        return f"(if {self.boolean(d-1, False)} then {self.integer(d-1)} else {self.integer(d-1)})"

    def date(self, d):
        r = self.r.randrange(5 if d > 0 else 2)
        if r == 0:
            return self.r.choice(["@2024-01-02", "@1970-01-01", "@2000-02-29", "@9999-12-31"])
        if r == 1:
            return self.r.choice(DATE_FIELDS)
        if r == 2:
            return f"({self.date(d-1)} + {self.integer(d-1)})"
        if r == 3:
            return f"({self.date(d-1)} - {self.r.choice(['1', '365', '3000000'])})"
        return f"(std.time.parse_date({self.text(d-1, False)}) otherwise @2020-01-01)"

    def boolean(self, d, lits=True):
        r = self.r.randrange(11 if d > 0 else 2)
        if r == 0:
            return self.r.choice(["true", "false"])
        if r == 1:
            return f"({self.r.choice(BOOL_FIELDS)} ?? false)"
        if r == 2:
            op = self.r.choice(["==", "!=", "<", "<=", ">", ">="])
            return f"({self.number(d-1, lits)} {op} {self.number(d-1, lits)})"
        if r == 3 and lits:
            op = self.r.choice(["==", "!=", "<", ">="])
            return f"({self.text(d-1, lits)} {op} {self.text(d-1, lits)})"
        if r == 4:
            return f"({self.any_part(d-1)} is {self.r.choice(['', 'not '])}blank)"
        if r == 5:
            return f"({self.boolean(d-1, lits)} and {self.boolean(d-1, lits)})"
        if r == 6:
            return f"({self.boolean(d-1, lits)} or {self.boolean(d-1, lits)})"
        if r == 7:
            return f"(not {self.boolean(d-1, lits)})"
        if r == 8 and lits:
            return f"({self.text(d-1, lits)} in [{self.text_lit()}, {self.text(d-1, lits)}])"
        if r == 9:
            return f"({self.date(d-1)} < {self.date(d-1)})"
        return f"({self.integer(d-1)} == {self.integer(d-1)})"

    def handled(self, expr):
        """Sometimes wraps a top-level mapping value in a skip/error handler of a fallible
        computation, so those paths are exercised too."""
        k = self.r.randrange(6)
        if k == 0:
            return f'"${{std.num.parse({self.r.choice(TEXT_FIELDS)}) otherwise skip}}"'
        if k == 1:
            return f'std.text.email({self.r.choice(TEXT_FIELDS)}) otherwise error "bad"'
        return expr

    def rules(self):
        d = self.r.randrange(1, 5)
        hs = TEXT_FIELDS[:]
        self.r.shuffle(hs)
        lines = [
            "use std.text", "use std.num", "use std.time", "",
            f'const greeting = "{self.r.choice(WORDS)}"',
            "table region: text -> text {",
            '  "DE", "FR" => "EMEA"', '  "US" => "AMER"', '  _ => "other"', "}",
            "table size: text -> integer {",
            '  "1-5" => 5', '  "a" => 9223372036854775807', '  _ => 0', "}",
            "", "sync contacts: hubspot.contacts -> salesforce.Lead {",
        ]
        if self.r.random() < 0.3:
            lines.append(f"  include if {self.boolean(d)}")
        lines.append("  map {")
        used_hs = set()

        def source():
            for f in hs:
                if f not in used_hs:
                    used_hs.add(f)
                    return f
            raise RuntimeError("out of fields")
        lines.append(f"    lastname -> LastName = {self.text(d)}")
        used_hs.add("lastname")
        lines.append(f"    company -> Company = {self.handled(self.text(d))}")
        used_hs.add("company")
        targets = [("text", t) for t in self.r.sample(TEXT_TARGETS, self.r.randrange(1, 5))]
        if self.r.random() < 0.7:
            targets.append(("number", "AnnualRevenue"))
        if self.r.random() < 0.7:
            targets.append(("integer", "NumberOfEmployees"))
        if self.r.random() < 0.5:
            targets.append(("bool", self.r.choice(BOOL_TARGETS)))
        for kind, target in targets:
            if kind == "number":
                src, expr = "annualrevenue", self.number(d)
            elif kind == "integer":
                src, expr = "numemployees", self.integer(d)
            elif kind == "bool":
                src, expr = "hs_email_optout", self.boolean(d)
            else:
                src, expr = source(), self.handled(self.text(d))
            lines.append(f"    {src} -> {target} = {expr}")
        lines += ["  }", "}", ""]
        return "\n".join(lines)

    def value(self, field):
        r = self.r.random()
        if r < 0.15:
            return None  # missing
        if r < 0.22:
            return "null"
        if r < 0.23:
            return self.r.choice(['""', "12", "true", "[1]", '{"a":1}'])  # wrong JSON types
        bad = self.r.random() < 0.04  # a malformed value of the field's type
        if field in NUMBER_FIELDS:
            v = self.r.choice(["abc", "1,5", "NaN", "inf", " 3", "12."] if bad else
                              ["17", "-1.5", "1e308", "1e-320", "0", "-0", "9223372036854775808",
                               "0.1", "123456.789", "-1e-7", "1e21", ".5"])
        elif field in DATE_FIELDS:
            v = self.r.choice(["2023-02-29", "2024-13-01", "yesterday", "-99999999999999999"] if bad
                              else ["2024-01-02", "1704153600000", "2024-01-02T10:00:00Z",
                                    "0001-01-01", "-5", "2000-02-29", "9999-12-31"])
        elif field in DATETIME_FIELDS:
            v = self.r.choice(["2024-01-02T25:00:00Z", "x"] if bad else
                              ["2024-01-02T10:11:12.345Z", "2024-01-02T10:11:12+02:00",
                               "1704153600000", "2024-01-02"])
        elif field in BOOL_FIELDS:
            v = self.r.choice(["TRUE", "yes"] if bad else ["true", "false", ""])
        elif field == "numemployees":
            v = self.r.choice(["1-5", "5-25", "a", "1000+", ""])
        else:
            v = self.r.choice(WORDS + ["x" * self.r.choice([1, 300, 5000]), "DE", "US",
                                       "ann@example.com", "  A@B.CO ", "\\n\\t\\u0001",
                                       "\\ud83d\\ude00", "quote\\\"d"])
        return '"' + v + '"'

    def record(self, i):
        if self.r.random() < 0.03:
            return self.r.choice(["not json", "[1,2]", '{"id":"x"}', '{"properties":3}',
                                  '{"id":"1","properties":{"firstname":"a"', ""])
        props = []
        for f in TEXT_FIELDS + NUMBER_FIELDS + DATE_FIELDS + BOOL_FIELDS + DATETIME_FIELDS + ["numemployees"]:
            v = self.value(f)
            if v is not None:
                props.append(f'"{f}":{v}')
        return '{"id":"%d","properties":{%s}}' % (i, ",".join(props))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runner")
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--records", type=int, default=40)
    ap.add_argument("--chunk", type=int, default=100)
    ap.add_argument("--keep")
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--first", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    gen = Gen(rng)
    start = time.time()
    failed = 0
    done = 0
    while done < min(args.first, args.cases):  # advance the stream without running
        gen.rules()
        for j in range(args.records):
            gen.record(j)
        done += 1
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(args.keep or tmp)
        out.mkdir(parents=True, exist_ok=True)
        while done < args.cases:
            n = min(args.chunk, args.cases - done)
            paths = []
            for i in range(done, done + n):
                p = out / f"case_{i}.sync"
                p.write_text(gen.rules(), encoding="utf-8")
                recs = [gen.record(j) for j in range(args.records)]
                (out / f"case_{i}.jsonl").write_text("\n".join(recs) + "\n", encoding="utf-8")
                paths.append(str(p))
            proc = subprocess.run([args.runner, *paths], capture_output=True, text=True)
            if proc.returncode != 0:
                failed += 1
                sys.stderr.write(proc.stderr[-20000:])
                if not args.keep:
                    keep = pathlib.Path("differential_failure")
                    keep.mkdir(exist_ok=True)
                    for p in paths:
                        for suffix in (".sync", ".jsonl"):
                            src = pathlib.Path(p).with_suffix(suffix)
                            (keep / src.name).write_bytes(src.read_bytes())
                    sys.stderr.write(f"cases kept in {keep.resolve()}\n")
                break
            done += n
            if args.progress:
                print(f"{done} cases agree ({time.time() - start:.0f} s)", flush=True)
    print(f"cases {args.first}..{done - 1} x {args.records} records, seed {args.seed}: "
          f"{'FAILED' if failed else 'engines agree'} in {time.time() - start:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
