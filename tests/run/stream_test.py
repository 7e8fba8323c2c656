#!/usr/bin/env python3
"""`syncline transform` on a long generated input, from a file (mapped) and a pipe: lines across the reader's 1 MiB chunks, a
line of several MiB, escapes in values and keys, invalid UTF-8, CRLF, blank lines, malformed
lines at known line numbers, and no newline after the last line. Checks, under both engines
and with 1, 2 and 5 worker threads and odd batch sizes:
  - every output equals the others byte for byte (output order is input order);
  - each written record carries exactly the input's decoded values (escapes, unicode);
  - each failure names its true line number and id;
  - the summary counts add up.
usage: stream_test.py SYNCLINE"""
import json
import pathlib
import random
import subprocess
import sys
import tempfile

syncline = sys.argv[1]
RULES = """\
sync contacts: hubspot.contacts -> salesforce.Lead {
  include if email is not blank
  map {
    firstname -> FirstName
    lastname  -> LastName = lastname ?? "[none]"
    email     -> Email
    company   -> Company = company ?? "[none]"
  }
}
"""

rng = random.Random(7)
ALPHABET = "abcdefghij KLMNOP éü漢字🙂\"\\/\n\t\r\u0001\u001f"


def text(n):
    return "".join(rng.choice(ALPHABET) for _ in range(n))


lines = []      # raw bytes per line, without the line break
expected = []   # per line: None (blank), ("out", record), ("drop",), ("fail", id)
for i in range(1, 6001):
    kind = rng.random()
    ident = str(i)
    if i == 3000:  # one line of 3 MiB: larger than a chunk
        props = {"firstname": "x" * (3 << 20), "email": "big@x.io"}
    else:
        props = {"firstname": text(rng.randrange(0, 40)), "lastname": rng.choice([None, text(8)]),
                 "email": rng.choice(["", f"u{i}@x.io", f"Ü{i}@x.io"]),
                 "company": text(rng.randrange(0, 300)), "hs_extra": text(rng.randrange(0, 900))}
    if kind < 0.01:
        lines.append(b"")
        expected.append(None)
        continue
    if kind < 0.02:
        lines.append(b'{"id": "%d", "properties": {"email": "a@x.io"' % i)  # cut short
        expected.append(("fail", None))  # unparsed: no id
        continue
    if kind < 0.03:
        lines.append(b'{"id": "%d", "properties": {"email": "\xff\xfe@x.io"}}' % i)  # bad UTF-8
        expected.append(("fail", None))  # unparsed: no id
        continue
    record = {"id": ident, "properties": props}
    raw = json.dumps(record, ensure_ascii=rng.random() < 0.5)
    if kind < 0.05:  # an escaped key: "firstname" written with a \\u escape
        raw = raw.replace('"firstname"', '"first\\u006eame"')
    data = raw.encode()
    if kind < 0.07:
        data += b"\r"
    lines.append(data)
    if props["email"] == "":
        expected.append(("drop",))
    else:
        expected.append(("out", {
            "attributes": {"type": "Lead"},
            "FirstName": props["firstname"] or None,
            "LastName": props.get("lastname") or "[none]",
            "Email": props["email"],
            "Company": props.get("company") or "[none]",
        }))

failures = 0
with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    (tmp / "rules.sync").write_text(RULES)
    (tmp / "in.jsonl").write_bytes(b"\n".join(lines))  # no newline after the last line
    results = {}
    # A file given with --in is mapped; a pipe on stdin is read into buffers.
    for engine, threads, batch, piped in (("jit", 1, 1024, False), ("jit", 2, 7, False),
                                          ("jit", 5, 1, False), ("jit", 2, 1024, True),
                                          ("interp", 1, 1024, False), ("interp", 2, 7, True)):
        out, err = tmp / "out", tmp / "err"
        source = [] if piped else ["--in", str(tmp / "in.jsonl")]
        proc = subprocess.run(
            [syncline, "transform", str(tmp / "rules.sync"), "--sync", "contacts", "--to",
             "salesforce", "--engine", engine, "--threads", str(threads), "--batch",
             str(batch), *source, "--out", str(out), "--errors", str(err), "--cache-dir",
             str(tmp / "cache")],
            input=(tmp / "in.jsonl").read_bytes() if piped else None, capture_output=True)
        proc.stderr = proc.stderr.decode(errors="replace")
        if proc.returncode != 0:
            print(f"{engine} threads={threads}: exit {proc.returncode}\n{proc.stderr}")
            sys.exit(1)
        results[(engine, threads, batch, piped)] = (out.read_bytes(), err.read_bytes(),
                                             proc.stderr.strip())
    first_key = next(iter(results))
    for key, value in results.items():
        if value != results[first_key]:
            print(f"{key} differs from {first_key}")
            failures += 1
    out, err, summary = results[first_key]

    want_out = [e[1] for e in expected if e and e[0] == "out"]
    got_out = [json.loads(line) for line in out.decode().splitlines()]
    if got_out != want_out:
        failures += 1
        print(f"records: {len(got_out)} written, {len(want_out)} expected")
        for g, w in zip(got_out, want_out):
            if g != w:
                print(f"first difference:\n got  {str(g)[:300]}\n want {str(w)[:300]}")
                break
    want_fail = [(n, e[1]) for n, e in enumerate(expected, 1) if e and e[0] == "fail"]
    got_fail = [(f["line"], f["id"]) for f in map(json.loads, err.decode().splitlines())]
    if got_fail != want_fail:
        failures += 1
        print(f"failures: got {got_fail[:10]}..., want {want_fail[:10]}...")
    read = sum(1 for e in expected if e)
    dropped = sum(1 for e in expected if e and e[0] == "drop")
    want_summary = (f"syncline transform: {read} read, {len(want_out)} written, {dropped} dropped "
                    f"by the include filter, {len(want_fail)} failed")
    if summary != want_summary:
        failures += 1
        print(f"summary:\n got  {summary}\n want {want_summary}")
    print(f"{len(lines)} lines ({sum(map(len, lines)) >> 20} MiB): {len(want_out)} written, "
          f"{dropped} dropped, {len(want_fail)} failed; {len(results)} runs agree")
sys.exit(1 if failures else 0)
