"""The detail page of one result: the case, the verdicts, expected vs observed, the handshake, the wire log."""

from __future__ import annotations

from html import escape
from typing import Any

from ..run.events import Event
from ..run.results import CaseResult, CloseBehavior, WireChunk
from .common import BEHAVIOR_CODE, CLOSE_CODE, dumps, iso_time
from .html import draft_page_name, href, page

CHUNK_SHOW = 4096  # bytes of one chunk shown in the hexdump
TOTAL_SHOW = 64 * 1024  # bytes of the whole wire log shown on the page
ARROW = {"out": "→", "in": "←"}
DIRECTION = {"out": "out (agent to peer)", "in": "in (peer to agent)"}


_PRINTABLE = bytes(b if 0x20 <= b < 0x7F else 0x2E for b in range(256))  # anything else shown as "."


def hexdump(data: bytes, *, start: int = 0) -> str:
    """Offset, 16 hex bytes (two groups of 8), and an ASCII column; plain text, not yet escaped."""
    text = data.translate(_PRINTABLE).decode("ascii")
    lines = []
    for off in range(0, len(data), 16):
        hexes = f"{data[off : off + 8].hex(' ')}  {data[off + 8 : off + 16].hex(' ')}"
        lines.append(f"{start + off:08x}  {hexes:<48}  |{text[off : off + 16]}|")
    return "\n".join(lines)


def wire_log(chunks: list[WireChunk], dropped: dict[str, int], *, json_name: str) -> str:
    parts: list[str] = []
    budget = TOTAL_SHOW
    hidden_chunks = 0
    for chunk in chunks:
        if budget <= 0:
            hidden_chunks += 1
            continue
        shown = chunk.data[: min(CHUNK_SHOW, budget)]
        budget -= len(shown)
        head = (
            f"{chunk.t:10.6f} s  {ARROW.get(chunk.direction, '?')} "
            f"{DIRECTION.get(chunk.direction, chunk.direction)}  {len(chunk.data)} bytes"
        )
        more = len(chunk.data) - len(shown)
        tail = f"\n… {more} more bytes of this chunk not shown" if more else ""
        parts.append(
            f'<pre class="wire {escape(chunk.direction)}">{escape(head + chr(10) + hexdump(shown) + tail)}</pre>'
        )
    notes = []
    if hidden_chunks:
        notes.append(f"{hidden_chunks} more chunks not shown")
    for direction, count in dropped.items():
        if count:
            notes.append(f"{count} bytes {DIRECTION.get(direction, direction)} not kept (log cap)")
    if not chunks:
        parts.append("<p>No bytes recorded.</p>")
    if notes or any(len(c.data) > CHUNK_SHOW for c in chunks):
        link = f'<a href="{href(json_name)}">{escape(json_name)}</a>'
        notes_html = escape("; ".join(notes)) + ("; " if notes else "")
        parts.append(f"<p>{notes_html}the whole kept log is in {link}</p>")
    return "".join(parts)


def _kv(pairs: list[tuple[str, Any]]) -> str:
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape('' if v is None else str(v))}</dd>" for k, v in pairs)
    return f'<dl class="kv">{items}</dl>'


def _events(events: list[Event]) -> str:
    if not events:
        return "<p>No events.</p>"
    rows = "".join(
        f"<tr><td>{e.t:.6f}</td><td>{escape(e.kind)}</td><td><code>{escape(dumps(e.data()))}</code></td></tr>"
        for e in events
    )
    return f"<table><thead><tr><th>t (s)</th><th>event</th><th>data</th></tr></thead><tbody>{rows}</tbody></table>"


def _pre(text: str) -> str:
    return f"<pre>{escape(text)}</pre>" if text else "<p>(none)</p>"


def attachment_name(result: CaseResult, name: str) -> str:
    """The file an attachment (a screenshot) is written to, beside the case's detail page."""
    return f"{result.key}-{name}"


def _attachments(result: CaseResult) -> str:
    names = sorted(result.observation.attachments)
    if not names:
        return ""
    items = "".join(
        f'<figure><a href="{href(attachment_name(result, n))}"><img src="{href(attachment_name(result, n))}" '
        f'alt="{escape(n)}" style="max-width: 32em; border: 1px solid #ccc"></a><figcaption>{escape(n)}'
        "</figcaption></figure>"
        for n in names
    )
    return f"<h2>Screenshots</h2>{items}"


def detail_page(result: CaseResult) -> str:
    case, v, obs = result.case, result.verdict, result.observation
    title = f"{case.id} {case.title} - {result.draft} / {result.agent}"
    close_class = CLOSE_CODE[v.close]
    close_class = {"ok": "ok", "failed": "failed", "unimpl": "unimpl"}.get(close_class, "ns")
    verdicts = (
        "<table><tbody>"
        f'<tr><th>behaviour</th><td class="{BEHAVIOR_CODE[v.behavior]}">{escape(str(v.behavior))}</td>'
        f"<td>{escape(v.behavior_reason)}</td></tr>"
        f'<tr><th>close</th><td class="{close_class}{" cf" if v.close is CloseBehavior.FAILED else ""}">'
        f"{escape(str(v.close))}</td><td>{escape(v.close_reason)}</td></tr>"
        "</tbody></table>"
    )
    nav = (
        f'<p><a href="../index.html">index</a> | <a href="{href("../" + draft_page_name(result.draft))}">'
        f'{escape(result.draft)}</a> | <a href="{href(result.key + ".json")}">JSON</a></p>'
    )
    about = _kv(
        [
            ("id", case.id),
            ("category", case.category),
            ("spec", case.spec),
            ("source", case.source),
            ("draft", result.draft),
            ("agent", result.agent),
            ("started", iso_time(result.started)),
            ("duration", f"{result.duration * 1000:.0f} ms"),
        ]
    )
    end = result.ending
    closing = _kv(
        [
            ("closed by", end.closed_by),
            ("remote close code", end.remote_code),
            ("local close code", end.local_code),
            ("close frame received", end.close_received),
            ("clean", end.clean),
            ("client dropped TCP", end.dropped_by_agent),
            ("client failure", end.failure),
            ("timed out", end.timed_out),
            ("error", obs.error),
            ("unimplemented", obs.unimplemented),
        ]
    )
    handshake = _kv(
        [
            ("status", obs.status),
            ("protocol", obs.protocol),
            ("extensions", obs.extensions),
            ("handshake error", obs.handshake_error),
        ]
    )
    body = (
        f"{nav}<h1>{escape(title)}</h1>\n{about}\n"
        f"<h2>Description</h2><p>{escape(case.description)}</p>"
        f"<h2>Expectation</h2><p>{escape(case.expectation)}</p>"
        f"<h2>Verdicts</h2>{verdicts}"
        f"<h2>Expected</h2>{_pre(dumps(result.expected, indent=2))}"
        f"<h2>Observed events</h2>{_events(obs.events)}{_attachments(result)}"
        f"<h2>Close</h2>{closing}"
        f"<h2>Handshake</h2>{handshake}<h3>Request</h3>{_pre(obs.handshake_request)}"
        f"<h3>Response</h3>{_pre(obs.handshake_response)}"
        f"<h2>Wire log</h2>{wire_log(obs.wire, obs.wire_dropped, json_name=result.key + '.json')}"
    )
    return page(title, body)
