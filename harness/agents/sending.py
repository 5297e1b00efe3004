"""What the raw client's send steps put on the wire: the bytes of each frame, in order.

The session decides how frames are grouped into writes (harness/cases/model.py: consecutive sends share a
write, `sync` gives each frame its own, `chop` cuts a step's bytes); this module only encodes. A step's
frames go through the wire Connection, which masks a client's frames and keeps track of a close; a
server's frames are masked only when a step asks for it (`masked: true`, or a `mask_key`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from wire import Connection, Draft, Frame, Kind, Side, apply_mask, close_payload, encode_parts

from ..cases.model import (
    BeginFrame,
    FrameData,
    SendClose,
    SendFrame,
    SendMessage,
    SendPing,
    SendPong,
    SendRaw,
    resolve_opcode,
)

Send = SendFrame | SendMessage | SendPing | SendPong | SendClose | SendRaw | BeginFrame | FrameData


@dataclass
class OpenFrame:
    """A frame whose header went out (BeginFrame) and whose payload follows piece by piece."""

    key: bytes | None
    offset: int = 0


class Encoder:
    """Turns send steps into frame bytes for one connection."""

    def __init__(self, conn: Connection, draft: Draft) -> None:
        self.conn = conn
        self.draft = draft
        self.info = draft.info
        self.open_frame: OpenFrame | None = None

    def frames(self, step: Send) -> list[bytes]:
        """The bytes of each frame `step` sends (one item for raw bytes or a frame's piece)."""
        if isinstance(step, SendRaw):
            return [step.payload.to_bytes()]
        if isinstance(step, BeginFrame | FrameData):
            return [self._streamed(step)]
        if isinstance(step, SendClose):
            return self._close(step)
        return [self._take(frame, step) for frame in self._frames_of(step)]

    def _take(self, frame: Frame, step: Send) -> bytes:
        if isinstance(step, SendFrame) and step.masked is False:
            self.conn.send_frame_unmasked(frame, declared_length=step.declared_length)
        else:
            self.conn.send_frame(frame, declared_length=step.declared_length if isinstance(step, SendFrame) else None)
        return self.conn.data_to_send()

    def _frames_of(self, step: SendFrame | SendMessage | SendPing | SendPong) -> list[Frame]:
        info = self.info
        if isinstance(step, SendFrame):
            opcode = resolve_opcode(step.opcode, self.draft)
            assert opcode is not None  # unsupported_in_draft keeps such cases away
            key = None if step.masked is False else step.mask_key
            if step.masked and key is None:  # a server masks only on purpose, with a key of its own
                key = os.urandom(4)
            return [Frame(opcode, step.payload.to_bytes(), step.fin, step.rsv1, step.rsv2, step.rsv3, key)]
        if isinstance(step, SendMessage):
            kind = Kind.TEXT if step.kind == "text" else Kind.BINARY
            frames = self.conn.frames_of_message(
                kind, step.payload.to_bytes(), fragment_size=step.fragment_size, compress=step.compress
            )
            size = step.fragment_size
            length = sum(len(f.payload) for f in frames)  # compressed, with permessage-deflate
            if step.empty_final_frame and size and length > size and length % size == 0:
                # Autobahn's sendMessage: frames of `size` bytes until the payload is used up, then a final
                # frame with the rest, which is empty when the fragments fill the payload
                frames[-1] = frames[-1]._replace(fin=False)
                frames.append(Frame(info.opcode(Kind.CONTINUATION), b""))
            return frames
        return [Frame(info.opcode(Kind.PING if isinstance(step, SendPing) else Kind.PONG), step.payload.to_bytes())]

    def _close(self, step: SendClose) -> list[bytes]:
        """The agent's close; a second one is not sent (a case sends a stray close frame with send_frame)."""
        if self.conn.close_sent is not None:
            return []
        if step.raw is None and step.mask_key is None:
            self.conn.send_close(step.code, step.reason.to_bytes())  # hixie-76: its sentinel; hixie-75: nothing
            data = self.conn.data_to_send()
            return [data] if data else []
        payload = step.raw.to_bytes() if step.raw is not None else close_payload(step.code, step.reason.to_bytes())
        return [self._take(Frame(self.info.opcode(Kind.CLOSE), payload, mask=step.mask_key), step)]

    def _streamed(self, step: BeginFrame | FrameData) -> bytes:
        if isinstance(step, BeginFrame):
            opcode = resolve_opcode(step.opcode, self.draft)
            assert opcode is not None
            key = step.mask_key or (os.urandom(4) if self.conn.side is Side.CLIENT else None)
            head, _ = encode_parts(
                Frame(opcode, b"", step.fin, mask=key), self.info.family, declared_length=step.length
            )
            self.open_frame = OpenFrame(key)
            return head
        assert self.open_frame is not None  # the loader puts a begin_frame first
        data = step.payload.to_bytes()
        piece = data if self.open_frame.key is None else apply_mask(data, self.open_frame.key, self.open_frame.offset)
        self.open_frame.offset += len(data)
        return piece
