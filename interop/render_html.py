"""reports/interop/index.html: the matrix as one self-contained page (no scripts, inline CSS)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from .cells import Cell, client_cell, exclusions, server_cell
from .model import ClientResult, Matrix, PeerResult
from .render_md import NON_OK_LIMIT

CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.5em; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
td.cell { min-width: 9em; font-size: 13px; }
td.cell b { display: block; }
td.cell small { color: #444; }
.ok { background: #dff3df; } .failed { background: #fbe0dc; } .rejected { background: #eeeeee; }
.broken { background: #fdf0cf; } .error { background: #f6c9c4; } .none { background: #fafafa; color: #999; }
code { background: #f5f5f5; padding: 0 0.2em; }
.legend span { display: inline-block; padding: 0.1em 0.5em; margin-right: 0.4em; border: 1px solid #ccc; }
li { margin: 0.15em 0; }
"""
LEGEND = (
    ("ok", "accepted; the catalogue ran with nothing FAILED"),
    ("failed", "accepted; some cases FAILED"),
    ("rejected", "handshake refused (a result, not an error)"),
    ("broken", "101, but the draft does not work (no echo, invalid answer)"),
    ("error", "the peer or client failed to install or start; a client that cannot run here (UNIMPLEMENTED)"),
)


def _cell(cell: Cell) -> str:
    head = escape(cell.headline)
    if cell.link:
        head = f'<a href="{escape(cell.link)}">{head}</a>'
    detail = f"<small>{escape(cell.detail)}</small>" if cell.detail else ""
    tip = f' title="{escape(cell.tip)}"' if cell.tip else ""
    return f'<td class="cell {cell.kind}"{tip}><b>{head}</b>{detail}</td>'


def _head(first: str, drafts: tuple[str, ...]) -> str:
    cols = "".join(f"<th>{escape(d)}</th>" for d in drafts)
    return f"<tr><th>{escape(first)}</th><th>version</th>{cols}</tr>"


def _rows(
    results: Sequence[PeerResult] | Sequence[ClientResult], cell: Callable[[Any, str], Cell], drafts: Sequence[str]
) -> str:
    """One row per implementation: its name, its version, then a cell per draft."""
    rows = []
    for result in results:
        cells = "".join(_cell(cell(result, d)) for d in drafts)
        rows.append(f"<tr><th>{escape(result.title)}</th><td>{escape(result.version or '?')}</td>{cells}</tr>")
    return "\n".join(rows)


def server_rows(matrix: Matrix) -> str:
    return _rows(matrix.peers, server_cell, matrix.drafts)


def client_rows(matrix: Matrix) -> str:
    return _rows(matrix.clients, client_cell, matrix.drafts)


def _non_ok(peer: PeerResult | ClientResult) -> str:
    parts = []
    for run in peer.runs:
        if not run.non_ok:
            continue
        items = []
        for n in run.non_ok[:NON_OK_LIMIT]:
            reason = n.behavior_reason if n.behavior not in ("OK", "UNIMPLEMENTED") else n.close_reason
            verdict = n.behavior if n.close in ("OK", "UNIMPLEMENTED") else f"{n.behavior} / close {n.close}"
            case = f'<a href="{escape(n.report)}">{escape(n.case)}</a>' if n.report else escape(n.case)
            items.append(f"<li>{case} {escape(n.title)}: <b>{escape(verdict)}</b>: {escape(reason)}</li>")
        more = len(run.non_ok) - NON_OK_LIMIT
        if more > 0:
            items.append(f'<li><a href="{escape(run.report)}">{more} more in the run\'s report</a></li>')
        parts.append(f"<li>{escape(run.draft)}: {len(run.non_ok)} not OK<ul>{''.join(items)}</ul></li>")
    if not parts:
        return ""
    return f"<h3>{escape(peer.title)}</h3><ul>{''.join(parts)}</ul>"


def _commands(matrix: Matrix) -> str:
    items = []
    for peer in matrix.peers:
        extra = f"<br>error: {escape(peer.error)}" if peer.error else ""
        notes = "".join(f"<br>{escape(n)}" for n in peer.notes)
        version = escape(peer.version or "version unknown")
        command = escape(peer.command or "not started")
        items.append(f"<li><b>{escape(peer.title)}</b> ({version}): <code>{command}</code>{extra}{notes}</li>")
    for client in matrix.clients:
        extra = f"<br>error: {escape(client.error)}" if client.error else ""
        version = escape(client.version or "version unknown")
        items.append(
            f"<li><b>{escape(client.title)}</b> ({version}): <code>{escape(client.command)}</code>{extra}</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def _provenance(matrix: Matrix) -> str:
    """Which shard this is, or which shards a merged matrix is made of (and which it lacks)."""
    parts = []
    if matrix.shard:
        parts.append(f"<p>Shard {escape(matrix.shard)}: only this slice of the servers and clients.</p>")
    if matrix.merged:
        parts.append(f"<p>Merged from {escape(', '.join(matrix.merged))}.</p>")
    if matrix.incomplete:
        parts.append(f'<p class="failed"><b>Incomplete</b>: {escape("; ".join(matrix.incomplete))}.</p>')
    return "\n".join(parts)


def index_html(matrix: Matrix) -> str:
    legend = "".join(f'<span class="{k}">{escape(text)}</span>' for k, text in LEGEND)
    excluded_html = "".join(
        f"<li><code>{escape(pat)}</code> ({escape(who)}): {escape(why)}</li>" for pat, why, who in exclusions(matrix)
    )
    implementations: list[PeerResult | ClientResult] = [*matrix.peers, *matrix.clients]
    non_ok = "".join(_non_ok(p) for p in implementations)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wsinterop interop matrix</title><style>{CSS}</style></head>
<body>
<h1>wsinterop interop matrix</h1>
<p>Started {escape(matrix.started)}; wall time {matrix.wall:.0f} s. Host: {escape(matrix.host)}.</p>
{_provenance(matrix)}
<p class="legend">{legend}</p>
<h2>Servers: the catalogue against each implementation, draft by draft</h2>
<p>Each cell: the answer to a handshake probe in that draft (hover for the status line, the
Sec-WebSocket-Version it lists and the subprotocol it chose), then the catalogue's verdict counts in that
draft; the headline links to that run's full report.</p>
<table>{_head("implementation", matrix.drafts)}
{server_rows(matrix)}</table>
<h2>Clients under test: the server-side catalogue against each client, draft by draft</h2>
<p>Each cell: the verdict counts of the server-side catalogue (<code>python -m harness clients</code>: the
fuzzing server plays the server's part, the client's testee echoes) in that draft; the headline links to
that run's full report. UNIMPLEMENTED in red: the client cannot run on this machine (hover for why);
— means its testee does not speak that draft.</p>
<table>{_head("client", matrix.drafts)}
{client_rows(matrix)}</table>
<h2>How each implementation was run</h2>
{_commands(matrix)}
<h2>Cases left out of peer runs</h2>
<ul>{excluded_html}</ul>
<h2>Cases not OK</h2>
{non_ok or "<p>none</p>"}
</body></html>
"""
