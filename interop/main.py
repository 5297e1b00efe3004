"""The whole interop run: install, then per server start / probe / catalogue per draft / stop, then the
client half (the server-side catalogue against each client under test, by `python -m harness clients`), then
reports/interop/{index.html, summary.md, matrix.json}.
With a shard (K/N), only this slice of the servers and clients runs; `python -m interop merge` joins the
N matrices."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO, TypeVar

from harness import subjects
from harness.cases.loader import case_files
from harness.cli.shard import Shard, catalogue_fingerprint, fingerprint, partition
from wire import Draft

from . import versions
from .install import build_jetty, install, missing
from .model import DRAFTS, ClientResult, DraftRun, Matrix, PeerResult, from_json, to_json
from .probe import probe
from .process import HOST, PeerProcess, StartError, command_text, free_port
from .render_html import index_html
from .render_md import summary_md
from .runs import clients_argv, harness_argv, run_draft
from .selection import catalogue_for, excludes, selection_args
from .spec import CLIENTS, DEFLATE_OFFER, SERVERS, ClientSpec, Context, Need, ServerSpec

Say = Callable[[str], None]


@dataclass(frozen=True)
class Options:
    out: Path = Path("reports/interop")
    servers: tuple[str, ...] = ()  # names; empty: all
    clients: tuple[str, ...] = ()
    skip_servers: bool = False
    skip_clients: bool = False
    install: bool = True
    ceiling: float = 240.0  # seconds per harness run against a server
    client_ceiling: float = 600.0  # seconds per `harness clients` run (a browser's catalogue takes minutes)
    all_drafts: bool = False  # run the catalogue after a 101 even when the test message was not echoed
    exclude: tuple[str, ...] = ()  # more case patterns to leave out of peer runs
    deflate_full: bool = False  # the compression rows run every 12.* and 13.* case, not only 12.x.1-4, 13.x.1-4
    full_ceiling: float = 1800.0  # seconds per compression run with deflate_full (216 cases x 1,000 messages)
    shard: Shard | None = None
    durations: Path | None = None  # an earlier matrix.json: the expected time of each server and client


@dataclass(frozen=True)
class Slice:
    servers: list[ServerSpec]
    clients: list[ClientSpec]
    partition: str = ""
    note: str = ""


def unit_durations(path: Path) -> dict[str, int]:
    """Milliseconds per server ("server:NAME") and client ("client:NAME") from an earlier matrix.json;
    ValueError with a one-line reason when it cannot be read."""
    try:
        matrix = from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"--durations {path}: cannot read a matrix.json: {exc}") from None
    durations = {f"server:{p.name}": sum(r.wall for r in p.runs) for p in matrix.peers if p.runs}
    durations |= {f"client:{c.name}": sum(r.wall for r in c.runs) for c in matrix.clients if c.runs}
    return {unit: max(1, round(seconds * 1000)) for unit, seconds in durations.items()}


def shard_of(servers: list[ServerSpec], clients: list[ClientSpec], options: Options) -> Slice:
    """This shard's servers and clients: each is one unit, dealt as `python -m harness run --shard` deals
    items (balanced by --durations, else by count)."""
    if options.shard is None:
        return Slice(servers, clients)
    units = [f"server:{s.name}" for s in servers] + [f"client:{c.name}" for c in clients]
    durations = unit_durations(options.durations) if options.durations else {}
    mine = set(partition(units, options.shard.count, durations)[options.shard.index - 1])
    basis = f"the durations in {options.durations}" if options.durations else "count"
    note = f"shard {options.shard}: {len(mine)} of {len(units)} servers and clients (balanced by {basis})"
    return Slice(
        [s for s in servers if f"server:{s.name}" in mine],
        [c for c in clients if f"client:{c.name}" in mine],
        fingerprint(units, options.shard.count, durations),
        note,
    )


def progress(stream: TextIO = sys.stdout) -> Say:
    started = time.monotonic()

    def say(text: str) -> None:
        stream.write(f"[{time.monotonic() - started:6.1f}s] {text}\n")
        stream.flush()

    return say


Spec = TypeVar("Spec", ServerSpec, ClientSpec)


def selected(specs: Sequence[Spec], names: Sequence[str], skip: bool) -> list[Spec]:
    if skip:
        return []
    return [s for s in specs if not names or s.name in names]


def install_errors(
    ctx: Context, specs: Sequence[ServerSpec | ClientSpec], options: Options, say: Say
) -> dict[Need, str]:
    needs = [n for s in specs for n in s.needs]
    if options.install:
        return install(ctx, needs, say)
    return {n: "not installed (--no-install)" for n in dict.fromkeys(needs) if missing(ctx, n)}


def _errors_of(spec: ServerSpec | ClientSpec, errors: dict[Need, str]) -> list[str]:
    return [f"{n.package}: {errors[n]}" for n in spec.needs if n in errors]


def run_server(ctx: Context, spec: ServerSpec, errors: dict[Need, str], options: Options, say: Say) -> PeerResult:
    result = PeerResult(spec.name, spec.title, version=versions.describe(ctx, spec), notes=list(spec.notes))
    result.excluded = [
        *excludes(spec, options.deflate_full),
        *((p, "left out with --exclude") for p in options.exclude),
    ]
    problems = _errors_of(spec, errors)
    if spec.prepare == "jetty" and not problems and (error := build_jetty(ctx, say)):
        problems.append(f"javac: {error}")
    if problems:
        result.error = "install failed: " + "; ".join(problems)
        say(f"{spec.title}: {result.error}")
        return result
    port = free_port()
    argv = spec.command(ctx, port)
    result.command = command_text(argv, ctx.root)
    result.url = f"ws://{HOST}:{port}{spec.path}"
    peer = PeerProcess(argv, port, ctx.out / "logs" / f"{spec.name}.log", ctx.root)
    say(f"{spec.title} ({result.version}): {result.command}")
    try:
        peer.start()
    except StartError as exc:
        result.error = f"did not start: {exc}"
        say(f"  {result.error}")
        return result
    try:
        _probe_and_run(ctx, spec, peer, result, options, say)
    finally:
        peer.stop()
    return result


def probed_drafts(spec: ServerSpec) -> tuple[Draft, ...]:
    """Every draft; a compression row only RFC 6455 (RFC 7692 is an RFC 6455 extension; the plain row of the
    same server has the other drafts' answers)."""
    return (Draft.RFC6455,) if spec.deflate else tuple(Draft)


def run_ceiling(spec: ServerSpec, options: Options) -> float:
    """Seconds a catalogue run against `spec` may take: --ceiling, and for a compression row with
    --deflate-full at least `full_ceiling` (its 216 long cases take minutes)."""
    return max(options.ceiling, options.full_ceiling) if spec.deflate and options.deflate_full else options.ceiling


def _probe_and_run(
    ctx: Context, spec: ServerSpec, peer: PeerProcess, result: PeerResult, options: Options, say: Say
) -> None:
    offer = DEFLATE_OFFER if spec.deflate else ""
    for draft in probed_drafts(spec):
        found = probe(HOST, peer.port, spec.path, draft, spec.protocol, extensions=offer)
        result.probes.append(found)
        say(f"  probe {draft.value}: {found.label()}")
    catalogue = catalogue_for(spec, ctx.root / "cases", ctx.build)
    select = selection_args(spec, result.excluded)
    ceiling = run_ceiling(spec, options)
    for found in result.probes:
        if not found.accepted:
            continue
        if found.outcome == "invalid" or found.deflate_refused or (not found.echoed and not options.all_drafts):
            result.runs.append(DraftRun(found.draft, note=f"not run: {found.label()}"))
            continue
        if peer.proc is not None and peer.proc.poll() is not None:
            note = f"exited with status {peer.proc.returncode} before the {found.draft} run"
            try:
                peer.start()
            except StartError as exc:
                result.notes.append(f"{note}, and did not start again: {exc}")
                result.runs.append(DraftRun(found.draft, note="not run: the peer had exited"))
                continue
            result.notes.append(f"{note}: restarted")
        argv = harness_argv(
            ctx.python, result.url, found.draft, catalogue, ctx.out / "runs" / spec.name, spec.jobs, select
        )
        run = run_draft(argv, found.draft, ctx.out / "runs" / spec.name, ctx.out, ctx.root, ceiling)
        result.runs.append(run)
        counts = ", ".join(f"{n} {b}" for b, n in run.counts.items()) or "no results"
        say(f"  catalogue {found.draft}: {counts} ({run.close_not_ok} close not OK) in {run.wall:.1f} s {run.note}")


def run_clients(
    ctx: Context, specs: Sequence[ClientSpec], errors: dict[Need, str], options: Options, say: Say
) -> list[ClientResult]:
    """Every client under test: the server-side catalogue in each draft its subject speaks, one `python -m
    harness clients` run per draft (a subject that cannot run here is a report of UNIMPLEMENTED)."""
    results = []
    for spec in specs:
        subject = subjects.REGISTRY[spec.name]
        out = ctx.out / "runs" / "clients" / spec.name
        drafts = tuple(d for d in DRAFTS if Draft(d) in subject.drafts)
        result = ClientResult(spec.name, spec.title, versions.describe(ctx, spec), drafts=drafts)
        result.command = command_text(clients_argv(ctx.python, spec.name, ",".join(drafts), out), ctx.root)
        results.append(result)
        problems = _errors_of(spec, errors)
        if problems:
            result.error = "install failed: " + "; ".join(problems)
            say(f"{spec.title}: {result.error}")
            continue
        missing = subject.missing()
        say(f"{spec.title} ({result.version}){f': cannot run here: {missing}' if missing else ''}")
        for draft in drafts:
            argv = clients_argv(ctx.python, spec.name, draft, out)
            run = run_draft(argv, draft, out, ctx.out, ctx.root, options.client_ceiling)
            if missing:
                run = replace(run, note=f"cannot run here: {missing}")
            result.runs.append(run)
            counts = ", ".join(f"{n} {b}" for b, n in run.counts.items()) or "no results"
            say(f"  catalogue {draft}: {counts} ({run.close_not_ok} close not OK) in {run.wall:.1f} s {run.note}")
    return results


def write(matrix: Matrix, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "matrix.json").write_text(json.dumps(to_json(matrix), indent=1) + "\n", encoding="utf-8")
    (out / "summary.md").write_text(summary_md(matrix), encoding="utf-8")
    (out / "index.html").write_text(index_html(matrix), encoding="utf-8")


def run(options: Options, say: Say | None = None) -> int:
    say = say or progress()
    started = time.monotonic()
    root = Path.cwd()
    ctx = Context(root=root, out=(root / options.out).resolve(), build=root / "build" / "interop")
    for old in ("runs", "logs"):
        shutil.rmtree(ctx.out / old, ignore_errors=True)
    try:
        part = shard_of(
            selected(SERVERS, options.servers, options.skip_servers),
            selected(CLIENTS, options.clients, options.skip_clients),
            options,
        )
    except ValueError as exc:
        say(str(exc))
        return 2
    servers, clients = part.servers, part.clients
    if part.note:
        say(part.note)
    say(f"interop matrix: {len(servers)} servers x {len(DRAFTS)} drafts, {len(clients)} clients -> {ctx.out}")
    errors = install_errors(ctx, [*servers, *clients], options, say)
    matrix = Matrix(
        started=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        host=versions.host(),
        catalogue=catalogue_fingerprint(case_files([root / "cases"]) if (root / "cases").is_dir() else []),
        shard=str(options.shard or ""),
        partition=part.partition,
    )
    for spec in servers:
        try:
            matrix.peers.append(run_server(ctx, spec, errors, options, say))
        except Exception as exc:  # a broken peer must not cost the rest of the matrix
            say(f"{spec.title}: interop error: {exc!r}")
            matrix.peers.append(PeerResult(spec.name, spec.title, error=f"interop error: {exc!r}"))
    matrix.clients = run_clients(ctx, clients, errors, options, say)
    matrix.wall = time.monotonic() - started
    write(matrix, ctx.out)
    say(f"matrix: {ctx.out / 'index.html'} (summary: {ctx.out / 'summary.md'}); wall time {matrix.wall:.0f} s")
    return 0
