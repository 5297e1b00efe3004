"""`python -m harness fuzzingserver` and `python -m harness clients`: testing WebSocket clients.

`fuzzingserver` serves Autobahn's fuzzingserver URLs until /stopServer (or Ctrl-C); any Autobahn testee
runs against it unchanged. `clients` starts that server in-process, runs each subject's testee (one run
per draft it speaks) as a subprocess, and writes one report.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from wire import Draft

from .. import agents, subjects
from ..cases.loader import CaseFileError, load_catalogue, select
from ..fuzzing.catalogue import ServerCases
from ..fuzzing.server import FuzzingServer, write_report
from ..run.results import Behavior, CaseResult, CloseBehavior, Observation, Verdict
from .runner import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_NO_RUN, EXIT_OK, EXIT_USAGE, new_run_id

DEFAULT_CATALOGUE = Path("cases")
# A testee is given up when the fuzzing server has seen nothing of it (no new connection, no case ending)
# for this long past the longest case's own ceiling: it measures the subject's silence, not the harness.
IDLE_GRACE = 30.0

FUZZ_HELP = "serve Autobahn's fuzzingserver URLs: clients under test connect (their testees run unchanged)"
CLIENTS_HELP = "run clients under test (their testees) against the fuzzing server and write one report"


def _selection_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cases", nargs="*", default=[], metavar="ID", help="ids or globs to run (default: all)")
    p.add_argument("--exclude", nargs="*", default=[], metavar="ID", help="ids or globs to leave out")
    p.add_argument("--catalogue", type=Path, action="append", help="case files or directories (default: cases)")


def add_fuzzingserver_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=9001, help="port (default 9001; 0: any free port)")
    p.add_argument("--out", type=Path, default=Path("reports/clients"), help="where /updateReports writes")
    _selection_args(p)


def add_clients_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--subjects",
        nargs="?",
        const="",
        default=None,
        help="comma-separated subjects; without a value: list them and whether they can run here",
    )
    p.add_argument("--list", action="store_true", help="list the subjects and whether they can run here")
    p.add_argument("--drafts", default="all", help="comma-separated drafts, or all (default): each subject's own")
    p.add_argument("--out", type=Path, default=Path("reports"), help="report directory (default: reports)")
    p.add_argument("--jobs", "-j", type=int, default=1, help="subjects' testees at once (default 1)")
    _selection_args(p)


def server_cases(args: argparse.Namespace) -> ServerCases:
    loaded = load_catalogue(args.catalogue or [DEFAULT_CATALOGUE], agents.REGISTRY)
    return ServerCases.of(select(loaded, args.cases, args.exclude))


def describe(result: CaseResult) -> str:
    v = result.verdict
    return f"{result.case.id} {result.draft} {result.agent}: {v.behavior} / {v.close}"


async def serve(args: argparse.Namespace, cases: ServerCases, err: TextIO) -> int:
    def progress(result: CaseResult) -> None:
        err.write(describe(result) + "\n")

    server = FuzzingServer(cases, args.out, on_result=progress)
    url = await server.start(args.host, args.port)
    err.write(f"fuzzing server on {url}: {len(cases)} cases; reports to {args.out}\n")
    try:
        await server.stopped.wait()
    finally:
        await server.stop()
    return EXIT_OK


def fuzzingserver_command(args: argparse.Namespace) -> int:
    try:
        cases = server_cases(args)
    except CaseFileError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    try:
        return asyncio.run(serve(args, cases, sys.stderr))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


# --- clients ---------------------------------------------------------------------------------------------


def list_subjects(out: TextIO) -> None:
    width = max(len(name) for name in subjects.REGISTRY)
    for subject in subjects.REGISTRY.values():
        missing = subject.missing()
        state = f"cannot run here: {missing}" if missing else "available"
        drafts = ", ".join(d.value for d in subject.drafts)
        out.write(f"{subject.name:<{width}}  {subject.summary} [{drafts}] ({state})\n")


@dataclass(frozen=True)
class Run:
    subject: subjects.Subject
    draft: Draft


async def run_testee(server: FuzzingServer, run: Run, ceiling: float, err: TextIO) -> str:
    """Run one testee to its end; why it failed ("" when it ran): it could not start, exited with an
    error, or was silent past `ceiling` seconds (no connection, no case ending)."""
    argv = run.subject.argv(server.url, run.subject.name, run.draft)
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
    except OSError as exc:
        return f"the testee could not start: {exc}"
    assert proc.stderr is not None
    tail: list[bytes] = []

    async def read_stderr() -> None:
        assert proc.stderr is not None
        async for line in proc.stderr:
            tail[:] = [*tail[-9:], line]

    reading = asyncio.ensure_future(read_stderr())
    server.last_seen = time.monotonic()
    while proc.returncode is None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):  # a check of the subject's silence each second, never a verdict
                await proc.wait()
        if proc.returncode is None and time.monotonic() - server.last_seen > ceiling:
            proc.kill()
            await proc.wait()
            await reading
            return f"the testee was silent for {ceiling:g} s (no connection, no case ending): stopped"
    await reading
    if proc.returncode:
        lines = b"".join(tail).decode("utf-8", "replace").strip().splitlines()
        return f"the testee exited with {proc.returncode}: {lines[-1] if lines else 'no output'}"
    return ""


def broken(
    run: Run, reason: str, cases: ServerCases, behavior: Behavior, done: Collection[str] = ()
) -> list[CaseResult]:
    """A subject that cannot run (UNIMPLEMENTED: not on this machine) or broke (FAILED: a red row), on every
    case of its draft but those in `done` (the ones it ran)."""
    results = []
    for case_id in cases.ids:
        case = cases.for_draft(case_id, run.draft)
        if case is None or case_id in done:
            continue
        close = CloseBehavior.UNIMPLEMENTED if behavior is Behavior.UNIMPLEMENTED else CloseBehavior.FAILED
        obs = Observation(side="server", error=reason if behavior is Behavior.FAILED else None)
        results.append(
            CaseResult(
                case.info,
                run.draft.value,
                run.subject.name,
                Verdict(behavior, reason, close, reason),
                time.time(),
                0.0,
                obs,
                case.expected_json(),
            )
        )
    return results


async def run_clients(args: argparse.Namespace, chosen: Sequence[subjects.Subject], cases: ServerCases) -> int:
    err = sys.stderr
    started = time.time()
    drafts = None if args.drafts == "all" else {Draft.parse(d.strip()) for d in args.drafts.split(",")}
    runs = [Run(s, d) for s in chosen for d in s.drafts if drafts is None or d in drafts]
    ceiling = max((c.timeout for c in cases.cases), default=10.0) + 5.0 + IDLE_GRACE
    done = 0
    server = FuzzingServer(cases, None, on_result=lambda r: None)
    await server.start("127.0.0.1", 0)
    extra: list[CaseResult] = []
    err.write(f"fuzzing server on {server.url}: {len(cases)} cases; {len(runs)} testee runs\n")
    limit = asyncio.Semaphore(max(args.jobs, 1))

    async def one(run: Run) -> None:
        nonlocal done
        async with limit:
            missing = run.subject.missing()
            clock = time.monotonic()
            if missing:
                extra.extend(
                    broken(run, f"{run.subject.name} cannot run here: {missing}", cases, Behavior.UNIMPLEMENTED)
                )
                why = f"not run: {missing}"
            else:
                why = await run_testee(server, run, ceiling, err)
                ran = {i for i, d, a in server.results.by_key if d == run.draft.value and a == run.subject.name}
                # a case the testee never connected for is its failure, never a silent gap in the report
                never = f"the testee never ran this case ({why or 'no connection for its /runCase'})"
                extra.extend(broken(run, why if not ran and why else never, cases, Behavior.FAILED, ran))
            done += 1
            took = time.monotonic() - clock
            err.write(f"[{done}/{len(runs)}] {run.subject.name} {run.draft.value}: {why or 'done'} ({took:.1f} s)\n")

    try:
        async with asyncio.TaskGroup() as group:
            for run in runs:
                group.create_task(one(run))
    finally:
        await server.stop()
    results = list(server.results.by_key.values()) + extra
    args.out.mkdir(parents=True, exist_ok=True)
    names = {s.name: s.summary for s in chosen}
    writer = write_report(args.out, results, server.url, started, run_id=new_run_id(args.out), agents=names)
    failed = sum(1 for r in results if r.verdict.failed)
    counts = {b: sum(1 for r in results if r.verdict.behavior is b) for b in Behavior}
    line = ", ".join(f"{n} {b}" for b, n in counts.items() if n or b is Behavior.FAILED)
    print(f"report: {writer.run_dir}/index.html (summary: {writer.run_dir}/summary.md)")
    print(
        f"{'FAILED' if failed else 'PASSED'}: {len(results)} case x draft x subject items: {line} "
        f"in {time.time() - started:.1f} s"
    )
    return EXIT_FAILED if failed else EXIT_OK


def clients_command(args: argparse.Namespace) -> int:
    if args.list or args.subjects in (None, ""):
        list_subjects(sys.stdout)
        return EXIT_OK
    names = [n.strip() for n in args.subjects.split(",") if n.strip()]
    unknown = [n for n in names if n not in subjects.REGISTRY]
    if unknown:
        print(f"unknown subject {unknown[0]!r}; subjects: {', '.join(subjects.REGISTRY)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        cases = server_cases(args)
        if args.drafts != "all":
            for d in args.drafts.split(","):
                Draft.parse(d.strip())
    except (CaseFileError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    if not len(cases):
        print("no server-side case matches the selection", file=sys.stderr)
        return EXIT_NO_RUN
    try:
        return asyncio.run(run_clients(args, [subjects.REGISTRY[n] for n in names], cases))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
