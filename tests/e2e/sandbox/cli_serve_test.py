#!/usr/bin/env python3
"""`syncline sandbox serve` end to end: prints URLs and tokens, serves both APIs, loads demo
data once into a data folder, stops cleanly (exit 0) on SIGTERM and SIGINT, and keeps the data
across a restart. Usage: cli_serve_test.py PATH_TO_SYNCLINE"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.request


def start(syncline, data):
    proc = subprocess.Popen(
        [syncline, "sandbox", "serve", "--data", data, "--seed", "demo", "--demo-size", "120",
         "--token", "cli-test-token"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    urls = []
    for line in proc.stdout:
        m = re.search(r"(base URL|instance URL):\s+(\S+)", line)
        if m:
            urls.append(m.group(2))
        if line.startswith("Press Ctrl-C"):
            break
    assert len(urls) == 2, f"expected two URLs, got {urls}"
    return proc, urls[0], urls[1]


def get(url):
    req = urllib.request.Request(url, headers={"Authorization": "Bearer cli-test-token"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def stop(proc, sig):
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, f"exit {proc.returncode}: {err}"
    assert "Stopping" in out


def main():
    syncline = sys.argv[1]
    with tempfile.TemporaryDirectory() as data:
        proc, hs, sf = start(syncline, data)
        contacts = get(hs + "/crm/v3/objects/contacts?limit=100")
        assert len(contacts["results"]) == 100, contacts
        leads = get(sf + "/services/data/v60.0/query?q=SELECT+COUNT()+FROM+Lead")
        assert leads["totalSize"] > 0, leads
        stop(proc, signal.SIGTERM)
        assert os.path.exists(os.path.join(data, "hubspot.db"))
        proc, hs, sf = start(syncline, data)
        again = get(sf + "/services/data/v60.0/query?q=SELECT+COUNT()+FROM+Lead")
        assert again["totalSize"] == leads["totalSize"], "demo data loaded twice or lost"
        stop(proc, signal.SIGINT)
    print("ok")


if __name__ == "__main__":
    main()
