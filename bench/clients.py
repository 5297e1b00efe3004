"""Time the server-side catalogue against clients under test (issue 11's target: the `wire` subject's whole
catalogue, all six drafts, under 60 s; a browser subject on rfc6455 under 3 min).

The long compression cases (12/13 .5-18, harness.cases.loader.LONG_CASES) are left out by default, as make
report leaves them out: they came after that target, and a browser that offers permessage-deflate spends
some 10 minutes on them alone (docs/clients.md). `--exclude` with no pattern runs everything.

A script, not a test: it prints figures. It runs `python -m harness clients --subjects NAME` as a user
would (the fuzzing server in-process, each draft's testee a subprocess, one report written to a temporary
directory), and prints the wall time of the whole command with the line of verdicts it ends with. A FAILED
verdict is a finding on the subject, not a failed benchmark: the exit status is 1 only when the command
itself failed (usage, or a run that could not start).

    python bench/clients.py [--subjects wire] [--drafts all] [--exclude [ID ...]]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

from harness.cases.loader import LONG_CASES


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--subjects", default="wire", help="comma-separated subjects, each timed on its own (default wire)")
    p.add_argument("--drafts", default="all", help="drafts to run (default all: each subject's own)")
    p.add_argument(
        "--exclude",
        nargs="*",
        default=list(LONG_CASES),
        metavar="ID",
        help="ids or globs to leave out (default: the long compression cases, as make report does; alone: none)",
    )
    args = p.parse_args()
    left_out = f", without {' '.join(args.exclude)}" if args.exclude else ", every case"
    status = 0
    for subject in args.subjects.split(","):
        with tempfile.TemporaryDirectory(prefix="wsinterop-bench-clients-") as out:
            argv = [sys.executable, "-m", "harness", "clients", "--subjects", subject, "--drafts", args.drafts]
            argv += ["--exclude", *args.exclude] if args.exclude else []
            started = time.monotonic()
            done = subprocess.run([*argv, "--out", out], capture_output=True, text=True, check=False)
            wall = time.monotonic() - started
        last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[-200:]
        print(f"clients {subject} ({args.drafts}{left_out}): {wall:.1f} s wall; {last}")
        status = status or int(done.returncode not in (0, 1))
    return status


if __name__ == "__main__":
    sys.exit(main())
