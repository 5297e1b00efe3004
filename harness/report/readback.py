"""A written report read back: run.json and every result of a run directory, as the objects that wrote them.

`result_from_json` is the inverse of CaseResult.to_json (cases/<key>.json), attachments read from their
files beside it, so that `python -m harness merge` can write several runs' results as one report with the
same writer (and the same pages) as a run.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..cases.model import CaseInfo
from ..run.events import event_from_json
from ..run.results import (
    Behavior,
    CaseResult,
    CloseBehavior,
    Observation,
    RunInfo,
    Verdict,
    WireChunk,
)
from .detail import attachment_name

_OBSERVED_SPECIAL = frozenset({"events", "wire", "response_headers", "attachments", "ending"})


class ReportReadError(ValueError):
    """A run directory that cannot be read back, in one line."""


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportReadError(f"{path}: {exc}") from None


def result_from_json(data: dict[str, Any], attachment: Callable[[CaseResult, str], bytes]) -> CaseResult:
    """The CaseResult that wrote `data`; `attachment(result, name)` gives the bytes of one attachment."""
    observed: dict[str, Any] = data["observed"]
    plain = {
        f.name: observed[f.name]
        for f in dataclasses.fields(Observation)
        if f.name not in _OBSERVED_SPECIAL and f.name in observed
    }
    obs = Observation(
        **plain,
        events=[event_from_json(e) for e in observed.get("events", [])],
        wire=[WireChunk(c["t"], c["dir"], bytes.fromhex(c["hex"])) for c in data.get("wirelog", [])],
        response_headers=[(str(k), str(v)) for k, v in observed.get("response_headers", [])],
    )
    result = CaseResult(
        case=CaseInfo(
            **{f.name: data[f.name] for f in dataclasses.fields(CaseInfo) if f.name != "tags"},
            tags=tuple(data.get("tags", ())),
        ),
        draft=data["draft"],
        agent=data["agent"],
        verdict=Verdict(
            Behavior(data["behavior"]),
            data["behaviorReason"],
            CloseBehavior(data["behaviorClose"]),
            data["behaviorCloseReason"],
        ),
        started=data["started"],
        duration=data["duration"] / 1000,
        observation=obs,
        expected=data["expected"],
    )
    obs.attachments = {name: attachment(result, name) for name in observed.get("attachments", [])}
    return result


def run_info(meta: dict[str, Any]) -> RunInfo:
    """The RunInfo of a run.json."""
    return RunInfo(
        run_id=meta["runId"],
        started=meta["started"],
        target=meta["target"],
        drafts=tuple(meta["drafts"]),
        agents=dict(meta["agents"]),
        case_count=meta["caseCount"],
        catalogue=meta.get("catalogue") or "",
        reference=bool(meta.get("referenceServer")),
        shard=meta.get("shard") or "",
        partition=meta.get("partition") or "",
        merged=tuple(meta.get("mergedFrom") or ()),
        certificates=dict(meta.get("certificates") or {}),
    )


def read_results(run_dir: Path) -> Iterator[CaseResult]:
    """Every result listed in the run's index.json, read from its detail file."""
    index: dict[str, dict[str, dict[str, dict[str, Any]]]] = load_json(run_dir / "index.json")

    def attachment(result: CaseResult, name: str) -> bytes:
        path = run_dir / "cases" / attachment_name(result, name)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise ReportReadError(f"{path}: {exc.strerror or exc}") from None

    for by_draft in index.values():
        for by_case in by_draft.values():
            for entry in by_case.values():
                data = load_json(run_dir / entry["reportfile"])
                try:
                    yield result_from_json(data, attachment)
                except (KeyError, TypeError, ValueError) as exc:
                    raise ReportReadError(f"{run_dir / entry['reportfile']}: not a result file ({exc!r})") from None
