"""`python -m interop`: the interop matrix (docs/interop.md). Exit 0 when the matrix was written, 2 for bad
options; a peer that fails to install or start is a cell of the matrix, not a failed command.
`python -m interop merge DIR... --out DIR` joins the matrices of `--shard K/N` runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.cli.shard import Shard

from .main import Options, run, write
from .merge import MergeError, merge
from .spec import CLIENTS, SERVERS

MERGE_EXIT_CODES = """exit status:
  0    merged
  2    refused: other catalogues, shards of different splits, a server or client in two matrices
  3    merged, but incomplete: a shard is missing
"""


def _shard(value: str) -> Shard:
    try:
        return Shard.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _names(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def parser() -> argparse.ArgumentParser:
    servers = ", ".join(s.name for s in SERVERS)
    clients = ", ".join(c.name for c in CLIENTS)
    p = argparse.ArgumentParser(
        prog="python -m interop",
        description="Install real WebSocket implementations (pip, npm, apt), start each on loopback with an "
        "echo endpoint, probe and run the catalogue against each in every draft, run the server-side catalogue "
        "against each client under test (python -m harness clients) in every draft it speaks, and write "
        "reports/interop/ (index.html, summary.md, matrix.json). "
        "`python -m interop merge DIR... --out DIR` joins the matrices of --shard runs.",
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
        "--shard",
        type=_shard,
        metavar="K/N",
        help="run only slice K of N of the servers and clients (deterministic, balanced by --durations, else by "
        "count); join the N matrices with `python -m interop merge`",
    )
    p.add_argument(
        "--durations",
        type=Path,
        metavar="MATRIX_JSON",
        help="an earlier matrix.json: how long each server and client took, to balance shards by",
    )
    p.add_argument(
        "--exclude", nargs="+", default=[], metavar="PATTERN", help="more case ids to leave out of peer runs"
    )
    p.add_argument(
        "--deflate-full",
        action="store_true",
        help="the compression rows (NAME-deflate) run every 12.* and 13.* case, not only 12.x.1-4 and 13.x.1-4 "
        f"(216 cases x 1,000 messages: minutes per peer), with a ceiling of at least {Options.full_ceiling:g} s "
        "per run",
    )
    return p


def merge_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m interop merge",
        description="One interop matrix (index.html, summary.md, matrix.json, the catalogue runs and logs) "
        "from the output directories of `python -m interop --shard K/N` runs.",
        epilog=MERGE_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="an interop output directory (matrix.json)")
    p.add_argument("--out", type=Path, required=True, help="directory of the merged matrix")
    return p


def merge_main(argv: list[str]) -> int:
    args = merge_parser().parse_args(argv)
    try:
        matrix, missing = merge(args.dirs, args.out)
    except MergeError as exc:
        print(f"cannot merge: {exc}", file=sys.stderr)
        return 2
    write(matrix, args.out)
    for reason in missing:
        print(f"incomplete: {reason}", file=sys.stderr)
    print(f"matrix: {args.out / 'index.html'} ({len(matrix.peers)} servers, {len(matrix.clients)} clients)")
    return 3 if missing else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["merge"]:
        return merge_main(argv[1:])
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
        deflate_full=args.deflate_full,
        shard=args.shard,
        durations=args.durations,
    )
    try:
        return run(options)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
