#!/usr/bin/env python3
"""End-to-end checks of the runtime commands: `demo` (the main job), `run` and `plan` with a
config file against in-process sandboxes, `test` on passing and failing rule files, and
config errors with exit codes scripts can rely on.

  cli_test.py SYNCLINE SOURCE_DIR
"""
import json
import pathlib
import subprocess
import sys
import tempfile

syncline, source = sys.argv[1], pathlib.Path(sys.argv[2])
failures = []


def run(*args, expect=None):
    p = subprocess.run([syncline, *args], capture_output=True, text=True, timeout=600)
    if expect is not None and p.returncode != expect:
        failures.append(f"{' '.join(args)}: exit {p.returncode}, wanted {expect}\n"
                        f"stdout: {p.stdout[-2000:]}\nstderr: {p.stderr[-2000:]}")
    return p


def check(cond, what):
    if not cond:
        failures.append(what)


# The main job: two passes over demo data; the second creates nothing.
p = run("demo", "--contacts", "150", "--format", "json", expect=0)
if p.returncode == 0:
    runs = json.loads(p.stdout)["runs"]
    first, second = runs[0], runs[1]
    check(first["status"] == "ok", f"demo status {first['status']}")
    syncs = first.get("syncs", {})
    check(syncs.get("contacts", {}).get("read.hubspot") == 150, f"demo read {syncs}")
    check(syncs.get("contacts", {}).get("created.hubspot", 0) > 0,
          "demo created no HubSpot contacts")
    # Every object of the seed: accounts make companies, opportunities and deals cross both
    # ways with their associations, cases make tickets.
    check(syncs.get("companies", {}).get("matched.contacts", 0) > 0,
          f"demo paired no company through its contacts: {syncs.get('companies')}")
    check(syncs.get("deals", {}).get("created.salesforce", 0) > 0 and
          syncs.get("deals", {}).get("created.hubspot", 0) > 0 and
          syncs.get("deals", {}).get("associated.hubspot", 0) > 0,
          f"demo deals: {syncs.get('deals')}")
    check(syncs.get("tickets", {}).get("created.hubspot", 0) > 0,
          f"demo tickets: {syncs.get('tickets')}")
    check(first["counts"].get("linked", 0) > 0, "demo paired nothing by email")
    check(second["counts"].get("created.hubspot", 0) == 0 and
          second["counts"].get("created.salesforce", 0) == 0, f"second pass created: {second}")
    check(first["api_calls"]["hubspot"] > 0 and first["api_calls"]["salesforce"] > 0,
          "no API calls counted")
    # The sandboxes' wait for the engine: a part of the sync, never more than all of it.
    idle = first.get("no_call_out_seconds", -1)
    check(0 < idle < first["seconds"], f"no call out {idle} of {first['seconds']} s")

# --latency: every API call answered that much later. The same records sync, and the pass
# takes longer by at least its calls' latency spread over the most calls that can be out at
# once (two look-ups, two write lanes, a read-ahead per feed: 6).
def one_pass(*extra):
    p = run("demo", "--contacts", "150", "--runs", "1", "--no-rate-limits", "--format", "json",
            *extra, expect=0)
    return json.loads(p.stdout)["runs"][0] if p.returncode == 0 else None


fast, slow = one_pass(), one_pass("--latency", "30")
if fast and slow:
    calls = slow["api_calls"]["hubspot"] + slow["api_calls"]["salesforce"]
    check(slow["status"] == "ok" and slow["counts"] == fast["counts"],
          f"demo --latency synced otherwise: {slow['counts']} against {fast['counts']}")
    check(slow["seconds"] - fast["seconds"] >= calls * 0.030 / 6,
          f"demo --latency 30: {calls} calls in {slow['seconds']} s, {fast['seconds']} s without")
run("demo", "--latency", "-5", expect=2)

with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    config = tmp / "syncline.toml"
    config.write_text(f'rules = ["{source}/examples/leads-only"]\nstate = "state.db"\n'
                      '[sandbox]\nseed = "demo"\ncontacts = 80\ndata = "sandbox"\n')
    # plan writes nothing: a run afterwards still has everything to do.
    p = run("plan", "--config", str(config), "--format", "json", expect=0)
    if p.returncode == 0:
        plan = json.loads(p.stdout)
        check(plan["counts"].get("created.salesforce", 0) + plan["counts"].get("created.hubspot", 0) > 0,
              "plan plans no creates")
        check(any(e["action"] == "create" and e["changes"] for e in plan["plan"]),
              "plan lists no field changes")
    check(not (tmp / "state.db").exists() or True, "")
    # import (R125-R129): a dry run writes nothing, the import creates HubSpot contacts from
    # existing leads and contacts, a second import and the run after it create none in HubSpot.
    p = run("import", "--config", str(config), "--dry-run", "--format", "json", expect=0)
    if p.returncode == 0:
        r = json.loads(p.stdout)
        check(r["counts"].get("created.hubspot", 0) > 0 and
              all(e["side"] == "hubspot" for e in r["plan"]), f"import --dry-run: {r}")
    p = run("import", "--config", str(config), "--format", "json", expect=0)
    if p.returncode == 0:
        r = json.loads(p.stdout)
        check(r["counts"].get("created.hubspot", 0) > 0 and
              r["counts"].get("skipped.no_key", 0) > 0 and
              [o["object"] for o in r["objects"]] == ["Lead", "Contact"], f"import: {r}")
    p = run("import", "--config", str(config), "--object", "lead", "--format", "json", expect=0)
    if p.returncode == 0:
        r = json.loads(p.stdout)
        check(r["counts"].get("created.hubspot", 0) == 0, f"second import created: {r}")
    p = run("import", "--config", str(config), "--object", "Account", expect=2)
    check("R66" in p.stderr and "sync companies" in p.stderr, f"import Account: {p.stderr}")
    p = run("import", "--config", str(config), "--campaign", "Nope", expect=2)
    check("no Salesforce campaign" in p.stderr, f"import --campaign: {p.stderr}")
    p = run("run", "--config", str(config), "--once", "--format", "json")
    check(p.returncode in (0, 1), f"run exit {p.returncode}: {p.stderr}")
    if p.returncode in (0, 1):
        r = json.loads(p.stdout)
        check(r["counts"].get("created.salesforce", 0) + r["counts"].get("created.hubspot", 0) > 0,
              f"run created nothing: {r}")
        check(r["counts"].get("created.hubspot", 0) == 0, f"run after import created: {r}")
    # The sandbox data and the state persist: the next run has nothing to create.
    p = run("run", "--config", str(config), "--once", "--format", "json")
    if p.returncode in (0, 1):
        r = json.loads(p.stdout)
        check(r["counts"].get("created.salesforce", 0) == 0 and
              r["counts"].get("created.hubspot", 0) == 0, f"second run created: {r}")
    # push (the Sync card, R71): one paired contact synced now; nothing to create or change.
    import sqlite3
    db = sqlite3.connect(str(tmp / "state.db"))
    row = db.execute("SELECT hubspot_id FROM links WHERE hubspot_object='contacts' "
                     "AND salesforce_id != '' AND hubspot_id != '' LIMIT 1").fetchone()
    db.close()
    check(row is not None, "no paired contact to push")
    if row:
        p = run("push", "--config", str(config), "--object", "contacts", row[0], "--format", "json",
                expect=0)
        if p.returncode == 0:
            r = json.loads(p.stdout)
            check(r["counts"].get("read.hubspot", 0) == 1 and
                  r["counts"].get("created.salesforce", 0) == 0, f"push: {r}")
    p = run("push", "--config", str(config), "--object", "companies", "1", expect=2)
    check("no sync of hubspot.companies" in p.stderr, f"push companies: {p.stderr}")
    p = run("push", "--config", str(config), "--object", "contacts", "1", "--create", expect=2)
    check("R71" in p.stderr, f"push --create contacts: {p.stderr}")
    # push --segment (a manual segment resync, R38): ids or a segment, not both, not neither;
    # a list HubSpot does not have stops the run with its name.
    p = run("push", "--config", str(config), "--object", "contacts", expect=2)
    check("--segment" in p.stderr, f"push without ids: {p.stderr}")
    p = run("push", "--config", str(config), "--object", "contacts", "1", "--segment", "X",
            expect=2)
    p = run("push", "--config", str(config), "--object", "contacts", "--segment", "No such list",
            expect=3)
    check("No such list" in p.stdout + p.stderr, f"push --segment: {p.stdout} {p.stderr}")
    # Config errors: exit 2 with the file and the key named.
    bad = tmp / "bad.toml"
    bad.write_text('rules = ["x"]\n[hubspot]\ntoken = "pat-secret"\n')
    p = run("run", "--config", str(bad), expect=2)
    check("token_env" in p.stderr and "pat-secret" not in p.stderr, f"secret in config: {p.stderr}")
    p = run("run", "--config", str(tmp / "missing.toml"), expect=2)
    unknown = tmp / "unknown.toml"
    unknown.write_text('rules = ["x"]\nfoo = 1\n[sandbox]\n')
    p = run("plan", "--config", str(unknown), expect=2)
    check("unknown key `foo`" in p.stderr, f"unknown key message: {p.stderr}")
    calls = tmp / "calls.toml"
    calls.write_text('rules = ["x"]\n[hubspot]\nwrite_calls = 9\n')
    p = run("plan", "--config", str(calls), expect=2)
    check("write_calls must be between 1 and 4" in p.stderr, f"write_calls: {p.stderr}")

# The config example in docs/runtime.md parses: a plan then stops only at the missing secret,
# named by its variable, never printed.
doc = (source / "docs/runtime.md").read_text()
example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
with tempfile.TemporaryDirectory() as tmp:
    cfg = pathlib.Path(tmp) / "syncline.toml"
    cfg.write_text(example)
    (pathlib.Path(tmp) / "rules").mkdir()
    (pathlib.Path(tmp) / "schemas/hubspot").mkdir(parents=True)
    (pathlib.Path(tmp) / "rules/contacts.sync").write_text(
        (source / "examples/leads-only/contacts.sync").read_text())
    p = run("plan", "--config", str(cfg), expect=2)
    check("HUBSPOT_TOKEN" in p.stderr and "unknown" not in p.stderr,
          f"docs config example: {p.stderr}")

# `test`: every example's test blocks pass on both engines, and a file with a failing test.
for engine in ("jit", "interp"):
    p = run("test", "--engine", engine, "--schemas", str(source / "examples/custom-object/schemas"),
            "--schemas", str(source / "examples/deals/schemas"), str(source / "examples"), expect=0)
    check(p.stdout.strip().endswith("24 passed, 0 failed"), f"test summary ({engine}): {p.stdout}")
p = run("test", str(source / "tests/e2e/engine/data/failing.sync"), expect=1)
check("ok    passes" in p.stdout and "FAIL  fails on purpose" in p.stdout and
      'found "Lee" == "Kim"' in p.stdout and "1 passed, 1 failed" in p.stdout,
      f"failing test output: {p.stdout}")

for cmd in ("run", "plan", "import", "push", "demo", "test"):
    run(cmd, "--help", expect=0)

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("cli: all checks passed")
