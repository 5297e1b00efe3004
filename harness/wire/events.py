"""What a Connection reports: frozen dataclasses, one per thing that happened."""

from __future__ import annotations

from dataclasses import dataclass

from .drafts import Kind
from .frames import Frame


@dataclass(frozen=True)
class TextMessage:
    data: str


@dataclass(frozen=True)
class BinaryMessage:
    data: bytes


@dataclass(frozen=True)
class Fragment:
    """One data frame as it arrived. `kind` is the message's kind (TEXT or BINARY), also on
    continuation frames; `first` marks the frame that started the message."""

    kind: Kind
    frame: Frame
    first: bool

    @property
    def fin(self) -> bool:
        return self.frame.fin


@dataclass(frozen=True)
class Ping:
    payload: bytes


@dataclass(frozen=True)
class Pong:
    payload: bytes


@dataclass(frozen=True)
class CloseReceived:
    """The peer's close frame (hixie-76: the FF 00 sentinel). `code` is None when it carried none."""

    code: int | None
    reason: str
    payload: bytes = b""


@dataclass(frozen=True)
class ProtocolFailure:
    """The peer broke the protocol; the connection failed with `code` (queued for sending)."""

    code: int | None
    reason: str


@dataclass(frozen=True)
class Ignored:
    """A frame the draft says to read and discard (hixie frame types other than 0x00)."""

    frame: Frame


@dataclass(frozen=True)
class ConnectionClosed:
    """The transport ended (receive_data(b"")). `clean` when the closing handshake had completed."""

    clean: bool


Event = (
    TextMessage | BinaryMessage | Fragment | Ping | Pong | CloseReceived | ProtocolFailure | Ignored | ConnectionClosed
)
