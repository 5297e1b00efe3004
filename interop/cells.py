"""What each matrix cell says, independent of the output format (summary.md and index.html share it)."""

from __future__ import annotations

from dataclasses import dataclass

from .model import BEHAVIORS, ClientResult, DraftRun, Matrix, PeerResult, Probe

# cell kinds, which the HTML colours: ok (green), failed (red), rejected (grey: a result, not an error),
# broken (amber: a 101 that does not work), error (red: the peer or client itself failed), none (blank)
SHORT = {"OK": "OK", "NON-STRICT": "NON-STRICT", "INFORMATIONAL": "INFO", "UNIMPLEMENTED": "UNIMPL", "FAILED": "FAILED"}


@dataclass(frozen=True)
class Cell:
    kind: str
    headline: str  # "accepted", "426 listing 13", "OK", "error"
    detail: str = ""  # counts, or why
    link: str = ""  # the run's report, relative to reports/interop/
    tip: str = ""  # a longer explanation (HTML title)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def counts_text(run: DraftRun) -> str:
    parts = [f"{run.counts[b]} {SHORT[b]}" for b in BEHAVIORS if run.counts.get(b)]
    if run.close_not_ok:
        parts.append(f"{run.close_not_ok} close not OK")
    return ", ".join(parts) if parts else "no results"


def probe_tip(probe: Probe) -> str:
    bits = [f"{probe.status} {probe.reason}".strip() if probe.status else probe.outcome]
    if probe.versions:
        bits.append(f"Sec-WebSocket-Version: {probe.versions}")
    if probe.protocol:
        bits.append(f"subprotocol {probe.protocol}")
    if probe.detail:
        bits.append(probe.detail)
    if probe.extensions is not None:
        bits.append(f"Sec-WebSocket-Extensions: {probe.extensions or '(none)'}")
    if probe.echo:
        bits.append(f"test message: {probe.echo}")
    return "; ".join(bits)


def server_cell(peer: PeerResult, draft: str) -> Cell:
    if peer.error:
        return Cell("error", "error", peer.error)
    probe = peer.probe(draft)
    if probe is None:  # a compression row probes RFC 6455 only
        return Cell("none", "—", tip="not probed in this draft") if peer.probes else Cell("none", "")
    run = peer.run(draft)
    tip = probe_tip(probe)
    if not probe.accepted:
        return Cell("rejected", probe.label(), _short(probe.detail), tip=tip)
    if probe.outcome == "invalid":
        return Cell("broken", "101, invalid answer", _short(probe.detail), tip=tip)
    if run is None or not run.counts:
        why = "catalogue not run" if run is None or run.note.startswith("not run") else run.note
        kind = "broken" if not probe.echoed or probe.deflate_refused else "error"
        return Cell(kind, probe.label(), why, run.report if run else "", tip)
    kind = "failed" if run.failed or run.note else "ok"
    note = f"; {run.note}" if run.note else ""
    return Cell(kind, probe.label(), counts_text(run) + note, run.report, tip)


def client_cell(client: ClientResult, draft: str) -> Cell:
    """The catalogue's verdict counts against one client under test in one draft. Red: an install failure,
    a run without a report, a FAILED case, or a subject that cannot run here (all UNIMPLEMENTED)."""
    if client.error:
        return Cell("error", "error", client.error)
    if draft not in client.drafts:
        return Cell("none", "—", "", tip="its testee does not speak this draft")
    run = client.run(draft)
    if run is None:
        return Cell("error", "not run", "no run in this matrix")
    if not run.counts:
        return Cell("error", "no report", run.note, run.report)
    if set(run.counts) == {"UNIMPLEMENTED"}:
        return Cell("error", "UNIMPLEMENTED", run.note or counts_text(run), run.report, counts_text(run))
    kind = "failed" if run.failed or run.note else "ok"
    headline = "FAILED" if run.failed else "OK" if kind == "ok" else "stopped"
    note = f"; {run.note}" if run.note else ""
    return Cell(kind, headline, counts_text(run) + note, run.report)


def exclusions(matrix: Matrix) -> list[tuple[str, str, str]]:
    """(case pattern, why, which peers) for every case left out of some peer's runs."""
    found: dict[tuple[str, str], list[str]] = {}
    for peer in matrix.peers:
        for pattern, why in peer.excluded:
            found.setdefault((pattern, why), []).append(peer.title)
    everyone = [p.title for p in matrix.peers if p.excluded]
    return [(pat, why, "all peers" if names == everyone else ", ".join(names)) for (pat, why), names in found.items()]
