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
    Fragment,
    Ignored,
    Ping,
    Pong,
    ProtocolFailure,
    TextMessage,
)
from .frames import (
    Frame,
    FrameParser,
    Utf8Validator,
    check_frame,
    close_payload,
    encode,
    is_hixie_close,
    parse_close,
)


class Side(enum.Enum):
    CLIENT = "client"
    SERVER = "server"


class State(enum.Enum):
    OPEN = "open"
    CLOSING = "closing"  # one close frame sent or received, not both
    CLOSED = "closed"  # closing handshake complete (hixie-75: close decided): close the transport
    FAILED = "failed"  # failed by a protocol error: close the transport after data_to_send()


DEFAULT_MAX_MESSAGE = 16 * 2**20 + 1024


class Connection:
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

    # --- receiving -----------------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Bytes from the peer; b"" means the transport ended."""
        if not data:
            # hixie-75 has no closing handshake: the end of the transport is its normal close
            clean = self.state is State.CLOSED or (self.info.closing is Closing.TCP and self.state is State.OPEN)
            self._events.append(ConnectionClosed(clean))
            if self.state is not State.FAILED:
                self.state = State.CLOSED
            return
        if self._done_receiving():
            return
        try:
            for frame in self._parser.feed(data):
                self._receive_frame(frame)
                if self._done_receiving():
                    break
            else:
                self._parser.feed(b"")  # raises an error met after the frames just handled
        except RemoteProtocolError as exc:
            self.fail(exc.close_code, exc.reason)

    def _done_receiving(self) -> bool:
        return self.state is State.FAILED or self.close_received

    def events(self) -> list[Event]:
        """The events since the last call."""
        events, self._events = self._events, []
        return events

    def _receive_frame(self, frame: Frame) -> None:
        if self.info.family is Family.HIXIE:
            self._receive_hixie(frame)
            return
        if self.strict:
            check_frame(frame, self.draft, from_client=self.side is Side.SERVER)
        kind = self.info.kind(frame.opcode)
        if kind is Kind.CLOSE:
            code, reason = parse_close(frame.payload, self.draft) if self.strict else _lenient_close(frame)
            self._closed_by_peer(code, reason, frame.payload)
        elif kind is Kind.PING:
            self._events.append(Ping(frame.payload))
            if self.auto_pong and not self.close_sent:
                self.send_pong(frame.payload)
        elif kind is Kind.PONG:
            self._events.append(Pong(frame.payload))
        elif kind is not None:
            self._receive_data_frame(kind, frame)
        else:
            self._events.append(Ignored(frame))

    def _receive_hixie(self, frame: Frame) -> None:
        if is_hixie_close(frame, self.draft):
            self._closed_by_peer(None, "", b"")
        elif frame.opcode == 0x00:
            self._receive_data_frame(Kind.TEXT, frame)
        else:
            self._events.append(Ignored(frame))

    def _receive_data_frame(self, kind: Kind, frame: Frame) -> None:
        first = kind is not Kind.CONTINUATION
        if first and self._message is not None:
            raise RemoteProtocolError(f"{kind.value} frame while a fragmented message is in progress")
        if not first:
            if self._message is None:
                raise RemoteProtocolError("continuation frame without a message in progress")
            kind = self._message
        self._size = (0 if first else self._size) + len(frame.payload)
        if self._size > self.max_message_size:
            raise RemoteProtocolError(f"message of more than {self.max_message_size} bytes", self.info.too_big_code)
        if kind is Kind.TEXT and self.strict and self.info.family is not Family.HIXIE:
            if first:
                self._utf8 = Utf8Validator()
            assert self._utf8 is not None
            try:
                self._utf8.feed(frame.payload, final=frame.fin)
            except UnicodeDecodeError as exc:
                raise RemoteProtocolError(
                    f"invalid UTF-8 in a text message: {exc.reason}", self.info.invalid_data_code
                ) from exc
        if self.frames:
            self._events.append(Fragment(kind, frame, first))
        if self.assemble:
            self._parts.append(frame.payload)
        self._message = None if frame.fin else kind
        if frame.fin and self.assemble:
            data = b"".join(self._parts)
            self._parts = []
            if kind is Kind.TEXT:
                # validated above in strict hybi; hixie replaces invalid bytes (U+FFFD) as its drafts say
                self._events.append(TextMessage(data.decode("utf-8", "replace")))
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
        if self.state is State.FAILED:
            return
        code = code if self.info.close_codes else None
        self._events.append(ProtocolFailure(code, reason))
        if not self.close_sent and self.info.closing is not Closing.TCP:
            self._pending_close = (code,)
        self.state = State.FAILED

    # --- sending -------------------------------------------------------------------------------------

    def data_to_send(self) -> bytes:
        """Bytes to write to the transport, once."""
        if self._pending_close is not None:
            (code,) = self._pending_close
            self._pending_close = None
            if not self.close_sent:
                self.send_close(code)
        data = b"".join(self._out)
        self._out = []
        return data

    def _mask(self) -> bytes | None:
        return self._mask_source(4) if self.side is Side.CLIENT and self.info.family is not Family.HIXIE else None

    def send_frame(self, frame: Frame, *, declared_length: int | None = None) -> None:
        """Write `frame` exactly as given (a client masks it with a random key unless it has one)."""
        if frame.mask is None and (mask := self._mask()) is not None:
            frame = Frame(frame.opcode, frame.payload, frame.fin, frame.rsv1, frame.rsv2, frame.rsv3, mask)
        self.send_frame_unmasked(frame, declared_length=declared_length)

    def send_frame_unmasked(self, frame: Frame, *, declared_length: int | None = None) -> None:
        """Write `frame` without the client's automatic masking (to send an unmasked client frame).
        A close frame, however malformed, still counts as this side's close."""
        self._out.append(encode(frame, self.info.family, declared_length=declared_length))
        closing = self.info.closing
        is_close = (closing is Closing.CLOSE_FRAME and self.info.kind(frame.opcode) is Kind.CLOSE) or (
            closing is Closing.SENTINEL and frame.opcode == HIXIE_CLOSE and not frame.payload
        )
        if is_close and not self.close_sent:
            self.close_sent = True
            self.sent_code = _lenient_close(frame)[0] if closing is Closing.CLOSE_FRAME else None
            if self.state is not State.FAILED:
                self.state = State.CLOSED if self.close_received else State.CLOSING

    def send_raw(self, data: bytes) -> None:
        self._out.append(data)

    def _check_open(self, what: str) -> None:
        if self.close_sent:
            raise LocalProtocolError(f"cannot send {what} after the connection started closing")

    def send_message(self, kind: Kind, data: bytes, *, fragment_size: int | None = None) -> None:
        """Send a TEXT or BINARY message, split into frames of `fragment_size` bytes when given."""
        self._check_open(kind.value)
        if self.info.family is Family.HIXIE:
            if kind is not Kind.TEXT:
                raise LocalProtocolError(f"{self.draft.value} has no binary messages")
            self.send_frame(Frame(0x00, data))
            return
        size = fragment_size or len(data) or 1
        chunks = [data[i : i + size] for i in range(0, len(data), size)] or [b""]
        for index, chunk in enumerate(chunks):
            opcode = self.info.opcode(kind if index == 0 else Kind.CONTINUATION)
            self.send_frame(Frame(opcode, chunk, fin=index == len(chunks) - 1))

    def send_text(self, text: str, *, fragment_size: int | None = None) -> None:
        self.send_message(Kind.TEXT, text.encode("utf-8"), fragment_size=fragment_size)

    def send_binary(self, data: bytes, *, fragment_size: int | None = None) -> None:
        self.send_message(Kind.BINARY, data, fragment_size=fragment_size)

    def _send_control(self, kind: Kind, payload: bytes) -> None:
        if not self.info.has_ping:
            raise LocalProtocolError(f"{self.draft.value} has no {kind.value} frames")
        self.send_frame(Frame(self.info.opcode(kind), payload))

    def send_ping(self, payload: bytes = b"") -> None:
        self._check_open("ping")
        self._send_control(Kind.PING, payload)

    def send_pong(self, payload: bytes = b"") -> None:
        self._check_open("pong")
        self._send_control(Kind.PONG, payload)

    def send_close(self, code: int | None = None, reason: str | bytes = b"") -> None:
        """Start (or answer) the closing handshake. hixie-75 has none: the state just becomes CLOSED."""
        if self.close_sent:
            raise LocalProtocolError("close already sent")
        closing = self.info.closing
        if closing is Closing.SENTINEL:
            self.send_frame(Frame(HIXIE_CLOSE, b""))
        elif closing is Closing.CLOSE_FRAME:
            self.send_frame(Frame(self.info.opcode(Kind.CLOSE), close_payload(code, reason)))
        else:
            self.close_sent = True
            self.state = State.CLOSED
        self.sent_code = code


def _lenient_close(frame: Frame) -> tuple[int | None, str]:
    if len(frame.payload) < 2:
        return None, ""
    return int.from_bytes(frame.payload[:2], "big"), frame.payload[2:].decode("utf-8", "replace")
