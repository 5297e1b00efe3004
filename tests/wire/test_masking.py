"""wire.masking: the accelerator (when installed, as in development) and the pure path give the same bytes,
in apply_mask and in the parser's masked paths (whole frames, a buffered tail, a large frame in pieces)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wire import Draft, Family, Frame, FrameParser, apply_mask, encode, masking
from wire.frames import _STREAM_FROM
from wire.masking import INT_XOR_BELOW, xor4_into, xor4_small

from .support import split_at

FAST = masking.FAST


@pytest.fixture
def pure() -> Iterator[None]:
    """The pure path, whatever is installed."""
    saved = masking.FAST
    masking.FAST = None
    try:
        yield
    finally:
        masking.FAST = saved


def naive(data: bytes, key: bytes, offset: int = 0) -> bytes:
    return bytes(b ^ key[(i + offset) % len(key)] for i, b in enumerate(data))


def both(data: bytes, key: bytes, offset: int) -> tuple[bytes, bytes]:
    fast = apply_mask(data, key, offset)
    masking.FAST = None
    try:
        return fast, apply_mask(data, key, offset)
    finally:
        masking.FAST = FAST


def test_the_pure_functions_are_the_mask() -> None:
    key = bytes.fromhex("37fa213d")
    for size in (1, 5, INT_XOR_BELOW - 1, INT_XOR_BELOW + 5, 70_000):
        data = bytes(i * 13 % 256 for i in range(size))
        if size < INT_XOR_BELOW:
            assert xor4_small(data, key) == naive(data, key)
        buf = bytearray(b"xx" + data)
        xor4_into(buf, 2, len(buf), key)
        assert bytes(buf[2:]) == naive(data, key)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=3000) | st.integers(60_000, 140_000).map(bytes),
    st.binary(min_size=4, max_size=4),
    st.integers(0, 7),
)
def test_accelerated_and_pure_apply_mask_agree(data: bytes, key: bytes, offset: int) -> None:
    fast, slow = both(data, key, offset)
    assert fast == slow == naive(data, key, offset) if len(data) < 5000 else fast == slow


def masked_frames(sizes: list[int]) -> tuple[bytes, list[Frame]]:
    frames = [Frame(0x2, bytes(i * 7 % 251 for i in range(size)), mask=bytes([size % 251, 1, 2, 3])) for size in sizes]
    return b"".join(encode(f, Family.HYBI07) for f in frames), frames


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([0, 1, 125, 126, 1000, 5000, _STREAM_FROM + 3]), min_size=1, max_size=4),
    st.lists(st.integers(0, 10**7), max_size=6),
)
def test_the_parser_unmasks_alike_either_way(sizes: list[int], cuts: list[int]) -> None:
    wire, frames = masked_frames(sizes)
    results = []
    for fast in (FAST, None):
        masking.FAST = fast
        try:
            parser = FrameParser(Draft.RFC6455, masked=True)
            results.append([frame for part in split_at(wire, cuts) for frame in parser.feed(part)])
        finally:
            masking.FAST = FAST
    assert results[0] == results[1] == frames


@pytest.mark.usefixtures("pure")
def test_hybi06_whole_frame_masking_on_the_pure_path() -> None:
    frame = Frame(0x5, b"x" * 300, mask=b"\x01\x02\x03\x04")
    assert FrameParser(Draft.HYBI_06, masked=True).feed(encode(frame, Family.HYBI06)) == [frame]
