"""permessage-deflate payloads: the RFC 7692 §7.2.3 examples as vectors, context takeover or not, the
empty final fragment, window sizes (8 bits included), bounded inflation (a bomb), broken streams, and
round trips between the two ends."""

from __future__ import annotations

import random
import tracemalloc
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wire import RemoteProtocolError
from wire.extensions import Agreement, PerMessageDeflate
from wire.extensions.deflate import TAIL, Memo, memory_level

HELLO = b"Hello"
LIMIT = 1 << 20


DEFAULTS = Agreement()


def ends(
    agreement: Agreement = DEFAULTS, memo: Memo | None = None, **options: int
) -> tuple[PerMessageDeflate, PerMessageDeflate]:
    """(server, client) of one agreement, sharing `memo` when given."""
    server = PerMessageDeflate(agreement, server=True, memo=memo, **options)
    return server, PerMessageDeflate(agreement, server=False, memo=memo, **options)


def inflate(end: PerMessageDeflate, *payloads: bytes, limit: int = LIMIT) -> bytes:
    """One message from its frames' payloads (the limit counts down as frames inflate, as a Connection does)."""
    out = b""
    for i, payload in enumerate(payloads):
        out += end.decompress(payload, fin=i == len(payloads) - 1, limit=limit - len(out))
    return out


# --- RFC 7692 §7.2.3 ---------------------------------------------------------------------------------

RFC_MESSAGES = [
    ("7.2.3.1 one compressed block", ["f248cdc9c90700"], HELLO),
    ("7.2.3.1 fragmented", ["f248cd", "c9c90700"], HELLO),
    ("7.2.3.3 a block with no compression", ["000500faff48656c6c6f00"], HELLO),
    ("7.2.3.4 a block with BFINAL set to 1", ["f348cdc9c9070000"], HELLO),
    ("7.2.3.5 two blocks in one message", ["f24805000000ffffcac9c90700"], HELLO),
    ("7.2.3.6 an empty message", ["00"], b""),
    ("7.2.3.6 an empty final fragment", ["f248cdc9c907000000ffff", "00"], HELLO),
]


@pytest.mark.parametrize(("payloads", "message"), [r[1:] for r in RFC_MESSAGES], ids=[r[0] for r in RFC_MESSAGES])
def test_rfc_examples_inflate(payloads: list[str], message: bytes) -> None:
    for server in (True, False):
        end = PerMessageDeflate(Agreement(), server=server)
        assert inflate(end, *map(bytes.fromhex, payloads)) == message
        assert inflate(end, bytes.fromhex("f248cdc9c90700")) == HELLO  # and the next message still inflates


def test_rfc_example_sharing_the_window() -> None:
    """§7.2.3.2: the second "Hello" refers back into the first message."""
    first, second = bytes.fromhex("f248cdc9c90700"), bytes.fromhex("f200110000")
    server, client = ends()
    assert client.compress(HELLO) == first
    assert client.compress(HELLO) == second
    assert (inflate(server, first), inflate(server, second)) == (HELLO, HELLO)
    # a receiver told that the sender resets its window cannot follow a sender that does not
    strict_server, _ = ends(Agreement(client_no_context_takeover=True))
    assert inflate(strict_server, first) == HELLO
    with pytest.raises(RemoteProtocolError, match="does not inflate") as info:
        inflate(strict_server, second)
    assert info.value.close_code == 1002


def test_no_context_takeover_resets_each_message() -> None:
    server, client = ends(Agreement(server_no_context_takeover=True))
    assert server.compress(HELLO) == server.compress(HELLO) == bytes.fromhex("f248cdc9c90700")
    assert client.compress(HELLO) != client.compress(HELLO)  # the client's direction keeps its window


def test_fragments_are_sync_flushed_and_the_final_one_drops_the_tail() -> None:
    _, client = ends()
    first = client.compress(b"He", fin=False)
    assert first == bytes.fromhex("f24805000000ffff")  # §7.2.3.5's first block, with its tail
    assert client.compress(b"llo") == bytes.fromhex("cac9c90700")


@pytest.mark.parametrize("context_takeover", [True, False])
def test_an_empty_final_fragment_is_a_single_zero_octet(context_takeover: bool) -> None:
    server, client = ends(Agreement(not context_takeover, not context_takeover))
    payloads = [client.compress(HELLO, fin=False), client.compress(b"")]
    assert payloads[1] == b"\x00"  # §7.2.3.6
    assert inflate(server, *payloads) == HELLO
    assert client.compress(b"") == b"\x00"  # an empty message, too
    assert inflate(server, b"\x00") == b""
    assert inflate(server, client.compress(HELLO)) == HELLO


# --- kept compressions -----------------------------------------------------------------------------


def fresh(data: bytes, bits: int = 15, level: int = zlib.Z_DEFAULT_COMPRESSION) -> bytes:
    """What a new compressor writes for a whole message (its flush's tail dropped)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -bits, memory_level(bits))
    return (compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH))[:-4]


@pytest.fixture
def memo() -> Memo:
    return Memo(1 << 20)


def test_a_resetting_end_keeps_each_message_compressed_and_sends_the_same_bytes(memo: Memo) -> None:
    data = random.Random(7).randbytes(5000) * 3
    server, client = ends(Agreement(server_no_context_takeover=True, server_max_window_bits=10), memo, level=1)
    first = server.compress(data)
    assert memo.size == len(first) and first == fresh(data, 10, 1)
    assert server.compress(bytes(bytearray(data))) == first  # kept: equal data, another object
    assert memo.size == len(first)
    other_level, _ = ends(Agreement(server_no_context_takeover=True, server_max_window_bits=10), memo, level=9)
    assert other_level.compress(data) == fresh(data, 10, 9)  # another level is another entry
    assert inflate(client, first) == inflate(client, first) == data


def test_context_takeover_and_fragments_are_never_kept(memo: Memo) -> None:
    server, client = ends(Agreement(server_no_context_takeover=True), memo)
    client.compress(HELLO)  # the client keeps its window: each message depends on the ones before
    client.compress(HELLO)
    server.compress(b"He", fin=False)  # a fragment continues a stream
    server.compress(b"llo")
    assert memo.size == 0
    assert server.compress(HELLO) == server.compress(HELLO) == bytes.fromhex("f248cdc9c90700")
    assert memo.size == 7


def test_the_memo_drops_the_least_recently_used_past_its_limit() -> None:
    memo = Memo(10)
    key = (15, 1, 8, b"a")
    memo.put(key, b"12345")
    memo.put((15, 1, 8, b"b"), b"67890")
    assert memo.get(key) == b"12345"  # now the most recently used
    memo.put((15, 1, 8, b"c"), b"xyz")
    assert memo.size == 8 and memo.get((15, 1, 8, b"b")) is None and memo.get(key) == b"12345"
    memo.put((15, 1, 8, b"d"), b"too large to keep")
    assert memo.get((15, 1, 8, b"d")) is None and memo.size == 8


# --- window sizes ------------------------------------------------------------------------------------


def test_zlib_cannot_build_an_8_bit_raw_compressor() -> None:
    """Why an 8-bit window compresses with 9 (deflate.py's notes): this is zlib's own refusal."""
    with pytest.raises(ValueError):
        zlib.compressobj(6, zlib.DEFLATED, -8)


@pytest.mark.parametrize("level", [1, 6, 9])
def test_a_9_bit_compressor_never_reaches_back_more_than_250_bytes(level: int) -> None:
    """Random bytes repeated with period p compress only if the compressor reaches p bytes back: with
    9 bits, zlib reaches 250 bytes at most, inside an 8-bit (256-byte) window."""
    noise = random.Random(7).randbytes(400)
    for period in (240, 250, 251, 256, 300):
        data = noise[:period] * 40
        for mem_level in (zlib.DEF_MEM_LEVEL, memory_level(9)):  # zlib's default, and the one we use
            compressor = zlib.compressobj(level, zlib.DEFLATED, -9, mem_level)
            ratio = len(compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)) / len(data)
            if period <= 250:
                assert ratio < 0.6, (period, ratio, mem_level)  # back references (level 1 finds fewer)
            else:
                assert ratio > 0.85, (period, ratio, mem_level)  # none: Huffman codes alone


def test_a_small_window_gets_a_hash_table_to_its_size() -> None:
    """zlib's default memory level from 13 bits up; below, a table four times the window (module notes)."""
    assert [memory_level(bits) for bits in range(9, 16)] == [4, 5, 6, 7, 8, 8, 8]
    data = random.Random(3).choice([b"window ", b"frame ", b"deflate "]) * 300 + random.Random(4).randbytes(900)
    server, client = ends(Agreement(server_no_context_takeover=True, server_max_window_bits=9), level=1)
    sent = server.compress(data)
    compressor = zlib.compressobj(1, zlib.DEFLATED, -9, 4)
    assert sent == (compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH))[:-4]
    assert inflate(client, sent) == data


@pytest.mark.parametrize("bits", range(8, 16))
def test_every_window_size_round_trips_with_the_window_the_receiver_was_told(bits: int) -> None:
    agreement = Agreement(server_max_window_bits=bits, client_max_window_bits=bits)
    server, client = ends(agreement)
    text = bytes(range(256)) * 8 + b"Hello, window " * 300
    inflater = zlib.decompressobj(-bits)  # a receiver's own inflater, with exactly the agreed window
    for _ in range(3):  # with context takeover: later messages reach into earlier ones
        sent = server.compress(text)
        assert inflater.decompress(sent + TAIL) == text
        assert inflate(client, sent) == text
        assert inflate(server, client.compress(text)) == text


# --- limits and broken streams -----------------------------------------------------------------------


def bomb(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    out = b"".join(compressor.compress(chunk) for _ in range(size >> 20))
    return (out + compressor.flush(zlib.Z_SYNC_FLUSH))[:-4]


def test_a_decompression_bomb_is_refused_without_being_held() -> None:
    payload = bomb(256 << 20)  # 256 MiB of zeros in some 250 KB
    assert len(payload) < 300_000
    server, _ = ends()
    tracemalloc.start()
    try:
        with pytest.raises(RemoteProtocolError, match="past the message size limit") as info:
            server.decompress(payload, fin=True, limit=LIMIT)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.close_code == 1009
    assert peak < 4 * LIMIT  # what is inflated stops one byte past the limit


def test_the_limit_counts_across_fragments() -> None:
    server, client = ends()
    data = bytes(range(256)) * 64  # 16 KiB
    payloads = [client.compress(data, fin=False), client.compress(data, fin=False), client.compress(data)]
    assert len(inflate(server, *payloads, limit=3 * len(data))) == 3 * len(data)
    payloads = [client.compress(data, fin=False), client.compress(data, fin=False), client.compress(data)]
    with pytest.raises(RemoteProtocolError) as info:
        inflate(server, *payloads, limit=3 * len(data) - 1)
    assert info.value.close_code == 1009


def test_a_message_exactly_at_the_limit_passes() -> None:
    server, client = ends(Agreement(True, True))
    for size in (0, 1, 1000, 70_000):
        data = bytes(size)
        assert server.decompress(client.compress(data), fin=True, limit=size) == data
        with pytest.raises(RemoteProtocolError):
            server.decompress(client.compress(data + b"!"), fin=True, limit=size)


def test_the_too_big_code_is_the_drafts() -> None:
    end = PerMessageDeflate(Agreement(), server=True, too_big_code=1004)
    with pytest.raises(RemoteProtocolError) as info:
        end.decompress(bomb(2 << 20), fin=True, limit=1000)
    assert info.value.close_code == 1004


@pytest.mark.parametrize(
    "payload",
    [b"\xff\xff\xff", bytes.fromhex("f248cdc9c907") + b"\x07\xff", bytes.fromhex("0005001234") + b"Hello"],
    ids=["reserved block type", "bad code", "stored length mismatch"],
)
def test_a_broken_stream_is_a_protocol_error(payload: bytes) -> None:
    with pytest.raises(RemoteProtocolError, match="does not inflate") as info:
        inflate(PerMessageDeflate(Agreement(), server=True), payload)
    assert info.value.close_code == 1002


# --- round trips -------------------------------------------------------------------------------------

AGREEMENTS = st.builds(Agreement, st.booleans(), st.booleans(), st.integers(8, 15), st.integers(8, 15))
MESSAGES = st.lists(st.binary(max_size=3000) | st.text(max_size=500).map(str.encode), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(AGREEMENTS, MESSAGES, st.integers(1, 1500), st.sampled_from([1, 6, 9]))
def test_round_trips(agreement: Agreement, messages: list[bytes], fragment: int, level: int) -> None:
    """Every agreement, messages whole or in fragments, both directions, in sequence."""
    server, client = ends(agreement, level=level)
    for message in messages:
        for sender, receiver in ((client, server), (server, client)):
            assert inflate(receiver, sender.compress(message)) == message
            parts = [message[i : i + fragment] for i in range(0, len(message), fragment)] or [b""]
            payloads = [sender.compress(p, fin=i == len(parts) - 1) for i, p in enumerate(parts)]
            assert inflate(receiver, *payloads) == message
