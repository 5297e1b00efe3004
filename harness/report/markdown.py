"""summary.md: counts per draft x agent and the failed items, short enough to paste into an issue or a CI log."""

from __future__ import annotations

import re
from html import escape

from ..run.results import Behavior
from .common import End, Entry, ResultSet, iso_time, shorten

FAILED_CAP = 50  # failed items listed
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def md_text(text: str, limit: int = 300) -> str:
    """One line of Markdown-safe text: no HTML, no table breaks, no control characters."""
    text = _CONTROL.sub(" ", _SPACE.sub(" ", text)).strip()
    return escape(shorten(text, limit), quote=False).replace("|", "\\|").replace("`", "\\`")


def _failed_line(e: Entry) -> str:
    reasons = []
    if e.behavior is Behavior.FAILED:
        reasons.append(f"FAILED: {md_text(e.behavior_reason)}")
    if e.close_notable:
        reasons.append(f"close {e.close}: {md_text(e.close_reason)}")
    link = f"cases/{e.key}.html"
    return f"- [{md_text(e.case_id)}]({link}) {md_text(e.title, 80)} ({e.draft} / {e.agent}): " + "; ".join(reasons)


def summary_md(results: ResultSet, end: End) -> str:
    run = results.run
    wall_time = end.wall_time
    lines = [
        f"# wsinterop run {md_text(run.run_id)}",
        "",
        f"- target: {md_text(run.target)}",
        f"- started: {iso_time(run.started)}",
        f"- agents: {', '.join(f'{md_text(a)} {md_text(v)}' for a, v in run.agents.items())}",
        *(
            [f"- TLS certificate: {'; '.join(f'{md_text(a)}: {md_text(h)}' for a, h in run.certificates.items())}"]
            if run.certificates
            else []
        ),
        *([f"- shard: {md_text(run.shard)}"] if run.shard else []),
        *([f"- merged from: {md_text(', '.join(run.merged))}"] if run.merged else []),
        f"- results: {len(results)} of {run.case_count} planned",
        f"- wall time: {'-' if wall_time is None else f'{wall_time:.1f} s'}",
        f"- status: {md_text(end.status())}",
        "",
        "| draft | agent | total | " + " | ".join(str(b) for b in Behavior) + " | close not OK |",
        "|---|---|---:|" + "---:|" * len(Behavior) + "---:|",
    ]
    for draft, agent in results.columns():
        counts = results.counts(draft, agent)
        total = sum(counts.values())
        cells = " | ".join(str(counts[b]) for b in Behavior)
        lines.append(
            f"| {md_text(draft)} | {md_text(agent)} | {total} | {cells} | {results.close_notable_count(draft, agent)} |"
        )
    failed = results.failed()
    lines += ["", f"## Failed ({len(failed)})", ""]
    if not failed:
        lines.append("None.")
    lines.extend(_failed_line(e) for e in failed[:FAILED_CAP])
    if len(failed) > FAILED_CAP:
        lines.append(f"- … and {len(failed) - FAILED_CAP} more (see index.html)")
    return "\n".join(lines) + "\n"
