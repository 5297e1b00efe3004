"""harness.wire: a sans-I/O WebSocket protocol library for every draft from hixie-75 to RFC 6455.

Standard library only. Handshakes (`handshake`) and framing (`frames`, `connection`) are separate: a
framing Connection exists only after a handshake succeeded. Encoding never validates; validation is a
separate call, applied by a Connection's strict receive.
"""

from .connection import Connection, Side, State
from .drafts import DRAFTS, SUPPORTED_VERSIONS, Closing, Draft, DraftInfo, Family, Kind, Masking
from .errors import HandshakeError, HttpError, LocalProtocolError, RemoteProtocolError, WireError
from .events import (
    BinaryMessage,
    CloseReceived,
    ConnectionClosed,
    Event,
    Fragment,
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
    key3_size,
)
from .http import Headers, Request, Response, find_head_end, parse_request, parse_response
from .masking import apply_mask
from .messages import message_frames
from .validation import Utf8Validator, check_frame, close_payload, parse_close

__all__ = [
    "DRAFTS",
    "SUPPORTED_VERSIONS",
    "Accepted",
    "BinaryMessage",
    "ClientHandshake",
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
    "HandshakeError",
    "Headers",
    "HttpError",
    "Ignored",
    "Kind",
    "LocalProtocolError",
    "Masking",
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
    "close_payload",
    "detect_draft",
    "encode",
    "encode_parts",
    "find_head_end",
    "is_upgrade",
    "key3_size",
    "message_frames",
    "parse_close",
    "parse_request",
    "parse_response",
]
