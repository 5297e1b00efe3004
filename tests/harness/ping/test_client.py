"""harness.ping.client: one connection's messages, replies, losses and closing, against real and fake servers."""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from harness.ping import run
from server.app import ReferenceServer
from server.config import ServerConfig
from wire import (
    ClientHandshake,
    CloseReceived,
    Connection,
    Draft,
    HandshakeAccepted,
    HandshakeRequest,
    ServerAccept,
    State,
    TextMessage,
)

from .support import REPLY, TIMEOUT, Handler, fake_server, parse, ping_server, summary


@pytest.mark.parametrize(
    ("draft", "closing"),
    [
        ("rfc6455", ["client=1 > close code=1000", "client=1 < close code=1000"]),
        ("hybi-06", ["client=1 > close code=1000", "client=1 < close code=1000"]),
        ("hixie-76", ["client=1 > close", "client=1 < close"]),
        ("hixie-75", []),  # no closing handshake: the client just ends TCP
    ],
)
async def test_verbose_shows_handshake_frames_and_closing_handshake(
    server: ReferenceServer, draft: str, closing: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert await ping_server(server, "--draft", draft, "--count", "1", "--verbose") == 0
    lines = capsys.readouterr().out.splitlines()
    assert "client=1 > GET / HTTP/1.1" in lines
    assert any(line.startswith("client=1 < HTTP/1.1 101 ") for line in lines)
    assert any(re.match(r"client=1 > text fin=1 len=64 b'[a-z]{4}-1:1:abc", line) for line in lines)
    assert any(re.match(r"client=1 < text fin=1 len=64 ", line) for line in lines)
    assert [line for line in lines if " close" in line] == closing


@pytest.mark.parametrize(("protocol", "frames"), [("echo", 4), ("echo-fragment", 2), ("echo-assemble", 1)])
async def test_fragments_sent_and_frames_per_reply(
    server: ReferenceServer, protocol: str, frames: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """echo returns each frame as it came, echo-fragment each message in two, echo-assemble in one."""
    argv = ("--protocol", protocol, "--fragment", "8", "--size", "32", "--count", "3")
    assert await ping_server(server, *argv) == 0
    out = capsys.readouterr().out
    assert "fragments of 8 bytes" in out.splitlines()[0]
    assert summary(out) == (3, 3, 0.0, 12, 3 * frames)
    assert {(size, f) for size, _, _, f in REPLY.findall(out)} == {("32", str(frames))}


@pytest.mark.parametrize("draft", ["rfc6455", "hybi-07", "hybi-06"])
async def test_binary_messages(server: ReferenceServer, draft: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("--draft", draft, "--binary", "--fragment", "10", "--size", "25", "--count", "3", "--verbose")
    assert await ping_server(server, *argv) == 0
    out = capsys.readouterr().out
    assert f"({draft}, protocol echo, binary, fragments of 10 bytes)" in out
    assert summary(out) == (3, 3, 0.0, 9, 9)
    assert any(line.startswith("client=1 < binary fin=0 len=10 ") for line in out.splitlines())
    assert {f for *_, f in REPLY.findall(out)} == {"3"}


async def test_broadcast_counts_own_replies_only(server: ReferenceServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert await ping_server(server, "--protocol", "echo-broadcast", "--clients", "3", "--count", "3") == 0
    out = capsys.readouterr().out
    assert "3 clients" in out.splitlines()[0]
    assert summary(out)[:3] == (9, 9, 0.0)
    replies = {(client, seq) for _, client, seq, _ in REPLY.findall(out)}
    assert replies == {(str(c), str(s)) for c in (1, 2, 3) for s in (1, 2, 3)}


class Stranger:
    """A raw rfc6455 client in the broadcast room (a chat user, or another run)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, conn: Connection) -> None:
        self.reader, self.writer, self.conn = reader, writer, conn
        self.texts: deque[str] = deque()

    @classmethod
    @asynccontextmanager
    async def join(cls, port: int) -> AsyncIterator[Stranger]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        hs = ClientHandshake.build(Draft.RFC6455, f"127.0.0.1:{port}", "/", protocols=("echo-broadcast",))
        stranger = cls(reader, writer, Connection.client(hs))
        writer.write(stranger.conn.data_to_send())
        while stranger.conn.state is State.CONNECTING:
            stranger.conn.receive_data(await reader.read(1 << 16))
        assert isinstance(stranger.conn.events()[0], HandshakeAccepted)
        try:
            yield stranger
        finally:
            writer.close()

    async def next_text(self) -> str:
        while not self.texts:
            self.conn.receive_data(await self.reader.read(1 << 16))
            self.texts.extend(e.data for e in self.conn.events() if isinstance(e, TextMessage))
        return self.texts.popleft()

    async def say(self, text: str) -> None:
        self.conn.send_text(text)
        self.writer.write(self.conn.data_to_send())
        await self.writer.drain()


async def test_broadcast_from_strangers_is_not_taken_for_replies(
    server: ReferenceServer, capsys: pytest.CaptureFixture[str]
) -> None:
    async with Stranger.join(server.port) as alice:
        argv = (server.ws_url, "--protocol", "echo-broadcast", "--clients", "2", "--count", "3", "--delay", "0.3")
        pinging = asyncio.create_task(run(parse(*argv)))
        first = await asyncio.wait_for(alice.next_text(), TIMEOUT)
        assert re.match(r"[a-z]{4}-[12]:1:abc", first)  # the run is in the room
        await alice.say("alice:1:hello")  # looks like a header: a client id and a seq
        status = await asyncio.wait_for(pinging, TIMEOUT)
    out = capsys.readouterr().out
    assert status == 0
    assert summary(out)[:3] == (6, 6, 0.0)
    others = re.search(r"^(\d+) broadcast from others$", out, re.MULTILINE)
    assert others is not None
    assert int(others[1]) >= 2  # alice's message reached both clients


async def test_null_protocol_every_message_lost(server: ReferenceServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert await ping_server(server, "--protocol", "none", "--timeout", "0.2", "--count", "2") == 1
    out = capsys.readouterr().out
    assert "(rfc6455, no protocol)" in out.splitlines()[0]
    assert "no reply for seq=1 within 0.2 s" in out
    assert "no reply for seq=2 within 0.2 s" in out
    assert summary(out)[:3] == (2, 0, 100.0)
    assert "no reply to any message: the server selected no subprotocol" in out
    assert "rtt " not in out


async def test_server_closing_midway_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    async with ReferenceServer(ServerConfig(port=0, idle_timeout=0.2)) as srv:
        argv = (srv.ws_url, "--protocol", "none", "--count", "0", "--delay", "2")
        status = await asyncio.wait_for(run(parse(*argv)), TIMEOUT)
    out, err = capsys.readouterr()
    assert status == 2
    assert err.splitlines() == ["wsinterop ping: the server closed the connection (code 1001)"]
    assert summary(out)[:2] == (1, 0)


def bad_closer(*, drop: bool) -> Handler:
    """Accept the handshake, never echo; on the client's close frame drop TCP (drop) or ignore it."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = Connection.server(auto_close=False)
        conn.receive_data(await reader.readuntil(b"\r\n\r\n"))
        assert isinstance(conn.events()[0], HandshakeRequest)
        assert isinstance(conn.accept(), ServerAccept)
        writer.write(conn.data_to_send())
        while data := await reader.read(1 << 16):
            conn.receive_data(data)
            if drop and any(isinstance(e, CloseReceived) for e in conn.events()):
                break
        writer.close()

    return handle


@pytest.mark.parametrize(
    ("drop", "complaint"),
    [
        (True, "the server ended TCP without answering our close"),
        (False, "the server did not finish the closing handshake within 0.2 s"),
    ],
)
async def test_bad_closing_is_reported(drop: bool, complaint: str, capsys: pytest.CaptureFixture[str]) -> None:
    async with fake_server(bad_closer(drop=drop)) as port:
        argv = (f"ws://127.0.0.1:{port}/", "--protocol", "none", "--count", "1", "--timeout", "0.2")
        status = await asyncio.wait_for(run(parse(*argv)), TIMEOUT)
    out, err = capsys.readouterr()
    assert status == 1  # the message was lost; the closing trouble is reported, not counted
    assert err.splitlines() == [f"wsinterop ping: {complaint}"]
    assert summary(out)[:3] == (1, 0, 100.0)
