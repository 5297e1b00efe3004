"""Several runs' reports as one: the shards of a split run (or runs of other drafts or agents) merged.

Runs merge only when they ran the same catalogue (the fingerprint each run.json records) against the same
target (the same URL, or each its own reference server), and no item is in two of them. Shards must be
of one split: the same N and the same partition fingerprint. A shard that is missing, or a run that was
interrupted or stopped, makes the merged report incomplete: it is written, and says so.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wire import Draft

from ..run.results import RunInfo
from .readback import ReportReadError, load_json, read_results, run_info
from .writer import ReportWriter, Summary


class MergeError(ValueError):
    """Runs that cannot be merged, in one line that says why."""


@dataclass(frozen=True)
class Run:
    path: Path
    meta: dict[str, Any]  # run.json
    info: RunInfo

    @property
    def label(self) -> str:
        return f"{self.info.run_id} (shard {self.info.shard})" if self.info.shard else self.info.run_id

    @property
    def target_id(self) -> str:
        return "its own reference server" if self.info.reference else self.info.target

    @property
    def incomplete(self) -> str:
        """Why this run did not run all its items, or ""."""
        if self.meta.get("stopped"):
            return f"{self.label} stopped: {self.meta['stopped']}"
        if self.meta.get("interrupted"):
            return f"{self.label} was interrupted"
        if self.meta.get("finished") is None:
            return f"{self.label} did not finish"
        return ""


def find_runs(paths: Sequence[Path]) -> list[Run]:
    """Each path is a run directory (it holds run.json) or a directory of them (`latest` left out)."""
    runs: list[Run] = []
    for path in paths:
        if (path / "run.json").is_file():
            dirs = [path]
        elif path.is_dir():
            dirs = sorted(d for d in path.iterdir() if d.name != "latest" and (d / "run.json").is_file())
        else:
            raise MergeError(f"{path}: no such directory")
        if not dirs:
            raise MergeError(f"{path}: neither a run directory (with run.json) nor a directory of runs")
        for d in dirs:
            meta = load_json(d / "run.json")
            try:
                runs.append(Run(d, meta, run_info(meta)))
            except (KeyError, TypeError) as exc:
                raise MergeError(f"{d / 'run.json'}: not a wsinterop run.json (no {exc})") from None
    return runs


def check(runs: Sequence[Run]) -> list[str]:
    """MergeError when the runs cannot be one report; else why the merged report is incomplete, if it is."""
    first = runs[0]
    for run in runs:
        if not run.info.catalogue:
            raise MergeError(f"{run.path}: the run records no catalogue fingerprint (an older wsinterop)")
        if run.info.catalogue != first.info.catalogue:
            raise MergeError(
                f"different catalogues: {first.path} ran catalogue {first.info.catalogue}, "
                f"{run.path} ran {run.info.catalogue}; merge only runs of the same case files"
            )
        if run.target_id != first.target_id:
            raise MergeError(
                f"different targets: {first.path} tested {first.target_id}, {run.path} tested {run.target_id}"
            )
    missing = _check_shards(runs)
    return missing + [run.incomplete for run in runs if run.incomplete]


def _check_shards(runs: Sequence[Run]) -> list[str]:
    shards = [r for r in runs if r.info.shard]
    if not shards:
        return []
    if len(shards) != len(runs):
        whole = next(r for r in runs if not r.info.shard)
        raise MergeError(f"{whole.path} is a whole run, {shards[0].path} a shard: merge the shards of one split")
    first = shards[0]
    count = int(first.info.shard.split("/")[1])
    seen: dict[str, Run] = {}
    for run in shards:
        if run.info.partition != first.info.partition or int(run.info.shard.split("/")[1]) != count:
            raise MergeError(
                f"{first.path} (shard {first.info.shard}) and {run.path} (shard {run.info.shard}) are slices of "
                "different splits (other N, selection, agents or --durations): their items may overlap or miss"
            )
        if run.info.shard in seen:
            raise MergeError(f"shard {run.info.shard} given twice: {seen[run.info.shard].path} and {run.path}")
        seen[run.info.shard] = run
    return [f"shard {k}/{count} is missing" for k in range(1, count + 1) if f"{k}/{count}" not in seen]


def merged_info(runs: Sequence[Run]) -> RunInfo:
    order = {d.value: i for i, d in enumerate(Draft)}
    drafts = sorted({d for r in runs for d in r.info.drafts}, key=lambda d: (order.get(d, len(order)), d))
    agents: dict[str, str] = {}
    certificates: dict[str, str] = {}
    for r in runs:
        for name, version in r.info.agents.items():
            agents.setdefault(name, version)
        for name, how in r.info.certificates.items():
            certificates.setdefault(name, how)
    targets = ", ".join(dict.fromkeys(r.info.target for r in runs))
    first = runs[0].info
    return RunInfo(
        run_id="merged-" + datetime.now(UTC).strftime("%Y%m%d-%H%M%S"),
        started=min(r.info.started for r in runs),
        target=f"the reference server, started by each run: {targets}" if first.reference else targets,
        drafts=tuple(drafts),
        agents=agents,
        case_count=sum(r.info.case_count for r in runs),
        catalogue=first.catalogue,
        reference=first.reference,
        partition=first.partition,
        merged=tuple(r.label for r in runs),
        certificates=certificates,
    )


def _clear(out: Path, runs: Sequence[Run]) -> None:
    """Make room for the merged report: `out` must be new, empty, or an earlier merged report (replaced)."""
    if any(out.resolve() == r.path.resolve() for r in runs):
        raise MergeError(f"--out {out} is one of the runs to merge")
    if not out.exists() or not any(out.iterdir()):
        return
    earlier = out / "run.json"
    if not (earlier.is_file() and load_json(earlier).get("mergedFrom")):
        raise MergeError(f"--out {out} exists and is not an earlier merged report: give a new directory")
    shutil.rmtree(out)


def merge(paths: Sequence[Path], out: Path) -> tuple[Summary, list[str]]:
    """Write the merged report of the runs under `paths` into `out`; (its summary, why it is incomplete).
    MergeError (nothing written) when the runs do not belong together or cannot be read."""
    started = time.monotonic()
    runs = find_runs(paths)
    if not runs:
        raise MergeError("no run to merge")
    incomplete = check(runs)
    _clear(out, runs)
    try:
        results = {r.path: list(read_results(r.path)) for r in runs}
    except ReportReadError as exc:
        raise MergeError(str(exc)) from None
    owner: dict[tuple[str, str, str], Path] = {}
    for path, items in results.items():
        for result in items:
            key = (result.case.id, result.draft, result.agent)
            if key in owner:
                raise MergeError(f"{' '.join(key)} has a result in both {owner[key]} and {path}")
            owner[key] = path
    writer = ReportWriter(out.parent, merged_info(runs), directory=out)
    for items in results.values():
        for result in items:
            writer.add(result)
    walls = [float(r.meta.get("wallTime") or 0.0) for r in runs]
    stopped = "; ".join(incomplete)
    summary = writer.finish(max(walls, default=time.monotonic() - started), stopped=stopped)
    return summary, incomplete
