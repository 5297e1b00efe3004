"""What a Connection reports: frozen dataclasses (with slots), one per thing that happened."""

from __future__ import annotations

from dataclasses import dataclass

from .drafts import Kind
from .frames import Frame


@dataclass(frozen=True, slots=True)
class TextMessage:
    data: str


@dataclass(frozen=True, slots=True)
class BinaryMessage:
    data: bytes


@dataclass(frozen=True, slots=True)
class Fragment:
    """One data frame as it arrived. `kind` is the message's kind (TEXT or BINARY), also on
    continuation frames; `first` marks the frame that started the message."""

    kind: Kind
    frame: Frame
    first: bool

    @property
    def fin(self) -> bool:
        return self.frame.fin


_new_object = object.__new__
_set_kind, _set_frame, _set_first = (vars(Fragment)[name].__set__ for name in ("kind", "frame", "first"))


def new_fragment(kind: Kind, frame: Frame, first: bool) -> Fragment:
    """Fragment(kind, frame, first), made the way its frozen __init__ does (object.__setattr__ on each
    slot) minus the keyword-aware call: one per received frame in `frames` mode."""
    event = _new_object(Fragment)
    _set_kind(event, kind)
    _set_frame(event, frame)
    _set_first(event, first)
    return event


@dataclass(frozen=True, slots=True)
class Ping:
    payload: bytes


@dataclass(frozen=True, slots=True)
class Pong:
    payload: bytes


@dataclass(frozen=True, slots=True)
class CloseReceived:
    """The peer's close frame (hixie-76: the FF 00 sentinel). `code` is None when it carried none."""

    code: int | None
    reason: str
    payload: bytes = b""


@dataclass(frozen=True, slots=True)
class ProtocolFailure:
    """The peer broke the protocol; the connection failed with `code` (queued for sending)."""

    code: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class Ignored:
    """A frame the draft says to read and discard (hixie frame types other than 0x00)."""

    frame: Frame


@dataclass(frozen=True, slots=True)
class ConnectionClosed:
    """The transport ended (receive_data(b"")). `clean` when the closing handshake had completed."""

    clean: bool


Event = (
    TextMessage | BinaryMessage | Fragment | Ping | Pong | CloseReceived | ProtocolFailure | Ignored | ConnectionClosed
)
