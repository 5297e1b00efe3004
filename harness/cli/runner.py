"""`python -m harness run`: load the catalogue, start the reference server if no target is given, run
every (case, draft, agent) concurrently up to --jobs, report as results arrive, and exit by the verdicts."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from wire import Draft

from ..agents import REGISTRY
from ..cases.loader import CaseFileError, load_catalogue, select
from ..cases.model import Case
from ..report import ReportWriter
from ..run.driver import AgentStartError, Driver
from ..run.engine import Item, plan, run_items
from ..run.refserver import ServerStartError, reference_server
from ..run.results import CaseResult, RunInfo
from ..run.target import Target

# exit statuses (documented in `python -m harness run --help` and the README)
EXIT_OK = 0  # nothing FAILED
EXIT_FAILED = 1  # at least one case x draft x agent FAILED
EXIT_USAGE = 2  # bad options or case files; nothing was run
EXIT_NO_RUN = 3  # the run could not start (reference server, browser for a browser-only run)
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
async def target_url(options: RunOptions, log: Path) -> AsyncIterator[str]:
    if options.target:
        yield options.target
        return
    async with reference_server(log=log) as url:
        yield url


def load(options: RunOptions) -> list[Case]:
    cases = load_catalogue(list(options.catalogue), REGISTRY)
    return select(cases, options.cases, options.exclude, options.tags, options.exclude_tags)


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
    except CaseFileError as exc:
        err.write(f"{exc}\n")
        return EXIT_USAGE
    if not cases:
        err.write("no case matches the selection (--cases / --exclude / --tag / --exclude-tag)\n")
        return EXIT_USAGE
    options.out.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id(options.out)
    log = options.out / f".server-{run_id}.log"
    try:
        async with target_url(options, log) as url, started_drivers(options.agents, err) as drivers:
            if not drivers:
                err.write("no agent could start: nothing to run\n")
                return EXIT_NO_RUN
            items = plan(cases, options.drafts, drivers)
            target = Target.parse(url)
            info = RunInfo(
                run_id=run_id,
                started=time.time(),
                target=url,
                drafts=tuple(d.value for d in options.drafts),
                agents={d.name: d.version for d in drivers},
                case_count=len(items),
            )
            writer = ReportWriter(options.out, info)
            err.write(
                f"running {len(cases)} cases as {len(items)} case x draft x agent items against {url} "
                f"with {options.jobs} jobs\n"
            )
            progress = Progress(len(items), err, options.verbose)

            def on_result(result: CaseResult) -> None:
                writer.add(result)
                progress.update(result)

            interrupted = False
            try:
                await run_all(items, target, options.jobs, on_result, {d.name: d for d in drivers})
            except asyncio.CancelledError:
                interrupted = True
            summary = writer.finish(time.monotonic() - started, interrupted=interrupted)
    except ServerStartError as exc:
        err.write(f"{exc}\n")
        return EXIT_NO_RUN
    finally:
        if log.exists():
            run_log = options.out / run_id / "server.log"
            if run_log.parent.is_dir():
                log.replace(run_log)
            else:
                log.unlink()
    out.write(f"report: {writer.run_dir}/index.html (summary: {writer.run_dir}/summary.md)\n")
    out.write(f"{summary.line()}\n")
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if summary.failed else EXIT_OK


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
