"""interop/peers/: the echo servers that have a compression row (Tornado, ws, Jetty) accept
permessage-deflate with --deflate and decline it without (websockets' and aiohttp's: tests/peers/)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from interop.install import build_jetty
from interop.process import HOST, PeerProcess, free_port, running
from interop.spec import JAVA_DIR, JETTY_JARS, PLAIN_SERVERS, Context

ROOT = Path(__file__).resolve().parents[3]
SPECS = {s.name: s for s in PLAIN_SERVERS}


def _missing(name: str) -> str:
    if name == "ws" and not (ROOT / "interop" / "node_modules" / "ws").is_dir():
        return "no interop/node_modules/ws (make node)"
    if name == "ws" and shutil.which("node") is None:
        return "no node"
    if name == "jetty" and (
        shutil.which("javac") is None or not all((JAVA_DIR / f"{j}.jar").exists() for j in JETTY_JARS)
    ):
        return "no javac or no Debian Jetty 9 jars"
    return ""


@pytest.fixture(params=["tornado", "ws", "jetty"])
def peer(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Context]]:
    name: str = request.param
    if why := _missing(name):
        pytest.skip(why)
    ctx = Context(root=ROOT, out=tmp_path_factory.mktemp("out"), build=tmp_path_factory.mktemp("build"))
    if name == "jetty":
        assert build_jetty(ctx, lambda text: None) is None
    yield name, ctx


@pytest.mark.parametrize("deflate", [False, True])
async def test_deflate_turns_permessage_deflate_on(peer: tuple[str, Context], deflate: bool) -> None:
    name, ctx = peer
    port = free_port()
    argv = SPECS[name].command(ctx, port) + (["--deflate"] if deflate else [])
    with running(PeerProcess(argv, port, ctx.out / f"{name}.log", ROOT)):
        url = f"ws://{HOST}:{port}/"
        async with connect(url, subprotocols=[Subprotocol("echo")], compression="deflate") as ws:
            assert ws.response is not None
            extensions = ws.response.headers.get("Sec-WebSocket-Extensions")
            assert (extensions is not None and extensions.startswith("permessage-deflate")) is deflate, extensions
            await ws.send("Hello " * 1000)  # above ws's threshold of 1024 bytes: compressed both ways
            assert await ws.recv() == "Hello " * 1000
            await ws.send(b"\x00\xff" * 10)
            assert await ws.recv() == b"\x00\xff" * 10
