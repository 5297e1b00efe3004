"""`python -m interop`: the interop matrix (docs/interop.md). Exit 0 when the matrix was written, 2 for bad
options; a peer that fails to install or start is a cell of the matrix, not a failed command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .main import Options, run
from .spec import CLIENTS, SERVERS


def _names(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def parser() -> argparse.ArgumentParser:
    servers = ", ".join(s.name for s in SERVERS)
    clients = ", ".join(c.name for c in CLIENTS)
    p = argparse.ArgumentParser(
        prog="python -m interop",
        description="Install real WebSocket implementations (pip, npm, apt), start each on loopback with an "
        "echo endpoint, probe and run the catalogue against each in every draft, run real clients against the "
        "reference server, and write reports/interop/ (index.html, summary.md, matrix.json).",
    )
    p.add_argument("--out", type=Path, default=Path("reports/interop"), help="output directory")
    p.add_argument("--servers", type=_names, default=(), help=f"comma-separated subset of: {servers}")
    p.add_argument("--clients", type=_names, default=(), help=f"comma-separated subset of: {clients}")
    p.add_argument("--no-servers", action="store_true", help="skip the server half")
    p.add_argument("--no-clients", action="store_true", help="skip the client half")
    p.add_argument("--no-install", action="store_true", help="install nothing; what is missing is an error cell")
    p.add_argument("--ceiling", type=float, default=240.0, help="seconds per catalogue run before it is stopped")
    p.add_argument(
        "--all-drafts",
        action="store_true",
        help="run the catalogue after any 101, even when the probe's test message was not echoed",
    )
    p.add_argument(
        "--exclude", nargs="+", default=[], metavar="PATTERN", help="more case ids to leave out of peer runs"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    unknown = [n for n in args.servers if n not in {s.name for s in SERVERS}]
    unknown += [n for n in args.clients if n not in {c.name for c in CLIENTS}]
    if unknown:
        print(f"unknown implementation {unknown[0]!r} (see --help)", file=sys.stderr)
        return 2
    options = Options(
        out=args.out,
        servers=args.servers,
        clients=args.clients,
        skip_servers=args.no_servers,
        skip_clients=args.no_clients,
        install=not args.no_install,
        ceiling=args.ceiling,
        all_drafts=args.all_drafts,
        exclude=tuple(args.exclude),
    )
    try:
        return run(options)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
