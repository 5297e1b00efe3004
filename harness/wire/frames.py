"""Frames of the three framing families: encoding (never validates), incremental parsing, validation.

- hixie (hixie-75/76): a type byte with the high bit clear starts a sentinel frame that runs to 0xFF; a
  type byte with the high bit set is followed by a base-128 length and that many bytes. 0xFF 0x00 is
  hixie-76's close. `Frame.opcode` holds the type byte.
- hybi06 (hybi-04..06 layout): FIN RSV1-3 opcode | RSV4 len7 [ext len] payload; a client puts a 4-byte
  key in front and masks the whole frame with it, header included.
- hybi07 (hybi-07..RFC 6455): FIN RSV1-3 opcode | MASK len7 [ext len] [key] payload; the key masks the
  payload only.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .drafts import HIXIE_CLOSE, Closing, Draft, Family
from .errors import RemoteProtocolError

MAX_CONTROL_PAYLOAD = 125


@dataclass(frozen=True)
class Frame:
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


_XOR_TABLES: dict[int, bytes] = {}


def _xor_table(byte: int) -> bytes:
    table = _XOR_TABLES.get(byte)
    if table is None:
        table = _XOR_TABLES[byte] = bytes(b ^ byte for b in range(256))
    return table


def apply_mask(data: bytes, key: bytes, offset: int = 0) -> bytes:
    """XOR `data` with `key` repeated, starting `offset` bytes into the key (no per-byte Python loop).

    Small inputs XOR as one big integer; large ones translate each of the key's strides through a
    256-byte table, which is about twice as fast on a megabyte."""
    if not data:
        return b""
    n = len(key)
    start = offset % n
    rotated = key[start:] + key[:start]
    if len(data) < 4096:
        repeated = rotated * (len(data) // n + 1)
        mixed = int.from_bytes(data, "big") ^ int.from_bytes(repeated[: len(data)], "big")
        return mixed.to_bytes(len(data), "big")
    out = bytearray(data)
    for i, k in enumerate(rotated):
        out[i::n] = out[i::n].translate(_xor_table(k))
    return bytes(out)


# --- encoding ----------------------------------------------------------------------------------------


def _length_header(length: int) -> bytes:
    if length < 126:
        return bytes([length])
    if length < 1 << 16:
        return bytes([126]) + length.to_bytes(2, "big")
    return bytes([127]) + length.to_bytes(8, "big")


def _base128(length: int) -> bytes:
    groups = [length & 0x7F]
    length >>= 7
    while length:
        groups.append(0x80 | (length & 0x7F))
        length >>= 7
    return bytes(reversed(groups))


def encode(frame: Frame, family: Family, *, declared_length: int | None = None) -> bytes:
    """The bytes of `frame` exactly as asked: any opcode, bits, key or declared length; no validation."""
    length = len(frame.payload) if declared_length is None else declared_length
    if family is Family.HIXIE:
        if frame.opcode & 0x80:
            return bytes([frame.opcode]) + _base128(length) + frame.payload
        return bytes([frame.opcode]) + frame.payload + b"\xff"
    b0 = (frame.fin << 7 | frame.rsv << 4 | frame.opcode & 0x0F).to_bytes(1, "big")
    header = _length_header(length)
    if family is Family.HYBI06:
        plain = b0 + header + frame.payload
        if frame.mask is None:
            return plain
        return frame.mask + apply_mask(plain, frame.mask)
    if frame.mask is None:
        return b0 + header + frame.payload
    return b0 + bytes([header[0] | 0x80]) + header[1:] + frame.mask + apply_mask(frame.payload, frame.mask)


# --- parsing -----------------------------------------------------------------------------------------


class FrameParser:
    """Incremental, bounded frame parser for one family; bytes may arrive in any chunks.

    `masked` says whether hybi06 frames carry a key in front (frames from a client); hybi07 frames say
    it themselves. Frames larger than `max_frame_size` fail with the draft's too-big close code.
    """

    def __init__(self, draft: Draft, *, masked: bool, max_frame_size: int = 16 * 2**20 + 1024) -> None:
        self.draft = draft
        self.family = draft.info.family
        self.masked = masked
        self.max_frame_size = max_frame_size
        self._buf = bytearray()
        self._pos = 0
        self._scan = 0  # hixie: where the search for 0xFF goes on
        self._error: RemoteProtocolError | None = None  # met after frames that feed() still returned

    @property
    def buffered(self) -> int:
        return len(self._buf) - self._pos

    def feed(self, data: bytes) -> list[Frame]:
        """Consume `data`; return every frame it completes. Raises RemoteProtocolError.

        When the error follows complete frames in the same data, those frames are returned first and the
        error is raised by the next call (`feed(b"")` will do), so that frames before a broken one are
        delivered however the bytes were chunked.
        """
        if self._error is not None:
            raise self._error
        self._buf += data
        frames = []
        parse = {Family.HIXIE: self._hixie, Family.HYBI06: self._hybi06, Family.HYBI07: self._hybi07}[self.family]
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

    def _header(self, head: bytes | bytearray, start: int) -> tuple[Frame, int, int] | None:
        """Decode an unmasked hybi header from `head`: (frame without payload, header size, length)."""
        if len(head) < start + 2:
            return None
        b0, b1 = head[start], head[start + 1]
        size, length = 2, b1 & 0x7F
        if length == 126:
            size = 4
        elif length == 127:
            size = 10
        if len(head) < start + size:
            return None
        if size > 2:
            length = int.from_bytes(head[start + 2 : start + size], "big")
            if length >> 63:
                raise RemoteProtocolError("64-bit payload length with the most significant bit set")
        if length > self.max_frame_size:
            raise self._too_big(length)
        frame = Frame(b0 & 0x0F, b"", bool(b0 & 0x80), bool(b0 & 0x40), bool(b0 & 0x20), bool(b0 & 0x10))
        return frame, size, length

    def _hybi07(self) -> Frame | None:
        buf, pos = self._buf, self._pos
        parsed = self._header(buf, pos)
        if parsed is None:
            return None
        frame, size, length = parsed
        masked = bool(buf[pos + 1] & 0x80)
        start = pos + size + (4 if masked else 0)
        if len(buf) < start + length:
            return None
        payload = bytes(buf[start : start + length])
        key = bytes(buf[start - 4 : start]) if masked else None
        self._pos = start + length
        return Frame(
            frame.opcode,
            apply_mask(payload, key) if key else payload,
            frame.fin,
            frame.rsv1,
            frame.rsv2,
            frame.rsv3,
            key,
        )

    def _hybi06(self) -> Frame | None:
        buf, pos = self._buf, self._pos
        keylen = 4 if self.masked else 0
        if len(buf) < pos + keylen + 2:
            return None
        key = bytes(buf[pos : pos + keylen]) if keylen else None
        head = buf[pos + keylen : pos + keylen + 10]
        parsed = self._header(apply_mask(bytes(head), key) if key else head, 0)
        if parsed is None:
            return None
        frame, size, length = parsed
        start = pos + keylen + size
        if len(buf) < start + length:
            return None
        payload = bytes(buf[start : start + length])
        self._pos = start + length
        return Frame(
            frame.opcode,
            apply_mask(payload, key, size) if key else payload,
            frame.fin,
            frame.rsv1,
            frame.rsv2,
            frame.rsv3,
            key,
        )


# --- validation --------------------------------------------------------------------------------------


def check_frame(frame: Frame, draft: Draft, *, from_client: bool, allowed_rsv: int = 0) -> None:
    """Raise RemoteProtocolError when `frame` breaks a framing rule of `draft` (RFC 6455 §5)."""
    info = draft.info
    if info.family is Family.HIXIE:
        return
    if frame.rsv & ~allowed_rsv:
        raise RemoteProtocolError(f"reserved bits {frame.rsv:03b} set without a negotiated extension")
    kind = info.kind(frame.opcode)
    if kind is None:
        raise RemoteProtocolError(f"reserved opcode {frame.opcode:#x}")
    if kind.is_control:
        if not frame.fin:
            raise RemoteProtocolError(f"fragmented {kind.value} frame")
        if len(frame.payload) > MAX_CONTROL_PAYLOAD:
            raise RemoteProtocolError(f"{kind.value} frame with {len(frame.payload)} bytes (at most 125)")
    if info.family is Family.HYBI07:
        if from_client and frame.mask is None:
            raise RemoteProtocolError("unmasked frame from a client")
        if not from_client and frame.mask is not None:
            raise RemoteProtocolError("masked frame from a server")


def parse_close(payload: bytes, draft: Draft) -> tuple[int | None, str]:
    """Code and reason of a close frame's payload; RemoteProtocolError when they are invalid."""
    info = draft.info
    if info.closing is not Closing.CLOSE_FRAME or not payload:
        return None, ""
    if len(payload) == 1:
        raise RemoteProtocolError("close frame with a 1-byte payload")
    code = int.from_bytes(payload[:2], "big")
    if code not in info.close_codes:
        raise RemoteProtocolError(f"invalid close code {code}")
    try:
        reason = payload[2:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RemoteProtocolError(f"close reason is not UTF-8: {exc.reason}", info.invalid_data_code) from exc
    return code, reason


def close_payload(code: int | None, reason: str | bytes = b"") -> bytes:
    """A close frame's payload (any code, even an invalid one: encoding never validates)."""
    if code is None:
        return b""
    raw = reason.encode("utf-8") if isinstance(reason, str) else reason
    return code.to_bytes(2, "big") + raw


def hixie_close_frame() -> Frame:
    return Frame(HIXIE_CLOSE, b"")


def is_hixie_close(frame: Frame, draft: Draft) -> bool:
    return draft.info.closing is Closing.SENTINEL and frame.opcode == HIXIE_CLOSE and not frame.payload


class Utf8Validator:
    """Incremental UTF-8 check that fails at the first byte that cannot start a valid sequence."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")

    def feed(self, data: bytes, final: bool = False) -> str:
        """Decode `data`; raise UnicodeDecodeError as soon as the text is known to be invalid."""
        text = self._decoder.decode(data, final)
        pending = self._decoder.getstate()[0]
        # CPython defers the surrogate check (ED A0..BF) to the third byte; do it at the second.
        if len(pending) >= 2 and pending[0] == 0xED and pending[1] >= 0xA0:
            raise UnicodeDecodeError("utf-8", bytes(pending), 0, 2, "surrogate code point")
        return text
