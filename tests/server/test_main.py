"""`python -m server`: the ready line, /health, signals (closing WebSockets with 1001), the command line."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from server.__main__ import parse_args
from server.config import ServerConfig
from wire import Close, CloseReceived, ConnectionClosed, Draft

from .support import HOST, TIMEOUT, connect, open_raw, read_head, read_to_eof

ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(
    r"^wsinterop reference server ready on http://127\.0\.0\.1:(\d+)/ \(WebSocket: ws://127\.0\.0\.1:\1/\)$"
)
START_TIMEOUT = 20.0  # a ceiling: a cold interpreter importing aiohttp


async def start_server(*args: str) -> tuple[asyncio.subprocess.Process, int]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "server", "--port", "0", *args),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)).decode().rstrip("\n")
    match = READY.match(line)
    if match is None:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"no ready line: {line!r}")
    return proc, int(match[1])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_serves_and_exits_cleanly_on_signal(sig: signal.Signals) -> None:
    proc, port = await start_server()
    try:
        reader, writer = await open_raw(port)
        writer.write(f"GET /health HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode())
        response, _, _ = await read_head(reader)
        assert response.status == 200
        await read_to_eof(reader)
        writer.close()

        client = await connect(port, Draft.RFC6455, ["echo"])
        await client.send_text("before the signal")
        assert await client.message() == "before the signal"
        proc.send_signal(sig)
        events = await client.tcp_closed()
        assert events == [CloseReceived(Close(1001), (1001).to_bytes(2, "big")), ConnectionClosed(clean=True)]
        await client.abort()
        assert await asyncio.wait_for(proc.wait(), TIMEOUT) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.stdout is not None and proc.stderr is not None
    assert await proc.stdout.read() == b""  # one ready line, nothing more
    log = (await proc.stderr.read()).decode()
    assert "shutting down" in log
    assert re.search(r" draft=rfc6455 protocol=echo close sent=1001 received=1001 in=\d+ out=\d+ ", log), log


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
    )


def test_help() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m server")
    for option in ("--port", "--docroot", "--idle-timeout", "--handshake-timeout", "--ping-interval"):
        assert option in result.stdout


def test_bad_docroot(tmp_path: Path) -> None:
    result = run_cli("--docroot", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert "is not a directory" in result.stderr
    assert result.stdout == ""


def test_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        result = run_cli("--port", str(taken.getsockname()[1]))
    assert result.returncode == 1
    assert "cannot listen" in result.stderr


def test_parse_args(tmp_path: Path) -> None:
    assert parse_args([]) == ServerConfig()
    config = parse_args(
        [
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--docroot",
            str(tmp_path),
            "-v",
            "--max-message",
            "99",
            "--ping-interval",
            "0.5",
            "--handshake-timeout",
            "2",
            "--idle-timeout",
            "3",
        ]
    )
    assert config == ServerConfig(
        host="0.0.0.0",
        port=0,
        docroot=tmp_path,
        verbose=True,
        max_message=99,
        ping_interval=0.5,
        handshake_timeout=2.0,
        idle_timeout=3.0,
    )


def test_parse_args_tls(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    config = parse_args(["--tls-cert", str(cert), "--tls-key", str(key), "--plain-port", "8080"])
    assert (config.tls_cert, config.tls_key, config.plain_port) == (cert, key, 8080)
    config = parse_args(["--tls-self-signed", str(tmp_path), "--tls-name", "server", "--tls-name", "10.0.0.1"])
    assert (config.tls_self_signed, config.tls_names, config.tls_cert) == (tmp_path, ("server", "10.0.0.1"), None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tls-cert", "c.pem"], "--tls-cert and --tls-key go together"),
        (["--tls-self-signed", "d", "--tls-cert", "c", "--tls-key", "k"], "give it, or --tls-cert and --tls-key"),
        (["--tls-name", "server"], "--tls-name is for --tls-self-signed"),
        (["--plain-port", "8080"], "--plain-port is the plain port beside a TLS one"),
        (["--tls-self-signed", "d", "--tls-name", "not a name"], "neither a host name nor an IP address"),
    ],
)
def test_tls_options_that_do_not_fit(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_key_that_does_not_fit_the_certificate(tmp_path: Path) -> None:
    from server.tls import self_signed

    one, other = self_signed(tmp_path / "one", ("127.0.0.1",)), self_signed(tmp_path / "other", ("127.0.0.1",))
    result = run_cli("--port", "0", "--tls-cert", str(one.cert), "--tls-key", str(other.key))
    assert result.returncode == 1
    assert f"server: cannot use the certificate {one.cert} with key {other.key}:" in result.stderr
    result = run_cli("--port", "0", "--tls-cert", str(tmp_path / "missing.pem"), "--tls-key", str(other.key))
    assert result.returncode == 1
    assert "server: cannot read the certificate or key:" in result.stderr


async def test_self_signed_serves_wss_and_ws_and_says_where_the_ca_is(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "server", "--port", "0", "--plain-port", "0", "--tls-self-signed", str(certs)),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)).decode()
        match = re.fullmatch(
            r"wsinterop reference server ready on https://127\.0\.0\.1:(\d+)/ "
            r"\(WebSocket: wss://127\.0\.0\.1:\1/; plain: ws://127\.0\.0\.1:(\d+)/\)\n",
            line,
        )
        assert match, line
        said = (await asyncio.wait_for(proc.stderr.readline(), START_TIMEOUT)).decode()
        assert said == (
            f"server: TLS certificate for 127.0.0.1, localhost, ::1 in {certs}/cert.pem (key {certs}/key.pem), "
            f"signed by a new CA: clients trust {certs}/ca.pem\n"
        )
        secure = await connect(
            int(match[1]), Draft.RFC6455, ["echo"], tls=ssl.create_default_context(cafile=certs / "ca.pem")
        )
        plain = await connect(int(match[2]), Draft.RFC6455, ["echo"])
        for client in (secure, plain):
            await client.send_text("hello")
            assert await client.message() == "hello"
        proc.send_signal(signal.SIGTERM)
        for client in (secure, plain):  # both ports' WebSockets close with 1001 on shutdown
            events = await client.tcp_closed()
            assert events[0] == CloseReceived(Close(1001), (1001).to_bytes(2, "big"))
            await client.abort()
        assert await asyncio.wait_for(proc.wait(), TIMEOUT) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
