"""Verdicts and observations: what a run produces, as plain data (never exceptions)."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any

from ..cases.model import CaseInfo

WIRE_LOG_CAP = 64 * 1024  # bytes kept per direction in a case's wire log


class Behavior(enum.StrEnum):
    OK = "OK"
    NON_STRICT = "NON-STRICT"
    INFORMATIONAL = "INFORMATIONAL"
    UNIMPLEMENTED = "UNIMPLEMENTED"
    FAILED = "FAILED"


class CloseBehavior(enum.StrEnum):
    OK = "OK"
    WRONG_CODE = "WRONG CODE"
    UNCLEAN = "UNCLEAN"
    FAILED_BY_CLIENT = "FAILED BY CLIENT"
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
        """What gates a run's exit status: a FAILED behaviour, a FAILED close, or FAILED BY CLIENT (the
        peer broke the protocol, so the client had to fail the connection). WRONG CODE and UNCLEAN are
        shown in reports but tolerated, as Autobahn does."""
        return self.behavior is Behavior.FAILED or self.close in (CloseBehavior.FAILED, CloseBehavior.FAILED_BY_CLIENT)


@dataclass
class ObservedEvent:
    """One thing the agent saw. `type` is one of: open, message, fragment, ping, pong, close,
    failure (the agent failed the connection: the peer broke the protocol), tcp_closed, error, timeout."""

    t: float  # seconds since the case started
    type: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class WireChunk:
    t: float
    direction: str  # "out" (agent -> peer) or "in"
    data: bytes


@dataclass
class Observation:
    """Everything the engine recorded while running one case, for the judge and the report."""

    events: list[ObservedEvent] = field(default_factory=list)
    wire: list[WireChunk] = field(default_factory=list)
    wire_dropped: dict[str, int] = field(default_factory=lambda: {"out": 0, "in": 0})
    handshake_request: str = ""
    handshake_response: str = ""
    status: int | None = None  # HTTP status of the handshake answer; None when none arrived
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    protocol: str | None = None
    handshake_error: str | None = None  # the answer was not a valid WebSocket handshake
    closed_by: str | None = None  # "client" | "server": who sent the first close (or dropped TCP)
    remote_close_code: int | None = None
    local_close_code: int | None = None
    close_frame_received: bool = False
    clean: bool = False  # closing handshake completed and TCP closed
    client_failure: str | None = None  # the agent failed the connection because the peer broke a rule
    timed_out: bool = False
    error: str | None = None  # the agent could not run (connection refused, browser crashed ...)
    unimplemented: str | None = None  # why the agent or draft cannot express this case
    attachments: dict[str, bytes] = field(default_factory=dict)  # e.g. a page's screenshot.png

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
                **{
                    k: v
                    for k, v in asdict(obs).items()
                    if k not in ("events", "wire", "response_headers", "attachments")
                },
                "attachments": sorted(obs.attachments),
                "response_headers": [list(h) for h in obs.response_headers],
                "events": [asdict(e) for e in obs.events],
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
