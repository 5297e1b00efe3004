"""A sans-I/O WebSocket connection for one side, any draft, after the opening handshake.

Feed received bytes to `receive_data`, read `events()`, send with the `send_*` methods and write
`data_to_send()` to the transport. Strict receive (the default) validates every rule of the draft and
fails the connection with the right close code; the send methods for messages check the local state,
while `send_frame` and `send_raw` write whatever they are given.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable

from .drafts import HIXIE_CLOSE, Closing, Draft, Family, Kind
from .errors import LocalProtocolError, RemoteProtocolError
from .events import (
    BinaryMessage,
    CloseReceived,
    ConnectionClosed,
    Event,
    Ignored,
    Ping,
    Pong,
    ProtocolFailure,
    TextMessage,
    new_fragment,
)
from .frames import MAX_CONTROL_PAYLOAD, Frame, FrameParser, encode_parts
from .messages import message_frames
from .validation import Utf8Validator, check_frame, close_payload, is_hixie_close, parse_close

# Enum members read on every frame, bound once: reading one off its Enum class costs some 60 ns in 3.11.
_TEXT, _BINARY, _CONTINUATION = Kind.TEXT, Kind.BINARY, Kind.CONTINUATION
_CLOSE, _PING, _PONG = Kind.CLOSE, Kind.PING, Kind.PONG
_HIXIE = Family.HIXIE


class Side(enum.Enum):
    CLIENT = "client"
    SERVER = "server"


class State(enum.Enum):
    OPEN = "open"
    CLOSING = "closing"  # one close frame sent or received, not both
    CLOSED = "closed"  # closing handshake complete (hixie-75: close decided): close the transport
    FAILED = "failed"  # failed by a protocol error: close the transport after data_to_send()


_FAILED = State.FAILED


DEFAULT_MAX_MESSAGE = 16 * 2**20 + 1024

# Outgoing payloads from this size are kept as chunks of their own (not joined with their header):
# chunks_to_send() hands them over without a copy.
_SEPARATE_FROM = 1 << 16


class Connection:
    # slots: one object per connection, whose attributes the per-frame paths read (and past 30 attributes
    # an instance __dict__ stops sharing its keys and costs some 1.3 KiB per connection)
    __slots__ = (
        "_check_utf8",
        "_client_masks",
        "_close_opcode",
        "_control",
        "_events",
        "_family",
        "_kinds",
        "_mask_source",
        "_message",
        "_out",
        "_out_large",
        "_parser",
        "_parts",
        "_pending_close",
        "_size",
        "_unmasked_breaks",
        "_utf8",
        "assemble",
        "auto_close",
        "auto_pong",
        "close_received",
        "close_sent",
        "draft",
        "frames",
        "info",
        "max_message_size",
        "received_code",
        "sent_code",
        "side",
        "state",
        "strict",
    )

    def __init__(
        self,
        draft: Draft,
        side: Side,
        *,
        strict: bool = True,
        assemble: bool = True,
        frames: bool = False,
        auto_pong: bool = True,
        auto_close: bool = True,
        max_frame_size: int = DEFAULT_MAX_MESSAGE,
        max_message_size: int = DEFAULT_MAX_MESSAGE,
        mask_source: Callable[[int], bytes] = os.urandom,
    ) -> None:
        """`assemble` reports whole messages, `frames` reports each data frame as a Fragment (both may
        be on). `auto_pong` answers pings at once; `auto_close` answers a close frame with the same code
        in the next data_to_send(), after whatever the caller sends in response to earlier events."""
        self.draft = draft
        self.info = draft.info
        self.side = side
        self.strict = strict
        self.assemble = assemble
        self.frames = frames
        self.auto_pong = auto_pong
        self.auto_close = auto_close
        self.max_message_size = max_message_size
        self._mask_source = mask_source
        self._parser = FrameParser(draft, masked=side is Side.SERVER, max_frame_size=max_frame_size)
        self._out: list[bytes] = []
        self._out_large = False  # _out holds a payload of _SEPARATE_FROM bytes or more
        self._events: list[Event] = []
        self.state = State.OPEN
        self.close_sent = False
        self.close_received = False
        self.sent_code: int | None = None  # the code of the close frame sent (None: none)
        self.received_code: int | None = None
        self._message: Kind | None = None  # kind of the message in progress
        self._parts: list[bytes] = []
        self._size = 0
        self._utf8: Utf8Validator | None = None
        # a close frame to send in the next data_to_send(), after whatever the caller sends in response to
        # the events before it: the answer to the peer's close (auto_close), or a failure's close
        self._pending_close: tuple[int | None] | None = None
        # per-draft facts the hot paths read (derived from `info`, fixed for the connection)
        self._family = self.info.family
        self._kinds, self._control = _opcode_facts(draft)
        # the mask rule of check_frame, as the value of `frame.mask is None` that breaks it: hybi07 frames
        # from a client must be masked, from a server must not; hybi06 has no rule (None matches no bool)
        self._unmasked_breaks: bool | None = (side is Side.SERVER) if self._family is Family.HYBI07 else None
        self._client_masks = side is Side.CLIENT and self._family is not _HIXIE
        self._check_utf8 = strict and self._family is not _HIXIE
        closing = self.info.closing
        self._close_opcode = {Closing.CLOSE_FRAME: self.info.opcodes.get(_CLOSE), Closing.SENTINEL: HIXIE_CLOSE}.get(
            closing
        )

    # --- receiving -----------------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Bytes from the peer; b"" means the transport ended."""
        if not data:
            # hixie-75 has no closing handshake: the end of the transport is its normal close
            clean = self.state is State.CLOSED or (self.info.closing is Closing.TCP and self.state is State.OPEN)
            self._events.append(ConnectionClosed(clean))
            if self.state is not _FAILED:
                self.state = State.CLOSED
            return
        if self.state is _FAILED or self.close_received:
            return
        receive = self._receive_hixie if self._family is _HIXIE else self._receive_frame
        try:
            for frame in self._parser.feed(data):
                receive(frame)
                if self.state is _FAILED or self.close_received:
                    break
            else:
                self._parser.feed(b"")  # raises an error met after the frames just handled
        except RemoteProtocolError as exc:
            self.fail(exc.close_code, exc.reason)

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
            check_frame(frame, self.draft, from_client=self.side is Side.SERVER)
        if kind is _TEXT or kind is _BINARY or kind is _CONTINUATION:
            self._receive_data_frame(kind, frame, payload, fin)
        elif kind is _CLOSE:
            code, reason = parse_close(frame.payload, self.draft) if self.strict else _lenient_close(frame)
            self._closed_by_peer(code, reason, frame.payload)
        elif kind is _PING:
            self._events.append(Ping(frame.payload))
            if self.auto_pong and not self.close_sent:
                self.send_pong(frame.payload)
        elif kind is _PONG:
            self._events.append(Pong(frame.payload))
        else:
            self._events.append(Ignored(frame))

    def _receive_hixie(self, frame: Frame) -> None:
        if is_hixie_close(frame, self.draft):
            self._closed_by_peer(None, "", b"")
        elif frame.opcode == 0x00:
            self._receive_data_frame(_TEXT, frame, frame.payload, frame.fin)
        else:
            self._events.append(Ignored(frame))

    def _receive_data_frame(self, kind: Kind, frame: Frame, payload: bytes, fin: bool) -> None:
        first = kind is not _CONTINUATION
        if first:
            if self._message is not None:
                raise RemoteProtocolError(f"{kind.value} frame while a fragmented message is in progress")
            size = len(payload)
        else:
            if self._message is None:
                raise RemoteProtocolError("continuation frame without a message in progress")
            kind = self._message
            size = self._size + len(payload)
        self._size = size
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
            self._events.append(new_fragment(kind, frame, first))
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
            self._events.append(TextMessage(data.decode("utf-8", "replace") if text is None else text))
        else:
            self._events.append(BinaryMessage(data))

    def _closed_by_peer(self, code: int | None, reason: str, payload: bytes) -> None:
        self.close_received = True
        self.received_code = code
        self._events.append(CloseReceived(code, reason, payload))
        if not self.close_sent and self.auto_close:
            self._pending_close = (code,)
        self.state = State.CLOSED if self.close_sent else State.CLOSING

    def fail(self, code: int | None, reason: str) -> None:
        """Fail the connection: report it, and close with `code` (where the draft has codes) in the next
        data_to_send(), so that answers to the events before the failure still go out first."""
        if self.state is _FAILED:
            return
        code = code if self.info.close_codes else None
        self._events.append(ProtocolFailure(code, reason))
        if not self.close_sent and self.info.closing is not Closing.TCP:
            self._pending_close = (code,)
        self.state = _FAILED

    # --- sending -------------------------------------------------------------------------------------

    def data_to_send(self) -> bytes:
        """Bytes to write to the transport, once."""
        return b"".join(self.chunks_to_send())

    def chunks_to_send(self) -> list[bytes]:
        """What data_to_send() would return, as chunks to write in order (a transport's writes, or
        writelines): small frames joined, and every payload of 64 KiB or more a chunk of its own, not
        copied after its header. Empty when there is nothing to send."""
        if self._pending_close is not None:
            (code,) = self._pending_close
            self._pending_close = None
            if not self.close_sent:
                self.send_close(code)
        out = self._out
        if not out:
            return []
        self._out = []
        if not self._out_large:
            return [out[0] if len(out) == 1 else b"".join(out)]
        self._out_large = False
        chunks: list[bytes] = []
        run: list[bytes] = []
        for chunk in out:
            if len(chunk) < _SEPARATE_FROM:
                run.append(chunk)
                continue
            if run:
                chunks.append(b"".join(run))
                run = []
            chunks.append(chunk)
        if run:
            chunks.append(b"".join(run))
        return chunks

    def send_frame(self, frame: Frame, *, declared_length: int | None = None) -> None:
        """Write `frame` exactly as given (a client masks it with a random key unless it has one)."""
        if frame.mask is None and self._client_masks:
            opcode, payload, fin, rsv1, rsv2, rsv3, _ = frame
            frame = Frame(opcode, payload, fin, rsv1, rsv2, rsv3, self._mask_source(4))
        self._write_frame(frame, declared_length)

    def send_frame_unmasked(self, frame: Frame, *, declared_length: int | None = None) -> None:
        """Write `frame` without the client's automatic masking (to send an unmasked client frame).
        A close frame, however malformed, still counts as this side's close."""
        self._write_frame(frame, declared_length)

    def _write_frame(self, frame: Frame, declared_length: int | None) -> None:
        head, rest = encode_parts(frame, self._family, declared_length=declared_length)
        if len(rest) < _SEPARATE_FROM:
            self._out.append(head + rest)
        else:
            self._out += (head, rest)
            self._out_large = True
        if frame.opcode != self._close_opcode or self.close_sent:
            return
        # a close frame: any frame with the close opcode (hixie-76: FF with an empty payload, its sentinel)
        closing = self.info.closing
        if closing is Closing.CLOSE_FRAME or not frame.payload:
            self.close_sent = True
            self.sent_code = _lenient_close(frame)[0] if closing is Closing.CLOSE_FRAME else None
            if self.state is not _FAILED:
                self.state = State.CLOSED if self.close_received else State.CLOSING

    def send_raw(self, data: bytes) -> None:
        self._out.append(data)

    def _check_open(self, what: str) -> None:
        if self.close_sent:
            raise LocalProtocolError(f"cannot send {what} after the connection started closing")

    def send_message(self, kind: Kind, data: bytes, *, fragment_size: int | None = None) -> None:
        """Send a TEXT or BINARY message, split into frames of `fragment_size` bytes when given."""
        self._check_open(kind.value)
        if self.info.family is _HIXIE and kind is not _TEXT:
            raise LocalProtocolError(f"{self.draft.value} has no binary messages")
        if not fragment_size or fragment_size >= len(data):
            self.send_frame(Frame(self.info.opcode(kind), data))  # the common case, without the list
            return
        for frame in message_frames(self.info, kind, data, fragment_size):
            self.send_frame(frame)

    def send_text(self, text: str, *, fragment_size: int | None = None) -> None:
        self.send_message(_TEXT, text.encode("utf-8"), fragment_size=fragment_size)

    def send_binary(self, data: bytes, *, fragment_size: int | None = None) -> None:
        self.send_message(_BINARY, data, fragment_size=fragment_size)

    def _send_control(self, kind: Kind, payload: bytes) -> None:
        if not self.info.has_ping:
            raise LocalProtocolError(f"{self.draft.value} has no {kind.value} frames")
        self.send_frame(Frame(self.info.opcode(kind), payload))

    def send_ping(self, payload: bytes = b"") -> None:
        self._check_open("ping")
        self._send_control(_PING, payload)

    def send_pong(self, payload: bytes = b"") -> None:
        self._check_open("pong")
        self._send_control(_PONG, payload)

    def send_close(self, code: int | None = None, reason: str | bytes = b"") -> None:
        """Start (or answer) the closing handshake. hixie-75 has none: the state just becomes CLOSED."""
        if self.close_sent:
            raise LocalProtocolError("close already sent")
        closing = self.info.closing
        if closing is Closing.SENTINEL:
            self.send_frame(Frame(HIXIE_CLOSE, b""))
        elif closing is Closing.CLOSE_FRAME:
            self.send_frame(Frame(self.info.opcode(_CLOSE), close_payload(code, reason)))
        else:
            self.close_sent = True
            self.state = State.CLOSED
        self.sent_code = code


_OPCODE_FACTS: dict[Draft, tuple[dict[int, Kind], frozenset[int]]] = {}


def _opcode_facts(draft: Draft) -> tuple[dict[int, Kind], frozenset[int]]:
    """The draft's opcode -> kind table as a plain dict (faster to read than its mapping proxy) and its
    control opcodes; one pair per draft, shared by its connections."""
    facts = _OPCODE_FACTS.get(draft)
    if facts is None:
        kinds = dict(draft.info.kinds)
        facts = _OPCODE_FACTS[draft] = (kinds, frozenset(op for op, kind in kinds.items() if kind.is_control))
    return facts


def _lenient_close(frame: Frame) -> tuple[int | None, str]:
    if len(frame.payload) < 2:
        return None, ""
    return int.from_bytes(frame.payload[:2], "big"), frame.payload[2:].decode("utf-8", "replace")
