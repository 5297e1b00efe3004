"""`python -m harness run|list|ping|merge|catalogue|fuzzingserver|clients`: the command line of wsinterop."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from wire import Draft

from .. import agents, ping
from ..cases.loader import CaseFileError, load_catalogue, select
from ..run.target import Target, Trust
from . import catalogue, clients, merge
from .preflight import SILENT_LIMIT
from .runner import EXIT_INTERRUPTED, EXIT_USAGE, RunOptions, run
from .shard import Shard

DEFAULT_CATALOGUE = Path("cases")
EXIT_CODES = """exit status:
  0    nothing FAILED
  1    at least one case x draft x agent FAILED (behaviour or close)
  2    bad options or case files: nothing was run
  3    the run could not start or was stopped: the reference server did not come up, no agent started,
       or the target answers no handshake (the partial report is still written)
  130  interrupted; the partial report is still written

The last line of output is one line for a CI log: PASSED, FAILED, STOPPED or INTERRUPTED, then the counts.
"""


def _drafts(value: str) -> tuple[Draft, ...]:
    if value == "all":
        return tuple(Draft)
    try:
        return tuple(Draft.parse(v) for v in value.split(",") if v.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _target(value: str) -> str:
    try:
        return Target.parse(value).url
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _shard(value: str) -> Shard:
    try:
        return Shard.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _agents(value: str) -> tuple[str, ...]:
    try:
        return agents.parse_names(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _catalogue_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--catalogue",
        type=Path,
        action="append",
        help="case files or directories (repeatable; default: ./cases)",
    )
    p.add_argument("--cases", nargs="+", default=[], metavar="PATTERN", help="case ids to run, globs allowed: '5.*'")
    p.add_argument("--exclude", nargs="+", default=[], metavar="PATTERN", help="case ids to skip, globs allowed")
    p.add_argument(
        "--tag", nargs="+", default=[], metavar="TAG", help="only cases with one of these tags (autobahn, ...)"
    )
    p.add_argument(
        "--exclude-tag", nargs="+", default=[], metavar="TAG", help="skip cases with these tags (reference-server, ...)"
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m harness",
        description="wsinterop: WebSocket conformance and interop harness for every draft, hixie-75 to RFC 6455.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser(
        "run",
        help="run the catalogue and write a report",
        description="Run the YAML case catalogue against a target (by default the reference server, "
        "started on a free loopback port) in every selected draft with every selected agent, and "
        "write reports/<run-id>/ (index.html, index.json, junit.xml, summary.md, one page per draft).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("--target", type=_target, help="a ws:// or wss:// URL to test instead of the reference server")
    tls = r.add_argument_group("TLS", "A wss:// target's certificate is checked against the system's CAs by default.")
    tls.add_argument(
        "--ca", type=Path, metavar="PEM", help="wss://: trust this CA (e.g. the server's --tls-self-signed ca.pem)"
    )
    tls.add_argument("--insecure", action="store_true", help="wss://: do not check the target's certificate")
    tls.add_argument(
        "--tls",
        action="store_true",
        help="without --target: start the reference server with TLS (a CA and certificate made for the run) "
        "and test its wss:// port",
    )
    r.add_argument(
        "--drafts",
        type=_drafts,
        default=tuple(Draft),
        help="comma-separated drafts, or 'all' (default): " + ", ".join(d.value for d in Draft),
    )
    r.add_argument(
        "--agents",
        type=_agents,
        default=("python",),
        help="comma-separated agents (default: python): "
        + "; ".join(f"{a.name}: {a.summary}" for a in agents.REGISTRY.values()),
    )
    _catalogue_arg(r)
    r.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 2, help="cases at once (default: CPUs)")
    r.add_argument("--out", type=Path, default=Path("reports"), help="report directory (default: reports)")
    r.add_argument("--verbose", "-v", action="store_true", help="a line per result, not only per FAILED")
    r.add_argument(
        "--shard",
        type=_shard,
        metavar="K/N",
        help="run only slice K of N: a deterministic split of the case x draft x agent items, balanced by "
        "--durations (else by count); merge the N reports with `python -m harness merge`",
    )
    r.add_argument(
        "--durations",
        type=Path,
        metavar="INDEX_JSON",
        help="an earlier run's index.json (or its directory): the expected duration of each item, to balance "
        "shards by; give every shard the same file",
    )
    r.add_argument("--junit-only", action="store_true", help="write only junit.xml (no HTML, JSON or summary)")
    r.add_argument(
        "--give-up-after",
        type=int,
        default=SILENT_LIMIT,
        metavar="N",
        help=f"stop the run (exit 3) after N items in a row whose handshake got no answer (default {SILENT_LIMIT}; "
        "0: never); a --target is also checked with one handshake before the first item",
    )

    lst = sub.add_parser("list", help="list the cases: id, title, drafts")
    _catalogue_arg(lst)

    pg = sub.add_parser("ping", help=ping.DESCRIPTION, description=ping.DESCRIPTION)
    ping.add_arguments(pg)

    m = sub.add_parser(
        "merge",
        help=merge.HELP,
        description=merge.DESCRIPTION,
        epilog=merge.EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    merge.add_arguments(m)

    cat = sub.add_parser(
        "catalogue", help="print docs/catalogue.md from the case files", description=catalogue.DESCRIPTION
    )
    catalogue.add_arguments(cat)

    fz = sub.add_parser("fuzzingserver", help=clients.FUZZ_HELP, description=clients.FUZZ_HELP)
    clients.add_fuzzingserver_arguments(fz)
    cl = sub.add_parser("clients", help=clients.CLIENTS_HELP, description=clients.CLIENTS_HELP)
    clients.add_clients_arguments(cl)

    sch = sub.add_parser("schema", help="print the case files' JSON Schema", description=catalogue.SCHEMA_DESCRIPTION)
    catalogue.add_schema_arguments(sch)
    return p


def list_cases(args: argparse.Namespace) -> int:
    try:
        loaded = load_catalogue(args.catalogue or [DEFAULT_CATALOGUE], agents.REGISTRY)
        cases = select(loaded, args.cases, args.exclude, args.tag, args.exclude_tag)
    except CaseFileError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    for case in cases:
        tags = f"  ({', '.join(case.info.tags)})" if case.info.tags else ""
        print(f"{case.id:<12} {case.info.title}  [{', '.join(case.drafts)}]{tags}")
    print(f"{len(cases)} cases", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "list":
        return list_cases(args)
    if args.command == "ping":
        return ping.main(args)
    if args.command == "catalogue":
        return catalogue.command(args)
    if args.command == "schema":
        return catalogue.schema_command(args)
    if args.command == "merge":
        return merge.command(args)
    if args.command == "fuzzingserver":
        return clients.fuzzingserver_command(args)
    if args.command == "clients":
        return clients.clients_command(args)
    if args.jobs < 1:
        print("--jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if args.give_up_after < 0:
        print("--give-up-after must be 0 (never) or more", file=sys.stderr)
        return EXIT_USAGE
    if args.tls and args.target:
        print("--tls starts the reference server with TLS; a --target says wss:// itself", file=sys.stderr)
        return EXIT_USAGE
    try:
        secure = args.target is not None and Target.parse(args.target).secure
        trust = Trust.of_options(args.ca, args.insecure, secure)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    options = RunOptions(
        catalogue=tuple(args.catalogue or [DEFAULT_CATALOGUE]),
        target=args.target,
        drafts=args.drafts,
        agents=args.agents,
        cases=tuple(args.cases),
        exclude=tuple(args.exclude),
        tags=tuple(args.tag),
        exclude_tags=tuple(args.exclude_tag),
        jobs=args.jobs,
        out=args.out,
        verbose=args.verbose,
        shard=args.shard,
        durations=args.durations,
        junit_only=args.junit_only,
        give_up_after=args.give_up_after,
        trust=trust,
        tls=args.tls,
    )
    try:
        return asyncio.run(run(options))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
