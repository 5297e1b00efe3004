"""server.protocols: every subprotocol behaviour in every draft that can express it, over real TCP."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import pytest

from server.app import ReferenceServer
from server.config import ServerConfig
from server.protocols import BEHAVIORS, Behavior, Echo, EchoAssemble, EchoBroadcast, EchoBroadcastPing, EchoFragment
from server.protocols import select_protocol as server_select_protocol
from wire import (
    BinaryMessage,
    Close,
    CloseReceived,
    Connection,
    ConnectionClosed,
    Draft,
    Event,
    Family,
    Fragment,
    Frame,
    Ignored,
    Kind,
    Ping,
    Pong,
    Side,
    TextMessage,
    encode,
)

from .support import ALL_DRAFTS, HIXIE_DRAFTS, HYBI_DRAFTS, Client, connect, draft_id

if TYPE_CHECKING:
    from server.session import Session

LIMIT = 64 * 1024


@pytest.fixture
async def server() -> AsyncIterator[ReferenceServer]:
    async with ReferenceServer(ServerConfig(port=0, ping_interval=0.2)) as running:
        yield running


def shape(frames: list[Fragment]) -> list[tuple[int, bytes, bool]]:
    return [(f.frame.opcode, f.frame.payload, f.fin) for f in frames]


def data_frames(draft: Draft, kind: Kind, parts: list[bytes]) -> list[tuple[int, bytes, bool]]:
    """What a message of `parts` looks like frame by frame in `draft`."""
    info = draft.info
    return [
        (info.opcode(kind if i == 0 else Kind.CONTINUATION), part, i == len(parts) - 1) for i, part in enumerate(parts)
    ]


async def send_parts(client: Client, kind: Kind, parts: list[bytes]) -> None:
    for frame in data_frames(client.draft, kind, parts):
        client.conn.send_frame(Frame(frame[0], frame[1], fin=frame[2]))
    await client.flush()


# --- echo ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.TEXT, Kind.BINARY])
@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_echo_keeps_fragmentation_frame_by_frame(server: ReferenceServer, draft: Draft, kind: Kind) -> None:
    client = await connect(server.port, draft, ["echo"], frames=True, assemble=False)
    parts = [b"abc", b"", b"defgh"]
    # each fragment comes back before the next one is sent: echoed as it arrives, not when the message ends
    for index, part in enumerate(parts):
        info = draft.info
        opcode = info.opcode(kind if index == 0 else Kind.CONTINUATION)
        client.conn.send_frame(Frame(opcode, part, fin=index == len(parts) - 1))
        await client.flush()
        event = await client.next_event()
        assert isinstance(event, Fragment), event
        assert shape([event]) == [data_frames(draft, kind, parts)[index]]
        assert event.kind is kind
    assert await client.close() == CloseReceived(Close(1000), b"\x03\xe8")


@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_echo_three_fragments_in_three_out(server: ReferenceServer, draft: Draft) -> None:
    client = await connect(server.port, draft, ["echo"], frames=True, assemble=False)
    await client.send_text("abcdefghi", fragment_size=3)
    assert shape(await client.fragments()) == data_frames(draft, Kind.TEXT, [b"abc", b"def", b"ghi"])
    await client.close()


@pytest.mark.parametrize("draft", HIXIE_DRAFTS, ids=draft_id)
async def test_echo_hixie_text(server: ReferenceServer, draft: Draft) -> None:
    client = await connect(server.port, draft, ["echo"])
    for text in ("hello", "héllo wörld ✓", ""):
        await client.send_text(text)
        assert await client.message() == text
    await client.close()


# --- echo-assemble -------------------------------------------------------------------------------


@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_assemble_fragmented_in_one_frame_out(server: ReferenceServer, draft: Draft) -> None:
    client = await connect(server.port, draft, ["echo-assemble"], frames=True, assemble=False)
    await client.send_text("abcdefghi", fragment_size=3)
    assert shape(await client.fragments()) == data_frames(draft, Kind.TEXT, [b"abcdefghi"])
    await client.send_binary(b"\x00\xff" * 5, fragment_size=4)
    assert shape(await client.fragments()) == data_frames(draft, Kind.BINARY, [b"\x00\xff" * 5])
    await client.close()


@pytest.mark.parametrize("fragment_size", [None, LIMIT // 2], ids=["whole", "fragmented"])
@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_assemble_limit_hybi(server: ReferenceServer, draft: Draft, fragment_size: int | None) -> None:
    client = await connect(server.port, draft, ["echo-assemble"])
    data = bytes(range(256)) * (LIMIT // 256)
    assert len(data) == LIMIT
    await client.send_binary(data, fragment_size=fragment_size)
    assert await client.message() == data
    await client.send_binary(data + b"!", fragment_size=fragment_size)
    events = await client.tcp_closed()
    expected = 1009 if draft is Draft.RFC6455 else 1004
    assert draft.info.too_big_code == expected
    assert [type(e) for e in events] == [CloseReceived, ConnectionClosed]
    assert isinstance(events[0], CloseReceived) and events[0].code == expected


@pytest.mark.parametrize("draft", HIXIE_DRAFTS, ids=draft_id)
async def test_assemble_limit_hixie(server: ReferenceServer, draft: Draft) -> None:
    client = await connect(server.port, draft, ["echo-assemble"])
    text = "x" * LIMIT
    await client.send_text(text)
    assert await client.message() == text
    await client.send_text(text + "!")
    events = await client.tcp_closed()
    if draft is Draft.HIXIE_76:  # FF 00, then TCP close
        assert events == [CloseReceived(Close()), ConnectionClosed(clean=True)]
    else:  # hixie-75 has no closing frame: just the end of TCP
        assert [type(e) for e in events] == [ConnectionClosed]


# --- echo-fragment -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "data", "halves"),
    [
        (Kind.TEXT, b"abcdefg", [b"abc", b"defg"]),
        (Kind.BINARY, b"\x01\x02\x03\x04", [b"\x01\x02", b"\x03\x04"]),
        (Kind.TEXT, b"x", [b"", b"x"]),
    ],
)
@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_fragment_answers_in_two_halves(
    server: ReferenceServer, draft: Draft, kind: Kind, data: bytes, halves: list[bytes]
) -> None:
    client = await connect(server.port, draft, ["echo-fragment"], frames=True, assemble=True)
    await send_parts(client, kind, [data[:1], data[1:]])  # arrives fragmented, assembled first
    assert shape(await client.fragments()) == data_frames(draft, kind, halves)
    assert (await client.message()) == (data.decode() if kind is Kind.TEXT else data)
    await client.close()


@pytest.mark.parametrize("draft", HIXIE_DRAFTS, ids=draft_id)
async def test_fragment_hixie_whole(server: ReferenceServer, draft: Draft) -> None:
    client = await connect(server.port, draft, ["echo-fragment"], frames=True, assemble=False)
    await client.send_text("abcdefg")
    assert shape(await client.fragments()) == [(0x00, b"abcdefg", True)]
    await client.close()


# --- echo-broadcast ------------------------------------------------------------------------------


async def test_broadcast_across_drafts(server: ReferenceServer) -> None:
    room = {
        d: await connect(server.port, d, ["echo-broadcast"]) for d in (Draft.HIXIE_76, Draft.RFC6455, Draft.HYBI_07)
    }
    bystander = await connect(server.port, Draft.RFC6455, ["echo"])  # another protocol: not in the room
    for sender in room.values():
        text = f"from {sender.draft.value} ✓"
        await sender.send_text(text)
        for receiver in room.values():  # everyone, the sender included
            assert await receiver.message() == text, receiver.draft
    # binary: to the hybi peers, not to hixie (which has no binary messages)
    for sender in (room[Draft.RFC6455], room[Draft.HYBI_07]):
        data = f"bin {sender.draft.value}".encode() + b"\x00\xff"
        await sender.send_binary(data)
        assert await room[Draft.RFC6455].message() == data
        assert await room[Draft.HYBI_07].message() == data
    await room[Draft.HIXIE_76].send_text("marker")
    for receiver in room.values():
        assert await receiver.message() == "marker", receiver.draft  # hixie: nothing came before it
    await bystander.send_text("alone")
    assert await bystander.message() == "alone"  # no broadcast reached the echo client
    for client in (*room.values(), bystander):
        await client.close()


async def test_broadcast_peer_leaving(server: ReferenceServer) -> None:
    a = await connect(server.port, Draft.RFC6455, ["echo-broadcast"])
    b = await connect(server.port, Draft.RFC6455, ["echo-broadcast"])
    await b.close()
    await a.send_text("still here")
    assert await a.message() == "still here"
    await a.close()


@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_broadcast_ping_sends_pings(server: ReferenceServer, draft: Draft) -> None:
    client = await connect(server.port, draft, ["echo-broadcast-ping"])
    assert await client.ping() == b"1"
    assert await client.ping() == b"2"  # answered with pongs by the client's wire layer meanwhile
    await client.send_text("and broadcasts")
    events = await client.events_until(TextMessage)
    assert events[-1] == TextMessage("and broadcasts")
    assert all(isinstance(e, Ping) for e in events[:-1])
    await client.close()


@pytest.mark.parametrize("draft", HIXIE_DRAFTS, ids=draft_id)
async def test_broadcast_ping_no_pings_in_hixie(server: ReferenceServer, draft: Draft) -> None:
    hixie = await connect(server.port, draft, ["echo-broadcast-ping"])
    clock = await connect(server.port, Draft.RFC6455, ["echo-broadcast-ping"])
    assert await clock.ping() == b"1"
    assert await clock.ping() == b"2"  # two ping intervals have passed for the hixie client too
    await hixie.send_text("marker")
    assert await hixie.events_until(TextMessage) == [TextMessage("marker")]  # no ping, nor anything Ignored
    await hixie.close()
    await clock.close()


# --- silent -------------------------------------------------------------------------------------


@pytest.mark.parametrize("offered", [(), ("x-unknown",), ("Echo",)], ids=["none", "unknown", "wrong-case"])
@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_silent_only_pong(server: ReferenceServer, draft: Draft, offered: tuple[str, ...]) -> None:
    client = await connect(server.port, draft, offered)
    assert client.accepted.protocol is None
    assert "Sec-WebSocket-Protocol" not in client.response.headers
    await client.send_text("hello")
    await client.send_binary(b"bin")
    await client.send_ping(b"p")
    assert await client.next_event() == Pong(b"p")
    assert await client.close() == CloseReceived(Close(1000), b"\x03\xe8")


@pytest.mark.parametrize("offered", [(), ("x-unknown",)], ids=["none", "unknown"])
@pytest.mark.parametrize("draft", HIXIE_DRAFTS, ids=draft_id)
async def test_silent_hixie(draft: Draft, offered: tuple[str, ...]) -> None:
    # no pings in hixie: the idle timeout ends the connection, and nothing may come before its close
    async with ReferenceServer(ServerConfig(port=0, idle_timeout=0.3)) as server:
        client = await connect(server.port, draft, offered)
        assert client.accepted.protocol is None
        assert not {"Sec-WebSocket-Protocol", "WebSocket-Protocol"} & {k for k, _ in client.response.headers}
        await client.send_text("hello")
        events = await client.tcp_closed()
        expected: list[object] = [ConnectionClosed(clean=True)]
        if draft is Draft.HIXIE_76:
            expected.insert(0, CloseReceived(Close()))
        assert events == expected
        await client.abort()


async def test_first_known_offer_selected(server: ReferenceServer) -> None:
    client = await connect(server.port, Draft.RFC6455, ["x-unknown", "echo-assemble", "echo"])
    assert client.accepted.protocol == "echo-assemble"
    assert client.response.headers.get("Sec-WebSocket-Protocol") == "echo-assemble"
    await client.close()


def test_select_protocol_table() -> None:
    assert server_select_protocol(["nope", "lws-mirror-protocol"]) == "lws-mirror-protocol"
    assert server_select_protocol(["ECHO"]) is None
    assert server_select_protocol([]) is None
    assert isinstance(Behavior.for_protocol(None), Behavior) and type(Behavior.for_protocol("x")) is Behavior


@pytest.mark.parametrize("draft", ALL_DRAFTS, ids=draft_id)
async def test_selected_protocol_header_per_draft(server: ReferenceServer, draft: Draft) -> None:
    client = await connect(server.port, draft, ["echo"])
    header = "WebSocket-Protocol" if draft is Draft.HIXIE_75 else "Sec-WebSocket-Protocol"
    assert client.response.headers.get(header) == "echo"
    assert client.accepted.protocol == "echo"
    await client.close()


# --- aliases -------------------------------------------------------------------------------------

ALIASES = {
    "org.ietf.websocket.test-echo": Echo,
    "lws-mirror-protocol": Echo,
    "org.ietf.websocket.test-echo-assemble": EchoAssemble,
    "org.ietf.websocket.test-echo-fragment": EchoFragment,
    "org.ietf.websocket.test-echo-broadcast": EchoBroadcast,
    "org.ietf.websocket.test-echo-broadcast-ping": EchoBroadcastPing,
}


def test_alias_table_complete() -> None:
    names = {cls.name for cls in ALIASES.values()}
    assert set(BEHAVIORS) == set(ALIASES) | names


@pytest.mark.parametrize("alias", sorted(ALIASES))
async def test_alias_behaves_as_its_protocol(server: ReferenceServer, alias: str) -> None:
    behavior = ALIASES[alias]
    draft = Draft.RFC6455
    client = await connect(server.port, draft, ["x-unknown", alias], frames=True, assemble=True)
    assert client.accepted.protocol == alias
    assert client.response.headers.get("Sec-WebSocket-Protocol") == alias
    client.skip = (Ping,)  # echo-broadcast-ping's pings may come at any time; checked at the end
    peer = await connect(server.port, draft, [behavior.name or ""]) if issubclass(behavior, EchoBroadcast) else None
    if peer is not None:
        peer.skip = (Ping,)
    await client.send_text("abcdefghi", fragment_size=3)
    frames = shape(await client.fragments())
    if behavior is Echo:
        assert frames == data_frames(draft, Kind.TEXT, [b"abc", b"def", b"ghi"])
    elif behavior is EchoFragment:
        assert frames == data_frames(draft, Kind.TEXT, [b"abcd", b"efghi"])
    else:
        assert frames == data_frames(draft, Kind.TEXT, [b"abcdefghi"])
    if behavior is not Echo:  # whole messages: the client's own assembly follows the frames
        assert await client.message() == "abcdefghi"
    if peer is not None:  # a room shared with the canonical name
        assert await peer.message() == "abcdefghi"
        await peer.send_text("back")
        assert await peer.message() == "back"
        assert shape(await client.fragments()) == data_frames(draft, Kind.TEXT, [b"back"])
        assert await client.message() == "back"
        await peer.close()
    if behavior is EchoBroadcastPing:
        client.skip = ()
        first_ping = client.skipped[0] if client.skipped else await client.next_event()
        assert first_ping == Ping(b"1")
    else:
        assert client.skipped == []
    await client.close()


# --- pings and closes ----------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["echo", "echo-assemble", None])
@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_ping_answered_with_same_payload(server: ReferenceServer, draft: Draft, protocol: str | None) -> None:
    client = await connect(server.port, draft, [protocol] if protocol else [])
    for payload in (b"", b"abc", bytes(range(125))):
        await client.send_ping(payload)
        assert await client.pong() == payload
    await client.close()


@pytest.mark.parametrize("code", [1000, 3000, 4999, None])
@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_close_answered_with_received_code(server: ReferenceServer, draft: Draft, code: int | None) -> None:
    client = await connect(server.port, draft, ["echo"])
    answer = await client.close(code)
    assert answer is not None
    assert answer.code == code
    assert answer.payload == (b"" if code is None else code.to_bytes(2, "big"))


@pytest.mark.parametrize("payload", [(1005).to_bytes(2, "big"), (999).to_bytes(2, "big"), b"\x03"])
@pytest.mark.parametrize("draft", HYBI_DRAFTS, ids=draft_id)
async def test_invalid_close_answered_with_1002(server: ReferenceServer, draft: Draft, payload: bytes) -> None:
    client = await connect(server.port, draft, ["echo"])
    client.conn.send_frame(Frame(draft.info.opcode(Kind.CLOSE), payload))
    await client.flush()
    events = await client.tcp_closed()
    closes = [e for e in events if isinstance(e, CloseReceived)]
    assert [c.code for c in closes] == [1002]


async def test_hixie76_close_answered(server: ReferenceServer) -> None:
    client = await connect(server.port, Draft.HIXIE_76, ["echo"])
    await client.send_text("before")
    assert await client.message() == "before"
    assert await client.close() == CloseReceived(Close())


async def test_data_after_close_not_echoed(server: ReferenceServer) -> None:
    client = await connect(server.port, Draft.RFC6455, ["echo"])
    client.conn.send_close(1000)
    client.conn.send_frame(Frame(0x1, b"late"))
    await client.flush()
    events = await client.tcp_closed()
    assert not [e for e in events if isinstance(e, TextMessage | BinaryMessage | Fragment | Ignored)]
    assert [e.code for e in events if isinstance(e, CloseReceived)] == [1000]


def test_on_event_queues_answers_without_a_coroutine() -> None:
    """Behaviours answer synchronously (on_event returns None: no coroutine per event); a broadcast,
    which drains its peers, returns the awaitable for the session to wait on."""
    conn = Connection(Draft.RFC6455, Side.SERVER)
    session = cast("Session", SimpleNamespace(conn=conn))
    frame = Frame(0x1, b"hi", mask=b"abcd")
    behaviors: list[tuple[Behavior, Event]] = [
        (Echo(), Fragment(Kind.TEXT, frame, True, b"hi")),
        (EchoAssemble(), TextMessage("hi")),
        (EchoFragment(), BinaryMessage(b"hey")),
        (Behavior(), Ping(b"")),
        (EchoBroadcast(), Ping(b"")),
    ]
    for behavior, event in behaviors:
        assert behavior.on_event(session, event) is None
    expected = [Frame(0x1, b"hi"), Frame(0x1, b"hi"), Frame(0x2, b"h", fin=False), Frame(0x0, b"ey")]
    assert conn.data_to_send() == b"".join(encode(f, Family.HYBI07) for f in expected)
    waiting = EchoBroadcast().on_event(session, TextMessage("all"))
    assert inspect.iscoroutine(waiting)
    waiting.close()
