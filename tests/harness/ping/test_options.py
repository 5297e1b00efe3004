"""harness.ping.options: arguments, URLs, option combinations, the numbered messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.ping import run
from harness.ping.options import UsageError, make_payload, options_from_args, parse_header, parse_url
from harness.run.target import Target, Trust
from server.app import ReferenceServer
from server.tls import self_signed

from .support import REPLY, parse, ping_server


async def test_small_size_is_raised_to_the_header(server: ReferenceServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert await ping_server(server, "--size", "3", "--count", "2") == 0
    out, err = capsys.readouterr()
    assert re.fullmatch(r"wsinterop ping: --size 3 is smaller than the 9-byte header '[a-z]{4}-1:2:': sending 9\n", err)
    assert {size for size, *_ in REPLY.findall(out)} == {"9"}


async def test_host_port_path_options(server: ReferenceServer, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("--host", "127.0.0.1", "--port", str(server.port), "--path", "/room?x=1", "--count", "1", "--delay", "0")
    assert await run(parse(*argv)) == 0
    assert f"PING ws://127.0.0.1:{server.port}/room?x=1 (" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8080/", "'http://127.0.0.1:8080/' is not a WebSocket URL: use ws://host[:port][/path]"),
        ("ftp://example.org/", "'ftp://example.org/' is not a WebSocket URL: use ws://host[:port][/path] or wss://..."),
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


def test_ca_and_insecure_are_for_wss(tmp_path: Path) -> None:
    ca = self_signed(tmp_path, ("localhost",)).ca
    opts, _ = options_from_args(parse("wss://h:8443/", "--ca", str(ca)))
    assert opts.target == Target("h", 8443, "/", True, Trust(ca))
    for argv, message in [
        (("ws://h/", "--ca", str(ca)), "--ca is for a wss:// target"),
        (("--port", "9000", "--insecure"), "--ca and --insecure are for a wss:// URL"),
        (("wss://h/", "--ca", str(ca), "--insecure"), "--ca and --insecure contradict each other"),
    ]:
        with pytest.raises(UsageError, match=message):
            options_from_args(parse(*argv))
