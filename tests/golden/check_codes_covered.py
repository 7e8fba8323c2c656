#!/usr/bin/env python3
"""Fails when a diagnostic code has no documentation page or no test that shows it.

Every code in compiler/diagnostics/diagnostic_codes.def needs docs/diagnostics/<code>.md, and
must appear as `error[<code>]`/`warning[<code>]` in a golden test expectation, or be named in
a unit test under tests/unit/ (for codes no rule file can produce, such as unreadable files).
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
codes = re.findall(r"^X\((\w\d{4}),", (root / "compiler/diagnostics/diagnostic_codes.def").read_text(), re.M)
golden = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in (root / "tests/golden").rglob("*.sync"))
unit = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in (root / "tests/unit").rglob("*.cpp"))
missing_tests, missing_docs = [], []
for code in codes:
    if f"[{code}]" not in golden and f"Code::{code}" not in unit:
        missing_tests.append(code)
    if not (root / "docs/diagnostics" / f"{code}.md").is_file():
        missing_docs.append(code)
if missing_tests:
    print("codes with no test:", " ".join(missing_tests))
if missing_docs:
    print("codes with no docs/diagnostics page:", " ".join(missing_docs))
print(f"{len(codes)} codes, {len(codes) - len(missing_tests)} tested, {len(codes) - len(missing_docs)} documented")
sys.exit(1 if missing_tests or missing_docs else 0)
