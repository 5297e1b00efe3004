"""The raw Python agent: wire on an asyncio transport, able to send anything a case asks for.

A `RawSession` performs a case's steps on one wire Connection and records what happens as typed events
(harness/run/events.py); who closed and whether it was clean is the judge's to work out. Its side is the
Connection's: the opening handshake differs (today the agent is a client: `PythonDriver` opens the
connection and sends a ClientHandshake built from the case; harness/agents/serving.py is the server's
opening), while sending steps, recording and the closing phase are the same for either side (but for who
ends TCP after the closing handshake: `end_tcp`).

Writes follow Autobahn's: the frames of consecutive send steps leave in one write, at the next wait,
pause or mark (or the end of the steps); `sync` gives each frame of a step its own write, `chop` writes a
step in pieces, a `write` group is one write of its own. Deadlines measure the peer, never the harness: a
closing handshake gets `close_timeout` seconds (Autobahn's 1 s) from the end of the write that carried the
close, and before any deadline or mark counts, what the peer has already sent is read and handled.
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
    HandshakeAccepted,
    HandshakeInvalid,
    HandshakeRejected,
    Ignored,
    Masking,
    Ping,
    Pong,
    ProtocolFailure,
    State,
    TextMessage,
)
from wire.extensions import HEADER as EXTENSIONS_HEADER
from wire.extensions import Memo

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
    nth,
    resolve_opcode,
    walk,
)
from ..run import events as ev
from ..run.recorder import Recorder
from ..run.target import Target, Trust
from .link import Link, connect
from .sending import Encoder, Send

# zlib's level for the messages a case sends compressed (permessage-deflate): its fastest. Any level is
# deflate to the peer, and 12.* and 13.* compress some 11 GB, where level 6 would take three times as long.
COMPRESSION_LEVEL = 1
# The messages this process's clients compress with a fresh compressor, kept to send again without
# compressing (wire/extensions/deflate.py): 12.* and 13.* send the same corpus slices again and again.
KEPT_COMPRESSIONS = Memo(128 << 20)
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
    if case.handshake.tls:
        return "the python agent has no web pages, whose TLS rules this case tests"
    return unsupported_in_draft(case, draft)


def client_handshake(case: Case, draft: Draft, target: Target) -> ClientHandshake:
    """The request a case asks for (any header overridden or removed, hixie-76's key3 replaced)."""
    h = case.handshake
    return ClientHandshake.build(
        draft,
        target.authority,
        h.path or target.path,
        origin=h.origin,
        protocols=h.protocols,
        extensions=h.extensions,
        overrides=dict(h.headers),
        extra_headers=h.extra_headers,
        key3=h.key3.to_bytes() if h.key3 is not None else None,
        method=h.method,
        version=h.http_version,
        deflate_as_answered=h.deflate_as_answered,
    )


class PythonDriver:
    name = "python"
    overhead = 5.0  # seconds past a case's timeout before the engine gives up (its waits run in this process)

    @property
    def version(self) -> str:
        return f"wsinterop raw client (Python {platform.python_version()})"

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def unsupported(self, case: Case, draft: Draft, page: str = "agent") -> str | None:
        return unsupported(case, draft, page)

    def certificates(self, trust: Trust) -> str:
        return trust.describe()

    @contextlib.asynccontextmanager
    async def session(
        self, case: Case, draft: Draft, target: Target, recorder: Recorder, page: str = "agent"
    ) -> AsyncIterator[RawSession | None]:
        hs = client_handshake(case, draft, target)
        session = RawSession(
            case,
            Connection.client(hs, compression_level=COMPRESSION_LEVEL, compression_memo=KEPT_COMPRESSIONS),
            recorder,
        )
        try:
            session.link = await connect(target.host, target.port, session.make_link, tls=target.tls_context())
        except OSError as exc:  # TimeoutError included
            recorder.observation.error = target.connect_error(exc)
            yield None
            return
        recorder.observation.handshake_request = hs.to_bytes().decode("latin-1")
        try:
            yield session
        finally:
            await session.stop()


class RawSession:
    """One connection through a case: its steps on `conn`, and what happens recorded in `recorder`."""

    def __init__(self, case: Case, conn: Connection, recorder: Recorder) -> None:
        self.case = case
        self.conn = conn
        self.rec = recorder
        self.obs = recorder.observation
        self.link: Link | None = None
        self.encoder: Encoder | None = None  # once the handshake told the draft
        self.pending: list[bytes] = []  # frames of send steps waiting for the write they share
        self.close_queued = False  # this side's close is among them
        self.close_written = 0.0  # when the write that carried this side's close was done (recorder time)
        self.reset = ""  # why the transport broke, when it did
        self.dropped = False  # this side ended TCP first

    def make_link(self) -> Link:
        return Link(self.conn, self.record, on_wire=self.rec.wire, on_error=self.on_error)

    def on_error(self, reason: str) -> None:
        self.reset = reason

    def t(self) -> float:
        return self.rec.stamp()

    # --- recording -----------------------------------------------------------------------------------

    def record(self, events: list[Event]) -> None:
        rec, t = self.rec, self.t()
        for event in events:
            if isinstance(event, TextMessage | BinaryMessage):
                text = isinstance(event, TextMessage)
                data = event.data.encode() if isinstance(event, TextMessage) else event.data
                rec.record(ev.MessageIn(t, "text" if text else "binary", ev.PayloadInfo.of(data, text), event.frames))
            elif isinstance(event, Ping):
                rec.record(ev.PingIn(t, ev.PayloadInfo.of(event.payload)))
            elif isinstance(event, Pong):
                rec.record(ev.PongIn(t, ev.PayloadInfo.of(event.payload)))
            elif isinstance(event, CloseReceived):
                answering = self.conn.close_sent is None and self.conn.auto_close
                rec.record(ev.CloseIn(t, event.code, event.reason))
                if answering:  # the Link writes the Connection's answer as soon as this returns
                    rec.record(ev.CloseOut(t, event.code))
                    self.close_written = self.rec.now()
            elif isinstance(event, ProtocolFailure):
                if event.peer_close_code is not None:  # the peer did close, with a code it may not send
                    rec.record(ev.CloseIn(t, event.peer_close_code))
                rec.record(ev.Failure(t, event.code, event.reason))
                if self.conn.close_sent is None and self.conn.info.closing is not Closing.TCP:
                    rec.record(ev.CloseOut(t, event.code))  # the failure's close, which the Link writes next
            elif isinstance(event, Ignored):
                rec.record(ev.IgnoredIn(t, event.frame.opcode, ev.PayloadInfo.of(event.frame.payload)))
            elif isinstance(event, ConnectionClosed):
                during = "during the handshake" if self.conn.accepted is None else ""
                rec.record(ev.TcpClosed(t, "peer", self.reset or during))
            else:
                self.record_handshake(event)

    def record_handshake(self, event: Event) -> None:
        """The client's view of the opening handshake: the answer, and whether it opened a WebSocket."""
        obs, rec = self.obs, self.rec
        if isinstance(event, HandshakeAccepted | HandshakeRejected):
            obs.handshake_response = event.head.decode("latin-1")
            obs.status = event.response.status
            obs.response_headers = list(event.response.headers)
        if isinstance(event, HandshakeAccepted):
            obs.protocol = event.accepted.protocol
            obs.extensions = ", ".join(event.response.headers.get_all(EXTENSIONS_HEADER)) or None
            rec.record(ev.Opened(self.t(), event.accepted.protocol))
        elif isinstance(event, HandshakeRejected):
            rec.record(ev.Rejected(self.t(), event.response.status, event.response.reason))
        elif isinstance(event, HandshakeInvalid):
            if event.response is not None:  # a 101 that does not fit the request
                assert event.head is not None
                obs.handshake_response = event.head.decode("latin-1")
                obs.status = event.response.status
                obs.response_headers = list(event.response.headers)
            obs.handshake_error = event.reason
            rec.record(ev.HandshakeInvalid(self.t(), event.reason))

    # --- the connection --------------------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        """Nothing more is worth doing: TCP ended, this side failed the connection, or the peer closed it
        (what is left to send is moot; the answer to its close went out by itself)."""
        return self.link is None or self.link.over

    @property
    def tcp_ended(self) -> bool:
        return self.link is None or self.link.ended

    @property
    def is_open(self) -> bool:
        """No close either way, no failure, TCP up."""
        return not self.ended and self.conn.close_sent is None

    async def open(self) -> bool:
        """The opening handshake: send the request, wait for the answer (the case's timeout at most)."""
        link = self.link
        assert link is not None
        await link.send()
        opened = await self.rec.wait_until(lambda: self.conn.state is not State.CONNECTING, self.case.timeout)
        if not opened:
            self.rec.record(ev.TimedOut(self.t(), "the handshake answer", self.case.timeout, final=True))
        if self.conn.accepted is None:
            return False
        self.encoder = Encoder(self.conn, self.conn.draft)
        return True

    # --- writing -------------------------------------------------------------------------------------

    async def write(self, pieces: list[bytes], close: bool, pause: float = 0.0) -> None:
        """Pieces in writes of their own; `close`: this side's close is in the last one (recorded when it
        is handed to the transport, before any answer can be read; its deadline runs from the write's end)."""
        assert self.link is not None

        def closed() -> None:
            self.rec.record(ev.CloseOut(self.t(), self.conn.close_sent.code if self.conn.close_sent else None))

        await self.link.write(pieces, pause, closed if close else lambda: None)
        if close:
            self.close_written = self.rec.now()

    async def flush(self) -> None:
        """What the send steps queued and what the Connection has to say, in one write."""
        closing = self.conn.close_sent
        data = b"".join(self.pending) + self.conn.data_to_send()
        self.pending = []
        close = self.close_queued or (self.conn.close_sent is not None and closing is None)
        self.close_queued = False
        await self.write([data], close)

    async def send(self, step: Send, chop: int | None = None, sync: bool = False) -> None:
        assert self.encoder is not None
        if chop or sync:
            await self.flush()  # what came before goes first, in its own write
        frames = self.encoder.frames(step)
        self.close_queued = self.close_queued or (isinstance(step, SendClose) and bool(frames))
        if not chop and not sync:
            self.pending += frames
            return
        pieces = [f[i : i + (chop or len(f) or 1)] for f in frames for i in range(0, len(f), chop or len(f) or 1)]
        close, self.close_queued = self.close_queued, False
        await self.write(pieces, close, QUEUED_WRITE_DELAY)

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
            for k in range(step.count):
                for inner in step.steps:
                    await self.step(nth(inner, k))
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
            peer_closed = lambda: self.conn.close_received is not None or self.tcp_ended  # noqa: E731
            done = peer_closed if step.for_ == "close" else (lambda: self.tcp_ended)
            if not await self.rec.wait_until(done, step.timeout):
                self.rec.record(ev.TimedOut(self.t(), step.for_, step.timeout))
            return
        await self.rec.wait_for(step.for_, step.count, step.timeout, lambda: self.ended)

    # --- deadlines that measure the peer -------------------------------------------------------------

    def _unread(self) -> int:
        """Bytes the peer sent that are still in the kernel's socket buffer (the Link takes in what the
        transport reads at once)."""
        transport = self.link.transport if self.link else None
        sock = transport.get_extra_info("socket") if transport else None
        if sock is None:
            return 0
        count = array.array("i", [0])
        try:
            fcntl.ioctl(sock.fileno(), termios.FIONREAD, count)
        except OSError:
            return 0
        return count[0]

    async def settle(self, done: Callable[[], bool]) -> None:
        """Before a deadline or a mark counts, take in what the peer has already sent, so that a slow
        harness never makes the peer look late."""
        for _ in range(SETTLE_ROUNDS):
            if done() or self.tcp_ended or not self._unread():
                return
            await asyncio.sleep(0)  # the transport reads it, the Link handles it

    async def until(self, done: Callable[[], bool], since: float, seconds: float) -> bool:
        """Wait until `done()`, at most until `seconds` after `since` (recorder time); what the peer sent
        before the deadline counts even when the harness reads it late."""
        remaining = since + seconds - self.rec.now()
        if await self.rec.wait_until(done, max(remaining, 0.0)):
            return True
        await self.settle(done)
        return done()

    async def drop(self, reason: str) -> None:
        """End TCP from this side before the peer did."""
        if not self.tcp_ended and self.link is not None:
            self.dropped = True
            self.rec.record(ev.TcpClosed(self.t(), "agent", reason))
            await self.link.aclose()

    # --- the closing phase ---------------------------------------------------------------------------

    async def finish(self) -> None:
        """The closing phase: close if the case expects this side to, then give the peer `close_timeout`
        for each of its parts of the closing handshake."""
        conn = self.conn
        await self.flush()
        limit = self.case.close_timeout
        if conn.info.closing is Closing.TCP:  # hixie-75: closing is ending TCP
            if self.case.close.by != "peer" and not self.ended:
                await self.drop("hixie-75 closes by ending the TCP connection")
            elif not await self.rec.wait_until(lambda: self.tcp_ended, self.case.timeout):
                self.rec.record(ev.TimedOut(self.t(), "the peer to close", self.case.timeout, final=True))
            return
        by_peer = self.case.close.by == "peer" and not self.case.close.answer
        if not by_peer and conn.close_sent is None and not self.ended:
            await self.send(SendClose(1000 if conn.info.close_codes else None))
            await self.flush()

        def closed() -> bool:
            return conn.close_received is not None or self.tcp_ended

        if conn.close_sent is None and not closed() and not await self.rec.wait_until(closed, self.case.timeout):
            self.rec.record(ev.TimedOut(self.t(), "the peer to close", self.case.timeout, final=True))
            return
        if conn.close_sent is not None and not closed() and not await self.until(closed, self.close_written, limit):
            self.rec.record(ev.TimedOut(self.t(), "the peer's close reply", limit))
            await self.drop(f"no close reply within {limit:g} s")
            return
        if not self.tcp_ended:
            await self.end_tcp()

    async def end_tcp(self) -> None:
        """After the closing handshake: the client gives the server `close_timeout` seconds to end TCP
        (RFC 6455 §7.1.1: the server does it first), then drops it."""
        limit = self.case.close_timeout
        since = max([self.close_written, *(e.t for e in self.obs.events if isinstance(e, ev.CloseIn))])
        if not await self.until(lambda: self.tcp_ended, since, limit):
            await self.drop(f"the server did not close TCP within {limit:g} s of the closing handshake")

    async def stop(self) -> None:
        if self.link is not None:
            await self.link.aclose()
