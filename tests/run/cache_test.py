#!/usr/bin/env python3
"""`transform`'s warm start (compiler/driver/transform_cache.h): a second run with the same
inputs loads the cached manifest and object instead of compiling, and any change to the inputs
(the rule file, a schema folder's files), a damaged manifest or a removed object makes it
compile again, never run stale rules. Also the front door: `syncline` runs every command but
check and transform through `syncline-runtime` beside it, and says so when that is missing.

    cache_test.py SYNCLINE"""
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

syncline = pathlib.Path(sys.argv[1]).resolve()
here = pathlib.Path(__file__).resolve().parent
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def transform(cwd, rules, args, cache, extra=()):
    out, err = pathlib.Path(cwd, "out.jsonl"), pathlib.Path(cwd, "err.jsonl")
    proc = subprocess.run([str(syncline), "transform", rules, *args, "--in", "in.jsonl",
                           "--out", str(out), "--errors", str(err), "--cache-dir", str(cache),
                           *extra], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr)
    return proc.returncode, out.read_text(), err.read_text()


def manifests(cache):
    return sorted(cache.glob("*.transform.json"))


with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    cache = tmp / "cache"
    # ---- a rule file with failures (their locations come from the manifest when warm)
    for name in ("to_hubspot.sync", "to_hubspot.in.jsonl"):
        shutil.copy(here / name, tmp / name.replace("to_hubspot.in", "in"))
    args = ["--sync", "tickets", "--to", "hubspot"]
    rc, cold_out, cold_err = transform(tmp, "to_hubspot.sync", args, cache)
    check(rc == 0 and len(manifests(cache)) == 1, "a compile leaves one manifest beside its object")
    manifest = json.loads(manifests(cache)[0].read_text())
    check((cache / (manifest["object"] + ".o")).exists(), "the manifest names the cached object")
    check('"location":"to_hubspot.sync:7:27"' in cold_err, "failures carry rule locations")

    # The warm start reads the manifest: a location marked in it shows up in the failures.
    marked = dict(manifest, locations=["MARKED:" + loc for loc in manifest["locations"]])
    manifests(cache)[0].write_text(json.dumps(marked))
    rc, out, err = transform(tmp, "to_hubspot.sync", args, cache)
    check(rc == 0 and out == cold_out, "warm start writes the same records")
    check('"location":"MARKED:to_hubspot.sync:7:27"' in err,
          "warm start takes the rules from the manifest (no compile)")

    # Editing the rule file makes another key: compiled again, real locations.
    rules = tmp / "to_hubspot.sync"
    rules.write_text(rules.read_text().replace('"High" => "HIGH"', '"High" => "URGENT"'))
    rc, out, err = transform(tmp, "to_hubspot.sync", args, cache)
    check(rc == 0 and len(manifests(cache)) == 2, "an edited rule file compiles under a new key")
    check('"location":"to_hubspot.sync:7:27"' in err and "MARKED" not in err,
          "the edited rules' own locations, not the old manifest's")
    check(out != cold_out and '"URGENT"' in out, "the edited rules' output")

    # A damaged manifest counts as none: compiled again and rewritten.
    for m in manifests(cache):
        m.write_text('{"version": 1, "layout": ')
    rc, out, err = transform(tmp, "to_hubspot.sync", args, cache)
    _, fresh_out, fresh_err = transform(tmp, "to_hubspot.sync", args, cache, ["--no-cache"])
    check(rc == 0 and (out, err) == (fresh_out, fresh_err),
          "a damaged manifest: compiled, same output as without a cache")
    check(any(m.read_text().startswith("{") and m.read_text().endswith("}")
              for m in manifests(cache)), "the damaged manifest is rewritten whole")

    # A manifest whose object is gone: compiled again, the object stored again.
    for o in cache.glob("*.o"):
        o.unlink()
    rc, out, err = transform(tmp, "to_hubspot.sync", args, cache)
    check(rc == 0 and (out, err) == (fresh_out, fresh_err) and list(cache.glob("*.o")),
          "a removed object: compiled and stored again")

    # ---- a schema folder is an input: editing one of its files makes another key
    work = tmp / "lifecycle"
    work.mkdir()
    shutil.copy(here / "lifecycle_custom.sync", work / "rules.sync")
    shutil.copy(here / "lifecycle_custom.in.jsonl", work / "in.jsonl")
    shutil.copytree(here / "lifecycle_custom_schema", work / "schemas")
    args = ["--sync", "contacts", "--to", "salesforce", "--schemas", "schemas"]
    cache2 = tmp / "cache2"
    rc, first, _ = transform(work, "rules.sync", args, cache2)
    rc2, warm, _ = transform(work, "rules.sync", args, cache2)
    check(rc == 0 and rc2 == 0 and warm == first and len(manifests(cache2)) == 1,
          "a portal's own lifecycle stages survive the warm start")
    contacts = work / "schemas" / "hubspot" / "contacts.json"
    schema = json.loads(contacts.read_text())
    for prop in schema["results"]:
        if prop["name"] == "lifecyclestage":  # reverse the funnel: every comparison flips
            for o in prop["options"]:
                o["displayOrder"] = -o["displayOrder"]
    contacts.write_text(json.dumps(schema))
    rc, edited, _ = transform(work, "rules.sync", args, cache2)
    _, uncached, _ = transform(work, "rules.sync", args, cache2, ["--no-cache"])
    check(rc == 0 and len(manifests(cache2)) == 2 and edited == uncached and edited != first,
          "an edited schema file compiles under a new key with the new stage order")

    # ---- the front door
    proc = subprocess.run([str(syncline), "run", "--help"], capture_output=True, text=True)
    check(proc.returncode == 0 and "--config" in proc.stdout,
          "`syncline run --help` runs in syncline-runtime")
    alone = tmp / "alone"
    alone.mkdir()
    shutil.copy(syncline, alone / "syncline")
    proc = subprocess.run([str(alone / "syncline"), "demo"], capture_output=True, text=True)
    check(proc.returncode == 2 and "syncline-runtime" in proc.stderr,
          "without syncline-runtime beside it: exit 2 and a message naming it")
    proc = subprocess.run([str(alone / "syncline"), "--version"], capture_output=True, text=True)
    check(proc.returncode == 0 and proc.stdout.startswith("syncline "),
          "--version needs no syncline-runtime")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
