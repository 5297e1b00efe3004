"""harness.agents.link: a wire Connection on an asyncio transport, against peers that answer anything."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from harness.agents.link import Link, connect
from wire import (
    ClientHandshake,
    CloseReceived,
    Connection,
    ConnectionClosed,
    Draft,
    Event,
    Frame,
    HandshakeAccepted,
    HandshakeInvalid,
    HandshakeRejected,
    HandshakeRequest,
    State,
    TextMessage,
)

from .. import peers
from ..peers import Handler, Peer

TIMEOUT = 10.0  # a ceiling, never a wait
FIRST = b"\x81\x02hi"  # bytes right after the handshake: the first frame
REJECTED = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 10\r\n\r\nno thanks\n"


class Seen:
    """What a Link reported: its events, its wire log and its errors, and a way to wait for them."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.wire: list[tuple[str, bytes]] = []
        self.errors: list[str] = []
        self.changed = asyncio.Event()

    def on_events(self, events: list[Event]) -> None:
        self.events += events
        self.changed.set()

    async def until(self, done: Callable[[], bool]) -> None:
        async with asyncio.timeout(TIMEOUT):
            while not done():
                self.changed.clear()
                await self.changed.wait()


@asynccontextmanager
async def linked(handler: Handler, draft: Draft = Draft.RFC6455) -> AsyncIterator[tuple[Link, Seen, ClientHandshake]]:
    seen = Seen()
    async with Peer(handler) as peer:
        hs = ClientHandshake.build(draft, f"127.0.0.1:{peer.port}", "/", protocols=("echo",))
        conn = Connection.client(hs)
        link = await connect(
            "127.0.0.1",
            peer.port,
            lambda: Link(
                conn,
                seen.on_events,
                on_wire=lambda way, data: seen.wire.append((way, data)),
                on_error=seen.errors.append,
            ),
        )
        await link.send()
        try:
            yield link, seen, hs
        finally:
            await link.aclose()


def answering(reply: Callable[[HandshakeRequest], bytes]) -> Handler:
    """Read the request (and key3), send `reply(request)` in one write, then close."""

    async def handle(link: peers.Link) -> None:
        link.send(reply(await link.read_request()))

    return handle


def accepting(link: peers.Link, request: HandshakeRequest) -> bytes:
    link.conn.accept(request.protocols[0])
    return link.conn.data_to_send()


@pytest.mark.parametrize("draft", list(Draft))
async def test_accepted_in_every_draft_with_the_first_frame(draft: Draft) -> None:
    async def handle(link: peers.Link) -> None:
        request = await link.read_request()
        link.conn.accept(request.protocols[0])
        link.conn.send_text("hi")
        link.flush()
        await link.until_eof()

    async with linked(handle, draft) as (link, seen, hs):
        await seen.until(lambda: len(seen.events) >= 2)
        accepted, first = seen.events[:2]
        assert isinstance(accepted, HandshakeAccepted) and accepted.accepted.protocol == "echo"
        assert first == TextMessage("hi")
        assert link.conn.state is State.OPEN and not link.over
        # on_wire saw the request, then every byte read
        assert seen.wire[0] == ("out", hs.to_bytes())
        assert {way for way, _ in seen.wire[1:]} == {"in"}
        assert b"".join(data for _, data in seen.wire[1:]).startswith(accepted.head + accepted.answer)


async def test_closed_before_a_whole_head() -> None:
    async with linked(answering(lambda _: b"HTTP/1.1 101 Switch")) as (link, seen, _):
        await seen.until(lambda: link.ended)
    assert seen.events == [ConnectionClosed(False)]
    assert link.conn.state is State.CLOSED and link.over


async def test_an_answer_that_is_not_http() -> None:
    async with linked(peers.not_http) as (link, seen, _):
        await seen.until(lambda: bool(seen.events))
        (invalid,) = seen.events
        assert isinstance(invalid, HandshakeInvalid) and invalid.head == peers.NOT_HTTP
        assert link.over


async def test_a_rejection_keeps_its_body() -> None:
    async with linked(answering(lambda _: REJECTED)) as (_, seen, _):
        await seen.until(lambda: bool(seen.events))
    rejected = seen.events[0]
    assert isinstance(rejected, HandshakeRejected)
    assert (rejected.response.status, rejected.body) == (403, b"no thanks\n")


async def test_a_101_that_does_not_fit_the_request() -> None:
    async with linked(peers.wrong_accept) as (_, seen, _):
        await seen.until(lambda: bool(seen.events))
    invalid = seen.events[0]
    assert isinstance(invalid, HandshakeInvalid)
    assert invalid.reason.startswith(f"Sec-WebSocket-Accept is '{peers.BAD_ACCEPT}'")


async def test_answers_go_out_at_once() -> None:
    """The reply to the peer's close leaves inside the callback that read the close."""

    async def handle(link: peers.Link) -> None:
        conn = await link.handshake(auto_close=False)
        conn.send_close(1001)
        link.flush()
        async for event in link.events():
            if isinstance(event, CloseReceived):
                assert event.code == 1001
                return

    async with linked(handle) as (link, seen, _):
        await seen.until(lambda: link.ended)
    assert [type(e) for e in seen.events] == [HandshakeAccepted, CloseReceived, ConnectionClosed]
    assert seen.events[-1] == ConnectionClosed(clean=True)


async def test_sending_stops_at_the_peers_close() -> None:
    """A peer that closes and then reads nothing more: a long write stops at its close instead of
    waiting forever for room in the socket (without the stop, send() never returns)."""
    done = asyncio.Event()

    async def handle(link: peers.Link) -> None:
        conn = await link.handshake()
        conn.send_close(1009)
        link.flush()
        await done.wait()  # reads nothing: the client's bytes pile up in the socket buffers

    size = 24 * 2**20
    async with linked(handle) as (link, seen, _):
        await seen.until(lambda: link.conn.state is not State.CONNECTING)
        link.conn.send_frame(Frame(0x2, bytes(size)))  # a frame: the close may have come already
        try:
            await asyncio.wait_for(link.send(), TIMEOUT)
            assert link.over and link.conn.close_received is not None
            written = sum(len(data) for way, data in seen.wire[1:] if way == "out")
            assert written < size - 2**20  # the socket buffers hold a few MiB at most
        finally:
            done.set()


async def test_a_reset_is_reported_once() -> None:
    async with linked(peers.resetter) as (link, seen, _):
        await seen.until(lambda: link.conn.state is State.OPEN)
        link.conn.send_text("x")
        await link.send()
        await seen.until(lambda: link.ended)
    assert len(seen.errors) <= 1 and all(e.startswith("connection reset") for e in seen.errors)
    assert isinstance(seen.events[-1], ConnectionClosed)


async def test_closing_it_ourselves_is_not_reported() -> None:
    async with linked(peers.silent) as (link, seen, _):
        await seen.until(lambda: link.conn.state is State.OPEN)
        await link.aclose()
        assert link.closed.done()
    assert [type(e) for e in seen.events] == [HandshakeAccepted]


async def test_connect_refused() -> None:
    with pytest.raises(OSError):
        await connect(
            "127.0.0.1",
            peers.closed_port(),
            lambda: Link(Connection.client(ClientHandshake.build(Draft.RFC6455, "h")), lambda _: None),
        )


async def test_closing_drops_what_a_gone_peer_will_not_read() -> None:
    """The peer closed and reads nothing more: closing our side does not wait for it to read."""
    done = asyncio.Event()

    async def handle(link: peers.Link) -> None:
        conn = await link.handshake()
        link.writer.transport.pause_reading()  # reads nothing more: what the client writes piles up
        conn.send_close(1009)
        link.flush()
        link.writer.write_eof()
        await done.wait()

    async with linked(handle) as (link, seen, _):
        await seen.until(lambda: link.ended)
        link.conn.send_frame(Frame(0x2, bytes(8 * 2**20)))
        link.flush()  # past the end of TCP: the bytes stay in the transport's buffer
        assert link.transport is not None and link.transport.get_write_buffer_size() > 0
        try:
            async with asyncio.timeout(1.0):  # a ceiling: without the drop, closing waits for the peer
                await link.aclose()
        finally:
            done.set()
