#!/usr/bin/env python3
"""Fault tests of `syncline run` (issue "The runtime", Tests): with the sandboxes' fault
injection (429s, 5xx on a fraction of calls, latency, dropped connections, partial batch
failures, Salesforce's API limit), one run and then clean re-runs end with the same CRM state as
a fault-free run: nothing lost, nothing duplicated. Records that failed are kept as sync errors
with their category and retried by the next run (retry_interval_seconds = 1 in the config).

Usage: fault_test.py SYNCLINE REPO_ROOT [--contacts N] [--only NAME] [--strict] [--verbose]"""
import argparse
import collections
import os
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crashlib as cl  # noqa: E402

RETRY_S = 1
HS_BATCH = ["batch/create", "batch/update"]
SF_WRITES = ["POST /services/data/{version}/composite/sobjects",
             "PATCH /services/data/{version}/composite/sobjects"]

# name -> (HubSpot rules, Salesforce rules, expected: sync error categories the faulty run
# must record, or "suspended" when the run must stop, or None when every call must succeed
# in the end)
SCENARIOS = {
    # HubSpot 429 with Retry-After on writes and on the search feed: waited and repeated.
    "hubspot-429": (
        [dict(endpoint="batch/update", status=429, on_call=2, times=2, retry_after_s=1),
         dict(endpoint="search", status=429, on_call=1, times=1, retry_after_s=1)],
        [], None),
    # Salesforce's API limit (403 REQUEST_LIMIT_EXCEEDED) stops the run (R140); the next
    # run picks up where it stopped.
    "salesforce-limit": (
        [], [dict(endpoint="PATCH /services/data/{version}/composite/sobjects", status=429,
                  on_call=2, times=1)],
        "suspended"),
    # 5xx on a fraction of every call, both sides: backed off and repeated.
    "5xx-fraction": (
        [dict(endpoint="", status=503, fraction=0.08)],
        [dict(endpoint="", status=500, fraction=0.08)], None),
    # Slow answers on a fraction of calls.
    "latency": (
        [dict(endpoint="", latency_ms=150, fraction=0.1)],
        [dict(endpoint="", latency_ms=150, fraction=0.1)], None),
    # Connections dropped mid-answer on writes (creates are read back, never repeated blindly)
    # and on reads.
    "dropped-connections": (
        [dict(endpoint=e, drop_connection=True, fraction=0.1) for e in HS_BATCH + ["search"]],
        [dict(endpoint=e, drop_connection=True, fraction=0.1) for e in SF_WRITES + ["query"]],
        None),
    # Partial batch failures: HubSpot answers 207 with the first item of every batch failed,
    # Salesforce fails a fraction of collection items (UNKNOWN_EXCEPTION), every time, the
    # connector's lone re-sends included: those records end as sync errors ("server").
    "partial-batches": (
        [dict(endpoint=e, fail_items=[0]) for e in HS_BATCH],
        [dict(endpoint=e, fail_fraction=0.4) for e in SF_WRITES],
        {"server"}),
}


def open_errors(state_db):
    con = sqlite3.connect(state_db)
    try:
        rows = con.execute("SELECT side, object, record_id, category, attempts FROM sync_errors "
                           "WHERE resolved = 0").fetchall()
        resolved = con.execute("SELECT category, COUNT(*) FROM sync_errors WHERE resolved = 1 "
                               "GROUP BY category").fetchall()
        pending = cl.pending_intents(con)
    finally:
        con.close()
    return rows, dict(resolved), pending


def categories(rows):
    return dict(collections.Counter(r[3] for r in rows))


def reference(syncline, repo, sb, contacts):
    sb.fresh(contacts)
    with tempfile.TemporaryDirectory() as d:
        config = cl.write_config(d, sb, repo, extra=f"retry_interval_seconds = {RETRY_S}")
        for _ in range(2):
            code, report, err = cl.run(syncline, config)
            assert code in (0, 1) and report, f"reference run failed ({code}): {err}"
            time.sleep(RETRY_S + 0.1)
        rows, _, _ = open_errors(os.path.join(d, "state.db"))
    return sb.snapshot(), categories(rows)


def scenario(syncline, repo, sb, contacts, name, expected_snapshot, expected_errors, verbose):
    hs_rules, sf_rules, expect = SCENARIOS[name]
    problems, notes = [], []
    sb.fresh(contacts)
    with tempfile.TemporaryDirectory() as d:
        state = os.path.join(d, "state.db")
        config = cl.write_config(d, sb, repo, extra=f"retry_interval_seconds = {RETRY_S}")
        sb.add_faults(hs=hs_rules, sf=sf_rules)
        t = time.time()
        code, report, err = cl.run(syncline, config)
        took = time.time() - t
        sb.clear_faults()
        if not report:
            return [f"faulty run printed no report ({code}): {err.strip()[-300:]}"], notes
        rows, _, _ = open_errors(state)
        notes.append(f"faulty run: exit {code}, {report['status']}, {took:.1f} s, "
                     f"open errors {categories(rows)}")
        if verbose:
            notes.append(f"  counts {report['counts']}")
        if expect == "suspended":
            if code != 3 or report["status"] != "suspended":
                problems.append(f"expected the run to stop (exit 3, suspended), got exit {code} "
                                f"{report['status']}")
        elif isinstance(expect, set):
            got = {r[3] for r in rows}
            if not expect <= got:
                problems.append(f"expected sync errors {sorted(expect)}, recorded {categories(rows)}")
            faulty = [r for r in rows if r[3] in expect]
        elif code not in (0, 1) or report["status"] != "ok":
            # Six failed attempts of one call end the run (exit 3); the next run resumes.
            notes.append(f"the faulty run stopped: {report.get('message', '')}")
            if code != 3 or report["status"] != "failed":
                problems.append(f"faulty run: exit {code} {report['status']}")
        # Clean re-runs: errors are due after RETRY_S seconds. Two at least; up to four while
        # errors of the injected kind are still open (on a loaded machine a record can fail
        # again for a reason of its own, such as its company's write still being retried).
        retried = 0
        for i in range(4):
            if i >= 2 and not (isinstance(expect, set) and
                               any(r[3] in expect for r in open_errors(state)[0])):
                break
            time.sleep(RETRY_S + 0.1)
            code, report, err = cl.run(syncline, config)
            if code not in (0, 1) or not report:
                problems.append(f"clean run {i + 1} failed ({code}): {err.strip()[-300:]}")
                return problems, notes
            retried += report["counts"].get("retried", 0)
            if verbose:
                notes.append(f"  clean run {i + 1}: {report['counts']} {report['errors']}")
        rows, resolved, pending = open_errors(state)
        notes.append(f"after clean runs: open errors {categories(rows)}, resolved {resolved}, "
                     f"retried {retried}")
        if pending:
            problems.append(f"{pending} intents still pending")
        if isinstance(expect, set):
            still = [r for r in rows if r[3] in expect]
            if still:
                problems.append(f"{len(still)} {sorted(expect)} errors still open after the "
                                f"clean runs: {still[:3]}")
            if not retried:
                problems.append("the clean run retried no record")
            if not any(resolved.get(c) for c in expect):
                problems.append(f"no {sorted(expect)} error was resolved")
            if faulty and not all(r[4] >= 1 for r in faulty):
                problems.append("errors recorded without attempts")
        if categories(rows) != expected_errors:
            notes.append(f"open errors differ from the fault-free run's {expected_errors}")
    end = sb.snapshot()
    problems += cl.lost_or_duplicated(expected_snapshot, end)
    fields = cl.diff(expected_snapshot, end)
    return problems, notes + [("(field) " + f) for f in fields]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("syncline")
    ap.add_argument("repo")
    ap.add_argument("--contacts", type=int, default=60)
    ap.add_argument("--only", default="")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--strict", action="store_true",
                    help="also fail on field differences from the fault-free run")
    a = ap.parse_args()
    t0 = time.time()
    failures = 0
    with cl.Sandboxes(a.syncline) as sb:
        expected, expected_errors = reference(a.syncline, a.repo, sb, a.contacts)
        print(f"fault-free: end state { {o: len(r) for o, r in expected.items()} }, "
              f"open errors {expected_errors}")
        for name in SCENARIOS:
            if a.only and name not in a.only.split(","):
                continue
            t = time.time()
            problems, notes = scenario(a.syncline, a.repo, sb, a.contacts, name, expected,
                                       expected_errors, a.verbose)
            fields = [n for n in notes if n.startswith("(field)")]
            if a.strict:
                problems += fields
            status = "FAIL" if problems else (
                "ok" if not fields else f"ok ({len(fields)}+ field differences)")
            print(f"{name:20s} {status} ({time.time() - t:.1f} s)")
            for n in notes:
                if not n.startswith("(field)") or a.verbose:
                    print("    " + n)
            for p in problems:
                print("    " + p)
            failures += bool(problems)
    print(f"{failures} scenarios failed, {time.time() - t0:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
