"""What an agent observes while a case runs, as typed events.

Agents record facts only (a frame came in, a close frame went out, TCP ended and on whose side); who
closed, with what code and whether the closing was clean is worked out from them by harness/run/closing.py,
for every agent the same way. Every event carries `t`, seconds since the case started.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal

PREVIEW = 256  # bytes of a payload kept in a report
_IMMUTABLE = (str, int, float, type(None))  # event values JSON takes as they are (bool is an int)


@dataclass(frozen=True)
class PayloadInfo:
    """How a payload is kept: its size and digest (what the judge compares) and a preview."""

    size: int
    sha256: str
    preview: str  # UTF-8 text (replacement characters where invalid) or hex
    text: bool = False
    truncated: bool = False

    @classmethod
    def of(cls, data: bytes, text: bool = False) -> PayloadInfo:
        head = data[:PREVIEW]
        preview = head.decode("utf-8", "replace") if text else head.hex()
        return cls(len(data), hashlib.sha256(data).hexdigest(), preview, text, len(data) > PREVIEW)

    def data(self) -> dict[str, Any]:
        """As JSON data: asdict's result, without its deep copies (an event's data() writes one per payload)."""
        return {
            "size": self.size,
            "sha256": self.sha256,
            "preview": self.preview,
            "text": self.text,
            "truncated": self.truncated,
        }


NO_PAYLOAD = PayloadInfo(0, hashlib.sha256(b"").hexdigest(), "")


@dataclass(frozen=True)
class Event:
    t: float
    actor: str = field(default="", kw_only=True)  # in a scenario's merged report: whose connection
    kind: ClassVar[str] = "event"

    def data(self) -> dict[str, Any]:
        """The fields but `t` (and an empty `actor`), as JSON data. (Field by field, not asdict: a run of the
        compression cases writes hundreds of thousands of events, and asdict deep-copies every value.)"""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "t" or (f.name == "actor" and not value):
                continue
            if isinstance(value, PayloadInfo):
                value = value.data()
            elif not isinstance(value, _IMMUTABLE):
                value = copy.deepcopy(value)
            out[f.name] = value
        return out

    def to_json(self) -> dict[str, Any]:
        return {"t": self.t, "type": self.kind, **self.data()}


@dataclass(frozen=True)
class Opened(Event):
    protocol: str | None = None
    kind: ClassVar[str] = "open"


@dataclass(frozen=True)
class Rejected(Event):
    status: int = 0
    reason: str = ""
    kind: ClassVar[str] = "rejected"


@dataclass(frozen=True)
class HandshakeInvalid(Event):
    reason: str = ""
    kind: ClassVar[str] = "handshake_invalid"


@dataclass(frozen=True)
class MessageIn(Event):
    message: Literal["text", "binary"] = "text"
    payload: PayloadInfo = NO_PAYLOAD
    fragments: int = 1  # the frames it arrived in
    kind: ClassVar[str] = "message"


@dataclass(frozen=True)
class PingIn(Event):
    payload: PayloadInfo = NO_PAYLOAD
    kind: ClassVar[str] = "ping"


@dataclass(frozen=True)
class PongIn(Event):
    payload: PayloadInfo = NO_PAYLOAD
    kind: ClassVar[str] = "pong"


@dataclass(frozen=True)
class _Coded(Event):
    code: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class CloseIn(_Coded):
    """The peer's close frame (hixie-76: its closing sentinel)."""

    kind: ClassVar[str] = "close_in"


@dataclass(frozen=True)
class CloseOut(_Coded):
    """The agent's close frame (hixie-76: sentinel) was written; `t` is when the write was done."""

    kind: ClassVar[str] = "close_out"


@dataclass(frozen=True)
class Failure(_Coded):
    """The agent failed the connection: the peer broke a rule of the protocol."""

    kind: ClassVar[str] = "failure"


@dataclass(frozen=True)
class IgnoredIn(Event):
    """A frame the agent did not process (after a close, or a reserved type in a hixie draft)."""

    frame_type: int = 0
    payload: PayloadInfo = NO_PAYLOAD
    kind: ClassVar[str] = "ignored"


@dataclass(frozen=True)
class MarkSet(Event):
    """A `mark` step found the connection still open."""

    name: str = ""
    kind: ClassVar[str] = "mark"


@dataclass(frozen=True)
class TcpClosed(Event):
    """The TCP connection ended: `by` the peer (end of stream, reset) or the agent, which dropped it
    before the peer did (`reason` says why: no close reply in time, hixie-75's closing)."""

    by: Literal["peer", "agent"] = "peer"
    reason: str = ""
    kind: ClassVar[str] = "tcp_closed"


@dataclass(frozen=True)
class TimedOut(Event):
    """A wait's ceiling passed; `final`: the case ended there (nothing more happened after)."""

    waiting_for: str = ""
    seconds: float = 0.0
    final: bool = False
    kind: ClassVar[str] = "timeout"


@dataclass(frozen=True)
class Sent(Event):
    """A page handed a message to its WebSocket (a page's wire is out of sight; a raw agent's is logged)."""

    message: Literal["text", "binary"] = "text"
    size: int = 0
    blob: bool = False
    kind: ClassVar[str] = "sent"


@dataclass(frozen=True)
class HarnessError(Event):
    reason: str = ""
    traceback: str = ""
    kind: ClassVar[str] = "error"


@dataclass(frozen=True)
class ChatShown(Event):
    """The lines a chat room page shows, as (from, text)."""

    lines: tuple[tuple[str, str], ...] = ()
    kind: ClassVar[str] = "chat"


@dataclass(frozen=True)
class Refused(Event):
    """The agent would not open the WebSocket (a browser's rule: mixed content, an untrusted certificate),
    as it showed it: `new WebSocket()` threw, or an error event came and the socket never opened."""

    how: str = ""
    kind: ClassVar[str] = "refused"


@dataclass(frozen=True)
class Note(Event):
    """Something an agent reports that no verdict depends on (a user's action, a page's error event)."""

    text: str = ""
    kind: ClassVar[str] = "note"


KINDS: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        Opened,
        Rejected,
        HandshakeInvalid,
        MessageIn,
        PingIn,
        PongIn,
        CloseIn,
        CloseOut,
        Failure,
        IgnoredIn,
        MarkSet,
        TcpClosed,
        TimedOut,
        Sent,
        HarnessError,
        ChatShown,
        Refused,
        Note,
    )
}


def event_from_json(data: dict[str, Any]) -> Event:
    """The event that `Event.to_json` wrote (a report read back)."""
    fields = {k: v for k, v in data.items() if k != "type"}
    if "payload" in fields:
        fields["payload"] = PayloadInfo(**fields["payload"])
    if "lines" in fields:
        fields["lines"] = tuple((str(f), str(t)) for f, t in fields["lines"])
    return KINDS[data["type"]](**fields)
