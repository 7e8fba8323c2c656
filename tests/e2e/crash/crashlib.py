"""Shared helpers of the crash and fault tests (tests/e2e/crash) and the sync benchmark.

Starts `syncline sandbox serve` in a subprocess, talks to both sandboxes' control APIs, writes a
config for `syncline run`, runs it (optionally SIGKILLing it after the k-th write call), and
snapshots every contacts / Lead / Contact record of both CRMs without ids and timestamps, so two
end states can be compared record for record."""
import collections
import json
import os
import re
import signal
import subprocess
import time
import urllib.parse
import urllib.request

TOKEN = "crash-test-token"
SF_API = "/services/data/v60.0"

# Endpoint keys (as counted by the sandboxes) of calls that write.
HS_WRITE_RE = re.compile(
    r"^(POST /crm/v3/objects/[^/]+/batch/(create|update|upsert|archive)"
    r"|POST /crm/v3/objects/[^/{}]+$|PATCH /crm/v3/objects/|DELETE /crm/v3/objects/"
    r"|(PUT|POST|DELETE) /crm/v4/)")
SF_WRITE_RE = re.compile(
    r"^((POST|PATCH|DELETE) /services/data/\{version\}/composite/sobjects$"
    r"|PATCH /services/data/\{version\}/composite/sobjects/\{object\}/"
    r"|(POST|PATCH|DELETE) /services/data/\{version\}/sobjects/)")
# Fault rules matching every write endpoint (substrings of the endpoint keys).
HS_WRITE_FAULT_ENDPOINTS = ["batch/create", "batch/update", "batch/upsert", "batch/archive"]
SF_WRITE_FAULT_ENDPOINTS = ["POST /services/data/{version}/composite/sobjects",
                            "PATCH /services/data/{version}/composite/sobjects",
                            "DELETE /services/data/{version}/composite/sobjects"]

# Fields that differ between two identical syncs: ids, timestamps, system bookkeeping.
HS_IGNORED = {"hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate",
              "hs_createdate", "hs_all_contact_vids", "hs_email_domain"}
SF_IGNORED_TYPES = {"id", "reference"}
SF_KEPT_REFERENCES = {"OwnerId"}  # users are seeded: their ids are the same in every run
SF_IGNORED = {"CreatedDate", "LastModifiedDate", "SystemModstamp", "LastActivityDate",
              "LastViewedDate", "LastReferencedDate", "ConvertedDate"}


class Http:
    def __init__(self, base, token=TOKEN):
        self.base = base
        self.token = token

    def call(self, method, path, body=None, auth=True, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", "Bearer " + self.token)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            text = r.read()
            return json.loads(text) if text else None

    def control(self, method, path, body=None):
        return self.call(method, "/_sandbox/" + path, body, auth=False)


class Sandboxes:
    """Both sandboxes in one `syncline sandbox serve` process (in memory)."""

    def __init__(self, syncline):
        self.proc = subprocess.Popen(
            [syncline, "sandbox", "serve", "--seed", "empty", "--token", TOKEN],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        urls = []
        for line in self.proc.stdout:
            m = re.search(r"(base URL|instance URL):\s+(\S+)", line)
            if m:
                urls.append(m.group(2))
            if line.startswith("Press Ctrl-C"):
                break
        if len(urls) != 2:
            self.stop()
            raise RuntimeError(f"sandbox serve printed {urls}")
        self.hs = Http(urls[0])
        self.sf = Http(urls[1])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.communicate()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def fresh(self, demo_contacts=None, seed=42):
        """Wipes both sandboxes (data, counts, faults, limits) and loads identical demo data."""
        for s in (self.hs, self.sf):
            s.control("POST", "reset")
            if demo_contacts:
                s.control("POST", "demo", {"contacts": demo_contacts, "seed": seed})
        self.hs.control("POST", "limits", {"rate_limits": False})

    def reset_counts(self):
        self.hs.control("DELETE", "calls")
        self.sf.control("DELETE", "calls")

    def counts(self):
        return self.hs.control("GET", "calls")["calls"], self.sf.control("GET", "calls")["calls"]

    def write_calls(self):
        hs, sf = self.counts()
        return (sum(n for k, n in hs.items() if HS_WRITE_RE.search(k)),
                sum(n for k, n in sf.items() if SF_WRITE_RE.search(k)))

    def add_write_faults(self, **spec):
        """One rule per write endpoint of both sandboxes, e.g. latency_ms=200."""
        self.hs.control("POST", "faults", [dict(spec, endpoint=e) for e in HS_WRITE_FAULT_ENDPOINTS])
        self.sf.control("POST", "faults", [dict(spec, endpoint=e) for e in SF_WRITE_FAULT_ENDPOINTS])

    def add_faults(self, hs=(), sf=()):
        if hs:
            self.hs.control("POST", "faults", list(hs))
        if sf:
            self.sf.control("POST", "faults", list(sf))

    def clear_faults(self):
        self.hs.control("DELETE", "faults")
        self.sf.control("DELETE", "faults")

    # ---- snapshots: every record of the synced objects, without ids and timestamps

    def hs_records(self, object_type="contacts"):
        names = [p["name"] for p in self.hs.call("GET", f"/crm/v3/properties/{object_type}")["results"]]
        props = ",".join(n for n in names if n not in HS_IGNORED)
        out, after = [], None
        while True:
            q = {"limit": 100, "properties": props}
            if after:
                q["after"] = after
            page = self.hs.call("GET", f"/crm/v3/objects/{object_type}?" + urllib.parse.urlencode(q))
            for r in page["results"]:
                out.append({k: v for k, v in r["properties"].items()
                            if k not in HS_IGNORED and v not in (None, "")})
            after = page.get("paging", {}).get("next", {}).get("after")
            if not after:
                return out

    def sf_records(self, sobject):
        fields = self.sf.call("GET", f"{SF_API}/sobjects/{sobject}/describe")["fields"]
        names = [f["name"] for f in fields
                 if f["name"] not in SF_IGNORED
                 and (f["type"] not in SF_IGNORED_TYPES or f["name"] in SF_KEPT_REFERENCES)]
        soql = f"SELECT {','.join(names)} FROM {sobject}"
        page = self.sf.call("GET", f"{SF_API}/query?" + urllib.parse.urlencode({"q": soql}))
        out = []
        while True:
            for r in page["records"]:
                out.append({k: v for k, v in r.items()
                            if k != "attributes" and v not in (None, "")})
            if page.get("done", True):
                return out
            page = self.sf.call("GET", page["nextRecordsUrl"])

    def snapshot(self):
        return {"contacts": self.hs_records("contacts"), "Lead": self.sf_records("Lead"),
                "Contact": self.sf_records("Contact")}


def pending_intents(con):
    """The journal's pending intents: rows of `intents`, and the items of the batch calls still
    journaled in `intent_calls` (each item is seven NUL-terminated fields), which a crash left
    and the next run's recovery expands."""
    pending = con.execute("SELECT COUNT(*) FROM intents WHERE state='pending'").fetchone()[0]
    for (items,) in con.execute("SELECT items FROM intent_calls"):
        pending += bytes(items).count(b"\0") // 7
    return pending


def canonical(snapshot):
    """Per object: a multiset of records (as sorted JSON), so order and ids do not matter."""
    return {obj: collections.Counter(json.dumps(r, sort_keys=True) for r in recs)
            for obj, recs in snapshot.items()}


def key_of(record):
    return str(record.get("email", record.get("Email", ""))).lower()


def lost_or_duplicated(expected, actual, limit=6):
    """Empty when every object holds the same number of records with the same emails (each as
    often as expected): nothing duplicated, nothing lost. Else the differences."""
    problems = []
    for obj in expected:
        a = collections.Counter(key_of(r) for r in expected[obj])
        b = collections.Counter(key_of(r) for r in actual.get(obj, []))
        if len(expected[obj]) != len(actual.get(obj, [])):
            problems.append(f"{obj}: {len(actual.get(obj, []))} records, expected {len(expected[obj])}")
        for k in list((b - a).elements())[:limit]:
            problems.append(f"{obj}: duplicated or unexpected record {k}")
        for k in list((a - b).elements())[:limit]:
            problems.append(f"{obj}: lost record {k}")
    return problems


def diff(expected, actual, limit=6):
    """Empty when the snapshots hold the same records; else a readable list of differences."""
    problems = []
    a, b = canonical(expected), canonical(actual)
    for obj in expected:
        ne, na = len(expected[obj]), len(actual.get(obj, []))
        if ne != na:
            problems.append(f"{obj}: {na} records, expected {ne} ({'duplicated' if na > ne else 'lost'})")
        missing = a[obj] - b.get(obj, collections.Counter())
        extra = b.get(obj, collections.Counter()) - a[obj]
        by_email = {}
        for rec in extra.elements():
            r = json.loads(rec)
            by_email.setdefault(str(r.get("email", r.get("Email", "?"))).lower(), []).append(r)
        for rec in list(missing.elements())[:limit]:
            r = json.loads(rec)
            key = str(r.get("email", r.get("Email", "?"))).lower()
            got = by_email.get(key)
            if got:
                d = {k: (r.get(k), got[0].get(k)) for k in set(r) | set(got[0])
                     if r.get(k) != got[0].get(k)}
                problems.append(f"{obj} {key}: differs (expected, actual) {d}")
            else:
                problems.append(f"{obj} {key}: missing {r}")
        if not missing and extra:
            for rec in list(extra.elements())[:limit]:
                problems.append(f"{obj}: unexpected {rec}")
    return problems


def write_config(folder, sandboxes, repo, hs_batch=5, sf_batch=5, extra=""):
    path = os.path.join(folder, "syncline.toml")
    with open(path, "w") as f:
        f.write(f"""rules = ["{repo}/examples/demo"]
state = "{folder}/state.db"
{extra}
[hubspot]
url = "{sandboxes.hs.base}"
token_env = "HS_TOKEN"
batch_size = {hs_batch}
rate_limit = false

[salesforce]
url = "{sandboxes.sf.base}"
token_env = "SF_TOKEN"
batch_size = {sf_batch}
""")
    return path


def env():
    e = dict(os.environ)
    e["HS_TOKEN"] = TOKEN
    e["SF_TOKEN"] = TOKEN
    return e


def run(syncline, config, timeout=120):
    """One `syncline run --once --format json`: (exit code, report or None, stderr)."""
    p = subprocess.run([syncline, "run", "--config", config, "--once", "--format", "json"],
                       env=env(), capture_output=True, text=True, timeout=timeout)
    report = None
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
    return p.returncode, report, p.stderr


def run_and_kill(syncline, config, sandboxes, should_kill, poll_s=0.005, timeout=120):
    """Starts a run and SIGKILLs it as soon as should_kill(total write calls) says so.
    Returns (killed, write calls seen at the kill or at the end)."""
    p = subprocess.Popen([syncline, "run", "--config", config, "--once", "--format", "json"],
                         env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + timeout
    writes = 0
    try:
        while p.poll() is None and time.time() < deadline:
            writes = sum(sandboxes.write_calls())
            if should_kill(writes):
                p.send_signal(signal.SIGKILL)
                p.wait()
                return True, writes
            time.sleep(poll_s)
        return False, sum(sandboxes.write_calls())
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
