"""How a data message becomes frames: the one splitting rule, shared by Connection and the clients."""

from __future__ import annotations

from .drafts import DraftInfo, Family, Kind
from .frames import Frame


def message_frames(info: DraftInfo, kind: Kind, data: bytes, fragment_size: int | None = None) -> list[Frame]:
    """The unmasked frames of a TEXT or BINARY message: one frame, or frames of `fragment_size` bytes, the
    first with the message's opcode and the others continuations (an empty message is one empty frame).
    Hixie drafts have no fragmentation: always one frame (and no binary opcode: KeyError)."""
    if info.family is Family.HIXIE:
        return [Frame(info.opcode(kind), data)]
    size = fragment_size or len(data) or 1
    chunks = [data[i : i + size] for i in range(0, len(data), size)] or [b""]
    last = len(chunks) - 1
    return [Frame(info.opcode(Kind.CONTINUATION if i else kind), c, fin=i == last) for i, c in enumerate(chunks)]
