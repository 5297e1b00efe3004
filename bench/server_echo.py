"""Echo throughput and idle-connection cost of the reference server, against a plain aiohttp echo server.

Run with `.venv/bin/python bench/server_echo.py` (add `--profile` to run our server under cProfile and
print where its time goes; `--pure` to run wire without its accelerator, in our server and in the
client). Loopback only; bounded in count and time (some 20-40 s); asserts nothing.

Both servers run as subprocesses, so the client never shares their event loop:
- ours: `python -m server --port 0`, subprotocol `echo` (each frame echoed as it arrives);
- aiohttp: a tiny app whose handler is a `web.WebSocketResponse` echoing text and binary messages.

The client is ours: harness.wire over asyncio streams, a real RFC 6455 client (every frame masked with a
fresh random key, strict receive). The same client code measures both servers.

(a) 1,000 idle RFC 6455 connections are opened (at most CONNECT_CONCURRENCY handshakes at a time) and held;
    an echo on a further connection must still work. Printed: the time to open them and the server's RSS
    (VmRSS) before and with them.
(b) Echo throughput: 64 B text messages, pipelined in windows (WINDOW messages written at once, then their
    WINDOW echoes read, SMALL_COUNT messages in all); and 1 MiB binary messages, sequential (one round trip
    at a time, LARGE_COUNT messages). messages/s counts round trips; MB/s is payload bytes echoed (counted
    once, not per direction) per second, MB = 10**6 bytes. Each figure is the best of ROUNDS runs, after a
    warm-up, each run on a fresh connection; the two servers take turns run by run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import pstats
import re
import resource
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from wire import (
    BinaryMessage,
    ClientHandshake,
    CloseReceived,
    Connection,
    ConnectionClosed,
    Draft,
    HandshakeInvalid,
    HandshakeRejected,
    ProtocolFailure,
    State,
    TextMessage,
    masking,
)

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
IDLE_CONNECTIONS = 1000
CONNECT_CONCURRENCY = 50  # handshakes in flight while opening the idle connections (listen backlog is 100)
SMALL, SMALL_COUNT, WINDOW = 64, 20_000, 100
LARGE, LARGE_COUNT = 1 << 20, 50
ROUNDS = 5
READ_SIZE = 1 << 18
MB = 1e6
START_TIMEOUT = 30.0  # ceilings, never waits
STEP_TIMEOUT = 60.0

AIOHTTP_ECHO = """
import asyncio, signal, sys
from aiohttp import WSMsgType, web

async def echo(request):
    ws = web.WebSocketResponse(max_msg_size=32 * 2**20, compress=False, autoping=True)
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type is WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws

async def main():
    app = web.Application()
    app.router.add_get("/", echo)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    port = runner.addresses[0][1]
    print(f"aiohttp echo ready on http://127.0.0.1:{port}/", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()

asyncio.run(main())
"""
READY = re.compile(r"ready on http://127\.0\.0\.1:(\d+)/")


# --- servers -----------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    proc: asyncio.subprocess.Process
    port: int
    protocols: tuple[str, ...]

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        return int(match[1]) if match else -1


@contextlib.asynccontextmanager
async def subprocess_server(
    name: str, argv: list[str], protocols: tuple[str, ...], profile_to: Path | None = None
) -> AsyncIterator[Server]:
    if profile_to is not None:
        argv = ["-m", "cProfile", "-o", str(profile_to), *argv]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *argv,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)).decode()
        match = READY.search(line)
        if match is None:
            raise RuntimeError(f"{name} did not start: {line!r}")
        yield Server(name, proc, int(match[1]), protocols)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30.0)
            except TimeoutError:
                proc.kill()
                await proc.wait()


# `python -m server` with the accelerator made unimportable: wire's pure path
PURE_SERVER = (
    "import runpy, sys; sys.modules['websockets.speedups'] = None; runpy.run_module('server', run_name='__main__')"
)


def ours(profile_to: Path | None = None, pure: bool = False) -> contextlib.AbstractAsyncContextManager[Server]:
    options = ["--host", HOST, "--port", "0", "--idle-timeout", "600", "--handshake-timeout", "60"]
    argv = ["-c", PURE_SERVER, *options] if pure else ["-m", "server", *options]
    return subprocess_server("ours", argv, ("echo",), profile_to)


def aiohttp_echo() -> contextlib.AbstractAsyncContextManager[Server]:
    return subprocess_server("aiohttp", ["-c", AIOHTTP_ECHO], ())


# --- the client ----------------------------------------------------------------------------------------


class Client:
    """An RFC 6455 client: harness.wire framing (masked, strict) over asyncio streams."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, conn: Connection) -> None:
        self.reader = reader
        self.writer = writer
        self.conn = conn
        self.messages: list[str | bytes] = []

    @classmethod
    async def open(cls, port: int, protocols: tuple[str, ...]) -> Client:
        reader, writer = await asyncio.open_connection(HOST, port)
        conn = Connection.client(ClientHandshake.build(Draft.RFC6455, f"{HOST}:{port}", protocols=protocols))
        client = cls(reader, writer, conn)
        await client.flush()
        while conn.state is State.CONNECTING:
            client.feed(await reader.read(READ_SIZE))
        return client

    def feed(self, data: bytes) -> None:
        self.conn.receive_data(data)
        for event in self.conn.events():
            if isinstance(event, TextMessage | BinaryMessage):
                self.messages.append(event.data)
            elif isinstance(event, ProtocolFailure | CloseReceived | ConnectionClosed | HandshakeRejected):
                raise ConnectionError(f"the server failed or closed the connection: {event}")
            elif isinstance(event, HandshakeInvalid):
                raise ConnectionError(f"invalid handshake answer: {event.reason}")

    async def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.writer.write(data)
            await self.writer.drain()

    async def receive(self, count: int) -> list[str | bytes]:
        """Read until `count` messages have arrived; return them."""
        while len(self.messages) < count:
            data = await self.reader.read(READ_SIZE)
            if not data:
                raise ConnectionError("the server closed the connection")
            self.feed(data)
            await self.flush()
        taken, self.messages = self.messages[:count], self.messages[count:]
        return taken

    async def close(self) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            self.conn.send_close(1000)
            await self.flush()
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()


async def small_run(server: Server, count: int) -> float:
    """Seconds for `count` 64 B text round trips, pipelined WINDOW at a time."""
    client = await Client.open(server.port, server.protocols)
    text = "x" * SMALL
    try:
        start = time.perf_counter()
        for done in range(0, count, WINDOW):
            window = min(WINDOW, count - done)
            for _ in range(window):
                client.conn.send_text(text)
            await client.flush()
            echoed = await client.receive(window)
            if echoed[-1] != text:
                raise AssertionError(f"{server.name} echoed {echoed[-1]!r}")
        return time.perf_counter() - start
    finally:
        await client.close()


async def large_run(server: Server, count: int) -> float:
    """Seconds for `count` 1 MiB binary round trips, one at a time."""
    client = await Client.open(server.port, server.protocols)
    data = os.urandom(LARGE)
    try:
        start = time.perf_counter()
        for _ in range(count):
            client.conn.send_binary(data)
            await client.flush()
            (echoed,) = await client.receive(1)
            if echoed != data:
                raise AssertionError(f"{server.name} echoed {len(echoed)} different bytes")
        return time.perf_counter() - start
    finally:
        await client.close()


@dataclass
class Throughput:
    small_s: float = float("inf")  # best run
    large_s: float = float("inf")

    @property
    def small_rate(self) -> float:
        return SMALL_COUNT / self.small_s

    @property
    def large_rate(self) -> float:
        return LARGE_COUNT / self.large_s


async def throughput(servers: list[Server]) -> dict[str, Throughput]:
    """Best of ROUNDS runs per server and size, the servers taking turns (so that a load spike on the
    machine hits both alike), after a warm-up run of each."""
    best = {s.name: Throughput() for s in servers}
    runs: list[tuple[Callable[[Server, int], Awaitable[float]], int, str]] = [
        (small_run, SMALL_COUNT, "small_s"),
        (large_run, LARGE_COUNT, "large_s"),
    ]
    for run, count, _ in runs:
        for server in servers:
            await asyncio.wait_for(run(server, max(1, count // 10)), STEP_TIMEOUT)
    for _ in range(ROUNDS):
        for run, count, field in runs:
            for server in servers:
                seconds = await asyncio.wait_for(run(server, count), STEP_TIMEOUT)
                if seconds < getattr(best[server.name], field):
                    setattr(best[server.name], field, seconds)
    return best


# --- idle connections --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Idle:
    open_s: float
    rss_before_kib: int
    rss_with_kib: int


async def idle_connections(server: Server) -> Idle:
    rss_before = server.rss_kib()
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one() -> Client:
        async with gate:
            return await Client.open(server.port, server.protocols)

    start = time.perf_counter()
    clients = await asyncio.wait_for(asyncio.gather(*(one() for _ in range(IDLE_CONNECTIONS))), STEP_TIMEOUT)
    opened = time.perf_counter() - start
    try:
        probe = await Client.open(server.port, server.protocols)
        probe.conn.send_text("still answering")
        await probe.flush()
        if await asyncio.wait_for(probe.receive(1), STEP_TIMEOUT) != ["still answering"]:
            raise AssertionError(f"{server.name} did not echo with {IDLE_CONNECTIONS} connections open")
        await probe.close()
        rss_with = server.rss_kib()
    finally:
        await asyncio.gather(*(c.close() for c in clients))
    return Idle(opened, rss_before, rss_with)


# --- report ------------------------------------------------------------------------------------------


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print(
        "  "
        + "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True)))
    )
    print("  " + "  ".join("-" * w for w in widths))
    for row in rows:
        print(
            "  "
            + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        )


def print_profile(path: Path, limit: int = 25) -> None:
    print(f"\nour server under cProfile (whole run), top {limit} by own time:")
    stats = pstats.Stats(str(path))
    stats.sort_stats(pstats.SortKey.TIME).print_stats(limit)
    print(f"top {limit} by cumulative time:")
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(limit)


async def main(profile: bool, pure: bool) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * IDLE_CONNECTIONS + 256
    if soft < want:  # raised for this process and its servers (both ends of the loopback connections)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    if pure:
        masking.FAST = None  # the client too
    accel = "without the accelerator (pure Python masking)" if pure else f"accelerator: {masking.FAST is not None}"
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; servers are subprocesses, loopback only; {accel}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        profile_to = Path(tmp) / "server.prof" if profile else None
        async with ours(profile_to, pure) as our_server, aiohttp_echo() as aiohttp_server:
            servers = [our_server, aiohttp_server]
            idle = {server.name: await idle_connections(server) for server in servers}
            result = await throughput(servers)
        if profile_to is not None:
            print_profile(profile_to)

    print_table(
        f"(a) {IDLE_CONNECTIONS} idle RFC 6455 connections ({CONNECT_CONCURRENCY} handshakes at a time), held; "
        "an echo still answered",
        ["server", "open all (s)", "conn/s", "RSS before (MiB)", "RSS with (MiB)", "KiB per conn"],
        [
            [
                name,
                f"{i.open_s:.2f}",
                f"{IDLE_CONNECTIONS / i.open_s:,.0f}",
                f"{i.rss_before_kib / 1024:.1f}",
                f"{i.rss_with_kib / 1024:.1f}",
                f"{(i.rss_with_kib - i.rss_before_kib) / IDLE_CONNECTIONS:.1f}",
            ]
            for name, i in idle.items()
        ],
    )
    rows = []
    for name, r in result.items():
        rows.append(
            [
                name,
                f"{r.small_rate:,.0f}",
                f"{r.small_rate * SMALL / MB:.2f}",
                f"{r.large_rate:,.1f}",
                f"{r.large_rate * LARGE / MB:.1f}",
            ]
        )
    ratio_small = result["ours"].small_rate / result["aiohttp"].small_rate
    ratio_large = result["ours"].large_rate / result["aiohttp"].large_rate
    rows.append(
        ["ours/aiohttp", f"{ratio_small:.2f}", f"{ratio_small:.2f}", f"{ratio_large:.2f}", f"{ratio_large:.2f}"]
    )
    profiled = ", ours under cProfile" if profile else ""
    print_table(
        f"(b) RFC 6455 echo through the same client (best of {ROUNDS}{profiled}): {SMALL_COUNT:,} x {SMALL} B text "
        f"pipelined {WINDOW} at a time; {LARGE_COUNT} x 1 MiB binary one at a time",
        ["server", "64 B msg/s", "64 B MB/s", "1 MiB msg/s", "1 MiB MB/s"],
        rows,
    )
    print(f"\ntargets ours/aiohttp: 64 B >= 1.2 ({ratio_small:.2f}), 1 MiB >= 1.0 ({ratio_large:.2f})")
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--profile", action="store_true", help="run our server under cProfile and print the top")
    parser.add_argument("--pure", action="store_true", help="wire without its accelerator (server and client)")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.profile, args.pure)))
