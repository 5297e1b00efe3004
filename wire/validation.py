"""Validation, separate from encoding and parsing: the framing rules a strict receiver checks, close
payloads, and incremental UTF-8 that fails at the first invalid byte."""

from __future__ import annotations

import codecs

from .close import close_code
from .drafts import HIXIE_CLOSE, Closing, Draft, Family
from .errors import RemoteProtocolError
from .frames import MAX_CONTROL_PAYLOAD, Frame


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
        raise RemoteProtocolError(f"invalid close code {code}", peer_close_code=code)
    try:
        reason = payload[2:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RemoteProtocolError(f"close reason is not UTF-8: {exc.reason}", info.invalid_data_code, code) from exc
    return close_code(code), reason


def close_payload(code: int | None, reason: str | bytes = b"") -> bytes:
    """A close frame's payload (any code, even an invalid one: encoding never validates)."""
    if code is None:
        return b""
    raw = reason.encode("utf-8") if isinstance(reason, str) else reason
    return code.to_bytes(2, "big") + raw


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
