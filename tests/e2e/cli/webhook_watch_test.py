#!/usr/bin/env python3
"""`syncline run --watch` with a [webhooks] table, end to end over real processes: the CRMs
are `syncline sandbox serve`, whose HubSpot side signs and pushes webhook events to the
runner's listener. A contact created in HubSpot reaches Salesforce within seconds although the
poll interval is 10 minutes; an unsigned request is refused (401); SIGTERM stops the runner
with exit 0. Usage: webhook_watch_test.py PATH_TO_SYNCLINE SOURCE_DIR"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

TOKEN = "webhook-test-token"
SECRET = "webhook-test-secret"


def call(url, body=None, method=None, headers=None):
    h = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}
    h.update(headers or {})
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lines_of(stream, sink):
    for line in stream:
        sink.append(line)


def wait_for(pred, seconds, what):
    end = time.time() + seconds
    while time.time() < end:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def main():
    syncline, source = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        serve = subprocess.Popen(
            [syncline, "sandbox", "serve", "--data", os.path.join(tmp, "crm"), "--seed", "empty",
             "--token", TOKEN], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        runner = None
        try:
            urls = []
            for line in serve.stdout:
                m = re.search(r"(base URL|instance URL):\s+(\S+)", line)
                if m:
                    urls.append(m.group(2))
                if line.startswith("Press Ctrl-C"):
                    break
            hs, sf = urls
            port = free_port()
            target = "http://127.0.0.1:%d/hubspot/webhooks" % port
            call(hs + "/_sandbox/webhooks",
                 {"target_url": target, "client_secret": SECRET, "app_id": 1,
                  "subscriptions": ["contact.creation",
                                    {"subscriptionType": "contact.propertyChange",
                                     "propertyName": "lastname"}],
                  "retry_base_ms": 200})
            config = os.path.join(tmp, "syncline.toml")
            with open(config, "w") as f:
                f.write('rules = ["%s/examples/leads-only"]\nstate = "state.db"\n'
                        '[hubspot]\nurl = "%s"\ntoken_env = "WH_TOKEN"\nrate_limit = false\n'
                        '[salesforce]\nurl = "%s"\ntoken_env = "WH_TOKEN"\n'
                        '[webhooks]\nlisten = "127.0.0.1:%d"\nclient_secret_env = "WH_SECRET"\n'
                        'debounce_ms = 300\n' % (source, hs, sf, port))
            env = dict(os.environ, WH_TOKEN=TOKEN, WH_SECRET=SECRET)
            runner = subprocess.Popen(
                [syncline, "run", "--config", config, "--watch", "--interval", "600"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            out, err = [], []
            threading.Thread(target=lines_of, args=(runner.stdout, out), daemon=True).start()
            threading.Thread(target=lines_of, args=(runner.stderr, err), daemon=True).start()
            wait_for(lambda: any("Listening for HubSpot webhooks at " + target in l for l in err),
                     30, "the listener")
            wait_for(lambda: any("Sync summary" in l for l in out), 60, "the first pass")

            # Unsigned and wrongly signed requests are refused.
            for headers in ({}, {"X-HubSpot-Signature-v3": "bad",
                                 "X-HubSpot-Request-Timestamp": str(int(time.time() * 1000))}):
                try:
                    call(target, [{"eventId": 1}], headers=headers)
                    raise AssertionError("an unsigned webhook was accepted")
                except urllib.error.HTTPError as e:
                    assert e.code == 401, e.code

            started = time.time()
            call(hs + "/crm/v3/objects/contacts",
                 {"properties": {"email": "hook@example.com", "lastname": "Hook"}})
            soql = urllib.parse.quote("SELECT Id, LastName FROM Lead WHERE Email = 'hook@example.com'")

            def synced():
                return call(sf + "/services/data/v60.0/query?q=" + soql)["totalSize"] == 1
            wait_for(synced, 30, "the webhook-driven pass to create the lead")
            latency = time.time() - started
            assert latency < 30, latency
            assert any("HubSpot webhooks: " in l and "syncing now" in l for l in err), err
            print("lead created %.1f s after the HubSpot write (poll interval 600 s)" % latency)

            runner.send_signal(signal.SIGTERM)
            runner.wait(timeout=20)
            assert runner.returncode == 0, (runner.returncode, "".join(err))
        finally:
            if runner and runner.poll() is None:
                runner.kill()
            serve.send_signal(signal.SIGTERM)
            serve.communicate(timeout=20)
    print("ok")


if __name__ == "__main__":
    main()
