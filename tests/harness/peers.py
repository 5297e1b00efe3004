"""Deliberately broken WebSocket servers for the harness tests, and the small case builder they share.

Each peer is a tiny asyncio server on 127.0.0.1, port 0, written with wire: it speaks every draft
(the request's draft is detected as the reference server does) and breaks one rule on purpose. A `Peer`
records what it saw (`links`: one per TCP connection, with the request and the bytes received after the
handshake) and sets `finished` when a connection is over, so tests wait on events, never on sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Any

from harness.cases.model import Case, CaseInfo, ExpectClose, ExpectEvent, Handshake, Payload, Step
from harness.run.target import Target
from wire import (
    BinaryMessage,
    CloseReceived,
    Connection,
    ConnectionClosed,
    Draft,
    Event,
    Frame,
    HandshakeInvalid,
    HandshakeRequest,
    Kind,
    Rejection,
    Request,
    Response,
    State,
    TextMessage,
    close_payload,
)

INVALID_UTF8 = bytes.fromhex("cebae1bdb9cf83cebcceb5eda080")  # κόσμε, then a UTF-16 surrogate: invalid
# FIN, every RSV bit and opcode 15 set, a 3-byte payload, then more noise
GARBAGE = bytes.fromhex("ff03 deadbe ef fe fd fc fb fa")
NOT_HTTP = b"\x00\xffSSH-2.0-not-a-web-server\r\n\r\n"
BAD_ACCEPT = "bm90IHRoZSByaWdodCBhbnN3ZXI="  # base64 of "not the right answer"

Handler = Callable[["Link"], Awaitable[None]]


class Link:
    """One TCP connection accepted by a peer, with what a misbehaviour is written with."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.conn = Connection.server()
        self.request: Request | None = None
        self.draft: Draft | None = None
        self.received = bytearray()  # every byte read after the opening handshake
        self.reads: list[bytes] = []  # the same, one item per read of the socket
        self.eof = False

    async def read_request(self) -> HandshakeRequest:
        """The client's handshake request (with hixie-76's key3); what came after it is in `received`."""
        raw = b""
        while True:
            data = await self.reader.read(1 << 16)
            if not data:
                raise ConnectionResetError("the client left during the handshake")
            raw += data
            self.conn.receive_data(data)
            for event in self.conn.events():
                if isinstance(event, HandshakeInvalid):
                    raise ConnectionResetError(f"not a handshake: {event.reason}")
                if isinstance(event, HandshakeRequest):
                    self.request = event.request
                    self.received += raw[len(event.head) + len(event.key3) :]
                    return event

    async def handshake(self, *, auto_close: bool = True, strict: bool = True) -> Connection:
        """Accept the opening handshake as the reference server would (offered subprotocol: the first)."""
        request = await self.read_request()
        self.conn.auto_close = auto_close
        self.conn.strict = strict  # read when the framing is set up, as the handshake is accepted
        answer = self.conn.accept(request.protocols[0] if request.protocols else None)
        self.send(self.conn.data_to_send())
        if isinstance(answer, Rejection):
            raise ConnectionResetError(f"refused the handshake: {answer.reason}")
        self.draft = answer.accepted.draft
        return self.conn

    def send(self, data: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(data)

    def flush(self) -> None:
        """Send what the server Connection has queued (answers to pings and closes, our frames)."""
        self.send(self.conn.data_to_send())

    async def read(self) -> bytes:
        """The next bytes from the client; b"" once it closed or reset the connection."""
        if self.eof:
            return b""
        try:
            data = await self.reader.read(1 << 16)
        except ConnectionError:
            data = b""
        self.received += data
        if data:
            self.reads.append(data)
        self.eof = not data
        return data

    async def events(self) -> AsyncIterator[Event]:
        """Received WebSocket events until the client leaves; queued answers are sent as they come."""
        for event in self.conn.events():
            yield event
        self.flush()
        while not self.eof:
            self.conn.receive_data(await self.read())
            for event in self.conn.events():
                yield event
            self.flush()

    async def until_eof(self) -> None:
        """Read and discard everything until the client leaves: the peer never answers."""
        while await self.read():
            pass

    def reset(self) -> None:
        """End the connection with a TCP RST (SO_LINGER 0), not a FIN."""
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


class Peer:
    """A broken server: `async with Peer(handler) as peer:` then connect to `peer.target`."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.links: list[Link] = []
        self.finished = asyncio.Event()  # set whenever a connection is over (the handler returned)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def target(self) -> Target:
        return Target("127.0.0.1", self.port)

    async def __aenter__(self) -> Peer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        for link in self.links:
            link.writer.transport.abort()  # a handler still reading sees the end of the stream
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        link = Link(reader, writer)
        self.links.append(link)
        try:
            await self.handler(link)
            if link.conn.state is not State.CONNECTING:
                link.flush()  # whatever the handler left queued (the answer to a close) still goes out
            with contextlib.suppress(ConnectionError):
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            self._tasks.discard(task)
            self.finished.set()

    async def wait_finished(self, timeout: float = 10.0) -> None:
        """Wait (with a ceiling) until a connection to this peer is over."""
        await asyncio.wait_for(self.finished.wait(), timeout)


# --- the misbehaviours -------------------------------------------------------------------------------


def _echo(link: Link, event: Event) -> None:
    """Echo a whole message back as one frame (as the reference server's echo-assemble does)."""
    assert link.conn is not None
    if isinstance(event, TextMessage):
        link.conn.send_text(event.data)
    elif isinstance(event, BinaryMessage):
        link.conn.send_binary(event.data)


async def utf8_breaker(link: Link) -> None:
    """Answers every text message with a text message that is not valid UTF-8; closes properly."""
    conn = await link.handshake()
    async for event in link.events():
        if isinstance(event, TextMessage):
            conn.send_frame(Frame(conn.info.opcode(Kind.TEXT), INVALID_UTF8))
        elif isinstance(event, CloseReceived):
            return  # the answer to the close, queued by auto_close, goes out as the handler ends


async def silent(link: Link) -> None:
    """Accepts the handshake, then never sends another byte (not even an answer to a close)."""
    await link.handshake()
    await link.until_eof()


async def mute(link: Link) -> None:
    """Accepts TCP and reads the request, but never answers the handshake."""
    await link.read_request()
    await link.until_eof()


async def resetter(link: Link) -> None:
    """Accepts the handshake, waits for the client's first bytes, then resets the connection."""
    await link.handshake()
    if not link.received:
        await link.read()
    link.reset()


async def wrong_accept(link: Link) -> None:
    """Answers 101 with a Sec-WebSocket-Accept that does not match the client's key."""
    request = await link.read_request()
    protocol = request.request.headers.get("Sec-WebSocket-Protocol")
    head = Response(101, "Switching Protocols")
    head.headers.add("Upgrade", "websocket")
    head.headers.add("Connection", "Upgrade")
    head.headers.add("Sec-WebSocket-Accept", BAD_ACCEPT)
    if protocol:
        head.headers.add("Sec-WebSocket-Protocol", protocol.split(",")[0].strip())
    link.send(head.serialize())
    await link.until_eof()


async def not_http(link: Link) -> None:
    """Answers the handshake with bytes that are not HTTP at all."""
    await link.read_request()
    link.send(NOT_HTTP)
    await link.until_eof()


def flood(data: bytes, size: int) -> Handler:
    """Answers the handshake with `size` bytes of `data` over and over, a head that never ends."""

    async def handler(link: Link) -> None:
        await link.read_request()
        link.send((data * (size // len(data) + 1))[:size])
        await link.until_eof()

    return handler


HEAD_FLOOD = flood(b"X-Filler: " + b"x" * 100 + b"\r\n", 20 * 1024)  # a status line is not even needed
GARBAGE_FLOOD = flood(bytes(range(1, 256)), 64 * 1024)  # no CR LF CR LF anywhere


async def garbage(link: Link) -> None:
    """Accepts the handshake, then sends bytes that are no valid frame; answers a close and leaves."""
    await link.handshake()
    link.send(GARBAGE)
    async for event in link.events():
        if isinstance(event, CloseReceived):
            return


def garbage_lingering(*, at_once: bool) -> Handler:
    """Sends bytes that are no valid frame right after the handshake (`at_once`, in the same write as
    the 101 answer) or after the client's first bytes; then never closes (reads until EOF)."""

    async def handler(link: Link) -> None:
        await link.handshake()
        if not at_once and not link.received:
            await link.read()
        link.send(GARBAGE)
        await link.until_eof()

    return handler


def wrong_code(code: int) -> Handler:
    """Echoes messages; answers the client's close, whatever its code (valid or not), with `code`."""

    async def handler(link: Link) -> None:
        conn = await link.handshake(auto_close=False, strict=False)
        async for event in link.events():
            _echo(link, event)
            if isinstance(event, CloseReceived):
                conn.send_frame(Frame(conn.info.opcode(Kind.CLOSE), close_payload(code, b"wrong on purpose")))
                link.flush()
                return

    return handler


async def tcp_dropper(link: Link) -> None:
    """Echoes messages; on the client's close, drops TCP without answering the close frame."""
    await link.handshake(auto_close=False)
    async for event in link.events():
        _echo(link, event)
        if isinstance(event, CloseReceived | ConnectionClosed):
            return


def sink(size: int) -> Handler:
    """Accepts the handshake, keeps what arrives, and closes TCP (no close frame) after `size` bytes."""

    async def handler(link: Link) -> None:
        await link.handshake()
        while len(link.received) < size and await link.read():
            pass

    return handler


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released: connecting to it is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --- cases ---------------------------------------------------------------------------------------------


def make_case(*steps: Step, case_id: str = "t.1", **fields: Any) -> Case:
    """A case built by hand: every field of harness.cases.model.Case may be given; the rest are defaults
    (all drafts, the python agent, the echo subprotocol, OK meaning "nothing received")."""
    info = CaseInfo(case_id, "title", "test", "RFC 6455", "description", "expectation", "tests:1")
    fields.setdefault("drafts", tuple(d.value for d in Draft))
    fields.setdefault("agents", ("python",))
    fields.setdefault("handshake", Handshake(protocols=("echo",)))
    return Case(info=info, steps=steps, **fields)


def text(value: str, fragments: int | None = None) -> ExpectEvent:
    return ExpectEvent("message", "text", Payload(text=value), fragments)


def binary(value: bytes) -> ExpectEvent:
    return ExpectEvent("message", "binary", Payload("hex", value.hex()))


def pong(value: bytes = b"") -> ExpectEvent:
    return ExpectEvent("pong", payload=Payload("hex", value.hex()))


BY_SERVER = ExpectClose(by="peer")
