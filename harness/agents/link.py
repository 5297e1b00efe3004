"""A wire Connection on an asyncio transport: the raw python agent's connection, and `ping`'s.

What arrives goes through the Connection at once, inside the transport's callback (no reading task):
its events go to the owner's `on_events`, and what it queues in answer (a pong, the reply to a close, a
failure's close) is written right away. The owner's own writes go out in order, with flow control, and
stop as soon as the connection is over: after the peer's close or the end of TCP, what is left to send
is moot. Either side: the Connection says which (Connection.client, or a server's for a listening agent).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable

from wire import Connection, Event, State

OnEvents = Callable[[list[Event]], None]
OnWire = Callable[[str, bytes], None]  # ("out" | "in", bytes) for every write and read
OnError = Callable[[str], None]  # a transport error, in one line

SLICE = 1 << 16  # large writes go out this much at a time, so that they can stop between slices
CONNECT_TIMEOUT = 5.0
TIMER_RESOLUTION = 0.001  # seconds: asyncio's selector sleeps whole milliseconds
CLOSE_CEILING = 3.0  # seconds a closing transport may take to hand the peer what it still holds


def _ignore(*_: object) -> None:
    return None


async def pace(pause: float) -> None:
    """Let `pause` seconds pass between two writes, the event loop turning meanwhile. asyncio rounds a
    timer up to its selector's millisecond, which would make Autobahn's 10 us 1 ms: a pause shorter than
    that is event-loop turns until the clock has moved on by `pause` (Twisted's reactor does not hold
    such a short delay up either)."""
    if pause >= TIMER_RESOLUTION:
        await asyncio.sleep(pause)
        return
    until = time.perf_counter() + pause
    await asyncio.sleep(0)
    while time.perf_counter() < until:
        await asyncio.sleep(0)


class Link(asyncio.Protocol):
    """One connection: `conn` driven by the transport's callbacks. `ended` once TCP is over (both ways,
    or the peer's FIN); `closed` resolves when the transport is gone."""

    def __init__(
        self,
        conn: Connection,
        on_events: OnEvents,
        *,
        on_wire: OnWire = _ignore,
        on_error: OnError = _ignore,
    ) -> None:
        self.conn = conn
        self.on_events = on_events
        self.on_wire = on_wire
        self.on_error = on_error
        self.transport: asyncio.Transport | None = None
        self.ended = False  # the peer ended TCP (or it broke): nothing more arrives
        self._holding = False  # a write in pieces is going out: answers wait until it is done
        self._paused = False
        self._drained: asyncio.Future[None] | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    # --- asyncio.Protocol ----------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.on_wire("in", data)
        self._receive(data)

    def eof_received(self) -> bool | None:
        self._receive(b"")
        if self.transport is not None and self.transport.get_extra_info("sslcontext") is not None:
            return None  # TLS has no half-open connection: the peer's end of TLS closes it
        return True  # keep our half open: the owner decides when to close

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None and not self.ended:
            self.on_error(f"connection reset: {exc}")
        if not self.ended:
            self._receive(b"")
        self._wake()
        if not self.closed.done():
            self.closed.set_result(None)

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        self._wake()

    def _wake(self) -> None:
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    # --- receiving -------------------------------------------------------------------------------------

    def _receive(self, data: bytes) -> None:
        if not data:
            self.ended = True
        self.conn.receive_data(data)
        events = self.conn.events()
        if events:
            self.on_events(events)
        if not self._holding:
            self.flush()
        if self.over:
            self._wake()  # a write waiting for room stops: what it has left is moot

    # --- sending ---------------------------------------------------------------------------------------

    @property
    def over(self) -> bool:
        """Nothing more is worth sending: TCP ended, the connection failed or closed, or the peer's
        close came (this side's answer to it goes out by itself)."""
        conn = self.conn
        return (
            self.ended
            or self.transport is None
            or self.transport.is_closing()
            or conn.state is State.FAILED
            or conn.state is State.CLOSED
            or conn.close_received is not None
        )

    def flush(self) -> None:
        """Write what the Connection has queued, now (its answers, which nothing may hold back)."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        for chunk in self.conn.chunks_to_send():
            self.on_wire("out", chunk)
            transport.write(chunk)

    async def send(self, chop: int | None = None) -> None:
        """Write what the Connection has queued, `chop` bytes per write when given (a frame cut into TCP
        pieces), with flow control; the rest is dropped once the connection is over."""
        data = self.conn.data_to_send()
        step = chop or SLICE
        for start in range(0, len(data), step):
            if self.over:
                return
            piece = data[start : start + step]
            self.on_wire("out", piece)
            assert self.transport is not None
            self.transport.write(piece)
            await self.drain()

    async def write(self, pieces: list[bytes], pause: float = 0.0, on_last: Callable[[], None] = _ignore) -> None:
        """Write bytes the owner encoded, each piece a write of its own with `pause` seconds between them
        (answers the Connection makes meanwhile wait, so that they never cut a frame); `on_last()` right
        after the last piece is handed to the transport. Nothing once the connection is over."""
        self._holding = True
        try:
            for n, piece in enumerate(pieces):
                if n and pause:
                    await pace(pause)
                if self.over or not piece:
                    continue
                self.on_wire("out", piece)
                assert self.transport is not None
                self.transport.write(piece)
                if n == len(pieces) - 1:
                    on_last()
                await self.drain()
        finally:
            self._holding = False
            self.flush()

    async def drain(self) -> None:
        """Wait while the transport holds more than its high-water mark, until the connection is over."""
        while self._paused and not self.over:
            self._drained = asyncio.get_running_loop().create_future()
            await self._drained

    async def aclose(self) -> None:
        """Close the transport and wait until it is gone. What it still holds is sent first, unless the
        peer has ended TCP (it reads no more: dropped) or does not read it within CLOSE_CEILING seconds.
        The owner hears nothing more: the end of TCP that this close makes is not the peer's doing."""
        self.on_events, self.on_wire, self.on_error = _ignore, _ignore, _ignore
        transport = self.transport
        if transport is None:
            return
        if self.ended and transport.get_write_buffer_size():
            transport.abort()
        else:
            transport.close()
        try:
            async with asyncio.timeout(CLOSE_CEILING):
                await asyncio.shield(self.closed)
        except TimeoutError:
            transport.abort()
            await self.closed


async def connect(
    host: str,
    port: int,
    link: Callable[[], Link],
    timeout: float | None = None,
    tls: ssl.SSLContext | None = None,
) -> Link:
    """Open TCP to host:port (and TLS over it with `tls`) with the Link `link()` makes, within `timeout`
    (by default CONNECT_TIMEOUT seconds); OSError (ssl.SSLError for TLS) or TimeoutError when it cannot."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(CONNECT_TIMEOUT if timeout is None else timeout):
        _, protocol = await loop.create_connection(link, host, port, ssl=tls)
    return protocol
