"""What a Connection reports: frozen dataclasses (with slots), one per thing that happened.

The opening handshake reports one event on each side: the server a HandshakeRequest (which it answers
with Connection.accept or reject), the client HandshakeAccepted, HandshakeRejected or HandshakeInvalid.
After it come the framing's events, from TextMessage to ConnectionClosed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .close import Close
from .drafts import Draft, Kind
from .frames import Frame
from .handshake import Accepted
from .http import Request, Response

# --- the opening handshake -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HandshakeRequest:
    """Server side: a client's request head (`head` as received), with hixie-76's 8 key3 bytes when it
    is a hixie-76 upgrade. `draft` is the draft it speaks (None: a version we do not support) and
    `protocols` the subprotocols it offers, for the server to choose from before it accepts."""

    request: Request
    head: bytes
    key3: bytes = b""
    draft: Draft | None = None
    protocols: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HandshakeAccepted:
    """Client side: a 101 that fits the request (hixie-76: with the right 16-byte `answer`)."""

    response: Response
    accepted: Accepted
    head: bytes
    answer: bytes = b""


@dataclass(frozen=True, slots=True)
class HandshakeRejected:
    """Client side: an answer other than 101; `body` holds what came of its body with the head."""

    response: Response
    head: bytes
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class HandshakeInvalid:
    """Either side: a head that is not HTTP or breaks a limit, or (client side) a 101 that does not
    fit the request. `head` and `response` are what could be read of it; `status` (server side) is the
    answer the connection queued: 400, or 431 for a head over the limits."""

    reason: str
    head: bytes | None = None
    response: Response | None = None
    status: int | None = None


HandshakeEvent = HandshakeRequest | HandshakeAccepted | HandshakeRejected | HandshakeInvalid

# --- framing -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextMessage:
    """A whole text message; `frames` is the number of frames it arrived in."""

    data: str
    frames: int = 1


@dataclass(frozen=True, slots=True)
class BinaryMessage:
    data: bytes
    frames: int = 1


@dataclass(frozen=True, slots=True)
class Fragment:
    """One data frame as it arrived. `kind` is the message's kind (TEXT or BINARY), also on
    continuation frames; `first` marks the frame that started the message. `data` is the frame's part of
    the message: its payload, inflated when the message is `compressed` (permessage-deflate)."""

    kind: Kind
    frame: Frame
    first: bool
    data: bytes
    compressed: bool = False

    @property
    def fin(self) -> bool:
        return self.frame.fin


_new_object = object.__new__
_set_kind, _set_frame, _set_first, _set_data, _set_compressed = (
    vars(Fragment)[name].__set__ for name in ("kind", "frame", "first", "data", "compressed")
)


def new_fragment(kind: Kind, frame: Frame, first: bool, data: bytes, compressed: bool) -> Fragment:
    """Fragment(kind, frame, first, data, compressed), made the way its frozen __init__ does
    (object.__setattr__ on each slot) minus the keyword-aware call: one per received frame in `frames`
    mode."""
    event = _new_object(Fragment)
    _set_kind(event, kind)
    _set_frame(event, frame)
    _set_first(event, first)
    _set_data(event, data)
    _set_compressed(event, compressed)
    return event


@dataclass(frozen=True, slots=True)
class Ping:
    payload: bytes


@dataclass(frozen=True, slots=True)
class Pong:
    payload: bytes


@dataclass(frozen=True, slots=True)
class CloseReceived:
    """The peer's close frame (hixie-76: the FF 00 sentinel, a Close without code) and its raw payload."""

    close: Close
    payload: bytes = b""

    @property
    def code(self) -> int | None:
        return self.close.code

    @property
    def reason(self) -> str:
        return self.close.reason


@dataclass(frozen=True, slots=True)
class ProtocolFailure:
    """The peer broke the protocol; the connection failed with `code` (queued for sending).
    `peer_close_code`: the code of the peer's close frame when that frame broke the rule."""

    code: int | None
    reason: str
    peer_close_code: int | None = None


@dataclass(frozen=True, slots=True)
class Ignored:
    """A frame the draft says to read and discard (hixie frame types other than 0x00)."""

    frame: Frame


@dataclass(frozen=True, slots=True)
class ConnectionClosed:
    """The transport ended (receive_data(b"")). `clean` when the closing handshake had completed."""

    clean: bool


Event = (
    HandshakeEvent
    | TextMessage
    | BinaryMessage
    | Fragment
    | Ping
    | Pong
    | CloseReceived
    | ProtocolFailure
    | Ignored
    | ConnectionClosed
)
