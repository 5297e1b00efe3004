"""One TCP connection of the reference server, in any draft, from accept to close.

A `Session` is the connection's asyncio protocol. It reads the first request with wire (a server
Connection in CONNECTING: a bounded head, hixie-76's key3) within `handshake_timeout` (else 408, or
silence when only key3 is missing). A WebSocket upgrade is served here: the session's coroutine answers
it and speaks the draft's framing on the transport. Anything else is plain HTTP: the connection is
handed to aiohttp's request handler (its public asyncio protocol), fed the bytes already read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from wire import (
    Connection,
    ConnectionClosed,
    Event,
    HandshakeInvalid,
    HandshakeRequest,
    Rejection,
    State,
    is_upgrade,
)

from .config import ServerConfig
from .feed import Feed
from .protocols import Behavior, select_protocol

log = logging.getLogger("server")

HttpHandler = Callable[[], asyncio.Protocol]  # aiohttp's request handler for one connection
Spawn = Callable[[Coroutine[Any, Any, None]], None]  # runs a session's coroutine as a task its server owns


class Session(asyncio.Protocol):
    """A peer of the server: its connection, its behaviour, its counters."""

    def __init__(self, config: ServerConfig, registry: Registry, http: HttpHandler, spawn: Spawn) -> None:
        self.config = config
        self.registry = registry
        self._http_factory = http
        self._spawn = spawn
        self.conn = Connection.server(
            max_head=config.max_head, max_frame_size=config.max_message, compression_level=config.deflate_level
        )
        self.transport: asyncio.Transport | None = None
        self._tls = False  # TLS transports cannot stay half open: the peer's end of TLS closes both ways
        self.peer = "?"
        self.rejection: str | None = None
        self.behavior: Behavior | None = None
        self.protocol: str | None = None
        self.bytes_in = 0  # every byte received, the request included
        self.bytes_out = 0  # every byte sent, the answer included
        self._http: asyncio.Protocol | None = None  # aiohttp's handler, once the connection is plain HTTP
        self._feed: Feed | None = None  # what the WebSocket coroutine reads, once upgraded
        self._timer: asyncio.TimerHandle | None = None
        self._paused = False
        self._drained: asyncio.Future[None] | None = None
        self._closing_deadline: float | None = None
        self._last_traffic = time.monotonic()  # either way: the idle timeout counts from here

    # --- asyncio.Protocol ----------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._tls = transport.get_extra_info("sslcontext") is not None
        peername = transport.get_extra_info("peername") or ("?", 0)
        self.peer = f"{peername[0]}:{peername[1]}"
        self._timer = asyncio.get_running_loop().call_later(self.config.handshake_timeout, self._too_slow)
        self.registry.add(self)  # from the start, so that a shutdown also ends handshakes in progress

    def data_received(self, data: bytes) -> None:
        if self._http is not None:
            self._http.data_received(data)
            return
        self.bytes_in += len(data)
        self._last_traffic = time.monotonic()
        if self._feed is not None:
            self._feed.feed_data(data)
            return
        self.conn.receive_data(data)
        for event in self.conn.events():
            if isinstance(event, HandshakeRequest):
                self._dispatch(event)
            elif isinstance(event, HandshakeInvalid):  # not HTTP, or over a limit: its 400 or 431 is queued
                self._refuse()

    def eof_received(self) -> bool | None:
        if self._http is not None:
            return self._http.eof_received()
        if self._feed is not None:
            self._feed.feed_eof()
            # the WebSocket decides when to close (lingering, its close frame); TLS closes at once
            return None if self._tls else True
        return None  # the peer left during the handshake: close

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        if self._http is not None:
            self._http.connection_lost(exc)
            return
        if self._feed is not None:
            self._feed.feed_eof()
        else:
            self.registry.discard(self)
        self._wake()

    def pause_writing(self) -> None:
        if self._http is not None:
            self._http.pause_writing()
        self._paused = True

    def resume_writing(self) -> None:
        if self._http is not None:
            self._http.resume_writing()
        self._paused = False
        self._wake()

    def _wake(self) -> None:
        drained, self._drained = self._drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)

    # --- the opening handshake ------------------------------------------------------------------------

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _too_slow(self) -> None:
        """No whole request within handshake_timeout: 408 for a head still coming; a hixie-76 request
        whose key3 never came gets no answer (nothing it could parse), only the end of TCP."""
        self._timer = None
        if self.conn.state is not State.CONNECTING or self._feed is not None:
            return
        if not self.conn.head_read:
            self.conn.reject(Rejection(408, f"no complete HTTP head within {self.config.handshake_timeout:g} s"))
        self._refuse()

    def _refuse(self) -> None:
        """Send what the Connection queued (a rejection, or nothing) and close."""
        assert self.transport is not None
        self._stop_timer()
        self.write(self.conn.data_to_send())
        self.transport.close()

    def _dispatch(self, request: HandshakeRequest) -> None:
        self._stop_timer()
        if is_upgrade(request.request):
            self._feed = Feed(self._transport())
            self._spawn(self.run(request))
            return
        # plain HTTP (the docroot, /health): aiohttp's, from the first byte of this request on
        self.registry.discard(self)
        rest = self.conn.detach()
        http = self._http = self._http_factory()
        http.connection_made(self._transport())
        if self._paused:
            http.pause_writing()
        http.data_received(request.head + rest)

    def _transport(self) -> asyncio.Transport:
        assert self.transport is not None
        return self.transport

    # --- sending (also used by other sessions: broadcast) ----------------------------------------------

    def write(self, data: bytes) -> None:
        transport = self._transport()
        if data and not transport.is_closing():
            self.bytes_out += len(data)
            transport.write(data)

    def flush(self) -> None:
        chunks = self.conn.chunks_to_send()  # a large payload comes as a chunk of its own: not copied
        if chunks and not self._transport().is_closing():
            self._last_traffic = time.monotonic()
            for chunk in chunks:
                self.write(chunk)

    async def drain(self) -> None:
        """Flush, then wait while the transport holds more than its high-water mark."""
        self.flush()
        while self._paused and not self._transport().is_closing():
            self._drained = asyncio.get_running_loop().create_future()
            await self._drained

    def start_close(self, code: int | None) -> None:
        """Start the closing handshake (any side may call it, at most once per connection)."""
        conn = self.conn
        if conn.state is not State.OPEN and conn.state is not State.REMOTE_CLOSING:
            return
        if conn.close_sent is not None:
            return
        conn.send_close(code)
        self._closing_deadline = time.monotonic() + self.config.close_timeout
        self.flush()

    # --- the WebSocket ---------------------------------------------------------------------------------

    async def run(self, request: HandshakeRequest) -> None:
        started = time.monotonic()
        try:
            await self._serve(request)
        except (TimeoutError, ConnectionError) as exc:
            log.debug("%s: %s", self.peer, exc)
        finally:
            if self._feed is not None:
                self._feed.close()
            self.registry.discard(self)
            if self.behavior is not None:
                await self.behavior.closed(self)
            if not self._transport().is_closing():
                self._transport().close()
            self._log_line(time.monotonic() - started)

    async def _read(self, timeout: float) -> bytes:
        assert self._feed is not None
        return await self._feed.read(timeout)

    async def _serve(self, request: HandshakeRequest) -> None:
        conn = self.conn
        protocol = select_protocol(list(request.protocols))
        behavior = Behavior.for_protocol(protocol)
        conn.assemble = behavior.assemble
        conn.frames = behavior.frames or self.config.verbose
        conn.max_message_size = behavior.limit(self.config)
        result = conn.accept(protocol, deflate=self.config.deflate)
        if isinstance(result, Rejection):
            self.flush()
            self.rejection = result.reason
            await self._linger()
            return
        self.protocol = result.accepted.protocol
        self.behavior = behavior
        await behavior.opened(self)
        await self._handle(conn.events())
        while conn.state is not State.CLOSED and conn.state is not State.FAILED:
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
                self.start_close(1001 if conn.info.close_codes else None)
                continue
            conn.receive_data(data)
            await self._handle(conn.events())
            if not data:
                return
        await self.drain()
        await self._linger()

    async def _linger(self) -> None:
        """Close TCP without a reset: send FIN, then read and discard until the peer closes or close_timeout
        passes (RFC 6455 §7.1.1: "discarding any trailing bytes"). Closing with unread input makes the
        kernel reset the connection, which can destroy what the peer has not read yet: our close frame."""
        transport = self._transport()
        if transport.is_closing() or not transport.can_write_eof():
            return
        transport.write_eof()
        deadline = time.monotonic() + self.config.close_timeout
        with contextlib.suppress(TimeoutError):
            while (remaining := deadline - time.monotonic()) > 0:
                if not await self._read(remaining):
                    return

    async def _handle(self, events: list[Event]) -> None:
        conn, behavior = self.conn, self.behavior
        assert behavior is not None
        verbose = self.config.verbose
        for event in events:
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
        if self.behavior is None:
            draft, codes = "-", f"rejected: {self.rejection}"
        else:
            sent, received = conn.close_sent, conn.close_received
            draft, codes = conn.draft.value, f"close sent={sent and sent.code} received={received and received.code}"
            if conn.deflate is not None:
                draft += "+permessage-deflate"
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
    """Every session of a server that is not plain HTTP (from its first byte on), for broadcast and
    shutdown."""

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
            conn = session.conn
            if conn.state is State.OPEN or conn.state is State.REMOTE_CLOSING:
                session.start_close(code if conn.info.close_codes else None)
            if conn.state is State.CONNECTING or conn.state is State.CLOSED:
                session._transport().close()  # a handshake, a rejection lingering, or hixie-75 (no closing handshake)
        try:
            async with asyncio.timeout(timeout):
                await self._empty.wait()
        except TimeoutError:
            for session in list(self.sessions):
                session._transport().close()
