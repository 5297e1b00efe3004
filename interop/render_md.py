"""reports/interop/summary.md: the matrix in Markdown, with versions, commands and the non-OK cases."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .cells import Cell, client_cell, exclusions, server_cell
from .model import ClientResult, Matrix, NonOk, PeerResult

NON_OK_LIMIT = 12  # per peer and draft; the run's own report has them all


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(_escape(c) for c in cells) + " |"


def _table(
    first: str,
    results: Sequence[PeerResult] | Sequence[ClientResult],
    cell: Callable[[Any, str], Cell],
    drafts: Sequence[str],
) -> list[str]:
    """One row per implementation: its name, its version, then a cell per draft linked to its report."""
    lines = [_row([first, "version", *drafts]), _row(["---"] * (2 + len(drafts)))]
    for result in results:
        cells = []
        for draft in drafts:
            found = cell(result, draft)
            text = found.headline if not found.detail else f"{found.headline}: {found.detail}"
            cells.append(f"[{text}]({found.link})" if found.link else text)
        lines.append(_row([result.title, result.version or "?", *cells]))
    return lines


def server_table(matrix: Matrix) -> list[str]:
    return _table("implementation", matrix.peers, server_cell, matrix.drafts)


def client_table(matrix: Matrix) -> list[str]:
    return _table("client", matrix.clients, client_cell, matrix.drafts)


def non_ok_lines(peer: PeerResult | ClientResult) -> list[str]:
    lines: list[str] = []
    for run in peer.runs:
        if not run.non_ok:
            continue
        lines.append(f"- {run.draft}: {len(run.non_ok)} not OK")
        shown: list[NonOk] = list(run.non_ok[:NON_OK_LIMIT])
        for n in shown:
            verdict = n.behavior if n.close in ("OK", "UNIMPLEMENTED") else f"{n.behavior} / close {n.close}"
            reason = n.behavior_reason if n.behavior not in ("OK", "UNIMPLEMENTED") else n.close_reason
            lines.append(f"  - {n.case} {n.title}: {verdict}: {reason}")
        if len(run.non_ok) > NON_OK_LIMIT:
            lines.append(f"  - ... and {len(run.non_ok) - NON_OK_LIMIT} more in {run.report}")
    return lines


def summary_md(matrix: Matrix) -> str:
    out = [
        "# wsinterop interop matrix",
        "",
        f"- started: {matrix.started}; wall time {matrix.wall:.0f} s",
        f"- host: {matrix.host}",
        *([f"- shard: {matrix.shard}"] if matrix.shard else []),
        *([f"- merged from: {', '.join(matrix.merged)}"] if matrix.merged else []),
        *([f"- **incomplete**: {'; '.join(matrix.incomplete)}"] if matrix.incomplete else []),
        "- servers: each implementation's echo endpoint on loopback; per draft, a handshake probe (its answer: "
        "accepted, or the status and the versions it lists), then the catalogue in that draft "
        "(`python -m harness run --agents python`), as verdict counts. Links go to each run's full report.",
        "- clients: the server-side catalogue against each client under test (`python -m harness clients`: "
        "the fuzzing server plays the server, the client's testee echoes), as verdict counts per draft; "
        "UNIMPLEMENTED: the client cannot run on this machine; — means its testee does not speak that draft.",
        "",
        "## Servers",
        "",
        *server_table(matrix),
        "",
        "## Clients under test",
        "",
        *client_table(matrix),
        "",
        "## How each implementation was run",
        "",
    ]
    for peer in matrix.peers:
        out.append(f"- **{peer.title}** ({peer.version or 'version unknown'}): `{peer.command or 'not started'}`")
        if peer.error:
            out.append(f"  - error: {peer.error}")
        out.extend(f"  - {note}" for note in peer.notes)
    for client in matrix.clients:
        out.append(f"- **{client.title}** ({client.version or 'version unknown'}): `{client.command}`")
        if client.error:
            out.append(f"  - error: {client.error}")
    excluded = exclusions(matrix)
    if excluded:
        out += ["", "## Cases left out of peer runs", ""]
        out += [f"- `{pattern}` ({who}): {why}" for pattern, why, who in excluded]
    out += ["", "## Cases not OK, per implementation", ""]
    implementations: list[PeerResult | ClientResult] = [*matrix.peers, *matrix.clients]
    for result in implementations:
        lines = non_ok_lines(result)
        if lines:
            out += [f"### {result.title}", "", *lines, ""]
    return "\n".join(out).rstrip() + "\n"
