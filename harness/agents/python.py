"""The raw Python client: asyncio + wire, able to send anything a case asks for.

Writes follow Autobahn's: the frames of consecutive send steps leave in one write, at the next wait,
pause or mark (or the end of the steps); `sync` gives each frame of a step its own write, `chop` writes a
step in pieces, a `write` group is one write of its own. Everything is recorded as typed events
(harness/run/events.py); who closed and whether it was clean is the judge's to work out.

Deadlines measure the peer, never the harness: a closing handshake gets `close_timeout` seconds (Autobahn's
1 s) from the moment the client's close was written, and before any deadline or mark counts, what the peer
has already sent (in the kernel's buffer or the stream's) is read and handled.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import fcntl
import platform
import termios
from collections.abc import AsyncIterator, Callable, Sequence

from wire import (
    BinaryMessage,
    ClientHandshake,
    CloseReceived,
    Closing,
    Connection,
    ConnectionClosed,
    Draft,
    Event,
    Fragment,
    Ignored,
    Masking,
    Ping,
    Pong,
    ProtocolFailure,
    Side,
    State,
    TextMessage,
)

from ..cases.model import (
    BeginFrame,
    Case,
    FrameData,
    Mark,
    Pause,
    Repeat,
    SendClose,
    SendFrame,
    SendMessage,
    SendPing,
    SendPong,
    SendRaw,
    Step,
    Wait,
    Write,
    resolve_opcode,
    walk,
)
from ..run import events as ev
from ..run.recorder import Recorder
from ..run.target import Target
from .client import READ_SIZE, open_handshake
from .sending import Encoder, Send

CONNECT_TIMEOUT = 5.0
SETTLE_ROUNDS = 64  # at most this many turns of the event loop to take in what the peer already sent
# Between two writes of a chopped or `sync` step, Autobahn's queue re-enters its reactor after this delay
# (autobahn/websocket/protocol.py, WebSocketProtocol._QUEUED_WRITE_DELAY): the pacing of the stimulus, so
# that a peer gets the time between writes that Autobahn gives it. It is never a wait for an outcome.
QUEUED_WRITE_DELAY = 0.00001


def unsupported_in_draft(case: Case, draft: Draft) -> str | None:
    """Why `draft` cannot express a step of `case` at all (no such frame in that draft), or None."""
    info = draft.info
    for step in walk(case.steps):
        if isinstance(step, SendPing | SendPong) and not info.has_ping:
            return f"{draft.value} has no ping or pong frames"
        if isinstance(step, SendMessage):
            if step.kind == "binary" and not info.has_binary:
                return f"{draft.value} has no binary messages"
            if step.fragment_size is not None and not info.has_fragmentation:
                return f"{draft.value} has no fragmentation"
        if isinstance(step, SendClose) and (step.code is not None or step.raw is not None) and not info.close_codes:
            return f"{draft.value} close frames carry no code"
        if isinstance(step, SendClose) and info.closing is Closing.TCP:
            return f"{draft.value} has no close frame"
        if isinstance(step, SendFrame | BeginFrame) and resolve_opcode(step.opcode, draft) is None:
            return f"{draft.value} has no opcode {step.opcode}"
        if isinstance(step, BeginFrame) and info.masking is not Masking.PAYLOAD:
            return f"{draft.value} masks whole frames: a frame cannot be written piece by piece"
    return None


def unsupported(case: Case, draft: Draft, page: str = "agent") -> str | None:
    """Why the raw client cannot express `case` in `draft`: it has no web pages, and a draft may lack a frame."""
    if page != "agent":
        return "the python agent has no web pages"
    return unsupported_in_draft(case, draft)


class PythonDriver:
    name = "python"

    @property
    def version(self) -> str:
        return f"wsinterop raw client (Python {platform.python_version()})"

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def unsupported(self, case: Case, draft: Draft, page: str = "agent") -> str | None:
        return unsupported(case, draft, page)

    @contextlib.asynccontextmanager
    async def session(
        self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
    ) -> AsyncIterator[_Session | None]:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(target.host, target.port), CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            recorder.observation.error = f"cannot connect to {target.authority}: {str(exc) or type(exc).__name__}"
            yield None
            return
        session = _Session(case, draft, target, recorder, reader, writer)
        try:
            yield session
        finally:
            await session.stop()
            writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()


class _Session:
    def __init__(
        self,
        case: Case,
        draft: Draft,
        target: Target,
        recorder: Recorder,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.case = case
        self.draft = draft
        self.target = target
        self.rec = recorder
        self.obs = recorder.observation
        self.reader = reader
        self.writer = writer
        self.conn: Connection | None = None
        self.encoder: Encoder | None = None
        self.pending: list[bytes] = []  # frames of send steps waiting for the write they share
        self.close_queued = False  # the client's close is among them
        self.close_written = 0.0  # when the write that carried the client's close was done (recorder time)
        self.lock = asyncio.Lock()  # one write at a time: a chopped frame is never cut by an answer
        self.eof = False
        self.dropped = False
        self.bytes_in = 0
        self.fragments = 0
        self.reading: asyncio.Task[None] | None = None

    # --- writing -------------------------------------------------------------------------------------

    def t(self) -> float:
        return self.rec.stamp()

    async def _write(self, data: bytes, close: bool = False) -> None:
        """One write; `close`: the client's close is in it (recorded when handed to the transport, before
        any answer can be read; its deadline runs from when the write is done)."""
        if not data or self.writer.is_closing():
            return
        self.rec.wire("out", data)
        with contextlib.suppress(ConnectionError):
            self.writer.write(data)
            if close:
                assert self.conn is not None
                self.rec.record(ev.CloseOut(self.t(), self.conn.sent_code))
            await self.writer.drain()
        if close:
            self.close_written = self.rec.now()

    async def flush(self) -> None:
        """Write what the send steps queued and what the connection has to say (answers), in one write."""
        async with self.lock:
            conn = self.conn
            assert conn is not None
            closing = conn.close_sent
            data = b"".join(self.pending) + conn.data_to_send()
            self.pending = []
            close = self.close_queued or (conn.close_sent and not closing)  # its own, an answer, a failure's
            self.close_queued = False
            await self._write(data, close)

    async def send(self, step: Send, chop: int | None = None, sync: bool = False) -> None:
        assert self.encoder is not None
        if chop or sync:
            await self.flush()  # what came before goes first, in its own write
        frames = self.encoder.frames(step)
        self.close_queued = self.close_queued or (isinstance(step, SendClose) and bool(frames))
        if not chop and not sync:
            self.pending += frames
            return
        pieces = [
            frame[i : i + (chop or len(frame) or 1)]
            for frame in frames
            for i in range(0, len(frame), chop or len(frame) or 1)
        ]
        close, self.close_queued = self.close_queued, False
        async with self.lock:
            for n, piece in enumerate(pieces):
                if n:
                    await asyncio.sleep(QUEUED_WRITE_DELAY)
                await self._write(piece, close and n == len(pieces) - 1)

    # --- opening handshake ---------------------------------------------------------------------------

    async def handshake(self) -> bytes | None:
        """Send the request, read the answer; the bytes after it, or None when there is no WebSocket."""
        h = self.case.handshake
        hs = ClientHandshake.build(
            self.draft,
            self.target.authority,
            h.path or self.target.path,
            origin=h.origin,
            protocols=h.protocols,
            extensions=h.extensions,
            overrides=dict(h.headers),
            extra_headers=h.extra_headers,
            key3=h.key3.to_bytes() if h.key3 is not None else None,
            method=h.method,
            version=h.http_version,
        )
        self.obs.handshake_request = hs.to_bytes().decode("latin-1")
        result = await open_handshake(self.reader, self.writer, hs, on_wire=self.rec.wire)
        if result.head is None:
            self.rec.record(ev.TcpClosed(self.t(), "peer", "during the handshake"))
            self.eof = True
            return None
        response = result.response
        if response is not None:
            self.obs.handshake_response = result.head.decode("latin-1")
            self.obs.status = response.status
            self.obs.response_headers = list(response.headers)
            if response.status != 101:
                self.rec.record(ev.Rejected(self.t(), response.status, response.reason))
                return None
        accepted = result.accepted
        if accepted is None:
            assert result.error is not None
            self.obs.handshake_error = result.error.reason
            self.rec.record(ev.HandshakeInvalid(self.t(), result.error.reason))
            return None
        self.obs.protocol = accepted.protocol
        self.rec.record(ev.Opened(self.t(), accepted.protocol))
        return result.rest

    # --- receiving -----------------------------------------------------------------------------------

    async def read_loop(self) -> None:
        while not self.eof:
            try:
                data = await self.reader.read(READ_SIZE)
            except ConnectionError as exc:
                self.rec.record(ev.TcpClosed(self.t(), "peer", f"connection reset: {exc}"))
                self.eof = True
                return
            if data:
                self.bytes_in += len(data)
                self.rec.wire("in", data)
            self.receive(data)
            if not data:
                self.eof = True
                return
            await self.flush()

    def receive(self, data: bytes) -> None:
        assert self.conn is not None
        self.conn.receive_data(data)
        for event in self.conn.events():
            self.record(event)

    def record(self, event: Event) -> None:
        t, rec = self.t(), self.rec
        if isinstance(event, Fragment):
            self.fragments += 1
        elif isinstance(event, TextMessage | BinaryMessage):
            text = isinstance(event, TextMessage)
            data = event.data.encode() if isinstance(event, TextMessage) else event.data
            rec.record(ev.MessageIn(t, "text" if text else "binary", ev.PayloadInfo.of(data, text), self.fragments))
            self.fragments = 0
        elif isinstance(event, Ping):
            rec.record(ev.PingIn(t, ev.PayloadInfo.of(event.payload)))
        elif isinstance(event, Pong):
            rec.record(ev.PongIn(t, ev.PayloadInfo.of(event.payload)))
        elif isinstance(event, CloseReceived):
            rec.record(ev.CloseIn(t, event.code, event.reason))
        elif isinstance(event, ProtocolFailure):
            rec.record(ev.Failure(t, event.code, event.reason))
        elif isinstance(event, Ignored):
            rec.record(ev.IgnoredIn(t, event.frame.opcode, ev.PayloadInfo.of(event.frame.payload)))
        elif isinstance(event, ConnectionClosed) and not self.dropped:
            rec.record(ev.TcpClosed(t, "peer"))

    # --- steps ---------------------------------------------------------------------------------------

    async def perform(self, steps: Sequence[Step]) -> None:
        """The steps in order until the connection ends; what they queued is written at the end."""
        for step in steps:
            await self.step(step)
        await self.flush()

    async def step(self, step: Step) -> None:
        if self.ended:
            return
        if isinstance(step, Repeat):
            for _ in range(step.count):
                for inner in step.steps:
                    await self.step(inner)
        elif isinstance(step, Write):
            await self.flush()
            await self.perform(step.steps)
        elif isinstance(step, Wait):
            await self.flush()
            await self.wait(step)
        elif isinstance(step, Pause):
            await self.flush()
            await self.rec.wait_until(lambda: self.ended, step.seconds)
        elif isinstance(step, Mark):
            await self.flush()
            await self.settle(lambda: self.ended)
            if self.is_open:
                self.rec.record(ev.MarkSet(self.t(), step.name))
        elif isinstance(step, SendFrame | SendMessage | SendRaw | SendClose):
            await self.send(step, step.chop, step.sync)
        elif isinstance(step, SendPing | SendPong | BeginFrame | FrameData):
            await self.send(step)

    async def wait(self, step: Wait) -> None:
        if step.for_ in ("close", "tcp_closed"):
            done = (lambda: self.closed_by_peer or self.eof) if step.for_ == "close" else (lambda: self.eof)
            if not await self.rec.wait_until(done, step.timeout):
                self.rec.record(ev.TimedOut(self.t(), step.for_, step.timeout))
            return
        await self.rec.wait_for(step.for_, step.count, step.timeout, lambda: self.ended)

    # --- the state of the connection -----------------------------------------------------------------

    @property
    def closed_by_peer(self) -> bool:
        return self.conn is not None and self.conn.close_received

    @property
    def ended(self) -> bool:
        """The peer closed (its close frame or TCP), or this client failed the connection: nothing more
        is sent, and nothing more can come that a case waits for."""
        return self.eof or self.closed_by_peer or (self.conn is not None and self.conn.state is State.FAILED)

    @property
    def is_open(self) -> bool:
        """No close either way, no failure, TCP up."""
        return not self.ended and not (self.conn is not None and self.conn.close_sent)

    def _unread(self) -> int:
        """Bytes the peer sent that the read loop has not taken in yet: in the kernel's socket buffer, or
        in the stream reader's (asyncio keeps no public count of those: its `_buffer`, or none)."""
        buffered = len(getattr(self.reader, "_buffer", b""))
        sock = self.writer.get_extra_info("socket")
        if sock is None:
            return buffered
        count = array.array("i", [0])
        try:
            fcntl.ioctl(sock.fileno(), termios.FIONREAD, count)
        except OSError:
            return buffered
        return buffered + count[0]

    async def settle(self, done: Callable[[], bool]) -> None:
        """Before a deadline or a mark counts, take in what the peer has already sent: bytes waiting in the
        kernel or in the stream reader are read and handled first, so that a slow harness never makes
        the peer look late."""
        for _ in range(SETTLE_ROUNDS):
            if done() or self.eof or not self._unread():
                return
            await asyncio.sleep(0)  # the transport and the read loop take their turns

    async def until(self, done: Callable[[], bool], since: float, seconds: float) -> bool:
        """Wait until `done()`, at most until `seconds` after `since` (recorder time); what the peer sent
        before the deadline counts even when the harness reads it late."""
        remaining = since + seconds - self.rec.now()
        if await self.rec.wait_until(done, max(remaining, 0.0)):
            return True
        await self.settle(done)
        return done()

    # --- open and close ------------------------------------------------------------------------------

    async def open(self) -> bool:
        try:
            rest = await self.handshake()
        except ConnectionError as exc:
            self.rec.record(ev.TcpClosed(self.t(), "peer", f"connection reset during the handshake: {exc}"))
            return False
        if rest is None:
            return False
        self.conn = Connection(self.draft, Side.CLIENT, frames=True, assemble=True)
        self.encoder = Encoder(self.conn, self.draft)
        if rest:
            self.receive(rest)
            await self.flush()  # answers to frames that came with the handshake (a pong, a failure's close)
        self.reading = asyncio.create_task(self.read_loop())
        return True

    async def stop(self) -> None:
        if self.reading is not None:
            self.reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reading

    def drop(self, reason: str) -> None:
        """End TCP from this side before the peer did."""
        if not self.eof:
            self.dropped = True
            self.rec.record(ev.TcpClosed(self.t(), "agent", reason))
            self.writer.close()

    async def finish(self) -> None:
        """The closing phase: close if the case expects the client to, then give the peer `close_timeout`
        for each of its parts of the closing handshake."""
        conn = self.conn
        assert conn is not None
        await self.flush()
        limit = self.case.close_timeout
        if self.draft.info.closing is Closing.TCP:  # hixie-75: closing is ending TCP
            if self.case.close.by != "server" and not self.ended:
                self.drop("hixie-75 closes by ending the TCP connection")
            elif not await self.rec.wait_until(lambda: self.eof, self.case.timeout):
                self.rec.record(ev.TimedOut(self.t(), "the peer to close", self.case.timeout, final=True))
            return
        by_server = self.case.close.by == "server" and not self.case.close.answer
        if not by_server and not conn.close_sent and not self.ended:
            await self.send(SendClose(1000 if self.draft.info.close_codes else None))
            await self.flush()

        def closed() -> bool:
            return conn.close_received or self.eof

        if not conn.close_sent and not closed() and not await self.rec.wait_until(closed, self.case.timeout):
            self.rec.record(ev.TimedOut(self.t(), "the peer to close", self.case.timeout, final=True))
            return
        if conn.close_sent and not closed() and not await self.until(closed, self.close_written, limit):
            self.rec.record(ev.TimedOut(self.t(), "the peer's close reply", limit))
            self.drop(f"no close reply within {limit:g} s")
            return
        if not self.eof:
            since = max([self.close_written, *(e.t for e in self.obs.events if isinstance(e, ev.CloseIn))])
            if not await self.until(lambda: self.eof, since, limit):
                self.drop(f"the server did not close TCP within {limit:g} s of the closing handshake")
