"""JSON reports: Autobahn-shaped index.json (with the draft as an added level), run.json, detail files."""

from __future__ import annotations

from typing import Any

from ..run.results import Behavior, CaseResult
from .common import End, ResultSet, dumps_lines, iso_time


def detail_json(result: CaseResult) -> str:
    """cases/<key>.json: the whole result, wire log included."""
    return dumps_lines(result.to_json()) + "\n"


def index_json(results: ResultSet) -> dict[str, Any]:
    """{agent: {draft: {case_id: {behavior, behaviorClose, remoteCloseCode, duration, reportfile}}}}, plus
    `extensions` where the server accepted one."""
    index: dict[str, Any] = {}
    for e in results.entries():
        by_draft: dict[str, Any] = index.setdefault(e.agent, {})
        item = by_draft.setdefault(e.draft, {})[e.case_id] = {
            "behavior": str(e.behavior),
            "behaviorClose": str(e.close),
            "remoteCloseCode": e.remote_close_code,
            "duration": round(e.duration * 1000),
            "reportfile": f"cases/{e.key}.json",
        }
        if e.extensions:  # ours: the extensions the server accepted
            item["extensions"] = e.extensions
    # agents and drafts in the run's order, even where results arrived in another
    ordered: dict[str, Any] = {}
    for agent in results.agents:
        if agent in index:
            ordered[agent] = {d: index[agent][d] for d in results.drafts if d in index[agent]}
    return ordered


def _counts(results: ResultSet, draft: str | None = None, agent: str | None = None) -> dict[str, int]:
    counts = results.counts(draft, agent)
    out = {str(b): counts[b] for b in Behavior}
    out["closeNotOk"] = results.close_notable_count(draft, agent)
    return out


def run_json(results: ResultSet, end: End) -> dict[str, Any]:
    """run.json: what was run, against what, and how it ended (finished is null while running). The
    catalogue fingerprint, the target and the shard are what `python -m harness merge` checks."""
    run = results.run
    failed = results.failed()
    return {
        "runId": run.run_id,
        "target": run.target,
        "referenceServer": run.reference,
        "catalogue": run.catalogue,
        "shard": run.shard or None,
        "partition": run.partition or None,
        "mergedFrom": list(run.merged) or None,
        "started": run.started,
        "startedIso": iso_time(run.started),
        "drafts": list(run.drafts),
        "agents": dict(run.agents),
        "certificates": dict(run.certificates) or None,
        "caseCount": run.case_count,
        "resultCount": len(results),
        "finished": end.finished,
        "finishedIso": iso_time(end.finished) or None,
        "wallTime": None if end.wall_time is None else round(end.wall_time, 3),
        "interrupted": end.interrupted,
        "stopped": end.stopped or None,
        "failed": len(failed),
        "counts": _counts(results),
        "countsByDraft": {d: {a: _counts(results, d, a) for a in results.agents} for d in results.drafts},
    }
