"""peers/: the echo servers of other libraries that `make conformance-peers` runs the catalogue against."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Subprotocol

ROOT = Path(__file__).parents[2]
PEERS = ROOT / "peers"
READY = re.compile(r"^(websockets|aiohttp) \S+ echo server ready on (ws://127\.0\.0\.1:\d+/)$")

sys.path.insert(0, str(PEERS))
import conformance  # noqa: E402  (peers/ is a directory of scripts, not a package)


@pytest.fixture(params=["websockets", "aiohttp"])
def peer(request: pytest.FixtureRequest) -> Iterator[str]:
    """A running peer's ws:// URL, from its ready line."""
    name: str = request.param
    proc = subprocess.Popen(
        [sys.executable, str(PEERS / f"{name}_echo.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = conformance.first_line(proc, conformance.START_TIMEOUT).strip()
        match = READY.match(line)
        assert match is not None and match[1] == name, line
        yield match[2]
    finally:
        proc.terminate()
        proc.wait(10)


async def test_a_peer_echoes_text_and_binary_and_selects_echo(peer: str) -> None:
    async with connect(peer, subprotocols=[Subprotocol("foo"), Subprotocol("echo")]) as ws:
        assert ws.subprotocol == "echo"
        await ws.send("κόσμε")
        assert await ws.recv() == "κόσμε"
        await ws.send(b"\x00\xff" * 1000)
        assert await ws.recv() == b"\x00\xff" * 1000


async def test_a_peer_takes_a_16_mib_message(peer: str) -> None:
    async with connect(peer, subprotocols=[Subprotocol("echo")], max_size=None) as ws:
        await ws.send(b"*" * 2**24)
        assert len(await ws.recv()) == 2**24


async def test_a_peer_without_a_common_subprotocol(peer: str) -> None:
    """websockets declines such a client (400); aiohttp accepts it without a subprotocol."""
    try:
        async with connect(peer, subprotocols=[Subprotocol("chat")]) as ws:
            assert ws.subprotocol is None
    except InvalidStatus as exc:
        assert exc.response.status_code == 400


def test_options_after_a_double_dash_go_to_the_harness(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[tuple[str, Path, list[str]]] = []

    def fake_run(status: int) -> Callable[[str, Path, list[str]], int]:
        def run_peer(name: str, out: Path, extra: list[str]) -> int:
            calls.append((name, out, extra))
            return status

        return run_peer

    monkeypatch.setattr(conformance, "run_peer", fake_run(1))  # 1: FAILED verdicts, a finished run
    assert conformance.main(["aiohttp", "--out", str(tmp_path), "--", "--cases", "9.*"]) == 0
    assert calls == [("aiohttp", tmp_path, ["--cases", "9.*"])]
    calls.clear()
    monkeypatch.setattr(conformance, "run_peer", fake_run(3))  # 3: a peer that did not start
    assert conformance.main([]) == 3
    assert [c[0] for c in calls] == ["websockets", "aiohttp"]


@pytest.mark.parametrize("name", ["websockets", "aiohttp"])
@pytest.mark.parametrize("deflate", [False, True])
async def test_a_peer_compresses_only_with_deflate(tmp_path: Path, name: str, deflate: bool) -> None:
    """--deflate turns the library's permessage-deflate on (Autobahn's 12.* and 13.*); it is off otherwise."""
    options = ["--deflate"] if deflate else []
    with conformance.started_peer(name, tmp_path / "server.log", *options) as (_, url):
        async with connect(url, subprotocols=[Subprotocol("echo")], compression="deflate") as ws:
            extensions = ws.response.headers.get("Sec-WebSocket-Extensions") if ws.response else None
            assert (extensions is not None and extensions.startswith("permessage-deflate")) is deflate
            await ws.send("Hello " * 100)
            assert await ws.recv() == "Hello " * 100
