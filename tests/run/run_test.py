#!/usr/bin/env python3
"""Runs one transform test under both engines: NAME.sync (first line `// RUN: <transform args>`),
NAME.in.jsonl -> NAME.out.jsonl (records) and NAME.err.jsonl (failures). The JIT and the
interpreter must produce byte-identical output and errors, equal to the expectations. The JIT
runs twice on one cache: compiling, then a warm start from the cached manifest and object.
--autoupdate rewrites the expectations from the interpreter's output."""
import pathlib
import subprocess
import sys
import tempfile

syncline, sync_file = sys.argv[1], pathlib.Path(sys.argv[2])
autoupdate = "--autoupdate" in sys.argv
first = sync_file.read_text(encoding="utf-8").splitlines()[0]
assert first.startswith("// RUN:"), f"{sync_file}: first line must be // RUN: <args>"
args = first[len("// RUN:"):].split()
base = sync_file.with_suffix("")
inp = base.with_suffix(".in.jsonl")
results = {}
with tempfile.TemporaryDirectory() as tmp:
    for run in ("interp", "jit", "jit-warm"):
        engine = run.split("-")[0]
        out, err = pathlib.Path(tmp, run + ".out"), pathlib.Path(tmp, run + ".err")
        proc = subprocess.run([syncline, "transform", sync_file.name, *args, "--engine", engine,
                               "--in", str(inp.resolve()), "--out", str(out), "--errors", str(err),
                               "--cache-dir", str(pathlib.Path(tmp, "cache"))],
                              cwd=sync_file.parent, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{run}: exit {proc.returncode}\n{proc.stderr}")
            sys.exit(1)
        results[run] = (out.read_bytes(), err.read_bytes())
    manifests = list(pathlib.Path(tmp, "cache").glob("*.transform.json"))
    if len(manifests) != 1:
        print(f"expected one cached transform manifest after the JIT runs, found {len(manifests)}")
        sys.exit(1)
for run in ("jit", "jit-warm"):
    if results["interp"] != results[run]:
        print(f"interp and {run} disagree")
        for i, what in enumerate(("output", "errors")):
            if results["interp"][i] != results[run][i]:
                print(f"--- interp {what}\n{results['interp'][i].decode()}--- {run} {what}\n{results[run][i].decode()}")
        sys.exit(1)
out, err = results["interp"]
expect_out, expect_err = base.with_suffix(".out.jsonl"), base.with_suffix(".err.jsonl")
if autoupdate:
    expect_out.write_bytes(out)
    expect_err.write_bytes(err)
    sys.exit(0)
ok = True
for got, path in ((out, expect_out), (err, expect_err)):
    want = path.read_bytes() if path.exists() else b""
    if got != want:
        ok = False
        print(f"--- expected {path.name}\n{want.decode()}--- got\n{got.decode()}")
sys.exit(0 if ok else 1)
