"""harness.ping: `python -m harness ping` against the in-process reference server (and a few fakes)."""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import socket
import sys
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from harness import ping
from harness.ping import Stats, Target, add_arguments, make_payload, parse_header, parse_url, run, summary_lines
from harness.wire import (
    ClientHandshake,
    CloseReceived,
    Connection,
    Draft,
    ServerAccept,
    Side,
    TextMessage,
    accept,
    find_head_end,
    parse_request,
    parse_response,
)
from server.app import ReferenceServer
from server.config import ServerConfig

TIMEOUT = 10.0  # a ceiling, never a wait
ROOT = Path(__file__).resolve().parents[2]
SUMMARY = re.compile(
    r"(\d+) messages sent, (\d+) received, ([\d.]+)% loss, (\d+) frames sent, (\d+) frames received, time \d+ ms"
)
REPLY = re.compile(r"^(\d+) bytes from ws://\S+: client=(\d+) seq=(\d+) frames=(\d+) time=[\d.]+ ms$", re.MULTILINE)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ping")
    add_arguments(parser)
    return parser.parse_args(list(argv))


def summary(text: str) -> tuple[int, int, float, int, int]:
    match = SUMMARY.search(text)
    assert match is not None, text
    sent, received, loss, frames_sent, frames_received = match.groups()
    return int(sent), int(received), float(loss), int(frames_sent), int(frames_received)


@pytest.fixture
async def server() -> AsyncIterator[ReferenceServer]:
    async with ReferenceServer(ServerConfig(port=0)) as srv:
        yield srv


async def ping_server(srv: ReferenceServer, *argv: str) -> int:
    return await asyncio.wait_for(run(parse(srv.ws_url, "--delay", "0", *argv)), TIMEOUT)


# --- against the reference server -----------------------------------------------------------------------


@pytest.mark.parametrize("draft", [d.value for d in Draft])
async def test_every_draft_echoes_and_closes_cleanly(
    server: ReferenceServer, draft: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await ping_server(server, "--draft", draft, "--count", "3") == 0
    out, err = capsys.readouterr()
    assert err == ""  # no closing trouble, no notes
    assert out.splitlines()[0] == f"PING {server.ws_url} ({draft}, protocol echo): 64 bytes, 1 client"
    assert summary(out) == (3, 3, 0.0, 3, 3)
    replies = REPLY.findall(out)
    assert [(size, seq, frames) for size, _, seq, frames in replies] == [("64", str(s), "1") for s in (1, 2, 3)]
    assert f"--- {server.ws_url} ping statistics ---" in out
    assert re.search(r"^rtt min/avg/max/mdev = [\d.]+/[\d.]+/[\d.]+/[\d.]+ ms$", out, re.MULTILINE)


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
        writer.write(hs.to_bytes())
        buffer = b""
        while (end := find_head_end(buffer)) is None:
            buffer += await reader.read(1 << 16)
        hs.check(parse_response(buffer[:end]))
        stranger = cls(reader, writer, Connection(Draft.RFC6455, Side.CLIENT))
        stranger.conn.receive_data(buffer[end:])
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


async def test_unknown_protocol_is_noted(server: ReferenceServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert await ping_server(server, "--protocol", "chat", "--timeout", "0.2", "--count", "1") == 1
    assert "the server selected no subprotocol (asked for 'chat')" in capsys.readouterr().err


async def test_server_closing_midway_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    async with ReferenceServer(ServerConfig(port=0, idle_timeout=0.2)) as srv:
        argv = (srv.ws_url, "--protocol", "none", "--count", "0", "--delay", "2")
        status = await asyncio.wait_for(run(parse(*argv)), TIMEOUT)
    out, err = capsys.readouterr()
    assert status == 2
    assert err.splitlines() == ["wsinterop ping: the server closed the connection (code 1001)"]
    assert summary(out)[:2] == (1, 0)


async def test_stop_ends_cleanly_with_summary(
    server: ReferenceServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (the stop event): no more sending; replies in flight arrive before the server's close."""
    stop = asyncio.Event()
    line = ping.Output.line
    replies = 0

    def counting(self: ping.Output, text: str) -> None:
        nonlocal replies
        line(self, text)
        replies += " bytes from " in text
        if replies == 5:
            stop.set()

    monkeypatch.setattr(ping.Output, "line", counting)
    status = await asyncio.wait_for(run(parse(server.ws_url, "--count", "0", "--delay", "0"), stop), TIMEOUT)
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    sent, received, loss, *_ = summary(out)
    assert sent >= 5
    assert (received, loss) == (sent, 0.0)


async def test_sigint_prints_summary(server: ReferenceServer) -> None:
    code = (
        "import argparse, sys; from harness import ping; p = argparse.ArgumentParser(); ping.add_arguments(p); "
        "sys.exit(ping.main(p.parse_args(sys.argv[1:])))"
    )
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-c", code, server.ws_url, "--count", "0", "--delay", "0.05"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    try:
        while b" bytes from " not in await asyncio.wait_for(proc.stdout.readline(), TIMEOUT):
            pass
        proc.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT)
    finally:
        if proc.returncode is None:
            proc.kill()
    assert (proc.returncode, err) == (0, b"")
    sent, received, *_ = summary(out.decode())
    assert sent == received >= 1


async def test_quiet_prints_only_the_summary(server: ReferenceServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert await ping_server(server, "--count", "2", "--quiet") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"--- {server.ws_url} ping statistics ---"
    assert len(lines) == 4  # statistics, rate, rtt


async def test_small_size_is_raised_to_the_header(server: ReferenceServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert await ping_server(server, "--size", "3", "--count", "2") == 0
    out, err = capsys.readouterr()
    assert re.fullmatch(r"wsinterop ping: --size 3 is smaller than the 9-byte header '[a-z]{4}-1:2:': sending 9\n", err)
    assert {size for size, *_ in REPLY.findall(out)} == {"9"}


async def test_host_port_path_options(server: ReferenceServer, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("--host", "127.0.0.1", "--port", str(server.port), "--path", "/room?x=1", "--count", "1", "--delay", "0")
    assert await run(parse(*argv)) == 0
    assert f"PING ws://127.0.0.1:{server.port}/room?x=1 (" in capsys.readouterr().out


# --- errors --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_unreachable_port(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    assert await run(parse(f"ws://127.0.0.1:{port}/", "--count", "1")) == 2
    out, err = capsys.readouterr()
    assert err == f"wsinterop ping: cannot connect to 127.0.0.1:{port}: Connection refused\n"
    assert "statistics" not in out


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def fake_server(handle: Handler) -> AsyncIterator[int]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


def answering(answer: bytes | None) -> Handler:
    """Read the request head, answer `answer` and close (None: say nothing until the client leaves)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if answer is not None:
            writer.write(answer)
        else:
            await reader.read()
        writer.close()

    return handle


def bad_closer(*, drop: bool) -> Handler:
    """Accept the handshake, never echo; on the client's close frame drop TCP (drop) or ignore it."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        result = accept(parse_request(await reader.readuntil(b"\r\n\r\n")))
        assert isinstance(result, ServerAccept)
        writer.write(result.to_bytes())
        conn = Connection(Draft.RFC6455, Side.SERVER, auto_close=False)
        while data := await reader.read(1 << 16):
            conn.receive_data(data)
            if drop and any(isinstance(e, CloseReceived) for e in conn.events()):
                break
        writer.close()

    return handle


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nno thanks\n",
            "handshake rejected: the server answered 403 Forbidden: no thanks",
        ),
        (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
            "invalid handshake answer from 127.0.0.1:{port}: Sec-WebSocket-Accept is None, expected",
        ),
        (b"HTTP/1.1 101 Switch", "the server closed the connection during the handshake"),
        (None, "no handshake answer from 127.0.0.1:{port} within 0.2 s"),
    ],
)
async def test_handshake_failures(answer: bytes | None, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    async with fake_server(answering(answer)) as port:
        status = await asyncio.wait_for(run(parse(f"ws://127.0.0.1:{port}/", "--timeout", "0.2")), TIMEOUT)
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("wsinterop ping: " + message.format(port=port))
    assert err.count("\n") == 1


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


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8080/", "'http://127.0.0.1:8080/' is not a WebSocket URL: use ws://host[:port][/path]"),
        ("wss://example.org/", "wss://example.org/: wss:// (TLS) is not supported; use ws://"),
        ("ws://h:99999/", "ws://h:99999/: Port out of range 0-65535"),
        ("ws:///path", "'ws:///path' has no host: use ws://host[:port][/path]"),
    ],
)
def test_bad_url(url: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse(url)
    assert exit_info.value.code == 2
    assert f"ping: error: argument url: {message}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--draft", "hixie-76", "--binary"), "--binary: hixie-76 has no binary messages (text only)"),
        (("--draft", "hixie-75", "--fragment", "8"), "--fragment: hixie-75 has no fragmentation"),
        (("ws://127.0.0.1:1/", "--port", "2"), "give either a URL or --host/--port/--path, not both"),
    ],
)
async def test_bad_combinations(argv: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await run(parse(*argv)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"wsinterop ping: error: {message}")


@pytest.mark.parametrize(
    "argv",
    [("--count", "-1"), ("--clients", "0"), ("--delay", "-1"), ("--timeout", "0"), ("--draft", "x"), ("--path", "a")],
)
def test_bad_values(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse(*argv)
    assert f"argument {argv[0]}" in capsys.readouterr().err


# --- pieces ----------------------------------------------------------------------------------------------


def test_payload_header_round_trip() -> None:
    payload = make_payload("abcd-2", 17, 40)
    assert len(payload) == 40
    assert payload.startswith(b"abcd-2:17:abcdefghij")
    assert parse_header(payload) == ("abcd-2", 17)
    assert make_payload("abcd-2", 17, 0) == b"abcd-2:17:"  # never cut
    assert parse_header(b"alice: hi there") is None
    assert parse_header(b"no header") is None


def test_parse_url() -> None:
    assert parse_url("ws://Example.org") == Target("example.org", 80, "/")
    assert parse_url("ws://[::1]:9000/a/b?c=d") == Target("::1", 9000, "/a/b?c=d")
    assert Target("::1", 9000, "/").url == "ws://[::1]:9000/"


def test_summary_lines() -> None:
    stats = Stats(sent=4, received=3, frames_sent=8, frames_received=6, bytes_received=192, from_others=5)
    for seconds in (0.001, 0.002, 0.003):
        stats.rtt.add(seconds)
    assert summary_lines("ws://h:1/", stats, 2.0, "") == [
        "--- ws://h:1/ ping statistics ---",
        "4 messages sent, 3 received, 25% loss, 8 frames sent, 6 frames received, time 2000 ms",
        "5 broadcast from others",
        "rate 1.5 msg/s, 96.0 B/s",
        "rtt min/avg/max/mdev = 1.000/2.000/3.000/0.816 ms",
    ]
    assert summary_lines("ws://h:1/", Stats(sent=2), 1.0, ": silent")[-1] == "no reply to any message: silent"


def test_stats_total() -> None:
    first, second = Stats(sent=1), Stats(sent=2, late=1)
    first.rtt.add(0.5)
    second.rtt.add(0.25)
    total = Stats.total([first, second])
    assert (total.sent, total.late, total.rtt.count, total.rtt.low, total.rtt.high) == (3, 1, 2, 0.25, 0.5)


def test_public_api() -> None:
    parser = argparse.ArgumentParser()
    ping.add_arguments(parser)
    args = parser.parse_args([])
    assert (args.protocol, args.count, args.size, args.clients, args.delay, args.timeout) == (
        "echo",
        10,
        64,
        1,
        1.0,
        5.0,
    )
    assert args.draft is Draft.RFC6455
    assert isinstance(ping.DESCRIPTION, str) and "\n" not in ping.DESCRIPTION
    main: Callable[[argparse.Namespace], int] = ping.main
    runner: Callable[..., Awaitable[int]] = ping.run
    assert callable(main) and callable(runner)
