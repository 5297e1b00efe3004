"""wire: a sans-I/O WebSocket protocol library for every draft from hixie-75 to RFC 6455.

Standard library only. A `Connection` takes one side's opening handshake a chunk at a time
(`Connection.client`, `Connection.server`) and then frames; the handshake (`handshake`, `opening`) and
the framing (`frames`, `connection`) stay separate modules. Encoding never validates; validation is a
separate call, applied by a Connection's strict receive.
"""

from .close import Close, CloseCode, close_code
from .connection import Connection, Options, Side
from .drafts import DRAFTS, SUPPORTED_VERSIONS, Closing, Draft, DraftInfo, Family, Kind, Masking
from .errors import HandshakeError, HttpError, LocalProtocolError, RemoteProtocolError, WireError
from .events import (
    BinaryMessage,
    CloseReceived,
    ConnectionClosed,
    Event,
    Fragment,
    HandshakeAccepted,
    HandshakeEvent,
    HandshakeInvalid,
    HandshakeRejected,
    HandshakeRequest,
    Ignored,
    Ping,
    Pong,
    ProtocolFailure,
    TextMessage,
)
from .frames import Frame, FrameParser, encode, encode_parts
from .handshake import (
    Accepted,
    ClientHandshake,
    Rejection,
    ServerAccept,
    accept,
    detect_draft,
    is_upgrade,
)
from .http import Headers, HeadReader, Request, Response, parse_request, parse_response
from .masking import apply_mask
from .messages import message_frames
from .state import State
from .validation import Utf8Validator, check_frame, close_payload, parse_close

__all__ = [
    "DRAFTS",
    "SUPPORTED_VERSIONS",
    "Accepted",
    "BinaryMessage",
    "ClientHandshake",
    "Close",
    "CloseCode",
    "CloseReceived",
    "Closing",
    "Connection",
    "ConnectionClosed",
    "Draft",
    "DraftInfo",
    "Event",
    "Family",
    "Fragment",
    "Frame",
    "FrameParser",
    "HandshakeAccepted",
    "HandshakeError",
    "HandshakeEvent",
    "HandshakeInvalid",
    "HandshakeRejected",
    "HandshakeRequest",
    "HeadReader",
    "Headers",
    "HttpError",
    "Ignored",
    "Kind",
    "LocalProtocolError",
    "Masking",
    "Options",
    "Ping",
    "Pong",
    "ProtocolFailure",
    "Rejection",
    "RemoteProtocolError",
    "Request",
    "Response",
    "ServerAccept",
    "Side",
    "State",
    "TextMessage",
    "Utf8Validator",
    "WireError",
    "accept",
    "apply_mask",
    "check_frame",
    "close_code",
    "close_payload",
    "detect_draft",
    "encode",
    "encode_parts",
    "is_upgrade",
    "message_frames",
    "parse_close",
    "parse_request",
    "parse_response",
]
