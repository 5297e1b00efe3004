"""WebSocket extensions: the Sec-WebSocket-Extensions header as data (header), and permessage-deflate
(RFC 7692): its negotiation (negotiation) and its payload transformation (deflate). Standard library
only, like the rest of wire."""

from .deflate import Memo, PerMessageDeflate
from .header import HEADER, Extension, format_extensions, parse_extensions
from .negotiation import (
    PERMESSAGE_DEFLATE,
    Agreement,
    DeflateParams,
    NegotiationError,
    ServerNegotiation,
    accept_offer,
    agree,
    check_response,
    insist,
    negotiate,
)

__all__ = [
    "HEADER",
    "PERMESSAGE_DEFLATE",
    "Agreement",
    "DeflateParams",
    "Extension",
    "Memo",
    "NegotiationError",
    "PerMessageDeflate",
    "ServerNegotiation",
    "accept_offer",
    "agree",
    "check_response",
    "format_extensions",
    "insist",
    "negotiate",
    "parse_extensions",
]
