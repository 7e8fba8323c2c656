#!/usr/bin/env python3
"""Checks the rule examples in the docs: every ```sync block must pass `syncline check`
(warnings allowed) and every ```sync-fail block must be rejected with exit status 1."""
import pathlib
import re
import subprocess
import sys
import tempfile

syncline, root = sys.argv[1], pathlib.Path(sys.argv[2])
failures = 0
count = 0
for doc in sorted((root / "docs").rglob("*.md")):
    for i, (kind, body) in enumerate(re.findall(r"```(sync|sync-fail)\n(.*?)```", doc.read_text(), re.S)):
        count += 1
        with tempfile.NamedTemporaryFile("w", suffix=".sync", delete=False) as f:
            f.write(body)
        proc = subprocess.run([syncline, "check", "--color=never", f.name], capture_output=True, text=True)
        want = 1 if kind == "sync-fail" else 0
        if proc.returncode != want:
            failures += 1
            print(f"{doc.relative_to(root)} example {i + 1} ({kind}): exit {proc.returncode}, expected {want}")
            print(proc.stderr)
        pathlib.Path(f.name).unlink()
print(f"{count} examples, {failures} failing")
sys.exit(1 if failures or count == 0 else 0)
