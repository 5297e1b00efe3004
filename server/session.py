"""One WebSocket connection of the reference server, in any draft.

aiohttp parses the HTTP head; from then on the connection is ours: the raw bytes after the head
(hixie-76's key3 first) come through aiohttp's payload-parser hook, wire does the handshake and
the framing, and the session writes to the transport itself. aiohttp's own WebSocketResponse is not
used: it speaks only versions 7, 8 and 13 and only whole messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any, cast

from aiohttp import web

from wire import (
    Connection,
    ConnectionClosed,
    Draft,
    Event,
    Headers,
    Rejection,
    Request,
    Side,
    State,
    accept,
    detect_draft,
)

from .config import ServerConfig
from .protocols import Behavior, select_protocol

log = logging.getLogger("server")

_HIGH_WATER = 1 << 20


class _Feed:
    """aiohttp's payload-parser interface, turned into an awaitable byte stream with back-pressure.

    A deque and at most one waiting future (not an asyncio.Queue, nor wait_for's task per read): an idle
    connection costs a few KiB less. One timer serves every read: it is moved only when a read must
    give up earlier than it is set for; when it fires early (traffic pushed the deadline back meanwhile),
    it sets itself again for the read's own deadline. A read that finds data waiting costs no timer."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._chunks: deque[bytes] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._buffered = 0
        self._paused = False
        self._deadline = 0.0  # loop time at which the waiting read gives up
        self._timer: asyncio.TimerHandle | None = None

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        self._chunks.append(bytes(data))
        self._buffered += len(data)
        if self._buffered > _HIGH_WATER and not self._paused:
            self._paused = True
            self._transport.pause_reading()
        self._wake()
        return False, b""

    def feed_eof(self) -> None:
        self._chunks.append(b"")
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _expire(self) -> None:
        timer, self._timer = self._timer, None
        waiter = self._waiter
        if timer is None or waiter is None or waiter.done():
            return
        if timer.when() >= self._deadline:
            waiter.set_exception(TimeoutError())
        else:
            self._timer = asyncio.get_running_loop().call_at(self._deadline, self._expire)

    def close(self) -> None:
        """No more reads: drop the timer."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def read(self, timeout: float) -> bytes:
        """The next chunk (b"" at the end); TimeoutError when none came within `timeout` seconds."""
        if not self._chunks:
            loop = asyncio.get_running_loop()
            self._deadline = deadline = loop.time() + timeout
            timer = self._timer
            if timer is None or timer.when() > deadline:
                if timer is not None:
                    timer.cancel()
                self._timer = loop.call_at(deadline, self._expire)
            self._waiter = loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        data = self._chunks.popleft()
        self._buffered -= len(data)
        if self._paused and self._buffered < _HIGH_WATER // 2:
            self._paused = False
            self._transport.resume_reading()
        return data


class _TakenOver(web.StreamResponse):
    """What the handler returns after it has spoken WebSocket on the connection itself."""

    def __init__(self) -> None:
        super().__init__(status=101)
        self.force_close()

    async def prepare(self, request: web.BaseRequest) -> None:
        return None

    async def write_eof(self, data: bytes = b"") -> None:
        return None


def wire_request(request: web.BaseRequest) -> Request:
    """aiohttp's parsed head as a wire Request (raw header names and order kept)."""
    headers = Headers((_unhide(k.decode("latin-1")), v.decode("latin-1")) for k, v in request.raw_headers)
    version = f"HTTP/{request.version.major}.{request.version.minor}"
    return Request(request.method, request.raw_path, headers, version)


HIDDEN_KEY1 = "X-Wsinterop-Hixie76-Key1"  # what server.app.HeadGuard renamed Sec-WebSocket-Key1 to


def _unhide(name: str) -> str:
    return "Sec-WebSocket-Key1" if name.lower() == HIDDEN_KEY1.lower() else name


class Session:
    """A WebSocket peer of the server: its connection, its behaviour, its counters."""

    def __init__(self, request: web.Request, config: ServerConfig, registry: Registry) -> None:
        self.request = request
        self.config = config
        self.registry = registry
        transport = request.transport
        assert transport is not None
        self.transport = transport
        peername = self.transport.get_extra_info("peername") or ("?", 0)
        self.peer = f"{peername[0]}:{peername[1]}"
        self.rejection: str | None = None
        self.conn: Connection | None = None
        self.behavior: Behavior | None = None
        self.protocol: str | None = None
        self.bytes_in = 0
        self.bytes_out = 0
        self._feed = _Feed(self.transport)
        self._closing_deadline: float | None = None
        self._last_traffic = time.monotonic()  # either way: the idle timeout counts from here

    # --- sending (also used by other sessions: broadcast) ------------------------------------------

    def flush(self) -> None:
        assert self.conn is not None
        chunks = self.conn.chunks_to_send()  # a large payload comes as a chunk of its own: not copied
        if chunks and not self.transport.is_closing():
            self._last_traffic = time.monotonic()
            for chunk in chunks:
                self.bytes_out += len(chunk)
                self.transport.write(chunk)

    async def drain(self) -> None:
        self.flush()
        await self.request.writer.drain()

    def start_close(self, code: int | None) -> None:
        """Start the closing handshake (any side may call it, at most once per connection)."""
        conn = self.conn
        if conn is None or conn.close_sent is not None or conn.state is State.FAILED:
            return
        conn.send_close(code)
        self._closing_deadline = time.monotonic() + self.config.close_timeout
        self.flush()

    # --- the connection -----------------------------------------------------------------------------

    async def run(self) -> web.StreamResponse:
        self.request.protocol.set_parser(cast(Any, self._feed))
        started = time.monotonic()
        self.registry.add(self)  # from the start, so that a shutdown also ends handshakes in progress
        try:
            await self._serve()
        except (TimeoutError, ConnectionError) as exc:
            log.debug("%s: %s", self.peer, exc)
        finally:
            self._feed.close()
            self.registry.discard(self)
            if self.behavior is not None:
                self.behavior.closed(self)
            if not self.transport.is_closing():
                self.transport.close()
            self._log_line(time.monotonic() - started)
        return _TakenOver()

    async def _read(self, timeout: float) -> bytes:
        data = await self._feed.read(timeout)
        self.bytes_in += len(data)
        self._last_traffic = time.monotonic()
        return data

    async def _serve(self) -> None:
        request = wire_request(self.request)
        pending = b""
        needed = 8 if detect_draft(request) is Draft.HIXIE_76 else 0
        while len(pending) < needed:
            data = await self._read(self.config.handshake_timeout)
            if not data:
                return
            pending += data
        result = accept(request, pending[:needed], select_protocol=select_protocol)
        if isinstance(result, Rejection):
            answer = result.to_bytes()
            self.transport.write(answer)
            self.bytes_out += len(answer)
            self.rejection = result.reason
            await self._linger()
            return
        answer = result.to_bytes()
        self.transport.write(answer)
        self.bytes_out += len(answer)
        self.protocol = result.accepted.protocol
        self.behavior = Behavior.for_protocol(self.protocol)
        self.conn = Connection(
            result.accepted.draft,
            Side.SERVER,
            assemble=self.behavior.assemble,
            frames=self.behavior.frames or self.config.verbose,
            max_frame_size=self.config.max_message,
            max_message_size=self.behavior.limit(self.config),
        )
        await self.behavior.opened(self)
        if pending[needed:]:
            await self._receive(pending[needed:])
        while self.conn.state not in (State.CLOSED, State.FAILED):
            deadline = self._last_traffic + self.config.idle_timeout
            if self._closing_deadline is not None:
                deadline = self._closing_deadline
            try:
                data = await self._read(max(deadline - time.monotonic(), 0))
            except TimeoutError:
                if self._closing_deadline is not None:
                    return  # the peer never answered our close: drop TCP
                if time.monotonic() - self._last_traffic < self.config.idle_timeout:
                    continue  # we sent something meanwhile (a broadcast, a ping): not idle
                self.start_close(1001 if self.conn.info.close_codes else None)
                continue
            await self._receive(data)
            if not data:
                return
        await self.drain()
        await self._linger()

    async def _linger(self) -> None:
        """Close TCP without a reset: send FIN, then read and discard until the peer closes or close_timeout
        passes (RFC 6455 §7.1.1: "discarding any trailing bytes"). Closing with unread input makes the
        kernel reset the connection, which can destroy what the peer has not read yet: our close frame."""
        if self.transport.is_closing() or not self.transport.can_write_eof():
            return
        self.transport.write_eof()
        deadline = time.monotonic() + self.config.close_timeout
        with contextlib.suppress(TimeoutError):
            while (remaining := deadline - time.monotonic()) > 0:
                if not await self._read(remaining):
                    return

    async def _receive(self, data: bytes) -> None:
        conn, behavior = self.conn, self.behavior
        assert conn is not None and behavior is not None
        conn.receive_data(data)
        verbose = self.config.verbose
        for event in conn.events():
            if verbose:
                log.info("%s %s: %s", self.peer, conn.draft.value, _describe(event))
            # after our own close frame, data is read and discarded (RFC 6455 §5.5.1: no data after a close)
            if conn.close_sent is None and not isinstance(event, ConnectionClosed):
                waiting = behavior.on_event(self, event)
                if waiting is not None:
                    await waiting
        await self.drain()

    def _log_line(self, seconds: float) -> None:
        conn = self.conn
        draft = conn.draft.value if conn else "-"
        if conn is None:
            codes = f"rejected: {self.rejection}"
        else:
            sent, received = conn.close_sent, conn.close_received
            codes = f"close sent={sent and sent.code} received={received and received.code}"
        log.info(
            "%s draft=%s protocol=%s %s in=%d out=%d %.1fs",
            self.peer,
            draft,
            self.protocol or "-",
            codes,
            self.bytes_in,
            self.bytes_out,
            seconds,
        )


def _describe(event: Event) -> str:
    text = repr(event)
    return text if len(text) < 200 else text[:200] + "..."


class Registry:
    """Every WebSocket session of a server (from its upgrade request on), for broadcast and shutdown."""

    def __init__(self) -> None:
        self.sessions: set[Session] = set()
        self._empty = asyncio.Event()
        self._empty.set()

    def add(self, session: Session) -> None:
        self.sessions.add(session)
        self._empty.clear()

    def discard(self, session: Session) -> None:
        self.sessions.discard(session)
        if not self.sessions:
            self._empty.set()

    def peers(self, protocol_filter: Callable[[Session], bool]) -> list[Session]:
        return [s for s in self.sessions if protocol_filter(s)]

    async def close_all(self, code: int, timeout: float) -> None:
        """Start the closing handshake everywhere (1001 on shutdown) and wait for the sessions to end;
        a handshake still in progress is dropped."""
        for session in list(self.sessions):
            if session.conn is None:
                session.transport.close()
                continue
            session.start_close(code if session.conn and session.conn.info.close_codes else None)
            if session.conn is not None and session.conn.state is State.CLOSED:
                session.transport.close()  # hixie-75: no closing handshake
        try:
            await asyncio.wait_for(self._empty.wait(), timeout)
        except TimeoutError:
            for session in list(self.sessions):
                session.transport.close()
