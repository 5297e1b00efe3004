"""pytest integration: `pytest cases/` collects every YAML case as items, one per case x draft x agent.

cases/conftest.py re-exports these hooks. A FAILED verdict is reported with the case's YAML file and
line and the verdict's reasons; UNIMPLEMENTED is a skip; a harness bug shows its Python traceback.
Options: --wsinterop-target URL (default: the reference server, started once per session),
--wsinterop-drafts, and --wsinterop-exclude (globs on ids; by default the long compression cases
12.x.5-18 and 13.x.5-18, some 3 minutes one at a time, as `make report` leaves them out; '' runs them).
Items run with the python agent; the browser agents run with `python -m harness run`.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wire import Draft

from .agents import REGISTRY
from .agents.python import PythonDriver
from .cases.loader import LONG_CASES as LONG_PATTERNS
from .cases.loader import CaseFileError, load_file, select
from .run.engine import Item, plan, run_item
from .run.refserver import START_TIMEOUT, ready_url, server_command
from .run.results import Behavior, CaseResult
from .run.target import Target

TARGET_KEY = pytest.StashKey[str]()
LONG_CASES = ",".join(LONG_PATTERNS)  # the long compression cases (harness/cases/loader.py)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wsinterop")
    group.addoption("--wsinterop-target", help="ws:// URL to test (default: start the reference server)")
    group.addoption("--wsinterop-drafts", default="all", help="comma-separated drafts (default: all)")
    group.addoption(
        "--wsinterop-exclude",
        default=LONG_CASES,
        help=f"comma-separated id globs to leave out (default: {LONG_CASES}, the long compression cases)",
    )


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name.endswith(".case.yaml"):
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFileProblem(Exception):
    """A case file that does not load: reported without a traceback, as the loader's message."""


class CaseFailed(Exception):
    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.verdict.behavior_reason)
        self.result = result


def _drafts(config: pytest.Config) -> list[Draft]:
    value: str = config.getoption("wsinterop_drafts")
    return list(Draft) if value == "all" else [Draft.parse(v) for v in value.split(",")]


class CaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            cases = load_file(self.path, REGISTRY)
        except CaseFileError as exc:
            raise CaseFileProblem(str(exc)) from None
        exclude: str = self.config.getoption("wsinterop_exclude")
        cases = select(cases, exclude=[p for p in exclude.split(",") if p])
        for item in plan(cases, _drafts(self.config), [PythonDriver()]):
            name = f"{item.case.id}[{item.draft.value}-{item.driver.name}]"
            yield CaseItem.from_parent(self, name=name, item=item)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        if isinstance(excinfo.value, CaseFileProblem):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class CaseItem(pytest.Item):
    def __init__(self, *, item: Item, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.item = item

    def runtest(self) -> None:
        target = Target.parse(_target(self.config))
        result = asyncio.run(run_item(self.item, target))
        if result.verdict.behavior is Behavior.UNIMPLEMENTED:
            pytest.skip(f"UNIMPLEMENTED: {result.verdict.behavior_reason}")
        if result.verdict.failed:
            raise CaseFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CaseFailed):
            r = excinfo.value.result
            return (
                f"{r.case.source}: case {r.case.id} ({r.draft}, {r.agent}): {r.case.title}\n"
                f"  behaviour {r.verdict.behavior}: {r.verdict.behavior_reason}\n"
                f"  close {r.verdict.close}: {r.verdict.close_reason}"
            )
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        source = self.item.case.info.source
        line = int(source.rpartition(":")[2]) - 1 if source.rpartition(":")[2].isdigit() else None
        return self.path, line, f"case {self.item.case.id} [{self.item.draft.value}-{self.item.driver.name}]"


def _target(config: pytest.Config) -> str:
    """The target URL: the option, or the reference server started once for the session."""
    if TARGET_KEY in config.stash:
        return config.stash[TARGET_KEY]
    url: str | None = config.getoption("wsinterop_target")
    if url is None:
        proc = subprocess.Popen(server_command(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        config.add_cleanup(lambda: _stop(proc))
        url = ready_url(_readline(proc, START_TIMEOUT))
    config.stash[TARGET_KEY] = url
    return url


def _readline(proc: subprocess.Popen[str], timeout: float) -> str:
    """The first line the process prints, or "" once `timeout` passes."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(proc.stdout.readline() if proc.stdout else ""))
    reader.start()
    reader.join(timeout)
    return lines[0] if lines else ""


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
