"""server.app: one port for HTTP and WebSocket, the head guard (slowloris, head size), shutdown, imports."""

from __future__ import annotations

import ast
import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.app import ReferenceServer
from server.config import ServerConfig
from wire import ClientHandshake, CloseReceived, ConnectionClosed, Draft

from .support import HOST, connect, draft_id, open_raw, read_head, read_to_eof

SERVER_DIR = Path(__file__).resolve().parents[2] / "server"


@pytest.fixture
async def server() -> AsyncIterator[ReferenceServer]:
    async with ReferenceServer(ServerConfig(port=0, handshake_timeout=0.3, max_head=1024)) as running:
        yield running


async def http_get(port: int, path: str) -> tuple[int, bytes]:
    reader, writer = await open_raw(port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode())
    response, rest, _ = await read_head(reader)
    body = rest + await read_to_eof(reader)
    writer.close()
    return response.status, body


# --- one port -------------------------------------------------------------------------------------


async def test_http_and_websocket_on_one_port(server: ReferenceServer) -> None:
    assert server.url == f"http://{HOST}:{server.port}/" and server.ws_url == f"ws://{HOST}:{server.port}/"
    status, body = await http_get(server.port, "/health")
    assert status == 200 and body
    client = await connect(server.port, Draft.RFC6455, ["echo"])
    status, _ = await http_get(server.port, "/index.html")
    assert status == 200
    await client.send_text("both")
    assert await client.message() == "both"
    await client.close()


# --- head guard -------------------------------------------------------------------------------------


@pytest.mark.parametrize("draft", [Draft.RFC6455, Draft.HIXIE_76], ids=draft_id)
async def test_slowloris_408(server: ReferenceServer, draft: Draft) -> None:
    head = ClientHandshake.build(draft, f"{HOST}:{server.port}").request.serialize()
    reader, writer = await open_raw(server.port)
    writer.write(head[: len(head) // 2])
    started = time.monotonic()
    answer = await read_to_eof(reader)  # the 408, then the end of TCP
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), answer
    assert time.monotonic() - started < 3.0
    writer.close()


async def test_head_in_pieces_within_the_timeout(server: ReferenceServer) -> None:
    hs = ClientHandshake.build(Draft.RFC6455, f"{HOST}:{server.port}", protocols=["echo"])
    reader, writer = await open_raw(server.port)
    data = hs.to_bytes()
    for i in range(0, len(data), 16):
        writer.write(data[i : i + 16])
        await writer.drain()
        await asyncio.sleep(0)  # a yield, not a delay: the server may read each piece on its own
    response, _, _ = await read_head(reader)
    assert response.status == 101
    hs.check(response)
    writer.close()


async def test_upgraded_connection_outlives_the_handshake_timeout(server: ReferenceServer) -> None:
    client = await connect(server.port, Draft.RFC6455, ["echo"])
    idle_peer = await open_raw(server.port)  # a second connection that never sends: its 408 marks the time
    assert (await read_to_eof(idle_peer[0])).startswith(b"HTTP/1.1 408 ")
    idle_peer[1].close()
    await client.send_text("still here")
    assert await client.message() == "still here"
    await client.close()


@pytest.mark.parametrize("complete", [False, True], ids=["unfinished", "complete"])
async def test_head_too_big_431(server: ReferenceServer, complete: bool) -> None:
    hs = ClientHandshake.build(Draft.RFC6455, f"{HOST}:{server.port}", extra_headers=[("X-Filler", "a" * 2000)])
    head = hs.request.serialize()
    reader, writer = await open_raw(server.port)
    writer.write(head if complete else head[:-4])
    answer = await read_to_eof(reader)
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer
    writer.close()


async def test_head_just_under_max_head(server: ReferenceServer) -> None:
    hs = ClientHandshake.build(Draft.RFC6455, f"{HOST}:{server.port}", protocols=["echo"])
    size = len(hs.request.serialize())
    filler = 1024 - size - len("X-Filler: \r\n")
    hs.request.headers.add("X-Filler", "a" * filler)
    assert len(hs.request.serialize()) == 1024
    reader, writer = await open_raw(server.port)
    writer.write(hs.to_bytes())
    response, _, _ = await read_head(reader)
    assert response.status == 101
    writer.close()


# --- shutdown ------------------------------------------------------------------------------------


async def test_stop_closes_open_websockets() -> None:
    server = ReferenceServer(ServerConfig(port=0, close_timeout=10.0))
    await server.start()
    drafts = (Draft.RFC6455, Draft.HYBI_07, Draft.HIXIE_76, Draft.HIXIE_75)
    clients = [await connect(server.port, d, ["echo"]) for d in drafts]
    readers = [asyncio.create_task(c.tcp_closed()) for c in clients]
    started = time.monotonic()
    await asyncio.wait_for(server.stop(), 5.0)
    elapsed = time.monotonic() - started
    results = await asyncio.gather(*readers)
    codes = {
        c.draft: [e.code for e in events if isinstance(e, CloseReceived)]
        for c, events in zip(clients, results, strict=True)
    }
    assert codes == {Draft.RFC6455: [1001], Draft.HYBI_07: [1001], Draft.HIXIE_76: [None], Draft.HIXIE_75: []}
    assert all(isinstance(events[-1], ConnectionClosed) for events in results)
    assert elapsed < 2.0, "stop() waited for a timeout although every client answered"
    with pytest.raises(OSError):
        await asyncio.open_connection(HOST, server.port)
    for client in clients:
        await client.abort()


async def test_stop_drops_peers_that_never_answer() -> None:
    server = ReferenceServer(ServerConfig(port=0, close_timeout=0.3))
    await server.start()
    client = await connect(server.port, Draft.RFC6455, ["echo"])  # never reads, so never answers the close
    started = time.monotonic()
    await asyncio.wait_for(server.stop(), 5.0)
    assert time.monotonic() - started < 3.0
    events = await client.tcp_closed()
    assert [e.code for e in events if isinstance(e, CloseReceived)] == [1001]
    assert server.registry.sessions == set()
    await client.abort()


async def test_stop_ends_handshakes_in_progress() -> None:
    server = ReferenceServer(ServerConfig(port=0, handshake_timeout=10.0))
    await server.start()
    hixie = ClientHandshake.build(Draft.HIXIE_76, f"{HOST}:{server.port}")
    waiting_key3 = await open_raw(server.port)
    waiting_key3[1].write(hixie.request.serialize() + hixie.key3[:3])  # a head, and 3 of the 8 key3 bytes
    half_head = await open_raw(server.port)
    half_head[1].write(b"GET / HTTP/1.1\r\nHost: x\r\n")
    keep_alive = await open_raw(server.port)
    keep_alive[1].write(f"GET /health HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
    assert (await read_head(keep_alive[0]))[0].status == 200
    client = await connect(server.port, Draft.RFC6455, ["echo"])  # an open one too, for the ordering below
    await client.send_text("ready")
    assert await client.message() == "ready"  # the key3 bytes above were sent before, so have arrived
    readers = [asyncio.create_task(read_to_eof(r)) for r, _ in (waiting_key3, half_head, keep_alive)]
    closed = asyncio.create_task(client.tcp_closed())
    started = time.monotonic()
    await asyncio.wait_for(server.stop(), 5.0)
    assert time.monotonic() - started < 2.0, "stop() waited for a handshake timeout"
    assert await asyncio.gather(*readers) == [b"", b"", b""]
    assert [e.code for e in await closed if isinstance(e, CloseReceived)] == [1001]
    for _, writer in (waiting_key3, half_head, keep_alive):
        writer.close()
    await client.abort()


async def test_stop_with_nothing_open() -> None:
    server = ReferenceServer(ServerConfig(port=0))
    await server.start()
    started = time.monotonic()
    await asyncio.wait_for(server.stop(), 5.0)
    assert time.monotonic() - started < 2.0


# --- imports (design rule 1) ----------------------------------------------------------------------


def imported_modules(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved inside `server`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.add("server" + (f".{node.module}" if node.module else ""))
            else:
                assert node.module is not None
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def harness_offenders(path: Path) -> list[str]:
    """Imports of the harness package: the server shares only `wire` with it (design rule 1)."""
    return sorted(n for n in imported_modules(path) if n == "harness" or n.startswith("harness."))


def test_server_imports_nothing_of_harness() -> None:
    files = sorted(SERVER_DIR.glob("*.py"))
    assert {f.name for f in files} >= {"app.py", "session.py", "protocols.py", "config.py", "__main__.py"}
    assert {f.name: harness_offenders(f) for f in files} == {f.name: [] for f in files}
    assert any("wire" in imported_modules(f) for f in files)


def test_import_scan_catches_offenders(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import harness.cases.model\nfrom harness import run\nfrom wire import Frame\n"
        "import harness.agents.python as p\n"
    )
    assert harness_offenders(bad) == [
        "harness",
        "harness.agents.python",
        "harness.cases.model",
        "harness.run",
    ]


# --- plain HTTP beside WebSockets ---------------------------------------------------------------------


async def test_plain_http_is_aiohttps_with_keep_alive(server: ReferenceServer) -> None:
    """A connection whose first request is no upgrade is handed to aiohttp, which keeps it alive; an
    upgrade arriving later on it cannot be served and says so."""
    reader, writer = await open_raw(server.port)
    writer.write(f"GET /health HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
    response, body, _ = await read_head(reader)
    assert response.status == 200 and server.registry.sessions == set()
    async with asyncio.timeout(5.0):
        while len(body) < int(response.headers.get("Content-Length", "0")):
            body += await reader.read(1024)
    hs = ClientHandshake.build(Draft.RFC6455, f"{HOST}:{server.port}", protocols=["echo"])
    writer.write(hs.to_bytes())
    response, body, _ = await read_head(reader)
    assert response.status == 400
    async with asyncio.timeout(5.0):
        while b"first request" not in body:
            body += await reader.read(1024)
    writer.close()


async def test_every_session_task_is_awaited_by_stop() -> None:
    server = ReferenceServer(ServerConfig(port=0, close_timeout=0.3))  # the clients never answer the close
    await server.start()
    clients = [await connect(server.port, draft, ["echo-broadcast-ping"]) for draft in (Draft.RFC6455, Draft.HIXIE_75)]
    assert len(server._tasks) == 2
    await asyncio.wait_for(server.stop(), 5.0)
    assert server._tasks == set() and server.registry.sessions == set()
    for client in clients:
        await client.abort()
