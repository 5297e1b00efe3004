"""What every reporter shares: a slim row per result, the ordered result set, atomic writes, small helpers.

The writer keeps only an `Entry` per result in memory (the wire log goes to the detail files at once), so a
long run costs memory per row, not per byte on the wire.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..run.events import Event
from ..run.results import Behavior, CaseResult, CloseBehavior, RunInfo

SUMMARY_CAP = 2000  # characters of the expected-vs-observed text kept per entry

# CSS class per verdict (also the filter codes of the HTML matrix)
BEHAVIOR_CODE: dict[Behavior, str] = {
    Behavior.OK: "ok",
    Behavior.NON_STRICT: "ns",
    Behavior.INFORMATIONAL: "info",
    Behavior.UNIMPLEMENTED: "unimpl",
    Behavior.FAILED: "failed",
}
CLOSE_CODE: dict[CloseBehavior, str] = {
    CloseBehavior.OK: "ok",
    CloseBehavior.INFORMATIONAL: "info",
    CloseBehavior.WRONG_CODE: "wrong",
    CloseBehavior.UNCLEAN: "unclean",
    CloseBehavior.FAILED_BY_CLIENT: "byclient",
    CloseBehavior.FAILED: "failed",
    CloseBehavior.UNIMPLEMENTED: "unimpl",
}

_NON_DIGITS = re.compile(r"\D")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def case_sort_key(case_id: str) -> tuple[tuple[int, int | str], ...]:
    """Sort dotted ids numerically: '2.10' after '2.9'; non-numeric parts sort after numbers, as text."""
    parts: list[tuple[int, int | str]] = []
    for part in case_id.split("."):
        if part and not _NON_DIGITS.search(part):
            parts.append((0, int(part)))
        else:
            parts.append((1, part))
    return tuple(parts)


def close_notable(behavior: Behavior, close: CloseBehavior) -> bool:
    """Whether a report shows the close verdict next to the behaviour: not OK, and not the plain
    UNIMPLEMENTED/UNIMPLEMENTED pair of a case the draft cannot express."""
    if close is CloseBehavior.OK:
        return False
    return not (close is CloseBehavior.UNIMPLEMENTED and behavior is Behavior.UNIMPLEMENTED)


def json_default(value: object) -> Any:
    """Let json.dumps write what observation data may hold beyond JSON types."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def dumps(value: Any, *, indent: int | None = None) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False, default=json_default)


def dumps_lines(value: Any, indent: str = "") -> str:
    """JSON to read and to parse: an object a key per line, a list of objects an object per line, anything
    else on one line. Written by json's C encoder, which an `indent` turns off: a detail file holds
    thousands of events and wire chunks."""
    inner = indent + " "
    if isinstance(value, dict) and value:
        items = ",\n".join(f"{inner}{dumps(str(k))}: {dumps_lines(v, inner)}" for k, v in value.items())
        return f"{{\n{items}\n{indent}}}"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        items = ",\n".join(inner + dumps(v) for v in value)
        return f"[\n{items}\n{indent}]"
    return dumps(value)


def iso_time(ts: float | None) -> str:
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def visible_controls(text: str) -> str:
    """Control characters (but tab, LF, CR), lone surrogates and U+FFFE/U+FFFF as visible escapes such as
    \\x01: what XML 1.0 forbids and what HTML calls a parse error, kept readable."""
    return _CONTROLS.sub(_visible, text)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def atomic_write_text(path: Path, text: str) -> None:
    """UTF-8; a lone surrogate is written as its backslash escape (which JSON reads back as itself)."""
    atomic_write_bytes(path, text.encode("utf-8", "backslashreplace"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `path` so that a reader sees the old file or the new one, never a part."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _event_text(event: Event) -> str:
    data = event.data()
    return f"{event.kind} {shorten(dumps(data), 80)}" if data else event.kind


def observed_summary(result: CaseResult, *, max_events: int = 20) -> str:
    """One short paragraph of what the agent saw, for JUnit bodies and tooltips."""
    obs = result.observation
    parts: list[str] = [f"status {obs.status}" if obs.status is not None else "no handshake answer"]
    events = [_event_text(e) for e in obs.events[:max_events]]
    if len(obs.events) > max_events:
        events.append(f"… {len(obs.events) - max_events} more")
    parts.append("events: " + ("; ".join(events) if events else "none"))
    end = result.ending
    parts.append(end.describe())
    for label, value in (
        ("handshake error", obs.handshake_error),
        ("client failure", end.failure),
        ("error", obs.error),
        ("unimplemented", obs.unimplemented),
    ):
        if value:
            parts.append(f"{label}: {value}")
    if end.timed_out:
        parts.append("timed out")
    return "\n".join(parts)


def outcome_text(result: CaseResult) -> str:
    """Expected vs observed, as plain text."""
    v = result.verdict
    text = (
        f"behaviour: {v.behavior} - {v.behavior_reason}\n"
        f"close: {v.close} - {v.close_reason}\n"
        f"expected: {dumps(result.expected)}\n"
        f"observed: {observed_summary(result)}"
    )
    return shorten(text, SUMMARY_CAP)


@dataclass(frozen=True)
class End:
    """Where a report's run stands: running (`finished` is None), finished, interrupted, or stopped early."""

    finished: float | None  # unix time
    wall_time: float | None
    interrupted: bool = False
    stopped: str = ""  # why the run stopped before its end

    @property
    def incomplete(self) -> str:
        """Why the run did not run all its items: "" when it did (or is still running)."""
        return self.stopped or ("interrupted" if self.interrupted else "")

    def status(self) -> str:
        wall = self.wall_time or 0.0
        if self.stopped:
            return f"stopped after {wall:.1f} s: {self.stopped}"
        if self.interrupted:
            return f"interrupted after {wall:.1f} s"
        if self.finished is not None:
            return f"finished in {wall:.1f} s"
        return "running: partial report, reload for more"


@dataclass(frozen=True)
class Entry:
    """What the aggregate reports need of one result."""

    key: str
    case_id: str
    title: str
    category: str
    draft: str
    agent: str
    behavior: Behavior
    behavior_reason: str
    close: CloseBehavior
    close_reason: str
    remote_close_code: int | None
    extensions: str | None  # what the server accepted (Sec-WebSocket-Extensions), if anything
    duration: float  # seconds
    failed: bool
    outcome: str  # expected vs observed, plain text

    @classmethod
    def of(cls, result: CaseResult) -> Entry:
        v = result.verdict
        return cls(
            key=result.key,
            case_id=result.case.id,
            title=result.case.title,
            category=result.case.category,
            draft=result.draft,
            agent=result.agent,
            behavior=v.behavior,
            behavior_reason=v.behavior_reason,
            close=v.close,
            close_reason=v.close_reason,
            remote_close_code=result.ending.remote_code,
            extensions=result.observation.extensions,
            duration=result.duration,
            failed=v.failed,
            outcome=outcome_text(result),
        )

    @property
    def close_notable(self) -> bool:
        return close_notable(self.behavior, self.close)


@dataclass(frozen=True)
class CaseRow:
    id: str
    title: str
    category: str


class ResultSet:
    """The entries of a run, with the run's deterministic orders: cases by numeric id, drafts and agents
    as RunInfo lists them (any others seen come after, sorted). Counts are kept as entries arrive and the
    sorted order is cached between additions, so a flush costs about one pass over the entries."""

    def __init__(self, run: RunInfo) -> None:
        self.run = run
        self._entries: dict[tuple[str, str, str], Entry] = {}
        self._cases: dict[str, tuple[tuple[int, str, int, str], CaseRow]] = {}
        self._extra_drafts: set[str] = set()
        self._extra_agents: set[str] = set()
        self._counts: dict[tuple[str, str], Counter[Behavior]] = {}
        self._close_notable: Counter[tuple[str, str]] = Counter()
        self._sorted: list[Entry] | None = None

    def add(self, entry: Entry) -> None:
        """Add an entry; one for the same case, draft and agent is replaced."""
        column = (entry.draft, entry.agent)
        old = self._entries.get((entry.case_id, entry.draft, entry.agent))
        if old is not None:
            self._counts[column][old.behavior] -= 1
            self._close_notable[column] -= old.close_notable
        self._entries[(entry.case_id, entry.draft, entry.agent)] = entry
        self._counts.setdefault(column, Counter())[entry.behavior] += 1
        self._close_notable[column] += entry.close_notable
        self._sorted = None
        # a case's title and category as its first draft x agent has them, whatever the arrival order
        rank = self._rank(entry)
        known = self._cases.get(entry.case_id)
        if known is None or rank <= known[0]:
            self._cases[entry.case_id] = (rank, CaseRow(entry.case_id, entry.title, entry.category))
        if entry.draft not in self.run.drafts:
            self._extra_drafts.add(entry.draft)
        if entry.agent not in self.run.agents:
            self._extra_agents.add(entry.agent)

    def _rank(self, entry: Entry) -> tuple[int, str, int, str]:
        drafts, agents = self.run.drafts, list(self.run.agents)
        d = drafts.index(entry.draft) if entry.draft in drafts else len(drafts)
        a = agents.index(entry.agent) if entry.agent in agents else len(agents)
        return (d, entry.draft, a, entry.agent)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def drafts(self) -> list[str]:
        return [*self.run.drafts, *sorted(self._extra_drafts)]

    @property
    def agents(self) -> list[str]:
        return [*self.run.agents, *sorted(self._extra_agents)]

    def columns(self, draft: str | None = None) -> list[tuple[str, str]]:
        """(draft, agent) pairs in report order, optionally for one draft."""
        drafts = self.drafts if draft is None else [draft]
        return [(d, a) for d in drafts for a in self.agents]

    def cases(self) -> list[CaseRow]:
        return [self._cases[k][1] for k in sorted(self._cases, key=case_sort_key)]

    def grouped(self, draft: str | None = None) -> list[tuple[str, list[CaseRow]]]:
        """Cases by category; categories in the order of their first case, cases by id.
        With `draft`, only cases that have a result for that draft."""
        groups: dict[str, list[CaseRow]] = {}
        for row in self.cases():
            if draft is not None and not any(self.get(row.id, draft, a) for a in self.agents):
                continue
            groups.setdefault(row.category, []).append(row)
        return list(groups.items())

    def get(self, case_id: str, draft: str, agent: str) -> Entry | None:
        return self._entries.get((case_id, draft, agent))

    def entries(self) -> list[Entry]:
        """All entries: by case id, then draft, then agent."""
        if self._sorted is None:
            drafts = {d: i for i, d in enumerate(self.drafts)}
            agents = {a: i for i, a in enumerate(self.agents)}
            self._sorted = sorted(
                self._entries.values(),
                key=lambda e: (case_sort_key(e.case_id), drafts[e.draft], agents[e.agent]),
            )
        return self._sorted

    def column(self, draft: str, agent: str) -> list[Entry]:
        """One draft x agent's entries, by case id."""
        return [e for e in self.entries() if e.draft == draft and e.agent == agent]

    def counts(self, draft: str | None = None, agent: str | None = None) -> Counter[Behavior]:
        total: Counter[Behavior] = Counter()
        for (d, a), counts in self._counts.items():
            if (draft is None or d == draft) and (agent is None or a == agent):
                total.update(counts)
        return total

    def close_notable_count(self, draft: str | None = None, agent: str | None = None) -> int:
        return sum(
            n
            for (d, a), n in self._close_notable.items()
            if (draft is None or d == draft) and (agent is None or a == agent)
        )

    def failed(self) -> list[Entry]:
        return [e for e in self.entries() if e.failed]
