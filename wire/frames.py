"""Frames of the three framing families: encoding (never validates) and incremental parsing.

- hixie (hixie-75/76): a type byte with the high bit clear starts a sentinel frame that runs to 0xFF; a
  type byte with the high bit set is followed by a base-128 length and that many bytes. 0xFF 0x00 is
  hixie-76's close. `Frame.opcode` holds the type byte.
- hybi06 (hybi-04..06 layout): FIN RSV1-3 opcode | RSV4 len7 [ext len] payload; a client puts a 4-byte
  key in front and masks the whole frame with it, header included.
- hybi07 (hybi-07..RFC 6455): FIN RSV1-3 opcode | MASK len7 [ext len] [key] payload; the key masks the
  payload only.

Masking is in masking.py, validation (a separate call, made by a strict receiver) in validation.py.
"""

from __future__ import annotations

from typing import NamedTuple

from . import masking
from .drafts import Draft, Family
from .errors import RemoteProtocolError
from .masking import INT_XOR_BELOW, REPEATS, apply_mask, repeat_key, xor4_into

MAX_CONTROL_PAYLOAD = 125

# Enum members read per frame, bound once: reading one off its Enum class costs some 60 ns in 3.11.
_HIXIE, _HYBI07 = Family.HIXIE, Family.HYBI07


class Frame(NamedTuple):
    """One frame as on the wire. A NamedTuple, not a dataclass: it is built once or twice per message on
    hot paths, and a tuple builds about three times faster than a frozen dataclass (equal, hashable,
    immutable alike; being a tuple, it also unpacks and compares equal to a tuple of the same fields)."""

    opcode: int
    payload: bytes = b""
    fin: bool = True
    rsv1: bool = False
    rsv2: bool = False
    rsv3: bool = False
    mask: bytes | None = None  # the key on the wire; None when unmasked

    @property
    def rsv(self) -> int:
        return self.rsv1 << 2 | self.rsv2 << 1 | self.rsv3


_new_tuple = tuple.__new__  # Frame without the NamedTuple __new__ call: the parser's hot path

# the first byte of a hybi frame: (opcode, fin, rsv1, rsv2, rsv3)
_B0 = tuple((b & 0x0F, bool(b & 0x80), bool(b & 0x40), bool(b & 0x20), bool(b & 0x10)) for b in range(256))


# --- encoding ----------------------------------------------------------------------------------------


def _length_header(length: int) -> bytes:
    if length < 126:
        return bytes((length,))
    if length < 1 << 16:
        return bytes((126, length >> 8, length & 0xFF))
    return b"\x7f" + length.to_bytes(8, "big")


def _base128(length: int) -> bytes:
    groups = [length & 0x7F]
    length >>= 7
    while length:
        groups.append(0x80 | (length & 0x7F))
        length >>= 7
    return bytes(reversed(groups))


def encode_parts(frame: Frame, family: Family, *, declared_length: int | None = None) -> tuple[bytes, bytes]:
    """`encode` as (head, rest), their concatenation being the frame's bytes: an unmasked hybi frame
    comes as (header, payload) with the payload object itself, so that a large one is never copied
    into a new bytes object just to put a few header bytes in front of it."""
    opcode, payload, fin, rsv1, rsv2, rsv3, key = frame
    length = len(payload) if declared_length is None else declared_length
    if family is _HIXIE:
        if opcode & 0x80:
            return bytes((opcode,)) + _base128(length), payload
        return bytes((opcode,)), payload + b"\xff"
    b0 = fin << 7 | (rsv1 << 2 | rsv2 << 1 | rsv3) << 4 | opcode & 0x0F
    if family is _HYBI07:
        if key is None:
            if length < 126:
                return bytes((b0, length)), payload
            return bytes((b0,)) + _length_header(length), payload
        if length < 126:
            return bytes((b0, length | 0x80)) + key, apply_mask(payload, key)
        header = _length_header(length)
        return bytes((b0, header[0] | 0x80)) + header[1:] + key, apply_mask(payload, key)
    header = bytes((b0,)) + _length_header(length)
    if key is None:
        return header, payload
    return key, apply_mask(header + payload, key)


def encode(frame: Frame, family: Family, *, declared_length: int | None = None) -> bytes:
    """The bytes of `frame` exactly as asked: any opcode, bits, key or declared length; no validation."""
    if family is _HIXIE:  # as in encode_parts, without its pair
        opcode, payload = frame.opcode, frame.payload
        if opcode & 0x80:
            return bytes((opcode,)) + _base128(len(payload) if declared_length is None else declared_length) + payload
        return bytes((opcode,)) + payload + b"\xff"
    head, rest = encode_parts(frame, family, declared_length=declared_length)
    return head + rest


# --- parsing -----------------------------------------------------------------------------------------

_COPY_VIEW_FROM = 4096  # payloads from this size are copied out of the buffer through a memoryview (once)
# A hybi07 frame with a payload this large that has not fully arrived is taken piece by piece as its
# bytes come (and unmasked right away), instead of being buffered whole and unmasked at its end.
_STREAM_FROM = 1 << 16


class _Partial:
    """A large hybi07 frame whose payload is arriving: each piece is kept unmasked; the payload is their
    join. The parser unmasks a piece while the next one is still on its way, and no receive buffer grows
    to the frame's size (a masked payload is copied twice: into its piece, then into the join)."""

    __slots__ = ("bits", "filled", "header_size", "key", "length", "pieces")

    def __init__(self, bits: tuple[int, bool, bool, bool, bool], key: bytes | None, length: int, header_size: int):
        self.bits = bits  # opcode, fin, rsv1, rsv2, rsv3
        self.key = key
        self.length = length
        self.header_size = header_size  # with the key: bytes consumed before the payload
        self.pieces: list[bytes | bytearray] = []
        self.filled = 0

    def take(self, src: bytes | bytearray, start: int, stop: int) -> None:
        if stop <= start:
            return
        key = self.key
        if key is None:
            self.pieces.append(src[start:stop] if type(src) is bytes else bytes(memoryview(src)[start:stop]))
        else:
            phase = self.filled & 3
            rotated = key[phase:] + key[:phase] if phase else key
            fast = masking.FAST
            if fast is not None:
                self.pieces.append(fast(memoryview(src)[start:stop], rotated))
            else:
                piece = bytearray(memoryview(src)[start:stop])
                xor4_into(piece, 0, stop - start, rotated)
                self.pieces.append(piece)
        self.filled += stop - start

    def frame(self) -> Frame:
        opcode, fin, rsv1, rsv2, rsv3 = self.bits
        return _new_tuple(Frame, (opcode, b"".join(self.pieces), fin, rsv1, rsv2, rsv3, self.key))


class FrameParser:
    """Incremental, bounded frame parser for one family; bytes may arrive in any chunks.

    `masked` says whether hybi06 frames carry a key in front (frames from a client); hybi07 frames say
    it themselves. Frames larger than `max_frame_size` fail with the draft's too-big close code.

    hybi07 (every modern draft) has a fast path: frames are read straight from the bytes fed when
    nothing is pending, and only an incomplete tail is kept in the buffer; a large frame that is still
    arriving is taken piece by piece (_Partial) instead.
    """

    __slots__ = ("_buf", "_error", "_need", "_partial", "_pos", "_scan", "draft", "family", "masked", "max_frame_size")

    def __init__(self, draft: Draft, *, masked: bool, max_frame_size: int = 16 * 2**20 + 1024) -> None:
        self.draft = draft
        self.family = draft.info.family
        self.masked = masked
        self.max_frame_size = max_frame_size
        self._buf = bytearray()
        self._pos = 0
        self._scan = 0  # hixie: where the search for 0xFF goes on
        self._need = 0  # hybi07: bytes the pending frame needs in the buffer before it can be parsed again
        self._partial: _Partial | None = None  # hybi07: a large frame arriving (the buffer is empty then)
        self._error: RemoteProtocolError | None = None  # met after frames that feed() still returned

    @property
    def buffered(self) -> int:
        partial = self._partial
        return len(self._buf) - self._pos + (partial.header_size + partial.filled if partial is not None else 0)

    def feed(self, data: bytes) -> list[Frame]:
        """Consume `data`; return every frame it completes. Raises RemoteProtocolError.

        When the error follows complete frames in the same data, those frames are returned first and the
        error is raised by the next call (`feed(b"")` will do), so that frames before a broken one are
        delivered however the bytes were chunked.
        """
        if self._error is not None:
            raise self._error
        if self.family is _HYBI07:
            return self._feed_hybi07(data)
        self._buf += data
        frames: list[Frame] = []
        parse = self._hixie if self.family is _HIXIE else self._hybi06
        try:
            while (frame := parse()) is not None:
                frames.append(frame)
        except RemoteProtocolError as exc:
            if not frames:
                raise
            self._error = exc
        if self._pos and (self._pos == len(self._buf) or self._pos > 1 << 16):
            del self._buf[: self._pos]
            self._scan -= self._pos
            self._pos = 0
        return frames

    def _too_big(self, length: int) -> RemoteProtocolError:
        return RemoteProtocolError(
            f"frame of {length} bytes exceeds the limit of {self.max_frame_size}",
            self.draft.info.too_big_code,
        )

    # --- hybi07 -----------------------------------------------------------------------------------------

    def _feed_hybi07(self, data: bytes) -> list[Frame]:
        if type(data) is not bytes:
            data = bytes(data)
        frames: list[Frame] = []
        pos = 0
        partial = self._partial
        if partial is not None:
            pos = min(len(data), partial.length - partial.filled)
            partial.take(data, 0, pos)
            if partial.filled < partial.length:
                return frames
            self._partial = None
            frames.append(partial.frame())
        buf = self._buf  # hybi07 keeps only unparsed bytes there: self._pos stays 0
        if buf:
            buf += data
            if len(buf) < self._need:
                return frames
            src: bytes | bytearray = buf
        elif pos == len(data):
            return frames
        else:
            src = data
        try:
            pos = self._hybi07_frames(src, frames, pos)
        except _Stop as stop:
            pos = stop.pos
            if not frames:
                raise stop.error from None
            self._error = stop.error
        if src is buf:
            if pos:
                del buf[:pos]
        elif pos < len(src):
            buf += memoryview(src)[pos:]
        return frames

    def _hybi07_frames(self, src: bytes | bytearray, frames: list[Frame], pos: int) -> int:
        """Append every complete frame of `src` from `pos` on to `frames`; return where the first
        incomplete one starts (the end of `src` when it became the _Partial). A protocol error comes as
        _Stop, with the position of the broken frame. (One loop, with the small unmask of xor4_small
        written out: this is the receive path of every modern connection.)"""
        size = len(src)
        limit = self.max_frame_size
        append = frames.append
        from_bytes = int.from_bytes
        repeat = REPEATS
        fast = masking.FAST  # the accelerator's mask, when installed
        is_bytes = type(src) is bytes
        self._need = 0
        while size - pos >= 2:
            b1 = src[pos + 1]
            length = b1 & 0x7F
            if length < 126:
                start = pos + 2
            elif length == 126:
                if size - pos < 4:
                    break
                length = src[pos + 2] << 8 | src[pos + 3]
                start = pos + 4
            else:
                if size - pos < 10:
                    break
                length = from_bytes(src[pos + 2 : pos + 10], "big")
                if length >> 63:
                    raise _Stop(pos, RemoteProtocolError("64-bit payload length with the most significant bit set"))
                start = pos + 10
            if length > limit:
                raise _Stop(pos, self._too_big(length))
            if b1 & 0x80:
                stop = start + 4 + length
                if stop > size:
                    if length < _STREAM_FROM:
                        self._need = stop - pos
                    elif size >= start + 4:
                        return self._start_partial(src, pos, start + 4, bytes(src[start : start + 4]), length)
                    else:
                        self._need = start + 4 - pos  # the key first, then the payload piece by piece
                    break
                key = src[start : start + 4] if is_bytes else bytes(src[start : start + 4])
                start += 4
                if not length:
                    payload = b""
                elif fast is not None:
                    payload = fast(src[start:stop] if length < _COPY_VIEW_FROM else memoryview(src)[start:stop], key)
                elif length < INT_XOR_BELOW:
                    ones, mask = repeat.get(length) or repeat_key(length)
                    repeated = from_bytes(key, "little") * ones
                    if length & 3:
                        repeated &= mask
                    payload = (from_bytes(src[start:stop], "little") ^ repeated).to_bytes(length, "little")
                elif isinstance(src, bytearray):
                    xor4_into(src, start, stop, key)  # in the buffer itself: these bytes are consumed
                    payload = bytes(memoryview(src)[start:stop])
                else:
                    out = bytearray(memoryview(src)[start:stop])
                    xor4_into(out, 0, length, key)
                    payload = bytes(out)
            else:
                stop = start + length
                if stop > size:
                    if length >= _STREAM_FROM:
                        return self._start_partial(src, pos, start, None, length)
                    self._need = stop - pos
                    break
                key = None
                if is_bytes:
                    payload = src[start:stop]  # type: ignore[assignment]  # bytes: is_bytes (mypy cannot tell)
                elif length < _COPY_VIEW_FROM:
                    payload = bytes(src[start:stop])
                else:
                    payload = bytes(memoryview(src)[start:stop])
            opcode, fin, rsv1, rsv2, rsv3 = _B0[src[pos]]
            append(_new_tuple(Frame, (opcode, payload, fin, rsv1, rsv2, rsv3, key)))
            pos = stop
        return pos

    def _start_partial(self, src: bytes | bytearray, pos: int, start: int, key: bytes | None, length: int) -> int:
        """Make the frame at `pos` (payload from `start`, incomplete) the _Partial; all of `src` is taken."""
        partial = self._partial = _Partial(_B0[src[pos]], key, length, start - pos)
        partial.take(src, start, len(src))
        return len(src)

    # --- hixie, hybi06 ---------------------------------------------------------------------------------

    def _hixie(self) -> Frame | None:
        buf, pos = self._buf, self._pos
        if len(buf) <= pos:
            return None
        kind = buf[pos]
        if kind & 0x80:
            length, i = 0, pos + 1
            while True:
                if i >= len(buf):
                    return None
                b = buf[i]
                length = length * 128 + (b & 0x7F)
                i += 1
                if length > self.max_frame_size:
                    raise self._too_big(length)
                if not b & 0x80:
                    break
            if len(buf) < i + length:
                return None
            self._pos = i + length
            return Frame(kind, bytes(buf[i : i + length]))
        end = buf.find(0xFF, max(pos + 1, self._scan))
        if end < 0:
            self._scan = len(buf)
            if len(buf) - pos - 1 > self.max_frame_size:
                raise self._too_big(len(buf) - pos - 1)
            return None
        if end - pos - 1 > self.max_frame_size:
            raise self._too_big(end - pos - 1)
        self._pos = self._scan = end + 1
        return Frame(kind, bytes(buf[pos + 1 : end]))

    def _header(self, head: bytes | bytearray) -> tuple[int, int, int] | None:
        """Decode an unmasked hybi header at the start of `head`: (first byte, header size, length)."""
        if len(head) < 2:
            return None
        size, length = 2, head[1] & 0x7F
        if length == 126:
            size = 4
        elif length == 127:
            size = 10
        if len(head) < size:
            return None
        if size > 2:
            length = int.from_bytes(head[2:size], "big")
            if length >> 63:
                raise RemoteProtocolError("64-bit payload length with the most significant bit set")
        if length > self.max_frame_size:
            raise self._too_big(length)
        return head[0], size, length

    def _hybi06(self) -> Frame | None:
        buf, pos = self._buf, self._pos
        keylen = 4 if self.masked else 0
        if len(buf) < pos + keylen + 2:
            return None
        key = bytes(buf[pos : pos + keylen]) if keylen else None
        head = bytes(buf[pos + keylen : pos + keylen + 10])
        parsed = self._header(apply_mask(head, key) if key else head)
        if parsed is None:
            return None
        b0, size, length = parsed
        start = pos + keylen + size
        if len(buf) < start + length:
            return None
        payload = bytes(buf[start : start + length])
        self._pos = start + length
        opcode, fin, rsv1, rsv2, rsv3 = _B0[b0]
        return Frame(opcode, apply_mask(payload, key, size) if key else payload, fin, rsv1, rsv2, rsv3, key)


class _Stop(Exception):
    """A protocol error met by the hybi07 loop at `pos` (internal: feed() turns it into the error)."""

    def __init__(self, pos: int, error: RemoteProtocolError) -> None:
        super().__init__(error.reason)
        self.pos = pos
        self.error = error
