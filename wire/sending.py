"""The sending half of a Connection: what the caller sends, in any state, and the bytes to write.

Messages, pings and closes check the local state (nothing before the handshake opened a WebSocket,
nothing after this side's close), and compress messages once permessage-deflate is agreed; `send_frame`
and `send_raw` write whatever they are given, and a frame with the close opcode still counts as this
side's close. Answers the receiving half queues (a pong, the
reply to a close, a failure's close) go out in the order they were queued, after the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .close import Close, close_code
from .drafts import HIXIE_CLOSE, Closing, Draft, DraftInfo, Family, Kind
from .errors import LocalProtocolError
from .extensions import PerMessageDeflate
from .frames import Frame, encode_parts
from .messages import message_frames
from .opening import ClientOpening, ServerOpening
from .state import State, Step
from .validation import close_payload

_TEXT, _BINARY, _CLOSE, _PING, _PONG = Kind.TEXT, Kind.BINARY, Kind.CLOSE, Kind.PING, Kind.PONG
_HIXIE = Family.HIXIE

# Outgoing payloads from this size are kept as chunks of their own (not joined with their header):
# chunks_to_send() hands them over without a copy.
SEPARATE_FROM = 1 << 16


class Sender:
    """The send methods of Connection, and the attributes they own."""

    __slots__ = ("_out", "_out_large", "_pending_close", "close_sent")

    def __init__(self) -> None:
        self._out: list[bytes] = []
        self._out_large = False  # _out holds a payload of SEPARATE_FROM bytes or more
        # a close frame to send in the next data_to_send(), after whatever the caller sends in response to
        # the events before it: the answer to the peer's close (auto_close), or a failure's close
        self._pending_close: tuple[int | None] | None = None
        self.close_sent: Close | None = None  # the close this side sent (hixie-75: decided on)

    if TYPE_CHECKING:  # Connection's, read here
        _draft: Draft | None
        _family: Family
        _close_opcode: int | None
        _client_masks: bool
        _deflate: PerMessageDeflate | None
        _mask_source: Callable[[int], bytes]
        _opening: ClientOpening | ServerOpening | None
        state: State

        @property
        def draft(self) -> Draft: ...

        @property
        def info(self) -> DraftInfo: ...

        def _advance(self, step: Step) -> None: ...

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
            if self.close_sent is None:
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
            if len(chunk) < SEPARATE_FROM:
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
        if self._draft is None:
            raise LocalProtocolError("no frames before the draft is known")
        head, rest = encode_parts(frame, self._family, declared_length=declared_length)
        if len(rest) < SEPARATE_FROM:
            self._out.append(head + rest)
        else:
            self._out += (head, rest)
            self._out_large = True
        if frame.opcode != self._close_opcode or self.close_sent is not None:
            return
        # a close frame: any frame with the close opcode (hixie-76: FF with an empty payload, its sentinel)
        if self._close_opcode != HIXIE_CLOSE:
            self.close_sent = Close(*lenient_close(frame.payload))
        elif not frame.payload:
            self.close_sent = Close()
        else:
            return
        self._advance(Step.CLOSE_SENT)

    def send_raw(self, data: bytes) -> None:
        """Write `data` as it is, in any state (garbage instead of a handshake answer, a frame's bytes)."""
        self._out.append(data)

    def _check_open(self, what: str) -> None:
        if self._opening is not None:  # still CONNECTING, or the handshake ended with no WebSocket
            raise LocalProtocolError(f"cannot send {what}: the opening handshake did not open a WebSocket")
        if self.close_sent is not None:
            raise LocalProtocolError(f"cannot send {what} after the connection started closing")

    def send_message(self, kind: Kind, data: bytes, *, fragment_size: int | None = None, compress: bool = True) -> None:
        """Send a TEXT or BINARY message, split into frames of `fragment_size` bytes when given. With
        permessage-deflate (unless `compress` is False) the message is compressed whole, and its
        compressed payload split (RSV1 on the first frame), as Autobahn's auto-fragmentation does."""
        self._check_open(kind.value)
        info = self.info
        if info.family is _HIXIE and kind is not _TEXT:
            raise LocalProtocolError(f"{self.draft.value} has no binary messages")
        deflate = self._deflate if compress else None
        if deflate is None and (not fragment_size or fragment_size >= len(data)):
            self.send_frame(Frame(info.opcode(kind), data))  # the common case, without the list
            return
        for frame in self.frames_of_message(kind, data, fragment_size=fragment_size, compress=compress):
            self.send_frame(frame)

    def frames_of_message(
        self, kind: Kind, data: bytes, *, fragment_size: int | None = None, compress: bool = True
    ) -> list[Frame]:
        """The unmasked frames send_message writes for a message (for a caller that writes them its own
        way). Compressing moves the deflate stream on: they must be sent, in order, before any other."""
        info = self.info
        deflate = self._deflate if compress else None
        if deflate is not None:
            data = deflate.compress(data)
        frames = message_frames(info, kind, data, fragment_size)
        if deflate is not None:
            frames[0] = frames[0]._replace(rsv1=True)
        return frames

    def send_text(self, text: str, *, fragment_size: int | None = None, compress: bool = True) -> None:
        self.send_message(_TEXT, text.encode("utf-8"), fragment_size=fragment_size, compress=compress)

    def send_binary(self, data: bytes, *, fragment_size: int | None = None, compress: bool = True) -> None:
        self.send_message(_BINARY, data, fragment_size=fragment_size, compress=compress)

    def send_fragment(self, kind: Kind, data: bytes, *, first: bool, fin: bool, compress: bool = True) -> None:
        """Send one frame of a TEXT or BINARY message (`first`: its opening frame, else a continuation),
        `data` being this frame's part of the message: compressed on its own (sync-flushed) within the
        message's deflate stream when permessage-deflate is agreed and `compress`, RSV1 on the first
        frame. A frame-level echo keeps the peer's fragmentation this way."""
        self._check_open(kind.value)
        info = self.info
        deflate = self._deflate if compress else None
        if deflate is not None:
            data = deflate.compress(data, fin=fin)
        opcode = info.opcode(kind if first else Kind.CONTINUATION)
        self.send_frame(Frame(opcode, data, fin, rsv1=first and deflate is not None))

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
        """Start (or answer) the closing handshake. hixie-75 has none: closing is ending the transport,
        so the state just becomes CLOSED."""
        if self._opening is not None:
            raise LocalProtocolError("cannot close: the opening handshake did not open a WebSocket")
        if self.close_sent is not None:
            raise LocalProtocolError("close already sent")
        closing = self.info.closing
        if closing is Closing.SENTINEL:
            self.send_frame(Frame(HIXIE_CLOSE, b""))
        elif closing is Closing.CLOSE_FRAME:
            self.send_frame(Frame(self.info.opcode(_CLOSE), close_payload(code, reason)))
        else:
            self.close_sent = Close()
            self._advance(Step.ENDED)


def lenient_close(payload: bytes) -> tuple[int | None, str]:
    if len(payload) < 2:
        return None, ""
    return close_code(int.from_bytes(payload[:2], "big")), payload[2:].decode("utf-8", "replace")
