"""permessage-deflate in a Connection (RFC 7692): agreed by the opening handshake, messages compressed
and inflated, RSV1's rules, the inflated size limit, the RFC's §7.2.3 examples on the wire."""

from __future__ import annotations

import random
import zlib

import pytest

from wire import (
    BinaryMessage,
    ClientHandshake,
    Connection,
    Draft,
    Family,
    Fragment,
    Frame,
    FrameParser,
    HandshakeAccepted,
    HandshakeInvalid,
    HandshakeRequest,
    Kind,
    ProtocolFailure,
    ServerAccept,
    Side,
    State,
    TextMessage,
    encode,
)
from wire.extensions import Agreement, DeflateParams, Memo

from .support import HYBI07_DRAFTS, HYBI_DRAFTS, Link, fixed_mask

KEY = bytes.fromhex("37fa213d")
AGREEMENTS = [
    Agreement(),
    Agreement(server_no_context_takeover=True, client_no_context_takeover=True),
    Agreement(server_max_window_bits=8, client_max_window_bits=8),
    Agreement(server_max_window_bits=9, client_max_window_bits=15, client_no_context_takeover=True),
    Agreement(server_max_window_bits=15, client_max_window_bits=10, server_no_context_takeover=True),
]


def deflate_pair(draft: Draft, agreement: Agreement = AGREEMENTS[0], **options: object) -> Link:
    client = Connection(draft, Side.CLIENT, deflate=agreement, **options)  # type: ignore[arg-type]
    server = Connection(draft, Side.SERVER, deflate=agreement, **options)  # type: ignore[arg-type]
    return Link(client, server)


def client(draft: Draft = Draft.RFC6455, **options: object) -> Connection:
    return Connection(draft, Side.CLIENT, deflate=Agreement(), **options)  # type: ignore[arg-type]


def server(draft: Draft = Draft.RFC6455, **options: object) -> Connection:
    return Connection(draft, Side.SERVER, deflate=Agreement(), **options)  # type: ignore[arg-type]


def masked(frame: Frame, draft: Draft = Draft.RFC6455) -> bytes:
    return encode(frame._replace(mask=KEY), draft.info.family)


def failure(conn: Connection) -> ProtocolFailure:
    events = conn.events()
    assert isinstance(events[-1], ProtocolFailure), events
    assert conn.state is State.FAILED
    return events[-1]


# --- RFC 7692 §7.2.3: the examples, received --------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "count"),
    [
        ("c107f248cdc9c90700", 1),  # §7.2.3.1: "Hello", one compressed block
        ("4103f248cd" + "8004c9c90700", 2),  # §7.2.3.1: the same, fragmented
        ("c10b000500faff48656c6c6f00", 1),  # §7.2.3.3: a stored block
        ("c108f348cdc9c9070000", 1),  # §7.2.3.4: a BFINAL block
        ("410bf248cdc9c907000000ffff" + "800100", 2),  # §7.2.3.6: an empty final fragment
    ],
)
def test_rfc7692_examples_inflate_to_hello(wire: str, count: int) -> None:
    conn = client()
    conn.receive_data(bytes.fromhex(wire))
    assert conn.events() == [TextMessage("Hello", count)]


def test_rfc7692_context_takeover_example() -> None:
    """§7.2.3.2: a second "Hello" compressed against the first one's window is five bytes."""
    conn = client()
    conn.receive_data(bytes.fromhex("c107f248cdc9c90700") + bytes.fromhex("c105f200110000"))
    assert conn.events() == [TextMessage("Hello"), TextMessage("Hello")]


def test_sending_hello_writes_the_rfc_bytes() -> None:
    conn = server()
    conn.send_text("Hello")
    conn.send_text("Hello")
    assert conn.data_to_send() == bytes.fromhex("c107f248cdc9c90700") + bytes.fromhex("c105f200110000")


def test_a_bfinal_message_ends_its_stream() -> None:
    """§7.2.3.4: after a BFINAL block the next message starts a new deflate stream."""
    conn = client()
    conn.receive_data(bytes.fromhex("c108f348cdc9c9070000") + bytes.fromhex("c107f248cdc9c90700"))
    assert conn.events() == [TextMessage("Hello"), TextMessage("Hello")]


# --- both ends, every agreement ----------------------------------------------------------------------


@pytest.mark.parametrize("draft", HYBI_DRAFTS)
@pytest.mark.parametrize("agreement", AGREEMENTS, ids=str)
def test_messages_both_ways(draft: Draft, agreement: Agreement) -> None:
    link = deflate_pair(draft, agreement)
    texts = ["Hello", "", "κόσμε " * 500, "abc" * 30000]
    blobs = [bytes(range(256)) * 40, b"", zlib.compress(b"x" * 5000)]
    for text in texts:
        link.client.send_text(text)
        link.server.send_text(text)
    for blob in blobs:
        link.client.send_binary(blob, fragment_size=100)
        link.server.send_binary(blob, fragment_size=7)
    to_client, to_server = link.take()
    expected = [TextMessage(t) for t in texts]
    assert [e for e in to_server if isinstance(e, TextMessage)] == expected
    assert [e for e in to_client if isinstance(e, TextMessage)] == expected
    assert [e.data for e in to_server if isinstance(e, BinaryMessage)] == blobs
    assert [e.data for e in to_client if isinstance(e, BinaryMessage)] == blobs


def test_compressed_frames_have_rsv1_on_the_first_frame_only() -> None:
    conn = server()
    conn.send_binary(random.Random(1).randbytes(3000), fragment_size=64)
    frames = FrameParser(Draft.RFC6455, masked=False).feed(conn.data_to_send())
    assert len(frames) > 2
    assert [f.rsv1 for f in frames] == [True] + [False] * (len(frames) - 1)
    assert [f.opcode for f in frames] == [0x2] + [0x0] * (len(frames) - 1)
    assert all(len(f.payload) == 64 for f in frames[:-1])


def test_a_message_may_go_uncompressed() -> None:
    link = deflate_pair(Draft.RFC6455)
    link.client.send_text("plain", compress=False)
    link.client.send_text("squeezed")
    raw = link.client.data_to_send()
    frames = FrameParser(Draft.RFC6455, masked=True).feed(raw)
    assert [f.rsv1 for f in frames] == [False, True]
    link.server.receive_data(raw)
    assert link.server.events() == [TextMessage("plain"), TextMessage("squeezed")]


def test_no_context_takeover_makes_each_message_stand_alone() -> None:
    """With server_no_context_takeover, a repeated message compresses to the same bytes every time."""
    conn = Connection(Draft.RFC6455, Side.SERVER, deflate=Agreement(server_no_context_takeover=True))
    for _ in range(3):
        conn.send_text("Hello")
    assert conn.data_to_send() == bytes.fromhex("c107f248cdc9c90700") * 3


def test_a_compression_memo_sends_kept_messages_as_a_fresh_compressor_would() -> None:
    """`compression_memo` keeps what this side compresses with a fresh compressor (no context takeover on
    its side), shared by every Connection given it; what goes out is the same either way."""
    memo = Memo(1 << 20)
    agreement = Agreement(client_no_context_takeover=True)
    kept = [Connection(Draft.RFC6455, Side.CLIENT, deflate=agreement, compression_memo=memo, mask_source=fixed_mask())]
    kept.append(
        Connection(Draft.RFC6455, Side.CLIENT, deflate=agreement, compression_memo=memo, mask_source=fixed_mask())
    )
    plain = Connection(Draft.RFC6455, Side.CLIENT, deflate=agreement, mask_source=fixed_mask())
    message = "Hello, Hello, Hello " * 50
    for conn in (*kept, plain):
        conn.send_text(message)
    sent = [conn.data_to_send() for conn in (*kept, plain)]
    assert sent[0] == sent[1] == sent[2]
    assert 0 < memo.size < len(message)  # kept once, for both


@pytest.mark.parametrize("bits", [8, 9, 12])
def test_small_windows_over_many_messages(bits: int) -> None:
    """The receiver inflates with the agreed window and nothing larger: what an 8-bit window sends (zlib
    compresses with 9, see deflate.py) must never reach back further than 256 bytes."""
    agreement = Agreement(server_max_window_bits=bits, client_max_window_bits=bits)
    link = deflate_pair(Draft.RFC6455, agreement)
    messages = [bytes((i * 7 + j) % 251 for j in range(300 + 17 * i)) * 3 for i in range(40)]
    for message in messages:
        link.server.send_binary(message)
    to_client, _ = link.take()
    assert [e.data for e in to_client if isinstance(e, BinaryMessage)] == messages


# --- fragments: what a frame-level echo needs ----------------------------------------------------------


def test_fragments_carry_inflated_data_and_echo_compressed() -> None:
    link = deflate_pair(Draft.RFC6455)
    link.server.frames = True
    link.server.assemble = False
    link.client.send_text("Hello " * 200, fragment_size=50)
    link.client.send_text("raw", compress=False)
    link.server.receive_data(link.client.data_to_send())
    fragments = [e for e in link.server.events() if isinstance(e, Fragment)]
    assert b"".join(f.data for f in fragments[:-1]) == b"Hello " * 200
    assert all(f.compressed for f in fragments[:-1]) and not fragments[-1].compressed
    for f in fragments:
        link.server.send_fragment(f.kind, f.data, first=f.first, fin=f.fin, compress=f.compressed)
    echo = link.server.data_to_send()
    frames = FrameParser(Draft.RFC6455, masked=False).feed(echo)
    assert len(frames) == len(fragments)
    assert [f.rsv1 for f in frames] == [f.first and f.compressed for f in fragments]
    link.client.receive_data(echo)
    assert link.client.events() == [TextMessage("Hello " * 200, len(fragments) - 1), TextMessage("raw")]


def test_an_empty_final_fragment_is_sent_as_one_octet() -> None:
    """§7.2.3.6: a final fragment with no data of its own carries 0x00."""
    conn = server()
    conn.send_fragment(Kind.TEXT, b"Hello", first=True, fin=False)
    conn.send_fragment(Kind.TEXT, b"", first=False, fin=True)
    assert conn.data_to_send() == bytes.fromhex("410bf248cdc9c907000000ffff" + "800100")


# --- failures ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("draft", HYBI07_DRAFTS)
@pytest.mark.parametrize(
    ("frames", "text"),
    [
        (
            [Frame(0x1, b"\xf2\x48\xcd", fin=False, rsv1=True), Frame(0x0, b"\xc9\xc9\x07\x00", rsv1=True)],
            "continuation",
        ),
        ([Frame(0x2, b"\xf2\x48\xcd", fin=False), Frame(0x0, b"", rsv1=True)], "continuation"),
        ([Frame(0x9, b"\xf2\x48\xcd\xc9\xc9\x07\x00", rsv1=True)], "RSV1 on a ping frame"),
        ([Frame(0xA, b"", rsv1=True)], "RSV1 on a pong frame"),
        ([Frame(0x8, b"\x03\xe8", rsv1=True)], "RSV1 on a close frame"),
    ],
)
def test_rsv1_off_a_first_frame_fails_with_1002(draft: Draft, frames: list[Frame], text: str) -> None:
    conn = server(draft)
    conn.receive_data(b"".join(masked(f, draft) for f in frames))
    fail = failure(conn)
    assert fail.code == 1002 and text in fail.reason


@pytest.mark.parametrize("bit", ["rsv2", "rsv3"])
def test_the_other_reserved_bits_still_fail(bit: str) -> None:
    conn = server()
    conn.receive_data(masked(Frame(0x1, b"x", **{bit: True})))  # type: ignore[arg-type]
    fail = failure(conn)
    assert fail.code == 1002 and "reserved bits" in fail.reason


def test_rsv1_without_the_extension_still_fails() -> None:
    conn = Connection(Draft.RFC6455, Side.SERVER)
    conn.receive_data(masked(Frame(0x1, bytes.fromhex("f248cdc9c90700"), rsv1=True)))
    fail = failure(conn)
    assert fail.code == 1002 and "reserved bits" in fail.reason


@pytest.mark.parametrize("payload", ["ff" * 8, "f248cdc9c90700" + "ffffffff", "000500ffff48656c6c6f"])
def test_a_bad_deflate_stream_fails_with_1002(payload: str) -> None:
    conn = server()
    conn.receive_data(masked(Frame(0x2, bytes.fromhex(payload), rsv1=True)))
    fail = failure(conn)
    assert fail.code == 1002 and "does not inflate" in fail.reason


@pytest.mark.parametrize("fragment", [None, 1000])
def test_a_decompression_bomb_fails_with_1009(fragment: int | None) -> None:
    """16 MiB of zeros deflate to 16 KiB; the limit is 1 MiB of inflated data, on the whole message."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = compressor.compress(bytes(16 * 2**20)) + compressor.flush(zlib.Z_SYNC_FLUSH)
    assert len(bomb) < 20000
    sender = Connection(Draft.RFC6455, Side.CLIENT, mask_source=fixed_mask())
    frames = [Frame(0x2, bomb[:-4], rsv1=True)]
    if fragment:
        frames = [
            Frame(0x0 if i else 0x2, bomb[i : i + fragment], fin=i + fragment >= len(bomb) - 4, rsv1=not i)
            for i in range(0, len(bomb) - 4, fragment)
        ]
    for frame in frames:
        sender.send_frame(frame)
    conn = server(max_message_size=2**20)
    conn.receive_data(sender.data_to_send())
    fail = failure(conn)
    assert fail.code == 1009 and "inflates past" in fail.reason


def test_the_limit_is_on_the_inflated_size_exactly() -> None:
    link = deflate_pair(Draft.RFC6455, max_message_size=1000)
    link.client.send_binary(bytes(1000))
    link.client.send_binary(bytes(500), fragment_size=3)
    _, to_server = link.take()
    assert [len(e.data) for e in to_server if isinstance(e, BinaryMessage)] == [1000, 500]
    link.client.send_binary(bytes(1001))
    link.server.receive_data(link.client.data_to_send())
    assert failure(link.server).code == 1009


def test_send_frame_still_writes_anything() -> None:
    """Encoders never validate: a compressed ping, RSV1 on a continuation, a payload that is no deflate."""
    conn = client(mask_source=fixed_mask(KEY))
    frames = [
        Frame(0x9, b"\xf2\x48\x05\x00", rsv1=True),
        Frame(0x0, b"junk", rsv1=True),
        Frame(0x1, b"\xff", rsv1=True),
    ]
    for frame in frames:
        conn.send_frame(frame)
    assert FrameParser(Draft.RFC6455, masked=True).feed(conn.data_to_send()) == [f._replace(mask=KEY) for f in frames]


# --- the opening handshake ----------------------------------------------------------------------------


def shake(offer: str, policy: DeflateParams | None) -> tuple[Connection, Connection, ServerAccept]:
    hs = ClientHandshake.build(Draft.RFC6455, "example.com", extensions=[offer] if offer else [])
    c = Connection.client(hs)
    s = Connection.server()
    s.receive_data(c.data_to_send())
    (request,) = s.events()
    assert isinstance(request, HandshakeRequest)
    result = s.accept(None, deflate=policy)
    assert isinstance(result, ServerAccept)
    c.receive_data(s.data_to_send())
    (accepted,) = c.events()
    assert isinstance(accepted, HandshakeAccepted), accepted
    return c, s, result


@pytest.mark.parametrize(
    ("offer", "policy", "response", "agreement"),
    [
        ("permessage-deflate", DeflateParams(), "permessage-deflate", Agreement()),
        (
            "permessage-deflate; client_max_window_bits",
            DeflateParams(client_max_window_bits=10),
            "permessage-deflate; client_max_window_bits=10",
            Agreement(client_max_window_bits=10),
        ),
        (
            "permessage-deflate; server_max_window_bits=8; client_no_context_takeover",
            DeflateParams(server_no_context_takeover=True),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8",
            Agreement(server_no_context_takeover=True, client_no_context_takeover=True, server_max_window_bits=8),
        ),
        ("permessage-deflate; x=1, permessage-deflate", DeflateParams(), "permessage-deflate", Agreement()),
        ("x-webkit-deflate-frame", DeflateParams(), None, None),
        ("permessage-deflate; server_max_window_bits=7", DeflateParams(), None, None),
        ("permessage-deflate; =broken", DeflateParams(), None, None),
        ("permessage-deflate", None, None, None),
        ("", DeflateParams(), None, None),
    ],
)
def test_handshake_agrees(
    offer: str, policy: DeflateParams | None, response: str | None, agreement: Agreement | None
) -> None:
    c, s, result = shake(offer, policy)
    assert result.response.headers.get("Sec-WebSocket-Extensions") == response
    assert c.deflate == s.deflate == agreement
    assert result.accepted.deflate == agreement
    assert result.accepted.extensions == (() if agreement is None else ("permessage-deflate",))
    c.send_text("Hello")
    s.receive_data(c.data_to_send())
    assert s.events() == [TextMessage("Hello")]
    frames = FrameParser(Draft.RFC6455, masked=False)
    s.send_text("Hello")
    (frame,) = frames.feed(s.data_to_send())
    assert frame.rsv1 is (agreement is not None)


def test_hixie_and_hybi06_handshakes() -> None:
    """hixie has no extensions; every hybi draft negotiates (the header exists from hybi-04 on)."""
    for draft in Draft:
        hs = ClientHandshake.build(draft, "example.com", extensions=["permessage-deflate"])
        s = Connection.server()
        s.receive_data(hs.to_bytes())
        s.events()
        result = s.accept(None, deflate=DeflateParams())
        assert isinstance(result, ServerAccept)
        assert (s.deflate is not None) is (draft.info.family is not Family.HIXIE), draft


@pytest.mark.parametrize(
    ("offer", "answer", "text"),
    [
        ("permessage-deflate", "permessage-deflate; client_max_window_bits=10", "did not include it"),
        ("permessage-deflate; server_no_context_takeover", "permessage-deflate", "server_no_context_takeover"),
        ("permessage-deflate", "permessage-deflate; server_max_window_bits=16", "8 to 15"),
        ("permessage-deflate", "permessage-deflate; mystery", "unknown parameter"),
        ("permessage-deflate", "permessage-deflate, permessage-deflate", "accepted 2 times"),
        ("permessage-deflate", "permessage-deflate; =", "expected a parameter name"),
        ("permessage-deflate; =x", "permessage-deflate", "not offered"),
    ],
)
def test_client_fails_a_response_that_answers_no_offer(offer: str, answer: str, text: str) -> None:
    hs = ClientHandshake.build(Draft.RFC6455, "example.com", extensions=[offer])
    c = Connection.client(hs)
    s = Connection.server()
    s.receive_data(c.data_to_send())
    s.events()
    result = s.accept(None)
    assert isinstance(result, ServerAccept)
    result.response.headers.add("Sec-WebSocket-Extensions", answer)
    c.receive_data(result.response.serialize())
    (event,) = c.events()
    assert isinstance(event, HandshakeInvalid), event
    assert text in event.reason
    assert c.deflate is None
