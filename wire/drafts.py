"""The six drafts and their wire facts, as data (sources: shared/docs/drafts.md)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


class Family(enum.Enum):
    """Framing family: drafts of one family share the frame layout."""

    HIXIE = "hixie"  # 0x00 <utf8> 0xFF, 0x80-type length-prefixed frames
    HYBI06 = "hybi06"  # hybi-04..06 layout: old opcodes, 4-byte key masks the whole frame
    HYBI07 = "hybi07"  # hybi-07..RFC 6455 layout: payload masking, key after the length


class Kind(enum.Enum):
    """What a frame means, independent of the opcode number a draft gives it."""

    CONTINUATION = "continuation"
    TEXT = "text"
    BINARY = "binary"
    CLOSE = "close"
    PING = "ping"
    PONG = "pong"

    @property
    def is_control(self) -> bool:
        return self in (Kind.CLOSE, Kind.PING, Kind.PONG)


class Masking(enum.Enum):
    NONE = "none"
    WHOLE_FRAME = "whole-frame"  # hybi-05/06: key before byte 0, header included
    PAYLOAD = "payload"  # hybi-07+: key after the length, payload only


class Closing(enum.Enum):
    TCP = "tcp"  # hixie-75: no closing handshake, just close the socket
    SENTINEL = "sentinel"  # hixie-76: 0xFF 0x00 both ways
    CLOSE_FRAME = "close-frame"  # hybi: close frame with optional code and reason


HIXIE_TEXT = 0x00
HIXIE_CLOSE = 0xFF

_HYBI06_OPCODES = {
    Kind.CONTINUATION: 0x0,
    Kind.CLOSE: 0x1,
    Kind.PING: 0x2,
    Kind.PONG: 0x3,
    Kind.TEXT: 0x4,
    Kind.BINARY: 0x5,
}
_HYBI07_OPCODES = {
    Kind.CONTINUATION: 0x0,
    Kind.TEXT: 0x1,
    Kind.BINARY: 0x2,
    Kind.CLOSE: 0x8,
    Kind.PING: 0x9,
    Kind.PONG: 0xA,
}

# Close codes a peer may put on the wire. hybi-06/07 defined 1000-1004; hybi-08 (drafts 08..12, one
# version number) adds 1007 from draft 10. RFC 6455 retires 1004 and adds 1008-1011. 1005, 1006 and 1015
# must never be sent. The 3000-4999 ranges for libraries and applications are accepted in every hybi
# draft (drafts.md does not date them; treating them as valid avoids failing a draft-08 peer on them).
_APP_CODES = frozenset(range(3000, 5000))
_CODES_06 = frozenset({1000, 1001, 1002, 1003, 1004}) | _APP_CODES
_CODES_08 = _CODES_06 | {1007}
# 1012-1014 (service restart, try again later, bad gateway) came after the RFC, through the IANA registry
# it set up (§11.7); peers send them, so they count as valid.
_CODES_RFC = frozenset({1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}) | _APP_CODES


@dataclass(frozen=True)
class DraftInfo:
    """Everything about a draft that code branches on."""

    name: str
    family: Family
    version: int | None  # Sec-WebSocket-Version value; None for the hixie drafts
    origin_header: str  # the header a client sends its origin in
    opcodes: Mapping[Kind, int]  # the opcode number of each frame kind
    masking: Masking
    closing: Closing
    close_codes: frozenset[int]  # codes valid on the wire; empty when close frames carry none
    has_binary: bool
    has_ping: bool
    has_fragmentation: bool
    kinds: Mapping[int, Kind] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", MappingProxyType({v: k for k, v in self.opcodes.items()}))

    def opcode(self, kind: Kind) -> int:
        """The opcode of `kind`; KeyError when the draft has no such frame."""
        return self.opcodes[kind]

    def kind(self, opcode: int) -> Kind | None:
        """The kind of an opcode, or None when the draft reserves it."""
        return self.kinds.get(opcode)

    @property
    def too_big_code(self) -> int | None:
        """The close code for a frame or message over a limit (1009, or hybi-06..08's 1004)."""
        return next((c for c in (1009, 1004) if c in self.close_codes), None)

    @property
    def invalid_data_code(self) -> int | None:
        """The close code for invalid UTF-8 (1007 where defined, else protocol error 1002)."""
        return next((c for c in (1007, 1002) if c in self.close_codes), None)

    def reserved_opcodes(self) -> tuple[int, ...]:
        """Opcodes with no meaning in this draft, in ascending order (hybi drafts only)."""
        if self.family is Family.HIXIE:
            return ()
        return tuple(op for op in range(16) if op not in self.kinds)

    def is_control(self, opcode: int) -> bool:
        """Whether an opcode is a control opcode, reserved ones included."""
        if self.family is Family.HYBI07:
            return opcode >= 0x8
        if self.family is Family.HYBI06:
            return 0x1 <= opcode <= 0x3
        return False


class Draft(enum.Enum):
    HIXIE_75 = "hixie-75"
    HIXIE_76 = "hixie-76"
    HYBI_06 = "hybi-06"
    HYBI_07 = "hybi-07"
    HYBI_08 = "hybi-08"
    RFC6455 = "rfc6455"

    @property
    def info(self) -> DraftInfo:
        return DRAFTS[self]

    @classmethod
    def parse(cls, name: str) -> Draft:
        """A draft from its name ("rfc6455", "hybi-00" as an alias of hixie-76, "13" for a version)."""
        key = name.strip().lower()
        key = _ALIASES.get(key, key)
        for draft in cls:
            if draft.value == key:
                return draft
        names = ", ".join(d.value for d in cls)
        raise ValueError(f"unknown draft {name!r}; known drafts: {names}")

    @classmethod
    def from_version(cls, version: int) -> Draft | None:
        return _BY_VERSION.get(version)


_HIXIE_OPCODES = {Kind.TEXT: HIXIE_TEXT}

DRAFTS: Mapping[Draft, DraftInfo] = MappingProxyType(
    {
        Draft.HIXIE_75: DraftInfo(
            name="hixie-75",
            family=Family.HIXIE,
            version=None,
            origin_header="Origin",
            opcodes=MappingProxyType(_HIXIE_OPCODES),
            masking=Masking.NONE,
            closing=Closing.TCP,
            close_codes=frozenset(),
            has_binary=False,
            has_ping=False,
            has_fragmentation=False,
        ),
        Draft.HIXIE_76: DraftInfo(
            name="hixie-76",
            family=Family.HIXIE,
            version=None,
            origin_header="Origin",
            opcodes=MappingProxyType({**_HIXIE_OPCODES, Kind.CLOSE: HIXIE_CLOSE}),
            masking=Masking.NONE,
            closing=Closing.SENTINEL,
            close_codes=frozenset(),
            has_binary=False,
            has_ping=False,
            has_fragmentation=False,
        ),
        Draft.HYBI_06: DraftInfo(
            name="hybi-06",
            family=Family.HYBI06,
            version=6,
            origin_header="Sec-WebSocket-Origin",
            opcodes=MappingProxyType(_HYBI06_OPCODES),
            masking=Masking.WHOLE_FRAME,
            closing=Closing.CLOSE_FRAME,
            close_codes=_CODES_06,
            has_binary=True,
            has_ping=True,
            has_fragmentation=True,
        ),
        Draft.HYBI_07: DraftInfo(
            name="hybi-07",
            family=Family.HYBI07,
            version=7,
            origin_header="Sec-WebSocket-Origin",
            opcodes=MappingProxyType(_HYBI07_OPCODES),
            masking=Masking.PAYLOAD,
            closing=Closing.CLOSE_FRAME,
            close_codes=_CODES_06,
            has_binary=True,
            has_ping=True,
            has_fragmentation=True,
        ),
        Draft.HYBI_08: DraftInfo(
            name="hybi-08",
            family=Family.HYBI07,
            version=8,
            origin_header="Sec-WebSocket-Origin",
            opcodes=MappingProxyType(_HYBI07_OPCODES),
            masking=Masking.PAYLOAD,
            closing=Closing.CLOSE_FRAME,
            close_codes=_CODES_08,
            has_binary=True,
            has_ping=True,
            has_fragmentation=True,
        ),
        Draft.RFC6455: DraftInfo(
            name="rfc6455",
            family=Family.HYBI07,
            version=13,
            origin_header="Origin",
            opcodes=MappingProxyType(_HYBI07_OPCODES),
            masking=Masking.PAYLOAD,
            closing=Closing.CLOSE_FRAME,
            close_codes=_CODES_RFC,
            has_binary=True,
            has_ping=True,
            has_fragmentation=True,
        ),
    }
)

_ALIASES = {"hybi-00": "hixie-76", "rfc-6455": "rfc6455", "hybi-13": "rfc6455", "13": "rfc6455"}
_BY_VERSION = {info.version: draft for draft, info in DRAFTS.items() if info.version is not None}

# Versions the reference dispatch accepts, newest first, as listed in a 426 rejection.
SUPPORTED_VERSIONS: tuple[int, ...] = tuple(sorted(_BY_VERSION, reverse=True))
