"""`python -m harness run`: load the catalogue, start the reference server if no target is given (or check
that the target answers a handshake), run every (case, draft, agent) of the selection or of its shard
concurrently up to --jobs, report as results arrive, and exit by the verdicts."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from wire import Draft

from ..agents import REGISTRY
from ..cases.loader import CaseFileError, case_files, load_catalogue, select
from ..cases.model import Case
from ..report import ReportWriter, Summary
from ..run.driver import AgentStartError, Driver
from ..run.engine import Item, applies, plan, run_items
from ..run.refserver import ServerStartError, reference_server
from ..run.results import CaseResult, RunInfo
from ..run.target import Target, Trust
from .preflight import SILENT_LIMIT, SilenceWatch, preflight
from .shard import Key, Shard, catalogue_fingerprint, fingerprint, partition, read_durations

# exit statuses (documented in `python -m harness run --help` and the README)
EXIT_OK = 0  # nothing FAILED
EXIT_FAILED = 1  # at least one case x draft x agent FAILED
EXIT_USAGE = 2  # bad options or case files; nothing was run
EXIT_NO_RUN = 3  # the run could not start (reference server, agents) or was stopped (a target that does not answer)
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class RunOptions:
    catalogue: tuple[Path, ...]
    target: str | None
    drafts: tuple[Draft, ...]
    agents: tuple[str, ...]
    cases: tuple[str, ...]
    exclude: tuple[str, ...]
    jobs: int
    out: Path
    verbose: bool = False
    tags: tuple[str, ...] = ()  # only cases with one of these tags (none: every case)
    exclude_tags: tuple[str, ...] = ()
    shard: Shard | None = None
    durations: Path | None = None  # an earlier run's index.json: expected durations to balance shards by
    junit_only: bool = False
    give_up_after: int = SILENT_LIMIT  # unanswered handshakes in a row that stop the run; 0: never
    trust: Trust = field(default_factory=Trust)  # how a wss:// --target's certificate is checked
    tls: bool = False  # without a target: the reference server with TLS, its wss:// port tested


@dataclass(frozen=True)
class Selection:
    """The items this run (or this shard of it) runs, and what decided them."""

    keys: frozenset[Key]
    total: int  # items of the whole selection, every shard together
    partition: str = ""  # fingerprint of the partition's inputs; "" when not sharded
    note: str = ""  # what the shard is, for the first line of output


class Progress:
    """A progress bar on a terminal; plain lines (every 10 % and every FAILED) otherwise."""

    def __init__(self, total: int, stream: TextIO = sys.stderr, verbose: bool = False) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream
        self.tty = stream.isatty()
        self.verbose = verbose
        self._next_line = 0.1

    def update(self, result: CaseResult) -> None:
        self.done += 1
        failed = result.verdict.failed
        self.failed += failed
        label = f"{result.case.id} {result.draft} {result.agent}"
        verdict = f"{result.verdict.behavior}/{result.verdict.close}"
        if self.tty:
            width = 30
            filled = width * self.done // max(self.total, 1)
            bar = "#" * filled + "-" * (width - filled)
            text = f"\r[{bar}] {self.done}/{self.total} {self.failed} FAILED  {label} {verdict}"
            self.stream.write(text[:120].ljust(120))
            if self.done == self.total:
                self.stream.write("\n")
        elif self.verbose or failed:
            self.stream.write(f"{self.done}/{self.total} {label}: {verdict} {result.verdict.behavior_reason}\n")
        if not self.tty and self.done >= self._next_line * self.total:
            self.stream.write(
                f"progress: {self.done}/{self.total} ({100 * self.done // self.total}%), {self.failed} FAILED\n"
            )
            self._next_line += 0.1
        self.stream.flush()


@contextlib.asynccontextmanager
async def started_drivers(agents: Sequence[str], err: TextIO) -> AsyncIterator[list[Driver]]:
    """The agents' drivers, started; one that cannot start is reported in one line and left out."""
    async with contextlib.AsyncExitStack() as stack:
        drivers: list[Driver] = []
        for name in agents:
            driver = REGISTRY[name].make()
            try:
                await driver.start()
            except AgentStartError as exc:
                err.write(f"{name} agent left out: {exc}\n")
                continue
            stack.push_async_callback(driver.stop)
            drivers.append(driver)
        yield drivers


@contextlib.asynccontextmanager
async def target_of(options: RunOptions, log: Path) -> AsyncIterator[Target]:
    """The --target, or the reference server started for the run (with a CA of its own for --tls)."""
    if options.target:
        yield Target.parse(options.target, options.trust)
        return
    if not options.tls:
        async with reference_server(log=log) as url:
            yield Target.parse(url)
        return
    with tempfile.TemporaryDirectory(prefix="wsinterop-tls-") as certs:
        async with reference_server("--tls-self-signed", certs, log=log) as url:
            yield Target.parse(url, Trust(ca=Path(certs) / "ca.pem"))


def load(options: RunOptions) -> list[Case]:
    cases = load_catalogue(list(options.catalogue), REGISTRY)
    return select(cases, options.cases, options.exclude, options.tags, options.exclude_tags)


def selection(cases: Sequence[Case], options: RunOptions) -> Selection:
    """Every item of the selection for the agents asked for (started or not, so that every shard deals
    the same hand), or this shard's slice of them. ValueError for an unreadable --durations file."""
    keys = [(c.id, d.value, a) for c in cases for d in options.drafts for a in options.agents if applies(c, d, a)]
    shard = options.shard
    if shard is None:
        return Selection(frozenset(keys), len(keys))
    durations = read_durations(options.durations) if options.durations else {}
    mine = partition(keys, shard.count, durations)[shard.index - 1]
    basis = f"balanced by the durations in {options.durations}" if options.durations else "balanced by count"
    note = f"shard {shard}: {len(mine)} of {len(keys)} items ({basis})"
    return Selection(frozenset(mine), len(keys), fingerprint(keys, shard.count, durations), note)


def final_word(summary: Summary) -> str:
    """The first word of the last line: what a CI log shows at a glance."""
    if summary.stopped:
        return "STOPPED"
    if summary.interrupted:
        return "INTERRUPTED"
    return "FAILED" if summary.failed else "PASSED"


def new_run_id(out: Path) -> str:
    """The run's directory name: its UTC start second, with a suffix when a run of that second exists."""
    base = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    run_id, n = base, 1
    while (out / run_id).exists():
        n += 1
        run_id = f"{base}-{n}"
    return run_id


async def run(options: RunOptions, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    started = time.monotonic()
    try:
        cases = load(options)
        chosen = selection(cases, options)
    except (CaseFileError, ValueError) as exc:
        err.write(f"{exc}\n")
        return EXIT_USAGE
    if not cases:
        err.write("no case matches the selection (--cases / --exclude / --tag / --exclude-tag)\n")
        return EXIT_USAGE
    if chosen.note:
        err.write(chosen.note + "\n")
    options.out.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id(options.out)
    log = options.out / f".server-{run_id}.log"
    try:
        async with target_of(options, log) as target, started_drivers(options.agents, err) as drivers:
            if not drivers:
                err.write("no agent could start: nothing to run\n")
                return EXIT_NO_RUN
            items = [i for i in plan(cases, options.drafts, drivers) if item_key(i) in chosen.keys]
            info = RunInfo(
                run_id=run_id,
                started=time.time(),
                target=target.url,
                drafts=tuple(d.value for d in options.drafts),
                agents={d.name: d.version for d in drivers},
                certificates={d.name: d.certificates(target.trust) for d in drivers} if target.secure else {},
                case_count=len(items),
                catalogue=catalogue_fingerprint(case_files(list(options.catalogue))),
                reference=not options.target,
                shard=str(options.shard or ""),
                partition=chosen.partition,
            )
            writer = ReportWriter(options.out, info, junit_only=options.junit_only)
            err.write(
                f"running {len({i.case.id for i in items})} cases as {len(items)} case x draft x agent items "
                f"against {target.url} with {options.jobs} jobs\n"
            )
            for name, how in info.certificates.items():
                err.write(f"TLS certificate, {name}: {how}\n")
            interrupted, stopped = False, await check_target(options, target)
            if not stopped:
                by_name = {d.name: d for d in drivers}
                interrupted, stopped = await run_reported(items, target, options, writer, by_name, err)
            summary = writer.finish(time.monotonic() - started, interrupted, stopped)
    except ServerStartError as exc:
        err.write(f"{exc}\n")
        return EXIT_NO_RUN
    finally:
        if log.exists():
            run_log = options.out / run_id / "server.log"
            if run_log.parent.is_dir() and not options.junit_only:
                log.replace(run_log)
            else:
                log.unlink()
    if summary.stopped:
        err.write(f"error: {summary.stopped}\n")
    if options.junit_only:
        out.write(f"junit: {writer.run_dir}/junit.xml\n")
    else:
        out.write(f"report: {writer.run_dir}/index.html (summary: {writer.run_dir}/summary.md)\n")
    out.write(f"{final_word(summary)}: {summary.line()}\n")
    if summary.stopped:
        return EXIT_NO_RUN
    if summary.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if summary.failed else EXIT_OK


async def check_target(options: RunOptions, target: Target) -> str:
    """Why a --target cannot be tested (the preflight handshake), or ""; the reference server is known good."""
    if not options.target:
        return ""
    newest = max(options.drafts, key=list(Draft).index)  # the draft a live target most likely speaks
    reason = await preflight(target, newest)
    return f"{reason}: nothing was run" if reason else ""


def item_key(item: Item) -> Key:
    return (item.case.id, item.draft.value, item.driver.name)


async def run_reported(
    items: list[Item],
    target: Target,
    options: RunOptions,
    writer: ReportWriter,
    drivers: Mapping[str, Driver],
    err: TextIO,
) -> tuple[bool, str]:
    """Run the items, each result to the report and the progress as it arrives; stop early when the target
    stops answering. Returns (interrupted, why the run stopped early or "")."""
    progress = Progress(len(items), err, options.verbose)
    watch = SilenceWatch(target.url, options.give_up_after)
    stopped = ""

    def on_result(result: CaseResult) -> None:
        nonlocal stopped
        writer.add(result)
        progress.update(result)
        reason = watch.update(result)
        if reason and not stopped:
            stopped = reason
            work.cancel()

    work = asyncio.ensure_future(run_all(items, target, options.jobs, on_result, drivers))
    try:
        await work
    except asyncio.CancelledError:
        return not stopped, stopped
    return False, stopped


async def run_all(
    items: list[Item],
    target: Target,
    jobs: int,
    on_result: Callable[[CaseResult], None],
    drivers: Mapping[str, Driver],
) -> None:
    """Cases marked exclusive (shared server state, such as broadcast rooms) run alone, after the rest."""
    await run_items([i for i in items if not i.case.exclusive], target, jobs, on_result, drivers)
    await run_items([i for i in items if i.case.exclusive], target, 1, on_result, drivers)
