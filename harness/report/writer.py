"""ReportWriter: writes reports/<run>/ as results arrive, so an interrupted run leaves a readable report.

Per result, `add` writes the detail JSON and HTML at once; the aggregate files (index.json, run.json,
summary.md, index.html and the draft pages) are rewritten at most once per `flush_interval` seconds, so the
cost of a run stays about linear in its size. `finish` writes everything, junit.xml included. Every file is
written atomically (a temporary file, then os.replace). With `junit_only`, only junit.xml is written, at
the end. A run that stopped early (`finish(stopped=...)`) says why in every file, and its junit.xml has
an <error> for it, so that a CI test view does not show a partial run as a green one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..run.results import Behavior, CaseResult, RunInfo
from .common import End, Entry, ResultSet, atomic_write_bytes, atomic_write_text, dumps
from .detail import attachment_name, detail_page
from .html import draft_page_name, matrix_page
from .jsonreport import detail_json, index_json, run_json
from .junit import junit_xml
from .markdown import summary_md


@dataclass(frozen=True)
class Summary:
    """What a finished (or interrupted) run amounts to."""

    total: int  # results: case x draft x agent items
    counts: dict[Behavior, int]  # every Behavior, zeros included
    failed: int  # results whose verdict.failed: a FAILED behaviour or a FAILED close
    run_dir: Path
    wall_time: float
    interrupted: bool = False
    planned: int = 0
    stopped: str = ""  # why the run stopped before its end (not an interruption), or ""

    @property
    def incomplete(self) -> bool:
        return self.interrupted or bool(self.stopped)

    @property
    def close_failed(self) -> int:
        """Results that fail by their close alone (behaviour not FAILED)."""
        return self.failed - self.counts[Behavior.FAILED]

    def line(self) -> str:
        """`412 cases x drafts x agents: 398 OK, 10 INFORMATIONAL, 4 UNIMPLEMENTED, 0 FAILED in 41.2 s`."""
        parts = [f"{n} {b}" for b, n in self.counts.items() if n or b is Behavior.FAILED]
        if self.close_failed:
            parts.append(f"{self.close_failed} FAILED closes")
        text = f"{self.total} cases x drafts x agents: {', '.join(parts)} in {self.wall_time:.1f} s"
        if self.incomplete:
            how = "interrupted" if self.interrupted else "stopped"
            text += f" ({how}: {self.total} of {self.planned} planned)"
        return text


def point_latest(out_dir: Path, run_id: str) -> Path:
    """Point out_dir/latest at the run (a relative symlink, replaced atomically); where symlinks are
    impossible, write out_dir/latest.txt with the run id instead. Returns the path written."""
    link = out_dir / "latest"
    tmp = out_dir / f".latest.{os.getpid()}.tmp"
    try:
        if tmp.is_symlink():
            tmp.unlink()
        os.symlink(run_id, tmp, target_is_directory=True)
        os.replace(tmp, link)
    except (OSError, NotImplementedError):
        if tmp.is_symlink():
            tmp.unlink()
        fallback = out_dir / "latest.txt"
        atomic_write_text(fallback, run_id + "\n")
        return fallback
    return link


class ReportWriter:
    def __init__(
        self,
        out_dir: Path,
        run: RunInfo,
        *,
        flush_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        directory: Path | None = None,
        junit_only: bool = False,
    ) -> None:
        """Write into out_dir/<run id> and point out_dir/latest at it; or, with `directory`, into that
        directory, leaving every `latest` alone (a merged report)."""
        if not run.run_id or run.run_id in (".", "..", "latest") or any(c in run.run_id for c in "/\\\0"):
            raise ValueError(f"run id {run.run_id!r} cannot name a directory under {out_dir}")
        self.out_dir = Path(out_dir)
        self.run = run
        self._run_dir = directory if directory is not None else self.out_dir / run.run_id
        self._junit_only = junit_only
        (self._run_dir if junit_only else self._run_dir / "cases").mkdir(parents=True, exist_ok=True)
        self._results = ResultSet(run)
        self._flush_interval = flush_interval
        self._clock = clock
        self._summary: Summary | None = None
        self._last_flush = clock()
        self.flush()  # an empty but readable report from the start
        self.latest = point_latest(self.out_dir, run.run_id) if directory is None else None

    @property
    def run_dir(self) -> Path:
        return self._run_dir

    def add(self, result: CaseResult) -> None:
        """Record one result: its detail files now, the aggregates when the last flush is old enough."""
        if self._summary is not None:
            raise RuntimeError("ReportWriter.add after finish")
        self._results.add(Entry.of(result))
        if self._junit_only:
            return
        cases = self._run_dir / "cases"
        for name, data in result.observation.attachments.items():
            atomic_write_bytes(cases / attachment_name(result, name), data)
        atomic_write_text(cases / f"{result.key}.json", detail_json(result))
        atomic_write_text(cases / f"{result.key}.html", detail_page(result))
        if self._clock() - self._last_flush >= self._flush_interval:
            self.flush()

    def flush(self) -> None:
        """Rewrite the aggregate files (not junit.xml) as a partial report of the results so far."""
        if not self._junit_only:
            self._write_aggregates(End(None, None))

    def finish(self, wall_time: float, interrupted: bool = False, stopped: str = "") -> Summary:
        """Write every file in its final form and return the run's summary. `stopped`: why the run ended
        before all its items ran (not an interruption)."""
        end = End(time.time(), wall_time, interrupted, stopped)
        if not self._junit_only:
            self._write_aggregates(end)
        atomic_write_bytes(self._run_dir / "junit.xml", junit_xml(self._results, end.incomplete))
        counts = self._results.counts()
        self._summary = Summary(
            total=len(self._results),
            counts={b: counts[b] for b in Behavior},
            failed=len(self._results.failed()),
            run_dir=self._run_dir,
            wall_time=wall_time,
            interrupted=interrupted,
            planned=self.run.case_count,
            stopped=stopped,
        )
        return self._summary

    def _write_aggregates(self, end: End) -> None:
        results, run_dir = self._results, self._run_dir
        atomic_write_text(run_dir / "run.json", dumps(run_json(results, end), indent=1) + "\n")
        atomic_write_text(run_dir / "index.json", dumps(index_json(results)) + "\n")
        atomic_write_text(run_dir / "summary.md", summary_md(results, end))
        status = end.status()
        atomic_write_text(run_dir / "index.html", matrix_page(results, status=status))
        for draft in results.drafts:
            page = matrix_page(results, status=status, draft=draft)
            atomic_write_text(run_dir / draft_page_name(draft), page)
        self._last_flush = self._clock()
