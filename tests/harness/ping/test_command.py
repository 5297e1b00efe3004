"""harness.ping (command): every draft end to end, stopping, Ctrl-C, connection and handshake errors."""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from harness import ping
from harness.ping import run
from harness.ping.stats import Output
from server.app import ReferenceServer
from wire import Draft

from ...server.support import tls_reference
from .support import REPLY, ROOT, TIMEOUT, Handler, fake_server, parse, ping_server, summary


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


async def test_unknown_protocol_is_noted(server: ReferenceServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert await ping_server(server, "--protocol", "chat", "--timeout", "0.2", "--count", "1") == 1
    assert "the server selected no subprotocol (asked for 'chat')" in capsys.readouterr().err


async def test_stop_ends_cleanly_with_summary(
    server: ReferenceServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (the stop event): no more sending; replies in flight arrive before the server's close."""
    stop = asyncio.Event()
    line = Output.line
    replies = 0

    def counting(self: Output, text: str) -> None:
        nonlocal replies
        line(self, text)
        replies += " bytes from " in text
        if replies == 5:
            stop.set()

    monkeypatch.setattr(Output, "line", counting)
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


async def test_wss_with_the_servers_ca(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async with tls_reference(tmp_path) as (tls_server, ca):
        assert await run(parse(tls_server.ws_url, "--ca", str(ca), "--count", "2", "--delay", "0")) == 0
        out, err = capsys.readouterr()
        assert err == ""
        assert summary(out) == (2, 2, 0.0, 2, 2)
        assert await run(parse(tls_server.ws_url, "--count", "1")) == 2  # the system's CAs do not know it
        _, err = capsys.readouterr()
        assert err.startswith(f"wsinterop ping: the TLS certificate of 127.0.0.1:{tls_server.port} is not trusted: ")
        assert await run(parse(tls_server.ws_url, "--insecure", "--count", "1", "--delay", "0")) == 0


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
