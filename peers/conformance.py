"""Run the RFC 6455 catalogue against other libraries' echo servers: `python peers/conformance.py [NAME...]`.

For each NAME (default: websockets aiohttp) it starts `peers/NAME_echo.py --port 0`, waits for its ready
line, runs `python -m harness run --target ws://127.0.0.1:PORT/ --drafts rfc6455 --agents python
--exclude ... --out reports/peers/NAME`, then stops the server. What is left out, and why:

- 20.*, 21.* and 30.*: the seed's subprotocols, broadcast room and chat page are behaviours of the reference
  server (category 20's own header says so), not of RFC 6455; another server fails them by nature.
- 0.1.5 and 0.5.3: two handshake checks that name the reference server's own answers (the versions it lists,
  the seed subprotocol it selects).
- Category 11 needs no exclusion: in rfc6455 only its one RFC rule (11.4.2, an unmasked frame) runs.

Exit status: 0 when every run finished (FAILED verdicts are findings, see docs/conformance-notes.md), else
the first failing run's status (2: bad options or case files, 3: the peer did not start). The peer's own
log goes to reports/peers/NAME/server.log.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = ("websockets", "aiohttp")
EXCLUDE = ("20.*", "21.*", "30.*", "0.1.5", "0.5.3")
READY = re.compile(r"ready on (ws://\S+)")
START_TIMEOUT = 20.0
EXIT_NO_PEER = 3


def first_line(proc: subprocess.Popen[str], timeout: float) -> str:
    """The first line the process prints, or "" when `timeout` passes first."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(proc.stdout.readline() if proc.stdout else ""))
    reader.daemon = True
    reader.start()
    reader.join(timeout)
    return lines[0] if lines else ""


def run_peer(name: str, out: Path, extra: list[str]) -> int:
    server = HERE / f"{name}_echo.py"
    (out / name).mkdir(parents=True, exist_ok=True)
    log = (out / name / "server.log").open("ab")  # the library's own log: tracebacks of failed connections
    proc = subprocess.Popen([sys.executable, str(server), "--port", "0"], stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = first_line(proc, START_TIMEOUT)
        match = READY.search(line)
        if match is None:
            print(f"{name}: the echo server did not start (it printed {line!r})", file=sys.stderr)
            return EXIT_NO_PEER
        print(f"== {line.strip()}", flush=True)
        command = [
            sys.executable,
            "-m",
            "harness",
            "run",
            "--target",
            match[1],
            "--drafts",
            "rfc6455",
            "--agents",
            "python",
            "--exclude",
            *EXCLUDE,
            "--out",
            str(out / name),
            *extra,
        ]
        return subprocess.run(command, check=False).returncode
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run the RFC 6455 catalogue against peers/NAME_echo.py servers.",
        epilog="Options after -- go to `python -m harness run` (e.g. -- --cases '9.*' --jobs 4).",
    )
    parser.add_argument("names", nargs="*", default=list(PEERS), help=f"peers (default: {' '.join(PEERS)})")
    parser.add_argument("--out", type=Path, default=Path("reports/peers"), help="reports/peers/NAME (default)")
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    status = 0
    for name in args.names:
        code = run_peer(name, args.out, extra)
        if code > 1 and status == 0:
            status = code
    return status


if __name__ == "__main__":
    sys.exit(main())
