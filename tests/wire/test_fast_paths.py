"""The fast paths of harness.wire give what the plain paths give: masking at every size, the hybi07 parser
(whole frames, a buffered tail, a large frame taken piece by piece), the strict receive that skips
check_frame for frames that pass it, the one-decode UTF-8 check of a whole message, the send paths."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wire import (
    Connection,
    Draft,
    Family,
    Fragment,
    Frame,
    FrameParser,
    Kind,
    ProtocolFailure,
    RemoteProtocolError,
    Side,
    TextMessage,
    Utf8Validator,
    apply_mask,
    check_frame,
    encode,
)
from wire.events import new_fragment
from wire.frames import _STREAM_FROM
from wire.masking import BLOCK as _BLOCK
from wire.masking import INT_XOR_BELOW as _INT_XOR_BELOW

from .support import HYBI07_DRAFTS, HYBI_DRAFTS, chunks, fixed_mask, split_at

KEY = bytes.fromhex("37fa213d")


def naive_mask(data: bytes, key: bytes, offset: int = 0) -> bytes:
    return bytes(b ^ key[(i + offset) % len(key)] for i, b in enumerate(data))


def pattern(size: int) -> bytes:
    return bytes(i * 7 % 251 for i in range(size))


# --- masking -----------------------------------------------------------------------------------------

MASK_SIZES = [1, 3, 4, 5, 64, 125, 126, _INT_XOR_BELOW - 1, _INT_XOR_BELOW, _INT_XOR_BELOW + 3, 4096]
MASK_SIZES += [_BLOCK - 1, _BLOCK, _BLOCK + 1, 2 * _BLOCK + 7]


@pytest.mark.parametrize("size", MASK_SIZES)
@pytest.mark.parametrize("offset", [0, 1, 2, 3, 6])
def test_apply_mask_at_every_size(size: int, offset: int) -> None:
    data = pattern(size)
    masked = apply_mask(data, KEY, offset)
    assert type(masked) is bytes
    assert masked == naive_mask(data, KEY, offset)


def test_apply_mask_accepts_other_buffers() -> None:
    for size in (10, _INT_XOR_BELOW + 10):
        data = pattern(size)
        for buffer in (bytearray(data), memoryview(data)):
            assert apply_mask(buffer, bytearray(KEY)) == naive_mask(data, KEY)  # type: ignore[arg-type]


# --- the hybi07 parser -------------------------------------------------------------------------------

LARGE = _STREAM_FROM + 13  # taken piece by piece when it comes in more than one feed


def _stream(masked: bool) -> tuple[bytes, list[Frame]]:
    key = KEY if masked else None
    frames = [
        Frame(0x1, b"before", mask=key),
        Frame(0x2, pattern(LARGE), mask=key),
        Frame(0x9, b"between", mask=key),
        Frame(0x2, pattern(_STREAM_FROM), fin=False, rsv1=True, mask=key),
        Frame(0x0, pattern(3 * _BLOCK + 5), mask=key),
        Frame(0x1, b"after", mask=key),
    ]
    return b"".join(encode(f, Family.HYBI07) for f in frames), frames


def _parse(parser: FrameParser, parts: list[bytes]) -> list[Frame]:
    frames: list[Frame] = []
    for part in parts:
        frames += parser.feed(part)
    return frames


@pytest.mark.parametrize("masked", [True, False])
@pytest.mark.parametrize("size", [1, 3, 4, 7, 1000, 4099, _STREAM_FROM - 1, _STREAM_FROM + 1, 1 << 18, 1 << 22])
def test_large_frames_at_chunk_sizes(masked: bool, size: int) -> None:
    wire, frames = _stream(masked)
    parser = FrameParser(Draft.RFC6455, masked=False)
    got = _parse(parser, list(chunks(wire, size)))
    assert got == frames
    assert all(type(f.payload) is bytes for f in got)
    assert parser.buffered == 0


@settings(max_examples=60, deadline=None)
@given(st.booleans(), st.lists(st.integers(min_value=0, max_value=4 * _STREAM_FROM), max_size=12))
def test_large_frames_at_any_cuts(masked: bool, cuts: list[int]) -> None:
    wire, frames = _stream(masked)
    assert _parse(FrameParser(Draft.RFC6455, masked=False), split_at(wire, cuts)) == frames


@pytest.mark.parametrize("masked", [True, False])
@pytest.mark.parametrize("cut", [1, 2, 4, 6, 9, 10, 11, 13, 14, 20])
def test_large_frame_is_taken_as_it_arrives(masked: bool, cut: int) -> None:
    """Whatever the cut (within the header, the key or the payload), once the key is in the frame is a
    piece-by-piece one; `buffered` counts every byte held for it."""
    frame = Frame(0x2, pattern(LARGE), mask=KEY if masked else None)
    wire = encode(frame, Family.HYBI07)
    parser = FrameParser(Draft.RFC6455, masked=False)
    assert parser.feed(wire[:cut]) == []
    assert parser.buffered == cut
    assert parser.feed(wire[cut : cut + 4097]) == []
    assert parser.buffered == cut + 4097
    assert parser._partial is not None  # the fast path under test, not the whole-frame buffer
    assert parser.feed(wire[cut + 4097 : -1]) == []
    assert parser.feed(b"") == []
    assert parser.feed(wire[-1:] + encode(Frame(0x1, b"next"), Family.HYBI07)) == [frame, Frame(0x1, b"next")]
    assert parser.buffered == 0


def test_feed_takes_any_buffer_and_gives_bytes() -> None:
    wire, frames = _stream(True)
    for kind in (bytearray, memoryview):
        parser = FrameParser(Draft.RFC6455, masked=False)
        got = _parse(parser, [kind(part) for part in chunks(wire, 5000)])  # type: ignore[misc]
        assert got == frames
        assert all(type(f.payload) is bytes and (f.mask is None or type(f.mask) is bytes) for f in got)


def test_error_after_a_large_frame_comes_at_the_next_feed() -> None:
    frame = Frame(0x2, pattern(LARGE), mask=KEY)
    wire = encode(frame, Family.HYBI07)
    bad = b"\x82\xff" + (1 << 63).to_bytes(8, "big")
    parser = FrameParser(Draft.RFC6455, masked=False)
    assert parser.feed(wire[:1000]) == []
    assert parser.feed(wire[1000:] + bad) == [frame]
    with pytest.raises(RemoteProtocolError, match="most significant bit"):
        parser.feed(b"")


def test_too_big_fails_on_the_header_before_any_piece() -> None:
    wire = encode(Frame(0x2, pattern(LARGE), mask=KEY), Family.HYBI07)
    parser = FrameParser(Draft.RFC6455, masked=False, max_frame_size=LARGE - 1)
    with pytest.raises(RemoteProtocolError, match="exceeds") as info:
        parser.feed(wire[:20])
    assert info.value.close_code == 1009


# --- strict receive ----------------------------------------------------------------------------------

_PAYLOADS = st.sampled_from([b"", b"ok", b"\x03\xe8", b"p" * 125, b"q" * 126])


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(HYBI_DRAFTS),
    st.sampled_from(list(Side)),
    st.integers(0, 15),
    _PAYLOADS,
    st.booleans(),
    st.integers(0, 7),
    st.booleans(),
)
def test_strict_receive_fails_exactly_where_check_frame_does(
    draft: Draft, side: Side, opcode: int, payload: bytes, fin: bool, rsv: int, masked: bool
) -> None:
    """A frame skips check_frame only when it passes it: the verdict and reason are check_frame's."""
    family = draft.info.family
    if family is Family.HYBI06:
        masked = side is Side.SERVER  # hybi06 masks by direction (the parser's `masked`), not per frame
    frame = Frame(opcode, payload, fin, bool(rsv & 4), bool(rsv & 2), bool(rsv & 1), KEY if masked else None)
    conn = Connection(draft, side)
    conn.receive_data(encode(frame, family))
    reasons = [e.reason for e in conn.events() if isinstance(e, ProtocolFailure)]
    try:
        check_frame(frame, draft, from_client=side is Side.SERVER)
    except RemoteProtocolError as exc:
        assert reasons == [exc.reason]
        return
    kind = draft.info.kind(opcode)
    if kind is Kind.CONTINUATION:
        assert reasons == ["continuation frame without a message in progress"]
    elif kind is Kind.CLOSE and payload not in (b"", b"\x03\xe8"):
        assert len(reasons) == 1  # an invalid close code: parse_close's verdict
    elif kind is Kind.TEXT and fin and payload == b"\x03\xe8":
        assert len(reasons) == 1 and "UTF-8" in reasons[0]  # a truncated sequence ends the message
    else:
        assert reasons == []


@pytest.mark.parametrize(
    "payload",
    [
        b"\xff",
        b"a\xc0",
        b"\xed\xa0\x80",
        b"\xed\xbf\xbf",
        b"\xe0\x80\x80",
        b"\xf4\x90\x80\x80",
        b"ok\xce",
        b"\xe2\x82\x28",
    ],
)
@pytest.mark.parametrize("draft", HYBI07_DRAFTS)
def test_whole_text_message_fails_as_the_validator_does(draft: Draft, payload: bytes) -> None:
    """One decode of a whole message, the incremental validator for fragments: the same reasons."""
    validator = Utf8Validator()
    with pytest.raises(UnicodeDecodeError) as info:
        validator.feed(payload, final=True)
    expected = ProtocolFailure(draft.info.invalid_data_code, f"invalid UTF-8 in a text message: {info.value.reason}")
    for frames in (
        [Frame(0x1, payload, mask=KEY)],
        [Frame(0x1, payload, fin=False, mask=KEY), Frame(0x0, b"", mask=KEY)],
    ):
        conn = Connection(draft, Side.SERVER, frames=True)
        conn.receive_data(b"".join(encode(f, Family.HYBI07) for f in frames))
        assert [e for e in conn.events() if isinstance(e, ProtocolFailure)] == [expected]


@pytest.mark.parametrize("draft", HYBI07_DRAFTS)
def test_whole_text_message_events(draft: Draft) -> None:
    text = "κόσμε"
    conn = Connection(draft, Side.SERVER, frames=True)
    frame = Frame(0x1, text.encode(), mask=KEY)
    conn.receive_data(encode(frame, Family.HYBI07))
    assert conn.events() == [Fragment(Kind.TEXT, frame, True, text.encode()), TextMessage(text)]


# --- events and frames -------------------------------------------------------------------------------


def test_new_fragment_is_a_fragment() -> None:
    frame = Frame(0x2, b"x")
    event = new_fragment(Kind.BINARY, frame, True, b"x", False)
    assert event == Fragment(Kind.BINARY, frame, True, b"x")
    assert hash(event) == hash(Fragment(Kind.BINARY, frame, True, b"x"))
    assert repr(event) == repr(Fragment(Kind.BINARY, frame, True, b"x"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.first = False  # type: ignore[misc]


def test_frame_is_an_immutable_value() -> None:
    frame = Frame(0x1, b"x", mask=KEY)
    assert frame == Frame(0x1, b"x", True, False, False, False, KEY)
    assert frame != Frame(0x1, b"x")
    assert hash(frame) == hash(Frame(0x1, b"x", mask=KEY))
    assert frame._replace(fin=False) == Frame(0x1, b"x", fin=False, mask=KEY)
    with pytest.raises(AttributeError):
        frame.fin = False  # type: ignore[misc]
    assert repr(Frame(0x9)) == "Frame(opcode=9, payload=b'', fin=True, rsv1=False, rsv2=False, rsv3=False, mask=None)"


# --- sending -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70000])
@pytest.mark.parametrize("side", list(Side))
def test_chunks_to_send_are_data_to_send(size: int, side: Side) -> None:
    """chunks_to_send() joins to data_to_send(); a large payload is its own chunk, the very object sent
    (a server's) or its masked copy (a client's), never joined with its header."""
    payload = pattern(size)
    both = [Connection(Draft.RFC6455, side, mask_source=fixed_mask(KEY)) for _ in range(2)]
    for conn in both:
        conn.send_text("a")
        conn.send_binary(payload)
        conn.send_ping(b"p")
        conn.send_close(1000)
    chunks_out = both[0].chunks_to_send()
    assert b"".join(chunks_out) == both[1].data_to_send()
    assert both[0].chunks_to_send() == [] and both[1].data_to_send() == b""
    if size < 65536:
        assert len(chunks_out) == 1
    else:
        assert len(chunks_out) == 3
        assert chunks_out[1] == (payload if side is Side.SERVER else naive_mask(payload, KEY))
        assert (chunks_out[1] is payload) is (side is Side.SERVER)


@pytest.mark.parametrize("fragment_size", [None, 0, 5, 6, 100])
def test_send_message_one_frame_or_fragments(fragment_size: int | None) -> None:
    conn = Connection(Draft.RFC6455, Side.SERVER)
    conn.send_text("hello", fragment_size=fragment_size)
    if fragment_size == 5 or not fragment_size or fragment_size > 5:
        assert conn.data_to_send() == encode(Frame(0x1, b"hello"), Family.HYBI07)
    conn.send_binary(b"abcdefgh", fragment_size=3)
    expected = [Frame(0x2, b"abc", fin=False), Frame(0x0, b"def", fin=False), Frame(0x0, b"gh")]
    assert conn.data_to_send() == b"".join(encode(f, Family.HYBI07) for f in expected)
