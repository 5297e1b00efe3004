"""A small WebSocket client for the server tests: wire over asyncio streams, any draft.

`connect` opens TCP, performs the opening handshake of a draft (key3 optionally split into several TCP
writes) and returns a `Client` whose `Connection` does the framing; `next_event` reads until the
Connection reports something (answering pings and closes as the wire layer does by default). Every wait
has TIMEOUT as its ceiling, never as a delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

from server.app import ReferenceServer
from server.config import ServerConfig
from server.tls import default_names, self_signed
from wire import (
    Accepted,
    BinaryMessage,
    ClientHandshake,
    CloseReceived,
    Connection,
    ConnectionClosed,
    Draft,
    Event,
    Family,
    Fragment,
    HandshakeAccepted,
    HeadReader,
    Ping,
    Pong,
    Response,
    State,
    TextMessage,
    parse_response,
)

TIMEOUT = 5.0  # a ceiling for any one wait
READ_SIZE = 1 << 16
HOST = "127.0.0.1"

ALL_DRAFTS = tuple(Draft)
HYBI_DRAFTS = tuple(d for d in Draft if d.info.family is not Family.HIXIE)
HIXIE_DRAFTS = (Draft.HIXIE_75, Draft.HIXIE_76)


class Client:
    """One open WebSocket: the streams, the handshake and the framing Connection."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        handshake: ClientHandshake,
        response: Response,
        accepted: Accepted,
        conn: Connection,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.handshake = handshake
        self.response = response
        self.accepted = accepted
        self.conn = conn
        self.pending: list[Event] = []
        self.skip: tuple[type[Event], ...] = ()  # event types next_event sets aside (in `skipped`)
        self.skipped: list[Event] = []
        self.eof = False
        self.bytes_in = 0  # every byte received, the handshake answer included
        self.bytes_out = 0  # every byte sent, the handshake request included

    @property
    def draft(self) -> Draft:
        return self.conn.draft

    async def flush(self) -> None:
        data = self.conn.data_to_send()
        if data and not self.writer.is_closing():
            self.bytes_out += len(data)
            self.writer.write(data)
            with contextlib.suppress(ConnectionError):
                await self.writer.drain()

    async def send_text(self, text: str, fragment_size: int | None = None) -> None:
        self.conn.send_text(text, fragment_size=fragment_size)
        await self.flush()

    async def send_binary(self, data: bytes, fragment_size: int | None = None) -> None:
        self.conn.send_binary(data, fragment_size=fragment_size)
        await self.flush()

    async def send_ping(self, payload: bytes = b"") -> None:
        self.conn.send_ping(payload)
        await self.flush()

    async def send_close(self, code: int | None = None, reason: str = "") -> None:
        self.conn.send_close(code, reason)
        await self.flush()

    async def _feed(self, data: bytes) -> None:
        if data:
            self.bytes_in += len(data)
        else:
            self.eof = True
            self.writer.close()  # the server ended TCP: our side is done too
        self.conn.receive_data(data)
        self._take_events()
        await self.flush()  # auto pong / auto close

    def _take_events(self) -> None:
        for event in self.conn.events():
            (self.skipped if isinstance(event, self.skip) else self.pending).append(event)

    async def next_event(self, timeout: float = TIMEOUT) -> Event:
        """The next event; after the end of TCP (reported once as ConnectionClosed) an AssertionError."""
        async with asyncio.timeout(timeout):
            while not self.pending:
                assert not self.eof, "the connection already ended"
                await self._feed(await self.reader.read(READ_SIZE))
        return self.pending.pop(0)

    async def events_until(self, stop: type[Event] | tuple[type[Event], ...], timeout: float = TIMEOUT) -> list[Event]:
        """Every event up to and including the first of type `stop`."""
        events: list[Event] = []
        async with asyncio.timeout(timeout):
            while not events or not isinstance(events[-1], stop):
                events.append(await self.next_event())
        return events

    async def message(self, timeout: float = TIMEOUT) -> str | bytes:
        """The next event, which must be a whole message."""
        event = await self.next_event(timeout)
        assert isinstance(event, TextMessage | BinaryMessage), event
        return event.data

    async def fragments(self, timeout: float = TIMEOUT) -> list[Fragment]:
        """The frames of the next message (the client must report frames)."""
        frames: list[Fragment] = []
        async with asyncio.timeout(timeout):
            while not frames or not frames[-1].fin:
                event = await self.next_event()
                if isinstance(event, TextMessage | BinaryMessage):
                    continue  # the client also assembles
                assert isinstance(event, Fragment), event
                frames.append(event)
        return frames

    async def pong(self, timeout: float = TIMEOUT) -> bytes:
        event = await self.next_event(timeout)
        assert isinstance(event, Pong), event
        return event.payload

    async def ping(self, timeout: float = TIMEOUT) -> bytes:
        event = await self.next_event(timeout)
        assert isinstance(event, Ping), event
        return event.payload

    async def close_received(self, timeout: float = TIMEOUT) -> CloseReceived:
        """The next event, which must be the server's close (frame or hixie-76 FF 00)."""
        event = await self.next_event(timeout)
        assert isinstance(event, CloseReceived), event
        return event

    async def tcp_closed(self, timeout: float = TIMEOUT) -> list[Event]:
        """Read until the server ends TCP; the events on the way (ConnectionClosed last)."""
        return await self.events_until(ConnectionClosed, timeout)

    async def close(self, code: int | None = 1000, timeout: float = TIMEOUT) -> CloseReceived | None:
        """The closing handshake from our side, until the server ends TCP; the server's close (None in
        hixie-75, which has none: there we half-close TCP and wait for the server to close its side)."""
        answer = None
        if self.draft is Draft.HIXIE_75:
            self.writer.write_eof()
            events = await self.tcp_closed(timeout)
        else:
            await self.send_close(code if self.draft.info.close_codes else None)
            events = await self.tcp_closed(timeout)
            closes = [e for e in events if isinstance(e, CloseReceived)]
            assert len(closes) == 1, events
            answer = closes[0]
        await self.abort()
        return answer

    async def abort(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError, ConnectionError):
            await self.writer.wait_closed()


async def open_raw(port: int, tls: ssl.SSLContext | None = None) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.wait_for(asyncio.open_connection(HOST, port, ssl=tls), TIMEOUT)


@contextlib.asynccontextmanager
async def tls_reference(directory: Path, plain: bool = False) -> AsyncIterator[tuple[ReferenceServer, Path]]:
    """A reference server serving TLS with a certificate from a new CA (written into `directory`), with a
    plain port beside it when `plain`; (the server, the CA's ca.pem)."""
    files = self_signed(directory, default_names(HOST))
    config = ServerConfig(port=0, tls_cert=files.cert, tls_key=files.key, plain_port=0 if plain else None)
    async with ReferenceServer(config) as server:
        yield server, files.ca


async def read_head(reader: asyncio.StreamReader) -> tuple[Response, bytes, int]:
    """Read an HTTP response head; (response, the bytes read after it, the head's size)."""
    head_reader = HeadReader()
    async with asyncio.timeout(TIMEOUT):
        while (parts := head_reader.feed(data := await reader.read(READ_SIZE))) is None:
            assert data, "the server closed before a complete head"
    head, rest = parts
    return parse_response(head), rest, len(head)


async def read_to_eof(reader: asyncio.StreamReader) -> bytes:
    async with asyncio.timeout(TIMEOUT):
        return await reader.read()


async def connect(
    port: int,
    draft: Draft = Draft.RFC6455,
    protocols: Sequence[str] = (),
    *,
    assemble: bool = True,
    frames: bool = False,
    key3_writes: int = 1,
    after_write: Callable[[int], Awaitable[None]] | None = None,
    path: str = "/",
    tls: ssl.SSLContext | None = None,
    extensions: Sequence[str] = (),
) -> Client:
    """Open a WebSocket of `draft`, offering `protocols` (and `extensions`). hixie-76's key3 goes in
    `key3_writes` separate TCP writes after the head (1: with the head; 8: byte by byte); `after_write(n)`
    is awaited after the head and after each piece, with n the bytes written so far (to wait until the
    server read them). With `tls`, over TLS."""
    reader, writer = await open_raw(port, tls)
    origin = f"http://{HOST}:{port}"
    hs = ClientHandshake.build(draft, f"{HOST}:{port}", path, origin=origin, protocols=protocols, extensions=extensions)
    conn = Connection.client(hs, assemble=assemble, frames=frames)
    request = conn.data_to_send()
    head = len(request) - len(hs.key3)
    if hs.key3 and key3_writes > 1:
        writer.write(request[:head])
        await writer.drain()
        if after_write is not None:
            await after_write(head)
        step = -(-len(hs.key3) // key3_writes)
        for i in range(0, len(hs.key3), step):
            writer.write(hs.key3[i : i + step])
            await writer.drain()
            if after_write is not None:
                await after_write(head + min(i + step, len(hs.key3)))
    else:
        writer.write(request)
        await writer.drain()
    received = 0
    async with asyncio.timeout(TIMEOUT):
        while conn.state is State.CONNECTING:
            data = await reader.read(READ_SIZE)
            assert data, "the server closed during the handshake"
            received += len(data)
            conn.receive_data(data)
    opened, *after = conn.events()
    assert isinstance(opened, HandshakeAccepted), opened
    client = Client(reader, writer, hs, opened.response, opened.accepted, conn)
    client.bytes_out = len(request)
    client.bytes_in = received
    client.pending.extend(after)
    return client


def draft_id(value: object) -> str:
    """A pytest id: a draft's name."""
    return value.value if isinstance(value, Draft) else str(value)
