"""Frames: vectors (drafts.md §5.3-5.4), encoding, incremental parsing, validation, masking, UTF-8."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wire import (
    Draft,
    Family,
    Frame,
    FrameParser,
    RemoteProtocolError,
    Utf8Validator,
    apply_mask,
    check_frame,
    close_payload,
    encode,
    parse_close,
)
from wire.frames import MAX_CONTROL_PAYLOAD

from .support import ALL_DRAFTS, HIXIE_DRAFTS, HYBI07_DRAFTS, HYBI_DRAFTS, chunks, split_at

KEY = bytes.fromhex("37fa213d")
HELLO = b"Hello"


def naive_mask(data: bytes, key: bytes, offset: int = 0) -> bytes:
    return bytes(b ^ key[(i + offset) % len(key)] for i, b in enumerate(data))


def parse_all(
    draft: Draft, data: bytes, *, masked: bool, chunk: int | None = None, cuts: list[int] | None = None, **kw: int
) -> list[Frame]:
    parser = FrameParser(draft, masked=masked, **kw)
    frames: list[Frame] = []
    parts = split_at(data, cuts) if cuts is not None else chunks(data, chunk or max(len(data), 1))
    for part in parts:
        frames += parser.feed(part)
    assert parser.buffered == 0
    return frames


# --- vectors -----------------------------------------------------------------------------------------

B256 = bytes(range(256))
B64K = bytes(i * 7 % 251 for i in range(65536))

# (name, frame without mask, unmasked wire bytes): RFC 6455 §5.7
RFC_VECTORS = [
    ("text", Frame(0x1, HELLO), bytes.fromhex("810548656c6c6f")),
    ("fragment-1", Frame(0x1, b"Hel", fin=False), bytes.fromhex("010348656c")),
    ("fragment-2", Frame(0x0, b"lo"), bytes.fromhex("80026c6f")),
    ("ping", Frame(0x9, HELLO), bytes.fromhex("890548656c6c6f")),
    ("pong", Frame(0xA, HELLO), bytes.fromhex("8a0548656c6c6f")),
    ("binary-256", Frame(0x2, B256), bytes.fromhex("827e0100") + B256),
    ("binary-64k", Frame(0x2, B64K), bytes.fromhex("827f0000000000010000") + B64K),
]


def _masked_wire(unmasked: bytes, payload: bytes) -> bytes:
    header = unmasked[: len(unmasked) - len(payload)]
    return header[:1] + bytes([header[1] | 0x80]) + header[2:] + KEY + naive_mask(payload, KEY)


def test_rfc_masked_hello_vectors() -> None:
    assert _masked_wire(RFC_VECTORS[0][2], HELLO) == bytes.fromhex("818537fa213d7f9f4d5158")
    assert _masked_wire(RFC_VECTORS[4][2], HELLO) == bytes.fromhex("8a8537fa213d7f9f4d5158")


@pytest.mark.parametrize("draft", HYBI07_DRAFTS)
@pytest.mark.parametrize(("name", "frame", "wire"), RFC_VECTORS, ids=[v[0] for v in RFC_VECTORS])
@pytest.mark.parametrize("masked", [False, True])
def test_rfc6455_vectors(draft: Draft, name: str, frame: Frame, wire: bytes, masked: bool) -> None:
    if masked:
        frame = Frame(frame.opcode, frame.payload, frame.fin, mask=KEY)
        wire = _masked_wire(wire, frame.payload)
    assert encode(frame, Family.HYBI07) == wire
    assert parse_all(draft, wire, masked=masked) == [frame]


@pytest.mark.parametrize("draft", HIXIE_DRAFTS)
def test_hixie_vectors(draft: Draft) -> None:
    text, close = bytes.fromhex("0048656c6c6fff"), bytes.fromhex("ff00")
    assert encode(Frame(0x00, HELLO), Family.HIXIE) == text
    assert encode(Frame(0xFF, b""), Family.HIXIE) == close
    assert parse_all(draft, text + close, masked=False) == [Frame(0x00, HELLO), Frame(0xFF, b"")]
    assert parse_all(draft, b"\x00\xff", masked=False) == [Frame(0x00, b"")]


def test_hixie_length_prefixed() -> None:
    payload = b"x" * 200  # 200 = 1*128 + 72: base-128 bytes 0x81 0x48
    wire = encode(Frame(0x80, payload), Family.HIXIE)
    assert wire == b"\x80\x81\x48" + payload
    assert parse_all(Draft.HIXIE_76, wire, masked=False) == [Frame(0x80, payload)]
    assert (
        encode(
            Frame(
                0x80,
                b"",
            ),
            Family.HIXIE,
            declared_length=16384,
        )
        == b"\x80\x81\x80\x00"
    )
    assert parse_all(Draft.HIXIE_76, b"\x80\x80\x80\x03abc", masked=False) == [Frame(0x80, b"abc")]


def test_hybi06_masked_vector() -> None:
    key = bytes.fromhex("00000100")
    wire = bytes.fromhex("00000100840549656c6c6e")
    frame = Frame(0x4, HELLO, mask=key)
    assert encode(frame, Family.HYBI06) == wire
    assert parse_all(Draft.HYBI_06, wire, masked=True) == [frame]
    assert encode(Frame(0x4, HELLO), Family.HYBI06) == bytes.fromhex("840548656c6c6f")
    assert parse_all(Draft.HYBI_06, bytes.fromhex("840548656c6c6f"), masked=False) == [Frame(0x4, HELLO)]


@pytest.mark.parametrize("size", [125, 126, 65535, 65536])
def test_hybi06_masking_covers_header_and_extended_length(size: int) -> None:
    payload = bytes(i % 251 for i in range(size))
    plain = encode(Frame(0x5, payload), Family.HYBI06)
    wire = encode(Frame(0x5, payload, mask=KEY), Family.HYBI06)
    assert wire == KEY + naive_mask(plain, KEY)
    assert parse_all(Draft.HYBI_06, wire, masked=True) == [Frame(0x5, payload, mask=KEY)]


def test_encode_writes_what_it_is_asked() -> None:
    big_ping = Frame(0x9, b"p" * 200, fin=False, rsv1=True, rsv3=True)
    assert encode(big_ping, Family.HYBI07) == b"\x59\x7e\x00\xc8" + b"p" * 200
    assert encode(Frame(0xF, b""), Family.HYBI07) == b"\x8f\x00"
    assert encode(Frame(0x1, b"ab"), Family.HYBI07, declared_length=300) == b"\x81\x7e\x01\x2cab"
    assert encode(Frame(0x1, b"ab"), Family.HYBI07, declared_length=1) == b"\x81\x01ab"
    assert encode(Frame(0x2, b""), Family.HYBI07, declared_length=1 << 63) == b"\x82\x7f\x80" + bytes(7)
    assert encode(Frame(0x3, b"x", rsv2=True), Family.HYBI06) == b"\xa3\x01x"
    assert encode(Frame(0x05, b"a\xffb"), Family.HIXIE) == b"\x05a\xffb\xff"


def test_frame_rsv() -> None:
    assert Frame(0, rsv1=True).rsv == 4
    assert Frame(0, rsv2=True).rsv == 2
    assert Frame(0, rsv3=True).rsv == 1
    assert Frame(0, rsv1=True, rsv2=True, rsv3=True).rsv == 7


# --- incremental parsing at every chunk size ---------------------------------------------------------


def _hybi07_stream(masked: bool) -> tuple[bytes, list[Frame]]:
    key = KEY if masked else None
    frames = [
        Frame(0x1, HELLO, mask=key),
        Frame(0x2, B256[:126], mask=key),  # 16-bit length
        Frame(0x9, b"", mask=key),
        Frame(0x1, b"\xce\xba", fin=False, mask=key),
        Frame(0x0, b"", fin=False, mask=key),
        Frame(0x0, B256[:130], mask=key, rsv2=True),
        Frame(0x8, close_payload(1000, "bye"), mask=key),
    ]
    wire = b"".join(encode(f, Family.HYBI07) for f in frames)
    # a 64-bit length that is not minimal (the parser accepts it; RFC 6455 §5.2 asks senders for minimal)
    odd = Frame(0x2, b"long form", mask=key)
    long_form = b"\x82" + bytes([0xFF if masked else 0x7F]) + (9).to_bytes(8, "big")
    wire += long_form + (KEY + naive_mask(b"long form", KEY) if masked else b"long form")
    return wire, [*frames, odd]


def _hybi06_stream(masked: bool) -> tuple[bytes, list[Frame]]:
    key = KEY if masked else None
    frames = [
        Frame(0x4, HELLO, mask=key),
        Frame(0x5, B256[:200], mask=key),
        Frame(0x2, b"ping", mask=key),
        Frame(0x4, b"a", fin=False, mask=key),
        Frame(0x0, b"b", mask=key),
        Frame(0x1, b"", mask=key),
    ]
    return b"".join(encode(f, Family.HYBI06) for f in frames), frames


def _hixie_stream() -> tuple[bytes, list[Frame]]:
    frames = [Frame(0x00, HELLO), Frame(0x00, b""), Frame(0x80, b"z" * 130), Frame(0x7F, b"q"), Frame(0x00, b"x" * 140)]
    frames.append(Frame(0xFF, b""))
    return b"".join(encode(f, Family.HIXIE) for f in frames), frames


STREAMS = [
    (Draft.RFC6455, True, *_hybi07_stream(True)),
    (Draft.HYBI_07, False, *_hybi07_stream(False)),
    (Draft.HYBI_06, True, *_hybi06_stream(True)),
    (Draft.HYBI_06, False, *_hybi06_stream(False)),
    (Draft.HIXIE_76, False, *_hixie_stream()),
    (Draft.HIXIE_75, False, *_hixie_stream()),
]


@pytest.mark.parametrize(("draft", "masked", "wire", "frames"), STREAMS, ids=[f"{s[0].value}-{s[1]}" for s in STREAMS])
def test_parse_at_every_chunk_size(draft: Draft, masked: bool, wire: bytes, frames: list[Frame]) -> None:
    for size in range(1, len(wire) + 1):
        assert parse_all(draft, wire, masked=masked, chunk=size) == frames, size


def test_parser_returns_frames_only_when_complete() -> None:
    parser = FrameParser(Draft.RFC6455, masked=False)
    assert parser.feed(b"\x81") == []
    assert parser.feed(b"\x05Hel") == []
    assert parser.buffered == 5
    assert parser.feed(b"lo\x89") == [Frame(0x1, HELLO)]
    assert parser.buffered == 1
    assert parser.feed(b"\x00") == [Frame(0x9, b"")]
    assert parser.buffered == 0


def test_parser_keeps_frames_before_an_error() -> None:
    """Frames that precede a broken one in the same chunk are returned; the error comes at the next feed."""
    parser = FrameParser(Draft.RFC6455, masked=False)
    bad = b"\x82\x7f" + (1 << 63).to_bytes(8, "big")
    assert parser.feed(encode(Frame(0x1, HELLO), Family.HYBI07) + bad) == [Frame(0x1, HELLO)]
    with pytest.raises(RemoteProtocolError, match="most significant bit"):
        parser.feed(b"")


# --- parser limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
@pytest.mark.parametrize("length", [1 << 63, (1 << 64) - 1, (1 << 63) + 5])
def test_64bit_length_with_msb_set(draft: Draft, length: int) -> None:
    plain = b"\x82\x7f" + length.to_bytes(8, "big")
    masked = draft.info.family is Family.HYBI06
    wire = KEY + naive_mask(plain, KEY) if masked else plain
    parser = FrameParser(draft, masked=masked, max_frame_size=1 << 64)
    with pytest.raises(RemoteProtocolError, match="most significant bit") as info:
        parser.feed(wire)
    assert info.value.close_code == 1002


@pytest.mark.parametrize("draft", ALL_DRAFTS)
def test_frame_too_big(draft: Draft) -> None:
    family, masked = draft.info.family, draft.info.family is Family.HYBI06
    limit = 200
    opcode = 0x00 if family is Family.HIXIE else draft.info.opcodes[next(iter(k for k in draft.info.opcodes))]
    ok = encode(Frame(opcode, b"a" * limit, mask=KEY if masked else None), family)
    assert len(parse_all(draft, ok, masked=masked, max_frame_size=limit)) == 1
    big = encode(Frame(opcode, b"a" * (limit + 1), mask=KEY if masked else None), family)
    # hybi: fails on the header alone; hixie: fails on the whole frame too, not only when chunked
    data = big if family is Family.HIXIE else big[: len(big) - limit - 1]
    parser = FrameParser(draft, masked=masked, max_frame_size=limit)
    with pytest.raises(RemoteProtocolError, match="exceeds") as info:
        parser.feed(data)
    assert info.value.close_code == draft.info.too_big_code
    expected = {Draft.RFC6455: 1009, Draft.HYBI_08: 1004, Draft.HYBI_07: 1004, Draft.HYBI_06: 1004}
    assert info.value.close_code == expected.get(draft)


@pytest.mark.parametrize("draft", HIXIE_DRAFTS)
def test_hixie_length_prefixed_too_big_fails_on_the_length(draft: Draft) -> None:
    parser = FrameParser(draft, masked=False, max_frame_size=1000)
    with pytest.raises(RemoteProtocolError, match="exceeds"):
        parser.feed(b"\x80\x88\x00")  # declares 1024 bytes
    endless = FrameParser(draft, masked=False, max_frame_size=10)
    assert endless.feed(b"\x00" + b"a" * 10) == []
    with pytest.raises(RemoteProtocolError, match="exceeds"):
        endless.feed(b"a")


# --- validation (check_frame) ------------------------------------------------------------------------


def _mask_for(draft: Draft, from_client: bool) -> bytes | None:
    return KEY if from_client and draft.info.family is Family.HYBI07 else None


def _check(frame: Frame, draft: Draft, from_client: bool = True, allowed_rsv: int = 0) -> RemoteProtocolError | None:
    frame = Frame(
        frame.opcode, frame.payload, frame.fin, frame.rsv1, frame.rsv2, frame.rsv3, _mask_for(draft, from_client)
    )
    try:
        check_frame(frame, draft, from_client=from_client, allowed_rsv=allowed_rsv)
    except RemoteProtocolError as exc:
        return exc
    return None


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
@pytest.mark.parametrize("from_client", [True, False])
def test_valid_frames_pass(draft: Draft, from_client: bool) -> None:
    for opcode in draft.info.opcodes.values():
        assert _check(Frame(opcode, b"x" * MAX_CONTROL_PAYLOAD), draft, from_client) is None
        if not draft.info.is_control(opcode):
            assert _check(Frame(opcode, b"x" * 1000, fin=False), draft, from_client) is None


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
@pytest.mark.parametrize("bit", ["rsv1", "rsv2", "rsv3"])
def test_reserved_bits(draft: Draft, bit: str) -> None:
    text = draft.info.opcodes[next(k for k in draft.info.opcodes if k.value == "text")]
    frame = Frame(text, b"x", **{bit: True})  # type: ignore[arg-type]
    error = _check(frame, draft)
    assert error is not None and error.close_code == 1002 and "reserved bits" in error.reason
    assert _check(frame, draft, allowed_rsv=frame.rsv) is None
    assert _check(frame, draft, allowed_rsv=7 & ~frame.rsv) is not None


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_reserved_opcodes(draft: Draft) -> None:
    reserved = draft.info.reserved_opcodes()
    assert reserved
    for opcode in range(16):
        error = _check(Frame(opcode, b""), draft)
        if opcode in reserved:
            assert error is not None and error.close_code == 1002 and "reserved opcode" in error.reason
        else:
            assert error is None


def test_opcode_3_per_draft() -> None:
    assert _check(Frame(0x3, b"pong"), Draft.HYBI_06) is None
    error = _check(Frame(0x3, b"pong"), Draft.RFC6455)
    assert error is not None and error.close_code == 1002


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_fragmented_control_frames(draft: Draft) -> None:
    for kind in ("close", "ping", "pong"):
        opcode = next(op for k, op in draft.info.opcodes.items() if k.value == kind)
        error = _check(Frame(opcode, b"", fin=False), draft)
        assert error is not None and error.close_code == 1002 and "fragmented" in error.reason


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_control_payload_over_125(draft: Draft) -> None:
    for opcode in (op for op in draft.info.opcodes.values() if draft.info.is_control(op)):
        assert _check(Frame(opcode, b"a" * 125), draft) is None
        error = _check(Frame(opcode, b"a" * 126), draft)
        assert error is not None and error.close_code == 1002 and "125" in error.reason


def test_hybi06_oversized_ping_vector() -> None:
    (frame,) = parse_all(Draft.HYBI_06, bytes.fromhex("827e0100") + b"a" * 256, masked=False)
    with pytest.raises(RemoteProtocolError, match="ping"):
        check_frame(frame, Draft.HYBI_06, from_client=False)


@pytest.mark.parametrize("draft", HYBI07_DRAFTS)
def test_masking_direction(draft: Draft) -> None:
    unmasked, masked = Frame(0x1, HELLO), Frame(0x1, HELLO, mask=KEY)
    check_frame(masked, draft, from_client=True)
    check_frame(unmasked, draft, from_client=False)
    with pytest.raises(RemoteProtocolError, match="unmasked frame from a client") as info:
        check_frame(unmasked, draft, from_client=True)
    assert info.value.close_code == 1002
    with pytest.raises(RemoteProtocolError, match="masked frame from a server") as info:
        check_frame(masked, draft, from_client=False)
    assert info.value.close_code == 1002


@pytest.mark.parametrize("draft", HIXIE_DRAFTS)
def test_hixie_frames_are_never_checked(draft: Draft) -> None:
    for opcode in (0x00, 0x01, 0x80, 0xFF):
        check_frame(Frame(opcode, b"a" * 300, rsv1=True), draft, from_client=True)


# --- close payloads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_parse_close_valid(draft: Draft) -> None:
    assert parse_close(b"", draft) == (None, "")
    assert parse_close(close_payload(1000, "bye κ"), draft) == (1000, "bye κ")
    assert parse_close(close_payload(4999), draft) == (4999, "")
    assert parse_close(close_payload(3000), draft) == (3000, "")


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
def test_close_payload_of_one_byte(draft: Draft) -> None:
    with pytest.raises(RemoteProtocolError, match="1-byte") as info:
        parse_close(b"\x03", draft)
    assert info.value.close_code == 1002


INVALID_CODES = [0, 999, 1005, 1006, 1015, 1016, 2999, 5000, 65535]


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
@pytest.mark.parametrize("code", INVALID_CODES)
def test_invalid_close_codes(draft: Draft, code: int) -> None:
    with pytest.raises(RemoteProtocolError, match=f"invalid close code {code}") as info:
        parse_close(close_payload(code), draft)
    assert info.value.close_code == 1002


@pytest.mark.parametrize(
    ("code", "valid_in"),
    [
        (1004, {Draft.HYBI_06, Draft.HYBI_07, Draft.HYBI_08}),
        (1007, {Draft.HYBI_08, Draft.RFC6455}),
        (1008, {Draft.RFC6455}),
        (1009, {Draft.RFC6455}),
        (1010, {Draft.RFC6455}),
        (1011, {Draft.RFC6455}),
        (1003, set(HYBI_DRAFTS)),
    ],
)
def test_close_codes_per_draft(code: int, valid_in: set[Draft]) -> None:
    for draft in HYBI_DRAFTS:
        if draft in valid_in:
            assert parse_close(close_payload(code), draft) == (code, "")
        else:
            with pytest.raises(RemoteProtocolError):
                parse_close(close_payload(code), draft)


@pytest.mark.parametrize(
    ("draft", "expected"), [(Draft.RFC6455, 1007), (Draft.HYBI_08, 1007), (Draft.HYBI_07, 1002), (Draft.HYBI_06, 1002)]
)
def test_close_reason_invalid_utf8(draft: Draft, expected: int) -> None:
    with pytest.raises(RemoteProtocolError, match="UTF-8") as info:
        parse_close(close_payload(1000, b"\xce\xba\xff"), draft)
    assert info.value.close_code == expected


@pytest.mark.parametrize("draft", HIXIE_DRAFTS)
def test_hixie_close_carries_nothing(draft: Draft) -> None:
    assert parse_close(b"\x03", draft) == (None, "")


def test_close_payload_encodes_anything() -> None:
    assert close_payload(None) == b""
    assert close_payload(None, "ignored") == b""
    assert close_payload(1000, "bye") == b"\x03\xe8bye"
    assert close_payload(5000, b"\xff") == b"\x13\x88\xff"
    assert close_payload(1000, "κ") == b"\x03\xe8\xce\xba"


# --- masking -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [KEY, b"\x00\x00\x00\x00", b"\xff\x01\x80\x7f", bytes(range(1, 21))])
def test_apply_mask_matches_naive(key: bytes) -> None:
    for offset in range(len(key) + 3):
        for length in [*range(0, 18), 127, 1000, 4099]:
            data = bytes(i * 31 % 256 for i in range(length))
            assert apply_mask(data, key, offset) == naive_mask(data, key, offset), (offset, length)


def test_apply_mask_is_an_involution_and_keeps_leading_zeros() -> None:
    data = b"\x00\x00\x00abc"
    assert apply_mask(apply_mask(data, KEY), KEY) == data
    assert apply_mask(KEY + KEY, KEY) == bytes(8)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.binary(min_size=1, max_size=24), st.integers(min_value=0, max_value=100))
def test_apply_mask_property(data: bytes, key: bytes, offset: int) -> None:
    assert apply_mask(data, key, offset) == naive_mask(data, key, offset)


# --- UTF-8 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid", "invalid"),
    [
        (b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", b"\xf4\x90"),  # > U+10FFFF (Autobahn 6.4.x)
        (b"ok", b"\xed\xa0"),  # surrogate U+D800
        (b"ok", b"\xed\xbf"),  # surrogate U+DFFF
        (b"", b"\xe0\x80"),  # overlong
        (b"", b"\xf0\x80"),  # overlong
        (b"a", b"\xc0"),
        (b"a", b"\xff"),
        (b"a", b"\x80"),
        (b"\xe2", b"\x82\x28"),
    ],
)
def test_utf8_fails_at_the_first_invalid_byte(valid: bytes, invalid: bytes) -> None:
    validator = Utf8Validator()
    validator.feed(valid)
    for byte in invalid[:-1]:
        validator.feed(bytes([byte]))
    with pytest.raises(UnicodeDecodeError):
        validator.feed(invalid[-1:])


@pytest.mark.parametrize("valid", [b"\xed\x9f\xbf", b"\xee\x80\x80", b"\xf4\x8f\xbf\xbf", "κόσμε €𝄞".encode()])
def test_utf8_valid_edges_byte_by_byte(valid: bytes) -> None:
    validator = Utf8Validator()
    text = "".join(validator.feed(bytes([b])) for b in valid)
    assert text + validator.feed(b"", final=True) == valid.decode()


def test_utf8_truncated_at_the_end() -> None:
    validator = Utf8Validator()
    assert validator.feed(b"a\xce") == "a"
    with pytest.raises(UnicodeDecodeError):
        validator.feed(b"", final=True)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=40), st.integers(min_value=1, max_value=8))
def test_utf8_validator_agrees_with_the_codec(data: bytes, size: int) -> None:
    validator = Utf8Validator()
    try:
        expected: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        expected = None
    try:
        parts = [validator.feed(part) for part in chunks(data, size)]
        got: str | None = "".join(parts) + validator.feed(b"", final=True)
    except UnicodeDecodeError:
        got = None
    assert got == expected


# --- properties --------------------------------------------------------------------------------------

_CUTS = st.lists(st.integers(min_value=0, max_value=2**17), max_size=12)
_MASKS = st.one_of(st.none(), st.binary(min_size=4, max_size=4))
_PAYLOADS = st.one_of(st.binary(max_size=300), st.sampled_from([b"a" * 65535, b"b" * 65536]))


@st.composite
def hybi_frames(draw: st.DrawFn, mask: bytes | st.SearchStrategy[bytes | None] | None = _MASKS) -> Frame:
    key = draw(mask) if isinstance(mask, st.SearchStrategy) else mask
    return Frame(
        draw(st.integers(0, 15)),
        draw(_PAYLOADS),
        draw(st.booleans()),
        draw(st.booleans()),
        draw(st.booleans()),
        draw(st.booleans()),
        key,
    )


@st.composite
def hixie_frames(draw: st.DrawFn) -> Frame:
    if draw(st.booleans()):
        return Frame(draw(st.integers(0x80, 0xFF)), draw(st.binary(max_size=300)))
    payload = draw(st.binary(max_size=300)).replace(b"\xff", b"")
    return Frame(draw(st.integers(0x00, 0x7F)), payload)


@settings(max_examples=120, deadline=None)
@given(st.lists(hybi_frames(), min_size=1, max_size=4), _CUTS)
def test_hybi07_round_trip(frames: list[Frame], cuts: list[int]) -> None:
    wire = b"".join(encode(f, Family.HYBI07) for f in frames)
    assert parse_all(Draft.RFC6455, wire, masked=False, cuts=cuts) == frames


@settings(max_examples=120, deadline=None)
@given(st.booleans(), st.data(), _CUTS)
def test_hybi06_round_trip(masked: bool, data: st.DataObject, cuts: list[int]) -> None:
    mask = st.binary(min_size=4, max_size=4) if masked else st.none()
    frames = data.draw(st.lists(hybi_frames(mask), min_size=1, max_size=4))
    wire = b"".join(encode(f, Family.HYBI06) for f in frames)
    assert parse_all(Draft.HYBI_06, wire, masked=masked, cuts=cuts) == frames


@settings(max_examples=120, deadline=None)
@given(st.lists(hixie_frames(), min_size=1, max_size=5), _CUTS, st.sampled_from(HIXIE_DRAFTS))
def test_hixie_round_trip(frames: list[Frame], cuts: list[int], draft: Draft) -> None:
    wire = b"".join(encode(f, Family.HIXIE) for f in frames)
    assert parse_all(draft, wire, masked=False, cuts=cuts) == frames


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ALL_DRAFTS), st.booleans(), st.binary(max_size=400), st.integers(1, 50), st.integers(0, 300))
def test_random_bytes_raise_only_remote_protocol_error(
    draft: Draft, masked: bool, data: bytes, chunk: int, limit: int
) -> None:
    parser = FrameParser(draft, masked=masked, max_frame_size=limit)
    try:
        for part in chunks(data, chunk):
            for frame in parser.feed(part):
                assert len(frame.payload) <= limit
    except RemoteProtocolError:
        pass
