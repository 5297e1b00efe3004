"""Wall time of the harness against Autobahn|Testsuite on the same server: categories 1 to 10, RFC 6455.

`.venv/bin/python bench/harness_vs_autobahn.py` starts one websockets echo server (peers/websockets_echo.py)
and, in the same session, runs against it:
- ours: `python -m harness run --drafts rfc6455 --agents python --cases 1.* ... 10.*` (a subprocess, as a
  user runs it: start-up and report writing included);
- Autobahn: `wstest -m fuzzingclient` on cases 1.* to 10.* (its 301 cases), from the venv that
  shared/tools/autobahn/setup.sh builds (AUTOBAHN_HOME, default ~/.cache/autobahn-testsuite). Its spec
  offers the subprotocol "echo", as every case of ours does: the websockets peer refuses a client that
  offers none.
Prints both wall times and their ratio (ours / Autobahn: at most 1.0 is the target), and the verdict
counts of each. Loopback only; writes its reports to a temporary directory; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = [f"{n}.*" for n in range(1, 11)]
READY = re.compile(r"ready on (ws://\S+)")
AUTOBAHN_HOME = Path(os.environ.get("AUTOBAHN_HOME", Path.home() / ".cache" / "autobahn-testsuite"))
WSTEST = AUTOBAHN_HOME / "venv" / "bin" / "wstest"
CEILING = 900.0  # seconds for one run (a ceiling, never a wait)


def timed(argv: list[str], cwd: Path) -> float:
    """Seconds `argv` ran (its exit status is no matter: a run with FAILED cases exits 1)."""
    started = time.perf_counter()
    subprocess.run(argv, check=False, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=CEILING)
    return time.perf_counter() - started


def counts(index: Path, agent_level: bool) -> str:
    """The verdict counts of a report's index.json: behaviour / close behaviour."""
    data = json.loads(index.read_text())
    cases = next(iter(data.values()))
    if agent_level:  # ours: {agent: {draft: {case: ...}}}
        cases = next(iter(cases.values()))
    tally = Counter(f"{c['behavior']}/{c['behaviorClose']}" for c in cases.values())
    return f"{len(cases)} cases: " + ", ".join(f"{n} {v}" for v, n in tally.most_common())


def run_ours(url: str, out: Path) -> tuple[float, str]:
    argv = [sys.executable, "-m", "harness", "run", "--target", url, "--drafts", "rfc6455", "--agents", "python"]
    seconds = timed([*argv, "--cases", *CATEGORIES, "--out", str(out)], ROOT)
    return seconds, counts(out / "latest" / "index.json", agent_level=True)


def run_autobahn(url: str, out: Path) -> tuple[float, str]:
    spec = {
        "outdir": str(out / "reports"),
        "servers": [{"agent": "websockets", "url": url, "protocols": ["echo"]}],
        "cases": CATEGORIES,
        "exclude-cases": [],
        "exclude-agent-cases": {},
    }
    out.mkdir(parents=True)
    (out / "spec.json").write_text(json.dumps(spec))
    seconds = timed([str(WSTEST), "-m", "fuzzingclient", "-s", str(out / "spec.json")], out)
    return seconds, counts(out / "reports" / "index.json", agent_level=False)


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None).parse_args()
    if not WSTEST.exists():
        print(f"Autobahn is not installed ({WSTEST}): run shared/tools/autobahn/setup.sh first", file=sys.stderr)
        return 2
    peer = subprocess.Popen(
        [sys.executable, str(ROOT / "peers" / "websockets_echo.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert peer.stdout is not None
        ready = READY.search(peer.stdout.readline())
        if ready is None:
            print("the websockets echo server did not start", file=sys.stderr)
            return 3
        url = ready[1]
        print(f"server: {ready.string.strip()}; categories 1 to 10, RFC 6455, one case at a time for Autobahn")
        with tempfile.TemporaryDirectory() as tmp:
            ours, our_counts = run_ours(url, Path(tmp) / "ours")
            theirs, their_counts = run_autobahn(url, Path(tmp) / "autobahn")
    finally:
        peer.terminate()
        peer.wait(30)
    print(f"wsinterop  {ours:6.1f} s  ({our_counts})")
    print(f"Autobahn   {theirs:6.1f} s  ({their_counts})")
    print(f"ratio wsinterop/Autobahn {ours / theirs:.2f} (target: at most 1.00)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
