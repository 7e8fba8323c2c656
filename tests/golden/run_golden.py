#!/usr/bin/env python3
"""Runs one golden test: a .sync file whose trailing `// CHECK:...` comments hold the
expected output of `syncline check` on it.

  // ARGS: --emit=ast          extra arguments (default: none); the file path is appended
  // CHECK:STDOUT: <line>      expected standard output, line by line
  // CHECK:STDERR: <line>      expected standard error, line by line

A file named fail_*.sync must exit 1 (errors found); any other must exit 0. With
--autoupdate the CHECK lines are rewritten from the actual output.
"""
import os
import subprocess
import sys

MARKERS = ("// CHECK:STDOUT:", "// CHECK:STDERR:")


def split(text):
    """Returns (body, args, stdout lines, stderr lines)."""
    body, out, err, args = [], [], [], []
    exit_code = [None]
    for line in text.split("\n"):
        if line.startswith("// CHECK:STDOUT:"):
            out.append(line[len("// CHECK:STDOUT:"):][1:] if len(line) > 16 else "")
        elif line.startswith("// CHECK:STDERR:"):
            err.append(line[len("// CHECK:STDERR:"):][1:] if len(line) > 16 else "")
        else:
            if line.startswith("// ARGS:"):
                args = line[len("// ARGS:"):].split()
            if line.startswith("// EXIT:"):
                exit_code[0] = int(line[len("// EXIT:"):])
            body.append(line)
    while body and body[-1] == "":
        body.pop()
    return "\n".join(body) + "\n", args, out, err, exit_code[0]


def main():
    autoupdate = "--autoupdate" in sys.argv
    argv = [a for a in sys.argv[1:] if a != "--autoupdate"]
    syncline, path = argv[0], argv[1]
    directory, name = os.path.split(os.path.abspath(path))
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    body, args, want_out, want_err, want_exit = split(text)
    # Run from the file's folder with a relative path, so output never holds absolute paths.
    proc = subprocess.run([syncline, "check", "--color=never", *args, name], cwd=directory,
                          capture_output=True, timeout=120)
    proc.stdout = proc.stdout.decode("utf-8", "surrogateescape")
    proc.stderr = proc.stderr.decode("utf-8", "surrogateescape")
    got_out = proc.stdout.rstrip("\n").split("\n") if proc.stdout.strip() else []
    got_err = proc.stderr.rstrip("\n").split("\n") if proc.stderr.strip() else []
    expect_fail = name.startswith("fail_")
    if autoupdate:
        lines = [body.rstrip("\n"), ""]
        lines += ["// CHECK:STDOUT: " + l if l else "// CHECK:STDOUT:" for l in got_out]
        lines += ["// CHECK:STDERR: " + l if l else "// CHECK:STDERR:" for l in got_err]
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write("\n".join(lines).rstrip("\n") + "\n")
    problems = []
    want_code = want_exit if want_exit is not None else (1 if expect_fail else 0)
    if proc.returncode != want_code:
        problems.append(f"exit code {proc.returncode}, expected {want_code}"
                        + (" (fail_ files must have errors)" if expect_fail else
                           " (only fail_ files may have errors)"))
    if not autoupdate:
        for label, want, got in (("stdout", want_out, got_out), ("stderr", want_err, got_err)):
            if want != got:
                import difflib
                diff = "\n".join(difflib.unified_diff(want, got, "expected " + label,
                                                      "actual " + label, lineterm=""))
                problems.append(f"{label} differs:\n{diff}")
    if problems:
        print(f"FAIL {path}")
        for p in problems:
            print(p)
        print("(run tests/golden/update.sh to rewrite expectations, then review the diff)")
        return 1
    print(f"ok {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
