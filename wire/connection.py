"""A sans-I/O WebSocket connection for one side and any draft, from the opening handshake to the end.

Feed received bytes to `receive_data`, read `events()`, send with the `send_*` methods and write
`data_to_send()` to the transport. `Connection.client(handshake)` and `Connection.server()` start in
CONNECTING and take the opening handshake a chunk at a time (opening.py); `Connection(draft, side)` is
the framing alone, for a handshake done elsewhere. The state machine is state.py's table.

Strict receive (the default) validates every rule of the draft and fails the connection with the right
close code; the send methods for messages check the local state, while `send_frame` and `send_raw`
write whatever they are given.

permessage-deflate (RFC 7692), once agreed by the handshake (or given as `deflate` for the framing
alone): a message whose first frame has RSV1 is inflated frame by frame, its size limit applying to the
inflated size (a bomb fails with the draft's too-big code without being held); RSV1 on a continuation
or a control frame fails the connection (1002). Messages are sent compressed (send_message's
`compress`); send_frame still writes any frame as it is, RSV1 and payload included.
"""

from __future__ import annotations

import enum
import os
import zlib
from collections.abc import Callable
from typing import TypedDict, Unpack

from .close import Close, close_code
from .drafts import HIXIE_CLOSE, Closing, Draft, DraftInfo, Family, Kind
from .errors import LocalProtocolError, RemoteProtocolError
from .events import (
    BinaryMessage,
    CloseReceived,
    ConnectionClosed,
    Event,
    HandshakeAccepted,
    HandshakeEvent,
    HandshakeRejected,
    HandshakeRequest,
    Ignored,
    Ping,
    Pong,
    ProtocolFailure,
    TextMessage,
    new_fragment,
)
from .extensions import Agreement, DeflateParams, Memo, PerMessageDeflate
from .frames import MAX_CONTROL_PAYLOAD, Frame, FrameParser
from .handshake import Accepted, ClientHandshake, Rejection, ServerAccept
from .handshake import accept as accept_request
from .http import MAX_HEAD, Response
from .opening import ClientOpening, ServerOpening
from .sending import Sender, lenient_close
from .state import State, Step, advance
from .validation import Utf8Validator, check_frame, is_hixie_close, parse_close

# Members read on every frame, bound once: reading one off its Enum class costs some 60 ns in 3.11.
_TEXT, _BINARY, _CONTINUATION = Kind.TEXT, Kind.BINARY, Kind.CONTINUATION
_CLOSE, _PING, _PONG = Kind.CLOSE, Kind.PING, Kind.PONG
_HIXIE = Family.HIXIE
_CONNECTING, _OPEN, _LOCAL_CLOSING, _FAILED = State.CONNECTING, State.OPEN, State.LOCAL_CLOSING, State.FAILED


class Side(enum.Enum):
    CLIENT = "client"
    SERVER = "server"


DEFAULT_MAX_MESSAGE = 16 * 2**20 + 1024


class Options(TypedDict, total=False):
    """The framing options of a Connection (see its __init__)."""

    strict: bool
    assemble: bool
    frames: bool
    auto_pong: bool
    auto_close: bool
    max_frame_size: int
    max_message_size: int
    mask_source: Callable[[int], bytes]
    compression_level: int
    compression_memo: Memo | None


class Connection(Sender):
    # slots: one object per connection, whose attributes the per-frame paths read (and past 30 attributes
    # an instance __dict__ stops sharing its keys and costs some 1.3 KiB per connection)
    __slots__ = (
        "_check_utf8",
        "_client_masks",
        "_close_opcode",
        "_compressed",
        "_control",
        "_count",
        "_deflate",
        "_deflate_level",
        "_deflate_memo",
        "_draft",
        "_events",
        "_family",
        "_info",
        "_kinds",
        "_mask_source",
        "_max_frame_size",
        "_message",
        "_opening",
        "_parser",
        "_parts",
        "_request",
        "_secure",
        "_size",
        "_unmasked_breaks",
        "_utf8",
        "accepted",
        "assemble",
        "auto_close",
        "auto_pong",
        "close_received",
        "frames",
        "max_message_size",
        "side",
        "state",
        "strict",
    )

    def __init__(
        self,
        draft: Draft | None,
        side: Side,
        *,
        opening: ClientOpening | ServerOpening | None = None,
        strict: bool = True,
        assemble: bool = True,
        frames: bool = False,
        auto_pong: bool = True,
        auto_close: bool = True,
        max_frame_size: int = DEFAULT_MAX_MESSAGE,
        max_message_size: int = DEFAULT_MAX_MESSAGE,
        mask_source: Callable[[int], bytes] = os.urandom,
        compression_level: int = zlib.Z_DEFAULT_COMPRESSION,
        compression_memo: Memo | None = None,
        deflate: Agreement | None = None,
    ) -> None:
        """Without `opening`: the framing of `draft` alone, OPEN (the handshake was done elsewhere), with
        permessage-deflate when `deflate` gives its Agreement. With it: CONNECTING (use Connection.client
        and Connection.server; the handshake agrees on the extensions). `assemble` reports whole
        messages, `frames` each data frame as a Fragment (both may be on). `auto_pong` answers pings at
        once; `auto_close` answers a close frame with the same code in the next data_to_send(), after
        whatever the caller sends in response to earlier events. `compression_level` is zlib's, for what
        this side compresses (1: fastest, 9: smallest); `compression_memo` keeps whole messages this side
        compresses with a fresh compressor, to send them again without compressing (extensions.deflate)."""
        if draft is None and opening is None:
            raise ValueError("a Connection without an opening handshake needs its draft")
        self.side = side
        self.strict = strict
        self.assemble = assemble
        self.frames = frames
        self.auto_pong = auto_pong
        self.auto_close = auto_close
        self.max_message_size = max_message_size
        self._max_frame_size = max_frame_size
        self._mask_source = mask_source
        self._opening = opening
        self._request: HandshakeRequest | None = None  # server: the request to answer
        self._secure = False  # server: the Location scheme of hixie answers (wss)
        self.accepted: Accepted | None = None  # what the opening handshake agreed on (when this side did it)
        super().__init__()
        self.state = State.CONNECTING if opening is not None else State.OPEN
        self._events: list[Event] = []
        self.close_received: Close | None = None
        self._message: Kind | None = None  # kind of the message in progress
        self._count = 0  # its frames so far
        self._parts: list[bytes] = []
        self._size = 0
        self._utf8: Utf8Validator | None = None
        self._deflate: PerMessageDeflate | None = None  # permessage-deflate, once agreed
        self._deflate_level = compression_level
        self._deflate_memo = compression_memo
        self._compressed = False  # the message in progress came with RSV1 (it is inflated)
        self._draft: Draft | None = None
        self._info: DraftInfo | None = None
        self._parser: FrameParser | None = None
        if draft is not None:
            self._framing(draft)
            if deflate is not None:
                self._use_deflate(deflate)

    @classmethod
    def client(cls, handshake: ClientHandshake, **options: Unpack[Options]) -> Connection:
        """A client in CONNECTING: data_to_send() holds the request of `handshake` (sent as built,
        however broken a case made it); the answer comes as HandshakeAccepted, HandshakeRejected or
        HandshakeInvalid."""
        conn = cls(handshake.draft, Side.CLIENT, opening=ClientOpening(handshake), **options)
        conn._out.append(handshake.to_bytes())
        return conn

    @classmethod
    def server(cls, *, max_head: int = MAX_HEAD, secure: bool = False, **options: Unpack[Options]) -> Connection:
        """A server in CONNECTING: the client's request comes as a HandshakeRequest, to answer with
        accept() or reject(); a head that is not HTTP or is longer than `max_head` bytes comes as a
        HandshakeInvalid, its 400 or 431 answer already queued. `secure`: hixie answers say wss://."""
        conn = cls(None, Side.SERVER, opening=ServerOpening(max_head), **options)
        conn._secure = secure
        return conn

    def _framing(self, draft: Draft) -> None:
        """The per-draft facts the hot paths read (derived from the draft, fixed for the connection)."""
        self._draft = draft
        info = self._info = draft.info
        self._parser = FrameParser(draft, masked=self.side is Side.SERVER, max_frame_size=self._max_frame_size)
        self._family = info.family
        self._kinds, self._control = _opcode_facts(draft)
        # the mask rule of check_frame, as the value of `frame.mask is None` that breaks it: hybi07 frames
        # from a client must be masked, from a server must not; hybi06 has no rule (None matches no bool)
        self._unmasked_breaks: bool | None = (self.side is Side.SERVER) if self._family is Family.HYBI07 else None
        self._client_masks = self.side is Side.CLIENT and self._family is not _HIXIE
        self._check_utf8 = self.strict and self._family is not _HIXIE
        self._close_opcode = {Closing.CLOSE_FRAME: info.opcodes.get(_CLOSE), Closing.SENTINEL: HIXIE_CLOSE}.get(
            info.closing
        )

    def _use_deflate(self, agreement: Agreement) -> None:
        too_big = self.draft.info.too_big_code
        server = self.side is Side.SERVER
        self._deflate = PerMessageDeflate(
            agreement, server=server, level=self._deflate_level, too_big_code=too_big, memo=self._deflate_memo
        )

    @property
    def deflate(self) -> Agreement | None:
        """The permessage-deflate Agreement in force, or None."""
        return self._deflate.agreement if self._deflate is not None else None

    @property
    def draft(self) -> Draft:
        """The draft being spoken; LocalProtocolError while a server does not know it yet."""
        if self._draft is None:
            raise LocalProtocolError("the draft is not known before the client's request")
        return self._draft

    @property
    def info(self) -> DraftInfo:
        return self.draft.info

    @property
    def head_read(self) -> bool:
        """Whether the opening handshake's HTTP head has come whole (hixie-76's key3, or its answer, may
        still be due); True once the handshake is over."""
        return self._opening is None or self._opening.head_read

    def _advance(self, step: Step) -> None:
        self.state = advance(self.state, step)

    # --- the opening handshake ---------------------------------------------------------------------------

    def _receive_opening(self, data: bytes) -> None:
        opening = self._opening
        assert opening is not None
        if not data:
            event = opening.end() if isinstance(opening, ClientOpening) else None
            if event is not None:
                self._opening_event(event)
            self._events.append(ConnectionClosed(False))
            self._advance(Step.ENDED)
            return
        event = opening.feed(data)
        if event is not None:
            self._opening_event(event)

    def _opening_event(self, event: HandshakeEvent) -> None:
        self._events.append(event)
        if isinstance(event, HandshakeRequest):
            self._request = event  # the server answers it: accept() or reject()
        elif isinstance(event, HandshakeAccepted):
            self.accepted = event.accepted
            self._open()
        elif isinstance(event, HandshakeRejected):
            self._advance(Step.REFUSED)
        else:
            if self.side is Side.SERVER and event.status is not None:
                self._out.append(Rejection(event.status, event.reason).to_bytes())
            self._advance(Step.FAILED)

    def _end_opening(self, step: Step) -> bytes:
        """The opening handshake is over (OPENED, or REFUSED in favour of another protocol): the bytes
        that came after it."""
        opening = self._opening
        assert opening is not None
        rest, opening.rest = opening.rest, b""
        self._opening = None
        self._request = None
        self._advance(step)
        return rest

    def _open(self) -> None:
        """The handshake succeeded: OPEN, and the bytes that came after it are frames."""
        if self.accepted is not None and self.accepted.deflate is not None:
            self._use_deflate(self.accepted.deflate)
        rest = self._end_opening(Step.OPENED)
        if rest:
            self.receive_data(rest)

    def _pending_request(self) -> HandshakeRequest:
        if self.state is not _CONNECTING or self._request is None:
            raise LocalProtocolError("there is no handshake request to answer")
        return self._request

    def accept(
        self,
        protocol: str | None = None,
        *,
        deflate: DeflateParams | tuple[DeflateParams, ...] | None = None,
        response: Response | None = None,
        answer: bytes | None = None,
    ) -> ServerAccept | Rejection:
        """Answer the HandshakeRequest: the 101, selecting `protocol` when the client offered any, if the
        request is a valid handshake of its draft; else the rejection it calls for (400, 405, 426...).
        The answer is queued and returned; after a 101 the connection is OPEN. `deflate`: accept a valid
        permessage-deflate offer with this policy, or the first of these policies an offer allows
        (handshake.accept), and speak it.

        `response` (and hixie-76's `answer`) replace the answer built, exactly as given (a broken one on
        purpose): the connection opens in the request's draft whatever the request was."""
        request = self._pending_request()
        result = accept_request(
            request.request, request.key3, select_protocol=lambda _: protocol, secure=self._secure, deflate=deflate
        )
        if response is not None:
            if request.draft is None:
                raise LocalProtocolError("the request speaks no draft we know: nothing to open")
            built = result.answer if isinstance(result, ServerAccept) else b""
            result = ServerAccept(Accepted(request.draft, protocol), response, built if answer is None else answer)
        elif answer is not None and isinstance(result, ServerAccept):
            result = ServerAccept(result.accepted, result.response, answer)
        self._out.append(result.to_bytes())
        if isinstance(result, Rejection):
            self._advance(Step.REFUSED)
            return result
        self.accepted = result.accepted
        self._framing(result.accepted.draft)
        self._open()
        return result

    def reject(self, rejection: Rejection) -> None:
        """Refuse the handshake (server side, at any point before it is answered: a 408 for a head that
        never came, say); the connection is CLOSED once data_to_send() is written."""
        if self.state is not _CONNECTING or self.side is not Side.SERVER:
            raise LocalProtocolError("only a server still in its opening handshake can reject it")
        self._out.append(rejection.to_bytes())
        self._request = None
        self._advance(Step.REFUSED)

    def detach(self) -> bytes:
        """Give up the connection to another protocol after a HandshakeRequest that is no WebSocket
        upgrade (plain HTTP): the bytes received after its head. The connection is CLOSED."""
        self._pending_request()
        return self._end_opening(Step.REFUSED)

    # --- receiving -----------------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Bytes from the peer; b"" means the transport ended."""
        state = self.state
        if state is _CONNECTING:
            self._receive_opening(data)
            return
        if not data:
            # hixie-75 has no closing handshake: the end of the transport is its normal close (a handshake
            # refused, or handed to plain HTTP, has no framing: its end is a normal one too)
            info = self._info
            clean = state is State.CLOSED or (state is _OPEN and info is not None and info.closing is Closing.TCP)
            self._events.append(ConnectionClosed(clean))
            self._advance(Step.ENDED)
            return
        if state is not _OPEN and state is not _LOCAL_CLOSING:
            return  # failed, or the peer's close came: what follows is not read
        parser = self._parser
        assert parser is not None
        receive = self._receive_hixie if self._family is _HIXIE else self._receive_frame
        try:
            for frame in parser.feed(data):
                receive(frame)
                state = self.state
                if state is not _OPEN and state is not _LOCAL_CLOSING:
                    break
            else:
                parser.feed(b"")  # raises an error met after the frames just handled
        except RemoteProtocolError as exc:
            self.fail(exc.close_code, exc.reason, exc.peer_close_code)

    def events(self) -> list[Event]:
        """The events since the last call."""
        events, self._events = self._events, []
        return events

    def _receive_frame(self, frame: Frame) -> None:
        """A hybi frame. Strict receive applies check_frame, but only to a frame that may break a rule:
        the common frame (no reserved bit, a known opcode, a short final control frame, the mask the
        side expects) is known to pass it."""
        opcode, payload, fin, rsv1, rsv2, rsv3, mask = frame
        kind = self._kinds.get(opcode)
        if self.strict and (
            rsv1
            or rsv2
            or rsv3
            or kind is None
            or (mask is None) is self._unmasked_breaks
            or (opcode in self._control and (not fin or len(payload) > MAX_CONTROL_PAYLOAD))
        ):
            allowed = 0
            if rsv1 and self._deflate is not None and kind is not None:
                if kind is not _TEXT and kind is not _BINARY:
                    raise RemoteProtocolError(f"RSV1 on a {kind.value} frame: only a message's first frame has it")
                allowed = 4  # RSV1: a compressed message
            check_frame(frame, self.draft, from_client=self.side is Side.SERVER, allowed_rsv=allowed)
        if kind is _TEXT or kind is _BINARY or kind is _CONTINUATION:
            self._receive_data_frame(kind, frame, payload, fin)
        elif kind is _CLOSE:
            code, reason = parse_close(payload, self.draft) if self.strict else lenient_close(payload)
            self._closed_by_peer(Close(code, reason), payload)
        elif kind is _PING:
            self._events.append(Ping(payload))
            if self.auto_pong and self.close_sent is None:
                self.send_pong(payload)
        elif kind is _PONG:
            self._events.append(Pong(payload))
        else:
            self._events.append(Ignored(frame))

    def _receive_hixie(self, frame: Frame) -> None:
        if is_hixie_close(frame, self.draft):
            self._closed_by_peer(Close(), b"")
        elif frame.opcode == 0x00:
            self._receive_data_frame(_TEXT, frame, frame.payload, frame.fin)
        else:
            self._events.append(Ignored(frame))

    def _receive_data_frame(self, kind: Kind, frame: Frame, payload: bytes, fin: bool) -> None:
        first = kind is not _CONTINUATION
        if first:
            if self._message is not None:
                raise RemoteProtocolError(f"{kind.value} frame while a fragmented message is in progress")
            self._compressed = compressed = frame.rsv1 and self._deflate is not None
            if compressed:
                payload = self._inflate(payload, fin, 0)
            size = len(payload)
            count = 1
        else:
            if self._message is None:
                raise RemoteProtocolError("continuation frame without a message in progress")
            kind = self._message
            compressed = self._compressed
            if compressed:
                payload = self._inflate(payload, fin, self._size)
            size = self._size + len(payload)
            count = self._count + 1
        self._size = size
        self._count = count
        if size > self.max_message_size:
            raise RemoteProtocolError(f"message of more than {self.max_message_size} bytes", self.info.too_big_code)
        text = None  # the message's text, when validating decoded a whole message in one frame
        if kind is _TEXT and self._check_utf8:
            try:
                if first and fin:
                    text = payload.decode("utf-8")  # a whole message: fails where the validator would
                else:
                    if first:
                        self._utf8 = Utf8Validator()
                    assert self._utf8 is not None
                    self._utf8.feed(payload, final=fin)
            except UnicodeDecodeError as exc:
                raise RemoteProtocolError(
                    f"invalid UTF-8 in a text message: {exc.reason}", self.info.invalid_data_code
                ) from exc
        if self.frames:
            self._events.append(new_fragment(kind, frame, first, payload, compressed))
        self._message = None if fin else kind
        if not self.assemble:
            return
        if first and fin:
            data = payload
        else:
            self._parts.append(payload)
            if not fin:
                return
            data = b"".join(self._parts)
            self._parts = []
        if kind is _TEXT:
            # validated above in strict hybi; hixie replaces invalid bytes (U+FFFD) as its drafts say
            self._events.append(TextMessage(data.decode("utf-8", "replace") if text is None else text, count))
        else:
            self._events.append(BinaryMessage(data, count))

    def _inflate(self, payload: bytes, fin: bool, size: int) -> bytes:
        """A compressed message's frame payload inflated, `size` bytes of the message before it: the
        inflation stops past the message size limit (PerMessageDeflate.decompress)."""
        deflate = self._deflate
        assert deflate is not None
        return deflate.decompress(payload, fin=fin, limit=self.max_message_size - size)

    def _closed_by_peer(self, close: Close, payload: bytes) -> None:
        self.close_received = close
        self._events.append(CloseReceived(close, payload))
        if self.close_sent is None and self.auto_close:
            self._pending_close = (close.code,)
        self._advance(Step.CLOSE_RECEIVED)

    def fail(self, code: int | None, reason: str, peer_close_code: int | None = None) -> None:
        """Fail the connection: report it, and close with `code` (where the draft has codes) in the next
        data_to_send(), so that answers to the events before the failure still go out first."""
        if self.state is _FAILED:
            return
        info = self.info
        code = close_code(code) if code is not None and info.close_codes else None
        self._events.append(ProtocolFailure(code, reason, peer_close_code))
        if self.close_sent is None and info.closing is not Closing.TCP:
            self._pending_close = (code,)
        self._advance(Step.FAILED)


_OPCODE_FACTS: dict[Draft, tuple[dict[int, Kind], frozenset[int]]] = {}


def _opcode_facts(draft: Draft) -> tuple[dict[int, Kind], frozenset[int]]:
    """The draft's opcode -> kind table as a plain dict (faster to read than its mapping proxy) and its
    control opcodes; one pair per draft, shared by its connections."""
    facts = _OPCODE_FACTS.get(draft)
    if facts is None:
        kinds = dict(draft.info.kinds)
        facts = _OPCODE_FACTS[draft] = (kinds, frozenset(op for op, kind in kinds.items() if kind.is_control))
    return facts
