#!/usr/bin/env python3
"""Runs the examples of docs/stdlib/*.md through compiled rules, on both engines.

The examples (```examples blocks, lines `module.function(args) => expected`) document the
native C++ functions; tests/unit/stdlib/doc_examples_test.cpp calls those directly. This
driver maps every example whose call the rule language can express (the builtins of
compiler/sema/builtins.cpp) to a rule expression, writes ONE rule file with ONE sync whose
`Description` mapping is a `match` on the record's `firstname` (one arm per example and
variant), and ONE JSON Lines file with one HubSpot record per arm. Then it runs

    syncline transform RULES --sync stdlib_examples --to salesforce --engine jit|interp

once per engine and checks that
  1. the JIT and the interpreter write byte-identical output and error files, and
  2. where the example's expected value is comparable, the rule's output equals it (failure
     statuses compare as "the record failed"; the language does not expose which status).

Each example runs in up to two variants: arguments as rule literals ("L") and, where the
argument can be a HubSpot property value, arguments read from the record ("P"). Number and
integer arguments are literals in both. Results are rendered as text by small `fn show_*`
helpers: `<blank>` for blank, `=` followed by the value otherwise; a fallible call is written
`show_x(call) otherwise error "failed"`, so a failure shows up in the errors file.

docs/stdlib/builtins.md documents the builtins themselves; its ```builtin-examples blocks hold
lines `std.module.function(args) => expected` (expected: a value, `blank` or `fails`) that
run the same way, the builtin called as written. Every builtin of builtins.cpp must have an
entry there (heading, *Blank* and *Fails* lines, an example): a missing one is a problem.

Examples whose documented expectation disagrees with the language builtin are listed in
KNOWN_DIVERGENCES with the reason; they still run (and must agree across engines), and one
that starts to match must be taken off the list.

  run_stdlib_engines.py SYNCLINE SOURCE_DIR [--keep DIR] [--verbose]

Exit status 0 when both checks pass, 1 otherwise.
"""
import argparse
import collections
import datetime
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import time

SYNC = "stdlib_examples"
# The JIT's compile time grows faster than linearly with the size of one function: many
# small syncs compile faster than one big one.
ARMS_PER_SYNC = 50

# ----------------------------------------------------------------------------- examples


class Value:
    """A value in an example line: a string (bytes, may be invalid UTF-8), a number or a
    bare word (a setting name or a status)."""

    def __init__(self, kind, text):
        self.kind = kind  # "string" | "number" | "word"
        self.text = text  # bytes for strings, str otherwise

    def __repr__(self):
        return f"{self.kind}:{self.text!r}"


class ExampleParser:
    def __init__(self, line):
        self.s = line
        self.i = 0

    def skip(self):
        while self.i < len(self.s) and self.s[self.i] in " \t":
            self.i += 1

    def eat(self, t):
        self.skip()
        if self.s.startswith(t, self.i):
            self.i += len(t)
            return True
        return False

    def at_end(self):
        self.skip()
        return self.i >= len(self.s)

    def identifier(self):
        self.skip()
        m = re.compile(r"[A-Za-z0-9_.]+").match(self.s, self.i)
        if not m:
            return None
        self.i = m.end()
        return m.group(0)

    def value(self):
        self.skip()
        if self.i >= len(self.s):
            return None
        c = self.s[self.i]
        if c == '"':
            return self.string()
        if c in "+-" or c.isdigit():
            m = re.compile(r"[-+]?[A-Za-z0-9.+-]*").match(self.s, self.i)
            self.i = m.end()
            return Value("number", m.group(0))
        ident = self.identifier()
        return Value("word", ident) if ident else None

    def string(self):
        self.i += 1
        out = bytearray()
        while self.i < len(self.s) and self.s[self.i] != '"':
            c = self.s[self.i]
            self.i += 1
            if c != "\\":
                out += c.encode()
                continue
            e = self.s[self.i]
            self.i += 1
            if e == "n":
                out += b"\n"
            elif e == "t":
                out += b"\t"
            elif e == "x":
                out.append(int(self.s[self.i:self.i + 2], 16))
                self.i += 2
            elif e == "u":
                out += chr(int(self.s[self.i:self.i + 4], 16)).encode()
                self.i += 4
            else:
                out += e.encode()
        if self.i >= len(self.s):
            raise ValueError("unterminated string")
        self.i += 1
        return Value("string", bytes(out))


class Example:
    def __init__(self, where, line, name, args, expected):
        self.where, self.line, self.name, self.args, self.expected = where, line, name, args, expected


def read_examples(docs):
    examples = []
    for page in sorted(docs.glob("*.md")):
        inside = False
        for lineno, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("```"):
                inside = not inside and line in ("```examples", "```builtin-examples")
                continue
            if not inside or not line or line.startswith("#"):
                continue
            where = f"{page.name}:{lineno}"
            p = ExampleParser(line)
            name = p.identifier()
            args = []
            if not name or not p.eat("("):
                raise ValueError(f"{where}: cannot parse {line!r}")
            if not p.eat(")"):
                while True:
                    v = p.value()
                    if v is None:
                        raise ValueError(f"{where}: bad argument in {line!r}")
                    args.append(v)
                    if not p.eat(","):
                        break
                if not p.eat(")"):
                    raise ValueError(f"{where}: expected ) in {line!r}")
            if not p.eat("=>"):
                raise ValueError(f"{where}: expected => in {line!r}")
            expected = p.value()
            # `blank:"kept"` and `status@field` forms: the bare word is what matters here.
            if p.eat(":"):
                p.value()
            if p.eat("@"):
                p.identifier()
            if expected is None or not p.at_end():
                raise ValueError(f"{where}: bad expectation in {line!r}")
            examples.append(Example(where, line, name, args, expected))
    return examples


# ----------------------------------------------------------------------------- builtins


def read_builtins(path):
    """name -> (parameters, result kind, fallible) from compiler/sema/builtins.cpp; a
    parameter is (kind, may be blank)."""
    text = path.read_text()
    out = {}
    entry = re.compile(
        r'\{\s*"([a-z0-9_.]+)",\s*"[a-z_.]*",\s*\{([^}]*)\},\s*(Fallible|T|Type::Of)\(K::k(\w+)\)')
    for m in entry.finditer(text):
        params = [(k, w == "T") for w, k in re.findall(r"(T|Type::Of)\(K::k(\w+)\)", m.group(2))]
        out[m.group(1)] = (params, m.group(4), m.group(3) == "Fallible")
    return out


# ----------------------------------------------------------------------------- mapping
#
# mapping() gives, per documented function, either the reason its examples are skipped or a
# function from the example's arguments to the Calls that run it. A Call is one builtin call:
# its arguments as (kind, value) pairs, the result kind (a show_* suffix), and a function
# from the documented value to the expected outcome (FAIL, BLANK, ("value", text),
# ("number", x)) or to the reason it is not comparable; expect=None with a reason: never.

FAIL = ("fail",)
BLANK = ("blank",)


class Call:
    def __init__(self, builtin, args, result, expect, reason=None):
        self.builtin, self.args, self.result, self.expect, self.reason = (
            builtin, args, result, expect, reason)


def status_expectation(word):
    return BLANK if word == "blank" else FAIL


def text_expect(transform=lambda s: s):
    """Expected text result: a string value, `blank`, or a failure status."""
    def f(e):
        if e.kind == "string":
            s = e.text.decode("utf-8", "surrogateescape")
            return ("value", transform(s))
        if e.kind == "word" and e.text in ("true", "false"):
            return ("value", e.text)
        if e.kind == "word":
            return status_expectation(e.text)
        return ("value", transform(e.text))
    return f


def number_expect(e):
    if e.kind == "number":
        return ("number", float(e.text))
    return status_expectation(e.text)


def values_only(expect, reason, blank_comparable=True):
    """For builtins that cannot fail: documented failure statuses are not comparable, a
    documented blank is (unless the result cannot be blank)."""
    def f(e):
        if e.kind == "word" and e.text not in ("true", "false"):
            if e.text == "blank" and blank_comparable:
                return BLANK
            return reason
        return expect(e)
    return f


def iso_millis(ms):
    days, rem = divmod(ms, 86400000)
    d = datetime.date(1970, 1, 1) + datetime.timedelta(days=days)
    return (f"{d.isoformat()}T{rem // 3600000:02d}:{rem // 60000 % 60:02d}:"
            f"{rem // 1000 % 60:02d}.{rem % 1000:03d}Z")


def first_item(x):
    m = re.match(r"\[([^\]]*)\]", x)
    return m.group(1) if m else ""


NOT_BUILTIN = "no builtin of the rule language corresponds"
STATUS_UNCOMPARABLE = "the builtin cannot fail; the documented status has no counterpart"


def mapping():
    def t(v):
        return ("text", v.text)

    call = Call

    m = {}
    # ---- geo
    m["geo.find_country"] = lambda a: [
        call("std.geo.country_code", [t(a[0])], "t", text_expect()),
        call("std.geo.country_name", [t(a[0])], "t", None,
             "the doc shows the alpha-2 code; country_name's value is only compared across engines"),
    ]
    m["geo.find_subdivision"] = lambda a: [
        call("std.geo.state_code", [t(a[1]), t(a[0])], "t",
             text_expect(lambda x: x.split("-", 1)[1] if "-" in x else x)),
        call("std.geo.state_name", [t(a[1]), t(a[0])], "t", None,
             "the doc shows the full code; state_name's value is only compared across engines"),
    ]
    m["geo.subdivision_label"] = lambda a: [
        call("std.geo.state_name", [t(a[1]), t(a[0])], "t", None,
             "state_name gives the ISO name, subdivision_label the label (without type suffixes)"),
    ]
    for f in ("place_key", "country_by_alpha2", "subdivision_by_code"):
        m["geo." + f] = NOT_BUILTIN
    m["geo.to_salesforce"] = "picklist conversion is the engine's `picklists` setting, not a builtin"
    m["geo.to_hubspot"] = m["geo.to_salesforce"]
    # ---- text
    unary_text = {"trim": "std.text.trim", "to_upper": "std.text.upper",
                  "to_lower": "std.text.lower", "normalise_whitespace": "std.text.normalize_space"}
    for f, b in unary_text.items():
        m["text." + f] = (lambda b: lambda a: [
            call(b, [t(a[0])], "t", values_only(text_expect(), STATUS_UNCOMPARABLE))])(b)
    m["text.equals_ignore_case"] = lambda a: [
        call("std.text.equals_ignore_case", [t(a[0]), t(a[1])], "b",
             values_only(text_expect(), STATUS_UNCOMPARABLE))]
    m["text.truncate"] = lambda a: [
        call("std.text.truncate", [t(a[0]), ("integer", a[1].text)], "t",
             values_only(text_expect(), STATUS_UNCOMPARABLE))]
    m["text.multi_select_items"] = lambda a: [
        call("std.text.split_first", [("multi", a[0].text)], "t",
             values_only(text_expect(first_item), STATUS_UNCOMPARABLE))]
    m["text.normalise_email"] = lambda a: [call("std.text.email", [t(a[0])], "t", text_expect())]
    m["text.phone_to_e164"] = lambda a: [
        call("std.text.e164", [t(a[0]), t(a[1])], "t", text_expect())]
    for f in ("is_blank", "count_multi_select_items", "multi_select_contains",
              "join_multi_select"):
        m["text." + f] = NOT_BUILTIN
    # ---- time
    m["time.parse_datetime"] = lambda a: [
        call("std.time.parse_datetime", [t(a[0])], "dt", text_expect())]
    m["time.parse_datetime_millis"] = lambda a: [
        call("std.time.parse_datetime", [t(a[0])], "dt",
             lambda e: ("value", iso_millis(int(e.text))) if e.kind == "number"
             else status_expectation(e.text))]
    m["time.parse_date"] = lambda a: [call("std.time.parse_date", [t(a[0])], "d", text_expect())]
    m["time.date_in_time_zone"] = lambda a: [
        call("std.time.date_of", [("datetime", a[0]), t(a[1])], "d", text_expect())]
    m["time.date_of_utc"] = lambda a: [
        call("std.time.date_of", [("datetime", a[0]), ("text", b"UTC")], "d", text_expect())]
    for f in ("format_iso_utc", "format_salesforce", "format_epoch_millis", "format_date",
              "days_from_civil", "date_to_midnight_utc", "utc_offset_minutes",
              "start_of_day_in_time_zone"):
        m["time." + f] = NOT_BUILTIN
    # ---- num
    m["num.parse_decimal"] = lambda a: [call("std.num.parse", [t(a[0])], "n", number_expect)]
    m["num.round_half_away"] = lambda a: [
        call("std.num.round", [("number", a[0].text), ("integer", a[1].text)], "n",
             values_only(number_expect, STATUS_UNCOMPARABLE))]
    m["num.to_int64"] = lambda a: [
        call("std.num.to_integer", [("number", a[0].text)], "i", number_expect)]
    m["num.parse_integer"] = "no single builtin (to_integer(parse(x)) goes through a double)"
    m["num.format_decimal"] = "no builtin (numbers become text by interpolation)"
    # ---- lifecycle
    m["lifecycle.later_of"] = lambda a: [
        call("std.lifecycle.later_of", [("enum", a[0].text), ("enum", a[1].text)], "t",
             values_only(text_expect(), STATUS_UNCOMPARABLE))]
    m["lifecycle.compare"] = lambda a: [
        call("std.lifecycle.is_before", [("enum", a[0].text), ("enum", a[1].text)], "b",
             values_only(lambda e: ("value", "true" if int(e.text) < 0 else "false"),
                         STATUS_UNCOMPARABLE, blank_comparable=False))]
    for f in ("rank", "canonical", "advance_only_forward"):
        m["lifecycle." + f] = NOT_BUILTIN
    return m


ARG_KINDS = {"Text": "text", "Enum": "enum", "MultiEnum": "multi", "Number": "number",
             "Integer": "integer", "DateTime": "datetime"}
RESULT_KINDS = {"Text": "t", "Enum": "t", "Bool": "b", "Number": "n", "Integer": "i",
                "Date": "d", "DateTime": "dt"}


def builtin_call(name, sig):
    """builtins.md examples: the builtin called as written, arguments typed by its signature."""
    params, result, _ = sig

    def expect(e):
        if e.kind == "word" and e.text == "fails":
            return FAIL
        if RESULT_KINDS[result] in ("n", "i") and e.kind == "number":
            return ("number", float(e.text))
        return text_expect()(e)

    def f(a):
        args = []
        for (kind, _), v in zip(params, a):
            k = ARG_KINDS[kind]
            args.append((k, v if k == "datetime" else v.text))
        return [Call(name, args, RESULT_KINDS[result], expect)]
    return f


def check_builtin_entries(page, builtins):
    """Problems of docs/stdlib/builtins.md: builtins without an entry (### `name` with *Blank*
    and *Fails* lines and an example), and entries of no builtin."""
    sections, name = {}, None
    for line in page.read_text(encoding="utf-8").splitlines():
        m = re.match(r"### `([a-z0-9_.]+)`", line)
        if m:
            name = m.group(1)
            sections[name] = []
        elif line.startswith("## "):
            name = None
        elif name:
            sections[name].append(line)
    problems = []
    for b in sorted(builtins):
        body = sections.get(b)
        if body is None:
            problems.append(f"{page.name}: builtin `{b}` has no entry")
            continue
        missing = [what for what, ok in (
            ("a `- Blank:` line", any(x.startswith("- Blank:") for x in body)),
            ("a `- Fails:` line", any(x.startswith("- Fails:") for x in body)),
            ("an example", any(x.startswith(b + "(") or x.startswith("- Example:")
                               for x in body))) if not ok]
        if missing:
            problems.append(f"{page.name}: the entry of `{b}` lacks {', '.join(missing)}")
    for n in sorted(set(sections) - set(builtins)):
        problems.append(f"{page.name}: `{n}` is not a builtin")
    return problems


# Examples whose documented value the language builtin does not give today (doc line ->
# reason). They run on both engines all the same. Empty: the builtins call the native library
# (runtime/record/natives.cpp), so every comparable example must match.
KNOWN_DIVERGENCES = {}

# ----------------------------------------------------------------------------- rendering

PROPERTIES = {"text": ["city", "jobtitle"], "enum": ["lifecyclestage", "hs_lead_status"],
              "multi": ["hs_buying_role"], "datetime": ["createdate"]}
SHOW = {"t": "text", "n": "number", "i": "integer", "b": "bool", "d": "date", "dt": "datetime"}

DATETIME_LITERAL = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)\Z")


def text_literal(b):
    """A rule text literal for bytes b, or None when b is not UTF-8."""
    try:
        text = b.decode("utf-8")
    except UnicodeDecodeError:
        return None
    out = ['"']
    for ch in text:
        if ch in '"\\$':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def number_literal(spelling):
    """A number literal: the lexer wants digits on both sides of the dot, or an exponent."""
    if re.fullmatch(r"-?(\d+\.\d+([eE][-+]?\d+)?|\d+[eE][-+]?\d+)", spelling):
        return spelling
    if re.fullmatch(r"-?\d+", spelling):
        return spelling + ".0"
    text = repr(float(spelling))
    return text if re.fullmatch(r"-?(\d+\.\d+([eE][-+]?\d+)?|\d+[eE][-+]?\d+)", text) else None


def integer_literal(spelling):
    return spelling if re.fullmatch(r"-?\d+", spelling) else None


def render_arg(kind, value, mode, props):
    """The expression of one argument in mode "L" (literal) or "P" (record property), or
    None when it cannot be written that way. props collects the record's properties."""
    if kind == "number":
        return number_literal(value)
    if kind == "integer":
        return integer_literal(value)
    if mode == "L":
        if kind in ("text", "enum"):
            return text_literal(value)
        if kind == "datetime":
            text = value.text.decode() if value.kind == "string" else value.text
            return "@" + text if DATETIME_LITERAL.match(text) else None
        return None  # multi-select values exist only in records
    if kind == "datetime":
        text = value.text.decode() if value.kind == "string" else value.text
    else:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    names = PROPERTIES[kind]
    used = sum(1 for n in props if n in names)
    if used >= len(names):
        return None
    name = names[used]
    props[name] = text
    return name


# ----------------------------------------------------------------------------- driver


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("syncline")
    ap.add_argument("source_dir")
    ap.add_argument("--keep", help="write the rule file, records and outputs here")
    ap.add_argument("--verbose", action="store_true")
    o = ap.parse_args()
    root = pathlib.Path(o.source_dir)
    started = time.monotonic()

    examples = read_examples(root / "docs" / "stdlib")
    builtins = read_builtins(root / "compiler" / "sema" / "builtins.cpp")
    table = mapping()

    skipped = collections.Counter()  # reason -> examples
    uncompared = collections.Counter()  # reason -> calls run without an expectation
    arms = []  # (record id, expression, properties, example, call, expectation)
    covered = set()
    problems = []
    problems += check_builtin_entries(root / "docs" / "stdlib" / "builtins.md", builtins)
    for n, ex in enumerate(examples):
        spec = table.get(ex.name)
        if spec is None and ex.name in builtins:
            spec = builtin_call(ex.name, builtins[ex.name])
        if spec is None:
            problems.append(f"{ex.where}: no mapping for `{ex.name}`: add it to mapping()")
            continue
        if isinstance(spec, str):
            skipped[spec] += 1
            continue
        ran = False
        unwritable = False
        for c, call in enumerate(spec(ex.args)):
            sig = builtins.get(call.builtin)
            if sig is None or len(sig[0]) != len(call.args):
                problems.append(f"{ex.where}: `{call.builtin}` is not a builtin of that arity")
                continue
            # The expectation: an outcome tuple, or the reason it is not comparable.
            expect = call.expect(ex.expected) if call.expect else call.reason
            reason = expect if isinstance(expect, str) else None
            if reason:
                expect = None
            variants = {}
            for mode in ("L", "P"):
                props = {}
                # A parameter that may not be blank takes a literal: a property may be blank.
                args = [render_arg(k, v, mode if nullable else "L", props)
                        for (k, v), (_, nullable) in zip(call.args, sig[0])]
                if any(a is None for a in args):
                    continue
                expr = f"{call.builtin}({', '.join(args)})"
                if mode == "P" and not props:
                    continue  # the same expression as the literal variant
                variants[mode] = (expr, props)
            if not variants:
                unwritable = True
                continue
            ran = True
            covered.add(call.builtin)
            if expect is None:
                uncompared[reason] += 1
            for mode, (expr, props) in variants.items():
                shown = f"show_{call.result}({expr})"
                if sig[2]:
                    shown += ' otherwise error "failed"'
                rid = f"e{n:03d}c{c}{mode}"
                arms.append((rid, shown, props, ex, call, expect))
        if not ran:
            skipped["an argument cannot be written in a rule or a JSON record (invalid UTF-8)"
                    if unwritable else "no call"] += 1

    # ---- the rule file and the records: one sync per chunk of arms
    chunks = [arms[i:i + ARMS_PER_SYNC] for i in range(0, len(arms), ARMS_PER_SYNC)]
    lines = ["// Generated by tests/stdlib_engines/run_stdlib_engines.py from docs/stdlib/*.md.",
             "use std.text", "use std.num", "use std.time", "use std.geo", "use std.lifecycle", ""]
    for short, typ in SHOW.items():
        lines.append(f'fn show_{short}(x: {typ}?) -> text = if x is blank then "<blank>" '
                     f'else "=${{x}}"')
    for k, chunk in enumerate(chunks, 1):
        lines += ["", f"sync {SYNC}_{k}: hubspot.contacts -> salesforce.Lead {{", "  map {",
                  '    lastname -> LastName = "x"', '    company -> Company = "c"',
                  "    firstname -> FirstName = firstname",
                  "    message -> Description = match firstname {"]
        for rid, shown, _, ex, _, _ in chunk:
            lines.append(f"      // {ex.where}: {ex.line}")
            lines.append(f'      "{rid}" => {shown}')
        lines += ['      _ => "<no example>"', "    }", "  }", "}"]
    tmp = tempfile.TemporaryDirectory(prefix="stdlib_engines.")
    work = pathlib.Path(o.keep) if o.keep else pathlib.Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    rules = work / "examples.sync"
    rules.write_text("\n".join(lines) + "\n", encoding="utf-8")

    outputs = {"jit": [b"", b""], "interp": [b"", b""]}
    for k, chunk in enumerate(chunks, 1):
        records = work / f"records_{k}.jsonl"
        records.write_text("".join(
            json.dumps({"id": rid, "properties": {"firstname": rid, **props}},
                       ensure_ascii=False) + "\n" for rid, _, props, _, _, _ in chunk),
            encoding="utf-8")
        for engine in ("jit", "interp"):
            out, err = work / f"{engine}_{k}.out.jsonl", work / f"{engine}_{k}.errors.jsonl"
            cmd = [o.syncline, "transform", str(rules), "--sync", f"{SYNC}_{k}", "--to",
                   "salesforce", "--engine", engine, "--in", str(records), "--out", str(out),
                   "--errors", str(err)]
            if engine == "jit":
                cmd += ["--cache-dir", str(work / "jit-cache")]  # compiles afresh each run
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"FAILED: {' '.join(cmd)} exited {proc.returncode}\n{proc.stderr}")
                return 1
            outputs[engine][0] += out.read_bytes()
            outputs[engine][1] += err.read_bytes()

    # ---- check 1: identical bytes
    failures = []
    results = {}
    for engine, (out, err) in outputs.items():
        got = {}
        for line in out.decode("utf-8").splitlines():
            rec = json.loads(line)
            got[rec["FirstName"]] = ("value", rec.get("Description"))
        for line in err.decode("utf-8").splitlines():
            rec = json.loads(line)
            got[rec["id"]] = ("error", rec.get("code"), rec.get("message"))
        results[engine] = got
    if outputs["jit"] != outputs["interp"]:  # the files of every chunk, byte for byte
        for rid, shown, props, ex, _, _ in arms:
            a, b = results["jit"].get(rid), results["interp"].get(rid)
            if a != b:
                failures.append(f"ENGINES DISAGREE {rid} {ex.where}: {ex.line}\n"
                                f"    rule:   message -> Description = {shown}\n"
                                f"    record: {json.dumps(props, ensure_ascii=False)}\n"
                                f"    jit:    {a}\n    interp: {b}")
        if not failures:
            failures.append("ENGINES DISAGREE: output files differ (see --keep)")
    agreed = sum(1 for rid, *_ in arms if results["jit"].get(rid) == results["interp"].get(rid))

    # ---- check 2: the documented value
    compared = matched = 0
    diverged = collections.defaultdict(list)  # example line -> [(rid, got, expected)]
    for rid, _, _, ex, call, expect in arms:
        if expect is None:
            continue
        compared += 1
        got = results["interp"].get(rid)
        if outcome_matches(got, expect, call.result):
            matched += 1
        else:
            diverged[ex.line].append((rid, ex.where, got, expect))
    known_seen = set()
    for line, cases in diverged.items():
        if line in KNOWN_DIVERGENCES:
            known_seen.add(line)
            continue
        for rid, where, got, expect in cases:
            failures.append(f"NOT AS DOCUMENTED {rid} {where}: {line}\n"
                            f"    got {show(got)}, documented {show(expect)}")
    for line, reason in KNOWN_DIVERGENCES.items():
        if line not in known_seen:
            failures.append(f"KNOWN DIVERGENCE NOW AGREES (take it off the list): {line}")

    # ---- report
    run = len({ex.where for _, _, _, ex, _, _ in arms})
    print(f"stdlib examples: {len(examples)} found, {run} run, "
          f"{sum(skipped.values())} skipped")
    for reason, count in skipped.most_common():
        print(f"  skipped {count:3d}: {reason}")
    print(f"calls: {len(arms)} rule evaluations (literal and record-property variants); "
          f"engines agree on {agreed}/{len(arms)}")
    print(f"documented values: {compared} calls compared, {matched} as documented, "
          f"{compared - matched} not ({len(known_seen)} known divergences, "
          f"{len(diverged) - len(known_seen)} new)")
    for reason, count in uncompared.most_common():
        print(f"  not compared {count:3d}: {reason}")
    for line in sorted(known_seen):
        print(f"  known divergence: {line}  -- {KNOWN_DIVERGENCES[line]}")
    untested = sorted(set(builtins) - covered)
    if untested:
        print(f"builtins without a doc example: {', '.join(untested)}")
    if o.verbose:
        for rid, shown, _, ex, _, expect in arms:
            print(f"  {rid} {results['jit'].get(rid)!s:60} {ex.line}")
    for p in problems:
        print(f"PROBLEM: {p}")
    for f in failures:
        print(f)
    print(f"wall time {time.monotonic() - started:.1f} s; files in {work}"
          + ("" if o.keep else " (removed)"))
    return 1 if failures or problems or not arms else 0


def show(outcome):
    if outcome is None:
        return "no output"
    if outcome == FAIL:
        return "a failure"
    if outcome == BLANK:
        return "blank"
    if outcome[0] == "error":
        return f"error {outcome[1]} {outcome[2]!r}"
    return repr(outcome[1])


def outcome_matches(got, expect, result):
    if got is None:
        return False
    if expect == FAIL:
        return got[0] == "error"
    if got[0] != "value":
        return False
    text = got[1]
    value = None if text in ("<blank>", "=") else text[1:]
    if expect == BLANK:
        return value is None
    if expect[0] == "number":
        try:
            return value is not None and float(value) == expect[1]
        except ValueError:
            return False
    want = expect[1]
    if want == "":
        return value is None
    return value == want


if __name__ == "__main__":
    sys.exit(main())
