"""permessage-deflate on the reference server: negotiated on every subprotocol of the hybi drafts, echo
that stays correct compressed, the flags that turn it off or force parameters, its failures."""

from __future__ import annotations

import random
import zlib
from collections.abc import AsyncIterator

import pytest

from server.__main__ import parse_args
from server.app import ReferenceServer
from server.config import ServerConfig
from wire import BinaryMessage, Draft, Fragment, Frame, Kind, TextMessage
from wire.extensions import Agreement, DeflateParams

from .support import HIXIE_DRAFTS, HYBI_DRAFTS, connect, draft_id

OFFER = "permessage-deflate; client_max_window_bits"
PROTOCOLS = [["echo"], ["echo-assemble"], ["echo-fragment"], ["echo-broadcast"]]
PAYLOADS = [b"", b"Hello", random.Random(7).randbytes(3000), b"abc" * 20000]


@pytest.fixture
async def server() -> AsyncIterator[ReferenceServer]:
    async with ReferenceServer(ServerConfig(port=0)) as running:
        yield running


@pytest.mark.parametrize("protocols", PROTOCOLS, ids=lambda p: p[0])
@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_every_subprotocol_echoes_compressed(server: ReferenceServer, draft: Draft, protocols: list[str]) -> None:
    client = await connect(server.port, draft, protocols, extensions=[OFFER], frames=True)
    assert client.response.headers.get("Sec-WebSocket-Extensions") == "permessage-deflate"
    assert client.conn.deflate == Agreement()
    for payload in PAYLOADS:
        await client.send_binary(payload, fragment_size=1000)
        await client.send_text(payload.hex()[:5000])
        for expected in (payload, payload.hex()[:5000]):
            events = await client.events_until((TextMessage, BinaryMessage))
            fragments = [e for e in events if isinstance(e, Fragment)]
            assert [f.frame.rsv1 for f in fragments] == [True] + [False] * (len(fragments) - 1)
            message = events[-1]
            assert isinstance(message, TextMessage | BinaryMessage)
            assert message.data == expected
    await client.close()


@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_echo_keeps_the_fragmentation_of_a_compressed_message(server: ReferenceServer, draft: Draft) -> None:
    client = await connect(server.port, draft, ["echo"], extensions=["permessage-deflate"], frames=True)
    data = random.Random(3).randbytes(5000)
    await client.send_binary(data, fragment_size=700)
    sent = -(-len(zlib.compressobj(wbits=-15).compress(data)) // 700)  # about as many frames as it compressed to
    fragments = await client.fragments()
    assert len(fragments) >= sent
    assert b"".join(f.data for f in fragments) == data
    assert [f.compressed for f in fragments] == [True] * len(fragments)
    message = await client.next_event()
    assert message == BinaryMessage(data, len(fragments))
    await client.close()


async def test_an_uncompressed_message_comes_back_uncompressed(server: ReferenceServer) -> None:
    client = await connect(server.port, Draft.RFC6455, ["echo"], extensions=["permessage-deflate"], frames=True)
    client.conn.send_text("plain", compress=False)
    await client.flush()
    (fragment,) = await client.fragments()
    assert (fragment.frame.rsv1, fragment.frame.payload) == (False, b"plain")
    await client.close()


async def test_echo_fragment_sends_two_compressed_halves(server: ReferenceServer) -> None:
    client = await connect(
        server.port, Draft.RFC6455, ["echo-fragment"], extensions=["permessage-deflate"], frames=True
    )
    await client.send_text("Hello, world")
    first, second = await client.fragments()
    assert (first.frame.rsv1, second.frame.rsv1) == (True, False)
    assert (first.data, second.data) == (b"Hello,", b" world")
    await client.close()


@pytest.mark.parametrize("draft", HIXIE_DRAFTS, ids=draft_id)
async def test_hixie_negotiates_nothing(server: ReferenceServer, draft: Draft) -> None:
    client = await connect(server.port, draft, ["echo"], extensions=["permessage-deflate"])
    assert client.conn.deflate is None
    assert client.response.headers.get("Sec-WebSocket-Extensions") is None
    await client.close()


@pytest.mark.parametrize(
    "offer",
    [
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; client_max_window_bits=0",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; unknown=1",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate;;",
        "x-webkit-deflate-frame",
    ],
)
async def test_an_invalid_offer_is_declined_and_the_connection_goes_on(server: ReferenceServer, offer: str) -> None:
    client = await connect(server.port, Draft.RFC6455, ["echo-assemble"], extensions=[offer])
    assert client.response.headers.get("Sec-WebSocket-Extensions") is None
    await client.send_text("still here")
    assert await client.message() == "still here"
    await client.close()


async def test_the_first_valid_offer_wins(server: ReferenceServer) -> None:
    offers = ["permessage-deflate; server_max_window_bits=20", "permessage-deflate; server_max_window_bits=10"]
    client = await connect(server.port, Draft.RFC6455, ["echo-assemble"], extensions=offers)
    assert client.response.headers.get("Sec-WebSocket-Extensions") == "permessage-deflate; server_max_window_bits=10"
    await client.send_binary(bytes(range(256)) * 100)
    assert await client.message() == bytes(range(256)) * 100
    await client.close()


@pytest.mark.parametrize(
    ("force", "offer", "response"),
    [
        ("", OFFER, "permessage-deflate"),
        (
            "server_no_context_takeover; client_no_context_takeover",
            "permessage-deflate",
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
        ),
        ("server_max_window_bits=9", "permessage-deflate", "permessage-deflate; server_max_window_bits=9"),
        ("client_max_window_bits=8", OFFER, "permessage-deflate; client_max_window_bits=8"),
        ("client_max_window_bits=8", "permessage-deflate", "permessage-deflate"),  # the offer allows no limit
    ],
)
async def test_deflate_force(force: str, offer: str, response: str) -> None:
    config = parse_args(["--port", "0", "--deflate-force", force] if force else ["--port", "0"])
    async with ReferenceServer(config) as running:
        client = await connect(running.port, Draft.RFC6455, ["echo-assemble"], extensions=[offer])
        assert client.response.headers.get("Sec-WebSocket-Extensions") == response
        for _ in range(3):
            await client.send_text("Hello " * 100)
            assert await client.message() == "Hello " * 100
        await client.close()


async def test_no_deflate() -> None:
    config = parse_args(["--port", "0", "--no-deflate"])
    assert config.deflate is None
    async with ReferenceServer(config) as running:
        client = await connect(running.port, Draft.RFC6455, ["echo"], extensions=[OFFER])
        assert client.response.headers.get("Sec-WebSocket-Extensions") is None
        assert client.conn.deflate is None
        await client.close()


def test_deflate_flags_parse() -> None:
    assert parse_args([]).deflate == DeflateParams()
    forced = parse_args(["--deflate-force", "server_no_context_takeover;client_max_window_bits=10"]).deflate
    assert forced == DeflateParams(server_no_context_takeover=True, client_max_window_bits=10)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--deflate-force", "client_max_window_bits"], "without a value"),
        (["--deflate-force", "server_max_window_bits=7"], "not a window size"),
        (["--deflate-force", "sideways"], "unknown parameter"),
        (["--no-deflate", "--deflate-force", "server_no_context_takeover"], "exclude each other"),
    ],
)
def test_deflate_flags_that_do_not_fit(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parse_args(args)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


# --- failures ------------------------------------------------------------------------------------------


async def test_a_bomb_is_refused_with_1009(server: ReferenceServer) -> None:
    """echo-assemble holds 64 KiB: 16 MiB of zeros (16 KiB compressed) fail the connection with 1009."""
    client = await connect(server.port, Draft.RFC6455, ["echo-assemble"], extensions=["permessage-deflate"])
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = compressor.compress(bytes(16 * 2**20)) + compressor.flush(zlib.Z_SYNC_FLUSH)
    client.conn.send_frame(Frame(0x2, bomb[:-4], rsv1=True))
    await client.flush()
    close = await client.close_received()
    assert close.code == 1009


@pytest.mark.parametrize(
    "frames",
    [
        [Frame(0x2, b"\xf2\x48\xcd", fin=False, rsv1=True), Frame(0x0, b"\xc9\xc9\x07\x00", rsv1=True)],
        [Frame(0x9, b"", rsv1=True)],
        [Frame(0x2, b"\xff\xff\xff\xff", rsv1=True)],
    ],
    ids=["rsv1-continuation", "rsv1-ping", "bad-stream"],
)
async def test_broken_compression_fails_with_1002(server: ReferenceServer, frames: list[Frame]) -> None:
    client = await connect(server.port, Draft.RFC6455, ["echo"], extensions=["permessage-deflate"])
    for frame in frames:
        client.conn.send_frame(frame)
    await client.flush()
    close = await client.close_received()
    assert close.code == 1002


@pytest.mark.parametrize(
    ("offer", "verbatim"),
    [
        ("permessage-deflate", True),
        ("permessage-deflate; client_no_context_takeover; server_no_context_takeover", True),
        ("permessage-deflate; server_no_context_takeover", False),
        ("permessage-deflate; client_max_window_bits; server_max_window_bits=9", False),
    ],
)
async def test_echo_sends_compressed_data_back_verbatim_only_where_it_may(
    server: ReferenceServer, offer: str, verbatim: bool
) -> None:
    """Messages that lean on each other (context takeover on the client's side): wherever the agreement
    lets the client's stream go back as it came, it does; elsewhere the server recompresses, and the client
    still inflates every echo."""
    client = await connect(server.port, Draft.RFC6455, ["echo"], extensions=[offer], frames=True)
    assert client.conn.deflate is not None and client.conn.deflate.echoes_verbatim is verbatim
    data = random.Random(5).randbytes(2000)
    for n in range(5):
        message = data[n * 100 :] + data[: n * 100]
        sent = client.conn.frames_of_message(Kind.BINARY, message, fragment_size=300)
        for frame in sent:
            client.conn.send_frame(frame)
        await client.flush()
        fragments = await client.fragments()
        assert b"".join(f.data for f in fragments) == message
        same = [f.frame.payload for f in fragments] == [f.payload for f in sent]
        assert same is verbatim
        assert await client.next_event() == BinaryMessage(message, len(fragments))
    await client.close()
