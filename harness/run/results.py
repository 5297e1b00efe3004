"""Verdicts and observations: what a run produces, as plain data (never exceptions)."""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass, field, fields
from typing import Any

from wire import Draft

from ..cases.model import CaseInfo
from .closing import Ending, ending
from .events import Event, Opened

WIRE_LOG_CAP = 64 * 1024  # bytes kept per direction in a case's wire log


class Behavior(enum.StrEnum):
    OK = "OK"
    NON_STRICT = "NON-STRICT"
    INFORMATIONAL = "INFORMATIONAL"
    UNIMPLEMENTED = "UNIMPLEMENTED"
    FAILED = "FAILED"


class CloseBehavior(enum.StrEnum):
    OK = "OK"
    INFORMATIONAL = "INFORMATIONAL"  # the case defines no expected closing (Autobahn's 7.1.6, 7.13.x)
    WRONG_CODE = "WRONG CODE"
    UNCLEAN = "UNCLEAN"
    FAILED_BY_CLIENT = "FAILED BY CLIENT"  # the client had to drop TCP: the server should have (RFC 6455 §7.1.1)
    FAILED = "FAILED"
    UNIMPLEMENTED = "UNIMPLEMENTED"


@dataclass(frozen=True)
class Verdict:
    behavior: Behavior
    behavior_reason: str
    close: CloseBehavior
    close_reason: str

    @property
    def failed(self) -> bool:
        """What gates a run's exit status: a FAILED behaviour or a FAILED close (the wrong side closed,
        nobody did, or the peer broke the protocol). WRONG CODE, UNCLEAN and FAILED BY CLIENT are shown in
        reports but tolerated, as Autobahn does; a case rule can make them fail the behaviour."""
        return self.behavior is Behavior.FAILED or self.close is CloseBehavior.FAILED


@dataclass
class WireChunk:
    t: float
    direction: str  # "out" (agent -> peer) or "in"
    data: bytes


@dataclass
class Observation:
    """Everything the engine recorded while running one case, for the judge and the report."""

    events: list[Event] = field(default_factory=list)
    wire: list[WireChunk] = field(default_factory=list)
    wire_dropped: dict[str, int] = field(default_factory=lambda: {"out": 0, "in": 0})
    handshake_request: str = ""
    handshake_response: str = ""
    status: int | None = None  # HTTP status of the handshake answer; None when none arrived
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    protocol: str | None = None
    extensions: str | None = None  # the extensions the server accepted (Sec-WebSocket-Extensions), if any
    handshake_error: str | None = None  # the answer was not a valid WebSocket handshake
    error: str | None = None  # the agent could not run (connection refused, browser crashed ...)
    unimplemented: str | None = None  # why the agent or draft cannot express this case
    attachments: dict[str, bytes] = field(default_factory=dict)  # e.g. a page's screenshot.png
    side: str = "client"  # the side wsinterop played: client, or server (the subject is a client)

    def wire_bytes(self, direction: str) -> int:
        return sum(len(c.data) for c in self.wire if c.direction == direction) + self.wire_dropped[direction]


@dataclass
class CaseResult:
    case: CaseInfo
    draft: str
    agent: str
    verdict: Verdict
    started: float  # unix time
    duration: float  # seconds
    observation: Observation
    expected: dict[str, Any]  # the case's expectations in their YAML shape, for the report

    @property
    def ending(self) -> Ending:
        """How the connection ended, worked out from the events (a scenario's: its first actor's)."""
        events = self.observation.events
        first = next((e.actor for e in events if isinstance(e, Opened)), "")
        return ending([e for e in events if e.actor == first], Draft.parse(self.draft))

    @property
    def key(self) -> str:
        """A file-name-safe identifier: case id, draft, agent."""
        return f"{self.case.id}_{self.draft}_{self.agent}".replace("/", "-")

    def to_json(self) -> dict[str, Any]:
        obs = self.observation
        return {
            "id": self.case.id,
            "title": self.case.title,
            "category": self.case.category,
            "spec": self.case.spec,
            "description": self.case.description,
            "expectation": self.case.expectation,
            "source": self.case.source,
            "tags": list(self.case.tags),
            "draft": self.draft,
            "agent": self.agent,
            "behavior": str(self.verdict.behavior),
            "behaviorReason": self.verdict.behavior_reason,
            "behaviorClose": str(self.verdict.close),
            "behaviorCloseReason": self.verdict.close_reason,
            "started": self.started,
            "duration": round(self.duration * 1000),
            "expected": self.expected,
            "observed": {
                **{  # the plain fields (asdict would first copy every event and wire chunk, deeply)
                    f.name: copy.deepcopy(getattr(obs, f.name))
                    for f in fields(obs)
                    if f.name not in ("events", "wire", "response_headers", "attachments")
                },
                "attachments": sorted(obs.attachments),
                "response_headers": [list(h) for h in obs.response_headers],
                "ending": self.ending.to_json(),
                "events": [e.to_json() for e in obs.events],
            },
            "wirelog": [{"t": round(c.t, 6), "dir": c.direction, "hex": c.data.hex()} for c in obs.wire],
        }


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    started: float
    target: str
    drafts: tuple[str, ...]
    agents: dict[str, str]  # agent name -> version string
    case_count: int  # planned case x draft x agent items
    catalogue: str = ""  # fingerprint of the case files: runs to merge must agree on it
    reference: bool = False  # the target is a reference server the run started for itself
    shard: str = ""  # "K/N" when the run is one slice of N (python -m harness run --shard)
    partition: str = ""  # fingerprint of what decided the slices: the shards of one run agree on it
    merged: tuple[str, ...] = ()  # a merged report: the runs it was made of ("run id (shard K/N)")
    certificates: dict[str, str] = field(default_factory=dict)  # wss://: agent -> how it checked the certificate
