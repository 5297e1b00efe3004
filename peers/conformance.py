"""Run the RFC 6455 catalogue against other libraries' echo servers: `python peers/conformance.py [NAME...]`.

For each NAME (default: websockets aiohttp) it starts `peers/NAME_echo.py --port 0`, waits for its ready
line, runs `python -m harness run --target ws://127.0.0.1:PORT/ --drafts rfc6455 --agents python
--exclude-tag reference-server --out reports/peers/NAME`, then stops the server. What is left out, and why:
the cases tagged `reference-server` (the seed's subprotocols, broadcast room and chat page, 20.*, 21.*, 30.*,
and the handshake checks 0.1.5 and 0.5.3 that name the reference server's own answers) are behaviours of
the reference server, not of RFC 6455; another server fails them by nature. Category 11 needs no exclusion:
in rfc6455 only its RFC rules run.

Exit status: 0 when every run finished (FAILED verdicts are findings, see docs/conformance-notes.md), else
the first failing run's status (2: bad options or case files, 3: the peer did not start). The peer's own
log goes to reports/peers/NAME/server.log.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = ("websockets", "aiohttp")
EXCLUDE_TAGS = ("reference-server",)
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


class NoPeer(Exception):
    """The echo server did not print its ready line."""


@contextlib.contextmanager
def started_peer(name: str, log: Path, *options: str) -> Iterator[tuple[str, str]]:
    """peers/NAME_echo.py on a free loopback port (with `options`, e.g. --deflate), its log in `log`:
    yields its ready line (with the library's version) and its URL; stopped on the way out."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as err:  # the library's own log: tracebacks of failed connections
        server = HERE / f"{name}_echo.py"
        proc = subprocess.Popen(
            [sys.executable, str(server), "--port", "0", *options], stdout=subprocess.PIPE, stderr=err, text=True
        )
        try:
            line = first_line(proc, START_TIMEOUT)
            match = READY.search(line)
            if match is None:
                raise NoPeer(f"{name}: the echo server did not start (it printed {line!r})")
            yield line.strip(), match[1]
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def harness_run(url: str, out: Path, *options: str) -> int:
    """`python -m harness run` against `url` in rfc6455 with the python agent; its exit status."""
    command = [sys.executable, "-m", "harness", "run", "--target", url, "--drafts", "rfc6455", "--agents", "python"]
    return subprocess.run([*command, "--out", str(out), *options], check=False).returncode


def run_peer(name: str, out: Path, extra: list[str]) -> int:
    try:
        with started_peer(name, out / name / "server.log") as (line, url):
            print(f"== {line}", flush=True)
            return harness_run(url, out / name, *extra, "--exclude-tag", *EXCLUDE_TAGS)
    except NoPeer as exc:
        print(exc, file=sys.stderr)
        return EXIT_NO_PEER


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
