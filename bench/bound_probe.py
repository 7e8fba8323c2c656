#!/usr/bin/env python3
"""What bounds a sync run: the engine or the sandboxes' HTTP?

The sandboxes run in a process of their own pinned to one core (`syncline sandbox serve
--seed demo`, HubSpot's limits off), the engine (`syncline run --once` on the demo rules) on
another. Each round runs three times: as is, with a busy loop sharing the engine's core, and
with one sharing the sandboxes' core. A busy loop takes about half of its core, so it slows
that side about twofold. A run bound by the sandboxes slows by nearly 2x when they are slowed
and hardly at all when the engine is; a run where the two take turns slows by about each
side's share of the wall time in both.

Usage: python3 bench/bound_probe.py build/syncline . [--contacts 20000] [--rounds 2]
Needs two cores or more, `taskset` (util-linux) and free loopback ports 18101-18102.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HS_PORT, SF_PORT = 18101, 18102
TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def start_sandboxes(syncline, contacts, log):
    cmd = ["taskset", "-c", "1", syncline, "sandbox", "serve", "--seed", "demo",
           "--demo-size", str(contacts), "--token", "probe-token",
           "--hubspot-port", str(HS_PORT), "--salesforce-port", str(SF_PORT)]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 600
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bound_probe: the sandboxes exited ({proc.returncode}); see {log.name}")
        with open(log.name) as f:
            if "Press Ctrl" in f.read():
                break
        time.sleep(0.2)
    else:
        proc.kill()
        sys.exit("bound_probe: the sandboxes did not start within 10 minutes")
    req = urllib.request.Request(f"http://127.0.0.1:{HS_PORT}/_sandbox/limits",
                                 data=json.dumps({"rate_limits": False}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(req, timeout=30).read()
    return proc


def one_run(syncline, repo, contacts, slowed, workdir):
    config = os.path.join(workdir, "syncline.toml")
    with open(config, "w") as f:
        f.write(f'rules = ["{os.path.join(repo, "examples/demo")}/"]\nstate = ":memory:"\n'
                f'[hubspot]\nurl = "http://127.0.0.1:{HS_PORT}"\ntoken_env = "PROBE_HS"\n'
                'daily_budget = 0\nrate_limit = false\n'
                f'[salesforce]\nurl = "http://127.0.0.1:{SF_PORT}"\ntoken_env = "PROBE_SF"\n'
                'daily_budget = 0\n')
    with open(os.path.join(workdir, "sandboxes.log"), "w") as log:
        sandboxes = start_sandboxes(syncline, contacts, log)
    spinner = None
    try:
        if slowed != "nothing":
            core = "0" if slowed == "engine" else "1"
            spinner = subprocess.Popen(["taskset", "-c", core, "sh", "-c", "while :; do :; done"])
        env = dict(os.environ, PROBE_HS="probe-token", PROBE_SF="probe-token")
        sb0 = proc_cpu(sandboxes.pid)
        t0 = time.monotonic()
        out_path, err_path = os.path.join(workdir, "run.json"), os.path.join(workdir, "run.err")
        with open(out_path, "w") as out, open(err_path, "w") as err:
            engine = subprocess.Popen(["taskset", "-c", "0", syncline, "run", "--config",
                                       config, "--once", "--format", "json"], env=env,
                                      stdout=out, stderr=err)
            # wait4 gives the engine's own CPU time (the children's totals would also take the
            # busy loop's and the sandboxes').
            _, status, usage = os.wait4(engine.pid, 0)
        wall = time.monotonic() - t0
        sb_cpu = proc_cpu(sandboxes.pid) - sb0
        en_cpu = usage.ru_utime + usage.ru_stime
        code = os.waitstatus_to_exitcode(status)
        engine.returncode = code
        if code not in (0, 1):  # 1: some demo records failed on purpose (sync errors)
            with open(err_path) as f, open(out_path) as o:
                sys.exit(f"bound_probe: syncline run failed ({code}):\n{f.read()[-2000:]}"
                         f"{o.read()[-2000:]}")
        with open(out_path) as f:
            calls = json.load(f).get("api_calls", {})
    finally:
        if spinner:
            spinner.kill()
            spinner.wait()
        sandboxes.send_signal(signal.SIGINT)
        try:
            sandboxes.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sandboxes.kill()
            sandboxes.wait()
    return wall, en_cpu, sb_cpu, calls


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("syncline")
    ap.add_argument("repo")
    ap.add_argument("--contacts", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    if (os.cpu_count() or 1) < 2:
        sys.exit("bound_probe: needs two cores or more")
    syncline = os.path.abspath(a.syncline)
    a.repo = os.path.abspath(a.repo)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bound_probe.") as workdir:
        for r in range(a.rounds):
            for slowed in ("nothing", "engine", "sandboxes"):
                wall, en_cpu, sb_cpu, calls = one_run(syncline, a.repo, a.contacts, slowed,
                                                      workdir)
                rows.append((r, slowed, wall, en_cpu, sb_cpu, calls))
                print(f"round {r + 1}, {slowed:9s} slowed: {wall:6.2f} s wall, engine CPU "
                      f"{en_cpu:5.2f} s ({100 * en_cpu / wall:3.0f} % of its core), sandboxes "
                      f"CPU {sb_cpu:5.2f} s ({100 * sb_cpu / wall:3.0f} %), calls "
                      f"{calls.get('hubspot')}/{calls.get('salesforce')}", flush=True)
    print()
    for r in range(a.rounds):
        base = next(w for rr, s, w, *_ in rows if rr == r and s == "nothing")
        en = next(w for rr, s, w, *_ in rows if rr == r and s == "engine")
        sb = next(w for rr, s, w, *_ in rows if rr == r and s == "sandboxes")
        print(f"round {r + 1}: engine slowed {en / base:.2f}x, sandboxes slowed {sb / base:.2f}x "
              "(bound by the sandboxes: about 1.0x and 2.0x)")


if __name__ == "__main__":
    main()
