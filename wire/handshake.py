"""Opening handshakes of every draft, both sides.

Client: `ClientHandshake.build(...)` makes a request (every header overridable, so that a case can send
a broken one) and `ClientHandshake.check(...)` validates the server's answer.
Server: `detect_draft` tells the draft of a request (Jetty's dispatch, narrowed to our six drafts), and
`accept` validates the request and builds either the 101 answer or the rejection to send.
Reading either side's handshake from the wire, a chunk at a time, is opening.py's (through Connection).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .drafts import SUPPORTED_VERSIONS, Draft, Family
from .errors import HandshakeError
from .extensions import HEADER as EXTENSIONS_HEADER
from .extensions import (
    PERMESSAGE_DEFLATE,
    Agreement,
    DeflateParams,
    Extension,
    agree,
    insist,
    negotiate,
    parse_extensions,
)
from .http import Headers, Request, Response

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_VERSION = re.compile(r"0|[1-9][0-9]?|[12][0-9][0-9]")
KEY3_SIZE = 8
ANSWER_SIZE = 16

STATUS_LINES = {
    Draft.HIXIE_75: "Web Socket Protocol Handshake",
    Draft.HIXIE_76: "WebSocket Protocol Handshake",
}


# --- proofs ------------------------------------------------------------------------------------------


def accept_value(key: str) -> str:
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2; same from hybi-04 on)."""
    digest = hashlib.sha1((key.strip() + GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def hixie_key_part(key: str) -> int:
    """The 32-bit number hidden in a hixie-76 Sec-WebSocket-Key1/Key2: digits / spaces."""
    digits = "".join(c for c in key if c.isdigit() and c.isascii())
    spaces = key.count(" ")
    if not digits:
        raise HandshakeError(f"hixie-76 key {key!r} has no digits")
    if spaces == 0:
        raise HandshakeError(f"hixie-76 key {key!r} has no spaces")
    if len(digits.lstrip("0")) > 20:  # parts are 32-bit and spaces few; also keeps int() within its limit
        raise HandshakeError(f"hixie-76 key {key[:40]!r}...: its number does not fit in 32 bits per space")
    number = int(digits)
    if number % spaces:
        raise HandshakeError(f"hixie-76 key {key!r}: {number} is not a multiple of {spaces} spaces")
    part = number // spaces
    if part > 0xFFFFFFFF:
        raise HandshakeError(f"hixie-76 key {key!r}: {part} does not fit in 32 bits")
    return part


def hixie76_answer(key1: str, key2: str, key3: bytes) -> bytes:
    """The 16-byte MD5 answer to a hixie-76 challenge."""
    if len(key3) != KEY3_SIZE:
        raise HandshakeError(f"hixie-76 key3 must be {KEY3_SIZE} bytes, got {len(key3)}")
    challenge = hixie_key_part(key1).to_bytes(4, "big") + hixie_key_part(key2).to_bytes(4, "big") + key3
    return hashlib.md5(challenge).digest()


def make_hixie_key(rng: random.Random) -> str:
    """A fresh Sec-WebSocket-Key1/Key2 following the hixie-76 client steps."""
    spaces = rng.randint(1, 12)
    number = rng.randint(0, 0xFFFFFFFF // spaces)
    chars = list(str(number * spaces))
    noise = [chr(c) for c in (*range(0x21, 0x30), *range(0x3A, 0x7F))]
    for _ in range(rng.randint(1, 12)):
        chars.insert(rng.randint(0, len(chars)), rng.choice(noise))
    for _ in range(spaces):
        chars.insert(rng.randint(1, len(chars) - 1), " ")
    return "".join(chars)


# --- client ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    """What both sides agreed on: the draft, the subprotocol, the names of the extensions the server
    accepted and, when permessage-deflate is one of them, its Agreement."""

    draft: Draft
    protocol: str | None
    extensions: tuple[str, ...] = ()
    deflate: Agreement | None = None


@dataclass
class ClientHandshake:
    """A client's opening handshake: the request to send and what a valid answer must contain."""

    draft: Draft
    request: Request
    key3: bytes = b""  # hixie-76: the 8 raw bytes after the head
    protocols: tuple[str, ...] = ()
    origin: str | None = None
    location: str = ""
    # permessage-deflate: take a valid response that answers none of the offers as it reads
    # (extensions.negotiation.agree's `as_answered`, Autobahn's client), instead of failing the handshake
    deflate_as_answered: bool = False

    @classmethod
    def build(
        cls,
        draft: Draft,
        host: str,
        path: str = "/",
        *,
        origin: str | None = None,
        protocols: Sequence[str] = (),
        extensions: Sequence[str] = (),
        overrides: Mapping[str, str | None] | None = None,
        extra_headers: Sequence[tuple[str, str]] = (),
        key3: bytes | None = None,
        method: str = "GET",
        version: str = "HTTP/1.1",
        secure: bool = False,
        rng: random.Random | None = None,
        deflate_as_answered: bool = False,
    ) -> ClientHandshake:
        """A request for `draft`. `overrides` replaces (or with None removes) any header, extra_headers
        are appended as they are (duplicates included), key3 replaces hixie-76's 8 raw bytes."""
        rng = rng or random.Random(os.urandom(8))
        info = draft.info
        headers = Headers([("Host", host)])
        if info.family is Family.HIXIE:
            headers.add("Connection", "Upgrade")
            headers.add("Upgrade", "WebSocket")
        else:
            headers.add("Upgrade", "websocket")
            headers.add("Connection", "Upgrade")
        if draft is Draft.HIXIE_76:
            headers.add("Sec-WebSocket-Key1", make_hixie_key(rng))
            headers.add("Sec-WebSocket-Key2", make_hixie_key(rng))
            key3 = rng.randbytes(KEY3_SIZE) if key3 is None else key3
        elif info.family is not Family.HIXIE:
            headers.add("Sec-WebSocket-Key", base64.b64encode(rng.randbytes(16)).decode("ascii"))
            headers.add("Sec-WebSocket-Version", str(info.version))
        if origin is not None:
            headers.add(info.origin_header, origin)
        if protocols:
            headers.add(protocol_header(draft), ", ".join(protocols))
        if extensions:
            headers.add("Sec-WebSocket-Extensions", ", ".join(extensions))
        for name, value in (overrides or {}).items():
            headers.set(name, value)
        for name, value in extra_headers:
            headers.add(name, value)
        scheme = "wss" if secure else "ws"
        return cls(
            draft=draft,
            request=Request(method, path, headers, version),
            key3=key3 or b"",
            protocols=tuple(protocols),
            origin=origin,
            location=f"{scheme}://{host}{path}",
            deflate_as_answered=deflate_as_answered,
        )

    def to_bytes(self) -> bytes:
        return self.request.serialize() + self.key3

    @property
    def answer_size(self) -> int:
        """Raw bytes the server sends after its head (hixie-76's MD5 answer)."""
        return ANSWER_SIZE if self.draft is Draft.HIXIE_76 else 0

    def check(self, response: Response, answer: bytes = b"") -> Accepted:
        """Validate the server's answer; raise HandshakeError saying what is wrong."""
        draft, h = self.draft, response.headers
        if response.status != 101:
            raise HandshakeError(f"server answered {response.status} {response.reason}, not 101")
        if draft.info.family is Family.HIXIE:
            if h.get("Upgrade") != "WebSocket":
                raise HandshakeError(f"Upgrade is {h.get('Upgrade')!r}, not 'WebSocket'")
            if h.get("Connection") != "Upgrade":
                raise HandshakeError(f"Connection is {h.get('Connection')!r}, not 'Upgrade'")
            prefix = "WebSocket-" if draft is Draft.HIXIE_75 else "Sec-WebSocket-"
            if self.origin is not None and h.get(prefix + "Origin") != self.origin:
                raise HandshakeError(f"{prefix}Origin is {h.get(prefix + 'Origin')!r}, not {self.origin!r}")
            if h.get(prefix + "Location") != self.location:
                raise HandshakeError(f"{prefix}Location is {h.get(prefix + 'Location')!r}, not {self.location!r}")
            if draft is Draft.HIXIE_76:
                rh = self.request.headers
                expected = hixie76_answer(rh.get("Sec-WebSocket-Key1", ""), rh.get("Sec-WebSocket-Key2", ""), self.key3)
                if answer != expected:
                    raise HandshakeError(f"challenge answer is {answer.hex()}, expected {expected.hex()}")
        else:
            if "websocket" not in h.tokens("Upgrade"):
                raise HandshakeError(f"Upgrade is {h.get('Upgrade')!r}, not 'websocket'")
            if "upgrade" not in h.tokens("Connection"):
                raise HandshakeError(f"Connection is {h.get('Connection')!r}, without 'Upgrade'")
            expected_accept = accept_value(self.request.headers.get("Sec-WebSocket-Key", ""))
            if h.get("Sec-WebSocket-Accept") != expected_accept:
                raise HandshakeError(
                    f"Sec-WebSocket-Accept is {h.get('Sec-WebSocket-Accept')!r}, expected {expected_accept!r}"
                )
        protocol = h.get(protocol_header(draft))
        if protocol is not None and protocol not in self.protocols:
            raise HandshakeError(f"server selected subprotocol {protocol!r}, which was not offered")
        offered = {e.split(";")[0].strip().lower() for e in self.request.headers.tokens(EXTENSIONS_HEADER)}
        extensions = tuple(e.split(";")[0].strip() for e in h.tokens(EXTENSIONS_HEADER))
        unoffered = [e for e in extensions if e.lower() not in offered]
        if unoffered:
            raise HandshakeError(f"server accepted extensions that were not offered: {', '.join(unoffered)}")
        deflate = None
        if extensions and draft.info.family is not Family.HIXIE:
            deflate = agree(
                self.offered_extensions(),
                parse_extensions(h.get_all(EXTENSIONS_HEADER)),
                as_answered=self.deflate_as_answered,
            )
        return Accepted(draft, protocol, extensions, deflate)

    def offered_extensions(self) -> tuple[Extension, ...]:
        """The extensions the request offers; none when its header breaks the grammar (a case may send a
        broken offer on purpose: then no answer can agree on one)."""
        try:
            return parse_extensions(self.request.headers.get_all(EXTENSIONS_HEADER))
        except HandshakeError:
            return ()


def protocol_header(draft: Draft) -> str:
    return "WebSocket-Protocol" if draft is Draft.HIXIE_75 else "Sec-WebSocket-Protocol"


# --- server ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    """A handshake the server turns down, with the response to send."""

    status: int
    reason: str  # one line: why
    headers: Headers = field(default_factory=Headers)

    def response(self) -> tuple[Response, bytes]:
        body = (self.reason + "\n").encode("utf-8")
        headers = self.headers.copy()
        headers.add("Content-Type", "text/plain; charset=utf-8")
        headers.add("Content-Length", str(len(body)))
        headers.add("Connection", "close")
        reasons = {
            400: "Bad Request",
            403: "Forbidden",
            405: "Method Not Allowed",
            408: "Request Timeout",
            426: "Upgrade Required",
            431: "Request Header Fields Too Large",
        }
        return Response(self.status, reasons.get(self.status, "Error"), headers), body

    def to_bytes(self) -> bytes:
        response, body = self.response()
        return response.serialize() + body


@dataclass(frozen=True)
class ServerAccept:
    """An accepted handshake: the bytes to send, then frames of `accepted.draft`."""

    accepted: Accepted
    response: Response
    answer: bytes = b""  # hixie-76's 16 raw bytes after the head

    def to_bytes(self) -> bytes:
        return self.response.serialize() + self.answer


def _unsupported(reason: str) -> Rejection:
    versions = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
    return Rejection(426, reason, Headers([("Sec-WebSocket-Version", versions)]))


def is_upgrade(request: Request) -> bool:
    """Whether a request asks for a WebSocket at all (the question before which draft)."""
    return "websocket" in request.headers.tokens("Upgrade")


def detect_draft(request: Request) -> Draft | Rejection:
    """The draft a request speaks, or the rejection for a version we do not support."""
    h = request.headers
    versions = h.get_all("Sec-WebSocket-Version")
    if versions:
        value = versions[0].strip()
        # RFC 6455 §4.3: version = DIGIT | (NZDIGIT DIGIT) | ("1" DIGIT DIGIT) | ("2" DIGIT DIGIT): no leading 0
        if len(versions) > 1 or not _VERSION.fullmatch(value):
            return _unsupported(f"unsupported Sec-WebSocket-Version {', '.join(versions)!r}")
        draft = Draft.from_version(int(value))
        if draft is None:
            return _unsupported(f"unsupported Sec-WebSocket-Version {versions[0]}")
        return draft
    if "Sec-WebSocket-Draft" in h:
        return _unsupported(f"unsupported Sec-WebSocket-Draft {h.get('Sec-WebSocket-Draft')!r} (hybi-01..03)")
    if "Sec-WebSocket-Key" in h:
        return _unsupported("Sec-WebSocket-Key without Sec-WebSocket-Version")
    if "Sec-WebSocket-Key1" in h or "Sec-WebSocket-Key2" in h:
        return Draft.HIXIE_76
    return Draft.HIXIE_75


def offered_protocols(request: Request, draft: Draft) -> list[str]:
    return [p.strip() for v in request.headers.get_all(protocol_header(draft)) for p in v.split(",") if p.strip()]


def accept(
    request: Request,
    key3: bytes = b"",
    *,
    select_protocol: Callable[[list[str]], str | None] = lambda offered: None,
    secure: bool = False,
    deflate: DeflateParams | tuple[DeflateParams, ...] | None = None,
) -> ServerAccept | Rejection:
    """Validate a WebSocket request and build the answer (server side, every draft).

    `select_protocol` picks one of the offered subprotocols or None (then no protocol header is sent,
    as RFC 6455 §4.2.2 allows for a protocol the server does not speak). `deflate`: accept the first
    valid permessage-deflate offer of a hybi request, with these parameters as the server's policy
    (negotiation.accept_offer); a tuple of policies: the first that an offer allows all of, tried in
    order (negotiation.insist, as Autobahn's fuzzing server accepts); None: accept no extension.
    """
    detected = detect_draft(request)
    if isinstance(detected, Rejection):
        return detected
    draft, h = detected, request.headers
    if request.method != "GET":
        return Rejection(405, f"a WebSocket handshake must use GET, not {request.method}")
    if request.version != "HTTP/1.1":
        return Rejection(400, f"a WebSocket handshake needs HTTP/1.1, not {request.version}")
    host = h.get_all("Host")
    if len(host) != 1 or not host[0]:
        return Rejection(400, "exactly one Host header is required" if host else "missing Host header")
    if "websocket" not in h.tokens("Upgrade") or len(h.get_all("Upgrade")) != 1:
        return Rejection(400, f"Upgrade must be websocket, got {h.get('Upgrade')!r}")
    if "upgrade" not in h.tokens("Connection"):
        return Rejection(400, f"Connection must include Upgrade, got {h.get('Connection')!r}")
    offered = offered_protocols(request, draft)
    protocol = select_protocol(offered) if offered else None
    scheme = "wss" if secure else "ws"
    headers = Headers()
    answer = b""
    if draft.info.family is Family.HIXIE:
        headers.add("Upgrade", "WebSocket")
        headers.add("Connection", "Upgrade")
        prefix = "WebSocket-" if draft is Draft.HIXIE_75 else "Sec-WebSocket-"
        origin = h.get("Origin")
        if origin is not None:
            headers.add(prefix + "Origin", origin)
        headers.add(prefix + "Location", f"{scheme}://{host[0]}{request.target}")
        if draft is Draft.HIXIE_76:
            try:
                answer = hixie76_answer(h.get("Sec-WebSocket-Key1", ""), h.get("Sec-WebSocket-Key2", ""), key3)
            except HandshakeError as exc:
                return Rejection(400, str(exc))
        status_text = STATUS_LINES[draft]
    else:
        keys = h.get_all("Sec-WebSocket-Key")
        if len(keys) != 1:
            return Rejection(400, "exactly one Sec-WebSocket-Key is required" if keys else "missing Sec-WebSocket-Key")
        try:
            raw = base64.b64decode(keys[0].strip(), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 16:
            return Rejection(400, f"Sec-WebSocket-Key {keys[0]!r} is not base64 of 16 bytes")
        headers.add("Upgrade", "websocket")
        headers.add("Connection", "Upgrade")
        headers.add("Sec-WebSocket-Accept", accept_value(keys[0]))
        status_text = "Switching Protocols"
    if protocol is not None:
        headers.add(protocol_header(draft), protocol)
    agreement = None
    if deflate is not None and draft.info.family is not Family.HIXIE:
        agreement = _accept_deflate(request, deflate, headers)
    response = Response(101, status_text, headers)
    extensions = (PERMESSAGE_DEFLATE,) if agreement is not None else ()
    return ServerAccept(Accepted(draft, protocol, extensions, agreement), response, answer)


def _accept_deflate(
    request: Request, policy: DeflateParams | tuple[DeflateParams, ...], headers: Headers
) -> Agreement | None:
    """The Agreement of the request's first valid permessage-deflate offer, its response added to
    `headers`; None (no extension accepted) when there is none, or when the request's header breaks the
    grammar: a broken offer is declined like an invalid one, the handshake goes on without it."""
    try:
        offers = parse_extensions(request.headers.get_all(EXTENSIONS_HEADER))
    except HandshakeError:
        return None
    chosen = negotiate(offers, policy) if isinstance(policy, DeflateParams) else insist(offers, policy)
    if chosen.response is None:
        return None
    headers.add(EXTENSIONS_HEADER, str(chosen.response))
    return chosen.agreement
