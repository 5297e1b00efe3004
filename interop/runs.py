"""The catalogue against one peer in one draft: a `python -m harness run` child (a server) or a
`python -m harness clients` child (a client under test) with a time ceiling, and its report read back
 (index.json for the counts, the per-case detail files for the non-OK reasons)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .model import BEHAVIORS, DraftRun, NonOk
from .process import tail

REPORT_LINE = re.compile(r"^report: (?P<dir>.+)/index\.html", re.MULTILINE)
QUIET_CLOSES = frozenset({"OK", "UNIMPLEMENTED"})
QUIET_BEHAVIORS = frozenset({"OK", "UNIMPLEMENTED"})
INTERRUPT_GRACE = 30.0


def harness_argv(
    python: str,
    url: str,
    draft: str,
    catalogue: Path,
    out: Path,
    jobs: int,
    select: Sequence[str] = (),
) -> list[str]:
    """The harness command line; `select`: options that choose or leave out cases (--tag, --exclude,
    --exclude-tag), last since they take several values."""
    argv = [python, "-m", "harness", "run", "--target", url, "--drafts", draft, "--agents", "python"]
    argv += ["--jobs", str(jobs), "--out", str(out), "--catalogue", str(catalogue)]
    return argv + list(select)


def clients_argv(python: str, subject: str, draft: str, out: Path) -> list[str]:
    """`python -m harness clients` for one subject (a client under test) in one draft."""
    return [python, "-m", "harness", "clients", "--subjects", subject, "--drafts", draft, "--out", str(out)]


def read_run(run_dir: Path, base: Path) -> tuple[dict[str, int], int, tuple[NonOk, ...]]:
    """(behaviour counts, closes not OK, non-OK cases) of a harness report directory."""
    index: dict[str, Any] = json.loads((run_dir / "index.json").read_text(encoding="utf-8"))
    counts: Counter[str] = Counter()
    close_not_ok = 0
    non_ok: list[NonOk] = []
    for by_draft in index.values():
        for cases in by_draft.values():
            for case_id, entry in cases.items():
                behavior, close = str(entry["behavior"]), str(entry["behaviorClose"])
                counts[behavior] += 1
                close_not_ok += close not in QUIET_CLOSES
                if behavior not in QUIET_BEHAVIORS or close not in QUIET_CLOSES:
                    non_ok.append(_non_ok(run_dir, base, case_id, entry))
    ordered = {b: counts[b] for b in BEHAVIORS if counts[b]} | {b: n for b, n in counts.items() if b not in BEHAVIORS}
    return ordered, close_not_ok, tuple(non_ok)


def _non_ok(run_dir: Path, base: Path, case_id: str, entry: dict[str, Any]) -> NonOk:
    detail: dict[str, Any] = {}
    report = str(entry.get("reportfile", ""))
    with contextlib.suppress(OSError, ValueError):
        detail = json.loads((run_dir / report).read_text(encoding="utf-8"))
    page = (run_dir / report).with_suffix(".html")
    return NonOk(
        case=case_id,
        title=str(detail.get("title", "")),
        behavior=str(entry["behavior"]),
        behavior_reason=str(detail.get("behaviorReason", "")),
        close=str(entry["behaviorClose"]),
        close_reason=str(detail.get("behaviorCloseReason", "")),
        report=os.path.relpath(page, base) if page.exists() else "",
    )


def _interrupt(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT to the run's process group (the harness writes its partial report), SIGKILL if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(INTERRUPT_GRACE)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _wait(proc: subprocess.Popen[bytes], ceiling: float) -> str:
    """Wait for the run; past `ceiling` interrupt it. Ctrl-C here interrupts it too (it has its own session,
    so the terminal's SIGINT does not reach it), then goes on up."""
    try:
        proc.wait(ceiling)
        return ""
    except subprocess.TimeoutExpired:
        pass
    except BaseException:
        _interrupt(proc)
        raise
    _interrupt(proc)
    return f"stopped after {ceiling:g} s (time ceiling): partial results"


def run_draft(argv: Sequence[str], draft: str, out: Path, base: Path, cwd: Path, ceiling: float) -> DraftRun:
    """Run the harness; the DraftRun with the counts of the report it wrote (or why there is none)."""
    out.mkdir(parents=True, exist_ok=True)
    log = out / f"{draft}.log"
    started = time.monotonic()
    with open(log, "wb") as sink:
        proc = subprocess.Popen(
            list(argv), cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        note = _wait(proc, ceiling)
    wall = time.monotonic() - started
    match = REPORT_LINE.search(log.read_text(encoding="utf-8", errors="replace"))
    run_dir = (cwd / match["dir"]) if match else None
    if run_dir is None or not (run_dir / "index.json").exists():
        why = note or f"the harness wrote no report (exit {proc.returncode}): {tail(log)}"
        return DraftRun(draft, exit_code=proc.returncode, wall=wall, note=why)
    counts, close_not_ok, non_ok = read_run(run_dir, base)
    with contextlib.suppress(OSError, ValueError):  # the run stopped itself: its target stopped answering
        stopped = json.loads((run_dir / "run.json").read_text(encoding="utf-8")).get("stopped")
        note = note or (f"stopped: {stopped}" if stopped else "")
    return DraftRun(
        draft,
        counts=counts,
        close_not_ok=close_not_ok,
        exit_code=proc.returncode,
        wall=wall,
        report=os.path.relpath(run_dir / "index.html", base),
        note=note,
        non_ok=non_ok,
    )
