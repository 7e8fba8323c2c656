#!/usr/bin/env python3
"""The sync benchmark (bench/sync_bench.sh; not part of ctest).

(a) API calls: an initial sync of N HubSpot contacts with no Salesforce match and N Salesforce
    leads with no HubSpot match (seeded through /_sandbox/seed), counted per endpoint by the
    sandboxes, against the fewest possible write calls (ceil(N/100) HubSpot, ceil(N/200)
    Salesforce); then a second run with no changes, which should write nothing.
(b) Throughput with rate limits off: `syncline demo --contacts M --no-rate-limits --runs 1`,
    records per second and peak memory (/usr/bin/time -v).
(c) Where the time goes: callgrind on a smaller demo (main thread = engine + connectors; the
    in-process sandboxes run on their own threads), if valgrind is installed.
(d) API calls of the other objects (issue 7): an initial sync of N accounts, N opportunities
    (each on an account) and N cases (each on an account) in Salesforce and N deals in HubSpot,
    through the demo rules: write calls per endpoint against the fewest the batch endpoints
    allow (creates: ceil(N/100) per HubSpot object, ceil(N/200) opportunities; associations:
    ceil(N/1000) per HubSpot association pair); then a second run, which should write nothing.
(e) Against CRMs across the internet: `syncline demo --contacts L --latency MS --runs 1`, every
    call answered MS later, beside the same demo without latency. The ratio of its extra time
    to calls x MS is the share of the calls' round trips the run waited for one by one (1.00:
    every call alone; 0.25: four at a time throughout).

Usage: sync_bench.py SYNCLINE REPO [--api-n 10000] [--demo-n 100000] [--profile-n 1000]
                     [--objects-n 10000] [--latency-n 5000] [--latency-ms 40]
                     [--skip a,b,c,d,e]"""
import argparse
import collections
import glob
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "e2e", "crash"))
import crashlib as cl  # noqa: E402


def seed(sb, n):
    hs = [{"properties": {"email": f"hs{i}@bench-hubspot.example", "firstname": f"H{i}",
                          "lastname": f"Hubspot{i}", "company": f"HCo {i % 500}",
                          "jobtitle": "Engineer", "city": "Berlin"}} for i in range(n)]
    sf = [{"type": "Lead", "fields": {"Email": f"sf{i}@bench-salesforce.example",
                                      "FirstName": f"S{i}", "LastName": f"Salesforce{i}",
                                      "Company": f"SCo {i % 500}", "Title": "Buyer",
                                      "City": "Paris"}} for i in range(n)]
    for start in range(0, n, 5000):
        sb.hs.control("POST", "seed", {"objects": {"contacts": hs[start:start + 5000]}})
        sb.sf.control("POST", "seed", {"records": sf[start:start + 5000]})


def summarize(calls, write_re):
    writes = {k: v for k, v in calls.items() if write_re.search(k)}
    reads = {k: v for k, v in calls.items() if not write_re.search(k)}
    return writes, reads


def api_calls(syncline, repo, n):
    print(f"== (a) API calls: initial sync of {n} new HubSpot contacts and {n} new Salesforce "
          f"leads (batch sizes 100 / 200)")
    rows = []
    with cl.Sandboxes(syncline) as sb, tempfile.TemporaryDirectory() as d:
        sb.fresh()
        t = time.time()
        seed(sb, n)
        print(f"seeded in {time.time() - t:.1f} s")
        config = cl.write_config(d, sb, repo, hs_batch=100, sf_batch=200)
        for run in (1, 2):
            sb.reset_counts()
            t = time.time()
            code, report, err = cl.run(syncline, config, timeout=3600)
            took = time.time() - t
            if not report:
                print(f"run {run} failed ({code}): {err[-500:]}")
                return rows
            hs_calls, sf_calls = sb.counts()
            hw, hr = summarize(hs_calls, cl.HS_WRITE_RE)
            sw, sr = summarize(sf_calls, cl.SF_WRITE_RE)
            print(f"run {run}: exit {code}, {took:.1f} s, counts {report['counts']}, "
                  f"errors {report['errors']}")
            print(f"  engine's own count: {report['api_calls']}")
            for name, group in (("HubSpot writes", hw), ("HubSpot reads", hr),
                                ("Salesforce writes", sw), ("Salesforce reads", sr)):
                print(f"  {name}: {sum(group.values())}  " +
                      ", ".join(f"{k.split(' ', 1)[1].replace('/services/data/{version}', '')} "
                                f"{k.split(' ', 1)[0]}={v}" for k, v in sorted(group.items())))
            rows.append((run, took, sum(hw.values()), sum(hr.values()), sum(sw.values()),
                         sum(sr.values()), report))
    hs_min, sf_min = math.ceil(n / 100), math.ceil(n / 200)
    print()
    print(f"| run | seconds | HubSpot writes (min {hs_min}) | HubSpot reads | "
          f"Salesforce writes (min {sf_min}) | Salesforce reads |")
    print("|---|---|---|---|---|---|")
    for run, took, hw, hr, sw, sr, _ in rows:
        ratio = lambda a, b: f"{a} ({a / b:.2f}x)" if b and run == 1 else str(a)  # noqa: E731
        print(f"| {run} | {took:.1f} | {ratio(hw, hs_min)} | {hr} | {ratio(sw, sf_min)} | {sr} |")
    return rows


def seed_objects(sb, n):
    for start in range(0, n, 1000):
        recs = []
        for i in range(start, min(n, start + 1000)):
            recs.append({"type": "Account", "ref": f"a{i}", "fields": {"Name": f"Bench account {i}"}})
            recs.append({"type": "Opportunity", "fields": {
                "Name": f"Bench opportunity {i}", "StageName": "Prospecting",
                "CloseDate": "2026-12-31", "Amount": i, "AccountId": f"@a{i}"}})
            recs.append({"type": "Case", "fields": {
                "Subject": f"Bench case {i}", "Status": "New", "AccountId": f"@a{i}"}})
        sb.sf.control("POST", "seed", {"records": recs})
    deals = [{"properties": {"dealname": f"Bench deal {i}", "dealstage": "qualifiedtobuy",
                             "pipeline": "default", "amount": str(i),
                             "closedate": "2026-12-31T00:00:00Z"}} for i in range(n)]
    for start in range(0, n, 5000):
        sb.hs.control("POST", "seed", {"objects": {"deals": deals[start:start + 5000]}})


def object_calls(syncline, repo, n):
    print(f"\n== (d) API calls, other objects: {n} accounts, {n} opportunities and {n} cases "
          f"in Salesforce, {n} deals in HubSpot")
    up = lambda k: math.ceil(n / k)  # noqa: E731
    # The fewest write calls: accounts -> companies, opportunities -> deals and cases ->
    # tickets (HubSpot batch create, 100), deals -> opportunities (collections of 200), and
    # the company association of each new deal and ticket (v4 batch associate, 1,000).
    minimum = {"hubspot companies create": up(100), "hubspot deals create": up(100),
               "hubspot tickets create": up(100), "salesforce Opportunity create": up(200),
               "hubspot deals->companies associate": up(1000),
               "hubspot tickets->companies associate": up(1000)}
    with cl.Sandboxes(syncline) as sb, tempfile.TemporaryDirectory() as d:
        sb.fresh()
        t = time.time()
        seed_objects(sb, n)
        print(f"seeded in {time.time() - t:.1f} s")
        config = cl.write_config(d, sb, repo, hs_batch=100, sf_batch=200)
        for run in (1, 2):
            sb.reset_counts()
            t = time.time()
            code, report, err = cl.run(syncline, config, timeout=3600)
            took = time.time() - t
            if not report:
                print(f"run {run} failed ({code}): {err[-500:]}")
                return
            hs_calls, sf_calls = sb.counts()
            writes = {k: v for k, v in hs_calls.items()
                      if cl.HS_WRITE_RE.search(k) and "batch/read" not in k}
            writes.update({k: v for k, v in sf_calls.items() if cl.SF_WRITE_RE.search(k)})
            reads = sum(hs_calls.values()) + sum(sf_calls.values()) - sum(writes.values())
            print(f"run {run}: exit {code}, {took:.1f} s, errors {report['errors']}")
            for name, c in sorted(report.get("syncs", {}).items()):
                keep = {k: v for k, v in c.items() if v and not k.startswith("recovered")}
                print(f"  {name}: {keep}")
            print(f"  write calls {sum(writes.values())}: " +
                  ", ".join(f"{k}={v}" for k, v in sorted(writes.items())))
            print(f"  read calls {reads}; engine's count {report['api_calls']}")
            if run == 1:
                print(f"  fewest possible writes {sum(minimum.values())}: " +
                      ", ".join(f"{k}={v}" for k, v in minimum.items()))


def throughput(syncline, m):
    print(f"\n== (b) throughput: syncline demo --contacts {m} --no-rate-limits --runs 1")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "time.txt")
        t = time.time()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", out, syncline, "demo", "--contacts",
                            str(m), "--no-rate-limits", "--format", "json", "--runs", "1"],
                           capture_output=True, text=True, timeout=7200)
        wall = time.time() - t
        timing = open(out).read()
    if p.returncode != 0:
        print(f"demo failed ({p.returncode}): {p.stderr[-500:]}")
        return None
    run = json.loads(p.stdout[p.stdout.index("{"):])["runs"][0]
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1))
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", timing).group(1))
              for k in ("User", "System"))
    c = run["counts"]
    records = c.get("read.hubspot", 0) + c.get("read.salesforce", 0)
    written = sum(v for k, v in c.items() if k.startswith(("created.", "updated.")))
    print(f"process: {wall:.1f} s wall (sandboxes, demo data and compile included), "
          f"{cpu:.1f} s CPU, peak RSS {rss / 1024:.0f} MB")
    print(f"sync run: {run['seconds']:.1f} s, {records} records read, {written} written, "
          f"api calls {run['api_calls']}")
    split = run.get("cpu_seconds", {})
    if split:
        # The engine runs on the main thread, the in-process sandboxes on their own: which side
        # spent more CPU says which bounds the run (the two mostly take turns, request by request).
        engine, sandboxes = split["engine"], split["sandboxes"]
        print(f"sync CPU: engine {engine:.1f} s, sandboxes {sandboxes:.1f} s "
              f"(engine share {engine / max(engine + sandboxes, 1e-9):.0%})")
    if "no_call_out_seconds" in run:
        # The time the sandboxes waited for the engine (no call out): near 0 when the run is
        # bound by their HTTP.
        idle = run["no_call_out_seconds"]
        print(f"no call out: {idle:.1f} s ({idle / max(run['seconds'], 1e-9):.0%} of the sync)")
    print(f"| contacts | sync s | records read/s | records written/s | peak RSS MB |")
    print(f"|---|---|---|---|---|")
    print(f"| {m} | {run['seconds']:.1f} | {records / run['seconds']:.0f} | "
          f"{written / run['seconds']:.0f} | {rss / 1024:.0f} |")
    return run


def latency(syncline, n, ms):
    print(f"\n== (e) latency: syncline demo --contacts {n} --latency {ms} --runs 1, "
          f"against --latency 0")
    runs = {}
    for lat in (0, ms):
        p = subprocess.run([syncline, "demo", "--contacts", str(n), "--no-rate-limits",
                            "--latency", str(lat), "--format", "json", "--runs", "1"],
                           capture_output=True, text=True, timeout=7200)
        if p.returncode != 0:
            print(f"demo --latency {lat} failed ({p.returncode}): {p.stderr[-500:]}")
            return None
        runs[lat] = json.loads(p.stdout[p.stdout.index("{"):])["runs"][0]
    slow, fast = runs[ms], runs[0]
    calls = slow["api_calls"]["hubspot"] + slow["api_calls"]["salesforce"]
    waited = slow["seconds"] - fast["seconds"]
    print(f"| contacts | latency ms | calls (HubSpot + Salesforce) | sync s | without latency s "
          f"| extra s / (calls x latency) |")
    print("|---|---|---|---|---|---|")
    print(f"| {n} | {ms} | {slow['api_calls']['hubspot']} + {slow['api_calls']['salesforce']} | "
          f"{slow['seconds']:.2f} | {fast['seconds']:.2f} | "
          f"{waited / (calls * ms / 1000):.2f} |")
    return slow


def profile(syncline, m):
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        print("\n== (c) valgrind not installed: no profile")
        return
    print(f"\n== (c) where the time goes: callgrind, demo --contacts {m}, main thread")
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["valgrind", "--tool=callgrind", "--separate-threads=yes",
                        f"--callgrind-out-file={d}/cg.out", syncline, "demo", "--contacts",
                        str(m), "--no-rate-limits", "--format", "json", "--runs", "1"],
                       capture_output=True, text=True, timeout=3600)
        files = sorted(glob.glob(f"{d}/cg.out*"))
        main = [f for f in files if f.endswith("-01")] or files[:1]
        if not main:
            print("no callgrind output")
            return
        p = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=99", main[0]],
                           capture_output=True, text=True)
        lines = [l for l in p.stdout.splitlines() if re.match(r"^\s*[\d,]+ \(", l)]
        total = None
        shown = 0
        for l in lines:
            m2 = re.match(r"^\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*)$", l)
            if not m2:
                continue
            name = m2.group(3)
            if total is None:
                total = m2.group(1)
            if any(s in name for s in ("syncline::", "sqlite3_step", "curl_easy_perform",
                                       "llvm::", "Compile", "nlohmann")):
                print(f"  {m2.group(2):>6}%  {name[:150]}")
                shown += 1
            if shown >= 40:
                break
        print(f"  (main thread: {total} instructions; inclusive %)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("syncline")
    ap.add_argument("repo")
    ap.add_argument("--api-n", type=int, default=10000)
    ap.add_argument("--demo-n", type=int, default=4000)
    ap.add_argument("--profile-n", type=int, default=1000)
    ap.add_argument("--objects-n", type=int, default=10000)
    ap.add_argument("--latency-n", type=int, default=5000)
    ap.add_argument("--latency-ms", type=int, default=40)
    ap.add_argument("--skip", default="", help="comma list of a,b,c,d,e to skip")
    a = ap.parse_args()
    print(f"date {time.strftime('%Y-%m-%d %H:%M')}, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs")
    if "a" not in a.skip:
        api_calls(a.syncline, a.repo, a.api_n)
    if "b" not in a.skip:
        throughput(a.syncline, a.demo_n)
    if "c" not in a.skip:
        profile(a.syncline, a.profile_n)
    if "d" not in a.skip:
        object_calls(a.syncline, a.repo, a.objects_n)
    if "e" not in a.skip:
        latency(a.syncline, a.latency_n, a.latency_ms)
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
